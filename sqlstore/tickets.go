package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tandem-dev/tandem"
)

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
		states := map[string]string{}
		for _, c := range f.Codebases {
			var state string
			codebase, part := tandem.ParseTargetAddress(c)
			err := tx.QueryRowContext(ctx, "SELECT state FROM targets WHERE migration = $1 AND codebase = $2 AND part = $3",
				f.Migration, codebase, part).Scan(&state)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			} else if err != nil {
				return err
			}
			if state == tandem.TargetPending || state == tandem.TargetUnowned {
				fresh = append(fresh, c)
				states[c] = state
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
			if err := tandem.TicketLifecycle.Check(ticketWhat(f.Migration, f.Team), "", tandem.TicketOpen); err != nil {
				return err
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
			codebase, part := tandem.ParseTargetAddress(c)
			if err := move(ctx, tx, tandem.TargetLifecycle, targetWhat(f.Migration, codebase, part), states[c], tandem.TargetTicketed,
				`UPDATE targets SET state = $1, team = $3, ticket_id = $4, ticketed_at = $5, error = ''
				WHERE state = $2 AND migration = $6 AND codebase = $7 AND part = $8`, f.Team, id, now, f.Migration, codebase, part); err != nil {
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

// ticketWhat names a migration's ticket for a team in errors.
func ticketWhat(migration, team string) string {
	return fmt.Sprintf("%s's ticket of %s", team, migration)
}

// closeTicketIfDone closes an open ticket whose targets are all done,
// exempt or gone from their host, with a comment that says which are
// done, which exempt until when and which gone.
func closeTicketIfDone(ctx context.Context, tx *sql.Tx, ticketID int64, now time.Time) error {
	var state string
	if err := tx.QueryRowContext(ctx, "SELECT state FROM tickets WHERE id = $1", ticketID).Scan(&state); err != nil {
		return err
	}
	if state != tandem.TicketOpen {
		return nil
	}
	targets, err := findTargets(ctx, tx, "t.ticket_id = $1", ticketID)
	if err != nil || len(targets) == 0 {
		return err
	}
	done, gone, exempt, ok := settled(targets)
	if !ok {
		return nil
	}
	if err := move(ctx, tx, tandem.TicketLifecycle, fmt.Sprintf("ticket %d", ticketID), state, tandem.TicketClosed,
		"UPDATE tickets SET state = $1, closed_at = $3 WHERE state = $2 AND id = $4", now, ticketID); err != nil {
		return err
	}
	return addComment(ctx, tx, ticketID, tandem.TicketClosedComment(done, gone, exempt), now)
}

// settled sorts targets that need nothing more into the codebases done,
// the codebases gone from their host and the targets exempt, in their
// order; false when any target still needs the change.
func settled(targets []tandem.Target) (done, gone []string, exempt []tandem.Target, ok bool) {
	for _, t := range targets {
		switch t.State {
		case tandem.TargetDone:
			done = append(done, t.Codebase)
		case tandem.TargetExempt:
			exempt = append(exempt, t)
		case tandem.TargetGone:
			gone = append(gone, t.Codebase)
		default:
			return nil, nil, nil, false
		}
	}
	return done, gone, exempt, true
}

// reopenTicket reopens a closed ticket, and comments why either way.
func reopenTicket(ctx context.Context, tx *sql.Tx, ticketID int64, why string, now time.Time) error {
	var state string
	if err := tx.QueryRowContext(ctx, "SELECT state FROM tickets WHERE id = $1", ticketID).Scan(&state); err != nil {
		return err
	}
	if state == tandem.TicketClosed {
		if err := move(ctx, tx, tandem.TicketLifecycle, fmt.Sprintf("ticket %d", ticketID), state, tandem.TicketOpen,
			"UPDATE tickets SET state = $1, closed_at = NULL WHERE state = $2 AND id = $3", ticketID); err != nil {
			return err
		}
	}
	return addComment(ctx, tx, ticketID, why, now)
}

func addComment(ctx context.Context, tx *sql.Tx, ticketID int64, body string, now time.Time) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO ticket_comments (ticket_id, body, created_at) VALUES ($1, $2, $3)", ticketID, body, now)
	return err
}

// FindTickets returns the tickets f selects, with their comments, sorted
// by id.
func (db *DB) FindTickets(ctx context.Context, f tandem.TicketFilter) ([]tandem.Ticket, error) {
	return findByID(ctx, db, "ticket", f.ID, func(tx *sql.Tx) ([]tandem.Ticket, error) {
		return findTickets(ctx, tx, f)
	})
}

func findTickets(ctx context.Context, tx *sql.Tx, f tandem.TicketFilter) ([]tandem.Ticket, error) {
	var c conds
	addSet(&c, "id", f.ID)
	addSet(&c, "migration", f.Migration)
	addSet(&c, "team", f.Team)
	addSet(&c, "state", f.State)
	addSet(&c, "topic", f.Topic)
	query := `SELECT id, tracker, migration, team, codebase, topic, title, body, state, url, marker, nudges, created_at, closed_at,
		tracker_ref, remote_id, remote_state, sync_error FROM tickets` + c.where()
	args := c.args
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
	if len(tickets) == 0 || f.NoComments {
		return tickets, nil
	}
	return tickets, ticketComments(ctx, tx, tickets, c)
}

// ticketComments reads the comments of tickets, which the conditions c
// selected, in one query for all of them rather than one per ticket.
func ticketComments(ctx context.Context, tx *sql.Tx, tickets []tandem.Ticket, c conds) error {
	index := make(map[int64]int, len(tickets))
	for i, t := range tickets {
		index[t.ID] = i
	}
	rows, err := tx.QueryContext(ctx, `SELECT ticket_id, id, body, created_at, synced_at FROM ticket_comments
		WHERE ticket_id IN (SELECT id FROM tickets`+c.where()+`) ORDER BY ticket_id, id`, c.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ticket int64
		var cm tandem.Comment
		var synced sql.NullTime
		if err := rows.Scan(&ticket, &cm.ID, &cm.Body, &cm.At, &synced); err != nil {
			return err
		}
		cm.SyncedAt = timePtr(synced)
		if i, ok := index[ticket]; ok {
			tickets[i].Comments = append(tickets[i].Comments, cm)
		}
	}
	return rows.Err()
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
		_, err = tx.ExecContext(ctx, "INSERT INTO ticket_comments (ticket_id, body, created_at, nudge) VALUES ($1, $2, $3, TRUE)",
			ticketID, body, now)
		return err
	})
	return nudged, err
}

