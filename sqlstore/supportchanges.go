package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// AnnounceSupportChange records a change of a platform's support model and
// posts its announcement, in one transaction, as a ticket in the tracker of
// every team given (the consuming teams): once per team, however often it
// is called. A platform has one change announced at a time: announcing
// the same change again (to the same model on the same day) returns the
// first with no new ticket; a different one is ECONFLICT until the first
// takes effect or is withdrawn. Only members of the platform's owner team
// may announce (EFORBIDDEN).
func (db *DB) AnnounceSupportChange(ctx context.Context, c tandem.SupportChange, teams []string) (tandem.SupportChange, error) {
	err := db.inTx(ctx, "announce support change", func(tx *sql.Tx) error {
		owner, err := platformOwner(ctx, tx, c.Platform)
		if err != nil {
			return err
		}
		if ok, err := mayAct(ctx, tx, c.By, owner); err != nil {
			return err
		} else if !ok {
			return tandem.NotActing(c.By, c.Platform, owner)
		}
		pending, err := findSupportChanges(ctx, tx, "platform = $1 AND state = $2", c.Platform, tandem.SupportAnnounced)
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			p := pending[0]
			if p.To != c.To || p.Effective != c.Effective {
				return tandem.Errorf(tandem.ECONFLICT, "%s's support already changes from %s to %s on %s (support change %d): withdraw it first with tandem platform withdraw-support %s %d",
					c.Platform, p.From.OrNone(), p.To, p.Effective, p.ID, c.Platform, p.ID)
			}
			c = p
			return nil
		}
		if err := tx.QueryRowContext(ctx, "SELECT support FROM platforms WHERE name = $1", c.Platform).Scan(&c.From); err != nil {
			return err
		}
		if err := tandem.SupportChangeLifecycle.Check("the support change of "+c.Platform, "", tandem.SupportAnnounced); err != nil {
			return err
		}
		now := time.Now().UTC()
		c.CreatedAt, c.State = now, tandem.SupportAnnounced
		err = tx.QueryRowContext(ctx, `INSERT INTO support_changes (platform, from_model, to_model, announcement, effective, state, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, c.Platform, c.From, c.To, c.Announcement, c.Effective, c.State, c.By, now).Scan(&c.ID)
		if isUniqueViolation(err) {
			return tandem.Errorf(tandem.ECONFLICT, "another change of %s's support was announced at the same moment: see tandem platform support-history %s, then try again", c.Platform, c.Platform)
		} else if err != nil {
			return err
		}
		for _, team := range teams {
			title, body, marker := c.Ticket(team)
			var id int64
			err := tx.QueryRowContext(ctx, `INSERT INTO tickets (tracker, migration, team, codebase, topic, title, body, state, marker, created_at)
				VALUES ('builtin', '', $1, '', $2, $3, $4, $5, $6, $7) ON CONFLICT (migration, team, codebase, topic) DO NOTHING RETURNING id`,
				team, c.Topic(), title, body, tandem.TicketOpen, marker, now).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			} else if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE tickets SET url = $1 WHERE id = $2", fmt.Sprintf("/tickets/%d", id), id); err != nil {
				return err
			}
			c.Teams = append(c.Teams, team)
		}
		c.Teams = nonNil(c.Teams)
		return nil
	})
	return c, err
}

// WithdrawSupportChange withdraws a platform's announced support change
// before it takes effect: the platform keeps its support model, and every
// announcement ticket is closed with a comment that says so and why.
// ENOTFOUND for a change that is not the platform's; EINVALID for one
// applied or withdrawn already, or without a reason; EFORBIDDEN for a
// person outside the platform's owner team.
func (db *DB) WithdrawSupportChange(ctx context.Context, platform string, id int64, reason, by string) (tandem.SupportChange, error) {
	var c tandem.SupportChange
	err := db.inTx(ctx, "withdraw support change", func(tx *sql.Tx) error {
		owner, err := platformOwner(ctx, tx, platform)
		if err != nil {
			return err
		}
		cs, err := findSupportChanges(ctx, tx, "platform = $1 AND id = $2", platform, id)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "%s has no support change %d: see tandem platform support-history %s", platform, id, platform)
		}
		c = cs[0]
		if ok, err := mayAct(ctx, tx, by, owner); err != nil {
			return err
		} else if !ok {
			return tandem.NotActing(by, platform, owner)
		}
		if strings.TrimSpace(reason) == "" {
			return tandem.Errorf(tandem.EINVALID, "reason: required: say the consuming teams why the change is withdrawn")
		}
		now := time.Now().UTC()
		if err := move(ctx, tx, tandem.SupportChangeLifecycle, fmt.Sprintf("support change %d", id), c.State, tandem.SupportWithdrawn,
			"UPDATE support_changes SET state = $1, withdrawn_at = $3, withdrawn_by = $4 WHERE state = $2 AND id = $5", now, by, id); err != nil {
			return err
		}
		c.State, c.WithdrawnAt, c.WithdrawnBy = tandem.SupportWithdrawn, &now, by
		return closeAnnouncement(ctx, tx, c, tandem.SupportChangeWithdrawnComment(c, reason), now)
	})
	return c, err
}

// closeAnnouncement closes the open announcement tickets of a support
// change, and comments why on every one.
func closeAnnouncement(ctx context.Context, tx *sql.Tx, c tandem.SupportChange, comment string, now time.Time) error {
	open, err := column[int64](ctx, tx, "SELECT id FROM tickets WHERE topic = $1 AND state = $2 ORDER BY id", c.Topic(), tandem.TicketOpen)
	if err != nil {
		return err
	}
	for _, ticket := range open {
		if err := move(ctx, tx, tandem.TicketLifecycle, fmt.Sprintf("ticket %d", ticket), tandem.TicketOpen, tandem.TicketClosed,
			"UPDATE tickets SET state = $1, closed_at = $3 WHERE state = $2 AND id = $4", now, ticket); err != nil {
			return err
		}
	}
	all, err := column[int64](ctx, tx, "SELECT id FROM tickets WHERE topic = $1 ORDER BY id", c.Topic())
	if err != nil {
		return err
	}
	for _, ticket := range all {
		if err := addComment(ctx, tx, ticket, comment, now); err != nil {
			return err
		}
	}
	return nil
}

// FindSupportChanges returns a platform's support model history, oldest
// first, with the teams each announcement reached.
func (db *DB) FindSupportChanges(ctx context.Context, platform string) ([]tandem.SupportChange, error) {
	var cs []tandem.SupportChange
	err := db.readTx(ctx, "find support changes", func(tx *sql.Tx) error {
		var err error
		if platform == "" {
			cs, err = findSupportChanges(ctx, tx, "1 = 1")
		} else {
			cs, err = findSupportChanges(ctx, tx, "platform = $1", platform)
		}
		return err
	})
	return cs, err
}

// findSupportChanges returns the support changes cond selects, oldest
// first, with the teams each announcement reached.
func findSupportChanges(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]tandem.SupportChange, error) {
	cs, err := queryRows(ctx, tx, func(rows *sql.Rows) (c tandem.SupportChange, err error) {
		var applied, withdrawn sql.NullTime
		err = rows.Scan(&c.ID, &c.Platform, &c.From, &c.To, &c.Announcement, &c.Effective, &c.State, &c.By, &c.CreatedAt, &applied, &withdrawn, &c.WithdrawnBy)
		c.CreatedAt = c.CreatedAt.UTC()
		c.AppliedAt, c.WithdrawnAt = timePtr(applied), timePtr(withdrawn)
		return c, err
	}, `SELECT id, platform, from_model, to_model, announcement, effective, state, created_by, created_at, applied_at, withdrawn_at, withdrawn_by
		FROM support_changes WHERE `+cond+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		teams, err := pairs(ctx, tx, "SELECT topic, team FROM tickets WHERE topic = $1", cs[i].Topic())
		if err != nil {
			return nil, err
		}
		cs[i].Teams = nonNil(teams[cs[i].Topic()])
	}
	return cs, nil
}

// ApplySupportChanges makes every announced change whose effective day has
// come (at now) the platform's support model, closes its announcement
// tickets saying it is in effect, and returns them.
func (db *DB) ApplySupportChanges(ctx context.Context, now time.Time) ([]tandem.SupportChange, error) {
	var applied []tandem.SupportChange
	err := db.inTx(ctx, "apply support changes", func(tx *sql.Tx) error {
		var err error
		applied, err = findSupportChanges(ctx, tx, "state = $1 AND effective <= $2", tandem.SupportAnnounced, now.UTC().Format(time.DateOnly))
		if err != nil {
			return err
		}
		for i, c := range applied {
			if _, err := tx.ExecContext(ctx, "UPDATE platforms SET support = $1 WHERE name = $2", c.To, c.Platform); err != nil {
				return err
			}
			if err := move(ctx, tx, tandem.SupportChangeLifecycle, fmt.Sprintf("support change %d", c.ID), c.State, tandem.SupportApplied,
				"UPDATE support_changes SET state = $1, applied_at = $3 WHERE state = $2 AND id = $4", now.UTC(), c.ID); err != nil {
				return err
			}
			at := now.UTC()
			applied[i].State, applied[i].AppliedAt = tandem.SupportApplied, &at
			if err := closeAnnouncement(ctx, tx, c, tandem.SupportChangeAppliedComment(c), at); err != nil {
				return err
			}
		}
		return nil
	})
	return applied, err
}
