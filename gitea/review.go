package gitea

import (
	"context"
	"fmt"
	"strings"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/tandem-dev/tandem"
)

// RequestReviewers asks the CODEOWNERS owners reviewers to review the
// pull request at url: an @org/team handle as a team of the
// organization, an @user as a user; e-mail addresses are skipped. Asking
// again asks again: Gitea keeps one request per reviewer.
func (h *Host) RequestReviewers(ctx context.Context, codebase, url string, reviewers []string) error {
	users, teams := tandem.ReviewerHandles(reviewers)
	if len(users)+len(teams) == 0 {
		return nil
	}
	n, err := tandem.PullRequestNumber(url)
	if err != nil {
		return err
	}
	c, err := client(ctx, h.baseURL, h.token, h.hc)
	if err != nil {
		return err
	}
	resp, err := c.CreateReviewRequests(h.host.Org, codebase, n, sdk.PullReviewRequestOptions{Reviewers: users, TeamReviewers: teams})
	return apiError(err, resp, fmt.Sprintf("review of %s by %s", url, strings.Join(reviewers, ", ")), pullRights)
}

// reviewed reports whether anyone but its author reviewed pull request
// pr: approved it, asked for changes or commented a review.
func reviewed(c *sdk.Client, org, repo string, pr *sdk.PullRequest) (bool, error) {
	for page := 1; ; page++ {
		reviews, resp, err := c.ListPullReviews(org, repo, pr.Index, sdk.ListPullReviewsOptions{ListOptions: sdk.ListOptions{Page: page, PageSize: 50}})
		if err != nil {
			return false, apiError(err, resp, "reviews of "+pr.HTMLURL, repoRights)
		}
		for _, r := range reviews {
			switch r.State {
			case sdk.ReviewStateApproved, sdk.ReviewStateRequestChanges, sdk.ReviewStateComment:
				if r.Reviewer == nil || pr.Poster == nil || r.Reviewer.ID != pr.Poster.ID {
					return true, nil
				}
			}
		}
		if len(reviews) < 50 {
			return false, nil
		}
	}
}
