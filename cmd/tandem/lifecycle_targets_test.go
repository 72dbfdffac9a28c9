package main

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitea/giteatest"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
	"github.com/tandem-dev/tandem/web"
)

// campaignCLI runs client commands against a server, failing the test on
// an error, and reads the campaign's state back.
type campaignCLI struct {
	t   *testing.T
	url string
}

func (c campaignCLI) run(args ...string) string {
	c.t.Helper()
	code, out, errOut := tandemCLI(c.t, c.url, args...)
	if code != 0 {
		c.t.Fatalf("%v exited %d: %s", args, code, errOut)
	}
	return out
}

func (c campaignCLI) status(migration string) tandem.Campaign {
	c.t.Helper()
	var s tandem.Campaign
	getJSON(c.t, c.url, &s, "campaign", "status", migration, "-o", "json")
	return s
}

// keptCounts returns the counts the campaign list shows, kept by triggers
// on the targets, of the states that are not zero.
func (c campaignCLI) keptCounts(migration string) string {
	c.t.Helper()
	var summaries []web.CampaignSummary
	getJSON(c.t, c.url, &summaries, "campaign", "list", "-o", "json")
	for _, s := range summaries {
		if s.Name == migration {
			return nonZero(s.Counts)
		}
	}
	c.t.Fatalf("campaign list lacks %s: %+v", migration, summaries)
	return ""
}

func (c campaignCLI) ticket(migration, team string) tandem.Ticket {
	c.t.Helper()
	var ts []tandem.Ticket
	getJSON(c.t, c.url, &ts, "get", "tickets", "--migration", migration, "-o", "json")
	return ticketOf(c.t, ts, team)
}

func nonZero(counts map[string]int) string {
	var s []string
	for _, state := range tandem.TargetStates {
		if counts[state] > 0 {
			s = append(s, fmt.Sprintf("%s=%d", state, counts[state]))
		}
	}
	return strings.Join(s, " ")
}

// TestTargetsUnownedFromTheFirstScan: a target on a codebase without an
// owner is unowned from the scan that finds it, moves to pending when the
// codebase gains an owner (by apply) and back to unowned when it loses it
// (by a scan), with the counts following; a ticketed target keeps its
// ticket's team.
func TestTargetsUnownedFromTheFirstScan(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			cli := campaignCLI{t, startServer(t, engine.DSN)}
			catalog, repos := campaignFleet(t)
			const m = "logrus-to-obslog"
			cli.run("apply", "-f", catalog)
			cli.run("scan", "--wait")
			if got, want := targetStates(cli.status(m)), "billing=pending checkout-web=pending orphan=unowned payments-api=pending payments-ledger=pending search=pending"; got != want {
				t.Errorf("after the first scan: %s, want %s", got, want)
			}
			if got, want := nonZero(cli.status(m).Counts), "unowned=1 pending=5"; got != want {
				t.Errorf("status counts after the first scan: %s, want %s", got, want)
			}
			if got, want := cli.keptCounts(m), "unowned=1 pending=5"; got != want {
				t.Errorf("kept counts after the first scan: %s, want %s", got, want)
			}

			// payments-ledger loses its owner: a scan finds it unowned.
			gittest.Commit(t, filepath.Join(repos, "payments-ledger"), map[string]string{"CODEOWNERS": "* @acme/nobody\n"})
			cli.run("scan", "--wait")
			if got := targetOf(cli.status(m), "payments-ledger"); got.State != tandem.TargetUnowned || got.Team != "" {
				t.Errorf("payments-ledger without owner: %s of team %q, want unowned of none", got.State, got.Team)
			}

			// orphan gains an owner by apply: pending, of that team, at once.
			owner := filepath.Join(t.TempDir(), "orphan.yaml")
			writeFile(t, owner, "apiVersion: tandem.dev/v1\nkind: Codebase\nmetadata: {name: orphan}\nspec: {owner: search}\n")
			cli.run("apply", "-f", owner)
			if got := targetOf(cli.status(m), "orphan"); got.State != tandem.TargetPending || got.Team != "search" {
				t.Errorf("orphan once owned: %s of team %q, want pending of search", got.State, got.Team)
			}
			if got, want := cli.keptCounts(m), "unowned=1 pending=5"; got != want {
				t.Errorf("kept counts after the owners changed: %s, want %s", got, want)
			}

			// Launch tickets the owned ones and lists the unowned one.
			out := cli.run("campaign", "launch", m)
			if !strings.Contains(out, "unowned, not ticketed: payments-ledger") {
				t.Errorf("launch does not list payments-ledger as unowned:\n%s", out)
			}
			if got, want := targetStates(cli.status(m)), "billing=ticketed checkout-web=ticketed orphan=ticketed payments-api=ticketed payments-ledger=unowned search=ticketed"; got != want {
				t.Errorf("after launch: %s, want %s", got, want)
			}

			// A ticketed target keeps its ticket's team when the owner changes.
			writeFile(t, owner, "apiVersion: tandem.dev/v1\nkind: Codebase\nmetadata: {name: orphan}\nspec: {owner: checkout}\n")
			cli.run("apply", "-f", owner)
			if got := targetOf(cli.status(m), "orphan"); got.State != tandem.TargetTicketed || got.Team != "search" {
				t.Errorf("orphan ticketed, then owned by checkout: %s of team %q, want ticketed of search", got.State, got.Team)
			}
			if got, want := cli.keptCounts(m), "unowned=1 ticketed=5"; got != want {
				t.Errorf("kept counts after launch: %s, want %s", got, want)
			}
		})
	}
}

