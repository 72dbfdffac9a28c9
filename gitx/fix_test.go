package gitx_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem/gitx"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/proc/proctest"
)

const mainGo = "package main\n\nimport \"github.com/sirupsen/logrus\"\n"

// sed is a fix that replaces logrus with obslog in main.go.
var sed = []string{"sh", "-c", "sed -i s/logrus/obslog/ main.go"}

// noUserConfig makes git in this test (and in Fix) read no user or system
// configuration, as on a fresh server.
func noUserConfig(t *testing.T) {
	t.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
}

// bare returns a bare copy of a new repository holding files on main.
func bare(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo.git")
	gittest.Run(t, "", "clone", "--quiet", "--bare", gittest.Repo(t, files), dir)
	return dir
}

func TestFix(t *testing.T) {
	noUserConfig(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		repo func(t *testing.T) string
	}{
		{"a fix pushes its change to a branch of a repository with a work tree", func(t *testing.T) string {
			return filepath.Join(gittest.Repo(t, map[string]string{"main.go": mainGo}), ".git")
		}},
		{"a fix pushes its change to a branch of a bare repository", func(t *testing.T) string {
			return bare(t, map[string]string{"main.go": mainGo})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			repo := tt.repo(t)
			base := gittest.Run(t, repo, "rev-parse", "main")
			req := gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "tandem/obslog", Run: sed, Message: "Move to obslog"}
			id, err := gitx.Fix(ctx, req)
			if err != nil {
				t.Fatalf("Fix: %v", err)
			}
			if got, want := gittest.Run(t, repo, "rev-parse", "tandem/obslog"), id; got != want {
				t.Errorf("branch is at %s, want the returned commit %s", got, want)
			}
			if got, want := gittest.Run(t, repo, "show", id+":main.go"), strings.TrimSpace(strings.ReplaceAll(mainGo, "logrus", "obslog")); got != want {
				t.Errorf("main.go on the branch = %q, want %q", got, want)
			}
			if got, want := gittest.Run(t, repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s|%P", id), "Tandem <tandem@localhost>|Tandem <tandem@localhost>|Move to obslog|"+base; got != want {
				t.Errorf("commit = %q, want %q", got, want)
			}
			if got, want := gittest.Run(t, repo, "rev-parse", "main"), base; got != want {
				t.Errorf("main moved to %s, want it left at %s", got, want)
			}
			if got, want := gittest.Run(t, repo, "show", "main:main.go"), strings.TrimSpace(mainGo); got != want {
				t.Errorf("main.go on main = %q, want %q", got, want)
			}
			if wt := filepath.Dir(repo); filepath.Base(repo) == ".git" {
				b, err := os.ReadFile(filepath.Join(wt, "main.go"))
				if err != nil {
					t.Fatal(err)
				}
				if got, want := string(b), mainGo; got != want {
					t.Errorf("work tree main.go = %q, want it untouched", got)
				}
			}

			// A new commit made later would have another id.
			t.Setenv("GIT_AUTHOR_DATE", "2030-01-01T00:00:00Z")
			t.Setenv("GIT_COMMITTER_DATE", "2030-01-01T00:00:00Z")
			again, err := gitx.Fix(ctx, req)
			if err != nil {
				t.Fatalf("Fix again: %v", err)
			}
			if got, want := again, id; got != want {
				t.Errorf("Fix again = %s, want the same commit %s", got, want)
			}

			req.Run = []string{"sh", "-c", "sed -i s/logrus/slog/ main.go"}
			other, err := gitx.Fix(ctx, req)
			if err != nil {
				t.Fatalf("Fix with another command: %v", err)
			}
			if other == id {
				t.Error("a different fix kept the previous commit")
			}
			if got, want := gittest.Run(t, repo, "rev-parse", "tandem/obslog"), other; got != want {
				t.Errorf("branch is at %s, want the new commit %s", got, want)
			}
		})
	}

	t.Run("a fix that adds and removes files commits both", func(t *testing.T) {
		repo := bare(t, map[string]string{"main.go": mainGo, "old.txt": "old\n"})
		id, err := gitx.Fix(ctx, gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "fix", Run: []string{"sh", "-c", "rm old.txt; mkdir -p sub; echo new > sub/new.txt"}, Message: "Tidy"})
		if err != nil {
			t.Fatalf("Fix: %v", err)
		}
		if got, want := gittest.Run(t, repo, "ls-tree", "-r", "--name-only", id), "main.go\nsub/new.txt"; got != want {
			t.Errorf("files = %q, want %q", got, want)
		}
	})

	t.Run("a fix that rewrites its clone's objects leaves the repository whole", func(t *testing.T) {
		repo := bare(t, map[string]string{"main.go": mainGo})
		script := `find .git/objects -type f -exec chmod u+w {} + && find .git/objects -type f -exec sh -c 'printf broken > "$1"' sh {} \; ; echo x > x.txt`
		_, _ = gitx.Fix(ctx, gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "fix", Run: []string{"sh", "-c", script}, Message: "Break"})
		gittest.Run(t, repo, "fsck", "--full", "--strict")
		if got := gittest.Run(t, repo, "show", "main:main.go"); got != strings.TrimSpace(mainGo) {
			t.Errorf("main.go = %q after the fix", got)
		}
	})

	t.Run("a fix gets the given environment", func(t *testing.T) {
		t.Setenv("TANDEM_TEST_SECRET", "leaked")
		repo := bare(t, map[string]string{"main.go": mainGo})
		id, err := gitx.Fix(ctx, gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "fix", Run: []string{"sh", "-c", `echo "$NAME:$TANDEM_TEST_SECRET" > env.txt`}, Env: []string{"NAME=given"}, Message: "Env"})
		if err != nil {
			t.Fatalf("Fix: %v", err)
		}
		if got, want := gittest.Run(t, repo, "show", id+":env.txt"), "given:"; got != want {
			t.Errorf("env.txt = %q, want %q", got, want)
		}
	})
}

