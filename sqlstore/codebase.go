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
	"github.com/tandem-dev/tandem/codeowners"
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
	var saved tandem.Codebase
	var scan tandem.Scan
	var conflicts []tandem.Problem // committed: the scan counts them
	err := db.inTx(ctx, "save codebase", func(tx *sql.Tx) error {
		var err error
		if scan, conflicts, err = db.saveReads(ctx, tx, scanID, []tandem.CodebaseRead{read}); err != nil || len(conflicts) > 0 {
			return err
		}
		found, err := findCodebases(ctx, tx, tandem.CodebaseFilter{Name: read.Codebase.Name, Host: read.Codebase.Host})
		if err == nil && len(found) == 1 {
			saved = found[0]
		}
		return err
	})
	if err == nil && len(conflicts) > 0 {
		err = tandem.Errorf(tandem.ECONFLICT, "%s", conflicts[0].Message)
	}
	if err != nil {
		return tandem.Codebase{}, scan, err
	}
	return saved, scan, nil
}

// SaveCodebases saves reads as SaveCodebase does, in one transaction: a
// read whose name belongs to another host is marked failed in the scan,
// with the conflict among its problems, and the others are saved. It
// returns the scan as the batch left it.
func (db *DB) SaveCodebases(ctx context.Context, scanID int64, reads []tandem.CodebaseRead) (tandem.Scan, error) {
	var scan tandem.Scan
	err := db.inTx(ctx, "save codebases", func(tx *sql.Tx) error {
		var err error
		scan, _, err = db.saveReads(ctx, tx, scanID, reads)
		return err
	})
	return scan, err
}

// saveReads saves reads in tx and marks them in scan scanID (0: none),
// adding to its counters, and returns the scan and the conflicts met.
func (db *DB) saveReads(ctx context.Context, tx *sql.Tx, scanID int64, reads []tandem.CodebaseRead) (tandem.Scan, []tandem.Problem, error) {
	for _, r := range reads {
		if r.Codebase.Name == "" || r.Codebase.Host == "" {
			return tandem.Scan{}, nil, tandem.Errorf(tandem.EINVALID, "save codebase: name and host are required")
		}
	}
	var scan tandem.Scan
	var prev map[[2]string]scanRow
	if scanID != 0 {
		var err error
		if scan, err = db.lockScan(ctx, tx, scanID); err != nil {
			return scan, nil, err
		}
		if prev, err = db.scanRows(ctx, tx, scanID, reads); err != nil {
			return scan, nil, err
		}
	}
	w := codebaseWriter{tx: tx, now: time.Now().UTC()}
	var delta progress
	var changed []scanRow
	var conflicts, problems []tandem.Problem
	for _, r := range reads {
		c := r.Codebase
		p, had := prev[[2]string{c.Host, c.Name}]
		if p.state == readDone {
			continue // counted already: nothing changes
		}
		ok, err := w.save(ctx, r)
		if err != nil {
			return scan, nil, err
		}
		row := scanRow{host: c.Host, name: c.Name, state: readDone, bytes: r.BytesRead}
		var conflict []tandem.Problem
		switch {
		case !ok:
			var host string
			if err := tx.QueryRowContext(ctx, "SELECT host FROM codebases WHERE name = $1", c.Name).Scan(&host); err != nil {
				return scan, nil, err
			}
			conflict = []tandem.Problem{{File: "codehost/" + c.Host, Field: c.Name,
				Message: fmt.Sprintf("codebase %q already exists on host %q", c.Name, host)}}
			conflicts = append(conflicts, conflict...)
			row = scanRow{host: c.Host, name: c.Name, state: readFailed}
		case c.Head == "":
			row.state = readFailed
		}
		if scanID == 0 || had && p.state == row.state {
			continue // in no scan, or counted as it is
		}
		delta.move(p, had, row)
		changed = append(changed, row)
		problems = append(problems, conflict...)
	}
	if scanID == 0 {
		return scan, conflicts, nil
	}
	if err := writeScanRows(ctx, tx, scanID, changed); err != nil {
		return scan, nil, err
	}
	if err := addScanProblems(ctx, tx, scan, problems); err != nil {
		return scan, nil, err
	}
	scan, err := db.advanceScan(ctx, tx, scanID, delta)
	return scan, conflicts, err
}

// codebaseWriter saves the reads of one transaction, reading the teams
// and Codebase documents that resolve owners once.
type codebaseWriter struct {
	tx       *sql.Tx
	now      time.Time
	teams    []tandem.Team
	policies map[string]*tandem.CodebasePolicy
}

