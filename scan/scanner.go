package scan

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/check"
	"github.com/tandem-dev/tandem/gitobj"
	"github.com/tandem-dev/tandem/proc"
)

// Scanner reads codebases from their git objects, in process: the default
// branch's head, who owns the codebase, and the result of every active
// check, with the files and lines that prove it.
//
// A leaf's result on a file's content is cached by (leaf, blob id), so a
// file is rarely read twice for the same question, across commits and
// repositories (that cache is bounded); what the checks found over a
// repository's files is kept per repository (a memo, a few matches), so
// that after a new commit only the files the commit changed are read.
type Scanner struct {
	// CommandTimeout bounds each command check (default proc.DefaultTimeout).
	CommandTimeout time.Duration
	// Runner runs command checks; the zero Runner sandboxes them.
	Runner proc.Runner

	content  *lru.Cache[contentKey, contentResult]
	mu       sync.Mutex
	programs map[string]*check.Program // by check digest
	memos    map[string]*memo          // by git directory
	read     atomic.Int64
}

// contentEntries bounds the content cache: about 100 bytes an entry, so
// that it stays under 30 MB.
const contentEntries = 1 << 18

type contentKey struct {
	leaf string
	blob gitobj.OID
}

type contentResult struct {
	lines []int
	ok    bool
	err   error
}

// New returns a Scanner with empty caches.
func New() *Scanner {
	content, _ := lru.New[contentKey, contentResult](contentEntries)
	return &Scanner{content: content, programs: map[string]*check.Program{}, memos: map[string]*memo{}}
}

// BytesRead returns how many bytes of file content the scanner has read.
func (s *Scanner) BytesRead() int64 { return s.read.Load() }

// Head returns the commit at the head of a repository's default branch,
// reading two refs and no object: what a scan compares with the last
// read to tell that nothing changed.
func (s *Scanner) Head(repo tandem.Repository) (string, error) {
	r, err := gitobj.Open(repo.Dir)
	if err != nil {
		return "", err
	}
	defer r.Close()
	branch, err := r.HeadBranch()
	if err != nil {
		return "", fmt.Errorf("read HEAD: %w", err)
	}
	head, err := r.ResolveRef("refs/heads/" + branch)
	if err != nil {
		return "", err
	}
	return head.String(), nil
}

// Read reads a repository of a host at the head of its default branch and
// evaluates checks there. When the head and the checks are those of prev,
// it returns an Unchanged read after reading one ref. It never fails: what
// could not be read is in the codebase's Problems or a result's Error.
func (s *Scanner) Read(ctx context.Context, host tandem.CodeHost, repo tandem.Repository, checks []tandem.NamedCheck, prev tandem.LastRead) tandem.CodebaseRead {
	c := tandem.Codebase{Name: repo.Name, Host: host.Name, Location: repo.Dir}
	fail := func(err error) tandem.CodebaseRead {
		c.Problems = append(c.Problems, tandem.Problem{File: repo.Dir, Message: err.Error()})
		return tandem.CodebaseRead{Codebase: c}
	}
	r, err := gitobj.Open(repo.Dir)
	if errors.Is(err, gitobj.ErrUnsupported) {
		// The git binary still reads what this reader does not (another
		// object format): owners, but no checks.
		read := tandem.CodebaseRead{Codebase: ReadCodebase(ctx, host, repo)}
		read.Codebase.Problems = append(read.Codebase.Problems, tandem.Problem{File: repo.Dir, Message: "checks not evaluated: " + err.Error()})
		return read
	} else if err != nil {
		return fail(err)
	}
	defer r.Close()
	branch, err := r.HeadBranch()
	if err != nil {
		return fail(fmt.Errorf("read HEAD: %w", err))
	}
	c.DefaultBranch = branch
	head, err := r.ResolveRef("refs/heads/" + branch)
	if errors.Is(err, gitobj.ErrNotFound) {
		return fail(fmt.Errorf("branch %s has no commits", branch))
	} else if err != nil {
		return fail(err)
	}
	if prev.Current(head.String(), checks) {
		c.Head = prev.Head
		return tandem.CodebaseRead{Codebase: c, Unchanged: true}
	}
	_, commit, err := r.Read(head)
	if err != nil {
		return fail(err)
	}
	tree, err := gitobj.CommitTree(commit)
	if err != nil {
		return fail(fmt.Errorf("commit %s: %w", head, err))
	}
	c.Head = head.String()
	c.Ownership, c.Problems = readOwnership(r, tree, repo.Name, branch)

	var read int64
	results, problems := s.evaluate(ctx, r, repo.Dir, "", head, tree, checks, &read)
	c.Problems = append(c.Problems, problems...)
	return tandem.CodebaseRead{Codebase: c, Results: results, BytesRead: read}
}

// program returns the compiled check, compiling it once per definition.
func (s *Scanner) program(nc tandem.NamedCheck) (*check.Program, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.programs[nc.Digest]; ok {
		return p, nil
	}
	p, err := check.Compile(nc.Check)
	if err != nil {
		return nil, err
	}
	s.programs[nc.Digest] = p
	return p, nil
}

