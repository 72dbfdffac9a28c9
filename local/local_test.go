package local_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/local"
)

func TestRepositories(t *testing.T) {
	root := t.TempDir()
	gittest.Init(t, filepath.Join(root, "checkout"), map[string]string{"a": "a"})
	gittest.Run(t, "", "init", "--quiet", "--bare", filepath.Join(root, "team", "bare.git"))
	gittest.Init(t, filepath.Join(root, "nested", "deeper", "svc"), map[string]string{"a": "a"})
	gittest.Init(t, filepath.Join(root, "other", "checkout"), map[string]string{"a": "a"})
	if err := os.MkdirAll(filepath.Join(root, "not-a-repo", "src"), 0o755); err != nil {
		t.Fatal(err)
	}

	repos, problems, err := local.New(tandem.CodeHost{Path: root}).Repositories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range repos {
		names = append(names, r.Name)
	}
	if got, want := len(names), 3; got != want {
		t.Fatalf("repositories = %v, want 3", names)
	}
	for i, want := range []string{"bare", "checkout", "svc"} {
		if names[i] != want {
			t.Errorf("repository %d = %q, want %q", i, names[i], want)
		}
	}
	if got, want := repos[0].Dir, filepath.Join(root, "team", "bare.git"); got != want {
		t.Errorf("bare Dir = %q, want %q", got, want)
	}
	if got, want := repos[1].Dir, filepath.Join(root, "checkout", ".git"); got != want {
		t.Errorf("checkout Dir = %q, want %q", got, want)
	}
	if len(problems) != 1 || problems[0].File != filepath.Join(root, "other", "checkout") {
		t.Errorf("problems = %v, want one for the duplicate name", problems)
	}

	t.Run("OnlyTheNamedRepositoriesForATargetedRescan", func(t *testing.T) {
		repos, _, err := local.New(tandem.CodeHost{Path: root}).Repositories(context.Background(), "svc", "nope")
		if err != nil {
			t.Fatal(err)
		}
		if len(repos) != 1 || repos[0].Name != "svc" {
			t.Errorf("repositories = %+v, want svc alone", repos)
		}
	})

	t.Run("AMissingFolderIsUnavailable", func(t *testing.T) {
		_, _, err := local.New(tandem.CodeHost{Path: filepath.Join(root, "gone")}).Repositories(context.Background())
		if got, want := tandem.ErrorCode(err), tandem.EUNAVAILABLE; got != want {
			t.Fatalf("code = %q (%v), want %q", got, err, want)
		}
	})
}
