package gitlab

import (
	"context"
	"fmt"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/tandem-dev/tandem"
)

var _ tandem.PullRequestGuard = (*Host)(nil)

// FetchPullRequest fetches the head of merge request e (GitLab publishes
// it at refs/merge-requests/N/head) and its target branch into the
// project's mirror.
func (h *Host) FetchPullRequest(ctx context.Context, e tandem.PullRequestEvent) (dir, mergeBase string, err error) {
	ref := fmt.Sprintf("refs/merge-requests/%d/head", e.Number)
	return h.mirrors.FetchPull(ctx, h.remote(e.Repo), e.Repo, e.Number, ref, e.Base, e.Head)
}

// PostStatus sets status s on commit sha of the codebase's project
// (POST /projects/:id/statuses/:sha). GitLab's external statuses are
// success or failed, without a neutral one: a warning is posted as a
// success whose description starts "warning:" (tandem.GuardStatus writes
// it so), which does not block a pipeline that must succeed.
func (h *Host) PostStatus(ctx context.Context, codebase, sha string, s tandem.CommitStatus) error {
	state := gl.Success
	if s.State == tandem.StatusFailure {
		state = gl.Failed
	}
	project := h.host.Org + "/" + codebase
	_, _, err := h.api.api.Commits.SetCommitStatus(project, sha, &gl.SetCommitStatusOptions{State: state,
		Context: gl.Ptr(s.Context), TargetURL: gl.Ptr(s.TargetURL), Description: gl.Ptr(s.Description)}, gl.WithContext(ctx))
	return apiError(err, "status "+s.Context+" of "+project+"@"+sha, mergeRights)
}
