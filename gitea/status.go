package gitea

import (
	"context"
	"fmt"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/tandem-dev/tandem"
)

// statusRights are the token scopes posting commit statuses needs.
const statusRights = "write:repository"

var _ tandem.PullRequestGuard = (*Host)(nil)

// FetchPullRequest fetches the head of pull request e (Gitea publishes it
// at refs/pull/N/head) and its base branch into the repository's mirror.
func (h *Host) FetchPullRequest(ctx context.Context, e tandem.PullRequestEvent) (dir, mergeBase string, err error) {
	ref := fmt.Sprintf("refs/pull/%d/head", e.Number)
	return h.mirrors.FetchPull(ctx, h.remote(e.Repo), e.Repo, e.Number, ref, e.Base, e.Head)
}

// PostStatus sets status s on commit sha of the codebase's repository:
// Gitea has the three states, warning included.
func (h *Host) PostStatus(ctx context.Context, codebase, sha string, s tandem.CommitStatus) error {
	c, err := client(ctx, h.baseURL, h.token, h.hc)
	if err != nil {
		return err
	}
	_, resp, err := c.CreateStatus(h.host.Org, codebase, sha, sdk.CreateStatusOption{
		State: sdk.StatusState(s.State), TargetURL: s.TargetURL, Description: s.Description, Context: s.Context})
	return apiError(err, resp, "status "+s.Context+" of "+h.host.Org+"/"+codebase+"@"+sha, statusRights)
}
