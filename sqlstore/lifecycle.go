package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

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

// moveAll moves, as move does one row, every row that update selects
// from one state to another, and expects n of them: fewer is ECONFLICT.
// update sets state = $1 and matches state = $2, args fill $3 on, and its
// %s is the IN list of in (at most batchRows values), numbered after args.
// Every write of a state column goes through move or moveAll
// (TestStatesMoveThroughLifecycles).
func moveAll(ctx context.Context, tx *sql.Tx, l tandem.Lifecycle, what, from, to, update string, in []string, n int, args ...any) error {
	if err := l.Check(what, from, to); err != nil {
		return err
	}
	all := append([]any{to, from}, args...)
	res, err := tx.ExecContext(ctx, fmt.Sprintf(update, placeholders(len(all)+1, len(in))), append(all, anySlice(in)...)...)
	if err != nil {
		return err
	}
	if got, err := res.RowsAffected(); err != nil {
		return err
	} else if got != int64(n) {
		return tandem.Errorf(tandem.ECONFLICT, "%s changed while they were being made %s: try again", what, to)
	}
	return nil
}
