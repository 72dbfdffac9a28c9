package campaign

import (
	"context"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
)

// Stats returns migration name's analytics at now (tandem.CampaignStats);
// stuckAfter 0 is tandem.DefaultStuckAfter.
func (s *Service) Stats(ctx context.Context, name string, stuckAfter time.Duration) (tandem.CampaignStats, error) {
	work, err := s.Work(ctx, name)
	if err != nil {
		return tandem.CampaignStats{}, err
	}
	return StatsOf(name, work, s.now(), stuckAfter), nil
}

// Work returns migration name's tickets and change requests as work
// (WorkOf), reading its targets, tickets, change requests, nudges and the
// fleet's trusted codebases once each.
func (s *Service) Work(ctx context.Context, name string) ([]tandem.Work, error) {
	ms, err := s.Store.FindMigrations(ctx, name)
	if err != nil {
		return nil, err
	}
	targets, err := s.Store.FindTargets(ctx, name)
	if err != nil {
		return nil, err
	}
	tickets, err := s.Store.FindTickets(ctx, tandem.TicketFilter{Migration: name, NoComments: true})
	if err != nil {
		return nil, err
	}
	crs, err := s.Store.FindChangeRequests(ctx, name, 0)
	if err != nil {
		return nil, err
	}
	nudges, err := s.Store.NudgeTimes(ctx, name)
	if err != nil {
		return nil, err
	}
	codebases, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Contributions: tandem.Trusted})
	if err != nil {
		return nil, err
	}
	policy := make(map[string]string, len(codebases))
	for _, c := range codebases {
		policy[c.Name] = c.Contributions
	}
	return WorkOf(ms[0], targets, tickets, crs, policy, nudges), nil
}

// WorkOf returns a migration's tickets and change requests as work
// (tandem.Work): each with its team, pattern and fix, and the owning
// team's actions on it. policy is codebases' contribution policies (one
// missing is not trusted), nudges each ticket's nudge times.
func WorkOf(m tandem.Migration, targets []tandem.Target, tickets []tandem.Ticket, crs []tandem.ChangeRequest,
	policy map[string]string, nudges map[int64][]time.Time) []tandem.Work {
	fix := tandem.FixNone
	if m.Fix != nil && m.Fix.Branch != "" {
		fix = m.Fix.Branch
	}
	target := make(map[string]tandem.Target, len(targets))
	for _, t := range targets {
		target[t.Codebase] = t
	}
	// acts are the team's actions on each ticket, from its codebases.
	acts := map[int64][]time.Time{}
	work := make([]tandem.Work, 0, len(tickets)+len(crs))
	for _, cr := range crs {
		t := target[cr.Codebase]
		w := changeWork(cr, t.Team, fix, policy[cr.Codebase])
		work = append(work, w)
		if t.Ticket != nil {
			acts[t.Ticket.ID] = append(acts[t.Ticket.ID], changeActions(cr)...)
		}
	}
	for _, t := range targets {
		if t.Ticket == nil {
			continue
		}
		if t.State == tandem.TargetDone && t.DoneAt != nil {
			acts[t.Ticket.ID] = append(acts[t.Ticket.ID], *t.DoneAt)
		}
		if t.Exemption != nil {
			acts[t.Ticket.ID] = append(acts[t.Ticket.ID], t.Exemption.At)
		}
	}
	for _, tk := range tickets {
		a := acts[tk.ID]
		if tk.ClosedAt != nil {
			a = append(a, *tk.ClosedAt)
		}
		work = append(work, ticketWork(tk, a, nudges[tk.ID]))
	}
	return work
}

// changeActions returns the owning team's actions on a change request:
// its approval, merge or closing, and its opening when the team opened
// it and Tandem adopted it (no branch of Tandem's).
func changeActions(cr tandem.ChangeRequest) []time.Time {
	a := changeEnds(cr)
	if cr.Branch == "" {
		a = append(a, cr.CreatedAt)
	}
	return a
}

// changeEnds returns the times of a change request's approval, merge and
// closing, those it had.
func changeEnds(cr tandem.ChangeRequest) []time.Time {
	var a []time.Time
	for _, at := range []*time.Time{cr.ApprovedAt, cr.MergedAt, cr.ClosedAt} {
		if at != nil {
			a = append(a, *at)
		}
	}
	return a
}

// changeWork returns a change request as work of team: the platform
// team's fix when it has a branch, the team's own (tandem.FixNone) when
// adopted.
func changeWork(cr tandem.ChangeRequest, team, fix, policy string) tandem.Work {
	w := tandem.Work{Kind: tandem.WorkChangeRequest, Team: team, Pattern: tandem.InternalOpenSource, Fix: fix,
		Opened: cr.CreatedAt, Open: cr.State == tandem.ChangeOpen, Merged: cr.MergedAt,
		ClosedUnmerged: cr.State == tandem.ChangeClosed}
	if policy == tandem.Trusted {
		w.Pattern = tandem.TrustedOutsider
	}
	if cr.Branch == "" {
		w.Fix = tandem.FixNone
	}
	w.FirstAction, w.LastAction = span(changeEnds(cr), cr.CreatedAt)
	w.HeadKnown = cr.State == tandem.ChangeMerged && cr.Branch != "" && cr.MergedHead != ""
	w.Unmodified = cr.MergedUnmodified()
	return w
}

