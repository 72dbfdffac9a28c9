package advisor

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
)

const week = 7 * 24 * time.Hour

// expectation is what the domain says about a situation: the top pattern
// is one of top; in each pair, the first pattern is ranked and the second
// is either ranked below it or not at all.
type expectation struct {
	top   []string
	above [][2]string
	// topTwo, when given, are the two first patterns in any order.
	topTwo []string
}

// oracle encodes ../shared/DOMAIN.md's advice independently of the
// rules table.
func oracle(phase tandem.Phase, policy, size, maturity string) expectation {
	const (
		ticket   = string(tandem.FileATicket)
		tour     = string(tandem.TourOfDuty)
		trusted  = string(tandem.TrustedOutsider)
		open     = string(tandem.InternalOpenSource)
		embedded = string(tandem.EmbeddedExpert)
	)
	switch phase {
	case tandem.PhaseMigration:
		// Tickets to every team; the stragglers by pull requests where
		// the codebase allows, by a Tour of Duty where it does not.
		e := expectation{top: []string{ticket}}
		switch policy {
		case tandem.Open:
			e.above = [][2]string{{open, tour}}
		case tandem.Trusted:
			e.above = [][2]string{{trusted, tour}}
		case tandem.Closed:
			e.above = [][2]string{{tour, trusted}, {tour, open}}
		}
		return e
	case tandem.PhaseConsumption:
		switch maturity {
		case "low":
			return expectation{top: []string{string(tandem.WhiteGlove)}}
		case "medium":
			return expectation{topTwo: []string{string(tandem.ProfessionalServices), string(tandem.CommunityOfPractice)}}
		default:
			return expectation{top: []string{string(tandem.SelfService)}}
		}
	default: // evolution
		if size == tandem.SizeLarge {
			// With notice, move engineers.
			return expectation{top: []string{tour, embedded}, above: [][2]string{{tour, ticket}, {embedded, ticket}}}
		}
		switch policy {
		case tandem.Open:
			return expectation{top: []string{open}, above: [][2]string{{open, ticket}}}
		case tandem.Trusted:
			return expectation{top: []string{trusted}, above: [][2]string{{trusted, ticket}}}
		default:
			return expectation{top: []string{ticket}}
		}
	}
}

func names(ps []Ranked) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Pattern)
	}
	return out
}

func TestAdviseFollowsTheDomain(t *testing.T) {
	for _, phase := range tandem.Phases {
		for _, policy := range policies {
			for _, size := range sizes {
				for _, maturity := range maturities {
					s := Situation{Phase: phase, CrossTeam: true, Driver: "checkout", Owner: "payments", Policy: policy,
						Trusted: policy == tandem.Trusted, Maturity: maturity, Size: size, Teams: 1, Readiness: -1}
					if phase == tandem.PhaseMigration {
						s.Teams = 15
					}
					if size == tandem.SizeLarge {
						s.Notice = 6 * week
					}
					name := fmt.Sprintf("a %s %s with a %s codebase and a %s-maturity platform", size, phase, policy, maturity)
					t.Run(name, func(t *testing.T) {
						a := Advise(DefaultRules(), s, History{})
						got := names(a.Patterns)
						if len(got) == 0 {
							t.Fatalf("no patterns")
						}
						e := oracle(phase, policy, size, maturity)
						if e.top != nil && !slices.Contains(e.top, got[0]) {
							t.Errorf("top pattern = %s, want one of %v (ranking %v)", got[0], e.top, got)
						}
						if e.topTwo != nil && (len(got) < 2 || !slices.Contains(e.topTwo, got[0]) || !slices.Contains(e.topTwo, got[1])) {
							t.Errorf("ranking %v, want %v first in any order", got, e.topTwo)
						}
						for _, pair := range e.above {
							i, j := slices.Index(got, pair[0]), slices.Index(got, pair[1])
							if i < 0 || (j >= 0 && j < i) {
								t.Errorf("ranking %v, want %s ranked above %s", got, pair[0], pair[1])
							}
						}
						for _, p := range a.Patterns {
							if len(p.Reasons) == 0 || p.Score <= 0 || p.Tradeoffs.Scalability == "" {
								t.Errorf("%s: score %v, reasons %q, trade-offs %+v: want a positive score, reasons and trade-offs", p.Pattern, p.Score, p.Reasons, p.Tradeoffs)
							}
						}
					})
				}
			}
		}
	}
}

