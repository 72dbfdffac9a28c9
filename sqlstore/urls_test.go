package sqlstore_test

import (
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestAdoptedURLsBelongToTheirHost adopts tickets and pull requests on a
// Gitea code host, for a team whose tracker is a backlog repository there
// and a team whose tracker is a Jira site: a URL elsewhere is refused and
// stores nothing.
func TestAdoptedURLsBelongToTheirHost(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db, err := sqlstore.Open(ctx, e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			payments := team("payments", []string{"alice"}, nil)
			payments.Spec.(*tandem.Team).Tracker = tandem.Tracker{Type: tandem.TrackerGitea, Host: "forge", Repo: "acme/backlog"}
			search := team("search", []string{"bob"}, nil)
			search.Spec.(*tandem.Team).Tracker = tandem.Tracker{Type: tandem.TrackerJira, URL: "https://acme.atlassian.net", Project: "SEA", Token: "env:JIRA"}
			forge := tandem.Object{Kind: tandem.KindCodeHost, Name: "forge", File: "hosts.yaml", Line: 1,
				Spec: &tandem.CodeHost{Name: "forge", Type: tandem.HostGitea, URL: "https://Git.Example.com/", Org: "acme", Token: "env:FORGE"}}
			apply(t, db, forge, payments, search, team("obs", nil, nil), platform("obslog", "obs"), migrationObj("m", "obslog"),
				policy("api", "payments", tandem.Closed), policy("idx", "search", tandem.Closed))
			check := tandem.CheckID("migration", "m", tandem.RoleTarget)
			for _, name := range []string{"api", "idx"} {
				if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{
					Codebase: tandem.Codebase{Name: name, Host: "forge", DefaultBranch: "main", Head: "c1"},
					Results:  []tandem.CheckResult{{Check: check, Digest: "d", Commit: "c1", Holds: true}},
				}); err != nil {
					t.Fatal(err)
				}
			}

			refused := []struct {
				name, codebase, kind, url, msg string
			}{
				{"a pull request on another host", "api", "pr", "https://evil.example/acme/api/pulls/1", `pr: "https://evil.example/acme/api/pulls/1" is on evil.example, not on git.example.com`},
				{"a javascript: pull request", "api", "pr", "javascript:alert(1)", `pr: "javascript:alert(1)" is not an http(s) URL`},
				{"a ticket off the team's Gitea backlog", "api", "ticket", "https://acme.atlassian.net/browse/PAY-1", "ticket: \"https://acme.atlassian.net/browse/PAY-1\" is on acme.atlassian.net, not on git.example.com"},
				{"a ticket off the team's Jira site", "idx", "ticket", "https://git.example.com/acme/backlog/issues/4", `ticket: "https://git.example.com/acme/backlog/issues/4" is on git.example.com, not on acme.atlassian.net`},
				{"a formula as a ticket", "idx", "ticket", `=HYPERLINK("http://x","y")`, "is not an http(s) URL"},
			}
			for _, tt := range refused {
				t.Run(tt.name+" is refused", func(t *testing.T) {
					adopt := db.AdoptTicket
					if tt.kind == "pr" {
						adopt = db.AdoptChangeRequest
					}
					_, err := adopt(ctx, "m", tt.codebase, tt.url)
					if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
						t.Fatalf("adopt %s = %v (%s), want %s", tt.url, err, got, want)
					}
					if !strings.Contains(err.Error(), tt.msg) {
						t.Errorf("adopt %s = %q, want it to contain %q", tt.url, err, tt.msg)
					}
				})
			}
			targets, err := db.FindTargets(ctx, "m")
			if err != nil {
				t.Fatal(err)
			}
			for _, tg := range targets {
				if tg.Ticket != nil || tg.PullRequest != nil || tg.State != tandem.TargetPending {
					t.Errorf("after refused adoptions, %s is %s with ticket %+v and pull request %+v; want pending with neither", tg.Codebase, tg.State, tg.Ticket, tg.PullRequest)
				}
			}
			crs, err := db.FindChangeRequests(ctx, "m", 0)
			if err != nil || len(crs) != 0 {
				t.Errorf("change requests after refused adoptions = %+v, %v; want none", crs, err)
			}

			t.Run("URLs on their hosts are adopted", func(t *testing.T) {
				for _, a := range []struct{ codebase, kind, url string }{
					{"api", "pr", "https://git.example.com/acme/api/pulls/1"},
					{"api", "ticket", "https://git.example.com:443/acme/backlog/issues/3"},
					{"idx", "ticket", "https://acme.atlassian.net/browse/SEA-1"},
				} {
					adopt := db.AdoptTicket
					if a.kind == "pr" {
						adopt = db.AdoptChangeRequest
					}
					if _, err := adopt(ctx, "m", a.codebase, a.url); err != nil {
						t.Errorf("adopt %s: %v", a.url, err)
					}
				}
				targets, _ := db.FindTargets(ctx, "m")
				if got := targets[0].PullRequest; got == nil || got.URL != "https://git.example.com/acme/api/pulls/1" {
					t.Errorf("api's pull request = %+v", got)
				}
				if got := targets[1].Ticket; got == nil || got.URL != "https://acme.atlassian.net/browse/SEA-1" {
					t.Errorf("idx's ticket = %+v", got)
				}
			})

			t.Run("a contribution's URL is on the codebase's host", func(t *testing.T) {
				_, err := db.RecordContribution(ctx, tandem.Contribution{Codebase: "api", Author: "bob", Title: "Fix", URL: "javascript:alert(1)"})
				if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want || !strings.Contains(err.Error(), `url: "javascript:alert(1)" is not an http(s) URL`) {
					t.Errorf("RecordContribution(javascript:) = %v (%s), want EINVALID naming the url", err, got)
				}
				_, err = db.RecordContribution(ctx, tandem.Contribution{Codebase: "api", Author: "bob", Title: "Fix", URL: "https://evil.example/acme/api/pulls/9"})
				if !strings.Contains(errString(err), "not on git.example.com") {
					t.Errorf("RecordContribution(another host) = %v, want it refused", err)
				}
				if cs, err := db.FindContributions(ctx, "api"); err != nil || len(cs) != 0 {
					t.Errorf("contributions after refusals = %+v, %v; want none", cs, err)
				}
				if _, err := db.RecordContribution(ctx, tandem.Contribution{Codebase: "api", Author: "bob", Title: "Fix", URL: "https://git.example.com/acme/api/pulls/9"}); err != nil {
					t.Errorf("RecordContribution(on the host) = %v", err)
				}
			})
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
