package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/gitea/giteatest"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// changesOf returns a codebase's change requests of a migration, oldest
// first: the target's history.
func (c campaignCLI) changesOf(migration, codebase string) []tandem.ChangeRequest {
	c.t.Helper()
	var crs []tandem.ChangeRequest
	getJSON(c.t, c.url, &crs, "get", "change-requests", "--migration", migration, "-o", "json")
	var of []tandem.ChangeRequest
	for _, cr := range crs {
		if cr.Codebase == codebase {
			of = append(of, cr)
		}
	}
	return of
}

// changeStates returns change requests as "branch:state", oldest first.
func changeStates(crs []tandem.ChangeRequest) string {
	var s []string
	for _, cr := range crs {
		s = append(s, cr.Branch+":"+cr.State)
	}
	return strings.Join(s, " ")
}

// TestApproveRecordsTheMerge: approving a change request of a codebase
// with autoMerge merges it and records the merge (merged, when, the head
// it made); when the merge did not remove every use the target is back on
// its ticket, and approve says what is true: the next scan tells whether
// the codebase still needs the change. Once a scan finds it no longer
// needed, the target is done.
func TestApproveRecordsTheMerge(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			cli := campaignCLI{t, startServer(t, engine.DSN)}
			catalog, repos := campaignFleet(t)
			const m = "logrus-to-obslog"
			repo := filepath.Join(repos, "checkout-web")
			cli.run("apply", "-f", catalog)
			cli.run("scan", "--wait")
			cli.run("campaign", "launch", m)
			if out := cli.run("campaign", "escalate", m, "--codebase", "checkout-web"); !strings.Contains(out, "checkout-web: change-request") {
				t.Fatalf("escalate: %s", out)
			}
			// While the change waits for approval, the team adds a new use:
			// the fix's branch does not cover it.
			gittest.Commit(t, repo, map[string]string{"extra.go": logrusImport})

			out := cli.run("campaign", "approve", m, "--codebase", "checkout-web", "--by", "bob")
			if !strings.Contains(out, "merged into checkout-web") || !strings.Contains(out, "the next scan tells whether checkout-web still needs the change") ||
				strings.Contains(out, "marks it done") {
				t.Errorf("approve says:\n%s", out)
			}
			head := gittest.Run(t, repo, "rev-parse", "main")
			crs := cli.changesOf(m, "checkout-web")
			if len(crs) != 1 || crs[0].State != tandem.ChangeMerged || crs[0].MergedAt == nil || crs[0].MergeCommit != head || crs[0].ApprovedBy != "bob" {
				t.Fatalf("after the approval the change requests are %+v, want one merged at %s", crs, head)
			}
			if got := targetOf(cli.status(m), "checkout-web"); got.State != tandem.TargetTicketed || got.Error != "" ||
				got.PullRequest == nil || got.PullRequest.State != tandem.ChangeMerged {
				t.Errorf("checkout-web after the merge: %s (error %q), change %+v; want ticketed with the merged change", got.State, got.Error, got.PullRequest)
			}
			if said := lastComment(cli.ticket(m, "checkout")); !strings.Contains(said, "merged") || !strings.Contains(said, "next scan") {
				t.Errorf("the ticket's last comment: %q", said)
			}

			// The scan still finds a use: ticketed, the ticket open.
			cli.run("scan", "--wait")
			if got := targetOf(cli.status(m), "checkout-web"); got.State != tandem.TargetTicketed {
				t.Errorf("checkout-web after a scan that still finds it: %s, want ticketed", got.State)
			}
			if tk := cli.ticket(m, "checkout"); tk.State != tandem.TicketOpen {
				t.Errorf("checkout's ticket: %s, want open", tk.State)
			}
			if code, _, errOut := tandemCLI(t, cli.url, "campaign", "approve", m, "--codebase", "checkout-web", "--by", "bob"); code != 1 ||
				!strings.Contains(errOut, "checkout-web has no open change request to approve: its last, "+crs[0].URL+", is merged") {
				t.Errorf("approving the merged change again: exit %d, %s", code, errOut)
			}

			// The team removes the last use: done, the ticket closed.
			gittest.Commit(t, repo, map[string]string{"extra.go": strings.ReplaceAll(logrusImport, "github.com/sirupsen/logrus", "acme.dev/obslog")})
			cli.run("scan", "--wait")
			if got := targetOf(cli.status(m), "checkout-web"); got.State != tandem.TargetDone || got.PullRequest == nil || got.PullRequest.State != tandem.ChangeMerged {
				t.Errorf("checkout-web once no use is left: %s, change %+v", got.State, got.PullRequest)
			}
			if tk := cli.ticket(m, "checkout"); tk.State != tandem.TicketClosed {
				t.Errorf("checkout's ticket: %s, want closed", tk.State)
			}
		})
	}
}

