package tandem

import (
	"context"
	"time"
)

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
	// MergedHead is the change's own head when it merged, where known:
	// Commit when the owners merged what Tandem pushed unmodified.
	MergedHead string `json:"merged_head,omitempty"`
	// ClosedAt is when the owners closed it unmerged, if they did.
	ClosedAt *time.Time `json:"closed_at,omitempty"`
	// Part is the owned part of the codebase the change is for (see
	// Target.Part), and Files the paths it changes there: a shard of the
	// fix's change, one per owning team.
	Part  string   `json:"part,omitempty"`
	Files []string `json:"files,omitempty"`
	// Reviewers are the CODEOWNERS owners asked to review it.
	Reviewers []string `json:"reviewers,omitempty"`
	// ReviewStep is the last review routing step it took (ReviewRerequest,
	// ReviewNudge, ReviewTour, or ReviewReviewed where routing ended), at
	// ReviewStepAt; "" for none.
	ReviewStep   string     `json:"review_step,omitempty"`
	ReviewStepAt *time.Time `json:"review_step_at,omitempty"`
}

// MergedUnmodified reports whether the change request merged with the
// commit Tandem pushed as its head: the owners merged the fix's tree as
// it was. It is false for a change of the team's own (adopted: no branch)
// and where the head when merged is unknown.
func (cr ChangeRequest) MergedUnmodified() bool {
	return cr.State == ChangeMerged && cr.Branch != "" && cr.MergedHead != "" && cr.MergedHead == cr.Commit
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

// ChangeRequestStore keeps the change requests a campaign opens on
// stragglers' codebases and the states their code hosts report.
type ChangeRequestStore interface {
	// OpenChangeRequest records a target's change request, comments it on
	// the ticket and marks the target pr-open; a target keeps the open one
	// it has (reported false). One whose last change request was merged or
	// closed gets the new one, the old staying in its history.
	OpenChangeRequest(ctx context.Context, cr ChangeRequest) (ChangeRequest, bool, error)
	// MergeChangeRequest records that Tandem merged an open change request
	// into its codebase's default branch, making head: the change request
	// merged and its target back on its ticket until a scan finds it done,
	// in one transaction, with a comment on the ticket. branchHead is the
	// change's branch's head that was merged ("" when unknown).
	MergeChangeRequest(ctx context.Context, id int64, head, branchHead string, at time.Time) (ChangeRequest, error)
	FindChangeRequests(ctx context.Context, migration string, id int64) ([]ChangeRequest, error)
	// ApproveChangeRequest records that the owning team approved a
	// target's open change request, and comments it on the ticket.
	ApproveChangeRequest(ctx context.Context, migration, codebase, by string) (ChangeRequest, error)
	// SetChangeRequestState records the state a code host reports for the
	// change request at url (open, merged or closed) and when it was read,
	// comments a change of state on the target's ticket and, when the
	// owners closed it unmerged, leaves that on the target; a target
	// whose change request merged or closed is back on its ticket until a
	// scan finds it done. Merged is final; head is the pull request's head
	// when merged ("" when unknown), recorded as its MergedHead. It reports
	// whether the state changed; ENOTFOUND when no change request has that
	// url.
	SetChangeRequestState(ctx context.Context, url, state, head string, at time.Time) (ChangeRequest, bool, error)
	// SetMergedHead records the head a merged change request had when it
	// merged, unless one is recorded already.
	SetMergedHead(ctx context.Context, id int64, head string) (ChangeRequest, error)
	// ChangeRequestsToCheck returns the open pull requests on code hosts
	// whose state was last read before before, or never.
	ChangeRequestsToCheck(ctx context.Context, before time.Time) ([]ChangeRequest, error)
	AdoptChangeRequest(ctx context.Context, migration, codebase, url string) (Target, error)
	// SetReviewStep records that the open change request id took review
	// routing step at at, when its last step is still from: a
	// compare-and-set, so that a step is taken once among servers. It
	// comments the step on the target's ticket (ReviewStepComment), the
	// nudge step counted as a nudge of an open ticket. It reports false,
	// changing nothing, when the change request is no longer open or
	// took another step since; EINVALID for an unknown step, ENOTFOUND
	// when there is no change request id.
	SetReviewStep(ctx context.Context, id int64, from, step string, at time.Time) (ChangeRequest, bool, error)
}

// ChangeState returns a code host's state of a pull request as Tandem
// tracks it: ChangeMerged and ChangeClosed as they are, and ChangeOpen for
// any other (open, opened, reopened, locked while being merged…).
func ChangeState(state string) string {
	switch state {
	case ChangeMerged, ChangeClosed:
		return state
	}
	return ChangeOpen
}
