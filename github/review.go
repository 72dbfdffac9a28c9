package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v74/github"

	"github.com/tandem-dev/tandem"
)

// RequestReviewers asks the CODEOWNERS owners reviewers to review the
// pull request at url: an @org/team handle as a team (by slug), an @user
// as a user; e-mail addresses are skipped. GitHub asks again a reviewer
// asked before, after a review too.
func (h *Host) RequestReviewers(ctx context.Context, codebase, url string, reviewers []string) error {
	users, teams := tandem.ReviewerHandles(reviewers)
	if len(users)+len(teams) == 0 {
		return nil
	}
	n, err := tandem.PullRequestNumber(url)
	if err != nil {
		return err
	}
	c, err := h.api.client()
	if err != nil {
		return err
	}
	_, _, err = c.PullRequests.RequestReviewers(ctx, h.host.Org, codebase, int(n), gh.ReviewersRequest{Reviewers: users, TeamReviewers: teams})
	return apiError(err, fmt.Sprintf("review of %s by %s", url, strings.Join(reviewers, ", ")), pullRights)
}

// reviewed reports whether anyone but its author reviewed the open pull
// request pr: approved it, asked for changes or commented a review.
func reviewed(ctx context.Context, c *gh.Client, org, repo string, pr *gh.PullRequest) (bool, error) {
	opt := &gh.ListOptions{PerPage: pageSize}
	for {
		reviews, resp, err := c.PullRequests.ListReviews(ctx, org, repo, pr.GetNumber(), opt)
		if err != nil {
			return false, apiError(err, "reviews of "+pr.GetHTMLURL(), repoRights)
		}
		for _, r := range reviews {
			switch r.GetState() {
			case "APPROVED", "CHANGES_REQUESTED", "COMMENTED":
				if r.GetUser().GetLogin() != pr.GetUser().GetLogin() {
					return true, nil
				}
			}
		}
		if resp.NextPage == 0 {
			return false, nil
		}
		opt.Page = resp.NextPage
	}
}
