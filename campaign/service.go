package campaign

import (
	"context"
	"time"

	"github.com/tandem-dev/tandem"
)

// FixRun is one run of a migration's fix in a fresh clone of a codebase.
type FixRun struct {
	Repo    string // the codebase's git directory
	Base    string // its default branch
	Branch  string
	Run     []string
	Message string
	Timeout time.Duration
	Env     []string // names of the server's environment variables it sees
}

// ShardRun is one owner's share of a fix that changed a monorepo: a
// commit on Base changing only Paths as the fix's commit From did.
type ShardRun struct {
	Repo    string // the codebase's git directory
	Base    string // its default branch
	From    string // the fix's commit
	Paths   []string
	Branch  string
	Message string
}

// Store is the part of tandem.Store a campaign uses: the catalog, and what
// a campaign files and moves.
type Store interface {
	tandem.CatalogStore
	tandem.TargetStore
	tandem.TicketStore
	tandem.ChangeRequestStore
	tandem.CampaignStore
	// ProposeTour proposes a Tour of Duty for a straggler
	// (tandem.EngagementStore).
	ProposeTour(ctx context.Context, e tandem.Engagement) (tandem.Engagement, bool, error)
}

// Service runs migration campaigns over a store: filing tickets, escalating
// stragglers, nudging and expiring exemptions. Every step can be run again:
// what was done is not done twice.
type Service struct {
	Store Store
	// Fix runs a fix, commits what it changed on the branch, pushes it to
	// the codebase and returns the commit.
	Fix func(ctx context.Context, r FixRun) (string, error)
	// ChangedFiles lists the files commit head changes from base in a
	// codebase's repository; Shard commits one owner's share of them on a
	// branch of its own and returns the commit. Escalation splits a fix
	// that changed the parts of several teams with them.
	ChangedFiles func(ctx context.Context, repo, base, head string) ([]string, error)
	Shard        func(ctx context.Context, r ShardRun) (string, error)
	// Merge merges a change request's branch into the codebase's default
	// branch and returns the new head.
	Merge func(ctx context.Context, repo, base, branch, message string) (string, error)
	// Diff reads what `to` changes since it left `from` in a codebase's
	// repository, cut at maxBytes; nil shows no change's diff.
	Diff func(ctx context.Context, repo, from, to string, maxBytes int) (tandem.ChangeDiff, error)
	// BranchHead returns the commit a branch of a codebase's repository
	// points at, "" when there is no such branch.
	BranchHead func(ctx context.Context, repo, branch string) (string, error)
	// Proposers returns what opens pull requests on a code host other than
	// a local folder; nil makes none there.
	Proposers func(host tandem.CodeHost) (tandem.ChangeProposer, error)
	// Trackers returns the client of a team's own tracker; nil keeps every
	// ticket in the built-in tracker only.
	Trackers func(tandem.Tracker) (tandem.TicketTracker, error)
	// Notify posts to a team's chat; nil posts nothing.
	Notify func(ctx context.Context, c tandem.Chat, text string) error
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// DefaultFixTimeout bounds a fix without its own timeout.
const DefaultFixTimeout = 10 * time.Minute

// TourLength is the time box of a proposed Tour of Duty: long enough to be
// more than a disruption.
const TourLength = 6 * 7 * 24 * time.Hour

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
