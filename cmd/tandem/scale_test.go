package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/bench"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestScaleOut runs three serve processes on one PostgreSQL database over
// a generated fleet of 2,000 repositories, kills one (SIGKILL) in the
// middle of a scan, another in the middle of a launch of one ticket per
// codebase, and a fourth in the middle of an escalation, and checks that
// the work finishes with every invariant holding: every codebase read,
// every target in the state its code says, one ticket per target, and
// one change request (or Tour of Duty) per straggler. The escalation
// pushes its fix branches into the cached fleet, beside main, which
// scans never read.
func TestScaleOut(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a 2,000-repository fleet: not in -short")
	}
	const repos, teams = 2000, 50
	dsn := sqlstoretest.Postgres(t)
	start := time.Now()
	fleet := sharedFleet(t)
	t.Logf("fleet of %d repositories ready in %v", repos, time.Since(start))

	var catalog strings.Builder
	catalog.WriteString("apiVersion: tandem.dev/v1\nkind: CodeHost\nmetadata: {name: fleet}\nspec: {type: local, path: " + filepath.Join(fleet.Dir, "repos") + "}\n---\n")
	for i := range teams {
		fmt.Fprintf(&catalog, "apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: team%02d}\nspec: {type: stream-aligned}\n---\n", i)
	}
	open := 0 // stragglers whose owners take the platform team's changes
	for i := range repos {
		policy := "closed"
		if i%30 == 0 {
			policy = "open"
			open++
		}
		fmt.Fprintf(&catalog, "apiVersion: tandem.dev/v1\nkind: Codebase\nmetadata: {name: svc-%04d}\nspec: {owner: team%02d, contributions: %s}\n---\n", i, i%teams, policy)
	}
	catalog.WriteString(logrusMigration("  ticket: {per: codebase}\n" + `  fix:
    run: ["sh", "-c", "sed -i 's#github.com/sirupsen/logrus#acme.dev/obslog#' cmd/main.go"]
    branch: tandem/logrus-to-obslog
    title: Replace logrus with obslog
`))
	file := filepath.Join(t.TempDir(), "catalog.yaml")
	writeFile(t, file, catalog.String())

	args := []string{"--db", dsn, "--mirrors", filepath.Join(t.TempDir(), "mirrors"), "--job-timeout", "10s"}
	urls := make([]string, 3)
	procs := make([]interface{ Signal(os.Signal) error }, 3)
	for i := range urls {
		u, cmd := startProcessArgs(t, args)
		urls[i], procs[i] = u, cmd.Process
	}
	kill := func(i int) {
		t.Helper()
		if err := procs[i].Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, errOut := tandemCLI(t, urls[0], "apply", "-f", file); code != 0 {
		t.Fatalf("apply: %s", errOut)
	}

	// A scan, with the third process killed in the middle of it.
	var scan tandem.Scan
	if code, out, errOut := tandemCLI(t, urls[0], "scan"); code != 0 || !strings.HasPrefix(out, "scan ") {
		t.Fatalf("scan: %s %s", out, errOut)
	} else {
		fmt.Sscanf(out, "scan %d", &scan.ID)
	}
	waitScan := func(until func(tandem.Scan) bool, within time.Duration) {
		t.Helper()
		for deadline := time.Now().Add(within); !until(scan) && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if err := json.Unmarshal([]byte(httpGet(t, fmt.Sprintf("%s/api/v1/scans/%d", urls[0], scan.ID))), &scan); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitScan(func(s tandem.Scan) bool { return s.Done >= repos/5 }, 3*time.Minute)
	if scan.Done >= repos || scan.State == tandem.ScanDone {
		t.Fatalf("the scan was done before the kill: %+v", scan)
	}
	kill(2)
	killed := time.Now()
	t.Logf("killed a process with %d of %d codebases read", scan.Done, repos)
	waitScan(func(s tandem.Scan) bool { return s.State == tandem.ScanDone }, 4*time.Minute)
	if scan.State != tandem.ScanDone || scan.Done != repos || scan.Failed != 0 {
		t.Fatalf("after the kill, the scan is %+v, want all %d codebases read", scan, repos)
	}
	db, err := sqlstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rescued int
	if err := db.SQL().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM river_job WHERE attempt > 1").Scan(&rescued); err != nil {
		t.Fatal(err)
	}
	t.Logf("scan done %v after the kill; %d jobs were worked again", time.Since(killed).Round(time.Second), rescued)

	// A launch of one ticket per target, with the process serving it killed
	// in the middle.
	launched := make(chan struct{})
	go func() {
		defer close(launched)
		tandemCLI(t, urls[1], "campaign", "launch", "logrus-to-obslog") // cut short by the kill
	}()
	tickets := func() []tandem.Ticket {
		t.Helper()
		var ts []tandem.Ticket
		getJSON(t, urls[0], &ts, "get", "tickets", "-o", "json")
		return ts
	}
	want := len(fleet.Holding)
	for deadline := time.Now().Add(2 * time.Minute); len(tickets()) < want/10 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	kill(1)
	<-launched
	before := len(tickets())
	if before == 0 || before >= want {
		t.Fatalf("%d of %d tickets filed when the process was killed; the test needs a launch cut short", before, want)
	}
	t.Logf("killed the launching process with %d of %d tickets filed", before, want)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	for ctx.Err() == nil && len(tickets()) < want {
		tandemCLI(t, urls[0], "campaign", "launch", "logrus-to-obslog")
	}

	ts := tickets()
	perCodebase := map[string]int{}
	for _, tk := range ts {
		perCodebase[tk.Codebase]++
	}
	if len(ts) != want || len(perCodebase) != want {
		t.Errorf("%d tickets for %d codebases, want one for each of the %d targets", len(ts), len(perCodebase), want)
	}
	var c tandem.Campaign
	getJSON(t, urls[0], &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
	wrong := 0
	for _, tg := range c.Targets {
		if !fleet.Holding[tg.Codebase] || tg.State != tandem.TargetTicketed || perCodebase[tg.Codebase] != 1 {
			wrong++
		}
	}
	if len(c.Targets) != want || wrong != 0 {
		t.Errorf("%d targets, %d of them wrong (not holding, not ticketed, or not once), want the %d holding codebases ticketed once", len(c.Targets), wrong, want)
	}

	// An escalation of every straggler, served by a fourth process killed
	// in the middle of it: the open codebases get the fix as a change
	// request, the others a Tour of Duty proposal.
	escalator, cmd := startProcessArgs(t, args)
	escalated := make(chan struct{})
	go func() {
		defer close(escalated)
		tandemCLI(t, escalator, "campaign", "escalate", "logrus-to-obslog") // cut short by the kill
	}()
	changes := func() []tandem.ChangeRequest {
		t.Helper()
		var crs []tandem.ChangeRequest
		getJSON(t, urls[0], &crs, "get", "change-requests", "-o", "json")
		return crs
	}
	for deadline := time.Now().Add(2 * time.Minute); len(changes()) < open/4 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-escalated
	t.Logf("killed the escalating process with %d of %d change requests opened", len(changes()), open)
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		tandemCLI(t, urls[0], "campaign", "escalate", "logrus-to-obslog")
		getJSON(t, urls[0], &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
		if c.Counts[tandem.TargetTicketed] == 0 {
			break
		}
	}
	crs := changes()
	byCodebase := map[string]int{}
	for _, cr := range crs {
		byCodebase[cr.Codebase]++
	}
	var tours []tandem.Engagement
	getJSON(t, urls[0], &tours, "engagement", "list", "-o", "json")
	toursBy := map[string]int{}
	proposed := 0
	for _, e := range tours {
		for _, cb := range e.Codebases {
			toursBy[cb]++
			proposed++
		}
	}
	if len(crs) != open || len(byCodebase) != open || proposed != want-open || len(toursBy) != want-open || len(tours) > len(toursBy) {
		t.Errorf("%d change requests on %d codebases and %d tours for %d codebases on %d, want one change request for each of the %d open stragglers and one tour for each of the %d others",
			len(crs), len(byCodebase), len(tours), proposed, len(toursBy), open, want-open)
	}
	if got := c.Counts[tandem.TargetPROpen] + c.Counts[tandem.TargetTourProposed]; got != want {
		t.Errorf("after the escalation, targets are %v, want all %d pr-open or tour-proposed", c.Counts, want)
	}
}

// fleetOnce generates the fleet of sharedFleet once per test binary.
var fleetOnce = sync.OnceValues(func() (*bench.Fleet, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return nil, err
	}
	return bench.Generate(context.Background(), filepath.Join(cache, "tandem", "fleets"), bench.FleetOptions{Repos: 2000, Files: 2})
})

// sharedFleet returns the fleet of 2,000 generated repositories that
// TestScaleOut and TestKilledAtRandom share, kept in the user's cache
// folder across runs. The two run in parallel and bench.Generate must not
// run twice at once on one folder, so it runs once here.
func sharedFleet(t *testing.T) *bench.Fleet {
	t.Helper()
	fleet, err := fleetOnce()
	if err != nil {
		t.Fatalf("generate the fleet: %v", err)
	}
	return fleet
}
