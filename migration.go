package tandem

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Migration is a campaign a platform team drives to change code that
// product teams own: the codebases where Target holds need the change, and
// one counts as done when Done holds (or, without Done, when Target no
// longer holds).
type Migration struct {
	Name     string `json:"name"`
	Platform string `json:"platform"`
	Title    string `json:"title"`
	Summary  string `json:"summary,omitempty"`
	Target   Check  `json:"target"`
	Done     *Check `json:"done,omitempty"`
	// Deadline is a date, YYYY-MM-DD; empty when there is none.
	Deadline string        `json:"deadline,omitempty"`
	Ticket   TicketSpec    `json:"ticket"`
	Nudge    *NudgeSpec    `json:"nudge,omitempty"`
	Fix      *FixSpec      `json:"fix,omitempty"`
	Escalate *EscalateSpec `json:"escalate,omitempty"`
	Rollout  *RolloutSpec  `json:"rollout,omitempty"`
	// Guard reports, on open pull requests of the fleet's codebases,
	// changes that bring back what the migration removes.
	Guard *GuardSpec `json:"guard,omitempty"`
	// Review routes the change requests their owners leave unreviewed.
	Review *ReviewSpec `json:"review,omitempty"`
}

// Guard modes: what a guarded pull request that adds new evidence of a
// migration's target gets.
const (
	GuardWarn  = "warn"  // a neutral status and one comment with the evidence
	GuardBlock = "block" // a failing status and the same comment
)

// GuardSpec is a migration's backsliding guard: from Since (YYYY-MM-DD,
// or at once when empty), pull requests that add new evidence of the
// migration's target get a status of Mode.
type GuardSpec struct {
	Mode  string `json:"mode"`
	Since string `json:"since,omitempty"`
}

// InForce reports whether the guard is in force at now: from its Since
// day on (in UTC), or always without one.
func (g GuardSpec) InForce(now time.Time) bool {
	return g.Since == "" || now.UTC().Format(time.DateOnly) >= g.Since
}

// Ticket grouping: one ticket per owning team, or per codebase.
const (
	PerTeam     = "team"
	PerCodebase = "codebase"
)

// TicketSpec says what a migration's tickets say. Title and Body are Go
// text/templates over .Team, .Codebases (each with .Name and .Evidence),
// .Migration and .Deadline; empty ones take Tandem's defaults.
type TicketSpec struct {
	Title string `json:"title,omitempty"`
	Body  string `json:"body,omitempty"`
	Per   string `json:"per"` // team (default) | codebase
}

// NudgeSpec schedules reminders on open tickets before the deadline: every
// Every, on Weekdays (all when empty), at or after At ("09:30") in TimeZone
// (an IANA name, UTC when empty).
type NudgeSpec struct {
	Every    string   `json:"every"`
	Weekdays []string `json:"weekdays,omitempty"`
	At       string   `json:"at,omitempty"`
	TimeZone string   `json:"timeZone,omitempty"`
}

// FixSpec is how the platform team does a straggler's work itself: Run
// runs in a fresh clone of the codebase, and what it changes is committed
// on Branch and proposed as a change request with Title and Body.
type FixSpec struct {
	Run     []string `json:"run"`
	Branch  string   `json:"branch"`
	Title   string   `json:"title"`
	Body    string   `json:"body,omitempty"`
	Timeout string   `json:"timeout,omitempty"` // default 10m
	// Env names the server's environment variables the fix sees; it sees
	// no others, nor the server's home.
	Env []string `json:"env,omitempty"`
	// MaxFiles, above 0, splits each owner's change into change requests
	// of at most MaxFiles files.
	MaxFiles int `json:"maxFiles,omitempty"`
}

// Review routing steps: what a change request nobody reviewed gets, in
// turn, each After the one before.
const (
	ReviewRerequest = "rerequest" // its reviewers are requested again
	ReviewNudge     = "nudge"     // the owning team's ticket is nudged
	ReviewTour      = "tour"      // a Tour of Duty is proposed
	// ReviewReviewed is where routing ends when the code host says
	// someone reviewed the change request: it takes no step after it, and
	// the host is not asked again.
	ReviewReviewed = "reviewed"
)

// ReviewSpec routes a change request nobody reviews: After it was opened
// (or the step before), it takes the next of Steps.
type ReviewSpec struct {
	After string   `json:"after"`
	Steps []string `json:"steps,omitempty"` // default: rerequest, nudge, tour
}

// EscalateSpec says when a ticketed target becomes a straggler: After is
// "deadline" or a duration after the ticket was filed ("30d").
type EscalateSpec struct {
	After string `json:"after"`
}

// RolloutSpec caps how many tickets and change requests a campaign creates
// per period, so that owners' CI and code hosts are not flooded.
type RolloutSpec struct {
	Max int    `json:"max"`
	Per string `json:"per"`
}

// ParseDuration parses a duration as Go does, and also in days ("7d") and
// weeks ("2w"), the units campaigns are planned in.
func ParseDuration(s string) (time.Duration, error) {
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("invalid duration %q", s)
			}
			return time.Duration(v * float64(unit)), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid duration %q (use 90m, 36h, 7d or 2w)", s)
	}
	return d, nil
}

// DurationText returns d for people, to its two largest units among days,
// hours and minutes: "3d 4h", "5h 30m", "12m"; "under a minute" below
// that.
func DurationText(d time.Duration) string {
	days := d / (24 * time.Hour)
	hours := d % (24 * time.Hour) / time.Hour
	minutes := d % time.Hour / time.Minute
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case days > 0:
		return fmt.Sprintf("%dd", days)
	case hours > 0 && minutes > 0:
		return fmt.Sprintf("%dh %dm", hours, minutes)
	case hours > 0:
		return fmt.Sprintf("%dh", hours)
	case minutes > 0:
		return fmt.Sprintf("%dm", minutes)
	}
	return "under a minute"
}
