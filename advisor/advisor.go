// Package advisor recommends collaboration patterns for a piece of
// cross-team work: a ranking with reasons, trade-offs and warnings, made
// from a rules table that is data (rules.yaml, embedded, overridable by an
// organisation) and adjusted by the organisation's own history. Advise is
// pure; Service gathers the situation and the history from a store.
package advisor

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// Situation is what the advisor knows about a piece of work.
type Situation struct {
	// Phase is migration, consumption or evolution; "" when the work is not
	// cross-team.
	Phase tandem.Phase
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
// many the receiving team answered and the median time to that first
// response (0 when none was answered), and of the change requests merged
// with a known head, how many the owners merged unmodified.
type Stat struct {
	Count     int
	Responded int
	Response  time.Duration
	// Merged counts the merged change requests whose head when merged is
	// known; Unmodified those that merged the commit Tandem pushed.
	Merged     int
	Unmodified int
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

// Ranked is one recommended pattern with its score, what speaks for it
// and against it, and the patterns it is tied with.
type Ranked struct {
	Pattern string  `json:"pattern"`
	Score   float64 `json:"score"`
	// Reasons say why the pattern fits: the rules and records that raised
	// its score.
	Reasons []string `json:"reasons"`
	// Cons say what counts against it: the rules and records that lowered
	// its score.
	Cons []string `json:"cons"`
	// TiedWith names the other recommended patterns of the same score
	// (tied patterns are listed by name); Tie says so, and what would
	// separate them.
	TiedWith  []string  `json:"tied_with,omitempty"`
	Tie       string    `json:"tie,omitempty"`
	Tradeoffs Tradeoffs `json:"tradeoffs"`
}

// Advice is the advisor's answer: the patterns that fit, best first, what
// to watch out for, and the history facts that moved the ranking.
type Advice struct {
	Phase     tandem.Phase `json:"phase"`
	CrossTeam bool         `json:"cross_team"`
	Patterns  []Ranked     `json:"patterns"`
	Warnings  []string     `json:"warnings"`
	Evidence  []string     `json:"evidence"`
}

// History thresholds: how much record a fact needs, and what it does.
const (
	minTeamCount = 2
	minOrgCount  = 3
	slowRate     = 0.5
	slowPenalty  = 1.5
	fastResponse = 3 * 24 * time.Hour
	fastBonus    = 1.0
	slowResponse = 30 * 24 * time.Hour
	slowMalus    = 1.0
	// A pattern whose owners merged at least fitShare of its change
	// requests as Tandem pushed them fits their code; under reworkShare,
	// they rework the platform team's fixes. It needs minMerged merges.
	minMerged   = 2
	fitShare    = 0.75
	fitBonus    = 1.0
	reworkShare = 0.25
	reworkMalus = 1.0
)

// Advise returns the patterns that fit s, ranked by the rules of r and
// then by the history h, with the warnings of r that hold. Work that is not
// cross-team (or has no known phase) gets no ranking, only warnings.
func Advise(r Rules, s Situation, h History) Advice {
	a := Advice{Phase: s.Phase, CrossTeam: s.CrossTeam, Patterns: []Ranked{}, Warnings: []string{}, Evidence: []string{}}
	fill := filler(s)
	if s.CrossTeam && slices.Contains(tandem.Phases, s.Phase) {
		a.Patterns = rank(r, s, fill)
		a.Patterns, a.Evidence = learn(a.Patterns, s.Owner, h)
		ties(r, s, a.Patterns)
		if s.Phase == tandem.PhaseConsumption && s.Maturity == "" {
			a.Warnings = append(a.Warnings, "How to support consumers depends on how mature the platform is, and that is not known: give the platform (with its support model) or its maturity (low, medium or high).")
		}
	} else if s.CrossTeam {
		a.Warnings = append(a.Warnings, fmt.Sprintf("The phase %q is unknown: say which team drives the work and which owns the codebase (migration, consumption or evolution).", s.Phase))
	}
	for _, w := range r.warnings {
		if w.when.holds(s, a.Patterns) {
			if text := fill(w.text); !slices.Contains(a.Warnings, text) {
				a.Warnings = append(a.Warnings, text)
			}
		}
	}
	return a
}

// rank scores every pattern a matching rule mentions and returns those
// scoring above zero, best first.
func rank(r Rules, s Situation, fill func(string) string) []Ranked {
	byName := map[string]*Ranked{}
	var order []string
	for _, ru := range r.rules {
		if !ru.when.holds(s, nil) {
			continue
		}
		reason := fill(ru.reason)
		for _, d := range ru.add {
			p := byName[d.pattern]
			if p == nil {
				p = &Ranked{Pattern: d.pattern, Reasons: []string{}, Cons: []string{}, Tradeoffs: r.tradeoffs[d.pattern]}
				byName[d.pattern] = p
				order = append(order, d.pattern)
			}
			p.Score += d.score
			switch {
			case d.score > 0 && !slices.Contains(p.Reasons, reason):
				p.Reasons = append(p.Reasons, reason)
			case d.score < 0 && !slices.Contains(p.Cons, reason):
				p.Cons = append(p.Cons, reason)
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
		evidence = append(evidence, fact(who, p.Pattern, st))
		learnResponse(p, who, st)
		learnMerges(p, who, st)
	}
	if len(evidence) == 0 {
		evidence = append(evidence, fmt.Sprintf("No recorded history of these patterns yet (%d pieces of work with the owning team, or %d across the organisation): the advice is the built-in table only.", minTeamCount, minOrgCount))
	}
	return positive(ps), evidence
}

// fact says what a record of a pattern holds: how much of its work was
// answered, how soon, and how many of its merges were unmodified.
func fact(who, pattern string, st Stat) string {
	f := fmt.Sprintf("%s answered %d of %d %s pieces of work", who, st.Responded, st.Count, pattern)
	if st.Responded > 0 {
		f += fmt.Sprintf(", first in a median of %s", tandem.DurationText(st.Response))
	}
	if st.Merged > 0 {
		f += fmt.Sprintf("; %d of %d change requests merged unmodified", st.Unmodified, st.Merged)
	}
	return f + "."
}

// learnResponse scores a pattern by how much of its work the receiving
// team answered, and how soon.
func learnResponse(p *Ranked, who string, st Stat) {
	if float64(st.Responded)/float64(st.Count) < slowRate {
		p.Score -= slowPenalty
		p.Cons = append(p.Cons, fmt.Sprintf("%s answered only %d of %d %s pieces of work.", who, st.Responded, st.Count, p.Pattern))
	}
	if st.Responded == 0 {
		return
	}
	switch {
	case st.Response <= fastResponse:
		p.Score += fastBonus
		p.Reasons = append(p.Reasons, fmt.Sprintf("%s: %s work had a first response in a median of %s.", who, p.Pattern, tandem.DurationText(st.Response)))
	case st.Response > slowResponse:
		p.Score -= slowMalus
		p.Cons = append(p.Cons, fmt.Sprintf("%s: %s work waited a median of %s for a first response.", who, p.Pattern, tandem.DurationText(st.Response)))
	}
}

// learnMerges scores a pattern by how many of its merged change requests
// the owners merged as Tandem pushed them.
func learnMerges(p *Ranked, who string, st Stat) {
	if st.Merged < minMerged {
		return
	}
	share := float64(st.Unmodified) / float64(st.Merged)
	switch {
	case share >= fitShare:
		p.Score += fitBonus
		p.Reasons = append(p.Reasons, fmt.Sprintf("%s: the owners merged %d of %d %s change requests unmodified.", who, st.Unmodified, st.Merged, p.Pattern))
	case share < reworkShare:
		p.Score -= reworkMalus
		p.Cons = append(p.Cons, fmt.Sprintf("%s: the owners reworked %d of %d %s change requests before merging.", who, st.Merged-st.Unmodified, st.Merged, p.Pattern))
	}
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
	// A condition on what s does not know does not hold.
	if missing, ok := c.unknown(s); !ok || len(missing) > 0 {
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

// filler returns the function that fills in a text's {placeholders} for
// s: unknown values read as what they stand for, a count agrees with the
// noun after it ("1 team", "15 teams"), a name's possessive is spelled
// right ("orders' codebase"), and a text that opens with an unknown team
// opens with a capital.
func filler(s Situation) func(string) string {
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
	driver, owner := or(s.Driver, "the driving team"), or(s.Owner, "the owning team")
	r := strings.NewReplacer(
		"{driver}'s", possessive(driver),
		"{owner}'s", possessive(owner),
		"{driver}", driver,
		"{owner}", owner,
		"{phase}", or(string(s.Phase), "unknown phase"),
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
	counts := map[string]int{"teams": s.Teams, "tour_weeks": s.TourWeeks, "collaborating_weeks": s.CollaboratingWeeks}
	return func(text string) string {
		text = countRE.ReplaceAllStringFunc(text, func(m string) string {
			sub := countRE.FindStringSubmatch(m)
			if counts[sub[1]] == 1 {
				return "{" + sub[1] + "} " + sub[2] + sub[3]
			}
			return "{" + sub[1] + "} " + sub[2] + sub[3] + "s"
		})
		out := r.Replace(text)
		if (strings.HasPrefix(text, "{driver}") && s.Driver == "") || (strings.HasPrefix(text, "{owner}") && s.Owner == "") {
			out = strings.ToUpper(out[:1]) + out[1:]
		}
		return out
	}
}

// countRE finds a count placeholder and the noun it counts, one word
// apart at most: "{teams} teams", "{teams} consuming teams", "{tour_weeks}
// week(s)".
var countRE = regexp.MustCompile(`\{(teams|tour_weeks|collaborating_weeks)\} ((?:[a-z-]+ )??)(team|week)(?:s|\(s\))`)

// possessive returns a name's possessive: "payments'" for a name ending
// in s, else "search's".
func possessive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name + "'"
	}
	return name + "'s"
}

// ties notes, on every pattern of ps scoring the same as another, which
// patterns it is tied with and which unknown inputs of s would separate
// them under the rules of r.
func ties(r Rules, s Situation, ps []Ranked) {
	for i := 0; i < len(ps); {
		j := i + 1
		for j < len(ps) && math.Abs(ps[j].Score-ps[i].Score) < 1e-9 {
			j++
		}
		if j-i > 1 {
			group := ps[i:j]
			how := "nothing else the advisor knows of separates them: compare their trade-offs."
			if missing := separators(r, s, patternNames(group)); len(missing) > 0 {
				how = "give " + orList(missing) + " to separate them."
			}
			for k := range group {
				p := &group[k]
				for _, q := range group {
					if q.Pattern != p.Pattern {
						p.TiedWith = append(p.TiedWith, q.Pattern)
					}
				}
				p.Tie = fmt.Sprintf("Tied with %s: %s", andList(p.TiedWith), how)
			}
		}
		i = j
	}
}

// separators returns, in the order of inputs, the unknown inputs of s on
// which a rule depends that would score the patterns differently.
func separators(r Rules, s Situation, patterns []string) []string {
	var found []string
	for _, ru := range r.rules {
		missing, ok := ru.when.unknown(s)
		if !ok || len(missing) == 0 {
			continue
		}
		by := map[string]float64{}
		for _, d := range ru.add {
			by[d.pattern] = d.score
		}
		differ := false
		for _, p := range patterns[1:] {
			differ = differ || by[p] != by[patterns[0]]
		}
		if differ {
			for _, m := range missing {
				if !slices.Contains(found, m) {
					found = append(found, m)
				}
			}
		}
	}
	slices.SortFunc(found, func(a, b string) int { return cmp.Compare(slices.Index(inputs, a), slices.Index(inputs, b)) })
	return found
}

// inputs are the inputs a situation may leave unknown, as a tie's
// explanation asks for them.
var inputs = []string{
	"the codebase's contribution policy",
	"the platform's maturity",
	"the platform's support model",
	"the size of the work",
	"how many teams the work touches",
	"the notice",
	"the codebase (for its contribution readiness)",
	"the engagement's time box",
	"how long the teams have collaborated",
}

// unknown returns the inputs that c asks about and s does not know, and
// whether every condition on what s knows holds.
func (c condition) unknown(s Situation) ([]string, bool) {
	var missing []string
	list := func(vs []string, v, name string) bool {
		switch {
		case len(vs) == 0:
			return true
		case v == "":
			missing = append(missing, name)
			return true
		}
		return slices.Contains(vs, v)
	}
	num := func(sp *span, v float64, known bool, name string) bool {
		if sp != nil && !known {
			missing = append(missing, name)
			return true
		}
		return sp.holds(v, known)
	}
	is := func(b *bool, v bool) bool { return b == nil || *b == v }
	ok := list(c.phase, string(s.Phase), "the phase") &&
		list(c.policy, s.Policy, inputs[0]) &&
		list(c.maturity, s.Maturity, inputs[1]) &&
		list(c.support, s.Support, inputs[2]) &&
		list(c.size, s.Size, inputs[3]) &&
		is(c.trusted, s.Trusted) && is(c.urgent, s.Urgent) && is(c.crossTeam, s.CrossTeam) &&
		num(c.teams, float64(s.Teams), s.Teams > 0, inputs[4]) &&
		num(c.notice, float64(s.Notice), s.Notice > 0, inputs[5]) &&
		num(c.readiness, float64(s.Readiness), s.Readiness >= 0, inputs[6]) &&
		num(c.tourWeeks, float64(s.TourWeeks), s.TourWeeks > 0, inputs[7]) &&
		num(c.collaboratingWeeks, float64(s.CollaboratingWeeks), s.CollaboratingWeeks > 0, inputs[8])
	return missing, ok
}

func patternNames(ps []Ranked) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Pattern
	}
	return out
}

// andList joins "a", "a and b", "a, b and c".
func andList(vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " and " + vs[len(vs)-1]
}
