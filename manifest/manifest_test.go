package manifest

import (
	"errors"
	"fmt"
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

func TestDecodeErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		srcs []Source
		want []string
	}{{
		name: "an unknown field names the valid ones",
		srcs: file("teams.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata:
  name: payments
spec:
  type: stream-aligned
  membrs: [alice]
`),
		want: []string{"teams.yaml:7: spec.membrs: unknown field: did you mean members? (valid: type, members, aliases, tracker, chat)"},
	}, {
		name: "a list of names that is a number shows the number",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec:
  type: platform
  members: 42
`),
		want: []string{"bad.yaml:6: spec.members: expected a list of names, got 42"},
	}, {
		name: "every list of names uses the same wording",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: platform, aliases: {a: b}}
---
apiVersion: tandem.dev/v1
kind: Person
metadata: {name: alice}
spec: {teams: payments}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: checkout}
spec: {contributions: trusted, trusted: 7}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: sdk}
spec: {owner: payments, codebases: true}
`),
		want: []string{
			"bad.yaml:4: spec.aliases: expected a list of names, got a mapping",
			`bad.yaml:9: spec.teams: expected a list of names, got "payments"`,
			"bad.yaml:14: spec.trusted: expected a list of names, got 7",
			"bad.yaml:19: spec.codebases: expected a list of names, got true",
		},
	}, {
		name: "a string field given a list or a mapping says so",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Person
metadata: {name: alice}
spec:
  name: [Alice]
  email:
    work: alice@example.com
`),
		want: []string{
			"bad.yaml:5: spec.name: expected a string, got a list",
			"bad.yaml:6: spec.email: expected a string, got a mapping",
		},
	}, {
		name: "a mapping field given a scalar shows the value",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec:
  type: platform
  tracker: builtin
`),
		want: []string{`bad.yaml:6: spec.tracker: expected a mapping, got "builtin"`},
	}, {
		name: "malformed yaml reports the parser's message at its line",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: type: platform
`),
		want: []string{"bad.yaml:4: yaml: mapping values are not allowed in this context"},
	}, {
		name: "a missing apiVersion is required",
		srcs: file("bad.yaml", `kind: Team
metadata: {name: payments}
spec: {type: platform}
`),
		want: []string{"bad.yaml:1: apiVersion: required"},
	}, {
		name: "another apiVersion is unsupported",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v2
kind: Team
metadata: {name: payments}
spec: {type: platform}
`),
		want: []string{`bad.yaml:1: apiVersion: unsupported apiVersion "tandem.dev/v2" (want tandem.dev/v1)`},
	}, {
		name: "an unknown kind lists the valid kinds",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Widget
metadata: {name: java-21}
spec: {}
`),
		want: []string{`bad.yaml:2: kind: unknown kind "Widget" (valid: Team, Person, CodeHost, Codebase, Platform, Migration)`},
	}, {
		name: "a missing kind and name are both required",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
metadata:
  title: payments
`),
		want: []string{
			"bad.yaml:1: kind: required",
			"bad.yaml:2: metadata.name: required",
			"bad.yaml:3: metadata.title: unknown field (valid: name)",
		},
	}, {
		name: "an uppercase name is invalid and the error says lowercase",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Person
metadata: {name: Alice}
`),
		want: []string{`bad.yaml:3: metadata.name: invalid name "Alice": use at most 63 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit`},
	}, {
		name: "a name longer than 63 characters is invalid",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: `+strings.Repeat("a", 64)+`}
