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

// Target states.
const (
	TargetPending      = "pending"       // found, not ticketed yet
	TargetTicketed     = "ticketed"      // on its team's ticket
	TargetPROpen       = "pr-open"       // the platform team proposed the change
	TargetTourProposed = "tour-proposed" // closed codebase: a Tour of Duty is proposed
	TargetDone         = "done"          // the code no longer needs the change
	TargetExempt       = "exempt"        // excused, with a reason and an expiry
	TargetUnowned      = "unowned"       // no owner to ticket: for the platform team to resolve
	TargetGone         = "gone"          // its codebase left its host: neither open nor done
)

// TargetStates lists every target state, in the order of progress.
var TargetStates = []string{TargetUnowned, TargetPending, TargetTicketed, TargetTourProposed, TargetPROpen, TargetExempt, TargetGone, TargetDone}

// Target is one codebase a migration must change, and how far it is.
type Target struct {
	Migration string  `json:"migration"`
	Codebase  string  `json:"codebase"`
	Owner     *string `json:"owner"`
	// Team is the team the target belongs to: the team it was ticketed
	// to, or its codebase's owner until then.
	Team        string            `json:"team,omitempty"`
	State       string            `json:"state"`
	Evidence    []Match           `json:"evidence"`
	Commit      string            `json:"commit"`
	Ticket      *TicketRef        `json:"ticket"`
	PullRequest *ChangeRequestRef `json:"pull_request"`
	Exemption   *Exemption        `json:"exemption,omitempty"`
	// Error is what went wrong the last time Tandem acted on the target (a
	// fix that failed); acting again retries.
	Error      string     `json:"error,omitempty"`
	FoundAt    time.Time  `json:"found_at"`
	TicketedAt *time.Time `json:"ticketed_at"`
	PROpenedAt *time.Time `json:"pr_opened_at"`
	// DoneAt is when the target was done or, gone, when its codebase
	// left its host: when it stopped counting as open.
	DoneAt *time.Time `json:"done_at"`
}

// Open reports whether the target still waits for its change.
func (t Target) Open() bool { return TargetOpen(t.State) }

// TargetOpen reports whether a target in state still waits for its
// change: not done, exempt or gone. Every count of open targets uses it.
func TargetOpen(state string) bool {
	return state != TargetDone && state != TargetExempt && state != TargetGone
}

// NextTargetState returns a target's state after a scan. A codebase where
// the target newly holds (and the done check does not) is pending; one
// that was a target and no longer needs the change is done; a done target
// that regressed, or a gone one whose codebase is back and still needs
// the change, goes back to its ticket (ticketed) or to pending. Any other
// state stands while the change is still needed. It returns "" for a
// codebase that is not, and never was, a target.
func NextTargetState(current string, ticketed, targetHolds, doneHolds bool) string {
	needed := targetHolds && !doneHolds
	switch {
	case current == "" && needed:
		return TargetPending
	case current == "":
		return ""
	case !needed:
		return TargetDone
	case current != TargetDone && current != TargetGone:
		return current
	case ticketed:
		return TargetTicketed
	default:
		return TargetPending
	}
}

// Exemption excuses a target until it expires.
type Exemption struct {
	Reason  string    `json:"reason"`
	Expires time.Time `json:"expires"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// Ticket states.
const (
	TicketOpen   = "open"
	TicketClosed = "closed"
)

// Ticket is a request filed in a team's tracker.
type Ticket struct {
	ID        int64  `json:"id"`
	Tracker   string `json:"tracker"` // builtin, or external for an adopted ticket
	Migration string `json:"migration"`
	Team      string `json:"team"`
	Codebase  string `json:"codebase,omitempty"` // set when tickets are per codebase
	// Topic sets apart tickets that are no campaign's, such as a support
	// model announcement ("support-change/12").
	Topic string `json:"topic,omitempty"`
	Title string `json:"title"`
	Body  string `json:"body"`
	State string `json:"state"`
	URL   string `json:"url"`
	// Marker is the hidden line that lets Tandem find its own ticket again.
	Marker   string    `json:"marker"`
	Nudges   int       `json:"nudges"`
	Comments []Comment `json:"comments"`
	// Where is the team's tracker the ticket goes to; RemoteID and
	// RemoteState are what that tracker knows (empty until filed there),
	// and SyncError what went wrong the last time Tandem wrote to it.
	Where       Tracker    `json:"where"`
	RemoteID    string     `json:"remote_id,omitempty"`
	RemoteState string     `json:"remote_state,omitempty"`
	SyncError   string     `json:"sync_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	ClosedAt    *time.Time `json:"closed_at"`
}

