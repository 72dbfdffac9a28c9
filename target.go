package tandem

import (
	"context"
	"strings"
	"time"
)

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

// Target is one codebase a migration must change, or one owned part of
// it, and how far it is.
type Target struct {
	Migration string `json:"migration"`
	Codebase  string `json:"codebase"`
	// Part is the owned part of the codebase the target is: "" for the
	// codebase as a whole (its paths the codebase's owner owns), a team's
	// name for the paths that team owns by a narrower rule, PartUnowned
	// for the paths a narrower rule leaves without a known team. A
	// codebase with one owner has one target, of part "".
	Part string `json:"part,omitempty"`
	// Owner is the team that owns the target's paths: the codebase's
	// owner for part "", the part's team otherwise; nil when none.
	Owner *string `json:"owner"`
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

// PartUnowned is the part of a codebase whose paths a narrower ownership
// rule leaves without a known team. No team name can take this form.
const PartUnowned = "(unowned)"

// Address names the target within its migration: its codebase, and
// ":part" for a part other than "" ("monorepo:payments").
func (t Target) Address() string { return TargetAddress(t.Codebase, t.Part) }

// TargetAddress is the address of a codebase's part: the codebase alone
// for part "", "codebase:part" otherwise. Codebase names have no ":".
func TargetAddress(codebase, part string) string {
	if part == "" {
		return codebase
	}
	return codebase + ":" + part
}

// PartOwner returns the team that owns a part of codebase c, who alone
// may approve, exempt or merge its changes: c's owner for part "", the
// part's team for a team's part, none ("") for PartUnowned or a codebase
// without owner.
func PartOwner(c Codebase, part string) string {
	switch {
	case part == PartUnowned:
		return ""
	case part != "":
		return part
	case c.Owner != nil:
		return *c.Owner
	}
	return ""
}

// ParseTargetAddress returns the codebase and part a target address
// names.
func ParseTargetAddress(address string) (codebase, part string) {
	codebase, part, _ = strings.Cut(address, ":")
	return codebase, part
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

// TargetQuery selects a page of a migration's targets.
type TargetQuery struct {
	Migration string
	State     string // "" for every state
	Team      string // the team ticketed, or the owner before that; "" for all
	Limit     int    // 0: all
	// After selects the targets whose codebase sorts after it: the page
	// after one that ends there (keyset paging, which reads no earlier
	// target); "" for none.
	After string
	// Before selects the targets whose codebase sorts before it; with
	// Limit, the Limit nearest: the page before one that starts there.
	Before string
	// Last selects, with Limit, the last Limit targets: the last page.
	Last bool
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

// Counts returns how many targets are in each state, every state of
// TargetStates present (0 when none).
func (s TargetStats) Counts() map[string]int {
	counts := make(map[string]int, len(TargetStates))
	for _, state := range TargetStates {
		counts[state] = 0
	}
	for _, byState := range s.ByTeam {
		for state, n := range byState {
			counts[state] += n
		}
	}
	return counts
}

// DayCount is how many targets were found on Found and done on Done.
type DayCount struct {
	Found string `json:"found"`
	Done  string `json:"done"`
	State string `json:"state"`
	Count int    `json:"count"`
}

// TargetStore keeps migrations' targets and their exemptions.
type TargetStore interface {
	// FindTargets returns a migration's targets; ENOTFOUND for an unknown
	// migration.
	FindTargets(ctx context.Context, migration string) ([]Target, error)
	// FindCodebaseTargets returns a codebase's targets in every
	// migration, by migration.
	FindCodebaseTargets(ctx context.Context, codebase string) ([]Target, error)
	// FindTargetPage returns one page of the targets q selects, sorted by
	// codebase, and how many it selects in all.
	FindTargetPage(ctx context.Context, q TargetQuery) ([]Target, int, error)
	// TargetStats summarises a migration's targets by team and state and
	// by day, for pages that must not load tens of thousands of targets.
	TargetStats(ctx context.Context, migration string) (TargetStats, error)
	// SetTargetError records what went wrong acting on a target, the
	// part of codebase.
	SetTargetError(ctx context.Context, migration, codebase, part, msg string) error
	// Exempt and Unexempt excuse, and stop excusing, the target at
	// address (a codebase, or codebase:part).
	Exempt(ctx context.Context, migration, address string, e Exemption) (Target, error)
	Unexempt(ctx context.Context, migration, address, why string) (Target, error)
	// ExpireExemptions returns to work the targets whose exemption expired.
	ExpireExemptions(ctx context.Context, now time.Time) ([]Target, error)
}
