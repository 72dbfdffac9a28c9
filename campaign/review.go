package campaign

import (
	"context"
	"fmt"
	"slices"

	"github.com/tandem-dev/tandem"
)

// Approved is what an approval did.
type Approved struct {
	ChangeRequest tandem.ChangeRequest `json:"change_request"`
	// Merged is the default branch's new head when Tandem merged the
	// change (the codebase opted in to autoMerge). The target is then
	// ticketed until a scan finds it done.
	Merged string `json:"merged,omitempty"`
}

// Approve records that the owning team approved a target's change request
// and, where the codebase opted in to autoMerge and its policy lets the
// platform team in, merges it into the default branch and records the
// merge: the change request merged, with the head it made, and the target
// back on its ticket. Whether the codebase still needs the change is the
// next scan's to say: done when the merge removed every use, still
// ticketed otherwise. Local code hosts run no checks, so the approval is
// the only gate there.
func (s *Service) Approve(ctx context.Context, name, address, by string) (Approved, error) {
	codebase, part := tandem.ParseTargetAddress(address)
	cbs, err := s.Store.FindCodebases(ctx, tandem.CodebaseFilter{Name: codebase})
	if err != nil {
		return Approved{}, err
	}
	c := cbs[0]
	if err := s.mayApprove(ctx, c, part, by); err != nil {
		return Approved{}, err
	}
	cr, err := s.Store.ApproveChangeRequest(ctx, name, address, by)
	if err != nil {
		return Approved{}, err
	}
	out := Approved{ChangeRequest: cr}
	if !c.AutoMerge || c.Contributions == tandem.Closed || cr.Branch == "" || s.Merge == nil {
		return out, nil
	}
	branchHead := s.branchHead(ctx, c.Location, cr.Branch)
	head, err := s.Merge(ctx, c.Location, c.DefaultBranch, cr.Branch, fmt.Sprintf("Merge %s (approved by %s)\n\n%s", cr.Branch, by, cr.Title))
	if err != nil {
		msg := "auto-merge: " + err.Error()
		if serr := s.Store.SetTargetError(ctx, name, codebase, part, msg); serr != nil {
			return out, serr
		}
		return out, tandem.Errorf(tandem.EUNAVAILABLE, "%s", msg)
	}
	if out.ChangeRequest, err = s.Store.MergeChangeRequest(ctx, cr.ID, head, branchHead, s.now()); err != nil {
		return out, err
	}
	out.Merged = head
	return out, nil
}

// branchHead returns the head of branch in repo, which Tandem's merge
// merges: "" when it cannot be read, the merge's own head then unknown.
func (s *Service) branchHead(ctx context.Context, repo, branch string) string {
	if s.BranchHead == nil {
		return ""
	}
	head, err := s.BranchHead(ctx, repo, branch)
	if err != nil {
		return ""
	}
	return head
}

// maxDiffBytes bounds the list of files and the patch of a change's diff,
// each.
const maxDiffBytes = 256 << 10

// ChangeDiff returns what a change request changes, read from the
// codebase's repository or mirror on this server, where the fix was
// committed: the branch against the default branch while it is open, the
// fix's own commit once merged. When it cannot be read here it returns
// why instead, and git's error when git failed.
func (s *Service) ChangeDiff(ctx context.Context, c tandem.Codebase, cr tandem.ChangeRequest) (d tandem.ChangeDiff, why string, err error) {
	from, to := "", ""
	switch {
	case s.Diff == nil || s.BranchHead == nil:
		return d, "this server reads no diffs", nil
	case c.Location == "":
		return d, "the codebase has not been scanned on this server", nil
	case cr.State == tandem.ChangeMerged && cr.Commit != "":
		from, to = cr.Commit+"^", cr.Commit
	case cr.Branch == "" || c.DefaultBranch == "":
		return d, "the change names no branch", nil
	default:
		if tip, err := s.BranchHead(ctx, c.Location, cr.Branch); err != nil || tip == "" {
			return d, "branch " + cr.Branch + " is not in this server's copy of " + c.Name, nil
		}
		from, to = "refs/heads/"+c.DefaultBranch, "refs/heads/"+cr.Branch
	}
	if d, err = s.Diff(ctx, c.Location, from, to, maxDiffBytes); err != nil {
		return d, "git could not read it", err
	}
	return d, "", nil
}

// mayApprove returns EFORBIDDEN unless by is a person of the team that
// owns the part of c (tandem.PartOwner): an approval is its owners'
// consent to a change of their code, and one team's member approves
// nothing of another's part of a monorepo.
func (s *Service) mayApprove(ctx context.Context, c tandem.Codebase, part, by string) error {
	owner, what := tandem.PartOwner(c, part), tandem.TargetAddress(c.Name, part)
	if owner == "" {
		return tandem.Errorf(tandem.EFORBIDDEN, "approve: %s has no owner, so no one may approve changes to it", what)
	}
	people, err := s.Store.FindPeople(ctx, by)
	if err != nil && tandem.ErrorCode(err) != tandem.ENOTFOUND {
		return err
	}
	if len(people) == 0 || !slices.Contains(people[0].Teams, owner) {
		return tandem.Errorf(tandem.EFORBIDDEN, "approve: %s is not in %s, the team that owns %s: only its members approve changes to it (name one with --by)", by, owner, what)
	}
	return nil
}
