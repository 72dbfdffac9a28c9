package tandem

import (
	"context"
	"time"
)

// Engagement states.
const (
	EngagementProposed = "proposed"
	EngagementActive   = "active"
	EngagementEnded    = "ended"
	// EngagementWithdrawn is a proposal that will not happen.
	EngagementWithdrawn = "withdrawn"
)

// EngagementStates lists every engagement state.
var EngagementStates = []string{EngagementProposed, EngagementActive, EngagementEnded, EngagementWithdrawn}

// Engagement is a person moved between teams for a time box: a platform
// engineer on a Tour of Duty with a straggler's team, proposed by a
// campaign, for example.
type Engagement struct {
	ID    int64   `json:"id"`
	Type  Pattern `json:"type"`
	State string  `json:"state"` // proposed | active | ended | withdrawn
	// Person is who moves, when known: a campaign proposes a Tour of Duty
	// before anyone is named, and it starts once someone is.
	Person   string `json:"person,omitempty"`
	HomeTeam string `json:"home_team"`
	HostTeam string `json:"host_team"`
	Purpose  string `json:"purpose"`
	// Platform and Phase place the engagement: the platform it serves and
	// migration, consumption or evolution, derived by EngagementPhase.
	Platform  string `json:"platform,omitempty"`
	Phase     Phase  `json:"phase,omitempty"`
	Migration string `json:"migration,omitempty"`
	// Codebases are the host team's codebases a campaign's Tour of Duty
	// is for: one proposal per host team and migration gathers them.
	Codebases []string `json:"codebases"`
	Starts    string   `json:"starts"` // YYYY-MM-DD
	Ends      string   `json:"ends"`   // YYYY-MM-DD: the time box
	// EndedOn is the day an active engagement ended, "" before.
	EndedOn string `json:"ended_on,omitempty"`
	// Reason says why a proposal was withdrawn, and WithdrawnBy who did;
	// "" when it was withdrawn because its codebases were done or exempt.
	Reason      string    `json:"reason,omitempty"`
	WithdrawnBy string    `json:"withdrawn_by,omitempty"`
	Log         []WorkLog `json:"log"`
	// Warnings are what the data says is going wrong: a time box too short
	// or overrun, an expert drifting into consumption work.
	Warnings  []string  `json:"warnings"`
	CreatedAt time.Time `json:"created_at"`
}

// Open reports whether an engagement is still to happen or happening.
func (e Engagement) Open() bool {
	return e.State == EngagementProposed || e.State == EngagementActive
}

// Started reports whether an engagement took place, or is taking place:
// active or ended, not a proposal nor a withdrawn one.
func (e Engagement) Started() bool {
	return e.State == EngagementActive || e.State == EngagementEnded
}

// CheckLog returns nil when hours may be logged on e for day (YYYY-MM-DD),
// and an EINVALID error saying what to do otherwise: hours are logged on
// an engagement that started with a person (active, or ended since), for
// a day from its start to the day it ended. An active engagement may log
// past its time box: it overran, and its warnings say so.
func (e Engagement) CheckLog(day string) error {
	switch e.State {
	case EngagementProposed:
		return Errorf(EINVALID, "engagement %d is proposed: staff and start it first", e.ID)
	case EngagementWithdrawn:
		return Errorf(EINVALID, "engagement %d was withdrawn: it has no hours to log", e.ID)
	}
	if e.Person == "" {
		return Errorf(EINVALID, "engagement %d has nobody engaged: it has no hours to log", e.ID)
	}
	if day < e.Starts {
		return Errorf(EINVALID, "day: %s is before engagement %d starts: its time box is %s to %s", day, e.ID, e.Starts, e.Ends)
	}
	if ended := e.EndedOn; e.State == EngagementEnded {
		if ended == "" {
			ended = e.Ends // ended before the day was recorded
		}
		if day > ended {
			return Errorf(EINVALID, "day: %s is after engagement %d ended on %s: its time box was %s to %s", day, e.ID, ended, e.Starts, e.Ends)
		}
	}
	return nil
}

