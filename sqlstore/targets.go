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
	"github.com/tandem-dev/tandem/codeowners"
)

// targetColumns are the columns findTargets reads, joined with the owner of
// the codebase, the ticket and the change request.
const targetColumns = `t.migration, t.codebase, t.part, c.owner, t.team, t.state, t.evidence, t.commit_id, t.found_at,
	t.ticketed_at, t.pr_opened_at, t.done_at, t.exemption, t.error,
	k.id, k.url, k.state, r.id, r.url, r.state, r.branch`

const targetJoins = ` FROM targets t
	LEFT JOIN codebases c ON c.name = t.codebase
	LEFT JOIN tickets k ON k.id = t.ticket_id
	LEFT JOIN change_requests r ON r.id = t.change_request_id`

// FindTargets returns a migration's targets sorted by codebase, with each
// codebase's current owner, ticket and change request. It returns
// ENOTFOUND for an unknown migration.
func (db *DB) FindTargets(ctx context.Context, migration string) ([]tandem.Target, error) {
	var targets []tandem.Target
	err := db.readTx(ctx, "find targets", func(tx *sql.Tx) error {
		if ok, err := exists(ctx, tx, "migrations", migration); err != nil {
			return err
		} else if !ok {
			return notFound(tandem.ENOTFOUND, "migration", migration)
		}
		var err error
		targets, err = findTargets(ctx, tx, "t.migration = $1", migration)
		return err
	})
	return targets, err
}

func findTargets(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]tandem.Target, error) {
	return findTargetsOrdered(ctx, tx, cond+" ORDER BY t.codebase, t.part", args...)
}

// FindCodebaseTargets returns a codebase's targets in every migration,
// by migration, through the index on targets (codebase).
func (db *DB) FindCodebaseTargets(ctx context.Context, codebase string) ([]tandem.Target, error) {
	var targets []tandem.Target
	err := db.readTx(ctx, "find codebase targets", func(tx *sql.Tx) error {
		var err error
		targets, err = findTargetsOrdered(ctx, tx, "t.codebase = $1 ORDER BY t.migration, t.part", codebase)
		return err
	})
	return targets, err
}

// findTargetsOrdered returns the targets of a WHERE clause that carries its
// own ORDER BY (and LIMIT).
func findTargetsOrdered(ctx context.Context, tx *sql.Tx, clause string, args ...any) ([]tandem.Target, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+targetColumns+targetJoins+" WHERE "+clause, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	targets := []tandem.Target{}
	for rows.Next() {
		var t tandem.Target
		var owner, ticketURL, ticketState, crURL, crState, crBranch sql.NullString
		var ticketID, crID sql.NullInt64
		var ticketed, prOpened, done sql.NullTime
		var evidence, exemption string
		if err := rows.Scan(&t.Migration, &t.Codebase, &t.Part, &owner, &t.Team, &t.State, &evidence, &t.Commit, &t.FoundAt,
			&ticketed, &prOpened, &done, &exemption, &t.Error,
			&ticketID, &ticketURL, &ticketState, &crID, &crURL, &crState, &crBranch); err != nil {
			return nil, err
		}
		t.Owner = partOwner(t.Part, owner)
		t.TicketedAt, t.PROpenedAt, t.DoneAt = timePtr(ticketed), timePtr(prOpened), timePtr(done)
		if ticketID.Valid {
			t.Ticket = &tandem.TicketRef{ID: ticketID.Int64, URL: ticketURL.String, State: ticketState.String}
		}
		if crID.Valid {
			t.PullRequest = &tandem.ChangeRequestRef{ID: crID.Int64, URL: crURL.String, State: crState.String, Branch: crBranch.String}
		}
		if exemption != "" {
			t.Exemption = &tandem.Exemption{}
			if err := decode(exemption, t.Exemption); err != nil {
				return nil, err
			}
		}
		if err := decode(evidence, &t.Evidence); err != nil {
			return nil, err
		}
		t.Evidence = nonNil(t.Evidence)
		targets = append(targets, t)
	}
	return targets, rows.Err()
}

