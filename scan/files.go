package scan

import (
	"context"
	"errors"
	"slices"

	"github.com/tandem-dev/tandem/check"
	"github.com/tandem-dev/tandem/gitobj"
)

// memo is what the last read of a repository found over its files, kept
// so that a read of a later commit reads only the files that commit
// changed. It holds only the matches of each leaf and the files too large
// to search, so a scanner keeps one for every repository it read, without
// eviction: a rescan stays incremental however large the fleet.
type memo struct {
	tree    gitobj.OID
	checks  string       // the checks' digests, in order: which programs ran
	runs    []*check.Run // one per program, over every selected file
	skipped []string     // selected files too large to search, sorted
}

// errInexact stops a diff whose changes a memo cannot take exactly.
var errInexact = errors.New("memo cannot forget a file exactly")

// matchTree feeds the programs every file of tree that some leaf selects.
// When the repository's memo is of the same programs, it feeds only the
// files changed since the memo's tree and keeps the rest of what the memo
// recorded; otherwise (a first read, new checks, a tree the repository no
// longer has after a force-push and a gc) it walks the whole tree. It
// returns one run per program and the files too large to search, and
// keeps them as the repository's memo unless ctx ended. Symbolic links and
// submodules are never selected: a check reads only what the repository
// itself holds.
func (s *Scanner) matchTree(ctx context.Context, r *gitobj.Repo, dir string, tree gitobj.OID, checks string, programs []*check.Program, read *int64) ([]*check.Run, []string, error) {
	selects := selectorOf(programs)
	runs, skipped, ok := s.matchChanged(ctx, r, dir, tree, checks, programs, selects, read)
	if !ok {
		files := map[string]gitobj.OID{}
		err := r.Walk(tree, func(path string, e gitobj.TreeEntry) error {
			if e.IsBlob() && selects(path) {
				files[path] = e.ID
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		runs, skipped = s.matchFiles(ctx, r, files, programs, read)
	}
	if ctx.Err() == nil {
		m := &memo{tree: tree, checks: checks, skipped: skipped, runs: make([]*check.Run, len(runs))}
		for j, run := range runs {
			m.runs[j] = run.Clone()
		}
		s.mu.Lock()
		s.memos[dir] = m
		s.mu.Unlock()
	}
	return runs, skipped, nil
}

// matchChanged feeds the programs the files changed between the memo of
// dir and tree, on top of what the memo recorded, and reports whether it
// could.
func (s *Scanner) matchChanged(ctx context.Context, r *gitobj.Repo, dir string, tree gitobj.OID, checks string, programs []*check.Program, selects func(string) bool, read *int64) ([]*check.Run, []string, bool) {
	s.mu.Lock()
	m := s.memos[dir]
	s.mu.Unlock()
	if m == nil || m.checks != checks {
		return nil, nil, false
	}
	runs := make([]*check.Run, len(m.runs))
	for j, run := range m.runs {
		runs[j] = run.Clone()
	}
	skipped := slices.Clone(m.skipped)
	changed := map[string]gitobj.OID{}
	err := r.Diff(m.tree, tree, func(path string, _, e gitobj.TreeEntry) error {
		for _, run := range runs {
			if !run.Forget(path) {
				return errInexact
			}
		}
		skipped = slices.DeleteFunc(skipped, func(p string) bool { return p == path })
		if e.IsBlob() && selects(path) {
			changed[path] = e.ID
		}
		return nil
	})
	if err != nil {
		return nil, nil, false
	}
	more, moreSkipped := s.matchFiles(ctx, r, changed, programs, read)
	for j := range runs {
		runs[j].Merge(more[j])
	}
	skipped = append(skipped, moreSkipped...)
	slices.Sort(skipped)
	return runs, skipped, true
}

// selectorOf returns whether some leaf of programs selects a path.
func selectorOf(programs []*check.Program) func(string) bool {
	var leaves []*check.Leaf
	for _, p := range programs {
		for _, l := range p.Leaves() {
			if l.Command() == nil {
				leaves = append(leaves, l)
			}
		}
	}
	return func(path string) bool {
		for _, l := range leaves {
			if l.MatchPath(path) {
				return true
			}
		}
		return false
	}
}