// StartedOn returns e's time box as it is when e starts on today
// (YYYY-MM-DD): a proposal whose start has passed starts today instead,
// for as many days as it was proposed for.
func (e Engagement) StartedOn(today string) (starts, ends string) {
	if e.Starts >= today {
		return e.Starts, e.Ends
	}
	s, errS := time.Parse(time.DateOnly, e.Starts)
	end, errE := time.Parse(time.DateOnly, e.Ends)
	t, errT := time.Parse(time.DateOnly, today)
	if errS != nil || errE != nil || errT != nil {
		return e.Starts, e.Ends
	}
	return today, t.Add(end.Sub(s)).Format(time.DateOnly)
}

// EngagementPhase returns the phase of work an engagement serves, from
// its type and which of its teams is platformOwner, the team that owns
// the platform it serves (../shared/DOMAIN.md: which team drives the
// work, which owns the code that changes):
//   - someone joining the platform's team, to change the platform their
//     team needs: evolution (product drives, platform owns);
//   - a platform engineer joining a product team for a migration (a
//     campaign's Tour of Duty): migration (platform drives, product owns);
//   - a platform engineer embedded in a product team as an expert, to
//     build what the platform lacks where it is missing: evolution;
//   - a platform engineer on a Tour of Duty or a white-glove onboarding
//     with a product team, to help it use the platform: consumption
//     (product drives, product owns).
//
// It returns "" when neither team owns the platform, or the platform is
// not known (platformOwner ""): no phase follows then.
func EngagementPhase(e Engagement, platformOwner string) Phase {
	switch {
	case platformOwner == "" || e.HomeTeam == e.HostTeam:
		return ""
	case e.HostTeam == platformOwner:
		return PhaseEvolution
	case e.HomeTeam != platformOwner:
		return ""
	case e.Migration != "":
		return PhaseMigration
	case e.Type == EmbeddedExpert:
		return PhaseEvolution
	default:
		return PhaseConsumption
	}
}

// Work categories of an engagement's log.
const (
	WorkPlatform    = "platform"    // improving the platform
	WorkConsumption = "consumption" // doing the consumer's work
	WorkOther       = "other"
)

// WorkCategories lists every work category.
var WorkCategories = []string{WorkPlatform, WorkConsumption, WorkOther}

// WorkLog is time an engaged person spent, by category.
type WorkLog struct {
	ID       int64   `json:"id"`
	Day      string  `json:"day"` // YYYY-MM-DD
	Hours    float64 `json:"hours"`
	Category string  `json:"category"`
	Note     string  `json:"note,omitempty"`
	By       string  `json:"by,omitempty"`
}

// EngagementFilter selects engagements; zero fields match everything.
type EngagementFilter struct {
	ID        int64
	Migration string
	Platform  string
	Team      string // home or host
	State     string
}

// EngagementStore keeps engagements: people moved between teams for a time
// box, and their work logs. Only members of the teams involved change
// one: EFORBIDDEN otherwise.
type EngagementStore interface {
	CreateEngagement(ctx context.Context, e Engagement) (Engagement, error)
	// ProposeTour records a Tour of Duty proposal for a target (the one
	// codebase of e.Codebases) and marks the target tour-proposed: the
	// codebase joins its host team's open proposal of the migration, or a
	// new one starts and is commented on the ticket. A codebase withdrawn
	// by hand is not proposed again (its withdrawn proposal is returned).
	// A pr-open target, whose change request waits for review, joins the
	// proposal and stays pr-open.
	ProposeTour(ctx context.Context, e Engagement) (Engagement, bool, error)
	FindEngagements(ctx context.Context, f EngagementFilter) ([]Engagement, error)
	// StaffEngagement names the person of a proposal, of its home team.
	StaffEngagement(ctx context.Context, id int64, person, by string) (Engagement, error)
	// StartEngagement makes a staffed proposal active.
	StartEngagement(ctx context.Context, id int64, by string) (Engagement, error)
	// WithdrawEngagement withdraws a proposal with a reason; its targets go
	// back to ticketed.
	WithdrawEngagement(ctx context.Context, id int64, reason, by string) (Engagement, error)
	// EndEngagement ends an active engagement.
	EndEngagement(ctx context.Context, id int64, by string) (Engagement, error)
	LogWork(ctx context.Context, id int64, w WorkLog) (WorkLog, error)
}