// TestTicketWordsAreTrue: closing a ticket says what is true (done,
// exempt until when, or some of each), a done target shows the evidence
// true when it became done, and the regression and unexempt comments
// state only what the scan and the exemption say.
func TestTicketWordsAreTrue(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			cli := campaignCLI{t, startServer(t, engine.DSN)}
			catalog, repos := campaignFleet(t)
			const m = "logrus-to-obslog"
			// A second migration whose done check holds while the target
			// check still does.
			writeFile(t, filepath.Join(catalog, "done.yaml"), `apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: obslog-everywhere}
spec:
  platform: obslog
  title: Use obslog everywhere
  target: {path: "**/*.go", contains: '"github.com/sirupsen/logrus"'}
  done: {path: "**/*.go", contains: '"acme.dev/obslog"'}
`)
			cli.run("apply", "-f", catalog)
			cli.run("scan", "--wait")
			cli.run("campaign", "launch", m)

			// checkout's only target is exempted: its ticket closes saying so.
			cli.run("campaign", "exempt", m, "--codebase", "checkout-web", "--reason", "sunset in March", "--until", "2099-03-31", "--by", "bob")
			tk := cli.ticket(m, "checkout")
			if got, want := lastComment(tk), "checkout-web is exempt until 2099-03-31: closing. The ticket reopens if the change is still needed when the exemption ends."; tk.State != tandem.TicketClosed || got != want {
				t.Errorf("checkout's ticket: %s, %q; want closed, %q", tk.State, got, want)
			}

			// payments: one exempt, the other done.
			cli.run("campaign", "exempt", m, "--codebase", "payments-ledger", "--reason", "replaced in June", "--until", "2099-06-30", "--by", "alice")
			fixed := strings.ReplaceAll(logrusImport, "github.com/sirupsen/logrus", "acme.dev/obslog")
			gittest.Commit(t, filepath.Join(repos, "payments-api"), map[string]string{"main.go": fixed})
			head := gittest.Run(t, filepath.Join(repos, "payments-api"), "rev-parse", "HEAD")
			// search adds obslog beside logrus: done for the second migration only.
			gittest.Commit(t, filepath.Join(repos, "search"), map[string]string{"obs.go": fixed})
			cli.run("scan", "--wait")
			tk = cli.ticket(m, "payments")
			if got, want := lastComment(tk), "The change is done in payments-api; payments-ledger is exempt until 2099-06-30: closing. Thank you! The ticket reopens if the change is still needed when the exemption ends."; tk.State != tandem.TicketClosed || got != want {
				t.Errorf("payments' ticket: %s, %q; want closed, %q", tk.State, got, want)
			}
			for _, c := range tk.Comments {
				if strings.Contains(c.Body, "no longer needs the change") {
					t.Errorf("payments' ticket says the exempt no longer need the change: %q", c.Body)
				}
			}

			// The evidence of a done target is that of when it became done.
			if got := targetOf(cli.status(m), "payments-api"); got.State != tandem.TargetDone || len(got.Evidence) != 0 || got.Commit != head {
				t.Errorf("payments-api done: %s, evidence %v at %s; want done, no evidence, at %s", got.State, got.Evidence, got.Commit, head)
			}
			if got := targetOf(cli.status("obslog-everywhere"), "search"); got.State != tandem.TargetDone ||
				len(got.Evidence) != 1 || got.Evidence[0] != (tandem.Match{Path: "obs.go", Line: 3}) {
				t.Errorf("search done by the done check: %s, evidence %v; want done, obs.go:3", got.State, got.Evidence)
			}
			if got := targetOf(cli.status(m), "search"); got.State != tandem.TargetTicketed {
				t.Errorf("search still on logrus: %s, want ticketed", got.State)
			}

			// Unexempting says what is so, and reopens the ticket.
			cli.run("campaign", "unexempt", m, "--codebase", "checkout-web")
			tk = cli.ticket(m, "checkout")
			if got, want := lastComment(tk), "checkout-web is no longer exempt (the exemption was revoked) and still needs the change."; tk.State != tandem.TicketOpen || got != want {
				t.Errorf("checkout's ticket after unexempt: %s, %q; want open, %q", tk.State, got, want)
			}

			// A regression names the scanned commit and what it found.
			gittest.Commit(t, filepath.Join(repos, "payments-api"), map[string]string{"legacy.go": logrusImport})
			head = gittest.Run(t, filepath.Join(repos, "payments-api"), "rev-parse", "HEAD")
			cli.run("scan", "--wait")
			tk = cli.ticket(m, "payments")
			want := "payments-api needs the change again: the scan of commit " + head[:12] + " finds it needed (legacy.go:3)."
			if got := lastComment(tk); tk.State != tandem.TicketOpen || got != want {
				t.Errorf("payments' ticket after a regression: %s, %q; want open, %q", tk.State, got, want)
			}
			if got := targetOf(cli.status(m), "payments-api"); got.State != tandem.TargetTicketed || len(got.Evidence) != 1 || got.Evidence[0].Path != "legacy.go" {
				t.Errorf("payments-api after a regression: %s, evidence %v; want ticketed, legacy.go", got.State, got.Evidence)
			}
		})
	}
}

