package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// targetColumns are the columns findTargets reads, joined with the owner of
// the codebase, the ticket and the change request.
const targetColumns = `t.migration, t.codebase, c.owner, t.team, t.state, t.evidence, t.commit_id, t.found_at,
	t.ticketed_at, t.pr_opened_at, t.done_at, t.exemption, t.error,
	k.id, k.url, k.state, r.id, r.url, r.state, r.branch`

const targetJoins = ` FROM targets t
	LEFT JOIN codebases c ON c.name = t.codebase
	LEFT JOIN tickets k ON k.id = t.ticket_id
	LEFT JOIN change_requests r ON r.id = t.change_request_id`

// FindTargets returns a migration's targets sorted by codebase, with each
// codebase's current owner, ticket and change request. It returns
// ENOTFOUND for an unknown migration.
func (db *DB) FindTargets(ctx context.Context, migration string) ([]tandem.Target, error) {
	var targets []tandem.Target
	err := db.readTx(ctx, "find targets", func(tx *sql.Tx) error {
		if ok, err := exists(ctx, tx, "migrations", migration); err != nil {
			return err
		} else if !ok {
			return notFound(tandem.ENOTFOUND, "migration", migration)
		}
		var err error
		targets, err = findTargets(ctx, tx, "t.migration = $1", migration)
		return err
	})
	return targets, err
}

func findTargets(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]tandem.Target, error) {
	return findTargetsOrdered(ctx, tx, cond+" ORDER BY t.codebase", args...)
}

