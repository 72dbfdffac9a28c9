package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/scan"
)

// Report is what one benchmark run measured.
type Report struct {
	Repos      int
	Bytes      int64         // Go bytes in the checkouts
	Ripgrep    time.Duration // 0 when rg is not installed
	Cold       time.Duration
	Rescan     time.Duration
	Touched    int
	PeakRSS    int64 // bytes, during the scans
	ColdRead   int64 // content bytes the cold scan inflated
	RescanRead int64
	// Server is the whole path, serve and scan --wait, on each engine.
	Server []ServerRun
}

// Runs is how many times each timed step runs; the fastest counts, as
// every step reads from a warm page cache.
const Runs = 3

// Run measures, over one fleet, ripgrep over the checkouts (the baseline),
// Tandem's cold scan of a literal check on **/*.go, and its rescan after
// touched repositories get a new commit. It fails when Tandem's answer
// disagrees with the fleet's (and ripgrep's).
func Run(ctx context.Context, f *Fleet, touched int, log io.Writer) (Report, error) {
	rep := Report{Repos: len(f.Repos), Touched: touched}
	rep.Bytes = goBytes(f.Checkouts)
	checks := tandem.ActiveChecks([]tandem.Platform{{Name: "bench", Adoption: &tandem.Check{Path: "**/*.go", Contains: Needle}}}, nil)
	host := tandem.CodeHost{Name: "bench", Type: tandem.HostLocal}

	if rg, err := exec.LookPath("rg"); err == nil {
		var found map[string]bool
		for range Runs {
			start := time.Now()
			found, err = ripgrep(ctx, rg, f.Checkouts)
			if err != nil {
				return rep, err
			}
			rep.Ripgrep = fastest(rep.Ripgrep, time.Since(start))
		}
		if err := agree("ripgrep", found, f.Holding); err != nil {
			return rep, err
		}
		fmt.Fprintf(log, "ripgrep: %v\n", rep.Ripgrep)
	} else {
		fmt.Fprintln(log, "ripgrep: not installed (apt-get install ripgrep); no baseline")
	}

	resetPeakRSS("/proc/self")
	var s *scan.Scanner
	var reads map[string]tandem.CodebaseRead
	for range Runs {
		s = scan.New()
		runtime.GC()
		start := time.Now()
		reads = scanFleet(ctx, s, host, f, checks, nil)
		rep.Cold = fastest(rep.Cold, time.Since(start))
		rep.ColdRead = s.BytesRead()
	}
	if err := agree("tandem cold scan", holding(reads), f.Holding); err != nil {
		return rep, err
	}
	fmt.Fprintf(log, "tandem cold scan: %v (%d MB inflated)\n", rep.Cold, rep.ColdRead>>20)

	if _, err := f.Touch(ctx, touched); err != nil {
		return rep, err
	}
	before := s.BytesRead()
	start := time.Now()
	rescanned := scanFleet(ctx, s, host, f, checks, reads)
	rep.Rescan = time.Since(start)
	rep.RescanRead = s.BytesRead() - before
	for name, r := range rescanned {
		if !r.Unchanged {
			reads[name] = r
		}
	}
	if err := agree("tandem rescan", holding(reads), f.Holding); err != nil {
		return rep, err
	}
	rep.PeakRSS = peakRSS("/proc/self")
	fmt.Fprintf(log, "tandem rescan after %d new commits: %v (%d KB inflated)\n", touched, rep.Rescan, rep.RescanRead>>10)
	return rep, nil
}

func fastest(best, d time.Duration) time.Duration {
	if best == 0 || d < best {
		return d
	}
	return best
}

// scanFleet reads every repository with one worker per CPU; with last,
// each read starts from the previous one.
func scanFleet(ctx context.Context, s *scan.Scanner, host tandem.CodeHost, f *Fleet, checks []tandem.NamedCheck, last map[string]tandem.CodebaseRead) map[string]tandem.CodebaseRead {
	reads := make(map[string]tandem.CodebaseRead, len(f.Repos))
	var mu sync.Mutex
	work := make(chan string)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for dir := range work {
				name := strings.TrimSuffix(filepath.Base(dir), ".git")
				var lr tandem.LastRead
				if prev, ok := last[name]; ok {
					lr = tandem.LastRead{Head: prev.Codebase.Head, Digests: map[string]string{}}
					for _, r := range prev.Results {
						lr.Digests[r.Check] = r.Digest
					}
				}
				r := s.Read(ctx, host, tandem.Repository{Name: name, Dir: dir}, checks, lr)
				mu.Lock()
				reads[name] = r
				mu.Unlock()
			}
		}()
	}
	for _, dir := range f.Repos {
		work <- dir
	}
	close(work)
	wg.Wait()
	return reads
}

func holding(reads map[string]tandem.CodebaseRead) map[string]bool {
	h := map[string]bool{}
	for name, r := range reads {
		for _, res := range r.Results {
			if res.Holds {
				h[name] = true
			}
		}
	}
	return h
}

// agree returns an error naming the first repository where got and want
// differ.
func agree(who string, got, want map[string]bool) error {
	for name := range want {
		if !got[name] {
			return fmt.Errorf("%s missed %s", who, name)
		}
	}
	for name := range got {
		if !want[name] {
			return fmt.Errorf("%s wrongly found %s", who, name)
		}
	}
	return nil
}

// ripgrep returns the repositories whose Go files contain Needle.
func ripgrep(ctx context.Context, rg, dir string) (map[string]bool, error) {
	cmd := exec.CommandContext(ctx, rg, "-l", "-F", "--no-ignore", "--hidden", "-g", "*.go", "-e", Needle, dir)
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("rg: %w", err)
	}
	found := map[string]bool{}
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		rel, err := filepath.Rel(dir, string(line))
		if err != nil {
			return nil, err
		}
		found[strings.SplitN(rel, string(filepath.Separator), 2)[0]] = true
	}
	return found, nil
}

