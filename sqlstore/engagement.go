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
	return findByID(ctx, db, "engagement", f.ID, func(tx *sql.Tx) ([]tandem.Engagement, error) {
		return findEngagements(ctx, tx, f)
	})
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
	es, err := queryRows(ctx, tx, scanEngagement, `SELECT id, type, state, person, home_team, host_team, purpose, platform, phase, migration, starts_on, ends_on,
		ended_on, reason, withdrawn_by, created_at FROM engagements`+where+" ORDER BY id", args...)
	if err != nil || len(es) == 0 {
		return es, err
	}
	at := make(map[int64]int, len(es))
	for i, e := range es {
		at[e.ID] = i
	}
	// The codebases and logs of every engagement selected, in one query
	// each rather than two an engagement: a campaign page lists them all.
	selected := "SELECT id FROM engagements" + where
	type codebaseOf struct {
		id       int64
		codebase string
	}
	codebases, err := queryRows(ctx, tx, func(rows *sql.Rows) (c codebaseOf, err error) {
		err = rows.Scan(&c.id, &c.codebase)
		return c, err
	}, "SELECT engagement_id, codebase FROM engagement_codebases WHERE engagement_id IN ("+selected+") ORDER BY engagement_id, codebase", args...)
	if err != nil {
		return nil, err
	}
	for _, c := range codebases {
		if i, ok := at[c.id]; ok {
			es[i].Codebases = append(es[i].Codebases, c.codebase)
		}
	}
	type logOf struct {
		id int64
		w  tandem.WorkLog
	}
	logs, err := queryRows(ctx, tx, func(rows *sql.Rows) (l logOf, err error) {
		err = rows.Scan(&l.id, &l.w.ID, &l.w.Day, &l.w.Hours, &l.w.Category, &l.w.Note, &l.w.By)
		return l, err
	}, "SELECT engagement_id, id, day, hours, category, note, logged_by FROM work_logs WHERE engagement_id IN ("+selected+") ORDER BY engagement_id, day, id", args...)
	if err != nil {
		return nil, err
	}
	for _, l := range logs {
		if i, ok := at[l.id]; ok {
			es[i].Log = append(es[i].Log, l.w)
		}
	}
	return es, nil
}

// scanEngagement reads an engagement from a row of findEngagements,
// without its codebases and log.
func scanEngagement(rows *sql.Rows) (tandem.Engagement, error) {
	var e tandem.Engagement
	err := rows.Scan(&e.ID, &e.Type, &e.State, &e.Person, &e.HomeTeam, &e.HostTeam, &e.Purpose, &e.Platform, &e.Phase,
		&e.Migration, &e.Starts, &e.Ends, &e.EndedOn, &e.Reason, &e.WithdrawnBy, &e.CreatedAt)
	e.Codebases, e.Log, e.Warnings = []string{}, []tandem.WorkLog{}, []string{}
	return e, err
}
