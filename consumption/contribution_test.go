package consumption_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
)

func TestContributors(t *testing.T) {
	owner := "observability"
	c := tandem.Codebase{Name: "obslog", Owner: &owner, Contributions: tandem.Trusted, Trusted: []string{"bob"}}
	var xs []tandem.Contribution
	add := func(author, state string) {
		xs = append(xs, tandem.Contribution{Codebase: "obslog", Author: author, Team: "payments", State: state})
	}
	for range 3 {
		add("alice", tandem.ContributionMerged)
		add("bob", tandem.ContributionMerged)
	}
	add("dan", tandem.ContributionMerged)
	add("dan", tandem.ContributionMerged)
	add("dan", tandem.ContributionReverted)
	xs = append(xs, tandem.Contribution{Codebase: "other", Author: "erin", State: tandem.ContributionMerged})

	got := consumption.Contributors(c, xs, 0)
	want := map[string][3]any{"alice": {3, true, false}, "bob": {3, false, true}, "dan": {2, false, false}}
	if len(got) != 3 {
		t.Fatalf("contributors = %+v, want alice, bob, dan", got)
	}
	for _, ct := range got {
		w := want[ct.Person]
		if ct.Merged != w[0] || ct.Proposed != w[1] || ct.Trusted != w[2] {
			t.Errorf("%s = %+v, want merged %v proposed %v trusted %v", ct.Person, ct, w[0], w[1], w[2])
		}
	}
	if got := consumption.Contributors(c, xs, 2); !got[2].Proposed || got[2].Person != "dan" {
		t.Errorf("with a ladder of 2, dan is not proposed: %+v", got)
	}

	// Open is where the ladder usually starts: anyone may send changes, but
	// the commit bit is still earned. Closed takes no outside changes, so
	// nobody is proposed for what granting would refuse.
	for policy, proposed := range map[string]bool{tandem.Open: true, tandem.Closed: false} {
		c := tandem.Codebase{Name: "obslog", Owner: &owner, Contributions: policy}
		for _, ct := range consumption.Contributors(c, xs, 0) {
			if ct.Person == "alice" && (ct.Proposed != proposed || ct.Trusted) {
				t.Errorf("%s codebase: alice = %+v, want proposed %v, not trusted", policy, ct, proposed)
			}
			if got := c.MayGrantTrust() == nil; got != proposed {
				t.Errorf("%s codebase: MayGrantTrust allows = %v, want %v: proposing and granting must agree", policy, got, proposed)
			}
		}
	}
}

func TestCodebaseReadiness(t *testing.T) {
	res := func(name string, holds bool) tandem.CheckResult {
		return tandem.CheckResult{Check: tandem.CheckID("readiness", name, "present"), Holds: holds}
	}
	all := []tandem.CheckResult{res("contributing", true), res("codeowners", true), res("pr-template", true), res("ci", true), res("tests", true), res("readme-build", true)}
	opened := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	slow := opened.Add(5 * 24 * time.Hour)

	t.Run("AReadyCodebaseScoresFull", func(t *testing.T) {
		r := consumption.CodebaseReadiness(tandem.Codebase{Name: "lib", Contributions: tandem.Open}, all, nil)
		if r.Score != 100 || r.Warning != "" || len(r.Missing) != 0 {
			t.Errorf("readiness = %+v", r)
		}
	})
	t.Run("AnOpenCodebaseWithoutInvestmentIsWarnedAbout", func(t *testing.T) {
		few := []tandem.CheckResult{res("codeowners", true), res("tests", true)}
		slowReview := []tandem.Contribution{{Codebase: "lib", OpenedAt: opened, ReviewedAt: &slow}}
		r := consumption.CodebaseReadiness(tandem.Codebase{Name: "lib", Contributions: tandem.Open}, few, slowReview)
		if r.Score != 28 || !strings.Contains(r.Warning, "open without the investment") || !strings.Contains(r.Warning, "first reviews within two days") {
			t.Errorf("readiness = %+v", r)
		}
		if r.MedianReviewText != "5d" {
			t.Errorf("median review = %q", r.MedianReviewText)
		}
	})
	t.Run("AClosedCodebaseIsScoredButNotWarned", func(t *testing.T) {
		r := consumption.CodebaseReadiness(tandem.Codebase{Name: "lib", Contributions: tandem.Closed}, nil, nil)
		if r.Score != 0 || r.Warning != "" || len(r.Missing) != 6 {
			t.Errorf("readiness = %+v", r)
		}
	})
}
