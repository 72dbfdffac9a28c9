package tandem

import (
	"context"
	"slices"
	"time"
)

// Summary is the catalog in counts, as the home page shows it: what
// FindCodebases, FindTeams and ComputeAdoption would give, counted by the
// store instead of read row by row.
type Summary struct {
	// Codebases counts the codebases their hosts list (not gone).
	Codebases int
	// Unowned counts those of them without a known owner.
	Unowned int
	// Teams counts the teams.
	Teams int
	// Platforms is the adoption of every platform, sorted by name.
	Platforms []AdoptionSummary
}

// AdoptionSummary is a platform's Adoption in counts: its lists counted,
// its trend whole.
type AdoptionSummary struct {
	Platform string
	// Codebases counts the adopting codebases (len(Adoption.Codebases)).
	Codebases int
	// Teams counts the distinct teams owning them (len(Adoption.Teams)).
	Teams int
	// Unowned counts the adopting codebases with no known owner.
	Unowned int
	// Trend is Adoption.Trend.
	Trend []TrendPoint
}

// AdoptionChange is how many codebases started (positive) or stopped
// (negative) adopting a platform at an instant: the history of its
// adoption check, and the codebases that left their host, summed per
// instant.
type AdoptionChange struct {
	At    time.Time
	Delta int
}

// TrendOf returns the trend that changes make, as ComputeAdoption replays
// it: the running count of adopting codebases at the end of each day a
// change happened, oldest first.
func TrendOf(changes []AdoptionChange) []TrendPoint {
	changes = slices.Clone(changes)
	slices.SortStableFunc(changes, func(x, y AdoptionChange) int { return x.At.Compare(y.At) })
	trend := []TrendPoint{}
	count := 0
	for _, c := range changes {
		count += c.Delta
		trend = addToTrend(trend, c.At, count)
	}
	return trend
}

// SummaryStore computes adoption and the catalog's counts in the store,
// without reading every codebase.
type SummaryStore interface {
	// FindSummary returns the Summary of the catalog, in one snapshot.
	FindSummary(ctx context.Context) (Summary, error)
	// FindAdoption returns the Adoption of the platform called name, or
	// of every platform sorted by name when name is "", as
	// ComputeAdoption computes it over every codebase and the history of
	// the platform's adoption check. It returns ENOTFOUND for a platform
	// not in the catalog.
	FindAdoption(ctx context.Context, name string) ([]Adoption, error)
}
