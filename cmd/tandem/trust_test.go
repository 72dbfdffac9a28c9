package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// trustCatalog adds to the campaign fleet a platform of payments' own, so
// that alice, a team-member of payments, has one of hers to name beside
// another team's.
const trustCatalog = `apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: payments-sdk}
spec: {owner: payments}
`

// TestSmuggledSubjects attacks a running server as alice, a team-member
// of payments, on every change whose input names what it acts on: she
// names her own team's codebase, team, platform or self where the guard
// used to look, and another team's where the handler used to look (a key
// in another case, a key given twice, the query string, another
// Content-Type). Every variant is refused and nothing changes: not the
// campaign, not the other team's default branch.
func TestSmuggledSubjects(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			srv, repos, alice := trustServer(t, engine.DSN)
			checkoutMain := gittest.Run(t, filepath.Join(repos, "checkout-web"), "rev-parse", "main")
			before := snapshot(t, srv)

			const m = "/api/v1/campaigns/logrus-to-obslog"
			routes := []struct {
				path, key, own, other, rest string
			}{
				{m + "/approve", "codebase", "payments-api", "checkout-web", ``},
				{m + "/exempt", "codebase", "payments-api", "checkout-web", `"reason": "frozen", "until": "2099-01-01"`},
				{m + "/unexempt", "codebase", "payments-api", "checkout-web", ``},
				{m + "/adopt", "codebase", "payments-api", "checkout-web", `"ticket": "https://tracker.example/PAY-1"`},
				{"/api/v1/requests", "from_team", "payments", "checkout", `"type": "support", "platform": "obslog", "title": "Help"`},
				{"/api/v1/engagements", "host_team", "payments", "checkout", `"type": "tour-of-duty", "person": "carol", "home_team": "observability"`},
				{"/api/v1/sessions", "platform", "payments-sdk", "obslog", `"kind": "office-hours", "host": "alice"`},
				{"/api/v1/contributions", "author", "alice", "bob", `"codebase": "checkout-web", "title": "Docs"`},
			}
			for _, rt := range routes {
				kv := func(k, v string) string { return `"` + k + `": "` + v + `"` }
				obj := func(pairs ...string) string {
					if rt.rest != "" {
						pairs = append(pairs, rt.rest)
					}
					return "{" + strings.Join(pairs, ", ") + "}"
				}
				variants := []struct {
					name, query, contentType, body string
					status                         int
				}{
					{"the key in another case", "", "application/json", obj(kv(rt.key, rt.own), kv(strings.ToUpper(rt.key[:1])+rt.key[1:], rt.other)), http.StatusUnprocessableEntity},
					{"the key alone in another case", "", "application/json", obj(kv(strings.ToUpper(rt.key), rt.other)), http.StatusUnprocessableEntity},
					{"the key twice", "", "application/json", obj(kv(rt.key, rt.own), kv(rt.key, rt.other)), http.StatusUnprocessableEntity},
					{"the query string", rt.key + "=" + rt.own, "application/json", obj(kv(rt.key, rt.other)), http.StatusForbidden},
					{"a form's Content-Type", rt.key + "=" + rt.own, "application/x-www-form-urlencoded", obj(kv(rt.key, rt.other)), http.StatusUnprocessableEntity},
					{"no Content-Type", rt.key + "=" + rt.own, "", obj(kv(rt.key, rt.other)), http.StatusUnprocessableEntity},
				}
				for _, v := range variants {
					t.Run(strings.TrimPrefix(rt.path, "/api/v1/")+"/"+v.name, func(t *testing.T) {
						target := srv + rt.path
						if v.query != "" {
							target += "?" + v.query
						}
						if got := request(t, http.MethodPost, target, v.contentType, v.body, bearer(alice)); got.status != v.status {
							t.Errorf("%s: %d %s, want %d", v.body, got.status, got.body, v.status)
						}
					})
				}
			}

			// The pages' forms: the query string and a JSON body are not the form.
			forms := []struct {
				name, path, contentType, body string
			}{
				{"exempt by the query string", "/campaigns/logrus-to-obslog/exempt?codebase=checkout-web", "application/json", `{"codebase": "payments-api", "reason": "r", "until": "2099-01-01"}`},
				{"exempt with the key twice", "/campaigns/logrus-to-obslog/exempt", "application/x-www-form-urlencoded", "codebase=payments-api&codebase=checkout-web&reason=r&until=2099-01-01"},
				{"exempt with the key in another case", "/campaigns/logrus-to-obslog/exempt", "application/x-www-form-urlencoded", "codebase=payments-api&Codebase=checkout-web&reason=r&until=2099-01-01"},
				{"a request by the query string", "/platforms/obslog/requests?from_team=checkout", "application/json", `{"from_team": "payments", "type": "support", "title": "Help", "size": "small"}`},
				{"a request with the key twice", "/platforms/obslog/requests", "application/x-www-form-urlencoded", "from_team=payments&from_team=checkout&type=support&title=Help&size=small"},
			}
			for _, f := range forms {
				t.Run("form/"+f.name, func(t *testing.T) {
					if got := request(t, http.MethodPost, srv+f.path, f.contentType, f.body, bearer(alice)); got.status < 400 {
						t.Errorf("%d %s, want a refusal", got.status, got.body)
					}
				})
			}

			if after := snapshot(t, srv); after != before {
				t.Errorf("the attacks changed something:\nbefore %s\nafter  %s", before, after)
			}
			if got := gittest.Run(t, filepath.Join(repos, "checkout-web"), "rev-parse", "main"); got != checkoutMain {
				t.Errorf("checkout-web's main moved from %s to %s", checkoutMain, got)
			}
		})
	}
}