// TestEscalateAfterARegression: after a merged fix was reverted, escalate
// opens a new change request on a new branch (the old branch is still in
// the repository), links it to the target and keeps the old one in the
// target's history; approve then approves the new one.
func TestEscalateAfterARegression(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			cli := campaignCLI{t, startServer(t, engine.DSN)}
			catalog, repos := campaignFleet(t)
			const m, branch = "logrus-to-obslog", "tandem/logrus-to-obslog"
			repo := filepath.Join(repos, "search")
			cli.run("apply", "-f", catalog)
			cli.run("scan", "--wait")
			cli.run("campaign", "launch", m)
			cli.run("campaign", "escalate", m, "--codebase", "search")
			gittest.Run(t, repo, "merge", "--quiet", "--ff-only", branch)
			cli.run("scan", "--wait")
			if got := targetOf(cli.status(m), "search"); got.State != tandem.TargetDone {
				t.Fatalf("search after the merge: %s, want done", got.State)
			}

			// The owners revert the fix: the target is back on its ticket.
			gittest.Commit(t, repo, map[string]string{"main.go": logrusImport})
			cli.run("scan", "--wait")
			if got := targetOf(cli.status(m), "search"); got.State != tandem.TargetTicketed {
				t.Fatalf("search after the revert: %s, want ticketed", got.State)
			}

			out := cli.run("campaign", "escalate", m, "--codebase", "search")
			if !strings.Contains(out, "search: change-request (branch "+branch+"-2 at ") {
				t.Errorf("escalating after the regression:\n%s", out)
			}
			crs := cli.changesOf(m, "search")
			if got, want := changeStates(crs), branch+":merged "+branch+"-2:open"; got != want {
				t.Fatalf("search's change requests: %s, want %s", got, want)
			}
			got := targetOf(cli.status(m), "search")
			if got.State != tandem.TargetPROpen || got.Error != "" || got.PullRequest == nil || got.PullRequest.ID != crs[1].ID {
				t.Errorf("search after escalating: %s (error %q), change %+v; want pr-open with change %d", got.State, got.Error, got.PullRequest, crs[1].ID)
			}
			if fixed := gittest.Run(t, repo, "show", branch+"-2:main.go"); !strings.Contains(fixed, "acme.dev/obslog") {
				t.Errorf("the new branch holds %q", fixed)
			}
			if said := lastComment(cli.ticket(m, "search")); !strings.Contains(said, branch+"-2") || !strings.Contains(said, crs[0].URL+", merged") {
				t.Errorf("the ticket's last comment: %q", said)
			}

			// Escalating again changes nothing; approve finds the new one.
			if out := cli.run("campaign", "escalate", m, "--codebase", "search"); !strings.Contains(out, "search: none (already escalated)") {
				t.Errorf("escalating again:\n%s", out)
			}
			if out := cli.run("campaign", "approve", m, "--codebase", "search", "--by", "sam"); !strings.Contains(out, fmt.Sprintf("change request #%d approved by sam", crs[1].ID)) {
				t.Errorf("approve:\n%s", out)
			}
		})
	}
}

