// Package sqlstore implements tandem.Store on SQLite (modernc.org/sqlite)
// and PostgreSQL (pgx), with one schema and portable SQL on both.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tandem-dev/tandem"
)

// Dialects a DB reports.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// minSQLite is the oldest SQLite accepted: older versions can corrupt a
// database when a WAL reset races a checkpoint.
const minSQLite = "3.51.3"

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// DB is an open, migrated Tandem database on SQLite or PostgreSQL. It
// implements tandem.Store.
type DB struct {
	db      *sql.DB
	read    *sql.DB // read-only transactions: on SQLite a pool of its own
	pool    *pgxpool.Pool
	dialect string
	locks   sync.Map // name → *sync.Mutex, Exclusive's locks on SQLite
}

var _ tandem.Store = (*DB)(nil)

// Open opens the database dsn names and applies pending migrations. A dsn
// starting with postgres:// or postgresql:// is a PostgreSQL server;
// anything else is a SQLite file path, optionally prefixed by sqlite: or
// file:. It refuses SQLite older than 3.51.3.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var db *DB
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = openPostgres(ctx, dsn)
	} else {
		db, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	db := &DB{db: sqlDB, read: sqlDB, pool: pool, dialect: Postgres}
	if err := db.db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return db, nil
}

func openSQLite(ctx context.Context, dsn string) (*DB, error) {
	path := dsn
	for _, prefix := range []string{"sqlite://", "sqlite:", "file:"} {
		if p, ok := strings.CutPrefix(path, prefix); ok {
			path = p
			break
		}
	}
	if path == "" {
		return nil, tandem.Errorf(tandem.EINVALID, "open sqlite: empty database path")
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	sqlDB, err := sql.Open("sqlite", "file:"+path+sep+
		"_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// One connection: the job queue's SQLite driver requires it, and it
	// serialises writers without SQLITE_BUSY.
	sqlDB.SetMaxOpenConns(1)
	// Reads go to connections of their own, which WAL lets read a
	// committed snapshot while the writer writes, instead of queueing
	// behind it.
	read, err := sql.Open("sqlite", "file:"+path+sep+"_pragma=busy_timeout(10000)&_pragma=query_only(1)&_txlock=deferred")
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	read.SetMaxOpenConns(readConns)
	read.SetMaxIdleConns(readConns)
	db := &DB{db: sqlDB, read: read, dialect: SQLite}
	var version string
	if err := sqlDB.QueryRowContext(ctx, "select sqlite_version()").Scan(&version); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	if err := checkSQLiteVersion(version); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// checkSQLiteVersion returns an error unless version is at least
// minSQLite, comparing each dotted part as a number.
func checkSQLiteVersion(version string) error {
	got, err := parseVersion(version)
	if err != nil {
		return fmt.Errorf("sqlite version %q: %w", version, err)
	}
	want, _ := parseVersion(minSQLite)
	for i := range want {
		if got[i] != want[i] {
			if got[i] < want[i] {
				return tandem.Errorf(tandem.EUNAVAILABLE,
					"sqlite %s is too old: %s or later is required (older versions can corrupt a WAL database)",
					version, minSQLite)
			}
			return nil
		}
	}
	return nil
}

// parseVersion returns the major, minor and patch numbers of a dotted
// version; a missing patch number is 0.
func parseVersion(v string) ([3]int, error) {
	var n [3]int
	parts := strings.Split(strings.TrimSpace(v), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return n, errors.New("not a dotted version")
	}
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil || x < 0 {
			return n, fmt.Errorf("bad version part %q", p)
		}
		n[i] = x
	}
	return n, nil
}

func (db *DB) migrate(ctx context.Context) error {
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
		// Several processes may start at once against one server.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	fsys, err := fs.Sub(migrations, "migrations/"+db.dialect)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider(dialect, db.db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// SQL returns the database handle, for the job queue.
func (db *DB) SQL() *sql.DB { return db.db }

// Pool returns the PostgreSQL connection pool, for the job queue, or nil
// on SQLite.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// readConns is how many reads run at once on SQLite.
const readConns = 4

// Close closes the database and, on PostgreSQL, its pool.
func (db *DB) Close() error {
	err := db.db.Close()
	if db.read != nil && db.read != db.db {
		err = errors.Join(err, db.read.Close())
	}
	if db.pool != nil {
		db.pool.Close()
	}
	return err
}

// readTx runs fn in one read-only transaction: a consistent snapshot of
// what is committed, read beside the writer.
func (db *DB) readTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.dialect == Postgres})
	if err != nil {
		return storeErr(op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return storeErr(op, err)
	}
	return nil
}

// inTx runs fn in one transaction and commits it when fn returns nil. op
// is the context errors are returned with.
func (db *DB) inTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return storeErr(op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return storeErr(op, err)
	}
	if err := db.bumpInTx(ctx, tx); err != nil {
		return storeErr(op, err)
	}
	if err := tx.Commit(); err != nil {
		return storeErr(op, err)
	}
	db.bumpAfterCommit(ctx)
	return nil
}

// storeErr returns err with the context op, as an ECONFLICT *tandem.Error
// when the database reports a unique violation. Errors a user can act on
// are returned unchanged.
func storeErr(op string, err error) error {
	var te *tandem.Error
	var ie *tandem.InvalidError
	if errors.As(err, &ie) || errors.As(err, &te) {
		return err
	}
	if isUniqueViolation(err) {
		return tandem.Errorf(tandem.ECONFLICT, "%s: already exists", op)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// isUniqueViolation reports whether err is a unique or primary key
// violation, judged by SQLite's extended result code or PostgreSQL's
// SQLSTATE.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505" // unique_violation
	}
	return false
}
