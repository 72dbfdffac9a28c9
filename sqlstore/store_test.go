package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestStore runs the conformance suite on every engine, each test on a
// fresh database.
func TestStore(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *sqlstore.DB, dsn string)
	}{
		{"apply reports created, then unchanged, then configured", testApplyActions},
		{"apply with broken references writes nothing and locates every problem", testApplyAtomic},
		{"team members and person teams read back as their union", testMemberships},
		{"saving a codebase resolves its owner from its files", testSaveCodebaseOwner},
		{"applying a team alias later resolves owners again", testResolveAgain},
		{"a policy for an undiscovered codebase takes effect on discovery", testPolicyBeforeDiscovery},
		{"a codebase name taken on another host is a conflict", testCodebaseConflict},
		{"finds filter and sort codebases", testFindCodebases},
		{"a scan counts hosts and reads and finishes once all are done", testScanProgress},
		{"a scan is not created when enqueueing fails", testCreateScanRollback},
		{"concurrent reads in one scan are all counted", testScanConcurrent},
		{"a conflicting read fails in the scan with a problem", testScanConflict},
		{"a listing counts unchanged codebases done and marks missing ones gone", testListingUnchanged},
		{"a batch of reads is counted once, conflicts included", testSaveBatch},
		{"a scan moving on is notified on PostgreSQL", testScanNotifies},
		{"missing objects are not found", testNotFound},
		{"empty results are empty lists", testEmptyLists},
		{"reopening a database migrates nothing twice", testReopen},
		{"check results move migration targets and keep history", testCheckResults},
		{"a migration must name a known platform", testMigrationReference},
		{"target pages and stats are computed by the database", testTargetPages},
	}
	engines := []struct {
		name string
		dsn  func(*testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return sqlstoretest.SQLite(t) }},
		{"postgres", sqlstoretest.Postgres},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					dsn := e.dsn(t)
					db, err := sqlstore.Open(t.Context(), dsn)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { db.Close() })
					if got, want := db.Dialect(), e.name; got != want {
						t.Fatalf("Dialect() = %q, want %q", got, want)
					}
					tt.fn(t, db, dsn)
				})
			}
		})
	}
}

func TestEnginesGivesFreshDatabases(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, err := sqlstore.Open(t.Context(), e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if got, want := db.Dialect(), e.Name; got != want {
				t.Errorf("Dialect() = %q, want %q", got, want)
			}
			teams, err := db.FindTeams(t.Context(), "")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(teams), 0; got != want {
				t.Errorf("fresh database has %d teams, want %d", got, want)
			}
		})
	}
}

// Object builders: each object is declared at line 1 of its file, with
// its fields on the following lines.

func team(name string, members, aliases []string) tandem.Object {
	return tandem.Object{Kind: tandem.KindTeam, Name: name, File: "teams.yaml", Line: 1,
		Spec: &tandem.Team{Name: name, Type: tandem.StreamAligned, Members: members, Aliases: aliases}}
}

func person(handle string, teams ...string) tandem.Object {
	lines := map[string]int{}
	for i := range teams {
		lines[fmt.Sprintf("spec.teams[%d]", i)] = 10 + i
	}
	return tandem.Object{Kind: tandem.KindPerson, Name: handle, File: "people.yaml", Line: 1, Lines: lines,
		Spec: &tandem.Person{Handle: handle, Teams: teams}}
}

func policy(name, owner, contributions string, trusted ...string) tandem.Object {
	lines := map[string]int{"spec.owner": 5}
	for i := range trusted {
		lines[fmt.Sprintf("spec.trusted[%d]", i)] = 20 + i
	}
	return tandem.Object{Kind: tandem.KindCodebase, Name: name, File: "codebases.yaml", Line: 1, Lines: lines,
		Spec: &tandem.CodebasePolicy{Name: name, Owner: owner, Contributions: contributions, Trusted: trusted}}
}

func platform(name, owner string, codebases ...string) tandem.Object {
	lines := map[string]int{"spec.owner": 3}
	for i := range codebases {
		lines[fmt.Sprintf("spec.codebases[%d]", i)] = 30 + i
	}
	return tandem.Object{Kind: tandem.KindPlatform, Name: name, File: "platforms.yaml", Line: 1, Lines: lines,
		Spec: &tandem.Platform{Name: name, Owner: owner, Codebases: codebases, Support: tandem.SupportSelfService}}
}

func host(name string) tandem.Object {
	return tandem.Object{Kind: tandem.KindCodeHost, Name: name, File: "hosts.yaml", Line: 1,
		Spec: &tandem.CodeHost{Name: name, Type: tandem.HostLocal, Path: "/srv/" + name}}
}

