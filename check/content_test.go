package check_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/check"
)

// leaf compiles c, a single leaf, and returns it.
func leaf(t testing.TB, c tandem.Check) *check.Leaf {
	t.Helper()
	p, err := check.Compile(c)
	if err != nil {
		t.Fatalf("Compile(%+v): %v", c, err)
	}
	if got, want := len(p.Leaves()), 1; got != want {
		t.Fatalf("len(Leaves()) = %d, want %d", got, want)
	}
	return p.Leaves()[0]
}

func TestMatchPath(t *testing.T) {
	tests := []struct {
		name string
		glob string
		path string
		want bool
	}{
		{"a double star matches a file at the root", "**/*.go", "main.go", true},
		{"a double star matches a nested file", "**/*.go", "a/b/c.go", true},
		{"an extension must end the name", "**/*.go", "a.go.txt", false},
		{"a single star does not cross directories", "*.go", "a/b.go", false},
		{"a directory glob matches files under it", "vendor/**", "vendor/github.com/x/y.go", true},
		{"a directory glob does not match a sibling", "vendor/**", "vendored/x.go", false},
		{"a leading ./ is the root", "./go.sum", "go.sum", true},
		{"braces choose among names", "{Dockerfile,Containerfile}", "Containerfile", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := leaf(t, tandem.Check{Path: tt.glob})
			if got := l.MatchPath(tt.path); got != tt.want {
				t.Errorf("MatchPath(%q) with %q = %v, want %v", tt.path, tt.glob, got, tt.want)
			}
			if l.NeedsContent() || l.Key() != "" {
				t.Errorf("a path leaf needs content (key %q)", l.Key())
			}
		})
	}
	t.Run("a gomod leaf selects only the root go.mod", func(t *testing.T) {
		l := leaf(t, tandem.Check{GoMod: &tandem.GoModCheck{Require: "example.com/m", Below: "v1.0.0"}})
		if !l.MatchPath("go.mod") || l.MatchPath("sub/go.mod") {
			t.Errorf("MatchPath(go.mod), MatchPath(sub/go.mod) = %v, %v; want true, false", l.MatchPath("go.mod"), l.MatchPath("sub/go.mod"))
		}
	})
}

// contentTest is one MatchContent case.
type contentTest struct {
	name  string
	check tandem.Check
	data  string
	lines []int // nil: no match
}

func runContentTests(t *testing.T, tests []contentTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := leaf(t, tt.check)
			lines, ok, err := l.MatchContent([]byte(tt.data))
			if err != nil {
				t.Fatalf("MatchContent: %v", err)
			}
			if got, want := ok, tt.lines != nil; got != want {
				t.Errorf("ok = %v, want %v", got, want)
			}
			if !slices.Equal(lines, tt.lines) {
				t.Errorf("lines = %v, want %v", lines, tt.lines)
			}
		})
	}
}

func TestContains(t *testing.T) {
	const logrus = "github.com/sirupsen/logrus"
	c := tandem.Check{Path: "**/*.go", Contains: logrus}
	many := strings.Repeat(logrus+"\n", 30)
	runContentTests(t, []contentTest{
		{"a match on the first line is line 1", c, `import "` + logrus + `"` + "\nfunc f() {}\n", []int{1}},
		{"a match on a last line without a trailing newline", c, "package a\n\nimport \"" + logrus + "\"", []int{3}},
		{"matches on several lines are listed in order", c, "a\n" + logrus + "\nb\n" + logrus + "\n\n" + logrus, []int{2, 4, 6}},
		{"several matches on one line count once", c, logrus + " " + logrus + "\n" + logrus, []int{1, 2}},
		{"a mention in a comment matches, as the literal says", c, "package a\n// we used to use " + logrus + "\n", []int{2}},
		{"a file without the literal does not match", c, "package a\nimport \"log/slog\"\n", nil},
		{"a prefix of the literal does not match", c, "github.com/sirupsen/logru", nil},
		{"a binary file never matches", c, "\x00\x01" + logrus, nil},
		{"a NUL after the first 8000 bytes does not make a file binary", c, strings.Repeat("x", 8000) + "\x00\n" + logrus, []int{2}},
		{"invalid UTF-8 around the literal is just bytes", c, "\xff\xfe\n\xc3" + logrus + "\xff", []int{2}},
		{"a literal spanning lines counts where it starts", tandem.Check{Path: "*", Contains: "a\nb"}, "x\na\nb\n", []int{2}},
		{"at most MaxLines lines are returned", c, many, seq(1, check.MaxLines)},
		{"an empty file does not match", c, "", nil},
	})
}

