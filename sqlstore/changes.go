package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tandem-dev/tandem"
)

// A target has at most one open change request, the one
// targets.change_request_id links; the merged and closed ones it had
// before stay in change_requests as its history (migration 00014). Every
// change of a change request's state, and of its target's, goes through
// the lifecycles (move).

// SetChangeRequestState records the state a code host reports for the
// change request at url, in one transaction with what follows from it:
// a comment on the target's ticket and, for the change request the target
// follows, the target's move. Merged or closed unmerged, the target is
// back on its ticket (pr-open → ticketed), with the owners' closing as its
// error: it is done only when a scan of the default branch says so.
// Reopened, it is the target's change request again, unless the target
// follows another open one. Merged is final; reading the state a change
// request already has only records when it was read.
func (db *DB) SetChangeRequestState(ctx context.Context, url, state, head string, at time.Time) (tandem.ChangeRequest, bool, error) {
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
		cr = crs[len(crs)-1] // the last, when a pull request was adopted again
		if _, err := tx.ExecContext(ctx, "UPDATE change_requests SET checked_at = $1 WHERE id = $2", at, cr.ID); err != nil {
			return err
		}
		if cr.State == state || cr.State == tandem.ChangeMerged {
			return nil
		}
		t, found, err := targetOf(ctx, tx, cr)
		if err != nil {
			return err
		}
		follows := found && t.PullRequest != nil && t.PullRequest.ID == cr.ID
		var comment string
		switch state {
		case tandem.ChangeMerged:
			if err := moveChange(ctx, tx, cr, tandem.ChangeMerged, at, "", head); err != nil {
				return err
			}
			comment = tandem.ChangeRequestMergedComment(cr.Codebase, url)
			if follows {
				if err := changeEnded(ctx, tx, t, ""); err != nil {
					return err
				}
			}
		case tandem.ChangeClosed:
			if err := moveChange(ctx, tx, cr, tandem.ChangeClosed, at, "", ""); err != nil {
				return err
			}
			comment = tandem.ChangeRequestClosedComment(cr.Codebase, url)
			if follows {
				if err := changeEnded(ctx, tx, t, "the owners closed "+url+" without merging it"); err != nil {
					return err
				}
			}
		default: // reopened
			if found && t.PullRequest != nil && !follows && t.PullRequest.State == tandem.ChangeOpen {
				// One open change request per target: the target follows
				// another, and this one stays closed in Tandem's records.
				if t.Ticket != nil {
					return addComment(ctx, tx, t.Ticket.ID, tandem.ChangeRequestReopenedUnfollowedComment(url, t.PullRequest.URL, cr.Codebase), at)
				}
				return nil
			}
			if err := moveChange(ctx, tx, cr, tandem.ChangeOpen, at, "", ""); err != nil {
				return err
			}
			comment = tandem.ChangeRequestReopenedComment(url)
			if err := changeReopened(ctx, tx, t, found, follows, cr.ID, at); err != nil {
				return err
			}
		}
		changed = true
		if t.Ticket != nil {
			if err := addComment(ctx, tx, t.Ticket.ID, comment, at); err != nil {
				return err
			}
		}
		cr, err = findChangeRequest(ctx, tx, cr.ID)
		return err
	})
	return cr, changed, err
}

