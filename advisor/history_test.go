package advisor

import (
	"context"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

func TestRecorder(t *testing.T) {
	day := 24 * time.Hour
	rec := newRecorder()
	rec.add("payments", tandem.FileATicket, piece{responded: true, response: 2 * day})
	rec.add("payments", tandem.FileATicket, piece{responded: true, response: 4 * day})
	rec.add("search", tandem.FileATicket, piece{})
	rec.add("search", tandem.TrustedOutsider, piece{responded: true, response: day, headKnown: true, unmodified: true})
	rec.add("search", tandem.TrustedOutsider, piece{responded: true, response: day, headKnown: true})
	t.Run("the organisation counts every team's work", func(t *testing.T) {
		if got, want := rec.h.Org[string(tandem.FileATicket)], (Stat{Count: 3, Responded: 2, Response: 3 * day}); got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("a team counts its own", func(t *testing.T) {
		if got, want := rec.h.Teams["search"][string(tandem.FileATicket)], (Stat{Count: 1}); got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("merges count unmodified or not", func(t *testing.T) {
		if got, want := rec.h.Teams["search"][string(tandem.TrustedOutsider)], (Stat{Count: 2, Responded: 2, Response: day, Merged: 2, Unmodified: 1}); got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
}

// TestHistoryOfWork reads campaigns' history, on a real store, from the
// work Work returns for each migration: the pattern and team as the
// campaign's analytics set them, answered when the team acted.
func TestHistoryOfWork(t *testing.T) {
	db, err := sqlstore.Open(t.Context(), sqlstoretest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Apply(t.Context(), []tandem.Object{
		{Kind: tandem.KindTeam, Name: "obs", File: "c.yaml", Line: 1, Spec: &tandem.Team{Name: "obs", Type: tandem.PlatformTeam}},
		{Kind: tandem.KindPlatform, Name: "obslog", File: "c.yaml", Line: 2, Spec: &tandem.Platform{Name: "obslog", Owner: "obs", Support: tandem.SupportSelfService}},
		{Kind: tandem.KindMigration, Name: "m", File: "c.yaml", Line: 3,
			Spec: &tandem.Migration{Platform: "obslog", Title: "Move", Target: tandem.Check{Path: "**/*.go", Contains: "logrus"}}},
	}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	acted := t0.Add(6 * time.Hour)
	s := &Service{Store: db, Work: func(_ context.Context, m string) ([]tandem.Work, error) {
		if m != "m" {
			t.Errorf("work of %q, want m's", m)
		}
		return []tandem.Work{
			{Kind: tandem.WorkChangeRequest, Team: "pay", Pattern: tandem.InternalOpenSource, Opened: t0, FirstAction: &acted, HeadKnown: true, Unmodified: true},
			{Kind: tandem.WorkTicket, Team: "pay", Pattern: tandem.FileATicket, Opened: t0},
		}, nil
	}}
	h, err := s.History(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.Teams["pay"][string(tandem.InternalOpenSource)], (Stat{Count: 1, Responded: 1, Response: 6 * time.Hour, Merged: 1, Unmodified: 1}); got != want {
		t.Errorf("internal-open-source: %+v, want %+v", got, want)
	}
	if got, want := h.Org[string(tandem.FileATicket)], (Stat{Count: 1}); got != want {
		t.Errorf("file-a-ticket: %+v, want %+v", got, want)
	}
}
