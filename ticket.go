package tandem

import (
	"context"
	"strings"
	"time"
)

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
	// NoComments leaves each ticket's Comments empty, for readers that
	// show tickets' states only: a campaign's tickets carry a comment per
	// change to their targets.
	NoComments bool
}

// TicketStore keeps the tickets a campaign files in teams' trackers, their
// comments and the nudges on them.
type TicketStore interface {
	// FileTicket puts codebases on their team's ticket (creating it in the
	// built-in tracker when the migration has none for the team) and marks
	// them ticketed, in one transaction; filing twice changes nothing. It
	// reports whether it created the ticket.
	FileTicket(ctx context.Context, f TicketFiling) (Ticket, bool, error)
	FindTickets(ctx context.Context, f TicketFilter) ([]Ticket, error)
	// PendingTicketSyncs returns the tickets of teams' own trackers that
	// the tracker does not fully know yet.
	PendingTicketSyncs(ctx context.Context) ([]Ticket, error)
	MarkTicketRemote(ctx context.Context, id int64, remoteID, url, remoteState, syncError string) error
	MarkCommentSynced(ctx context.Context, commentID int64) error
	// NudgeTicket comments a reminder on an open ticket unless it was
	// nudged at or after since; it reports whether it did.
	NudgeTicket(ctx context.Context, ticketID int64, body string, since, now time.Time) (bool, error)
	LastNudges(ctx context.Context, migration string) (map[int64]time.Time, error)
	// NudgeTimes returns when each ticket of a migration was nudged,
	// oldest first.
	NudgeTimes(ctx context.Context, migration string) (map[int64][]time.Time, error)
	AdoptTicket(ctx context.Context, migration, codebase, url string) (Target, error)
}
