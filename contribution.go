package tandem

import (
	"context"
	"time"
)

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

// ContributionStore keeps contributions to platforms' codebases from
// outside their owner teams, and the trust they earn.
type ContributionStore interface {
	RecordContribution(ctx context.Context, c Contribution) (Contribution, error)
	UpdateContribution(ctx context.Context, id int64, state string) (Contribution, error)
	FindContributions(ctx context.Context, codebase string) ([]Contribution, error)
	// GrantTrust gives an outside contributor the commit bit on a trusted
	// codebase; only its owner team may.
	GrantTrust(ctx context.Context, codebase, person, by string) (Codebase, error)
}
