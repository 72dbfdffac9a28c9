package sqlstore

import (
	"context"
	"database/sql"
)

// DataVersion returns the version of the data: it grows with every
// committed write transaction, whichever process made it.
func (db *DB) DataVersion(ctx context.Context) (int64, error) {
	q := "SELECT n FROM data_version"
	if db.dialect == Postgres {
		q = "SELECT last_value FROM data_version"
	}
	var n int64
	if err := db.read.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0, storeErr("data version", err)
	}
	return n, nil
}

// bumpInTx counts a SQLite write in the version inside its transaction,
// so the new version and the data it covers commit together.
func (db *DB) bumpInTx(ctx context.Context, tx *sql.Tx) error {
	if db.dialect != SQLite {
		return nil
	}
	_, err := tx.ExecContext(ctx, "UPDATE data_version SET n = n + 1")
	return err
}

// bumpAfterCommit counts a PostgreSQL write in the version once it has
// committed: a reader that sees the new version sees the write. Taking the
// value inside the transaction would hold no lock but could be seen
// before the commit, and a cache would keep the old data under the new
// version. A failure here leaves the write done and caches stale until
// the next write or their time limit, so it is not the write's error.
func (db *DB) bumpAfterCommit(ctx context.Context) {
	if db.dialect != Postgres {
		return
	}
	_, _ = db.db.ExecContext(context.WithoutCancel(ctx), "SELECT nextval('data_version')")
}
