package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-dev/tandem/bench"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
	"github.com/tandem-dev/tandem/web"
)

// seedCampaign makes a store with one migration of n targets over 200
// teams, in every state (bench.SeedCampaign).
func seedCampaign(tb testing.TB, n int) *sqlstore.DB {
	tb.Helper()
	db, err := sqlstore.Open(context.Background(), sqlstoretest.SQLite(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := bench.SeedCampaign(context.Background(), db, n); err != nil {
		tb.Fatal(err)
	}
	return db
}

// BenchmarkCampaignPage renders the campaign page of a migration with
// 50,000 targets: aggregates and one page of targets, never all of them.
func BenchmarkCampaignPage(b *testing.B) {
	db := seedCampaign(b, 50_000)
	srv := web.NewServer(db, nil, &campaign.Service{Store: db}, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	for _, path := range []string{"/campaigns/big", "/campaigns/big?state=ticketed&team=team-007&page=1", "/api/v1/campaigns"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
				}
				_, _ = io.Copy(io.Discard, rec.Body)
			}
		})
	}
}