spec: {type: platform}
`),
		want: []string{`bad.yaml:3: metadata.name: invalid name "` + strings.Repeat("a", 64) + `": use at most 63 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit`},
	}, {
		name: "a codebase name is a repository's name, at most 100 characters",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: `+strings.Repeat("a", 101)+`}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: "-sprig"}
`),
		want: []string{
			`bad.yaml:3: metadata.name: invalid codebase name "` + strings.Repeat("a", 101) + `": use its repository's name, at most 100 letters (any case), digits, '-', '_' or '.', starting with a letter or digit`,
			`bad.yaml:7: metadata.name: invalid codebase name "-sprig": use its repository's name, at most 100 letters (any case), digits, '-', '_' or '.', starting with a letter or digit`,
		},
	}, {
		name: "two Codebase documents whose names differ only in case are duplicates",
		srcs: file("a.yaml", `apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: Masterminds-sprig}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: masterminds-sprig}
`),
		want: []string{`a.yaml:7: metadata.name: duplicate Codebase "masterminds-sprig" (first at a.yaml:1)`},
	}, {
		name: "a duplicate across files names the first location",
		srcs: append(file("a.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: platform}
`), file("b.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: platform}
`)...),
		want: []string{`b.yaml:3: metadata.name: duplicate Team "payments" (first at a.yaml:1)`},
	}, {
		name: "the same name in two kinds is no duplicate but the same kind in one file is",
		srcs: file("a.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: platform}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: payments}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata:
  name: payments
`),
		want: []string{`a.yaml:13: metadata.name: duplicate Codebase "payments" (first at a.yaml:6)`},
	}, {
		name: "a repeated field names its first line",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec:
  type: platform
  type: enabling
`),
		want: []string{"bad.yaml:6: spec.type: duplicate field (first at line 5)"},
	}, {
		name: "a team needs a known type and the builtin tracker",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec:
  tracker: {type: trello}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: sdk}
spec:
  type: product
  members: [alice, Bob, alice]
`),
		want: []string{
			"bad.yaml:4: spec.type: required",
			`bad.yaml:5: spec.tracker.type: unknown tracker type "trello" (valid: builtin, gitea, github, gitlab, jira)`,
			`bad.yaml:11: spec.type: unknown team type "product" (valid: stream-aligned, platform, enabling, complicated-subsystem)`,
			`bad.yaml:12: spec.members[1]: invalid name "Bob": use at most 63 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit`,
			`bad.yaml:12: spec.members[2]: "alice" listed twice (first at line 12)`,
		},
	}, {
		name: "a team without spec reports its type at the document",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
`),
		want: []string{"bad.yaml:1: spec.type: required"},
	}, {
		name: "a person's email must be a bare address",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Person
metadata: {name: alice}
spec: {email: Alice <alice@example.com>}
`),
		want: []string{`bad.yaml:4: spec.email: invalid email address "Alice <alice@example.com>"`},
	}, {
		name: "an unknown code host type names the valid ones",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: bb}
spec: {type: bitbucket}
`),
		want: []string{`bad.yaml:4: spec.type: unknown code host type "bitbucket" (valid: local, gitea, github, gitlab)`},
	}, {
		name: "a local code host needs a path",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: local}
spec:
  type: local
`),
		want: []string{"bad.yaml:4: spec.path: required"},
	}, {
		name: "contributions must be a known policy",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: checkout}
spec: {contributions: public}
`),
		want: []string{`bad.yaml:4: spec.contributions: unknown contribution policy "public" (valid: closed, trusted, open)`},
	}, {
		name: "trusted is required non-empty with trusted contributions and refused otherwise",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: a}
spec:
  contributions: trusted
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: b}
spec:
  contributions: trusted
  trusted: []
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: c}
spec:
  contributions: open
  trusted: [sdk]
`),
		want: []string{
			"bad.yaml:4: spec.trusted: required when contributions is trusted",
			"bad.yaml:12: spec.trusted: must not be empty when contributions is trusted",
			"bad.yaml:19: spec.trusted: only allowed when contributions is trusted",
		},
	}, {
		name: "a platform needs an owner, a known support model and absolute http docs urls",
		srcs: file("bad.yaml", `apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: sdk}
spec:
  support: hand-holding
  docs:
    - title: Guide
    - {title: Wiki, url: wiki/sdk}
    - {url: "ftp://example.com/sdk"}
    - https://example.com