// MergeChangeRequest records that Tandem merged the open change request id
// into its codebase's default branch, making head, in one transaction:
// the change request merged, its target back on its ticket (pr-open →
// ticketed) until a scan of the default branch finds it done, and a
// comment on the ticket that says so. Recording a merge again changes
// nothing.
func (db *DB) MergeChangeRequest(ctx context.Context, id int64, head, branchHead string, at time.Time) (tandem.ChangeRequest, error) {
	var cr tandem.ChangeRequest
	err := db.inTx(ctx, "merge change request", func(tx *sql.Tx) error {
		var err error
		if cr, err = findChangeRequest(ctx, tx, id); err != nil {
			return err
		}
		if cr.State == tandem.ChangeMerged {
			if cr.MergeCommit == "" && head != "" {
				if _, err := tx.ExecContext(ctx, "UPDATE change_requests SET merge_commit = $1 WHERE id = $2", head, id); err != nil {
					return err
				}
				cr.MergeCommit = head
			}
			return nil
		}
		if err := moveChange(ctx, tx, cr, tandem.ChangeMerged, at, head, branchHead); err != nil {
			return err
		}
		t, found, err := targetOf(ctx, tx, cr)
		if err != nil {
			return err
		}
		if found && t.PullRequest != nil && t.PullRequest.ID == cr.ID {
			if err := changeEnded(ctx, tx, t, ""); err != nil {
				return err
			}
		}
		if t.Ticket != nil {
			if err := addComment(ctx, tx, t.Ticket.ID, tandem.ChangeRequestMergedByTandemComment(cr, head), at); err != nil {
				return err
			}
		}
		cr, err = findChangeRequest(ctx, tx, id)
		return err
	})
	return cr, err
}

// SetMergedHead records the head a merged change request had when it
// merged, unless one is recorded already: a webhook's merge is recorded
// first and its head read from the code host after.
func (db *DB) SetMergedHead(ctx context.Context, id int64, head string) (tandem.ChangeRequest, error) {
	var cr tandem.ChangeRequest
	err := db.inTx(ctx, "set merged head", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE change_requests SET merged_head = $1 WHERE id = $2 AND state = $3 AND merged_head = ''",
			head, id, tandem.ChangeMerged); err != nil {
			return err
		}
		var err error
		cr, err = findChangeRequest(ctx, tx, id)
		return err
	})
	return cr, err
}

// moveChange moves a change request to another state through its
// lifecycle; merged, it records when, the head Tandem's merge made (head)
// and the change's own head that merged (mergedHead); closed, when.
func moveChange(ctx context.Context, tx *sql.Tx, cr tandem.ChangeRequest, to string, at time.Time, head, mergedHead string) error {
	what := fmt.Sprintf("change request %s", cr.URL)
	switch to {
	case tandem.ChangeMerged:
		return move(ctx, tx, tandem.ChangeRequestLifecycle, what, cr.State, to,
			"UPDATE change_requests SET state = $1, merged_at = $3, merge_commit = $4, merged_head = $5 WHERE state = $2 AND id = $6",
			at, head, mergedHead, cr.ID)
	case tandem.ChangeClosed:
		return move(ctx, tx, tandem.ChangeRequestLifecycle, what, cr.State, to,
			"UPDATE change_requests SET state = $1, closed_at = $3 WHERE state = $2 AND id = $4", at, cr.ID)
	}
	return move(ctx, tx, tandem.ChangeRequestLifecycle, what, cr.State, to,
		"UPDATE change_requests SET state = $1, closed_at = NULL WHERE state = $2 AND id = $3", cr.ID)
}

// changeEnded moves a target whose change request was merged or closed
// back to its ticket (pr-open → ticketed) with msg as its error ("" clears
// it): what the code says next is the scans'. A target with no ticket
// (its change request was adopted before launch) goes back to pending, to
// be ticketed by the next launch. An exempt target returns there, not to
// the change request, when its exemption ends.
func changeEnded(ctx context.Context, tx *sql.Tx, t tandem.Target, msg string) error {
	back := tandem.TargetTicketed
	if t.Ticket == nil {
		back = tandem.TargetPending
	}
	switch {
	case t.State == tandem.TargetPROpen:
		return move(ctx, tx, tandem.TargetLifecycle, targetWhat(t.Migration, t.Codebase, t.Part), t.State, back,
			"UPDATE targets SET state = $1, error = $3 WHERE state = $2 AND migration = $4 AND codebase = $5 AND part = $6",
			msg, t.Migration, t.Codebase, t.Part)
	case t.State == tandem.TargetExempt:
		_, err := tx.ExecContext(ctx, "UPDATE targets SET exempt_from = $1 WHERE exempt_from = $2 AND migration = $3 AND codebase = $4 AND part = $5",
			back, tandem.TargetPROpen, t.Migration, t.Codebase, t.Part)
		return err
	}
	return nil
}

