package campaign_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/chat"
	"github.com/tandem-dev/tandem/manifest"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// fixture is a store with teams, a platform and a migration whose targets
// were found on the given codebases, owned as named ("" for none).
func fixture(t *testing.T, migration string, owners map[string]string) *sqlstore.DB {
	t.Helper()
	return fixtureOn(t, sqlstoretest.SQLite(t), migration, owners)
}

// fixtureOn is fixture on the database at dsn.
func fixtureOn(t *testing.T, dsn, migration string, owners map[string]string) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	objs, err := manifest.Decode([]manifest.Source{{Name: "catalog.yaml", Data: []byte(`apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, aliases: ["@acme/payments"]}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: search}
spec: {type: stream-aligned, aliases: ["@acme/search"]}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: observability}
spec: {type: platform}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec: {owner: observability}
---
` + migration)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(ctx, objs); err != nil {
		t.Fatal(err)
	}
	for name, owner := range owners {
		c := tandem.Codebase{Name: name, Host: "local", DefaultBranch: "main", Head: "c1", Location: "/repos/" + name}
		if owner != "" {
			c.Ownership.Codeowners = []string{"@acme/" + owner}
		}
		results := []tandem.CheckResult{{Check: tandem.CheckID("migration", "m", tandem.RoleTarget), Commit: "c1", Holds: true,
			Evidence: []tandem.Match{{Path: "main.go", Line: 3}}}}
		if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{Codebase: c, Results: results}); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

const migrationYAML = `apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: m}
spec:
  platform: obslog
  title: Replace logrus
  target: {path: "**/*.go", contains: logrus}
  deadline: "2026-12-31"
`

func TestLaunchPerCodebaseWithRollout(t *testing.T) {
	db := fixture(t, migrationYAML+`  ticket: {per: codebase, title: "{{ .Team }}: {{ join \", \" .Codebases }}"}
  rollout: {max: 2, per: 1h}
`, map[string]string{"a": "payments", "b": "payments", "c": "search", "d": ""})
	ctx := context.Background()
	s := &campaign.Service{Store: db}

	out, err := s.Launch(ctx, "m", false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(out.Tickets), 2; got != want {
		t.Fatalf("tickets filed = %d, want %d (the rollout limit): %+v", got, want, out)
	}
	if got, want := out.Tickets[0].Title, "payments: a"; got != want {
		t.Errorf("first title = %q, want %q", got, want)
	}
	if got, want := strings.Join(out.Waiting, ","), "c"; got != want {
		t.Errorf("waiting = %q, want %q", got, want)
	}
	if got, want := strings.Join(out.Unowned, ","), "d"; got != want {
		t.Errorf("unowned = %q, want %q", got, want)
	}
	targets, _ := db.FindTargets(ctx, "m")
	if got, want := states(targets), "a=ticketed b=ticketed c=pending d=unowned"; got != want {
		t.Errorf("states = %s, want %s", got, want)
	}

	// An hour later the rest goes out.
	s.Now = func() time.Time { return time.Now().Add(61 * time.Minute) }
	if out, err = s.Launch(ctx, "m", false); err != nil || len(out.Tickets) != 1 || out.Tickets[0].Codebases[0] != "c" {
		t.Errorf("launch an hour later = %+v, %v", out, err)
	}
}

func TestTickNudgesOnceAndExpiresExemptions(t *testing.T) {
	db := fixture(t, migrationYAML+`  nudge: {every: 7d}
`, map[string]string{"a": "payments", "b": "search"})
	ctx := context.Background()
	created := time.Now().UTC()
	s := &campaign.Service{Store: db}
	if _, err := s.Launch(ctx, "m", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exempt(ctx, "m", "b", "replaced next quarter", created.Add(10*24*time.Hour), "pm"); err != nil {
		t.Fatal(err)
	}

	at := func(d time.Duration) { s.Now = func() time.Time { return created.Add(d) } }
	at(6 * 24 * time.Hour)
	if n, err := s.Tick(ctx); err != nil || n != 0 {
		t.Errorf("tick after 6 days nudged %d (%v), want 0", n, err)
	}
	at(8 * 24 * time.Hour)
	if n, err := s.Tick(ctx); err != nil || n != 1 {
		t.Errorf("tick after 8 days nudged %d (%v), want 1 (the exempt team's ticket is closed)", n, err)
	}
	if n, _ := s.Tick(ctx); n != 0 {
		t.Errorf("a second tick at once nudged %d, want 0", n)
	}
	tickets, _ := db.FindTickets(ctx, tandem.TicketFilter{Migration: "m", Team: "payments"})
	if tickets[0].Nudges != 1 || !strings.Contains(tickets[0].Comments[len(tickets[0].Comments)-1].Body, "Reminder") {
		t.Errorf("payments ticket: %d nudges, comments %+v", tickets[0].Nudges, tickets[0].Comments)
	}

	at(11 * 24 * time.Hour)
	if _, err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	targets, _ := db.FindTargets(ctx, "m")
	if got, want := states(targets), "a=ticketed b=ticketed"; got != want {
		t.Errorf("after the exemption expired: %s, want %s", got, want)
	}
	tickets, _ = db.FindTickets(ctx, tandem.TicketFilter{Migration: "m", Team: "search"})
	if tickets[0].State != tandem.TicketOpen {
		t.Errorf("search ticket after the exemption expired: %s, want open", tickets[0].State)
	}
}

func TestEscalateAutomaticallyAfterTheDeadline(t *testing.T) {
	db := fixture(t, migrationYAML+`  escalate: {after: deadline}
`, map[string]string{"a": "payments"})
	ctx := context.Background()
	s := &campaign.Service{Store: db, Now: func() time.Time { return time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC) }}
	if _, err := s.Launch(ctx, "m", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	targets, _ := db.FindTargets(ctx, "m")
	if got := targets[0].State; got != tandem.TargetTicketed {
		t.Errorf("on the deadline day: %s, want ticketed", got)
	}
	s.Now = func() time.Time { return time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC) }
	if _, err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	targets, _ = db.FindTargets(ctx, "m")
	if got := targets[0].State; got != tandem.TargetTourProposed {
		t.Errorf("after the deadline, a closed codebase: %s, want tour-proposed", got)
	}
}

func TestAdopt(t *testing.T) {
	db := fixture(t, migrationYAML, map[string]string{"a": "payments", "b": "search"})
	ctx := context.Background()
	if _, err := db.AdoptTicket(ctx, "m", "a", "https://tracker.example/PAY-12"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AdoptChangeRequest(ctx, "m", "b", "https://git.example/search/pull/7"); err != nil {
		t.Fatal(err)
	}
	out, err := (&campaign.Service{Store: db}).Launch(ctx, "m", false)
	if err != nil {
		t.Fatal(err)
	}
	targets, _ := db.FindTargets(ctx, "m")
	if got, want := states(targets), "a=ticketed b=pr-open"; got != want {
		t.Errorf("states = %s, want %s", got, want)
	}
	if len(out.Tickets) != 0 {
		t.Errorf("launch filed %+v over adopted ones", out.Tickets)
	}
	if targets[0].Ticket.URL != "https://tracker.example/PAY-12" || targets[1].PullRequest.URL != "https://git.example/search/pull/7" {
		t.Errorf("adopted links = %+v, %+v", targets[0].Ticket, targets[1].PullRequest)
	}
}

func states(ts []tandem.Target) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Codebase+"="+t.State)
	}
	return strings.Join(s, " ")
}

func TestNudgeReachesTheTeamChat(t *testing.T) {
	db := fixture(t, migrationYAML+"  nudge: {every: 1d}\n", map[string]string{"a": "payments", "b": "search"})
	ctx := context.Background()
	objs, err := manifest.Decode([]manifest.Source{{Name: "t.yaml", Data: []byte(`apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, aliases: ["@acme/payments"], chat: {webhook: env:PAYMENTS_CHAT}}
`)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Apply(ctx, objs); err != nil {
		t.Fatal(err)
	}
	var received []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		_ = json.NewDecoder(r.Body).Decode(&m)
		received = append(received, m["text"])
	}))
	defer srv.Close()
	poster := &chat.Poster{Getenv: func(k string) string {
		if k == "PAYMENTS_CHAT" {
			return srv.URL
		}
		return ""
	}}
	start := time.Now().UTC()
	s := &campaign.Service{Store: db, Notify: poster.Post, Now: func() time.Time { return start }}
	if _, err := s.Launch(ctx, "m", false); err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return start.Add(25 * time.Hour) }
	n, err := s.Tick(ctx)
	if err != nil || n != 2 {
		t.Fatalf("tick nudged %d, %v; want 2", n, err)
	}
	if len(received) != 1 || !strings.HasPrefix(received[0], "[payments] Reminder: Replace logrus.") {
		t.Errorf("chat received %q, want one reminder for payments (search names no chat)", received)
	}
}

// escalationYAML is a migration with a fix, over a local code host where
// codebases a and b take the platform team's changes.
const escalationYAML = `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: local}
spec: {type: local, path: /tmp}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: a}
spec: {contributions: open}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: b}
spec: {contributions: open}
---
` + migrationYAML + `  fix:
    run: [fix]
    branch: tandem/m
    title: Replace logrus in {{ (index .Codebases 0).Name }}
  escalate: {after: 1h}
`

// fakeFix is a fix that commits nothing anywhere: it records the branches
// it ran for and returns a commit named after the branch.
type fakeFix struct {
	mu       sync.Mutex
	branches []string
	bodies   []string
	delay    time.Duration
}

func (f *fakeFix) run(_ context.Context, r campaign.FixRun) (string, error) {
	time.Sleep(f.delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.branches = append(f.branches, r.Repo+"@"+r.Branch)
	f.bodies = append(f.bodies, r.Message)
	return fmt.Sprintf("%040x", len(f.branches)), nil
}

func (f *fakeFix) ran() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.branches, " ")
}