// partOwner returns the owner of a target's paths: the codebase's owner
// for part "", the part's team otherwise, none for PartUnowned.
func partOwner(part string, codebaseOwner sql.NullString) *string {
	switch {
	case part == tandem.PartUnowned:
		return nil
	case part != "":
		return &part
	case codebaseOwner.Valid:
		return &codebaseOwner.String
	}
	return nil
}

// findTarget returns one target, the part of codebase, or ENOTFOUND.
func findTarget(ctx context.Context, tx *sql.Tx, migration, codebase, part string) (tandem.Target, error) {
	ts, err := findTargets(ctx, tx, "t.migration = $1 AND t.codebase = $2 AND t.part = $3", migration, codebase, part)
	if err != nil {
		return tandem.Target{}, err
	}
	if len(ts) == 0 {
		return tandem.Target{}, tandem.Errorf(tandem.ENOTFOUND, "%q is not a target of migration %q", tandem.TargetAddress(codebase, part), migration)
	}
	return ts[0], nil
}

// moveTargets moves a migration's targets on a codebase after a scan:
// one per owned part its target's evidence falls in (moveTarget), and
// the parts that were targets and have no evidence left, which are done.
func moveTargets(ctx context.Context, tx *sql.Tx, migration, codebase string, target, done tandem.CheckResult, now time.Time) error {
	parts, err := evidenceParts(ctx, tx, codebase, target)
	if err != nil {
		return err
	}
	known, err := column[string](ctx, tx, "SELECT part FROM targets WHERE migration = $1 AND codebase = $2", migration, codebase)
	if err != nil {
		return err
	}
	for _, part := range known {
		if _, ok := parts[part]; ok {
			continue
		}
		moved, err := dropMovedPart(ctx, tx, migration, codebase, part, target)
		if err != nil {
			return err
		}
		if moved {
			continue
		}
		parts[part] = tandem.CheckResult{Check: target.Check, Commit: target.Commit}
	}
	for _, part := range slices.Sorted(maps.Keys(parts)) {
		if err := moveTarget(ctx, tx, migration, codebase, part, parts[part], done, now); err != nil {
			return err
		}
	}
	return nil
}

// dropMovedPart deletes the target of a part that has no evidence left
// because its paths now belong to another part (a team declared, or an
// ownership rule changed), not because its code changed: every path of
// its evidence is still in target's. Only a target nothing was done for
// yet (pending or unowned, without ticket or change request) goes; one
// further on is done, as when its code changes, and its ticket says so.
func dropMovedPart(ctx context.Context, tx *sql.Tx, migration, codebase, part string, target tandem.CheckResult) (bool, error) {
	var state, evidence string
	var ticket, change sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT state, evidence, ticket_id, change_request_id FROM targets WHERE migration = $1 AND codebase = $2 AND part = $3",
		migration, codebase, part).Scan(&state, &evidence, &ticket, &change); err != nil {
		return false, err
	}
	if state != tandem.TargetPending && state != tandem.TargetUnowned || ticket.Valid || change.Valid {
		return false, nil
	}
	var was []tandem.Match
	if err := decode(evidence, &was); err != nil || len(was) == 0 {
		return false, err
	}
	for _, m := range was {
		if !slices.ContainsFunc(target.Evidence, func(n tandem.Match) bool { return n.Path == m.Path }) {
			return false, nil
		}
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM targets WHERE migration = $1 AND codebase = $2 AND part = $3", migration, codebase, part)
	return err == nil, err
}