// save writes one read: an unchanged one stamps the codebase scanned,
// another writes what was read and its check results. It reports false,
// writing nothing, when the codebase's name belongs to another host.
func (w *codebaseWriter) save(ctx context.Context, r tandem.CodebaseRead) (bool, error) {
	c := r.Codebase
	if r.Unchanged {
		res, err := w.tx.ExecContext(ctx, "UPDATE codebases SET scanned_at = $1 WHERE name = $2 AND host = $3", w.now, c.Name, c.Host)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	if w.policies == nil {
		var err error
		if w.teams, err = findTeams(ctx, w.tx, ""); err != nil {
			return false, err
		}
		if w.policies, err = findPolicies(ctx, w.tx, ""); err != nil {
			return false, err
		}
	}
	ok, err := upsertCodebase(ctx, w.tx, c, resolve(w.policies[policyKey(c.Name)], c.Ownership, w.teams), w.now)
	if err != nil || !ok {
		return false, err
	}
	return true, saveResults(ctx, w.tx, c.Name, c.Head, r.Results, w.now)
}

// touchCodebases stamps the codebases names of host scanned at now, their
// last read standing, in one statement: on PostgreSQL a statement per few
// hundred names cost most of an unchanged rescan of a large fleet.
func (db *DB) touchCodebases(ctx context.Context, tx *sql.Tx, host string, names []string, now time.Time) error {
	if len(names) == 0 {
		return nil
	}
	cond, arg := db.oneOf("name", 3, names)
	_, err := tx.ExecContext(ctx, "UPDATE codebases SET scanned_at = $1 WHERE host = $2 AND "+cond, now, host, arg)
	return err
}

// LastReads returns what is stored of the last read of host's codebases
// that are not gone, by name: all of them, or those in names. A gone
// codebase has none, so that one back on its host is read in full.
func (db *DB) LastReads(ctx context.Context, host string, names ...string) (map[string]tandem.LastRead, error) {
	last := map[string]tandem.LastRead{}
	err := db.readTx(ctx, "last reads", func(tx *sql.Tx) error {
		if len(names) == 0 {
			return lastReads(ctx, tx, last, "c.host = $1", host)
		}
		cond, arg := db.oneOf("c.name", 2, names)
		return lastReads(ctx, tx, last, "c.host = $1 AND "+cond, host, arg)
	})
	return last, err
}

// lastReads adds to last the heads of the codebases cond selects and the
// digests of their results at those heads.
func lastReads(ctx context.Context, tx *sql.Tx, last map[string]tandem.LastRead, cond string, args ...any) error {
	cond += " AND c.gone_at IS NULL AND c.head <> ''"
	heads, err := pairs(ctx, tx, "SELECT c.name, c.head FROM codebases c WHERE "+cond, args...)
	if err != nil {
		return err
	}
	for name, head := range heads {
		last[name] = tandem.LastRead{Head: head[0], Digests: map[string]string{}}
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.codebase, r.check_id, r.digest FROM check_results r
		JOIN codebases c ON c.name = r.codebase AND c.head = r.commit_id WHERE r.source = '' AND `+cond, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name, check, digest string
		if err := rows.Scan(&name, &check, &digest); err != nil {
			return err
		}
		last[name].Digests[check] = digest
	}
	return rows.Err()
}

// upsertCodebase writes what was read of c with its resolved owner r, and
// reports false, writing nothing, when c's name belongs to another host.
func upsertCodebase(ctx context.Context, tx *sql.Tx, c tandem.Codebase, r resolution, now time.Time) (bool, error) {
	var name string
	err := tx.QueryRowContext(ctx, `INSERT INTO codebases (name, host, default_branch, head, ownership, problems,
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
	present, err := findCodebases(ctx, tx, tandem.CodebaseFilter{})
	if err != nil {
		return err
	}
	gone, err := findCodebases(ctx, tx, tandem.CodebaseFilter{Gone: true})
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	for _, c := range slices.Concat(present, gone) {
		if err := resolveCodebase(ctx, tx, c, policies[policyKey(c.Name)], teams); err != nil {
			return err
		}
		if c.GoneAt == nil && codeowners.Narrower(c.Ownership) {
			// Its paths may belong to other teams' parts now.
			if err := moveByResults(ctx, tx, c.Name, nil, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolveCodebase records c's owner, contributions and trusted as policy
// and teams now resolve them, when they changed, and gives its targets
// not ticketed yet the owner as their team.
func resolveCodebase(ctx context.Context, tx *sql.Tx, c tandem.Codebase, policy *tandem.CodebasePolicy, teams []tandem.Team) error {
	r := resolve(policy, c.Ownership, teams)
	same := r.owner.Valid == (c.Owner != nil) && (c.Owner == nil || *c.Owner == r.owner.String) &&
		r.source == c.OwnerSource && r.contributions == c.Contributions && slices.Equal(r.trusted, c.Trusted)
	if same {
		return nil
	}
	if _, err := tx.ExecContext(ctx,
		"UPDATE codebases SET owner = $1, owner_source = $2, contributions = $3, trusted = $4 WHERE name = $5",
		r.owner, r.source, r.contributions, encode(r.trusted), c.Name); err != nil {
		return err
	}
	return syncTargetTeams(ctx, tx, c.Name)
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
