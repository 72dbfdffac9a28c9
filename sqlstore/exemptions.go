package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/tandem-dev/tandem"
)

// Exempt excuses an open target until e.Expires, remembering its state so
// that Unexempt or the expiry restores it, and closes its ticket when
// nothing else on it is open. It returns EINVALID for a done target and
// ENOTFOUND for an address (a codebase, or codebase:part) that is not a
// target.
func (db *DB) Exempt(ctx context.Context, migration, address string, e tandem.Exemption) (tandem.Target, error) {
	var t tandem.Target
	codebase, part := tandem.ParseTargetAddress(address)
	err := db.inTx(ctx, "exempt", func(tx *sql.Tx) error {
		cur, err := findTarget(ctx, tx, migration, codebase, part)
		if err != nil {
			return err
		}
		switch cur.State {
		case tandem.TargetDone:
			return tandem.Errorf(tandem.EINVALID, "%s is done already: nothing to exempt", address)
		case tandem.TargetExempt:
			// A new reason or expiry replaces the old.
			if _, err := tx.ExecContext(ctx, "UPDATE targets SET exemption = $1 WHERE migration = $2 AND codebase = $3 AND part = $4",
				encode(e), migration, codebase, part); err != nil {
				return err
			}
		default:
			if err := move(ctx, tx, tandem.TargetLifecycle, targetWhat(migration, codebase, part), cur.State, tandem.TargetExempt,
				`UPDATE targets SET state = $1, exempt_from = $3, exemption = $4, error = ''
				WHERE state = $2 AND migration = $5 AND codebase = $6 AND part = $7`,
				cur.State, encode(e), migration, codebase, part); err != nil {
				return err
			}
		}
		if cur.Ticket != nil {
			if err := addComment(ctx, tx, cur.Ticket.ID, tandem.ExemptComment(address, e), e.At); err != nil {
				return err
			}
			if err := withdrawFinishedTours(ctx, tx, migration, codebase, e.At); err != nil {
				return err
			}
			if err := closeTicketIfDone(ctx, tx, cur.Ticket.ID, e.At); err != nil {
				return err
			}
		}
		t, err = findTarget(ctx, tx, migration, codebase, part)
		return err
	})
	return t, err
}

// Unexempt revokes a target's exemption, returning it to the state it had,
// and reopens its ticket if that was closed. EINVALID when it is not
// exempt.
func (db *DB) Unexempt(ctx context.Context, migration, address, why string) (tandem.Target, error) {
	var t tandem.Target
	codebase, part := tandem.ParseTargetAddress(address)
	err := db.inTx(ctx, "unexempt", func(tx *sql.Tx) error {
		cur, err := findTarget(ctx, tx, migration, codebase, part)
		if err != nil {
			return err
		}
		if cur.State != tandem.TargetExempt {
			return tandem.Errorf(tandem.EINVALID, "%s is not exempt (it is %s)", address, cur.State)
		}
		if err := unexempt(ctx, tx, cur, tandem.ExemptionRevokedComment(cur.Address(), why), time.Now().UTC()); err != nil {
			return err
		}
		t, err = findTarget(ctx, tx, migration, codebase, part)
		return err
	})
	return t, err
}

// unexempt returns an exempt target to the state it had, or, if it was
// not ticketed yet, to pending or unowned as its codebase's owner is now,
// and reopens its ticket with comment, which says why.
func unexempt(ctx context.Context, tx *sql.Tx, cur tandem.Target, comment string, now time.Time) error {
	var to string
	if err := tx.QueryRowContext(ctx, "SELECT exempt_from FROM targets WHERE migration = $1 AND codebase = $2 AND part = $3",
		cur.Migration, cur.Codebase, cur.Part).Scan(&to); err != nil {
		return err
	}
	if to == "" || to == tandem.TargetPending || to == tandem.TargetUnowned {
		var err error
		if to, err = ownedState(ctx, tx, cur.Codebase, cur.Part); err != nil {
			return err
		}
	}
	if err := move(ctx, tx, tandem.TargetLifecycle, targetWhat(cur.Migration, cur.Codebase, cur.Part), cur.State, to,
		`UPDATE targets SET state = $1, exemption = '', exempt_from = '', error = ''
		WHERE state = $2 AND migration = $3 AND codebase = $4 AND part = $5`, cur.Migration, cur.Codebase, cur.Part); err != nil {
		return err
	}
	if cur.Ticket != nil {
		return reopenTicket(ctx, tx, cur.Ticket.ID, comment, now)
	}
	return nil
}

// ExpireExemptions ends every exemption whose expiry has passed at now and
// returns the targets it returned to work.
func (db *DB) ExpireExemptions(ctx context.Context, now time.Time) ([]tandem.Target, error) {
	var expired []tandem.Target
	err := db.inTx(ctx, "expire exemptions", func(tx *sql.Tx) error {
		exempt, err := findTargets(ctx, tx, "t.state = $1", tandem.TargetExempt)
		if err != nil {
			return err
		}
		for _, t := range exempt {
			if t.Exemption == nil || t.Exemption.Expires.After(now) {
				continue
			}
			if err := unexempt(ctx, tx, t, tandem.ExemptionExpiredComment(t.Codebase, t.Exemption.Expires), now); err != nil {
				return err
			}
			expired = append(expired, t)
		}
		return nil
	})
	return expired, err
}