// findTargetsOrdered returns the targets of a WHERE clause that carries its
// own ORDER BY (and LIMIT).
func findTargetsOrdered(ctx context.Context, tx *sql.Tx, clause string, args ...any) ([]tandem.Target, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+targetColumns+targetJoins+" WHERE "+clause, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	targets := []tandem.Target{}
	for rows.Next() {
		var t tandem.Target
		var owner, ticketURL, ticketState, crURL, crState, crBranch sql.NullString
		var ticketID, crID sql.NullInt64
		var ticketed, prOpened, done sql.NullTime
		var evidence, exemption string
		if err := rows.Scan(&t.Migration, &t.Codebase, &owner, &t.Team, &t.State, &evidence, &t.Commit, &t.FoundAt,
			&ticketed, &prOpened, &done, &exemption, &t.Error,
			&ticketID, &ticketURL, &ticketState, &crID, &crURL, &crState, &crBranch); err != nil {
			return nil, err
		}
		if owner.Valid {
			t.Owner = &owner.String
		}
		t.TicketedAt, t.PROpenedAt, t.DoneAt = timePtr(ticketed), timePtr(prOpened), timePtr(done)
		if ticketID.Valid {
			t.Ticket = &tandem.TicketRef{ID: ticketID.Int64, URL: ticketURL.String, State: ticketState.String}
		}
		if crID.Valid {
			t.PullRequest = &tandem.ChangeRequestRef{ID: crID.Int64, URL: crURL.String, State: crState.String, Branch: crBranch.String}
		}
		if exemption != "" {
			t.Exemption = &tandem.Exemption{}
			if err := decode(exemption, t.Exemption); err != nil {
				return nil, err
			}
		}
		if err := decode(evidence, &t.Evidence); err != nil {
			return nil, err
		}
		t.Evidence = nonNil(t.Evidence)
		targets = append(targets, t)
	}
	return targets, rows.Err()
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// findTarget returns one target, or ENOTFOUND.
func findTarget(ctx context.Context, tx *sql.Tx, migration, codebase string) (tandem.Target, error) {
	ts, err := findTargets(ctx, tx, "t.migration = $1 AND t.codebase = $2", migration, codebase)
	if err != nil {
		return tandem.Target{}, err
	}
	if len(ts) == 0 {
		return tandem.Target{}, tandem.Errorf(tandem.ENOTFOUND, "codebase %q is not a target of migration %q", codebase, migration)
	}
	return ts[0], nil
}

// moveTarget records a migration's target on a codebase in its next state
// after a scan, closing its ticket when the last of the ticket's targets is
// done and reopening it when a done target regresses.
func moveTarget(ctx context.Context, tx *sql.Tx, migration, codebase string, target tandem.CheckResult, doneHolds bool, now time.Time) error {
	var current string
	var ticketID, crID sql.NullInt64
	err := tx.QueryRowContext(ctx, "SELECT state, ticket_id, change_request_id FROM targets WHERE migration = $1 AND codebase = $2",
		migration, codebase).Scan(&current, &ticketID, &crID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	next := tandem.NextTargetState(current, ticketID.Valid, target.Holds, doneHolds)
	switch {
	case next == "":
		return nil
	case current == "":
		_, err = tx.ExecContext(ctx, `INSERT INTO targets (migration, codebase, state, evidence, commit_id, found_at, team)
			VALUES ($1, $2, $3, $4, $5, $6, COALESCE((SELECT owner FROM codebases WHERE name = $7), ''))`,
			migration, codebase, next, encode(nonNil(target.Evidence)), target.Commit, now, codebase)
		return err
	case next == tandem.TargetDone && current == tandem.TargetDone:
		return nil
	case next == tandem.TargetDone:
		if _, err := tx.ExecContext(ctx, `UPDATE targets SET state = $1, commit_id = $2, done_at = $3, error = ''
			WHERE migration = $4 AND codebase = $5`, next, target.Commit, now, migration, codebase); err != nil {
			return err
		}
		if crID.Valid {
			// The fix, or an equivalent, reached the default branch.
			if _, err := tx.ExecContext(ctx, `UPDATE change_requests SET state = $1, merged_at = $2 WHERE id = $3 AND state = $4`,
				tandem.ChangeMerged, now, crID.Int64, tandem.ChangeOpen); err != nil {
				return err
			}
		}
		if ticketID.Valid {
			return closeTicketIfDone(ctx, tx, ticketID.Int64, now)
		}
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE targets SET state = $1, evidence = $2, commit_id = $3
		WHERE migration = $4 AND codebase = $5`, next, encode(nonNil(target.Evidence)), target.Commit, migration, codebase); err != nil {
		return err
	}
	if current != tandem.TargetDone {
		return nil
	}
	// A regression: the change is needed again.
	if _, err := tx.ExecContext(ctx, "UPDATE targets SET done_at = NULL WHERE migration = $1 AND codebase = $2", migration, codebase); err != nil {
		return err
	}
	if ticketID.Valid {
		return reopenTicket(ctx, tx, ticketID.Int64, fmt.Sprintf("%s needs the change again: commit %s brought it back (%s).",
			codebase, short(target.Commit), evidenceLine(target.Evidence)), now)
	}
	return nil
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

func evidenceLine(ms []tandem.Match) string {
	if len(ms) == 0 {
		return "no evidence"
	}
	return ms[0].String()
}

// closeTicketIfDone closes an open ticket whose targets are all done or
// exempt, with a comment saying so.
func closeTicketIfDone(ctx context.Context, tx *sql.Tx, ticketID int64, now time.Time) error {
	open, err := anyRow(ctx, tx, "SELECT 1 FROM targets WHERE ticket_id = $1 AND state NOT IN ($2, $3)",
		ticketID, tandem.TargetDone, tandem.TargetExempt)
	if err != nil || open {
		return err
	}
	res, err := tx.ExecContext(ctx, "UPDATE tickets SET state = $1, closed_at = $2 WHERE id = $3 AND state = $4",
		tandem.TicketClosed, now, ticketID, tandem.TicketOpen)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return addComment(ctx, tx, ticketID, "Every codebase on this ticket no longer needs the change: closing. Thank you!", now)
}

// reopenTicket reopens a closed ticket, and comments why either way.
func reopenTicket(ctx context.Context, tx *sql.Tx, ticketID int64, why string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, "UPDATE tickets SET state = $1, closed_at = NULL WHERE id = $2",
		tandem.TicketOpen, ticketID); err != nil {
		return err
	}
	return addComment(ctx, tx, ticketID, why, now)
}

func addComment(ctx context.Context, tx *sql.Tx, ticketID int64, body string, now time.Time) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO ticket_comments (ticket_id, body, created_at) VALUES ($1, $2, $3)", ticketID, body, now)
	return err
}

// FileTicket puts targets on their team's ticket in one transaction: it
// creates the ticket in the built-in tracker when the migration has none
// for (team, codebase), or comments the codebases new to it; and marks
// them ticketed to the team. Targets not pending or unowned are left
// alone, so filing twice changes nothing. It reports whether it created
// the ticket; ENOTFOUND for an unknown migration.
func (db *DB) FileTicket(ctx context.Context, f tandem.TicketFiling) (tandem.Ticket, bool, error) {
	var ticket tandem.Ticket
	var created bool
	err := db.inTx(ctx, "file ticket", func(tx *sql.Tx) error {
		if ok, err := exists(ctx, tx, "migrations", f.Migration); err != nil {
			return err
		} else if !ok {
			return notFound(tandem.ENOTFOUND, "migration", f.Migration)
		}
		now := time.Now().UTC()
		var fresh []string
		for _, c := range f.Codebases {
			var state string
			err := tx.QueryRowContext(ctx, "SELECT state FROM targets WHERE migration = $1 AND codebase = $2", f.Migration, c).Scan(&state)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			} else if err != nil {
				return err
			}
			if state == tandem.TargetPending || state == tandem.TargetUnowned {
				fresh = append(fresh, c)
			}
		}
		id, found, err := ticketID(ctx, tx, f.Migration, f.Team, f.Codebase)
		if err != nil {
			return err
		}
		switch {
		case !found && len(fresh) == 0:
			return nil
		case !found:
			var where tandem.Tracker
			var trackerJSON string
			if err := tx.QueryRowContext(ctx, "SELECT tracker FROM teams WHERE name = $1", f.Team).Scan(&trackerJSON); err != nil {
				return fmt.Errorf("team %s: %w", f.Team, err)
			}
			if err := decode(trackerJSON, &where); err != nil {
				return err
			}
			if where.Type == "" {
				where.Type = tandem.TrackerBuiltin
			}
			err = tx.QueryRowContext(ctx, `INSERT INTO tickets (tracker, tracker_ref, migration, team, codebase, title, body, state, marker, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
				where.Type, encode(where), f.Migration, f.Team, f.Codebase, f.Title, f.Body, tandem.TicketOpen,
				tandem.TicketMarker(f.Migration, f.Team, f.Codebase), now).Scan(&id)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE tickets SET url = $1 WHERE id = $2", fmt.Sprintf("/tickets/%d", id), id); err != nil {
				return err
			}
			created = true
		case len(fresh) > 0:
			if err := reopenTicket(ctx, tx, id, f.Comment(fresh), now); err != nil {
				return err
			}
		}
		for _, c := range fresh {
			if _, err := tx.ExecContext(ctx, `UPDATE targets SET state = $1, team = $2, ticket_id = $3, ticketed_at = $4, error = ''
				WHERE migration = $5 AND codebase = $6`, tandem.TargetTicketed, f.Team, id, now, f.Migration, c); err != nil {
				return err
			}
		}
		tickets, err := findTickets(ctx, tx, tandem.TicketFilter{ID: id})
		if err != nil {
			return err
		}
		ticket = tickets[0]
		return nil
	})
	return ticket, created, err
}