func apply(t *testing.T, db *sqlstore.DB, objs ...tandem.Object) []tandem.Applied {
	t.Helper()
	applied, err := db.Apply(t.Context(), objs)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return applied
}

func save(t *testing.T, db *sqlstore.DB, scanID int64, c tandem.Codebase) tandem.Codebase {
	t.Helper()
	saved, _, err := db.SaveCodebase(t.Context(), scanID, tandem.CodebaseRead{Codebase: c})
	if err != nil {
		t.Fatalf("SaveCodebase(%s): %v", c.Name, err)
	}
	return saved
}

func codebase(t *testing.T, db *sqlstore.DB, name string) tandem.Codebase {
	t.Helper()
	cs, err := db.FindCodebases(t.Context(), tandem.CodebaseFilter{Name: name})
	if err != nil {
		t.Fatalf("FindCodebases(%s): %v", name, err)
	}
	return cs[0]
}

func ownerOf(c tandem.Codebase) string {
	if c.Owner == nil {
		return "<nil>"
	}
	return *c.Owner
}

func noEnqueue(context.Context, *sql.Tx, int64) error { return nil }

func testApplyActions(t *testing.T, db *sqlstore.DB, _ string) {
	objs := []tandem.Object{team("search", nil, nil), team("payments", []string{"ann"}, nil), host("local"), person("ann", "payments")}
	want := func(action string) []tandem.Applied {
		return []tandem.Applied{
			{Kind: tandem.KindTeam, Name: "search", Action: action},
			{Kind: tandem.KindTeam, Name: "payments", Action: action},
			{Kind: tandem.KindCodeHost, Name: "local", Action: action},
			{Kind: tandem.KindPerson, Name: "ann", Action: action},
		}
	}
	if got := apply(t, db, objs...); !slices.Equal(got, want("created")) {
		t.Errorf("first apply = %v, want %v", got, want("created"))
	}
	if got := apply(t, db, objs...); !slices.Equal(got, want("unchanged")) {
		t.Errorf("second apply = %v, want %v", got, want("unchanged"))
	}

	changed := team("payments", []string{"ann"}, nil)
	changed.Spec.(*tandem.Team).Type = tandem.PlatformTeam
	got := apply(t, db, changed, host("local"))
	wantChanged := []tandem.Applied{
		{Kind: tandem.KindTeam, Name: "payments", Action: "configured"},
		{Kind: tandem.KindCodeHost, Name: "local", Action: "unchanged"},
	}
	if !slices.Equal(got, wantChanged) {
		t.Errorf("changed apply = %v, want %v", got, wantChanged)
	}

	teams, err := db.FindTeams(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tm := range teams {
		names = append(names, tm.Name)
	}
	if got, want := names, []string{"payments", "search"}; !slices.Equal(got, want) {
		t.Errorf("teams = %v, want %v (sorted)", got, want)
	}
	if got, want := teams[0].Type, tandem.PlatformTeam; got != want {
		t.Errorf("payments type = %q, want %q", got, want)
	}
	hosts, err := db.FindCodeHosts(t.Context(), "local")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hosts[0], (tandem.CodeHost{Name: "local", Type: tandem.HostLocal, Path: "/srv/local"}); got != want {
		t.Errorf("code host = %+v, want %+v", got, want)
	}

	p := platform("chassis", "payments")
	p.Spec.(*tandem.Platform).Codebases = []string{}
	p.Spec.(*tandem.Platform).Adoption = &tandem.Check{Path: "go.mod", Contains: "acme/chassis"}
	p.Spec.(*tandem.Platform).Docs = []tandem.Link{{Title: "Guide", URL: "https://docs.example/chassis"}}
	p.Spec.(*tandem.Platform).Community = []tandem.Link{}
	apply(t, db, p)
	platforms, err := db.FindPlatforms(t.Context(), "chassis")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := marshal(t, platforms[0]), marshal(t, p.Spec); got != want {
		t.Errorf("platform = %s, want %s", got, want)
	}
}

func testApplyAtomic(t *testing.T, db *sqlstore.DB, _ string) {
	apply(t, db, team("search", nil, nil), person("bob"))
	objs := []tandem.Object{
		team("payments", nil, nil),
		person("ann", "payments", "ghosts", "search"),
		policy("api", "nobody", tandem.Trusted, "bob", "stranger", "payments"),
		platform("chassis", "platform-team", "api", "nowhere"),
		host("local"),
	}
	_, err := db.Apply(t.Context(), objs)
	if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
		t.Fatalf("Apply error code = %q (%v), want %q", got, err, want)
	}
	var invalid *tandem.InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("Apply error %T is not an *InvalidError", err)
	}
	want := tandem.Problems{
		{File: "people.yaml", Line: 11, Field: "spec.teams[1]", Message: `team "ghosts" not found`},
		{File: "codebases.yaml", Line: 5, Field: "spec.owner", Message: `team "nobody" not found`},
		{File: "codebases.yaml", Line: 21, Field: "spec.trusted[1]", Message: `team or person "stranger" not found`},
		{File: "platforms.yaml", Line: 3, Field: "spec.owner", Message: `team "platform-team" not found`},
		{File: "platforms.yaml", Line: 31, Field: "spec.codebases[1]", Message: `codebase "nowhere" not found`},
	}
	if got := invalid.Problems; !slices.Equal(got, want) {
		t.Errorf("problems =\n%v\nwant\n%v", got, want)
	}

	teams, err := db.FindTeams(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(teams), 1; got != want {
		t.Errorf("%d teams stored after a rejected apply, want %d", got, want)
	}
	if _, err := db.FindCodeHosts(t.Context(), "local"); tandem.ErrorCode(err) != tandem.ENOTFOUND {
		t.Errorf("code host of a rejected apply: err = %v, want not found", err)
	}
}