// evidenceParts splits a target check's result on a codebase by the
// owned part each piece of evidence is in (codeowners.Part): the result
// as it is for part "" when the codebase has no narrower ownership rule,
// the check does not hold, or its evidence names no path.
func evidenceParts(ctx context.Context, tx *sql.Tx, codebase string, target tandem.CheckResult) (map[string]tandem.CheckResult, error) {
	whole := map[string]tandem.CheckResult{"": target}
	if !target.Holds || len(target.Evidence) == 0 {
		return whole, nil
	}
	var ownership string
	var owner sql.NullString
	err := tx.QueryRowContext(ctx, "SELECT ownership, owner FROM codebases WHERE name = $1", codebase).Scan(&ownership, &owner)
	if errors.Is(err, sql.ErrNoRows) {
		return whole, nil
	}
	if err != nil {
		return nil, err
	}
	var own tandem.Ownership
	if err := decode(ownership, &own); err != nil {
		return nil, err
	}
	if !codeowners.Narrower(own) {
		return whole, nil
	}
	teams, err := findTeams(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	owners := codeowners.NewMatcher(own)
	parts := map[string]tandem.CheckResult{}
	for _, m := range target.Evidence {
		part := ""
		if m.Path != "" {
			part, _ = owners.Part(owner.String, m.Path, teams)
		}
		r, ok := parts[part]
		if !ok {
			r = tandem.CheckResult{Check: target.Check, Digest: target.Digest, Commit: target.Commit, Holds: true, Source: target.Source}
		}
		r.Evidence = append(r.Evidence, m)
		parts[part] = r
	}
	return parts, nil
}

// moveTarget records a migration's target on a codebase in its next state
// after a scan: found (pending, or unowned on a codebase without owner),
// done, or needed again. Done records the evidence true then (the done
// check's, or none), marks an open change request merged and closes the
// ticket when the last of its targets is done; needed again reopens it.
// A gone target, its codebase back on its host, moves the same way: done,
// or needed again as a target newly found, its exemption (if it had one)
// over.
func moveTarget(ctx context.Context, tx *sql.Tx, migration, codebase, part string, target, done tandem.CheckResult, now time.Time) error {
	var current string
	var ticketID, crID sql.NullInt64
	err := tx.QueryRowContext(ctx, "SELECT state, ticket_id, change_request_id FROM targets WHERE migration = $1 AND codebase = $2 AND part = $3",
		migration, codebase, part).Scan(&current, &ticketID, &crID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	what := targetWhat(migration, codebase, part)
	next := tandem.NextTargetState(current, ticketID.Valid, target.Holds, done.Holds)
	switch {
	case next == "":
		return nil
	case current == "":
		return insertTarget(ctx, tx, migration, codebase, part, target, now)
	case next == tandem.TargetDone && current == tandem.TargetDone:
		return nil
	case next == tandem.TargetDone:
		var evidence []tandem.Match
		if done.Holds {
			evidence = done.Evidence
		}
		if err := move(ctx, tx, tandem.TargetLifecycle, what, current, next,
			`UPDATE targets SET state = $1, evidence = $3, commit_id = $4, done_at = $5, error = ''
			WHERE state = $2 AND migration = $6 AND codebase = $7 AND part = $8`,
			encode(nonNil(evidence)), target.Commit, now, migration, codebase, part); err != nil {
			return err
		}
		if err := withdrawFinishedTours(ctx, tx, migration, codebase, now); err != nil {
			return err
		}
		if crID.Valid {
			// The fix, or an equivalent, reached the default branch.
			if err := markChangeMerged(ctx, tx, crID.Int64, now); err != nil {
				return err
			}
		}
		if ticketID.Valid {
			return closeTicketIfDone(ctx, tx, ticketID.Int64, now)
		}
		return nil
	case next == current:
		_, err := tx.ExecContext(ctx, "UPDATE targets SET evidence = $1, commit_id = $2 WHERE migration = $3 AND codebase = $4 AND part = $5",
			encode(nonNil(target.Evidence)), target.Commit, migration, codebase, part)
		return err
	}
	// A regression, or a codebase back on its host: the change is needed
	// again.
	if next == tandem.TargetPending {
		if next, err = ownedState(ctx, tx, codebase, part); err != nil {
			return err
		}
	}
	if current == tandem.TargetGone {
		return targetBack(ctx, tx, migration, codebase, part, next, target, ticketID, now)
	}
	if err := move(ctx, tx, tandem.TargetLifecycle, what, current, next,
		`UPDATE targets SET state = $1, evidence = $3, commit_id = $4, done_at = NULL, error = ''
		WHERE state = $2 AND migration = $5 AND codebase = $6 AND part = $7`,
		encode(nonNil(target.Evidence)), target.Commit, migration, codebase, part); err != nil {
		return err
	}
	if ticketID.Valid {
		return reopenTicket(ctx, tx, ticketID.Int64, tandem.NeededAgainComment(codebase, target.Commit, target.Evidence), now)
	}
	return nil
}

// targetBack moves a gone target whose codebase is back on its host, and
// still needs the change, to next (unowned, pending or ticketed) as a
// target newly found: no exemption, not done; its ticket reopens, saying
// so.
func targetBack(ctx context.Context, tx *sql.Tx, migration, codebase, part, next string, target tandem.CheckResult, ticketID sql.NullInt64, now time.Time) error {
	if err := move(ctx, tx, tandem.TargetLifecycle, targetWhat(migration, codebase, part), tandem.TargetGone, next,
		`UPDATE targets SET state = $1, evidence = $3, commit_id = $4, done_at = NULL, exemption = '', exempt_from = '', error = ''
		WHERE state = $2 AND migration = $5 AND codebase = $6 AND part = $7`,
		encode(nonNil(target.Evidence)), target.Commit, migration, codebase, part); err != nil {
		return err
	}
	if ticketID.Valid {
		return reopenTicket(ctx, tx, ticketID.Int64, tandem.BackOnHostComment(codebase, target.Commit, target.Evidence), now)
	}
	return nil
}

// insertTarget records a target a scan found: pending when its part has
// an owner, whose team it joins, and unowned otherwise.
func insertTarget(ctx context.Context, tx *sql.Tx, migration, codebase, part string, target tandem.CheckResult, now time.Time) error {
	owner, err := ownerOfPart(ctx, tx, codebase, part)
	if err != nil {
		return err
	}
	state := tandem.TargetPending
	if owner == "" {
		state = tandem.TargetUnowned
	}
	if err := tandem.TargetLifecycle.Check(targetWhat(migration, codebase, part), "", state); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO targets (migration, codebase, part, state, evidence, commit_id, found_at, team)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		migration, codebase, part, state, encode(nonNil(target.Evidence)), target.Commit, now, owner)
	return err
}

// ownerOfPart returns the team that owns a part of codebase: the
// codebase's owner for part "", the part's team otherwise, "" for none.
func ownerOfPart(ctx context.Context, tx *sql.Tx, codebase, part string) (string, error) {
	switch part {
	case "":
		return codebaseOwner(ctx, tx, codebase)
	case tandem.PartUnowned:
		return "", nil
	}
	return part, nil
}

// markChangeMerged marks a change request merged at now when it is still
// open: a scan found its change on the default branch.
func markChangeMerged(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	var state string
	if err := tx.QueryRowContext(ctx, "SELECT state FROM change_requests WHERE id = $1", id).Scan(&state); err != nil {
		return err
	}
	if state != tandem.ChangeOpen {
		return nil
	}
	return move(ctx, tx, tandem.ChangeRequestLifecycle, fmt.Sprintf("change request %d", id), state, tandem.ChangeMerged,
		"UPDATE change_requests SET state = $1, merged_at = $3 WHERE state = $2 AND id = $4", now, id)
}

// codebaseOwner returns the owner of a codebase, "" when it has none.
func codebaseOwner(ctx context.Context, tx *sql.Tx, codebase string) (string, error) {
	var owner sql.NullString
	err := tx.QueryRowContext(ctx, "SELECT owner FROM codebases WHERE name = $1", codebase).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return owner.String, err
}

// ownedState returns the state of a target not ticketed yet on a part of
// codebase: pending when the part has an owner, unowned otherwise.
func ownedState(ctx context.Context, tx *sql.Tx, codebase, part string) (string, error) {
	owner, err := ownerOfPart(ctx, tx, codebase, part)
	if err != nil || owner == "" {
		return tandem.TargetUnowned, err
	}
	return tandem.TargetPending, nil
}

// targetWhat names a target in errors.
func targetWhat(migration, codebase, part string) string {
	return fmt.Sprintf("target %s of %s", tandem.TargetAddress(codebase, part), migration)
}

// SetTargetError records what went wrong acting on a target; ENOTFOUND
// for a codebase part that is not a target.
func (db *DB) SetTargetError(ctx context.Context, migration, codebase, part, msg string) error {
	return db.inTx(ctx, "set target error", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE targets SET error = $1 WHERE migration = $2 AND codebase = $3 AND part = $4", msg, migration, codebase, part)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tandem.Errorf(tandem.ENOTFOUND, "%q is not a target of migration %q", tandem.TargetAddress(codebase, part), migration)
		}
		return nil
	})
}

