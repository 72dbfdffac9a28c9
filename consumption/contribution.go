package consumption

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// Contributors returns, for one codebase, everyone outside its owner team
// who contributed, with their merged (and not reverted) contributions and
// where they stand on the trust ladder: proposed for the commit bit once
// they reach ladder merged contributions (tandem.DefaultTrustLadder when
// ladder is 0), do not hold it yet, and the codebase's owners may grant it
// (tandem.Codebase.MayGrantTrust: open or trusted, never closed).
func Contributors(c tandem.Codebase, contributions []tandem.Contribution, ladder int) []tandem.Contributor {
	if ladder <= 0 {
		ladder = tandem.DefaultTrustLadder
	}
	by := map[string]*tandem.Contributor{}
	for _, x := range contributions {
		if x.Codebase != c.Name {
			continue
		}
		ct := by[x.Author]
		if ct == nil {
			ct = &tandem.Contributor{Codebase: c.Name, Person: x.Author, Team: x.Team}
			by[x.Author] = ct
		}
		if x.State == tandem.ContributionMerged {
			ct.Merged++
		}
	}
	grantable := c.MayGrantTrust() == nil
	out := make([]tandem.Contributor, 0, len(by))
	for _, ct := range by {
		ct.Trusted = c.HoldsCommitBit(ct.Person, ct.Team)
		ct.Proposed = !ct.Trusted && ct.Merged >= ladder && grantable
		out = append(out, *ct)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Merged != out[j].Merged {
			return out[i].Merged > out[j].Merged
		}
		return out[i].Person < out[j].Person
	})
	return out
}

// ReviewTarget is how fast outside contributions should get their first
// review for a codebase to count as ready for them.
const ReviewTarget = 2 * 24 * time.Hour

// ReadyScore is the score under which an open codebase is warned about.
const ReadyScore = 70

// ReadinessItem is one item of a readiness report.
type ReadinessItem struct {
	Name     string         `json:"name"`
	Title    string         `json:"title"`
	OK       bool           `json:"ok"`
	Evidence []tandem.Match `json:"evidence"`
}

// Readiness is how ready a platform codebase is for outside contributions.
type Readiness struct {
	Codebase      string          `json:"codebase"`
	Contributions string          `json:"contributions"`
	Items         []ReadinessItem `json:"items"`
	// MedianReview is the median time to a first review of outside
	// contributions; a review item counts it when there are some.
	MedianReview     time.Duration `json:"median_review_ns"`
	MedianReviewText string        `json:"median_review_text"`
	Score            int           `json:"score"` // percent of items present
	Missing          []string      `json:"missing"`
	Warning          string        `json:"warning,omitempty"`
}

// CodebaseReadiness scores a codebase from its readiness check results and
// the review times of its outside contributions, and warns when it is open
// without the investment contributors need.
func CodebaseReadiness(c tandem.Codebase, results []tandem.CheckResult, contributions []tandem.Contribution) Readiness {
	r := Readiness{Codebase: c.Name, Contributions: c.Contributions, Missing: []string{}}
	byID := map[string]tandem.CheckResult{}
	for _, res := range results {
		byID[res.Check] = res
	}
	for _, it := range tandem.ReadinessItems {
		res := byID[tandem.CheckID("readiness", it.Name, "present")]
		item := ReadinessItem{Name: it.Name, Title: it.Title, OK: res.Holds, Evidence: res.Evidence}
		if item.Evidence == nil {
			item.Evidence = []tandem.Match{}
		}
		r.Items = append(r.Items, item)
	}
	var reviews []time.Duration
	for _, x := range contributions {
		if x.Codebase == c.Name && x.ReviewedAt != nil {
			reviews = append(reviews, x.ReviewedAt.Sub(x.OpenedAt))
		}
	}
	if len(reviews) > 0 {
		r.MedianReview = median(reviews)
		r.MedianReviewText = tandem.DurationText(r.MedianReview)
		r.Items = append(r.Items, ReadinessItem{Name: "review", Title: "first reviews within two days", OK: r.MedianReview <= ReviewTarget, Evidence: []tandem.Match{}})
	}
	ok := 0
	for _, it := range r.Items {
		if it.OK {
			ok++
		} else {
			r.Missing = append(r.Missing, it.Title)
		}
	}
	r.Score = 100 * ok / len(r.Items)
	if c.Contributions == tandem.Open && r.Score < ReadyScore {
		r.Warning = c.Name + " is open without the investment: " + strings.Join(r.Missing, ", ") +
			" missing; contributors will meet \"no, not like that\""
	}
	return r
}

// contributionStates are the states a contribution is recorded in ("" for
// open), and those it may move to.
var (
	recordedStates = []string{"", tandem.ContributionOpen, tandem.ContributionMerged, tandem.ContributionClosed}
	movedStates    = []string{tandem.ContributionOpen, tandem.ContributionMerged, tandem.ContributionClosed, tandem.ContributionReverted}
)

// ValidateContribution returns an EINVALID error unless c is recorded
// open, merged or closed (or without a state).
func ValidateContribution(c tandem.Contribution) error {
	if !slices.Contains(recordedStates, c.State) {
		return tandem.Errorf(tandem.EINVALID, "state: %q is not open, merged or closed", c.State)
	}
	return nil
}

// ValidateContributionState returns an EINVALID error unless a
// contribution may move to state: open, merged, closed or reverted.
func ValidateContributionState(state string) error {
	if !slices.Contains(movedStates, state) {
		return tandem.Errorf(tandem.EINVALID, "state: %q is not open, merged, closed or reverted", state)
	}
	return nil
}

// Contributors returns the trust ladder of the codebase called name, with
// the rung of the platform that lists the codebase. It returns ENOTFOUND
// for a codebase not in the catalog.
func (s *Service) Contributors(ctx context.Context, name string) ([]tandem.Contributor, error) {
	cbs, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Name: name})
	if err != nil {
		return nil, err
	}
	xs, err := s.Store.FindContributions(ctx, name)
	if err != nil {
		return nil, err
	}
	ladder := 0
	platforms, err := s.Store.FindPlatforms(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, p := range platforms {
		if slices.Contains(p.Codebases, name) {
			ladder = p.TrustLadder
		}
	}
	return Contributors(cbs[0], xs, ladder), nil
}

// Readiness scores every codebase of the platform called name for outside
// contributions, leaving out those declared and not discovered yet, and
// those gone from their host. It returns ENOTFOUND for a platform not in
// the catalog.
func (s *Service) Readiness(ctx context.Context, name string) ([]Readiness, error) {
	ps, err := s.Store.FindPlatforms(ctx, name)
	if err != nil {
		return nil, err
	}
	out := []Readiness{}
	for _, cb := range ps[0].Codebases {
		cbs, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Name: cb})
		if tandem.ErrorCode(err) == tandem.ENOTFOUND {
			continue // declared, not discovered yet
		} else if err != nil {
			return nil, err
		}
		if cbs[0].GoneAt != nil {
			continue // gone from its host: nothing to make ready
		}
		results, err := s.Store.FindCheckResults(ctx, tandem.CheckResultFilter{Codebase: cb})
		if err != nil {
			return nil, err
		}
		xs, err := s.Store.FindContributions(ctx, cb)
		if err != nil {
			return nil, err
		}
		out = append(out, CodebaseReadiness(cbs[0], results, xs))
	}
	return out, nil
}
