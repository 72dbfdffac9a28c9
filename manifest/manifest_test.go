package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
)

// decodeOne decodes one file named name and fails the test on any error.
func decodeOne(t *testing.T, name, data string) []tandem.Object {
	t.Helper()
	objs, err := Decode([]Source{{Name: name, Data: []byte(data)}})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return objs
}

// problems returns the problems of an error Decode returned, checking that
// it is an EINVALID *tandem.InvalidError.
func problems(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		t.Fatal("Decode succeeded, want problems")
	}
	if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
		t.Errorf("ErrorCode = %q, want %q", got, want)
	}
	var inv *tandem.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("error %T is not a *tandem.InvalidError: %v", err, err)
	}
	var got []string
	for _, p := range inv.Problems {
		got = append(got, p.String())
	}
	return got
}

func TestDecodeKinds(t *testing.T) {
	for _, tt := range []struct {
		name string
		yaml string
		want any
	}{{
		name: "a team decodes with its members, aliases and tracker",
		yaml: `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec:
  type: stream-aligned
  members: [alice, bob]
  aliases: ["@acme/payments", "group:default/payments"]
  tracker: {type: builtin}
`,
		want: &tandem.Team{Name: "payments", Type: tandem.StreamAligned, Members: []string{"alice", "bob"},
			Aliases: []string{"@acme/payments", "group:default/payments"}, Tracker: tandem.Tracker{Type: "builtin"}},
	}, {
		name: "a team without members or tracker gets empty lists and the builtin tracker",
		yaml: `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: sdk}
spec: {type: platform}
`,
		want: &tandem.Team{Name: "sdk", Type: tandem.PlatformTeam, Members: []string{}, Aliases: []string{}, Tracker: tandem.Tracker{Type: "builtin"}},
	}, {
		name: "a person takes its handle from metadata.name",
		yaml: `apiVersion: tandem.dev/v1
kind: Person
metadata: {name: alice}
spec:
  name: Alice Liddell
  email: alice@example.com
  teams: [payments, sdk]
`,
		want: &tandem.Person{Handle: "alice", Name: "Alice Liddell", Email: "alice@example.com", Teams: []string{"payments", "sdk"}},
	}, {
		name: "a code host keeps an absolute path as is",
		yaml: `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: local}
spec: {type: local, path: ` + os.TempDir() + `}
`,
		want: &tandem.CodeHost{Name: "local", Type: tandem.HostLocal, Path: os.TempDir()},
	}, {
		name: "a codebase defaults to closed contributions",
		yaml: `apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: checkout}
spec: {owner: payments}
`,
		want: &tandem.CodebasePolicy{Name: "checkout", Owner: "payments", Contributions: tandem.Closed},
	}, {
		name: "a codebase is named as its code host spells it, capitals included",
		yaml: `apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: Masterminds-sprig}
spec: {owner: payments}
`,
		want: &tandem.CodebasePolicy{Name: "Masterminds-sprig", Owner: "payments", Contributions: tandem.Closed},
	}, {
		name: "a trusted codebase lists its trusted teams and people",
		yaml: `apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: checkout}
spec:
  owner: payments
  contributions: trusted
  trusted: [sdk, alice]
`,
		want: &tandem.CodebasePolicy{Name: "checkout", Owner: "payments", Contributions: tandem.Trusted, Trusted: []string{"sdk", "alice"}},
	}, {
		name: "a platform decodes with its adoption check, support model and docs",
		yaml: `apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: logging}
spec:
  owner: sdk
  codebases: [logging-go, logging-java]
  support: office-hours
  adoption:
    any:
      - gomod: {require: example.com/logging, atLeast: 1.4.0}
      - path: "**/pom.xml"
        contains: <artifactId>logging</artifactId>
      - all:
          - path: "*.py"
            matches: 'import\s+logging_sdk'
          - not: {command: [grep, -rq, legacy_logger, .]}
  docs:
    - {title: Guide, url: "https://docs.example.com/logging"}
    - url: http://wiki.example.com/logging
`,
		want: &tandem.Platform{Name: "logging", Owner: "sdk", Codebases: []string{"logging-go", "logging-java"}, Support: tandem.SupportOfficeHours,
			Adoption: &tandem.Check{Any: []tandem.Check{
				{GoMod: &tandem.GoModCheck{Require: "example.com/logging", AtLeast: "v1.4.0"}},
				{Path: "**/pom.xml", Contains: "<artifactId>logging</artifactId>"},
				{All: []tandem.Check{
					{Path: "*.py", Matches: `import\s+logging_sdk`},
					{Not: &tandem.Check{Command: []string{"grep", "-rq", "legacy_logger", "."}}},
				}},
			}},
			Docs:      []tandem.Link{{Title: "Guide", URL: "https://docs.example.com/logging"}, {URL: "http://wiki.example.com/logging"}},
			Community: []tandem.Link{},
		},
	}, {
		name: "a gomod check keeps a version that already has its v",
		yaml: `apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: logging}
spec:
  owner: sdk
  adoption: {gomod: {require: example.com/logging, below: v2.0.0}}
`,
		want: &tandem.Platform{Name: "logging", Owner: "sdk", Codebases: []string{}, Docs: []tandem.Link{}, Community: []tandem.Link{},
			Adoption: &tandem.Check{GoMod: &tandem.GoModCheck{Require: "example.com/logging", Below: "v2.0.0"}}},
	}, {
		name: "an unquoted version that reads as a number is taken as written",
		yaml: `apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: logging}
spec:
  owner: sdk
  adoption: {gomod: {require: example.com/logging, atLeast: 1.10}}
`,
		want: &tandem.Platform{Name: "logging", Owner: "sdk", Codebases: []string{}, Docs: []tandem.Link{}, Community: []tandem.Link{},
			Adoption: &tandem.Check{GoMod: &tandem.GoModCheck{Require: "example.com/logging", AtLeast: "v1.10"}}},
	}, {
		name: "a migration decodes with its target, done check and deadline",
		yaml: `apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: logrus-to-obslog}
spec:
  platform: obslog
  title: Replace logrus with obslog
  summary: Why and how.
  target: {path: "**/*.go", contains: '"github.com/sirupsen/logrus"'}
  done: {not: {gomod: {require: github.com/sirupsen/logrus, atLeast: v0.0.0}}}
  deadline: "2027-01-31"
`,
		want: &tandem.Migration{Name: "logrus-to-obslog", Platform: "obslog", Title: "Replace logrus with obslog",
			Summary: "Why and how.", Deadline: "2027-01-31", Ticket: tandem.TicketSpec{Per: tandem.PerTeam},
			Target: tandem.Check{Path: "**/*.go", Contains: `"github.com/sirupsen/logrus"`},
			Done:   &tandem.Check{Not: &tandem.Check{GoMod: &tandem.GoModCheck{Require: "github.com/sirupsen/logrus", AtLeast: "v0.0.0"}}}},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			objs := decodeOne(t, "a.yaml", tt.yaml)
			if got, want := len(objs), 1; got != want {
				t.Fatalf("len(objs) = %d, want %d", got, want)
			}
			o := objs[0]
			if got, want := o.File, "a.yaml"; got != want {
				t.Errorf("File = %q, want %q", got, want)
			}
			if got, want := o.Line, 1; got != want {
				t.Errorf("Line = %d, want %d", got, want)
			}
			if got, want := o.Kind, kindOf(reflect.TypeOf(tt.want).Elem().Name()); got != want {
				t.Errorf("Kind = %q, want %q", got, want)
			}
			if !reflect.DeepEqual(o.Spec, tt.want) {
				t.Errorf("Spec = %#v\nwant %#v", o.Spec, tt.want)
			}
		})
	}
}

