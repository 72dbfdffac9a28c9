package tandem

import (
	"context"
	"database/sql"
	"time"
)

// Store keeps the catalog and the state of background work. Every method is
// one transaction: it happens whole or not at all.
type Store interface {
	ConsumptionStore
	TokenStore
	DeliveryStore

	// Apply creates or updates every object at once, after checking the
	// references between them and to what is already stored. It returns
	// EINVALID with every located problem and applies nothing if any
	// reference is broken.
	Apply(ctx context.Context, objs []Object) ([]Applied, error)
	// CheckApply returns the EINVALID error Apply would return for objs,
	// or nil, and writes nothing.
	CheckApply(ctx context.Context, objs []Object) error

	// Names returns every name of a kind of the catalog, for the refusal
	// of a MissingError to say which was perhaps meant.
	Names(ctx context.Context, kind string) ([]string, error)
	FindTeams(ctx context.Context, name string) ([]Team, error)
	FindPeople(ctx context.Context, handle string) ([]Person, error)
	// FindPeoplePage returns one page of everyone, sorted by handle,
	// reading no more than the page from the database.
	FindPeoplePage(ctx context.Context, p PeoplePage) ([]Person, error)
	FindCodeHosts(ctx context.Context, name string) ([]CodeHost, error)
	FindPlatforms(ctx context.Context, name string) ([]Platform, error)
	FindCodebases(ctx context.Context, f CodebaseFilter) ([]Codebase, error)
	FindMigrations(ctx context.Context, name string) ([]Migration, error)

	// FindCheckResults returns the current check results f selects.
	FindCheckResults(ctx context.Context, f CheckResultFilter) ([]CheckResult, error)
	// FindCheckHistory returns every change of a check's results, oldest
	// first: the source of trends.
	FindCheckHistory(ctx context.Context, check string) ([]CheckResult, error)
	// FindTargets returns a migration's targets; ENOTFOUND for an unknown
	// migration.
	FindTargets(ctx context.Context, migration string) ([]Target, error)
	// FindTargetPage returns one page of the targets q selects, sorted by
	// codebase, and how many it selects in all.
	FindTargetPage(ctx context.Context, q TargetQuery) ([]Target, int, error)
	// TargetStats summarises a migration's targets by team and state and
	// by day, for pages that must not load tens of thousands of targets.
	TargetStats(ctx context.Context, migration string) (TargetStats, error)

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
	// OpenChangeRequest records a target's change request, comments it on
	// the ticket and marks the target pr-open; a target keeps the open one
	// it has (reported false). One whose last change request was merged or
	// closed gets the new one, the old staying in its history.
	OpenChangeRequest(ctx context.Context, cr ChangeRequest) (ChangeRequest, bool, error)
	// MergeChangeRequest records that Tandem merged an open change request
	// into its codebase's default branch, making head: the change request
	// merged and its target back on its ticket until a scan finds it done,
	// in one transaction, with a comment on the ticket.
	MergeChangeRequest(ctx context.Context, id int64, head string, at time.Time) (ChangeRequest, error)
	FindChangeRequests(ctx context.Context, migration string, id int64) ([]ChangeRequest, error)
	// ApproveChangeRequest records that the owning team approved a
	// target's open change request, and comments it on the ticket.
	ApproveChangeRequest(ctx context.Context, migration, codebase, by string) (ChangeRequest, error)
	// Exclusive runs fn while holding the lock called name: one caller at
	// a time, among every process sharing the store.
	Exclusive(ctx context.Context, name string, fn func(context.Context) error) error
	// SetChangeRequestState records the state a code host reports for the
	// change request at url (open, merged or closed) and when it was read,
	// comments a change of state on the target's ticket and, when the
	// owners closed it unmerged, leaves that on the target; a target
	// whose change request merged or closed is back on its ticket until a
	// scan finds it done. Merged is final. It reports whether the state
	// changed; ENOTFOUND when no change request has that url.
	SetChangeRequestState(ctx context.Context, url, state string, at time.Time) (ChangeRequest, bool, error)
	// ChangeRequestsToCheck returns the open pull requests on code hosts
	// whose state was last read before before, or never.
	ChangeRequestsToCheck(ctx context.Context, before time.Time) ([]ChangeRequest, error)
	// ProposeTour records a Tour of Duty proposal for a target (the one
	// codebase of e.Codebases) and marks the target tour-proposed: the
	// codebase joins its host team's open proposal of the migration, or a
	// new one starts and is commented on the ticket. A codebase withdrawn
	// by hand is not proposed again (its withdrawn proposal is returned).
	ProposeTour(ctx context.Context, e Engagement) (Engagement, bool, error)
	FindEngagements(ctx context.Context, f EngagementFilter) ([]Engagement, error)
	// SetTargetError records what went wrong acting on a target.
	SetTargetError(ctx context.Context, migration, codebase, msg string) error
	Exempt(ctx context.Context, migration, codebase string, e Exemption) (Target, error)
	Unexempt(ctx context.Context, migration, codebase, why string) (Target, error)
	// ExpireExemptions returns to work the targets whose exemption expired.
	ExpireExemptions(ctx context.Context, now time.Time) ([]Target, error)
	// NudgeTicket comments a reminder on an open ticket unless it was
	// nudged at or after since; it reports whether it did.
	NudgeTicket(ctx context.Context, ticketID int64, body string, since, now time.Time) (bool, error)
	LastNudges(ctx context.Context, migration string) (map[int64]time.Time, error)
	AdoptTicket(ctx context.Context, migration, codebase, url string) (Target, error)
	AdoptChangeRequest(ctx context.Context, migration, codebase, url string) (Target, error)
	// CreatedSince returns when a migration created tickets and change
	// requests since a time, for rollout limits.
	CreatedSince(ctx context.Context, migration string, since time.Time) ([]time.Time, error)

	// SaveCodebase records what a scan read of a codebase (host, default
	// branch, head, ownership, problems, check results), resolves its owner
	// against the stored teams and policies, moves migration targets, and
	// marks it read in scan scanID (0: in no scan), all in one transaction;
	// saving the same read twice changes nothing. It returns ECONFLICT, and
	// marks the codebase failed in the scan, when another host already has a
	// codebase of that name. It returns the scan as the save left it (done
	// when this was its last codebase), the zero Scan in no scan.
	SaveCodebase(ctx context.Context, scanID int64, r CodebaseRead) (Codebase, Scan, error)
	// SaveCodebases saves a batch of reads of scan scanID as SaveCodebase
	// does, in one transaction; a read whose name another host has is
	// marked failed in the scan, with the conflict among its problems, and
	// the others are saved.
	SaveCodebases(ctx context.Context, scanID int64, reads []CodebaseRead) (Scan, error)
	// LastReads returns what is stored of the last read of the codebases
	// of host that are not gone, by name: all of them, or those in names.
	LastReads(ctx context.Context, host string, names ...string) (map[string]LastRead, error)

	// CreateScan records a new running scan of the given hosts; enqueue runs
	// inside the same transaction, so that the scan and its jobs exist
	// together or not at all.
	CreateScan(ctx context.Context, hosts []string, enqueue func(ctx context.Context, tx *sql.Tx, scanID int64) error) (Scan, error)
	// RecordRepositories records what a host of scan scanID listed: the
	// codebases to read, those unchanged since their last read (done at
	// once), the problems met, and, for a complete listing, the codebases
	// gone from the host (and back on it); enqueue (the jobs that read
	// them) runs in the same transaction. Recording the same host twice
	// changes nothing and does not call enqueue. It returns ENOTFOUND for
	// an unknown scan.
	RecordRepositories(ctx context.Context, scanID int64, host string, l Listing, enqueue func(ctx context.Context, tx *sql.Tx) error) (Scan, error)
	// FindScan returns a scan with its progress; ENOTFOUND when missing.
	FindScan(ctx context.Context, id int64) (Scan, error)
}

