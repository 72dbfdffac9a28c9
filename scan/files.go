package scan

import (
	"maps"
	"slices"
	"strings"

	"github.com/tandem-dev/tandem/check"
	"github.com/tandem-dev/tandem/gitobj"
)

// files returns the blobs at tree that some leaf of programs selects, by
// path. It walks the whole tree the first time it sees a repository (or a
// new set of checks); after that it reads only the subtrees that changed
// since the commit it saw last. Symbolic links and submodules are never
// selected: a check reads only what the repository itself holds.
func (s *Scanner) files(r *gitobj.Repo, dir string, head, tree gitobj.OID, programs []*check.Program) (map[string]gitobj.OID, error) {
	selector, selects := selectorOf(programs)
	if idx, ok := s.indexes.Get(dir); ok && idx.selector == selector {
		if idx.commit == head {
			return idx.files, nil
		}
		files := maps.Clone(idx.files)
		err := r.Diff(idx.tree, tree, func(path string, _, e gitobj.TreeEntry) error {
			delete(files, path)
			if e.IsBlob() && selects(path) {
				files[path] = e.ID
			}
			return nil
		})
		if err == nil {
			s.indexes.Add(dir, &index{commit: head, tree: tree, selector: selector, files: files})
			return files, nil
		}
		// A tree the repository no longer has (a force-push and a gc): walk.
	}
	files := map[string]gitobj.OID{}
	err := r.Walk(tree, func(path string, e gitobj.TreeEntry) error {
		if e.IsBlob() && selects(path) {
			files[path] = e.ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.indexes.Add(dir, &index{commit: head, tree: tree, selector: selector, files: files})
	return files, nil
}

// selectorOf returns a key naming which paths the programs' leaves select,
// and the function that tells.
func selectorOf(programs []*check.Program) (string, func(string) bool) {
	var leaves []*check.Leaf
	var keys []string
	for _, p := range programs {
		for _, l := range p.Leaves() {
			if l.Command() != nil {
				continue
			}
			leaves = append(leaves, l)
			keys = append(keys, l.Glob())
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	return strings.Join(keys, "\x00"), func(path string) bool {
		for _, l := range leaves {
			if l.MatchPath(path) {
				return true
			}
		}
		return false
	}
}
