package advisor

import (
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
)

func TestTargetWork(t *testing.T) {
	opened, ticketed := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name   string
		target tandem.Target
		policy string
		want   tandem.Pattern // the pattern, "" for none
		began  *time.Time
	}{
		{"a change request is internal open source", tandem.Target{PROpenedAt: &opened, TicketedAt: &ticketed}, tandem.Open, tandem.InternalOpenSource, &opened},
		{"a change request to a trusted codebase is a trusted outsider's", tandem.Target{PROpenedAt: &opened}, tandem.Trusted, tandem.TrustedOutsider, &opened},
		{"a ticket alone is a ticket", tandem.Target{TicketedAt: &ticketed}, tandem.Trusted, tandem.FileATicket, &ticketed},
		{"a target neither reached followed none", tandem.Target{}, tandem.Open, "", nil},
		{"a gone target followed none", tandem.Target{State: tandem.TargetGone, TicketedAt: &ticketed}, tandem.Open, "", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pattern, began, ok := targetWork(tt.target, tt.policy)
			if pattern != tt.want || began != tt.began || ok != (tt.want != "") {
				t.Errorf("got %q from %v (%t), want %q from %v", pattern, began, ok, tt.want, tt.began)
			}
		})
	}
}

func TestRecorder(t *testing.T) {
	day := 24 * time.Hour
	rec := newRecorder()
	rec.add("payments", tandem.FileATicket, true, 2*day)
	rec.add("payments", tandem.FileATicket, true, 4*day)
	rec.add("search", tandem.FileATicket, false, 0)
	t.Run("the organisation counts every team's work", func(t *testing.T) {
		if got, want := rec.h.Org[string(tandem.FileATicket)], (Stat{Count: 3, Done: 2, Median: 3 * day}); got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("a team counts its own", func(t *testing.T) {
		if got, want := rec.h.Teams["search"][string(tandem.FileATicket)], (Stat{Count: 1}); got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
}
