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

// CreateEngagement records a person moved between teams for a time box.
// It returns EINVALID for unknown teams or a person in neither team.
func (db *DB) CreateEngagement(ctx context.Context, e tandem.Engagement) (tandem.Engagement, error) {
	err := db.inTx(ctx, "create engagement", func(tx *sql.Tx) error {
		for _, team := range []string{e.HomeTeam, e.HostTeam} {
			if ok, err := exists(ctx, tx, "teams", team); err != nil {
				return err
			} else if !ok {
				return notFound(tandem.EINVALID, "team", team)
			}
		}
		if e.Platform != "" {
			if _, err := platformOwner(ctx, tx, e.Platform); err != nil {
				return err
			}
		}
		if ok, err := mayAct(ctx, tx, e.Person, e.HomeTeam); err != nil {
			return err
		} else if !ok {
			return tandem.Errorf(tandem.EINVALID, "person %q is not a member of %s, the home team", e.Person, e.HomeTeam)
		}
		e.CreatedAt = time.Now().UTC()
		if e.State == "" {
			e.State = tandem.EngagementActive
		}
		return tx.QueryRowContext(ctx, `INSERT INTO engagements (type, state, person, home_team, host_team, purpose, platform, phase, starts_on, ends_on, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			e.Type, e.State, e.Person, e.HomeTeam, e.HostTeam, e.Purpose, e.Platform, e.Phase, e.Starts, e.Ends, e.CreatedAt).Scan(&e.ID)
	})
	e.Log = []tandem.WorkLog{}
	return e, err
}

// EndEngagement marks an engagement ended; EFORBIDDEN for someone in
// neither team.
func (db *DB) EndEngagement(ctx context.Context, id int64, by string) (tandem.Engagement, error) {
	var e tandem.Engagement
	err := db.inTx(ctx, "end engagement", func(tx *sql.Tx) error {
		es, err := findEngagements(ctx, tx, tandem.EngagementFilter{ID: id})
		if err != nil {
			return err
		}
		if len(es) == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "engagement %d not found", id)
		}
		e = es[0]
		if ok, err := mayAct(ctx, tx, by, e.HomeTeam, e.HostTeam); err != nil {
			return err
		} else if !ok {
			return notActing(by, fmt.Sprintf("engagement %d", id), e.HomeTeam, e.HostTeam)
		}
		e.State = tandem.EngagementEnded
		_, err = tx.ExecContext(ctx, "UPDATE engagements SET state = $1 WHERE id = $2", e.State, id)
		return err
	})
	return e, err
}

// LogWork adds hours to an engagement's log. The person engaged, or a
// member of either team, may log (EFORBIDDEN otherwise); the same entry
// twice is ECONFLICT.
func (db *DB) LogWork(ctx context.Context, id int64, w tandem.WorkLog) (tandem.WorkLog, error) {
	err := db.inTx(ctx, "log work", func(tx *sql.Tx) error {
		es, err := findEngagements(ctx, tx, tandem.EngagementFilter{ID: id})
		if err != nil {
			return err
		}
		if len(es) == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "engagement %d not found", id)
		}
		e := es[0]
		if ok, err := mayAct(ctx, tx, w.By, e.HomeTeam, e.HostTeam); err != nil {
			return err
		} else if !ok && w.By != e.Person {
			return notActing(w.By, fmt.Sprintf("engagement %d", id), e.HomeTeam, e.HostTeam)
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

// FindEngagements returns the engagements f selects, with their logs.
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

func findEngagements(ctx context.Context, tx *sql.Tx, f tandem.EngagementFilter) ([]tandem.Engagement, error) {
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
	if f.Platform != "" {
		add("platform = $%d", f.Platform)
	}
	if f.Team != "" {
		args = append(args, f.Team, f.Team)
		conds = append(conds, fmt.Sprintf("(home_team = $%d OR host_team = $%d)", len(args)-1, len(args)))
	}
	query := `SELECT id, type, state, person, home_team, host_team, purpose, platform, phase, migration, codebase, starts_on, ends_on, created_at FROM engagements`
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := tx.QueryContext(ctx, query+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	es := []tandem.Engagement{}
	for rows.Next() {
		var e tandem.Engagement
		if err := rows.Scan(&e.ID, &e.Type, &e.State, &e.Person, &e.HomeTeam, &e.HostTeam, &e.Purpose, &e.Platform, &e.Phase,
			&e.Migration, &e.Codebase, &e.Starts, &e.Ends, &e.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		e.Log, e.Warnings = []tandem.WorkLog{}, []string{}
		es = append(es, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range es {
		lrows, err := tx.QueryContext(ctx, "SELECT id, day, hours, category, note, logged_by FROM work_logs WHERE engagement_id = $1 ORDER BY day, id", es[i].ID)
		if err != nil {
			return nil, err
		}
		for lrows.Next() {
			var w tandem.WorkLog
			if err := lrows.Scan(&w.ID, &w.Day, &w.Hours, &w.Category, &w.Note, &w.By); err != nil {
				lrows.Close()
				return nil, err
			}
			es[i].Log = append(es[i].Log, w)
		}
		lrows.Close()
		if err := lrows.Err(); err != nil {
			return nil, err
		}
	}
	return es, nil
}
