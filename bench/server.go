package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tandem-dev/tandem"
)

// ServerOptions says how to run the whole path: a tandem binary serving a
// database, driven by its own command line.
type ServerOptions struct {
	Binary string   // the tandem binary to run
	Env    []string // added to the environment of every process it runs
	// Postgres is a PostgreSQL server's DSN: the run creates a database of
	// its own there, served by one API and one worker process, and drops it
	// at the end. "" runs one process on a SQLite file instead.
	Postgres string
	Log      io.Writer // progress lines
}

// ServerRun is what one run of the whole path measured. Each time is the
// wall time of one `tandem scan --wait` process.
type ServerRun struct {
	Engine    string // SQLite or PostgreSQL
	Repos     int
	Cold      time.Duration // on a fresh database, served by fresh processes
	Unchanged time.Duration // again, nothing changed
	Rescan    time.Duration // again, after Touched repositories got a commit
	Touched   int
	// ColdRead and RescanRead are the bytes the scans say they read.
	ColdRead, RescanRead int64
	// PeakRSS is each serve process's peak resident memory during the
	// scans, in bytes, by role.
	PeakRSS map[string]int64
}

// catalogYAML declares a team, a local code host over the fleet's
// repositories and a platform whose adoption is the benchmark's check.
const catalogYAML = `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: bench}
spec: {type: platform}
---
apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: bench}
spec: {type: local, path: %q}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: bench}
spec:
  owner: bench
  adoption: {path: "**/*.go", contains: '%s'}
`

// RunServer measures the whole path users run over one fleet: serve on a
// fresh database, apply a catalog whose platform's adoption is the
// benchmark's check, then time a cold scan --wait, a rescan with nothing
// changed and a rescan after 1% of the repositories got a commit. It
// fails when the adoption the server reports after the cold scan or the
// last rescan disagrees with the fleet.
func RunServer(ctx context.Context, f *Fleet, o ServerOptions) (run ServerRun, err error) {
	run = ServerRun{Engine: "SQLite", Repos: len(f.Repos), Touched: max(1, len(f.Repos)/100), PeakRSS: map[string]int64{}}
	tmp, err := os.MkdirTemp("", "tandem-bench-")
	if err != nil {
		return run, err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &session{o: o, dir: tmp, token: tandem.TokenPrefix + "bench-" + strings.ToLower(rand.Text())}

	dsn, roles := filepath.Join(tmp, "tandem.db"), []string{"all"}
	if o.Postgres != "" {
		run.Engine, roles = "PostgreSQL", []string{"api", "worker"}
		db, err := createDatabase(ctx, o.Postgres, fmt.Sprintf("tandem_bench_%d", os.Getpid()))
		if err != nil {
			return run, err
		}
		defer db.drop()
		dsn = db.dsn
	}
	var servers []*server
	defer func() {
		for i := len(servers) - 1; i >= 0; i-- {
			servers[i].stop()
			if err != nil {
				err = fmt.Errorf("%w\nlast lines of serve --role %s:\n%s", err, roles[i], servers[i].stderr.tail(20))
			}
		}
	}()
	for _, role := range roles {
		srv, err := s.serve(ctx, dsn, role)
		if err != nil {
			return run, err
		}
		servers = append(servers, srv)
	}
	s.url = servers[0].url
	fmt.Fprintf(o.Log, "serve on %s: %s\n", run.Engine, s.url)

	if err := s.applyCatalog(ctx, f); err != nil {
		return run, err
	}
	for _, srv := range servers {
		resetPeakRSS(srv.proc())
	}
	if err := s.timeScans(ctx, f, &run); err != nil {
		return run, err
	}
	for i, srv := range servers {
		run.PeakRSS[roles[i]] = peakRSS(srv.proc())
	}
	return run, s.agree(ctx, "scan --wait after new commits", f.Holding)
}

// applyCatalog applies catalogYAML over the fleet's repositories.
func (s *session) applyCatalog(ctx context.Context, f *Fleet) error {
	catalog := filepath.Join(s.dir, "catalog.yaml")
	yaml := fmt.Sprintf(catalogYAML, filepath.Join(f.Dir, "repos"), strings.ReplaceAll(Needle, "'", "''"))
	if err := os.WriteFile(catalog, []byte(yaml), 0o644); err != nil {
		return err
	}
	_, err := s.tandem(ctx, "apply", "-f", catalog)
	return err
}

// timeScans times the cold scan, the scan with nothing changed and the
// scan after run.Touched repositories got a commit, into run, and checks
// the adoption the server reports after the cold scan.
func (s *session) timeScans(ctx context.Context, f *Fleet, run *ServerRun) error {
	var err error
	if run.Cold, run.ColdRead, err = s.timeScan(ctx, run.Engine, "cold scan --wait"); err != nil {
		return err
	}
	if err := s.agree(ctx, "cold scan --wait", f.Holding); err != nil {
		return err
	}
	if run.Unchanged, _, err = s.timeScan(ctx, run.Engine, "scan --wait, nothing changed"); err != nil {
		return err
	}
	if _, err := f.Touch(ctx, run.Touched); err != nil {
		return err
	}
	run.Rescan, run.RescanRead, err = s.timeScan(ctx, run.Engine, fmt.Sprintf("scan --wait after %d new commits", run.Touched))
	return err
}

// timeScan runs one scan --wait, logs what it took as what, and returns
// its wall time and the bytes it read.
func (s *session) timeScan(ctx context.Context, engine, what string) (time.Duration, int64, error) {
	d, scan, err := s.scan(ctx)
	if err == nil {
		took := time.Duration(0)
		if scan.FinishedAt != nil {
			took = scan.FinishedAt.Sub(scan.StartedAt)
		}
		fmt.Fprintf(s.o.Log, "serve on %s: %s: %v (%s read; %v from the scan's start to its end, as the server says)\n", engine, what, round(d), size(scan.Bytes), round(took))
	}
	return d, scan.Bytes, err
}

// session is the processes of one run and how to reach them.
type session struct {
	o     ServerOptions
	dir   string // working folder of every process
	token string // the first admin token's secret
	url   string // the API
}

// server is a running `tandem serve`.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
	done   chan struct{}
}