// TestCodebaseNamesInAnyCase: a codebase discovered with capitals keeps its
// name; a Codebase document names it in any case; a document that names
// no discovered codebase is reported by apply and on the codebase list.
func TestCodebaseNamesInAnyCase(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			url := startServer(t, engine.DSN)
			cli := campaignCLI{t, url}
			root := t.TempDir()
			gittest.Init(t, filepath.Join(root, "repos", "Masterminds-sprig"), map[string]string{"main.go": "package sprig\n"})
			gittest.Init(t, filepath.Join(root, "repos", "api"), map[string]string{"CODEOWNERS": "* @acme/payments\n"})
			catalog := filepath.Join(root, "catalog.yaml")
			writeFile(t, catalog, `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: templating}
spec: {type: stream-aligned}
---
apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: acme}
spec: {type: local, path: repos}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: masterminds-sprig}
spec: {owner: templating}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: ghost}
spec: {owner: payments}
`)
			// Before any scan, both documents name nothing: apply warns.
			code, out, errOut := tandemCLI(t, url, "apply", "-f", catalog)
			if code != 0 {
				t.Fatalf("apply exited %d: %s", code, errOut)
			}
			for _, want := range []string{
				catalog + `:18: metadata.name: no scan has found a codebase "masterminds-sprig" (in any case) yet`,
				catalog + `:23: metadata.name: no scan has found a codebase "ghost" (in any case) yet`,
			} {
				if !strings.Contains(errOut, "warning: "+want) {
					t.Errorf("apply warnings lack %q:\n%s", want, errOut)
				}
			}
			if !strings.Contains(out, "codebase/ghost created") {
				t.Errorf("apply output:\n%s", out)
			}

			cli.run("scan", "--wait")
			var cs []tandem.Codebase
			getJSON(t, url, &cs, "get", "codebases", "-o", "json")
			got := map[string]string{}
			for _, c := range cs {
				owner := "<none>"
				if c.Owner != nil {
					owner = *c.Owner
				}
				got[c.Name] = owner + "@" + c.Host
			}
			if want := "map[Masterminds-sprig:templating@acme api:payments@acme ghost:<none>@]"; fmt.Sprint(got) != want {
				t.Errorf("codebases = %v, want %s", got, want)
			}
			for _, c := range cs {
				if c.Name == "ghost" && (len(c.Problems) != 1 || c.Problems[0].Message != tandem.UndiscoveredCodebase ||
					c.Problems[0].File != catalog || c.Problems[0].Line != 23) {
					t.Errorf("ghost's problems = %+v, want it declared at %s:23 and not found", c.Problems, catalog)
				}
			}
			table := cli.run("get", "codebases")
			if line := grepLines(table, "ghost"); !strings.Contains(line, "declared, not found by any scan") {
				t.Errorf("the table's ghost row = %q", line)
			}
			if page := httpGet(t, url+"/codebases"); !strings.Contains(page, "Codebase document <strong>ghost</strong> ("+catalog+":23): declared, not found by any scan") ||
				!strings.Contains(page, `<a href="/codebases/Masterminds-sprig">Masterminds-sprig</a>`) || !strings.Contains(page, "2 codebases") {
				t.Errorf("the codebases page does not warn of ghost or lacks Masterminds-sprig:\n%s", page)
			}

			// Applying again warns of ghost alone.
			code, _, errOut = tandemCLI(t, url, "apply", "-f", catalog)
			if code != 0 || strings.Contains(errOut, "masterminds-sprig") || !strings.Contains(errOut, `"ghost"`) {
				t.Errorf("second apply: exit %d, warnings:\n%s", code, errOut)
			}

			// The document may spell the name as the scan did, and takes
			// over the document of the other spelling.
			spelled := filepath.Join(root, "spelled.yaml")
			writeFile(t, spelled, "apiVersion: tandem.dev/v1\nkind: Codebase\nmetadata: {name: Masterminds-Sprig}\nspec: {owner: payments}\n")
			code, out, errOut = tandemCLI(t, url, "apply", "-f", spelled)
			if code != 0 || !strings.Contains(out, "codebase/Masterminds-Sprig configured") || errOut != "" {
				t.Fatalf("apply Masterminds-Sprig: exit %d, %s %s", code, out, errOut)
			}
			// A lookup names it in any case too.
			var one []tandem.Codebase
			getJSON(t, url, &one, "get", "codebase", "MASTERMINDS-SPRIG", "-o", "json")
			if len(one) != 1 || one[0].Name != "Masterminds-sprig" || one[0].Owner == nil || *one[0].Owner != "payments" {
				t.Errorf("get codebase MASTERMINDS-SPRIG = %+v, want Masterminds-sprig owned by payments", one)
			}
		})
	}
}