// kindOf returns the document kind of a spec type's name.
func kindOf(typeName string) string {
	return map[string]string{"Team": tandem.KindTeam, "Person": tandem.KindPerson, "CodeHost": tandem.KindCodeHost,
		"CodebasePolicy": tandem.KindCodebase, "Platform": tandem.KindPlatform, "Migration": tandem.KindMigration}[typeName]
}

func TestDecodeLines(t *testing.T) {
	objs := decodeOne(t, "platforms.yaml", `# Logging.
---
apiVersion: tandem.dev/v1
kind: Platform
metadata:
  name: logging
spec:
  owner: sdk
  codebases:
    - logging-go
    - logging-java
  adoption:
    any:
      - path: go.mod
      - path: pom.xml
        contains: logging
---
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: logging-go}
spec: {owner: sdk, contributions: trusted, trusted: [payments, alice]}
---
`)
	if got, want := len(objs), 2; got != want {
		t.Fatalf("len(objs) = %d, want %d (empty documents are skipped)", got, want)
	}
	for _, tt := range []struct {
		obj   int
		field string
		want  int
	}{
		{0, "metadata.name", 6},
		{0, "spec.owner", 8},
		{0, "spec.codebases[0]", 10},
		{0, "spec.codebases[1]", 11},
		{0, "spec.adoption", 12},
		{0, "spec.adoption.any[1]", 15},
		{0, "spec.adoption.any[1].path", 15},
		{0, "spec.adoption.any[1].contains", 16},
		{1, "spec.owner", 22},
		{1, "spec.trusted[1]", 22},
	} {
		t.Run(tt.field+" is on its line", func(t *testing.T) {
			if got, want := objs[tt.obj].Lines[tt.field], tt.want; got != want {
				t.Errorf("Lines[%q] = %d, want %d", tt.field, got, want)
			}
		})
	}
	if got, want := objs[0].Line, 3; got != want {
		t.Errorf("first object's Line = %d, want %d", got, want)
	}
	if got, want := objs[1].At("spec.trusted[0]", "unknown team %q", "payments").String(),
		`platforms.yaml:22: spec.trusted[0]: unknown team "payments"`; got != want {
		t.Errorf("At = %q, want %q", got, want)
	}
}

