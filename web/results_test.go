package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/web"
)

const resultsCatalog = authCatalog + `---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: vet}
spec: {platform: obslog, title: Vet clean, target: {command: [go, vet, ./...], source: ci}}
`

// resultsServer serves resultsCatalog with two codebases, payments-api
// (alice's team) and billing, and returns a token secret for: an admin,
// a viewer, alice (team-member), and a ci token of each codebase.
func resultsServer(t *testing.T) (*web.Server, map[string]string) {
	t.Helper()
	ctx := context.Background()
	srv, db := catalogServer(t, resultsCatalog)
	for _, name := range []string{"payments-api", "billing"} {
		c := tandem.Codebase{Name: name, Host: "local", DefaultBranch: "main", Head: "c1", Contributions: "open"}
		c.Ownership.Codeowners = []string{"@acme/payments"}
		if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{Codebase: c}); err != nil {
			t.Fatal(err)
		}
	}
	tokens := map[string]string{}
	for key, tok := range map[string]tandem.Token{
		"admin":  {Person: "root", Role: tandem.RoleAdmin},
		"viewer": {Person: "victor", Role: tandem.RoleViewer},
		"alice":  {Person: "alice", Role: tandem.RoleTeamMember},
		"ci-a":   {Person: "ci-bot", Role: tandem.RoleCI, Codebase: "payments-api"},
		"ci-b":   {Person: "ci-bot", Role: tandem.RoleCI, Codebase: "billing"},
	} {
		secret := tandem.NewTokenSecret()
		if _, err := db.CreateToken(ctx, tok, tandem.HashToken(secret)); err != nil {
			t.Fatal(err)
		}
		tokens[key] = secret
	}
	return srv, tokens
}

