package sqlstore

import (
	"context"
	"database/sql"
	"maps"
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
		if err := rows.Scan(&r.Codebase, &r.Check, &r.Digest, &r.Commit, &r.Holds, &evidence, &r.Error, &r.CheckedAt, &r.Source); err != nil {
			return r, err
		}
		err = decode(evidence, &r.Evidence)
		r.Evidence = nonNil(r.Evidence)
		return r, err
	}, "SELECT codebase, check_id, digest, commit_id, holds, evidence, error, checked_at, source FROM check_results"+c.where(), c.args...)
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

// saveResults replaces a scan's results of a codebase at head with
// results, keeping those CI pushed (a scan never evaluates their checks),
// and records them as writeResults does, with the results CI pushed
// for head before the scan read it.
func saveResults(ctx context.Context, tx *sql.Tx, codebase, head string, results []tandem.CheckResult, now time.Time) error {
	prev, err := findCheckResults(ctx, tx, tandem.CheckResultFilter{Codebase: codebase})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM check_results WHERE codebase = $1 AND source = ''", codebase); err != nil {
		return err
	}
	pushed, err := pushedAt(ctx, tx, codebase, head)
	if err != nil {
		return err
	}
	for _, p := range pushed {
		if !slices.ContainsFunc(results, func(r tandem.CheckResult) bool { return r.Check == p.Check }) {
			results = append(results, p)
		}
	}
	return writeResults(ctx, tx, codebase, prev, results, now)
}

// writeResults writes results as a codebase's current ones, over any of
// the same checks, appends history where a result changed from prev (the
// current results before), and moves the targets of every migration
// whose target or done check is among them, against the other's current
// result.
func writeResults(ctx context.Context, tx *sql.Tx, codebase string, prev, results []tandem.CheckResult, now time.Time) error {
	current := make(map[string]tandem.CheckResult, len(prev)+len(results))
	for _, r := range prev {
		current[r.Check] = r
	}
	moved := map[string]bool{}
	for _, r := range results {
		if _, err := tx.ExecContext(ctx, `INSERT INTO check_results
			(codebase, check_id, digest, commit_id, holds, evidence, error, checked_at, source)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (codebase, check_id) DO UPDATE SET digest = excluded.digest, commit_id = excluded.commit_id,
				holds = excluded.holds, evidence = excluded.evidence, error = excluded.error,
				checked_at = excluded.checked_at, source = excluded.source`,
			codebase, r.Check, r.Digest, r.Commit, r.Holds, encode(nonNil(r.Evidence)), r.Error, now, r.Source); err != nil {
			return err
		}
		if old, ok := current[r.Check]; !ok || old.Holds != r.Holds {
			if _, err := tx.ExecContext(ctx, `INSERT INTO check_history (codebase, check_id, commit_id, holds, changed_at)
				VALUES ($1, $2, $3, $4, $5)`, codebase, r.Check, r.Commit, r.Holds, now); err != nil {
				return err
			}
		}
		current[r.Check] = r
		if kind, name, role := tandem.SplitCheckID(r.Check); kind == "migration" && (role == tandem.RoleTarget || role == tandem.RoleDone) {
			moved[name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(moved)) {
		target, ok := current[tandem.CheckID("migration", name, tandem.RoleTarget)]
		if !ok {
			continue // no result of its target yet: nothing to move
		}
		done := current[tandem.CheckID("migration", name, tandem.RoleDone)]
		if err := moveTargets(ctx, tx, name, codebase, target, done, now); err != nil {
			return err
		}
	}
	return nil
}
