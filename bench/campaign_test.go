package bench_test

import (
	"context"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/bench"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// openStore opens the store at dsn for tb, closed when tb ends.
func openStore(tb testing.TB, dsn string) *sqlstore.DB {
	tb.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestSeedCampaign(t *testing.T) {
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := openStore(t, e.DSN)
			const n = 2 * 8 * 200 // two targets in every state in every team
			if err := bench.SeedCampaign(ctx, db, n); err != nil {
				t.Fatal(err)
			}

			targets, err := db.FindTargets(ctx, "big")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(targets), n; got != want {
				t.Fatalf("targets = %d, want %d", got, want)
			}
			counts := map[string]int{}
			for _, tg := range targets {
				counts[tg.State]++
			}
			for _, s := range tandem.TargetStates {
				if got, want := counts[s], n/len(tandem.TargetStates); got != want {
					t.Errorf("%s targets = %d, want %d", s, got, want)
				}
			}

			st, err := db.TargetStats(ctx, "big")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(st.ByTeam), 200+1; got != want {
				t.Errorf("teams of targets = %d, want %d (200, and none for the unowned)", got, want)
			}
			for _, s := range tandem.TargetStates[1:] {
				if got, want := st.ByTeam["team-007"][s], 2; got != want {
					t.Errorf("%s targets of team-007 = %d, want %d", s, got, want)
				}
			}
			tickets, err := db.FindTickets(ctx, tandem.TicketFilter{Migration: "big"})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(tickets), 200; got != want {
				t.Errorf("tickets = %d, want %d, one per team", got, want)
			}
		})
	}
}

// BenchmarkSeedCampaign seeds 50,000 targets on SQLite, as
// BenchmarkCampaignPage does:
//
//	go test ./bench -run XXX -bench SeedCampaign -benchtime 1x
func BenchmarkSeedCampaign(b *testing.B) {
	for range b.N {
		b.StopTimer()
		db := openStore(b, sqlstoretest.SQLite(b))
		b.StartTimer()
		if err := bench.SeedCampaign(context.Background(), db, 50_000); err != nil {
			b.Fatal(err)
		}
	}
}
