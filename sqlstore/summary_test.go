package sqlstore_test

import (
	"context"
	"database/sql"
	"reflect"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestSummary seeds, on every engine, codebases owned and not, adopting
// two platforms and not, over several days, some gone from their host,
// and compares what the database aggregates with tandem.ComputeAdoption
// over every codebase, result and change read whole.
func TestSummary(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, err := sqlstore.Open(t.Context(), e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			seedAdoption(t, db)
			want := adoptionOracle(t, db)
			testFindAdoption(t, db, want)
			testFindSummary(t, db, want)
		})
	}
}

// summaryDay is noon, UTC, of day d of November 2026.
func summaryDay(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }

// adoptionRead is a read of a codebase on a day, where the adoption
// checks of obslog and chassis hold or not.
type adoptionRead struct {
	day             time.Time
	codebase        string
	obslog, chassis bool
}

// seedAdoption applies teams, the platforms obslog and chassis, with
// adoption checks, and bare, without, and saves reads of codebases over
// four days, two of them the same day and one late in a day (UTC). Then
// indexer leaves its host at the instant of its last read, and tool,
// which never adopted, on a day of its own.
func seedAdoption(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	objs := []tandem.Object{host("one"), team("payments", nil, nil), team("search", nil, nil), team("infra", nil, nil)}
	for _, p := range []string{"obslog", "chassis", "bare"} {
		o := platform(p, "infra")
		if p != "bare" {
			o.Spec.(*tandem.Platform).Adoption = &tandem.Check{Path: "**/*.go", Contains: p}
		}
		objs = append(objs, o)
	}
	for name, owner := range map[string]string{"api": "payments", "ledger": "payments", "web": "search", "indexer": "search"} {
		objs = append(objs, policy(name, owner, ""))
	}
	apply(t, db, objs...)
	late := summaryDay(2).Add(11*time.Hour + 30*time.Minute)
	for _, r := range []adoptionRead{
		{summaryDay(1), "api", true, false},
		{summaryDay(1), "web", true, true},
		{summaryDay(1), "tool", false, false},
		{late, "orphan", true, false},
		{summaryDay(3), "ledger", true, true},
		{summaryDay(3), "web", false, true},
		{summaryDay(3), "indexer", true, false},
		{summaryDay(3), "api", false, false},
		{summaryDay(3), "api", true, false},
		{summaryDay(5), "orphan", true, true},
	} {
		saveAdoptionRead(t, db, r)
	}
	goneAt(t, db, map[string]time.Time{"indexer": summaryDay(3), "tool": summaryDay(4)})
}

// saveAdoptionRead saves r, and dates the history it wrote on r.day.
func saveAdoptionRead(t *testing.T, db *sqlstore.DB, r adoptionRead) {
	t.Helper()
	ctx := t.Context()
	var last int64
	if err := db.SQL().QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM check_history").Scan(&last); err != nil {
		t.Fatal(err)
	}
	checks, err := tandem.StoredChecks(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	read := tandem.CodebaseRead{Codebase: tandem.Codebase{Name: r.codebase, Host: "one", DefaultBranch: "main", Head: "c1"}}
	for _, c := range checks {
		holds := map[string]bool{"platform/obslog/adoption": r.obslog, "platform/chassis/adoption": r.chassis}[c.ID]
		read.Results = append(read.Results, tandem.CheckResult{Check: c.ID, Digest: c.Digest, Commit: "c1", Holds: holds})
	}
	if _, _, err := db.SaveCodebase(ctx, 0, read); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, "UPDATE check_history SET changed_at = $1 WHERE id > $2", r.day, last); err != nil {
		t.Fatal(err)
	}
}