// TestTrustLimits attacks the bounds of what a running server takes: a
// body over the limit, a page number past any offset, and an admin
// naming as approver someone who is not of the owning team.
func TestTrustLimits(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			srv, repos, alice := trustServer(t, engine.DSN)

			t.Run("a body over 1 MB is 413", func(t *testing.T) {
				body := `{"codebase": "payments-api", "reason": "` + strings.Repeat("x", 2<<20) + `", "until": "2099-01-01"}`
				if got := request(t, http.MethodPost, srv+"/api/v1/campaigns/logrus-to-obslog/exempt", "application/json", body, bearer(alice)); got.status != http.StatusRequestEntityTooLarge {
					t.Errorf("%d %.200s, want 413", got.status, got.body)
				}
			})

			for _, page := range []string{"9223372036854775807", "-1", "0", "x", "1000001"} {
				t.Run("page "+page+" is 422", func(t *testing.T) {
					resp, err := http.Get(srv + "/campaigns/logrus-to-obslog?page=" + url.QueryEscape(page))
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusUnprocessableEntity {
						t.Errorf("%s", resp.Status)
					}
				})
			}
			t.Run("a page past the last is 404", func(t *testing.T) {
				resp, err := http.Get(srv + "/campaigns/logrus-to-obslog?page=2")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s", resp.Status)
				}
			})

			checkoutMain := gittest.Run(t, filepath.Join(repos, "checkout-web"), "rev-parse", "main")
			for _, tc := range []struct{ by, want string }{
				{"mallory", `by: "mallory" is no person of the catalog`},
				{"carol", "carol is not in checkout"},
				{"", "admin is not in checkout, the team that owns checkout-web"},
			} {
				t.Run("approve by "+tc.by+" is refused", func(t *testing.T) {
					args := []string{"campaign", "approve", "logrus-to-obslog", "--codebase", "checkout-web"}
					if tc.by != "" {
						args = append(args, "--by", tc.by)
					}
					if code, _, errOut := tandemCLI(t, srv, args...); code == 0 || !strings.Contains(errOut, tc.want) {
						t.Errorf("exit %d: %s, want %q", code, errOut, tc.want)
					}
				})
			}
			if got := gittest.Run(t, filepath.Join(repos, "checkout-web"), "rev-parse", "main"); got != checkoutMain {
				t.Fatalf("checkout-web's main moved from %s to %s", checkoutMain, got)
			}
			code, out, errOut := tandemCLI(t, srv, "campaign", "approve", "logrus-to-obslog", "--codebase", "checkout-web", "--by", "bob")
			if code != 0 || !strings.Contains(out, "approved by bob") {
				t.Errorf("approve by bob, of checkout: exit %d, %s%s", code, out, errOut)
			}
		})
	}
}

// trustServer serves the campaign fleet on dsn, launched and escalated
// (checkout-web has an open change request, and auto-merges), and returns
// the server's URL, the repositories' folder and a team-member token of
// alice, of payments.
func trustServer(t *testing.T, dsn string) (srv, repos, alice string) {
	t.Helper()
	srv = startServer(t, dsn)
	catalog, repos := campaignFleet(t)
	writeFile(t, filepath.Join(catalog, "payments-sdk.yaml"), trustCatalog)
	for _, args := range [][]string{
		{"apply", "-f", catalog}, {"scan", "--wait"},
		{"campaign", "launch", "logrus-to-obslog"}, {"campaign", "escalate", "logrus-to-obslog"},
	} {
		if code, _, errOut := tandemCLI(t, srv, args...); code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
	}
	return srv, repos, createToken(t, srv, "alice", tandem.RoleTeamMember)
}

// bearer is the header that sends a token.
func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

// createToken creates a token for a person through the CLI and returns
// its secret.
func createToken(t *testing.T, srv, person, role string) string {
	t.Helper()
	code, out, errOut := tandemCLI(t, srv, "token", "create", "--person", person, "--role", role)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || !strings.HasPrefix(lines[len(lines)-1], "tdm_") {
		t.Fatalf("token create: %s %s", out, errOut)
	}
	return lines[len(lines)-1]
}

// snapshot reads what a change could have touched, as the API shows it.
func snapshot(t *testing.T, srv string) string {
	t.Helper()
	var b strings.Builder
	for _, path := range []string{"campaigns/logrus-to-obslog", "campaigns/logrus-to-obslog/targets", "change-requests", "tickets", "requests", "engagements", "sessions", "contributions"} {
		b.WriteString(httpGet(t, srv+"/api/v1/"+path))
	}
	return b.String()
}
