package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/bench"
	"github.com/tandem-dev/tandem/web"
)

// TestKilledAtRandom kills serve (SIGKILL) on SQLite at a random point of
// a launch of 667 tickets and of an apply, 20 times over, restarting it
// on the same database each time, and checks the invariants after every
// restart: no target lost, no codebase with two tickets, no ticket
// without its target, and every apply either whole or absent. Each round
// launches a migration of its own, so that each kill lands in the middle
// of one: when a random share of its tickets is filed.
func TestKilledAtRandom(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("20 restarts: not in -short")
	}
	const repos, rounds = 2000, 20
	fleet := sharedFleet(t) // the 2,000 repositories of TestScaleOut
	want := len(fleet.Holding)
	var catalog strings.Builder
	catalog.WriteString("apiVersion: tandem.dev/v1\nkind: CodeHost\nmetadata: {name: fleet}\nspec: {type: local, path: " + filepath.Join(fleet.Dir, "repos") + "}\n---\n")
	catalog.WriteString("apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: payments}\nspec: {type: stream-aligned}\n---\n")
	catalog.WriteString("apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: observability}\nspec: {type: platform}\n---\n")
	catalog.WriteString("apiVersion: tandem.dev/v1\nkind: Platform\nmetadata: {name: obslog}\nspec: {owner: observability}\n")
	for i := range repos {
		fmt.Fprintf(&catalog, "---\napiVersion: tandem.dev/v1\nkind: Codebase\nmetadata: {name: svc-%04d}\nspec: {owner: payments}\n", i)
	}
	for round := range rounds {
		fmt.Fprintf(&catalog, "---\napiVersion: tandem.dev/v1\nkind: Migration\nmetadata: {name: m%02d}\nspec:\n  platform: obslog\n  title: Round %d\n"+
			"  target: {path: \"**/*.go\", contains: '%s'}\n  ticket: {per: codebase}\n", round, round, bench.Needle)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "catalog.yaml")
	writeFile(t, file, catalog.String())
	dsn := "sqlite://" + filepath.Join(dir, "tandem.db")
	mirrors := filepath.Join(dir, "mirrors")
	url, server := startProcess(t, dsn, mirrors)
	applyAndScan(t, url, file)

	// invariants checks a round's migration and the applies as a restarted
	// server sees them, and returns how many tickets the migration has.
	invariants := func(url, name string) int {
		t.Helper()
		var c tandem.Campaign
		getJSON(t, url, &c, "campaign", "status", name, "-o", "json")
		var ts []tandem.Ticket
		getJSON(t, url, &ts, "get", "tickets", "--migration", name, "-o", "json")
		byCodebase := map[string]int{}
		for _, tk := range ts {
			byCodebase[tk.Codebase]++
		}
		if len(c.Targets) != want {
			t.Fatalf("%s: %d targets, want %d: targets were lost", name, len(c.Targets), want)
		}
		for _, tg := range c.Targets {
			n := byCodebase[tg.Codebase]
			if n > 1 || (n == 1) != (tg.State == tandem.TargetTicketed) || (n == 1) != (tg.Ticket != nil) {
				t.Fatalf("%s: %s is %s with %d tickets (ticket %+v)", name, tg.Codebase, tg.State, n, tg.Ticket)
			}
		}
		if len(ts) != len(byCodebase) {
			t.Fatalf("%s: %d tickets for %d codebases", name, len(ts), len(byCodebase))
		}
		var teams []tandem.Team
		getJSON(t, url, &teams, "get", "teams", "-o", "json")
		applied := map[string]int{}
		for _, tm := range teams {
			if batch, _, ok := strings.Cut(tm.Name, "-team"); ok {
				applied[batch]++
			}
		}
		for batch, n := range applied {
			if n != 50 {
				t.Fatalf("%s: the apply of batch %s left %d of its 50 teams", name, batch, n)
			}
		}
		return len(ts)
	}
	// ticketed reads how many of a migration's targets are ticketed, from
	// the campaign list's counts, cheaply enough to poll.
	ticketed := func(url, name string) int {
		var cs []web.CampaignSummary
		if err := json.Unmarshal([]byte(httpGet(t, url+"/api/v1/campaigns")), &cs); err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Name == name {
				return c.Counts[tandem.TargetTicketed]
			}
		}
		return 0
	}

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	cut := 0
	for round := range rounds {
		name := fmt.Sprintf("m%02d", round)
		var b strings.Builder
		for i := range 50 {
			fmt.Fprintf(&b, "apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: b%02d-team%02d}\nspec: {type: stream-aligned}\n---\n", round, i)
		}
		batch := filepath.Join(dir, fmt.Sprintf("batch%02d.yaml", round))
		writeFile(t, batch, b.String())
		at := 1 + rng.IntN(want-1) // kill once this many tickets are filed
		var wg sync.WaitGroup
		wg.Go(func() { tandemCLI(t, url, "campaign", "launch", name) })
		wg.Go(func() { tandemCLI(t, url, "apply", "-f", batch) })
		// Polled every 5ms rather than in a busy loop, which took a core
		// from the launch it waits for.
		for deadline := time.Now().Add(time.Minute); ticketed(url, name) < at && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		}
		if err := server.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		server.Wait()
		wg.Wait()
		url, server = startProcess(t, dsn, mirrors)
		n := invariants(url, name)
		if n > 0 && n < want {
			cut++
		}
		t.Logf("round %d: killed at %d of %d tickets filed, %d found after the restart", round, at, want, n)
	}
	if cut < rounds/2 {
		t.Errorf("only %d of %d kills landed in the middle of a launch", cut, rounds)
	}
	for round := range rounds {
		name := fmt.Sprintf("m%02d", round)
		for deadline := time.Now().Add(time.Minute); invariants(url, name) < want && time.Now().Before(deadline); {
			tandemCLI(t, url, "campaign", "launch", name)
		}
		if n := invariants(url, name); n != want {
			t.Errorf("%s: after the last restart, %d tickets, want %d", name, n, want)
		}
	}
}
