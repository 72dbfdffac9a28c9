// Command loadseed makes a SQLite database holding one migration, "big",
// with many targets over 200 teams, in every state and found over the
// last 60 days, as web/bench_test.go seeds it, for load tests of the
// campaign page with wrk (docs/performance.md, "Read load (wrk)"):
//
//	go run ./scripts/loadseed -db /tmp/load-big.db -n 50000
//	tandem serve --db /tmp/load-big.db --addr 127.0.0.1:8090
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/manifest"
	"github.com/tandem-dev/tandem/sqlstore"
)

const catalog = `apiVersion: tandem.dev/v1
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
`

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
	objs, err := manifest.Decode([]manifest.Source{{Name: "catalog.yaml", Data: []byte(catalog)}})
	if err != nil {
		return err
	}
	if _, err := db.Apply(ctx, objs); err != nil {
		return err
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	for i := range n {
		name := fmt.Sprintf("svc-%05d", i)
		team := fmt.Sprintf("team-%03d", i%200)
		if _, err := tx.ExecContext(ctx, `INSERT INTO codebases (name, host, default_branch, head, ownership, problems, owner, owner_source, contributions, trusted)
			VALUES ($1, 'h', 'main', 'c', '{}', '[]', $2, 'codeowners', 'closed', '[]')`, name, team); err != nil {
			return err
		}
		state := tandem.TargetStates[i%len(tandem.TargetStates)]
		found := now.AddDate(0, 0, -(i % 60))
		var done any
		if state == tandem.TargetDone {
			done = found.AddDate(0, 0, 3)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO targets (migration, codebase, state, evidence, commit_id, found_at, done_at, team)
			VALUES ('big', $1, $2, '[{"path":"main.go","line":3}]', 'c', $3, $4, $5)`, name, state, found, done, team); err != nil {
			return err
		}
	}
	return tx.Commit()
}