func TestFixErrors(t *testing.T) {
	noUserConfig(t)
	ctx := context.Background()

	t.Run("a fix that changes nothing is ErrNothingToCommit", func(t *testing.T) {
		repo := bare(t, map[string]string{"main.go": mainGo})
		_, err := gitx.Fix(ctx, gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "fix", Run: []string{"true"}, Message: "Nothing"})
		if !errors.Is(err, gitx.ErrNothingToCommit) {
			t.Errorf("Fix = %v, want ErrNothingToCommit", err)
		}
		if head, err := gitx.BranchHead(ctx, repo, "fix"); err != nil || head != "" {
			t.Errorf("BranchHead = %q, %v; want no branch", head, err)
		}
	})

	t.Run("a failing fix is an error with the end of its output", func(t *testing.T) {
		repo := bare(t, map[string]string{"main.go": mainGo})
		script := `head -c 10000 /dev/zero | tr '\0' x; echo; echo "cannot rewrite main.go" >&2; exit 2`
		_, err := gitx.Fix(ctx, gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "fix", Run: []string{"sh", "-c", script}, Message: "Fail"})
		if err == nil {
			t.Fatal("Fix succeeded")
		}
		if msg := err.Error(); !strings.Contains(msg, "cannot rewrite main.go") || len(msg) > 2<<10+200 {
			t.Errorf("Fix = %q (%d bytes), want the last 2 KB of the output", msg[max(0, len(msg)-200):], len(msg))
		}
		if head, _ := gitx.BranchHead(ctx, repo, "fix"); head != "" {
			t.Errorf("a failing fix pushed %s", head)
		}
	})

	t.Run("a fix that hangs times out", func(t *testing.T) {
		repo := bare(t, map[string]string{"main.go": mainGo})
		start := time.Now()
		_, err := gitx.Fix(ctx, gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "fix", Run: []string{"sleep", "30"}, Message: "Hang", Timeout: 300 * time.Millisecond})
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("Fix returned after %v, want about 300ms", elapsed)
		}
		if err == nil || !strings.Contains(err.Error(), "timed out after 300ms") {
			t.Errorf("Fix = %v, want a timeout error", err)
		}
	})

	t.Run("a push the repository rejects is an error naming the branch", func(t *testing.T) {
		repo := bare(t, map[string]string{"main.go": mainGo})
		hook := "#!/bin/sh\necho 'pushes are frozen' >&2\nexit 1\n"
		if err := os.WriteFile(filepath.Join(repo, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := gitx.Fix(ctx, gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "tandem/obslog", Run: sed, Message: "Move"})
		if err == nil {
			t.Fatal("Fix succeeded")
		}
		for _, want := range []string{"tandem/obslog", repo, "pushes are frozen"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Fix = %q, want it to mention %q", err, want)
			}
		}
		if head, _ := gitx.BranchHead(ctx, repo, "tandem/obslog"); head != "" {
			t.Errorf("a rejected push left the branch at %s", head)
		}
	})

	repo := bare(t, map[string]string{"main.go": mainGo})
	for _, tt := range []struct {
		name string
		req  gitx.FixRequest
		want string
	}{
		{"a fix onto the base branch is refused", gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "main", Run: sed, Message: "m"}, "base branch"},
		{"a fix with a bad branch name is refused", gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "a..b", Run: sed, Message: "m"}, "bad branch name"},
		{"a fix with no command is refused", gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "fix", Message: "m"}, "no command"},
		{"a fix with no message is refused", gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "fix", Run: sed}, "message"},
		{"a fix from a missing base is an error", gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "develop", Branch: "fix", Run: sed, Message: "m"}, "develop"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gitx.Fix(ctx, tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Fix = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestIsAncestorAndBranchHead(t *testing.T) {
	noUserConfig(t)
	ctx := context.Background()
	dir := gittest.Repo(t, map[string]string{"main.go": mainGo})
	base := gittest.Run(t, dir, "rev-parse", "main")

	head, err := gitx.BranchHead(ctx, dir, "tandem/obslog")
	if err != nil {
		t.Fatal(err)
	}
	if head != "" {
		t.Errorf("BranchHead of a missing branch = %q, want \"\"", head)
	}

	id, err := gitx.Fix(ctx, gitx.FixRequest{Runner: proctest.Runner(t), Repo: dir, Base: "main", Branch: "tandem/obslog", Run: sed, Message: "Move to obslog"})
	if err != nil {
		t.Fatalf("Fix: %v", err)
	}
	if head, err := gitx.BranchHead(ctx, dir, "tandem/obslog"); err != nil || head != id {
		t.Errorf("BranchHead = %q, %v; want %s", head, err, id)
	}

	ancestor := func(a, b string) bool {
		t.Helper()
		ok, err := gitx.IsAncestor(ctx, dir, a, b)
		if err != nil {
			t.Fatalf("IsAncestor: %v", err)
		}
		return ok
	}
	if ancestor(id, "main") {
		t.Error("the fix is an ancestor of main before it is merged")
	}
	if !ancestor(base, id) {
		t.Error("the base is not an ancestor of the fix")
	}
	gittest.Commit(t, dir, map[string]string{"README.md": "more work on main\n"})
	gittest.Run(t, dir, "merge", "--quiet", "--no-edit", "tandem/obslog")
	if !ancestor(id, "main") {
		t.Error("the fix is not an ancestor of main after it is merged")
	}
	if !ancestor(id, id) {
		t.Error("a commit is not an ancestor of itself")
	}
	if _, err := gitx.IsAncestor(ctx, dir, strings.Repeat("0", 40), "main"); err == nil {
		t.Error("IsAncestor of an unknown commit succeeded")
	}
}

func TestMerge(t *testing.T) {
	ctx := context.Background()
	fix := func(t *testing.T, repo string) string {
		t.Helper()
		c, err := gitx.Fix(ctx, gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "tandem/fix", Message: "Fix",
			Run: []string{"sh", "-c", "echo fixed > main.go"}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	t.Run("AWorkTreeIsMergedInPlace", func(t *testing.T) {
		dir := gittest.Repo(t, map[string]string{"main.go": "broken\n"})
		repo := filepath.Join(dir, ".git")
		fixCommit := fix(t, repo)
		head, err := gitx.Merge(ctx, repo, "main", "tandem/fix", "Merge the fix")
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := gitx.IsAncestor(ctx, repo, fixCommit, head); !ok {
			t.Error("the fix is not in main after the merge")
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "main.go")); string(b) != "fixed\n" {
			t.Errorf("work tree main.go = %q, want the fix", b)
		}
		again, err := gitx.Merge(ctx, repo, "main", "tandem/fix", "Merge the fix")
		if err != nil || again != head {
			t.Errorf("merging again = %s, %v; want %s unchanged", again, err, head)
		}
	})
	t.Run("ABareRepositoryIsMergedThroughAClone", func(t *testing.T) {
		src := gittest.Repo(t, map[string]string{"main.go": "broken\n"})
		bare := filepath.Join(t.TempDir(), "bare.git")
		gittest.Run(t, "", "clone", "--quiet", "--bare", src, bare)
		fixCommit := fix(t, bare)
		head, err := gitx.Merge(ctx, bare, "main", "tandem/fix", "Merge the fix")
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := gitx.IsAncestor(ctx, bare, fixCommit, head); !ok {
			t.Error("the fix is not in main after the merge")
		}
	})
	t.Run("ADirtyWorkTreeIsLeftAlone", func(t *testing.T) {
		dir := gittest.Repo(t, map[string]string{"main.go": "broken\n", "other.go": "x\n"})
		repo := filepath.Join(dir, ".git")
		fix(t, repo)
		if err := os.WriteFile(filepath.Join(dir, "other.go"), []byte("someone's work\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := gitx.Merge(ctx, repo, "main", "tandem/fix", "Merge"); err == nil || !strings.Contains(err.Error(), "uncommitted changes") {
			t.Errorf("merge into a dirty tree: %v, want a refusal", err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "other.go")); string(b) != "someone's work\n" {
			t.Error("the merge touched uncommitted work")
		}
	})
}
