package sqlstore_test

import (
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestPushResults: a pushed result of a check of source ci at the head
// is current and moves the migration's target; one at another commit is
// history only; a scan neither overwrites nor erases it, and promotes the
// push of the head it reads; a check the scan evaluates cannot be pushed.
func TestPushResults(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, err := sqlstore.Open(t.Context(), e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			testPushResults(t, db)
		})
	}
}

func testPushResults(t *testing.T, db *sqlstore.DB) {
	ctx := t.Context()
	m := migrationObj("vet", "obslog")
	m.Spec.(*tandem.Migration).Target = tandem.Check{Command: []string{"go", "vet", "./..."}, Source: tandem.SourceCI}
	apply(t, db, team("obs", nil, nil), platform("obslog", "obs"), m)
	target := tandem.CheckID("migration", "vet", tandem.RoleTarget)
	adoption := tandem.CheckID("platform", "obslog", tandem.RoleAdoption)
	scanRead := func(head string) tandem.CodebaseRead {
		return tandem.CodebaseRead{Codebase: tandem.Codebase{Name: "api", Host: "one", DefaultBranch: "main", Head: head},
			Results: []tandem.CheckResult{{Check: adoption, Digest: "d2", Commit: head, Holds: true}}}
	}
	if _, _, err := db.SaveCodebase(ctx, 0, scanRead("c1")); err != nil {
		t.Fatal(err)
	}
	current := func() map[string]tandem.CheckResult {
		t.Helper()
		rs, err := db.FindCheckResults(ctx, tandem.CheckResultFilter{Codebase: "api"})
		if err != nil {
			t.Fatal(err)
		}
		byCheck := map[string]tandem.CheckResult{}
		for _, r := range rs {
			byCheck[r.Check] = r
		}
		return byCheck
	}

	if _, err := db.PushResults(ctx, "api", "c1", "ci-bot", []tandem.CheckResult{{Check: adoption, Holds: false}}); tandem.ErrorCode(err) != tandem.EINVALID {
		t.Errorf("pushing the scanned adoption check = %v, want EINVALID", err)
	}
	if _, err := db.PushResults(ctx, "ghost", "c1", "ci-bot", []tandem.CheckResult{{Check: target}}); tandem.ErrorCode(err) != tandem.ENOTFOUND {
		t.Errorf("pushing for an unknown codebase = %v, want ENOTFOUND", err)
	}
	if _, err := db.PushResults(ctx, "api", "c1", "ci-bot", []tandem.CheckResult{{Check: target, Digest: "elsewhere", Holds: true}}); tandem.ErrorCode(err) != tandem.ECONFLICT {
		t.Errorf("pushing a result of another definition = %v, want ECONFLICT", err)
	}
	ev := []tandem.Match{{Path: "main.go", Line: 7}}
	ok, err := db.PushResults(ctx, "api", "c1", "ci-bot", []tandem.CheckResult{{Check: target, Holds: true, Evidence: ev}})
	if err != nil || !ok {
		t.Fatalf("push at the head = %v, %v; want current", ok, err)
	}
	got := current()[target]
	if !got.Holds || got.Commit != "c1" || got.Source != tandem.SourceCI || len(got.Evidence) != 1 || got.Evidence[0] != ev[0] || got.Digest == "" {
		t.Errorf("current pushed result = %+v", got)
	}
	if ts, err := db.FindTargets(ctx, "vet"); err != nil || len(ts) != 1 || ts[0].Codebase != "api" {
		t.Errorf("targets after the push = %+v, %v; want api", ts, err)
	}

	// Another commit: kept, not current.
	ok, err = db.PushResults(ctx, "api", "c0", "ci-bot", []tandem.CheckResult{{Check: target, Holds: false}})
	if err != nil || ok {
		t.Fatalf("push at an older commit = %v, %v; want history only", ok, err)
	}
	if got := current()[target]; !got.Holds || got.Commit != "c1" {
		t.Errorf("current after an older push = %+v, want c1's", got)
	}
	pushed, err := db.FindPushedResults(ctx, "api", 10)
	if err != nil || len(pushed) != 2 || pushed[0].Commit != "c0" || pushed[1].Commit != "c1" {
		t.Errorf("pushed history = %+v, %v; want c0 then c1", pushed, err)
	}

	// A scan of the same head keeps the pushed result.
	if _, _, err := db.SaveCodebase(ctx, 0, scanRead("c1")); err != nil {
		t.Fatal(err)
	}
	if got := current(); !got[target].Holds || got[target].Source != tandem.SourceCI || !got[adoption].Holds {
		t.Errorf("after a rescan = %+v, want the push and the scan's result", got)
	}
	last, err := db.LastReads(ctx, "one")
	if err != nil || len(last["api"].Digests) != 1 {
		t.Errorf("last read = %+v, %v: want only the scanned check", last, err)
	}

	// A push for c2 before the scan reads c2 becomes current when it does,
	// and the target it no longer holds is done.
	if ok, err := db.PushResults(ctx, "api", "c2", "ci-bot", []tandem.CheckResult{{Check: target, Holds: false}}); err != nil || ok {
		t.Fatalf("push ahead of the scan = %v, %v; want history only", ok, err)
	}
	if _, _, err := db.SaveCodebase(ctx, 0, scanRead("c2")); err != nil {
		t.Fatal(err)
	}
	if got := current()[target]; got.Holds || got.Commit != "c2" || got.Source != tandem.SourceCI {
		t.Errorf("after the scan read c2: %+v, want c2's push", got)
	}
	if ts, err := db.FindTargets(ctx, "vet"); err != nil || len(ts) != 1 || ts[0].State != tandem.TargetDone {
		t.Errorf("targets after c2 = %+v, %v; want done", ts, err)
	}
}
