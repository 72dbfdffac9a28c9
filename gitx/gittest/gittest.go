// Package gittest builds real git repositories for tests.
package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Env is the environment git runs with in tests: fixed identity and dates,
// no user or system configuration.
var Env = []string{
	"GIT_AUTHOR_NAME=Tandem Test", "GIT_AUTHOR_EMAIL=test@tandem.invalid",
	"GIT_COMMITTER_NAME=Tandem Test", "GIT_COMMITTER_EMAIL=test@tandem.invalid",
	"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
}

// Run runs git in dir (or the current folder when dir is "") and returns
// its trimmed output, failing the test on error.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	cmd := exec.Command("git", args...)
	cmd.Env = append(os.Environ(), Env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// Repo creates a repository with one commit of files on branch main in a
// new temporary folder and returns its path.
func Repo(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	Init(t, dir, files)
	return dir
}

// Init creates a repository at dir with one commit of files on branch main.
func Init(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	Run(t, "", "init", "--quiet", "--initial-branch=main", dir)
	Commit(t, dir, files)
}

// Commit writes files into the work tree of dir and commits them all.
func Commit(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	Run(t, dir, "add", "--all")
	Run(t, dir, "commit", "--quiet", "--allow-empty", "-m", "change")
}
