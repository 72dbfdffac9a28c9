package manifest

import (
	"strings"
	"testing"
)

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
			"bad.yaml:11: spec.adoption.any[2].nope: unknown field (valid: path, contains, matches, gomod, command, all, any, not, source)",
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
