package campaign

import (
	"testing"
	"time"

	tandem "github.com/tandem-dev/tandem"
)

// TestWorkOf reads the team's first action on each ticket and change
// request from hand-built records: approvals, merges, closings, adoptions,
// codebases done or exempt; and nudges before the first response only.
func TestWorkOf(t *testing.T) {
	t0 := at("2026-03-01T00:00:00Z")
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	m := tandem.Migration{Name: "m", Fix: &tandem.FixSpec{Branch: "tandem/m"}}
	targets := []tandem.Target{
		{Codebase: "a", Team: "pay", State: tandem.TargetTicketed, Ticket: &tandem.TicketRef{ID: 1}},
		{Codebase: "b", Team: "pay", State: tandem.TargetDone, DoneAt: ptr(h(30)), Ticket: &tandem.TicketRef{ID: 1}},
		{Codebase: "c", Team: "obs", State: tandem.TargetExempt, Ticket: &tandem.TicketRef{ID: 2},
			Exemption: &tandem.Exemption{At: h(50)}},
		{Codebase: "d", Team: "obs", State: tandem.TargetPROpen, Ticket: &tandem.TicketRef{ID: 3}},
	}
	tickets := []tandem.Ticket{
		{ID: 1, Team: "pay", State: tandem.TicketOpen, CreatedAt: h(0)},
		{ID: 2, Team: "obs", State: tandem.TicketClosed, CreatedAt: h(0), ClosedAt: ptr(h(60))},
		{ID: 3, Team: "obs", State: tandem.TicketOpen, CreatedAt: h(0)},
	}
	crs := []tandem.ChangeRequest{
		// Approved at 10h, merged unmodified at 20h.
		{ID: 1, Codebase: "a", Branch: "tandem/m", Commit: "c1", State: tandem.ChangeMerged, CreatedAt: h(2),
			ApprovedAt: ptr(h(10)), MergedAt: ptr(h(20)), MergedHead: "c1"},
		// Merged with a commit of the owners' on top.
		{ID: 2, Codebase: "b", Branch: "tandem/m", Commit: "c2", State: tandem.ChangeMerged, CreatedAt: h(2),
			MergedAt: ptr(h(26)), MergedHead: "c3"},
		// Adopted: the team's own, opened at 40h.
		{ID: 3, Codebase: "d", State: tandem.ChangeOpen, CreatedAt: h(40)},
	}
	nudges := map[int64][]time.Time{1: {h(5), h(15)}, 3: {h(24), h(48)}}
	work := WorkOf(m, targets, tickets, crs, map[string]string{"b": tandem.Trusted}, nudges)
	if len(work) != 6 {
		t.Fatalf("work = %d pieces, want 3 change requests and 3 tickets", len(work))
	}
	for i, want := range []struct {
		kind, team, fix string
		pattern         tandem.Pattern
		first           time.Time
		nudges          int
		unmodified      bool
	}{
		{tandem.WorkChangeRequest, "pay", "tandem/m", tandem.InternalOpenSource, h(10), 0, true},
		{tandem.WorkChangeRequest, "pay", "tandem/m", tandem.TrustedOutsider, h(26), 0, false},
		{tandem.WorkChangeRequest, "obs", tandem.FixNone, tandem.InternalOpenSource, time.Time{}, 0, false},
		{tandem.WorkTicket, "pay", tandem.FixNone, tandem.FileATicket, h(10), 1, false},
		{tandem.WorkTicket, "obs", tandem.FixNone, tandem.FileATicket, h(50), 0, false},
		{tandem.WorkTicket, "obs", tandem.FixNone, tandem.FileATicket, h(40), 1, false},
	} {
		w := work[i]
		var first time.Time
		if w.FirstAction != nil {
			first = *w.FirstAction
		}
		if w.Kind != want.kind || w.Team != want.team || w.Fix != want.fix || w.Pattern != want.pattern ||
			!first.Equal(want.first) || w.NudgesBefore != want.nudges || w.Unmodified != want.unmodified {
			t.Errorf("work[%d] = %s %s %s %s first %v nudges %d unmodified %v, want %+v",
				i, w.Kind, w.Team, w.Fix, w.Pattern, first, w.NudgesBefore, w.Unmodified, want)
		}
	}
}

// TestFiguresOf checks each figure of a hand-built group of work.
func TestFiguresOf(t *testing.T) {
	t0 := at("2026-03-01T00:00:00Z")
	h := func(n int) *time.Time { v := t0.Add(time.Duration(n) * time.Hour); return &v }
	work := []tandem.Work{
		{Kind: tandem.WorkTicket, Opened: t0, FirstAction: h(1), LastAction: h(1), NudgesBefore: 0},
		{Kind: tandem.WorkTicket, Opened: t0, FirstAction: h(3), LastAction: h(3), NudgesBefore: 2},
		// Open, no action for 20 days: stuck.
		{Kind: tandem.WorkTicket, Opened: t0, Open: true, NudgesBefore: 3},
		{Kind: tandem.WorkChangeRequest, Opened: t0, FirstAction: h(2), LastAction: h(4), Merged: h(4), HeadKnown: true, Unmodified: true},
		{Kind: tandem.WorkChangeRequest, Opened: t0, FirstAction: h(10), LastAction: h(10), Merged: h(10), HeadKnown: true},
		{Kind: tandem.WorkChangeRequest, Opened: t0, FirstAction: h(5), LastAction: h(5), ClosedUnmerged: true},
		// Open, approved a day ago: not stuck.
		{Kind: tandem.WorkChangeRequest, Opened: t0, Open: true, FirstAction: h(19 * 24), LastAction: h(19 * 24)},
	}
	now := *h(20 * 24)
	f := FiguresOf(work, now, 14*24*time.Hour)
	hours := func(n int) tandem.Seconds { return tandem.Seconds(n * 3600) }
	// Responses: 1, 2, 3, 5, 10, 456 hours: median (nearest rank) 3h, p90 456h.
	want := tandem.Figures{Tickets: 3, ChangeRequests: 4, Responded: 6,
		FirstResponseMedian: hours(3), FirstResponseP90: hours(19 * 24),
		Merged: 2, MergeMedian: hours(4), MergeP90: hours(10),
		MergedKnown: 2, MergedUnmodified: 1, MergedUnmodifiedShare: 0.5,
		ClosedUnmerged: 1, ClosedUnmergedShare: 0.25,
		StuckTickets: 1, Nudges: 5, NudgesPerTicket: 5.0 / 3}
	if f != want {
		t.Errorf("figures =\n %+v\nwant\n %+v", f, want)
	}
	st := StatsOf("m", append(work, tandem.Work{Kind: tandem.WorkTicket, Team: "pay", Opened: t0}), now, 0)
	if st.StuckAfter.Duration() != tandem.DefaultStuckAfter || st.Teams["pay"].Tickets != 1 || st.All.Tickets != 4 {
		t.Errorf("stats: stuck after %v, pay %+v, all %+v", st.StuckAfter.Duration(), st.Teams["pay"], st.All)
	}
}
