package github

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v74/github"

	"github.com/tandem-dev/tandem"
)

// issueRights are the token permissions the tracker needs.
const issueRights = "issues: write"

// Tracker files and follows tickets as the issues of one repository.
type Tracker struct {
	api         endpoint
	owner, name string
}

// NewTracker returns the tracker of the issues of repo ("owner/name") on a
// github CodeHost; getenv resolves the token reference. A nil hc is
// http.DefaultClient. It returns EINVALID for a malformed repo, URL or
// token reference.
func NewTracker(h tandem.CodeHost, repo string, getenv func(string) string, hc *http.Client) (*Tracker, error) {
	api, err := newEndpoint(h, getenv, hc)
	if err != nil {
		return nil, err
	}
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, tandem.Errorf(tandem.EINVALID, "tracker repository %q: want owner/name", repo)
	}
	return &Tracker{api: api, owner: owner, name: name}, nil
}

// Find returns the issue, open or closed, whose body carries marker. It
// reads the issues the token's user opened (GitHub's search index lags
// behind, so a ticket filed a moment ago may not be found there), leaving
// out pull requests.
func (t *Tracker) Find(ctx context.Context, marker string) (tandem.ExternalTicket, bool, error) {
	if marker == "" {
		return tandem.ExternalTicket{}, false, tandem.Errorf(tandem.EINVALID, "find ticket: empty marker")
	}
	c, err := t.api.client()
	if err != nil {
		return tandem.ExternalTicket{}, false, err
	}
	me, _, err := c.Users.Get(ctx, "")
	if err != nil {
		return tandem.ExternalTicket{}, false, apiError(err, "the token's user", issueRights)
	}
	opt := &gh.IssueListByRepoOptions{State: "all", Creator: me.GetLogin(), ListOptions: gh.ListOptions{PerPage: pageSize}}
	for {
		issues, resp, err := c.Issues.ListByRepo(ctx, t.owner, t.name, opt)
		if err != nil {
			return tandem.ExternalTicket{}, false, apiError(err, "list issues of "+t.repo(), issueRights)
		}
		for _, issue := range issues {
			if !issue.IsPullRequest() && strings.Contains(issue.GetBody(), marker) {
				return ticket(issue), true, nil
			}
		}
		if resp.NextPage == 0 {
			return tandem.ExternalTicket{}, false, nil
		}
		opt.ListOptions.Page = resp.NextPage
	}
}

// Create files an issue with labels and returns it. GitHub makes the
// labels the repository lacks.
func (t *Tracker) Create(ctx context.Context, title, body string, labels []string) (tandem.ExternalTicket, error) {
	c, err := t.api.client()
	if err != nil {
		return tandem.ExternalTicket{}, err
	}
	req := &gh.IssueRequest{Title: gh.Ptr(title), Body: gh.Ptr(body)}
	if len(labels) > 0 {
		req.Labels = &labels
	}
	issue, _, err := c.Issues.Create(ctx, t.owner, t.name, req)
	if err != nil {
		return tandem.ExternalTicket{}, apiError(err, "create issue in "+t.repo(), issueRights)
	}
	return ticket(issue), nil
}

// Comment adds body to issue id unless one of its comments carries marker
// already.
func (t *Tracker) Comment(ctx context.Context, id, body, marker string) error {
	number, err := issueNumber(id)
	if err != nil {
		return err
	}
	c, err := t.api.client()
	if err != nil {
		return err
	}
	what := fmt.Sprintf("comments of %s#%d", t.repo(), number)
	opt := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: pageSize}}
	for {
		comments, resp, err := c.Issues.ListComments(ctx, t.owner, t.name, number, opt)
		if err != nil {
			return apiError(err, what, issueRights)
		}
		for _, cm := range comments {
			if marker != "" && strings.Contains(cm.GetBody(), marker) {
				return nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.ListOptions.Page = resp.NextPage
	}
	_, _, err = c.Issues.CreateComment(ctx, t.owner, t.name, number, &gh.IssueComment{Body: gh.Ptr(body)})
	return apiError(err, fmt.Sprintf("comment on %s#%d", t.repo(), number), issueRights)
}

// SetState opens or closes issue id.
func (t *Tracker) SetState(ctx context.Context, id string, open bool) error {
	number, err := issueNumber(id)
	if err != nil {
		return err
	}
	c, err := t.api.client()
	if err != nil {
		return err
	}
	state := "closed"
	if open {
		state = "open"
	}
	_, _, err = c.Issues.Edit(ctx, t.owner, t.name, number, &gh.IssueRequest{State: &state})
	return apiError(err, fmt.Sprintf("set state of %s#%d", t.repo(), number), issueRights)
}

func (t *Tracker) repo() string { return t.owner + "/" + t.name }

// issueNumber returns the issue number id holds, or EINVALID.
func issueNumber(id string) (int, error) {
	n, err := strconv.Atoi(id)
	if err != nil || n <= 0 {
		return 0, tandem.Errorf(tandem.EINVALID, "ticket id %q: want an issue number", id)
	}
	return n, nil
}

func ticket(issue *gh.Issue) tandem.ExternalTicket {
	return tandem.ExternalTicket{ID: strconv.Itoa(issue.GetNumber()), URL: issue.GetHTMLURL(), State: issue.GetState()}
}
