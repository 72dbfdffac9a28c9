package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/web"
)

// seedCampaign makes a store with one migration of n targets over 200
// teams, in every state, found over the last 60 days.
func seedCampaign(tb testing.TB, n int) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	db := catalogStore(tb, `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: platform}
spec: {type: platform}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec: {owner: platform}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: big}
spec: {platform: obslog, title: Big, target: {path: "**"}, deadline: "2027-01-31"}
`)
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now().UTC()
	insert := func(q string, args ...any) {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			tb.Fatal(err)
		}
	}
	for i := range n {
		name := fmt.Sprintf("svc-%05d", i)
		team := fmt.Sprintf("team-%03d", i%200)
		insert(`INSERT INTO codebases (name, host, default_branch, head, ownership, problems, owner, owner_source, contributions, trusted)
			VALUES ($1, 'h', 'main', 'c', '{}', '[]', $2, 'codeowners', 'closed', '[]')`, name, team)
		state := tandem.TargetStates[i%len(tandem.TargetStates)]
		found := now.AddDate(0, 0, -(i % 60))
		var done any
		if state == tandem.TargetDone {
			done = found.AddDate(0, 0, 3)
		}
		insert(`INSERT INTO targets (migration, codebase, state, evidence, commit_id, found_at, done_at, team)
			VALUES ('big', $1, $2, '[{"path":"main.go","line":3}]', 'c', $3, $4, $5)`, name, state, found, done, team)
	}
	if err := tx.Commit(); err != nil {
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
