package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tandem-dev/tandem"
)

// SaveGuardReport records a guard report, replacing the one of the same
// pull request head and migration.
func (db *DB) SaveGuardReport(ctx context.Context, r tandem.GuardReport) error {
	return db.inTx(ctx, "save guard report", func(tx *sql.Tx) error {
		var commented sql.NullTime
		if r.CommentedAt != nil {
			commented = sql.NullTime{Time: r.CommentedAt.UTC(), Valid: true}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO guard_reports (host, repo, number, head, migration, url, mode, state, evidence, posted_at, commented_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (host, repo, number, head, migration) DO UPDATE SET url = excluded.url, mode = excluded.mode,
				state = excluded.state, evidence = excluded.evidence, posted_at = excluded.posted_at, commented_at = excluded.commented_at`,
			r.Host, r.Repo, r.Number, r.Head, r.Migration, r.URL, r.Mode, r.State, encode(nonNil(r.Evidence)), r.PostedAt.UTC(), commented)
		return err
	})
}

// FindGuardReports returns the guard reports f selects, newest first.
func (db *DB) FindGuardReports(ctx context.Context, f tandem.GuardReportFilter) ([]tandem.GuardReport, error) {
	var out []tandem.GuardReport
	err := db.readTx(ctx, "find guard reports", func(tx *sql.Tx) error {
		var c conds
		addSet(&c, "host", f.Host)
		addSet(&c, "repo", f.Repo)
		addSet(&c, "number", f.Number)
		addSet(&c, "head", f.Head)
		addSet(&c, "migration", f.Migration)
		query := `SELECT host, repo, number, head, migration, url, mode, state, evidence, posted_at, commented_at
			FROM guard_reports` + c.where() + " ORDER BY posted_at DESC, host, repo, number, migration"
		args := c.args
		if f.Limit > 0 {
			args = append(args, f.Limit)
			query += fmt.Sprintf(" LIMIT $%d", len(args))
		}
		var err error
		out, err = queryRows(ctx, tx, scanGuardReport, query, args...)
		return err
	})
	return out, err
}

func scanGuardReport(rows *sql.Rows) (tandem.GuardReport, error) {
	var r tandem.GuardReport
	var evidence string
	var commented sql.NullTime
	if err := rows.Scan(&r.Host, &r.Repo, &r.Number, &r.Head, &r.Migration, &r.URL, &r.Mode, &r.State, &evidence, &r.PostedAt, &commented); err != nil {
		return r, err
	}
	r.PostedAt, r.CommentedAt = r.PostedAt.UTC(), timePtr(commented)
	if err := decode(evidence, &r.Evidence); err != nil {
		return r, err
	}
	r.Evidence = nonNil(r.Evidence)
	return r, nil
}