// serve starts `tandem serve` on dsn in role, with the flags extra, and
// returns it once it listens, on a port the system chose.
func (s *session) serve(ctx context.Context, dsn, role string, extra ...string) (*server, error) {
	srv := &server{stderr: &lockedBuffer{}, done: make(chan struct{})}
	args := []string{"serve", "--db", dsn, "--role", role, "--addr", "127.0.0.1:0",
		"--scan-every", "0", "--mirrors", filepath.Join(s.dir, "mirrors")}
	srv.cmd = s.command(ctx, append(args, extra...)...)
	srv.cmd.Env = append(srv.cmd.Env, "TANDEM_BOOTSTRAP_TOKEN="+s.token)
	srv.cmd.Stderr = srv.stderr
	stdout, err := srv.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := srv.cmd.Start(); err != nil {
		return nil, err
	}
	serving := regexp.MustCompile(`serving on (http://\S+)`)
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if m := serving.FindStringSubmatch(lines.Text()); m != nil {
			srv.url = m[1]
			break
		}
	}
	go func() {
		io.Copy(io.Discard, stdout)
		srv.cmd.Wait()
		close(srv.done)
	}()
	if srv.url == "" {
		<-srv.done
		return nil, fmt.Errorf("serve --role %s exited before listening: %s", role, srv.stderr.String())
	}
	return srv, nil
}

// proc is the server's folder in /proc.
func (srv *server) proc() string { return fmt.Sprintf("/proc/%d", srv.cmd.Process.Pid) }

// stop interrupts the server, as Ctrl-C does, and waits for it to drain;
// it is killed if it takes longer than 20 seconds.
func (srv *server) stop() {
	srv.cmd.Process.Signal(os.Interrupt)
	select {
	case <-srv.done:
	case <-time.After(20 * time.Second):
		srv.cmd.Process.Kill()
		<-srv.done
	}
}

// command returns the tandem binary with args, in the session's folder.
func (s *session) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, s.o.Binary, args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), s.o.Env...)
	return cmd
}

// tandem runs a client command against the API with the admin token and
// returns its standard output.
func (s *session) tandem(ctx context.Context, args ...string) ([]byte, error) {
	cmd := s.command(ctx, append(args, "--server", s.url)...)
	cmd.Env = append(cmd.Env, "TANDEM_TOKEN="+s.token)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("tandem %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// scan runs `tandem scan --wait` and returns its wall time and the scan
// it printed; a scan that failed to read a codebase is an error.
func (s *session) scan(ctx context.Context) (time.Duration, tandem.Scan, error) {
	var scan tandem.Scan
	start := time.Now()
	out, err := s.tandem(ctx, "scan", "--wait", "-o", "json")
	d := time.Since(start)
	if err != nil {
		return d, scan, err
	}
	if err := json.Unmarshal(out, &scan); err != nil {
		return d, scan, fmt.Errorf("scan --wait -o json: %w", err)
	}
	if scan.State != tandem.ScanDone || scan.Failed > 0 {
		return d, scan, fmt.Errorf("scan %d is %s with %d codebases failed: %v", scan.ID, scan.State, scan.Failed, scan.Problems)
	}
	return d, scan, nil
}

// agree compares the codebases that adopted the platform, as the server
// reports them, with want.
func (s *session) agree(ctx context.Context, who string, want map[string]bool) error {
	out, err := s.tandem(ctx, "adoption", "bench", "-o", "json")
	if err != nil {
		return err
	}
	var as []tandem.Adoption
	if err := json.Unmarshal(out, &as); err != nil {
		return fmt.Errorf("adoption bench -o json: %w", err)
	}
	if len(as) != 1 {
		return fmt.Errorf("adoption bench: %d platforms, want 1", len(as))
	}
	got := map[string]bool{}
	for _, name := range as[0].Codebases {
		got[name] = true
	}
	return agree(who, got, want)
}

// database is a database created for one run.
type database struct {
	dsn   string
	admin string
	name  string
}

// createDatabase creates the database name on the server of the DSN
// admin and returns it, to be dropped by calling it.
func createDatabase(ctx context.Context, admin, name string) (database, error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return database{}, fmt.Errorf("--postgres %q: want a postgres:// URL", admin)
	}
	if err := pgExec(ctx, admin, "CREATE DATABASE "+name); err != nil {
		return database{}, err
	}
	u.Path = "/" + name
	return database{dsn: u.String(), admin: admin, name: name}, nil
}

func (db database) drop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pgExec(ctx, db.admin, "DROP DATABASE IF EXISTS "+db.name+" WITH (FORCE)")
}

// pgExec runs one statement on the database of dsn.
func pgExec(ctx context.Context, dsn, stmt string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}

// lockedBuffer is a buffer a process writes while others read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail returns the last n lines written.
func (b *lockedBuffer) tail(n int) string {
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// size prints a byte count in KB or MB.
func size(n int64) string {
	if n >= 10<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}