// target returns a codebase's target of m, failing the test when it has
// none.
func target(t *testing.T, db *sqlstore.DB, codebase string) tandem.Target {
	t.Helper()
	targets, err := db.FindTargets(t.Context(), "m")
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		if tg.Codebase == codebase {
			return tg
		}
	}
	t.Fatalf("no target on %s", codebase)
	return tandem.Target{}
}

// history returns a codebase's change requests as "branch:state", oldest
// first.
func history(t *testing.T, db *sqlstore.DB, codebase string) string {
	t.Helper()
	crs, err := db.FindChangeRequests(t.Context(), "m", 0)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, cr := range crs {
		if cr.Codebase == codebase {
			s = append(s, cr.Branch+":"+cr.State)
		}
	}
	return strings.Join(s, " ")
}

// TestEscalateAgainAfterCloseAndMerge: a target keeps one open change
// request; once the owners closed it, only a hand escalation proposes the
// change again, on a new branch; once one was merged, the target is back
// on its ticket and is escalated again only after a scan still finds it
// needed. The old change requests stay in the target's history.
func TestEscalateAgainAfterCloseAndMerge(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := fixtureOn(t, e.DSN, escalationYAML, map[string]string{"a": "payments"})
			ctx := t.Context()
			fix := &fakeFix{}
			s := &campaign.Service{Store: db, Fix: fix.run}
			if _, err := s.Launch(ctx, "m", false); err != nil {
				t.Fatal(err)
			}
			escalate := func(auto bool, wantAction string) campaign.Escalated {
				t.Helper()
				out, err := s.Escalate(ctx, "m", "", auto)
				if err != nil {
					t.Fatal(err)
				}
				if wantAction == "" {
					if len(out) != 0 {
						t.Fatalf("escalate (auto %v) = %+v, want nothing", auto, out)
					}
					return campaign.Escalated{}
				}
				if len(out) != 1 || out[0].Action != wantAction {
					t.Fatalf("escalate (auto %v) = %+v, want %s", auto, out, wantAction)
				}
				return out[0]
			}
			first := escalate(false, "change-request")
			escalate(false, "none")
			if got, want := history(t, db, "a"), "tandem/m:open"; got != want {
				t.Fatalf("after escalating twice: %s, want %s", got, want)
			}

			// The owners close it: the target is back on its ticket, and
			// the tick does not ask again.
			if _, _, err := s.PullRequestState(ctx, first.URL, "closed"); err != nil {
				t.Fatal(err)
			}
			if tg := target(t, db, "a"); tg.State != tandem.TargetTicketed || !strings.Contains(tg.Error, "closed "+first.URL+" without merging it") {
				t.Errorf("after the owners closed it: %s, %q", tg.State, tg.Error)
			}
			s.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
			escalate(true, "")
			s.Now = nil
			if got, want := fix.ran(), "/repos/a@tandem/m"; got != want {
				t.Errorf("after the tick the fix ran for %s, want %s", got, want)
			}

			// A person asks again: a new change request on a new branch.
			second := escalate(false, "change-request")
			if !strings.Contains(second.Detail, "branch tandem/m-2 ") || second.URL == first.URL {
				t.Errorf("the second change request: %+v, want a new one on tandem/m-2", second)
			}
			if got, want := history(t, db, "a"), "tandem/m:closed tandem/m-2:open"; got != want {
				t.Errorf("history: %s, want %s", got, want)
			}
			if tg := target(t, db, "a"); tg.State != tandem.TargetPROpen || tg.Error != "" || tg.PullRequest.URL != second.URL {
				t.Errorf("after escalating again: %s, %q, %+v", tg.State, tg.Error, tg.PullRequest)
			}

			// The owners reopen the first: the target follows the second
			// still, one open change request at a time.
			if cr, changed, err := s.PullRequestState(ctx, first.URL, "open"); err != nil || changed || cr.State != tandem.ChangeClosed {
				t.Errorf("reopening the first while the second is open = %s, changed %v, %v; want it closed, unchanged", cr.State, changed, err)
			}
			if tg := target(t, db, "a"); tg.State != tandem.TargetPROpen || tg.PullRequest.URL != second.URL {
				t.Errorf("after the first was reopened the target follows %+v", tg.PullRequest)
			}

			// Merged, it is back on its ticket: the next scan tells.
			if _, _, err := s.PullRequestState(ctx, second.URL, "merged"); err != nil {
				t.Fatal(err)
			}
			if tg := target(t, db, "a"); tg.State != tandem.TargetTicketed || tg.Error != "" || tg.PullRequest.State != tandem.ChangeMerged {
				t.Errorf("after the merge: %s, %q, %+v", tg.State, tg.Error, tg.PullRequest)
			}
			if out := escalate(false, "none"); !strings.Contains(out.Detail, "the next scan tells") {
				t.Errorf("escalating before a scan: %+v", out)
			}
			// A scan still finds it needed: it is escalated again.
			rescan(t, db, "a", true)
			if tg := target(t, db, "a"); tg.State != tandem.TargetTicketed {
				t.Errorf("after a scan that still finds it: %s, want ticketed", tg.State)
			}
			third := escalate(false, "change-request")
			if !strings.Contains(third.Detail, "branch tandem/m-3 ") {
				t.Errorf("the third change request: %+v", third)
			}
			if got, want := history(t, db, "a"), "tandem/m:closed tandem/m-2:merged tandem/m-3:open"; got != want {
				t.Errorf("history: %s, want %s", got, want)
			}
			if _, err := db.ApproveChangeRequest(ctx, "m", "a", "alice"); err != nil {
				t.Errorf("approving the open one: %v", err)
			}

			// Merged by Tandem, then a scan finds it done.
			cr, err := db.MergeChangeRequest(ctx, target(t, db, "a").PullRequest.ID, "f00d", "", time.Now())
			if err != nil || cr.State != tandem.ChangeMerged || cr.MergedAt == nil || cr.MergeCommit != "f00d" {
				t.Fatalf("MergeChangeRequest = %+v, %v", cr, err)
			}
			rescan(t, db, "a", false)
			if tg := target(t, db, "a"); tg.State != tandem.TargetDone {
				t.Errorf("after a scan that finds it done: %s", tg.State)
			}
			tickets, err := db.FindTickets(ctx, tandem.TicketFilter{Migration: "m"})
			if err != nil {
				t.Fatal(err)
			}
			if tk := tickets[0]; tk.State != tandem.TicketClosed {
				t.Errorf("the ticket is %s, want closed", tk.State)
			}
		})
	}
}

