package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tandem-dev/tandem"
)

// OpenExisting opens the database dsn names, as Open does, but neither
// creates a missing SQLite file nor applies migrations: it is for reading
// a database that a server, perhaps of another version, is using, as
// Backup does.
func OpenExisting(ctx context.Context, dsn string) (*DB, error) {
	path, ok := SQLiteFile(dsn)
	if !ok {
		return openPostgres(ctx, dsn)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return openSQLite(ctx, dsn+sep+"mode=rw") // never creates the file
}

// Backup writes a consistent copy of the SQLite database to the new file
// dst while others keep reading and writing it: SQLite's VACUUM INTO reads
// one snapshot, into a temporary file in dst's folder that is synced, then
// moved to dst. It returns ECONFLICT when dst exists, and leaves no file
// behind when it fails. On PostgreSQL it returns EINVALID: pg_dump backs
// up a server's database. Other queries through db wait for the copy when
// db has one connection, as a SQLite DB does: a server's database is best
// backed up through a DB of its own (OpenExisting).
func (db *DB) Backup(ctx context.Context, dst string) error {
	if db.dialect != SQLite {
		return tandem.Errorf(tandem.EINVALID,
			"backup: the database is PostgreSQL: back it up with pg_dump -Fc, and restore it with pg_restore")
	}
	if err := mustNotExist("backup", dst); err != nil {
		return err
	}
	return writeCopy(ctx, "backup", db.db, dst, false)
}

// Restore replaces the SQLite database dst (a path or dsn, as Open takes)
// with a copy of the backup src, after checking that src is a sound
// SQLite database with a schema this version of Tandem knows. It returns
// ECONFLICT when dst exists, unless force is set, and when dst is in use
// by a server. The copy goes through a synced temporary file in dst's
// folder, and dst's stale -wal and -shm files are removed before it is
// moved in: a failed restore leaves dst as it was. On PostgreSQL it
// returns EINVALID: pg_restore restores a server's database.
func Restore(ctx context.Context, src, dst string, force bool) error {
	path, ok := SQLiteFile(dst)
	if !ok {
		return tandem.Errorf(tandem.EINVALID,
			"restore: the database is PostgreSQL: restore a pg_dump backup of it with pg_restore --clean --if-exists")
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	uri, err := sqliteURI(src, "mode=ro")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	from, err := sql.Open("sqlite", uri)
	if err != nil {
		return fmt.Errorf("restore: open %s: %w", src, err)
	}
	defer from.Close()
	if err := checkBackup(ctx, from, src); err != nil {
		return err
	}
	if force {
		if err := mustBeUnused(ctx, path); err != nil {
			return err
		}
	} else if _, err := os.Lstat(path); err == nil {
		return tandem.Errorf(tandem.ECONFLICT, "restore: %s already exists: force the restore to replace it", path)
	}
	return writeCopy(ctx, "restore", from, path, force)
}

// checkBackup returns EINVALID unless db, opened from the file src, is a
// sound SQLite database whose schema version this build knows: not newer
// than its newest migration (an older one is migrated when served).
func checkBackup(ctx context.Context, db *sql.DB, src string) error {
	var tables int
	err := db.QueryRowContext(ctx,
		"select count(*) from sqlite_master where type = 'table' and name in ('goose_db_version', 'teams')").Scan(&tables)
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_NOTADB {
		return tandem.Errorf(tandem.EINVALID, "restore: %s is not a SQLite database", src)
	}
	if err != nil {
		return fmt.Errorf("restore: read %s: %w", src, err)
	}
	if tables != 2 {
		return tandem.Errorf(tandem.EINVALID, "restore: %s is not a Tandem database: it has no Tandem schema", src)
	}
	fsys, err := fs.Sub(migrations, "migrations/"+SQLite)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	version, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("restore: schema version of %s: %w", src, err)
	}
	sources := p.ListSources()
	if newest := sources[len(sources)-1].Version; version > newest {
		return tandem.Errorf(tandem.EINVALID,
			"restore: %s has schema version %d, newer than this Tandem knows (%d): restore it with the Tandem that wrote it",
			src, version, newest)
	}
	if version < 1 {
		return tandem.Errorf(tandem.EINVALID, "restore: %s is not a Tandem database: no migration was applied", src)
	}
	var integrity string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&integrity); err != nil {
		return fmt.Errorf("restore: check %s: %w", src, err)
	}
	if integrity != "ok" {
		return tandem.Errorf(tandem.EINVALID, "restore: %s is damaged: %s", src, integrity)
	}
	return nil
}