// goneAt lists host one without the codebases of gone, and dates each
// one's leaving.
func goneAt(t *testing.T, db *sqlstore.DB, gone map[string]time.Time) {
	t.Helper()
	ctx := t.Context()
	listed, err := db.FindCodebases(ctx, tandem.CodebaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var l tandem.Listing
	l.Complete = true
	for _, c := range listed {
		if _, left := gone[c.Name]; !left {
			l.Unchanged = append(l.Unchanged, c.Name)
		}
	}
	scan, err := db.CreateScan(ctx, []string{"one"}, noEnqueue)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordRepositories(ctx, scan.ID, "one", l, func(context.Context, *sql.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for name, at := range gone {
		if _, err := db.SQL().ExecContext(ctx, "UPDATE codebases SET gone_at = $1 WHERE name = $2", at, name); err != nil {
			t.Fatal(err)
		}
	}
}

// adoptionOracle returns the adoption of every platform as
// tandem.ComputeAdoption computes it over every codebase, result and
// change read whole.
func adoptionOracle(t *testing.T, db *sqlstore.DB) []tandem.Adoption {
	t.Helper()
	ctx := t.Context()
	listed, err := db.FindCodebases(ctx, tandem.CodebaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	owners := map[string]*string{}
	for _, c := range listed {
		owners[c.Name] = c.Owner
	}
	gone, err := db.FindCodebases(ctx, tandem.CodebaseFilter{Gone: true})
	if err != nil {
		t.Fatal(err)
	}
	goneAt := map[string]time.Time{}
	for _, c := range gone {
		goneAt[c.Name] = *c.GoneAt
	}
	var adoptions []tandem.Adoption
	for _, p := range []string{"bare", "chassis", "obslog"} {
		id := tandem.CheckID("platform", p, tandem.RoleAdoption)
		results, err := db.FindCheckResults(ctx, tandem.CheckResultFilter{Check: id})
		if err != nil {
			t.Fatal(err)
		}
		history, err := db.FindCheckHistory(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		adoptions = append(adoptions, tandem.ComputeAdoption(p, results, history, owners, goneAt))
	}
	return adoptions
}

// testFindAdoption compares FindAdoption with want, the oracle's, whose
// obslog adoption it checks first against the seed.
func testFindAdoption(t *testing.T, db *sqlstore.DB, want []tandem.Adoption) {
	t.Helper()
	obslog := tandem.Adoption{Platform: "obslog", Codebases: []string{"api", "ledger", "orphan"}, Teams: []string{"payments"}, Unowned: 1,
		Trend: []tandem.TrendPoint{{Day: "2026-11-01", Count: 2}, {Day: "2026-11-02", Count: 3}, {Day: "2026-11-03", Count: 3}, {Day: "2026-11-04", Count: 3}}}
	if !reflect.DeepEqual(want[2], obslog) {
		t.Fatalf("the oracle's obslog adoption = %+v, want %+v", want[2], obslog)
	}
	got, err := db.FindAdoption(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FindAdoption() =\n%+v\nwant\n%+v", got, want)
	}
	one, err := db.FindAdoption(t.Context(), "obslog")
	if err != nil || !reflect.DeepEqual(one, want[2:]) {
		t.Errorf("FindAdoption(obslog) = %+v, %v; want %+v", one, err, want[2:])
	}
	if _, err := db.FindAdoption(t.Context(), "ghost"); tandem.ErrorCode(err) != tandem.ENOTFOUND {
		t.Errorf("FindAdoption(ghost) = %v, want ENOTFOUND", err)
	}
}

// testFindSummary compares FindSummary with the counts of the whole
// reads and of want, the oracle's adoption.
func testFindSummary(t *testing.T, db *sqlstore.DB, want []tandem.Adoption) {
	t.Helper()
	ctx := t.Context()
	listed, err := db.FindCodebases(ctx, tandem.CodebaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	teams, err := db.FindTeams(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	s := tandem.Summary{Codebases: len(listed), Teams: len(teams)}
	for _, c := range listed {
		if c.Owner == nil {
			s.Unowned++
		}
	}
	for _, a := range want {
		s.Platforms = append(s.Platforms, tandem.AdoptionSummary{Platform: a.Platform,
			Codebases: len(a.Codebases), Teams: len(a.Teams), Unowned: a.Unowned, Trend: a.Trend})
	}
	if s.Codebases != 4 || s.Unowned != 1 || s.Teams != 3 {
		t.Fatalf("the seed's counts = %+v, want 4 codebases, 1 unowned, 3 teams", s)
	}
	got, err := db.FindSummary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Errorf("FindSummary() =\n%+v\nwant\n%+v", got, s)
	}
}
