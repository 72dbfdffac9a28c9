package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// SaveCodebase records what a scan read of c (host, default branch, head,
// ownership, problems), stamps it scanned now, resolves its owner,
// contributions and trusted against the stored teams and Codebase
// documents, and marks it in scan scanID (0: in no scan) done, or failed
// when it could not be read (no head). Saving a read the scan already
// counted changes nothing. It returns the stored codebase and the scan as
// the save left it (the zero Scan in no scan); EINVALID when c
// has no name or host; ENOTFOUND for an unknown scan; ECONFLICT, with the
// codebase marked failed in the scan and the conflict added to its
// problems, when a codebase of that name exists on another host.
func (db *DB) SaveCodebase(ctx context.Context, scanID int64, read tandem.CodebaseRead) (tandem.Codebase, tandem.Scan, error) {
	c := read.Codebase
	if c.Name == "" || c.Host == "" {
		return tandem.Codebase{}, tandem.Scan{}, tandem.Errorf(tandem.EINVALID, "save codebase: name and host are required")
	}
	var saved tandem.Codebase
	var scan tandem.Scan
	var conflict error // committed: the scan counts the conflict
	err := db.inTx(ctx, "save codebase", func(tx *sql.Tx) error {
		scan = tandem.Scan{}
		if scanID != 0 {
			var err error
			if scan, err = db.lockScan(ctx, tx, scanID); err != nil {
				return err
			}
			counted, err := anyRow(ctx, tx, `SELECT 1 FROM scan_codebases
				WHERE scan_id = $1 AND host = $2 AND name = $3 AND state = $4`, scanID, c.Host, c.Name, readDone)
			if err != nil {
				return err
			}
			if counted {
				found, err := findCodebases(ctx, tx, tandem.CodebaseFilter{Name: c.Name, Host: c.Host})
				if err != nil {
					return err
				}
				if len(found) == 1 {
					saved = found[0]
					return nil
				}
			}
		}
		now := time.Now().UTC()
		var ok bool
		var err error
		if read.Unchanged {
			ok, err = touchCodebase(ctx, tx, c, now)
		} else {
			ok, err = upsertCodebase(ctx, tx, c, now)
		}
		if err != nil {
			return err
		}
		if ok && !read.Unchanged {
			if err := saveResults(ctx, tx, c.Name, read.Results, now); err != nil {
				return err
			}
		}
		if !ok {
			var host string
			if err := tx.QueryRowContext(ctx, "SELECT host FROM codebases WHERE name = $1", c.Name).Scan(&host); err != nil {
				return err
			}
			conflict = tandem.Errorf(tandem.ECONFLICT, "codebase %q already exists on host %q", c.Name, host)
			if scanID == 0 {
				return nil
			}
			problem := tandem.Problem{File: "codehost/" + c.Host, Field: c.Name, Message: conflict.Error()}
			scan, err = markRead(ctx, tx, scan, c.Host, c.Name, readFailed, 0, &problem)
			return err
		}
		if scanID != 0 {
			state := readDone
			if c.Head == "" {
				state = readFailed
			}
			if scan, err = markRead(ctx, tx, scan, c.Host, c.Name, state, read.BytesRead, nil); err != nil {
				return err
			}
		}
		found, err := findCodebases(ctx, tx, tandem.CodebaseFilter{Name: c.Name})
		if err != nil {
			return err
		}
		saved = found[0]
		return nil
	})
	if err == nil {
		err = conflict
	}
	if err != nil {
		return tandem.Codebase{}, scan, err
	}
	return saved, scan, nil
}

// touchCodebase records that c was scanned again with nothing changed, and
// reports false when c's name belongs to another host or is not stored.
func touchCodebase(ctx context.Context, tx *sql.Tx, c tandem.Codebase, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, "UPDATE codebases SET scanned_at = $1 WHERE name = $2 AND host = $3", now, c.Name, c.Host)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// upsertCodebase writes what was read of c with its resolved owner, and
// reports false, writing nothing, when c's name belongs to another host.
func upsertCodebase(ctx context.Context, tx *sql.Tx, c tandem.Codebase, now time.Time) (bool, error) {
	teams, err := findTeams(ctx, tx, "")
	if err != nil {
		return false, err
	}
	policies, err := findPolicies(ctx, tx, c.Name)
	if err != nil {
		return false, err
	}
	r := resolve(policies[policyKey(c.Name)], c.Ownership, teams)
	var name string
	err = tx.QueryRowContext(ctx, `INSERT INTO codebases (name, host, default_branch, head, ownership, problems,
			scanned_at, owner, owner_source, contributions, trusted, location)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (name) DO UPDATE SET default_branch = excluded.default_branch, head = excluded.head, location = excluded.location,
			ownership = excluded.ownership, problems = excluded.problems, scanned_at = excluded.scanned_at,
			owner = excluded.owner, owner_source = excluded.owner_source,
			contributions = excluded.contributions, trusted = excluded.trusted
		WHERE codebases.host = excluded.host
		RETURNING name`,
		c.Name, c.Host, c.DefaultBranch, c.Head, encode(c.Ownership), encode(nonNil(c.Problems)),
		now, r.owner, r.source, r.contributions, encode(r.trusted), c.Location).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, syncTargetTeams(ctx, tx, c.Name)
}

