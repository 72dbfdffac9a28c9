package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/tandem-dev/tandem"
)

// GuardStore is the part of tandem.Store the backsliding guard uses: the
// catalog's migrations and code hosts, targets, and its reports.
type GuardStore interface {
	tandem.CatalogStore
	tandem.TargetStore
	tandem.GuardStore
}

// GuardConfig is what the backsliding guard needs.
type GuardConfig struct {
	Store GuardStore
	// Open returns the guard's side of a code host: fetching pull
	// requests, posting statuses and comments.
	Open func(tandem.CodeHost) (tandem.PullRequestGuard, error)
	// Evaluate returns the verdict of each guarding migration on the
	// pull request at head whose merge base is base, in the mirror dir.
	Evaluate func(ctx context.Context, dir, base, head string, guards []tandem.Guarding) ([]tandem.GuardVerdict, error)
	// CampaignURL returns the address of a migration's campaign page.
	CampaignURL func(migration string) string
}

// GuardArgs asks the guard to evaluate one head of a pull request of a
// codebase of code host Host.
type GuardArgs struct {
	Host   string `json:"host" river:"unique"`
	Repo   string `json:"repo" river:"unique"`
	Number int64  `json:"number" river:"unique"`
	Head   string `json:"head" river:"unique"`
	Base   string `json:"base"`
	URL    string `json:"url"`
}

// Kind names the job in River's tables.
func (GuardArgs) Kind() string { return "guard_pull_request" }

// InsertOpts evaluates each head of a pull request once, however often
// its webhook is delivered, and retries a code host that fails.
func (GuardArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// GuardPullRequest enqueues the evaluation of pull request e's head, once
// per head.
func (q *Queue) GuardPullRequest(ctx context.Context, host string, e tandem.PullRequestEvent) error {
	if !q.guarding {
		return tandem.Errorf(tandem.EINVALID, "guard of %s: this server guards no pull requests", e.URL)
	}
	args := GuardArgs{Host: host, Repo: e.Repo, Number: e.Number, Head: e.Head, Base: e.Base, URL: e.URL}
	if _, err := q.inserter.Insert(ctx, args, nil); err != nil {
		return fmt.Errorf("enqueue guard of %s: %w", e.URL, err)
	}
	return nil
}

type guardWorker struct {
	river.WorkerDefaults[GuardArgs]
	cfg    GuardConfig
	logger *slog.Logger
}

// NextRetry retries soon after a code host failed, then less and less
// often: 1s, 4s, 9s… at most a minute apart, as someone waits for the
// pull request's checks.
func (w *guardWorker) NextRetry(job *river.Job[GuardArgs]) time.Time {
	return time.Now().Add(min(time.Duration(job.Attempt*job.Attempt)*time.Second, time.Minute))
}

// Work fetches the pull request's head, evaluates every migration that
// guards the codebase and posts, for each, a commit status and, when the
// pull request brings back what the migration removes, one comment.
// Each post is recorded as soon as it is made, so that a retry, after a
// code host failed, posts only what is left.
func (w *guardWorker) Work(ctx context.Context, job *river.Job[GuardArgs]) error {
	a := job.Args
	guards, err := w.guardings(ctx, a.Repo, time.Now())
	if err != nil || len(guards) == 0 {
		return err
	}
	hs, err := w.cfg.Store.FindCodeHosts(ctx, a.Host)
	if err != nil {
		return err
	}
	host, err := w.cfg.Open(hs[0])
	if err != nil {
		return err
	}
	dir, base, err := host.FetchPullRequest(ctx, tandem.PullRequestEvent{Repo: a.Repo, Number: a.Number, Head: a.Head, Base: a.Base, URL: a.URL})
	if err != nil {
		return err
	}
	verdicts, err := w.cfg.Evaluate(ctx, dir, base, a.Head, guards)
	if err != nil {
		return err
	}
	for i, v := range verdicts {
		if err := w.post(ctx, host, a, guards[i].Migration, v); err != nil {
			return err
		}
	}
	w.logger.InfoContext(ctx, "pull request guarded", "url", a.URL, "head", a.Head, "migrations", len(verdicts))
	return nil
}

// guardings returns the migrations that guard codebase at now, and how.
func (w *guardWorker) guardings(ctx context.Context, codebase string, now time.Time) ([]tandem.Guarding, error) {
	migrations, err := w.cfg.Store.FindMigrations(ctx, "")
	if err != nil {
		return nil, err
	}
	targets, err := w.cfg.Store.FindCodebaseTargets(ctx, codebase)
	if err != nil {
		return nil, err
	}
	byMigration := tandem.GuardTargets(targets)
	var guards []tandem.Guarding
	for _, m := range migrations {
		t := byMigration[m.Name]
		var counts map[string]int
		if m.Guard == nil && t != nil && t.State == tandem.TargetDone {
			// Only then can a migration without a guard guard: when it
			// is finished, which its counts tell.
			stats, err := w.cfg.Store.TargetStats(ctx, m.Name)
			if err != nil {
				return nil, err
			}
			counts = stats.Counts()
		}
		if mode, ok := tandem.GuardOf(m, counts, t, now); ok {
			guards = append(guards, tandem.Guarding{Migration: m, Mode: mode})
		}
	}
	return guards, nil
}

// post posts verdict v of migration m on the pull request of a: its
// commit status unless a report says it was posted, then its comment
// unless the pull request has it already.
func (w *guardWorker) post(ctx context.Context, host tandem.PullRequestGuard, a GuardArgs, m tandem.Migration, v tandem.GuardVerdict) error {
	store := w.cfg.Store
	campaign := w.cfg.CampaignURL(m.Name)
	earlier, err := store.FindGuardReports(ctx, tandem.GuardReportFilter{Host: a.Host, Repo: a.Repo, Number: a.Number, Migration: m.Name})
	if err != nil {
		return err
	}
	var report *tandem.GuardReport
	commented := false
	for i := range earlier {
		if earlier[i].Head == a.Head {
			report = &earlier[i]
		}
		commented = commented || earlier[i].CommentedAt != nil
	}
	if report == nil {
		if err := host.PostStatus(ctx, a.Repo, a.Head, tandem.GuardStatus(v, campaign)); err != nil {
			return err
		}
		report = &tandem.GuardReport{Host: a.Host, Repo: a.Repo, Number: a.Number, URL: a.URL, Head: a.Head, Migration: m.Name,
			Mode: v.Mode, State: v.State, Evidence: v.Evidence, PostedAt: time.Now().UTC()}
		if err := store.SaveGuardReport(ctx, *report); err != nil {
			return err
		}
	}
	if v.State == tandem.StatusSuccess || commented {
		return nil
	}
	if err := host.CommentPullRequest(ctx, a.Repo, a.URL, tandem.GuardComment(m, v, campaign), tandem.GuardMarker(m.Name)); err != nil {
		return err
	}
	now := time.Now().UTC()
	report.CommentedAt = &now
	return store.SaveGuardReport(ctx, *report)
}
