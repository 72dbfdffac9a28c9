package tandem

import "time"

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
	Deadline string `json:"deadline,omitempty"`
}

// Target states.
const (
	TargetPending = "pending" // found, nothing done yet
	TargetDone    = "done"    // the code no longer needs the change
)

// Target is one codebase a migration must change, and how far it is.
type Target struct {
	Migration string     `json:"migration"`
	Codebase  string     `json:"codebase"`
	Owner     *string    `json:"owner"`
	State     string     `json:"state"`
	Evidence  []Match    `json:"evidence"`
	Commit    string     `json:"commit"`
	FoundAt   time.Time  `json:"found_at"`
	DoneAt    *time.Time `json:"done_at"`
}

// NextTargetState returns a target's state after a scan: a codebase where
// the target holds (and the done check does not) is pending, whatever it
// was; one that was a target and no longer needs the change is done. It
// returns "" for a codebase that is not, and never was, a target.
func NextTargetState(current string, targetHolds, doneHolds bool) string {
	switch {
	case targetHolds && !doneHolds:
		return TargetPending
	case current == "":
		return ""
	default:
		return TargetDone
	}
}
