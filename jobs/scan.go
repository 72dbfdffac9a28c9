package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

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

// ReadCodebaseArgs asks to read one repository in a scan.
type ReadCodebaseArgs struct {
	Scan int64  `json:"scan"`
	Host string `json:"host"`
	Name string `json:"name"`
	Dir  string `json:"dir"`
}

// Kind names the job in River's tables.
func (ReadCodebaseArgs) Kind() string { return "read_codebase" }

// InsertOpts makes the job unique per scan and codebase.
func (ReadCodebaseArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type scanHostWorker struct {
	river.WorkerDefaults[ScanHostArgs]
	cfg   Config
	queue *Queue
}

// Work lists the host's repositories and enqueues a read of each in the
// transaction that records them. A host that cannot be listed is reported
// in the scan and not retried: the next scan tries again.
func (w *scanHostWorker) Work(ctx context.Context, job *river.Job[ScanHostArgs]) error {
	a := job.Args
	repos, problems, err := w.list(ctx, a.Host, a.Only)
	if err != nil {
		if tandem.ErrorCode(err) == tandem.EINTERNAL {
			return err // retried by River
		}
		problems = append(problems, tandem.Problem{File: "codehost/" + a.Host, Message: tandem.ErrorMessage(err)})
	}
	names := make([]string, len(repos))
	params := make([]river.InsertManyParams, len(repos))
	for i, r := range repos {
		names[i] = r.Name
		params[i] = river.InsertManyParams{Args: ReadCodebaseArgs{Scan: a.Scan, Host: a.Host, Name: r.Name, Dir: r.Dir}}
	}
	scan, err := w.cfg.Store.RecordRepositories(ctx, a.Scan, a.Host, names, problems, func(ctx context.Context, tx *sql.Tx) error {
		if len(params) == 0 {
			return nil
		}
		_, err := w.queue.inserter.InsertManyTx(ctx, tx, params)
		return err
	})
	if err != nil {
		return fmt.Errorf("record repositories of %s: %w", a.Host, err)
	}
	w.cfg.Logger.InfoContext(ctx, "host listed", "scan", a.Scan, "host", a.Host, "repositories", len(repos), "problems", len(problems))
	w.queue.logFinished(ctx, scan)
	return nil
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

type readCodebaseWorker struct {
	river.WorkerDefaults[ReadCodebaseArgs]
	cfg     Config
	metrics *metrics
	queue   *Queue
}

// Work reads one repository, with the checks in force now, and saves what
// it read. A repository that cannot be read is saved with its problems,
// not retried.
func (w *readCodebaseWorker) Work(ctx context.Context, job *river.Job[ReadCodebaseArgs]) error {
	a := job.Args
	hosts, err := w.cfg.Store.FindCodeHosts(ctx, a.Host)
	if err != nil {
		return err
	}
	checks, err := activeChecks(ctx, w.cfg.Store)
	if err != nil {
		return err
	}
	last, err := lastRead(ctx, w.cfg.Store, a.Name, a.Host)
	if err != nil {
		return err
	}
	read := w.cfg.Read(ctx, hosts[0], tandem.Repository{Name: a.Name, Dir: a.Dir}, checks, last)
	result := "ok"
	switch {
	case read.Codebase.Head == "":
		result = "failed"
	case read.Unchanged:
		result = "unchanged"
	}
	_, scan, err := w.cfg.Store.SaveCodebase(ctx, a.Scan, read)
	if err != nil {
		if tandem.ErrorCode(err) != tandem.ECONFLICT {
			return fmt.Errorf("save codebase %s: %w", a.Name, err)
		}
		result = "conflict"
	}
	w.metrics.read.WithLabelValues(result).Inc()
	w.metrics.bytes.Add(float64(read.BytesRead))
	w.queue.logFinished(ctx, scan)
	return nil
}

// activeChecks returns every check in force: platforms' adoption and
// migrations' target and done checks.
func activeChecks(ctx context.Context, store tandem.Store) ([]tandem.NamedCheck, error) {
	platforms, err := store.FindPlatforms(ctx, "")
	if err != nil {
		return nil, err
	}
	migrations, err := store.FindMigrations(ctx, "")
	if err != nil {
		return nil, err
	}
	return tandem.ActiveChecks(platforms, migrations), nil
}

// lastRead returns what is stored of a codebase's last read on host, or
// nothing for a codebase not read yet.
func lastRead(ctx context.Context, store tandem.Store, name, host string) (tandem.LastRead, error) {
	found, err := store.FindCodebases(ctx, tandem.CodebaseFilter{Name: name, Host: host})
	if tandem.ErrorCode(err) == tandem.ENOTFOUND {
		return tandem.LastRead{}, nil
	} else if err != nil {
		return tandem.LastRead{}, err
	}
	results, err := store.FindCheckResults(ctx, tandem.CheckResultFilter{Codebase: name})
	if err != nil {
		return tandem.LastRead{}, err
	}
	last := tandem.LastRead{Head: found[0].Head, Digests: make(map[string]string, len(results))}
	for _, r := range results {
		if r.Commit == last.Head {
			last.Digests[r.Check] = r.Digest
		}
	}
	return last, nil
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
			Help: "Codebases read by scans, by result (ok, unchanged, failed, conflict).",
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
