package sqlstore

import "testing"

func TestCheckSQLiteVersion(t *testing.T) {
	tests := []struct {
		name    string
		version string
		ok      bool
	}{
		{"the minimum is accepted", "3.51.3", true},
		{"a later patch is accepted", "3.51.10", true},
		{"a later minor is accepted", "3.54.1", true},
		{"a later major is accepted", "4.0.0", true},
		{"a version without patch at a later minor is accepted", "3.52", true},
		{"an earlier patch is refused", "3.51.2", false},
		{"an earlier minor is refused even with a larger patch", "3.45.10", false},
		{"parts compare as numbers, not text", "3.9.9", false},
		{"an earlier major is refused", "2.99.99", false},
		{"garbage is refused", "three", false},
		{"an empty version is refused", "", false},
		{"a negative part is refused", "3.-1.0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkSQLiteVersion(tt.version)
			if got, want := err == nil, tt.ok; got != want {
				t.Errorf("checkSQLiteVersion(%q) = %v, want ok %v", tt.version, err, want)
			}
		})
	}
}
