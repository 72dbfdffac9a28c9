package gitx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tandem-dev/tandem/proc"
)

// FixRequest asks to run a fix in a fresh clone and push what it changed.
type FixRequest struct {
	Repo    string        // the git directory (bare or .git) of the codebase
	Base    string        // the default branch to start from
	Branch  string        // the branch to commit on and push
	Run     []string      // the fix command, run in the clone's root
	Message string        // the commit message
	Timeout time.Duration // default 10 minutes
	Env     []string      // the fix's environment, NAME=value (see proc.Runner.Run): nothing else of the caller's
	Runner  proc.Runner   // runs the fix; the zero Runner sandboxes it, with the clone as its only writable folder
}

// DefaultFixTimeout is how long Fix lets a fix run when the request sets no
// timeout.
const DefaultFixTimeout = 10 * time.Minute

// fixOutputTail is how many bytes of a failing fix's output its error
// carries: the end, where the reason usually is.
const fixOutputTail = 2 << 10

// ErrNothingToCommit is returned when the fix changed nothing.
var ErrNothingToCommit = errors.New("the fix changed nothing")

// identity is who Fix commits as, author and committer alike, so that no
// user configuration is needed and the commits are recognisably Tandem's.
var identity = []string{
	"GIT_AUTHOR_NAME=Tandem", "GIT_AUTHOR_EMAIL=tandem@localhost",
	"GIT_COMMITTER_NAME=Tandem", "GIT_COMMITTER_EMAIL=tandem@localhost",
}

// Fix clones Repo's Base into a temporary folder, runs the fix there,
// commits every change as "Tandem <tandem@localhost>" (author and
// committer, no user config needed), pushes the commit to Branch in Repo
// (replacing what a previous attempt pushed there), removes the clone, and
// returns the commit id. A fix that exits non-zero, times out, or changes
// nothing (ErrNothingToCommit) is an error; the output of a failing fix,
// trimmed to its last 2 KB, is in the error message. Fix is idempotent:
// running the same fix again pushes an identical tree, and if Branch
// already holds a commit whose tree equals the new one, that commit is
// kept and returned rather than replaced by a new commit with the same
// content. Hooks of the clone are not run; hooks of Repo are, and a push
// they reject is an error that names Repo and Branch.
func Fix(ctx context.Context, r FixRequest) (string, error) {
	switch {
	case r.Repo == "" || r.Base == "" || r.Branch == "":
		return "", errors.New("fix: repository, base and branch are required")
	case r.Branch == r.Base:
		return "", fmt.Errorf("fix: branch %q is the base branch; a fix must push to a branch of its own", r.Branch)
	case len(r.Run) == 0 || r.Run[0] == "":
		return "", errors.New("fix: no command to run")
	case strings.TrimSpace(r.Message) == "":
		return "", errors.New("fix: empty commit message")
	}
	repo, err := filepath.Abs(r.Repo)
	if err != nil {
		return "", fmt.Errorf("fix: %w", err)
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultFixTimeout
	}

	clone, err := os.MkdirTemp("", "tandem-fix-")
	if err != nil {
		return "", fmt.Errorf("fix: %w", err)
	}
	defer os.RemoveAll(clone)
	if _, err := run(ctx, clone, "check-ref-format", "refs/heads/"+r.Branch); err != nil {
		return "", fmt.Errorf("fix: bad branch name %q", r.Branch)
	}
	// The clone's objects are copies, not hard links to Repo's: the fix
	// may write anything in the clone, and must not reach Repo through it.
	if _, err := run(ctx, clone, "clone", "--quiet", "--no-hardlinks", "--no-tags", "--single-branch", "--branch", r.Base, "--", repo, clone); err != nil {
		return "", fmt.Errorf("fix: clone %s: %w", r.Repo, err)
	}

	ok, output, err := r.Runner.Run(ctx, clone, r.Run, r.Env, timeout)
	switch {
	case err != nil && output != "":
		return "", fmt.Errorf("fix: %w; output:\n%s", err, tail(output, fixOutputTail))
	case err != nil:
		return "", fmt.Errorf("fix: %w", err)
	case !ok:
		return "", fmt.Errorf("fix: %s exited non-zero; output:\n%s", r.Run[0], tail(output, fixOutputTail))
	}

	if _, err := run(ctx, clone, "add", "--all"); err != nil {
		return "", fmt.Errorf("fix: %w", err)
	}
	status, err := run(ctx, clone, "status", "--porcelain")
	if err != nil {
		return "", fmt.Errorf("fix: %w", err)
	}
	if status == "" {
		return "", ErrNothingToCommit
	}
	if err := commit(ctx, clone, r.Message); err != nil {
		return "", fmt.Errorf("fix: %w", err)
	}
	id, err := run(ctx, clone, "rev-parse", "HEAD")
	if err != nil {
		return "", fmt.Errorf("fix: %w", err)
	}

	prev, err := BranchHead(ctx, repo, r.Branch)
	if err != nil {
		return "", fmt.Errorf("fix: %w", err)
	}
	if prev != "" {
		same, err := sameTree(ctx, clone, repo, id, prev)
		if err != nil {
			return "", fmt.Errorf("fix: %w", err)
		}
		if same {
			return prev, nil
		}
	}
	if _, err := run(ctx, clone, "push", "--quiet", "--force", "--no-verify", "origin", "HEAD:refs/heads/"+r.Branch); err != nil {
		return "", fmt.Errorf("fix: push to branch %s of %s: %w", r.Branch, r.Repo, err)
	}
	return id, nil
}

