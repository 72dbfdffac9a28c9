// Command loadseed makes a SQLite database holding one migration, "big",
// with many targets over 200 teams, in every state, written through the
// store as a scan and a campaign would (bench.SeedCampaign, as
// BenchmarkCampaignPage seeds it), for load tests of the campaign page
// with wrk (docs/performance.md, "Read load (wrk)"):
//
//	go run ./scripts/loadseed -db /tmp/load-big.db -n 50000
//	tandem serve --db /tmp/load-big.db --addr 127.0.0.1:8090
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/tandem-dev/tandem/bench"
	"github.com/tandem-dev/tandem/sqlstore"
)

func main() {
	path := flag.String("db", "", "the SQLite database to create (must not exist)")
	n := flag.Int("n", 50_000, "how many codebases and targets")
	flag.Parse()
	if *path == "" {
		log.Fatal("loadseed: -db is required")
	}
	if _, err := os.Stat(*path); err == nil {
		log.Fatalf("loadseed: %s exists", *path)
	}
	if err := seed(context.Background(), *path, *n); err != nil {
		log.Fatalf("loadseed: %v", err)
	}
}

func seed(ctx context.Context, path string, n int) error {
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	return bench.SeedCampaign(ctx, db, n)
}
