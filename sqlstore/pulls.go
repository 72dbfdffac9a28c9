package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-dev/tandem"
)

// SetChangeRequestState records the state a code host reports for the
// change request at url, in one transaction with what follows from it:
// a comment on the target's ticket, and on the target the owners'
// closing of it unmerged. The target itself is done only when a scan of
// the default branch says so. Merged is final; reading the state a
// change request already has only records when it was read.
func (db *DB) SetChangeRequestState(ctx context.Context, url, state string, at time.Time) (tandem.ChangeRequest, bool, error) {
	if state != tandem.ChangeOpen && state != tandem.ChangeMerged && state != tandem.ChangeClosed {
		return tandem.ChangeRequest{}, false, tandem.Errorf(tandem.EINVALID, "change request state %q: want open, merged or closed", state)
	}
	var cr tandem.ChangeRequest
	var changed bool
	err := db.inTx(ctx, "set change request state", func(tx *sql.Tx) error {
		crs, err := findChangeRequests(ctx, tx, "url = $1", url)
		if err != nil {
			return err
		}
		if len(crs) == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "no change request of Tandem's is at %s", url)
		}
		cr = crs[0]
		if _, err := tx.ExecContext(ctx, "UPDATE change_requests SET checked_at = $1 WHERE id = $2", at, cr.ID); err != nil {
			return err
		}
		if cr.State == state || cr.State == tandem.ChangeMerged {
			return nil
		}
		changed = true
		var merged any
		if state == tandem.ChangeMerged {
			merged = at
		}
		if _, err := tx.ExecContext(ctx, "UPDATE change_requests SET state = $1, merged_at = $2 WHERE id = $3", state, merged, cr.ID); err != nil {
			return err
		}
		targetError, comment := "", ""
		switch state {
		case tandem.ChangeMerged:
			comment = fmt.Sprintf("The owners of %s merged %s. The target is done once a scan of the default branch shows the change.", cr.Codebase, url)
		case tandem.ChangeClosed:
			targetError = "the owners closed " + url + " without merging it"
			comment = fmt.Sprintf("The owners of %s closed %s without merging it. The ticket stays open for the team to make the change their own way.", cr.Codebase, url)
		default:
			comment = fmt.Sprintf("%s was reopened.", url)
		}
		var ticketID sql.NullInt64
		err = tx.QueryRowContext(ctx, `UPDATE targets SET error = $1 WHERE migration = $2 AND codebase = $3 AND change_request_id = $4
			RETURNING ticket_id`, targetError, cr.Migration, cr.Codebase, cr.ID).Scan(&ticketID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if ticketID.Valid {
			if err := addComment(ctx, tx, ticketID.Int64, comment, at); err != nil {
				return err
			}
		}
		cr, err = findChangeRequest(ctx, tx, cr.ID)
		return err
	})
	return cr, changed, err
}

// ChangeRequestsToCheck returns the open change requests on code hosts
// (not the built-in ones, whose url is a path of Tandem's own) not read
// since before.
func (db *DB) ChangeRequestsToCheck(ctx context.Context, before time.Time) ([]tandem.ChangeRequest, error) {
	var crs []tandem.ChangeRequest
	err := db.inTx(ctx, "change requests to check", func(tx *sql.Tx) error {
		var err error
		crs, err = findChangeRequests(ctx, tx, "state = $1 AND url NOT LIKE '/%' AND (checked_at IS NULL OR checked_at < $2)",
			tandem.ChangeOpen, before)
		return err
	})
	return crs, err
}
