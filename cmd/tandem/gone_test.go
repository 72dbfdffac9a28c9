package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
	"github.com/tandem-dev/tandem/web"
)

// goneFleet makes a local code host of three repositories and a catalog:
// payments-api uses logrus and obslog, search logrus, ledger obslog.
func goneFleet(t *testing.T) (catalog, repos string) {
	t.Helper()
	root := t.TempDir()
	repos = filepath.Join(root, "repos")
	for name, r := range map[string]struct{ owner, imports string }{
		"payments-api": {"@acme/payments", "\t\"github.com/sirupsen/logrus\"\n\t\"acme.dev/obslog\"\n"},
		"search":       {"@acme/search", "\t\"github.com/sirupsen/logrus\"\n"},
		"ledger":       {"@acme/payments", "\t\"acme.dev/obslog\"\n"},
	} {
		gittest.Init(t, filepath.Join(repos, name), map[string]string{
			"CODEOWNERS": "* " + r.owner + "\n",
			"main.go":    "package main\n\nimport (\n" + r.imports + ")\n",
		})
	}
	catalog = filepath.Join(root, "catalog")
	writeFile(t, filepath.Join(catalog, "catalog.yaml"), `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, members: [alice]}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: search}
spec: {type: stream-aligned, members: [sam]}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: observability}
spec: {type: platform, members: [carol]}
---
apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: acme}
spec: {type: local, path: ../repos}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec:
  owner: observability
  adoption: {path: "**/*.go", contains: '"acme.dev/obslog"'}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: logrus-to-obslog}
spec:
  platform: obslog
  title: Replace logrus with obslog
  target: {path: "**/*.go", contains: '"github.com/sirupsen/logrus"'}
  deadline: "2027-01-31"
`)
	return catalog, repos
}

// TestCodebaseGoneFromItsHost: a repository removed from its host is gone
// from the scan that notices, out of the codebase list, adoption, the home
// page's totals and the campaign's open counts, its team's ticket closed;
// listed with --gone and on its own page; and back, with its target and
// ticket, once the repository is.
func TestCodebaseGoneFromItsHost(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			cli := campaignCLI{t, startServer(t, engine.DSN)}
			catalog, repos := goneFleet(t)
			const m = "logrus-to-obslog"
			cli.run("apply", "-f", catalog)
			cli.run("scan", "--wait")
			cli.run("campaign", "launch", m)
			if got, want := targetStates(cli.status(m)), "payments-api=ticketed search=ticketed"; got != want {
				t.Fatalf("after launch: %s, want %s", got, want)
			}

			// The repository leaves the host.
			away := filepath.Join(t.TempDir(), "payments-api")
			if err := os.Rename(filepath.Join(repos, "payments-api"), away); err != nil {
				t.Fatal(err)
			}
			cli.run("scan", "--wait")

			if got, want := codebaseNames(t, cli), []string{"ledger", "search"}; !slices.Equal(got, want) {
				t.Errorf("get codebases = %v, want %v", got, want)
			}
			var gone []tandem.Codebase
			getJSON(t, cli.url, &gone, "get", "codebases", "--gone", "-o", "json")
			if len(gone) != 1 || gone[0].Name != "payments-api" || gone[0].GoneAt == nil {
				t.Fatalf("get codebases --gone = %+v, want payments-api with the time it went", gone)
			}
			since := gone[0].GoneAt.Format("2006-01-02")
			if out := cli.run("get", "codebase", "payments-api"); !strings.Contains(out, "payments-api (gone since "+since+")") {
				t.Errorf("get codebase payments-api does not say since when it is gone:\n%s", out)
			}
			if page := httpGet(t, cli.url+"/codebases/payments-api"); !strings.Contains(page, "Gone from its host since "+since) {
				t.Errorf("the codebase's page does not say since when it is gone")
			}
			if got, want := adopters(t, cli), []string{"ledger"}; !slices.Equal(got, want) {
				t.Errorf("adoption = %v, want %v", got, want)
			}
			if home := httpGet(t, cli.url+"/"); !strings.Contains(home, "2 codebases</a> (0 without an owner)") {
				t.Errorf("home page totals do not count 2 codebases:\n%s", grepLines(home, "codebases"))
			}
			if got, want := targetStates(cli.status(m)), "payments-api=gone search=ticketed"; got != want {
				t.Errorf("targets with payments-api gone: %s, want %s", got, want)
			}
			if got, want := openCount(t, cli, m), 1; got != want {
				t.Errorf("open targets with payments-api gone: %d, want %d", got, want)
			}
			if got, want := cli.keptCounts(m), "ticketed=1 gone=1"; got != want {
				t.Errorf("kept counts: %s, want %s", got, want)
			}
			ticket := cli.ticket(m, "payments")
			if ticket.State != tandem.TicketClosed || !strings.Contains(lastComment(ticket), "payments-api: repository gone from its host: closing.") {
				t.Errorf("payments' ticket is %s, last saying %q: want it closed, its repository gone", ticket.State, lastComment(ticket))
			}

			// The same repository comes back.
			if err := os.Rename(away, filepath.Join(repos, "payments-api")); err != nil {
				t.Fatal(err)
			}
			cli.run("scan", "--wait")

			if got, want := codebaseNames(t, cli), []string{"ledger", "payments-api", "search"}; !slices.Equal(got, want) {
				t.Errorf("get codebases once back = %v, want %v", got, want)
			}
			getJSON(t, cli.url, &gone, "get", "codebases", "--gone", "-o", "json")
			if len(gone) != 0 {
				t.Errorf("get codebases --gone once back = %+v, want none", gone)
			}
			if got, want := adopters(t, cli), []string{"ledger", "payments-api"}; !slices.Equal(got, want) {
				t.Errorf("adoption once back = %v, want %v", got, want)
			}
			if got, want := targetStates(cli.status(m)), "payments-api=ticketed search=ticketed"; got != want {
				t.Errorf("targets once back: %s, want %s", got, want)
			}
			if got, want := openCount(t, cli, m), 2; got != want {
				t.Errorf("open targets once back: %d, want %d", got, want)
			}
			ticket = cli.ticket(m, "payments")
			if ticket.State != tandem.TicketOpen || !strings.Contains(lastComment(ticket), "payments-api is back on its host and still needs the change") {
				t.Errorf("payments' ticket is %s, last saying %q: want it open again, payments-api back", ticket.State, lastComment(ticket))
			}
		})
	}
}

// codebaseNames returns the names get codebases lists.
func codebaseNames(t *testing.T, cli campaignCLI) []string {
	t.Helper()
	var cs []tandem.Codebase
	getJSON(t, cli.url, &cs, "get", "codebases", "-o", "json")
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return names
}

// adopters returns the codebases that adopted obslog.
func adopters(t *testing.T, cli campaignCLI) []string {
	t.Helper()
	var as []tandem.Adoption
	getJSON(t, cli.url, &as, "adoption", "obslog", "-o", "json")
	if len(as) != 1 {
		t.Fatalf("adoption obslog = %+v, want one platform", as)
	}
	return as[0].Codebases
}

// openCount returns the open targets the campaign list counts for m.
func openCount(t *testing.T, cli campaignCLI, m string) int {
	t.Helper()
	var summaries []web.CampaignSummary
	getJSON(t, cli.url, &summaries, "campaign", "list", "-o", "json")
	for _, s := range summaries {
		if s.Name == m {
			return s.Open
		}
	}
	t.Fatalf("campaign list lacks %s: %+v", m, summaries)
	return 0
}
