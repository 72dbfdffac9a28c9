package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
	"github.com/tandem-dev/tandem/web"
)

const logrusImport = "package main\n\nimport log \"github.com/sirupsen/logrus\"\n\nfunc main() { log.Info(\"hi\") }\n"

// campaignFleet makes repositories for every escalation path and a catalog
// with a migration off logrus.
func campaignFleet(t *testing.T) (catalog, repos string) {
	t.Helper()
	root := t.TempDir()
	repos = filepath.Join(root, "repos")
	for name, owners := range map[string]string{
		"payments-api":    "@acme/payments",
		"payments-ledger": "@acme/payments",
		"search":          "@acme/search",
		"checkout-web":    "@acme/checkout",
		"billing":         "@acme/legacy",
		"orphan":          "",
	} {
		files := map[string]string{"main.go": logrusImport}
		if owners != "" {
			files["CODEOWNERS"] = "* " + owners + "\n"
		}
		gittest.Init(t, filepath.Join(repos, name), files)
	}
	catalog = filepath.Join(root, "catalog")
	var b strings.Builder
	for _, team := range []struct{ name, member string }{{"payments", "alice"}, {"search", "sam"}, {"checkout", "bob"}, {"legacy", "lee"}} {
		b.WriteString("apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: " + team.name + "}\nspec: {type: stream-aligned, members: [" + team.member + "]}\n---\n")
	}
	b.WriteString(`apiVersion: tandem.dev/v1
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
kind: Codebase
metadata: {name: search}
spec: {contributions: open}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: checkout-web}
spec: {contributions: trusted, trusted: [carol], autoMerge: true}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec: {owner: observability}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: logrus-to-obslog}
spec:
  platform: obslog
  title: Replace logrus with obslog
  target: {path: "**/*.go", contains: '"github.com/sirupsen/logrus"'}
  deadline: "2027-01-31"
  ticket:
    title: "Move {{ .Team }} off logrus"
  fix:
    run: ["sh", "-c", "sed -i 's#github.com/sirupsen/logrus#acme.dev/obslog#' main.go"]
    branch: tandem/logrus-to-obslog
    title: Replace logrus with obslog in {{ (index .Codebases 0).Name }}
  escalate: {after: deadline}
`)
	writeFile(t, filepath.Join(catalog, "catalog.yaml"), b.String())
	return catalog, repos
}

