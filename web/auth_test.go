package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/web"
)

const authCatalog = `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, members: [alice], aliases: ["@acme/payments"]}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: observability}
spec: {type: platform, members: [carol, olga]}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec: {owner: observability}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: m}
spec: {platform: obslog, title: Replace logrus, target: {path: "**/*.go", contains: logrus}}
`

// authServer serves a small catalog: payments (alice) owns payments-api,
// observability (carol, olga) owns the obslog platform and its migration
// m. It returns the server and a token secret per role.
func authServer(t *testing.T) (*web.Server, map[string]string) {
	t.Helper()
	ctx := context.Background()
	srv, db := catalogServer(t, authCatalog)
	results := []tandem.CheckResult{{Check: tandem.CheckID("migration", "m", tandem.RoleTarget), Commit: "c1", Holds: true,
		Evidence: []tandem.Match{{Path: "main.go", Line: 3}}}}
	c := tandem.Codebase{Name: "payments-api", Host: "local", DefaultBranch: "main", Head: "c1", Contributions: "open"}
	c.Ownership.Codeowners = []string{"@acme/payments"}
	if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{Codebase: c, Results: results}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordContribution(ctx, tandem.Contribution{Codebase: "payments-api", Author: "carol", Title: "Faster logs"}); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	// Tokens 1 to 4 in the order of tandem.Roles, and a spare viewer's, 5.
	for i, person := range []string{"root", "carol", "alice", "victor", "olga"} {
		role, key := tandem.RoleViewer, "spare"
		if i < len(tandem.Roles) {
			role, key = tandem.Roles[i], tandem.Roles[i]
		}
		secret := tandem.NewTokenSecret()
		if _, err := db.CreateToken(ctx, tandem.Token{Person: person, Role: role}, tandem.HashToken(secret)); err != nil {
			t.Fatal(err)
		}
		tokens[key] = secret
	}
	return srv, tokens
}

