package gitea

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/tandem-dev/tandem"
)

// RequestReviewers asks the CODEOWNERS owners reviewers to review the
// pull request at url: an @org/team handle as a team of the
// organization, an @user as a user; e-mail addresses are skipped. Asking
// again asks again a user who reviewed since, and a team one of whose
// members approved or asked for changes since; a request still open
// stands. A handle Gitea does not know is ENOTFOUND, named.
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
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		// Gitea refuses the whole request and names the reviewer it
		// does not know only in its message: ask which one it is.
		unknown, err := unknownReviewer(c, h.host.Org, reviewers)
		if err != nil {
			return err
		}
		if unknown != "" {
			return tandem.Errorf(tandem.ENOTFOUND, "review of %s: gitea knows no %s", url, unknown)
		}
	}
	return apiError(err, resp, fmt.Sprintf("review of %s by %s", url, strings.Join(reviewers, ", ")), pullRights)
}

// unknownReviewer returns the first of the reviewers handles that names
// no user of Gitea or team of org, as "user @name" or "team @org/name",
// or "" when Gitea knows them all.
func unknownReviewer(c *sdk.Client, org string, reviewers []string) (string, error) {
	for _, r := range reviewers {
		users, teams := tandem.ReviewerHandles([]string{r})
		for _, u := range users {
			_, resp, err := c.GetUserInfo(u)
			if resp != nil && resp.StatusCode == http.StatusNotFound {
				return "user " + r, nil
			}
			if err != nil {
				return "", apiError(err, resp, "user "+r, repoRights)
			}
		}
		for _, name := range teams {
			found, resp, err := c.SearchOrgTeams(org, &sdk.SearchTeamsOptions{ListOptions: sdk.ListOptions{PageSize: 50}, Query: name})
			if err != nil {
				return "", apiError(err, resp, "team "+r, repoRights)
			}
			if !slices.ContainsFunc(found, func(t *sdk.Team) bool { return strings.EqualFold(t.Name, name) }) {
				return "team " + r + " of " + org, nil
			}
		}
	}
	return "", nil
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
