package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// FindMigrations returns the migration called name, or every migration
// sorted by name when name is "". It returns ENOTFOUND when a named
// migration does not exist.
func (db *DB) FindMigrations(ctx context.Context, name string) ([]tandem.Migration, error) {
	return find(ctx, db, "migration", name, findMigrations)
}

func findMigrations(ctx context.Context, tx *sql.Tx, name string) ([]tandem.Migration, error) {
	cond, args := where("name", name)
	migrations, err := queryRows(ctx, tx, func(rows *sql.Rows) (m tandem.Migration, err error) {
		var js string
		if err := rows.Scan(&js); err != nil {
			return m, err
		}
		return m, decode(js, &m)
	}, "SELECT spec_json FROM migrations"+cond, args...)
	slices.SortFunc(migrations, func(a, b tandem.Migration) int { return strings.Compare(a.Name, b.Name) })
	return migrations, err
}

// FindCheckResults returns the current results that f selects, sorted by
// check then codebase.
func (db *DB) FindCheckResults(ctx context.Context, f tandem.CheckResultFilter) ([]tandem.CheckResult, error) {
	var results []tandem.CheckResult
	err := db.readTx(ctx, "find check results", func(tx *sql.Tx) error {
		var err error
		results, err = findCheckResults(ctx, tx, f)
		return err
	})
	return results, err
}

func findCheckResults(ctx context.Context, tx *sql.Tx, f tandem.CheckResultFilter) ([]tandem.CheckResult, error) {
	var c conds
	addSet(&c, "codebase", f.Codebase)
	addSet(&c, "check_id", f.Check)
	results, err := queryRows(ctx, tx, func(rows *sql.Rows) (r tandem.CheckResult, err error) {
		var evidence string
		if err := rows.Scan(&r.Codebase, &r.Check, &r.Digest, &r.Commit, &r.Holds, &evidence, &r.Error, &r.CheckedAt); err != nil {
			return r, err
		}
		err = decode(evidence, &r.Evidence)
		r.Evidence = nonNil(r.Evidence)
		return r, err
	}, "SELECT codebase, check_id, digest, commit_id, holds, evidence, error, checked_at FROM check_results"+c.where(), c.args...)
	slices.SortFunc(results, func(a, b tandem.CheckResult) int {
		if c := strings.Compare(a.Check, b.Check); c != 0 {
			return c
		}
		return strings.Compare(a.Codebase, b.Codebase)
	})
	return results, err
}

// FindCheckHistory returns every change of a check's results, oldest
// first.
func (db *DB) FindCheckHistory(ctx context.Context, check string) ([]tandem.CheckResult, error) {
	var history []tandem.CheckResult
	err := db.readTx(ctx, "find check history", func(tx *sql.Tx) error {
		var err error
		history, err = queryRows(ctx, tx, func(rows *sql.Rows) (tandem.CheckResult, error) {
			r := tandem.CheckResult{Check: check, Evidence: []tandem.Match{}}
			err := rows.Scan(&r.Codebase, &r.Commit, &r.Holds, &r.CheckedAt)
			return r, err
		}, `SELECT codebase, commit_id, holds, changed_at FROM check_history
			WHERE check_id = $1 ORDER BY changed_at, id`, check)
		return err
	})
	return history, err
}

// saveResults replaces a codebase's check results with results, appends
// history where a result changed, and moves the targets of every migration
// whose target check is among them.
func saveResults(ctx context.Context, tx *sql.Tx, codebase string, results []tandem.CheckResult, now time.Time) error {
	prev, err := findCheckResults(ctx, tx, tandem.CheckResultFilter{Codebase: codebase})
	if err != nil {
		return err
	}
	before := make(map[string]tandem.CheckResult, len(prev))
	for _, r := range prev {
		before[r.Check] = r
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM check_results WHERE codebase = $1", codebase); err != nil {
		return err
	}
	byCheck := make(map[string]tandem.CheckResult, len(results))
	for _, r := range results {
		byCheck[r.Check] = r
		if _, err := tx.ExecContext(ctx, `INSERT INTO check_results
			(codebase, check_id, digest, commit_id, holds, evidence, error, checked_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			codebase, r.Check, r.Digest, r.Commit, r.Holds, encode(nonNil(r.Evidence)), r.Error, now); err != nil {
			return err
		}
		if old, ok := before[r.Check]; !ok || old.Holds != r.Holds {
			if _, err := tx.ExecContext(ctx, `INSERT INTO check_history (codebase, check_id, commit_id, holds, changed_at)
				VALUES ($1, $2, $3, $4, $5)`, codebase, r.Check, r.Commit, r.Holds, now); err != nil {
				return err
			}
		}
	}
	for id, r := range byCheck {
		kind, name, role := tandem.SplitCheckID(id)
		if kind != "migration" || role != tandem.RoleTarget {
			continue
		}
		done := byCheck[tandem.CheckID(kind, name, tandem.RoleDone)]
		if err := moveTarget(ctx, tx, name, codebase, r, done, now); err != nil {
			return err
		}
	}
	return nil
}
