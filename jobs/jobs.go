// Package jobs runs Tandem's background work on River: on SQLite by
// default, on PostgreSQL when several serve processes share the work.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
)

// Store is the part of tandem.Store the jobs use: the catalog they scan
// and the scans they record.
type Store interface {
	tandem.CatalogStore
	tandem.ScanStore
}

// Config is what the workers need.
type Config struct {
	Store Store
	// OpenHost returns the Host that lists a code host's repositories.
	OpenHost func(tandem.CodeHost) (tandem.Host, error)
	// Head returns the commit at the head of a repository's default
	// branch, cheaply: a scan reads in full only the repositories whose
	// head or checks changed since their last read.
	Head func(repo tandem.Repository) (string, error)
	// Read reads one repository and evaluates the active checks there,
	// or says nothing changed since last; it never fails, it reports.
	Read func(ctx context.Context, host tandem.CodeHost, repo tandem.Repository, checks []tandem.NamedCheck, last tandem.LastRead) tandem.CodebaseRead
	// Tick does the campaigns' scheduled work (nudges, expiring
	// exemptions, automatic escalation) and returns how many tickets it
	// nudged; nil schedules none.
	Tick func(ctx context.Context) (int, error)
	// ScanEvery starts a scan of every code host this often, catching
	// what webhooks missed; 0 never.
	ScanEvery time.Duration
	Logger    *slog.Logger
	// Workers is how many jobs run at once in this process (default 4).
	Workers int
	// Registerer receives the job metrics; nil registers none.
	Registerer prometheus.Registerer
	// InsertOnly enqueues work for other processes and works none, periodic
	// jobs included (serve --role api).
	InsertOnly bool
	// Guard, when set, evaluates the fleet's pull requests (the
	// backsliding guard); nil guards none.
	Guard *GuardConfig
	// JobTimeout cancels a job running longer (default DefaultJobTimeout).
	// A job still marked running RescueGrace after it belonged to a
	// process that died, and is worked again.
	JobTimeout time.Duration
}

// DefaultJobTimeout bounds a job: a scan of one big repository, or a
// tick syncing many tickets at a code host's write pace.
const DefaultJobTimeout = 5 * time.Minute

// RescueGrace is how long past its timeout a job still marked running is
// taken for one whose process died, and worked again. The default of the
// job library, an hour, would leave a killed process's work undone that
// long.
const RescueGrace = 30 * time.Second

// Queue enqueues and works Tandem's jobs. Jobs are enqueued inside store
// transactions (*sql.Tx), so that work and the state that asks for it are
// committed together.
type Queue struct {
	client     runner
	insertOnly bool
	guarding   bool
	inserter   *river.Client[*sql.Tx]
	store      Store
	logger     *slog.Logger
	// finished holds the scans whose end this process logged.
	finished sync.Map
	// mu guards progress, closed and replaced each time a job moves a
	// scan on, so that waiters learn it at once.
	mu       sync.Mutex
	progress chan struct{}
	// pool, on PostgreSQL, listens to the scans' progress in other
	// processes until stopListening.
	pool          *pgxpool.Pool
	stopListening context.CancelFunc
}

// runner is the River client that works jobs, whatever its driver.
type runner interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// New migrates River's tables and returns a queue over them. pool is the
// PostgreSQL pool behind db, or nil when db is SQLite.
func New(ctx context.Context, db *sql.DB, pool *pgxpool.Pool, cfg Config) (*Queue, error) {
	if cfg.Workers == 0 {
		cfg.Workers = 4
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.JobTimeout == 0 {
		cfg.JobTimeout = DefaultJobTimeout
	}
	q := &Queue{store: cfg.Store, logger: cfg.Logger, insertOnly: cfg.InsertOnly, guarding: cfg.Guard != nil, progress: make(chan struct{}), pool: pool}
	workers := river.NewWorkers()
	m := newMetrics(cfg.Registerer)
	river.AddWorker(workers, &scanHostWorker{cfg: cfg, metrics: m, queue: q})
	river.AddWorker(workers, &readCodebasesWorker{cfg: cfg, metrics: m, queue: q})
	if cfg.Guard != nil {
		river.AddWorker(workers, &guardWorker{cfg: *cfg.Guard, logger: cfg.Logger})
	}
	var periodic []*river.PeriodicJob
	if cfg.ScanEvery > 0 {
		river.AddWorker(workers, &pollWorker{queue: q})
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(cfg.ScanEvery),
			func() (river.JobArgs, *river.InsertOpts) { return PollArgs{}, nil }, nil))
	}
	if cfg.Tick != nil {
		river.AddWorker(workers, &campaignTickWorker{cfg: cfg, metrics: m})
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(TickInterval),
			func() (river.JobArgs, *river.InsertOpts) { return CampaignTickArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true}))
	}
	rc := &river.Config{
		Logger:               quietRiver(cfg.Logger).With("component", "jobs"),
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		PeriodicJobs:         periodic,
		FetchPollInterval:    fetchPollInterval,
		FetchCooldown:        10 * time.Millisecond,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.JobTimeout + RescueGrace,
	}
	if cfg.InsertOnly {
		rc.Queues, rc.PeriodicJobs = nil, nil
	}

	if pool == nil {
		driver := riversqlite.New(db)
		if err := migrate(ctx, driver); err != nil {
			return nil, err
		}
		client, err := river.NewClient(driver, rc)
		if err != nil {
			return nil, fmt.Errorf("river client: %w", err)
		}
		q.client, q.inserter = client, client
		return q, nil
	}
	driver := riverpgxv5.New(pool)
	if err := migrate(ctx, driver); err != nil {
		return nil, err
	}
	client, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	inserter, err := river.NewClient(riverdatabasesql.New(db), &river.Config{Workers: workers})
	if err != nil {
		return nil, fmt.Errorf("river inserter: %w", err)
	}
	q.client, q.inserter = client, inserter
	return q, nil
}

