package consumption

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tandem-dev/tandem"
)

func TestInteractions(t *testing.T) {
	now := at(t, "2024-03-13T12:00:00Z")
	platforms := []tandem.Platform{{Name: "obslog", Owner: "platform"}, {Name: "chassis", Owner: "infra"}, {Name: "orphan"}}
	active := tandem.Engagement{ID: 1, Type: tandem.TourOfDuty, State: tandem.EngagementActive, Person: "dev1",
		HomeTeam: "platform", HostTeam: "payments", Starts: "2024-02-01", Ends: "2024-03-14"}
	session := func(platform, day string, teams ...string) tandem.Session {
		s := tandem.Session{Platform: platform, Kind: tandem.SessionOfficeHours, At: at(t, day+"T15:00:00Z"), Attendees: map[string]int{}}
		for _, team := range teams {
			s.Attendees[team] = 2
		}
		return s
	}
	request := func(from, platform, created string) tandem.Request {
		return tandem.Request{FromTeam: from, Platform: platform, State: tandem.RequestNew, CreatedAt: at(t, created+"T09:00:00Z")}
	}
	adopted := func(platform string, teams ...string) tandem.Adoption {
		return tandem.Adoption{Platform: platform, Teams: teams}
	}
	// summary is an interaction in one line: the pair, its mode and since,
	// and every mode with evidence.
	summary := func(is []Interaction) []string {
		out := []string{}
		for _, i := range is {
			var modes []string
			for _, m := range i.Modes {
				modes = append(modes, m.Mode)
			}
			out = append(out, fmt.Sprintf("%s-%s %s since %q %v", i.A, i.B, i.Mode, i.Since, modes))
		}
		return out
	}

	for _, tt := range []struct {
		name string
		in   InteractionInput
		want []string
	}{
		{
			name: "an active engagement is collaboration since its start",
			in:   InteractionInput{Engagements: []tandem.Engagement{active}},
			want: []string{`payments-platform collaboration since "2024-02-01" [collaboration]`},
		},
		{
			name: "a proposed or ended engagement is no interaction",
			in: InteractionInput{Engagements: []tandem.Engagement{
				{State: tandem.EngagementProposed, HomeTeam: "platform", HostTeam: "payments", Starts: "2024-02-01"},
				{State: tandem.EngagementEnded, HomeTeam: "platform", HostTeam: "search", Starts: "2024-01-01"},
			}},
			want: []string{},
		},
		{
			name: "attending a platform's sessions in the last 90 days is facilitating since the first",
			in: InteractionInput{Platforms: platforms, Sessions: []tandem.Session{
				session("obslog", "2024-03-01", "payments", "platform"),
				session("obslog", "2024-01-10", "payments"),
				session("obslog", "2023-11-01", "payments"),
			}},
			want: []string{`payments-platform facilitating since "2024-01-10" [facilitating]`},
		},
		{
			name: "sessions more than 90 days ago are no interaction",
			in:   InteractionInput{Platforms: platforms, Sessions: []tandem.Session{session("obslog", "2023-12-13", "payments")}},
			want: []string{},
		},
		{
			name: "filing requests with a platform is x-as-a-service since the first request",
			in: InteractionInput{Platforms: platforms, Requests: []tandem.Request{
				request("search", "chassis", "2024-02-10"), request("search", "chassis", "2024-01-05"),
			}},
			want: []string{`infra-search x-as-a-service since "2024-01-05" [x-as-a-service]`},
		},
		{
			name: "adopting a platform without requests is x-as-a-service since an unknown day",
			in:   InteractionInput{Platforms: platforms, Adoption: []tandem.Adoption{adopted("chassis", "search", "infra")}},
			want: []string{`infra-search x-as-a-service since "" [x-as-a-service]`},
		},
		{
			name: "collaboration wins over facilitating and x-as-a-service",
			in: InteractionInput{Platforms: platforms, Engagements: []tandem.Engagement{active},
				Sessions: []tandem.Session{session("obslog", "2024-03-01", "payments")},
				Requests: []tandem.Request{request("payments", "obslog", "2023-10-01")},
				Adoption: []tandem.Adoption{adopted("obslog", "payments")}},
			want: []string{`payments-platform collaboration since "2024-02-01" [collaboration facilitating x-as-a-service]`},
		},
		{
			name: "facilitating wins over x-as-a-service",
			in: InteractionInput{Platforms: platforms,
				Sessions: []tandem.Session{session("obslog", "2024-03-01", "payments")},
				Adoption: []tandem.Adoption{adopted("obslog", "payments")}},
			want: []string{`payments-platform facilitating since "2024-03-01" [facilitating x-as-a-service]`},
		},
		{
			name: "a team with itself and platforms without an owner are skipped",
			in: InteractionInput{Platforms: platforms,
				Engagements: []tandem.Engagement{{State: tandem.EngagementActive, HomeTeam: "platform", HostTeam: "platform"}},
				Requests:    []tandem.Request{request("platform", "obslog", "2024-01-01"), request("search", "orphan", "2024-01-01")},
				Adoption:    []tandem.Adoption{adopted("orphan", "search")}},
			want: []string{},
		},
		{
			name: "pairs are sorted by their first team, then their second",
			in: InteractionInput{Platforms: platforms, Engagements: []tandem.Engagement{active},
				Requests: []tandem.Request{request("search", "chassis", "2024-01-05"), request("checkout", "obslog", "2024-01-06")},
				Adoption: []tandem.Adoption{adopted("chassis", "analytics")}},
			want: []string{
				`analytics-infra x-as-a-service since "" [x-as-a-service]`,
				`checkout-platform x-as-a-service since "2024-01-06" [x-as-a-service]`,
				`infra-search x-as-a-service since "2024-01-05" [x-as-a-service]`,
				`payments-platform collaboration since "2024-02-01" [collaboration]`,
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := summary(Interactions(tt.in, now)), tt.want; !slices.Equal(got, want) {
				t.Errorf("Interactions() =\n%q\nwant\n%q", got, want)
			}
		})
	}

	t.Run("each mode says what shows it", func(t *testing.T) {
		is := Interactions(InteractionInput{Platforms: platforms, Engagements: []tandem.Engagement{active},
			Sessions: []tandem.Session{session("obslog", "2024-03-01", "payments"), session("obslog", "2024-03-08", "payments")},
			Requests: []tandem.Request{request("payments", "obslog", "2023-10-01")},
			Adoption: []tandem.Adoption{adopted("obslog", "payments")}}, now)
		if len(is) != 1 {
			t.Fatalf("Interactions() = %+v, want one pair", is)
		}
		if got, want := is[0].Evidence, []string{"tour-of-duty: dev1 of platform works with payments from 2024-02-01 to 2024-03-14"}; !slices.Equal(got, want) {
			t.Errorf("Evidence = %q, want %q", got, want)
		}
		var got []string
		for _, m := range is[0].Modes {
			got = append(got, m.Evidence...)
		}
		want := []string{
			"tour-of-duty: dev1 of platform works with payments from 2024-02-01 to 2024-03-14",
			"payments attended 2 sessions of obslog in the last 90 days, the last on 2024-03-08",
			"payments filed 1 request with obslog since 2023-10-01",
			"payments adopted obslog",
		}
		if !slices.Equal(got, want) {
			t.Errorf("evidence of every mode = %q, want %q", got, want)
		}
	})
}
