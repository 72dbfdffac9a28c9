package gitx_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tandem-dev/tandem/gitx"
	"github.com/tandem-dev/tandem/gitx/gittest"
)

func TestHeadAndReadFiles(t *testing.T) {
	ctx := context.Background()
	dir := gittest.Repo(t, map[string]string{
		"CODEOWNERS":     "* @org/payments\n",
		"docs/README.md": "hello\n",
		"big.bin":        string(make([]byte, 2048)),
	})

	branch, err := gitx.DefaultBranch(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := branch, "main"; got != want {
		t.Fatalf("DefaultBranch = %q, want %q", got, want)
	}
	head, err := gitx.Head(ctx, dir, branch)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := head, gittest.Run(t, dir, "rev-parse", "HEAD"); got != want {
		t.Fatalf("Head = %q, want %q", got, want)
	}

	t.Run("ReadsPresentFilesAndSkipsMissingOnes", func(t *testing.T) {
		files, err := gitx.ReadFiles(ctx, dir, head, []string{".github/CODEOWNERS", "CODEOWNERS", "docs", "docs/README.md", "big.bin"}, 1024)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(files["CODEOWNERS"].Data), "* @org/payments\n"; got != want {
			t.Errorf("CODEOWNERS = %q, want %q", got, want)
		}
		if got, want := string(files["docs/README.md"].Data), "hello\n"; got != want {
			t.Errorf("docs/README.md = %q, want %q", got, want)
		}
		if _, ok := files[".github/CODEOWNERS"]; ok {
			t.Error("missing file was returned")
		}
		if _, ok := files["docs"]; ok {
			t.Error("a tree was returned as a file")
		}
		big := files["big.bin"]
		if big.Size != 2048 || big.Data != nil {
			t.Errorf("oversized file: size %d, data %d bytes; want 2048 and none", big.Size, len(big.Data))
		}
	})

	t.Run("ErrNoCommitsOnAnEmptyRepository", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "empty.git")
		gittest.Run(t, "", "init", "--quiet", "--bare", "--initial-branch=main", empty)
		if _, err := gitx.Head(ctx, empty, "main"); !errors.Is(err, gitx.ErrNoCommits) {
			t.Fatalf("Head on empty repository: err = %v, want ErrNoCommits", err)
		}
	})

	t.Run("ErrorOnABrokenRepository", func(t *testing.T) {
		broken := gittest.Repo(t, map[string]string{"a": "a"})
		if err := os.WriteFile(filepath.Join(broken, ".git", "refs", "heads", "main"), []byte("not a sha\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := gitx.Head(ctx, broken, "main"); err == nil || errors.Is(err, gitx.ErrNoCommits) {
			t.Fatalf("Head on broken ref: err = %v, want a git error", err)
		}
	})
}
