package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v74/github"

	"github.com/tandem-dev/tandem"
)

// statusRights are the token permissions posting commit statuses needs.
const statusRights = "commit statuses: write"

var _ tandem.PullRequestGuard = (*Host)(nil)

// FetchPullRequest fetches the head of pull request e (GitHub publishes it
// at refs/pull/N/head) and its base branch into the repository's mirror.
func (h *Host) FetchPullRequest(ctx context.Context, e tandem.PullRequestEvent) (dir, mergeBase string, err error) {
	ref := fmt.Sprintf("refs/pull/%d/head", e.Number)
	return h.mirrors.FetchPull(ctx, h.remote(e.Repo), e.Repo, e.Number, ref, e.Base, e.Head)
}

// PostStatus sets status s on commit sha of the codebase's repository.
// GitHub's statuses have no neutral state: a warning is posted as a
// success whose description starts "warning:" (tandem.GuardStatus writes
// it so), which does not fail a required check.
func (h *Host) PostStatus(ctx context.Context, codebase, sha string, s tandem.CommitStatus) error {
	c, err := h.api.client()
	if err != nil {
		return err
	}
	state := s.State
	if state == tandem.StatusWarning {
		state = tandem.StatusSuccess
	}
	_, _, err = c.Repositories.CreateStatus(ctx, h.host.Org, codebase, sha, &gh.RepoStatus{
		State: gh.Ptr(state), TargetURL: gh.Ptr(s.TargetURL), Description: gh.Ptr(s.Description), Context: gh.Ptr(s.Context)})
	return apiError(err, "status "+s.Context+" of "+h.host.Org+"/"+codebase+"@"+sha, statusRights)
}
