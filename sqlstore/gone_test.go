package sqlstore

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestMarkGone runs markGone on every engine, each test on a fresh
// database.
func TestMarkGone(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *DB)
	}{
		{"a codebase the listing leaves out is gone, its targets out of the open counts, and back when listed again", testGoneAndBack},
		{"a ticket whose last open codebase is gone closes saying so, and reopens when it is back needing the change", testGoneTicket},
		{"a Tour of Duty proposed for a gone codebase alone is withdrawn", testGoneTour},
		{"10,000 codebases cost one read when nothing changed, and change only what did", testGoneAtScale},
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
					db, err := Open(t.Context(), e.dsn(t))
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { db.Close() })
					tt.fn(t, db)
				})
			}
		})
	}
}

var goneNow = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// listing records a complete listing of host "one" naming present, as
// the scan's listing does.
func listing(t *testing.T, db *DB, at time.Time, present ...string) {
	t.Helper()
	if err := db.inTx(t.Context(), "test listing", func(tx *sql.Tx) error {
		return markGone(t.Context(), tx, "one", present, at)
	}); err != nil {
		t.Fatalf("markGone(%v): %v", present, err)
	}
}

// goneFleet applies a team owning api, web and lib on host "one", and
// db on host "two", and a platform team's migration whose target holds
// in api, web and db; lib does not need the change.
func goneFleet(t *testing.T, db *DB) {
	t.Helper()
	objs := []tandem.Object{
		{Kind: tandem.KindTeam, Name: "payments", File: "t.yaml", Line: 1, Spec: &tandem.Team{Name: "payments", Type: tandem.StreamAligned}},
		{Kind: tandem.KindTeam, Name: "obs", File: "t.yaml", Line: 2, Spec: &tandem.Team{Name: "obs", Type: tandem.PlatformTeam}},
		{Kind: tandem.KindPlatform, Name: "obslog", File: "p.yaml", Line: 1, Spec: &tandem.Platform{Name: "obslog", Owner: "obs", Support: tandem.SupportSelfService}},
		{Kind: tandem.KindMigration, Name: "logrus", File: "m.yaml", Line: 1,
			Spec: &tandem.Migration{Platform: "obslog", Title: "Move", Target: tandem.Check{Path: "**/*.go", Contains: "logrus"}}},
	}
	for _, name := range []string{"api", "web", "lib", "db"} {
		objs = append(objs, tandem.Object{Kind: tandem.KindCodebase, Name: name, File: "c.yaml", Line: 1,
			Spec: &tandem.CodebasePolicy{Name: name, Owner: "payments"}})
	}
	if _, err := db.Apply(t.Context(), objs); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, host string
		needs      bool
	}{{"api", "one", true}, {"web", "one", true}, {"lib", "one", false}, {"db", "two", true}} {
		read(t, db, c.name, c.host, "c1", c.needs)
	}
}

// read saves a full read of a codebase at head, where the migration's
// target holds or not.
func read(t *testing.T, db *DB, name, host, head string, needs bool) {
	t.Helper()
	target := tandem.CheckID("migration", "logrus", tandem.RoleTarget)
	if _, _, err := db.SaveCodebase(t.Context(), 0, tandem.CodebaseRead{
		Codebase: tandem.Codebase{Name: name, Host: host, DefaultBranch: "main", Head: head},
		Results:  []tandem.CheckResult{{Check: target, Digest: "d1", Commit: head, Holds: needs, Evidence: []tandem.Match{{Path: "main.go", Line: 3}}}},
	}); err != nil {
		t.Fatalf("SaveCodebase(%s): %v", name, err)
	}
}

// states returns the migration's targets as "codebase:state", sorted.
func states(t *testing.T, db *DB) string {
	t.Helper()
	ts, err := db.FindTargets(t.Context(), "logrus")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range ts {
		out = append(out, x.Codebase+":"+x.State)
	}
	return strings.Join(out, " ")
}

