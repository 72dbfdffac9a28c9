package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	gh "github.com/google/go-github/v74/github"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx"
)

// repoRights and pullRights are the token permissions listing and cloning,
// and proposing changes, need.
const (
	repoRights = "read access to the organization's repositories (contents: read, metadata: read)"
	pullRights = "contents: write and pull requests: write"
)

// Host lists the repositories of a GitHub organization, mirrors them and
// opens pull requests on them.
type Host struct {
	host    tandem.CodeHost
	api     endpoint
	mirrors gitx.Mirrors // this host's folder of bare mirrors
}

// New returns the host of a github CodeHost. getenv resolves the token
// reference (env:NAME); mirrors is the folder where repositories are
// mirrored, one bare mirror per repository at mirrors/<host>/<name>.git.
// A nil hc is http.DefaultClient. It returns EINVALID for a host without
// URL or Org or with a token that does not resolve.
func New(h tandem.CodeHost, getenv func(string) string, mirrors string, hc *http.Client) (*Host, error) {
	api, err := newEndpoint(h, getenv, hc)
	if err != nil {
		return nil, err
	}
	if h.Org == "" {
		return nil, tandem.Errorf(tandem.EINVALID, "code host %s: org is required", h.Name)
	}
	dir, err := h.MirrorDir(mirrors)
	if err != nil {
		return nil, err
	}
	return &Host{host: h, api: api, mirrors: gitx.Mirrors(dir)}, nil
}

// Repositories lists the organization's repositories, sorted by name,
// leaving out archived ones and forks unless the CodeHost includes them,
// and makes or refreshes the bare mirror of each one's default branch. An
// empty repository or one whose mirror fails is listed Skipped, with a
// Problem that says why, so that it is not taken for gone; an archived
// one or a fork left out is not listed, and so is gone from Tandem. A
// host that cannot be reached or is rate limited is EUNAVAILABLE and a
// refused token EINVALID.
func (h *Host) Repositories(ctx context.Context, only ...string) ([]tandem.Repository, []tandem.Problem, error) {
	c, err := h.api.client()
	if err != nil {
		return nil, nil, err
	}
	var all []*gh.Repository
	opt := &gh.RepositoryListByOrgOptions{Type: "all", ListOptions: gh.ListOptions{PerPage: pageSize}}
	for {
		repos, resp, err := c.Repositories.ListByOrg(ctx, h.host.Org, opt)
		if err != nil {
			return nil, nil, fmt.Errorf("code host %s: %w", h.host.Name, apiError(err, "list repositories of "+h.host.Org, repoRights))
		}
		all = append(all, repos...)
		if resp.NextPage == 0 {
			break
		}
		opt.ListOptions.Page = resp.NextPage
	}
	sort.Slice(all, func(i, j int) bool { return all[i].GetName() < all[j].GetName() })

	var listed []gitx.Listed
	for _, r := range all {
		if !tandem.Selected(r.GetName(), only) {
			continue
		}
		if (r.GetArchived() && !h.host.Archived) || (r.GetFork() && !h.host.Forks) {
			continue
		}
		name := r.GetName()
		listed = append(listed, gitx.Listed{Name: name, Branch: r.GetDefaultBranch(), URL: h.repoURL(name), Remote: h.remote(name), Empty: r.GetSize() == 0})
	}
	return h.mirrors.MirrorAll(ctx, listed)
}

// repoURL returns the clone URL of a repository of the organization, built
// from the host's URL so that the token goes to no other server.
func (h *Host) repoURL(name string) string {
	return h.api.web + "/" + url.PathEscape(h.host.Org) + "/" + url.PathEscape(name) + ".git"
}

// remote returns a repository as a git remote that authenticates with the
// host's token.
func (h *Host) remote(name string) gitx.Remote {
	return gitx.Remote{URL: h.repoURL(name), Header: h.api.header(), Secret: h.api.token}
}

// Propose pushes branch, committed in the codebase's mirror, to the
// repository on GitHub and opens a pull request from it into base, or
// returns the pull request already open (or merged) from that branch, so
// that proposing twice opens one.
func (h *Host) Propose(ctx context.Context, codebase, branch, base, title, body string) (tandem.ExternalTicket, error) {
	if err := h.remote(codebase).Push(ctx, h.mirrors.Dir(codebase), branch); err != nil {
		return tandem.ExternalTicket{}, tandem.Errorf(tandem.EUNAVAILABLE, "push %s to %s/%s: %v", branch, h.host.Org, codebase, err)
	}
	c, err := h.api.client()
	if err != nil {
		return tandem.ExternalTicket{}, err
	}
	what := "pull requests of " + h.host.Org + "/" + codebase
	opt := &gh.PullRequestListOptions{State: "all", Head: h.host.Org + ":" + branch, ListOptions: gh.ListOptions{PerPage: pageSize}}
	for {
		prs, resp, err := c.PullRequests.List(ctx, h.host.Org, codebase, opt)
		if err != nil {
			return tandem.ExternalTicket{}, apiError(err, what, pullRights)
		}
		for _, pr := range prs {
			if pr.GetHead().GetRef() == branch && (pr.GetState() == "open" || pr.MergedAt != nil) {
				return pullTicket(pr), nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.ListOptions.Page = resp.NextPage
	}
	pr, _, err := c.PullRequests.Create(ctx, h.host.Org, codebase, &gh.NewPullRequest{
		Title: gh.Ptr(title), Head: gh.Ptr(branch), Base: gh.Ptr(base), Body: gh.Ptr(body)})
	if err != nil {
		return tandem.ExternalTicket{}, apiError(err, "pull request on "+h.host.Org+"/"+codebase, pullRights)
	}
	return pullTicket(pr), nil
}

func pullTicket(pr *gh.PullRequest) tandem.ExternalTicket {
	state := pr.GetState()
	if pr.MergedAt != nil {
		state = tandem.ChangeMerged
	}
	return tandem.ExternalTicket{ID: strconv.Itoa(pr.GetNumber()), URL: pr.GetHTMLURL(), State: state, Head: pr.GetHead().GetSHA()}
}

// PullRequest reads the state of the pull request at url on the
// codebase's repository.
func (h *Host) PullRequest(ctx context.Context, codebase, url string) (tandem.ExternalTicket, error) {
	n, err := tandem.PullRequestNumber(url)
	if err != nil {
		return tandem.ExternalTicket{}, err
	}
	c, err := h.api.client()
	if err != nil {
		return tandem.ExternalTicket{}, err
	}
	pr, _, err := c.PullRequests.Get(ctx, h.host.Org, codebase, int(n))
	if err != nil {
		return tandem.ExternalTicket{}, apiError(err, "pull request "+url, repoRights)
	}
	t := pullTicket(pr)
	if t.State == "open" {
		t.Reviewed, err = reviewed(ctx, c, h.host.Org, codebase, pr)
	}
	return t, err
}

// CommentPullRequest comments on the pull request at url, once per marker:
// a pull request is an issue to GitHub's comments.
func (h *Host) CommentPullRequest(ctx context.Context, codebase, url, body, marker string) error {
	n, err := tandem.PullRequestNumber(url)
	if err != nil {
		return err
	}
	t := &Tracker{api: h.api, owner: h.host.Org, name: codebase}
	return t.Comment(ctx, strconv.FormatInt(n, 10), body, marker)
}
