package check_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/check"
)

func TestCompileRejectsBadChecks(t *testing.T) {
	tests := []struct {
		name  string
		check tandem.Check
		want  string
	}{
		{"an empty check", tandem.Check{}, "check: want exactly one"},
		{"two forms at once", tandem.Check{Path: "a", Command: []string{"true"}}, "got 2"},
		{"contains without path", tandem.Check{Contains: "x", GoMod: &tandem.GoModCheck{Require: "a.b/c", Below: "v1.0.0"}}, "only allowed with path"},
		{"contains with matches", tandem.Check{Path: "a", Contains: "x", Matches: "y"}, "exclusive"},
		{"a bad glob", tandem.Check{Path: "a[b"}, `invalid glob "a[b"`},
		{"an absolute glob", tandem.Check{Path: "/etc/passwd"}, "invalid glob"},
		{"a bad regular expression deep in a combinator", tandem.Check{All: []tandem.Check{{Path: "a"}, {Not: &tandem.Check{Path: "b", Matches: "(x"}}}}, "check.all[1].not.matches: invalid regular expression"},
		{"a bad version", tandem.Check{GoMod: &tandem.GoModCheck{Require: "a.b/c", Below: "one"}}, `invalid semantic version "vone"`},
		{"a gomod check with no bound", tandem.Check{GoMod: &tandem.GoModCheck{Require: "a.b/c"}}, "want exactly one of below and atLeast"},
		{"a bad module path", tandem.Check{GoMod: &tandem.GoModCheck{Require: "not a module", Below: "v1.0.0"}}, "invalid module path"},
		{"an empty any", tandem.Check{Any: []tandem.Check{}}, "check.any: must not be empty"},
		{"an empty program", tandem.Check{Command: []string{""}}, "the program must not be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is invalid", func(t *testing.T) {
			_, err := check.Compile(tt.check)
			if err == nil {
				t.Fatal("Compile succeeded")
			}
			if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
				t.Errorf("code = %q, want %q", got, want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestLeaves(t *testing.T) {
	c := tandem.Check{All: []tandem.Check{
		{Path: "**/*.go", Contains: "logrus"},
		{Any: []tandem.Check{
			{Path: "**/*.go", Contains: "logrus"},
			{Path: "*.mod", Contains: "logrus"},
			{Command: []string{"make", "check"}},
			{GoMod: &tandem.GoModCheck{Require: "a.b/c", AtLeast: "1.2.0"}},
		}},
	}}
	p, err := check.Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, l := range p.Leaves() {
		keys = append(keys, l.Key())
	}
	t.Run("equal leaves are compiled once and the order is the check's", func(t *testing.T) {
		want := []string{"contains:logrus", "contains:logrus", "", "gomod:a.b/c:atLeast:v1.2.0"}
		if !slices.Equal(keys, want) {
			t.Errorf("keys = %q, want %q", keys, want)
		}
	})
	t.Run("only the command leaf has a command and it selects no file", func(t *testing.T) {
		for i, l := range p.Leaves() {
			if got, want := l.Command() != nil, i == 2; got != want {
				t.Errorf("leaf %d: has a command = %v, want %v", i, got, want)
			}
		}
		if l := p.Leaves()[2]; l.MatchPath("Makefile") || l.NeedsContent() {
			t.Errorf("a command leaf selects a file or needs content")
		}
	})
}

func TestPrefilter(t *testing.T) {
	tests := []struct {
		expr string
		want string
	}{
		{`github\.com/sirupsen/logrus`, "github.com/sirupsen/logrus"},
		{`\w+\.WithFields\(`, ".WithFields("},
		{`^import (log|slog)$`, "import "},
		{`(foo)bar\d+bazbazbaz`, "bazbazbaz"},
		{`(foo)bar\d+baz`, "foobar"},
		{`(?:abc)+x`, "abc"},
		{`x{2,}`, "x"},
		{`(?i)logrus`, ""},
		{`a*b?`, ""},
		{`[0-9]+`, ""},
		{`foo|bar`, ""},
	}
	for _, tt := range tests {
		t.Run("the required literal of "+tt.expr+" is "+tt.want, func(t *testing.T) {
			l := leaf(t, tandem.Check{Path: "**", Matches: tt.expr})
			if got := check.Prefilter(l); got != tt.want {
				t.Errorf("prefilter of %q = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

// scan evaluates p over files (path to content) as a scanner does.
func scan(t *testing.T, p *check.Program, files map[string]string, commandOK bool) check.Result {
	t.Helper()
	run := p.NewRun()
	paths := make([]string, 0, len(files))
	for path := range files {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	for _, l := range p.Leaves() {
		if l.Command() != nil && commandOK {
			run.Add(l, "", nil)
		}
	}
	for _, path := range paths {
		for _, l := range p.Leaves() {
			if !l.MatchPath(path) {
				continue
			}
			if !l.NeedsContent() {
				run.Add(l, path, nil)
				continue
			}
			lines, ok, err := l.MatchContent([]byte(files[path]))
			switch {
			case err != nil:
				run.Fail(l, err)
			case ok:
				run.Add(l, path, lines)
			}
		}
	}
	return run.Result()
}

func TestEval(t *testing.T) {
	repo := map[string]string{
		"go.mod":        "module x\n\nrequire github.com/sirupsen/logrus v1.9.0\n",
		"main.go":       "package main\n\nimport \"github.com/sirupsen/logrus\"\n",
		"a/b.go":        "package a\n// logrus\n",
		"Dockerfile":    "FROM scratch\n",
		"vendor/x/y.go": "package y\nimport \"github.com/sirupsen/logrus\"\n",
	}
	logrus := tandem.Check{Path: "**/*.go", Contains: "logrus"}
	docker := tandem.Check{Path: "Dockerfile"}
	missing := tandem.Check{Path: "Jenkinsfile"}
	old := tandem.Check{GoMod: &tandem.GoModCheck{Require: "github.com/sirupsen/logrus", Below: "v1.9.3"}}
	vendored := tandem.Check{Path: "vendor/**"}
	tests := []struct {
		name      string
		check     tandem.Check
		commandOK bool
		holds     bool
		evidence  []check.Match
	}{
		{"a path leaf holds with the file as evidence", docker, false, true, []check.Match{{Path: "Dockerfile"}}},
		{"a missing path does not hold and has no evidence", missing, false, false, nil},
		{"a contains leaf gives every matching line, sorted", logrus, false, true, []check.Match{{"a/b.go", 2}, {"main.go", 3}, {"vendor/x/y.go", 2}}},
		{"a gomod leaf gives the require line", old, false, true, []check.Match{{"go.mod", 3}}},
		{"all holds when every part holds, with all their evidence", tandem.Check{All: []tandem.Check{docker, old}}, false, true, []check.Match{{Path: "Dockerfile"}, {"go.mod", 3}}},
		{"all does not hold when one part does not", tandem.Check{All: []tandem.Check{docker, missing}}, false, false, nil},
		{"any gives evidence only from the parts that hold", tandem.Check{Any: []tandem.Check{missing, docker}}, false, true, []check.Match{{Path: "Dockerfile"}}},
		{"any of nothing that holds does not hold", tandem.Check{Any: []tandem.Check{missing}}, false, false, nil},
		{"not holds without evidence", tandem.Check{Not: &missing}, false, true, nil},
		{"not of a holding check does not hold", tandem.Check{Not: &docker}, false, false, nil},
		{"a nested not contributes no evidence to all", tandem.Check{All: []tandem.Check{docker, {Not: &tandem.Check{Any: []tandem.Check{missing, vendored}}}}}, false, false, nil},
		{"nested any and all keep evidence of holding leaves only", tandem.Check{Any: []tandem.Check{{All: []tandem.Check{docker, missing}}, {All: []tandem.Check{old, {Not: &missing}}}}}, false, true, []check.Match{{"go.mod", 3}}},
		{"a succeeding command holds for the whole checkout", tandem.Check{Command: []string{"make"}}, true, true, []check.Match{{}}},
		{"a failing command does not hold", tandem.Check{Command: []string{"make"}}, false, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := check.Compile(tt.check)
			if err != nil {
				t.Fatal(err)
			}
			r := scan(t, p, repo, tt.commandOK)
			if got, want := r.Holds, tt.holds; got != want {
				t.Errorf("Holds = %v, want %v", got, want)
			}
			if !slices.Equal(r.Evidence, tt.evidence) {
				t.Errorf("Evidence = %v, want %v", r.Evidence, tt.evidence)
			}
			if r.Err != nil {
				t.Errorf("Err = %v", r.Err)
			}
		})
	}
}

func TestEvalWithAMalformedGoMod(t *testing.T) {
	old := tandem.Check{GoMod: &tandem.GoModCheck{Require: "github.com/sirupsen/logrus", Below: "v1.9.3"}}
	p, err := check.Compile(tandem.Check{Not: &old})
	if err != nil {
		t.Fatal(err)
	}
	r := scan(t, p, map[string]string{"go.mod": "module x\nrequire (\n"}, false)
	if got, want := r.Holds, true; got != want {
		t.Errorf("Holds = %v, want %v (the failed leaf counts as not matching)", got, want)
	}
	if r.Err == nil || !strings.Contains(r.Err.Error(), "go.mod:") {
		t.Errorf("Err = %v, want the go.mod parse error", r.Err)
	}
}

func TestEvalFromAMap(t *testing.T) {
	p, err := check.Compile(tandem.Check{Any: []tandem.Check{{Path: "a"}, {Path: "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := p.Leaves()[0], p.Leaves()[1]
	matches := []check.Match{{Path: "z"}, {Path: "a", Line: 2}}
	r := p.Eval(map[*check.Leaf]check.Outcome{a: {Holds: true, Matches: matches}, b: {}})
	if got, want := r.Holds, true; got != want {
		t.Errorf("Holds = %v, want %v", got, want)
	}
	if want := []check.Match{{Path: "a", Line: 2}, {Path: "z"}}; !slices.Equal(r.Evidence, want) {
		t.Errorf("Evidence = %v, want %v", r.Evidence, want)
	}
	if got, want := matches[0].Path, "z"; got != want {
		t.Errorf("Eval reordered the caller's matches: first is %q, want %q", got, want)
	}
}

func TestEvidenceIsCapped(t *testing.T) {
	p, err := check.Compile(tandem.Check{Path: "**"})
	if err != nil {
		t.Fatal(err)
	}
	l := p.Leaves()[0]
	run := p.NewRun()
	for i := 999; i >= 0; i-- { // in reverse, so that the kept ones must be chosen
		run.Add(l, fmt.Sprintf("f%03d", i), nil)
	}
	r := run.Result()
	if got, want := len(r.Evidence), check.MaxEvidence; got != want {
		t.Fatalf("len(Evidence) = %d, want %d", got, want)
	}
	if got, want := r.Evidence[0].Path, "f000"; got != want {
		t.Errorf("first evidence = %q, want %q", got, want)
	}
	if got, want := r.Evidence[check.MaxEvidence-1].Path, "f099"; got != want {
		t.Errorf("last evidence = %q, want %q", got, want)
	}
}

func TestRunRejectsLeavesOfAnotherProgram(t *testing.T) {
	p1, _ := check.Compile(tandem.Check{Path: "a"})
	p2, _ := check.Compile(tandem.Check{Path: "a"})
	defer func() {
		if recover() == nil {
			t.Error("Add with another program's leaf did not panic")
		}
	}()
	p1.NewRun().Add(p2.Leaves()[0], "a", nil)
}
