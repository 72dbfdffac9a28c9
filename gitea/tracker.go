package gitea

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/tandem-dev/tandem"
)

// issueRights are the token scopes the tracker needs.
const issueRights = "write:issue and read:repository"

// labelColor is the color of the labels the tracker creates.
const labelColor = "#5319e7"

// Tracker files and follows tickets as the issues of one repository.
type Tracker struct {
	baseURL     string
	owner, name string
	token       string
	hc          *http.Client
}

// NewTracker returns the tracker of the issues of repo ("owner/name") on a
// gitea CodeHost; getenv resolves the token reference. A nil hc is
// http.DefaultClient. It returns EINVALID for a malformed repo, URL or
// token reference.
func NewTracker(h tandem.CodeHost, repo string, getenv func(string) string, hc *http.Client) (*Tracker, error) {
	base, token, err := h.Endpoint(getenv)
	if err != nil {
		return nil, err
	}
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, tandem.Errorf(tandem.EINVALID, "tracker repository %q: want owner/name", repo)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Tracker{baseURL: base, owner: owner, name: name, token: token, hc: hc}, nil
}

// Find returns the issue, open or closed, whose body carries marker. It
// asks Gitea's issue search for a distinctive part of the marker and
// confirms on the bodies; when the search finds nothing (its index may lag
// behind), it reads the issues the token's user wrote.
func (t *Tracker) Find(ctx context.Context, marker string) (tandem.ExternalTicket, bool, error) {
	if marker == "" {
		return tandem.ExternalTicket{}, false, tandem.Errorf(tandem.EINVALID, "find ticket: empty marker")
	}
	c, err := client(ctx, t.baseURL, t.token, t.hc)
	if err != nil {
		return tandem.ExternalTicket{}, false, err
	}
	opt := sdk.ListIssueOption{State: sdk.StateAll, Type: sdk.IssueTypeIssue, KeyWord: searchTerm(marker)}
	if issue, err := t.scan(c, opt, marker); issue != nil || err != nil {
		return ticket(issue), issue != nil, err
	}
	opt.KeyWord = ""
	if me, _, err := c.GetMyUserInfo(); err == nil {
		opt.CreatedBy = me.UserName
	}
	issue, err := t.scan(c, opt, marker)
	return ticket(issue), issue != nil, err
}

// scan returns the first issue opt lists whose body contains marker, or nil.
func (t *Tracker) scan(c *sdk.Client, opt sdk.ListIssueOption, marker string) (*sdk.Issue, error) {
	for page := 1; ; page++ {
		opt.ListOptions = sdk.ListOptions{Page: page, PageSize: pageSize}
		issues, resp, err := c.ListRepoIssues(t.owner, t.name, opt)
		if err != nil {
			return nil, apiError(err, resp, "search issues of "+t.repo(), issueRights)
		}
		for _, issue := range issues {
			if strings.Contains(issue.Body, marker) {
				return issue, nil
			}
		}
		if len(issues) == 0 || resp.NextPage == 0 {
			return nil, nil
		}
	}
}

// searchTerm returns the part of marker the issue search looks for: what
// follows an HTML comment's "<!--" up to the first ";", the most
// distinctive words of a marker like "<!-- tandem:campaign=x;team=y -->".
func searchTerm(marker string) string {
	s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(marker), "<!--"))
	s, _, _ = strings.Cut(s, ";")
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "-->"))
	if s == "" {
		return marker
	}
	return s
}

// Create files an issue with labels, creating the labels the repository
// lacks, and returns it.
func (t *Tracker) Create(ctx context.Context, title, body string, labels []string) (tandem.ExternalTicket, error) {
	c, err := client(ctx, t.baseURL, t.token, t.hc)
	if err != nil {
		return tandem.ExternalTicket{}, err
	}
	ids, err := t.labelIDs(c, labels)
	if err != nil {
		return tandem.ExternalTicket{}, err
	}
	issue, resp, err := c.CreateIssue(t.owner, t.name, sdk.CreateIssueOption{Title: title, Body: body, Labels: ids})
	if err != nil {
		return tandem.ExternalTicket{}, apiError(err, resp, "create issue in "+t.repo(), issueRights)
	}
	return ticket(issue), nil
}