// commit commits the staged changes in dir as Tandem, skipping the
// clone's own hooks and signing settings.
func commit(ctx context.Context, dir, message string) error {
	var stderr strings.Builder
	cmd := command(ctx, dir,
		"-c", "user.name=Tandem", "-c", "user.email=tandem@localhost", "-c", "commit.gpgSign=false",
		"commit", "--quiet", "--no-verify", "--file=-")
	cmd.Env = append(cmd.Env, identity...)
	cmd.Stdin = strings.NewReader(message)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("git commit: %s", msg)
		}
		return fmt.Errorf("git commit: %w", err)
	}
	return nil
}

// sameTree reports whether commit a in dirA and commit b in dirB have the
// same tree; tree ids name content, so they compare across repositories.
func sameTree(ctx context.Context, dirA, dirB, a, b string) (bool, error) {
	ta, err := run(ctx, dirA, "rev-parse", "--verify", a+"^{tree}")
	if err != nil {
		return false, err
	}
	tb, err := run(ctx, dirB, "rev-parse", "--verify", b+"^{tree}")
	if err != nil {
		return false, err
	}
	return ta == tb, nil
}

// tail returns the last n bytes of s, starting at a whole character.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	for i := 0; i < utf8.UTFMax && i < len(s); i++ {
		if utf8.RuneStart(s[i]) {
			return s[i:]
		}
	}
	return s
}

// IsAncestor reports whether commit a is an ancestor of (or equal to)
// commit b in the repository at dir, as when a fix's commit has been
// merged into the default branch. It returns an error when either commit
// is unknown.
func IsAncestor(ctx context.Context, dir, a, b string) (bool, error) {
	var stderr strings.Builder
	cmd := command(ctx, dir, "merge-base", "--is-ancestor", a, b)
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit) && exit.ExitCode() == 1 && stderr.Len() == 0:
		return false, nil
	case stderr.Len() > 0:
		return false, fmt.Errorf("is %s an ancestor of %s: %s", a, b, strings.TrimSpace(stderr.String()))
	default:
		return false, fmt.Errorf("is %s an ancestor of %s: %w", a, b, err)
	}
}

// BranchHead returns the commit a branch points at, or "" when it does not
// exist.
func BranchHead(ctx context.Context, dir, branch string) (string, error) {
	head, err := Head(ctx, dir, branch)
	if errors.Is(err, ErrNoCommits) {
		return "", nil
	}
	return head, err
}

// Merge merges branch into base in the repository whose git directory is
// repo, with a merge commit made as Tandem, and returns the new head of
// base. A bare repository is merged in a temporary clone and pushed; a work
// tree is merged in place, and only when base is checked out and the tree
// is clean, so that nobody's work is touched. A branch already merged
// changes nothing.
func Merge(ctx context.Context, repo, base, branch, message string) (string, error) {
	head, err := BranchHead(ctx, repo, base)
	if err != nil {
		return "", err
	}
	tip, err := BranchHead(ctx, repo, branch)
	if err != nil {
		return "", err
	}
	if head == "" || tip == "" {
		return "", fmt.Errorf("merge %s into %s in %s: a branch is missing", branch, base, repo)
	}
	if merged, err := IsAncestor(ctx, repo, tip, head); err != nil || merged {
		return head, err
	}
	env := append(os.Environ(), identity...)
	gitIn := func(dir string, args ...string) error {
		cmd := command(ctx, dir, append([]string{"-c", "commit.gpgSign=false"}, args...)...)
		cmd.Env = append(env, "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v: %s", args[0], err, tail(strings.TrimSpace(string(out)), fixOutputTail))
		}
		return nil
	}
	if bare, err := run(ctx, repo, "rev-parse", "--is-bare-repository"); err != nil {
		return "", err
	} else if bare == "true" {
		tmp, err := os.MkdirTemp("", "tandem-merge-")
		if err != nil {
			return "", err
		}
		defer os.RemoveAll(tmp)
		clone := filepath.Join(tmp, "clone")
		if err := gitIn(tmp, "clone", "--quiet", "--no-tags", "--branch", base, "--", repo, clone); err != nil {
			return "", err
		}
		if err := gitIn(clone, "merge", "--quiet", "--no-ff", "-m", message, "origin/"+branch); err != nil {
			return "", err
		}
		if err := gitIn(clone, "push", "--quiet", "--no-verify", "origin", "HEAD:refs/heads/"+base); err != nil {
			return "", fmt.Errorf("push %s to %s: %w", base, repo, err)
		}
		return BranchHead(ctx, repo, base)
	}
	work := repo
	if filepath.Base(repo) == ".git" {
		work = filepath.Dir(repo)
	}
	current, err := run(ctx, work, "symbolic-ref", "--quiet", "--short", "HEAD")
	if err != nil || current != base {
		return "", fmt.Errorf("merge into %s: %s has %q checked out, not %s: merge it by hand", base, work, current, base)
	}
	if status, err := run(ctx, work, "status", "--porcelain"); err != nil || status != "" {
		return "", fmt.Errorf("merge into %s: %s has uncommitted changes: merge it by hand", base, work)
	}
	if err := gitIn(work, "merge", "--quiet", "--no-ff", "-m", message, branch); err != nil {
		return "", err
	}
	return BranchHead(ctx, repo, base)
}