// LastNudges returns when each ticket of a migration was last nudged.
func (db *DB) LastNudges(ctx context.Context, migration string) (map[int64]time.Time, error) {
	last := map[int64]time.Time{}
	err := db.inTx(ctx, "last nudges", func(tx *sql.Tx) error {
		at, err := queryRows(ctx, tx, scanTicketTime, "SELECT id, last_nudged_at FROM tickets WHERE migration = $1 AND last_nudged_at IS NOT NULL", migration)
		for _, a := range at {
			last[a.id] = a.at
		}
		return err
	})
	return last, err
}

// NudgeTimes returns when each ticket of a migration was nudged, oldest
// first, from the nudges the comments record (migration 00027 on).
func (db *DB) NudgeTimes(ctx context.Context, migration string) (map[int64][]time.Time, error) {
	times := map[int64][]time.Time{}
	err := db.readTx(ctx, "nudge times", func(tx *sql.Tx) error {
		at, err := queryRows(ctx, tx, scanTicketTime, `SELECT c.ticket_id, c.created_at FROM ticket_comments c
			JOIN tickets t ON t.id = c.ticket_id WHERE t.migration = $1 AND c.nudge ORDER BY c.id`, migration)
		for _, a := range at {
			times[a.id] = append(times[a.id], a.at)
		}
		return err
	})
	return times, err
}

// ticketTime is a time of a ticket, as LastNudges and NudgeTimes read them.
type ticketTime struct {
	id int64
	at time.Time
}

func scanTicketTime(rows *sql.Rows) (ticketTime, error) {
	var t ticketTime
	err := rows.Scan(&t.id, &t.at)
	return t, err
}

// AdoptTicket tracks an existing ticket (by URL) as the team's ticket for a
// target instead of filing a new one; AdoptChangeRequest does the same for
// a pull request. Adopting what is already tracked changes nothing. The
// URL must be an http(s) URL on the team's tracker where it has a host of
// its own (tandem.ValidateURL); a pull request's must be one of the
// codebase's repository on its code host (tandem.ValidatePullRequestURL).
// EINVALID otherwise.
func (db *DB) AdoptTicket(ctx context.Context, migration, address, url string) (tandem.Target, error) {
	var t tandem.Target
	codebase, part := tandem.ParseTargetAddress(address)
	err := db.inTx(ctx, "adopt ticket", func(tx *sql.Tx) error {
		cur, err := findTarget(ctx, tx, migration, codebase, part)
		if err != nil {
			return err
		}
		team := cur.Team
		if team == "" && cur.Owner != nil {
			team = *cur.Owner
		}
		if team == "" {
			return tandem.Errorf(tandem.EINVALID, "%s has no owner to hold a ticket", address)
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
			if err := tandem.TicketLifecycle.Check(ticketWhat(migration, team), "", tandem.TicketOpen); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO tickets (tracker, migration, team, codebase, title, body, state, url, marker, created_at)
				VALUES ('external', $1, $2, '', $3, '', $4, $5, $6, $7) RETURNING id`,
				migration, team, "Adopted ticket "+url, tandem.TicketOpen, url, tandem.TicketMarker(migration, team, ""), now).Scan(&id); err != nil {
				return err
			}
		}
		switch {
		case cur.Ticket != nil:
		case cur.State == tandem.TargetPending || cur.State == tandem.TargetUnowned:
			if err := move(ctx, tx, tandem.TargetLifecycle, targetWhat(migration, codebase, part), cur.State, tandem.TargetTicketed,
				`UPDATE targets SET state = $1, team = $3, ticket_id = $4, ticketed_at = $5, error = ''
				WHERE state = $2 AND migration = $6 AND codebase = $7 AND part = $8`, team, id, now, migration, codebase, part); err != nil {
				return err
			}
		default:
			// Further on its way already: the ticket joins it.
			if _, err := tx.ExecContext(ctx, `UPDATE targets SET team = $1, ticket_id = $2, ticketed_at = $3
				WHERE migration = $4 AND codebase = $5 AND part = $6`, team, id, now, migration, codebase, part); err != nil {
				return err
			}
		}
		t, err = findTarget(ctx, tx, migration, codebase, part)
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

// PendingTicketSyncs returns the tickets of teams' own trackers that the
// tracker does not fully know yet: not filed there, a state it has not
// heard, or comments not posted.
func (db *DB) PendingTicketSyncs(ctx context.Context) ([]tandem.Ticket, error) {
	var out []tandem.Ticket
	err := db.inTx(ctx, "pending ticket syncs", func(tx *sql.Tx) error {
		ids, err := column[int64](ctx, tx, `SELECT id FROM tickets t WHERE tracker NOT IN ('builtin', 'external')
			AND (remote_id = '' OR remote_state <> state OR EXISTS (SELECT 1 FROM ticket_comments c WHERE c.ticket_id = t.id AND c.synced_at IS NULL))
			ORDER BY id`)
		if err != nil {
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
