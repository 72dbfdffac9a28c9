package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// ladderCatalog has a platform with an open codebase (where Internal Open
// Source puts the trust ladder) and a closed one, and two consuming teams.
const ladderCatalog = `apiVersion: tandem.dev/v1
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
spec: {type: platform, members: [carol], aliases: ["@acme/o11y"]}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: obslog}
spec: {contributions: open}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec: {owner: observability, support: white-glove, supportNotice: 14d, codebases: [obslog]}
---
apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: acme}
spec: {type: local, path: repos}
`

// ladderServer serves the ladder catalog on dsn, scanned, with a request
// from each consuming team.
func ladderServer(t *testing.T, dsn string) toursClient {
	t.Helper()
	root := t.TempDir()
	for _, name := range []string{"obslog", "vault"} {
		gittest.Init(t, filepath.Join(root, "repos", name), map[string]string{"CODEOWNERS": "* @acme/o11y\n", "main.go": "package " + name + "\n"})
	}
	writeFile(t, filepath.Join(root, "catalog.yaml"), ladderCatalog)
	c := toursClient{t: t, url: startServer(t, dsn)}
	c.ok("apply", "-f", filepath.Join(root, "catalog.yaml"))
	c.ok("scan", "--wait")
	c.ok("request", "create", "--from", "payments", "--platform", "obslog", "--title", "Help with sampling", "--by", "alice")
	c.ok("request", "create", "--from", "search", "--platform", "obslog", "--type", "change", "--title", "Per-endpoint sampling", "--by", "dan")
	return c
}