func TestMatches(t *testing.T) {
	re := func(expr string) tandem.Check { return tandem.Check{Path: "**", Matches: expr} }
	runContentTests(t, []contentTest{
		{"a literal-led expression matches on its line", re(`logrus\.(Info|Warn)f\(`), "a\nlogrus.Infof(x)\nlogrus.Warnf(y)", []int{2, 3}},
		{"an expression with no leading literal is found after its prefilter", re(`\w+\.WithFields\(`), "x\n\nlog.WithFields(f)\n", []int{3}},
		{"an expression whose prefilter literal is absent does not match", re(`\w+\.WithFields\(`), "log.WithField(f)\n", nil},
		{"an expression with no literal at all runs directly", re(`[0-9]{3}-[0-9]{4}`), "call\n555-1234\n", []int{2}},
		{"^ and $ match at every line", re(`^import "C"$`), "package a\nimport \"C\"\nimport \"C\" // no\n", []int{2}},
		{"(?-m) anchors to the whole text", re(`(?-m)^package`), "package a\npackage b\n", []int{1}},
		{"\\A with an alternative finds later lines too", re(`\Afoo|bar`), "foo\nx\nbar\n", []int{1, 3}},
		{"an empty line is found but not past the final newline", re(`^$`), "a\n\nb\n", []int{2}},
		{"no empty line is found in a file ending with a newline", re(`^$`), "a\nb\n", nil},
		{"case-insensitive expressions match any case", re(`(?i)LOGRUS`), "x\nLogrus\n", []int{2}},
		{"a match spanning lines counts where it starts", re(`foo\nbar`), "x\nfoo\nbar\n", []int{2}},
		{"a binary file never matches", re(`foo`), "foo\x00", nil},
		{"invalid UTF-8 is just bytes", re(`b.c`), "a\n\xffb\xffc\n", []int{2}},
		{"at most MaxLines lines are returned", re(`x+`), strings.Repeat("xx\n", 50), seq(1, check.MaxLines)},
	})
}

func seq(from, to int) []int {
	var s []int
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func TestMatchesIsLinearOnPathologicalInput(t *testing.T) {
	l := leaf(t, tandem.Check{Path: "**", Matches: `(a+)+$`})
	data := []byte(strings.Repeat("a", 100<<10) + "b")
	start := time.Now()
	_, ok, _ := l.MatchContent(data)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("MatchContent took %v on 100 KB, want linear time", elapsed)
	}
	if ok {
		t.Errorf("(a+)+$ matched a text ending in b")
	}
}

func TestFileSize(t *testing.T) {
	defer func(n int64) { check.MaxFileSize = n }(check.MaxFileSize)
	check.MaxFileSize = 10
	if got, want := check.Readable(10), true; got != want {
		t.Errorf("Readable(10) = %v, want %v", got, want)
	}
	if got, want := check.Readable(11), false; got != want {
		t.Errorf("Readable(11) = %v, want %v", got, want)
	}
	l := leaf(t, tandem.Check{Path: "**", Contains: "x"})
	if _, ok, _ := l.MatchContent([]byte("0123456789x")); ok {
		t.Errorf("a file larger than MaxFileSize matched")
	}
}

