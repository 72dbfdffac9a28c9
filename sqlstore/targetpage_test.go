package sqlstore

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// pageFilters are the filters a campaign page offers, each paged.
var pageFilters = []tandem.TargetQuery{
	{},
	{State: tandem.TargetPending},
	{State: tandem.TargetUnowned},
	{State: tandem.TargetDone},
	{State: tandem.TargetTicketed}, // none
	{Team: "pay"},
	{Team: "obs", State: tandem.TargetPending},
}

// TestTargetPages pages a migration's targets by codebase, forward from
// the first and backward from the last, under every filter, on every
// engine: each walk lists exactly the targets the filter selects, in
// order, and every page counts them as COUNT(*) does, before and after
// targets change state and team.
func TestTargetPages(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, err := Open(t.Context(), e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			pageFleet(t, db, 23)
			checkPages(t, db)

			// Owners change, a done target regresses, a codebase leaves
			// its host: targets move between states and teams.
			applyOwners(t, db, map[string]string{"cb-01": "pay", "cb-02": "obs", "cb-03": ""})
			read(t, db, "cb-04", "one", "c3", true)
			read(t, db, "cb-07", "one", "c3", false)
			var present []string
			for i := range 23 {
				if i != 5 {
					present = append(present, fmt.Sprintf("cb-%02d", i))
				}
			}
			listing(t, db, time.Now().UTC(), present...)
			if got := states(t, db); !strings.Contains(got, "cb-05:gone") || !strings.Contains(got, "cb-04:pending") {
				t.Fatalf("after the moves: %s, want cb-05 gone and cb-04 pending again", got)
			}
			checkPages(t, db)
		})
	}
}

// pageFleet applies teams pay and obs, a migration, and n codebases
// cb-NN on host "one" that need its change: owned by pay, obs and no one
// in turn; one in four no longer needs it (done).
func pageFleet(t *testing.T, db *DB, n int) {
	t.Helper()
	objs := []tandem.Object{
		{Kind: tandem.KindTeam, Name: "pay", File: "t.yaml", Line: 1, Spec: &tandem.Team{Name: "pay", Type: tandem.StreamAligned}},
		{Kind: tandem.KindTeam, Name: "obs", File: "t.yaml", Line: 2, Spec: &tandem.Team{Name: "obs", Type: tandem.PlatformTeam}},
		{Kind: tandem.KindPlatform, Name: "obslog", File: "p.yaml", Line: 1, Spec: &tandem.Platform{Name: "obslog", Owner: "obs", Support: tandem.SupportSelfService}},
		{Kind: tandem.KindMigration, Name: "logrus", File: "m.yaml", Line: 1,
			Spec: &tandem.Migration{Platform: "obslog", Title: "Move", Target: tandem.Check{Path: "**/*.go", Contains: "logrus"}}},
	}
	if _, err := db.Apply(t.Context(), objs); err != nil {
		t.Fatal(err)
	}
	owners := map[string]string{}
	for i := range n {
		owners[fmt.Sprintf("cb-%02d", i)] = []string{"pay", "obs", ""}[i%3]
	}
	applyOwners(t, db, owners)
	for i := range n {
		read(t, db, fmt.Sprintf("cb-%02d", i), "one", "c1", true)
	}
	for i := 0; i < n; i += 4 {
		read(t, db, fmt.Sprintf("cb-%02d", i), "one", "c2", false)
	}
}

// applyOwners applies a Codebase document per codebase naming its owner
// ("" for none).
func applyOwners(t *testing.T, db *DB, owners map[string]string) {
	t.Helper()
	var objs []tandem.Object
	for name, owner := range owners {
		objs = append(objs, tandem.Object{Kind: tandem.KindCodebase, Name: name, File: "c.yaml", Line: 1,
			Spec: &tandem.CodebasePolicy{Name: name, Owner: owner}})
	}
	if _, err := db.Apply(t.Context(), objs); err != nil {
		t.Fatal(err)
	}
}

