package scan_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/proc/proctest"
	"github.com/tandem-dev/tandem/scan"
)

// TestReadCheckout: a detached checkout in a linked work tree reads as a
// scan reads the same commit; a command of source ci sees the build's
// files in the work tree, which a scan's fresh checkout does not have.
func TestReadCheckout(t *testing.T) {
	dir := gittest.Repo(t, map[string]string{
		"main.go": "package main\n\nimport \"github.com/sirupsen/logrus\"\n",
		"go.mod":  "module acme.dev/api\n",
	})
	gittest.Commit(t, dir, map[string]string{"lib.go": "package main\n// logrus again\nimport \"github.com/sirupsen/logrus\"\n"})
	commit := gittest.Run(t, dir, "rev-parse", "HEAD")
	work := filepath.Join(t.TempDir(), "work")
	gittest.Run(t, dir, "worktree", "add", "--quiet", "--detach", work, "HEAD")
	if err := os.WriteFile(filepath.Join(work, "built"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	built := tandem.Check{Command: []string{"test", "-f", "built"}}
	ciBuilt := built
	ciBuilt.Source = tandem.SourceCI
	defs := checks(map[string]tandem.Check{
		"logrus":   {Path: "**/*.go", Contains: `"github.com/sirupsen/logrus"`},
		"built":    built,
		"ci-built": ciBuilt,
	})

	s := scan.New()
	s.Runner = proctest.Runner(t)
	got, results, _, err := s.ReadCheckout(t.Context(), work, defs)
	if err != nil {
		t.Fatal(err)
	}
	if got != commit {
		t.Errorf("commit = %s, want %s", got, commit)
	}
	read := scan.New()
	read.Runner = s.Runner
	want := read.Read(t.Context(), host, repoAt("api", dir), tandem.ScannedChecks(defs), tandem.LastRead{})
	for i, nc := range defs {
		r := results[i]
		if r.Check != nc.ID || r.Commit != commit || r.Digest != nc.Digest {
			t.Errorf("result %d = %+v, want %s at %s", i, r, nc.ID, commit)
		}
		if nc.Check.Source == tandem.SourceCI {
			if !r.Holds || r.Source != tandem.SourceCI {
				t.Errorf("%s = %+v: want it to hold in the work tree, from ci", nc.ID, r)
			}
			continue
		}
		for _, w := range want.Results {
			if w.Check == nc.ID && (w.Holds != r.Holds || !reflect.DeepEqual(w.Evidence, r.Evidence) || w.Error != r.Error) {
				t.Errorf("%s: checkout %+v, scan %+v", nc.ID, r, w)
			}
		}
	}
	if r := results[0]; r.Holds {
		t.Errorf("%s held in a fresh checkout: %+v", r.Check, r)
	}
	if r := results[2]; !r.Holds || len(r.Evidence) != 2 {
		t.Errorf("logrus = %+v, want two files", r)
	}
}