// ticketID returns the migration's ticket for (team, codebase).
func ticketID(ctx context.Context, tx *sql.Tx, migration, team, codebase string) (int64, bool, error) {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM tickets WHERE migration = $1 AND team = $2 AND codebase = $3 AND topic = ''",
		migration, team, codebase).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// MarkUnowned marks pending targets on codebases without an owner as
// unowned, so that the platform team sees them instead of a ticket.
func (db *DB) MarkUnowned(ctx context.Context, migration string, codebases []string) error {
	return db.inTx(ctx, "mark unowned", func(tx *sql.Tx) error {
		for _, c := range codebases {
			if _, err := tx.ExecContext(ctx, "UPDATE targets SET state = $1 WHERE migration = $2 AND codebase = $3 AND state = $4",
				tandem.TargetUnowned, migration, c, tandem.TargetPending); err != nil {
				return err
			}
		}
		return nil
	})
}

// FindTickets returns the tickets f selects, with their comments, sorted
// by id.
func (db *DB) FindTickets(ctx context.Context, f tandem.TicketFilter) ([]tandem.Ticket, error) {
	var tickets []tandem.Ticket
	err := db.readTx(ctx, "find tickets", func(tx *sql.Tx) error {
		var err error
		tickets, err = findTickets(ctx, tx, f)
		return err
	})
	if err == nil && f.ID != 0 && len(tickets) == 0 {
		return nil, tandem.Errorf(tandem.ENOTFOUND, "ticket %d not found", f.ID)
	}
	return tickets, err
}

