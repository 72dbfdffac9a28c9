package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
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
	rows, err := tx.QueryContext(ctx, "SELECT spec_json FROM migrations"+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	migrations := []tandem.Migration{}
	for rows.Next() {
		var js string
		if err := rows.Scan(&js); err != nil {
			return nil, err
		}
		var m tandem.Migration
		if err := decode(js, &m); err != nil {
			return nil, err
		}
		migrations = append(migrations, m)
	}
	slices.SortFunc(migrations, func(a, b tandem.Migration) int { return strings.Compare(a.Name, b.Name) })
	return migrations, rows.Err()
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
	var conds []string
	var args []any
	if f.Codebase != "" {
		args = append(args, f.Codebase)
		conds = append(conds, "codebase = $1")
	}
	if f.Check != "" {
		args = append(args, f.Check)
		conds = append(conds, fmt.Sprintf("check_id = $%d", len(args)))
	}
	query := "SELECT codebase, check_id, digest, commit_id, holds, evidence, error, checked_at FROM check_results"
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	results := []tandem.CheckResult{}
	for rows.Next() {
		var r tandem.CheckResult
		var evidence string
		if err := rows.Scan(&r.Codebase, &r.Check, &r.Digest, &r.Commit, &r.Holds, &evidence, &r.Error, &r.CheckedAt); err != nil {
			return nil, err
		}
		if err := decode(evidence, &r.Evidence); err != nil {
			return nil, err
		}
		r.Evidence = nonNil(r.Evidence)
		results = append(results, r)
	}
	slices.SortFunc(results, func(a, b tandem.CheckResult) int {
		if c := strings.Compare(a.Check, b.Check); c != 0 {
			return c
		}
		return strings.Compare(a.Codebase, b.Codebase)
	})
	return results, rows.Err()
}

// FindCheckHistory returns every change of a check's results, oldest
// first.
func (db *DB) FindCheckHistory(ctx context.Context, check string) ([]tandem.CheckResult, error) {
	var history []tandem.CheckResult
	err := db.readTx(ctx, "find check history", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT codebase, commit_id, holds, changed_at FROM check_history
			WHERE check_id = $1 ORDER BY changed_at, id`, check)
		if err != nil {
			return err
		}
		defer rows.Close()
		history = []tandem.CheckResult{}
		for rows.Next() {
			r := tandem.CheckResult{Check: check, Evidence: []tandem.Match{}}
			if err := rows.Scan(&r.Codebase, &r.Commit, &r.Holds, &r.CheckedAt); err != nil {
				return err
			}
			history = append(history, r)
		}
		return rows.Err()
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