`),
		want: []string{
			"bad.yaml:4: spec.owner: required",
			`bad.yaml:5: spec.support: unknown support model "hand-holding" (valid: white-glove, professional-services, office-hours, community, self-service)`,
			"bad.yaml:7: spec.docs[0].url: required",
			`bad.yaml:8: spec.docs[1].url: "wiki/sdk" is not an absolute http(s) URL`,
			`bad.yaml:9: spec.docs[2].url: "ftp://example.com/sdk" is not an absolute http(s) URL`,
			`bad.yaml:10: spec.docs[3]: expected a mapping, got "https://example.com"`,
		},
	}, {
		name: "a document that is not a mapping says what it is",
		srcs: file("bad.yaml", `- apiVersion: tandem.dev/v1
`),
		want: []string{"bad.yaml:1: expected a mapping, got a list"},
	}, {
		name: "a migration needs a platform, a title and a target, and a real date",
		srcs: file("m.yaml", `apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: m}
spec:
  deadline: next week
`),
		want: []string{
			`m.yaml:4: spec.platform: required`,
			`m.yaml:4: spec.title: required`,
			`m.yaml:4: spec.target: required`,
			`m.yaml:5: spec.deadline: "next week" is not a date (YYYY-MM-DD)`,
		},
	}, {
		name: "problems are sorted by file then line across files",
		srcs: append(file("b.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: b}
spec: {type: x}
`), file("a.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: a}
spec: {type: y}
`)...),
		want: []string{
			`a.yaml:4: spec.type: unknown team type "y" (valid: stream-aligned, platform, enabling, complicated-subsystem)`,
			`b.yaml:4: spec.type: unknown team type "x" (valid: stream-aligned, platform, enabling, complicated-subsystem)`,
		},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.srcs)
			if got, want := strings.Join(problems(t, err), "\n"), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// file returns one Source.
func file(name, data string) []Source {
	return []Source{{Name: name, Data: []byte(data)}}
}

func TestDecodeCheckErrors(t *testing.T) {
	for _, tt := range []struct {
		name     string
		adoption string
		want     []string
	}{{
		name:     "two forms in one mapping are refused",
		adoption: `{path: go.mod, command: [make]}`,
		want:     []string{"bad.yaml:6: spec.adoption: a check has exactly one of path, gomod, command, all, any, not; got path and command"},
	}, {
		name:     "an empty check is refused",
		adoption: `{}`,
		want:     []string{"bad.yaml:6: spec.adoption: empty check: want one of path, gomod, command, all, any, not"},
	}, {
		name:     "contains and matches are exclusive",
		adoption: `{path: go.mod, contains: x, matches: y}`,
		want:     []string{"bad.yaml:6: spec.adoption.matches: contains and matches are exclusive"},
	}, {
		name:     "contains needs path",
		adoption: `{contains: logging}`,
		want:     []string{"bad.yaml:6: spec.adoption.contains: only allowed with path"},
	}, {
		name:     "an absolute path is refused",
		adoption: `{path: /etc/passwd}`,
		want:     []string{`bad.yaml:6: spec.adoption.path: "/etc/passwd" must be relative to the repository root`},
	}, {
		name:     "an invalid glob is refused",
		adoption: `{path: "src/[a-"}`,
		want:     []string{`bad.yaml:6: spec.adoption.path: invalid glob "src/[a-"`},
	}, {
		name:     "an invalid regular expression shows the compile error",
		adoption: `{path: "*.go", matches: "log("}`,
		want:     []string{"bad.yaml:6: spec.adoption.matches: invalid regular expression: error parsing regexp: missing closing ): `log(`"},
	}, {
		name:     "gomod needs a semantic version",
		adoption: `{gomod: {require: example.com/x, below: "1.x"}}`,
		want:     []string{`bad.yaml:6: spec.adoption.gomod.below: invalid semantic version "1.x"`},
	}, {
		name:     "gomod needs exactly one bound",
		adoption: "\n    gomod:\n      require: example.com/x\n---\n",
		want:     []string{"bad.yaml:7: spec.adoption.gomod: needs below or atLeast"},
	}, {
		name:     "gomod refuses both bounds and needs a module",
		adoption: `{gomod: {below: v2.0.0, atLeast: v1.0.0}}`,
		want: []string{
			"bad.yaml:6: spec.adoption.gomod.require: required",
			"bad.yaml:6: spec.adoption.gomod.atLeast: below and atLeast are exclusive",
		},
	}, {
		name:     "a command must be a non-empty list of strings",
		adoption: `{all: [{command: []}, {command: make}, {command: [make, [a]]}]}`,
		want: []string{
			"bad.yaml:6: spec.adoption.all[0].command: must not be empty",
			`bad.yaml:6: spec.adoption.all[1].command: expected a list of strings, got "make"`,
			"bad.yaml:6: spec.adoption.all[2].command[1]: expected a string, got a list",
		},
	}, {
		name:     "all and any must not be empty and not needs a check",
		adoption: "\n    any: []\n    ",
		want:     []string{"bad.yaml:7: spec.adoption.any: must not be empty"},
	}, {
		name:     "a nested problem names its whole path and line",
		adoption: "\n    any:\n      - path: go.mod\n      - not:\n          path: /abs\n      - nope: 1\n",
		want: []string{
			`bad.yaml:10: spec.adoption.any[1].not.path: "/abs" must be relative to the repository root`,
			"bad.yaml:11: spec.adoption.any[2].nope: unknown field (valid: path, contains, matches, gomod, command, all, any, not)",
			"bad.yaml:11: spec.adoption.any[2]: empty check: want one of path, gomod, command, all, any, not",
		},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			src := `apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: sdk}
spec:
  owner: sdk
  adoption: ` + tt.adoption + "\n"
			_, err := Decode(file("bad.yaml", src))
			if got, want := strings.Join(problems(t, err), "\n"), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
		})
	}
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

func TestDecodeMigrationCampaign(t *testing.T) {
	t.Run("a full campaign decodes", func(t *testing.T) {
		objs := decodeOne(t, "m.yaml", `apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: logrus-to-obslog}
