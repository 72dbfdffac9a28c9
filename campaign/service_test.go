package campaign_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
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
		c := tandem.Codebase{Name: name, Host: "local", DefaultBranch: "main", Head: "c1"}
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
