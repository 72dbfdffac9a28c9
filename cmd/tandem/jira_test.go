package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// jiraProject is a Jira project's REST API (v2) as its documentation
// describes it, holding issues in memory: create, token-paged search,
// comments. Jira cannot run here, so this stands in for it.
type jiraProject struct {
	mu     sync.Mutex
	issues []map[string]any
	posts  int
}

func (j *jiraProject) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	j.mu.Lock()
	defer j.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "Bearer pat-123" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/rest/api/2/issue":
		var in struct {
			Fields map[string]any `json:"fields"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		j.posts++
		key := fmt.Sprintf("PAY-%d", len(j.issues)+1)
		in.Fields["status"] = map[string]any{"statusCategory": map[string]string{"key": "new"}}
		j.issues = append(j.issues, map[string]any{"key": key, "fields": in.Fields})
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]string{"id": "1000", "key": key})
	case r.Method == http.MethodGet && r.URL.Path == "/rest/api/2/search/jql":
		json.NewEncoder(w).Encode(map[string]any{"issues": j.issues, "isLast": true})
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errorMessages": ["not found"], "errors": {}}`)
	}
}

// TestJiraTracker launches a campaign for a team whose tracker is a Jira
// project: the ticket is filed there once, however often the campaign is
// launched, and Tandem's ticket links to it.
func TestJiraTracker(t *testing.T) {
	t.Parallel()
	jira := &jiraProject{}
	js := httptest.NewServer(jira)
	t.Cleanup(js.Close)

	catalog, _ := campaignFleet(t)
	writeFile(t, filepath.Join(catalog, "payments.yaml"), `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, tracker: {type: jira, url: "`+js.URL+`", project: PAY, token: env:JIRA_TOKEN}}
`)
	writeFile(t, filepath.Join(catalog, "catalog.yaml"), strings.Replace(readFile(t, filepath.Join(catalog, "catalog.yaml")),
		"apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: payments}\nspec: {type: stream-aligned, members: [alice]}\n---\n", "", 1))
	url := startServerEnv(t, sqlstoretest.SQLite(t), map[string]string{"JIRA_TOKEN": "pat-123"})
	for _, args := range [][]string{{"apply", "-f", catalog}, {"scan", "--wait"}, {"campaign", "launch", "logrus-to-obslog"}, {"campaign", "launch", "logrus-to-obslog"}} {
		if code, _, errOut := tandemCLI(t, url, args...); code != 0 {
			t.Fatalf("%v exited %d: %s", args, code, errOut)
		}
	}
	jira.mu.Lock()
	issues, posts := jira.issues, jira.posts
	jira.mu.Unlock()
	if posts != 1 || len(issues) != 1 {
		t.Fatalf("Jira holds %d issues after %d creates, want 1", len(issues), posts)
	}
	fields := issues[0]["fields"].(map[string]any)
	if fields["summary"] != "Move payments off logrus" || !strings.Contains(fields["description"].(string), "<!-- tandem:campaign=logrus-to-obslog;team=payments -->") ||
		fields["issuetype"].(map[string]any)["name"] != "Task" {
		t.Errorf("the Jira issue = %v", fields)
	}
	var tickets []tandem.Ticket
	getJSON(t, url, &tickets, "get", "tickets", "-o", "json")
	var linked []string
	for _, tk := range tickets {
		if tk.RemoteID != "" {
			linked = append(linked, tk.Team+"="+tk.RemoteID+" "+tk.URL)
		}
	}
	if got, want := strings.Join(linked, ","), "payments=PAY-1 "+js.URL+"/browse/PAY-1"; got != want {
		t.Errorf("linked tickets = %s, want %s", got, want)
	}
}