// syncTargetTeams gives a codebase's targets not yet ticketed its current
// owner as their team, so that pages group targets by team without a
// join, and moves them between pending and unowned as the codebase gains
// or loses its owner. Ticketed targets keep their ticket's team.
func syncTargetTeams(ctx context.Context, tx *sql.Tx, codebase string) error {
	owner, err := codebaseOwner(ctx, tx, codebase)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE targets SET team = $1 WHERE codebase = $2 AND part = '' AND ticket_id IS NULL AND team <> $3",
		owner, codebase, owner); err != nil {
		return err
	}
	from, to := tandem.TargetUnowned, tandem.TargetPending
	if owner == "" {
		from, to = to, from
	}
	migrations, err := column[string](ctx, tx, "SELECT migration FROM targets WHERE codebase = $1 AND part = '' AND ticket_id IS NULL AND state = $2 ORDER BY migration",
		codebase, from)
	if err != nil {
		return err
	}
	for _, m := range migrations {
		if err := move(ctx, tx, tandem.TargetLifecycle, targetWhat(m, codebase, ""), from, to,
			"UPDATE targets SET state = $1, error = '' WHERE state = $2 AND migration = $3 AND codebase = $4 AND part = ''", m, codebase); err != nil {
			return err
		}
	}
	return nil
}

