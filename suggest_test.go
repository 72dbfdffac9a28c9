package tandem

import "testing"

func TestClosest(t *testing.T) {
	valid := []string{"platform", "title", "target", "deadline", "not"}
	for _, tt := range []struct{ in, want string }{
		{"platfrom", "platform"},
		{"titel", "title"},
		{"Platform", "platform"},
		{"owner", ""},
		{"x", ""},
		{"nope", ""},
		{"platform", ""},
	} {
		if got := Closest(tt.in, valid); got != tt.want {
			t.Errorf("Closest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
