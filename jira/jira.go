// Package jira files and follows a team's tickets as the issues of a Jira
// project, through Jira's REST API (version 2, which Jira Cloud and Jira
// Data Center both serve, with plain-text descriptions and comments).
//
// It speaks HTTP itself: the handful of calls it makes do not earn a
// client library, and the Go Jira clients lag behind Jira Cloud's move to
// token-paged search.
package jira

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tandem-dev/tandem"
)

// pageSize is the number of issues or comments asked for per page.
const pageSize = 100

// projectKey is the form of a Jira project key.
var projectKey = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,9}$`)

// Tracker files and follows tickets as the issues of one Jira project.
type Tracker struct {
	base      string // the site's URL without a trailing slash
	project   string
	issueType string
	auth      string // the Authorization header
	hc        *http.Client
}

// NewTracker returns the tracker of a jira Tracker; getenv resolves the
// token reference. With a User the token is a Jira Cloud API token sent by
// basic authentication; without, a Data Center personal access token sent
// as a bearer token. The issue type defaults to Task. A nil hc is
// http.DefaultClient. It returns EINVALID for a malformed URL, project key
// or token reference.
func NewTracker(t tandem.Tracker, getenv func(string) string, hc *http.Client) (*Tracker, error) {
	base, err := tandem.BaseURL("jira tracker", t.URL)
	if err != nil {
		return nil, err
	}
	if !projectKey.MatchString(t.Project) {
		return nil, tandem.Errorf(tandem.EINVALID, "jira tracker: project %q: want a project key such as PAY", t.Project)
	}
	token, err := tandem.ResolveSecret(t.Token, getenv)
	if err != nil {
		return nil, fmt.Errorf("jira tracker %s: %w", t.Project, err)
	}
	auth := ""
	switch {
	case token != "" && t.User != "":
		auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(t.User+":"+token))
	case token != "":
		auth = "Bearer " + token
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	issueType := t.IssueType
	if issueType == "" {
		issueType = "Task"
	}
	return &Tracker{base: base, project: t.Project, issueType: issueType, auth: auth, hc: hc}, nil
}

// issue is what Tandem reads of a Jira issue.
type issue struct {
	Key    string `json:"key"`
	Fields struct {
		Description string `json:"description"`
		Status      struct {
			StatusCategory struct {
				Key string `json:"key"` // new | indeterminate | done
			} `json:"statusCategory"`
		} `json:"status"`
	} `json:"fields"`
}

func (t *Tracker) ticket(i issue) tandem.ExternalTicket {
	state := "open"
	if i.Fields.Status.StatusCategory.Key == "done" {
		state = "closed"
	}
	return tandem.ExternalTicket{ID: i.Key, URL: t.base + "/browse/" + i.Key, State: state}
}

// Find returns the issue, open or closed, whose description carries
// marker, among the issues of the project the token's user created. It
// pages with Jira Cloud's token-paged search and falls back to the classic
// search on servers that lack it.
func (t *Tracker) Find(ctx context.Context, marker string) (tandem.ExternalTicket, bool, error) {
	if marker == "" {
		return tandem.ExternalTicket{}, false, tandem.Errorf(tandem.EINVALID, "find ticket: empty marker")
	}
	jql := fmt.Sprintf(`project = "%s" AND creator = currentUser() ORDER BY created DESC`, t.project)
	q := url.Values{"jql": {jql}, "fields": {"description,status"}, "maxResults": {strconv.Itoa(pageSize)}}
	for token := ""; ; {
		if token != "" {
			q.Set("nextPageToken", token)
		}
		var page struct {
			Issues        []issue `json:"issues"`
			NextPageToken string  `json:"nextPageToken"`
			IsLast        bool    `json:"isLast"`
		}
		err := t.call(ctx, http.MethodGet, "/rest/api/2/search/jql?"+q.Encode(), nil, &page)
		if tandem.ErrorCode(err) == tandem.ENOTFOUND && token == "" {
			return t.findClassic(ctx, jql, marker)
		}
		if err != nil {
			return tandem.ExternalTicket{}, false, err
		}
		if i, ok := withMarker(page.Issues, marker); ok {
			return t.ticket(i), true, nil
		}
		if page.IsLast || page.NextPageToken == "" {
			return tandem.ExternalTicket{}, false, nil
		}
		token = page.NextPageToken
	}
}

// findClassic is Find over the offset-paged search of Jira Data Center.
func (t *Tracker) findClassic(ctx context.Context, jql, marker string) (tandem.ExternalTicket, bool, error) {
	q := url.Values{"jql": {jql}, "fields": {"description,status"}, "maxResults": {strconv.Itoa(pageSize)}}
	for start := 0; ; {
		q.Set("startAt", strconv.Itoa(start))
		var page struct {
			Issues []issue `json:"issues"`
			Total  int     `json:"total"`
		}
		if err := t.call(ctx, http.MethodGet, "/rest/api/2/search?"+q.Encode(), nil, &page); err != nil {
			return tandem.ExternalTicket{}, false, err
		}
		if i, ok := withMarker(page.Issues, marker); ok {
			return t.ticket(i), true, nil
		}
		start += len(page.Issues)
		if len(page.Issues) == 0 || start >= page.Total {
			return tandem.ExternalTicket{}, false, nil
		}
	}
}

func withMarker(issues []issue, marker string) (issue, bool) {
	for _, i := range issues {
		if strings.Contains(i.Fields.Description, marker) {
			return i, true
		}
	}
	return issue{}, false
}

// Create files an issue of the tracker's type with labels and returns it.
func (t *Tracker) Create(ctx context.Context, title, body string, labels []string) (tandem.ExternalTicket, error) {
	fields := map[string]any{
		"project":     map[string]string{"key": t.project},
		"issuetype":   map[string]string{"name": t.issueType},
		"summary":     title,
		"description": body,
	}
	if len(labels) > 0 {
		fields["labels"] = labels
	}
	var created struct {
		Key string `json:"key"`
	}
	if err := t.call(ctx, http.MethodPost, "/rest/api/2/issue", map[string]any{"fields": fields}, &created); err != nil {
		return tandem.ExternalTicket{}, err
	}
	return tandem.ExternalTicket{ID: created.Key, URL: t.base + "/browse/" + created.Key, State: "open"}, nil
}

// Comment adds body to issue id unless one of its comments carries marker
// already.
func (t *Tracker) Comment(ctx context.Context, id, body, marker string) error {
	path, err := issuePath(id)
	if err != nil {
		return err
	}
	for start := 0; marker != ""; {
		var page struct {
			Comments []struct {
				Body string `json:"body"`
			} `json:"comments"`
			Total int `json:"total"`
		}
		if err := t.call(ctx, http.MethodGet, fmt.Sprintf("%s/comment?startAt=%d&maxResults=%d", path, start, pageSize), nil, &page); err != nil {
			return err
		}
		for _, c := range page.Comments {
			if strings.Contains(c.Body, marker) {
				return nil
			}
		}
		start += len(page.Comments)
		if len(page.Comments) == 0 || start >= page.Total {
			break
		}
	}
	return t.call(ctx, http.MethodPost, path+"/comment", map[string]string{"body": body}, nil)
}

// SetState moves issue id to a done status (closed) or back to a to-do
// one (open) through the first transition of its workflow that leads
// there. An issue already in such a status is left alone.
func (t *Tracker) SetState(ctx context.Context, id string, open bool) error {
	path, err := issuePath(id)
	if err != nil {
		return err
	}
	var current issue
	if err := t.call(ctx, http.MethodGet, path+"?fields=status", nil, &current); err != nil {
		return err
	}
	if isDone := current.Fields.Status.StatusCategory.Key == "done"; isDone != open {
		return nil
	}
	var list struct {
		Transitions []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			To   struct {
				StatusCategory struct {
					Key string `json:"key"`
				} `json:"statusCategory"`
			} `json:"to"`
		} `json:"transitions"`
	}
	if err := t.call(ctx, http.MethodGet, path+"/transitions", nil, &list); err != nil {
		return err
	}
	want := []string{"done"}
	if open {
		want = []string{"new", "indeterminate"}
	}
	for _, category := range want {
		for _, tr := range list.Transitions {
			if tr.To.StatusCategory.Key == category {
				return t.call(ctx, http.MethodPost, path+"/transitions", map[string]any{"transition": map[string]string{"id": tr.ID}}, nil)
			}
		}
	}
	verb := "close"
	if open {
		verb = "reopen"
	}
	return tandem.Errorf(tandem.EINVALID, "jira issue %s: its workflow offers no transition to %s it", id, verb)
}

// issuePath returns the API path of issue key, or EINVALID.
func issuePath(key string) (string, error) {
	project, number, ok := strings.Cut(key, "-")
	if _, err := strconv.Atoi(number); !ok || err != nil || !projectKey.MatchString(project) {
		return "", tandem.Errorf(tandem.EINVALID, "ticket id %q: want a Jira issue key such as PAY-12", key)
	}
	return "/rest/api/2/issue/" + key, nil
}

// call sends a JSON request and decodes the answer into out (when not
// nil), returning Jira's error messages as a *tandem.Error.
func (t *Tracker) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.base+path, body)
	if err != nil {
		return tandem.Errorf(tandem.EINVALID, "jira %s %s: %v", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if t.auth != "" {
		req.Header.Set("Authorization", t.auth)
	}
	what := method + " " + strings.SplitN(path, "?", 2)[0]
	resp, err := t.hc.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("jira %s: %w", what, err)
		}
		return tandem.Errorf(tandem.EUNAVAILABLE, "jira %s: unreachable: %v", what, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return tandem.Errorf(tandem.EUNAVAILABLE, "jira %s: %v", what, err)
	}
	if resp.StatusCode >= 300 {
		return statusError(resp, b, what)
	}
	if out == nil || len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return tandem.Errorf(tandem.EUNAVAILABLE, "jira %s: answer is not the JSON expected: %v", what, err)
	}
	return nil
}

// statusError turns an error answer into a *tandem.Error carrying Jira's
// messages: 429 is EUNAVAILABLE saying when to retry, and other statuses
// as tandem.StatusError says.
func statusError(resp *http.Response, body []byte, what string) error {
	var e struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
	}
	_ = json.Unmarshal(body, &e)
	msgs := e.ErrorMessages
	for _, field := range slices.Sorted(maps.Keys(e.Errors)) {
		msgs = append(msgs, field+": "+e.Errors[field])
	}
	msg := strings.Join(msgs, "; ")
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		wait := resp.Header.Get("Retry-After")
		if wait == "" {
			wait = "a while"
		} else {
			wait += "s"
		}
		return tandem.Errorf(tandem.EUNAVAILABLE, "jira %s: rate limited: retry after %s", what, wait)
	}
	return tandem.StatusError("jira", resp.StatusCode, "jira "+what, msg, tandem.Refusal{
		NotFound:     ": " + msg,
		Unauthorized: "jira refused the credentials (401): check the user and token",
		Forbidden:    "not allowed (403): the account needs to browse, create and transition issues in the project: " + msg,
	})
}