// goBytes sums the sizes of the Go files below dir.
func goBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// resetPeakRSS resets the kernel's record of a process's peak resident
// memory (Linux), so that peakRSS measures from now. proc is the
// process's folder: /proc/self or /proc/PID.
func resetPeakRSS(proc string) { _ = os.WriteFile(proc+"/clear_refs", []byte("5"), 0) }

// peakRSS returns a process's peak resident memory in bytes, or 0 where
// the kernel does not tell.
func peakRSS(proc string) int64 {
	b, err := os.ReadFile(proc + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Print writes the report as the tables of docs/performance.md.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "fleet: %d repositories, %d MB of Go checked out\n\n", r.Repos, r.Bytes>>20)
	fmt.Fprintf(w, "| step | time | ratio |\n|---|---|---|\n")
	if r.Ripgrep > 0 {
		fmt.Fprintf(w, "| ripgrep -j%d over checkouts (baseline) | %v | 1.00x |\n", runtime.GOMAXPROCS(0), round(r.Ripgrep))
		fmt.Fprintf(w, "| tandem cold scan | %v | %.2fx ripgrep |\n", round(r.Cold), ratio(r.Cold, r.Ripgrep))
	} else {
		fmt.Fprintf(w, "| tandem cold scan | %v | (no ripgrep) |\n", round(r.Cold))
	}
	fmt.Fprintf(w, "| tandem rescan after %d new commits | %v | %.1f%% of cold |\n", r.Touched, round(r.Rescan), 100*ratio(r.Rescan, r.Cold))
	var sqlite ServerRun
	for _, s := range r.Server {
		if s.Engine == "SQLite" {
			sqlite = s
		}
	}
	for _, s := range r.Server {
		// vs compares a step with the same step on SQLite.
		vs := func(d, onSQLite time.Duration) string {
			if s.Engine == "SQLite" || onSQLite == 0 {
				return ""
			}
			return fmt.Sprintf(", %.2fx SQLite", ratio(d, onSQLite))
		}
		cold := fmt.Sprintf("%.2fx in process", ratio(s.Cold, r.Cold))
		if r.Ripgrep > 0 {
			cold = fmt.Sprintf("%.2fx ripgrep, %s", ratio(s.Cold, r.Ripgrep), cold)
		}
		fmt.Fprintf(w, "| serve on %s: cold scan --wait | %v | %s%s |\n", s.Engine, round(s.Cold), cold, vs(s.Cold, sqlite.Cold))
		fmt.Fprintf(w, "| serve on %s: scan --wait, nothing changed | %v | %.1f%% of cold%s |\n", s.Engine, round(s.Unchanged), 100*ratio(s.Unchanged, s.Cold), vs(s.Unchanged, sqlite.Unchanged))
		fmt.Fprintf(w, "| serve on %s: scan --wait after %d new commits (1%%) | %v | %.1f%% of cold%s |\n", s.Engine, s.Touched, round(s.Rescan), 100*ratio(s.Rescan, s.Cold), vs(s.Rescan, sqlite.Rescan))
	}
	fmt.Fprintf(w, "\npeak memory (RSS) during the scans: in process %d MB", r.PeakRSS>>20)
	for _, s := range r.Server {
		fmt.Fprintf(w, "; serve on %s %s", s.Engine, s.peaks())
	}
	fmt.Fprintln(w)
}

// peaks prints the serve processes' peak memory, by role.
func (s ServerRun) peaks() string {
	if len(s.PeakRSS) == 1 {
		return fmt.Sprintf("%d MB", s.peak()>>20)
	}
	var roles []string
	for role, rss := range s.PeakRSS {
		roles = append(roles, fmt.Sprintf("%s %d MB", role, rss>>20))
	}
	slices.Sort(roles)
	return fmt.Sprintf("%d MB (%s)", s.peak()>>20, strings.Join(roles, " + "))
}

// peak is the sum of the serve processes' peak memory.
func (s ServerRun) peak() int64 {
	var n int64
	for _, rss := range s.PeakRSS {
		n += rss
	}
	return n
}

// PrintScaling writes, for reports of fleets of several sizes, each
// step's time per 1,000 repositories and peak memory, one row per size
// and way of scanning: a time per 1,000 that grows with the fleet is
// worse than linear.
func PrintScaling(w io.Writer, reps []Report) {
	fmt.Fprintf(w, "| repositories | scan | cold | cold per 1,000 | nothing changed per 1,000 | after 1%% per 1,000 | peak RSS |\n|---|---|---|---|---|---|---|\n")
	for _, r := range reps {
		per := func(d time.Duration) time.Duration { return round(d * 1000 / time.Duration(r.Repos)) }
		if r.Ripgrep > 0 {
			fmt.Fprintf(w, "| %d | ripgrep | %v | %v | | | |\n", r.Repos, round(r.Ripgrep), per(r.Ripgrep))
		}
		fmt.Fprintf(w, "| %d | in process | %v | %v | | | %d MB |\n", r.Repos, round(r.Cold), per(r.Cold), r.PeakRSS>>20)
		for _, s := range r.Server {
			fmt.Fprintf(w, "| %d | serve on %s | %v | %v | %v | %v | %s |\n", r.Repos, s.Engine, round(s.Cold), per(s.Cold), per(s.Unchanged), per(s.Rescan), s.peaks())
		}
	}
}

func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }
