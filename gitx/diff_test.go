package gitx_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx"
	"github.com/tandem-dev/tandem/gitx/gittest"
)

func TestChangeDiff(t *testing.T) {
	ctx := context.Background()
	dir := gittest.Repo(t, map[string]string{"main.go": "package main\n\nimport \"log\"\n", "README.md": "hello\n"})
	gittest.Run(t, dir, "checkout", "--quiet", "-b", "fix")
	gittest.Commit(t, dir, map[string]string{"main.go": "package main\n\nimport \"obslog\"\n", "logo.png": "\x89PNG\x00\x01"})
	gittest.Run(t, dir, "checkout", "--quiet", "main")
	gittest.Commit(t, dir, map[string]string{"README.md": "hello again\n"}) // the default branch moves on

	t.Run("OK", func(t *testing.T) {
		d, err := gitx.ChangeDiff(ctx, dir, "refs/heads/main", "refs/heads/fix", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(d.Files), 2; got != want {
			t.Fatalf("files = %+v, want %d", d.Files, want)
		}
		if got, want := d.Files[0], (tandem.ChangeFile{Path: "logo.png", Binary: true}); got != want {
			t.Errorf("files[0] = %+v, want %+v", got, want)
		}
		if got, want := d.Files[1], (tandem.ChangeFile{Path: "main.go", Added: 1, Deleted: 1}); got != want {
			t.Errorf("files[1] = %+v, want %+v", got, want)
		}
		if !strings.Contains(d.Patch, "+import \"obslog\"") || strings.Contains(d.Patch, "README.md") || d.Truncated {
			t.Errorf("patch (truncated %v):\n%s", d.Truncated, d.Patch)
		}
	})

	t.Run("TruncatedAtTheLimit", func(t *testing.T) {
		d, err := gitx.ChangeDiff(ctx, dir, "refs/heads/main", "refs/heads/fix", 30)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Truncated || len(d.Patch) != 30 {
			t.Errorf("truncated %v, patch %d bytes; want true, 30", d.Truncated, len(d.Patch))
		}
	})

	t.Run("ErrUnknownBranch", func(t *testing.T) {
		if _, err := gitx.ChangeDiff(ctx, dir, "refs/heads/main", "refs/heads/nope", 1<<20); err == nil {
			t.Error("no error for an unknown branch")
		}
	})

	t.Run("ErrOption", func(t *testing.T) {
		if _, err := gitx.ChangeDiff(ctx, dir, "refs/heads/main", "--output=/tmp/x", 1<<20); err == nil {
			t.Error("no error for an option given as a revision")
		}
	})
}
