package jobs

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestRiverLogsAtTheLevelOperatorsNeed(t *testing.T) {
	tests := []struct {
		name    string
		verbose bool
		log     func(*slog.Logger)
		want    string // a fragment of the line, "" for none
	}{
		{"a producer's job counts are not shown at info", false,
			func(l *slog.Logger) { l.Info("producer: Producer job counts", "num_completed_jobs", 3) }, ""},
		{"a producer's job counts are shown at debug with --verbose", true,
			func(l *slog.Logger) { l.Info("producer: Producer job counts", "num_completed_jobs", 3) },
			`level=DEBUG msg="producer: Producer job counts" component=jobs num_completed_jobs=3`},
		{"River's own debug lines stay hidden at info", false,
			func(l *slog.Logger) { l.Debug("elector: Attempting to gain leadership") }, ""},
		{"a failed job is a warning", false,
			func(l *slog.Logger) {
				l.Info("jobexecutor.JobExecutor: Job errored; retrying", "error", "boom", "job_id", 7)
			},
			`level=WARN msg="jobexecutor.JobExecutor: Job errored; retrying" component=jobs error=boom job_id=7`},
		{"a warning stays a warning", false,
			func(l *slog.Logger) { l.Warn("notifier: Notifier unhealthy") }, `level=WARN msg="notifier: Notifier unhealthy"`},
		{"an error stays an error", false,
			func(l *slog.Logger) { l.Error("producer: Error fetching jobs") }, `level=ERROR msg="producer: Error fetching jobs"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			level := slog.LevelInfo
			if tt.verbose {
				level = slog.LevelDebug
			}
			serve := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: level}))
			tt.log(quietRiver(serve).With("component", "jobs"))
			got := buf.String()
			if tt.want == "" && got != "" {
				t.Errorf("logged %q, want nothing", got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("logged %q, want a line with %q", got, tt.want)
			}
		})
	}
	if h := (riverHandler{slog.DiscardHandler}); h.Enabled(context.Background(), slog.LevelInfo) {
		t.Errorf("a handler that shows nothing is enabled for River's info lines")
	}
}
