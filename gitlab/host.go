package gitlab

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx"
)

// repoRights and mergeRights are the token scopes listing and cloning, and
// proposing changes, need.
const (
	repoRights  = "read_api and read_repository on the group (Reporter role)"
	mergeRights = "api and write_repository on the project (Developer role)"
)

// Host lists the projects of a GitLab group, mirrors them and opens merge
// requests on them.
type Host struct {
	host    tandem.CodeHost
	api     endpoint
	mirrors gitx.Mirrors // this host's folder of bare mirrors
}

// New returns the host of a gitlab CodeHost, whose Org is the full path of
// a group ("acme" or "acme/platform"). getenv resolves the token reference
// (env:NAME); mirrors is the folder where repositories are mirrored, one
// bare mirror per project at mirrors/<host>/<path>.git. A nil hc is
// http.DefaultClient. It returns EINVALID for a host without URL or Org or
// with a token that does not resolve.
func New(h tandem.CodeHost, getenv func(string) string, mirrors string, hc *http.Client) (*Host, error) {
	api, err := newEndpoint(h, getenv, hc)
	if err != nil {
		return nil, err
	}
	if !validPath(h.Org) {
		return nil, tandem.Errorf(tandem.EINVALID, "code host %s: org %q: want the full path of a group, such as acme or acme/platform", h.Name, h.Org)
	}
	dir, err := h.MirrorDir(mirrors)
	if err != nil {
		return nil, err
	}
	return &Host{host: h, api: api, mirrors: gitx.Mirrors(dir)}, nil
}

