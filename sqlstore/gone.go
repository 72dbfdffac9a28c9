package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"time"
)

// markGone marks the codebases of host that present does not name gone
// at now, and those it names that were gone back.
func markGone(ctx context.Context, tx *sql.Tx, host string, present []string, now time.Time) error {
	listed := make(map[string]bool, len(present))
	for _, name := range present {
		listed[name] = true
	}
	rows, err := tx.QueryContext(ctx, "SELECT name, gone_at IS NOT NULL FROM codebases WHERE host = $1", host)
	if err != nil {
		return err
	}
	var gone, back []string
	for rows.Next() {
		var name string
		var wasGone bool
		if err := rows.Scan(&name, &wasGone); err != nil {
			rows.Close()
			return err
		}
		switch {
		case !listed[name] && !wasGone:
			gone = append(gone, name)
		case listed[name] && wasGone:
			back = append(back, name)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, set := range []struct {
		names []string
		at    any
	}{{gone, now}, {back, nil}} {
		for chunk := range slices.Chunk(set.names, batchRows) {
			if _, err := tx.ExecContext(ctx, "UPDATE codebases SET gone_at = $1 WHERE host = $2 AND name IN ("+placeholders(3, len(chunk))+")",
				append([]any{set.at, host}, anySlice(chunk)...)...); err != nil {
				return err
			}
		}
	}
	return nil
}