spec:
  platform: obslog
  title: Replace logrus with obslog
  target: {path: "**/*.go", contains: logrus}
  deadline: "2027-01-31"
  ticket:
    title: "Move {{ .Team }} off logrus"
    body: "{{ range .Codebases }}{{ .Name }} {{ end }}"
    per: codebase
  nudge: {every: 7d, weekdays: [mon, Thursday], at: "09:30", timeZone: Europe/Paris}
  fix:
    run: ["sh", "-c", "sed -i s/logrus/obslog/ *.go"]
    branch: tandem/logrus-to-obslog
    title: Replace logrus with obslog
    timeout: 5m
    env: [GOPROXY, GOFLAGS]
  escalate: {after: deadline}
  rollout: {max: 20, per: 1h}
`)
		m := objs[0].Spec.(*tandem.Migration)
		want := tandem.Migration{Name: "logrus-to-obslog", Platform: "obslog", Title: "Replace logrus with obslog",
			Target: tandem.Check{Path: "**/*.go", Contains: "logrus"}, Deadline: "2027-01-31",
			Ticket: tandem.TicketSpec{Title: "Move {{ .Team }} off logrus", Body: "{{ range .Codebases }}{{ .Name }} {{ end }}", Per: "codebase"},
			Nudge:  &tandem.NudgeSpec{Every: "7d", Weekdays: []string{"mon", "Thursday"}, At: "09:30", TimeZone: "Europe/Paris"},
			Fix: &tandem.FixSpec{Run: []string{"sh", "-c", "sed -i s/logrus/obslog/ *.go"}, Branch: "tandem/logrus-to-obslog", Title: "Replace logrus with obslog", Timeout: "5m",
				Env: []string{"GOPROXY", "GOFLAGS"}},
			Escalate: &tandem.EscalateSpec{After: "deadline"},
			Rollout:  &tandem.RolloutSpec{Max: 20, Per: "1h"},
		}
		if !reflect.DeepEqual(*m, want) {
			t.Errorf("Migration = %#v\nwant %#v", *m, want)
		}
	})
	t.Run("every campaign field is checked where it is", func(t *testing.T) {
		_, err := Decode(file("m.yaml", `apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: m}
