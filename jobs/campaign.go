package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// TickInterval is how often campaigns' scheduled work runs. River runs
// periodic jobs on its elected leader only: once per period, however many
// processes serve.
const TickInterval = time.Minute

// CampaignTickArgs asks for the campaigns' scheduled work.
type CampaignTickArgs struct{}

// Kind names the job in River's tables.
func (CampaignTickArgs) Kind() string { return "campaign_tick" }

// InsertOpts keeps one tick waiting at a time.
func (CampaignTickArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: TickInterval}}
}

type campaignTickWorker struct {
	river.WorkerDefaults[CampaignTickArgs]
	cfg     Config
	metrics *metrics
}

// Work nudges, expires exemptions and escalates what is due.
func (w *campaignTickWorker) Work(ctx context.Context, job *river.Job[CampaignTickArgs]) error {
	n, err := w.cfg.Tick(ctx)
	w.metrics.nudges.Add(float64(n))
	return err
}

// PollArgs asks for a scan of every code host.
type PollArgs struct{}

// Kind names the job in River's tables.
func (PollArgs) Kind() string { return "poll" }

// InsertOpts keeps one poll waiting at a time.
func (PollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

type pollWorker struct {
	river.WorkerDefaults[PollArgs]
	queue *Queue
}

// Work starts a scan; its jobs do the reading.
func (w *pollWorker) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	_, err := w.queue.StartScan(ctx)
	return err
}
