package main

import (
	"path/filepath"
	"testing"

	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/proc/proctest"
)

// TestFixEnvironment runs a fix as serve does: it sees the variables its
// migration names, not the server's other ones (tokens, database URLs),
// and a home of its own, not the server's.
func TestFixEnvironment(t *testing.T) {
	t.Setenv("HOME", "/root/of/the/server")
	repo := filepath.Join(t.TempDir(), "api")
	gittest.Init(t, repo, map[string]string{"main.go": "package main\n"})
	server := map[string]string{"GOPROXY": "https://proxy.example", "FORGE_TOKEN": "s3cret", "TANDEM_BOOTSTRAP_TOKEN": "tdm_x"}
	run := fixRunner(func(k string) string { return server[k] }, proctest.Runner(t))
	commit, err := run(t.Context(), campaign.FixRun{Repo: repo, Base: "main", Branch: "tandem/env", Message: "Record the environment",
		Run: []string{"sh", "-c", `echo "proxy=$GOPROXY token=$FORGE_TOKEN bootstrap=$TANDEM_BOOTSTRAP_TOKEN home=$HOME" > seen.txt`},
		Env: []string{"GOPROXY", "GONOSUMDB"}})
	if err != nil {
		t.Fatal(err)
	}
	seen := gittest.Run(t, repo, "show", commit+":seen.txt")
	if want := "proxy=https://proxy.example token= bootstrap= home="; len(seen) < len(want) || seen[:len(want)] != want {
		t.Errorf("the fix saw %q, want only GOPROXY", seen)
	}
	if home := seen[len("proxy=https://proxy.example token= bootstrap= home="):]; home == "/root/of/the/server" || home == "" {
		t.Errorf("the fix's home = %q, want a folder of its own", home)
	}
}
