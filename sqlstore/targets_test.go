package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
)

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

	page, total, err := db.FindTargetPage(ctx, tandem.TargetQuery{Migration: "logrus", After: "a", Limit: 2})
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
