// Package advisor recommends collaboration patterns for a piece of
// cross-team work: a ranking with reasons, trade-offs and warnings, made
// from a rules table that is data (rules.yaml, embedded, overridable by an
// organisation) and adjusted by the organisation's own history. It is
// pure: callers gather the situation and the history.
package advisor

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Situation is what the advisor knows about a piece of work.
type Situation struct {
	// Phase is migration, consumption or evolution; "" when the work is not
	// cross-team.
	Phase string
	// CrossTeam is false when driver and owner are the same team doing
	// ordinary work.
	CrossTeam bool
	// Driver and Owner are team names: who wants the work done and who
	// owns the codebase that must change.
	Driver, Owner string
	// Policy is the owner's codebase contribution policy: closed, trusted
	// or open; "" when unknown.
	Policy string
	// Trusted says the driver (or its members) is in the codebase's
	// trusted list.
	Trusted bool
	// Maturity is low, medium or high: the platform's interfaces, docs and
	// support.
	Maturity string
	// Size is small or large.
	Size string
	// Teams is how many teams (owning codebases) the work touches.
	Teams int
	// Notice is how long before the work must start; 0 when unknown.
	Notice time.Duration
	// Urgent says the work is needed within two weeks.
	Urgent bool
	// Support is the platform's support model, if known.
	Support string
	// Readiness is the owner codebase's contribution readiness score,
	// 0-100; -1 when unknown.
	Readiness int
	// TourWeeks is the time box in weeks of an existing or planned
	// engagement; 0 when unknown.
	TourWeeks int
	// CollaboratingWeeks is how long the teams have been in a
	// collaborative engagement already; 0 for none.
	CollaboratingWeeks int
}

// Stat is the record of one pattern: how many pieces of work used it, how
// many finished, and the median time to done (0 when none finished).
type Stat struct {
	Count  int
	Done   int
	Median time.Duration
}

// History is the organisation's record of patterns.
type History struct {
	// Org is by pattern, across the whole organisation.
	Org map[string]Stat
	// Teams is by receiving team, then pattern.
	Teams map[string]map[string]Stat
}

// Tradeoffs rates a pattern: scalability, cost and cognitive load low,
// medium or high; lead time fast, medium or slow.
type Tradeoffs struct {
	Scalability   string `json:"scalability"`
	LeadTime      string `json:"lead_time"`
	CostDriver    string `json:"cost_to_driver"`
	CostOwner     string `json:"cost_to_owner"`
	CognitiveLoad string `json:"cognitive_load"`
}

// Ranked is one recommended pattern with its score and why.
type Ranked struct {
	Pattern   string    `json:"pattern"`
	Score     float64   `json:"score"`
	Reasons   []string  `json:"reasons"`
	Tradeoffs Tradeoffs `json:"tradeoffs"`
}

// Advice is the advisor's answer: the patterns that fit, best first, what
// to watch out for, and the history facts that moved the ranking.
type Advice struct {
	Phase     string   `json:"phase"`
	CrossTeam bool     `json:"cross_team"`
	Patterns  []Ranked `json:"patterns"`
	Warnings  []string `json:"warnings"`
	Evidence  []string `json:"evidence"`
}

// History thresholds: how much record a fact needs, and what it does.
const (
	minTeamCount = 2
	minOrgCount  = 3
	slowRate     = 0.5
	slowPenalty  = 1.5
	fastMedian   = 7 * 24 * time.Hour
	fastBonus    = 1.0
	slowMedian   = 60 * 24 * time.Hour
	slowMalus    = 1.0
)

// Advise returns the patterns that fit s, ranked by the rules of r and
// then by the history h, with the warnings of r that hold. Work that is not
// cross-team (or has no known phase) gets no ranking, only warnings.
func Advise(r Rules, s Situation, h History) Advice {
	a := Advice{Phase: s.Phase, CrossTeam: s.CrossTeam, Patterns: []Ranked{}, Warnings: []string{}, Evidence: []string{}}
	fill := filler(s)
	if s.CrossTeam && slices.Contains(phases, s.Phase) {
		a.Patterns = rank(r, s, fill)
		a.Patterns, a.Evidence = learn(a.Patterns, s.Owner, h)
	} else if s.CrossTeam {
		a.Warnings = append(a.Warnings, fmt.Sprintf("The phase %q is unknown: say which team drives the work and which owns the codebase (migration, consumption or evolution).", s.Phase))
	}
	for _, w := range r.warnings {
		if w.when.holds(s, a.Patterns) {
			if text := fill.Replace(w.text); !slices.Contains(a.Warnings, text) {
				a.Warnings = append(a.Warnings, text)
			}
		}
	}
	return a
}

// rank scores every pattern a matching rule mentions and returns those
// scoring above zero, best first.
func rank(r Rules, s Situation, fill *strings.Replacer) []Ranked {
	byName := map[string]*Ranked{}
	var order []string
	for _, ru := range r.rules {
		if !ru.when.holds(s, nil) {
			continue
		}
		reason := fill.Replace(ru.reason)
		for _, d := range ru.add {
			p := byName[d.pattern]
			if p == nil {
				p = &Ranked{Pattern: d.pattern, Reasons: []string{}, Tradeoffs: r.tradeoffs[d.pattern]}
				byName[d.pattern] = p
				order = append(order, d.pattern)
			}
			p.Score += d.score
			if d.score != 0 && !slices.Contains(p.Reasons, reason) {
				p.Reasons = append(p.Reasons, reason)
			}
		}
	}
	out := []Ranked{}
	for _, name := range order {
		out = append(out, *byName[name])
	}
	return positive(out)
}