// TestAdoptRefusesAnotherCodebasesPullRequest: a pull request adopted for a
// target must be one of its codebase's repository on its code host.
func TestAdoptRefusesAnotherCodebasesPullRequest(t *testing.T) {
	t.Parallel()
	g := giteatest.Start(t)
	g.CreateOrg(t, "acme")
	g.CreateRepo(t, "acme", "api", map[string]string{"CODEOWNERS": "* @acme/payments\n", "main.go": logrusImport})
	g.CreateRepo(t, "acme", "other", map[string]string{"CODEOWNERS": "* @acme/payments\n", "main.go": logrusImport})
	url := startServerEnv(t, sqlstoretest.SQLite(t), map[string]string{"FORGE_TOKEN": g.AdminToken})
	cli := campaignCLI{t, url}
	catalog := filepath.Join(t.TempDir(), "catalog.yaml")
	writeFile(t, catalog, `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: forge}
spec: {type: gitea, url: "`+g.URL+`", org: acme, token: env:FORGE_TOKEN}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned}
---
`+logrusMigration(""))
	cli.run("apply", "-f", catalog)
	cli.run("scan", "--wait")
	const m = "logrus-to-obslog"
	for _, tt := range []struct{ pr, err string }{
		{g.URL + "/acme/other/pulls/1", `pr: "` + g.URL + `/acme/other/pulls/1" is a pull request of repository acme/other, not of acme/api, the codebase's repository on forge`},
		{g.URL + "/acme/api/issues/1", `pr: "` + g.URL + `/acme/api/issues/1" is not the address of a pull request of acme/api: want ` + g.URL + `/acme/api/pulls/N`},
	} {
		code, _, errOut := tandemCLI(t, url, "campaign", "adopt", m, "--codebase", "api", "--pr", tt.pr)
		if code != 1 || !strings.Contains(errOut, tt.err) {
			t.Errorf("adopt %s: exit %d, %q; want 1, %q", tt.pr, code, errOut, tt.err)
		}
	}
	if got := targetOf(cli.status(m), "api"); got.State != tandem.TargetPending || got.PullRequest != nil {
		t.Errorf("api after refused adoptions: %s with %+v, want pending without change request", got.State, got.PullRequest)
	}
	cli.run("campaign", "adopt", m, "--codebase", "api", "--pr", g.URL+"/acme/api/pulls/1")
	if got := targetOf(cli.status(m), "api"); got.State != tandem.TargetPROpen || got.PullRequest == nil || got.PullRequest.URL != g.URL+"/acme/api/pulls/1" {
		t.Errorf("api after adopting its pull request: %s with %+v", got.State, got.PullRequest)
	}
}

