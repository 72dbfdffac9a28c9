// Package local is the code host of a folder of git repositories: every
// repository below the folder, bare or not, is a codebase named after its
// folder.
package local

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tandem-dev/tandem"
)

// Host lists the repositories below a folder.
type Host struct {
	Root string
}

// New returns the host of a local CodeHost.
func New(h tandem.CodeHost) *Host { return &Host{Root: h.Path} }

// Repositories walks the folder and returns every git repository in it,
// sorted by name, without descending into repositories. A folder that does
// not exist is EUNAVAILABLE; a second repository with a name already seen
// is skipped and reported.
func (h *Host) Repositories(ctx context.Context, only ...string) ([]tandem.Repository, []tandem.Problem, error) {
	info, err := os.Stat(h.Root)
	if err != nil || !info.IsDir() {
		return nil, nil, tandem.Errorf(tandem.EUNAVAILABLE, "code host folder %s: not a readable directory", h.Root)
	}
	var repos []tandem.Repository
	var problems []tandem.Problem
	seen := make(map[string]string)
	err = filepath.WalkDir(h.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			problems = append(problems, tandem.Problem{File: path, Message: err.Error()})
			return fs.SkipDir
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !d.IsDir() {
			return nil
		}
		gitDir, ok := gitDirOf(path)
		if !ok {
			return nil
		}
		name := strings.TrimSuffix(filepath.Base(path), ".git")
		if first, dup := seen[name]; dup {
			problems = append(problems, tandem.Problem{File: path, Message: fmt.Sprintf("skipped: codebase %q is already %s", name, first)})
			return fs.SkipDir
		}
		seen[name] = path
		if tandem.Selected(name, only) {
			repos = append(repos, tandem.Repository{Name: name, Dir: gitDir})
		}
		return fs.SkipDir
	})
	if err != nil {
		return nil, nil, fmt.Errorf("walk %s: %w", h.Root, err)
	}
	sort.Slice(repos, func(i, j int) bool { return repos[i].Name < repos[j].Name })
	return repos, problems, nil
}

// gitDirOf returns the git directory of a work tree (path/.git) or of a
// bare repository (path itself), and whether path is a repository.
func gitDirOf(path string) (string, bool) {
	if fi, err := os.Stat(filepath.Join(path, ".git")); err == nil {
		if fi.IsDir() {
			return filepath.Join(path, ".git"), true
		}
		return path, true // a linked work tree or submodule: git resolves the file
	}
	for _, part := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(path, part)); err != nil {
			return "", false
		}
	}
	return path, true
}
