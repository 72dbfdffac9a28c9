package gitobj

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem/gitx/gittest"
)

// headTree returns the repository at dir opened and the tree of HEAD.
func headTree(t *testing.T, dir string) (*Repo, OID) {
	t.Helper()
	r, err := Open(filepath.Join(dir, ".git"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	head, err := r.ResolveRef("HEAD")
	if err != nil {
		t.Fatal(err)
	}
	return r, treeOf(t, r, head)
}

// treeOf returns the tree of commit.
func treeOf(t *testing.T, r *Repo, commit OID) OID {
	t.Helper()
	_, data, err := r.Read(commit)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := CommitTree(data)
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func TestWalk(t *testing.T) {
	dir := gittest.Repo(t, map[string]string{
		"README.md": "r\n", "a/b/c/deep.go": "package c\n", "a/x.go": "package a\n",
		"with space.txt": "s\n", "a.b": "dot\n", "a-b/z": "dash\n",
	})
	if err := os.Symlink("README.md", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	head := gittest.Run(t, dir, "rev-parse", "HEAD")
	gittest.Run(t, dir, "update-index", "--add", "--cacheinfo", "160000,"+head+",sub")
	gittest.Commit(t, dir, nil)
	var want []string
	for line := range strings.SplitSeq(strings.TrimRight(string(gitOut(t, dir, nil, "ls-tree", "-r", "-z", "HEAD")), "\x00"), "\x00") {
		if !strings.Contains(line, " commit ") {
			want = append(want, line)
		}
	}
	r, tree := headTree(t, dir)
	var got []string
	symlinks := 0
	err := r.Walk(tree, func(path string, e TreeEntry) error {
		typ := "blob"
		if e.IsSymlink() {
			symlinks++
		}
		got = append(got, fmt.Sprintf("%06o %s %s\t%s", e.Mode, typ, e.ID, path))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Walk =\n%s\nwant (git ls-tree -r)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if symlinks != 1 {
		t.Errorf("Walk reported %d symlinks, want 1", symlinks)
	}
	stop := errors.New("stop")
	calls := 0
	if err := r.Walk(tree, func(string, TreeEntry) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("Walk with a failing fn = %v after %d calls, want stop after 1", err, calls)
	}
}

func TestDiff(t *testing.T) {
	dir := gittest.Repo(t, map[string]string{
		"a.txt": "a\n", "b.txt": "b\n", "dir/c.txt": "c\n", "dir/same.txt": "same\n", "e": "file\n",
	})
	old := gittest.Run(t, dir, "rev-parse", "HEAD")
	gittest.Run(t, dir, "rm", "--quiet", "b.txt", "e")
	gittest.Commit(t, dir, map[string]string{"a.txt": "changed\n", "new/deep/d.txt": "d\n", "e/f.txt": "now a folder\n"})
	cur := gittest.Run(t, dir, "rev-parse", "HEAD")
	want := strings.Split(gittest.Run(t, dir, "diff-tree", "-r", "--name-status", old, cur), "\n")

	r, newTree := headTree(t, dir)
	oldTree := treeOf(t, r, mustOID(t, old))
	var got []string
	err := r.Diff(oldTree, newTree, func(path string, o, n TreeEntry) error {
		status := "M"
		switch {
		case o.ID.IsZero():
			status = "A"
		case n.ID.IsZero():
			status = "D"
		}
		got = append(got, status+"\t"+path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Diff =\n%s\nwant (git diff-tree)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := r.Diff(newTree, newTree, func(path string, _, _ TreeEntry) error {
		t.Errorf("Diff of a tree with itself reported %s", path)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