func testMemberships(t *testing.T, db *sqlstore.DB, _ string) {
	apply(t, db,
		team("payments", []string{"bob", "ann", "bob"}, nil),
		team("search", nil, nil),
		person("carol", "payments"),
		person("ann", "search", "payments"),
	)
	members := func(name string) []string {
		t.Helper()
		teams, err := db.FindTeams(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		return teams[0].Members
	}
	teamsOf := func(handle string) []string {
		t.Helper()
		people, err := db.FindPeople(t.Context(), handle)
		if err != nil {
			t.Fatal(err)
		}
		return people[0].Teams
	}
	if got, want := members("payments"), []string{"ann", "bob", "carol"}; !slices.Equal(got, want) {
		t.Errorf("payments members = %v, want %v", got, want)
	}
	if got, want := members("search"), []string{"ann"}; !slices.Equal(got, want) {
		t.Errorf("search members = %v, want %v", got, want)
	}
	if got, want := teamsOf("ann"), []string{"payments", "search"}; !slices.Equal(got, want) {
		t.Errorf("ann's teams = %v, want %v", got, want)
	}

	// A team's members replace only what the team declared; a person's
	// teams only what the person declared.
	apply(t, db, team("payments", []string{"bob"}, nil))
	if got, want := members("payments"), []string{"ann", "bob", "carol"}; !slices.Equal(got, want) {
		t.Errorf("payments members after team apply = %v, want %v", got, want)
	}
	apply(t, db, person("ann", "search"))
	if got, want := members("payments"), []string{"bob", "carol"}; !slices.Equal(got, want) {
		t.Errorf("payments members after person apply = %v, want %v", got, want)
	}
	if got, want := teamsOf("ann"), []string{"search"}; !slices.Equal(got, want) {
		t.Errorf("ann's teams after person apply = %v, want %v", got, want)
	}
}

func testSaveCodebaseOwner(t *testing.T, db *sqlstore.DB, _ string) {
	apply(t, db, team("payments", nil, nil), team("search", nil, []string{"group:default/finder"}))
	tests := []struct {
		name      string
		ownership tandem.Ownership
		owner     string
		source    string
	}{
		{"codeowners team slug", tandem.Ownership{Codeowners: []string{"@acme/payments"}}, "payments", tandem.OwnerCodeowners},
		{"backstage alias", tandem.Ownership{Backstage: []string{"group:finder"}, Codeowners: []string{"@acme/payments"}}, "search", tandem.OwnerBackstage},
		{"unknown team", tandem.Ownership{Codeowners: []string{"@acme/nobody"}}, "<nil>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := save(t, db, 0, tandem.Codebase{Name: "repo", Host: "local", DefaultBranch: "main", Head: "abc", Ownership: tt.ownership})
			if got, want := ownerOf(c), tt.owner; got != want {
				t.Errorf("owner = %q, want %q", got, want)
			}
			if got, want := c.OwnerSource, tt.source; got != want {
				t.Errorf("owner source = %q, want %q", got, want)
			}
			if got, want := c.Contributions, tandem.Closed; got != want {
				t.Errorf("contributions = %q, want %q", got, want)
			}
			if c.ScannedAt == nil || c.ScannedAt.Location().String() != "UTC" {
				t.Errorf("scanned at = %v, want a UTC time", c.ScannedAt)
			}
			if got := codebase(t, db, "repo"); ownerOf(got) != tt.owner || got.Head != "abc" || got.DefaultBranch != "main" {
				t.Errorf("stored codebase = %+v, want owner %q, head abc, branch main", got, tt.owner)
			}
		})
	}
}

