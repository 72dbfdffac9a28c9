package gitlab

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/tandem-dev/tandem"
)

// issueRights are the token scopes the tracker needs.
const issueRights = "api on the project (Reporter role)"

// Tracker files and follows tickets as the issues of one project.
type Tracker struct {
	api     endpoint
	project string // full path, group/[subgroup/]project
}

// NewTracker returns the tracker of the issues of repo ("group/project",
// the group possibly with subgroups) on a gitlab CodeHost; getenv resolves
// the token reference. A nil hc is http.DefaultClient. It returns EINVALID
// for a malformed repo, URL or token reference.
func NewTracker(h tandem.CodeHost, repo string, getenv func(string) string, hc *http.Client) (*Tracker, error) {
	api, err := newEndpoint(h, getenv, hc)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(repo, "/") || !validPath(repo) {
		return nil, tandem.Errorf(tandem.EINVALID, "tracker project %q: want group/project", repo)
	}
	return &Tracker{api: api, project: repo}, nil
}

// Find returns the issue, open or closed, whose description carries
// marker. It reads the issues the token's user opened.
func (t *Tracker) Find(ctx context.Context, marker string) (tandem.ExternalTicket, bool, error) {
	if marker == "" {
		return tandem.ExternalTicket{}, false, tandem.Errorf(tandem.EINVALID, "find ticket: empty marker")
	}
	c := t.api.api
	me, _, err := c.Users.CurrentUser(gl.WithContext(ctx))
	if err != nil {
		return tandem.ExternalTicket{}, false, apiError(err, "the token's user", issueRights)
	}
	opt := &gl.ListProjectIssuesOptions{AuthorID: gl.Ptr(me.ID), Scope: gl.Ptr("all"), ListOptions: gl.ListOptions{PerPage: pageSize}}
	for {
		issues, resp, err := c.Issues.ListProjectIssues(t.project, opt, gl.WithContext(ctx))
		if err != nil {
			return tandem.ExternalTicket{}, false, apiError(err, "list issues of "+t.project, issueRights)
		}
		for _, issue := range issues {
			if strings.Contains(issue.Description, marker) {
				return ticket(issue), true, nil
			}
		}
		if resp.NextPage == 0 {
			return tandem.ExternalTicket{}, false, nil
		}
		opt.ListOptions.Page = resp.NextPage
	}
}

// Create files an issue with labels and returns it. GitLab makes the
// labels the project lacks.
func (t *Tracker) Create(ctx context.Context, title, body string, labels []string) (tandem.ExternalTicket, error) {
	opt := &gl.CreateIssueOptions{Title: gl.Ptr(title), Description: gl.Ptr(body)}
	if len(labels) > 0 {
		opt.Labels = gl.Ptr(gl.LabelOptions(labels))
	}
	issue, _, err := t.api.api.Issues.CreateIssue(t.project, opt, gl.WithContext(ctx))
	if err != nil {
		return tandem.ExternalTicket{}, apiError(err, "create issue in "+t.project, issueRights)
	}
	return ticket(issue), nil
}

// Comment adds body to issue id as a note unless one of its notes carries
// marker already.
func (t *Tracker) Comment(ctx context.Context, id, body, marker string) error {
	iid, err := issueIID(id)
	if err != nil {
		return err
	}
	c := t.api.api
	what := fmt.Sprintf("notes of %s#%d", t.project, iid)
	opt := &gl.ListIssueNotesOptions{ListOptions: gl.ListOptions{PerPage: pageSize}}
	for {
		notes, resp, err := c.Notes.ListIssueNotes(t.project, iid, opt, gl.WithContext(ctx))
		if err != nil {
			return apiError(err, what, issueRights)
		}
		for _, n := range notes {
			if marker != "" && strings.Contains(n.Body, marker) {
				return nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.ListOptions.Page = resp.NextPage
	}
	_, _, err = c.Notes.CreateIssueNote(t.project, iid, &gl.CreateIssueNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx))
	return apiError(err, fmt.Sprintf("comment on %s#%d", t.project, iid), issueRights)
}

// SetState reopens or closes issue id.
func (t *Tracker) SetState(ctx context.Context, id string, open bool) error {
	iid, err := issueIID(id)
	if err != nil {
		return err
	}
	event := "close"
	if open {
		event = "reopen"
	}
	_, _, err = t.api.api.Issues.UpdateIssue(t.project, iid, &gl.UpdateIssueOptions{StateEvent: gl.Ptr(event)}, gl.WithContext(ctx))
	return apiError(err, fmt.Sprintf("set state of %s#%d", t.project, iid), issueRights)
}

// issueIID returns the project-scoped issue number id holds, or EINVALID.
func issueIID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, tandem.Errorf(tandem.EINVALID, "ticket id %q: want an issue number", id)
	}
	return n, nil
}

func ticket(issue *gl.Issue) tandem.ExternalTicket {
	return tandem.ExternalTicket{ID: strconv.FormatInt(issue.IID, 10), URL: issue.WebURL, State: state(issue.State)}
}
