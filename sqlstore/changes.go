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

// OpenChangeRequest records the change request proposed for a target,
// comments it on the target's ticket and marks the target pr-open, in one
// transaction. A target that has one already keeps it: the existing one
// is returned, not created (false).
func (db *DB) OpenChangeRequest(ctx context.Context, cr tandem.ChangeRequest) (tandem.ChangeRequest, bool, error) {
	var created bool
	err := db.inTx(ctx, "open change request", func(tx *sql.Tx) error {
		t, err := findTarget(ctx, tx, cr.Migration, cr.Codebase)
		if err != nil {
			return err
		}
		if t.PullRequest != nil {
			cr, err = findChangeRequest(ctx, tx, t.PullRequest.ID)
			return err
		}
		now := time.Now().UTC()
		cr.State, cr.CreatedAt = tandem.ChangeOpen, now
		if err := tx.QueryRowContext(ctx, `INSERT INTO change_requests (migration, codebase, branch, commit_id, title, body, state, url, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			cr.Migration, cr.Codebase, cr.Branch, cr.Commit, cr.Title, cr.Body, cr.State, cr.URL, now).Scan(&cr.ID); err != nil {
			return err
		}
		if cr.URL == "" {
			cr.URL = fmt.Sprintf("/change-requests/%d", cr.ID)
			if _, err := tx.ExecContext(ctx, "UPDATE change_requests SET url = $1 WHERE id = $2", cr.URL, cr.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE targets SET state = $1, change_request_id = $2, pr_opened_at = $3, error = ''
			WHERE migration = $4 AND codebase = $5`, tandem.TargetPROpen, cr.ID, now, cr.Migration, cr.Codebase); err != nil {
			return err
		}
		created = true
		if t.Ticket != nil {
			return addComment(ctx, tx, t.Ticket.ID, fmt.Sprintf("The platform team proposed the change to %s: %s (branch %s).",
				cr.Codebase, cr.URL, cr.Branch), now)
		}
		return nil
	})
	return cr, created, err
}

func findChangeRequest(ctx context.Context, tx *sql.Tx, id int64) (tandem.ChangeRequest, error) {
	crs, err := findChangeRequests(ctx, tx, "id = $1", id)
	if err != nil {
		return tandem.ChangeRequest{}, err
	}
	if len(crs) == 0 {
		return tandem.ChangeRequest{}, tandem.Errorf(tandem.ENOTFOUND, "change request %d not found", id)
	}
	return crs[0], nil
}

func findChangeRequests(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]tandem.ChangeRequest, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, migration, codebase, branch, commit_id, title, body, state, url,
		approved_by, approved_at, created_at, merged_at FROM change_requests WHERE `+cond+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	crs := []tandem.ChangeRequest{}
	for rows.Next() {
		var cr tandem.ChangeRequest
		var merged, approved sql.NullTime
		if err := rows.Scan(&cr.ID, &cr.Migration, &cr.Codebase, &cr.Branch, &cr.Commit, &cr.Title, &cr.Body, &cr.State,
			&cr.URL, &cr.ApprovedBy, &approved, &cr.CreatedAt, &merged); err != nil {
			return nil, err
		}
		cr.MergedAt, cr.ApprovedAt = timePtr(merged), timePtr(approved)
		crs = append(crs, cr)
	}
	return crs, rows.Err()
}

// ApproveChangeRequest records that the owning team approved a target's
// open change request and comments it on the ticket. It returns EINVALID
// when the target has no open change request.
func (db *DB) ApproveChangeRequest(ctx context.Context, migration, codebase, by string) (tandem.ChangeRequest, error) {
	var cr tandem.ChangeRequest
	err := db.inTx(ctx, "approve change request", func(tx *sql.Tx) error {
		t, err := findTarget(ctx, tx, migration, codebase)
		if err != nil {
			return err
		}
		if t.PullRequest == nil || t.PullRequest.State != tandem.ChangeOpen {
			return tandem.Errorf(tandem.EINVALID, "%s has no open change request to approve", codebase)
		}
		now := time.Now().UTC()
		if _, err := tx.ExecContext(ctx, "UPDATE change_requests SET approved_by = $1, approved_at = $2 WHERE id = $3",
			by, now, t.PullRequest.ID); err != nil {
			return err
		}
		if t.Ticket != nil {
			if err := addComment(ctx, tx, t.Ticket.ID, fmt.Sprintf("%s approved the change to %s.", by, codebase), now); err != nil {
				return err
			}
		}
		cr, err = findChangeRequest(ctx, tx, t.PullRequest.ID)
		return err
	})
	return cr, err
}

// FindChangeRequests returns a migration's change requests ("" for all),
// or the one with id when id is not 0 (ENOTFOUND when missing).
func (db *DB) FindChangeRequests(ctx context.Context, migration string, id int64) ([]tandem.ChangeRequest, error) {
	var crs []tandem.ChangeRequest
	err := db.readTx(ctx, "find change requests", func(tx *sql.Tx) error {
		var err error
		switch {
		case id != 0:
			var cr tandem.ChangeRequest
			cr, err = findChangeRequest(ctx, tx, id)
			crs = []tandem.ChangeRequest{cr}
		case migration != "":
			crs, err = findChangeRequests(ctx, tx, "migration = $1", migration)
		default:
			crs, err = findChangeRequests(ctx, tx, "1 = 1")
		}
		return err
	})
	return crs, err
}

// AdoptChangeRequest tracks an existing pull request (by URL) as a
// target's change request.
func (db *DB) AdoptChangeRequest(ctx context.Context, migration, codebase, url string) (tandem.Target, error) {
	err := db.readTx(ctx, "check pull request url", func(tx *sql.Tx) error {
		if _, err := findTarget(ctx, tx, migration, codebase); err != nil {
			return err
		}
		return checkPullRequestURL(ctx, tx, codebase, url)
	})
	if err != nil {
		return tandem.Target{}, err
	}
	_, _, err = db.OpenChangeRequest(ctx, tandem.ChangeRequest{Migration: migration, Codebase: codebase, Title: "Adopted " + url, URL: url})
	if err != nil {
		return tandem.Target{}, err
	}
	var t tandem.Target
	err = db.readTx(ctx, "find target", func(tx *sql.Tx) error {
		t, err = findTarget(ctx, tx, migration, codebase)
		return err
	})
	return t, err
}

// codebaseHost returns the web host of the code host codebase lives on,
// where its pull requests are: "" for a local host.
func codebaseHost(ctx context.Context, tx *sql.Tx, codebase string) (string, error) {
	cbs, err := findCodebases(ctx, tx, tandem.CodebaseFilter{Name: codebase})
	if err != nil || len(cbs) == 0 {
		return "", err
	}
	hs, err := findCodeHosts(ctx, tx, cbs[0].Host)
	if err != nil || len(hs) == 0 {
		return "", err
	}
	return hs[0].WebHost(), nil
}
