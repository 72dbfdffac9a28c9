package sqlstore_test

import (
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestChangeAdoptedBeforeLaunch follows a pull request adopted before any
// ticket: closed unmerged, its target is pending again (not pr-open with
// no open change request); reopened, pr-open again.
func TestChangeAdoptedBeforeLaunch(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			db, err := sqlstore.Open(ctx, e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			forge := tandem.Object{Kind: tandem.KindCodeHost, Name: "forge", File: "hosts.yaml", Line: 1,
				Spec: &tandem.CodeHost{Name: "forge", Type: tandem.HostGitea, URL: "https://git.example.com/", Org: "acme", Token: "env:FORGE"}}
			apply(t, db, forge, team("payments", []string{"alice"}, nil), team("obs", nil, nil), platform("obslog", "obs"), migrationObj("m", "obslog"),
				policy("api", "payments", tandem.Closed))
			if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{
				Codebase: tandem.Codebase{Name: "api", Host: "forge", DefaultBranch: "main", Head: "c1"},
				Results:  []tandem.CheckResult{{Check: tandem.CheckID("migration", "m", tandem.RoleTarget), Digest: "d", Commit: "c1", Holds: true}},
			}); err != nil {
				t.Fatal(err)
			}
			url := "https://git.example.com/acme/api/pulls/7"
			if _, err := db.AdoptChangeRequest(ctx, "m", "api", url); err != nil {
				t.Fatal(err)
			}
			state := func() tandem.Target {
				t.Helper()
				ts, err := db.FindTargets(ctx, "m")
				if err != nil || len(ts) != 1 {
					t.Fatalf("targets = %+v, %v", ts, err)
				}
				return ts[0]
			}
			if got := state(); got.State != tandem.TargetPROpen {
				t.Fatalf("adopted: %s is %s, want pr-open", got.Codebase, got.State)
			}
			if _, _, err := db.SetChangeRequestState(ctx, url, tandem.ChangeClosed, "", time.Now()); err != nil {
				t.Fatal(err)
			}
			if got := state(); got.State != tandem.TargetPending || got.Error == "" {
				t.Errorf("closed unmerged before launch: %s is %s (error %q), want pending with the closing as its error", got.Codebase, got.State, got.Error)
			}
			if _, _, err := db.SetChangeRequestState(ctx, url, tandem.ChangeOpen, "", time.Now()); err != nil {
				t.Fatal(err)
			}
			if got := state(); got.State != tandem.TargetPROpen || got.Error != "" {
				t.Errorf("reopened: %s is %s (error %q), want pr-open without error", got.Codebase, got.State, got.Error)
			}
		})
	}
}
