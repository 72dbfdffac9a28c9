package advisor

import (
	"context"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
)

// History returns what the organisation's own records say of each
// pattern, overall and per receiving team: campaign targets (by ticket or
// change request) and requests. It returns the store's errors.
func (s *Service) History(ctx context.Context) (History, error) {
	rec := newRecorder()
	if err := s.recordTargets(ctx, rec); err != nil {
		return rec.h, err
	}
	if err := s.recordRequests(ctx, rec); err != nil {
		return rec.h, err
	}
	return rec.h, nil
}

// recordTargets records the work of every campaign's targets, by the
// team owning each.
func (s *Service) recordTargets(ctx context.Context, rec *recorder) error {
	codebases, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{})
	if err != nil {
		return err
	}
	policy := map[string]string{}
	for _, c := range codebases {
		policy[c.Name] = c.Contributions
	}
	ms, err := s.Store.FindMigrations(ctx, "")
	if err != nil {
		return err
	}
	for _, m := range ms {
		targets, err := s.Store.FindTargets(ctx, m.Name)
		if err != nil {
			return err
		}
		for _, t := range targets {
			pattern, began, ok := targetWork(t, policy[t.Codebase])
			if !ok {
				continue
			}
			done := t.State == tandem.TargetDone && t.DoneAt != nil
			var d time.Duration
			if done {
				d = t.DoneAt.Sub(*began)
			}
			rec.add(t.Team, pattern, done, d)
		}
	}
	return nil
}

// targetWork returns the pattern a target's work followed and when it
// began: the change request the platform team opened (trusted outsider on
// a trusted codebase, else internal open source), or else the ticket.
// A target with neither, or whose codebase left its host (where the
// pattern neither worked nor failed), followed none.
func targetWork(t tandem.Target, policy string) (tandem.Pattern, *time.Time, bool) {
	switch {
	case t.State == tandem.TargetGone:
		return "", nil, false
	case t.PROpenedAt != nil && policy == tandem.Trusted:
		return tandem.TrustedOutsider, t.PROpenedAt, true
	case t.PROpenedAt != nil:
		return tandem.InternalOpenSource, t.PROpenedAt, true
	case t.TicketedAt != nil:
		return tandem.FileATicket, t.TicketedAt, true
	}
	return "", nil, false
}

// recordRequests records every request that named a pattern and was not
// declined, by the team owning its platform.
func (s *Service) recordRequests(ctx context.Context, rec *recorder) error {
	platforms, err := s.Store.FindPlatforms(ctx, "")
	if err != nil {
		return err
	}
	owner := map[string]string{}
	for _, p := range platforms {
		owner[p.Name] = p.Owner
	}
	reqs, err := s.Store.FindRequests(ctx, tandem.RequestFilter{})
	if err != nil {
		return err
	}
	for _, q := range reqs {
		if q.Pattern == "" || q.State == tandem.RequestDeclined {
			continue
		}
		done := q.State == tandem.RequestDone && q.DoneAt != nil
		var d time.Duration
		if done {
			d = q.DoneAt.Sub(q.CreatedAt)
		}
		rec.add(owner[q.Platform], q.Pattern, done, d)
	}
	return nil
}

// recorder builds a History one piece of work at a time.
type recorder struct {
	h History
	// durations are the times to done so far, by team ("" for the
	// organisation) and pattern.
	durations map[[2]string][]time.Duration
}

func newRecorder() *recorder {
	return &recorder{h: History{Org: map[string]Stat{}, Teams: map[string]map[string]Stat{}},
		durations: map[[2]string][]time.Duration{}}
}

// add records a piece of work of a pattern for the organisation and for
// the receiving team, done in d when done. Work of no known team counts
// twice for the organisation.
func (rec *recorder) add(team string, pattern tandem.Pattern, done bool, d time.Duration) {
	for _, key := range [][2]string{{"", string(pattern)}, {team, string(pattern)}} {
		st := rec.stat(key)
		st.Count++
		if done {
			st.Done++
			rec.durations[key] = append(rec.durations[key], d)
			st.Median = medianOf(rec.durations[key])
		}
		rec.set(key, st)
	}
}

// stat returns the record so far of a team ("" for the organisation) and
// pattern.
func (rec *recorder) stat(key [2]string) Stat {
	if key[0] == "" {
		return rec.h.Org[key[1]]
	}
	return rec.h.Teams[key[0]][key[1]]
}

func (rec *recorder) set(key [2]string, st Stat) {
	if key[0] == "" {
		rec.h.Org[key[1]] = st
		return
	}
	if rec.h.Teams[key[0]] == nil {
		rec.h.Teams[key[0]] = map[string]Stat{}
	}
	rec.h.Teams[key[0]][key[1]] = st
}

// medianOf returns the middle of ds, or the mean of its two middles when
// their number is even; ds is left as it is.
func medianOf(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
