package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/manifest"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
	"github.com/tandem-dev/tandem/web"
)

// homeTeams is how many teams own the codebases of seedAdoption.
const homeTeams = 200

// homeCatalog is the catalog of seedAdoption: two platforms whose
// adoption checks a scan evaluates, on a code host whose folder does not
// exist, so that the server scans nothing of it.
const homeCatalog = `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: platform}
spec: {type: platform}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec: {owner: platform, adoption: {path: "**/*.go", contains: "acme.dev/obslog"}}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: chassis}
spec: {owner: platform, adoption: {path: "go.mod", contains: "acme.dev/chassis"}}
`

// seedAdoption makes a store of n codebases over homeTeams teams, one in
// ten without an owner, read by a scan in which obslog's adoption check
// holds on two codebases in three and chassis's on one in five; a second
// scan finds one in twenty gone from the host.
func seedAdoption(tb testing.TB, n int) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, sqlstoretest.SQLite(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := applyHomeCatalog(ctx, db); err != nil {
		tb.Fatal(err)
	}
	checks, err := tandem.StoredChecks(ctx, db)
	if err != nil {
		tb.Fatal(err)
	}
	names := make([]string, n)
	for i := range n {
		names[i] = fmt.Sprintf("svc-%05d", i)
	}
	scanID, err := startHomeScan(ctx, db, tandem.Listing{Read: names, Complete: true})
	if err != nil {
		tb.Fatal(err)
	}
	for batch := range slices.Chunk(names, 1000) {
		reads := make([]tandem.CodebaseRead, len(batch))
		for j, name := range batch {
			reads[j] = homeRead(name, checks)
		}
		if _, err := db.SaveCodebases(ctx, scanID, reads); err != nil {
			tb.Fatal(err)
		}
	}
	listed := slices.DeleteFunc(slices.Clone(names), func(name string) bool { return homeIndex(name)%20 == 0 })
	if _, err := startHomeScan(ctx, db, tandem.Listing{Unchanged: listed, Complete: true}); err != nil {
		tb.Fatal(err)
	}
	return db
}

// applyHomeCatalog applies homeCatalog, the teams and the code host.
func applyHomeCatalog(ctx context.Context, db *sqlstore.DB) error {
	var yaml strings.Builder
	yaml.WriteString(homeCatalog)
	for i := range homeTeams {
		fmt.Fprintf(&yaml, "---\napiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: team-%03d}\nspec: {type: stream-aligned}\n", i)
	}
	objs, err := manifest.Decode([]manifest.Source{{Name: "home.yaml", Data: []byte(yaml.String())}})
	if err != nil {
		return err
	}
	host := tandem.CodeHost{Name: "bench", Type: tandem.HostLocal, Path: "/nonexistent/tandem-bench"}
	objs = append(objs, tandem.Object{Kind: tandem.KindCodeHost, Name: host.Name, File: "home.go", Spec: &host})
	_, err = db.Apply(ctx, objs)
	return err
}

// homeIndex returns the i of codebase svc-i.
func homeIndex(name string) int {
	var i int
	fmt.Sscanf(name, "svc-%d", &i)
	return i
}

// homeRead is what a scan reads of a codebase: its CODEOWNERS name its
// team but one in ten, and each platform's adoption check holds as
// seedAdoption says.
func homeRead(name string, checks []tandem.NamedCheck) tandem.CodebaseRead {
	i := homeIndex(name)
	c := tandem.Codebase{Name: name, Host: "bench", DefaultBranch: "main", Head: "c"}
	if i%10 != 0 {
		c.Ownership = tandem.Ownership{Codeowners: []string{fmt.Sprintf("@acme/team-%03d", i%homeTeams)}, CodeownersFile: "CODEOWNERS"}
	}
	r := tandem.CodebaseRead{Codebase: c, BytesRead: 4 << 10}
	for _, nc := range checks {
		res := tandem.CheckResult{Codebase: name, Check: nc.ID, Digest: nc.Digest, Commit: "c"}
		switch nc.ID {
		case tandem.CheckID("platform", "obslog", tandem.RoleAdoption):
			res.Holds = i%3 != 0
		case tandem.CheckID("platform", "chassis", tandem.RoleAdoption):
			res.Holds = i%5 == 0
		}
		r.Results = append(r.Results, res)
	}
	return r
}

// startHomeScan starts a scan of the code host whose listing is l, and
// returns its id.
func startHomeScan(ctx context.Context, db *sqlstore.DB, l tandem.Listing) (int64, error) {
	none := func(context.Context, *sql.Tx, int64) error { return nil }
	scan, err := db.CreateScan(ctx, []string{"bench"}, none)
	if err != nil {
		return 0, err
	}
	_, err = db.RecordRepositories(ctx, scan.ID, "bench", l, func(context.Context, *sql.Tx) error { return nil })
	return scan.ID, err
}

// BenchmarkHomePage renders the home page, and the adoption API, over a
// catalog of 50,000 codebases: counts and trends the database
// aggregates, never every codebase. Each request asks a URL of its own,
// so that every one is rendered, never answered from the cache of reads.
func BenchmarkHomePage(b *testing.B) {
	db := seedAdoption(b, 50_000)
	srv := web.NewServer(db, nil, &campaign.Service{Store: db}, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	for _, path := range []string{"/", "/api/v1/adoption"} {
		b.Run(path, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n++
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path+"?bench="+strconv.Itoa(n), nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
				}
				_, _ = io.Copy(io.Discard, rec.Body)
			}
		})
	}
}