// TestCampaignCommandsNameCodebasesInAnyCase: a campaign command names
// its codebase in any case, and the guard and the change read the same
// codebase: a member of another team is refused whatever the spelling.
func TestCampaignCommandsNameCodebasesInAnyCase(t *testing.T) {
	t.Parallel()
	engine := sqlstoretest.Engines(t)[0]
	c := toursClient{t: t, url: startServer(t, engine.DSN)}
	catalog, _ := campaignFleet(t)
	const m = "logrus-to-obslog"
	c.ok("apply", "-f", catalog)
	c.ok("scan", "--wait")
	c.ok("campaign", "launch", m)
	if out := c.ok("campaign", "exempt", m, "--codebase", "PAYMENTS-API", "--reason", "frozen", "--until", "2099-06-30", "--by", "alice"); !strings.Contains(out, "payments-api") {
		t.Errorf("exempt PAYMENTS-API: %s", out)
	}
	if got := c.target("payments-api"); got.State != tandem.TargetExempt {
		t.Errorf("payments-api after exempting PAYMENTS-API: %s, want exempt", got.State)
	}
	c.ok("campaign", "unexempt", m, "--codebase", "Payments-Api")
	if got := c.target("payments-api"); got.State != tandem.TargetTicketed {
		t.Errorf("payments-api after unexempting Payments-Api: %s, want ticketed", got.State)
	}
	sam := c.token("sam") // of search
	for _, name := range []string{"payments-ledger", "PAYMENTS-LEDGER"} {
		status, body, _ := c.send("POST", "/api/v1/campaigns/"+m+"/exempt", sam, "application/json",
			`{"codebase": "`+name+`", "reason": "not mine", "until": "2099-06-30"}`)
		if status != http.StatusForbidden {
			t.Errorf("sam exempting %s: %d %s, want 403", name, status, body)
		}
	}
	if got := c.target("payments-ledger"); got.State != tandem.TargetTicketed {
		t.Errorf("payments-ledger after refused exemptions: %s, want ticketed", got.State)
	}
}
