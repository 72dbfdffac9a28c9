package tandem

import (
	"slices"
	"time"
)

// ComputeAdoption returns who adopted a platform: the codebases where its
// adoption check holds now (results), their owning teams (owners maps a
// codebase to its owner, nil when it has none), and the trend of adopting
// codebases per day, replayed from the check's history. The codebases of
// gone, gone from their host since the time it maps them to, count
// nowhere now, and in the trend until the day they left. The history is
// replayed once, with a running count of the adopting codebases.
func ComputeAdoption(platform string, results, history []CheckResult, owners map[string]*string, gone map[string]time.Time) Adoption {
	a := Adoption{Platform: platform, Codebases: []string{}, Teams: []string{}, Trend: []TrendPoint{}}
	teams := map[string]bool{}
	for _, r := range results {
		if _, left := gone[r.Codebase]; !r.Holds || left {
			continue
		}
		a.Codebases = append(a.Codebases, r.Codebase)
		if o := owners[r.Codebase]; o != nil {
			teams[*o] = true
		} else {
			a.Unowned++
		}
	}
	for t := range teams {
		a.Teams = append(a.Teams, t)
	}
	slices.Sort(a.Codebases)
	slices.Sort(a.Teams)

	events := slices.Clone(history)
	for c, at := range gone {
		events = append(events, CheckResult{Codebase: c, Holds: false, CheckedAt: at})
	}
	// Stable: history is oldest first, and a codebase leaves after what
	// was read of it at the same time.
	slices.SortStableFunc(events, func(x, y CheckResult) int { return x.CheckedAt.Compare(y.CheckedAt) })
	adopting := map[string]bool{}
	count := 0
	for _, h := range events {
		if was := adopting[h.Codebase]; was != h.Holds {
			count += holdsDelta(h.Holds)
		}
		adopting[h.Codebase] = h.Holds
		a.Trend = addToTrend(a.Trend, h.CheckedAt, count)
	}
	return a
}

// holdsDelta is how a result that starts or stops holding moves a count.
func holdsDelta(holds bool) int {
	if holds {
		return 1
	}
	return -1
}

// addToTrend records that count codebases adopt at time at: the count of
// its day, replacing an earlier count of the same day.
func addToTrend(trend []TrendPoint, at time.Time, count int) []TrendPoint {
	day := at.UTC().Format(time.DateOnly)
	if n := len(trend); n > 0 && trend[n-1].Day == day {
		trend[n-1].Count = count
		return trend
	}
	return append(trend, TrendPoint{Day: day, Count: count})
}
