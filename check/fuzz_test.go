package check_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/check"
)

// FuzzCompile checks that Compile never panics on a check decoded from
// JSON, that it fails only with an EINVALID error with a message, and that
// a compiled program evaluated over a small in-memory repository never
// panics: content leaves give at most MaxLines increasing line numbers
// within the file, and the result has evidence only when it holds.
func FuzzCompile(f *testing.F) {
	gomod := []byte("module example.com/x\n\ngo 1.22\n\nrequire (\n\tgithub.com/sirupsen/logrus v1.9.0 // indirect\n\texample.com/logging v1.4.2\n)\n")
	source := []byte("package main\n\nimport \"github.com/sirupsen/logrus\"\n\nfunc main() {\n\tlogrus.WithFields(nil).Info(\"hi\")\n}\n")
	for _, s := range []struct {
		check string
		path  string
		data  []byte
	}{
		{`{"path":"**/*.go"}`, "main.go", source},
		{`{"path":"./go.sum"}`, "go.sum", nil},
		{`{"path":"{Dockerfile,Containerfile}"}`, "Containerfile", []byte("FROM scratch\n")},
		{`{"path":"**/*.go","contains":"logrus"}`, "a/b.go", source},
		{`{"path":"**","matches":"github\\.com/sirupsen/logrus"}`, "main.go", source},
		{`{"path":"*.go","matches":"\\w+\\.WithFields\\("}`, "main.go", source},
		{`{"path":"*","matches":"^import (log|slog)$"}`, "main.go", []byte("import log\r\nimport slog\n")},
		{`{"path":"**","matches":"(?-m)\\Apackage \\w+$"}`, "main.go", source},
		{`{"path":"**","matches":"(?i)LOGRUS|x{2,}"}`, "main.go", source},
		{`{"path":"**","matches":"$"}`, "empty", []byte("a\nb\n")},
		{`{"path":"**","contains":"logrus"}`, "bin", []byte("logrus\x00")},
		{`{"gomod":{"require":"github.com/sirupsen/logrus","below":"v1.9.3"}}`, "go.mod", gomod},
		{`{"gomod":{"require":"example.com/logging","atLeast":"1.4.0"}}`, "go.mod", gomod},
		{`{"gomod":{"require":"example.com/logging","atLeast":"v1"}}`, "go.mod", []byte("module x\nrequire (\n")},
		{`{"command":["make","check"]}`, "Makefile", []byte("check:\n\ttrue\n")},
		{`{"all":[{"path":"**/*.go","contains":"logrus"},{"any":[{"path":"*.mod","contains":"logrus"},{"command":["make"]},{"gomod":{"require":"a.b/c","atLeast":"1.2.0"}}]}]}`, "go.mod", gomod},
		{`{"any":[{"path":"Jenkinsfile"},{"not":{"path":"vendor/**"}}]}`, "vendor/x/y.go", source},
		{`{"all":[{"path":"a"},{"not":{"path":"b","matches":"(x"}}]}`, "a", nil},
		{`{"path":"a","command":["true"]}`, "a", nil},
		{`{"path":"a[b"}`, "a", nil},
		{`{"path":"/etc/passwd"}`, "etc/passwd", nil},
		{`{"any":[]}`, "a", nil},
		{`{"command":[""]}`, "a", nil},
		{`{"gomod":{"require":"not a module","below":"one"}}`, "go.mod", gomod},
	} {
		f.Add(s.check, s.path, s.data, true)
	}
	f.Fuzz(func(t *testing.T, spec, path string, data []byte, commandOK bool) {
		var c tandem.Check
		if err := json.Unmarshal([]byte(spec), &c); err != nil {
			return
		}
		p, err := check.Compile(c)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("Compile returned an error with an empty message")
			}
			if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
				t.Errorf("ErrorCode = %q, want %q (%v)", got, want, err)
			}
			return
		}
		files := map[string]string{"go.mod": string(data)}
		if path != "" {
			files[path] = string(data)
		}
		lineCount := 1 + bytes.Count(data, []byte("\n"))
		for _, l := range p.Leaves() {
			_, _, _ = l.Key(), l.Glob(), check.Prefilter(l)
			if !l.NeedsContent() {
				continue
			}
			lines, ok, err := l.MatchContent(data)
			if err != nil && ok {
				t.Errorf("leaf %q matched with an error: %v", l.Key(), err)
			}
			if ok != (len(lines) > 0) {
				t.Errorf("leaf %q: ok = %v with lines %v", l.Key(), ok, lines)
			}
			if l.Glob() != "go.mod" && len(lines) > check.MaxLines {
				t.Errorf("leaf %q: %d lines, more than %d", l.Key(), len(lines), check.MaxLines)
			}
			for i, line := range lines {
				if line < 1 || line > lineCount || i > 0 && line <= lines[i-1] {
					t.Errorf("leaf %q: lines %v are not increasing within 1..%d", l.Key(), lines, lineCount)
					break
				}
			}
		}
		r := scan(t, p, files, commandOK)
		if !r.Holds && len(r.Evidence) > 0 {
			t.Errorf("a result that does not hold has evidence %v", r.Evidence)
		}
		if len(r.Evidence) > check.MaxEvidence {
			t.Errorf("%d matches of evidence, more than %d", len(r.Evidence), check.MaxEvidence)
		}
		if !slices.IsSortedFunc(r.Evidence, func(a, b check.Match) int {
			return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line))
		}) {
			t.Errorf("evidence %v is not sorted by path then line", r.Evidence)
		}
	})
}
