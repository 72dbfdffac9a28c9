package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// toursFleet makes repositories closed to the platform team, three of
// legacy's, two of ledger's and one of search's, all on logrus, and a
// catalog with a migration off it.
func toursFleet(t *testing.T) (catalog, repos string) {
	t.Helper()
	root := t.TempDir()
	repos = filepath.Join(root, "repos")
	for name, owner := range map[string]string{
		"billing": "legacy", "billing-api": "legacy", "billing-web": "legacy",
		"ledger-a": "ledger", "ledger-b": "ledger",
		"search": "search",
	} {
		gittest.Init(t, filepath.Join(repos, name), map[string]string{"main.go": logrusImport, "CODEOWNERS": "* @acme/" + owner + "\n"})
	}
	var b strings.Builder
	for _, team := range []struct{ name, members string }{{"legacy", "lee"}, {"ledger", "lin"}, {"search", "sam"}, {"payments", "alice"}} {
		b.WriteString("apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: " + team.name + "}\nspec: {type: stream-aligned, members: [" + team.members + "]}\n---\n")
	}
	b.WriteString(`apiVersion: tandem.dev/v1
kind: Team
metadata: {name: observability}
spec: {type: platform, members: [carol, olga]}
---
apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: acme}
spec: {type: local, path: ../repos}
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
  fix:
    run: ["sh", "-c", "sed -i 's#github.com/sirupsen/logrus#acme.dev/obslog#' main.go"]
    branch: tandem/logrus-to-obslog
    title: Replace logrus with obslog
`)
	catalog = filepath.Join(root, "catalog")
	writeFile(t, filepath.Join(catalog, "catalog.yaml"), b.String())
	return catalog, repos
}

// toursClient runs commands against a server for the Tour of Duty tests.
type toursClient struct {
	t   *testing.T
	url string
}

// ok runs a client command that must succeed and returns its output.
func (c toursClient) ok(args ...string) string {
	c.t.Helper()
	code, out, errOut := tandemCLI(c.t, c.url, args...)
	if code != 0 {
		c.t.Fatalf("%v exited %d: %s", args, code, errOut)
	}
	return out
}

// refused runs a client command that must fail saying want.
func (c toursClient) refused(want string, args ...string) {
	c.t.Helper()
	code, out, errOut := tandemCLI(c.t, c.url, args...)
	if code == 0 || !strings.Contains(errOut, want) {
		c.t.Errorf("%v: exit %d, %s%s; want a refusal saying %q", args, code, out, errOut, want)
	}
}

func (c toursClient) engagements() map[string]tandem.Engagement {
	c.t.Helper()
	var es []tandem.Engagement
	getJSON(c.t, c.url, &es, "engagement", "list", "--migration", "logrus-to-obslog", "-o", "json")
	byHost := map[string]tandem.Engagement{}
	for _, e := range es {
		if _, ok := byHost[e.HostTeam]; ok {
			c.t.Errorf("%s has more than one Tour of Duty: %+v", e.HostTeam, es)
		}
		byHost[e.HostTeam] = e
	}
	return byHost
}

func (c toursClient) engagement(id int64) tandem.Engagement {
	c.t.Helper()
	var es []tandem.Engagement
	getJSON(c.t, c.url, &es, "engagement", "show", fmt.Sprint(id), "-o", "json")
	return es[0]
}

func (c toursClient) target(codebase string) tandem.Target {
	c.t.Helper()
	var s tandem.Campaign
	getJSON(c.t, c.url, &s, "campaign", "status", "logrus-to-obslog", "-o", "json")
	return targetOf(s, codebase)
}

func (c toursClient) ticket(team string) tandem.Ticket {
	c.t.Helper()
	var ts []tandem.Ticket
	getJSON(c.t, c.url, &ts, "get", "tickets", "--migration", "logrus-to-obslog", "-o", "json")
	return ticketOf(c.t, ts, team)
}

// token makes a team member's token and returns its secret.
func (c toursClient) token(person string) string {
	c.t.Helper()
	lines := strings.Split(strings.TrimSpace(c.ok("token", "create", "--person", person, "--role", "team-member")), "\n")
	return lines[len(lines)-1]
}

