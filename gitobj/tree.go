package gitobj

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// CommitTree returns the tree of a commit, given the commit's content.
func CommitTree(data []byte) (OID, error) {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	hex, ok := bytes.CutPrefix(line, []byte("tree "))
	if !ok {
		return OID{}, errors.New("commit: no tree line")
	}
	id, err := ParseOID(string(hex))
	if err != nil {
		return OID{}, fmt.Errorf("commit: %w", err)
	}
	return id, nil
}

// TreeEntry is one entry of a tree: a file mode, a name and an object id.
type TreeEntry struct {
	Mode uint32
	Name string
	ID   OID
}

// Tree entry modes.
const (
	modeTree      = 0o040000
	modeSymlink   = 0o120000
	modeSubmodule = 0o160000
	modeTypeMask  = 0o170000
	modeRegular   = 0o100000
)

// IsTree reports whether e is a subtree.
func (e TreeEntry) IsTree() bool { return e.Mode&modeTypeMask == modeTree }

// IsBlob reports whether e is a regular file (100644 or 100755).
func (e TreeEntry) IsBlob() bool { return e.Mode&modeTypeMask == modeRegular }

// IsSymlink reports whether e is a symbolic link (120000), whose blob holds
// the link target.
func (e TreeEntry) IsSymlink() bool { return e.Mode&modeTypeMask == modeSymlink }

// IsSubmodule reports whether e is a submodule (160000), whose id is a
// commit of another repository.
func (e TreeEntry) IsSubmodule() bool { return e.Mode&modeTypeMask == modeSubmodule }

// ParseTree returns the entries of a tree, given its content, in tree order.
func ParseTree(data []byte) ([]TreeEntry, error) {
	n := bytes.Count(data, []byte{0})
	entries := make([]TreeEntry, 0, n)
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp <= 0 {
			return nil, errors.New("tree: bad entry mode")
		}
		var mode uint32
		for _, c := range data[:sp] {
			if c < '0' || c > '7' || mode > 0o777777 {
				return nil, fmt.Errorf("tree: bad entry mode %q", data[:sp])
			}
			mode = mode<<3 | uint32(c-'0')
		}
		data = data[sp+1:]
		nul := bytes.IndexByte(data, 0)
		if nul <= 0 || nul+21 > len(data) {
			return nil, errors.New("tree: truncated entry")
		}
		e := TreeEntry{Mode: mode, Name: string(data[:nul])}
		copy(e.ID[:], data[nul+1:nul+21])
		entries = append(entries, e)
		data = data[nul+21:]
	}
	return entries, nil
}

// readTree returns the entries of tree id.
func (r *Repo) readTree(id OID) ([]TreeEntry, error) {
	t, data, err := r.Read(id)
	if err != nil {
		return nil, err
	}
	if t != Tree {
		return nil, fmt.Errorf("gitobj: %s: object %s is a %s, not a tree", r.dir, id, t)
	}
	entries, err := ParseTree(data)
	if err != nil {
		return nil, fmt.Errorf("gitobj: %s: object %s: %w", r.dir, id, err)
	}
	return entries, nil
}

// Walk calls fn for every file below tree, in tree order, with its path
// joined by "/". It skips submodules and reports symbolic links with their
// mode, so fn can skip them. It stops at the first error fn returns and
// returns it.
func (r *Repo) Walk(tree OID, fn func(path string, e TreeEntry) error) error {
	return r.walk(tree, "", fn)
}

func (r *Repo) walk(tree OID, prefix string, fn func(string, TreeEntry) error) error {
	entries, err := r.readTree(tree)
	if err != nil {
		return err
	}
	for _, e := range entries {
		path := prefix + e.Name
		switch {
		case e.IsTree():
			if err := r.walk(e.ID, path+"/", fn); err != nil {
				return err
			}
		case e.IsSubmodule():
		default:
			if err := fn(path, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// Diff calls fn for every file whose id or mode differs between two trees:
// added (old is the zero entry), deleted (new is the zero entry) or
// modified. It descends only into subtrees whose ids differ, skips
// submodules, and stops at the first error fn returns. A zero oldTree
// compares against an empty tree.
func (r *Repo) Diff(oldTree, newTree OID, fn func(path string, old, new TreeEntry) error) error {
	return r.diff(oldTree, newTree, "", fn)
}

func (r *Repo) diff(a, b OID, prefix string, fn func(string, TreeEntry, TreeEntry) error) error {
	if a == b {
		return nil
	}
	var ea, eb []TreeEntry
	var err error
	if !a.IsZero() {
		if ea, err = r.readTree(a); err != nil {
			return err
		}
	}
	if !b.IsZero() {
		if eb, err = r.readTree(b); err != nil {
			return err
		}
	}
	for len(ea) > 0 || len(eb) > 0 {
		var c int
		switch {
		case len(ea) == 0:
			c = 1
		case len(eb) == 0:
			c = -1
		default:
			c = compareEntries(ea[0], eb[0])
		}
		switch {
		case c < 0:
			err = r.side(ea[0], prefix, true, fn)
			ea = ea[1:]
		case c > 0:
			err = r.side(eb[0], prefix, false, fn)
			eb = eb[1:]
		default:
			x, y := ea[0], eb[0]
			ea, eb = ea[1:], eb[1:]
			switch {
			case x.IsTree():
				err = r.diff(x.ID, y.ID, prefix+x.Name+"/", fn)
			case x.IsSubmodule() && y.IsSubmodule():
			case x.IsSubmodule():
				err = r.side(y, prefix, false, fn)
			case y.IsSubmodule():
				err = r.side(x, prefix, true, fn)
			case x.ID != y.ID || x.Mode != y.Mode:
				err = fn(prefix+x.Name, x, y)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// side reports e, present on one side only, as deleted (old) or added,
// with every file below it when it is a tree.
func (r *Repo) side(e TreeEntry, prefix string, old bool, fn func(string, TreeEntry, TreeEntry) error) error {
	if e.IsSubmodule() {
		return nil
	}
	if e.IsTree() {
		a, b := e.ID, OID{}
		if !old {
			a, b = b, a
		}
		return r.diff(a, b, prefix+e.Name+"/", fn)
	}
	if old {
		return fn(prefix+e.Name, e, TreeEntry{})
	}
	return fn(prefix+e.Name, TreeEntry{}, e)
}

// compareEntries orders entries as git sorts trees: by name, with a tree's
// name compared as if it ended in "/". Entries equal in this order have the
// same name and are both trees or both not.
func compareEntries(a, b TreeEntry) int {
	n := min(len(a.Name), len(b.Name))
	if c := strings.Compare(a.Name[:n], b.Name[:n]); c != 0 {
		return c
	}
	ca, cb := nameEnd(a, n), nameEnd(b, n)
	switch {
	case ca < cb:
		return -1
	case ca > cb:
		return 1
	}
	return 0
}

// nameEnd returns the byte of e's name at n, or the implied "/" of a tree
// (or 0 for a file) past its end.
func nameEnd(e TreeEntry, n int) byte {
	if n < len(e.Name) {
		return e.Name[n]
	}
	if e.IsTree() {
		return '/'
	}
	return 0
}
