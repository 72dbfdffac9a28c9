package sqlstore_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// openSQLite opens a new SQLite store and closes it when t ends.
func openSQLite(t *testing.T, path string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestBackupWhileWriting backs up a database through a handle of its own
// while a server's handle keeps applying teams, restores the backup and
// finds the catalog, and a prefix of the writes: one consistent snapshot.
func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	server := openSQLite(t, live)
	apply(t, server,
		team("payments", []string{"alice"}, []string{"@acme/payments"}),
		team("search", nil, []string{"@acme/search-team"}),
		person("bob", "payments", "search"),
		host("acme"),
		platform("obslog", "search"))

	var written atomic.Int64
	stop := make(chan struct{})
	writing := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				writing <- nil
				return
			default:
			}
			if _, err := server.Apply(t.Context(), []tandem.Object{team(fmt.Sprintf("w%05d", i), nil, nil)}); err != nil {
				writing <- err
				return
			}
			written.Add(1)
		}
	}()
	for written.Load() < 20 {
		select {
		case err := <-writing:
			t.Fatalf("writer stopped: %v", err)
		case <-time.After(time.Millisecond):
		}
	}

	reader, err := sqlstore.OpenExisting(t.Context(), live)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	before := written.Load()
	backup := filepath.Join(dir, "backup.db")
	if err := reader.Backup(t.Context(), backup); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	after := written.Load()
	close(stop)
	if err := <-writing; err != nil {
		t.Fatalf("writer: %v", err)
	}
	t.Logf("%d teams written during the backup", after-before)

	restored := filepath.Join(t.TempDir(), "restored.db")
	if err := sqlstore.Restore(t.Context(), backup, restored, false); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	got := openSQLite(t, restored)
	for _, name := range []string{"payments", "search"} {
		want, err := server.FindTeams(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		have, err := got.FindTeams(t.Context(), name)
		if err != nil {
			t.Fatalf("restored team %s: %v", name, err)
		}
		if !reflect.DeepEqual(have, want) {
			t.Errorf("restored team %s = %+v, want %+v", name, have, want)
		}
	}
	for _, find := range []func(*sqlstore.DB) (any, error){
		func(db *sqlstore.DB) (any, error) { return db.FindPeople(t.Context(), "bob") },
		func(db *sqlstore.DB) (any, error) { return db.FindCodeHosts(t.Context(), "acme") },
		func(db *sqlstore.DB) (any, error) { return db.FindPlatforms(t.Context(), "obslog") },
	} {
		want, err := find(server)
		if err != nil {
			t.Fatal(err)
		}
		if have, err := find(got); err != nil || !reflect.DeepEqual(have, want) {
			t.Errorf("restored %+v, %v; want %+v", have, err, want)
		}
	}
	teams, err := got.FindTeams(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	var writes []string
	for _, team := range teams {
		if strings.HasPrefix(team.Name, "w") {
			writes = append(writes, team.Name)
		}
	}
	n := int64(len(writes))
	if n < before || n > after {
		t.Errorf("the backup holds %d written teams, want between %d (before the backup) and %d (after)", n, before, after)
	}
	for i, name := range writes {
		if want := fmt.Sprintf("w%05d", i); name != want {
			t.Fatalf("written team %d is %s, want %s: the backup is not one snapshot", i, name, want)
		}
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	db := openSQLite(t, filepath.Join(dir, "tandem.db"))
	dst := filepath.Join(dir, "backup.db")
	writeBytes(t, dst, "precious")

	err := db.Backup(t.Context(), dst)
	if tandem.ErrorCode(err) != tandem.ECONFLICT || !strings.Contains(err.Error(), dst+" already exists") {
		t.Errorf("Backup over a file = %v, want ECONFLICT naming %s", err, dst)
	}
	if got := readBytes(t, dst); got != "precious" {
		t.Errorf("the existing file now holds %q", got)
	}
	assertNoTemporaryFile(t, dir)
}

func TestBackupRestoreRefusesWhatIsNotATandemDatabase(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	writeBytes(t, text, strings.Repeat("not a database\n", 100))
	other := filepath.Join(dir, "other.db")
	foreign, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := foreign.Exec("create table goose_db_version (id integer primary key, version_id integer, is_applied integer, tstamp text)"); err != nil {
		t.Fatal(err)
	}
	foreign.Close()
	dst := filepath.Join(dir, "tandem.db")
	writeBytes(t, dst, "the current database")

	for _, tt := range []struct {
		src, want string
	}{
		{text, text + " is not a SQLite database"},
		{other, other + " is not a Tandem database"},
		{filepath.Join(dir, "missing.db"), "no such file"},
	} {
		err := sqlstore.Restore(t.Context(), tt.src, dst, true)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Restore(%s) = %v, want an error saying %q", tt.src, err, tt.want)
		}
		if tt.src != filepath.Join(dir, "missing.db") && tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("Restore(%s) code %q, want %q", tt.src, tandem.ErrorCode(err), tandem.EINVALID)
		}
	}
	if got := readBytes(t, dst); got != "the current database" {
		t.Errorf("dst now holds %q", got)
	}
	assertNoTemporaryFile(t, dir)
}