// resolution is a codebase's effective owner and contribution policy.
type resolution struct {
	owner         sql.NullString
	source        string
	contributions string
	trusted       []string
}

// resolve returns the owner that policy, own and teams name, and the
// policy's contributions (closed by default) and trusted.
func resolve(policy *tandem.CodebasePolicy, own tandem.Ownership, teams []tandem.Team) resolution {
	owner, source := tandem.ResolveOwner(policy, own, teams)
	r := resolution{
		owner:         sql.NullString{String: owner, Valid: owner != ""},
		source:        source,
		contributions: tandem.Closed,
		trusted:       []string{},
	}
	if policy != nil {
		if policy.Contributions != "" {
			r.contributions = policy.Contributions
		}
		r.trusted = nonNil(policy.Trusted)
	}
	return r
}

// policyKey is the key of findPolicies' map: a Codebase document names
// its codebase in any case.
func policyKey(name string) string { return strings.ToLower(name) }

// findPolicies returns the Codebase documents by policyKey of their name:
// the one that names the codebase called name, in any case, or all when
// name is "".
func findPolicies(ctx context.Context, tx *sql.Tx, name string) (map[string]*tandem.CodebasePolicy, error) {
	cond, args := "", []any(nil)
	if name != "" {
		cond, args = " WHERE LOWER(name) = LOWER($1)", []any{name}
	}
	rows, err := tx.QueryContext(ctx, "SELECT name, owner, contributions, trusted FROM codebase_policies"+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	policies := map[string]*tandem.CodebasePolicy{}
	for rows.Next() {
		var p tandem.CodebasePolicy
		var trusted string
		if err := rows.Scan(&p.Name, &p.Owner, &p.Contributions, &trusted); err != nil {
			return nil, err
		}
		if err := decode(trusted, &p.Trusted); err != nil {
			return nil, err
		}
		policies[policyKey(p.Name)] = &p
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// The commit bits granted on the trust ladder join the declared ones.
	cond, args = where("codebase", name)
	grants, err := pairs(ctx, tx, "SELECT codebase, person FROM trust_grants"+cond, args...)
	if err != nil {
		return nil, err
	}
	for codebase, people := range grants {
		if p := policies[policyKey(codebase)]; p != nil {
			for _, who := range people {
				if !slices.Contains(p.Trusted, who) {
					p.Trusted = append(p.Trusted, who)
				}
			}
		}
	}
	return policies, nil
}

// resolveAll resolves the owner, contributions and trusted of every
// stored codebase again, after teams or Codebase documents changed.
func resolveAll(ctx context.Context, tx *sql.Tx) error {
	teams, err := findTeams(ctx, tx, "")
	if err != nil {
		return err
	}
	policies, err := findPolicies(ctx, tx, "")
	if err != nil {
		return err
	}
	codebases, err := findCodebases(ctx, tx, tandem.CodebaseFilter{})
	if err != nil {
		return err
	}
	for _, c := range codebases {
		r := resolve(policies[policyKey(c.Name)], c.Ownership, teams)
		same := r.owner.Valid == (c.Owner != nil) && (c.Owner == nil || *c.Owner == r.owner.String) &&
			r.source == c.OwnerSource && r.contributions == c.Contributions && slices.Equal(r.trusted, c.Trusted)
		if same {
			continue
		}
		if _, err := tx.ExecContext(ctx,
			"UPDATE codebases SET owner = $1, owner_source = $2, contributions = $3, trusted = $4 WHERE name = $5",
			r.owner, r.source, r.contributions, encode(r.trusted), c.Name); err != nil {
			return err
		}
		if err := syncTargetTeams(ctx, tx, c.Name); err != nil {
			return err
		}
	}
	return nil
}

// checkPullRequestURL returns EINVALID unless url is the address of a pull
// request of codebase's repository on its code host
// (tandem.ValidatePullRequestURL).
func checkPullRequestURL(ctx context.Context, tx *sql.Tx, codebase, url string) error {
	cbs, err := findCodebases(ctx, tx, tandem.CodebaseFilter{Name: codebase})
	if err != nil {
		return err
	}
	var host tandem.CodeHost
	if len(cbs) > 0 {
		hs, err := findCodeHosts(ctx, tx, cbs[0].Host)
		if err != nil {
			return err
		}
		if len(hs) > 0 {
			host = hs[0]
		}
	}
	return tandem.ValidatePullRequestURL("pr", url, host, codebase)
}
