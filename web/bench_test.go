package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
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
// 50,000 targets, its first, filtered and last pages, and the API's
// answers about it and the catalog: aggregates and one page of targets
// or codebases, never all of them. Each request asks a URL of its own,
// so that every one is made, never answered from the cache of reads.
func BenchmarkCampaignPage(b *testing.B) {
	db := seedCampaign(b, 50_000)
	srv := web.NewServer(db, nil, &campaign.Service{Store: db}, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	for _, path := range []string{
		"/campaigns/big", "/campaigns/big?state=ticketed&team=team-007", "/campaigns/big?state=ticketed",
		"/campaigns/big?last=true", "/api/v1/campaigns", "/api/v1/campaigns/big", "/api/v1/codebases",
	} {
		b.Run(path, func(b *testing.B) {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			n := 0
			for b.Loop() {
				n++
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path+sep+"bench="+strconv.Itoa(n), nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %.300s", path, rec.Code, rec.Body)
				}
				_, _ = io.Copy(io.Discard, rec.Body)
			}
		})
	}
}