func testResolveAgain(t *testing.T, db *sqlstore.DB, _ string) {
	save(t, db, 0, tandem.Codebase{Name: "ledger", Host: "local", Head: "abc",
		Ownership: tandem.Ownership{Codeowners: []string{"@acme/money"}}})
	if got, want := ownerOf(codebase(t, db, "ledger")), "<nil>"; got != want {
		t.Fatalf("owner before the team exists = %q, want %q", got, want)
	}
	apply(t, db, team("billing", nil, []string{"@acme/money"}))
	c := codebase(t, db, "ledger")
	if got, want := ownerOf(c), "billing"; got != want {
		t.Errorf("owner after the alias is applied = %q, want %q", got, want)
	}
	if got, want := c.OwnerSource, tandem.OwnerCodeowners; got != want {
		t.Errorf("owner source = %q, want %q", got, want)
	}
	apply(t, db, team("billing", nil, nil))
	if got, want := ownerOf(codebase(t, db, "ledger")), "<nil>"; got != want {
		t.Errorf("owner after the alias is removed = %q, want %q", got, want)
	}
}

func testPolicyBeforeDiscovery(t *testing.T, db *sqlstore.DB, _ string) {
	apply(t, db,
		team("platform", nil, nil), team("payments", nil, nil), person("ann"),
		policy("chassis", "platform", tandem.Trusted, "payments", "ann"),
		platform("service-chassis", "platform", "chassis"),
	)
	c := save(t, db, 0, tandem.Codebase{Name: "chassis", Host: "local", Head: "abc",
		Ownership: tandem.Ownership{Codeowners: []string{"@acme/payments"}}})
	if got, want := ownerOf(c), "platform"; got != want {
		t.Errorf("owner = %q, want %q", got, want)
	}
	if got, want := c.OwnerSource, tandem.OwnerExplicit; got != want {
		t.Errorf("owner source = %q, want %q", got, want)
	}
	if got, want := c.Contributions, tandem.Trusted; got != want {
		t.Errorf("contributions = %q, want %q", got, want)
	}
	if got, want := c.Trusted, []string{"payments", "ann"}; !slices.Equal(got, want) {
		t.Errorf("trusted = %v, want %v", got, want)
	}

	// Changing the policy resolves the discovered codebase again.
	apply(t, db, policy("chassis", "", tandem.Open))
	c = codebase(t, db, "chassis")
	if got, want := ownerOf(c), "payments"; got != want {
		t.Errorf("owner without an explicit owner = %q, want %q", got, want)
	}
	if got, want := c.Contributions, tandem.Open; got != want {
		t.Errorf("contributions = %q, want %q", got, want)
	}
	if got, want := len(c.Trusted), 0; got != want {
		t.Errorf("trusted has %d entries, want %d", got, want)
	}
}

