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