func TestAdviseFavoursDoingTheWorkWhenUrgent(t *testing.T) {
	tests := []struct {
		name        string
		s           Situation
		first, last string
	}{
		{"an urgent migration of a trusted codebase puts trusted-outsider above file-a-ticket",
			Situation{Phase: tandem.PhaseMigration, Policy: tandem.Trusted, Trusted: true, Teams: 15},
			string(tandem.TrustedOutsider), string(tandem.FileATicket)},
		{"an urgent migration of an open codebase puts internal-open-source above file-a-ticket",
			Situation{Phase: tandem.PhaseMigration, Policy: tandem.Open, Teams: 15},
			string(tandem.InternalOpenSource), string(tandem.FileATicket)},
		{"an urgent evolution of a closed platform puts embedded-expert above file-a-ticket",
			Situation{Phase: tandem.PhaseEvolution, Policy: tandem.Closed, Size: tandem.SizeSmall, Teams: 1},
			string(tandem.EmbeddedExpert), string(tandem.FileATicket)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s
			s.CrossTeam, s.Readiness = true, -1
			calm := names(Advise(DefaultRules(), s, History{}).Patterns)
			s.Urgent = true
			got := names(Advise(DefaultRules(), s, History{}).Patterns)
			i, j := slices.Index(got, tt.first), slices.Index(got, tt.last)
			if i < 0 || (j >= 0 && j < i) {
				t.Errorf("urgent ranking %v, want %s above %s", got, tt.first, tt.last)
			}
			if slices.Equal(calm, got) {
				t.Errorf("urgency did not change the ranking %v", got)
			}
		})
	}
}

func score(a Advice, pattern string) (float64, int) {
	for i, p := range a.Patterns {
		if p.Pattern == pattern {
			return p.Score, i
		}
	}
	return 0, -1
}