// TestSupportChangesFollowTheirLifecycle announces, repeats, contradicts
// and withdraws support model changes as a platform team would.
func TestSupportChangesFollowTheirLifecycle(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			c := ladderServer(t, engine.DSN)
			effective := time.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly)
			announce := []string{"platform", "support", "obslog", "--to", "office-hours", "--effective", effective, "--by", "carol",
				"--announcement", "Come to office hours on Tuesdays."}

			first := c.ok(announce...)
			again := c.ok(announce...)
			if want := "from white-glove to office-hours on " + effective + "; announced to 2 teams (payments, search)"; !strings.Contains(first, want) || !strings.Contains(again, want) {
				t.Errorf("announcing twice:\n%s\n%s\nwant both %q", first, again, want)
			}
			var tickets []tandem.Ticket
			getJSON(t, c.url, &tickets, "get", "tickets", "-o", "json")
			if len(tickets) != 2 {
				t.Fatalf("announcing twice filed %d tickets, want one per consuming team: %+v", len(tickets), tickets)
			}

			// A contradictory change waits until the first is withdrawn.
			later := time.Now().UTC().AddDate(0, 0, 40).Format(time.DateOnly)
			c.refused("obslog's support already changes from white-glove to office-hours on "+effective+" (support change 1): withdraw it first with tandem platform withdraw-support obslog 1",
				"platform", "support", "obslog", "--to", "community", "--effective", later, "--announcement", "Ask in the community.", "--by", "carol")
			c.refused("not in observability", "platform", "withdraw-support", "obslog", "1", "--reason", "no", "--by", "alice")
			out := c.ok("platform", "withdraw-support", "obslog", "1", "--reason", "We keep pairing until the docs are ready.", "--by", "carol")
			if !strings.Contains(out, "support change 1 withdrawn; support stays white-glove; 2 announcement tickets closed") {
				t.Errorf("withdraw: %s", out)
			}
			c.refused("support change 1 is withdrawn: it cannot become withdrawn", "platform", "withdraw-support", "obslog", "1", "--reason", "again", "--by", "carol")
			getJSON(t, c.url, &tickets, "get", "tickets", "-o", "json")
			for _, tk := range tickets {
				last := ""
				if n := len(tk.Comments); n > 0 {
					last = tk.Comments[n-1].Body
				}
				if tk.State != tandem.TicketClosed || !strings.Contains(last, "Withdrawn: obslog's support stays white-glove; it will not change to office-hours on "+effective+". We keep pairing") {
					t.Errorf("announcement ticket of %s after the withdrawal: %s, last comment %q", tk.Team, tk.State, last)
				}
			}

			// Now a new change may be announced; the history shows both.
			c.ok("platform", "support", "obslog", "--to", "community", "--effective", later, "--announcement", "Ask in the community.", "--by", "carol")
			var history []tandem.SupportChange
			getJSON(t, c.url, &history, "platform", "support-history", "obslog", "-o", "json")
			if len(history) != 2 || history[0].State != tandem.SupportWithdrawn || history[0].WithdrawnBy != "carol" || history[1].State != tandem.SupportAnnounced || history[1].From != "white-glove" {
				t.Errorf("support history = %+v", history)
			}
			if page := httpGet(t, c.url+"/platforms/obslog"); !strings.Contains(page, "office-hours</strong> on "+effective+" (withdrawn)") {
				t.Errorf("the platform page does not show the withdrawn change")
			}

			// Announced at the same moment by two clients: one change, one
			// ticket per team, the other told to look.
			c.ok("platform", "withdraw-support", "obslog", "2", "--reason", "Not yet.", "--by", "carol")
			var wg sync.WaitGroup
			codes := make([]int, 4)
			for i := range codes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					to := []string{"office-hours", "community"}[i%2]
					codes[i], _, _ = tandemCLI(t, c.url, "platform", "support", "obslog", "--to", to, "--effective", later, "--announcement", "x", "--by", "carol")
				}()
			}
			wg.Wait()
			getJSON(t, c.url, &history, "platform", "support-history", "obslog", "-o", "json")
			announced := 0
			for _, h := range history {
				if h.State == tandem.SupportAnnounced {
					announced++
				}
			}
			if announced != 1 || len(history) != 3 {
				t.Errorf("four concurrent announcements (exit codes %v) left %d announced of %d: %+v", codes, announced, len(history), history)
			}

			// Its day comes (the server's pass, run a year on): in effect,
			// its announcement tickets closed saying so.
			db, err := sqlstore.Open(t.Context(), engine.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			applied, err := db.ApplySupportChanges(t.Context(), time.Now().AddDate(1, 0, 0))
			if err != nil || len(applied) != 1 || applied[0].State != tandem.SupportApplied {
				t.Fatalf("applying the due change = %+v, %v; want the one announced, applied", applied, err)
			}
			getJSON(t, c.url, &history, "platform", "support-history", "obslog", "-o", "json")
			if last := history[len(history)-1]; last.State != tandem.SupportApplied || last.AppliedAt == nil {
				t.Errorf("the last change after its day: %+v, want applied", last)
			}
			var ps []tandem.Platform
			getJSON(t, c.url, &ps, "get", "platform", "obslog", "-o", "json")
			if len(ps) != 1 || ps[0].Support != applied[0].To {
				t.Errorf("obslog's support = %+v, want %s", ps, applied[0].To)
			}
			getJSON(t, c.url, &tickets, "get", "tickets", "-o", "json")
			told := 0
			for _, tk := range tickets {
				if tk.Topic != fmt.Sprintf("support-change/%d", applied[0].ID) {
					continue
				}
				told++
				if last := tk.Comments[len(tk.Comments)-1].Body; tk.State != tandem.TicketClosed || !strings.Contains(last, "In effect: from "+later+", obslog's support is "+string(applied[0].To)+".") {
					t.Errorf("%s's announcement ticket once in effect: %s, last comment %q", tk.Team, tk.State, last)
				}
			}
			if told != 2 {
				t.Errorf("the applied change has %d announcement tickets, want one per consuming team", told)
			}
		})
	}
}