// checkPages walks every filter's pages, 4 targets a page, both ways.
func checkPages(t *testing.T, db *DB) {
	t.Helper()
	for _, f := range pageFilters {
		f.Migration = "logrus"
		want, count := selectedTargets(t, db, f)
		if f.State == "" && f.Team == "" && count < 20 {
			t.Fatalf("%d targets: the fleet is too small to page", count)
		}
		forward, totals := walkTargets(t, db, f, false)
		if !slices.Equal(forward, want) {
			t.Errorf("%+v forward: %v, want %v", f, forward, want)
		}
		backward, backTotals := walkTargets(t, db, f, true)
		if !slices.Equal(backward, want) {
			t.Errorf("%+v backward: %v, want %v", f, backward, want)
		}
		for _, total := range slices.Concat(totals, backTotals) {
			if total != count {
				t.Errorf("%+v: a page counts %d targets, COUNT(*) %d", f, total, count)
			}
		}
	}
}

// selectedTargets returns the codebases of the targets q selects, sorted
// as the database sorts, and their COUNT(*), read from the table itself.
func selectedTargets(t *testing.T, db *DB, q tandem.TargetQuery) ([]string, int) {
	t.Helper()
	c := targetConds(q, "")
	where, args := c.where(), c.args
	var count int
	if err := db.db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM targets"+where, args...).Scan(&count); err != nil {
		t.Fatal(err)
	}
	rows, err := db.db.QueryContext(t.Context(), "SELECT codebase FROM targets"+where+" ORDER BY codebase", args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out, count
}

// walkTargets pages the targets q selects, 4 a page, from the first page
// on with After, or from the last back with Last and Before, and returns
// their codebases in order and each page's total.
func walkTargets(t *testing.T, db *DB, q tandem.TargetQuery, backward bool) ([]string, []int) {
	t.Helper()
	q.Limit, q.Last = 4, backward
	var pages [][]string
	var totals []int
	for range 30 {
		page, total, err := db.FindTargetPage(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		totals = append(totals, total)
		var names []string
		for _, x := range page {
			names = append(names, x.Codebase)
		}
		if !slices.IsSorted(names) {
			t.Fatalf("%+v: page %v is not sorted", q, names)
		}
		if len(names) > 0 {
			pages = append(pages, names)
		}
		if len(page) < q.Limit {
			break
		}
		if backward {
			q.Last, q.Before = false, names[0]
		} else {
			q.After = names[len(names)-1]
		}
	}
	if backward {
		slices.Reverse(pages)
	}
	return slices.Concat(pages...), totals
}

// TestTargetPagePlans checks on SQLite that every page a campaign page
// reads, filtered or not, first, next, previous or last, is read from an
// index in codebase order: no sort of the migration's targets, whatever
// their number, with or without the planner's statistics.
func TestTargetPagePlans(t *testing.T) {
	db, err := Open(t.Context(), sqlstoretest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pageFleet(t, db, 40)
	indexes := map[[2]bool]string{
		{false, false}: "sqlite_autoindex_targets_1", // (migration, codebase)
		{true, false}:  "targets_state_codebase",
		{false, true}:  "targets_team_codebase",
		{true, true}:   "targets_team_state_codebase",
	}
	keys := []tandem.TargetQuery{{}, {After: "cb-10"}, {Before: "cb-30"}, {Last: true}}
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			if _, err := db.db.ExecContext(t.Context(), "ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range pageFilters {
			for _, k := range keys {
				q := tandem.TargetQuery{Migration: "logrus", State: f.State, Team: f.Team, After: k.After, Before: k.Before, Last: k.Last, Limit: 101}
				clause, args, _ := targetPage(q)
				plan := queryPlan(t, db, "SELECT "+targetColumns+targetJoins+" WHERE "+clause, args...)
				index := indexes[[2]bool{f.State != "", f.Team != ""}]
				if !strings.Contains(plan, "SEARCH t USING INDEX "+index+" ") || strings.Contains(plan, "TEMP B-TREE") {
					t.Errorf("analyzed %t, %+v: plan\n%s\nwant a search of t by %s and no temp b-tree", analyzed, q, plan, index)
				}
			}
		}
	}
}

// queryPlan returns SQLite's EXPLAIN QUERY PLAN of query, a line a step.
func queryPlan(t *testing.T, db *DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	return b.String()
}
