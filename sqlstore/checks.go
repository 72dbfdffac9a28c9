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
	err := db.inTx(ctx, "find check results", func(tx *sql.Tx) error {
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
	err := db.inTx(ctx, "find check history", func(tx *sql.Tx) error {
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

// FindTargets returns a migration's targets sorted by codebase, with each
// codebase's current owner. It returns ENOTFOUND for an unknown migration.
func (db *DB) FindTargets(ctx context.Context, migration string) ([]tandem.Target, error) {
	var targets []tandem.Target
	err := db.inTx(ctx, "find targets", func(tx *sql.Tx) error {
		if ok, err := exists(ctx, tx, "migrations", migration); err != nil {
			return err
		} else if !ok {
			return tandem.Errorf(tandem.ENOTFOUND, "migration %q not found", migration)
		}
		rows, err := tx.QueryContext(ctx, `SELECT t.codebase, c.owner, t.state, t.evidence, t.commit_id, t.found_at, t.done_at
			FROM targets t LEFT JOIN codebases c ON c.name = t.codebase
			WHERE t.migration = $1 ORDER BY t.codebase`, migration)
		if err != nil {
			return err
		}
		defer rows.Close()
		targets = []tandem.Target{}
		for rows.Next() {
			t := tandem.Target{Migration: migration}
			var owner sql.NullString
			var evidence string
			var doneAt sql.NullTime
			if err := rows.Scan(&t.Codebase, &owner, &t.State, &evidence, &t.Commit, &t.FoundAt, &doneAt); err != nil {
				return err
			}
			if owner.Valid {
				t.Owner = &owner.String
			}
			if doneAt.Valid {
				t.DoneAt = &doneAt.Time
			}
			if err := decode(evidence, &t.Evidence); err != nil {
				return err
			}
			t.Evidence = nonNil(t.Evidence)
			targets = append(targets, t)
		}
		return rows.Err()
	})
	return targets, err
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
		if err := moveTarget(ctx, tx, name, codebase, r, done.Holds, now); err != nil {
			return err
		}
	}
	return nil
}

// moveTarget records a migration's target on a codebase in its next state.
func moveTarget(ctx context.Context, tx *sql.Tx, migration, codebase string, target tandem.CheckResult, doneHolds bool, now time.Time) error {
	var current string
	err := tx.QueryRowContext(ctx, "SELECT state FROM targets WHERE migration = $1 AND codebase = $2", migration, codebase).Scan(&current)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	next := tandem.NextTargetState(current, target.Holds, doneHolds)
	switch {
	case next == "" || next == current && next == tandem.TargetDone:
		return nil
	case current == "":
		_, err = tx.ExecContext(ctx, `INSERT INTO targets (migration, codebase, state, evidence, commit_id, found_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, migration, codebase, next, encode(nonNil(target.Evidence)), target.Commit, now)
	case next == tandem.TargetDone:
		_, err = tx.ExecContext(ctx, `UPDATE targets SET state = $1, commit_id = $2, done_at = $3
			WHERE migration = $4 AND codebase = $5`, next, target.Commit, now, migration, codebase)
	default:
		// Still (or again) needing the change: keep the evidence current.
		_, err = tx.ExecContext(ctx, `UPDATE targets SET state = $1, evidence = $2, commit_id = $3, done_at = NULL
			WHERE migration = $4 AND codebase = $5`, next, encode(nonNil(target.Evidence)), target.Commit, migration, codebase)
	}
	return err
}
