package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/advisor"
)

// maturityOf is a platform's maturity as its support model shows it: a
// platform still giving white-glove help is young; one that is
// self-service is mature.
func maturityOf(support string) string {
	switch support {
	case tandem.WhiteGlove:
		return "low"
	case tandem.Community, tandem.SelfService:
		return "high"
	case "":
		return ""
	}
	return "medium"
}

// situation builds the advisor's situation from a request's query: the
// driver and owner teams (or a codebase, its owner and policy), and what
// the person says of the work. The phase follows from who drives and who
// owns unless given.
func (s *Server) situation(r *http.Request) (advisor.Situation, error) {
	ctx, q := r.Context(), r.URL.Query()
	st := advisor.Situation{Driver: q.Get("driver"), Owner: q.Get("owner"), Phase: q.Get("phase"), Policy: q.Get("policy"),
		Maturity: q.Get("maturity"), Size: q.Get("size"), Readiness: -1, CrossTeam: true}
	st.Trusted, _ = strconv.ParseBool(q.Get("trusted"))
	st.Teams, _ = strconv.Atoi(q.Get("teams"))
	st.TourWeeks, _ = strconv.Atoi(q.Get("tour_weeks"))
	st.CollaboratingWeeks, _ = strconv.Atoi(q.Get("collaborating_weeks"))
	if n := q.Get("notice"); n != "" {
		d, err := tandem.ParseDuration(n)
		if err != nil {
			return st, tandem.Errorf(tandem.EINVALID, "notice: %v", err)
		}
		st.Notice = d
	}
	if nb := q.Get("needed_by"); nb != "" {
		day, err := time.Parse(time.DateOnly, nb)
		if err != nil {
			return st, tandem.Errorf(tandem.EINVALID, "needed_by: %q is not a date (YYYY-MM-DD)", nb)
		}
		st.Urgent = time.Until(day) < 14*24*time.Hour
		if st.Notice == 0 {
			st.Notice = max(time.Until(day), 0)
		}
	}
	if st.Size == "" {
		st.Size = tandem.SizeSmall
	}
	if cb := q.Get("codebase"); cb != "" {
		cs, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{Name: cb})
		if err != nil {
			return st, err
		}
		c := cs[0]
		if c.Owner != nil && st.Owner == "" {
			st.Owner = *c.Owner
		}
		if st.Policy == "" {
			st.Policy = c.Contributions
		}
		if st.Driver != "" && !st.Trusted {
			st.Trusted = slices.Contains(c.Trusted, st.Driver)
			if teams, err := s.store.FindTeams(ctx, st.Driver); err == nil {
				for _, m := range teams[0].Members {
					st.Trusted = st.Trusted || slices.Contains(c.Trusted, m)
				}
			}
		}
		results, err := s.store.FindCheckResults(ctx, tandem.CheckResultFilter{Codebase: cb})
		if err != nil {
			return st, err
		}
		ok, n := 0, 0
		for _, res := range results {
			if kind, _, _ := tandem.SplitCheckID(res.Check); kind == "readiness" {
				n++
				if res.Holds {
					ok++
				}
			}
		}
		if n > 0 {
			st.Readiness = 100 * ok / n
		}
	}
	if p := q.Get("platform"); p != "" {
		ps, err := s.store.FindPlatforms(ctx, p)
		if err != nil {
			return st, err
		}
		st.Support = ps[0].Support
		if st.Maturity == "" {
			st.Maturity = maturityOf(ps[0].Support)
		}
	}
	if st.Phase == "" {
		phase, cross, err := s.phaseOf(r, st.Driver, st.Owner)
		if err != nil {
			return st, err
		}
		st.Phase, st.CrossTeam = phase, cross
	}
	if st.Teams == 0 && st.Owner != "" {
		st.Teams = 1 // the owner's
	}
	return st, nil
}

// phaseOf tells the phase of work from who drives it and who owns the code:
// a platform team changing product teams' code is a migration, a product
// team changing a platform's is evolution, a product team in its own code
// consuming a platform is consumption; a platform team in its own code is
// no cross-team work.
func (s *Server) phaseOf(r *http.Request, driver, owner string) (string, bool, error) {
	if driver == "" || owner == "" {
		return "", true, tandem.Errorf(tandem.EINVALID, "say who drives and who owns the code (driver and owner, or a codebase), or give the phase")
	}
	typeOf := func(name string) (tandem.TeamType, error) {
		ts, err := s.store.FindTeams(r.Context(), name)
		if err != nil {
			return "", err
		}
		return ts[0].Type, nil
	}
	dt, err := typeOf(driver)
	if err != nil {
		return "", true, err
	}
	ot, err := typeOf(owner)
	if err != nil {
		return "", true, err
	}
	switch {
	case driver == owner && dt == tandem.PlatformTeam:
		return "", false, nil
	case driver == owner:
		return tandem.PhaseConsumption, true, nil
	case dt == tandem.PlatformTeam && ot != tandem.PlatformTeam:
		return tandem.PhaseMigration, true, nil
	default:
		return tandem.PhaseEvolution, true, nil
	}
}

