package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/tandem-dev/tandem"
)

// ScanHostArgs asks to list the repositories of a code host in a scan.
type ScanHostArgs struct {
	Scan int64  `json:"scan"`
	Host string `json:"host"`
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
	repos, problems, err := w.list(ctx, a.Host)
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
	_, err = w.cfg.Store.RecordRepositories(ctx, a.Scan, a.Host, names, problems, func(ctx context.Context, tx *sql.Tx) error {
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
	return nil
}

func (w *scanHostWorker) list(ctx context.Context, name string) ([]tandem.Repository, []tandem.Problem, error) {
	hosts, err := w.cfg.Store.FindCodeHosts(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	host, err := w.cfg.OpenHost(hosts[0])
	if err != nil {
		return nil, nil, err
	}
	return host.Repositories(ctx)
}

type readCodebaseWorker struct {
	river.WorkerDefaults[ReadCodebaseArgs]
	cfg     Config
	metrics *metrics
}

// Work reads one repository and saves what it read. A repository that
// cannot be read is saved with its problems, not retried.
func (w *readCodebaseWorker) Work(ctx context.Context, job *river.Job[ReadCodebaseArgs]) error {
	a := job.Args
	hosts, err := w.cfg.Store.FindCodeHosts(ctx, a.Host)
	if err != nil {
		return err
	}
	c := w.cfg.ReadCodebase(ctx, hosts[0], tandem.Repository{Name: a.Name, Dir: a.Dir})
	result := "ok"
	if c.Head == "" {
		result = "failed"
	}
	if _, err := w.cfg.Store.SaveCodebase(ctx, a.Scan, tandem.CodebaseRead{Codebase: c}); err != nil {
		if tandem.ErrorCode(err) != tandem.ECONFLICT {
			return fmt.Errorf("save codebase %s: %w", a.Name, err)
		}
		result = "conflict"
	}
	w.metrics.read.WithLabelValues(result).Inc()
	return nil
}

type metrics struct {
	read *prometheus.CounterVec
}

func newMetrics(r prometheus.Registerer) *metrics {
	m := &metrics{
		read: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tandem_codebases_read_total",
			Help: "Codebases read by scans, by result (ok, failed, conflict).",
		}, []string{"result"}),
	}
	if r != nil {
		r.MustRegister(m.read)
	}
	return m
}