// changeReopened makes a reopened change request the one its target
// follows again: a ticketed target (or a pending one, before launch)
// moves back to pr-open, an exempt one returns to it when its exemption
// ends, and one still pr-open loses the closing as its error.
func changeReopened(ctx context.Context, tx *sql.Tx, t tandem.Target, found, follows bool, id int64, at time.Time) error {
	switch {
	case !found:
		return nil
	case t.State == tandem.TargetTicketed, t.State == tandem.TargetPending && t.Ticket == nil:
		return linkChange(ctx, tx, t, id, at)
	case follows && t.State == tandem.TargetExempt:
		_, err := tx.ExecContext(ctx, "UPDATE targets SET exempt_from = $1 WHERE exempt_from = $2 AND migration = $3 AND codebase = $4 AND part = $5",
			tandem.TargetPROpen, tandem.TargetTicketed, t.Migration, t.Codebase, t.Part)
		return err
	case follows && t.State == tandem.TargetPROpen:
		_, err := tx.ExecContext(ctx, "UPDATE targets SET error = '' WHERE migration = $1 AND codebase = $2 AND part = $3", t.Migration, t.Codebase, t.Part)
		return err
	}
	return nil
}

// linkChange makes the change request id the one a target follows,
// moving the target to pr-open and clearing its error.
func linkChange(ctx context.Context, tx *sql.Tx, t tandem.Target, id int64, at time.Time) error {
	return move(ctx, tx, tandem.TargetLifecycle, targetWhat(t.Migration, t.Codebase, t.Part), t.State, tandem.TargetPROpen,
		`UPDATE targets SET state = $1, change_request_id = $3, pr_opened_at = $4, error = ''
		WHERE state = $2 AND migration = $5 AND codebase = $6 AND part = $7`, id, at, t.Migration, t.Codebase, t.Part)
}

