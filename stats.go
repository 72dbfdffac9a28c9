package tandem

import "time"

// A campaign's analytics say which way of working works: how soon the
// owning teams answer what the campaign asks of them, and how the change
// requests the platform team opens end.
//
// A piece of work is a ticket filed in a team's tracker or a change
// request opened on a codebase. Its first response is the owning team's
// first action on it that Tandem records:
//
//   - on a change request: its approval, its merge, or its closing
//     unmerged;
//   - on a ticket: any of those on a change request of one of its
//     codebases, a change request the team opened itself and Tandem
//     adopted, one of its codebases done (the code no longer needs the
//     change) or exempted, or the ticket closed in the team's tracker.
//
// Comments do not count: Tandem records no comment's author, so it cannot
// tell a team's comment from its own. Nudges are Tandem's, never an
// action; a ticket's nudges before its first response say how much
// reminding the team needed.
//
// Work is grouped by the owning team, by pattern (as the advisor reads a
// target's work: file-a-ticket for tickets, internal-open-source or
// trusted-outsider for change requests by their codebase's contribution
// policy) and by fix: the branch of the migration's fix for the change
// requests the platform team pushed, FixNone for tickets and the change
// requests Tandem adopted (the team's own work).

// FixNone is the fix group of work done without the migration's fix.
const FixNone = "none"

// Work kinds.
const (
	WorkTicket        = "ticket"
	WorkChangeRequest = "change-request"
)

// DefaultStuckAfter is how long open work may go without an action
// before it counts as stuck.
const DefaultStuckAfter = 14 * 24 * time.Hour

// Work is one ticket or change request of a campaign and what its owning
// team did with it, as the analytics read it.
type Work struct {
	Kind    string
	Team    string
	Pattern Pattern
	Fix     string
	Opened  time.Time
	// FirstAction and LastAction are the team's first and last recorded
	// actions; nil when it took none.
	FirstAction, LastAction *time.Time
	// Open reports whether the work still waits: an open ticket, an open
	// change request.
	Open bool
	// NudgesBefore is how many times Tandem nudged a ticket before its
	// first response (every nudge while it has none).
	NudgesBefore int
	// Merged is when a change request merged; Unmodified says that its
	// head when merged was the commit Tandem pushed, HeadKnown that the
	// head was recorded at all (merges before Tandem recorded heads, and
	// adopted change requests, count in neither share).
	Merged     *time.Time
	HeadKnown  bool
	Unmodified bool
	// ClosedUnmerged says that the owners closed a change request without
	// merging it.
	ClosedUnmerged bool
}

// Figures are the analytics of a group of work. Durations are in
// seconds in JSON; zero where no work of the group has one.
type Figures struct {
	Tickets        int `json:"tickets"`
	ChangeRequests int `json:"change_requests"`
	// Responded counts the work with a first response.
	Responded           int     `json:"responded"`
	FirstResponseMedian Seconds `json:"first_response_median"`
	FirstResponseP90    Seconds `json:"first_response_p90"`
	// Merged counts merged change requests; MergeMedian and MergeP90 are
	// their times from opening to merge.
	Merged      int     `json:"merged"`
	MergeMedian Seconds `json:"merge_median"`
	MergeP90    Seconds `json:"merge_p90"`
	// MergedUnmodified counts the merged change requests whose head when
	// merged was the commit Tandem pushed, of MergedKnown whose head is
	// known; MergedUnmodifiedShare is their ratio.
	MergedKnown           int     `json:"merged_known"`
	MergedUnmodified      int     `json:"merged_unmodified"`
	MergedUnmodifiedShare float64 `json:"merged_unmodified_share"`
	// ClosedUnmerged counts the change requests the owners closed
	// unmerged; ClosedUnmergedShare is their share of ChangeRequests.
	ClosedUnmerged      int     `json:"closed_unmerged"`
	ClosedUnmergedShare float64 `json:"closed_unmerged_share"`
	// StuckTickets and StuckChangeRequests count the open work with no
	// action (nor opening) for the stats' StuckAfter.
	StuckTickets        int `json:"stuck_tickets"`
	StuckChangeRequests int `json:"stuck_change_requests"`
	// Nudges counts the nudges tickets had before their first response;
	// NudgesPerTicket is their mean over Tickets.
	Nudges          int     `json:"nudges_before_response"`
	NudgesPerTicket float64 `json:"nudges_per_ticket"`
}

// Seconds is a duration that reads as a whole number of seconds in JSON.
type Seconds int64

// SecondsOf returns d in whole seconds.
func SecondsOf(d time.Duration) Seconds { return Seconds(d / time.Second) }

// Duration returns s as a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// CampaignStats are a migration's analytics: over all its work, and by
// team, by pattern and by fix.
type CampaignStats struct {
	Migration  string              `json:"migration"`
	At         time.Time           `json:"at"`
	StuckAfter Seconds             `json:"stuck_after"`
	All        Figures             `json:"all"`
	Teams      map[string]Figures  `json:"teams"`
	Patterns   map[Pattern]Figures `json:"patterns"`
	Fixes      map[string]Figures  `json:"fixes"`
}