// labelIDs returns the ids of the named labels of the repository, creating
// the missing ones.
func (t *Tracker) labelIDs(c *sdk.Client, names []string) ([]int64, error) {
	if len(names) == 0 {
		return nil, nil
	}
	existing := make(map[string]int64)
	for page := 1; ; page++ {
		labels, resp, err := c.ListRepoLabels(t.owner, t.name, sdk.ListLabelsOptions{ListOptions: sdk.ListOptions{Page: page, PageSize: pageSize}})
		if err != nil {
			return nil, apiError(err, resp, "list labels of "+t.repo(), issueRights)
		}
		for _, l := range labels {
			existing[l.Name] = l.ID
		}
		if len(labels) == 0 || resp.NextPage == 0 {
			break
		}
	}
	var ids []int64
	for _, name := range names {
		id, ok := existing[name]
		if !ok {
			l, resp, err := c.CreateLabel(t.owner, t.name, sdk.CreateLabelOption{Name: name, Color: labelColor})
			if err != nil {
				return nil, apiError(err, resp, fmt.Sprintf("create label %q in %s", name, t.repo()), issueRights)
			}
			id = l.ID
			existing[name] = id
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Comment adds body to issue id unless one of its comments carries marker
// already.
func (t *Tracker) Comment(ctx context.Context, id, body, marker string) error {
	index, err := issueIndex(id)
	if err != nil {
		return err
	}
	c, err := client(ctx, t.baseURL, t.token, t.hc)
	if err != nil {
		return err
	}
	for page := 1; ; page++ {
		comments, resp, err := c.ListIssueComments(t.owner, t.name, index, sdk.ListIssueCommentOptions{ListOptions: sdk.ListOptions{Page: page, PageSize: pageSize}})
		if err != nil {
			return apiError(err, resp, fmt.Sprintf("list comments of %s#%d", t.repo(), index), issueRights)
		}
		for _, cm := range comments {
			if marker != "" && strings.Contains(cm.Body, marker) {
				return nil
			}
		}
		if len(comments) == 0 || resp.NextPage == 0 {
			break
		}
	}
	_, resp, err := c.CreateIssueComment(t.owner, t.name, index, sdk.CreateIssueCommentOption{Body: body})
	return apiError(err, resp, fmt.Sprintf("comment on %s#%d", t.repo(), index), issueRights)
}

// SetState opens or closes issue id.
func (t *Tracker) SetState(ctx context.Context, id string, open bool) error {
	index, err := issueIndex(id)
	if err != nil {
		return err
	}
	c, err := client(ctx, t.baseURL, t.token, t.hc)
	if err != nil {
		return err
	}
	state := sdk.StateClosed
	if open {
		state = sdk.StateOpen
	}
	_, resp, err := c.EditIssue(t.owner, t.name, index, sdk.EditIssueOption{State: &state})
	return apiError(err, resp, fmt.Sprintf("set state of %s#%d", t.repo(), index), issueRights)
}

func (t *Tracker) repo() string { return t.owner + "/" + t.name }

// issueIndex returns the issue number id holds, or EINVALID.
func issueIndex(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, tandem.Errorf(tandem.EINVALID, "ticket id %q: want an issue number", id)
	}
	return n, nil
}

// ticket returns issue as the tracker's ticket, the zero ticket for nil.
func ticket(issue *sdk.Issue) tandem.ExternalTicket {
	if issue == nil {
		return tandem.ExternalTicket{}
	}
	return tandem.ExternalTicket{ID: strconv.FormatInt(issue.Index, 10), URL: issue.HTMLURL, State: string(issue.State)}
}
