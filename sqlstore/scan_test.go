package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
)

// testListingUnchanged records a complete listing: the unchanged codebase
// is done at once without a read, the new one waits for its read, the one
// the host no longer lists is gone and has no last read any more.
func testListingUnchanged(t *testing.T, db *sqlstore.DB, _ string) {
	ctx := t.Context()
	check := tandem.CheckID("platform", "obslog", tandem.RoleAdoption)
	for _, name := range []string{"api", "old"} {
		if _, _, err := db.SaveCodebase(ctx, 0, tandem.CodebaseRead{
			Codebase: tandem.Codebase{Name: name, Host: "one", Head: "abc"},
			Results:  []tandem.CheckResult{{Check: check, Digest: "d1", Commit: "abc", Holds: true}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	last, err := db.LastReads(ctx, "one")
	if err != nil {
		t.Fatal(err)
	}
	want := tandem.LastRead{Head: "abc", Digests: map[string]string{check: "d1"}}
	if got := last["api"]; got.Head != want.Head || !maps.Equal(got.Digests, want.Digests) || len(last) != 2 {
		t.Fatalf("last reads = %v, want api and old at %v", last, want)
	}
	if last, err := db.LastReads(ctx, "one", "api", "new"); err != nil || len(last) != 1 {
		t.Fatalf("last reads of api and new = %v, %v; want api alone", last, err)
	}
	before := codebase(t, db, "api").ScannedAt

	scan, err := db.CreateScan(ctx, []string{"one"}, noEnqueue)
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.RecordRepositories(ctx, scan.ID, "one", tandem.Listing{Read: []string{"new"}, Unchanged: []string{"api"}, Complete: true},
		func(context.Context, *sql.Tx) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if s.Codebases != 2 || s.Done != 1 || s.State != tandem.ScanRunning {
		t.Errorf("after listing: codebases %d, done %d, state %s; want 2, 1, running", s.Codebases, s.Done, s.State)
	}
	if after := codebase(t, db, "api").ScannedAt; after == nil || before == nil || !after.After(*before) {
		t.Errorf("unchanged api scanned at %v, before %v: want stamped again", after, before)
	}
	last, err = db.LastReads(ctx, "one")
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(last)); !slices.Equal(got, []string{"api"}) {
		t.Errorf("last reads after old left the host = %v, want [api]", got)
	}
	s, err = db.SaveCodebases(ctx, scan.ID, []tandem.CodebaseRead{{Codebase: tandem.Codebase{Name: "new", Host: "one", Head: "def"}, BytesRead: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Done != 2 || s.Bytes != 10 || s.State != tandem.ScanDone {
		t.Errorf("after the read: done %d, bytes %d, state %s; want 2, 10, done", s.Done, s.Bytes, s.State)
	}
	agreeWithRows(t, db, s, 1)

	// A complete listing of nothing keeps every codebase, with a problem.
	empty, err := db.CreateScan(ctx, []string{"one"}, noEnqueue)
	if err != nil {
		t.Fatal(err)
	}
	s, err = db.RecordRepositories(ctx, empty.ID, "one", tandem.Listing{Complete: true}, func(context.Context, *sql.Tx) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Problems) != 1 || !strings.Contains(s.Problems[0].Message, "listed no repositories") {
		t.Errorf("problems of an empty listing = %v, want one saying the codebases are kept", s.Problems)
	}
	if last, err := db.LastReads(ctx, "one"); err != nil || len(last) != 2 {
		t.Errorf("last reads after an empty listing = %v, %v; want api and new kept", last, err)
	}
}

// testSaveBatch saves a batch with a read, a failure and a conflict: each
// is counted once, the conflict among the problems, and saving the batch
// again changes nothing.
func testSaveBatch(t *testing.T, db *sqlstore.DB, _ string) {
	ctx := t.Context()
	save(t, db, 0, tandem.Codebase{Name: "taken", Host: "one", Head: "abc"})
	scan, err := db.CreateScan(ctx, []string{"two"}, noEnqueue)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordRepositories(ctx, scan.ID, "two", tandem.Listing{Read: []string{"ok", "broken", "taken"}},
		func(context.Context, *sql.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	batch := []tandem.CodebaseRead{
		{Codebase: tandem.Codebase{Name: "ok", Host: "two", Head: "abc"}, BytesRead: 7},
		{Codebase: tandem.Codebase{Name: "broken", Host: "two", Problems: []tandem.Problem{{Message: "no HEAD"}}}},
		{Codebase: tandem.Codebase{Name: "taken", Host: "two", Head: "def"}},
	}
	for range 2 {
		s, err := db.SaveCodebases(ctx, scan.ID, batch)
		if err != nil {
			t.Fatal(err)
		}
		if s.Done != 1 || s.Failed != 2 || s.Bytes != 7 || len(s.Problems) != 1 || s.State != tandem.ScanDone {
			t.Errorf("scan = done %d, failed %d, bytes %d, problems %v, state %s; want 1, 2, 7, one conflict, done",
				s.Done, s.Failed, s.Bytes, s.Problems, s.State)
		}
		agreeWithRows(t, db, s, 0)
	}
	if got := codebase(t, db, "taken").Host; got != "one" {
		t.Errorf("taken is on host %q, want one: a conflict writes nothing", got)
	}
}

// agreeWithRows fails unless the scan's kept counters are those its rows
// count, with unchanged codebases listed done without a row.
func agreeWithRows(t *testing.T, db *sqlstore.DB, s tandem.Scan, unchanged int) {
	t.Helper()
	var codebases, done, failed int
	var bytes int64
	err := db.SQL().QueryRowContext(t.Context(), `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(bytes), 0) FROM scan_codebases WHERE scan_id = $1`, s.ID).Scan(&codebases, &done, &failed, &bytes)
	if err != nil {
		t.Fatal(err)
	}
	codebases, done = codebases+unchanged, done+unchanged
	if s.Codebases != codebases || s.Done != done || s.Failed != failed || s.Bytes != bytes {
		t.Errorf("scan counts codebases %d, done %d, failed %d, bytes %d; its rows %d, %d, %d, %d",
			s.Codebases, s.Done, s.Failed, s.Bytes, codebases, done, failed, bytes)
	}
}

// testScanNotifies listens on PostgreSQL for scans moving on: recording a
// host's listing notifies the scan's id as it commits.
func testScanNotifies(t *testing.T, db *sqlstore.DB, _ string) {
	if db.Dialect() != sqlstore.Postgres {
		t.Skip("SQLite has no notifications: one process works its scans")
	}
	ctx := t.Context()
	conn, err := db.Pool().Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+sqlstore.ScanChannel); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "UNLISTEN *")
	scan, err := db.CreateScan(ctx, []string{"one"}, noEnqueue)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordRepositories(ctx, scan.ID, "one", tandem.Listing{Read: []string{"api"}}, func(context.Context, *sql.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	n, err := conn.Conn().WaitForNotification(wait)
	if err != nil || n.Payload != strconv.FormatInt(scan.ID, 10) {
		t.Errorf("notification = %+v, %v; want scan %d", n, err, scan.ID)
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