// TicketRef is a target's view of its ticket.
type TicketRef struct {
	ID    int64  `json:"id"`
	URL   string `json:"url"`
	State string `json:"state"`
}

// Comment is a note on a ticket.
type Comment struct {
	ID   int64     `json:"id"`
	Body string    `json:"body"`
	At   time.Time `json:"at"`
	// SyncedAt is when the comment reached the team's own tracker.
	SyncedAt *time.Time `json:"synced_at,omitempty"`
}

// Change request states.
const (
	ChangeOpen   = "open"
	ChangeMerged = "merged"
	ChangeClosed = "closed"
)

// ChangeRequest is a change the platform team proposes to a codebase: a
// pull request, or a built-in change request on a local code host.
type ChangeRequest struct {
	ID        int64  `json:"id"`
	Migration string `json:"migration"`
	Codebase  string `json:"codebase"`
	Branch    string `json:"branch"`
	Commit    string `json:"commit"`
	Title     string `json:"title"`
	Body      string `json:"body"`
	State     string `json:"state"`
	URL       string `json:"url"`
	// ApprovedBy is who of the owning team approved the change, if anyone.
	ApprovedBy string     `json:"approved_by,omitempty"`
	ApprovedAt *time.Time `json:"approved_at"`
	CreatedAt  time.Time  `json:"created_at"`
	MergedAt   *time.Time `json:"merged_at"`
	// MergeCommit is the default branch's head that Tandem's merge made,
	// when Tandem merged it (autoMerge).
	MergeCommit string `json:"merge_commit,omitempty"`
}

// ChangeFile is one file a change touches and how many lines it adds and
// deletes; a binary file counts no lines.
type ChangeFile struct {
	Path    string
	Added   int
	Deleted int
	Binary  bool
}

// ChangeDiff is what a change request does to a codebase's files.
type ChangeDiff struct {
	Files []ChangeFile
	Patch string
	// Truncated says that Files or Patch was cut at the limit.
	Truncated bool
}

// ChangeRequestRef is a target's view of its change request.
type ChangeRequestRef struct {
	ID     int64  `json:"id"`
	URL    string `json:"url"`
	State  string `json:"state"`
	Branch string `json:"branch"`
}

// TicketMarker is the hidden line in every ticket body by which Tandem
// finds its own ticket again instead of filing twice.
func TicketMarker(migration, team, codebase string) string {
	m := "<!-- tandem:campaign=" + migration + ";team=" + team
	if codebase != "" {
		m += ";codebase=" + codebase
	}
	return m + " -->"
}

// TicketFiling asks to put codebases on their team's ticket.
type TicketFiling struct {
	Migration string
	Team      string
	Codebase  string // set when tickets are per codebase
	// Title and Body are used when the ticket is created; Body ends with
	// the ticket's marker.
	Title, Body string
	Codebases   []string
	Evidence    map[string][]Match
}

// Comment is what a ticket that exists already is told about codebases
// newly added to it.
func (f TicketFiling) Comment(codebases []string) string {
	var b strings.Builder
	b.WriteString("More codebases need this change:\n")
	for _, c := range codebases {
		b.WriteString("- **" + c + "**")
		if ev := f.Evidence[c]; len(ev) > 0 {
			b.WriteString(": " + ev[0].String())
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TicketFilter selects tickets; zero fields match everything.
type TicketFilter struct {
	ID        int64
	Migration string
	Team      string
	State     string
	Topic     string
}

// TargetQuery selects a page of a migration's targets.
type TargetQuery struct {
	Migration string
	State     string // "" for every state
	Team      string // the team ticketed, or the owner before that; "" for all
	Offset    int
	Limit     int // 0: all
}

// TargetStats summarises a migration's targets without loading them.
type TargetStats struct {
	// ByTeam counts targets per team (the team ticketed, or the owner;
	// "" for none) and state.
	ByTeam map[string]map[string]int `json:"by_team"`
	// Days counts targets by the day they were found, the day they were
	// done ("" while not done) and their state, for burndowns.
	Days []DayCount `json:"days"`
}

// DayCount is how many targets were found on Found and done on Done.
type DayCount struct {
	Found string `json:"found"`
	Done  string `json:"done"`
	State string `json:"state"`
	Count int    `json:"count"`
}
