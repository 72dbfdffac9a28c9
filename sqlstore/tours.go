package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
)

// A Tour of Duty is an engagement a campaign proposes for the targets of
// a host team whose codebases are closed to the platform team's changes
// (tandem.TargetTourProposed). Here are the proposals and what ties the
// engagement to those targets: they go back to their team's ticket when
// the tour is withdrawn or ends, and a proposal withdraws itself when
// nothing is left for it.

// ProposeTour records that a campaign proposes a Tour of Duty for a
// target whose codebase is closed to the platform team (e.Codebases names
// that one codebase), and marks the target tour-proposed, in one
// transaction. There is one proposal per host team and migration: the
// codebase joins the open (proposed or active) one of its team when there
// is one; otherwise a new proposal starts, with its platform and phase
// those of the migration, and says so on the target's ticket, once. It
// reports whether anything changed. A codebase withdrawn by hand from an
// earlier proposal is not proposed again: ProposeTour returns that
// withdrawn proposal, unchanged. A target whose change request waits for
// review (pr-open; review routing's tour step) joins the proposal and
// stays pr-open. EINVALID when the target is neither ticketed nor pr-open.
func (db *DB) ProposeTour(ctx context.Context, e tandem.Engagement) (tandem.Engagement, bool, error) {
	if len(e.Codebases) != 1 {
		return e, false, tandem.Errorf(tandem.EINVALID, "a Tour of Duty is proposed for one codebase at a time, not %d", len(e.Codebases))
	}
	codebase := e.Codebases[0] // a target address: the codebase, or codebase:part
	var changed bool
	err := db.inTx(ctx, "propose tour", func(tx *sql.Tx) error {
		c, part := tandem.ParseTargetAddress(codebase)
		t, err := findTarget(ctx, tx, e.Migration, c, part)
		if err != nil {
			return err
		}
		// Proposals for one host team wait for each other.
		if err := db.lockTeam(ctx, tx, e.HostTeam); err != nil {
			return err
		}
		if w, ok, err := withdrawnByHand(ctx, tx, e.Migration, codebase); err != nil || ok {
			e = w
			return err
		}
		now := time.Now().UTC()
		open, found, err := openProposal(ctx, tx, e.Migration, e.HostTeam)
		if err != nil {
			return err
		}
		if !found {
			platform, owner, err := migrationPlatform(ctx, tx, e.Migration)
			if err != nil {
				return err
			}
			e.Platform, e.State, e.Person = platform, tandem.EngagementProposed, ""
			e.Phase = tandem.EngagementPhase(e, owner)
			if open, err = insertEngagement(ctx, tx, e, now); err != nil {
				return err
			}
		}
		joined := !slices.Contains(open.Codebases, codebase)
		if joined {
			if _, err := tx.ExecContext(ctx, "INSERT INTO engagement_codebases (engagement_id, codebase) VALUES ($1, $2)", open.ID, codebase); err != nil {
				return err
			}
			open.Codebases = append(open.Codebases, codebase)
			slices.Sort(open.Codebases)
		}
		e = open
		// A target whose change request waits for review stays pr-open:
		// the tour is to see that change request merged.
		if t.State != tandem.TargetTourProposed && t.State != tandem.TargetPROpen {
			if err := move(ctx, tx, tandem.TargetLifecycle, targetWhat(t.Migration, t.Codebase, t.Part), t.State, tandem.TargetTourProposed,
				"UPDATE targets SET state = $1, error = '' WHERE state = $2 AND migration = $3 AND codebase = $4 AND part = $5", t.Migration, t.Codebase, t.Part); err != nil {
				return err
			}
			joined = true
		}
		changed = joined
		if !found && t.Ticket != nil {
			comment := tandem.TourProposedComment(open, codebase)
			if t.State == tandem.TargetPROpen {
				comment = tandem.TourProposedForReviewComment(open, codebase)
			}
			return addComment(ctx, tx, t.Ticket.ID, comment, now)
		}
		return nil
	})
	return e, changed, err
}

