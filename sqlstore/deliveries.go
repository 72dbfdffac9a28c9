package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/tandem-dev/tandem"
)

// RecordDelivery records a webhook delivery under each of its ids, after
// deleting those older than tandem.DeliveryWindow. INSERT … ON CONFLICT DO
// NOTHING affects no row for an id already recorded: of two concurrent
// deliveries sharing an id, PostgreSQL holds the second until the first
// commits, and SQLite has one writer, so exactly one is new. A replay
// rolls back, recording none of its ids.
func (db *DB) RecordDelivery(ctx context.Context, host string, ids []string, now time.Time) (bool, error) {
	now = now.UTC()
	err := db.inTx(ctx, "record webhook delivery", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM hook_deliveries WHERE created_at < $1", now.Add(-tandem.DeliveryWindow)); err != nil {
			return err
		}
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, "INSERT INTO hook_deliveries (host, id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", host, id, now)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n == 0 {
				return errReplay
			}
		}
		return nil
	})
	if errors.Is(err, errReplay) {
		return false, nil
	}
	return err == nil, err
}

// errReplay rolls back the recording of a replayed delivery.
var errReplay = tandem.Errorf(tandem.ECONFLICT, "the delivery is a replay")

// ForgetDelivery deletes a delivery's ids.
func (db *DB) ForgetDelivery(ctx context.Context, host string, ids []string) error {
	return db.inTx(ctx, "forget webhook delivery", func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, "DELETE FROM hook_deliveries WHERE host = $1 AND id = $2", host, id); err != nil {
				return err
			}
		}
		return nil
	})
}