// targetOf returns the target a change request is for, and false when the
// codebase is no longer one.
func targetOf(ctx context.Context, tx *sql.Tx, cr tandem.ChangeRequest) (tandem.Target, bool, error) {
	t, err := findTarget(ctx, tx, cr.Migration, cr.Codebase, cr.Part)
	if tandem.ErrorCode(err) == tandem.ENOTFOUND {
		return tandem.Target{}, false, nil
	}
	return t, err == nil, err
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

// OpenChangeRequest records the change request proposed for a target (the
// part cr.Part of cr.Codebase),
// comments it on the target's ticket and moves the target to pr-open, in
// one transaction. A target has at most one open change request: one that
// has it keeps it, and it is returned, not created (false). A target whose
// last change request was merged or closed gets the new one linked, the
// old staying in its history; the caller names a new branch for it.
func (db *DB) OpenChangeRequest(ctx context.Context, cr tandem.ChangeRequest) (tandem.ChangeRequest, bool, error) {
	var created bool
	err := db.inTx(ctx, "open change request", func(tx *sql.Tx) error {
		t, err := findTarget(ctx, tx, cr.Migration, cr.Codebase, cr.Part)
		if err != nil {
			return err
		}
		open, err := findChangeRequests(ctx, tx, "migration = $1 AND codebase = $2 AND part = $3 AND state = $4",
			cr.Migration, cr.Codebase, cr.Part, tandem.ChangeOpen)
		if err != nil {
			return err
		}
		if len(open) > 0 {
			cr = open[0]
			return nil
		}
		if err := tandem.TargetLifecycle.Check(targetWhat(cr.Migration, cr.Codebase, cr.Part), t.State, tandem.TargetPROpen); err != nil {
			return err
		}
		if err := tandem.ChangeRequestLifecycle.Check("change request for "+t.Address(), "", tandem.ChangeOpen); err != nil {
			return err
		}
		now := time.Now().UTC()
		cr.State, cr.CreatedAt = tandem.ChangeOpen, now
		if err := tx.QueryRowContext(ctx, `INSERT INTO change_requests (migration, codebase, branch, commit_id, title, body, state, url, created_at,
				part, files, reviewers)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			cr.Migration, cr.Codebase, cr.Branch, cr.Commit, cr.Title, cr.Body, cr.State, cr.URL, now,
			cr.Part, encode(nonNil(cr.Files)), encode(nonNil(cr.Reviewers))).Scan(&cr.ID); err != nil {
			return err
		}
		if cr.URL == "" {
			cr.URL = fmt.Sprintf("/change-requests/%d", cr.ID)
			if _, err := tx.ExecContext(ctx, "UPDATE change_requests SET url = $1 WHERE id = $2", cr.URL, cr.ID); err != nil {
				return err
			}
		}
		if err := linkChange(ctx, tx, t, cr.ID, now); err != nil {
			return err
		}
		created = true
		if t.Ticket == nil {
			return nil
		}
		return addComment(ctx, tx, t.Ticket.ID, tandem.ChangeRequestOpenedComment(cr, t.PullRequest), now)
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
	return queryRows(ctx, tx, func(rows *sql.Rows) (cr tandem.ChangeRequest, err error) {
		var merged, approved, closed, stepAt sql.NullTime
		var files, reviewers string
		err = rows.Scan(&cr.ID, &cr.Migration, &cr.Codebase, &cr.Branch, &cr.Commit, &cr.Title, &cr.Body, &cr.State,
			&cr.URL, &cr.ApprovedBy, &approved, &cr.CreatedAt, &merged, &cr.MergeCommit, &cr.MergedHead, &closed,
			&cr.Part, &files, &reviewers, &cr.ReviewStep, &stepAt)
		if err != nil {
			return cr, err
		}
		cr.MergedAt, cr.ApprovedAt, cr.ClosedAt, cr.ReviewStepAt = timePtr(merged), timePtr(approved), timePtr(closed), timePtr(stepAt)
		if err := decode(files, &cr.Files); err != nil {
			return cr, err
		}
		return cr, decode(reviewers, &cr.Reviewers)
	}, `SELECT id, migration, codebase, branch, commit_id, title, body, state, url,
		approved_by, approved_at, created_at, merged_at, merge_commit, merged_head, closed_at,
		part, files, reviewers, review_step, review_step_at FROM change_requests WHERE `+cond+" ORDER BY id", args...)
}

// ApproveChangeRequest records that the owning team approved the open
// change request of the target at address (a codebase, or codebase:part)
// and comments it on the ticket. It returns EINVALID when the target has
// no open change request. An approval moves no state: merging does
// (MergeChangeRequest).
func (db *DB) ApproveChangeRequest(ctx context.Context, migration, address, by string) (tandem.ChangeRequest, error) {
	var cr tandem.ChangeRequest
	codebase, part := tandem.ParseTargetAddress(address)
	err := db.inTx(ctx, "approve change request", func(tx *sql.Tx) error {
		t, err := findTarget(ctx, tx, migration, codebase, part)
		if err != nil {
			return err
		}
		if t.PullRequest == nil || t.PullRequest.State != tandem.ChangeOpen {
			last := ""
			if t.PullRequest != nil {
				last = fmt.Sprintf(": its last, %s, is %s", t.PullRequest.URL, t.PullRequest.State)
			}
			return tandem.Errorf(tandem.EINVALID, "%s has no open change request to approve%s", address, last)
		}
		now := time.Now().UTC()
		if _, err := tx.ExecContext(ctx, "UPDATE change_requests SET approved_by = $1, approved_at = $2 WHERE id = $3",
			by, now, t.PullRequest.ID); err != nil {
			return err
		}
		if t.Ticket != nil {
			if err := addComment(ctx, tx, t.Ticket.ID, tandem.ChangeRequestApprovedComment(by, codebase), now); err != nil {
				return err
			}
		}
		cr, err = findChangeRequest(ctx, tx, t.PullRequest.ID)
		return err
	})
	return cr, err
}

// FindChangeRequests returns a migration's change requests ("" for all),
// or the one with id when id is not 0 (ENOTFOUND when missing). A
// target's are its history, oldest first: at most one of them open.
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

// AdoptChangeRequest tracks an existing pull request (by URL) as the
// change request of the target at address (a codebase, or codebase:part).
func (db *DB) AdoptChangeRequest(ctx context.Context, migration, address, url string) (tandem.Target, error) {
	codebase, part := tandem.ParseTargetAddress(address)
	err := db.readTx(ctx, "check pull request url", func(tx *sql.Tx) error {
		if _, err := findTarget(ctx, tx, migration, codebase, part); err != nil {
			return err
		}
		return checkPullRequestURL(ctx, tx, codebase, url)
	})
	if err != nil {
		return tandem.Target{}, err
	}
	_, _, err = db.OpenChangeRequest(ctx, tandem.ChangeRequest{Migration: migration, Codebase: codebase, Part: part, Title: "Adopted " + url, URL: url})
	if err != nil {
		return tandem.Target{}, err
	}
	var t tandem.Target
	err = db.readTx(ctx, "find target", func(tx *sql.Tx) error {
		t, err = findTarget(ctx, tx, migration, codebase, part)
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

// SetReviewStep records that the open change request id took review
// routing step at at, when its review_step is still from, in one
// transaction with the step's comment on its target's ticket. The nudge
// step is a nudge of an open ticket: counted, its comment flagged as one
// (migration 00027), as NudgeTicket does. It returns the change request
// and false, changing nothing, when another server took a step first or
// the change request is no longer open.
func (db *DB) SetReviewStep(ctx context.Context, id int64, from, step string, at time.Time) (tandem.ChangeRequest, bool, error) {
	switch step {
	case tandem.ReviewRerequest, tandem.ReviewNudge, tandem.ReviewTour, tandem.ReviewReviewed:
	default:
		return tandem.ChangeRequest{}, false, tandem.Errorf(tandem.EINVALID, "review step %q: want rerequest, nudge, tour or reviewed", step)
	}
	var cr tandem.ChangeRequest
	var taken bool
	err := db.inTx(ctx, "set review step", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE change_requests SET review_step = $1, review_step_at = $2 WHERE id = $3 AND state = $4 AND review_step = $5",
			step, at, id, tandem.ChangeOpen, from)
		if err != nil {
			return err
		}
		if cr, err = findChangeRequest(ctx, tx, id); err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		taken = true
		t, found, err := targetOf(ctx, tx, cr)
		if err != nil || !found || t.Ticket == nil || step == tandem.ReviewReviewed {
			return err
		}
		comment := tandem.ReviewStepComment(cr, step, at)
		if step != tandem.ReviewNudge {
			return addComment(ctx, tx, t.Ticket.ID, comment, at)
		}
		res, err = tx.ExecContext(ctx, "UPDATE tickets SET nudges = nudges + 1, last_nudged_at = $1 WHERE id = $2 AND state = $3",
			at, t.Ticket.ID, tandem.TicketOpen)
		if err != nil {
			return err
		}
		nudged, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if nudged == 0 { // a closed ticket is not nudged
			return addComment(ctx, tx, t.Ticket.ID, comment, at)
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO ticket_comments (ticket_id, body, created_at, nudge) VALUES ($1, $2, $3, TRUE)",
			t.Ticket.ID, comment, at)
		return err
	})
	return cr, taken, err
}