// lockTeam holds a team's row until the end of tx on PostgreSQL, so that
// two proposals for one team are made one after the other; SQLite's
// immediate transactions already serialise writers.
func (db *DB) lockTeam(ctx context.Context, tx *sql.Tx, team string) error {
	if db.dialect != Postgres {
		return nil
	}
	var name string
	err := tx.QueryRowContext(ctx, "SELECT name FROM teams WHERE name = $1 FOR UPDATE", team).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// openProposal returns a migration's open (proposed or active)
// engagement with a host team, the oldest if there are several.
func openProposal(ctx context.Context, tx *sql.Tx, migration, host string) (tandem.Engagement, bool, error) {
	var id sql.NullInt64
	err := tx.QueryRowContext(ctx, "SELECT MIN(id) FROM engagements WHERE migration = $1 AND host_team = $2 AND state IN ($3, $4)",
		migration, host, tandem.EngagementProposed, tandem.EngagementActive).Scan(&id)
	if err != nil || !id.Valid {
		return tandem.Engagement{}, false, err
	}
	e, err := findEngagement(ctx, tx, id.Int64)
	return e, err == nil, err
}

// withdrawnByHand returns the engagement a codebase was withdrawn from by
// someone, with a reason, in a migration: the host team or the platform
// team said no to a Tour of Duty for it.
func withdrawnByHand(ctx context.Context, tx *sql.Tx, migration, codebase string) (tandem.Engagement, bool, error) {
	var id sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT MAX(e.id) FROM engagements e JOIN engagement_codebases c ON c.engagement_id = e.id
		WHERE e.migration = $1 AND c.codebase = $2 AND e.state = $3 AND e.withdrawn_by <> ''`,
		migration, codebase, tandem.EngagementWithdrawn).Scan(&id)
	if err != nil || !id.Valid {
		return tandem.Engagement{}, false, err
	}
	e, err := findEngagement(ctx, tx, id.Int64)
	return e, err == nil, err
}

// returnTargets gives the targets of a Tour of Duty that will not happen,
// or is over, back to their team: tour-proposed ones become ticketed, and
// exempt ones become ticketed when their exemption ends. When any target
// went back, its ticket says so with comment, given the codebases back.
func returnTargets(ctx context.Context, tx *sql.Tx, e tandem.Engagement, comment func(e tandem.Engagement, back []string) string, now time.Time) error {
	targets, err := tourTargets(ctx, tx, e)
	if err != nil {
		return err
	}
	var back []string
	tickets := map[int64]bool{}
	for _, t := range targets {
		switch t.State {
		case tandem.TargetTourProposed:
			if err := move(ctx, tx, tandem.TargetLifecycle, targetWhat(t.Migration, t.Codebase, t.Part), t.State, tandem.TargetTicketed,
				"UPDATE targets SET state = $1, error = '' WHERE state = $2 AND migration = $3 AND codebase = $4 AND part = $5", t.Migration, t.Codebase, t.Part); err != nil {
				return err
			}
		case tandem.TargetExempt:
			if err := untour(ctx, tx, t); err != nil {
				return err
			}
			continue
		default:
			continue
		}
		back = append(back, t.Address())
		if t.Ticket != nil {
			tickets[t.Ticket.ID] = true
		}
	}
	if len(back) == 0 {
		return nil
	}
	for _, id := range slices.Sorted(maps.Keys(tickets)) {
		if err := addComment(ctx, tx, id, comment(e, back), now); err != nil {
			return err
		}
	}
	return nil
}

// untour makes an exempt target go back to ticketed rather than
// tour-proposed when its exemption ends: its Tour of Duty is over.
func untour(ctx context.Context, tx *sql.Tx, t tandem.Target) error {
	_, err := tx.ExecContext(ctx, "UPDATE targets SET exempt_from = $1 WHERE exempt_from = $2 AND migration = $3 AND codebase = $4 AND part = $5",
		tandem.TargetTicketed, tandem.TargetTourProposed, t.Migration, t.Codebase, t.Part)
	return err
}

// withdrawFinishedTours withdraws the proposed Tours of Duty of a
// migration that include codebase, or a part of it, and whose targets are all
// done, exempt or gone from their host now, with a comment on their
// ticket: nothing is left for them to do. Call it where a target becomes
// done, exempt or gone.
func withdrawFinishedTours(ctx context.Context, tx *sql.Tx, migration, codebase string, now time.Time) error {
	ids, err := column[int64](ctx, tx, `SELECT e.id FROM engagements e JOIN engagement_codebases c ON c.engagement_id = e.id
		WHERE e.migration = $1 AND (c.codebase = $2 OR c.codebase LIKE $3) AND e.state = $4 ORDER BY e.id`,
		migration, codebase, codebase+":%", tandem.EngagementProposed)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := withdrawIfFinished(ctx, tx, id, now); err != nil {
			return err
		}
	}
	return nil
}

// withdrawIfFinished withdraws proposal id when every target of its
// codebases is done, exempt or gone. It holds the proposal's row first, so that
// two transactions finishing its last two targets at once (a scan's
// workers, on PostgreSQL) read each other's: the second sees both.
func withdrawIfFinished(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	if _, err := tx.ExecContext(ctx, "UPDATE engagements SET reason = reason WHERE id = $1", id); err != nil {
		return err
	}
	e, err := findEngagement(ctx, tx, id)
	if err != nil {
		return err
	}
	if e.State != tandem.EngagementProposed {
		return nil
	}
	targets, err := tourTargets(ctx, tx, e)
	if err != nil {
		return err
	}
	done, gone, exempt, ok := settled(targets)
	if !ok {
		return nil
	}
	tickets := map[int64]bool{}
	for _, t := range targets {
		if t.Ticket != nil {
			tickets[t.Ticket.ID] = true
		}
	}
	if err := withdraw(ctx, tx, e, tandem.TourFinishedReason(done, gone, exempt), ""); err != nil {
		return err
	}
	for _, t := range exempt {
		if err := untour(ctx, tx, t); err != nil {
			return err
		}
	}
	for _, tid := range slices.Sorted(maps.Keys(tickets)) {
		if err := addComment(ctx, tx, tid, tandem.TourFinishedComment(e.Codebases, id, done, gone, exempt), now); err != nil {
			return err
		}
	}
	return nil
}

// tourTargets returns the targets of a Tour of Duty's codebases (target
// addresses: a codebase, or codebase:part) in its migration, in the
// order of its codebases; one that is no longer a target has none.
func tourTargets(ctx context.Context, tx *sql.Tx, e tandem.Engagement) ([]tandem.Target, error) {
	var targets []tandem.Target
	for _, address := range e.Codebases {
		codebase, part := tandem.ParseTargetAddress(address)
		t, err := findTarget(ctx, tx, e.Migration, codebase, part)
		if tandem.ErrorCode(err) == tandem.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		targets = append(targets, t)
	}
	return targets, nil
}