// FindTargetPage returns one page of the targets q selects, sorted by
// codebase, and how many it selects in all. The page is read from an
// index in codebase order from where its key (q.After, q.Before, the end
// for q.Last) starts, and the total from the counts triggers keep
// (migration 00005): neither costs more for a page far down a migration
// of 100,000 targets.
func (db *DB) FindTargetPage(ctx context.Context, q tandem.TargetQuery) ([]tandem.Target, int, error) {
	var targets []tandem.Target
	total := 0
	err := db.readTx(ctx, "find target page", func(tx *sql.Tx) error {
		var err error
		if total, err = countTargets(ctx, tx, q); err != nil {
			return err
		}
		clause, args, backward := targetPage(q)
		if targets, err = findTargetsOrdered(ctx, tx, clause, args...); backward {
			slices.Reverse(targets)
		}
		return err
	})
	return targets, total, err
}

// targetConds returns the conditions of the targets q selects, by
// migration, state and team, on columns prefixed with prefix.
func targetConds(q tandem.TargetQuery, prefix string) conds {
	var c conds
	c.add(prefix+"migration = $%d", q.Migration)
	addSet(&c, prefix+"state", q.State)
	addSet(&c, prefix+"team", q.Team)
	return c
}

// targetPage returns the WHERE clause of the page q asks for, with its
// ORDER BY and LIMIT, and its arguments. A page before a codebase, or the
// last, is read backward from its end (and must be reversed); the others
// forward.
func targetPage(q tandem.TargetQuery) (clause string, args []any, backward bool) {
	c := targetConds(q, "t.")
	if q.After != "" {
		addKey(&c, ">", q.After)
	}
	if q.Before != "" {
		addKey(&c, "<", q.Before)
	}
	backward = q.Before != "" || q.Last
	clause = strings.Join(c.list, " AND ") + " ORDER BY t.codebase, t.part"
	if backward {
		clause = strings.Join(c.list, " AND ") + " ORDER BY t.codebase DESC, t.part DESC"
	}
	if q.Limit > 0 {
		c.args = append(c.args, q.Limit)
		clause += fmt.Sprintf(" LIMIT $%d", len(c.args))
	}
	return clause, c.args, backward
}