// migrate creates or upgrades River's own tables.
func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

// Start starts working jobs until Stop; an insert-only queue works none.
// On PostgreSQL it listens to the progress of scans worked elsewhere.
func (q *Queue) Start(ctx context.Context) error {
	if q.pool != nil {
		listening, stop := context.WithCancel(context.WithoutCancel(ctx))
		q.stopListening = stop
		go q.listen(listening)
	}
	if q.insertOnly {
		return nil
	}
	return q.client.Start(ctx)
}

// Stop waits for running jobs to finish, or for ctx to end.
func (q *Queue) Stop(ctx context.Context) error {
	if q.stopListening != nil {
		q.stopListening()
	}
	if q.insertOnly {
		return nil
	}
	return q.client.Stop(ctx)
}

// listen wakes the waiters of scans each time a write moves a scan on in
// any process, as PostgreSQL notifies it (sqlstore.ScanChannel), until
// ctx ends; a lost connection is listened on again a second later.
func (q *Queue) listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := q.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		q.logger.WarnContext(ctx, "listening to scans' progress", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// listenOnce listens on a connection of its own until it fails.
func (q *Queue) listenOnce(ctx context.Context) error {
	pooled, err := q.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+sqlstore.ScanChannel); err != nil {
		return err
	}
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		q.wake()
	}
}

// StartScan starts a scan of every code host: one job per host lists its
// repositories, then one job per repository reads it.
func (q *Queue) StartScan(ctx context.Context) (tandem.Scan, error) {
	hosts, err := q.store.FindCodeHosts(ctx, "")
	if err != nil {
		return tandem.Scan{}, err
	}
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	return q.startScan(ctx, names, nil)
}

// RescanRepository starts a scan of one repository of host: the host's
// job mirrors and lists that repository alone, then it is read.
func (q *Queue) RescanRepository(ctx context.Context, host, name string) (tandem.Scan, error) {
	if _, err := q.store.FindCodeHosts(ctx, host); err != nil {
		return tandem.Scan{}, err
	}
	return q.startScan(ctx, []string{host}, []string{name})
}

// startScan records a scan of hosts and enqueues one listing job per
// host, limited to the repositories in only when it names any.
func (q *Queue) startScan(ctx context.Context, names, only []string) (tandem.Scan, error) {
	scan, err := q.store.CreateScan(ctx, names, func(ctx context.Context, tx *sql.Tx, scanID int64) error {
		if len(names) == 0 {
			return nil
		}
		params := make([]river.InsertManyParams, len(names))
		for i, name := range names {
			params[i] = river.InsertManyParams{Args: ScanHostArgs{Scan: scanID, Host: name, Only: only}}
		}
		if _, err := q.inserter.InsertManyTx(ctx, tx, params); err != nil {
			return fmt.Errorf("enqueue scan: %w", err)
		}
		return nil
	})
	if err != nil {
		return scan, err
	}
	attrs := []any{"scan", scan.ID, "hosts", len(names)}
	if len(only) > 0 {
		attrs = append(attrs, "repositories", only)
	}
	q.logger.InfoContext(ctx, "scan started", attrs...)
	q.changed(ctx, scan)
	return scan, nil
}

// changed logs a scan's end once when it is done, then wakes the
// waiters of scans after a job of this process moved scan on.
func (q *Queue) changed(ctx context.Context, scan tandem.Scan) {
	q.logFinished(ctx, scan)
	q.wake()
}

// wake wakes the waiters of scans to read them again.
func (q *Queue) wake() {
	q.mu.Lock()
	close(q.progress)
	q.progress = make(chan struct{})
	q.mu.Unlock()
}

// fetchPollInterval is how often a worker looks for new jobs besides
// being told of them (SQLite has no notifications, and scans enqueue their
// reads as they list), and how often a waiter reads a scan again besides
// being woken.
const fetchPollInterval = 50 * time.Millisecond

// WaitScan returns scan id as soon as it is done or its progress differs
// from seen's, or as it is when ctx ends. Jobs of this process wake it at
// once, and on PostgreSQL those of others too.
func (q *Queue) WaitScan(ctx context.Context, id int64, seen tandem.Scan) (tandem.Scan, error) {
	tick := time.NewTicker(fetchPollInterval)
	defer tick.Stop()
	scan := seen
	for {
		q.mu.Lock()
		progress := q.progress
		q.mu.Unlock()
		found, err := q.store.FindScan(ctx, id)
		switch {
		case ctx.Err() != nil:
			return scan, nil
		case err != nil:
			return found, err
		}
		scan = found
		if scan.State == tandem.ScanDone || scan.Progress() != seen.Progress() {
			return scan, nil
		}
		select {
		case <-ctx.Done():
			return scan, nil
		case <-progress:
		case <-tick.C:
		}
	}
}

// logFinished logs the end of a scan that is done, with its counts, once
// in this process.
func (q *Queue) logFinished(ctx context.Context, scan tandem.Scan) {
	if scan.State != tandem.ScanDone || scan.FinishedAt == nil {
		return
	}
	if _, logged := q.finished.LoadOrStore(scan.ID, true); logged {
		return
	}
	q.logger.InfoContext(ctx, "scan finished", "scan", scan.ID, "hosts", len(scan.Hosts), "codebases", scan.Codebases,
		"read", scan.Done, "failed", scan.Failed, "problems", len(scan.Problems), "took", scan.FinishedAt.Sub(scan.StartedAt).Round(time.Millisecond))
}