// send makes an HTTP request with a token (none when ""), and returns the
// status and body, without following redirects.
func (c toursClient) send(method, path, token, contentType, body string) (int, string, http.Header) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	client := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func commentsSaying(tk tandem.Ticket, s string) int {
	n := 0
	for _, c := range tk.Comments {
		if strings.Contains(c.Body, s) {
			n++
		}
	}
	return n
}

// TestToursOfDutyLifecycle: escalation proposes one Tour of Duty per host
// team, commented once; a proposal takes no hours and does not end; it is
// staffed with a member of the platform team (by the CLI or the campaign
// page) and started by the host or platform team, then takes hours within
// its time box; withdrawn by hand (API), its targets go back to their
// ticket and escalation proposes it no more; withdrawn by itself when its
// targets are done or exempt; ended, its targets go back too.
func TestToursOfDutyLifecycle(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			c := toursClient{t, startServer(t, engine.DSN)}
			catalog, repos := toursFleet(t)
			const m = "logrus-to-obslog"
			today := time.Now().UTC().Format(time.DateOnly)
			yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
			tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
			c.ok("apply", "-f", catalog)
			c.ok("scan", "--wait")
			c.ok("campaign", "launch", m)

			// One proposal per host team, naming its codebases, said once on the ticket.
			out := c.ok("campaign", "escalate", m)
			for _, cb := range []string{"billing", "billing-api", "billing-web", "ledger-a", "ledger-b", "search"} {
				if !strings.Contains(out, cb+": tour-proposed") {
					t.Errorf("escalate lacks %s: tour-proposed:\n%s", cb, out)
				}
				if got := c.target(cb).State; got != tandem.TargetTourProposed {
					t.Errorf("%s is %s after escalate, want tour-proposed", cb, got)
				}
			}
			tours := c.engagements()
			if len(tours) != 3 {
				t.Fatalf("%d Tours of Duty, want 3, one per host team: %+v", len(tours), tours)
			}
			legacy, ledger, search := tours["legacy"], tours["ledger"], tours["search"]
			if got, want := strings.Join(legacy.Codebases, " "), "billing billing-api billing-web"; got != want {
				t.Errorf("legacy's tour is for %q, want %q", got, want)
			}
			if legacy.State != tandem.EngagementProposed || legacy.Person != "" || legacy.Phase != tandem.PhaseMigration || legacy.Platform != "obslog" {
				t.Errorf("legacy's tour = %s, person %q, phase %q, platform %q; want proposed, nobody, migration, obslog", legacy.State, legacy.Person, legacy.Phase, legacy.Platform)
			}
			if n := commentsSaying(c.ticket("legacy"), "proposes a Tour of Duty"); n != 1 {
				t.Errorf("legacy's ticket has %d proposal comments, want 1", n)
			}

			// A proposal takes no hours, does not end, and does not start without a person.
			lid := fmt.Sprint(legacy.ID)
			c.refused(fmt.Sprintf("engagement %d is proposed: staff and start it first", legacy.ID), "engagement", "log", lid, "--hours", "2", "--by", "carol")
			c.refused("only an active engagement ends", "engagement", "end", lid, "--by", "carol")
			c.refused("names nobody yet: staff it first", "engagement", "start", lid, "--by", "lee")
			if e := c.engagement(legacy.ID); e.State != tandem.EngagementProposed || len(e.Log) != 0 {
				t.Errorf("after the refusals legacy's tour is %s with %d log entries", e.State, len(e.Log))
			}

			// Staffed with a platform engineer by the host team, then started.
			c.refused("not a member of observability, the home team", "engagement", "staff", lid, "--person", "lee", "--by", "carol")
			c.refused("in neither observability nor legacy", "engagement", "staff", lid, "--person", "olga", "--by", "alice")
			if out := c.ok("engagement", "staff", lid, "--person", "olga", "--by", "lee"); !strings.Contains(out, "olga from observability joins legacy") {
				t.Errorf("staff: %s", out)
			}
			if out := c.ok("engagement", "start", lid, "--by", "lee"); !strings.Contains(out, "started: olga from observability joins legacy from "+today) {
				t.Errorf("start: %s", out)
			}
			c.refused("only a proposal is withdrawn", "engagement", "withdraw", lid, "--reason", "too late", "--by", "lee")

			// Hours within the time box only.
			c.refused(fmt.Sprintf("day: %s is before engagement %d starts: its time box is %s to %s", yesterday, legacy.ID, today, legacy.Ends),
				"engagement", "log", lid, "--hours", "3", "--day", yesterday, "--by", "olga")
			c.ok("engagement", "log", lid, "--hours", "3", "--day", today, "--by", "olga")
			if e := c.engagement(legacy.ID); e.State != tandem.EngagementActive || e.Person != "olga" || len(e.Log) != 1 {
				t.Errorf("legacy's tour = %s, person %q, %d log entries; want active, olga, 1", e.State, e.Person, len(e.Log))
			}

			// The campaign page offers the proposals' forms to those who may use them.
			sam, alice := c.token("sam"), c.token("alice")
			sid, gid := fmt.Sprint(search.ID), fmt.Sprint(ledger.ID)
			_, anonymous, _ := c.send(http.MethodGet, "/campaigns/"+m, "", "", "")
			if !strings.Contains(anonymous, "Tours of Duty") || !strings.Contains(anonymous, "billing-api") || strings.Contains(anonymous, "/engagements/"+sid+"/staff") {
				t.Errorf("the anonymous campaign page lacks the tours, or offers their forms")
			}
			_, page, _ := c.send(http.MethodGet, "/campaigns/"+m, sam, "", "")
			if !strings.Contains(page, `formaction="/engagements/`+sid+`/staff"`) || strings.Contains(page, "/engagements/"+gid+"/staff") {
				t.Errorf("sam's campaign page does not offer search's proposal alone")
			}
			if code, body, _ := c.send(http.MethodPost, "/engagements/"+gid+"/withdraw", alice, "application/x-www-form-urlencoded", "person=&reason=not+ours&by="); code != http.StatusForbidden {
				t.Errorf("alice withdrawing ledger's tour from the page: %d, want 403: %s", code, body)
			}
			code, _, header := c.send(http.MethodPost, "/engagements/"+sid+"/staff", sam, "application/x-www-form-urlencoded", "person=carol&reason=")
			if loc := header.Get("Location"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/campaigns/"+m+"?flash=") || !strings.Contains(loc, "carol") {
				t.Errorf("sam staffing search's tour from the page: %d to %q", code, loc)
			}
			if e := c.engagement(search.ID); e.Person != "carol" || e.State != tandem.EngagementProposed {
				t.Errorf("search's tour = %s with %q, want proposed with carol", e.State, e.Person)
			}

			// Withdrawn by the API: strictly decoded, with a reason; its target goes back to the ticket.
			withdraw := func(body string) (int, string) {
				code, out, _ := c.send(http.MethodPost, "/api/v1/engagements/"+sid+"/withdraw", testAdminToken, "application/json", body)
				return code, out
			}
			if code, body := withdraw(`{"why": "no", "by": "sam"}`); code != http.StatusUnprocessableEntity || !strings.Contains(body, `unknown key \"why\"`) {
				t.Errorf("withdrawing with an unknown key: %d %s", code, body)
			}
			if code, body := withdraw(`{"reason": " ", "by": "sam"}`); code != http.StatusUnprocessableEntity || !strings.Contains(body, "reason: say why") {
				t.Errorf("withdrawing without a reason: %d %s", code, body)
			}
			code, body := withdraw(`{"reason": "we make the change ourselves", "by": "sam"}`)
			var withdrawn tandem.Engagement
			if err := json.Unmarshal([]byte(body), &withdrawn); code != http.StatusOK || err != nil || withdrawn.State != tandem.EngagementWithdrawn || withdrawn.WithdrawnBy != "sam" {
				t.Errorf("withdrawing search's tour: %d %s", code, body)
			}
			if got := c.target("search").State; got != tandem.TargetTicketed {
				t.Errorf("search after the withdrawal is %s, want ticketed", got)
			}
			if last := lastComment(c.ticket("search")); !strings.Contains(last, "sam withdrew the Tour of Duty proposed for search") || !strings.Contains(last, "we make the change ourselves") {
				t.Errorf("search's ticket says %q", last)
			}
			if out := c.ok("campaign", "escalate", m); !strings.Contains(out, "search: none") || !strings.Contains(out, "was withdrawn: we make the change ourselves") {
				t.Errorf("escalating after the withdrawal:\n%s", out)
			}
			if got := c.target("search").State; got != tandem.TargetTicketed || len(c.engagements()) != 3 {
				t.Errorf("escalating after the withdrawal made search %s, with %d tours", got, len(c.engagements()))
			}

			// Withdrawn by itself once its targets are done or exempt.
			gittest.Commit(t, filepath.Join(repos, "ledger-a"), map[string]string{"main.go": strings.ReplaceAll(logrusImport, "github.com/sirupsen/logrus", "acme.dev/obslog")})
			c.ok("scan", "--wait")
			if got, e := c.target("ledger-a").State, c.engagement(ledger.ID); got != tandem.TargetDone || e.State != tandem.EngagementProposed {
				t.Errorf("with ledger-a %s, ledger's tour is %s; want done and proposed", got, e.State)
			}
			c.ok("campaign", "exempt", m, "--codebase", "ledger-b", "--reason", "retired next quarter", "--until", "2099-01-31", "--by", "lin")
			if e := c.engagement(ledger.ID); e.State != tandem.EngagementWithdrawn || !strings.Contains(e.Reason, "ledger-a is done") || e.WithdrawnBy != "" {
				t.Errorf("ledger's tour with every target done or exempt = %s (%q by %q), want withdrawn, done, by nobody", e.State, e.Reason, e.WithdrawnBy)
			}
			if n := commentsSaying(c.ticket("ledger"), fmt.Sprintf("The Tour of Duty proposed for ledger-a, ledger-b (engagement %d) is withdrawn", ledger.ID)); n != 1 {
				t.Errorf("ledger's ticket says the withdrawal %d times, want once", n)
			}
			c.ok("campaign", "unexempt", m, "--codebase", "ledger-b", "--reason", "kept after all")
			if got := c.target("ledger-b").State; got != tandem.TargetTicketed {
				t.Errorf("ledger-b back from its exemption is %s, want ticketed: its tour is withdrawn", got)
			}

			// Ended: its targets go back to the ticket, and no hours after the day it ended.
			if out := c.ok("engagement", "end", lid, "--by", "carol"); !strings.Contains(out, "ended") {
				t.Errorf("end: %s", out)
			}
			for _, cb := range legacy.Codebases {
				if got := c.target(cb).State; got != tandem.TargetTicketed {
					t.Errorf("%s after its tour ended is %s, want ticketed", cb, got)
				}
			}
			c.refused(fmt.Sprintf("day: %s is after engagement %d ended on %s", tomorrow, legacy.ID, today),
				"engagement", "log", lid, "--hours", "1", "--day", tomorrow, "--by", "olga")
			c.refused("only an active engagement ends", "engagement", "end", lid, "--by", "carol")
		})
	}
}