func TestAdviseLearnsFromHistory(t *testing.T) {
	s := Situation{Phase: tandem.PhaseMigration, CrossTeam: true, Driver: "platform", Owner: "payments",
		Policy: tandem.Trusted, Trusted: true, Teams: 15, Readiness: -1}
	base := Advise(DefaultRules(), s, History{})
	if got, want := base.Evidence, []string{"No recorded history yet: the advice is the built-in table only."}; !slices.Equal(got, want) {
		t.Errorf("evidence without history = %q, want %q", got, want)
	}
	if got, want := base.Patterns[0].Pattern, string(tandem.FileATicket); got != want {
		t.Fatalf("top pattern without history = %s, want %s", got, want)
	}

	t.Run("a team that answered few tickets lowers file-a-ticket below trusted-outsider", func(t *testing.T) {
		h := History{Teams: map[string]map[string]Stat{"payments": {string(tandem.FileATicket): {Count: 8, Responded: 1, Response: 90 * 24 * time.Hour}}}}
		a := Advise(DefaultRules(), s, h)
		ticket, ti := score(a, string(tandem.FileATicket))
		_, oi := score(a, string(tandem.TrustedOutsider))
		if ti < 0 || oi < 0 || oi > ti {
			t.Errorf("ranking %v, want trusted-outsider above file-a-ticket", names(a.Patterns))
		}
		before, _ := score(base, string(tandem.FileATicket))
		if got, want := ticket, before-slowPenalty-slowMalus; got != want {
			t.Errorf("file-a-ticket score = %v, want %v", got, want)
		}
		if got, want := a.Evidence, []string{"payments answered 1 of 8 file-a-ticket pieces of work, first in a median of 90d."}; !slices.Equal(got, want) {
			t.Errorf("evidence = %q, want %q", got, want)
		}
		if p := a.Patterns[ti]; !slices.Contains(p.Cons, "payments answered only 1 of 8 file-a-ticket pieces of work.") {
			t.Errorf("file-a-ticket cons %q do not name the response rate", p.Cons)
		}
	})

	t.Run("fast responses across the organisation raise trusted-outsider", func(t *testing.T) {
		h := History{Org: map[string]Stat{string(tandem.TrustedOutsider): {Count: 5, Responded: 5, Response: 3 * 24 * time.Hour}}}
		a := Advise(DefaultRules(), s, h)
		before, _ := score(base, string(tandem.TrustedOutsider))
		if got, want := func() float64 { v, _ := score(a, string(tandem.TrustedOutsider)); return v }(), before+fastBonus; got != want {
			t.Errorf("trusted-outsider score = %v, want %v", got, want)
		}
		if got, want := a.Evidence, []string{"The organisation answered 5 of 5 trusted-outsider pieces of work, first in a median of 3d."}; !slices.Equal(got, want) {
			t.Errorf("evidence = %q, want %q", got, want)
		}
	})

	t.Run("change requests merged unmodified raise their pattern, reworked ones lower it", func(t *testing.T) {
		open := string(tandem.TrustedOutsider)
		// Answered in 5 days: neither fast nor slow, so the merges alone move the score.
		fits := Stat{Count: 4, Responded: 4, Response: 5 * 24 * time.Hour, Merged: 4, Unmodified: 3}
		reworked := Stat{Count: 4, Responded: 4, Response: 5 * 24 * time.Hour, Merged: 4, Unmodified: 0}
		before, _ := score(base, open)
		a := Advise(DefaultRules(), s, History{Org: map[string]Stat{open: fits}})
		if got, _ := score(a, open); got != before+fitBonus {
			t.Errorf("3 of 4 unmodified: score %v, want %v", got, before+fitBonus)
		}
		if got, want := a.Evidence, []string{"The organisation answered 4 of 4 trusted-outsider pieces of work, first in a median of 5d; 3 of 4 change requests merged unmodified."}; !slices.Equal(got, want) {
			t.Errorf("evidence = %q, want %q", got, want)
		}
		a = Advise(DefaultRules(), s, History{Org: map[string]Stat{open: reworked}})
		got, i := score(a, open)
		if got != before-reworkMalus || !slices.Contains(a.Patterns[i].Cons, "The organisation: the owners reworked 4 of 4 trusted-outsider change requests before merging.") {
			t.Errorf("none unmodified: score %v (want %v), cons %q", got, before-reworkMalus, a.Patterns[i].Cons)
		}
	})

	t.Run("too little history is not used", func(t *testing.T) {
		h := History{
			Teams: map[string]map[string]Stat{"payments": {string(tandem.FileATicket): {Count: 1}}},
			Org:   map[string]Stat{string(tandem.FileATicket): {Count: 2}},
		}
		a := Advise(DefaultRules(), s, h)
		if got, want := names(a.Patterns), names(base.Patterns); !slices.Equal(got, want) {
			t.Errorf("ranking %v, want %v", got, want)
		}
		if len(a.Evidence) != 1 || !strings.HasPrefix(a.Evidence[0], "No recorded history of these patterns yet") {
			t.Errorf("evidence = %q, want that no history applies", a.Evidence)
		}
	})

	t.Run("the team's record wins over the organisation's", func(t *testing.T) {
		h := History{
			Teams: map[string]map[string]Stat{"payments": {string(tandem.FileATicket): {Count: 4, Responded: 4, Response: 2 * 24 * time.Hour}}},
			Org:   map[string]Stat{string(tandem.FileATicket): {Count: 40, Responded: 4, Response: 100 * 24 * time.Hour}},
		}
		a := Advise(DefaultRules(), s, h)
		got, _ := score(a, string(tandem.FileATicket))
		before, _ := score(base, string(tandem.FileATicket))
		if want := before + fastBonus; got != want {
			t.Errorf("file-a-ticket score = %v, want %v", got, want)
		}
	})
}

