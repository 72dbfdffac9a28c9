package bench

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore"
)

// The fleets RunReads serves.
const (
	// FleetDemo is serve --demo's fleet: nine codebases, scanned.
	FleetDemo = "demo"
	// FleetLarge is a store seeded by SeedCampaign with ReadOptions.Targets
	// codebases, each a target of the migration "big".
	FleetLarge = "large"
)

// ReadOptions says what RunReads measures.
type ReadOptions struct {
	Binary string   // the tandem binary to serve with
	Env    []string // added to the environment of every process it runs
	// Postgres is a PostgreSQL server's DSN: each fleet is also served
	// there, on a database the run creates and drops. "" measures SQLite
	// only.
	Postgres    string
	Fleets      []string      // FleetDemo, FleetLarge (default both)
	Targets     int           // codebases and targets of the large fleet (default 50,000)
	Connections int           // connections loading each route (default 64)
	Duration    time.Duration // load of each route (default 30s)
	// Wrk is the path of wrk, which loads instead of Load when set.
	Wrk string
	// Dir keeps the seeded SQLite database of each size of the large
	// fleet, made once and copied for each run.
	Dir string
	Log io.Writer // progress lines
}

// withDefaults returns o with its zero values replaced by the defaults.
func (o ReadOptions) withDefaults() ReadOptions {
	if len(o.Fleets) == 0 {
		o.Fleets = []string{FleetDemo, FleetLarge}
	}
	if o.Targets <= 0 {
		o.Targets = 50000
	}
	if o.Connections <= 0 {
		o.Connections = 64
	}
	if o.Duration <= 0 {
		o.Duration = 30 * time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return o
}

// ReadTarget is what a route is held to: at least Rate requests per
// second, a 99th percentile latency below P99, and no errors.
type ReadTarget struct {
	Rate float64
	P99  time.Duration
}

func (t ReadTarget) String() string {
	return fmt.Sprintf("≥ %.0f req/s, p99 < %v", t.Rate, t.P99)
}

// The targets of the routes: PostgreSQL is held to SQLite's rate on the
// same route divided by postgresSlack.
var (
	demoTarget    = ReadTarget{Rate: 5000, P99: 50 * time.Millisecond}
	largeTarget   = ReadTarget{Rate: 2000, P99: 50 * time.Millisecond}
	postgresSlack = 1.5
)

// ReadResult is one route's load on one engine and fleet.
type ReadResult struct {
	Engine string // SQLite or PostgreSQL
	Fleet  string // "demo", or "large N"
	Route  string // path and query
	Load   LoadResult
	Target ReadTarget
	Met    bool  // the load met its target, without errors
	RSS    int64 // the serve process's peak resident memory during the load, in bytes
}

// RunReads measures the read path users hit: for each engine (SQLite,
// then PostgreSQL when o.Postgres is set) and each of o.Fleets, it serves
// the fleet with o.Binary, checks that every route answers 200 to an
// anonymous GET, then loads the routes one after the other. It fails
// when a server does not start or a route does not answer 200; errors
// during the loads are in the results. The results gathered so far come
// with an error.
func RunReads(ctx context.Context, o ReadOptions) ([]ReadResult, error) {
	o = o.withDefaults()
	for _, f := range o.Fleets {
		if f != FleetDemo && f != FleetLarge {
			return nil, tandem.Errorf(tandem.EINVALID, "fleet %q: want %s or %s", f, FleetDemo, FleetLarge)
		}
	}
	engines := []string{""}
	if o.Postgres != "" {
		engines = append(engines, o.Postgres)
	}
	var results []ReadResult
	for _, pg := range engines {
		for _, fleet := range o.Fleets {
			r := &readRun{o: o, postgres: pg, fleet: fleet, engine: "SQLite", results: results}
			if pg != "" {
				r.engine = "PostgreSQL"
			}
			err := r.run(ctx)
			results = r.results
			if err != nil {
				return results, fmt.Errorf("%s, %s fleet: %w", r.engine, fleet, err)
			}
		}
	}
	return results, nil
}

// readRun is the load of one fleet on one engine, adding to results.
type readRun struct {
	o        ReadOptions
	postgres string // "" for SQLite
	engine   string
	fleet    string
	results  []ReadResult
}

// name is the fleet as the results name it.
func (r *readRun) name() string {
	if r.fleet == FleetLarge {
		return fmt.Sprintf("large %d", r.o.Targets)
	}
	return r.fleet
}

// run serves the fleet on a database of its own, checks its routes and
// loads each.
func (r *readRun) run(ctx context.Context) (err error) {
	tmp, err := os.MkdirTemp("", "tandem-reads-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dsn, drop, err := r.database(ctx, tmp)
	if err != nil {
		return err
	}
	defer drop()
	s := &session{o: ServerOptions{Binary: r.o.Binary, Env: r.o.Env, Postgres: r.postgres, Log: r.o.Log},
		dir: tmp, token: tandem.TokenPrefix + "bench-" + strings.ToLower(rand.Text())}
	var extra []string
	if r.fleet == FleetDemo {
		extra = []string{"--demo=" + filepath.Join(tmp, "demo")}
	}
	srv, err := s.serve(ctx, dsn, "all", extra...)
	if err != nil {
		return err
	}
	defer func() {
		srv.stop()
		if err != nil {
			err = fmt.Errorf("%w\nlast lines of serve:\n%s", err, srv.stderr.tail(20))
		}
	}()
	fmt.Fprintf(r.o.Log, "serve on %s, %s fleet: %s\n", r.engine, r.name(), srv.url)
	routes, err := r.routes(ctx, srv.url)
	if err != nil {
		return err
	}
	for _, route := range routes {
		if err := answers200(ctx, srv.url+route); err != nil {
			return err
		}
	}
	for _, route := range routes {
		if err := r.load(ctx, srv, route); err != nil {
			return err
		}
	}
	return nil
}

// database returns the DSN of the database the fleet is served from, and
// how to drop it: a SQLite file in tmp, or a database created on the
// PostgreSQL server. The large fleet's is seeded; the demo's is empty, for
// serve --demo to fill.
func (r *readRun) database(ctx context.Context, tmp string) (string, func(), error) {
	if r.postgres == "" {
		dsn := filepath.Join(tmp, "tandem.db")
		if r.fleet == FleetDemo {
			return dsn, func() {}, nil
		}
		seeded, err := seededSQLite(ctx, r.o.Dir, r.o.Targets, r.o.Log)
		if err != nil {
			return "", nil, err
		}
		return dsn, func() {}, copyFile(seeded, dsn)
	}
	name := fmt.Sprintf("tandem_reads_%d_%s", os.Getpid(), strings.ToLower(rand.Text()[:8]))
	db, err := createDatabase(ctx, r.postgres, name)
	if err != nil {
		return "", nil, err
	}
	if r.fleet == FleetLarge {
		if err := seed(ctx, db.dsn, r.o.Targets, r.engine, r.o.Log); err != nil {
			db.drop()
			return "", nil, err
		}
	}
	return db.dsn, db.drop, nil
}

// seededSQLite returns a SQLite database seeded by SeedCampaign with n
// targets, made once in dir, under a lock, and kept for later runs.
func seededSQLite(ctx context.Context, dir string, n int, log io.Writer) (string, error) {
	path := filepath.Join(dir, fmt.Sprintf("reads-campaign-%d.db", n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	unlock, err := lockFile(path + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	work, err := os.MkdirTemp(dir, "seeding-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	if err := seed(ctx, filepath.Join(work, "tandem.db"), n, "SQLite", log); err != nil {
		return "", err
	}
	// A copy of one consistent snapshot, written to path only once whole.
	db, err := sqlstore.Open(ctx, filepath.Join(work, "tandem.db"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	return path, db.Backup(ctx, path)
}

// seed fills the database dsn with SeedCampaign's n targets.
func seed(ctx context.Context, dsn string, n int, engine string, log io.Writer) error {
	fmt.Fprintf(log, "seeding a campaign of %d targets on %s\n", n, engine)
	start := time.Now()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := SeedCampaign(ctx, db, n); err != nil {
		return fmt.Errorf("seed %d targets: %w", n, err)
	}
	fmt.Fprintf(log, "seeded %d targets on %s in %v\n", n, engine, round(time.Since(start)))
	return nil
}

// copyFile copies the file src to the new file dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// The routes of each fleet, as anonymous readers GET them. The demo's
// team and platform are in demo/catalog.
var (
	demoRoutes = []string{
		"/", "/campaigns/logrus-to-obslog", "/teams/payments", "/platforms/obslog", "/codebases",
		"/api/v1/adoption", "/api/v1/campaigns/logrus-to-obslog", "/api/v1/teams/payments",
		"/api/v1/platforms/obslog", "/api/v1/codebases",
	}
	largeRoutes = []string{
		"/", "/api/v1/codebases", "/campaigns/big", "/campaigns/big?state=ticketed&team=team-007",
		"", // the campaign page's last page, once the page says which it is
		"/api/v1/campaigns/big",
	}
)

// routes returns the fleet's routes once the server serves them: the
// demo's after its first scan is done, the large fleet's with the
// campaign page's last page.
func (r *readRun) routes(ctx context.Context, base string) ([]string, error) {
	if r.fleet == FleetDemo {
		return demoRoutes, waitScan(ctx, base, 1, 3*time.Minute)
	}
	last, err := lastPage(ctx, base, "/campaigns/big")
	if err != nil {
		return nil, err
	}
	routes := make([]string, len(largeRoutes))
	for i, route := range largeRoutes {
		if route == "" {
			route = last
		}
		routes[i] = route
	}
	return routes, nil
}

// waitScan waits until the scan id is done, for at most limit.
func waitScan(ctx context.Context, base string, id int64, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	route := fmt.Sprintf("/api/v1/scans/%d?wait=20s", id)
	for {
		body, err := read(ctx, base+route)
		if err != nil {
			return fmt.Errorf("wait for the demo's scan: %w", err)
		}
		var scan tandem.Scan
		if err := json.Unmarshal(body, &scan); err != nil {
			return fmt.Errorf("wait for the demo's scan: GET %s: %w", route, err)
		}
		if scan.State == tandem.ScanDone {
			return nil
		}
	}
}

// lastLink is a campaign page's link to its last page of targets.
var lastLink = regexp.MustCompile(`<a href="([^"]*)"[^>]*>Last</a>`)

// lastPage returns the route of the campaign page's last page of
// targets: where its Last link leads.
func lastPage(ctx context.Context, base, route string) (string, error) {
	body, err := read(ctx, base+route)
	if err != nil {
		return "", err
	}
	m := lastLink.FindSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("GET %s: the page has no Last link to its last page of targets", route)
	}
	href, err := url.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		return "", fmt.Errorf("GET %s: its Last link: %w", route, err)
	}
	from, _ := url.Parse(route)
	return from.ResolveReference(href).RequestURI(), nil
}

// answers200 fails unless an anonymous GET of target is answered 200.
func answers200(ctx context.Context, target string) error {
	_, err := read(ctx, target)
	return err
}

// read returns the body of an anonymous GET of target, which must be
// answered 200 within a minute.
func read(ctx context.Context, target string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", target, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s answered %s, want 200 OK: %.300s", target, resp.Status, body)
	}
	return body, nil
}

// load loads route and adds its result.
func (r *readRun) load(ctx context.Context, srv *server, route string) error {
	resetPeakRSS(srv.proc())
	lo := LoadOptions{URL: srv.url + route, Connections: r.o.Connections, Duration: r.o.Duration}
	load := Load
	if r.o.Wrk != "" {
		load = func(ctx context.Context, o LoadOptions) (LoadResult, error) { return Wrk(ctx, r.o.Wrk, o) }
	}
	l, err := load(ctx, lo)
	if err != nil {
		return err
	}
	res := ReadResult{Engine: r.engine, Fleet: r.name(), Route: route, Load: l, Target: r.target(route), RSS: peakRSS(srv.proc())}
	res.Met = l.Requests > 0 && l.Errors() == 0 && l.Rate() >= res.Target.Rate && l.P99() < res.Target.P99
	r.results = append(r.results, res)
	fmt.Fprintf(r.o.Log, "%s, %s: %s: %.0f req/s, p50 %s, p99 %s, %d errors\n",
		r.engine, res.Fleet, route, l.Rate(), latency(l.P50()), latency(l.P99()), l.Errors())
	return nil
}

// target returns what route is held to: its fleet's target on SQLite,
// and SQLite's rate on the same route divided by 1.5 on PostgreSQL.
func (r *readRun) target(route string) ReadTarget {
	t := demoTarget
	if r.fleet == FleetLarge {
		t = largeTarget
	}
	if r.postgres == "" {
		return t
	}
	t.Rate /= postgresSlack
	for _, res := range r.results {
		if res.Engine == "SQLite" && res.Fleet == r.name() && res.Route == route {
			t.Rate = res.Load.Rate() / postgresSlack
		}
	}
	return t
}

// PrintReads writes the results as a table, then the errors' first
// instances and each serve process's peak memory.
func PrintReads(w io.Writer, results []ReadResult) {
	fmt.Fprintf(w, "| engine | fleet | route | req/s | p50 | p99 | errors | body | target | met | peak RSS |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		met := "met"
		if !r.Met {
			met = "missed"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %d MB |\n", r.Engine, r.Fleet, r.Route,
			r.Load.Rate(), latency(r.Load.P50()), latency(r.Load.P99()), errorCount(r.Load), bodySize(r.Load), r.Target, met, r.RSS>>20)
	}
	printFirstErrors(w, results)
	var serves []string
	peak := map[string]int64{}
	for _, r := range results {
		serve := r.Engine + ", " + r.Fleet
		if _, ok := peak[serve]; !ok {
			serves = append(serves, serve)
		}
		peak[serve] = max(peak[serve], r.RSS)
	}
	for i, serve := range serves {
		serves[i] = fmt.Sprintf("%s %d MB", serve, peak[serve]>>20)
	}
	fmt.Fprintf(w, "\npeak memory (RSS) of serve under load: %s\n", strings.Join(serves, "; "))
}

// printFirstErrors writes the first error of each load that had some.
func printFirstErrors(w io.Writer, results []ReadResult) {
	first := true
	for _, r := range results {
		if r.Load.FirstError == "" {
			continue
		}
		if first {
			fmt.Fprintln(w)
			first = false
		}
		fmt.Fprintf(w, "%s, %s, %s: first error: %s\n", r.Engine, r.Fleet, r.Route, r.Load.FirstError)
	}
}

// errorCount prints a load's errors, by kind when there are some.
func errorCount(l LoadResult) string {
	if l.Errors() == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%d non-2xx, %d failed)", l.Errors(), l.Non2xx, l.Failed)
}

// bodySize prints the mean size of a load's answers, in KB.
func bodySize(l LoadResult) string {
	if l.Answered() == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f KB", float64(l.Bytes)/float64(l.Answered())/1024)
}

// latency prints a latency in milliseconds, to three figures.
func latency(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}
