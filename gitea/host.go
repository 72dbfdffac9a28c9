package gitea

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx"
)

// repoRights are the token scopes listing and cloning need.
const repoRights = "read:organization and read:repository"

// Host lists the repositories of a Gitea organization and mirrors them.
type Host struct {
	host    tandem.CodeHost
	baseURL string
	token   string
	mirrors gitx.Mirrors // this host's folder of bare mirrors
	hc      *http.Client
}

// New returns the host of a gitea CodeHost. getenv resolves the token
// reference (env:NAME); mirrors is the folder where repositories are
// mirrored, one bare mirror per repository at mirrors/<host>/<name>.git.
// A nil hc is http.DefaultClient. It returns EINVALID for a host without
// URL or Org or with a token that does not resolve.
func New(h tandem.CodeHost, getenv func(string) string, mirrors string, hc *http.Client) (*Host, error) {
	base, token, err := h.Endpoint(getenv)
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
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Host{host: h, baseURL: base, token: token, mirrors: gitx.Mirrors(dir), hc: hc}, nil
}

// Repositories lists the organization's repositories, sorted by name,
// leaving out archived ones and forks unless the CodeHost includes them,
// and makes or refreshes the bare mirror of each one's default branch.
// An empty repository or one whose mirror fails is listed Skipped, with
// a Problem that says why, so that it is not taken for gone; an archived
// one or a fork left out is not listed, and so is gone from Tandem. A
// host that cannot be reached is EUNAVAILABLE and a refused token
// EINVALID.
func (h *Host) Repositories(ctx context.Context, only ...string) ([]tandem.Repository, []tandem.Problem, error) {
	c, err := client(ctx, h.baseURL, h.token, h.hc)
	if err != nil {
		return nil, nil, err
	}
	var all []*sdk.Repository
	for page := 1; ; page++ {
		repos, resp, err := c.ListOrgRepos(h.host.Org, sdk.ListOrgReposOptions{ListOptions: sdk.ListOptions{Page: page, PageSize: pageSize}})
		if err != nil {
			return nil, nil, fmt.Errorf("code host %s: %w", h.host.Name, apiError(err, resp, "list repositories of "+h.host.Org, repoRights))
		}
		all = append(all, repos...)
		if len(repos) == 0 || resp.NextPage == 0 {
			break
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })

	var listed []gitx.Listed
	for _, r := range all {
		if !tandem.Selected(r.Name, only) {
			continue
		}
		if (r.Archived && !h.host.Archived) || (r.Fork && !h.host.Forks) {
			continue
		}
		listed = append(listed, gitx.Listed{Name: r.Name, Branch: r.DefaultBranch, URL: h.repoURL(r.Name), Remote: h.remote(r.Name), Empty: r.Empty})
	}
	return h.mirrors.MirrorAll(ctx, listed)
}

// repoURL returns the clone URL of a repository of the organization, built
// from the host's URL so that the token goes to no other server.
func (h *Host) repoURL(name string) string {
	return h.baseURL + "/" + url.PathEscape(h.host.Org) + "/" + url.PathEscape(name) + ".git"
}

// remote returns a repository of the organization as a git remote, its URL
// built from the host's URL so that the token goes to no other server.
func (h *Host) remote(name string) gitx.Remote {
	r := gitx.Remote{URL: h.repoURL(name)}
	if h.token != "" {
		r.Header, r.Secret = "Authorization: token "+h.token, h.token
	}
	return r
}
