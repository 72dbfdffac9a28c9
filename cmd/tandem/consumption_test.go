package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

const consumptionCatalog = `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, members: [alice]}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: search}
spec: {type: stream-aligned, members: [dan]}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: observability}
spec: {type: platform, members: [carol, olga], aliases: ["@acme/o11y"]}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: obslog}
spec: {contributions: trusted, trusted: [search]}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec:
  owner: observability
  support: white-glove
  supportNotice: 14d
  community: [{title: "#obslog", url: "https://chat.acme.example/obslog"}]
  codebases: [obslog]
`

func TestConsumptionAndEvolution(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			url := startServer(t, engine.DSN)
			root := t.TempDir()
			gittest.Init(t, filepath.Join(root, "repos", "obslog"), map[string]string{
				"CODEOWNERS": "* @acme/o11y\n", "CONTRIBUTING.md": "Send small pull requests.\n",
				"README.md": "# obslog\n\nRun `go test ./...` to build and test.\n", "obslog_test.go": "package obslog\n",
			})
			catalog := filepath.Join(root, "catalog.yaml")
			writeFile(t, catalog, consumptionCatalog+"---\napiVersion: tandem.dev/v1\nkind: CodeHost\nmetadata: {name: acme}\nspec: {type: local, path: repos}\n")
			cli := func(args ...string) string {
				t.Helper()
				code, out, errOut := tandemCLI(t, url, args...)
				if code != 0 {
					t.Fatalf("%v exited %d: %s", args, code, errOut)
				}
				return out
			}
			cli("apply", "-f", catalog)
			cli("scan", "--wait")

			// A product team asks for help and for a change.
			cli("request", "create", "--from", "payments", "--platform", "obslog", "--type", "support", "--title", "Help us wire obslog into the ledger", "--by", "alice")
			cli("request", "create", "--from", "search", "--platform", "obslog", "--type", "change", "--size", "large", "--title", "Sampling per endpoint", "--by", "dan")
			var reqs []tandem.Request
			getJSON(t, url, &reqs, "request", "list", "--platform", "obslog", "-o", "json")
			if len(reqs) != 2 || reqs[0].Title != "Sampling per endpoint" || reqs[1].State != tandem.RequestNew {
				t.Fatalf("requests = %+v", reqs)
			}

			// Only the teams involved may move a request on.
			if code, _, errOut := tandemCLI(t, url, "request", "update", "1", "--state", "accepted", "--by", "dan"); code != 1 || !strings.Contains(errOut, "the teams that may change request 1: act as a member with --by NAME") {
				t.Errorf("dan moving payments' request: exit %d, %s", code, errOut)
			}
			if code, _, errOut := tandemCLI(t, url, "request", "update", "2", "--state", "declined", "--by", "carol"); code != 1 || !strings.Contains(errOut, "needs a reason") {
				t.Errorf("declining without a reason: exit %d, %s", code, errOut)
			}
			// The platform accepts the support request as a Tour of Duty with a 4-week box.
			cli("request", "update", "1", "--state", "accepted", "--pattern", "tour-of-duty", "--by", "carol")
			start := time.Now().UTC().Format(time.DateOnly)
			ends := time.Now().UTC().AddDate(0, 0, 28).Format(time.DateOnly)
			out := cli("engagement", "create", "--type", "tour-of-duty", "--person", "olga", "--home", "observability", "--host", "payments",
				"--platform", "obslog", "--phase", "consumption", "--purpose", "Wire obslog into the ledger", "--starts", start, "--ends", ends)
			if !strings.Contains(out, "olga from observability joins payments until "+ends) || strings.Contains(out, "warning") {
				t.Errorf("engagement create: %s", out)
			}
			cli("engagement", "log", "1", "--hours", "6", "--category", "consumption", "--note", "ledger wiring", "--by", "olga")
			if code, _, errOut := tandemCLI(t, url, "engagement", "log", "1", "--hours", "6", "--category", "consumption", "--note", "ledger wiring", "--by", "olga"); code != 1 || !strings.Contains(errOut, "logged already") {
				t.Errorf("logging the same hours twice: exit %d, %s", code, errOut)
			}
			if code, _, errOut := tandemCLI(t, url, "engagement", "create", "--type", "tour-of-duty", "--person", "olga", "--home", "observability",
				"--host", "payments", "--purpose", "x", "--starts", start, "--ends", start); code != 1 || !strings.Contains(errOut, "ends:") {
				t.Errorf("an engagement without a time box: exit %d, %s", code, errOut)
			}

			// An embedded expert who overran and drifted into consumption work.
			past := time.Now().UTC().AddDate(0, 0, -60).Format(time.DateOnly)
			over := time.Now().UTC().AddDate(0, 0, -10).Format(time.DateOnly)
			cli("engagement", "create", "--type", "embedded-expert", "--person", "carol", "--home", "observability", "--host", "search",
				"--platform", "obslog", "--phase", "evolution", "--purpose", "Build per-endpoint sampling", "--starts", past, "--ends", over)
			cli("engagement", "log", "2", "--hours", "2", "--category", "platform", "--day", past, "--by", "carol")
			cli("engagement", "log", "2", "--hours", "10", "--category", "consumption", "--day", over, "--by", "carol")
			var es []tandem.Engagement
			getJSON(t, url, &es, "engagement", "show", "2", "-o", "json")
			warnings := strings.Join(es[0].Warnings, "\n")
			for _, want := range []string{"overran its time box by 10 days", "drifting into an extra pair of hands: 83% of logged hours are consumption work"} {
				if !strings.Contains(warnings, want) {
					t.Errorf("engagement 2 warnings lack %q: %q", want, warnings)
				}
			}

			// Three office hours.
			for range 3 {
				cli("session", "record", "--platform", "obslog", "--kind", "office-hours", "--host", "carol", "--attendee", "payments=2", "--attendee", "search", "--question", "how do I sample?")
			}
			var sessions []tandem.Session
			getJSON(t, url, &sessions, "session", "list", "--platform", "obslog", "-o", "json")
			if len(sessions) != 3 || sessions[0].Attendees["payments"] != 2 {
				t.Errorf("sessions = %+v", sessions)
			}

			// The support model changes with an announcement, once per consuming team.
			soon := time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly)
			if code, _, errOut := tandemCLI(t, url, "platform", "support", "obslog", "--to", "office-hours", "--effective", soon, "--announcement", "x", "--by", "carol"); code != 1 || !strings.Contains(errOut, "14-day notice") {
				t.Errorf("a change without notice: exit %d, %s", code, errOut)
			}
			if code, _, errOut := tandemCLI(t, url, "platform", "support", "obslog", "--to", "office-hours", "--effective", ends, "--announcement", "x", "--by", "alice"); code != 1 || !strings.Contains(errOut, "not in observability") {
				t.Errorf("a change by someone outside the owner team: exit %d, %s", code, errOut)
			}
			out = cli("platform", "support", "obslog", "--to", "office-hours", "--effective", ends, "--by", "carol",
				"--announcement", "From next month, come to office hours on Tuesdays instead of asking for pairing.")
			if !strings.Contains(out, "from white-glove to office-hours on "+ends+"; announced to 2 teams (payments, search)") {
				t.Errorf("support change: %s", out)
			}
			var tickets []tandem.Ticket
			getJSON(t, url, &tickets, "get", "tickets", "-o", "json")
			if len(tickets) != 2 || !strings.Contains(tickets[0].Body, "office hours on Tuesdays") || tickets[0].Topic != "support-change/1" {
				t.Errorf("announcement tickets = %+v", tickets)
			}
			if code, _, errOut := tandemCLI(t, url, "apply", "-f", catalog); code != 0 {
				t.Errorf("re-applying the catalog while the change is pending: %s", errOut)
			}

			// Figures, in JSON.
			var load consumption.Figures
			getJSON(t, url, &load, "platform", "load", "obslog", "-o", "json")
			if load.Sessions != 3 || load.Backlog.Open != 2 || load.LeadTimes.Count != 2 || len(load.Load.Months) == 0 || load.Load.Months[0].Month != past[:7] {
				t.Fatalf("load = %+v, want months from %s, the first logged", load, past[:7])
			}
			if last := load.Load.Months[len(load.Load.Months)-1]; last.Hours != 16 && last.Hours != 6 {
				t.Errorf("this month's hours = %v", last.Hours)
			}
			if !strings.Contains(strings.Join(load.Warnings, "\n"), "drifting into an extra pair of hands") {
				t.Errorf("load warnings = %q", load.Warnings)
			}
			// The embedded expert goes home: search is back to being facilitated.
			cli("engagement", "end", "2", "--by", "carol")
			var inter []consumption.Interaction
			getJSON(t, url, &inter, "interactions", "-o", "json")
			modes := map[string]string{}
			for _, i := range inter {
				modes[i.A+"/"+i.B] = i.Mode
			}
			if modes["observability/payments"] != consumption.ModeCollaboration || modes["observability/search"] != consumption.ModeFacilitating {
				t.Errorf("interactions = %v", modes)
			}
			// Internal open source: three merged contributions climb the trust ladder.
			for i := range 3 {
				cli("contribution", "record", "--codebase", "obslog", "--author", "alice", "--title", fmt.Sprintf("fix %d", i), "--state", "merged")
			}
			cli("contribution", "record", "--codebase", "obslog", "--author", "dan", "--title", "one more", "--state", "merged")
			if code, _, errOut := tandemCLI(t, url, "contribution", "record", "--codebase", "obslog", "--author", "carol", "--title", "own"); code != 1 || !strings.Contains(errOut, "not an outside contribution") {
				t.Errorf("an owner's own change as a contribution: exit %d, %s", code, errOut)
			}
			out = cli("contributors", "obslog")
			if !strings.Contains(out, "propose the commit bit: tandem contributors trust obslog alice") {
				t.Errorf("contributors:\n%s", out)
			}
			if code, _, errOut := tandemCLI(t, url, "contributors", "trust", "obslog", "alice", "--by", "dan"); code != 1 || !strings.Contains(errOut, "not in observability") {
				t.Errorf("trust granted by an outsider: exit %d, %s", code, errOut)
			}
			out = cli("contributors", "trust", "obslog", "alice", "--by", "carol")
			if !strings.Contains(out, "obslog now trusts search, alice") {
				t.Errorf("trust: %s", out)
			}
			var readiness []consumption.Readiness
			getJSON(t, url, &readiness, "platform", "readiness", "obslog", "-o", "json")
			if len(readiness) != 1 || readiness[0].Score != 66 || strings.Join(readiness[0].Missing, ", ") != "a pull request template, continuous integration" {
				t.Errorf("readiness = %+v", readiness)
			}

			// The same figures, in the pages.
			page := httpGet(t, url+"/platforms/obslog")
			for _, want := range []string{"Support model: <strong>white-glove</strong>", "office-hours</strong> on " + ends + " (announced) to payments, search",
				"Sampling per endpoint", "drifting into an extra pair of hands", "66%", "alice (payments): 3 merged to obslog · trusted", "3 sessions"} {
				if !strings.Contains(page, want) {
					t.Errorf("platform page lacks %q", want)
				}
			}
			if page := httpGet(t, url+"/teams/payments"); !strings.Contains(page, "collaboration") || !strings.Contains(page, "Help us wire obslog into the ledger") {
				t.Errorf("payments' team API lacks its interactions or requests")
			}

			b, _ := json.Marshal(load)
			if !strings.Contains(string(b), `"per_team"`) {
				t.Errorf("load JSON lacks per-team figures: %s", b)
			}
		})
	}
}
