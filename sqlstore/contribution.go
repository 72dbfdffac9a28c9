package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
)

// RecordContribution records a change sent to a codebase by someone outside
// its owner team. It returns EINVALID for an unknown codebase, an author
// who is in no team, an author of the owner team (not an outside
// contribution), or a URL that is not an http(s) URL on the codebase's
// code host (tandem.ValidateURL).
func (db *DB) RecordContribution(ctx context.Context, c tandem.Contribution) (tandem.Contribution, error) {
	err := db.inTx(ctx, "record contribution", func(tx *sql.Tx) error {
		cbs, err := findCodebases(ctx, tx, tandem.CodebaseFilter{Name: c.Codebase})
		if err != nil {
			return err
		}
		if len(cbs) == 0 {
			return notFound(tandem.EINVALID, "codebase", c.Codebase)
		}
		if c.URL != "" {
			host, err := codebaseHost(ctx, tx, c.Codebase)
			if err != nil {
				return err
			}
			if err := tandem.ValidateURL("url", c.URL, host); err != nil {
				return err
			}
		}
		mine, err := teamsOf(ctx, tx, c.Author)
		if err != nil {
			return err
		}
		if len(mine) == 0 {
			return tandem.Errorf(tandem.EINVALID, "%q is in no team", c.Author)
		}
		if owner := cbs[0].Owner; owner != nil && slices.Contains(mine, *owner) {
			return tandem.Errorf(tandem.EINVALID, "%s is in %s, which owns %s: not an outside contribution", c.Author, *owner, c.Codebase)
		}
		if c.Team == "" {
			c.Team = mine[0]
		}
		if c.OpenedAt.IsZero() {
			c.OpenedAt = time.Now().UTC()
		}
		if c.State == "" {
			c.State = tandem.ContributionOpen
		}
		if err := tandem.ContributionLifecycle.Check("a contribution", "", c.State); err != nil {
			return err
		}
		if c.State == tandem.ContributionMerged && c.MergedAt == nil {
			now := time.Now().UTC()
			c.MergedAt = &now
		}
		return tx.QueryRowContext(ctx, `INSERT INTO contributions (codebase, author, team, title, url, state, opened_at, reviewed_at, merged_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			c.Codebase, c.Author, c.Team, c.Title, c.URL, c.State, c.OpenedAt.UTC(), c.ReviewedAt, c.MergedAt).Scan(&c.ID)
	})
	return c, err
}

// UpdateContribution moves a contribution to a new state (merged, closed,
// reopened, reverted) as tandem.ContributionLifecycle allows, stamping the
// merge and the first review; ENOTFOUND for an unknown one, EINVALID for a
// move the table lacks. The same state again changes nothing.
func (db *DB) UpdateContribution(ctx context.Context, id int64, state string) (tandem.Contribution, error) {
	var c tandem.Contribution
	err := db.inTx(ctx, "update contribution", func(tx *sql.Tx) error {
		cs, err := findContributions(ctx, tx, "id = $1", id)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "contribution %d not found", id)
		}
		c = cs[0]
		if c.State == state {
			return nil
		}
		now := time.Now().UTC()
		if err := move(ctx, tx, tandem.ContributionLifecycle, fmt.Sprintf("contribution %d", id), c.State, state,
			`UPDATE contributions SET state = $1,
			merged_at = CASE WHEN $1 = 'merged' AND merged_at IS NULL THEN $3 ELSE merged_at END,
			reviewed_at = COALESCE(reviewed_at, $3) WHERE state = $2 AND id = $4`, now, id); err != nil {
			return err
		}
		cs, err = findContributions(ctx, tx, "id = $1", id)
		if err == nil {
			c = cs[0]
		}
		return err
	})
	return c, err
}

// FindContributions returns a codebase's contributions ("" for all),
// oldest first.
func (db *DB) FindContributions(ctx context.Context, codebase string) ([]tandem.Contribution, error) {
	var cs []tandem.Contribution
	err := db.readTx(ctx, "find contributions", func(tx *sql.Tx) error {
		var err error
		if codebase == "" {
			cs, err = findContributions(ctx, tx, "1 = 1")
		} else {
			cs, err = findContributions(ctx, tx, "codebase = $1", codebase)
		}
		return err
	})
	return cs, err
}

func findContributions(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]tandem.Contribution, error) {
	return queryRows(ctx, tx, func(rows *sql.Rows) (c tandem.Contribution, err error) {
		var reviewed, merged sql.NullTime
		err = rows.Scan(&c.ID, &c.Codebase, &c.Author, &c.Team, &c.Title, &c.URL, &c.State, &c.OpenedAt, &reviewed, &merged)
		c.OpenedAt = c.OpenedAt.UTC()
		c.ReviewedAt, c.MergedAt = timePtr(reviewed), timePtr(merged)
		return c, err
	}, `SELECT id, codebase, author, team, title, url, state, opened_at, reviewed_at, merged_at
		FROM contributions WHERE `+cond+" ORDER BY id", args...)
}

// GrantTrust gives an outside contributor the commit bit on a codebase
// open or trusted to outside changes: they join its trusted list. Only members of the
// owner team may grant it (EFORBIDDEN); a codebase without an owner, or
// closed, is EINVALID (tandem.Codebase.MayGrantTrust, the rule the trust
// ladder proposes by).
func (db *DB) GrantTrust(ctx context.Context, codebase, person, by string) (tandem.Codebase, error) {
	var c tandem.Codebase
	err := db.inTx(ctx, "grant trust", func(tx *sql.Tx) error {
		cbs, err := findCodebases(ctx, tx, tandem.CodebaseFilter{Name: codebase})
		if err != nil {
			return err
		}
		if len(cbs) == 0 {
			return notFound(tandem.ENOTFOUND, "codebase", codebase)
		}
		c = cbs[0]
		if err := c.MayGrantTrust(); err != nil {
			return err
		}
		if ok, err := mayAct(ctx, tx, by, *c.Owner); err != nil {
			return err
		} else if !ok {
			return tandem.NotActing(by, codebase+"'s trusted list", *c.Owner)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO trust_grants (codebase, person, granted_by, granted_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (codebase, person) DO NOTHING`, codebase, person, by, time.Now().UTC()); err != nil {
			return err
		}
		if err := resolveAll(ctx, tx); err != nil {
			return err
		}
		cbs, err = findCodebases(ctx, tx, tandem.CodebaseFilter{Name: codebase})
		if err == nil {
			c = cbs[0]
		}
		return err
	})
	return c, err
}