// history is what the organisation's own records say of each pattern,
// overall and per receiving team: campaign tickets and change requests,
// requests, and engagements.
func (s *Server) history(r *http.Request) (advisor.History, error) {
	ctx := r.Context()
	h := advisor.History{Org: map[string]advisor.Stat{}, Teams: map[string]map[string]advisor.Stat{}}
	durations := map[[2]string][]time.Duration{}
	add := func(team, pattern string, done bool, d time.Duration) {
		for _, key := range [][2]string{{"", pattern}, {team, pattern}} {
			var st advisor.Stat
			if key[0] == "" {
				st = h.Org[pattern]
			} else {
				if h.Teams[team] == nil {
					h.Teams[team] = map[string]advisor.Stat{}
				}
				st = h.Teams[team][pattern]
			}
			st.Count++
			if done {
				st.Done++
				durations[key] = append(durations[key], d)
				st.Median = medianOf(durations[key])
			}
			if key[0] == "" {
				h.Org[pattern] = st
			} else if team != "" {
				h.Teams[team][pattern] = st
			}
		}
	}
	codebases, err := s.store.FindCodebases(ctx, tandem.CodebaseFilter{})
	if err != nil {
		return h, err
	}
	policy := map[string]string{}
	for _, c := range codebases {
		policy[c.Name] = c.Contributions
	}
	ms, err := s.store.FindMigrations(ctx, "")
	if err != nil {
		return h, err
	}
	for _, m := range ms {
		targets, err := s.store.FindTargets(ctx, m.Name)
		if err != nil {
			return h, err
		}
		for _, t := range targets {
			if t.State == tandem.TargetGone {
				// Its codebase left its host: the pattern neither worked
				// nor failed there.
				continue
			}
			done := t.State == tandem.TargetDone && t.DoneAt != nil
			switch {
			case t.PROpenedAt != nil:
				pattern := tandem.PatternInternalOpenSource
				if policy[t.Codebase] == tandem.Trusted {
					pattern = tandem.PatternTrustedOutsider
				}
				var d time.Duration
				if done {
					d = t.DoneAt.Sub(*t.PROpenedAt)
				}
				add(t.Team, pattern, done, d)
			case t.TicketedAt != nil:
				var d time.Duration
				if done {
					d = t.DoneAt.Sub(*t.TicketedAt)
				}
				add(t.Team, tandem.PatternFileATicket, done, d)
			}
		}
	}
	platforms, err := s.store.FindPlatforms(ctx, "")
	if err != nil {
		return h, err
	}
	owner := map[string]string{}
	for _, p := range platforms {
		owner[p.Name] = p.Owner
	}
	reqs, err := s.store.FindRequests(ctx, tandem.RequestFilter{})
	if err != nil {
		return h, err
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
		add(owner[q.Platform], q.Pattern, done, d)
	}
	return h, nil
}

func medianOf(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func (s *Server) handleAdvice(w http.ResponseWriter, r *http.Request) {
	out, err := s.advise(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// advise answers a request's situation with advice from the rules and the
// organisation's history.
func (s *Server) advise(r *http.Request) (advisor.Advice, error) {
	st, err := s.situation(r)
	if err != nil {
		return advisor.Advice{}, err
	}
	h, err := s.history(r)
	if err != nil {
		return advisor.Advice{}, err
	}
	return advisor.Advise(s.rules, st, h), nil
}

// adviseData is the advice page: the question as asked, and the answer.
type adviseData struct {
	Q      map[string]string
	Phases []string
	Sizes  []string
	Advice *advisor.Advice
	Error  string
}

func (s *Server) handleAdvicePage(w http.ResponseWriter, r *http.Request) {
	d := adviseData{Q: map[string]string{}, Phases: []string{tandem.PhaseMigration, tandem.PhaseConsumption, tandem.PhaseEvolution},
		Sizes: []string{tandem.SizeSmall, tandem.SizeLarge}}
	for k := range r.URL.Query() {
		d.Q[k] = r.URL.Query().Get(k)
	}
	if len(d.Q) > 0 {
		a, err := s.advise(r)
		if err != nil {
			d.Error = tandem.ErrorMessage(err)
		} else {
			d.Advice = &a
		}
	}
	s.render(w, r, "advise", "Advice", d)
}