// positive returns the patterns scoring above zero, by score descending,
// then name.
func positive(ps []Ranked) []Ranked {
	ps = slices.DeleteFunc(ps, func(p Ranked) bool { return p.Score <= 0 })
	slices.SortStableFunc(ps, func(a, b Ranked) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Pattern, b.Pattern)
	})
	return ps
}

// learn adjusts each ranked pattern by the owner's record of it (or the
// organisation's), and returns the re-ranked patterns and the facts used.
func learn(ps []Ranked, owner string, h History) ([]Ranked, []string) {
	evidence := []string{}
	if len(h.Org) == 0 && len(h.Teams) == 0 {
		return ps, append(evidence, "No recorded history yet: the advice is the built-in table only.")
	}
	for i := range ps {
		p := &ps[i]
		who, st, ok := record(p.Pattern, owner, h)
		if !ok {
			continue
		}
		fact := fmt.Sprintf("%s finished %d of %d %s pieces of work", who, st.Done, st.Count, p.Pattern)
		if st.Done > 0 && st.Median > 0 {
			fact += fmt.Sprintf(", in a median of %s", formatDuration(st.Median))
		}
		evidence = append(evidence, fact+".")
		if float64(st.Done)/float64(st.Count) < slowRate {
			p.Score -= slowPenalty
			p.Reasons = append(p.Reasons, fmt.Sprintf("%s finished only %d of %d %s pieces of work.", who, st.Done, st.Count, p.Pattern))
		}
		if st.Done > 0 && st.Median > 0 {
			switch {
			case st.Median <= fastMedian:
				p.Score += fastBonus
				p.Reasons = append(p.Reasons, fmt.Sprintf("%s: %s work finished in a median of %s.", who, p.Pattern, formatDuration(st.Median)))
			case st.Median > slowMedian:
				p.Score -= slowMalus
				p.Reasons = append(p.Reasons, fmt.Sprintf("%s: %s work took a median of %s to finish.", who, p.Pattern, formatDuration(st.Median)))
			}
		}
	}
	if len(evidence) == 0 {
		evidence = append(evidence, fmt.Sprintf("No recorded history of these patterns yet (%d pieces of work with the owning team, or %d across the organisation): the advice is the built-in table only.", minTeamCount, minOrgCount))
	}
	return positive(ps), evidence
}

// record returns the owner's record of a pattern when it has enough work,
// else the organisation's, and who it belongs to.
func record(pattern, owner string, h History) (string, Stat, bool) {
	if st, ok := h.Teams[owner][pattern]; ok && st.Count >= minTeamCount {
		return owner, st, true
	}
	if st, ok := h.Org[pattern]; ok && st.Count >= minOrgCount {
		return "The organisation", st, true
	}
	return "", Stat{}, false
}

// holds reports whether every condition holds for s and the ranking ps.
func (c condition) holds(s Situation, ps []Ranked) bool {
	in := func(vs []string, v string) bool { return len(vs) == 0 || slices.Contains(vs, v) }
	is := func(b *bool, v bool) bool { return b == nil || *b == v }
	if !in(c.phase, s.Phase) || !in(c.policy, s.Policy) || !in(c.maturity, s.Maturity) ||
		!in(c.size, s.Size) || !in(c.support, s.Support) {
		return false
	}
	if !is(c.trusted, s.Trusted) || !is(c.urgent, s.Urgent) || !is(c.crossTeam, s.CrossTeam) {
		return false
	}
	if !c.teams.holds(float64(s.Teams), s.Teams > 0) ||
		!c.notice.holds(float64(s.Notice), s.Notice > 0) ||
		!c.readiness.holds(float64(s.Readiness), s.Readiness >= 0) ||
		!c.tourWeeks.holds(float64(s.TourWeeks), s.TourWeeks > 0) ||
		!c.collaboratingWeeks.holds(float64(s.CollaboratingWeeks), s.CollaboratingWeeks > 0) {
		return false
	}
	if len(c.top) > 0 && (len(ps) == 0 || !slices.Contains(c.top, ps[0].Pattern)) {
		return false
	}
	if len(c.ranked) > 0 && !slices.ContainsFunc(ps, func(p Ranked) bool { return slices.Contains(c.ranked, p.Pattern) }) {
		return false
	}
	return true
}

// filler returns the replacer of a text's {placeholders} for s; unknown
// values read as what they stand for.
func filler(s Situation) *strings.Replacer {
	or := func(v, unknown string) string { return cmp.Or(v, unknown) }
	num := func(n int, known bool) string {
		if !known {
			return "an unknown number of"
		}
		return strconv.Itoa(n)
	}
	notice := "unknown notice"
	if s.Notice > 0 {
		notice = formatDuration(s.Notice)
	}
	return strings.NewReplacer(
		"{driver}", or(s.Driver, "the driving team"),
		"{owner}", or(s.Owner, "the owning team"),
		"{phase}", or(s.Phase, "unknown phase"),
		"{policy}", or(s.Policy, "unknown"),
		"{maturity}", or(s.Maturity, "unknown"),
		"{size}", or(s.Size, "unknown"),
		"{support}", or(s.Support, "unknown"),
		"{teams}", num(s.Teams, s.Teams > 0),
		"{notice}", notice,
		"{readiness}", num(s.Readiness, s.Readiness >= 0),
		"{tour_weeks}", num(s.TourWeeks, s.TourWeeks > 0),
		"{collaborating_weeks}", num(s.CollaboratingWeeks, s.CollaboratingWeeks > 0),
	)
}