// mustBeUnused returns ECONFLICT when a connection, such as a server's,
// has the SQLite database at path open: in WAL mode every connection
// holds a shared lock on the file, so an exclusive one is refused. A
// missing or unreadable file is not in use.
func mustBeUnused(ctx context.Context, path string) error {
	uri, err := sqliteURI(path, "mode=rw&_pragma=busy_timeout(0)&_pragma=locking_mode(EXCLUSIVE)")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return fmt.Errorf("restore: open %s: %w", path, err)
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, "select count(*) from sqlite_master").Scan(&n)
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED) {
		return tandem.Errorf(tandem.ECONFLICT, "restore: %s is in use: stop the server that has it open first", path)
	}
	return nil
}

// writeCopy writes a consistent copy of the SQLite database db reads to
// dst: VACUUM INTO a temporary file in dst's folder, synced, then moved to
// dst, replacing it only when replace is set. dst's stale -wal and -shm
// files are removed first, as SQLite would replay them onto the new file.
// A failure leaves dst as it was and no temporary file. op prefixes
// errors.
func writeCopy(ctx context.Context, op string, db *sql.DB, dst string, replace bool) error {
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // gone once renamed; the extra name once linked
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	abs, err := filepath.Abs(tmp) // an absolute path is never read as a URI
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	// VACUUM INTO writes into an empty file, and reads one snapshot.
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		return fmt.Errorf("%s: copy to %s: %w", op, tmp, err)
	}
	if err := syncPath(tmp); err != nil { // VACUUM INTO does not sync
		return fmt.Errorf("%s: %w", op, err)
	}
	if !replace {
		if err := mustNotExist(op, dst); err != nil {
			return err
		}
	}
	for _, journal := range []string{dst + "-wal", dst + "-shm"} {
		if err := os.Remove(journal); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: remove stale %s: %w", op, journal, err)
		}
	}
	if replace {
		err = os.Rename(tmp, dst)
	} else if err = os.Link(tmp, dst); errors.Is(err, fs.ErrExist) {
		// A hard link never replaces a file that appeared meanwhile.
		return tandem.Errorf(tandem.ECONFLICT, "%s: %s already exists", op, dst)
	} else if err != nil {
		// No hard links on this file system: dst was found missing above.
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := syncPath(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// mustNotExist returns ECONFLICT when path exists.
func mustNotExist(op, path string) error {
	_, err := os.Lstat(path)
	if err == nil {
		return tandem.Errorf(tandem.ECONFLICT, "%s: %s already exists", op, path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// syncPath flushes a file, or a folder's entries, to stable storage.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

// SQLiteFile returns the file a SQLite dsn names, read as Open reads it,
// and false when dsn names a PostgreSQL database.
func SQLiteFile(dsn string) (string, bool) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "", false
	}
	path := dsn
	for _, prefix := range []string{"sqlite://", "sqlite:", "file:"} {
		if p, ok := strings.CutPrefix(path, prefix); ok {
			path = p
			break
		}
	}
	path, _, _ = strings.Cut(path, "?")
	return path, true
}

// sqliteURI returns a file: URI for the SQLite database at path with the
// query parameters query, escaping whatever the path holds.
func sqliteURI(path, query string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: query}
	return u.String(), nil
}
