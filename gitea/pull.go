package gitea

import (
	"context"
	"strconv"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/tandem-dev/tandem"
)

// pullRights are the token scopes proposing changes needs.
const pullRights = "write:repository"

// Propose pushes branch, committed in the codebase's mirror, to the
// repository on the server and opens a pull request from it into base, or
// returns the pull request already open (or merged) from that branch, so
// that proposing twice opens one. The push replaces what an earlier
// attempt pushed to the branch.
func (h *Host) Propose(ctx context.Context, codebase, branch, base, title, body string) (tandem.ExternalTicket, error) {
	if err := h.remote(codebase).Push(ctx, h.mirrors.Dir(codebase), branch); err != nil {
		return tandem.ExternalTicket{}, tandem.Errorf(tandem.EUNAVAILABLE, "push %s to %s/%s: %v", branch, h.host.Org, codebase, err)
	}
	c, err := client(ctx, h.baseURL, h.token, h.hc)
	if err != nil {
		return tandem.ExternalTicket{}, err
	}
	for page := 1; ; page++ {
		prs, resp, err := c.ListRepoPullRequests(h.host.Org, codebase, sdk.ListPullRequestsOptions{
			ListOptions: sdk.ListOptions{Page: page, PageSize: 50}, State: sdk.StateAll})
		if err != nil {
			return tandem.ExternalTicket{}, apiError(err, resp, "pull requests of "+h.host.Org+"/"+codebase, pullRights)
		}
		for _, pr := range prs {
			if pr.Head != nil && pr.Head.Ref == branch && (pr.State == sdk.StateOpen || pr.HasMerged) {
				return pullTicket(pr), nil
			}
		}
		if len(prs) < 50 {
			break
		}
	}
	pr, resp, err := c.CreatePullRequest(h.host.Org, codebase, sdk.CreatePullRequestOption{Head: branch, Base: base, Title: title, Body: body})
	if err != nil {
		return tandem.ExternalTicket{}, apiError(err, resp, "pull request on "+h.host.Org+"/"+codebase, pullRights)
	}
	return pullTicket(pr), nil
}

func pullTicket(pr *sdk.PullRequest) tandem.ExternalTicket {
	state := string(pr.State)
	if pr.HasMerged {
		state = tandem.ChangeMerged
	}
	t := tandem.ExternalTicket{ID: strconv.FormatInt(pr.Index, 10), URL: pr.HTMLURL, State: state}
	if pr.Head != nil {
		t.Head = pr.Head.Sha
	}
	return t
}

// PullRequest reads the state of the pull request at url on the
// codebase's repository.
func (h *Host) PullRequest(ctx context.Context, codebase, url string) (tandem.ExternalTicket, error) {
	n, err := tandem.PullRequestNumber(url)
	if err != nil {
		return tandem.ExternalTicket{}, err
	}
	c, err := client(ctx, h.baseURL, h.token, h.hc)
	if err != nil {
		return tandem.ExternalTicket{}, err
	}
	pr, resp, err := c.GetPullRequest(h.host.Org, codebase, n)
	if err != nil {
		return tandem.ExternalTicket{}, apiError(err, resp, "pull request "+url, repoRights)
	}
	t := pullTicket(pr)
	if t.State == string(sdk.StateOpen) {
		t.Reviewed, err = reviewed(c, h.host.Org, codebase, pr)
	}
	return t, err
}

// CommentPullRequest comments on the pull request at url, once per marker:
// a pull request is an issue to Gitea's comments.
func (h *Host) CommentPullRequest(ctx context.Context, codebase, url, body, marker string) error {
	n, err := tandem.PullRequestNumber(url)
	if err != nil {
		return err
	}
	t := &Tracker{baseURL: h.baseURL, owner: h.host.Org, name: codebase, token: h.token, hc: h.hc}
	return t.Comment(ctx, strconv.FormatInt(n, 10), body, marker)
}
