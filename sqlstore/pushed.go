package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/tandem-dev/tandem"
)

// PushResults records the results a CI job evaluated on codebase at
// commit, pushed by person by. Each must be of an active check of source
// CI: the definition of the catalog as it is in this transaction gives
// its digest. Every push is kept; when commit is the codebase's head the
// results also become current and move targets, through the path a
// scan's results take.
func (db *DB) PushResults(ctx context.Context, codebase, commit, by string, results []tandem.CheckResult) (bool, error) {
	if commit == "" {
		return false, tandem.Errorf(tandem.EINVALID, "push results: the commit evaluated is required")
	}
	var current bool
	err := db.inTx(ctx, "push results", func(tx *sql.Tx) error {
		cbs, err := findCodebases(ctx, tx, tandem.CodebaseFilter{Name: codebase})
		if err != nil && tandem.ErrorCode(err) != tandem.ENOTFOUND {
			return err
		}
		if len(cbs) == 0 {
			return notFound(tandem.ENOTFOUND, "codebase", codebase)
		}
		c := cbs[0]
		checks, err := ciChecks(ctx, tx)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		for i := range results {
			r := &results[i]
			nc, ok := checks[r.Check]
			if !ok {
				return tandem.Errorf(tandem.EINVALID, "push results for %s: %q is no active check of source ci: the server's scan evaluates the others", c.Name, r.Check)
			}
			if r.Digest != "" && r.Digest != nc.Digest {
				return tandem.Errorf(tandem.ECONFLICT, "push results for %s: %s was evaluated as defined elsewhere than on the server: apply the catalog's files, or check against the server's", c.Name, r.Check)
			}
			r.Codebase, r.Digest, r.Commit, r.Source, r.CheckedAt = c.Name, nc.Digest, commit, tandem.SourceCI, now
			r.Evidence = nonNil(r.Evidence)
			if r.Error != "" {
				r.Holds = false
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO pushed_results
				(codebase, check_id, digest, commit_id, holds, evidence, error, pushed_by, pushed_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				c.Name, r.Check, r.Digest, commit, r.Holds, encode(r.Evidence), r.Error, by, now); err != nil {
				return err
			}
		}
		if current = c.Head != "" && c.Head == commit && c.GoneAt == nil; !current {
			return nil
		}
		prev, err := findCheckResults(ctx, tx, tandem.CheckResultFilter{Codebase: c.Name})
		if err != nil {
			return err
		}
		return writeResults(ctx, tx, c.Name, prev, results, now)
	})
	return current, err
}

// ciChecks returns the active checks of source CI, by id.
func ciChecks(ctx context.Context, tx *sql.Tx) (map[string]tandem.NamedCheck, error) {
	platforms, err := findPlatforms(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	migrations, err := findMigrations(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	checks := map[string]tandem.NamedCheck{}
	for _, nc := range tandem.ActiveChecks(platforms, migrations) {
		if nc.Check.Source == tandem.SourceCI {
			checks[nc.ID] = nc
		}
	}
	return checks, nil
}

// FindPushedResults returns the latest limit results pushed for
// codebase, the latest first.
func (db *DB) FindPushedResults(ctx context.Context, codebase string, limit int) ([]tandem.CheckResult, error) {
	var results []tandem.CheckResult
	err := db.readTx(ctx, "find pushed results", func(tx *sql.Tx) error {
		var err error
		results, err = queryPushed(ctx, tx, "codebase = $1 ORDER BY id DESC LIMIT $2", codebase, limit)
		return err
	})
	return results, err
}

// pushedAt returns the latest result pushed for each check on codebase
// at commit.
func pushedAt(ctx context.Context, tx *sql.Tx, codebase, commit string) ([]tandem.CheckResult, error) {
	return queryPushed(ctx, tx, `id IN (SELECT MAX(id) FROM pushed_results
		WHERE codebase = $1 AND commit_id = $2 GROUP BY check_id) ORDER BY check_id`, codebase, commit)
}

// queryPushed returns the pushed results cond selects.
func queryPushed(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]tandem.CheckResult, error) {
	return queryRows(ctx, tx, func(rows *sql.Rows) (tandem.CheckResult, error) {
		r := tandem.CheckResult{Source: tandem.SourceCI}
		var evidence string
		if err := rows.Scan(&r.Codebase, &r.Check, &r.Digest, &r.Commit, &r.Holds, &evidence, &r.Error, &r.CheckedAt); err != nil {
			return r, err
		}
		r.CheckedAt = r.CheckedAt.UTC()
		err := decode(evidence, &r.Evidence)
		r.Evidence = nonNil(r.Evidence)
		return r, err
	}, "SELECT codebase, check_id, digest, commit_id, holds, evidence, error, pushed_at FROM pushed_results WHERE "+cond, args...)
}