// addKey adds the condition of the targets whose key (codebase, part)
// sorts op (">" or "<") the target address's.
func addKey(c *conds, op, address string) {
	codebase, part := tandem.ParseTargetAddress(address)
	c.args = append(c.args, codebase, part)
	n := len(c.args)
	c.addPlain(fmt.Sprintf("(t.codebase %[1]s $%[2]d OR t.codebase = $%[2]d AND t.part %[1]s $%[3]d)", op, n-1, n))
}

// countTargets returns how many targets q's filter selects, summed from
// the counts by team and state that triggers keep.
func countTargets(ctx context.Context, tx *sql.Tx, q tandem.TargetQuery) (int, error) {
	c := targetConds(q, "")
	var total int
	err := tx.QueryRowContext(ctx, "SELECT COALESCE(SUM(n), 0) FROM target_team_counts"+c.where(), c.args...).Scan(&total)
	return total, err
}

// TargetStats summarises a migration's targets by team and state and by
// the days they were found and done, from the counts that triggers keep
// (migration 00005), so that it costs the same for 100 or 100,000 targets.
func (db *DB) TargetStats(ctx context.Context, migration string) (tandem.TargetStats, error) {
	st := tandem.TargetStats{ByTeam: map[string]map[string]int{}, Days: []tandem.DayCount{}}
	err := db.readTx(ctx, "target stats", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT team, state, n FROM target_team_counts WHERE migration = $1 AND n > 0", migration)
		if err != nil {
			return err
		}
		for rows.Next() {
			var team, state string
			var n int
			if err := rows.Scan(&team, &state, &n); err != nil {
				rows.Close()
				return err
			}
			if st.ByTeam[team] == nil {
				st.ByTeam[team] = map[string]int{}
			}
			st.ByTeam[team][state] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT found_day, done_day, state, n FROM target_day_counts
			WHERE migration = $1 AND n > 0 ORDER BY found_day, done_day, state`, migration)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d tandem.DayCount
			if err := rows.Scan(&d.Found, &d.Done, &d.State, &d.Count); err != nil {
				return err
			}
			st.Days = append(st.Days, d)
		}
		return rows.Err()
	})
	return st, err
}

// CreatedSince returns when a migration created its tickets and change
// requests since since, for rollout limits.
func (db *DB) CreatedSince(ctx context.Context, migration string, since time.Time) ([]time.Time, error) {
	var times []time.Time
	err := db.inTx(ctx, "created since", func(tx *sql.Tx) error {
		for _, q := range []string{
			"SELECT created_at FROM tickets WHERE migration = $1 AND tracker = 'builtin' AND created_at >= $2",
			"SELECT created_at FROM change_requests WHERE migration = $1 AND branch <> '' AND created_at >= $2",
		} {
			rows, err := tx.QueryContext(ctx, q, migration, since)
			if err != nil {
				return err
			}
			for rows.Next() {
				var at time.Time
				if err := rows.Scan(&at); err != nil {
					rows.Close()
					return err
				}
				times = append(times, at)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	return times, err
}