// TestEngagementPhaseIsDerived: an engagement's phase follows from its
// type and which of its teams owns the platform; a phase that
// contradicts it is refused.
func TestEngagementPhaseIsDerived(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			c := toursClient{t, startServer(t, engine.DSN)}
			catalog, _ := toursFleet(t)
			c.ok("apply", "-f", catalog)
			create := func(args ...string) []string {
				return append([]string{"engagement", "create", "--purpose", "Wire obslog in", "-o", "json"}, args...)
			}
			c.refused(`phase: "evolution" contradicts the engagement: a tour-of-duty of observability with payments, where observability owns obslog, is consumption work`,
				create("--type", "tour-of-duty", "--person", "olga", "--home", "observability", "--host", "payments", "--platform", "obslog", "--phase", "evolution")...)
			c.refused("phase: name the platform the engagement serves",
				create("--type", "tour-of-duty", "--person", "olga", "--home", "observability", "--host", "payments", "--phase", "consumption")...)
			for _, tt := range []struct {
				name string
				args []string
				want tandem.Phase
			}{
				{"a platform engineer's tour with a product team", []string{"--type", "tour-of-duty", "--person", "olga", "--home", "observability", "--host", "payments"}, tandem.PhaseConsumption},
				{"a product engineer's tour with the platform team", []string{"--type", "tour-of-duty", "--person", "alice", "--home", "payments", "--host", "observability"}, tandem.PhaseEvolution},
				{"a platform engineer embedded in a product team", []string{"--type", "embedded-expert", "--person", "carol", "--home", "observability", "--host", "search"}, tandem.PhaseEvolution},
			} {
				var e tandem.Engagement
				getJSON(t, c.url, &e, create(append(tt.args, "--platform", "obslog")...)...)
				if e.Phase != tt.want {
					t.Errorf("%s: phase %q, want %q", tt.name, e.Phase, tt.want)
				}
			}
		})
	}
}