// escalationFleet makes repositories svc0..svc(n-1) owned by payments that
// take the platform team's changes, on a local code host, and a catalog
// whose migration's fix takes a while, with a deadline far ahead.
func escalationFleet(t *testing.T, n int) (catalog, repos string) {
	t.Helper()
	root := t.TempDir()
	repos = filepath.Join(root, "repos")
	var b strings.Builder
	for i := range n {
		name := fmt.Sprintf("svc%d", i)
		gittest.Init(t, filepath.Join(repos, name), map[string]string{"main.go": logrusImport, "CODEOWNERS": "* @acme/payments\n"})
		b.WriteString("apiVersion: tandem.dev/v1\nkind: Codebase\nmetadata: {name: " + name + "}\nspec: {contributions: open}\n---\n")
	}
	b.WriteString(`apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, members: [alice]}
---
apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: acme}
spec: {type: local, path: ../repos}
---
` + logrusMigration(`  deadline: "2099-01-31"
  fix:
    run: ["sh", "-c", "sleep 0.3; sed -i 's#github.com/sirupsen/logrus#acme.dev/obslog#' main.go"]
    branch: tandem/logrus-to-obslog
    title: Replace logrus with obslog
`))
	catalog = filepath.Join(root, "catalog")
	writeFile(t, filepath.Join(catalog, "catalog.yaml"), b.String())
	return catalog, repos
}

// TestConcurrentEscalations escalates one campaign twice at once: through
// two serve processes on one PostgreSQL database, and through one server
// on SQLite. Escalation is one at a time per migration, so each target's
// fix runs once: one change request per target, no error left on one,
// one branch in each repository. The change request's body does not say
// the deadline passed: it has not.
func TestConcurrentEscalations(t *testing.T) {
	t.Parallel()
	const codebases = 4
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			catalog, repos := escalationFleet(t, codebases)
			var urls [2]string
			if engine.Name == "postgres" {
				mirrors := filepath.Join(t.TempDir(), "mirrors")
				urls[0], _ = startProcess(t, engine.DSN, mirrors)
				urls[1], _ = startProcess(t, engine.DSN, mirrors)
			} else {
				urls[0] = startServer(t, engine.DSN)
				urls[1] = urls[0]
			}
			cli := campaignCLI{t, urls[0]}
			const m = "logrus-to-obslog"
			cli.run("apply", "-f", catalog)
			cli.run("scan", "--wait")
			cli.run("campaign", "launch", m)

			var wg sync.WaitGroup
			var outs [2][]campaign.Escalated
			for i, url := range urls {
				wg.Add(1)
				go func() {
					defer wg.Done()
					code, out, errOut := tandemCLI(t, url, "campaign", "escalate", m, "-o", "json")
					if code != 0 {
						t.Errorf("escalate through server %d exited %d: %s", i, code, errOut)
						return
					}
					if err := json.Unmarshal([]byte(out), &outs[i]); err != nil {
						t.Errorf("escalate through server %d: %v: %s", i, err, out)
					}
				}()
			}
			wg.Wait()

			opened := map[string]int{}
			for _, out := range outs {
				for _, e := range out {
					switch e.Action {
					case "change-request":
						opened[e.Codebase]++
					case "none":
					default:
						t.Errorf("%s: %s (%s)", e.Codebase, e.Action, e.Detail)
					}
				}
			}
			status := cli.status(m)
			for i := range codebases {
				name := fmt.Sprintf("svc%d", i)
				if opened[name] != 1 {
					t.Errorf("%s: %d escalations opened a change request, want 1 (%+v)", name, opened[name], outs)
				}
				crs := cli.changesOf(m, name)
				if len(crs) != 1 || crs[0].State != tandem.ChangeOpen {
					t.Errorf("%s's change requests: %s, want one open", name, changeStates(crs))
				} else if body := crs[0].Body; !strings.Contains(body, "still needs it; the deadline is 2099-01-31.") || strings.Contains(body, "after") {
					t.Errorf("%s's change request says %q", name, body)
				}
				if got := targetOf(status, name); got.State != tandem.TargetPROpen || got.Error != "" {
					t.Errorf("%s: %s with error %q, want pr-open without", name, got.State, got.Error)
				}
				if branches := gittest.Run(t, filepath.Join(repos, name), "branch", "--list", "tandem/*", "--format=%(refname:short)"); branches != "tandem/logrus-to-obslog" {
					t.Errorf("%s's branches: %q, want tandem/logrus-to-obslog", name, branches)
				}
			}
		})
	}
}

