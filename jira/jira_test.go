package jira_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/jira"
)

// The answers below are recorded from the examples of Jira's REST API
// documentation (developer.atlassian.com, REST API v2), trimmed to the
// fields Tandem reads and renamed to the test's project.
const (
	searchPage1 = `{"issues": [
	  {"id": "10002", "key": "PAY-3", "fields": {"description": "Something else", "status": {"name": "To Do", "statusCategory": {"key": "new"}}}}],
	 "nextPageToken": "CAEaAggD", "isLast": false}`
	searchPage2 = `{"issues": [
	  {"id": "10001", "key": "PAY-2", "fields": {"description": "Move to obslog.\n\n<!-- tandem:campaign=logging;team=payments -->", "status": {"name": "Done", "statusCategory": {"key": "done"}}}}],
	 "isLast": true}`
	classicPage1 = `{"startAt": 0, "maxResults": 1, "total": 2, "issues": [
	  {"id": "10002", "key": "PAY-3", "fields": {"description": null, "status": {"statusCategory": {"key": "new"}}}}]}`
	classicPage2 = `{"startAt": 1, "maxResults": 1, "total": 2, "issues": [
	  {"id": "10001", "key": "PAY-2", "fields": {"description": "<!-- tandem:campaign=logging;team=payments -->", "status": {"statusCategory": {"key": "indeterminate"}}}}]}`
	created  = `{"id": "10000", "key": "PAY-24", "self": "https://your-domain.atlassian.net/rest/api/2/issue/10000"}`
	comments = `{"startAt": 0, "maxResults": 100, "total": 1, "comments": [
	  {"id": "10000", "body": "Reminder: 3 targets left.\n<!-- tandem:comment=7 -->", "author": {"displayName": "Tandem"}}]}`
	statusDone  = `{"key": "PAY-2", "fields": {"status": {"name": "Done", "statusCategory": {"key": "done"}}}}`
	statusToDo  = `{"key": "PAY-2", "fields": {"status": {"name": "To Do", "statusCategory": {"key": "new"}}}}`
	transitions = `{"expand": "transitions", "transitions": [
	  {"id": "11", "name": "Start", "to": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}},
	  {"id": "31", "name": "Done", "to": {"name": "Done", "statusCategory": {"key": "done"}}},
	  {"id": "41", "name": "Reopen", "to": {"name": "To Do", "statusCategory": {"key": "new"}}}]}`
	badRequest = `{"errorMessages": [], "errors": {"summary": "You must specify a summary of the issue.", "issuetype": "Specify an issue type"}}`
	notFound   = `{"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}}`
)

type answer struct {
	status int
	body   string
	header map[string]string
}

type call struct {
	Method, Path, Query, Auth string
	Body                      map[string]any
}

// server replays answers per "METHOD /path" (the query string apart from
// the page token or offset ignored), queued, the last one repeating.
type server struct {
	URL    string
	mu     sync.Mutex
	routes map[string][]answer
	calls  []call
}

func newServer(t *testing.T) *server {
	s := &server{routes: make(map[string][]answer)}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization")}
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			if err := json.Unmarshal(b, &c.Body); err != nil {
				t.Errorf("%s %s: body is not JSON: %v", r.Method, r.URL.Path, err)
			}
		}
		key := r.Method + " " + r.URL.Path
		if tok := r.URL.Query().Get("nextPageToken"); tok != "" {
			key += "?nextPageToken=" + tok
		}
		if at := r.URL.Query().Get("startAt"); at != "" && at != "0" {
			key += "?startAt=" + at
		}
		s.mu.Lock()
		s.calls = append(s.calls, c)
		queue := s.routes[key]
		a := answer{status: 404, body: notFound}
		switch len(queue) {
		case 0:
		case 1:
			a = queue[0]
		default:
			a, s.routes[key] = queue[0], queue[1:]
		}
		s.mu.Unlock()
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

func (s *server) on(route string, answers ...answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[route] = append(s.routes[route], answers...)
}

func (s *server) writes() []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []call
	for _, c := range s.calls {
		if c.Method != http.MethodGet {
			out = append(out, c)
		}
	}
	return out
}

