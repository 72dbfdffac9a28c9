// Package sqlstoretest gives tests fresh, empty Tandem databases on every
// engine this machine offers, so that one suite runs on SQLite and
// PostgreSQL alike.
package sqlstoretest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPostgres is the server tests use when TANDEM_TEST_POSTGRES is
// not set.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Engine is a database engine and the DSN of a fresh database on it.
type Engine struct {
	Name string // "sqlite" or "postgres"
	DSN  string
}

// Engines returns a fresh database on each available engine: always
// SQLite, and PostgreSQL when its server answers (see Postgres). The
// databases are removed when t ends.
func Engines(t *testing.T) []Engine {
	t.Helper()
	engines := []Engine{{Name: "sqlite", DSN: SQLite(t)}}
	if err := postgresAvailable(); err != nil && os.Getenv("TANDEM_REQUIRE_POSTGRES") != "1" {
		t.Logf("postgres: not tested: %v (set TANDEM_TEST_POSTGRES to a server's DSN)", err)
		return engines
	}
	return append(engines, Engine{Name: "postgres", DSN: Postgres(t)})
}

// SQLite returns the path of a new SQLite database file in t's temporary
// directory.
func SQLite(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "tandem.db")
}

// Postgres creates a database tandem_test_<random> on the server named by
// TANDEM_TEST_POSTGRES (DefaultPostgres when unset), drops it when t ends,
// and returns its DSN. It skips t when the server does not answer within
// 2 seconds, and fails t instead when TANDEM_REQUIRE_POSTGRES=1.
func Postgres(t *testing.T) string {
	t.Helper()
	if err := postgresAvailable(); err != nil {
		if os.Getenv("TANDEM_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("postgres required (TANDEM_REQUIRE_POSTGRES=1): %v", err)
		}
		t.Skipf("postgres: skipped: %v (set TANDEM_TEST_POSTGRES to a server's DSN)", err)
	}
	admin := adminDSN()
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("TANDEM_TEST_POSTGRES must be a postgres:// URL: %v", err)
	}
	name := "tandem_test_" + strings.ToLower(rand.Text())
	if err := exec(admin, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := exec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

func adminDSN() string {
	if dsn := os.Getenv("TANDEM_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return DefaultPostgres
}

var (
	probeOnce sync.Once
	probeErr  error
)

// postgresAvailable returns why the PostgreSQL server does not answer, or
// nil; it asks once per test binary.
func postgresAvailable() error {
	probeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminDSN())
		if err != nil {
			probeErr = err
			return
		}
		probeErr = conn.Ping(ctx)
		conn.Close(ctx)
	})
	return probeErr
}

// exec runs one statement on the server's admin database.
func exec(dsn, stmt string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}
