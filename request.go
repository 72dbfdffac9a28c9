package tandem

import (
	"context"
	"time"
)

// Request types: what a product team asks a platform team for.
const (
	RequestSupport    = "support"    // consumption: do it for us, or help us integrate
	RequestChange     = "change"     // evolution: the platform lacks something
	RequestOnboarding = "onboarding" // consumption: help us start
)

// RequestTypes lists every request type.
var RequestTypes = []string{RequestSupport, RequestChange, RequestOnboarding}

// Request states, from filed to finished.
const (
	RequestNew        = "new"
	RequestAccepted   = "accepted"
	RequestInProgress = "in-progress"
	RequestDone       = "done"
	RequestDeclined   = "declined"
)

// RequestStates lists every request state.
var RequestStates = []string{RequestNew, RequestAccepted, RequestInProgress, RequestDone, RequestDeclined}

// Sizes of a request.
const (
	SizeSmall = "small"
	SizeLarge = "large"
)

// Request is a product team asking a platform team for something.
type Request struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"`
	FromTeam string `json:"from_team"`
	Platform string `json:"platform"`
	Title    string `json:"title"`
	Body     string `json:"body,omitempty"`
	Size     string `json:"size"`
	// NeededBy is a date, YYYY-MM-DD, or "".
	NeededBy string `json:"needed_by,omitempty"`
	State    string `json:"state"`
	// Reason says why a request was declined.
	Reason  string   `json:"reason,omitempty"`
	Pattern Pattern  `json:"pattern,omitempty"`
	Links   []string `json:"links"`
	// CreatedBy and UpdatedBy are who filed and last changed it.
	CreatedBy   string     `json:"created_by,omitempty"`
	UpdatedBy   string     `json:"updated_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	RespondedAt *time.Time `json:"responded_at"`
	AcceptedAt  *time.Time `json:"accepted_at"`
	DoneAt      *time.Time `json:"done_at"`
}

// Open reports whether the request still waits for the platform team.
func (r Request) Open() bool { return r.State != RequestDone && r.State != RequestDeclined }

// RequestFilter selects requests; zero fields match everything.
type RequestFilter struct {
	ID       int64
	Platform string
	FromTeam string
	State    string
}

// RequestUpdate changes a request: a new state (with a reason when
// declined), the pattern chosen, links added. Zero fields change nothing.
type RequestUpdate struct {
	State   string
	Reason  string
	Pattern Pattern
	Links   []string
	By      string
}

// RequestStore keeps the requests product teams make of platform teams.
// Only members of the requesting team or of the platform's owner team
// change one: EFORBIDDEN otherwise.
type RequestStore interface {
	CreateRequest(ctx context.Context, r Request) (Request, error)
	FindRequests(ctx context.Context, f RequestFilter) ([]Request, error)
	UpdateRequest(ctx context.Context, id int64, u RequestUpdate) (Request, error)
}
