// Package consumption holds the analytics of the consumption and evolution
// phases: how fast platform teams answer product teams' requests, whether
// a platform's backlog turns it into a bottleneck, whether engagements keep
// to their time boxes and purpose, whether hands-on support still scales,
// and which Team Topologies interaction mode holds between two teams. Its
// functions compute over the domain types only; Service loads what they
// need from a store, and callers store what changes.
package consumption

import (
	"fmt"
	"slices"
	"time"
)

// day is 24 hours, the unit time boxes and ages are counted in.
const day = 24 * time.Hour

// median returns the middle of ds, or the mean of its two middles when
// their number is even, and 0 when ds is empty. ds is sorted in place.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return ds[n/2-1] + (ds[n/2]-ds[n/2-1])/2
}

// dateOf returns the calendar day of t, in t's own location, as midnight
// UTC, so that it compares with dates parsed from YYYY-MM-DD.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// plural returns n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