// evaluate runs every check over the files of tree, read from the git
// directory dir. Command checks run in workdir, a checkout of tree, or,
// when it is "", in a fresh one.
func (s *Scanner) evaluate(ctx context.Context, r *gitobj.Repo, dir, workdir string, head, tree gitobj.OID, checks []tandem.NamedCheck, read *int64) ([]tandem.CheckResult, []tandem.Problem) {
	results := make([]tandem.CheckResult, len(checks))
	var programs []*check.Program
	var compiled []int // index in checks of each program
	var digests []string
	for i, nc := range checks {
		results[i] = tandem.CheckResult{Check: nc.ID, Digest: nc.Digest, Commit: head.String(), Evidence: []tandem.Match{}}
		p, err := s.program(nc)
		if err != nil {
			results[i].Error = err.Error()
			continue
		}
		programs = append(programs, p)
		compiled = append(compiled, i)
		digests = append(digests, nc.Digest)
	}
	if len(programs) == 0 {
		return results, nil
	}

	runs, skipped, err := s.matchTree(ctx, r, dir, tree, strings.Join(digests, ","), programs, read)
	if err != nil {
		for _, i := range compiled {
			results[i].Error = err.Error()
		}
		return results, nil
	}
	s.runCommands(ctx, r, tree, workdir, programs, runs)

	for j, i := range compiled {
		res := runs[j].Result()
		results[i].Holds = res.Holds
		for _, m := range res.Evidence {
			results[i].Evidence = append(results[i].Evidence, tandem.Match{Path: m.Path, Line: m.Line})
		}
		if res.Err != nil {
			results[i].Error = res.Err.Error()
		}
		if ctx.Err() != nil {
			results[i].Error = "scan cancelled: " + ctx.Err().Error()
			results[i].Holds = false
		}
	}
	var problems []tandem.Problem
	if len(skipped) > 0 {
		problems = append(problems, tandem.Problem{File: skipped[0], Message: fmt.Sprintf(
			"%d file(s) over %d MiB were not searched by content checks", len(skipped), check.MaxFileSize>>20)})
	}
	return results, problems
}

// parallelFiles is how many selected files a repository has from which
// they are read on every core: below it, a repository is read on one core
// while the others read other repositories.
const parallelFiles = 2048

// matchFiles feeds every file to the programs, in path order, on every
// core for a large repository. It returns one run per program and the
// files too large to search, and adds the bytes it read to read.
func (s *Scanner) matchFiles(ctx context.Context, r *gitobj.Repo, files map[string]gitobj.OID, programs []*check.Program, read *int64) ([]*check.Run, []string) {
	paths := slices.Sorted(maps.Keys(files))
	parts := 1
	if len(paths) >= parallelFiles {
		parts = runtime.GOMAXPROCS(0)
	}
	runs := make([][]*check.Run, parts)
	skipped := make([][]string, parts)
	bytes := make([]int64, parts)
	var wg sync.WaitGroup
	size := (len(paths) + parts - 1) / parts
	for i := range parts {
		chunk := paths[min(i*size, len(paths)):min((i+1)*size, len(paths))]
		runs[i] = make([]*check.Run, len(programs))
		for j, p := range programs {
			runs[i][j] = p.NewRun()
		}
		wg.Go(func() {
			buf := buffers.Get().(*[]byte)
			defer buffers.Put(buf)
			state := &readState{bytes: &bytes[i], buf: buf}
			for _, path := range chunk {
				if ctx.Err() != nil {
					return
				}
				if s.matchFile(r, path, files[path], programs, runs[i], state) {
					skipped[i] = append(skipped[i], path)
				}
			}
		})
	}
	wg.Wait()
	for i := range parts {
		*read += bytes[i]
		if i > 0 {
			for j := range programs {
				runs[0][j].Merge(runs[i][j])
			}
		}
	}
	return runs[0], slices.Concat(skipped...)
}

// matchFile feeds one file to every leaf that selects it, reading its
// content at most once, and reports whether it was too large to search.
func (s *Scanner) matchFile(r *gitobj.Repo, path string, blob gitobj.OID, programs []*check.Program, runs []*check.Run, read *readState) (oversized bool) {
	var data []byte
	loaded := false
	for j, p := range programs {
		for _, l := range p.Leaves() {
			if !l.MatchPath(path) {
				continue
			}
			if !l.NeedsContent() {
				runs[j].Add(l, path, nil)
				continue
			}
			key := contentKey{leaf: l.Key(), blob: blob}
			res, ok := s.content.Get(key)
			if !ok {
				if !loaded {
					data, oversized = s.load(r, blob, read)
					loaded = true
				}
				switch {
				case data != nil:
					// A result depends on the blob alone: cache it.
					res.lines, res.ok, res.err = l.MatchContent(data)
					s.content.Add(key, res)
				case !oversized:
					// An unreadable blob (a corrupt pack) may read later.
					res.err = fmt.Errorf("%s: cannot read blob %s", path, blob)
				}
			}
			switch {
			case res.err != nil:
				runs[j].Fail(l, res.err)
			case res.ok:
				runs[j].Add(l, path, res.lines)
			}
		}
	}
	return oversized
}

// readState is what one part of a repository's read carries from file to
// file: the bytes read so far, and one buffer that every blob is read into
// in turn (a leaf's result never keeps the content).
type readState struct {
	bytes *int64
	buf   *[]byte
}

// buffers lends each read its blob buffer.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// load reads a blob that content checks may search, adding its size to the
// bytes read, or reports it too large; data is nil when the blob cannot be
// read. The data is valid until the next load of the same read.
func (s *Scanner) load(r *gitobj.Repo, blob gitobj.OID, read *readState) (data []byte, oversized bool) {
	_, data, err := r.ReadMaxInto(blob, check.MaxFileSize, (*read.buf)[:0])
	if errors.Is(err, gitobj.ErrTooLarge) {
		return nil, true
	} else if err != nil {
		return nil, false
	}
	if cap(data) > cap(*read.buf) && cap(data) <= int(check.MaxFileSize) {
		*read.buf = data[:0] // keep the larger buffer for the next blobs
	}
	s.read.Add(int64(len(data)))
	*read.bytes += int64(len(data))
	return data, false
}
