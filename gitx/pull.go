package gitx

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Fetch fetches refspecs from the remote into the repository in dir, a
// mirror: a pull request's head (refs/pull/N/head) and its base branch,
// which a mirror of the default branch alone does not have.
func (r Remote) Fetch(ctx context.Context, dir string, refspecs ...string) error {
	if err := r.git(ctx, dir, "remote", "set-url", "origin", r.URL); err != nil {
		return err
	}
	return r.git(ctx, dir, append([]string{"fetch", "--quiet", "--no-tags", "origin"}, refspecs...)...)
}

// PullRef returns the private ref of dir's mirror where a pull request's
// fetched commits are kept: what is "head" or "base", number the pull
// request's. They stay out of refs/heads, which scans read.
func PullRef(number int64, what string) string {
	return fmt.Sprintf("refs/tandem/pull/%d/%s", number, what)
}

// MergeBase returns the best common ancestor of commits a and b.
func MergeBase(ctx context.Context, dir, a, b string) (string, error) {
	out, err := run(ctx, dir, "merge-base", a, b)
	if err != nil {
		return "", fmt.Errorf("merge base of %s and %s: %w", a, b, err)
	}
	return out, nil
}

// Commits reads a repository's commits: the files a change touches, and
// their content at a commit.
type Commits struct {
	Dir string
	// MaxSize bounds the files read; larger ones are left out.
	MaxSize int64
}

// ChangedFiles returns the paths of the files that differ between the
// commits base and head, renames counted as a deletion and an addition.
func (c Commits) ChangedFiles(ctx context.Context, base, head string) ([]string, error) {
	out, err := run(ctx, c.Dir, "diff", "--name-only", "--no-renames", "-z", base, head, "--")
	if err != nil {
		return nil, fmt.Errorf("files changed from %s to %s: %w", base, head, err)
	}
	var paths []string
	for p := range strings.SplitSeq(out, "\x00") {
		if p != "" {
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// ReadFiles returns the content of the files among paths that exist at
// commit and are at most MaxSize bytes.
func (c Commits) ReadFiles(ctx context.Context, commit string, paths []string) (map[string][]byte, error) {
	files, err := ReadFiles(ctx, c.Dir, commit, paths, c.MaxSize)
	if err != nil {
		return nil, err
	}
	data := make(map[string][]byte, len(files))
	for p, f := range files {
		if f.Data != nil {
			data[p] = f.Data
		}
	}
	return data, nil
}

// FetchPull fetches into the mirror of repository name the head of pull
// request number, published by the host at ref (refs/pull/N/head…), and
// its base branch, and returns the mirror's folder and the merge base of
// commit at (the head the pull request was announced at) and the base.
// The repository must have been mirrored (scanned) before.
func (m Mirrors) FetchPull(ctx context.Context, r Remote, name string, number int64, ref, base, at string) (dir, mergeBase string, err error) {
	dir = m.Dir(name)
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil {
		return "", "", fmt.Errorf("pull request %d of %s: no mirror to fetch into (the repository was never scanned): %w", number, name, err)
	}
	head, baseRef := PullRef(number, "head"), PullRef(number, "base")
	if err := r.Fetch(ctx, dir, "+"+ref+":"+head, "+refs/heads/"+base+":"+baseRef); err != nil {
		return "", "", fmt.Errorf("pull request %d of %s: %w", number, name, err)
	}
	mergeBase, err = MergeBase(ctx, dir, at, baseRef)
	if err != nil {
		return "", "", fmt.Errorf("pull request %d of %s: %w", number, name, err)
	}
	return dir, mergeBase, nil
}