// validPath reports whether p is a path of one or more non-empty segments
// separated by '/', none of them "." or "..".
func validPath(p string) bool {
	if p == "" || strings.Contains(p, `\`) {
		return false
	}
	for _, s := range strings.Split(p, "/") {
		if s == "" || s == "." || s == ".." {
			return false
		}
	}
	return true
}

// Repositories lists the group's own projects (not those of its
// subgroups), sorted by path, leaving out archived ones and forks unless
// the CodeHost includes them, and makes or refreshes the bare mirror of
// each one's default branch. An empty project or one whose mirror fails is
// listed Skipped, with a Problem that says why, so that it is not taken
// for gone; an archived one or a fork left out is not listed, and so is
// gone from Tandem. A host that cannot be reached or is rate limited is
// EUNAVAILABLE and a refused token EINVALID.
func (h *Host) Repositories(ctx context.Context, only ...string) ([]tandem.Repository, []tandem.Problem, error) {
	var all []*gl.Project
	opt := &gl.ListGroupProjectsOptions{IncludeSubGroups: gl.Ptr(false), ListOptions: gl.ListOptions{PerPage: pageSize}}
	for {
		projects, resp, err := h.api.api.Groups.ListGroupProjects(h.host.Org, opt, gl.WithContext(ctx))
		if err != nil {
			return nil, nil, fmt.Errorf("code host %s: %w", h.host.Name, apiError(err, "list projects of "+h.host.Org, repoRights))
		}
		all = append(all, projects...)
		if resp.NextPage == 0 {
			break
		}
		opt.ListOptions.Page = resp.NextPage
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Path < all[j].Path })

	var listed []gitx.Listed
	for _, p := range all {
		if !tandem.Selected(p.Path, only) {
			continue
		}
		if (p.Archived && !h.host.Archived) || (p.ForkedFromProject != nil && !h.host.Forks) {
			continue
		}
		listed = append(listed, gitx.Listed{Name: p.Path, Branch: p.DefaultBranch, URL: h.repoURL(p.Path), Remote: h.remote(p.Path), Empty: p.EmptyRepo})
	}
	return h.mirrors.MirrorAll(ctx, listed)
}

// repoURL returns the clone URL of a project of the group, built from the
// host's URL so that the token goes to no other server.
func (h *Host) repoURL(name string) string {
	var b strings.Builder
	b.WriteString(h.api.web)
	for _, s := range strings.Split(h.host.Org, "/") {
		b.WriteString("/" + url.PathEscape(s))
	}
	return b.String() + "/" + url.PathEscape(name) + ".git"
}

// remote returns a repository as a git remote that authenticates with the
// host's token.
func (h *Host) remote(name string) gitx.Remote {
	return gitx.Remote{URL: h.repoURL(name), Header: h.api.header(), Secret: h.api.token}
}

// Propose pushes branch, committed in the codebase's mirror, to the project
// on GitLab and opens a merge request from it into base, or returns the
// merge request already open (or merged) from that branch, so that
// proposing twice opens one.
func (h *Host) Propose(ctx context.Context, codebase, branch, base, title, body string) (tandem.ExternalTicket, error) {
	project := h.host.Org + "/" + codebase
	if err := h.remote(codebase).Push(ctx, h.mirrors.Dir(codebase), branch); err != nil {
		return tandem.ExternalTicket{}, tandem.Errorf(tandem.EUNAVAILABLE, "push %s to %s: %v", branch, project, err)
	}
	c := h.api.api
	what := "merge requests of " + project
	opt := &gl.ListProjectMergeRequestsOptions{State: gl.Ptr("all"), SourceBranch: gl.Ptr(branch), ListOptions: gl.ListOptions{PerPage: pageSize}}
	for {
		mrs, resp, err := c.MergeRequests.ListProjectMergeRequests(project, opt, gl.WithContext(ctx))
		if err != nil {
			return tandem.ExternalTicket{}, apiError(err, what, mergeRights)
		}
		for _, mr := range mrs {
			// A merge request from a fork's branch of the same name is not ours.
			if mr.SourceBranch == branch && mr.SourceProjectID == mr.TargetProjectID && (mr.State == "opened" || mr.State == "merged") {
				return mergeTicket(mr), nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.ListOptions.Page = resp.NextPage
	}
	mr, _, err := c.MergeRequests.CreateMergeRequest(project, &gl.CreateMergeRequestOptions{
		Title: gl.Ptr(title), Description: gl.Ptr(body), SourceBranch: gl.Ptr(branch), TargetBranch: gl.Ptr(base)}, gl.WithContext(ctx))
	if err != nil {
		return tandem.ExternalTicket{}, apiError(err, "merge request on "+project, mergeRights)
	}
	return mergeTicket(&mr.BasicMergeRequest), nil
}

func mergeTicket(mr *gl.BasicMergeRequest) tandem.ExternalTicket {
	return tandem.ExternalTicket{ID: strconv.FormatInt(mr.IID, 10), URL: mr.WebURL, State: state(mr.State), Head: mr.SHA}
}

// state returns GitLab's state of an issue or merge request as Tandem's.
func state(s string) string {
	switch s {
	case "opened":
		return "open"
	case "merged":
		return tandem.ChangeMerged
	}
	return s
}

// PullRequest reads the state of the merge request at url on the
// codebase's project.
func (h *Host) PullRequest(ctx context.Context, codebase, url string) (tandem.ExternalTicket, error) {
	n, err := tandem.PullRequestNumber(url)
	if err != nil {
		return tandem.ExternalTicket{}, err
	}
	mr, _, err := h.api.api.MergeRequests.GetMergeRequest(h.host.Org+"/"+codebase, n, nil, gl.WithContext(ctx))
	if err != nil {
		return tandem.ExternalTicket{}, apiError(err, "merge request "+url, repoRights)
	}
	t := mergeTicket(&mr.BasicMergeRequest)
	if t.State == "open" {
		var author int64
		if mr.Author != nil {
			author = mr.Author.ID
		}
		t.Reviewed, err = h.reviewed(ctx, h.host.Org+"/"+codebase, n, author)
	}
	return t, err
}

// CommentPullRequest adds a note to the merge request at url, once per
// marker.
func (h *Host) CommentPullRequest(ctx context.Context, codebase, url, body, marker string) error {
	n, err := tandem.PullRequestNumber(url)
	if err != nil {
		return err
	}
	project := h.host.Org + "/" + codebase
	c := h.api.api
	what := fmt.Sprintf("notes of %s!%d", project, n)
	opt := &gl.ListMergeRequestNotesOptions{ListOptions: gl.ListOptions{PerPage: pageSize}}
	for {
		notes, resp, err := c.Notes.ListMergeRequestNotes(project, n, opt, gl.WithContext(ctx))
		if err != nil {
			return apiError(err, what, mergeRights)
		}
		for _, note := range notes {
			if strings.Contains(note.Body, marker) {
				return nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.ListOptions.Page = resp.NextPage
	}
	_, _, err = c.Notes.CreateMergeRequestNote(project, n, &gl.CreateMergeRequestNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx))
	return apiError(err, fmt.Sprintf("comment on %s!%d", project, n), mergeRights)
}