// ConsumptionStore keeps the consumption and evolution phases: requests,
// engagements and their work logs, sessions, and support model changes.
// Only members of the teams involved (or of the platform's owner team)
// change a request or an engagement: EFORBIDDEN otherwise.
type ConsumptionStore interface {
	CreateRequest(ctx context.Context, r Request) (Request, error)
	FindRequests(ctx context.Context, f RequestFilter) ([]Request, error)
	UpdateRequest(ctx context.Context, id int64, u RequestUpdate) (Request, error)
	CreateEngagement(ctx context.Context, e Engagement) (Engagement, error)
	// StaffEngagement names the person of a proposal, of its home team.
	StaffEngagement(ctx context.Context, id int64, person, by string) (Engagement, error)
	// StartEngagement makes a staffed proposal active.
	StartEngagement(ctx context.Context, id int64, by string) (Engagement, error)
	// WithdrawEngagement withdraws a proposal with a reason; its targets go
	// back to ticketed.
	WithdrawEngagement(ctx context.Context, id int64, reason, by string) (Engagement, error)
	// EndEngagement ends an active engagement.
	EndEngagement(ctx context.Context, id int64, by string) (Engagement, error)
	LogWork(ctx context.Context, id int64, w WorkLog) (WorkLog, error)
	CreateSession(ctx context.Context, s Session) (Session, error)
	FindSessions(ctx context.Context, platform string) ([]Session, error)
	// AnnounceSupportChange records a support model change and files its
	// announcement in every given team's tracker, once per team; a
	// platform has one change announced at a time.
	AnnounceSupportChange(ctx context.Context, c SupportChange, teams []string) (SupportChange, error)
	// WithdrawSupportChange withdraws an announced change before it takes
	// effect, closing its announcement tickets with the reason.
	WithdrawSupportChange(ctx context.Context, platform string, id int64, reason, by string) (SupportChange, error)
	FindSupportChanges(ctx context.Context, platform string) ([]SupportChange, error)
	// ApplySupportChanges makes due announced changes effective.
	ApplySupportChanges(ctx context.Context, now time.Time) ([]SupportChange, error)
	RecordContribution(ctx context.Context, c Contribution) (Contribution, error)
	UpdateContribution(ctx context.Context, id int64, state string) (Contribution, error)
	FindContributions(ctx context.Context, codebase string) ([]Contribution, error)
	// GrantTrust gives an outside contributor the commit bit on a trusted
	// codebase; only its owner team may.
	GrantTrust(ctx context.Context, codebase, person, by string) (Codebase, error)
}

