package consumption

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
)

func TestPlatformLoad(t *testing.T) {
	now := at(t, "2024-03-13T12:00:00Z")
	request := func(from string, pattern tandem.Pattern, created string, accepted string) tandem.Request {
		r := tandem.Request{Platform: "obslog", FromTeam: from, Pattern: pattern, State: tandem.RequestAccepted, CreatedAt: at(t, created)}
		if accepted != "" {
			r.AcceptedAt = ptr(t, accepted)
		}
		return r
	}
	engagement := func(host, starts, ends string, log ...tandem.WorkLog) tandem.Engagement {
		return tandem.Engagement{Type: tandem.WhiteGlove, State: tandem.EngagementActive, Platform: "obslog",
			HomeTeam: "platform", HostTeam: host, Starts: starts, Ends: ends, Log: log}
	}
	hours := func(day string, h float64) tandem.WorkLog {
		return tandem.WorkLog{Day: day, Hours: h, Category: tandem.WorkConsumption}
	}

	// January: 8 hours and one hands-on request for payments: 12h per team.
	// March: 20 hours with search, two hands-on requests (one filed in
	// February, accepted in March) and a ticket from checkout: 28h over
	// two teams, 14h per team.
	rising := []tandem.Request{
		request("payments", tandem.WhiteGlove, "2024-01-08T10:00:00Z", "2024-01-09T10:00:00Z"),
		request("search", tandem.ProfessionalServices, "2024-02-27T10:00:00Z", "2024-03-04T10:00:00Z"),
		request("search", tandem.TourOfDuty, "2024-03-05T10:00:00Z", ""),
		request("checkout", tandem.FileATicket, "2024-03-06T10:00:00Z", "2024-03-07T10:00:00Z"),
		{Platform: "chassis", FromTeam: "checkout", Pattern: tandem.WhiteGlove, CreatedAt: at(t, "2024-03-06T10:00:00Z")},
	}
	engagements := []tandem.Engagement{
		engagement("payments", "2024-01-08", "2024-01-19", hours("2024-01-10", 8)),
		engagement("search", "2024-03-04", "2024-04-15", hours("2024-03-05", 12), hours("2024-03-06", 8)),
		{Type: tandem.WhiteGlove, State: tandem.EngagementActive, Platform: "chassis", HostTeam: "payments",
			Starts: "2024-03-01", Ends: "2024-04-12", Log: []tandem.WorkLog{hours("2024-03-05", 40)}},
	}
	growingAdoption := []tandem.TrendPoint{{Day: "2024-01-15", Count: 2}, {Day: "2024-03-01", Count: 5}, {Day: "2024-03-20", Count: 9}}

	t.Run("each month counts hours, hands-on requests, consuming teams and adoption", func(t *testing.T) {
		l := PlatformLoad("obslog", rising, engagements, growingAdoption, 3, now)
		want := []MonthLoad{
			{Month: "2024-01", Hours: 8, HandsOnRequests: 1, ConsumingTeams: 1, PerTeam: 12, Adoption: count(2)},
			{Month: "2024-02", ConsumingTeams: 1, Adoption: count(2)},
			{Month: "2024-03", Hours: 20, HandsOnRequests: 2, ConsumingTeams: 2, PerTeam: 14, Adoption: count(5)},
		}
		if got := monthsText(l.Months); got != monthsText(want) {
			t.Errorf("Months = %s, want %s", got, monthsText(want))
		}
	})

	t.Run("months before anything was recorded are left out, and adoption is unknown before it was measured", func(t *testing.T) {
		// Asked for a year, with requests from January and adoption
		// measured from March: no month of 2023 with "consuming teams 1",
		// no adoption 0 in January and February.
		l := PlatformLoad("obslog", rising, engagements, growingAdoption[1:], 12, now)
		want := []MonthLoad{
			{Month: "2024-01", Hours: 8, HandsOnRequests: 1, ConsumingTeams: 1, PerTeam: 12},
			{Month: "2024-02", ConsumingTeams: 1},
			{Month: "2024-03", Hours: 20, HandsOnRequests: 2, ConsumingTeams: 2, PerTeam: 14, Adoption: count(5)},
		}
		if got := monthsText(l.Months); got != monthsText(want) {
			t.Errorf("Months = %s, want %s", got, monthsText(want))
		}
		// Load rose from January to March, but adoption was measured in
		// March only: nothing to compare, no warning.
		if l.Warning != "" {
			t.Errorf("Warning = %q, want none: adoption before March was never measured", l.Warning)
		}
	})

	t.Run("a month without consuming teams counts none", func(t *testing.T) {
		l := PlatformLoad("obslog", nil, nil, []tandem.TrendPoint{{Day: "2024-02-10", Count: 3}}, 6, now)
		want := []MonthLoad{{Month: "2024-02", Adoption: count(3)}, {Month: "2024-03", Adoption: count(3)}}
		if got := monthsText(l.Months); got != monthsText(want) {
			t.Errorf("Months = %s, want %s", got, monthsText(want))
		}
	})

	for _, tt := range []struct {
		name    string
		reqs    []tandem.Request
		trend   []tandem.TrendPoint
		months  int
		warning string
	}{
		{
			name: "load per team and adoption rising together warn that hands-on does not scale", reqs: rising, trend: growingAdoption, months: 3,
			warning: "hands-on doesn't scale: load per consuming team rose from 12h to 14h a month while adoption rose from 2 to 5 codebases; move towards office hours, a community or self-service",
		},
		{
			name: "load per team rising while adoption stays flat does not warn", reqs: rising, months: 3,
			trend: []tandem.TrendPoint{{Day: "2024-01-01", Count: 4}},
		},
		{
			name: "adoption rising while load per team falls does not warn", months: 3, trend: growingAdoption,
			reqs: append(slices.Clone(rising),
				request("checkout", tandem.FileATicket, "2024-03-08T10:00:00Z", ""),
				request("ledger", tandem.FileATicket, "2024-03-08T10:00:00Z", ""),
				request("growth", tandem.InternalOpenSource, "2024-03-09T10:00:00Z", "")),
		},
		{
			name: "a single month with load does not warn", reqs: rising, trend: growingAdoption, months: 1,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := PlatformLoad("obslog", tt.reqs, engagements, tt.trend, tt.months, now)
			if got, want := l.Warning, tt.warning; got != want {
				t.Errorf("Warning = %q, want %q (months %+v)", got, want, l.Months)
			}
			if got, want := len(l.Months), tt.months; got != want {
				t.Errorf("len(Months) = %d, want %d (data from January)", got, want)
			}
		})
	}

	t.Run("since is the first month anything was recorded", func(t *testing.T) {
		for _, tt := range []struct {
			name        string
			reqs        []tandem.Request
			engagements []tandem.Engagement
			trend       []tandem.TrendPoint
			want        string
		}{
			{"a request or an engagement", rising, engagements, nil, "2024-01"},
			{"an adoption result", nil, nil, []tandem.TrendPoint{{Day: "2024-02-20", Count: 1}}, "2024-02"},
			{"nothing", nil, nil, nil, ""},
		} {
			if got := PlatformLoad("obslog", tt.reqs, tt.engagements, tt.trend, 6, now).Since; got != tt.want {
				t.Errorf("%s: Since = %q, want %q", tt.name, got, tt.want)
			}
		}
	})

	t.Run("no data gives no months and no warning", func(t *testing.T) {
		l := PlatformLoad("obslog", nil, nil, nil, 0, now)
		if l.Months == nil || len(l.Months) != 0 || l.Warning != "" {
			t.Errorf("Load = %+v, want no months (an empty list) and no warning", l)
		}
	})
}

func count(n int) *int { return &n }

// monthsText prints months with their adoption's value, not its address.
func monthsText(months []MonthLoad) string {
	var b strings.Builder
	for _, m := range months {
		adoption := "unknown"
		if m.Adoption != nil {
			adoption = strconv.Itoa(*m.Adoption)
		}
		fmt.Fprintf(&b, "{%s hours %v hands-on %d teams %d per-team %v adoption %s} ", m.Month, m.Hours, m.HandsOnRequests, m.ConsumingTeams, m.PerTeam, adoption)
	}
	return b.String()
}