// TestTrustLadderProposesWhatMayBeGranted climbs the ladder on an open
// and a closed codebase: proposing and granting follow one rule.
func TestTrustLadderProposesWhatMayBeGranted(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			c := ladderServer(t, engine.DSN)
			for _, cb := range []string{"obslog", "vault"} {
				for i := range 3 {
					c.ok("contribution", "record", "--codebase", cb, "--author", "alice", "--title", fmt.Sprintf("fix %d", i), "--state", "merged")
				}
			}
			var open []tandem.Contributor
			getJSON(t, c.url, &open, "contributors", "obslog", "-o", "json")
			if len(open) != 1 || !open[0].Proposed || open[0].Trusted {
				t.Errorf("open codebase: contributors = %+v, want alice proposed", open)
			}
			if out := c.ok("contributors", "obslog"); !strings.Contains(out, "propose the commit bit: tandem contributors trust obslog alice") {
				t.Errorf("open codebase, contributors:\n%s", out)
			}
			if out := c.ok("contributors", "trust", "obslog", "alice", "--by", "carol"); !strings.Contains(out, "obslog now trusts alice") {
				t.Errorf("granting what was proposed: %s", out)
			}
			getJSON(t, c.url, &open, "contributors", "obslog", "-o", "json")
			if len(open) != 1 || open[0].Proposed || !open[0].Trusted {
				t.Errorf("after the grant: contributors = %+v, want alice trusted, no longer proposed", open)
			}

			var closed []tandem.Contributor
			getJSON(t, c.url, &closed, "contributors", "vault", "-o", "json")
			if len(closed) != 1 || closed[0].Proposed || closed[0].Merged != 3 {
				t.Errorf("closed codebase: contributors = %+v, want alice with 3 merged, not proposed", closed)
			}
			c.refused("vault is closed: declare contributions: open or trusted", "contributors", "trust", "vault", "alice", "--by", "carol")
		})
	}
}

// TestRequestsMoveThroughTheirLifecycle refuses a finished request's
// moves through the API, as the table says.
func TestRequestsMoveThroughTheirLifecycle(t *testing.T) {
	t.Parallel()
	engine := sqlstoretest.Engines(t)[0]
	c := ladderServer(t, engine.DSN)
	c.ok("request", "update", "1", "--state", "declined", "--reason", "Out of scope.", "--by", "carol")
	c.refused("request 1 is declined: it cannot become accepted", "request", "update", "1", "--state", "accepted", "--by", "carol")
	c.ok("request", "update", "2", "--state", "done", "--by", "carol")
	c.refused("request 2 is done: it cannot become in-progress", "request", "update", "2", "--state", "in-progress", "--by", "carol")
}

// TestLeadTimesAndLoadFromRecordedData declines one request and finishes
// another: lead times keep them apart, and the load starts with the data.
func TestLeadTimesAndLoadFromRecordedData(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			c := ladderServer(t, engine.DSN)
			c.ok("request", "update", "1", "--state", "declined", "--reason", "Out of scope.", "--by", "carol")
			c.ok("request", "update", "2", "--state", "done", "--by", "carol")
			var load consumption.Figures
			getJSON(t, c.url, &load, "platform", "load", "obslog", "-o", "json")
			if lt := load.LeadTimes; lt.DoneCount != 1 || lt.DeclinedCount != 1 || lt.DoneText == "" || lt.DeclinedText == "" {
				t.Errorf("lead times = %+v, want one done and one declined, apart", lt)
			}
			month := time.Now().UTC().Format("2006-01")
			if ms := load.Load.Months; len(ms) != 1 || ms[0].Month != month || ms[0].ConsumingTeams != 2 || ms[0].Adoption != nil {
				t.Errorf("months = %+v, want only %s (the data start now), 2 consuming teams, adoption unmeasured (obslog declares no adoption check)", ms, month)
			}
			if len(load.Warnings) != 0 {
				t.Errorf("warnings = %q, want none", load.Warnings)
			}
			out := c.ok("platform", "load", "obslog")
			if line := grepLines(out, "lead times:"); !strings.Contains(line, "(1) · declined ") || !strings.HasSuffix(line, "(1)") {
				t.Errorf("platform load:\n%s", out)
			}
		})
	}
}
