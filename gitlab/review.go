package gitlab

import (
	"context"
	"fmt"
	"slices"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/tandem-dev/tandem"
)

// RequestReviewers sets the CODEOWNERS owners reviewers as reviewers of
// the merge request at url, besides those it has: GitLab's reviewers are
// users, so an @user is that user and an @group (or @group/subgroup) its
// direct members; e-mail addresses and @@roles are skipped. GitLab asks a
// reviewer already set nothing again.
func (h *Host) RequestReviewers(ctx context.Context, codebase, url string, reviewers []string) error {
	n, err := tandem.PullRequestNumber(url)
	if err != nil {
		return err
	}
	project := h.host.Org + "/" + codebase
	what := fmt.Sprintf("review of %s by %s", url, strings.Join(reviewers, ", "))
	var ids []int64
	for _, r := range reviewers {
		handle, ok := strings.CutPrefix(r, "@")
		if !ok || handle == "" || strings.HasPrefix(handle, "@") {
			continue
		}
		found, err := h.reviewerIDs(ctx, handle)
		if err != nil {
			return apiError(err, what, mergeRights)
		}
		if len(found) == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "%s: GitLab knows no user or group %s", what, r)
		}
		ids = append(ids, found...)
	}
	if len(ids) == 0 {
		return nil
	}
	c := h.api.api
	mr, _, err := c.MergeRequests.GetMergeRequest(project, n, nil, gl.WithContext(ctx))
	if err != nil {
		return apiError(err, what, repoRights)
	}
	for _, u := range mr.Reviewers {
		ids = append(ids, u.ID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	_, _, err = c.MergeRequests.UpdateMergeRequest(project, n, &gl.UpdateMergeRequestOptions{ReviewerIDs: &ids}, gl.WithContext(ctx))
	return apiError(err, what, mergeRights)
}

// reviewerIDs returns the user a handle names, or the direct members of
// the group it names: none when it names neither.
func (h *Host) reviewerIDs(ctx context.Context, handle string) ([]int64, error) {
	c := h.api.api
	if !strings.Contains(handle, "/") {
		users, _, err := c.Users.ListUsers(&gl.ListUsersOptions{Username: gl.Ptr(handle)}, gl.WithContext(ctx))
		if err != nil || len(users) > 0 {
			var ids []int64
			for _, u := range users {
				ids = append(ids, u.ID)
			}
			return ids, err
		}
	}
	var ids []int64
	opt := &gl.ListGroupMembersOptions{ListOptions: gl.ListOptions{PerPage: pageSize}}
	for {
		members, resp, err := c.Groups.ListGroupMembers(handle, opt, gl.WithContext(ctx))
		if resp != nil && resp.StatusCode == 404 {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			ids = append(ids, m.ID)
		}
		if resp.NextPage == 0 {
			return ids, nil
		}
		opt.Page = resp.NextPage
	}
}

// reviewed reports whether someone other than its author (the user
// author) reviewed the open merge request n of project: a reviewer whose
// state is reviewed, requested_changes or approved (GitLab's merge
// request reviewers), or else anyone in the merge request's approved_by,
// since GitLab does not make those who approve without being asked
// reviewers. Notes are not read: a comment is no review, and bots and
// Tandem's own nudges write notes too. The approvals are read only when
// no reviewer reviewed, so that a reviewed merge request costs one call.
func (h *Host) reviewed(ctx context.Context, project string, n, author int64) (bool, error) {
	what := fmt.Sprintf("reviews of %s!%d", project, n)
	c := h.api.api
	reviewers, _, err := c.MergeRequests.GetMergeRequestReviewers(project, n, gl.WithContext(ctx))
	if err != nil {
		return false, apiError(err, what, repoRights)
	}
	for _, r := range reviewers {
		switch r.State {
		case "reviewed", "requested_changes", "approved":
			if r.User == nil || r.User.ID != author {
				return true, nil
			}
		}
	}
	approvals, _, err := c.MergeRequests.GetMergeRequestApprovals(project, n, gl.WithContext(ctx))
	if err != nil {
		return false, apiError(err, what, repoRights)
	}
	for _, a := range approvals.ApprovedBy {
		if a.User == nil || a.User.ID != author {
			return true, nil
		}
	}
	return false, nil
}