func TestBackupRestoreRefusesADatabaseInUse(t *testing.T) {
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	src := openSQLite(t, filepath.Join(dir, "src.db"))
	apply(t, src, team("payments", nil, nil))
	if err := src.Backup(t.Context(), backup); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "tandem.db")
	live, err := sqlstore.Open(t.Context(), dst)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, live, team("search", nil, nil))

	err = sqlstore.Restore(t.Context(), backup, dst, false)
	if tandem.ErrorCode(err) != tandem.ECONFLICT || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("Restore over a database without force = %v, want ECONFLICT: already exists", err)
	}
	err = sqlstore.Restore(t.Context(), backup, dst, true)
	if tandem.ErrorCode(err) != tandem.ECONFLICT || !strings.Contains(err.Error(), "in use") {
		t.Errorf("Restore over a database in use = %v, want ECONFLICT: in use", err)
	}
	if _, err := live.FindTeams(t.Context(), "search"); err != nil {
		t.Errorf("the database in use lost its team: %v", err)
	}
	live.Close()

	if err := sqlstore.Restore(t.Context(), backup, "sqlite:"+dst, true); err != nil {
		t.Fatalf("Restore with force, once closed: %v", err)
	}
	restored := openSQLite(t, dst)
	if _, err := restored.FindTeams(t.Context(), "payments"); err != nil {
		t.Errorf("restored database: %v", err)
	}
	if _, err := restored.FindTeams(t.Context(), "search"); tandem.ErrorCode(err) != tandem.ENOTFOUND {
		t.Errorf("the replaced database's team survived the restore: %v", err)
	}
}

// TestBackupRestoreIgnoresAStaleJournal restores where a database was
// removed but not its write-ahead log, which SQLite would otherwise replay
// onto the restored file.
func TestBackupRestoreIgnoresAStaleJournal(t *testing.T) {
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	src := openSQLite(t, filepath.Join(dir, "src.db"))
	apply(t, src, team("payments", nil, nil))
	if err := src.Backup(t.Context(), backup); err != nil {
		t.Fatal(err)
	}
	old := openSQLite(t, filepath.Join(dir, "old.db"))
	apply(t, old, team("search", nil, nil))
	dst := filepath.Join(dir, "tandem.db")
	writeBytes(t, dst+"-wal", readBytes(t, filepath.Join(dir, "old.db-wal")))
	if info, err := os.Stat(dst + "-wal"); err != nil || info.Size() == 0 {
		t.Fatalf("the stale journal is empty: %v", err)
	}

	if err := sqlstore.Restore(t.Context(), backup, dst, false); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	restored := openSQLite(t, dst)
	teams, err := restored.FindTeams(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(teams) != 1 || teams[0].Name != "payments" {
		t.Errorf("restored teams = %+v, want payments alone", teams)
	}
}

func TestBackupRefusesPostgres(t *testing.T) {
	db, err := sqlstore.Open(t.Context(), sqlstoretest.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dst := filepath.Join(t.TempDir(), "backup.db")
	err = db.Backup(t.Context(), dst)
	if tandem.ErrorCode(err) != tandem.EINVALID || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("Backup on PostgreSQL = %v, want EINVALID pointing at pg_dump", err)
	}
	if _, err := os.Stat(dst); err == nil {
		t.Errorf("Backup on PostgreSQL wrote %s", dst)
	}
	err = sqlstore.Restore(t.Context(), dst, sqlstoretest.DefaultPostgres, true)
	if tandem.ErrorCode(err) != tandem.EINVALID || !strings.Contains(err.Error(), "pg_restore") {
		t.Errorf("Restore to PostgreSQL = %v, want EINVALID pointing at pg_restore", err)
	}
}

func writeBytes(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readBytes(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// assertNoTemporaryFile fails t when a failed backup or restore left its
// temporary file in dir.
func assertNoTemporaryFile(t *testing.T, dir string) {
	t.Helper()
	tmp, err := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tmp) > 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}
}
