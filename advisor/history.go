package advisor

import (
	"context"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
)

// History returns what the organisation's own records say of each
// pattern, overall and per receiving team: campaigns' tickets and change
// requests (through Work) and requests. It returns the store's errors.
func (s *Service) History(ctx context.Context) (History, error) {
	rec := newRecorder()
	if err := s.recordWork(ctx, rec); err != nil {
		return rec.h, err
	}
	if err := s.recordRequests(ctx, rec); err != nil {
		return rec.h, err
	}
	return rec.h, nil
}

// recordWork records every campaign's tickets and change requests, by the
// team owning each: answered or not, how soon, and merged unmodified or
// not. Without Work, campaigns add nothing.
func (s *Service) recordWork(ctx context.Context, rec *recorder) error {
	if s.Work == nil {
		return nil
	}
	ms, err := s.Store.FindMigrations(ctx, "")
	if err != nil {
		return err
	}
	for _, m := range ms {
		work, err := s.Work(ctx, m.Name)
		if err != nil {
			return err
		}
		for _, w := range work {
			p := piece{headKnown: w.HeadKnown, unmodified: w.Unmodified}
			if w.FirstAction != nil {
				p.responded, p.response = true, w.FirstAction.Sub(w.Opened)
			}
			rec.add(w.Team, w.Pattern, p)
		}
	}
	return nil
}

// recordRequests records every request that named a pattern and was not
// declined, by the team owning its platform: answered when that team
// responded.
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
		var p piece
		if q.RespondedAt != nil {
			p.responded, p.response = true, q.RespondedAt.Sub(q.CreatedAt)
		}
		rec.add(owner[q.Platform], q.Pattern, p)
	}
	return nil
}

// piece is one piece of work as the history counts it.
type piece struct {
	responded             bool
	response              time.Duration // to the first response, when responded
	headKnown, unmodified bool          // a merged change request's
}

// recorder builds a History one piece of work at a time.
type recorder struct {
	h History
	// responses are the times to a first response so far, by team (""
	// for the organisation) and pattern.
	responses map[[2]string][]time.Duration
}

func newRecorder() *recorder {
	return &recorder{h: History{Org: map[string]Stat{}, Teams: map[string]map[string]Stat{}},
		responses: map[[2]string][]time.Duration{}}
}

// add records a piece of work of a pattern for the organisation and for
// the receiving team. Work of no known team counts twice for the
// organisation.
func (rec *recorder) add(team string, pattern tandem.Pattern, p piece) {
	for _, key := range [][2]string{{"", string(pattern)}, {team, string(pattern)}} {
		st := rec.stat(key)
		st.Count++
		if p.responded {
			st.Responded++
			rec.responses[key] = append(rec.responses[key], p.response)
			st.Response = medianOf(rec.responses[key])
		}
		if p.headKnown {
			st.Merged++
		}
		if p.unmodified {
			st.Unmodified++
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