func TestGoMod(t *testing.T) {
	const gomod = `module example.com/app

go 1.22

require (
	github.com/sirupsen/logrus v1.9.3
	golang.org/x/text v0.14.0 // indirect
	example.com/pseudo v0.0.0-20240101000000-abcdefabcdef
)

require github.com/old/thing v2.0.0+incompatible

replace github.com/sirupsen/logrus => github.com/sirupsen/logrus v1.2.0

unknowndirective foo
`
	below := func(mod, v string) tandem.Check {
		return tandem.Check{GoMod: &tandem.GoModCheck{Require: mod, Below: v}}
	}
	atLeast := func(mod, v string) tandem.Check {
		return tandem.Check{GoMod: &tandem.GoModCheck{Require: mod, AtLeast: v}}
	}
	tests := []struct {
		name  string
		check tandem.Check
		data  string
		lines []int
		err   bool
	}{
		{"a version below the bound holds for below", below("github.com/sirupsen/logrus", "v1.10.0"), gomod, []int{6}, false},
		{"a bound without v is read as semver", below("github.com/sirupsen/logrus", "1.10.0"), gomod, []int{6}, false},
		{"an equal version is not below", below("github.com/sirupsen/logrus", "v1.9.3"), gomod, nil, false},
		{"an equal version is at least", atLeast("github.com/sirupsen/logrus", "1.9.3"), gomod, []int{6}, false},
		{"versions compare as semver, not as text", atLeast("github.com/sirupsen/logrus", "v1.10.0"), gomod, nil, false},
		{"replace directives are ignored", atLeast("github.com/sirupsen/logrus", "v1.9.0"), gomod, []int{6}, false},
		{"an indirect requirement counts", below("golang.org/x/text", "v0.15.0"), gomod, []int{7}, false},
		{"a pseudo-version compares by its base", below("example.com/pseudo", "v0.1.0"), gomod, []int{8}, false},
		{"an incompatible version compares by its number", atLeast("github.com/old/thing", "v2.0.0"), gomod, []int{11}, false},
		{"a module not required does not hold", atLeast("example.com/missing", "v0.0.1"), gomod, nil, false},
		{"a malformed go.mod does not hold and says why", below("github.com/sirupsen/logrus", "v2.0.0"), "module x\nrequire (\n  github.com/sirupsen/logrus\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := leaf(t, tt.check)
			lines, ok, err := l.MatchContent([]byte(tt.data))
			if got, want := err != nil, tt.err; got != want {
				t.Fatalf("err = %v, want error: %v", err, want)
			}
			if err != nil && tandem.ErrorCode(err) != tandem.EINVALID {
				t.Errorf("error code = %q, want %q", tandem.ErrorCode(err), tandem.EINVALID)
			}
			if got, want := ok, tt.lines != nil; got != want {
				t.Errorf("ok = %v, want %v", got, want)
			}
			if !slices.Equal(lines, tt.lines) {
				t.Errorf("lines = %v, want %v", lines, tt.lines)
			}
		})
	}
}

func TestNoMatchDoesNotAllocate(t *testing.T) {
	data := []byte(strings.Repeat("package main\n\nfunc main() { println(\"hello\") }\n", 200))
	for _, tt := range []struct {
		name  string
		check tandem.Check
	}{
		{"contains", tandem.Check{Path: "**", Contains: "github.com/sirupsen/logrus"}},
		{"matches with a prefilter", tandem.Check{Path: "**", Matches: `\w+\.WithFields\(`}},
		{"matches without a prefilter", tandem.Check{Path: "**", Matches: `[0-9]{3}-[0-9]{4}`}},
	} {
		t.Run(tt.name+" allocates nothing when nothing matches", func(t *testing.T) {
			l := leaf(t, tt.check)
			allocs := testing.AllocsPerRun(100, func() {
				if _, ok, _ := l.MatchContent(data); ok {
					t.Fatal("unexpected match")
				}
			})
			if allocs != 0 {
				t.Errorf("allocations per run = %v, want 0", allocs)
			}
		})
	}
}
