package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/tandem-dev/tandem"
)

// States of a codebase in a scan.
const (
	readPending = "pending"
	readDone    = "done"
	readFailed  = "failed"
)

// CreateScan records a new running scan of hosts and calls enqueue with
// its id in the same transaction, so that the scan exists only if its jobs
// do. A scan of no hosts is done at once. It returns the stored scan, or
// enqueue's error with nothing recorded.
func (db *DB) CreateScan(ctx context.Context, hosts []string, enqueue func(ctx context.Context, tx *sql.Tx, scanID int64) error) (tandem.Scan, error) {
	var scan tandem.Scan
	err := db.inTx(ctx, "create scan", func(tx *sql.Tx) error {
		now := time.Now().UTC()
		state, finished := tandem.ScanRunning, sql.NullTime{}
		if len(hosts) == 0 {
			state, finished = tandem.ScanDone, sql.NullTime{Time: now, Valid: true}
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO scans (state, hosts, hosts_done, codebases, done, failed, problems, started_at, finished_at)
			VALUES ($1, $2, 0, 0, 0, 0, '[]', $3, $4) RETURNING id`,
			state, encode(hosts), now, finished).Scan(&id)
		if err != nil {
			return err
		}
		if err := enqueue(ctx, tx, id); err != nil {
			return err
		}
		scan, err = findScan(ctx, tx, id, "")
		return err
	})
	return scan, err
}

// RecordRepositories records what host, one of scan scanID's hosts,
// listed: the codebases to read pending, the unchanged ones done (their
// scan time stamped), its problems, and, for a complete listing, which
// codebases are gone from the host and which are back; it calls enqueue
// in the same transaction. Recording a host twice changes nothing and
// does not call enqueue. It returns the updated scan, ENOTFOUND for an
// unknown scan and EINVALID for a host the scan does not cover.
func (db *DB) RecordRepositories(ctx context.Context, scanID int64, host string, l tandem.Listing, enqueue func(ctx context.Context, tx *sql.Tx) error) (tandem.Scan, error) {
	var scan tandem.Scan
	err := db.inTx(ctx, "record repositories", func(tx *sql.Tx) error {
		var err error
		scan, err = db.lockScan(ctx, tx, scanID)
		if err != nil {
			return err
		}
		if !slices.Contains(scan.Hosts, host) {
			return tandem.Errorf(tandem.EINVALID, "host %q is not part of scan %d", host, scanID)
		}
		listed, err := anyRow(ctx, tx, "SELECT 1 FROM scan_hosts WHERE scan_id = $1 AND host = $2", scanID, host)
		if err != nil || listed {
			return err
		}
		now := time.Now().UTC()
		if _, err := tx.ExecContext(ctx, "INSERT INTO scan_hosts (scan_id, host, listed_at) VALUES ($1, $2, $3)",
			scanID, host, now); err != nil {
			return err
		}
		if present := slices.Concat(l.Read, l.Unchanged, l.Skipped); l.Complete && len(present) > 0 {
			if err := markGone(ctx, tx, host, present, now); err != nil {
				return err
			}
		} else if l.Complete {
			// A host that lists nothing more likely lost its token's rights
			// or its folder than every repository: keep them.
			kept, err := anyRow(ctx, tx, "SELECT 1 FROM codebases WHERE host = $1 AND gone_at IS NULL", host)
			if err != nil {
				return err
			}
			if kept {
				l.Problems = append(l.Problems, tandem.Problem{File: "codehost/" + host,
					Message: "listed no repositories: its codebases are kept, not taken for gone"})
			}
		}
		if err := db.touchCodebases(ctx, tx, host, l.Unchanged, now); err != nil {
			return err
		}
		// The codebases to read get a row each, which their reads move on;
		// the unchanged ones are only counted: a fleet's rescan writes rows
		// for what changed alone.
		added, err := insertPending(ctx, tx, scanID, host, l.Read)
		if err != nil {
			return err
		}
		unchanged := int64(len(l.Unchanged))
		delta := progress{hostsDone: 1, codebases: added + unchanged, done: unchanged}
		if err := addScanProblems(ctx, tx, scan, l.Problems); err != nil {
			return err
		}
		if err := enqueue(ctx, tx); err != nil {
			return err
		}
		scan, err = db.advanceScan(ctx, tx, scanID, delta)
		return err
	})
	return scan, err
}

// insertPending records names of host in scan scanID pending their read,
// leaving those already recorded as they are, and returns how many it
// added.
func insertPending(ctx context.Context, tx *sql.Tx, scanID int64, host string, names []string) (int64, error) {
	var added int64
	for chunk := range slices.Chunk(names, batchRows) {
		args := make([]any, 0, 4*len(chunk))
		for _, name := range chunk {
			args = append(args, scanID, host, name, readPending)
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO scan_codebases (scan_id, host, name, state) VALUES "+
			valueRows(len(chunk), 4)+" ON CONFLICT DO NOTHING", args...)
		if err != nil {
			return added, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return added, err
		}
		added += n
	}
	return added, nil
}

// FindScan returns scan id with its progress, or ENOTFOUND.
func (db *DB) FindScan(ctx context.Context, id int64) (tandem.Scan, error) {
	var scan tandem.Scan
	err := db.readTx(ctx, "find scan", func(tx *sql.Tx) error {
		var err error
		scan, err = findScan(ctx, tx, id, "")
		return err
	})
	return scan, err
}

// lockScan returns scan id, locked until the end of tx so that concurrent
// workers count every host and codebase, or ENOTFOUND. SQLite's immediate
// transactions already serialise writers.
func (db *DB) lockScan(ctx context.Context, tx *sql.Tx, id int64) (tandem.Scan, error) {
	forUpdate := ""
	if db.dialect == Postgres {
		forUpdate = " FOR UPDATE"
	}
	return findScan(ctx, tx, id, forUpdate)
}

// scanRow is a codebase's state in a scan, with the bytes its read read.
type scanRow struct {
	host, name, state string
	bytes             int64
}

// scanRows returns the rows of scan scanID for the codebases of reads,
// by host and name.
func (db *DB) scanRows(ctx context.Context, tx *sql.Tx, scanID int64, reads []tandem.CodebaseRead) (map[[2]string]scanRow, error) {
	names := make([]string, len(reads))
	for i, r := range reads {
		names[i] = r.Codebase.Name
	}
	cond, arg := db.oneOf("name", 2, names)
	rows, err := tx.QueryContext(ctx, "SELECT host, name, state, bytes FROM scan_codebases WHERE scan_id = $1 AND "+cond, scanID, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := make(map[[2]string]scanRow, len(reads))
	for rows.Next() {
		var r scanRow
		if err := rows.Scan(&r.host, &r.name, &r.state, &r.bytes); err != nil {
			return nil, err
		}
		found[[2]string{r.host, r.name}] = r
	}
	return found, rows.Err()
}

// writeScanRows records rows in scan scanID, replacing their states.
func writeScanRows(ctx context.Context, tx *sql.Tx, scanID int64, rows []scanRow) error {
	for chunk := range slices.Chunk(rows, batchRows) {
		args := make([]any, 0, 5*len(chunk))
		for _, r := range chunk {
			args = append(args, scanID, r.host, r.name, r.state, r.bytes)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO scan_codebases (scan_id, host, name, state, bytes) VALUES "+valueRows(len(chunk), 5)+
			" ON CONFLICT (scan_id, host, name) DO UPDATE SET state = excluded.state, bytes = excluded.bytes", args...); err != nil {
			return err
		}
	}
	return nil
}

// progress is how far a write moves a scan on: its counters are kept by
// adding to them, never by counting its codebases again.
type progress struct {
	hostsDone, codebases, done, failed, bytes int64
}

// move adds to p the change of a codebase's row in the scan from prev
// (had: recorded before) to next.
func (p *progress) move(prev scanRow, had bool, next scanRow) {
	if had {
		p.count(prev, -1)
	} else {
		p.codebases++
	}
	p.count(next, 1)
}

// count adds row r to p, or takes it away with sign -1.
func (p *progress) count(r scanRow, sign int64) {
	switch r.state {
	case readDone:
		p.done += sign
	case readFailed:
		p.failed += sign
	}
	p.bytes += sign * r.bytes
}

// addScanProblems appends problems to the locked scan's.
func addScanProblems(ctx context.Context, tx *sql.Tx, scan tandem.Scan, problems []tandem.Problem) error {
	if len(problems) == 0 {
		return nil
	}
	var stored string
	if err := tx.QueryRowContext(ctx, "SELECT problems FROM scans WHERE id = $1", scan.ID).Scan(&stored); err != nil {
		return err
	}
	var all []tandem.Problem
	if err := decode(stored, &all); err != nil {
		return err
	}
	all = append(all, problems...)
	_, err := tx.ExecContext(ctx, "UPDATE scans SET problems = $1 WHERE id = $2", encode(all), scan.ID)
	return err
}

// ScanChannel is the PostgreSQL channel on which each write that moves a
// scan on notifies the scan's id, as it commits: processes waiting on
// the scan learn of it then.
const ScanChannel = "tandem_scans"

// advanceScan adds delta to the locked scan's counters, marks it done
// when every host is listed and every codebase read or failed, notifies
// ScanChannel on PostgreSQL, and returns the scan.
func (db *DB) advanceScan(ctx context.Context, tx *sql.Tx, id int64, delta progress) (tandem.Scan, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE scans SET hosts_done = hosts_done + $1, codebases = codebases + $2,
			done = done + $3, failed = failed + $4, bytes = bytes + $5 WHERE id = $6`,
		delta.hostsDone, delta.codebases, delta.done, delta.failed, delta.bytes, id); err != nil {
		return tandem.Scan{}, err
	}
	if db.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_notify($1, $2)", ScanChannel, strconv.FormatInt(id, 10)); err != nil {
			return tandem.Scan{}, err
		}
	}
	scan, err := findScan(ctx, tx, id, "")
	if err != nil {
		return scan, err
	}
	if scan.State == tandem.ScanRunning && scan.HostsDone >= len(scan.Hosts) && scan.Done+scan.Failed >= scan.Codebases {
		now := time.Now().UTC()
		if _, err := tx.ExecContext(ctx, "UPDATE scans SET state = $1, finished_at = $2 WHERE id = $3",
			tandem.ScanDone, now, id); err != nil {
			return scan, err
		}
		return findScan(ctx, tx, id, "")
	}
	return scan, nil
}

// findScan returns scan id, read with the row lock clause lock, or
// ENOTFOUND.
func findScan(ctx context.Context, tx *sql.Tx, id int64, lock string) (tandem.Scan, error) {
	s := tandem.Scan{ID: id}
	var hosts, problems string
	var finished sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT state, hosts, hosts_done, codebases, done, failed, bytes, problems, started_at, finished_at
		FROM scans WHERE id = $1`+lock, id).
		Scan(&s.State, &hosts, &s.HostsDone, &s.Codebases, &s.Done, &s.Failed, &s.Bytes, &problems, &s.StartedAt, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return s, tandem.Errorf(tandem.ENOTFOUND, "scan %d not found", id)
	}
	if err != nil {
		return s, fmt.Errorf("scan %d: %w", id, err)
	}
	s.StartedAt = s.StartedAt.UTC()
	if finished.Valid {
		t := finished.Time.UTC()
		s.FinishedAt = &t
	}
	if err := decode(hosts, &s.Hosts); err != nil {
		return s, err
	}
	if err := decode(problems, &s.Problems); err != nil {
		return s, err
	}
	s.Problems = nonNil(s.Problems)
	return s, nil
}
