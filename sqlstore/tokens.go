package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/tandem-dev/tandem"
)

// tokenUseGrain is how stale a token's last use may be before it is
// written again: not on every request, which would make every read a
// write.
const tokenUseGrain = time.Minute

// CreateToken records a token with the hash of its secret. A person with
// a team-member or platform-owner token must be in the catalog, since
// their teams are what the token lets them act for.
func (db *DB) CreateToken(ctx context.Context, t tandem.Token, hash string) (tandem.Token, error) {
	if !tandem.ValidRole(t.Role) {
		return tandem.Token{}, tandem.Errorf(tandem.EINVALID, "role %q: want one of admin, platform-owner, team-member, viewer, ci", t.Role)
	}
	switch {
	case t.Role == tandem.RoleCI && t.Codebase == "":
		return tandem.Token{}, tandem.Errorf(tandem.EINVALID, "a ci token needs the codebase it pushes results for")
	case t.Role != tandem.RoleCI && t.Codebase != "":
		return tandem.Token{}, tandem.Errorf(tandem.EINVALID, "only a ci token is bound to a codebase, not a %s's", t.Role)
	}
	if t.Person == "" {
		return tandem.Token{}, tandem.Errorf(tandem.EINVALID, "a token needs the person it is for")
	}
	err := db.inTx(ctx, "create token", func(tx *sql.Tx) error {
		if t.Role == tandem.RoleTeamMember || t.Role == tandem.RolePlatformOwner {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT (SELECT COUNT(*) FROM people WHERE handle = $1) + (SELECT COUNT(*) FROM memberships WHERE person = $1)", t.Person).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return tandem.Errorf(tandem.EINVALID, "person %q is not in the catalog: a %s acts for the teams the catalog lists them in", t.Person, t.Role)
			}
		}
		if t.Role == tandem.RoleCI {
			cbs, err := findCodebases(ctx, tx, tandem.CodebaseFilter{Name: t.Codebase})
			if err != nil && tandem.ErrorCode(err) != tandem.ENOTFOUND {
				return err
			}
			if len(cbs) == 0 {
				return tandem.Errorf(tandem.EINVALID, "codebase %q is not in the catalog: a ci token pushes results for a scanned codebase", t.Codebase)
			}
			t.Codebase = cbs[0].Name
		}
		t.CreatedAt = time.Now().UTC()
		if t.ExpiresAt != nil {
			expires := t.ExpiresAt.UTC()
			t.ExpiresAt = &expires
		}
		return tx.QueryRowContext(ctx, "INSERT INTO tokens (hash, person, role, label, codebase, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
			hash, t.Person, t.Role, t.Label, t.Codebase, t.CreatedAt, t.ExpiresAt).Scan(&t.ID)
	})
	return t, err
}

// Authenticate returns the live token with hash and notes its use. An
// expired token is dead like a revoked one. It reads beside the writer,
// and writes only when the last use noted is stale: a request with a
// token does not wait for the one SQLite writer.
func (db *DB) Authenticate(ctx context.Context, hash string, now time.Time) (tandem.Token, error) {
	var t tandem.Token
	err := db.readTx(ctx, "authenticate", func(tx *sql.Tx) error {
		ts, err := findTokens(ctx, tx, "hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)", hash, now.UTC())
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "the token is unknown, revoked or expired")
		}
		t = ts[0]
		return nil
	})
	if err != nil {
		return t, err
	}
	return db.noteUse(ctx, t, now)
}

// noteUse records that t was used at now, unless the last use noted is
// recent.
func (db *DB) noteUse(ctx context.Context, t tandem.Token, now time.Time) (tandem.Token, error) {
	if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < tokenUseGrain {
		return t, nil
	}
	t.LastUsedAt = &now
	err := db.inTx(ctx, "note token use", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE tokens SET last_used_at = $1 WHERE id = $2", now, t.ID)
		return err
	})
	return t, err
}

// FindTokens returns every token, revoked ones included, oldest first.
func (db *DB) FindTokens(ctx context.Context) ([]tandem.Token, error) {
	var ts []tandem.Token
	err := db.readTx(ctx, "find tokens", func(tx *sql.Tx) error {
		var err error
		ts, err = findTokens(ctx, tx, "1 = 1")
		return err
	})
	return ts, err
}

// RevokeToken ends a token and the browser sessions signed in with it;
// revoking it again changes nothing.
func (db *DB) RevokeToken(ctx context.Context, id int64, now time.Time) (tandem.Token, error) {
	var t tandem.Token
	err := db.inTx(ctx, "revoke token", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", now, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM web_sessions WHERE token_id = $1", id); err != nil {
			return err
		}
		ts, err := findTokens(ctx, tx, "id = $1", id)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "token %d not found", id)
		}
		t = ts[0]
		return nil
	})
	return t, err
}

// CreateWebSession records a browser session bound to a live token,
// ending no later than the token, and deletes the expired sessions.
func (db *DB) CreateWebSession(ctx context.Context, hash string, tokenID int64, expires time.Time) error {
	now := time.Now().UTC()
	return db.inTx(ctx, "create web session", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM web_sessions WHERE expires_at <= $1", now); err != nil {
			return err
		}
		ts, err := findTokens(ctx, tx, "id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)", tokenID, now)
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "token %d is unknown, revoked or expired", tokenID)
		}
		if t := ts[0]; t.ExpiresAt != nil && t.ExpiresAt.Before(expires) {
			expires = *t.ExpiresAt
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO web_sessions (hash, token_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
			hash, tokenID, now, expires.UTC())
		return err
	})
}

// AuthenticateWebSession returns the live token of the live browser
// session with hash, and notes the token's use as Authenticate does.
func (db *DB) AuthenticateWebSession(ctx context.Context, hash string, now time.Time) (tandem.Token, error) {
	var t tandem.Token
	err := db.readTx(ctx, "authenticate web session", func(tx *sql.Tx) error {
		ts, err := findTokens(ctx, tx, `id = (SELECT token_id FROM web_sessions WHERE hash = $1 AND expires_at > $2)
			AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`, hash, now.UTC())
		if err != nil {
			return err
		}
		if len(ts) == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "the session is unknown or expired, or its token revoked")
		}
		t = ts[0]
		return nil
	})
	if err != nil {
		return t, err
	}
	return db.noteUse(ctx, t, now)
}

// DeleteWebSession ends a browser session.
func (db *DB) DeleteWebSession(ctx context.Context, hash string) error {
	return db.inTx(ctx, "delete web session", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM web_sessions WHERE hash = $1", hash)
		return err
	})
}

func findTokens(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]tandem.Token, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, person, role, label, codebase, created_at, last_used_at, revoked_at, expires_at FROM tokens WHERE "+cond+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ts := []tandem.Token{}
	for rows.Next() {
		var t tandem.Token
		var used, revoked, expires sql.NullTime
		if err := rows.Scan(&t.ID, &t.Person, &t.Role, &t.Label, &t.Codebase, &t.CreatedAt, &used, &revoked, &expires); err != nil {
			return nil, err
		}
		t.CreatedAt = t.CreatedAt.UTC()
		t.LastUsedAt, t.RevokedAt, t.ExpiresAt = timePtr(used), timePtr(revoked), timePtr(expires)
		ts = append(ts, t)
	}
	return ts, rows.Err()
}
