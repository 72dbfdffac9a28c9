package consumption

import (
	"testing"
	"time"
)

// at parses an RFC 3339 time, or a date as midnight UTC.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	layout := time.RFC3339
	if len(s) == len(time.DateOnly) {
		layout = time.DateOnly
	}
	v, err := time.Parse(layout, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// ptr returns a pointer to the time s parses to.
func ptr(t *testing.T, s string) *time.Time {
	t.Helper()
	v := at(t, s)
	return &v
}

func TestDurationText(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{3*day + 4*time.Hour + 5*time.Minute, "3d 4h"},
		{2 * day, "2d"},
		{5*time.Hour + 30*time.Minute, "5h 30m"},
		{5 * time.Hour, "5h"},
		{12 * time.Minute, "12m"},
		{30 * time.Second, "0m"},
	} {
		t.Run(tt.want+" is how "+tt.d.String()+" reads", func(t *testing.T) {
			if got, want := durationText(tt.d), tt.want; got != want {
				t.Errorf("durationText(%v) = %q, want %q", tt.d, got, want)
			}
		})
	}
}
