package jobs

import (
	"context"
	"log/slog"
)

// riverHandler passes River's own log records to h at the level an
// operator needs them: its routine reports (a producer's job counts every
// five seconds, maintenance runs, the client starting and stopping) at
// DEBUG, shown by serve --verbose; a report naming an error (a job that
// failed and is retried) at WARN; warnings and errors as they are.
type riverHandler struct{ h slog.Handler }

// quietRiver returns the logger River is given: logger's handler behind
// a riverHandler.
func quietRiver(logger *slog.Logger) *slog.Logger {
	return slog.New(riverHandler{logger.Handler()})
}

func (q riverHandler) Enabled(ctx context.Context, level slog.Level) bool {
	if level >= slog.LevelWarn {
		return q.h.Enabled(ctx, level)
	}
	// The level a record gets depends on its attributes, seen in Handle.
	return q.h.Enabled(ctx, slog.LevelDebug) || q.h.Enabled(ctx, slog.LevelWarn)
}

func (q riverHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		level := slog.LevelDebug
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "error" || a.Key == "err" {
				level = slog.LevelWarn
				return false
			}
			return true
		})
		if !q.h.Enabled(ctx, level) {
			return nil
		}
		r.Level = level
	}
	return q.h.Handle(ctx, r)
}

func (q riverHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return riverHandler{q.h.WithAttrs(as)}
}

func (q riverHandler) WithGroup(name string) slog.Handler {
	return riverHandler{q.h.WithGroup(name)}
}
