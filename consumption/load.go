package consumption

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/tandem-dev/tandem"
)

// handsOnRequestHours is what a request handled hands-on weighs in a
// platform's load: half a day.
const handsOnRequestHours = 4

// MonthLoad is a platform's hands-on load in one month.
type MonthLoad struct {
	Month string `json:"month"` // YYYY-MM
	// Hours are the hours logged that month by the platform's engagements,
	// in any category.
	Hours float64 `json:"hours"`
	// HandsOnRequests are the requests handled with a hands-on pattern,
	// counted in the month they were accepted (or filed, when never
	// accepted).
	HandsOnRequests int `json:"hands_on_requests"`
	// ConsumingTeams are the distinct teams that filed or had handled
	// requests that month plus the host teams of the engagements active
	// then.
	ConsumingTeams int `json:"consuming_teams"`
	// PerTeam is (Hours + 4 × HandsOnRequests) / ConsumingTeams: hours of
	// hands-on work per consuming team, a hands-on request weighing as half
	// a day; 0 in a month without consuming teams.
	PerTeam float64 `json:"per_team"`
	// Adoption is the number of adopting codebases at the month's end (at
	// now for the current month); nil (null) before the first adoption
	// result, when nothing measured it.
	Adoption *int `json:"adoption"`
}

// Load is a platform's hands-on load month by month, oldest first, from
// the first month anything was recorded, and a warning when it does not
// scale.
type Load struct {
	Months []MonthLoad `json:"months"`
	// Since is the first month (YYYY-MM) anything was recorded: a request
	// filed, an engagement started or logged, an adoption result; "" when
	// nothing was. Months before it are not in Months: nothing measured
	// them.
	Since   string `json:"since,omitempty"`
	Warning string `json:"warning,omitempty"`
}

// PlatformLoad returns the hands-on load of platform over the `months`
// calendar months up to and including now's (at least one), from the
// first month anything was recorded (Since; none when nothing was): the
// hours its engagements logged, the requests its team handled hands-on
// (tandem.HandsOn), the consuming teams they served, and the adoption at
// each month's end from trend (an adoption trend, tandem.Adoption.Trend),
// unknown before its first point. Requests and engagements of other
// platforms are ignored. Warning is set when, between the first and the
// last month with both load (hours or hands-on requests) and a measured
// adoption, both the load per consuming team and the adoption rose: the
// hands-on support model will not keep up with more adopters.
func PlatformLoad(platform string, reqs []tandem.Request, engagements []tandem.Engagement, trend []tandem.TrendPoint, months int, now time.Time) Load {
	months = max(months, 1)
	now = now.UTC()
	first := time.Date(now.Year(), now.Month()-time.Month(months-1), 1, 0, 0, 0, 0, time.UTC)
	l := Load{Months: []MonthLoad{}, Since: firstMonth(platform, reqs, engagements, trend)}
	if l.Since == "" {
		return l
	}
	if since, err := time.Parse("2006-01", l.Since); err == nil && since.After(first) {
		first = since
	}
	measured := ""
	for _, p := range trend {
		if measured == "" || p.Day < measured {
			measured = p.Day
		}
	}
	for start := first; !start.After(now); start = start.AddDate(0, 1, 0) {
		m := monthLoad(platform, reqs, engagements, start)
		endDay := start.AddDate(0, 1, -1).Format(time.DateOnly)
		if asOf := min(endDay, now.Format(time.DateOnly)); measured != "" && measured <= asOf {
			adoption := adoptionOn(trend, asOf)
			m.Adoption = &adoption
		}
		l.Months = append(l.Months, m)
	}
	l.Warning = scalingWarning(l.Months)
	return l
}

// monthLoad returns the hands-on load of platform in the month that
// begins at start, but for its adoption.
func monthLoad(platform string, reqs []tandem.Request, engagements []tandem.Engagement, start time.Time) MonthLoad {
	month := start.Format("2006-01")
	startDay, endDay := start.Format(time.DateOnly), start.AddDate(0, 1, -1).Format(time.DateOnly)
	m := MonthLoad{Month: month}
	teams := map[string]bool{}
	for _, r := range reqs {
		if r.Platform != platform {
			continue
		}
		filed := r.CreatedAt.UTC().Format("2006-01") == month
		counted := r.CreatedAt
		if r.AcceptedAt != nil {
			counted = *r.AcceptedAt
		}
		handsOn := r.Pattern.HandsOn() && counted.UTC().Format("2006-01") == month
		if handsOn {
			m.HandsOnRequests++
		}
		if (filed || handsOn) && r.FromTeam != "" {
			teams[r.FromTeam] = true
		}
	}
	for _, e := range engagements {
		if e.Platform != platform {
			continue
		}
		logged := false
		for _, w := range e.Log {
			if w.Day >= startDay && w.Day <= endDay {
				m.Hours += w.Hours
				logged = true
			}
		}
		boxed := e.Started() && e.Starts <= endDay && e.Ends >= startDay
		if (logged || boxed) && e.HostTeam != "" {
			teams[e.HostTeam] = true
		}
	}
	m.ConsumingTeams = len(teams)
	if m.ConsumingTeams > 0 {
		m.PerTeam = (m.Hours + handsOnRequestHours*float64(m.HandsOnRequests)) / float64(m.ConsumingTeams)
	}
	return m
}

// adoptionOn returns the adoption of trend's latest point on or before
// the day asOf (YYYY-MM-DD), 0 when there is none.
func adoptionOn(trend []tandem.TrendPoint, asOf string) int {
	latest, adoption := "", 0
	for _, p := range trend {
		if p.Day <= asOf && p.Day >= latest {
			latest, adoption = p.Day, p.Count
		}
	}
	return adoption
}

// scalingWarning returns the warning of a load whose per-team load and
// adoption both rose between the first and the last month with both load
// and a measured adoption, "" when they did not.
func scalingWarning(months []MonthLoad) string {
	var withData []MonthLoad
	for _, m := range months {
		if (m.Hours > 0 || m.HandsOnRequests > 0) && m.Adoption != nil {
			withData = append(withData, m)
		}
	}
	if n := len(withData); n >= 2 {
		a, b := withData[0], withData[n-1]
		if b.PerTeam > a.PerTeam && *b.Adoption > *a.Adoption {
			return fmt.Sprintf("hands-on doesn't scale: load per consuming team rose from %s to %s a month while adoption rose from %d to %d codebases; move towards office hours, a community or self-service",
				hoursText(a.PerTeam), hoursText(b.PerTeam), *a.Adoption, *b.Adoption)
		}
	}
	return ""
}

// firstMonth returns the first month (YYYY-MM) with a request of platform
// filed, one of its engagements started (once agreed) or logged, or an
// adoption result; "" when there is none.
func firstMonth(platform string, reqs []tandem.Request, engagements []tandem.Engagement, trend []tandem.TrendPoint) string {
	first := ""
	see := func(day string) {
		if len(day) >= 7 && (first == "" || day[:7] < first) {
			first = day[:7]
		}
	}
	for _, r := range reqs {
		if r.Platform == platform {
			see(r.CreatedAt.UTC().Format(time.DateOnly))
		}
	}
	for _, e := range engagements {
		if e.Platform != platform {
			continue
		}
		if e.Started() {
			see(e.Starts)
		}
		for _, w := range e.Log {
			see(w.Day)
		}
	}
	for _, p := range trend {
		see(p.Day)
	}
	return first
}

// hoursText returns hours to one decimal, without a trailing zero: "12.5h",
// "6h".
func hoursText(h float64) string {
	return strconv.FormatFloat(math.Round(h*10)/10, 'f', -1, 64) + "h"
}
