package tandem

import "time"

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

// Collaboration patterns (../shared/DOMAIN.md), as a request records the
// one chosen.
const (
	PatternFileATicket          = "file-a-ticket"
	PatternTrustedOutsider      = "trusted-outsider"
	PatternInternalOpenSource   = "internal-open-source"
	PatternTourOfDuty           = "tour-of-duty"
	PatternEmbeddedExpert       = "embedded-expert"
	PatternProfessionalServices = "professional-services"
	PatternWhiteGlove           = "white-glove"
)

// Patterns lists every pattern a request may record.
var Patterns = []string{PatternFileATicket, PatternTrustedOutsider, PatternInternalOpenSource, PatternTourOfDuty,
	PatternEmbeddedExpert, PatternProfessionalServices, PatternWhiteGlove}

// HandsOn reports whether a pattern has the platform team doing the work
// or sitting with the consumer: the load that does not scale.
func HandsOn(pattern string) bool {
	switch pattern {
	case PatternProfessionalServices, PatternWhiteGlove, PatternTourOfDuty, PatternEmbeddedExpert:
		return true
	}
	return false
}

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
	Pattern string   `json:"pattern,omitempty"`
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
	Pattern string
	Links   []string
	By      string
}

// Session kinds: how a platform meets its consumers.
const (
	SessionOfficeHours = "office-hours"
	SessionCommunity   = "community" // a community-of-practice meeting
)

// Session is an office hours or community-of-practice meeting of a
// platform: who hosted it, which teams came, what they asked.
type Session struct {
	ID        int64          `json:"id"`
	Platform  string         `json:"platform"`
	Kind      string         `json:"kind"`
	At        time.Time      `json:"at"`
	Host      string         `json:"host"`
	Attendees map[string]int `json:"attendees"` // people by team
	Questions []string       `json:"questions"`
}

// Support change states.
const (
	SupportAnnounced = "announced"
	SupportApplied   = "applied"
	SupportWithdrawn = "withdrawn"
)

// SupportChangeStates lists every support change state.
var SupportChangeStates = []string{SupportAnnounced, SupportApplied, SupportWithdrawn}

// SupportChange is an announced change of a platform's support model: it
// takes effect on Effective, and is posted to every consuming team's
// tracker before that.
type SupportChange struct {
	ID           int64  `json:"id"`
	Platform     string `json:"platform"`
	From         string `json:"from"`
	To           string `json:"to"`
	Announcement string `json:"announcement"`
	Effective    string `json:"effective"` // YYYY-MM-DD
	// State is announced, applied or withdrawn (SupportChangeLifecycle).
	State       string     `json:"state"`
	By          string     `json:"by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	AppliedAt   *time.Time `json:"applied_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at"`
	WithdrawnBy string     `json:"withdrawn_by,omitempty"`
	// Teams are the consuming teams told, with their tickets.
	Teams []string `json:"teams"`
}

// Contribution states.
const (
	ContributionOpen     = "open"
	ContributionMerged   = "merged"
	ContributionClosed   = "closed"
	ContributionReverted = "reverted"
)

// ContributionStates lists every contribution state.
var ContributionStates = []string{ContributionOpen, ContributionMerged, ContributionClosed, ContributionReverted}

// Contribution is a change sent to a platform's codebase by someone
// outside the team that owns it: internal open source.
type Contribution struct {
	ID         int64      `json:"id"`
	Codebase   string     `json:"codebase"`
	Author     string     `json:"author"`
	Team       string     `json:"team"` // the author's team
	Title      string     `json:"title"`
	URL        string     `json:"url,omitempty"`
	State      string     `json:"state"`
	OpenedAt   time.Time  `json:"opened_at"`
	ReviewedAt *time.Time `json:"reviewed_at"` // the first review
	MergedAt   *time.Time `json:"merged_at"`
}

// DefaultTrustLadder is how many merged, unreverted contributions make an
// outside contributor a candidate for the commit bit (Trusted Outsider).
const DefaultTrustLadder = 3

// Contributor is someone outside a codebase's owner team who contributed
// to it, and where they stand on the trust ladder.
type Contributor struct {
	Codebase string `json:"codebase"`
	Person   string `json:"person"`
	Team     string `json:"team"`
	Merged   int    `json:"merged"`
	// Proposed says the contributor reached the ladder's rung and is not
	// trusted yet: propose the commit bit.
	Proposed bool `json:"proposed"`
	Trusted  bool `json:"trusted"`
}
