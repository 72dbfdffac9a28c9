package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"golang.org/x/sync/errgroup"

	"github.com/tandem-dev/tandem"
)

// ScanHostArgs asks to list the repositories of a code host in a scan,
// or only those named in Only.
type ScanHostArgs struct {
	Scan int64    `json:"scan"`
	Host string   `json:"host"`
	Only []string `json:"only,omitempty"`
}

// Kind names the job in River's tables.
func (ScanHostArgs) Kind() string { return "scan_host" }

// InsertOpts makes the job unique per scan and host: enqueuing it twice
// lists the host once.
func (ScanHostArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ReadCodebasesArgs asks to read a batch of a host's repositories in a
// scan, saved together.
type ReadCodebasesArgs struct {
	Scan  int64               `json:"scan"`
	Host  string              `json:"host"`
	Repos []tandem.Repository `json:"repos"`
}

// Kind names the job in River's tables.
func (ReadCodebasesArgs) Kind() string { return "read_codebases" }

// InsertOpts makes the job unique per scan and batch.
func (ReadCodebasesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// A read job reads from minBatch to maxBatch repositories: enough that
// the cost of a job and its transaction is spread, few enough that every
// worker gets some of a scan's reads.
const (
	minBatch = 8
	maxBatch = 64
)

type scanHostWorker struct {
	river.WorkerDefaults[ScanHostArgs]
	cfg     Config
	metrics *metrics
	queue   *Queue
}

// Work lists the host's repositories and compares each head with its last
// read, in process; it records the listing (the unchanged ones done, the
// gone ones gone) and enqueues reads of the others, in batches, in one
// transaction. A host that cannot be listed is reported in the scan and
// not retried: the next scan tries again.
func (w *scanHostWorker) Work(ctx context.Context, job *river.Job[ScanHostArgs]) error {
	a := job.Args
	repos, problems, listErr := w.list(ctx, a.Host, a.Only)
	if listErr != nil {
		if tandem.ErrorCode(listErr) == tandem.EINTERNAL {
			return listErr // retried by River
		}
		problems = append(problems, tandem.Problem{File: "codehost/" + a.Host, Message: tandem.ErrorMessage(listErr)})
	}
	checks, err := tandem.StoredChecks(ctx, w.cfg.Store)
	if err != nil {
		return err
	}
	last, err := w.cfg.Store.LastReads(ctx, a.Host)
	if err != nil {
		return err
	}
	listing := tandem.Listing{Problems: problems, Complete: listErr == nil && len(a.Only) == 0}
	var toRead []tandem.Repository
	heads := w.heads(repos)
	for i, r := range repos {
		switch {
		case r.Skipped:
			listing.Skipped = append(listing.Skipped, r.Name)
		case last[r.Name].Current(heads[i], checks):
			listing.Unchanged = append(listing.Unchanged, r.Name)
		default:
			listing.Read = append(listing.Read, r.Name)
			toRead = append(toRead, r)
		}
	}
	var params []river.InsertManyParams
	for batch := range slices.Chunk(toRead, batchSize(len(toRead), w.cfg.Workers)) {
		params = append(params, river.InsertManyParams{Args: ReadCodebasesArgs{Scan: a.Scan, Host: a.Host, Repos: batch}})
	}
	w.metrics.read.WithLabelValues("unchanged").Add(float64(len(listing.Unchanged)))
	scan, err := w.cfg.Store.RecordRepositories(ctx, a.Scan, a.Host, listing, func(ctx context.Context, tx *sql.Tx) error {
		if len(params) == 0 {
			return nil
		}
		_, err := w.queue.inserter.InsertManyTx(ctx, tx, params)
		return err
	})
	if err != nil {
		return fmt.Errorf("record repositories of %s: %w", a.Host, err)
	}
	w.cfg.Logger.InfoContext(ctx, "host listed", "scan", a.Scan, "host", a.Host, "repositories", len(repos),
		"unchanged", len(listing.Unchanged), "to read", len(toRead), "problems", len(problems))
	w.queue.changed(ctx, scan)
	return nil
}

// batchSize spreads n reads over about four batches per worker, from
// minBatch to maxBatch each.
func batchSize(n, workers int) int {
	return min(max(minBatch, (n+4*workers-1)/(4*workers)), maxBatch)
}

// heads reads the head of every repository in process, on every core; a
// repository whose head cannot be read has "" and is read in full, which
// reports why.
func (w *scanHostWorker) heads(repos []tandem.Repository) []string {
	heads := make([]string, len(repos))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, r := range repos {
		if r.Skipped {
			continue
		}
		g.Go(func() error {
			heads[i], _ = w.cfg.Head(r)
			return nil
		})
	}
	_ = g.Wait()
	return heads
}

func (w *scanHostWorker) list(ctx context.Context, name string, only []string) ([]tandem.Repository, []tandem.Problem, error) {
	hosts, err := w.cfg.Store.FindCodeHosts(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	host, err := w.cfg.OpenHost(hosts[0])
	if err != nil {
		return nil, nil, err
	}
	return host.Repositories(ctx, only...)
}

type readCodebasesWorker struct {
	river.WorkerDefaults[ReadCodebasesArgs]
	cfg     Config
	metrics *metrics
	queue   *Queue
}

// Work reads a batch of repositories, with the checks in force now, and
// saves what it read in one transaction. A repository that cannot be read
// is saved with its problems, not retried.
func (w *readCodebasesWorker) Work(ctx context.Context, job *river.Job[ReadCodebasesArgs]) error {
	a := job.Args
	hosts, err := w.cfg.Store.FindCodeHosts(ctx, a.Host)
	if err != nil {
		return err
	}
	checks, err := tandem.StoredChecks(ctx, w.cfg.Store)
	if err != nil {
		return err
	}
	names := make([]string, len(a.Repos))
	for i, r := range a.Repos {
		names[i] = r.Name
	}
	last, err := w.cfg.Store.LastReads(ctx, a.Host, names...)
	if err != nil {
		return err
	}
	reads := make([]tandem.CodebaseRead, len(a.Repos))
	for i, r := range a.Repos {
		reads[i] = w.cfg.Read(ctx, hosts[0], r, checks, last[r.Name])
	}
	// Counted before the save, which may finish the scan: whoever sees
	// it done sees its reads counted.
	for _, read := range reads {
		result := "ok"
		switch {
		case read.Codebase.Head == "":
			result = "failed"
		case read.Unchanged:
			result = "unchanged"
		}
		w.metrics.read.WithLabelValues(result).Inc()
		w.metrics.bytes.Add(float64(read.BytesRead))
	}
	scan, err := w.cfg.Store.SaveCodebases(ctx, a.Scan, reads)
	if err != nil {
		return fmt.Errorf("save codebases of %s: %w", a.Host, err)
	}
	w.queue.changed(ctx, scan)
	return nil
}

type metrics struct {
	read   *prometheus.CounterVec
	bytes  prometheus.Counter
	nudges prometheus.Counter
}

func newMetrics(r prometheus.Registerer) *metrics {
	m := &metrics{
		read: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_codebases_read_total",
			Help: "Codebases read by scans, by result (ok, unchanged, failed).",
		}, []string{"result"}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_scan_read_bytes_total",
			Help: "File content read by scans to evaluate checks.",
		}),
		nudges: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tandem_campaign_nudges_total",
			Help: "Reminders commented on open campaign tickets.",
		}),
	}
	if r != nil {
		r.MustRegister(m.read, m.bytes, m.nudges)
	}
	return m
}
