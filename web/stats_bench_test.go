package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/web"
)

// BenchmarkCampaignStats answers the analytics of a migration with 50,000
// targets (bench.SeedCampaign): one read of each of its targets, tickets,
// change requests and nudges, and of the codebases' policies.
func BenchmarkCampaignStats(b *testing.B) {
	db := seedCampaign(b, 50_000)
	srv := web.NewServer(db, nil, &campaign.Service{Store: db}, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/campaigns/big/stats", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("%d %.300s", rec.Code, rec.Body)
		}
	}
}