// Scan states.
const (
	ScanRunning = "running"
	ScanDone    = "done"
)

// Scan is one pass over every code host: discovering codebases and reading
// them.
type Scan struct {
	ID    int64    `json:"id"`
	State string   `json:"state"`
	Hosts []string `json:"hosts"`
	// HostsDone counts hosts whose repositories are listed.
	HostsDone int `json:"hosts_done"`
	// Codebases counts the codebases discovered so far; Done those read,
	// Failed those that could not be read. A scan is done once every host
	// is listed and every codebase read or failed.
	Codebases int `json:"codebases"`
	Done      int `json:"done"`
	Failed    int `json:"failed"`
	// Bytes is the file content read so far.
	Bytes      int64      `json:"bytes"`
	Problems   []Problem  `json:"problems"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// Progress is what a scan has done so far, in one comparable value: it
// changes each time the scan moves on.
func (s Scan) Progress() [6]int64 {
	return [6]int64{int64(s.HostsDone), int64(s.Codebases), int64(s.Done), int64(s.Failed), s.Bytes, int64(len(s.Problems))}
}

// CodebaseRead is what one scan read of a codebase.
type CodebaseRead struct {
	Codebase Codebase
	// Results are the active checks' results at Codebase.Head.
	Results []CheckResult
	// Unchanged says that the head and the checks are those of the last
	// read: only the time of the scan is recorded, and the stored
	// ownership and results stand.
	Unchanged bool
	// BytesRead counts the file content read, for progress.
	BytesRead int64
}

// LastRead is what is stored of a codebase's last read, so that a scan
// can tell that nothing changed since.
type LastRead struct {
	Head string
	// Digests maps each check with a stored result to the digest of the
	// definition it was computed for.
	Digests map[string]string
}

// Current reports whether reading head with checks would find what the
// last read found: the same head, and a stored result computed for the
// current definition of every check, and of no other.
func (l LastRead) Current(head string, checks []NamedCheck) bool {
	if head == "" || l.Head != head || len(l.Digests) != len(checks) {
		return false
	}
	for _, nc := range checks {
		if l.Digests[nc.ID] != nc.Digest {
			return false
		}
	}
	return true
}

// Listing is what a scan found listing one code host.
type Listing struct {
	// Read names the repositories to read: new, or changed since their
	// last read.
	Read []string
	// Unchanged names the repositories whose head and checks are those of
	// their last read: done without reading them again.
	Unchanged []string
	// Skipped names the repositories the host has but could not make
	// readable; why is in Problems.
	Skipped []string
	// Problems are what listing the host met.
	Problems []Problem
	// Complete says that every repository of the host was listed, so that
	// a stored codebase the listing does not name is gone from the host.
	Complete bool
}

// Scanner starts scans of every code host, or of one repository.
type Scanner interface {
	// StartScan starts a scan in the background and returns it running.
	StartScan(ctx context.Context) (Scan, error)
	// RescanRepository starts a scan of one repository of one code host,
	// as after a push to it, and returns it running.
	RescanRepository(ctx context.Context, host, name string) (Scan, error)
	// WaitScan returns a scan as soon as it is done or its progress
	// differs from seen's, or as it is when ctx ends.
	WaitScan(ctx context.Context, id int64, seen Scan) (Scan, error)
}
