package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem/demo"
)

// TestQuickStartThenGoTest follows the README on a fresh clone: `serve
// --demo` with no folder, then `go test ./...`. The demo's Go files must
// not become packages of Tandem's module, where they fail to build.
func TestQuickStartThenGoTest(t *testing.T) {
	if testing.Short() {
		t.Skip("clones the repository and lists its packages")
	}
	for _, tool := range []string{"git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not in a git checkout to clone: %v", err)
	}
	root := strings.TrimSpace(string(top))
	clone := filepath.Join(t.TempDir(), "tandem")
	gitOutput(t, "", "clone", "--quiet", root, clone)

	// The go command below keeps the caches and module folder it has now.
	goEnv := append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off", "GOWORK=off")
	for _, name := range []string{"GOCACHE", "GOMODCACHE"} {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		goEnv = append(goEnv, name+"="+strings.TrimSpace(string(out)))
	}
	// serve's own user folders are fresh ones, so that the demo is made
	// anew wherever serve puts it.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))

	serve := serveCommand(env{getenv: noEnv, stdout: io.Discard, stderr: io.Discard})
	if err := serve.Flags().Parse([]string{"--demo"}); err != nil {
		t.Fatal(err)
	}
	dir := serve.Flags().Lookup("demo").Value.String()
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(clone, dir) // where serve would run
	}
	if _, err := demo.Create(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	t.Logf("serve --demo made the demo in %s", dir)

	list := exec.Command("go", "list", "-e", "-f", "{{.Dir}}{{with .Error}}: {{.}}{{end}}", "./...")
	list.Dir = clone
	list.Env = goEnv
	out, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("go list ./... in a clone after serve --demo: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(line, dir) || strings.Contains(line, ": ") {
			t.Errorf("go list ./... after serve --demo: %s", line)
		}
	}
}

// gitOutput runs git in dir and returns its output.
func gitOutput(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}
