package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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

// RecordRepositories records that host, one of scan scanID's hosts,
// listed the codebases names, adds problems to the scan and calls enqueue
// in the same transaction. Recording a host twice changes nothing and does
// not call enqueue. It returns the updated scan, ENOTFOUND for an unknown
// scan and EINVALID for a host the scan does not cover.
func (db *DB) RecordRepositories(ctx context.Context, scanID int64, host string, names []string, problems []tandem.Problem, enqueue func(ctx context.Context, tx *sql.Tx) error) (tandem.Scan, error) {
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
		if _, err := tx.ExecContext(ctx, "INSERT INTO scan_hosts (scan_id, host, listed_at) VALUES ($1, $2, $3)",
			scanID, host, time.Now().UTC()); err != nil {
			return err
		}
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, `INSERT INTO scan_codebases (scan_id, host, name, state)
				VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, scanID, host, name, readPending); err != nil {
				return err
			}
		}
		if err := addScanProblems(ctx, tx, scan, problems); err != nil {
			return err
		}
		if err := enqueue(ctx, tx); err != nil {
			return err
		}
		scan, err = refreshScan(ctx, tx, scanID)
		return err
	})
	return scan, err
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

// markRead records the state of codebase host/name in the locked scan,
// adds problem to the scan unless that state was already recorded, counts
// the scan's progress again, and returns the scan as it left it.
func markRead(ctx context.Context, tx *sql.Tx, scan tandem.Scan, host, name, state string, bytes int64, problem *tandem.Problem) (tandem.Scan, error) {
	var prev string
	err := tx.QueryRowContext(ctx, "SELECT state FROM scan_codebases WHERE scan_id = $1 AND host = $2 AND name = $3",
		scan.ID, host, name).Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return scan, err
	}
	if prev == state {
		return scan, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO scan_codebases (scan_id, host, name, state, bytes) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (scan_id, host, name) DO UPDATE SET state = excluded.state, bytes = excluded.bytes`,
		scan.ID, host, name, state, bytes); err != nil {
		return scan, err
	}
	if problem != nil {
		if err := addScanProblems(ctx, tx, scan, []tandem.Problem{*problem}); err != nil {
			return scan, err
		}
	}
	return refreshScan(ctx, tx, scan.ID)
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

// refreshScan counts the locked scan's listed hosts and read codebases,
// marks it done when every host is listed and every codebase read or
// failed, and returns it.
func refreshScan(ctx context.Context, tx *sql.Tx, id int64) (tandem.Scan, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE scans SET
			hosts_done = (SELECT COUNT(*) FROM scan_hosts WHERE scan_id = $1),
			codebases = (SELECT COUNT(*) FROM scan_codebases WHERE scan_id = $2),
			done = (SELECT COUNT(*) FROM scan_codebases WHERE scan_id = $3 AND state = $4),
			failed = (SELECT COUNT(*) FROM scan_codebases WHERE scan_id = $5 AND state = $6),
			bytes = (SELECT COALESCE(SUM(bytes), 0) FROM scan_codebases WHERE scan_id = $7)
		WHERE id = $8`, id, id, id, readDone, id, readFailed, id, id); err != nil {
		return tandem.Scan{}, err
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
