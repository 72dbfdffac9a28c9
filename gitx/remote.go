package gitx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/tandem-dev/tandem"
)

// Remote is a repository on a code host reached over HTTP(S). Its
// credentials travel in git's environment as an http.extraHeader, never on
// the command line or in a URL; prompts and credential helpers are off.
type Remote struct {
	URL string
	// Header is the HTTP header line sent with every request, such as
	// "Authorization: token …"; "" for anonymous access.
	Header string
	// Secret is blanked out of git's messages.
	Secret string
}

// Mirror makes or refreshes in dir the bare mirror of one branch of the
// remote and points its HEAD at that branch. A first clone goes to a
// temporary folder renamed into place, so that an interrupted clone leaves
// nothing half made.
func (r Remote) Mirror(ctx context.Context, dir, branch string) error {
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil {
		parent := filepath.Dir(dir)
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return fmt.Errorf("mirror: %w", err)
		}
		tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+"-clone-")
		if err != nil {
			return fmt.Errorf("mirror: %w", err)
		}
		defer os.RemoveAll(tmp)
		if err := r.git(ctx, "", "clone", "--quiet", "--bare", "--single-branch", "--branch", branch, r.URL, tmp); err != nil {
			return err
		}
		_ = os.RemoveAll(dir) // a folder left without HEAD is no mirror
		if err := os.Rename(tmp, dir); err != nil {
			return fmt.Errorf("mirror: %w", err)
		}
	} else {
		if err := r.git(ctx, dir, "remote", "set-url", "origin", r.URL); err != nil {
			return err
		}
		ref := "refs/heads/" + branch
		if err := r.git(ctx, dir, "fetch", "--quiet", "--prune", "--no-tags", "origin", "+"+ref+":"+ref); err != nil {
			return err
		}
	}
	return r.git(ctx, dir, "symbolic-ref", "HEAD", "refs/heads/"+branch)
}

// Push force-pushes branch from the repository in dir to the same branch
// of the remote, replacing what an earlier attempt pushed.
func (r Remote) Push(ctx context.Context, dir, branch string) error {
	ref := "refs/heads/" + branch
	return r.git(ctx, dir, "push", "--force", "--no-verify", r.URL, ref+":"+ref)
}

// git runs git in dir (or the current folder when dir is ""). The error
// carries git's own message, the secret blanked out.
func (r Remote) git(ctx context.Context, dir string, args ...string) error {
	verb := args[0]
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=credential.helper", "GIT_CONFIG_VALUE_0=")
	if r.Header != "" {
		cmd.Env = append(cmd.Env, "GIT_CONFIG_COUNT=2",
			"GIT_CONFIG_KEY_1=http.extraHeader", "GIT_CONFIG_VALUE_1="+r.Header)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if r.Secret != "" {
			msg = strings.ReplaceAll(msg, r.Secret, "***")
		}
		if msg == "" {
			return fmt.Errorf("git %s: %w", verb, err)
		}
		return fmt.Errorf("git %s: %s", verb, msg)
	}
	return nil
}

// Mirrors is a folder of bare mirrors, one per repository, named
// <name>.git.
type Mirrors string

// Dir is where the mirror of repository name lives.
func (m Mirrors) Dir(name string) string { return filepath.Join(string(m), name+".git") }

// Update makes or refreshes the mirror of branch of repository name from
// r and returns its folder. A name that is not a plain folder name is an
// error, so that no repository is mirrored outside the folder.
func (m Mirrors) Update(ctx context.Context, r Remote, name, branch string) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("mirror: unsafe repository name %q", name)
	}
	dir := m.Dir(name)
	return dir, r.Mirror(ctx, dir, branch)
}

// Listed is a repository a code host lists, to mirror: its name, default
// branch and remote, the address people see it at (for problems), and
// whether the host says it is empty.
type Listed struct {
	Name, Branch, URL string
	Remote            Remote
	Empty             bool
}

// parallelFetches is how many mirrors are updated at once: a fetch mostly
// waits on the network and the host, and a code host's rate limits are
// the throttle's business, not the number of git processes.
const parallelFetches = 8

// MirrorAll makes or refreshes the mirror of every listed repository,
// parallelFetches at a time, and returns them in order: an empty one, or
// one whose mirror fails, is listed Skipped with a Problem saying why, so
// that it is not taken for gone. It returns ctx's error when ctx ends.
func (m Mirrors) MirrorAll(ctx context.Context, listed []Listed) ([]tandem.Repository, []tandem.Problem, error) {
	repos := make([]tandem.Repository, len(listed))
	errs := make([]error, len(listed))
	var g errgroup.Group
	g.SetLimit(parallelFetches)
	for i, l := range listed {
		repos[i] = tandem.Repository{Name: l.Name, Skipped: true}
		if l.Empty || l.Branch == "" {
			errs[i] = errors.New("skipped: empty repository")
			continue
		}
		g.Go(func() error {
			dir, err := m.Update(ctx, l.Remote, l.Name, l.Branch)
			if err == nil {
				repos[i] = tandem.Repository{Name: l.Name, Dir: dir}
			}
			errs[i] = err
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var problems []tandem.Problem
	for i, err := range errs {
		if err != nil {
			problems = append(problems, tandem.Problem{File: listed[i].URL, Message: err.Error()})
		}
	}
	return repos, problems, nil
}
