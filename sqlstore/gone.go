package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tandem-dev/tandem"
)

// markGone records what a complete listing of host says of its codebases:
// those it does not name (present), and not gone yet, are gone from now,
// their open targets gone with them; those it names again are back, their
// targets moved by their stored results as a scan does (moveTarget), and
// on by the next read when the repository changed meanwhile. Call it only
// for a complete listing, in the transaction that records it. It reads
// the host's codebases in one query and writes only what changes, in
// statements of at most batchRows names, so that a listing of tens of
// thousands of repositories where nothing changed costs one query.
func markGone(ctx context.Context, tx *sql.Tx, host string, present []string, now time.Time) error {
	rows, err := tx.QueryContext(ctx, "SELECT name, gone_at FROM codebases WHERE host = $1", host)
	if err != nil {
		return err
	}
	defer rows.Close()
	listed := make(map[string]bool, len(present))
	for _, name := range present {
		listed[name] = true
	}
	var leaving, back []string
	for rows.Next() {
		var name string
		var goneAt sql.NullTime
		if err := rows.Scan(&name, &goneAt); err != nil {
			return err
		}
		switch {
		case !listed[name] && !goneAt.Valid:
			leaving = append(leaving, name)
		case listed[name] && goneAt.Valid:
			back = append(back, name)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	slices.Sort(leaving)
	slices.Sort(back)
	for names := range slices.Chunk(leaving, batchRows) {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE codebases SET gone_at = $1 WHERE host = $2 AND gone_at IS NULL AND name IN (%s)",
			placeholders(3, len(names))), append([]any{now, host}, anySlice(names)...)...); err != nil {
			return err
		}
		if err := targetsGone(ctx, tx, names, now); err != nil {
			return err
		}
	}
	for names := range slices.Chunk(back, batchRows) {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("UPDATE codebases SET gone_at = NULL WHERE host = $1 AND name IN (%s)",
			placeholders(2, len(names))), append([]any{host}, anySlice(names)...)...); err != nil {
			return err
		}
		if err := targetsBack(ctx, tx, names, now); err != nil {
			return err
		}
	}
	return nil
}

// targetsBack moves the gone targets of codebases back on their host (at
// most batchRows) as a scan would from their stored results: those are
// what a read finds when the repository came back as it left, which a
// scan then takes for unchanged and does not read again. A repository
// that changed meanwhile is read in full, and that read moves its targets
// on from here (moveTargets).
func targetsBack(ctx context.Context, tx *sql.Tx, codebases []string, now time.Time) error {
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT migration, codebase FROM targets
		WHERE state = $1 AND codebase IN (%s) ORDER BY codebase, migration`, placeholders(2, len(codebases))),
		append([]any{tandem.TargetGone}, anySlice(codebases)...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var targets []goneTarget
	for rows.Next() {
		var t goneTarget
		if err := rows.Scan(&t.migration, &t.codebase); err != nil {
			return err
		}
		targets = append(targets, t)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	byCodebase := map[string][]string{}
	for _, t := range targets {
		byCodebase[t.codebase] = append(byCodebase[t.codebase], t.migration)
	}
	for _, c := range slices.Sorted(maps.Keys(byCodebase)) {
		if err := moveByResults(ctx, tx, c, byCodebase[c], now); err != nil {
			return err
		}
	}
	return nil
}

// moveByResults moves the targets of migrations (every migration the
// codebase has a target result of, when nil) on a codebase by its
// current check results, as the scan that wrote them did (moveTargets).
// A migration no longer checked there is left for the next read to say.
func moveByResults(ctx context.Context, tx *sql.Tx, codebase string, migrations []string, now time.Time) error {
	rs, err := findCheckResults(ctx, tx, tandem.CheckResultFilter{Codebase: codebase})
	if err != nil {
		return err
	}
	current := map[string]tandem.CheckResult{}
	all := migrations == nil
	for _, r := range rs {
		current[r.Check] = r
		if kind, name, role := tandem.SplitCheckID(r.Check); all && kind == "migration" && role == tandem.RoleTarget {
			migrations = append(migrations, name)
		}
	}
	for _, m := range migrations {
		target, ok := current[tandem.CheckID("migration", m, tandem.RoleTarget)]
		if !ok {
			continue
		}
		if err := moveTargets(ctx, tx, m, codebase, target, current[tandem.CheckID("migration", m, tandem.RoleDone)], now); err != nil {
			return err
		}
	}
	return nil
}

// goneTarget is what targetsGone reads of a target it moves.
type goneTarget struct {
	migration, codebase, state string
	ticket                     sql.NullInt64
}

// targetsGone moves the open and exempt targets of codebases (at most
// batchRows) to gone, done targets staying done: one statement per state
// they were in. Their tickets close when nothing on them is left open,
// saying that the repository is gone from its host, or are told so; the
// Tours of Duty proposed for them are withdrawn when nothing is left for
// them.
func targetsGone(ctx context.Context, tx *sql.Tx, codebases []string, now time.Time) error {
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT migration, codebase, state, ticket_id FROM targets
		WHERE state <> $1 AND state <> $2 AND codebase IN (%s) ORDER BY migration, codebase`, placeholders(3, len(codebases))),
		append([]any{tandem.TargetDone, tandem.TargetGone}, anySlice(codebases)...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var targets []goneTarget
	byState := map[string]int{}
	for rows.Next() {
		var t goneTarget
		if err := rows.Scan(&t.migration, &t.codebase, &t.state, &t.ticket); err != nil {
			return err
		}
		targets = append(targets, t)
		byState[t.state]++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, state := range slices.Sorted(maps.Keys(byState)) {
		if err := moveAll(ctx, tx, tandem.TargetLifecycle, fmt.Sprintf("%d %s targets", byState[state], state), state, tandem.TargetGone,
			`UPDATE targets SET state = $1, done_at = $3, error = '' WHERE state = $2 AND codebase IN (%s)`,
			codebases, byState[state], now); err != nil {
			return err
		}
	}
	onTicket := map[int64][]string{}
	for _, t := range targets {
		if t.ticket.Valid && !slices.Contains(onTicket[t.ticket.Int64], t.codebase) {
			onTicket[t.ticket.Int64] = append(onTicket[t.ticket.Int64], t.codebase)
		}
		if t.state == tandem.TargetTourProposed || t.state == tandem.TargetExempt {
			if err := withdrawFinishedTours(ctx, tx, t.migration, t.codebase, now); err != nil {
				return err
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(onTicket)) {
		if err := closeTicketIfDone(ctx, tx, id, now); err != nil {
			return err
		}
		var state string
		if err := tx.QueryRowContext(ctx, "SELECT state FROM tickets WHERE id = $1", id).Scan(&state); err != nil {
			return err
		}
		if state == tandem.TicketOpen {
			if err := addComment(ctx, tx, id, tandem.CodebasesGoneComment(onTicket[id]), now); err != nil {
				return err
			}
		}
	}
	return nil
}