func ok(body string) answer { return answer{status: 200, body: body} }

func env(name string) string {
	if name == "JIRA_TOKEN" {
		return "ATATT3xFfGF0"
	}
	return ""
}

func tracker(t *testing.T, s *server, user string) *jira.Tracker {
	t.Helper()
	tr, err := jira.NewTracker(tandem.Tracker{Type: tandem.TrackerJira, URL: s.URL, Project: "PAY", User: user, Token: "env:JIRA_TOKEN"}, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

const marker = "<!-- tandem:campaign=logging;team=payments -->"

func TestFind(t *testing.T) {
	ctx := context.Background()
	t.Run("token-paged search, Jira Cloud", func(t *testing.T) {
		s := newServer(t)
		s.on("GET /rest/api/2/search/jql", ok(searchPage1))
		s.on("GET /rest/api/2/search/jql?nextPageToken=CAEaAggD", ok(searchPage2))
		got, found, err := tracker(t, s, "bot@acme.example").Find(ctx, marker)
		if err != nil || !found {
			t.Fatalf("Find = %v, %v", found, err)
		}
		want := tandem.ExternalTicket{ID: "PAY-2", URL: s.URL + "/browse/PAY-2", State: "closed"}
		if got != want {
			t.Errorf("Find = %+v, want %+v", got, want)
		}
		first := s.calls[0]
		if !strings.Contains(first.Query, "creator+%3D+currentUser%28%29") || !strings.Contains(first.Query, "project+%3D+%22PAY%22") {
			t.Errorf("search query %q: want the project's issues the user created", first.Query)
		}
		if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("bot@acme.example:ATATT3xFfGF0")); first.Auth != want {
			t.Errorf("authorization %q, want basic with the user and API token", first.Auth)
		}
		if _, found, err := tracker(t, s, "").Find(ctx, "<!-- tandem:campaign=other;team=x -->"); found || err != nil {
			t.Errorf("Find(other) = %v, %v, want not found", found, err)
		}
		if last := s.calls[len(s.calls)-1]; last.Auth != "Bearer ATATT3xFfGF0" {
			t.Errorf("without a user the authorization is %q, want a bearer token", last.Auth)
		}
	})
	t.Run("offset-paged search, Jira Data Center", func(t *testing.T) {
		s := newServer(t)
		s.on("GET /rest/api/2/search", ok(classicPage1))
		s.on("GET /rest/api/2/search?startAt=1", ok(classicPage2))
		got, found, err := tracker(t, s, "").Find(ctx, marker)
		if err != nil || !found || got.ID != "PAY-2" || got.State != "open" {
			t.Errorf("Find = %+v, %v, %v, want PAY-2 open", got, found, err)
		}
	})
}

func TestWrites(t *testing.T) {
	ctx := context.Background()
	s := newServer(t)
	s.on("POST /rest/api/2/issue", answer{status: 201, body: created})
	s.on("GET /rest/api/2/issue/PAY-2/comment", ok(comments))
	s.on("POST /rest/api/2/issue/PAY-2/comment", answer{status: 201, body: `{"id": "10001"}`})
	s.on("GET /rest/api/2/issue/PAY-2", ok(statusToDo), ok(statusDone), ok(statusDone), ok(statusToDo))
	s.on("GET /rest/api/2/issue/PAY-2/transitions", ok(transitions))
	s.on("POST /rest/api/2/issue/PAY-2/transitions", answer{status: 204})
	tr := tracker(t, s, "")

	got, err := tr.Create(ctx, "Replace logrus", "Move to obslog.\n\n"+marker, []string{"tandem", "migration:logging"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (tandem.ExternalTicket{ID: "PAY-24", URL: s.URL + "/browse/PAY-24", State: "open"}); got != want {
		t.Errorf("Create = %+v, want %+v", got, want)
	}
	fields, _ := s.writes()[0].Body["fields"].(map[string]any)
	if fields["summary"] != "Replace logrus" || fields["issuetype"].(map[string]any)["name"] != "Task" ||
		fields["project"].(map[string]any)["key"] != "PAY" || len(fields["labels"].([]any)) != 2 {
		t.Errorf("created with %v", fields)
	}

	if err := tr.Comment(ctx, "PAY-2", "Reminder: 3 targets left.\n<!-- tandem:comment=7 -->", "<!-- tandem:comment=7 -->"); err != nil {
		t.Fatal(err)
	}
	if n := len(s.writes()); n != 1 {
		t.Fatalf("a comment whose marker is there was posted again (%d writes)", n)
	}
	if err := tr.Comment(ctx, "PAY-2", "Reminder: 2 targets left.", "<!-- tandem:comment=8 -->"); err != nil {
		t.Fatal(err)
	}
	if w := s.writes(); len(w) != 2 || w[1].Body["body"] != "Reminder: 2 targets left." {
		t.Errorf("writes = %+v, want the new comment", w)
	}

	// To Do → close takes the transition to done; Done → close does
	// nothing; Done → reopen takes the one to a to-do status; To Do →
	// reopen does nothing.
	for _, open := range []bool{false, false, true, true} {
		if err := tr.SetState(ctx, "PAY-2", open); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for _, w := range s.writes()[2:] {
		ids = append(ids, w.Body["transition"].(map[string]any)["id"].(string))
	}
	if got := strings.Join(ids, ","); got != "31,41" {
		t.Errorf("transitions taken = %s, want 31 (Done) then 41 (Reopen)", got)
	}
	if err := tr.SetState(ctx, "payments", true); tandem.ErrorCode(err) != tandem.EINVALID {
		t.Errorf("SetState(payments) = %v, want EINVALID", err)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		answer answer
		code   string
		substr string
	}{
		{"field errors are kept", answer{status: 400, body: badRequest}, tandem.EINVALID,
			"jira answered 400: issuetype: Specify an issue type; summary: You must specify a summary of the issue."},
		{"rate limit says when to retry", answer{status: 429, header: map[string]string{"Retry-After": "30"}}, tandem.EUNAVAILABLE,
			"rate limited: retry after 30s"},
		{"server error", answer{status: 503, body: `{"errorMessages": ["Service Unavailable"]}`}, tandem.EUNAVAILABLE,
			"jira answered 503: Service Unavailable"},
		{"missing project", answer{status: 404, body: notFound}, tandem.ENOTFOUND,
			"Issue does not exist or you do not have permission to see it."},
		{"refused credentials", answer{status: 401, body: ""}, tandem.EINVALID, "refused the credentials (401)"},
		{"an answer that is not JSON", answer{status: 201, body: "<html>login</html>"}, tandem.EUNAVAILABLE, "not the JSON expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t)
			s.on("POST /rest/api/2/issue", tt.answer)
			_, err := tracker(t, s, "").Create(context.Background(), "", "body", nil)
			if tandem.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("Create = %v (%s), want %s containing %q", err, tandem.ErrorCode(err), tt.code, tt.substr)
			}
			if strings.Contains(err.Error(), "ATATT3xFfGF0") {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
	t.Run("bad configuration", func(t *testing.T) {
		for _, c := range []struct {
			tr   tandem.Tracker
			want string
		}{
			{tandem.Tracker{URL: "jira.acme.example", Project: "PAY"}, `url "jira.acme.example"`},
			{tandem.Tracker{URL: "https://jira.acme.example", Project: "pay"}, `project "pay"`},
			{tandem.Tracker{URL: "https://jira.acme.example", Project: "PAY", Token: "env:MISSING"}, "MISSING is not set"},
		} {
			if _, err := jira.NewTracker(c.tr, env, nil); tandem.ErrorCode(err) != tandem.EINVALID || !strings.Contains(err.Error(), c.want) {
				t.Errorf("NewTracker(%+v) = %v, want EINVALID naming %s", c.tr, err, c.want)
			}
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		tr, err := jira.NewTracker(tandem.Tracker{URL: "http://127.0.0.1:1", Project: "PAY"}, env, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := tr.Find(context.Background(), marker); tandem.ErrorCode(err) != tandem.EUNAVAILABLE {
			t.Errorf("Find = %v, want EUNAVAILABLE", err)
		}
	})
}
