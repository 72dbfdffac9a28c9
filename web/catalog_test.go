package web_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/jobs"
	"github.com/tandem-dev/tandem/manifest"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
	"github.com/tandem-dev/tandem/web"
)

// catalogStore is a new SQLite store with catalog applied.
func catalogStore(tb testing.TB, catalog string) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, sqlstoretest.SQLite(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	objs, err := manifest.Decode([]manifest.Source{{Name: "catalog.yaml", Data: []byte(catalog)}})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.Apply(ctx, objs); err != nil {
		tb.Fatal(err)
	}
	return db
}

// catalogServer serves a store with catalog applied, with a job queue
// that enqueues (nothing works its jobs).
func catalogServer(t *testing.T, catalog string) (*web.Server, *sqlstore.DB) {
	t.Helper()
	db := catalogStore(t, catalog)
	queue, err := jobs.New(context.Background(), db.SQL(), nil, jobs.Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	return web.NewServer(db, queue, &campaign.Service{Store: db}, slog.New(slog.DiscardHandler), prometheus.NewRegistry()), db
}