// TestEscalateAgainOnGitea: on a code host, where the closed pull
// request's branch is still there, escalating a target whose owners
// closed its pull request opens a new pull request from a new branch;
// merged on Gitea, the target is back on its ticket until a scan finds it
// done.
func TestEscalateAgainOnGitea(t *testing.T) {
	t.Parallel()
	g := giteatest.Start(t)
	g.CreateOrg(t, "acme")
	g.CreateRepo(t, "acme", "ledger", map[string]string{"CODEOWNERS": "* @acme/payments\n", "main.go": logrusImport})
	dsn := sqlstoretest.SQLite(t)
	environ := map[string]string{"FORGE_TOKEN": g.AdminToken}
	cli := campaignCLI{t, startServerEnv(t, dsn, environ)}
	catalog := filepath.Join(t.TempDir(), "catalog.yaml")
	writeFile(t, catalog, `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: ledger}
spec: {contributions: open}
---
`+obslogCampaign(g.URL, true))
	const m, branch = "logrus-to-obslog", "tandem/logrus-to-obslog"
	cli.run("apply", "-f", catalog)
	cli.run("scan", "--wait")
	cli.run("campaign", "launch", m)
	first := g.URL + "/acme/ledger/pulls/1"
	if out := cli.run("campaign", "escalate", m); !strings.Contains(out, first) {
		t.Fatalf("escalate: %s", out)
	}

	db, err := sqlstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hosts := hostOpener{getenv: func(k string) string { return environ[k] }, mirrors: t.TempDir(), client: http.DefaultClient}
	poll := func(periods int) {
		t.Helper()
		s := &campaign.Service{Store: db, Proposers: hosts.proposer,
			Now: func() time.Time { return time.Now().Add(time.Duration(periods) * campaign.PullPollEvery) }}
		if _, err := s.CheckPullRequests(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	g.Call(t, http.MethodPatch, "/repos/acme/ledger/pulls/1", map[string]string{"state": "closed"}, nil)
	poll(1)
	if got := targetOf(cli.status(m), "ledger"); got.State != tandem.TargetTicketed || !strings.Contains(got.Error, "closed "+first+" without merging it") {
		t.Errorf("ledger once its pull request was closed: %s (error %q), want ticketed with the closing", got.State, got.Error)
	}

	out := cli.run("campaign", "escalate", m, "--codebase", "ledger")
	second := g.URL + "/acme/ledger/pulls/2"
	if !strings.Contains(out, "ledger: change-request (branch "+branch+"-2 at ") || !strings.Contains(out, second) {
		t.Fatalf("escalating again: %s", out)
	}
	var pulls []struct {
		Head struct {
			Ref string `json:"ref"`
		} `json:"head"`
		State string `json:"state"`
	}
	g.Call(t, http.MethodGet, "/repos/acme/ledger/pulls?state=all", nil, &pulls)
	var heads []string
	for _, p := range pulls {
		heads = append(heads, p.Head.Ref+":"+p.State)
	}
	if got := strings.Join(heads, " "); got != branch+"-2:open "+branch+":closed" {
		t.Errorf("ledger's pull requests on Gitea: %s", got)
	}
	if got := targetOf(cli.status(m), "ledger"); got.State != tandem.TargetPROpen || got.Error != "" || got.PullRequest == nil || got.PullRequest.URL != second {
		t.Errorf("ledger after escalating again: %s (error %q), change %+v", got.State, got.Error, got.PullRequest)
	}

	// Merged on Gitea: ticketed until the scan finds it done.
	g.Call(t, http.MethodPost, "/repos/acme/ledger/pulls/2/merge", map[string]string{"Do": "merge"}, nil)
	poll(2)
	if got := targetOf(cli.status(m), "ledger"); got.State != tandem.TargetTicketed || got.PullRequest == nil || got.PullRequest.State != tandem.ChangeMerged {
		t.Errorf("ledger once merged on Gitea: %s, change %+v; want ticketed with it merged", got.State, got.PullRequest)
	}
	cli.run("scan", "--wait")
	if got := targetOf(cli.status(m), "ledger"); got.State != tandem.TargetDone {
		t.Errorf("ledger after the scan: %s, want done", got.State)
	}
	if got := changeStates(cli.changesOf(m, "ledger")); got != branch+":closed "+branch+"-2:merged" {
		t.Errorf("ledger's change requests: %s", got)
	}
}