spec:
  platform: obslog
  title: T
  target: {path: "**"}
  ticket: {title: "{{ .Team ", per: org}
  nudge: {every: soon, weekdays: [funday], at: "9h", timeZone: Mars/Olympus}
  fix: {run: [], branch: "bad..branch", title: "{{ nope }}", env: [GOPROXY, "TOKEN=x"]}
  escalate: {after: deadline}
  rollout: {max: 0, per: hourly}
`))
		want := []string{
			`m.yaml:8: spec.ticket.title: template: title:1: unclosed action`,
			`m.yaml:8: spec.ticket.per: unknown ticket grouping "org" (valid: team, codebase)`,
			`m.yaml:9: spec.nudge.every: "soon" is not a duration (90m, 36h, 7d, 2w)`,
			`m.yaml:9: spec.nudge.weekdays[0]: "funday" is not a weekday (mon, tue, … or monday, tuesday, …)`,
			`m.yaml:9: spec.nudge.at: "9h" is not a time of day (HH:MM)`,
			`m.yaml:9: spec.nudge.timeZone: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Paris)`,
			`m.yaml:10: spec.fix.title: template: title:1: function "nope" not defined`,
			`m.yaml:10: spec.fix.env[1]: "TOKEN=x" is not the name of an environment variable`,
			`m.yaml:10: spec.fix.run: must not be empty`,
			`m.yaml:10: spec.fix.branch: "bad..branch" is not a valid branch name`,
			`m.yaml:11: spec.escalate.after: the migration has no deadline to escalate after`,
			`m.yaml:12: spec.rollout.max: expected a positive whole number, got 0`,
			`m.yaml:12: spec.rollout.per: "hourly" is not a duration (90m, 36h, 7d, 2w)`,
		}
		if got := problems(t, err); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func TestDecodeAutoMerge(t *testing.T) {
	objs := decodeOne(t, "c.yaml", "apiVersion: tandem.dev/v1\nkind: Codebase\nmetadata: {name: web}\nspec: {contributions: open, autoMerge: true}\n")
	if p := objs[0].Spec.(*tandem.CodebasePolicy); !p.AutoMerge {
		t.Errorf("AutoMerge = false, want true")
	}
	_, err := Decode(file("c.yaml", "apiVersion: tandem.dev/v1\nkind: Codebase\nmetadata: {name: web}\nspec:\n  autoMerge: yes please\n"))
	want := []string{
		`c.yaml:5: spec.autoMerge: expected true or false, got "yes please"`,
	}
	if got := problems(t, err); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems = %q, want %q", got, want)
	}
	_, err = Decode(file("c.yaml", "apiVersion: tandem.dev/v1\nkind: Codebase\nmetadata: {name: web}\nspec:\n  autoMerge: true\n"))
	want = []string{`c.yaml:5: spec.autoMerge: only allowed when contributions is open or trusted: a closed codebase takes no outside changes`}
	if got := problems(t, err); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

func TestDecodeTeamChat(t *testing.T) {
	objs := decodeOne(t, "t.yaml", "apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: payments}\nspec:\n  type: stream-aligned\n  chat: {webhook: env:PAYMENTS_CHAT}\n")
	if c := objs[0].Spec.(*tandem.Team).Chat; c == nil || c.Webhook != "env:PAYMENTS_CHAT" {
		t.Errorf("Chat = %+v", c)
	}
	_, err := Decode(file("t.yaml", "apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: payments}\nspec:\n  type: stream-aligned\n  chat: {webhook: \"https://hooks.example/T000/secret\"}\n"))
	want := `t.yaml:6: spec.chat.webhook: a webhook is a secret: name it as env:NAME, never inline`
	if got := problems(t, err); len(got) != 1 || got[0] != want {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

func TestDecodeGitea(t *testing.T) {
	objs := decodeOne(t, "h.yaml", `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: forge}
