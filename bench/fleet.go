// Package bench generates fleets of git repositories and measures how fast
// Tandem scans them against ripgrep over the same bytes.
package bench

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sync/errgroup"
)

// Needle is the literal the benchmark's check looks for in Go files.
const Needle = `"github.com/sirupsen/logrus"`

// FleetOptions sizes a generated fleet.
type FleetOptions struct {
	Repos int // repositories (default 1000)
	Files int // Go files per repository (default 100), besides vendored, docs, binary and large files
}

// Fleet is a generated fleet: bare repositories, and checked-out copies of
// the same files for ripgrep.
type Fleet struct {
	Dir       string
	Repos     []string // bare repository folders
	Checkouts string
	// Holding names the repositories whose Go files contain Needle.
	Holding map[string]bool
	touches int // calls of Touch so far
}

// Generate makes a fleet in dir, or reuses the one a previous run left
// there with the same options. Each repository has one commit of
// ~opts.Files Go files of about 3.6 KB, ten vendored files shared by every
// repository, docs and config that mention Needle outside Go files, Go
// files with near-miss decoys, a binary file, and every hundredth a 5 MB
// file. About a third import Needle.
func Generate(ctx context.Context, dir string, opts FleetOptions) (*Fleet, error) {
	if opts.Repos == 0 {
		opts.Repos = 1000
	}
	if opts.Files == 0 {
		opts.Files = 100
	}
	dir = filepath.Join(dir, fmt.Sprintf("fleet-%d-%d", opts.Repos, opts.Files))
	f := &Fleet{Dir: dir, Checkouts: filepath.Join(dir, "checkouts"), Holding: map[string]bool{}}
	for i := range opts.Repos {
		name := repoName(i)
		f.Repos = append(f.Repos, filepath.Join(dir, "repos", name+".git"))
		if holds(i) {
			f.Holding[name] = true
		}
	}
	done := filepath.Join(dir, ".complete")
	if _, err := os.Stat(done); err == nil {
		return f, nil
	}
	// Processes sharing the cache (test binaries run side by side) build a
	// fleet one at a time: the others wait, then find it complete.
	unlock, err := lockFile(dir + ".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := os.Stat(done); err == nil {
		return f, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i := range opts.Repos {
		g.Go(func() error { return generateRepo(ctx, f, i, opts.Files) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return f, os.WriteFile(done, nil, 0o644)
}

func repoName(i int) string { return fmt.Sprintf("svc-%04d", i) }

func holds(i int) bool { return i%3 == 0 }

// generateRepo writes repository i's files into its checkout and imports
// the same files as one commit into its bare repository.
func generateRepo(ctx context.Context, f *Fleet, i, n int) error {
	name := repoName(i)
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	files := map[string][]byte{}
	for j := range n {
		files[fmt.Sprintf("internal/pkg%02d/file%03d.go", j%12, j)] = goFile(rng, fmt.Sprintf("pkg%02d", j%12), 3600, "")
	}
	switch {
	case holds(i):
		files["cmd/main.go"] = goFile(rng, "main", 1200, Needle)
	case i%3 == 1:
		files["cmd/main.go"] = goFile(rng, "main", 1200, `"github.com/sirupsen/logrus/hooks/syslog"`)
	default:
		files["cmd/main.go"] = goFile(rng, "main", 1200, `"acme.dev/obslog"`)
	}
	for _, v := range vendored {
		files[v.path] = v.data
	}
	files["README.md"] = []byte("# " + name + "\n\nLogging: we still import " + Needle + " in places.\n")
	files["deploy/values.yaml"] = []byte("image: " + name + "\nreplicas: 3\n# " + Needle + "\n")
	files["docs/design.md"] = text(rng, 2000)
	files["assets/logo.png"] = binary(rng, 20<<10)
	if i%100 == 7 {
		files["testdata/dump.go"] = text(rng, 5<<20)
	}

	repo := f.Repos[i]
	if err := writeCheckout(filepath.Join(f.Checkouts, name), files); err != nil {
		return err
	}
	if out, err := exec.CommandContext(ctx, "git", "init", "--quiet", "--bare", "--initial-branch=main", repo).CombinedOutput(); err != nil {
		return fmt.Errorf("git init %s: %v: %s", repo, err, out)
	}
	if err := importCommit(ctx, repo, files, false); err != nil {
		return err
	}
	// Pack as a server's gc would: fast-import's own deltas chain each blob
	// to the one imported before it, which no real repository does.
	if out, err := exec.CommandContext(ctx, "git", "-C", repo, "repack", "-adfq").CombinedOutput(); err != nil {
		return fmt.Errorf("git repack %s: %v: %s", repo, err, out)
	}
	return nil
}

func writeCheckout(dir string, files map[string][]byte) error {
	for p, data := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// importCommit commits files onto main with git fast-import, on top of the
// current main when onTop.
func importCommit(ctx context.Context, repo string, files map[string][]byte, onTop bool) error {
	cmd := exec.CommandContext(ctx, "git", "-C", repo, "fast-import", "--quiet")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	w := bufio.NewWriterSize(stdin, 1<<16)
	msg := "Generated commit\n"
	fmt.Fprintf(w, "commit refs/heads/main\ncommitter Tandem Bench <bench@tandem.invalid> 1767225600 +0000\ndata %d\n%s", len(msg), msg)
	if onTop {
		fmt.Fprintf(w, "from refs/heads/main^0\n")
	}
	for p, data := range files {
		fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n", p, len(data))
		w.Write(data)
		w.WriteString("\n")
	}
	werr := w.Flush()
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git fast-import %s: %v: %s", repo, err, stderr.String())
	}
	return werr
}

// Touch gives n repositories a new commit that changes one Go file each
// (removing Needle where it was), in checkouts and repositories alike, and
// returns the names of the repositories changed. Each call changes other
// repositories than the call before, and other content, so that every
// call leaves changed blobs to read.
func (f *Fleet) Touch(ctx context.Context, n int) ([]string, error) {
	var names []string
	step := max(1, len(f.Repos)/n)
	for i := f.touches % step; i < len(f.Repos) && len(names) < n; i += step {
		name := repoName(i)
		main := goFile(rand.New(rand.NewPCG(uint64(i), 7+uint64(f.touches))), "main", 1200, `"acme.dev/obslog"`)
		files := map[string][]byte{"cmd/main.go": main}
		if err := writeCheckout(filepath.Join(f.Checkouts, name), files); err != nil {
			return nil, err
		}
		if err := importCommit(ctx, f.Repos[i], files, true); err != nil {
			return nil, err
		}
		delete(f.Holding, name)
		names = append(names, name)
	}
	f.touches++
	// The fleet on disk no longer matches its generation: regenerate next time.
	if err := os.Remove(filepath.Join(f.Dir, ".complete")); err != nil && !os.IsNotExist(err) {
		return names, err
	}
	return names, nil
}

var words = strings.Fields(`func return if else for range var const type struct interface map string int
	error nil err ctx context Context fmt Errorf errors New http Request Response Handler ServeHTTP
	json Marshal Unmarshal time Now Duration Second config Config client Client server Server store
	Store user User account Account order Order payment Payment ledger Ledger amount currency id ID
	name Name value Value key Key list List find Find create Create update Update delete Delete
	bytes Buffer strings Builder sync Mutex Lock Unlock defer go chan select case default switch`)

// goFile returns Go-like source of about size bytes in package pkg,
// importing imp when it is not "".
func goFile(rng *rand.Rand, pkg string, size int, imp string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\nimport (\n\t\"context\"\n\t\"fmt\"\n", pkg)
	if imp != "" {
		fmt.Fprintf(&b, "\tlog %s\n", imp)
	}
	b.WriteString(")\n\n")
	for b.Len() < size {
		fmt.Fprintf(&b, "func %s%s(ctx context.Context, %s %s) error {\n", words[rng.IntN(len(words))], words[rng.IntN(len(words))], words[rng.IntN(len(words))], words[rng.IntN(len(words))])
		for range 3 + rng.IntN(6) {
			b.WriteString("\t")
			for range 3 + rng.IntN(8) {
				b.WriteString(words[rng.IntN(len(words))])
				b.WriteString(" ")
			}
			b.WriteString("\n")
		}
		b.WriteString("\treturn nil\n}\n\n")
	}
	return []byte(b.String())
}

func text(rng *rand.Rand, size int) []byte {
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(words[rng.IntN(len(words))])
		if rng.IntN(12) == 0 {
			b.WriteString("\n")
		} else {
			b.WriteString(" ")
		}
	}
	return []byte(b.String())
}

func binary(rng *rand.Rand, size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	b[0], b[1] = 0x89, 0
	return b
}

type vendoredFile struct {
	path string
	data []byte
}

// vendored are files every repository holds, byte for byte.
var vendored = sync.OnceValue(func() []vendoredFile {
	rng := rand.New(rand.NewPCG(1, 1))
	var vs []vendoredFile
	for i := range 10 {
		vs = append(vs, vendoredFile{path: fmt.Sprintf("vendor/github.com/acme/shared/f%d.go", i), data: goFile(rng, "shared", 4000, "")})
	}
	return vs
})()

// lockFile holds an exclusive lock on the file at path, created if
// missing, until the returned function is called.
func lockFile(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(fh.Fd()), syscall.LOCK_EX); err != nil {
		fh.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { fh.Close() }, nil
}