// rescan saves a scan of codebase at a new head, where the target holds
// or not.
func rescan(t *testing.T, db *sqlstore.DB, codebase string, holds bool) {
	t.Helper()
	head := fmt.Sprintf("c%d", time.Now().UnixNano())
	c := tandem.Codebase{Name: codebase, Host: "local", DefaultBranch: "main", Head: head, Location: "/repos/" + codebase,
		Ownership: tandem.Ownership{Codeowners: []string{"@acme/payments"}}}
	r := tandem.CheckResult{Check: tandem.CheckID("migration", "m", tandem.RoleTarget), Commit: head, Holds: holds}
	if holds {
		r.Evidence = []tandem.Match{{Path: "main.go", Line: 3}}
	}
	if _, _, err := db.SaveCodebase(t.Context(), 0, tandem.CodebaseRead{Codebase: c, Results: []tandem.CheckResult{r}}); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentEscalationsRunEachFixOnce escalates one migration four
// times at once, through two stores on one database (two servers, on
// PostgreSQL) or one (SQLite's one server): each target's fix runs once,
// and it has one change request and no error.
func TestConcurrentEscalationsRunEachFixOnce(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := fixtureOn(t, e.DSN, escalationYAML, map[string]string{"a": "payments", "b": "payments"})
			ctx := t.Context()
			stores := []*sqlstore.DB{db, db}
			if e.Name == "postgres" {
				other, err := sqlstore.Open(ctx, e.DSN)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { other.Close() })
				stores[1] = other
			}
			if _, err := (&campaign.Service{Store: db}).Launch(ctx, "m", false); err != nil {
				t.Fatal(err)
			}
			fix := &fakeFix{delay: 100 * time.Millisecond}
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for i := range 4 {
				s := &campaign.Service{Store: stores[i%2], Fix: fix.run}
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := s.Escalate(ctx, "m", "", false)
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if got, want := fix.ran(), "/repos/a@tandem/m /repos/b@tandem/m"; got != want {
				t.Errorf("the fix ran for %s, want %s", got, want)
			}
			for _, c := range []string{"a", "b"} {
				if got, want := history(t, db, c), "tandem/m:open"; got != want {
					t.Errorf("%s's change requests: %s, want %s", c, got, want)
				}
				if tg := target(t, db, c); tg.State != tandem.TargetPROpen || tg.Error != "" {
					t.Errorf("%s: %s with error %q", c, tg.State, tg.Error)
				}
			}
		})
	}
}