// ticketWork returns a ticket as work, given its team's actions and its
// nudges.
func ticketWork(tk tandem.Ticket, acts, nudges []time.Time) tandem.Work {
	w := tandem.Work{Kind: tandem.WorkTicket, Team: tk.Team, Pattern: tandem.FileATicket, Fix: tandem.FixNone,
		Opened: tk.CreatedAt, Open: tk.State == tandem.TicketOpen}
	w.FirstAction, w.LastAction = span(acts, tk.CreatedAt)
	for _, n := range nudges {
		if w.FirstAction == nil || n.Before(*w.FirstAction) {
			w.NudgesBefore++
		}
	}
	return w
}

// span returns the first and last of acts at or after opened; nil when
// there is none.
func span(acts []time.Time, opened time.Time) (first, last *time.Time) {
	for _, a := range acts {
		if a.Before(opened) {
			continue
		}
		if first == nil || a.Before(*first) {
			first = &a
		}
		if last == nil || a.After(*last) {
			last = &a
		}
	}
	return first, last
}

// StatsOf returns the analytics of a migration's work at now, overall and
// by team, pattern and fix; stuckAfter 0 is tandem.DefaultStuckAfter.
func StatsOf(migration string, work []tandem.Work, now time.Time, stuckAfter time.Duration) tandem.CampaignStats {
	if stuckAfter <= 0 {
		stuckAfter = tandem.DefaultStuckAfter
	}
	st := tandem.CampaignStats{Migration: migration, At: now, StuckAfter: tandem.SecondsOf(stuckAfter),
		Teams: map[string]tandem.Figures{}, Patterns: map[tandem.Pattern]tandem.Figures{}, Fixes: map[string]tandem.Figures{}}
	teams, patterns, fixes := map[string][]tandem.Work{}, map[tandem.Pattern][]tandem.Work{}, map[string][]tandem.Work{}
	for _, w := range work {
		teams[w.Team] = append(teams[w.Team], w)
		patterns[w.Pattern] = append(patterns[w.Pattern], w)
		fixes[w.Fix] = append(fixes[w.Fix], w)
	}
	st.All = FiguresOf(work, now, stuckAfter)
	for k, ws := range teams {
		st.Teams[k] = FiguresOf(ws, now, stuckAfter)
	}
	for k, ws := range patterns {
		st.Patterns[k] = FiguresOf(ws, now, stuckAfter)
	}
	for k, ws := range fixes {
		st.Fixes[k] = FiguresOf(ws, now, stuckAfter)
	}
	return st
}

// FiguresOf returns the figures of a group of work at now: open work
// with no action since stuckAfter before now is stuck.
func FiguresOf(work []tandem.Work, now time.Time, stuckAfter time.Duration) tandem.Figures {
	var f tandem.Figures
	var responses, merges []time.Duration
	for _, w := range work {
		if w.Kind == tandem.WorkTicket {
			f.Tickets++
			f.Nudges += w.NudgesBefore
		} else {
			f.ChangeRequests++
		}
		if w.FirstAction != nil {
			responses = append(responses, w.FirstAction.Sub(w.Opened))
		}
		if w.Merged != nil {
			f.Merged++
			merges = append(merges, w.Merged.Sub(w.Opened))
		}
		if w.HeadKnown {
			f.MergedKnown++
		}
		if w.Unmodified {
			f.MergedUnmodified++
		}
		if w.ClosedUnmerged {
			f.ClosedUnmerged++
		}
		if w.Open && stuck(w, now, stuckAfter) {
			if w.Kind == tandem.WorkTicket {
				f.StuckTickets++
			} else {
				f.StuckChangeRequests++
			}
		}
	}
	f.Responded = len(responses)
	f.FirstResponseMedian, f.FirstResponseP90 = percentile(responses, 50), percentile(responses, 90)
	f.MergeMedian, f.MergeP90 = percentile(merges, 50), percentile(merges, 90)
	f.MergedUnmodifiedShare = share(f.MergedUnmodified, f.MergedKnown)
	f.ClosedUnmergedShare = share(f.ClosedUnmerged, f.ChangeRequests)
	f.NudgesPerTicket = share(f.Nudges, f.Tickets)
	return f
}

// stuck reports whether open work had no action, nor its opening, since
// stuckAfter before now.
func stuck(w tandem.Work, now time.Time, stuckAfter time.Duration) bool {
	last := w.Opened
	if w.LastAction != nil && w.LastAction.After(last) {
		last = *w.LastAction
	}
	return now.Sub(last) >= stuckAfter
}

// percentile returns the p-th percentile of ds by the nearest rank (the
// smallest duration at least p% of ds are at or under), in seconds; 0
// for none. ds is left as it is.
func percentile(ds []time.Duration, p int) tandem.Seconds {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 × n)
	return tandem.SecondsOf(s[max(rank, 1)-1])
}

// share returns n of total as a fraction, 0 when total is.
func share(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}
