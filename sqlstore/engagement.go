package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// ProposeTour records that a campaign proposes a Tour of Duty for a
// target whose codebase is closed to the platform team (e.Codebases names
// that one codebase), and marks the target tour-proposed, in one
// transaction. There is one proposal per host team and migration: the
// codebase joins the open (proposed or active) one of its team when there
// is one; otherwise a new proposal starts, with its platform and phase
// those of the migration, and says so on the target's ticket, once. It
// reports whether anything changed. A codebase withdrawn by hand from an
// earlier proposal is not proposed again: ProposeTour returns that
// withdrawn proposal, unchanged. EINVALID when the target is not ticketed.
func (db *DB) ProposeTour(ctx context.Context, e tandem.Engagement) (tandem.Engagement, bool, error) {
	if len(e.Codebases) != 1 {
		return e, false, tandem.Errorf(tandem.EINVALID, "a Tour of Duty is proposed for one codebase at a time, not %d", len(e.Codebases))
	}
	codebase := e.Codebases[0]
	var changed bool
	err := db.inTx(ctx, "propose tour", func(tx *sql.Tx) error {
		t, err := findTarget(ctx, tx, e.Migration, codebase)
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
		if t.State != tandem.TargetTourProposed {
			if err := move(ctx, tx, tandem.TargetLifecycle, targetWhat(t.Migration, t.Codebase), t.State, tandem.TargetTourProposed,
				"UPDATE targets SET state = $1, error = '' WHERE state = $2 AND migration = $3 AND codebase = $4", t.Migration, t.Codebase); err != nil {
				return err
			}
			joined = true
		}
		changed = joined
		if !found && t.Ticket != nil {
			return addComment(ctx, tx, t.Ticket.ID, tandem.TourProposedComment(open, codebase), now)
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

// migrationPlatform returns a migration's platform and the team that
// owns it; ENOTFOUND for an unknown migration.
func migrationPlatform(ctx context.Context, tx *sql.Tx, migration string) (platform, owner string, err error) {
	var o sql.NullString
	err = tx.QueryRowContext(ctx, "SELECT m.platform, p.owner FROM migrations m LEFT JOIN platforms p ON p.name = m.platform WHERE m.name = $1",
		migration).Scan(&platform, &o)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", tandem.Errorf(tandem.ENOTFOUND, "migration %q not found", migration)
	}
	return platform, o.String, err
}

// insertEngagement records a new engagement in the state its lifecycle
// lets it start in, without codebases.
func insertEngagement(ctx context.Context, tx *sql.Tx, e tandem.Engagement, now time.Time) (tandem.Engagement, error) {
	what := fmt.Sprintf("an engagement of %s with %s", e.HomeTeam, e.HostTeam)
	if err := tandem.EngagementLifecycle.Check(what, "", e.State); err != nil {
		return e, err
	}
	e.CreatedAt, e.Codebases, e.Log, e.Warnings = now, []string{}, []tandem.WorkLog{}, []string{}
	e.EndedOn, e.Reason, e.WithdrawnBy = "", "", ""
	err := tx.QueryRowContext(ctx, `INSERT INTO engagements (type, state, person, home_team, host_team, purpose, platform, phase, migration, starts_on, ends_on, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		e.Type, e.State, e.Person, e.HomeTeam, e.HostTeam, e.Purpose, e.Platform, e.Phase, e.Migration, e.Starts, e.Ends, now).Scan(&e.ID)
	return e, err
}

// CreateEngagement records a person moved between teams for a time box,
// active unless e.State says proposed. Its phase follows from its type
// and which of its teams owns its platform (tandem.EngagementPhase). It
// returns EINVALID for unknown teams, platform or migration, a person not
// of the home team, codebases (a campaign names them), and a phase that
// contradicts the derived one.
func (db *DB) CreateEngagement(ctx context.Context, e tandem.Engagement) (tandem.Engagement, error) {
	err := db.inTx(ctx, "create engagement", func(tx *sql.Tx) error {
		for _, team := range []string{e.HomeTeam, e.HostTeam} {
			if ok, err := exists(ctx, tx, "teams", team); err != nil {
				return err
			} else if !ok {
				return notFound(tandem.EINVALID, "team", team)
			}
		}
		if len(e.Codebases) > 0 {
			return tandem.Errorf(tandem.EINVALID, "codebases: a campaign names the codebases of the Tours of Duty it proposes (tandem campaign escalate)")
		}
		owner := ""
		if e.Migration != "" {
			platform, o, err := migrationPlatform(ctx, tx, e.Migration)
			if tandem.ErrorCode(err) == tandem.ENOTFOUND {
				return tandem.Errorf(tandem.EINVALID, "migration: %q not found", e.Migration)
			} else if err != nil {
				return err
			}
			if e.Platform != "" && e.Platform != platform {
				return tandem.Errorf(tandem.EINVALID, "platform: migration %s is of platform %s, not %s", e.Migration, platform, e.Platform)
			}
			e.Platform, owner = platform, o
		} else if e.Platform != "" {
			var err error
			if owner, err = platformOwner(ctx, tx, e.Platform); err != nil {
				return err
			}
		}
		if err := checkPhase(e, owner); err != nil {
			return err
		}
		e.Phase = tandem.EngagementPhase(e, owner)
		if e.State == "" {
			e.State = tandem.EngagementActive
		}
		if e.Person != "" || e.State == tandem.EngagementActive {
			if err := checkPerson(ctx, tx, e.Person, e.HomeTeam); err != nil {
				return err
			}
		}
		var err error
		e, err = insertEngagement(ctx, tx, e, time.Now().UTC())
		return err
	})
	return e, err
}

// checkPhase returns EINVALID when an engagement names a phase other than
// the one that follows from its type and teams, or one that nothing
// follows from because it names no platform.
func checkPhase(e tandem.Engagement, platformOwner string) error {
	derived := tandem.EngagementPhase(e, platformOwner)
	switch {
	case e.Phase == "" || e.Phase == derived:
		return nil
	case e.Platform == "":
		return tandem.Errorf(tandem.EINVALID, "phase: name the platform the engagement serves: its phase follows from which of %s and %s owns it", e.HomeTeam, e.HostTeam)
	case derived == "":
		return tandem.Errorf(tandem.EINVALID, "phase: %q does not apply: neither %s nor %s owns %s (%s does), so the engagement is no work between the platform and a product team",
			e.Phase, e.HomeTeam, e.HostTeam, e.Platform, platformOwner)
	default:
		return tandem.Errorf(tandem.EINVALID, "phase: %q contradicts the engagement: a %s of %s with %s, where %s owns %s, is %s work (leave the phase out: it is derived)",
			e.Phase, e.Type, e.HomeTeam, e.HostTeam, platformOwner, e.Platform, derived)
	}
}

// checkPerson returns EINVALID unless person is a member of home.
func checkPerson(ctx context.Context, tx *sql.Tx, person, home string) error {
	if person == "" {
		return tandem.Errorf(tandem.EINVALID, "person: required: name who moves, a member of %s, the home team", home)
	}
	if theirs, err := teamsOf(ctx, tx, person); err != nil {
		return err
	} else if !slices.Contains(theirs, home) {
		return tandem.Errorf(tandem.EINVALID, "person %q is not a member of %s, the home team", person, home)
	}
	return nil
}

// changeEngagement finds engagement id for a change by a member of
// either of its teams: ENOTFOUND when missing, EFORBIDDEN for someone
// else.
func changeEngagement(ctx context.Context, tx *sql.Tx, id int64, by string) (tandem.Engagement, error) {
	e, err := findEngagement(ctx, tx, id)
	if err != nil {
		return e, err
	}
	if ok, err := mayAct(ctx, tx, by, e.HomeTeam, e.HostTeam); err != nil {
		return e, err
	} else if !ok {
		return e, tandem.NotActing(by, fmt.Sprintf("engagement %d", id), e.HomeTeam, e.HostTeam)
	}
	return e, nil
}

// StaffEngagement names the person of a proposal, a member of its home
// team; naming another replaces them. EINVALID when it is no longer
// proposed or the person is not of the home team; EFORBIDDEN for someone
// in neither team.
func (db *DB) StaffEngagement(ctx context.Context, id int64, person, by string) (tandem.Engagement, error) {
	var e tandem.Engagement
	err := db.inTx(ctx, "staff engagement", func(tx *sql.Tx) error {
		var err error
		if e, err = changeEngagement(ctx, tx, id, by); err != nil {
			return err
		}
		if e.State != tandem.EngagementProposed {
			return tandem.Errorf(tandem.EINVALID, "engagement %d is %s: only a proposal is staffed", id, e.State)
		}
		if err := checkPerson(ctx, tx, person, e.HomeTeam); err != nil {
			return err
		}
		e.Person = person
		_, err = tx.ExecContext(ctx, "UPDATE engagements SET person = $1 WHERE id = $2", person, id)
		return err
	})
	return e, err
}

// StartEngagement makes a staffed proposal active. A proposal whose start
// day has passed starts today, for as long as it was proposed. EINVALID
// when it is not proposed or nobody is named yet; EFORBIDDEN for someone
// in neither team.
func (db *DB) StartEngagement(ctx context.Context, id int64, by string) (tandem.Engagement, error) {
	var e tandem.Engagement
	err := db.inTx(ctx, "start engagement", func(tx *sql.Tx) error {
		var err error
		if e, err = changeEngagement(ctx, tx, id, by); err != nil {
			return err
		}
		if e.State != tandem.EngagementProposed {
			return tandem.Errorf(tandem.EINVALID, "engagement %d is %s: only a proposal starts", id, e.State)
		}
		if e.Person == "" {
			return tandem.Errorf(tandem.EINVALID, "engagement %d names nobody yet: staff it first (tandem engagement staff %d --person NAME, of %s)", id, id, e.HomeTeam)
		}
		if err := checkPerson(ctx, tx, e.Person, e.HomeTeam); err != nil {
			return err
		}
		starts, ends := e.StartedOn(time.Now().UTC().Format(time.DateOnly))
		if err := move(ctx, tx, tandem.EngagementLifecycle, fmt.Sprintf("engagement %d", id), e.State, tandem.EngagementActive,
			"UPDATE engagements SET state = $1, starts_on = $3, ends_on = $4 WHERE state = $2 AND id = $5", starts, ends, id); err != nil {
			return err
		}
		e.State, e.Starts, e.Ends = tandem.EngagementActive, starts, ends
		return nil
	})
	return e, err
}

// WithdrawEngagement withdraws a proposal, saying why: its targets go
// back from tour-proposed to ticketed, with a comment on their ticket,
// and its codebases are not proposed a Tour of Duty again. EINVALID
// without a reason or when it is not proposed; EFORBIDDEN for someone in
// neither team.
func (db *DB) WithdrawEngagement(ctx context.Context, id int64, reason, by string) (tandem.Engagement, error) {
	reason = strings.TrimSpace(reason)
	var e tandem.Engagement
	err := db.inTx(ctx, "withdraw engagement", func(tx *sql.Tx) error {
		var err error
		if e, err = changeEngagement(ctx, tx, id, by); err != nil {
			return err
		}
		if e.State != tandem.EngagementProposed {
			return tandem.Errorf(tandem.EINVALID, "engagement %d is %s: only a proposal is withdrawn (an active engagement ends)", id, e.State)
		}
		if reason == "" {
			return tandem.Errorf(tandem.EINVALID, "reason: say why engagement %d is withdrawn", id)
		}
		if err := withdraw(ctx, tx, e, reason, by); err != nil {
			return err
		}
		e.State, e.Reason, e.WithdrawnBy = tandem.EngagementWithdrawn, reason, by
		now := time.Now().UTC()
		return returnTargets(ctx, tx, e, tandem.TourWithdrawnComment, now)
	})
	return e, err
}

// withdraw moves a proposal to withdrawn, with why and by whom ("" when
// nobody withdrew it by hand).
func withdraw(ctx context.Context, tx *sql.Tx, e tandem.Engagement, reason, by string) error {
	return move(ctx, tx, tandem.EngagementLifecycle, fmt.Sprintf("engagement %d", e.ID), e.State, tandem.EngagementWithdrawn,
		"UPDATE engagements SET state = $1, reason = $3, withdrawn_by = $4 WHERE state = $2 AND id = $5", reason, by, e.ID)
}

// returnTargets gives the targets of a Tour of Duty that will not happen,
// or is over, back to their team: tour-proposed ones become ticketed, and
// exempt ones become ticketed when their exemption ends. When any target
// went back, its ticket says so with comment, given the codebases back.
func returnTargets(ctx context.Context, tx *sql.Tx, e tandem.Engagement, comment func(e tandem.Engagement, back []string) string, now time.Time) error {
	var back []string
	tickets := map[int64]bool{}
	for _, codebase := range e.Codebases {
		t, err := findTarget(ctx, tx, e.Migration, codebase)
		if tandem.ErrorCode(err) == tandem.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		switch t.State {
		case tandem.TargetTourProposed:
			if err := move(ctx, tx, tandem.TargetLifecycle, targetWhat(t.Migration, t.Codebase), t.State, tandem.TargetTicketed,
				"UPDATE targets SET state = $1, error = '' WHERE state = $2 AND migration = $3 AND codebase = $4", t.Migration, t.Codebase); err != nil {
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
		back = append(back, codebase)
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
	_, err := tx.ExecContext(ctx, "UPDATE targets SET exempt_from = $1 WHERE exempt_from = $2 AND migration = $3 AND codebase = $4",
		tandem.TargetTicketed, tandem.TargetTourProposed, t.Migration, t.Codebase)
	return err
}

// withdrawFinishedTours withdraws the proposed Tours of Duty of a
// migration that include codebase and whose codebases' targets are all
// done, exempt or gone from their host now, with a comment on their
// ticket: nothing is left for them to do. Call it where a target becomes
// done, exempt or gone.
func withdrawFinishedTours(ctx context.Context, tx *sql.Tx, migration, codebase string, now time.Time) error {
	ids, err := queryIDs(ctx, tx, `SELECT e.id FROM engagements e JOIN engagement_codebases c ON c.engagement_id = e.id
		WHERE e.migration = $1 AND c.codebase = $2 AND e.state = $3 ORDER BY e.id`, migration, codebase, tandem.EngagementProposed)
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
	var done, gone []string
	var exempt []tandem.Target
	tickets := map[int64]bool{}
	for _, codebase := range e.Codebases {
		t, err := findTarget(ctx, tx, e.Migration, codebase)
		if tandem.ErrorCode(err) == tandem.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		switch t.State {
		case tandem.TargetDone:
			done = append(done, codebase)
		case tandem.TargetExempt:
			exempt = append(exempt, t)
		case tandem.TargetGone:
			gone = append(gone, codebase)
		default:
			return nil
		}
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

// EndEngagement ends an active engagement today. Targets of its
// codebases still tour-proposed go back to ticketed, with a comment on
// their ticket. EINVALID when it is not active; EFORBIDDEN for someone in
// neither team.
func (db *DB) EndEngagement(ctx context.Context, id int64, by string) (tandem.Engagement, error) {
	var e tandem.Engagement
	err := db.inTx(ctx, "end engagement", func(tx *sql.Tx) error {
		var err error
		if e, err = changeEngagement(ctx, tx, id, by); err != nil {
			return err
		}
		if e.State != tandem.EngagementActive {
			hint := ""
			if e.State == tandem.EngagementProposed {
				hint = " (a proposal is withdrawn: tandem engagement withdraw " + fmt.Sprint(id) + " --reason TEXT)"
			}
			return tandem.Errorf(tandem.EINVALID, "engagement %d is %s: only an active engagement ends%s", id, e.State, hint)
		}
		now := time.Now().UTC()
		today := now.Format(time.DateOnly)
		if err := move(ctx, tx, tandem.EngagementLifecycle, fmt.Sprintf("engagement %d", id), e.State, tandem.EngagementEnded,
			"UPDATE engagements SET state = $1, ended_on = $3 WHERE state = $2 AND id = $4", today, id); err != nil {
			return err
		}
		e.State, e.EndedOn = tandem.EngagementEnded, today
		return returnTargets(ctx, tx, e, tandem.TourEndedComment, now)
	})
	return e, err
}

// LogWork adds hours to an engagement's log. The person engaged, or a
// member of either team, may log (EFORBIDDEN otherwise); hours are logged
// on a started engagement for a day from its start to the day it ended
// (EINVALID otherwise, tandem.Engagement.CheckLog); the same entry twice
// is ECONFLICT.
func (db *DB) LogWork(ctx context.Context, id int64, w tandem.WorkLog) (tandem.WorkLog, error) {
	err := db.inTx(ctx, "log work", func(tx *sql.Tx) error {
		e, err := findEngagement(ctx, tx, id)
		if err != nil {
			return err
		}
		theirs, err := teamsOf(ctx, tx, w.By)
		if err != nil {
			return err
		}
		if !tandem.MayLogWork(w.By, theirs, e) {
			return tandem.NotActing(w.By, fmt.Sprintf("engagement %d", id), e.HomeTeam, e.HostTeam)
		}
		if err := e.CheckLog(w.Day); err != nil {
			return err
		}
		if dup, err := anyRow(ctx, tx, "SELECT 1 FROM work_logs WHERE engagement_id = $1 AND day = $2 AND category = $3 AND note = $4",
			id, w.Day, w.Category, w.Note); err != nil {
			return err
		} else if dup {
			return tandem.Errorf(tandem.ECONFLICT, "engagement %d: %s %s %q is logged already", id, w.Day, w.Category, w.Note)
		}
		return tx.QueryRowContext(ctx, `INSERT INTO work_logs (engagement_id, day, hours, category, note, logged_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, id, w.Day, w.Hours, w.Category, w.Note, w.By, time.Now().UTC()).Scan(&w.ID)
	})
	return w, err
}

// FindEngagements returns the engagements f selects, with their codebases
// and logs.
func (db *DB) FindEngagements(ctx context.Context, f tandem.EngagementFilter) ([]tandem.Engagement, error) {
	var es []tandem.Engagement
	err := db.readTx(ctx, "find engagements", func(tx *sql.Tx) error {
		var err error
		es, err = findEngagements(ctx, tx, f)
		return err
	})
	if err == nil && f.ID != 0 && len(es) == 0 {
		return nil, tandem.Errorf(tandem.ENOTFOUND, "engagement %d not found", f.ID)
	}
	return es, err
}

// findEngagement returns engagement id, or ENOTFOUND.
func findEngagement(ctx context.Context, tx *sql.Tx, id int64) (tandem.Engagement, error) {
	es, err := findEngagements(ctx, tx, tandem.EngagementFilter{ID: id})
	if err != nil {
		return tandem.Engagement{}, err
	}
	if len(es) == 0 {
		return tandem.Engagement{}, tandem.Errorf(tandem.ENOTFOUND, "engagement %d not found", id)
	}
	return es[0], nil
}

// findEngagements returns the engagements f selects, by id, with their
// codebases and logs.
func findEngagements(ctx context.Context, tx *sql.Tx, f tandem.EngagementFilter) ([]tandem.Engagement, error) {
	var c conds
	addSet(&c, "id", f.ID)
	addSet(&c, "migration", f.Migration)
	addSet(&c, "platform", f.Platform)
	addSet(&c, "state", f.State)
	if f.Team != "" {
		c.add("(home_team = $%[1]d OR host_team = $%[1]d)", f.Team)
	}
	where, args := c.where(), c.args
	rows, err := tx.QueryContext(ctx, `SELECT id, type, state, person, home_team, host_team, purpose, platform, phase, migration, starts_on, ends_on,
		ended_on, reason, withdrawn_by, created_at FROM engagements`+where+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	es := []tandem.Engagement{}
	at := map[int64]int{}
	for rows.Next() {
		var e tandem.Engagement
		if err := rows.Scan(&e.ID, &e.Type, &e.State, &e.Person, &e.HomeTeam, &e.HostTeam, &e.Purpose, &e.Platform, &e.Phase,
			&e.Migration, &e.Starts, &e.Ends, &e.EndedOn, &e.Reason, &e.WithdrawnBy, &e.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		e.Codebases, e.Log, e.Warnings = []string{}, []tandem.WorkLog{}, []string{}
		at[e.ID] = len(es)
		es = append(es, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(es) == 0 {
		return es, err
	}
	// The codebases and logs of every engagement selected, in one query
	// each rather than two an engagement: a campaign page lists them all.
	selected := "SELECT id FROM engagements" + where
	crows, err := tx.QueryContext(ctx, "SELECT engagement_id, codebase FROM engagement_codebases WHERE engagement_id IN ("+selected+") ORDER BY engagement_id, codebase", args...)
	if err != nil {
		return nil, err
	}
	for crows.Next() {
		var id int64
		var codebase string
		if err := crows.Scan(&id, &codebase); err != nil {
			crows.Close()
			return nil, err
		}
		if i, ok := at[id]; ok {
			es[i].Codebases = append(es[i].Codebases, codebase)
		}
	}
	crows.Close()
	if err := crows.Err(); err != nil {
		return nil, err
	}
	lrows, err := tx.QueryContext(ctx, "SELECT engagement_id, id, day, hours, category, note, logged_by FROM work_logs WHERE engagement_id IN ("+selected+") ORDER BY engagement_id, day, id", args...)
	if err != nil {
		return nil, err
	}
	for lrows.Next() {
		var id int64
		var w tandem.WorkLog
		if err := lrows.Scan(&id, &w.ID, &w.Day, &w.Hours, &w.Category, &w.Note, &w.By); err != nil {
			lrows.Close()
			return nil, err
		}
		if i, ok := at[id]; ok {
			es[i].Log = append(es[i].Log, w)
		}
	}
	lrows.Close()
	if err := lrows.Err(); err != nil {
		return nil, err
	}
	return es, nil
}