// TestFixBodyTellsTheDeadlineTruly: a change request escalated by hand
// before the deadline does not say the deadline passed.
func TestFixBodyTellsTheDeadlineTruly(t *testing.T) {
	db := fixture(t, escalationYAML, map[string]string{"a": "payments", "b": "payments"})
	ctx := t.Context()
	fix := &fakeFix{}
	s := &campaign.Service{Store: db, Fix: fix.run, Now: func() time.Time { return time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC) }}
	if _, err := s.Launch(ctx, "m", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Escalate(ctx, "m", "a", false); err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC) }
	if _, err := s.Escalate(ctx, "m", "b", false); err != nil {
		t.Fatal(err)
	}
	crs, err := db.FindChangeRequests(ctx, "m", 0)
	if err != nil || len(crs) != 2 {
		t.Fatalf("change requests = %+v, %v", crs, err)
	}
	if got, want := crs[0].Body, "because the codebase still needs it; the deadline is 2026-12-31."; !strings.Contains(got, want) || strings.Contains(got, "after") {
		t.Errorf("on the deadline day the body says %q, want %q", got, want)
	}
	if got, want := crs[1].Body, "because the codebase still needed it after the deadline, 2026-12-31."; !strings.Contains(got, want) {
		t.Errorf("after the deadline the body says %q, want %q", got, want)
	}
}
