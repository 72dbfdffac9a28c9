package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

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