func findTickets(ctx context.Context, tx *sql.Tx, f tandem.TicketFilter) ([]tandem.Ticket, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.ID != 0 {
		add("id = $%d", f.ID)
	}
	if f.Migration != "" {
		add("migration = $%d", f.Migration)
	}
	if f.Team != "" {
		add("team = $%d", f.Team)
	}
	if f.State != "" {
		add("state = $%d", f.State)
	}
	if f.Topic != "" {
		add("topic = $%d", f.Topic)
	}
	query := `SELECT id, tracker, migration, team, codebase, topic, title, body, state, url, marker, nudges, created_at, closed_at,
		tracker_ref, remote_id, remote_state, sync_error FROM tickets`
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := tx.QueryContext(ctx, query+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tickets := []tandem.Ticket{}
	for rows.Next() {
		var t tandem.Ticket
		var closed sql.NullTime
		var where string
		if err := rows.Scan(&t.ID, &t.Tracker, &t.Migration, &t.Team, &t.Codebase, &t.Topic, &t.Title, &t.Body, &t.State,
			&t.URL, &t.Marker, &t.Nudges, &t.CreatedAt, &closed, &where, &t.RemoteID, &t.RemoteState, &t.SyncError); err != nil {
			return nil, err
		}
		if where != "" {
			if err := decode(where, &t.Where); err != nil {
				return nil, err
			}
		}
		if t.Where.Type == "" {
			t.Where.Type = t.Tracker
		}
		t.ClosedAt = timePtr(closed)
		t.Comments = []tandem.Comment{}
		tickets = append(tickets, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range tickets {
		crows, err := tx.QueryContext(ctx, "SELECT id, body, created_at, synced_at FROM ticket_comments WHERE ticket_id = $1 ORDER BY id", tickets[i].ID)
		if err != nil {
			return nil, err
		}
		for crows.Next() {
			var c tandem.Comment
			var synced sql.NullTime
			if err := crows.Scan(&c.ID, &c.Body, &c.At, &synced); err != nil {
				crows.Close()
				return nil, err
			}
			c.SyncedAt = timePtr(synced)
			tickets[i].Comments = append(tickets[i].Comments, c)
		}
		crows.Close()
		if err := crows.Err(); err != nil {
			return nil, err
		}
	}
	return tickets, nil
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

// ProposeTour records a Tour of Duty proposal for a target whose codebase
// is closed to the platform team, comments it on the ticket and marks the
// target tour-proposed, in one transaction. A target with a proposal keeps
// it (false).
func (db *DB) ProposeTour(ctx context.Context, e tandem.Engagement) (tandem.Engagement, bool, error) {
	var created bool
	err := db.inTx(ctx, "propose tour", func(tx *sql.Tx) error {
		t, err := findTarget(ctx, tx, e.Migration, e.Codebase)
		if err != nil {
			return err
		}
		var id int64
		err = tx.QueryRowContext(ctx, "SELECT id FROM engagements WHERE migration = $1 AND codebase = $2", e.Migration, e.Codebase).Scan(&id)
		if err == nil {
			e.ID = id
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := time.Now().UTC()
		e.CreatedAt = now
		if err := tx.QueryRowContext(ctx, `INSERT INTO engagements (type, state, home_team, host_team, purpose, migration, codebase, starts_on, ends_on, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			e.Type, e.State, e.HomeTeam, e.HostTeam, e.Purpose, e.Migration, e.Codebase, e.Starts, e.Ends, now).Scan(&e.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE targets SET state = $1, error = '' WHERE migration = $2 AND codebase = $3",
			tandem.TargetTourProposed, e.Migration, e.Codebase); err != nil {
			return err
		}
		created = true
		if t.Ticket != nil {
			return addComment(ctx, tx, t.Ticket.ID, fmt.Sprintf("%s does not take outside changes, so the platform team proposes a Tour of Duty: "+
				"an engineer of %s joins %s from %s to %s to make the change with you.", e.Codebase, e.HomeTeam, e.HostTeam, e.Starts, e.Ends), now)
		}
		return nil
	})
	return e, created, err
}

// SetTargetError records what went wrong acting on a target; ENOTFOUND
// for a codebase that is not a target.
func (db *DB) SetTargetError(ctx context.Context, migration, codebase, msg string) error {
	return db.inTx(ctx, "set target error", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE targets SET error = $1 WHERE migration = $2 AND codebase = $3", msg, migration, codebase)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "codebase %q is not a target of migration %q", codebase, migration)
		}
		return nil
	})
}

// Exempt excuses an open target until e.Expires, remembering its state so
// that Unexempt or the expiry restores it, and closes its ticket when
// nothing else on it is open. It returns EINVALID for a done target and
// ENOTFOUND for a codebase that is not a target.
func (db *DB) Exempt(ctx context.Context, migration, codebase string, e tandem.Exemption) (tandem.Target, error) {
	var t tandem.Target
	err := db.inTx(ctx, "exempt", func(tx *sql.Tx) error {
		cur, err := findTarget(ctx, tx, migration, codebase)
		if err != nil {
			return err
		}
		switch cur.State {
		case tandem.TargetDone:
			return tandem.Errorf(tandem.EINVALID, "%s is done already: nothing to exempt", codebase)
		case tandem.TargetExempt:
			// A new reason or expiry replaces the old.
		default:
			if _, err := tx.ExecContext(ctx, "UPDATE targets SET exempt_from = $1 WHERE migration = $2 AND codebase = $3",
				cur.State, migration, codebase); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE targets SET state = $1, exemption = $2 WHERE migration = $3 AND codebase = $4",
			tandem.TargetExempt, encode(e), migration, codebase); err != nil {
			return err
		}
		if cur.Ticket != nil {
			if err := addComment(ctx, tx, cur.Ticket.ID, fmt.Sprintf("%s is exempt until %s (by %s): %s",
				codebase, e.Expires.Format(time.DateOnly), e.By, e.Reason), e.At); err != nil {
				return err
			}
			if err := closeTicketIfDone(ctx, tx, cur.Ticket.ID, e.At); err != nil {
				return err
			}
		}
		t, err = findTarget(ctx, tx, migration, codebase)
		return err
	})
	return t, err
}

// Unexempt revokes a target's exemption, returning it to the state it had,
// and reopens its ticket if that was closed. EINVALID when it is not
// exempt.
func (db *DB) Unexempt(ctx context.Context, migration, codebase, why string) (tandem.Target, error) {
	var t tandem.Target
	err := db.inTx(ctx, "unexempt", func(tx *sql.Tx) error {
		cur, err := findTarget(ctx, tx, migration, codebase)
		if err != nil {
			return err
		}
		if cur.State != tandem.TargetExempt {
			return tandem.Errorf(tandem.EINVALID, "%s is not exempt (it is %s)", codebase, cur.State)
		}
		if err := unexempt(ctx, tx, cur, why, time.Now().UTC()); err != nil {
			return err
		}
		t, err = findTarget(ctx, tx, migration, codebase)
		return err
	})
	return t, err
}

func unexempt(ctx context.Context, tx *sql.Tx, cur tandem.Target, why string, now time.Time) error {
	var from string
	if err := tx.QueryRowContext(ctx, "SELECT exempt_from FROM targets WHERE migration = $1 AND codebase = $2",
		cur.Migration, cur.Codebase).Scan(&from); err != nil {
		return err
	}
	if from == "" {
		from = tandem.TargetPending
	}
	if _, err := tx.ExecContext(ctx, "UPDATE targets SET state = $1, exemption = '', exempt_from = '' WHERE migration = $2 AND codebase = $3",
		from, cur.Migration, cur.Codebase); err != nil {
		return err
	}
	if cur.Ticket != nil {
		return reopenTicket(ctx, tx, cur.Ticket.ID, fmt.Sprintf("%s is no longer exempt: %s", cur.Codebase, why), now)
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
			if err := unexempt(ctx, tx, t, "its exemption expired on "+t.Exemption.Expires.Format(time.DateOnly)+".", now); err != nil {
				return err
			}
			expired = append(expired, t)
		}
		return nil
	})
	return expired, err
}

// NudgeTicket comments a reminder on an open ticket and counts it. It
// returns false, changing nothing, when the ticket was nudged at or after
// since (another process got there first) or is closed.
func (db *DB) NudgeTicket(ctx context.Context, ticketID int64, body string, since, now time.Time) (bool, error) {
	var nudged bool
	err := db.inTx(ctx, "nudge ticket", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET nudges = nudges + 1, last_nudged_at = $1
			WHERE id = $2 AND state = $3 AND (last_nudged_at IS NULL OR last_nudged_at < $4)`,
			now, ticketID, tandem.TicketOpen, since)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		nudged = true
		return addComment(ctx, tx, ticketID, body, now)
	})
	return nudged, err
}

// LastNudges returns when each ticket of a migration was last nudged.
func (db *DB) LastNudges(ctx context.Context, migration string) (map[int64]time.Time, error) {
	last := map[int64]time.Time{}
	err := db.inTx(ctx, "last nudges", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id, last_nudged_at FROM tickets WHERE migration = $1 AND last_nudged_at IS NOT NULL", migration)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				return err
			}
			last[id] = at
		}
		return rows.Err()
	})
	return last, err
}

// AdoptTicket tracks an existing ticket (by URL) as the team's ticket for a
// target instead of filing a new one; AdoptChangeRequest does the same for
// a pull request. Adopting what is already tracked changes nothing. The
// URL must be an http(s) URL on the team's tracker (a ticket) or on the
// codebase's code host (a pull request) where those have a host of their
// own (tandem.ValidateURL); it is EINVALID otherwise.
func (db *DB) AdoptTicket(ctx context.Context, migration, codebase, url string) (tandem.Target, error) {
	var t tandem.Target
	err := db.inTx(ctx, "adopt ticket", func(tx *sql.Tx) error {
		cur, err := findTarget(ctx, tx, migration, codebase)
		if err != nil {
			return err
		}
		team := cur.Team
		if team == "" && cur.Owner != nil {
			team = *cur.Owner
		}
		if team == "" {
			return tandem.Errorf(tandem.EINVALID, "%s has no owner to hold a ticket", codebase)
		}
		host, err := ticketHost(ctx, tx, team)
		if err != nil {
			return err
		}
		if err := tandem.ValidateURL("ticket", url, host); err != nil {
			return err
		}
		now := time.Now().UTC()
		id, found, err := ticketID(ctx, tx, migration, team, "")
		if err != nil {
			return err
		}
		if !found {
			if err := tx.QueryRowContext(ctx, `INSERT INTO tickets (tracker, migration, team, codebase, title, body, state, url, marker, created_at)
				VALUES ('external', $1, $2, '', $3, '', $4, $5, $6, $7) RETURNING id`,
				migration, team, "Adopted ticket "+url, tandem.TicketOpen, url, tandem.TicketMarker(migration, team, ""), now).Scan(&id); err != nil {
				return err
			}
		}
		if cur.Ticket == nil {
			state := cur.State
			if state == tandem.TargetPending || state == tandem.TargetUnowned {
				state = tandem.TargetTicketed
			}
			if _, err := tx.ExecContext(ctx, `UPDATE targets SET state = $1, team = $2, ticket_id = $3, ticketed_at = $4
				WHERE migration = $5 AND codebase = $6`, state, team, id, now, migration, codebase); err != nil {
				return err
			}
		}
		t, err = findTarget(ctx, tx, migration, codebase)
		return err
	})
	return t, err
}

// AdoptChangeRequest tracks an existing pull request (by URL) as a
// target's change request.
func (db *DB) AdoptChangeRequest(ctx context.Context, migration, codebase, url string) (tandem.Target, error) {
	err := db.readTx(ctx, "check pull request url", func(tx *sql.Tx) error {
		if _, err := findTarget(ctx, tx, migration, codebase); err != nil {
			return err
		}
		host, err := codebaseHost(ctx, tx, codebase)
		if err != nil {
			return err
		}
		return tandem.ValidateURL("pr", url, host)
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

// ticketHost returns the web host where team's tickets live, "" when its
// tracker puts no constraint on a ticket's URL (tandem.TicketHost).
func ticketHost(ctx context.Context, tx *sql.Tx, team string) (string, error) {
	teams, err := findTeams(ctx, tx, team)
	if err != nil || len(teams) == 0 {
		return "", err
	}
	tr := teams[0].Tracker
	var ch tandem.CodeHost
	if tr.Host != "" {
		if hs, err := findCodeHosts(ctx, tx, tr.Host); err != nil {
			return "", err
		} else if len(hs) > 0 {
			ch = hs[0]
		}
	}
	return tandem.TicketHost(tr, ch), nil
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

// CreatedSince returns when a migration created its tickets and change
// requests since since, for rollout limits.
func (db *DB) CreatedSince(ctx context.Context, migration string, since time.Time) ([]time.Time, error) {
	var times []time.Time
	err := db.inTx(ctx, "created since", func(tx *sql.Tx) error {
		for _, q := range []string{
			"SELECT created_at FROM tickets WHERE migration = $1 AND tracker = 'builtin' AND created_at >= $2",
			"SELECT created_at FROM change_requests WHERE migration = $1 AND branch <> '' AND created_at >= $2",
		} {
			rows, err := tx.QueryContext(ctx, q, migration, since)
			if err != nil {
				return err
			}
			for rows.Next() {
				var at time.Time
				if err := rows.Scan(&at); err != nil {
					rows.Close()
					return err
				}
				times = append(times, at)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	return times, err
}

// syncTargetTeams gives a codebase's targets not yet ticketed its current
// owner as their team, so that pages group targets by team without a join.
func syncTargetTeams(ctx context.Context, tx *sql.Tx, codebase string) error {
	_, err := tx.ExecContext(ctx, `UPDATE targets SET team = COALESCE((SELECT owner FROM codebases WHERE name = $1), '')
		WHERE codebase = $2 AND ticket_id IS NULL`, codebase, codebase)
	return err
}

// FindTargetPage returns one page of the targets q selects, sorted by
// codebase, and how many it selects in all.
func (db *DB) FindTargetPage(ctx context.Context, q tandem.TargetQuery) ([]tandem.Target, int, error) {
	var targets []tandem.Target
	total := 0
	err := db.readTx(ctx, "find target page", func(tx *sql.Tx) error {
		conds := []string{"t.migration = $1"}
		args := []any{q.Migration}
		if q.State != "" {
			args = append(args, q.State)
			conds = append(conds, fmt.Sprintf("t.state = $%d", len(args)))
		}
		if q.Team != "" {
			args = append(args, q.Team)
			conds = append(conds, fmt.Sprintf("t.team = $%d", len(args)))
		}
		where := strings.Join(conds, " AND ")
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM targets t WHERE "+where, args...).Scan(&total); err != nil {
			return err
		}
		page := where + " ORDER BY t.codebase"
		if q.Limit > 0 {
			args = append(args, q.Limit, q.Offset)
			page += fmt.Sprintf(" LIMIT $%d OFFSET $%d", len(args)-1, len(args))
		}
		var err error
		targets, err = findTargetsOrdered(ctx, tx, page, args...)
		return err
	})
	return targets, total, err
}

// TargetStats summarises a migration's targets by team and state and by
// the days they were found and done, from the counts that triggers keep
// (migration 00005), so that it costs the same for 100 or 100,000 targets.
func (db *DB) TargetStats(ctx context.Context, migration string) (tandem.TargetStats, error) {
	st := tandem.TargetStats{ByTeam: map[string]map[string]int{}, Days: []tandem.DayCount{}}
	err := db.readTx(ctx, "target stats", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT team, state, n FROM target_team_counts WHERE migration = $1 AND n > 0", migration)
		if err != nil {
			return err
		}
		for rows.Next() {
			var team, state string
			var n int
			if err := rows.Scan(&team, &state, &n); err != nil {
				rows.Close()
				return err
			}
			if st.ByTeam[team] == nil {
				st.ByTeam[team] = map[string]int{}
			}
			st.ByTeam[team][state] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT found_day, done_day, state, n FROM target_day_counts
			WHERE migration = $1 AND n > 0 ORDER BY found_day, done_day, state`, migration)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d tandem.DayCount
			if err := rows.Scan(&d.Found, &d.Done, &d.State, &d.Count); err != nil {
				return err
			}
			st.Days = append(st.Days, d)
		}
		return rows.Err()
	})
	return st, err
}

// PendingTicketSyncs returns the tickets of teams' own trackers that the
// tracker does not fully know yet: not filed there, a state it has not
// heard, or comments not posted.
func (db *DB) PendingTicketSyncs(ctx context.Context) ([]tandem.Ticket, error) {
	var out []tandem.Ticket
	err := db.inTx(ctx, "pending ticket syncs", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM tickets t WHERE tracker NOT IN ('builtin', 'external')
			AND (remote_id = '' OR remote_state <> state OR EXISTS (SELECT 1 FROM ticket_comments c WHERE c.ticket_id = t.id AND c.synced_at IS NULL))
			ORDER BY id`)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		out = []tandem.Ticket{}
		for _, id := range ids {
			ts, err := findTickets(ctx, tx, tandem.TicketFilter{ID: id})
			if err != nil {
				return err
			}
			out = append(out, ts...)
		}
		return nil
	})
	return out, err
}

// MarkTicketRemote records what a team's tracker knows of a ticket: its
// id there, its URL and its state, or the error met writing to it.
func (db *DB) MarkTicketRemote(ctx context.Context, id int64, remoteID, url, remoteState, syncError string) error {
	return db.inTx(ctx, "mark ticket remote", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE tickets SET remote_id = CASE WHEN $1 = '' THEN remote_id ELSE $2 END,
			url = CASE WHEN $3 = '' THEN url ELSE $4 END, remote_state = CASE WHEN $5 = '' THEN remote_state ELSE $6 END,
			sync_error = $7 WHERE id = $8`, remoteID, remoteID, url, url, remoteState, remoteState, syncError, id)
		return err
	})
}

// MarkCommentSynced records that a comment reached the team's tracker.
func (db *DB) MarkCommentSynced(ctx context.Context, commentID int64) error {
	return db.inTx(ctx, "mark comment synced", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE ticket_comments SET synced_at = $1 WHERE id = $2", time.Now().UTC(), commentID)
		return err
	})
}