func TestDecodeCodeHostPath(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "repos"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	host := func(path string) string {
		return "apiVersion: tandem.dev/v1\nkind: CodeHost\nmetadata: {name: local}\nspec:\n  type: local\n  path: " + path + "\n"
	}

	t.Run("a relative path is resolved against the file's folder", func(t *testing.T) {
		objs := decodeOne(t, filepath.Join(dir, "hosts.yaml"), host("repos"))
		if got, want := objs[0].Spec.(*tandem.CodeHost).Path, filepath.Join(dir, "repos"); got != want {
			t.Errorf("Path = %q, want %q", got, want)
		}
	})
	t.Run("a relative file name is resolved from the working directory", func(t *testing.T) {
		objs := decodeOne(t, "testdata/catalog/hosts/local.yaml", host("../repos"))
		want, err := filepath.Abs("testdata/catalog/repos")
		if err != nil {
			t.Fatal(err)
		}
		if got := objs[0].Spec.(*tandem.CodeHost).Path; got != want {
			t.Errorf("Path = %q, want %q", got, want)
		}
	})
	t.Run("a missing folder is an error naming the resolved path", func(t *testing.T) {
		name := filepath.Join(dir, "hosts.yaml")
		_, err := Decode(file(name, host("gone")))
		want := name + ":6: spec.path: folder " + filepath.Join(dir, "gone") + " does not exist"
		if got := strings.Join(problems(t, err), "\n"); got != want {
			t.Errorf("problems = %q, want %q", got, want)
		}
	})
	t.Run("a file is not a folder", func(t *testing.T) {
		_, err := Decode(file("hosts.yaml", host(filepath.Join(dir, "notes.txt"))))
		want := "hosts.yaml:6: spec.path: " + filepath.Join(dir, "notes.txt") + " is not a folder"
		if got := strings.Join(problems(t, err), "\n"); got != want {
			t.Errorf("problems = %q, want %q", got, want)
		}
	})
}

func TestRead(t *testing.T) {
	t.Run("a folder reads every yaml file below it in order and decodes", func(t *testing.T) {
		srcs, err := Read("testdata/catalog")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range srcs {
			names = append(names, s.Name)
		}
		if got, want := strings.Join(names, " "),
			"testdata/catalog/hosts/local.yaml testdata/catalog/platforms.yml testdata/catalog/teams.yaml"; got != want {
			t.Errorf("names = %q, want %q", got, want)
		}
		objs, err := Decode(srcs)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range objs {
			got = append(got, o.Kind+"/"+o.Name)
		}
		if got, want := strings.Join(got, " "),
			"CodeHost/local Codebase/checkout Platform/checkout-sdk Team/payments Team/checkout-platform Person/alice"; got != want {
			t.Errorf("objects = %q, want %q", got, want)
		}
		p := objs[2].Spec.(*tandem.Platform)
		if got, want := p.Adoption.GoMod.AtLeast, "v2.0.0"; got != want {
			t.Errorf("AtLeast = %q, want %q", got, want)
		}
	})
	t.Run("a file with an error on line 11 reports it there", func(t *testing.T) {
		srcs, err := Read("testdata/bad/bad.yaml")
		if err != nil {
			t.Fatal(err)
		}
		_, err = Decode(srcs)
		if got, want := strings.Join(problems(t, err), "\n"),
			"testdata/bad/bad.yaml:11: spec.members: expected a list of names, got 42"; got != want {
			t.Errorf("problems = %q, want %q", got, want)
		}
	})
	t.Run("a missing path is not found", func(t *testing.T) {
		_, err := Read("testdata/nope")
		if got, want := tandem.ErrorCode(err), tandem.ENOTFOUND; got != want {
			t.Errorf("ErrorCode = %q, want %q (%v)", got, want, err)
		}
	})
	t.Run("a folder without yaml files is invalid", func(t *testing.T) {
		_, err := Read(t.TempDir())
		if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
			t.Errorf("ErrorCode = %q, want %q (%v)", got, want, err)
		}
	})
}
