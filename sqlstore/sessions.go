package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/tandem-dev/tandem"
)

// CreateSession records an office hours or community session of a
// platform; EINVALID for an unknown platform or attending team.
func (db *DB) CreateSession(ctx context.Context, s tandem.Session) (tandem.Session, error) {
	err := db.inTx(ctx, "create session", func(tx *sql.Tx) error {
		if _, err := platformOwner(ctx, tx, s.Platform); err != nil {
			return err
		}
		for team := range s.Attendees {
			if ok, err := exists(ctx, tx, "teams", team); err != nil {
				return err
			} else if !ok {
				return tandem.Errorf(tandem.EINVALID, "attending team %q not found", team)
			}
		}
		if s.Attendees == nil {
			s.Attendees = map[string]int{}
		}
		s.Questions = nonNil(s.Questions)
		return tx.QueryRowContext(ctx, `INSERT INTO sessions (platform, kind, at, host, attendees, questions, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			s.Platform, s.Kind, s.At.UTC(), s.Host, encode(s.Attendees), encode(s.Questions), time.Now().UTC()).Scan(&s.ID)
	})
	return s, err
}

// FindSessions returns a platform's sessions ("" for all), newest first.
func (db *DB) FindSessions(ctx context.Context, platform string) ([]tandem.Session, error) {
	var ss []tandem.Session
	err := db.readTx(ctx, "find sessions", func(tx *sql.Tx) error {
		cond, args := where("platform", platform)
		rows, err := tx.QueryContext(ctx, "SELECT id, platform, kind, at, host, attendees, questions FROM sessions"+cond+" ORDER BY at DESC, id DESC", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		ss = []tandem.Session{}
		for rows.Next() {
			var s tandem.Session
			var attendees, questions string
			if err := rows.Scan(&s.ID, &s.Platform, &s.Kind, &s.At, &s.Host, &attendees, &questions); err != nil {
				return err
			}
			s.At = s.At.UTC()
			if err := decode(attendees, &s.Attendees); err != nil {
				return err
			}
			if err := decode(questions, &s.Questions); err != nil {
				return err
			}
			s.Questions = nonNil(s.Questions)
			ss = append(ss, s)
		}
		return rows.Err()
	})
	return ss, err
}
