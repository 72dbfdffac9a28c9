package consumption_test

import (
	"context"
	"database/sql"
	"reflect"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/consumption"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestAdoptionFromTheStore checks, on every engine, the adoption the
// service answers: who adopted, their teams, the unowned and the trend.
// sqlstore's tests compare it with tandem.ComputeAdoption over every
// codebase read whole.
func TestAdoptionFromTheStore(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, err := sqlstore.Open(t.Context(), e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			seedFleet(t, db)
			got, err := (&consumption.Service{Store: db}).Adoption(t.Context(), "")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[1].Platform != "obslog" || !reflect.DeepEqual(got[1].Codebases, []string{"api", "orphan"}) ||
				!reflect.DeepEqual(got[1].Teams, []string{"payments"}) || got[1].Unowned != 1 || len(got[1].Trend) != 1 {
				t.Errorf("obslog's adoption = %+v, want api and orphan, payments's, 1 unowned, a trend of one day", got)
			}
			if _, err := (&consumption.Service{Store: db}).Adoption(t.Context(), "ghost"); tandem.ErrorCode(err) != tandem.ENOTFOUND {
				t.Errorf("Adoption(ghost) = %v, want ENOTFOUND", err)
			}
		})
	}
}

// seedFleet applies the platforms obslog, with an adoption check, and
// bare, without, and saves api (owned by payments), web (owned, not
// adopting), orphan (no owner) and gone (adopting, then gone from its
// host).
func seedFleet(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	ctx := t.Context()
	objs := []tandem.Object{
		{Kind: tandem.KindCodeHost, Name: "one", File: "h.yaml", Line: 1, Spec: &tandem.CodeHost{Name: "one", Type: tandem.HostLocal, Path: "/srv/one"}},
		{Kind: tandem.KindTeam, Name: "payments", File: "t.yaml", Line: 1, Spec: &tandem.Team{Name: "payments", Type: tandem.StreamAligned}},
		{Kind: tandem.KindPlatform, Name: "obslog", File: "p.yaml", Line: 1, Spec: &tandem.Platform{Name: "obslog", Owner: "payments",
			Support: tandem.SupportSelfService, Adoption: &tandem.Check{Path: "**/*.go", Contains: "obslog"}}},
		{Kind: tandem.KindPlatform, Name: "bare", File: "p.yaml", Line: 5, Spec: &tandem.Platform{Name: "bare", Owner: "payments", Support: tandem.SupportSelfService}},
	}
	for _, name := range []string{"api", "web", "gone"} {
		objs = append(objs, tandem.Object{Kind: tandem.KindCodebase, Name: name, File: "c.yaml", Line: 1,
			Spec: &tandem.CodebasePolicy{Name: name, Owner: "payments"}})
	}
	if _, err := db.Apply(ctx, objs); err != nil {
		t.Fatal(err)
	}
	checks, err := tandem.StoredChecks(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"api", "web", "orphan", "gone"} {
		r := tandem.CodebaseRead{Codebase: tandem.Codebase{Name: name, Host: "one", DefaultBranch: "main", Head: "c1"}}
		for _, c := range checks {
			r.Results = append(r.Results, tandem.CheckResult{Check: c.ID, Digest: c.Digest, Commit: "c1", Holds: name != "web"})
		}
		if _, _, err := db.SaveCodebase(ctx, 0, r); err != nil {
			t.Fatal(err)
		}
	}
	none := func(context.Context, *sql.Tx, int64) error { return nil }
	scan, err := db.CreateScan(ctx, []string{"one"}, none)
	if err != nil {
		t.Fatal(err)
	}
	l := tandem.Listing{Unchanged: []string{"api", "web", "orphan"}, Complete: true}
	if _, err := db.RecordRepositories(ctx, scan.ID, "one", l, func(context.Context, *sql.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
}