func send(srv http.Handler, secret, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

const vetHolds = `{"commit": "c1", "results": [{"check": "migration/vet/target", "holds": true, "evidence": [{"path": "main.go", "line": 4}]}]}`

// TestPushResultsRefusals: the attacks on the results route and the ci
// role are refused.
func TestPushResultsRefusals(t *testing.T) {
	srv, tokens := resultsServer(t)
	for _, tt := range []struct {
		name, token, method, path, body string
		status                          int
		says                            string
	}{
		{"a ci token pushing for another codebase", "ci-a", "POST", "/api/v1/codebases/billing/results", vetHolds, 403, "may not"},
		{"a ci token pushing for its codebase spelt otherwise", "ci-a", "POST", "/api/v1/codebases/PAYMENTS-API/results", vetHolds, 403, "may not"},
		{"a ci token reading the codebase list", "ci-a", "GET", "/api/v1/codebases", "", 403, "may only push results for codebase payments-api"},
		{"a ci token reading its own codebase", "ci-a", "GET", "/api/v1/codebases/payments-api", "", 403, "may only push"},
		{"a ci token reading tokens", "ci-a", "GET", "/api/v1/tokens", "", 403, "may only push"},
		{"a ci token reading a page", "ci-a", "GET", "/codebases/payments-api", "", 403, ""},
		{"a ci token starting a scan", "ci-a", "POST", "/api/v1/scans", "", 403, "may only push"},
		{"a ci token on an unknown route", "ci-a", "GET", "/api/v1/nothing", "", 403, "may only push"},
		{"a viewer pushing", "viewer", "POST", "/api/v1/codebases/payments-api/results", vetHolds, 403, "may not"},
		{"the owning team-member pushing", "alice", "POST", "/api/v1/codebases/payments-api/results", vetHolds, 403, "may not"},
		{"a pushed check the scan evaluates", "ci-a", "POST", "/api/v1/codebases/payments-api/results",
			`{"commit": "c1", "results": [{"check": "migration/m/target", "holds": false}]}`, 422, `\"migration/m/target\" is no active check of source ci`},
		{"a pushed unknown check", "admin", "POST", "/api/v1/codebases/payments-api/results",
			`{"commit": "c1", "results": [{"check": "migration/ghost/target", "holds": false}]}`, 422, "migration/ghost/target"},
		{"a push without its commit", "ci-a", "POST", "/api/v1/codebases/payments-api/results",
			`{"results": []}`, 422, "commit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := send(srv, tokens[tt.token], tt.method, tt.path, tt.body)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.says) {
				t.Errorf("%s %s = %d %s, want %d saying %q", tt.method, tt.path, rec.Code, rec.Body, tt.status, tt.says)
			}
		})
	}
	// Nor does it sign a browser in.
	req := httptest.NewRequest("POST", "/signin", strings.NewReader("token="+tokens["ci-a"]))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || len(rec.Result().Cookies()) != 0 {
		t.Errorf("signing in with a ci token = %d, cookies %v; want 403 and none", rec.Code, rec.Result().Cookies())
	}

	// Nothing of those was recorded.
	rec = send(srv, tokens["viewer"], "GET", "/api/v1/codebases/payments-api", "")
	var views []struct {
		Results []tandem.CheckResult `json:"results"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &views); err != nil || len(views) != 1 || len(views[0].Results) != 0 {
		t.Errorf("results after refusals = %s, want none", rec.Body)
	}
}

// TestPushResults: a ci token's push at the head is current and shown,
// with its commit and source, in the API and on the page; a push for
// another commit is history only; an admin may push too.
func TestPushResults(t *testing.T) {
	srv, tokens := resultsServer(t)
	rec := send(srv, tokens["ci-a"], "POST", "/api/v1/codebases/payments-api/results", vetHolds)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"current": true`) {
		t.Fatalf("push = %d %s, want 200 and current", rec.Code, rec.Body)
	}
	older := strings.ReplaceAll(strings.ReplaceAll(vetHolds, `"c1"`, `"c0"`), `"holds": true`, `"holds": false`)
	if rec := send(srv, tokens["ci-a"], "POST", "/api/v1/codebases/payments-api/results", older); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"current": false`) {
		t.Fatalf("older push = %d %s, want 200 and not current", rec.Code, rec.Body)
	}
	if rec := send(srv, tokens["admin"], "POST", "/api/v1/codebases/billing/results", vetHolds); rec.Code != 200 {
		t.Errorf("admin push = %d %s", rec.Code, rec.Body)
	}

	rec = send(srv, tokens["viewer"], "GET", "/api/v1/codebases/payments-api", "")
	var views []struct {
		Name    string               `json:"name"`
		Results []tandem.CheckResult `json:"results"`
		Pushed  []tandem.CheckResult `json:"pushed"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &views); err != nil || len(views) != 1 {
		t.Fatalf("GET codebase = %d %s: %v", rec.Code, rec.Body, err)
	}
	rs := views[0].Results
	if len(rs) != 1 || rs[0].Check != "migration/vet/target" || !rs[0].Holds || rs[0].Commit != "c1" || rs[0].Source != tandem.SourceCI ||
		len(rs[0].Evidence) != 1 || rs[0].Evidence[0] != (tandem.Match{Path: "main.go", Line: 4}) {
		t.Errorf("results = %+v, want vet's at c1 from ci", rs)
	}
	if p := views[0].Pushed; len(p) != 2 || p[0].Commit != "c0" || p[0].Holds || p[1].Commit != "c1" {
		t.Errorf("pushed = %+v, want c0's then c1's", p)
	}
	rec = send(srv, tokens["viewer"], "GET", "/codebases/payments-api", "")
	if body := rec.Body.String(); rec.Code != 200 || !strings.Contains(body, "from CI at <code>c1</code>") ||
		!strings.Contains(body, "<code>c0</code> <span class=\"muted\">history: not the head</span>") {
		t.Errorf("codebase page = %d, want vet from CI at c1, and c0's push as history:\n%s", rec.Code, body)
	}
	rec = send(srv, tokens["viewer"], "GET", "/api/v1/campaigns/vet/targets", "")
	if !strings.Contains(rec.Body.String(), `"payments-api"`) {
		t.Errorf("vet targets = %s, want payments-api from the push", rec.Body)
	}
}