// names returns the names of the codebases f selects.
func names(t *testing.T, db *DB, f tandem.CodebaseFilter) []string {
	t.Helper()
	cs, err := db.FindCodebases(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// counts returns the migration's targets by state, from the counts the
// triggers keep.
func counts(t *testing.T, db *DB) map[string]int {
	t.Helper()
	st, err := db.TargetStats(t.Context(), "logrus")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, byState := range st.ByTeam {
		for state, n := range byState {
			out[state] += n
		}
	}
	return out
}

func testGoneAndBack(t *testing.T, db *DB) {
	ctx := t.Context()
	goneFleet(t, db)
	// web done before it leaves: done stays done.
	read(t, db, "web", "one", "c2", false)
	if got, want := states(t, db), "api:pending db:pending web:done"; got != want {
		t.Fatalf("targets = %s, want %s", got, want)
	}
	listing(t, db, goneNow, "lib")

	if got, want := names(t, db, tandem.CodebaseFilter{}), []string{"db", "lib"}; !slices.Equal(got, want) {
		t.Errorf("codebases = %v, want %v: api and web left host one, db is on host two", got, want)
	}
	if got, want := names(t, db, tandem.CodebaseFilter{Gone: true}), []string{"api", "web"}; !slices.Equal(got, want) {
		t.Errorf("gone codebases = %v, want %v", got, want)
	}
	if got, want := names(t, db, tandem.CodebaseFilter{Owner: "payments"}), []string{"db", "lib"}; !slices.Equal(got, want) {
		t.Errorf("the team's codebases = %v, want %v", got, want)
	}
	api, err := db.FindCodebases(ctx, tandem.CodebaseFilter{Name: "API"})
	if err != nil {
		t.Fatalf("a gone codebase by name: %v", err)
	}
	if got := api[0].GoneAt; got == nil || !got.Equal(goneNow) {
		t.Errorf("api gone at %v, want %v", got, goneNow)
	}
	if got, want := states(t, db), "api:gone db:pending web:done"; got != want {
		t.Errorf("targets = %s, want %s: the open one gone, the done one done, another host's untouched", got, want)
	}
	if got, want := counts(t, db), map[string]int{tandem.TargetGone: 1, tandem.TargetPending: 1, tandem.TargetDone: 1}; !mapsEqual(got, want) {
		t.Errorf("counts = %v, want %v", got, want)
	}
	ts, err := db.FindTargets(ctx, "logrus")
	if err != nil {
		t.Fatal(err)
	}
	if ts[0].DoneAt == nil || !ts[0].DoneAt.Equal(goneNow) || ts[0].Open() {
		t.Errorf("gone target: done at %v, open %v; want %v, not open", ts[0].DoneAt, ts[0].Open(), goneNow)
	}

	// The same listing again changes nothing: api stays gone since then.
	listing(t, db, goneNow.Add(time.Hour), "lib")
	if api := codebaseNamed(t, db, "api"); api.GoneAt == nil || !api.GoneAt.Equal(goneNow) {
		t.Errorf("api gone at %v after a second listing, want still %v", api.GoneAt, goneNow)
	}

	// Back: listed again, its targets move by their stored results, and
	// on by a read of what changed.
	listing(t, db, goneNow.Add(2*time.Hour), "api", "lib", "web")
	if got, want := states(t, db), "api:pending db:pending web:done"; got != want {
		t.Errorf("targets once back = %s, want %s", got, want)
	}
	if got, want := names(t, db, tandem.CodebaseFilter{}), []string{"api", "db", "lib", "web"}; !slices.Equal(got, want) {
		t.Errorf("codebases back = %v, want %v", got, want)
	}
	if got := codebaseNamed(t, db, "api").GoneAt; got != nil {
		t.Errorf("api back, gone at %v, want none", got)
	}
	read(t, db, "api", "one", "c3", false)
	read(t, db, "web", "one", "c3", false)
	if got, want := states(t, db), "api:done db:pending web:done"; got != want {
		t.Errorf("targets after the reads = %s, want %s", got, want)
	}
	if got, want := counts(t, db), map[string]int{tandem.TargetPending: 1, tandem.TargetDone: 2}; !mapsEqual(got, want) {
		t.Errorf("counts = %v, want %v", got, want)
	}
}

func testGoneTicket(t *testing.T, db *DB) {
	ctx := t.Context()
	goneFleet(t, db)
	ticket, _, err := db.FileTicket(ctx, tandem.TicketFiling{Migration: "logrus", Team: "payments", Title: "Move", Body: "b",
		Codebases: []string{"api", "web", "db"}})
	if err != nil {
		t.Fatal(err)
	}
	comments := func() []string {
		t.Helper()
		ts, err := db.FindTickets(ctx, tandem.TicketFilter{ID: ticket.ID})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range ts[0].Comments {
			out = append(out, c.Body)
		}
		return append(out, "state "+ts[0].State)
	}
	listing(t, db, goneNow, "lib", "web")
	want := []string{"api: repository gone from its host: it no longer counts on this ticket. If it comes back, it counts again.", "state open"}
	if got := comments(); !slices.Equal(got, want) {
		t.Errorf("ticket with one codebase gone:\n got %q\nwant %q", got, want)
	}
	read(t, db, "db", "two", "c2", false)
	listing(t, db, goneNow, "lib")
	want = []string{want[0], "The change is done in db; api, web: repositories gone from their host: closing. Thank you!" +
		" The ticket reopens if a repository comes back still needing the change.", "state closed"}
	if got := comments(); !slices.Equal(got, want) {
		t.Errorf("ticket with nothing open left:\n got %q\nwant %q", got, want)
	}
	if got, want := states(t, db), "api:gone db:done web:gone"; got != want {
		t.Errorf("targets = %s, want %s", got, want)
	}

	// Back as it left: its stored results move it, no read needed.
	listing(t, db, goneNow, "api", "lib")
	if got, want := states(t, db), "api:ticketed db:done web:gone"; got != want {
		t.Errorf("targets with api back = %s, want %s", got, want)
	}
	read(t, db, "api", "one", "c3", true)
	if got, want := states(t, db), "api:ticketed db:done web:gone"; got != want {
		t.Errorf("targets with api back and read = %s, want %s", got, want)
	}
	got := comments()
	if len(got) != 4 || !strings.HasPrefix(got[2], "api is back on its host and still needs the change: the scan of commit c1 finds it needed (main.go:3)") || got[3] != "state open" {
		t.Errorf("ticket with api back: %q, want it reopened saying api is back", got)
	}
}

func testGoneTour(t *testing.T, db *DB) {
	ctx := t.Context()
	goneFleet(t, db)
	if _, _, err := db.FileTicket(ctx, tandem.TicketFiling{Migration: "logrus", Team: "payments", Title: "Move", Body: "b",
		Codebases: []string{"api"}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ProposeTour(ctx, tandem.Engagement{Type: tandem.TourOfDuty, State: tandem.EngagementProposed,
		HomeTeam: "obs", HostTeam: "payments", Purpose: "Move", Migration: "logrus", Codebases: []string{"api"},
		Starts: "2026-11-01", Ends: "2026-11-30"}); err != nil {
		t.Fatal(err)
	}
	if got, want := states(t, db), "api:tour-proposed db:pending web:pending"; got != want {
		t.Fatalf("targets = %s, want %s", got, want)
	}
	listing(t, db, goneNow, "lib", "web")
	es, err := db.FindEngagements(ctx, tandem.EngagementFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].State != tandem.EngagementWithdrawn || !strings.Contains(es[0].Reason, "api: repository gone from its host") {
		t.Errorf("engagements = %+v, want the proposal withdrawn, its codebase gone", es)
	}
}

func testGoneAtScale(t *testing.T, db *DB) {
	ctx := t.Context()
	const n = 10_000
	all := make([]string, n)
	for i := range all {
		all[i] = fmt.Sprintf("repo-%05d", i)
	}
	if err := db.inTx(ctx, "test fleet", func(tx *sql.Tx) error {
		for chunk := range slices.Chunk(all, batchRows) {
			args := make([]any, 0, 2*len(chunk))
			for _, name := range chunk {
				args = append(args, name, "one")
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO codebases (name, host) VALUES "+valueRows(len(chunk), 2), args...); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO codebases (name, host) VALUES ('elsewhere', 'two')")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	written := func(present []string) int {
		t.Helper()
		var n int
		if err := db.inTx(ctx, "test listing", func(tx *sql.Tx) error {
			before, err := rowsUpdated(t, tx, db.Dialect())
			if err != nil {
				return err
			}
			if err := markGone(ctx, tx, "one", present, goneNow); err != nil {
				return err
			}
			after, err := rowsUpdated(t, tx, db.Dialect())
			n = after - before
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := written(all); got != 0 {
		t.Errorf("a listing of all %d: %d rows written, want none", n, got)
	}
	if got := written(all[1:]); got != 1 {
		t.Errorf("a listing without one: %d rows written, want 1", got)
	}
	if got, want := names(t, db, tandem.CodebaseFilter{Gone: true}), all[:1]; !slices.Equal(got, want) {
		t.Errorf("gone = %v, want %v", got, want)
	}
	if got := written(nil); got != n-1 {
		t.Errorf("an empty listing: %d rows written, want %d", got, n-1)
	}
	if got, want := names(t, db, tandem.CodebaseFilter{}), []string{"elsewhere"}; !slices.Equal(got, want) {
		t.Errorf("codebases after an empty listing of one = %v, want %v", got, want)
	}
	if got := written(all); got != n {
		t.Errorf("all back: %d rows written, want %d", got, n)
	}
	if got := len(names(t, db, tandem.CodebaseFilter{})); got != n+1 {
		t.Errorf("%d codebases listed once all are back, want %d", got, n+1)
	}
}

// rowsUpdated returns how many rows the transaction has written so far:
// PostgreSQL counts them per transaction, SQLite per connection (which
// the transaction holds).
func rowsUpdated(t *testing.T, tx *sql.Tx, dialect string) (int, error) {
	t.Helper()
	var n int
	query := "SELECT total_changes()"
	if dialect == "postgres" {
		query = "SELECT COALESCE(SUM(n_tup_upd + n_tup_ins + n_tup_del), 0) FROM pg_stat_xact_user_tables"
	}
	err := tx.QueryRowContext(t.Context(), query).Scan(&n)
	return n, err
}

func codebaseNamed(t *testing.T, db *DB, name string) tandem.Codebase {
	t.Helper()
	cs, err := db.FindCodebases(t.Context(), tandem.CodebaseFilter{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return cs[0]
}

func mapsEqual(a, b map[string]int) bool {
	for k, v := range a {
		if v != 0 && b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}
