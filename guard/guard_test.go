package guard_test

import (
	"slices"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/guard"
)

var logrus = tandem.Check{Path: "**/*.go", Contains: "github.com/sirupsen/logrus"}

// TestNewEvidence checks that only lines the head brings count: an
// import added is new, one kept or moved is not, and a command leaf is
// left out.
func TestNewEvidence(t *testing.T) {
	for _, tc := range []struct {
		name          string
		c             tandem.Check
		before, after map[string]string
		want          []tandem.Match
	}{
		{"added", logrus, map[string]string{"a.go": "package a\n"},
			map[string]string{"a.go": "package a\n\nimport \"github.com/sirupsen/logrus\"\n"},
			[]tandem.Match{{Path: "a.go", Line: 3}}},
		{"new file", logrus, nil,
			map[string]string{"b/b.go": "import \"github.com/sirupsen/logrus\"\n"},
			[]tandem.Match{{Path: "b/b.go", Line: 1}}},
		{"moved", logrus, map[string]string{"a.go": "import \"github.com/sirupsen/logrus\"\nx\n"},
			map[string]string{"a.go": "x\ny\nimport \"github.com/sirupsen/logrus\"\n"}, nil},
		{"removed", logrus, map[string]string{"a.go": "import \"github.com/sirupsen/logrus\"\n"},
			map[string]string{"a.go": "package a\n"}, nil},
		{"other path", logrus, nil, map[string]string{"README.md": "github.com/sirupsen/logrus\n"}, nil},
		{"path leaf", tandem.Check{Path: "Jenkinsfile"}, nil, map[string]string{"Jenkinsfile": "x"},
			[]tandem.Match{{Path: "Jenkinsfile"}}},
		{"path leaf kept", tandem.Check{Path: "Jenkinsfile"}, map[string]string{"Jenkinsfile": "x"},
			map[string]string{"Jenkinsfile": "y"}, nil},
		{"command left out", tandem.Check{Any: []tandem.Check{{Command: []string{"true"}}, logrus}}, nil,
			map[string]string{"a.go": "\"github.com/sirupsen/logrus\"\n"}, []tandem.Match{{Path: "a.go", Line: 1}}},
		{"only command", tandem.Check{Command: []string{"true"}}, nil, map[string]string{"a.go": "x"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := guard.NewEvidence(tc.c, bytesOf(tc.before), bytesOf(tc.after))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("NewEvidence = %v, want %v", got, tc.want)
			}
		})
	}
}

func bytesOf(files map[string]string) map[string][]byte {
	out := map[string][]byte{}
	for p, s := range files {
		out[p] = []byte(s)
	}
	return out
}

// TestEvaluate evaluates a real repository's branch: the verdict of each
// mode, and a success when the branch adds nothing.
func TestEvaluate(t *testing.T) {
	dir := gittest.Repo(t, map[string]string{"main.go": "package main\n", "old.go": "import \"github.com/sirupsen/logrus\"\n"})
	base := gittest.Run(t, dir, "rev-parse", "HEAD")
	gittest.Commit(t, dir, map[string]string{"main.go": "package main\n\nimport \"github.com/sirupsen/logrus\"\n", "notes.txt": "logrus"})
	head := gittest.Run(t, dir, "rev-parse", "HEAD")
	m := func(name string) tandem.Migration { return tandem.Migration{Name: name, Target: logrus} }
	files := gitx.Commits{Dir: dir, MaxSize: 1 << 20}
	got, err := guard.Evaluate(t.Context(), files, base, head, []tandem.Guarding{{Migration: m("b"), Mode: tandem.GuardBlock}, {Migration: m("w"), Mode: tandem.GuardWarn}})
	if err != nil {
		t.Fatal(err)
	}
	want := []tandem.GuardVerdict{
		{Migration: "b", Mode: tandem.GuardBlock, State: tandem.StatusFailure, Evidence: []tandem.Match{{Path: "main.go", Line: 3}}},
		{Migration: "w", Mode: tandem.GuardWarn, State: tandem.StatusWarning, Evidence: []tandem.Match{{Path: "main.go", Line: 3}}},
	}
	if len(got) != 2 || !same(got[0], want[0]) || !same(got[1], want[1]) {
		t.Fatalf("Evaluate = %+v, want %+v", got, want)
	}
	got, err = guard.Evaluate(t.Context(), files, head, head, []tandem.Guarding{{Migration: m("b"), Mode: tandem.GuardBlock}})
	if err != nil || len(got) != 1 || got[0].State != tandem.StatusSuccess || len(got[0].Evidence) != 0 {
		t.Fatalf("Evaluate of no change = %+v, %v, want one success", got, err)
	}
}

func same(a, b tandem.GuardVerdict) bool {
	return a.Migration == b.Migration && a.Mode == b.Mode && a.State == b.State && slices.Equal(a.Evidence, b.Evidence)
}