func TestCampaignEndToEnd(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			url := startServer(t, engine.DSN)
			catalog, repos := campaignFleet(t)
			cli := func(args ...string) string {
				t.Helper()
				code, out, errOut := tandemCLI(t, url, args...)
				if code != 0 {
					t.Fatalf("%v exited %d: %s", args, code, errOut)
				}
				return out
			}
			status := func() tandem.Campaign {
				t.Helper()
				var c tandem.Campaign
				getJSON(t, url, &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
				return c
			}
			tickets := func() []tandem.Ticket {
				t.Helper()
				var ts []tandem.Ticket
				getJSON(t, url, &ts, "get", "tickets", "--migration", "logrus-to-obslog", "-o", "json")
				return ts
			}
			cli("apply", "-f", catalog)
			cli("scan", "--wait")
			if got, want := targetStates(status()), "billing=pending checkout-web=pending orphan=unowned payments-api=pending payments-ledger=pending search=pending"; got != want {
				t.Fatalf("after the scan: %s, want %s", got, want)
			}

			// A dry run shows every ticket and files none.
			out := cli("campaign", "launch", "logrus-to-obslog", "--dry-run")
			for _, want := range []string{"would file ticket for payments: Move payments off logrus (payments-api, payments-ledger)", "unowned, not ticketed: orphan", "<!-- tandem:campaign=logrus-to-obslog;team=payments -->"} {
				if !strings.Contains(out, want) {
					t.Errorf("dry run lacks %q:\n%s", want, out)
				}
			}
			if n := len(tickets()); n != 0 {
				t.Fatalf("a dry run filed %d tickets", n)
			}

			// Launch: one ticket per owning team, the unowned one listed.
			cli("campaign", "launch", "logrus-to-obslog")
			if got, want := targetStates(status()), "billing=ticketed checkout-web=ticketed orphan=unowned payments-api=ticketed payments-ledger=ticketed search=ticketed"; got != want {
				t.Errorf("after launch: %s, want %s", got, want)
			}
			ts := tickets()
			if len(ts) != 4 {
				t.Fatalf("tickets = %d, want 4 (one per team)", len(ts))
			}
			if got, want := ticketOf(t, ts, "legacy").Title, "Move legacy off logrus"; got != want {
				t.Errorf("legacy's ticket title = %q, want %q", got, want)
			}

			// Launch again: nothing new.
			out = cli("campaign", "launch", "logrus-to-obslog")
			if !strings.Contains(out, "no new tickets") || len(tickets()) != 4 {
				t.Errorf("second launch: %s (%d tickets)", out, len(tickets()))
			}

			// Payments migrates by itself: its targets are done, its ticket closed.
			for _, r := range []string{"payments-api", "payments-ledger"} {
				gittest.Commit(t, filepath.Join(repos, r), map[string]string{"main.go": strings.ReplaceAll(logrusImport, "github.com/sirupsen/logrus", "acme.dev/obslog")})
			}
			cli("scan", "--wait")
			c := status()
			if got, want := targetStates(c), "billing=ticketed checkout-web=ticketed orphan=unowned payments-api=done payments-ledger=done search=ticketed"; got != want {
				t.Errorf("after payments migrated: %s, want %s", got, want)
			}
			if tk := ticketOf(t, tickets(), "payments"); tk.State != tandem.TicketClosed || !strings.Contains(lastComment(tk), "closing") {
				t.Errorf("payments ticket = %s with %q, want closed with a comment", tk.State, lastComment(tk))
			}

			// Escalate: change requests where policy lets the platform team in,
			// a Tour of Duty where it does not.
			out = cli("campaign", "escalate", "logrus-to-obslog")
			for _, want := range []string{"search: change-request", "checkout-web: change-request", "billing: tour-proposed"} {
				if !strings.Contains(out, want) {
					t.Errorf("escalate lacks %q:\n%s", want, out)
				}
			}
			c = status()
			if got, want := targetStates(c), "billing=tour-proposed checkout-web=pr-open orphan=unowned payments-api=done payments-ledger=done search=pr-open"; got != want {
				t.Errorf("after escalate: %s, want %s", got, want)
			}
			branch := gittest.Run(t, filepath.Join(repos, "search"), "rev-parse", "tandem/logrus-to-obslog")
			if got := gittest.Run(t, filepath.Join(repos, "search"), "show", "tandem/logrus-to-obslog:main.go"); !strings.Contains(got, "acme.dev/obslog") {
				t.Errorf("the fix branch holds %q", got)
			}
			if tk := ticketOf(t, tickets(), "search"); !strings.Contains(lastComment(tk), "proposed the change to search") {
				t.Errorf("search ticket's last comment = %q", lastComment(tk))
			}
			if tk := ticketOf(t, tickets(), "legacy"); !strings.Contains(lastComment(tk), "Tour of Duty") {
				t.Errorf("legacy ticket's last comment = %q", lastComment(tk))
			}

			// Escalate again: nothing new, the same branch.
			out = cli("campaign", "escalate", "logrus-to-obslog")
			if strings.Contains(out, "change-request") || strings.Contains(out, "tour-proposed") {
				t.Errorf("second escalate did something: %s", out)
			}
			if again := gittest.Run(t, filepath.Join(repos, "search"), "rev-parse", "tandem/logrus-to-obslog"); again != branch {
				t.Errorf("the branch moved from %s to %s", branch, again)
			}
			var crs []tandem.ChangeRequest
			getJSON(t, url, &crs, "get", "change-requests", "--migration", "logrus-to-obslog", "-o", "json")
			if len(crs) != 2 {
				t.Errorf("change requests = %d, want 2", len(crs))
			}

			// Merge one fix: the next scan finds the target done.
			gittest.Run(t, filepath.Join(repos, "search"), "merge", "--quiet", "--ff-only", "tandem/logrus-to-obslog")
			cli("scan", "--wait")
			c = status()
			if got := targetOf(c, "search"); got.State != tandem.TargetDone || got.PullRequest == nil || got.PullRequest.State != tandem.ChangeMerged {
				t.Errorf("search after the merge: %+v", got)
			}

			// Exempt and unexempt.
			cli("campaign", "exempt", "logrus-to-obslog", "--codebase", "checkout-web", "--reason", "sunset in March", "--until", "2099-03-31", "--by", "bob")
			if got := targetOf(status(), "checkout-web"); got.State != tandem.TargetExempt || got.Exemption == nil || got.Exemption.By != "bob" {
				t.Errorf("after exempt: %+v", got)
			}
			if code, _, errOut := tandemCLI(t, url, "campaign", "exempt", "logrus-to-obslog", "--codebase", "billing", "--until", "2099-01-01"); code != 1 || !strings.Contains(errOut, `"reason" not set: usage: tandem campaign exempt`) {
				t.Errorf("exempt without a reason: exit %d, %s", code, errOut)
			}
			cli("campaign", "unexempt", "logrus-to-obslog", "--codebase", "checkout-web")
			if got := targetOf(status(), "checkout-web"); got.State != tandem.TargetPROpen {
				t.Errorf("after unexempt: %s, want pr-open", got.State)
			}

			// The owners approve; the codebase opted in to auto-merge.
			out = cli("campaign", "approve", "logrus-to-obslog", "--codebase", "checkout-web", "--by", "bob")
			if !strings.Contains(out, "approved by bob") || !strings.Contains(out, "merged into checkout-web") {
				t.Errorf("approve: %s", out)
			}
			if got := gittest.Run(t, filepath.Join(repos, "checkout-web"), "show", "main:main.go"); !strings.Contains(got, "acme.dev/obslog") {
				t.Errorf("after the auto-merge main holds %q", got)
			}
			cli("scan", "--wait")
			if got := targetOf(status(), "checkout-web"); got.State != tandem.TargetDone || got.PullRequest.State != tandem.ChangeMerged {
				t.Errorf("checkout-web after the auto-merge: %s, change %+v", got.State, got.PullRequest)
			}

			// A regression reopens the team's ticket.
			gittest.Commit(t, filepath.Join(repos, "payments-api"), map[string]string{"legacy.go": logrusImport})
			cli("scan", "--wait")
			if got := targetOf(status(), "payments-api"); got.State != tandem.TargetTicketed {
				t.Errorf("payments-api after a regression: %s, want ticketed", got.State)
			}
			if tk := ticketOf(t, tickets(), "payments"); tk.State != tandem.TicketOpen || !strings.Contains(lastComment(tk), "needs the change again") {
				t.Errorf("payments ticket after a regression: %s, %q", tk.State, lastComment(tk))
			}

			// Status, list and export agree.
			var st web.CampaignStatus
			getJSON(t, url, &st, "campaign", "status", "logrus-to-obslog", "-o", "json")
			if len(st.Burndown) == 0 || len(st.LeadTimes) != 2 || len(st.Teams) == 0 {
				t.Errorf("status lacks burndown, lead times or teams: %+v", st)
			}
			csv := cli("campaign", "export", "logrus-to-obslog")
			if lines := strings.Split(strings.TrimSpace(csv), "\n"); len(lines) != 7 || !strings.HasPrefix(lines[0], "codebase,team,state") {
				t.Errorf("export:\n%s", csv)
			}
			if page := httpGet(t, url+"/"); !strings.Contains(page, `<a href="/campaigns/logrus-to-obslog">logrus-to-obslog</a>`) {
				t.Error("the home page does not list the campaign")
			}
			// The counts kept by triggers agree with the targets themselves.
			var summaries []web.CampaignSummary
			getJSON(t, url, &summaries, "campaign", "list", "-o", "json")
			if got, want := fmt.Sprint(summaries[0].Counts), fmt.Sprint(st.Counts); got != want {
				t.Errorf("kept counts %s, want %s", got, want)
			}
			list := cli("campaign", "list")
			if !strings.Contains(list, "logrus-to-obslog") {
				t.Errorf("campaign list:\n%s", list)
			}
			var engagements []tandem.Engagement
			getJSON(t, url, &engagements, "get", "engagements", "-o", "json")
			if len(engagements) != 1 || engagements[0].HostTeam != "legacy" || engagements[0].HomeTeam != "observability" {
				t.Errorf("engagements = %+v", engagements)
			}
		})
	}
}

func ticketOf(t *testing.T, ts []tandem.Ticket, team string) tandem.Ticket {
	t.Helper()
	for _, tk := range ts {
		if tk.Team == team {
			return tk
		}
	}
	t.Fatalf("no ticket for %s in %+v", team, ts)
	return tandem.Ticket{}
}

func lastComment(t tandem.Ticket) string {
	if len(t.Comments) == 0 {
		return ""
	}
	return t.Comments[len(t.Comments)-1].Body
}

func targetOf(c tandem.Campaign, codebase string) tandem.Target {
	for _, t := range c.Targets {
		if t.Codebase == codebase {
			return t
		}
	}
	return tandem.Target{}
}