func testCodebaseConflict(t *testing.T, db *sqlstore.DB, _ string) {
	save(t, db, 0, tandem.Codebase{Name: "api", Host: "one", Head: "abc"})
	_, _, err := db.SaveCodebase(t.Context(), 0, tandem.CodebaseRead{Codebase: tandem.Codebase{Name: "api", Host: "two", Head: "def"}})
	if got, want := tandem.ErrorCode(err), tandem.ECONFLICT; got != want {
		t.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
	c := codebase(t, db, "api")
	if c.Host != "one" || c.Head != "abc" {
		t.Errorf("stored codebase = %s@%s, want one@abc", c.Host, c.Head)
	}
	if _, _, err := db.SaveCodebase(t.Context(), 0, tandem.CodebaseRead{Codebase: tandem.Codebase{Name: "api"}}); tandem.ErrorCode(err) != tandem.EINVALID {
		t.Errorf("saving a codebase without host: err = %v, want invalid", err)
	}
}

func testFindCodebases(t *testing.T, db *sqlstore.DB, _ string) {
	apply(t, db, team("payments", nil, nil))
	pay := tandem.Ownership{Codeowners: []string{"@acme/payments"}}
	save(t, db, 0, tandem.Codebase{Name: "web", Host: "one", Head: "a", Ownership: pay})
	save(t, db, 0, tandem.Codebase{Name: "api", Host: "two", Head: "b", Ownership: pay})
	save(t, db, 0, tandem.Codebase{Name: "docs", Host: "one", Head: "c"})
	tests := []struct {
		name   string
		filter tandem.CodebaseFilter
		want   []string
	}{
		{"everything sorted by name", tandem.CodebaseFilter{}, []string{"api", "docs", "web"}},
		{"by owner", tandem.CodebaseFilter{Owner: "payments"}, []string{"api", "web"}},
		{"by host", tandem.CodebaseFilter{Host: "one"}, []string{"docs", "web"}},
		{"by owner and host", tandem.CodebaseFilter{Owner: "payments", Host: "one"}, []string{"web"}},
		{"by name", tandem.CodebaseFilter{Name: "api"}, []string{"api"}},
		{"by an owner with none", tandem.CodebaseFilter{Owner: "search"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := db.FindCodebases(t.Context(), tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, c := range cs {
				got = append(got, c.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("codebases = %v, want %v", got, tt.want)
			}
		})
	}
}

func testScanProgress(t *testing.T, db *sqlstore.DB, _ string) {
	ctx := t.Context()
	var enqueued int64
	scan, err := db.CreateScan(ctx, []string{"one", "two"}, func(_ context.Context, tx *sql.Tx, id int64) error {
		enqueued = id
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scan.ID == 0 || enqueued != scan.ID {
		t.Fatalf("scan id %d, enqueued with %d", scan.ID, enqueued)
	}
	if got, want := scan.State, tandem.ScanRunning; got != want {
		t.Errorf("new scan state = %q, want %q", got, want)
	}

	calls := 0
	record := func(host string, names ...string) tandem.Scan {
		t.Helper()
		s, err := db.RecordRepositories(ctx, scan.ID, host,
			tandem.Listing{Read: names, Problems: []tandem.Problem{{File: "codehost/" + host, Message: "skipped a folder"}}},
			func(context.Context, *sql.Tx) error { calls++; return nil })
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	record("one", "a", "b")
	s := record("one", "a", "b")
	if got, want := calls, 1; got != want {
		t.Errorf("enqueue called %d times for one host recorded twice, want %d", got, want)
	}
	if s.HostsDone != 1 || s.Codebases != 2 || len(s.Problems) != 1 {
		t.Errorf("after host one: hosts done %d, codebases %d, problems %d; want 1, 2, 1", s.HostsDone, s.Codebases, len(s.Problems))
	}

	save(t, db, scan.ID, tandem.Codebase{Name: "a", Host: "one", Head: "abc"})
	save(t, db, scan.ID, tandem.Codebase{Name: "a", Host: "one", Head: "abc"})
	save(t, db, scan.ID, tandem.Codebase{Name: "b", Host: "one", Problems: []tandem.Problem{{Message: "broken HEAD"}}})
	s, err = db.FindScan(ctx, scan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Done != 1 || s.Failed != 1 || s.State != tandem.ScanRunning {
		t.Errorf("after reads: done %d, failed %d, state %s; want 1, 1, running", s.Done, s.Failed, s.State)
	}
	if got, want := codebase(t, db, "b").Problems, []tandem.Problem{{Message: "broken HEAD"}}; !slices.Equal(got, want) {
		t.Errorf("problems of b = %v, want %v", got, want)
	}

	s = record("two")
	if got, want := s.State, tandem.ScanDone; got != want {
		t.Errorf("state once every host is listed = %q, want %q", got, want)
	}
	if s.FinishedAt == nil || s.FinishedAt.Before(s.StartedAt) {
		t.Errorf("finished at %v, started at %v", s.FinishedAt, s.StartedAt)
	}
	if got, want := len(s.Problems), 2; got != want {
		t.Errorf("%d problems, want %d", got, want)
	}

	if _, err := db.RecordRepositories(ctx, scan.ID, "three", tandem.Listing{}, func(context.Context, *sql.Tx) error { return nil }); tandem.ErrorCode(err) != tandem.EINVALID {
		t.Errorf("recording a host outside the scan: err = %v, want invalid", err)
	}
	if _, err := db.RecordRepositories(ctx, scan.ID+100, "one", tandem.Listing{}, func(context.Context, *sql.Tx) error { return nil }); tandem.ErrorCode(err) != tandem.ENOTFOUND {
		t.Errorf("recording into a missing scan: err = %v, want not found", err)
	}
	if _, _, err := db.SaveCodebase(ctx, scan.ID+100, tandem.CodebaseRead{Codebase: tandem.Codebase{Name: "a", Host: "one"}}); tandem.ErrorCode(err) != tandem.ENOTFOUND {
		t.Errorf("saving into a missing scan: err = %v, want not found", err)
	}

	empty, err := db.CreateScan(ctx, nil, noEnqueue)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := empty.State, tandem.ScanDone; got != want {
		t.Errorf("state of a scan of no hosts = %q, want %q", got, want)
	}
}

func testCreateScanRollback(t *testing.T, db *sqlstore.DB, _ string) {
	var id int64
	boom := errors.New("queue is full")
	_, err := db.CreateScan(t.Context(), []string{"one"}, func(ctx context.Context, tx *sql.Tx, scanID int64) error {
		id = scanID
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("CreateScan error = %v, want %v", err, boom)
	}
	if _, err := db.FindScan(t.Context(), id); tandem.ErrorCode(err) != tandem.ENOTFOUND {
		t.Errorf("FindScan of a rolled back scan: err = %v, want not found", err)
	}
}

func testScanConcurrent(t *testing.T, db *sqlstore.DB, _ string) {
	ctx := t.Context()
	scan, err := db.CreateScan(ctx, []string{"one", "two"}, noEnqueue)
	if err != nil {
		t.Fatal(err)
	}
	const n = 12
	names := map[string][]string{}
	for i := range n {
		h := []string{"one", "two"}[i%2]
		names[h] = append(names[h], fmt.Sprintf("repo-%02d", i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, n+2)
	for h, ns := range names {
		wg.Go(func() {
			_, err := db.RecordRepositories(ctx, scan.ID, h, tandem.Listing{Read: ns}, func(context.Context, *sql.Tx) error { return nil })
			errs <- err
		})
	}
	wg.Wait()
	for h, ns := range names {
		for _, name := range ns {
			wg.Go(func() {
				_, _, err := db.SaveCodebase(ctx, scan.ID, tandem.CodebaseRead{Codebase: tandem.Codebase{Name: name, Host: h, Head: "abc"}})
				errs <- err
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	s, err := db.FindScan(ctx, scan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.HostsDone != 2 || s.Codebases != n || s.Done != n || s.State != tandem.ScanDone {
		t.Errorf("scan = hosts done %d, codebases %d, done %d, state %s; want 2, %d, %d, done",
			s.HostsDone, s.Codebases, s.Done, s.State, n, n)
	}
}

func testScanConflict(t *testing.T, db *sqlstore.DB, _ string) {
	ctx := t.Context()
	save(t, db, 0, tandem.Codebase{Name: "api", Host: "one", Head: "abc"})
	scan, err := db.CreateScan(ctx, []string{"two"}, noEnqueue)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordRepositories(ctx, scan.ID, "two", tandem.Listing{Read: []string{"api"}}, func(context.Context, *sql.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, _, err := db.SaveCodebase(ctx, scan.ID, tandem.CodebaseRead{Codebase: tandem.Codebase{Name: "api", Host: "two", Head: "def"}})
		if got, want := tandem.ErrorCode(err), tandem.ECONFLICT; got != want {
			t.Fatalf("error code = %q (%v), want %q", got, err, want)
		}
	}
	s, err := db.FindScan(ctx, scan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Failed != 1 || s.Done != 0 || s.State != tandem.ScanDone {
		t.Errorf("scan = failed %d, done %d, state %s; want 1, 0, done", s.Failed, s.Done, s.State)
	}
	want := []tandem.Problem{{File: "codehost/two", Field: "api", Message: `codebase "api" already exists on host "one"`}}
	if !slices.Equal(s.Problems, want) {
		t.Errorf("problems = %v, want %v", s.Problems, want)
	}
}

func testNotFound(t *testing.T, db *sqlstore.DB, _ string) {
	ctx := t.Context()
	tests := []struct {
		name    string
		err     error
		message string
	}{
		{"a team", second(db.FindTeams(ctx, "x")), `team "x" not found (tandem get teams lists them)`},
		{"a person", second(db.FindPeople(ctx, "x")), `person "x" not found (tandem get people lists them)`},
		{"a code host", second(db.FindCodeHosts(ctx, "x")), `code host "x" not found (tandem get codehosts lists them)`},
		{"a platform", second(db.FindPlatforms(ctx, "x")), `platform "x" not found (tandem get platforms lists them)`},
		{"a codebase", second(db.FindCodebases(ctx, tandem.CodebaseFilter{Name: "x"})), `codebase "x" not found (tandem get codebases lists them)`},
		{"a scan", second(db.FindScan(ctx, 42)), `scan 42 not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tandem.ErrorCode(tt.err), tandem.ENOTFOUND; got != want {
				t.Errorf("code = %q (%v), want %q", got, tt.err, want)
			}
			if got, want := tandem.ErrorMessage(tt.err), tt.message; got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		})
	}
}

func second[T any](_ T, err error) error { return err }

func testEmptyLists(t *testing.T, db *sqlstore.DB, _ string) {
	ctx := t.Context()
	teams, err := db.FindTeams(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := marshal(t, teams), "[]"; got != want {
		t.Errorf("no teams marshal as %s, want %s", got, want)
	}
	apply(t, db, team("payments", nil, nil), person("ann"), platform("chassis", "payments"))
	teams, err = db.FindTeams(ctx, "payments")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := marshal(t, teams[0].Members)+marshal(t, teams[0].Aliases), "[][]"; got != want {
		t.Errorf("empty members and aliases marshal as %s, want %s", got, want)
	}
	people, err := db.FindPeople(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := marshal(t, people[0].Teams), "[]"; got != want {
		t.Errorf("empty person teams marshal as %s, want %s", got, want)
	}
	platforms, err := db.FindPlatforms(ctx, "chassis")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := marshal(t, platforms[0].Codebases)+marshal(t, platforms[0].Docs), "[][]"; got != want {
		t.Errorf("empty platform lists marshal as %s, want %s", got, want)
	}
	c := save(t, db, 0, tandem.Codebase{Name: "api", Host: "one"})
	if got, want := marshal(t, c.Trusted)+marshal(t, c.Problems), "[][]"; got != want {
		t.Errorf("empty codebase lists marshal as %s, want %s", got, want)
	}
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testReopen(t *testing.T, db *sqlstore.DB, dsn string) {
	apply(t, db, team("payments", nil, nil))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := sqlstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := again.FindTeams(t.Context(), "payments"); err != nil {
		t.Errorf("team after reopening: %v", err)
	}
}

func migrationObj(name, platform string) tandem.Object {
	return tandem.Object{Kind: tandem.KindMigration, Name: name, File: "m.yaml", Line: 1,
		Lines: map[string]int{"spec.platform": 5},
		Spec:  &tandem.Migration{Platform: platform, Title: "Move", Target: tandem.Check{Path: "**/*.go", Contains: "logrus"}}}
}

func testMigrationReference(t *testing.T, db *sqlstore.DB, _ string) {
	_, err := db.Apply(t.Context(), []tandem.Object{migrationObj("m", "ghost")})
	if got, want := err.Error(), `m.yaml:5: spec.platform: platform "ghost" not found`; got != want {
		t.Errorf("Apply = %q, want %q", got, want)
	}
	apply(t, db, team("obs", nil, nil), platform("obslog", "obs"), migrationObj("m", "obslog"))
	ms, err := db.FindMigrations(t.Context(), "m")
	if err != nil || len(ms) != 1 || ms[0].Platform != "obslog" || ms[0].Target.Contains != "logrus" {
		t.Errorf("FindMigrations = %+v, %v", ms, err)
	}
}

func testCheckResults(t *testing.T, db *sqlstore.DB, _ string) {
	ctx := t.Context()
	apply(t, db, team("obs", nil, nil), platform("obslog", "obs"), migrationObj("logrus", "obslog"))
	target := tandem.CheckID("migration", "logrus", tandem.RoleTarget)
	adoption := tandem.CheckID("platform", "obslog", tandem.RoleAdoption)
	read := func(head string, targetHolds, adopted bool) tandem.CodebaseRead {
		return tandem.CodebaseRead{
			Codebase: tandem.Codebase{Name: "api", Host: "one", DefaultBranch: "main", Head: head},
			Results: []tandem.CheckResult{
				{Check: target, Digest: "d1", Commit: head, Holds: targetHolds, Evidence: []tandem.Match{{Path: "main.go", Line: 3}}},
				{Check: adoption, Digest: "d2", Commit: head, Holds: adopted},
			},
		}
	}
	state := func() string {
		t.Helper()
		ts, err := db.FindTargets(ctx, "logrus")
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) == 0 {
			return ""
		}
		return ts[0].State
	}

	if _, _, err := db.SaveCodebase(ctx, 0, read("c1", true, false)); err != nil {
		t.Fatal(err)
	}
	if got, want := state(), tandem.TargetUnowned; got != want { // api has no owner
		t.Errorf("after target found: state %q, want %q", got, want)
	}
	ts, _ := db.FindTargets(ctx, "logrus")
	if len(ts[0].Evidence) != 1 || ts[0].Evidence[0] != (tandem.Match{Path: "main.go", Line: 3}) {
		t.Errorf("target evidence = %v", ts[0].Evidence)
	}

	// Unchanged: nothing moves even though the read carries no results.
	if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{Codebase: tandem.Codebase{Name: "api", Host: "one"}, Unchanged: true}); err != nil {
		t.Fatal(err)
	}
	rs, err := db.FindCheckResults(ctx, tandem.CheckResultFilter{Codebase: "api"})
	if err != nil || len(rs) != 2 || rs[0].Check != target || !rs[0].Holds || rs[0].Digest != "d1" {
		t.Errorf("results after an unchanged read = %+v, %v", rs, err)
	}
	if c := codebase(t, db, "api"); c.Head != "c1" {
		t.Errorf("head after an unchanged read = %q, want c1", c.Head)
	}

	if _, _, err := db.SaveCodebase(ctx, 0, read("c2", false, true)); err != nil {
		t.Fatal(err)
	}
	if got, want := state(), tandem.TargetDone; got != want {
		t.Errorf("after the code changed: state %q, want %q", got, want)
	}
	history, err := db.FindCheckHistory(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	var holds []bool
	for _, h := range history {
		holds = append(holds, h.Holds)
	}
	if got, want := fmt.Sprint(holds), "[true false]"; got != want {
		t.Errorf("target history = %s, want %s", got, want)
	}
	adopted, err := db.FindCheckResults(ctx, tandem.CheckResultFilter{Check: adoption})
	if err != nil || len(adopted) != 1 || !adopted[0].Holds {
		t.Errorf("adoption results = %+v, %v", adopted, err)
	}

	// Saving the same read again appends no history.
	if _, _, err := db.SaveCodebase(ctx, 0, read("c2", false, true)); err != nil {
		t.Fatal(err)
	}
	if again, _ := db.FindCheckHistory(ctx, target); len(again) != 2 {
		t.Errorf("history after a repeated read has %d rows, want 2", len(again))
	}
	if _, err := db.FindTargets(ctx, "ghost"); tandem.ErrorCode(err) != tandem.ENOTFOUND {
		t.Errorf("FindTargets(ghost) = %v, want ENOTFOUND", err)
	}
}

func testTargetPages(t *testing.T, db *sqlstore.DB, _ string) {
	ctx := t.Context()
	apply(t, db, team("obs", nil, nil), team("pay", nil, []string{"@acme/pay"}), platform("obslog", "obs"), migrationObj("logrus", "obslog"))
	target := tandem.CheckID("migration", "logrus", tandem.RoleTarget)
	for i, name := range []string{"e", "d", "c", "b", "a"} {
		c := tandem.Codebase{Name: name, Host: "one", DefaultBranch: "main", Head: "c1"}
		if i%2 == 0 {
			c.Ownership.Codeowners = []string{"@acme/pay"}
		}
		if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{Codebase: c, Results: []tandem.CheckResult{{Check: target, Commit: "c1", Holds: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	// b is done.
	if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{Codebase: tandem.Codebase{Name: "b", Host: "one", DefaultBranch: "main", Head: "c2"},
		Results: []tandem.CheckResult{{Check: target, Commit: "c2", Holds: false}}}); err != nil {
		t.Fatal(err)
	}

	page, total, err := db.FindTargetPage(ctx, tandem.TargetQuery{Migration: "logrus", Offset: 1, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if total != 5 || len(page) != 2 || page[0].Codebase != "b" || page[1].Codebase != "c" {
		t.Errorf("page = %v (total %d), want b, c of 5", page, total)
	}
	page, total, err = db.FindTargetPage(ctx, tandem.TargetQuery{Migration: "logrus", Team: "pay", State: tandem.TargetPending})
	if err != nil || total != 3 || len(page) != 3 || page[0].Codebase != "a" {
		t.Errorf("pay's pending targets = %v (total %d), %v; want a, c, e", page, total, err)
	}

	st, err := db.TargetStats(ctx, "logrus")
	if err != nil {
		t.Fatal(err)
	}
	// d has no owner: its target is unowned from the scan that found it.
	if got, want := fmt.Sprint(st.ByTeam), "map[:map[done:1 unowned:1] pay:map[pending:3]]"; got != want {
		t.Errorf("ByTeam = %s, want %s", got, want)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	want := []tandem.DayCount{{Found: today, Done: "", State: tandem.TargetPending, Count: 3}, {Found: today, Done: "", State: tandem.TargetUnowned, Count: 1},
		{Found: today, Done: today, State: tandem.TargetDone, Count: 1}}
	if fmt.Sprint(st.Days) != fmt.Sprint(want) {
		t.Errorf("Days = %v, want %v", st.Days, want)
	}
}