spec: {type: gitea, url: "https://git.acme.example", org: acme, token: env:FORGE_TOKEN, webhookSecret: env:FORGE_HOOK}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, tracker: {type: gitea, host: forge, repo: payments/backlog}}
`)
	want := &tandem.CodeHost{Name: "forge", Type: tandem.HostGitea, URL: "https://git.acme.example", Org: "acme", Token: "env:FORGE_TOKEN", WebhookSecret: "env:FORGE_HOOK"}
	if !reflect.DeepEqual(objs[0].Spec, want) {
		t.Errorf("code host = %#v", objs[0].Spec)
	}
	if tr := objs[1].Spec.(*tandem.Team).Tracker; tr != (tandem.Tracker{Type: tandem.TrackerGitea, Host: "forge", Repo: "payments/backlog"}) {
		t.Errorf("tracker = %#v", tr)
	}
	_, err := Decode(file("h.yaml", `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: forge}
spec: {type: gitea, url: "ftp://x", org: acme, token: "glpat-SECRET123"}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, tracker: {type: gitea, repo: backlog}}
`))
	got := strings.Join(problems(t, err), "\n")
	for _, want := range []string{
		`h.yaml:4: spec.url: "ftp://x" is not an absolute http(s) URL`,
		`h.yaml:4: spec.token: a secret is named only by reference, env:NAME, never written inline`,
		`h.yaml:9: spec.tracker.host: required`,
		`h.yaml:9: spec.tracker.repo: "backlog" is not owner/name`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "SECRET123") {
		t.Error("an inline secret was echoed in an error")
	}
}

func TestJiraTracker(t *testing.T) {
	objs, err := Decode(file("t.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec:
  type: stream-aligned
  tracker: {type: jira, url: "https://acme.atlassian.net", project: PAY, issueType: Story, user: bot@acme.example, token: env:JIRA_TOKEN}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := tandem.Tracker{Type: tandem.TrackerJira, URL: "https://acme.atlassian.net", Project: "PAY", IssueType: "Story", User: "bot@acme.example", Token: "env:JIRA_TOKEN"}
	if tr := objs[0].Spec.(*tandem.Team).Tracker; tr != want {
		t.Errorf("tracker = %#v, want %#v", tr, want)
	}
	_, err = Decode(file("t.yaml", `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec:
  type: stream-aligned
  tracker: {type: jira, url: "acme.atlassian.net", project: pay, token: "ATATT3xSECRET", repo: acme/backlog}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: search}
spec: {type: stream-aligned, tracker: {type: github, host: gh, repo: acme/backlog, project: SEA}}
`))
	got := strings.Join(problems(t, err), "\n")
	for _, want := range []string{
		`t.yaml:6: spec.tracker.url: "acme.atlassian.net" is not an absolute http(s) URL`,
		`t.yaml:6: spec.tracker.project: "pay" is not a Jira project key (such as PAY)`,
		`t.yaml:6: spec.tracker.token: a secret is named only by reference, env:NAME, never written inline`,
		`t.yaml:6: spec.tracker.type: host and repo belong to a gitea, github or gitlab tracker`,
		`t.yaml:11: spec.tracker.type: url, project, issueType, user and token belong to a jira tracker`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "SECRET") {
		t.Error("an inline secret was echoed in an error")
	}
}

// TestDecodeAliasBomb decodes checks whose aliases each use the one
// before twice: 2^40 parts once expanded. It is refused as too large, at
// once, where the expansion passes the limit.
func TestDecodeAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: tandem.dev/v1\nkind: Platform\nmetadata: {name: p}\nspec:\n  owner: t\n  adoption:\n    all:\n      - &c0 {path: \"**\"}\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "      - &c%d {all: [*c%d, *c%d]}\n", i, i-1, i-1)
	}
	_, err := Decode(file("bomb.yaml", b.String()))
	if err == nil || !strings.Contains(err.Error(), "checks of more than 10000 parts") || strings.Count(err.Error(), "too large") != 1 {
		t.Fatalf("Decode = %v, want one problem: too large", err)
	}
}