func TestAdviseWarnings(t *testing.T) {
	migration := Situation{Phase: tandem.PhaseMigration, CrossTeam: true, Driver: "platform", Owner: "payments",
		Policy: tandem.Closed, Teams: 15, Readiness: -1}
	consumption := Situation{Phase: tandem.PhaseConsumption, CrossTeam: true, Driver: "checkout", Owner: "checkout",
		Maturity: "high", Teams: 1, Readiness: -1}
	evolution := Situation{Phase: tandem.PhaseEvolution, CrossTeam: true, Driver: "checkout", Owner: "platform",
		Policy: tandem.Closed, Size: tandem.SizeSmall, Teams: 1, Readiness: -1}
	with := func(s Situation, f func(*Situation)) Situation { f(&s); return s }
	// ours recommends internal-open-source whatever the policy.
	ours, err := ParseRules("ours.yaml", []byte(strings.Replace(string(builtin), "\nwarnings:\n", `
  - when: {phase: [migration], policy: [closed]}
    add: {internal-open-source: 9}
    reason: "We send pull requests anyway."
warnings:
`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rules     *Rules // nil: the built-in table
		warning   string // a fragment of the warning's text
		holds     Situation
		doesNot   Situation
		doesNotTo string
	}{
		{nil, "shorter than two weeks",
			with(migration, func(s *Situation) { s.TourWeeks = 1 }),
			with(migration, func(s *Situation) { s.TourWeeks = 3 }), "a three-week tour"},
		{nil, "not like THAT",
			with(evolution, func(s *Situation) { s.Policy, s.Readiness = tandem.Open, 40 }),
			with(evolution, func(s *Situation) { s.Policy, s.Readiness = tandem.Open, 85 }), "an open codebase ready for contributions"},
		{&ours, "not like THAT",
			with(migration, func(s *Situation) { s.Readiness = 30 }),
			with(migration, func(s *Situation) { s.Readiness = 80 }), "a closed codebase ready for contributions"},
		{nil, "not like THAT",
			with(migration, func(s *Situation) { s.Policy, s.Readiness = tandem.Open, 30 }),
			with(migration, func(s *Situation) { s.Policy = tandem.Open }), "an open codebase of unknown readiness"},
		{nil, "White-glove help sets expectations",
			with(consumption, func(s *Situation) { s.Maturity = "low" }),
			consumption, "a self-service platform"},
		{nil, "does not scale",
			with(consumption, func(s *Situation) { s.Maturity, s.Teams = "low", 8 }),
			with(consumption, func(s *Situation) { s.Maturity, s.Teams = "low", 2 }), "two consuming teams"},
		{nil, "only for a bit",
			with(evolution, func(s *Situation) { s.CollaboratingWeeks = 12 }),
			with(evolution, func(s *Situation) { s.CollaboratingWeeks = 6 }), "six weeks of collaboration"},
		{nil, "program manager",
			with(migration, func(s *Situation) { s.Teams = 20 }),
			migration, "fifteen teams"},
		{nil, "Not cross-team work",
			Situation{Driver: "platform", Owner: "platform", Readiness: -1},
			migration, "cross-team work"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q is warned of when it holds, not for %s", tt.warning, tt.doesNotTo), func(t *testing.T) {
			has := func(a Advice) bool {
				return slices.ContainsFunc(a.Warnings, func(w string) bool { return strings.Contains(w, tt.warning) })
			}
			r := DefaultRules()
			if tt.rules != nil {
				r = *tt.rules
			}
			if a := Advise(r, tt.holds, History{}); !has(a) {
				t.Errorf("warnings %q, want one saying %q", a.Warnings, tt.warning)
			}
			if a := Advise(r, tt.doesNot, History{}); has(a) {
				t.Errorf("warnings %q, want none saying %q", a.Warnings, tt.warning)
			}
		})
	}
}

func TestAdviseNotCrossTeam(t *testing.T) {
	a := Advise(DefaultRules(), Situation{Driver: "platform", Owner: "platform", Policy: tandem.Open, Readiness: -1}, History{})
	if a.CrossTeam || len(a.Patterns) != 0 {
		t.Errorf("cross-team %v with patterns %v, want none", a.CrossTeam, names(a.Patterns))
	}
	if got, want := a.Warnings, []string{"Not cross-team work: platform changes its own code, so this is ordinary work in its own backlog and needs no collaboration pattern."}; !slices.Equal(got, want) {
		t.Errorf("warnings = %q, want %q", got, want)
	}

	a = Advise(DefaultRules(), Situation{CrossTeam: true, Phase: "", Readiness: -1}, History{})
	if len(a.Patterns) != 0 || len(a.Warnings) != 1 || !strings.Contains(a.Warnings[0], "phase") {
		t.Errorf("cross-team work without a phase: patterns %v, warnings %q; want no patterns and a warning about the phase", names(a.Patterns), a.Warnings)
	}
}

func TestAdviseFillsInTheSituation(t *testing.T) {
	s := Situation{Phase: tandem.PhaseEvolution, CrossTeam: true, Driver: "checkout", Owner: "design-system",
		Policy: tandem.Open, Size: tandem.SizeLarge, Notice: 6 * week, Teams: 1, Readiness: -1}
	a := Advise(DefaultRules(), s, History{})
	_, i := score(a, string(tandem.TourOfDuty))
	if i < 0 {
		t.Fatalf("tour-of-duty not ranked: %v", names(a.Patterns))
	}
	want := "With 6w of notice, an engineer of checkout can join design-system for a Tour of Duty, or an engineer of design-system can join checkout as an embedded expert."
	if got := a.Patterns[i].Reasons; !slices.Contains(got, want) {
		t.Errorf("reasons %q, want %q", got, want)
	}
}

func TestAdviseWithAnOrganisationsTable(t *testing.T) {
	r, err := ParseRules("ours.yaml", []byte(table(`rules:
  - when: {phase: [migration]}
    add: {self-service: 1, file-a-ticket: 2}
    reason: "We always ticket first."
warnings:
  - when: {top: [file-a-ticket], teams: {min: 3, max: 5}}
    text: "Tell {owner} on chat too."
`)))
	if err != nil {
		t.Fatal(err)
	}
	s := Situation{Phase: tandem.PhaseMigration, CrossTeam: true, Owner: "payments", Teams: 4, Readiness: -1}
	a := Advise(r, s, History{})
	if got, want := names(a.Patterns), []string{string(tandem.FileATicket), string(tandem.SelfService)}; !slices.Equal(got, want) {
		t.Errorf("ranking %v, want %v", got, want)
	}
	if got, want := a.Warnings, []string{"Tell payments on chat too."}; !slices.Equal(got, want) {
		t.Errorf("warnings %q, want %q", got, want)
	}
	s.Teams = 6
	if got := Advise(r, s, History{}).Warnings; len(got) != 0 {
		t.Errorf("warnings %q for 6 teams, want none", got)
	}
}

// TestReasonsHaveNoPlaceholdersLeft checks that every text of the
// built-in table is filled in for a fully known situation.
func TestReasonsHaveNoPlaceholdersLeft(t *testing.T) {
	left := regexp.MustCompile(`\{[a-z_]+\}`)
	s := Situation{CrossTeam: true, Driver: "checkout", Owner: "payments", Policy: tandem.Open, Trusted: true,
		Maturity: "low", Size: tandem.SizeLarge, Teams: 30, Notice: 5 * week, Urgent: true, Support: string(tandem.SupportOfficeHours),
		Readiness: 10, TourWeeks: 1, CollaboratingWeeks: 20}
	for _, phase := range tandem.Phases {
		s.Phase = phase
		a := Advise(DefaultRules(), s, History{})
		texts := slices.Clone(a.Warnings)
		for _, p := range a.Patterns {
			texts = append(texts, p.Reasons...)
		}
		for _, text := range texts {
			if left.MatchString(text) {
				t.Errorf("%s: %q has a placeholder left", phase, text)
			}
		}
	}
}

// TestAdviseWording checks the advice reads right: what speaks against a
// pattern apart from what speaks for it, ties explained, counts agreeing
// with their nouns, possessives of names, durations for people, and
// nothing said of what was not given.
func TestAdviseWording(t *testing.T) {
	migration := Situation{Phase: tandem.PhaseMigration, CrossTeam: true, Driver: "platform", Owner: "payments", Teams: 15, Readiness: -1}
	with := func(s Situation, f func(*Situation)) Situation { f(&s); return s }
	reasons := func(a Advice, pattern string) []string {
		_, i := score(a, pattern)
		if i < 0 {
			return nil
		}
		return a.Patterns[i].Reasons
	}
	cons := func(a Advice, pattern string) []string {
		_, i := score(a, pattern)
		if i < 0 {
			return nil
		}
		return a.Patterns[i].Cons
	}
	tie := func(a Advice, pattern string) []string {
		_, i := score(a, pattern)
		if i < 0 {
			return nil
		}
		return []string{a.Patterns[i].Tie}
	}
	all := func(a Advice) []string {
		texts := slices.Concat(a.Warnings, a.Evidence)
		for _, p := range a.Patterns {
			texts = slices.Concat(texts, p.Reasons, p.Cons, []string{p.Tie})
		}
		return texts
	}
	ticket, trusted, open := string(tandem.FileATicket), string(tandem.TrustedOutsider), string(tandem.InternalOpenSource)
	tests := []struct {
		name    string
		s       Situation
		h       History
		texts   func(Advice) []string
		want    string // a text of texts contains it
		notWant string // no text of texts contains it
	}{
		{"what lowers a pattern is a con, not a reason",
			with(migration, func(s *Situation) { s.Urgent = true }), History{},
			func(a Advice) []string { return cons(a, ticket) }, "Needed within two weeks: a ticket waits its turn", ""},
		{"a con is not among the reasons",
			with(migration, func(s *Situation) { s.Urgent = true }), History{},
			func(a Advice) []string { return reasons(a, ticket) }, "", "Needed within two weeks"},
		{"a poor record is a con",
			migration, History{Teams: map[string]map[string]Stat{"payments": {ticket: {Count: 8, Responded: 1}}}},
			func(a Advice) []string { return cons(a, ticket) }, "payments answered only 1 of 8 file-a-ticket pieces of work.", ""},
		{"a tie says which input would separate the tied patterns",
			with(migration, func(s *Situation) { s.Policy, s.Trusted = tandem.Open, true }), History{},
			func(a Advice) []string { return tie(a, trusted) },
			"Tied with internal-open-source: give the codebase (for its contribution readiness) to separate them.", ""},
		{"a tie nothing known separates says to compare trade-offs",
			with(migration, func(s *Situation) { s.Policy, s.Trusted, s.Readiness = tandem.Open, true, 80 }), History{},
			func(a Advice) []string { return tie(a, open) },
			"Tied with trusted-outsider: nothing else the advisor knows of separates them: compare their trade-offs.", ""},
		{"one team is one team",
			with(migration, func(s *Situation) { s.Teams = 1 }), History{},
			func(a Advice) []string { return reasons(a, ticket) }, "platform needs changes in code owned by 1 team:", "1 teams"},
		{"many teams are teams",
			migration, History{},
			func(a Advice) []string { return reasons(a, ticket) }, "code owned by 15 teams:", ""},
		{"a week is a week",
			with(migration, func(s *Situation) { s.TourWeeks = 1 }), History{},
			func(a Advice) []string { return a.Warnings }, "A Tour of Duty of 1 week is shorter than two weeks", "week(s)"},
		{"a name ending in s takes an apostrophe alone",
			with(migration, func(s *Situation) { s.Owner, s.Policy = "orders", tandem.Closed }), History{},
			all, "orders' codebase is closed", "orders's"},
		{"another name takes 's",
			with(migration, func(s *Situation) { s.Owner, s.Policy = "search", tandem.Closed }), History{},
			all, "search's codebase is closed", ""},
		{"an unknown driver opens a sentence with a capital",
			with(migration, func(s *Situation) { s.Driver = "" }), History{},
			func(a Advice) []string { return reasons(a, ticket) }, "The driving team needs changes", ""},
		{"a median under an hour is in minutes",
			migration, History{Org: map[string]Stat{ticket: {Count: 3, Responded: 3, Response: 20 * time.Minute}}},
			func(a Advice) []string { return a.Evidence }, "in a median of 20m.", "0h"},
		{"a median under a minute says so",
			migration, History{Org: map[string]Stat{ticket: {Count: 3, Responded: 3, Response: 30 * time.Second}}},
			func(a Advice) []string { return a.Evidence }, "in a median of under a minute.", "0m"},
		{"a median of days and hours shows both",
			migration, History{Org: map[string]Stat{ticket: {Count: 3, Responded: 3, Response: 50 * time.Hour}}},
			func(a Advice) []string { return a.Evidence }, "in a median of 2d 2h.", ""},
		{"no platform given, none is said to be maturing",
			Situation{Phase: tandem.PhaseConsumption, CrossTeam: true, Driver: "checkout", Owner: "checkout", Teams: 1, Readiness: -1}, History{},
			all, "give the platform (with its support model) or its maturity", "The platform is maturing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Advise(DefaultRules(), tt.s, tt.h)
			if got := tt.texts(a); tt.want != "" && !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, tt.want) }) {
				t.Errorf("texts %q, want one saying %q", got, tt.want)
			}
			if got := tt.texts(a); tt.notWant != "" && slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, tt.notWant) }) {
				t.Errorf("texts %q, want none saying %q", got, tt.notWant)
			}
			if tt.texts(a) == nil && tt.want != "" {
				t.Errorf("ranking %v lacks the pattern asked about", names(a.Patterns))
			}
		})
	}
}
