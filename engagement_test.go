package tandem

import "testing"

func TestEngagementPhase(t *testing.T) {
	const platform = "observability"
	for _, tt := range []struct {
		name  string
		e     Engagement
		owner string // the platform's owner team
		want  Phase
	}{
		{"a platform engineer's Tour of Duty with a product team for a migration is migration work",
			Engagement{Type: TourOfDuty, HomeTeam: platform, HostTeam: "legacy", Migration: "logrus-to-obslog"}, platform, PhaseMigration},
		{"a platform engineer's Tour of Duty with a product team, outside a migration, helps it consume",
			Engagement{Type: TourOfDuty, HomeTeam: platform, HostTeam: "payments"}, platform, PhaseConsumption},
		{"white-glove onboarding of a product team helps it consume",
			Engagement{Type: WhiteGlove, HomeTeam: platform, HostTeam: "payments"}, platform, PhaseConsumption},
		{"an embedded expert of the platform team builds what the platform lacks: evolution",
			Engagement{Type: EmbeddedExpert, HomeTeam: platform, HostTeam: "search"}, platform, PhaseEvolution},
		{"a product engineer's Tour of Duty in the platform team is evolution",
			Engagement{Type: TourOfDuty, HomeTeam: "search", HostTeam: platform}, platform, PhaseEvolution},
		{"a product engineer in the platform team is evolution, even for a migration",
			Engagement{Type: TourOfDuty, HomeTeam: "search", HostTeam: platform, Migration: "logrus-to-obslog"}, platform, PhaseEvolution},
		{"two product teams, neither owning the platform, have no phase",
			Engagement{Type: TourOfDuty, HomeTeam: "search", HostTeam: "payments"}, platform, ""},
		{"a platform not known gives no phase",
			Engagement{Type: TourOfDuty, HomeTeam: platform, HostTeam: "payments"}, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := EngagementPhase(tt.e, tt.owner); got != tt.want {
				t.Errorf("EngagementPhase() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEngagementCheckLog(t *testing.T) {
	active := Engagement{ID: 4, State: EngagementActive, Person: "carol", Starts: "2024-03-01", Ends: "2024-04-12"}
	ended := active
	ended.State, ended.EndedOn = EngagementEnded, "2024-04-05"
	proposed := Engagement{ID: 4, State: EngagementProposed, Starts: "2024-03-01", Ends: "2024-04-12"}
	withdrawn := proposed
	withdrawn.State = EngagementWithdrawn
	for _, tt := range []struct {
		name string
		e    Engagement
		day  string
		want string // "" for no error
	}{
		{"an active engagement takes a day of its time box", active, "2024-03-01", ""},
		{"an active engagement takes a day past its time box: it overran", active, "2024-04-20", ""},
		{"an active engagement refuses a day before it starts", active, "2024-02-29",
			"day: 2024-02-29 is before engagement 4 starts: its time box is 2024-03-01 to 2024-04-12"},
		{"an ended engagement takes the day it ended", ended, "2024-04-05", ""},
		{"an ended engagement refuses a day after it ended", ended, "2024-04-06",
			"day: 2024-04-06 is after engagement 4 ended on 2024-04-05: its time box was 2024-03-01 to 2024-04-12"},
		{"a proposal refuses hours", proposed, "2024-03-02", "engagement 4 is proposed: staff and start it first"},
		{"a withdrawn proposal refuses hours", withdrawn, "2024-03-02", "engagement 4 was withdrawn: it has no hours to log"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.e.CheckLog(tt.day)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckLog(%s) = %v, want nil", tt.day, err)
			case tt.want != "" && (ErrorCode(err) != EINVALID || ErrorMessage(err) != tt.want):
				t.Errorf("CheckLog(%s) = %v, want EINVALID %q", tt.day, err, tt.want)
			}
		})
	}
}

func TestEngagementStartedOn(t *testing.T) {
	e := Engagement{Starts: "2024-03-01", Ends: "2024-04-12"}
	for _, tt := range []struct {
		name, today, starts, ends string
	}{
		{"a proposal started before its start day keeps its time box", "2024-02-20", "2024-03-01", "2024-04-12"},
		{"a proposal started on its start day keeps its time box", "2024-03-01", "2024-03-01", "2024-04-12"},
		{"a proposal started late starts today, as long", "2024-03-11", "2024-03-11", "2024-04-22"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if starts, ends := e.StartedOn(tt.today); starts != tt.starts || ends != tt.ends {
				t.Errorf("StartedOn(%s) = %s to %s, want %s to %s", tt.today, starts, ends, tt.starts, tt.ends)
			}
		})
	}
}

func TestEngagementStarted(t *testing.T) {
	for state, want := range map[string]bool{EngagementProposed: false, EngagementActive: true, EngagementEnded: true, EngagementWithdrawn: false} {
		if got := (Engagement{State: state}).Started(); got != want {
			t.Errorf("an engagement %s: Started() = %v, want %v", state, got, want)
		}
	}
}
