package sqlstore

import (
	"context"
	"database/sql"

	"github.com/tandem-dev/tandem"
)

// move changes one row's state from one to another through the domain's
// lifecycle table: a move the table lacks is EINVALID, and a row whose
// state is no longer from (another transaction moved it first) is
// ECONFLICT. update is the UPDATE statement; it sets state = $1 and
// matches state = $2, and args fill $3 on. Every write of a state column
// goes through move (TestStatesMoveThroughLifecycles).
func move(ctx context.Context, tx *sql.Tx, l tandem.Lifecycle, what, from, to, update string, args ...any) error {
	if err := l.Check(what, from, to); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, update, append([]any{to, from}, args...)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return tandem.Errorf(tandem.ECONFLICT, "%s changed while it was being made %s: try again", what, to)
	}
	return nil
}
