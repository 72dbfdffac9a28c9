package tandem

import (
	"context"
	"database/sql"
	"time"
)

// Scan states.
const (
	ScanRunning = "running"
	ScanDone    = "done"
)

// Scan is one pass over every code host: discovering codebases and reading
// them.
type Scan struct {
	ID    int64    `json:"id"`
	State string   `json:"state"`
	Hosts []string `json:"hosts"`
	// HostsDone counts hosts whose repositories are listed.
	HostsDone int `json:"hosts_done"`
	// Codebases counts the codebases discovered so far; Done those read,
	// Failed those that could not be read. A scan is done once every host
	// is listed and every codebase read or failed.
	Codebases int `json:"codebases"`
	Done      int `json:"done"`
	Failed    int `json:"failed"`
	// Bytes is the file content read so far.
	Bytes      int64      `json:"bytes"`
	Problems   []Problem  `json:"problems"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// Progress is what a scan has done so far, in one comparable value: it
// changes each time the scan moves on.
func (s Scan) Progress() [6]int64 {
	return [6]int64{int64(s.HostsDone), int64(s.Codebases), int64(s.Done), int64(s.Failed), s.Bytes, int64(len(s.Problems))}
}

// CodebaseRead is what one scan read of a codebase.
type CodebaseRead struct {
	Codebase Codebase
	// Results are the active checks' results at Codebase.Head.
	Results []CheckResult
	// Unchanged says that the head and the checks are those of the last
	// read: only the time of the scan is recorded, and the stored
	// ownership and results stand.
	Unchanged bool
	// BytesRead counts the file content read, for progress.
	BytesRead int64
}

// LastRead is what is stored of a codebase's last read, so that a scan
// can tell that nothing changed since.
type LastRead struct {
	Head string
	// Digests maps each check with a stored result to the digest of the
	// definition it was computed for.
	Digests map[string]string
}

// Current reports whether reading head with checks would find what the
// last read found: the same head, and a stored result computed for the
// current definition of every check, and of no other.
func (l LastRead) Current(head string, checks []NamedCheck) bool {
	if head == "" || l.Head != head || len(l.Digests) != len(checks) {
		return false
	}
	for _, nc := range checks {
		if l.Digests[nc.ID] != nc.Digest {
			return false
		}
	}
	return true
}

// Listing is what a scan found listing one code host.
type Listing struct {
	// Read names the repositories to read: new, or changed since their
	// last read.
	Read []string
	// Unchanged names the repositories whose head and checks are those of
	// their last read: done without reading them again.
	Unchanged []string
	// Skipped names the repositories the host has but could not make
	// readable; why is in Problems.
	Skipped []string
	// Problems are what listing the host met.
	Problems []Problem
	// Complete says that every repository of the host was listed, so that
	// a stored codebase the listing does not name is gone from the host.
	Complete bool
}

// Scanner starts scans of every code host, or of one repository.
type Scanner interface {
	// StartScan starts a scan in the background and returns it running.
	StartScan(ctx context.Context) (Scan, error)
	// RescanRepository starts a scan of one repository of one code host,
	// as after a push to it, and returns it running.
	RescanRepository(ctx context.Context, host, name string) (Scan, error)
	// WaitScan returns a scan as soon as it is done or its progress
	// differs from seen's, or as it is when ctx ends.
	WaitScan(ctx context.Context, id int64, seen Scan) (Scan, error)
}

// ScanStore keeps scans and what they read of each codebase.
type ScanStore interface {
	// SaveCodebase records what a scan read of a codebase (host, default
	// branch, head, ownership, problems, check results), resolves its owner
	// against the stored teams and policies, moves migration targets, and
	// marks it read in scan scanID (0: in no scan), all in one transaction;
	// saving the same read twice changes nothing. It returns ECONFLICT, and
	// marks the codebase failed in the scan, when another host already has a
	// codebase of that name. It returns the scan as the save left it (done
	// when this was its last codebase), the zero Scan in no scan.
	SaveCodebase(ctx context.Context, scanID int64, r CodebaseRead) (Codebase, Scan, error)
	// SaveCodebases saves a batch of reads of scan scanID as SaveCodebase
	// does, in one transaction; a read whose name another host has is
	// marked failed in the scan, with the conflict among its problems, and
	// the others are saved.
	SaveCodebases(ctx context.Context, scanID int64, reads []CodebaseRead) (Scan, error)
	// LastReads returns what is stored of the last read of the codebases
	// of host that are not gone, by name: all of them, or those in names.
	LastReads(ctx context.Context, host string, names ...string) (map[string]LastRead, error)
	// CreateScan records a new running scan of the given hosts; enqueue runs
	// inside the same transaction, so that the scan and its jobs exist
	// together or not at all.
	CreateScan(ctx context.Context, hosts []string, enqueue func(ctx context.Context, tx *sql.Tx, scanID int64) error) (Scan, error)
	// RecordRepositories records what a host of scan scanID listed: the
	// codebases to read, those unchanged since their last read (done at
	// once), the problems met, and, for a complete listing, the codebases
	// gone from the host (and back on it); enqueue (the jobs that read
	// them) runs in the same transaction. Recording the same host twice
	// changes nothing and does not call enqueue. It returns ENOTFOUND for
	// an unknown scan.
	RecordRepositories(ctx context.Context, scanID int64, host string, l Listing, enqueue func(ctx context.Context, tx *sql.Tx) error) (Scan, error)
	// FindScan returns a scan with its progress; ENOTFOUND when missing.
	FindScan(ctx context.Context, id int64) (Scan, error)
}
