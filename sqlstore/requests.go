package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// CreateRequest files a request from a team to a platform. It returns
// EINVALID for an unknown team or platform, or a link that is not an
// http(s) URL.
func (db *DB) CreateRequest(ctx context.Context, r tandem.Request) (tandem.Request, error) {
	err := db.inTx(ctx, "create request", func(tx *sql.Tx) error {
		if ok, err := exists(ctx, tx, "teams", r.FromTeam); err != nil {
			return err
		} else if !ok {
			return notFound(tandem.EINVALID, "team", r.FromTeam)
		}
		if _, err := platformOwner(ctx, tx, r.Platform); err != nil {
			return err
		}
		if err := validateLinks(r.Links); err != nil {
			return err
		}
		if err := tandem.RequestLifecycle.Check("a request", "", tandem.RequestNew); err != nil {
			return err
		}
		r.State, r.CreatedAt, r.Links = tandem.RequestNew, time.Now().UTC(), nonNil(r.Links)
		return tx.QueryRowContext(ctx, `INSERT INTO requests (type, from_team, platform, title, body, size, needed_by, state, pattern, links, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			r.Type, r.FromTeam, r.Platform, r.Title, r.Body, r.Size, r.NeededBy, r.State, r.Pattern, encode(r.Links), r.CreatedBy, r.CreatedAt).Scan(&r.ID)
	})
	return r, err
}

// validateLinks returns EINVALID for the first of a request's links that
// is not an http(s) URL (tandem.ValidateURL): a link may be on any host.
func validateLinks(links []string) error {
	for i, l := range links {
		if err := tandem.ValidateURL(fmt.Sprintf("links[%d]", i), l, ""); err != nil {
			return err
		}
	}
	return nil
}

// FindRequests returns the requests f selects, newest first; ENOTFOUND
// when f names one by ID that does not exist.
func (db *DB) FindRequests(ctx context.Context, f tandem.RequestFilter) ([]tandem.Request, error) {
	return findByID(ctx, db, "request", f.ID, func(tx *sql.Tx) ([]tandem.Request, error) {
		return findRequests(ctx, tx, f)
	})
}

func findRequests(ctx context.Context, tx *sql.Tx, f tandem.RequestFilter) ([]tandem.Request, error) {
	var c conds
	addSet(&c, "id", f.ID)
	addSet(&c, "platform", f.Platform)
	addSet(&c, "from_team", f.FromTeam)
	addSet(&c, "state", f.State)
	query := `SELECT id, type, from_team, platform, title, body, size, needed_by, state, reason, pattern, links, created_by, updated_by,
		created_at, responded_at, accepted_at, done_at FROM requests` + c.where()
	return queryRows(ctx, tx, func(rows *sql.Rows) (r tandem.Request, err error) {
		var links string
		var responded, accepted, done sql.NullTime
		if err := rows.Scan(&r.ID, &r.Type, &r.FromTeam, &r.Platform, &r.Title, &r.Body, &r.Size, &r.NeededBy, &r.State, &r.Reason,
			&r.Pattern, &links, &r.CreatedBy, &r.UpdatedBy, &r.CreatedAt, &responded, &accepted, &done); err != nil {
			return r, err
		}
		r.CreatedAt = r.CreatedAt.UTC()
		r.RespondedAt, r.AcceptedAt, r.DoneAt = timePtr(responded), timePtr(accepted), timePtr(done)
		err = decode(links, &r.Links)
		r.Links = nonNil(r.Links)
		return r, err
	}, query+" ORDER BY id DESC", c.args...)
}

// UpdateRequest changes a request's state, pattern and links, stamping
// the first response, the acceptance and the end. Only members of the
// asking team or of the platform's owner team may change it (EFORBIDDEN);
// a move the state does not allow, declining without a reason, or a link
// that is not an http(s) URL is EINVALID.
func (db *DB) UpdateRequest(ctx context.Context, id int64, u tandem.RequestUpdate) (tandem.Request, error) {
	var r tandem.Request
	err := db.inTx(ctx, "update request", func(tx *sql.Tx) error {
		reqs, err := findRequests(ctx, tx, tandem.RequestFilter{ID: id})
		if err != nil {
			return err
		}
		if len(reqs) == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "request %d not found", id)
		}
		r = reqs[0]
		owner, err := platformOwner(ctx, tx, r.Platform)
		if err != nil {
			return err
		}
		theirs, err := teamsOf(ctx, tx, u.By)
		if err != nil {
			return err
		}
		if !tandem.MayAct(u.By, theirs, r.FromTeam, owner) {
			return tandem.NotActing(u.By, fmt.Sprintf("request %d", id), r.FromTeam, owner)
		}
		now := time.Now().UTC()
		from := r.State
		if u.State != "" && u.State != r.State {
			if err := tandem.RequestLifecycle.Check(fmt.Sprintf("request %d", id), r.State, u.State); err != nil {
				return err
			}
			if u.State == tandem.RequestDeclined && strings.TrimSpace(u.Reason) == "" {
				return tandem.Errorf(tandem.EINVALID, "declining request %d needs a reason", id)
			}
			r.State = u.State
			if u.State == tandem.RequestAccepted || u.State == tandem.RequestInProgress && r.AcceptedAt == nil {
				r.AcceptedAt = &now
			}
			if u.State == tandem.RequestDone || u.State == tandem.RequestDeclined {
				r.DoneAt = &now
			}
		}
		if u.Reason != "" {
			r.Reason = u.Reason
		}
		if u.Pattern != "" {
			if !slices.Contains(tandem.Patterns, u.Pattern) {
				return tandem.Errorf(tandem.EINVALID, "unknown pattern %q (valid: %s)", u.Pattern, strings.Join(tandem.Strings(tandem.Patterns), ", "))
			}
			r.Pattern = u.Pattern
		}
		if err := validateLinks(u.Links); err != nil {
			return err
		}
		for _, l := range u.Links {
			if !slices.Contains(r.Links, l) {
				r.Links = append(r.Links, l)
			}
		}
		// The first change by the platform team is its first response.
		if r.RespondedAt == nil && tandem.MayAct(u.By, theirs, owner) {
			r.RespondedAt = &now
		}
		r.UpdatedBy = u.By
		if r.State != from {
			if err := move(ctx, tx, tandem.RequestLifecycle, fmt.Sprintf("request %d", id), from, r.State,
				"UPDATE requests SET state = $1 WHERE state = $2 AND id = $3", id); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE requests SET reason = $1, pattern = $2, links = $3, updated_by = $4,
			responded_at = $5, accepted_at = $6, done_at = $7 WHERE id = $8`,
			r.Reason, r.Pattern, encode(r.Links), r.UpdatedBy, r.RespondedAt, r.AcceptedAt, r.DoneAt, id)
		return err
	})
	return r, err
}