// TestRoleMatrix sends every request that changes something with no
// token and with each role's: without a token it is 401, for a role that
// may not 403 from the route's guard, and for one that may it reaches its
// handler. carol is a
// platform-owner in observability, alice a team-member of payments.
func TestRoleMatrix(t *testing.T) {
	srv, tokens := authServer(t)
	const (
		admin = tandem.RoleAdmin
		owner = tandem.RolePlatformOwner
		team  = tandem.RoleTeamMember
	)
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	cases := []struct {
		route string // as routes.go registers it
		path  string
		body  string     // JSON, for the API
		form  url.Values // for the pages
		may   []string
	}{
		{"POST /api/v1/apply", "/api/v1/apply", `{"files": []}`, nil, []string{admin}},
		{"POST /api/v1/campaigns/{name}/launch", "/api/v1/campaigns/m/launch", `{}`, nil, []string{admin, owner}},
		{"POST /api/v1/campaigns/{name}/escalate", "/api/v1/campaigns/m/escalate", `{}`, nil, []string{admin, owner}},
		{"POST /api/v1/campaigns/{name}/approve", "/api/v1/campaigns/m/approve", `{"codebase": "payments-api"}`, nil, []string{admin, team}},
		{"POST /api/v1/campaigns/{name}/exempt", "/api/v1/campaigns/m/exempt", `{"codebase": "payments-api", "reason": "frozen", "until": "2027-01-01"}`, nil, []string{admin, owner, team}},
		{"POST /api/v1/campaigns/{name}/unexempt", "/api/v1/campaigns/m/unexempt", `{"codebase": "payments-api"}`, nil, []string{admin, owner, team}},
		{"POST /api/v1/campaigns/{name}/adopt", "/api/v1/campaigns/m/adopt", `{"codebase": "payments-api", "ticket": "https://jira.example/PAY-1"}`, nil, []string{admin, owner, team}},
		{"POST /api/v1/engagements", "/api/v1/engagements", `{"type": "tour-of-duty", "person": "carol", "home_team": "observability", "host_team": "payments"}`, nil, []string{admin, owner, team}},
		{"POST /api/v1/engagements/{id}/log", "/api/v1/engagements/1/log", `{"hours": 2, "category": "platform"}`, nil, []string{admin, owner, team}},
		{"POST /api/v1/engagements/{id}/end", "/api/v1/engagements/1/end", `{}`, nil, []string{admin, owner, team}},
		{"POST /api/v1/engagements/{id}/staff", "/api/v1/engagements/1/staff", `{"person": "alice"}`, nil, []string{admin, owner, team}},
		{"POST /api/v1/engagements/{id}/start", "/api/v1/engagements/1/start", `{}`, nil, []string{admin, owner, team}},
		{"POST /api/v1/engagements/{id}/withdraw", "/api/v1/engagements/1/withdraw", `{"reason": "not now"}`, nil, []string{admin, owner, team}},
		{"POST /api/v1/requests", "/api/v1/requests", `{"type": "support", "from_team": "payments", "platform": "obslog", "title": "Help"}`, nil, []string{admin, team}},
		{"POST /api/v1/requests/{id}", "/api/v1/requests/1", `{"state": "accepted"}`, nil, []string{admin, owner, team}},
		{"POST /api/v1/sessions", "/api/v1/sessions", `{"platform": "obslog", "kind": "office-hours", "host": "carol"}`, nil, []string{admin, owner}},
		{"POST /api/v1/platforms/{name}/support", "/api/v1/platforms/obslog/support", `{"to": "community", "effective": "2030-01-01", "announcement": "Community support"}`, nil, []string{admin, owner}},
		{"POST /api/v1/platforms/{name}/support/{id}/withdraw", "/api/v1/platforms/obslog/support/1/withdraw", `{"reason": "Not yet"}`, nil, []string{admin, owner}},
		{"POST /api/v1/contributions", "/api/v1/contributions", `{"codebase": "payments-api", "author": "alice", "title": "Docs"}`, nil, []string{admin, team}},
		{"POST /api/v1/contributions/{id}", "/api/v1/contributions/1", `{"state": "merged"}`, nil, []string{admin, team}},
		{"POST /api/v1/codebases/{name}/trust", "/api/v1/codebases/payments-api/trust", `{"person": "carol"}`, nil, []string{admin, team}},
		{"POST /api/v1/scans", "/api/v1/scans", ``, nil, []string{admin, owner, team}},
		{"POST /api/v1/codebases/{name}/results", "/api/v1/codebases/payments-api/results", `{"commit": "c1", "results": []}`, nil, []string{admin}},
		{"GET /api/v1/tokens", "/api/v1/tokens", ``, nil, []string{admin}},
		{"POST /api/v1/tokens", "/api/v1/tokens", `{"person": "alice", "role": "viewer"}`, nil, []string{admin}},
		{"POST /api/v1/tokens/{id}/revoke", "/api/v1/tokens/5/revoke", `{}`, nil, []string{admin}},
		{"POST /platforms/{name}/requests", "/platforms/obslog/requests", "", form("type", "support", "from_team", "payments", "title", "Help", "size", "s"), []string{admin, team}},
		{"POST /campaigns/{name}/launch", "/campaigns/m/launch", "", form(), []string{admin, owner}},
		{"POST /campaigns/{name}/escalate", "/campaigns/m/escalate", "", form(), []string{admin, owner}},
		{"POST /campaigns/{name}/exempt", "/campaigns/m/exempt", "", form("codebase", "payments-api", "reason", "frozen", "until", "2027-01-01"), []string{admin, owner, team}},
		{"POST /campaigns/{name}/approve", "/campaigns/m/approve", "", form("codebase", "payments-api"), []string{admin, team}},
		{"POST /engagements/{id}/staff", "/engagements/1/staff", "", form("person", "alice"), []string{admin, owner, team}},
		{"POST /engagements/{id}/start", "/engagements/1/start", "", form(), []string{admin, owner, team}},
		{"POST /engagements/{id}/withdraw", "/engagements/1/withdraw", "", form("reason", "not now"), []string{admin, owner, team}},
		{"POST /scan", "/scan", "", form(), []string{admin, owner, team}},
	}

	// Every route that changes something is in the table: the routes
	// open to all are signed webhooks, sign-in and sign-out.
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`"(POST [^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		if m[1] == "POST /api/v1/hooks/{codehost}" || m[1] == "POST /signin" || m[1] == "POST /signout" {
			continue
		}
		if !slices.ContainsFunc(cases, func(c struct {
			route, path, body string
			form              url.Values
			may               []string
		}) bool {
			return c.route == m[1]
		}) {
			t.Errorf("%s is not in the role matrix", m[1])
		}
	}

	for _, c := range cases {
		for _, role := range []string{"", tandem.RoleViewer, team, owner, admin} {
			name := role
			if name == "" {
				name = "anonymous"
			}
			t.Run(strings.TrimPrefix(c.route, "POST ")+"/"+name, func(t *testing.T) {
				method, _, _ := strings.Cut(c.route, " ")
				var req *http.Request
				if c.form != nil {
					req = httptest.NewRequest(method, c.path, strings.NewReader(c.form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					if role != "" {
						req.AddCookie(signInCookie(t, srv, tokens[role]))
					}
				} else {
					req = httptest.NewRequest(method, c.path, strings.NewReader(c.body))
					req.Header.Set("Content-Type", "application/json")
					if role != "" {
						req.Header.Set("Authorization", "Bearer "+tokens[role])
					}
				}
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				switch {
				case role == "":
					if rec.Code != http.StatusUnauthorized {
						t.Errorf("without a token: %d %s, want 401", rec.Code, rec.Body)
					}
				case slices.Contains(c.may, role):
					if rec.Code == http.StatusUnauthorized || refused(rec) {
						t.Errorf("%s may: got %d %s", role, rec.Code, rec.Body)
					}
				default:
					if !refused(rec) {
						t.Errorf("%s may not: got %d %s, want 403", role, rec.Code, rec.Body)
					}
				}
			})
		}
	}
}

// refused reports whether the guard of a route refused the request, as
// opposed to the store refusing what a person may not do in their teams
// (an admin acting as no member of the team, say).
func refused(rec *httptest.ResponseRecorder) bool {
	return rec.Code == http.StatusForbidden && strings.Contains(rec.Body.String(), "token may not")
}

// TestAuthentication checks what a token is and is not: a wrong or
// revoked one is refused, a browser's stale cookie reads as anonymous,
// reads need none unless anonymous reads are off, and a person's token
// cannot act as someone else.
func TestAuthentication(t *testing.T) {
	srv, tokens := authServer(t)
	do := func(method, path, token, cookie, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "tandem_token", Value: cookie})
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	if rec := do("GET", "/api/v1/teams", "tdm_forged", "", ""); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "unknown or revoked") {
		t.Errorf("a forged token: %d %s, want 401", rec.Code, rec.Body)
	}
	if rec := do("GET", "/api/v1/teams", "", "tdm_stale", ""); rec.Code != http.StatusOK {
		t.Errorf("a stale cookie: %d, want the page as anonymous", rec.Code)
	}
	if rec := do("GET", "/api/v1/teams", "", "", ""); rec.Code != http.StatusOK {
		t.Errorf("an anonymous read: %d, want 200", rec.Code)
	}
	rec := do("POST", "/api/v1/campaigns/m/exempt", tokens[tandem.RoleTeamMember], "", `{"codebase": "payments-api", "reason": "frozen", "until": "2027-01-01", "by": "carol"}`)
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "the token is alice's: it cannot act as carol") {
		t.Errorf("alice acting as carol: %d %s, want 403", rec.Code, rec.Body)
	}
	rec = do("POST", "/api/v1/campaigns/m/exempt", tokens[tandem.RoleTeamMember], "", `{"codebase": "payments-api", "reason": "frozen", "until": "2027-01-01"}`)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"by": "alice"`) {
		t.Errorf("alice's exemption: %d %s, want it recorded as hers", rec.Code, rec.Body)
	}
	if rec := do("POST", "/api/v1/tokens/4/revoke", tokens[tandem.RoleAdmin], "", ""); rec.Code != http.StatusOK {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	revoked := ""
	for role, secret := range tokens {
		if rec := do("GET", "/api/v1/teams", secret, "", ""); rec.Code == http.StatusUnauthorized {
			revoked += role
		}
	}
	if revoked != tandem.RoleViewer {
		t.Errorf("after revoking token 4, the viewer's, refused: %q", revoked)
	}

	srv.SetAnonymousRead(false)
	for path, want := range map[string]int{"/api/v1/teams": 401, "/": 401, "/healthz": 200, "/signin": 200} {
		if rec := do("GET", path, "", "", ""); rec.Code != want {
			t.Errorf("GET %s without a token when anonymous reads are off: %d, want %d", path, rec.Code, want)
		}
	}
	if rec := do("GET", "/api/v1/teams", tokens[tandem.RoleAdmin], "", ""); rec.Code != http.StatusOK {
		t.Errorf("GET /api/v1/teams with a token: %d", rec.Code)
	}
	if rec := do("POST", "/signout", "", "", ""); rec.Code == http.StatusUnauthorized {
		t.Errorf("POST /signout without a session when anonymous reads are off: %d, want it to clear the cookie", rec.Code)
	}
}
