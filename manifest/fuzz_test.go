package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tandem-dev/tandem"
)

// fuzzSeeds are documents of every kind, valid and not, in the forms the
// other tests use: flow and block style, several documents in a file,
// anchors and aliases, and YAML that does not parse.
var fuzzSeeds = []string{
	`apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec:
  type: stream-aligned
  members: [alice, bob]
  aliases: ["@acme/payments", "group:default/payments"]
  tracker: {type: builtin}
  chat: {webhook: env:PAYMENTS_CHAT}
`,
	`apiVersion: tandem.dev/v1
kind: Person
metadata: {name: alice}
spec:
  name: Alice Liddell
  email: alice@example.com
  teams: [payments, sdk]
`,
	`apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: local}
spec: {type: local, path: testdata/catalog/repos}
---
apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: forge}
spec: {type: gitea, url: "https://git.acme.example", org: acme, token: env:FORGE_TOKEN, webhookSecret: env:FORGE_HOOK, archived: false, forks: true}
`,
	`apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: checkout}
spec:
  owner: payments
  contributions: trusted
  trusted: [sdk, alice]
  autoMerge: true
`,
	`apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: logging}
spec:
  owner: sdk
  codebases: [logging-go, logging-java]
  support: office-hours
  supportNotice: 2w
  trustLadder: 3
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
  community:
    - {title: Chat, url: "https://chat.example.com/logging"}
`,
	`apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: logrus-to-obslog}
spec:
  platform: obslog
  title: Replace logrus with obslog
  summary: Why and how.
  target: {path: "**/*.go", contains: logrus}
  done: {not: {gomod: {require: github.com/sirupsen/logrus, atLeast: v0.0.0}}}
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
  escalate: {after: deadline}
  rollout: {max: 20, per: 1h}
`,
	`apiVersion: tandem.dev/v1
kind: Team
metadata: {name: search}
spec:
  type: stream-aligned
  tracker: {type: jira, url: "https://acme.atlassian.net", project: SEA, issueType: Story, user: bot@acme.example, token: env:JIRA_TOKEN}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, tracker: {type: gitlab, host: lab, repo: acme/platform/backlog}}
`,
	`# Shared checks written once.
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: sdk}
spec:
  owner: &owner sdk
  codebases: [*owner, sdk-go]
  adoption:
    all:
      - &gomod {gomod: {require: example.com/sdk, below: v2.0.0}}
      - any: [*gomod, {path: go.mod, matches: "^require"}]
`,
	`apiVersion: tandem.dev/v1
kind: Team
metadata:
  name: payments
spec:
  type: stream-aligned
  membrs: [alice]
  members: 42
  type: enabling
---
apiVersion: tandem.dev/v2
kind: Widget
metadata: {name: Java-21}
---
- apiVersion: tandem.dev/v1
`,
	`apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: m}
spec:
  platform: obslog
  title: T
  target: {path: "**", contains: x, matches: y}
  ticket: {title: "{{ .Team ", per: org}
  nudge: {every: soon, weekdays: [funday], at: "9h", timeZone: Mars/Olympus}
  fix: {run: [], branch: "bad..branch", title: "{{ nope }}"}
  escalate: {after: deadline}
  rollout: {max: 0, per: hourly}
`,
	"apiVersion: tandem.dev/v1\nkind: Team\nmetadata: {name: payments}\nspec: type: platform\n",
	"",
	"---\n---\n",
}

// FuzzDecode checks that Decode never panics on any pair of files, that a
// failure is an EINVALID error with a message, and that decoding is
// deterministic: the same files decode again to the same objects or the
// same error.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), []byte(nil))
	}
	// The same Team in both files, so that duplicates across files count.
	f.Add([]byte(fuzzSeeds[0]), []byte(fuzzSeeds[0]))
	for _, glob := range []string{"testdata/catalog/*.y*ml", "testdata/catalog/*/*.yaml", "testdata/bad/*.yaml"} {
		names, err := filepath.Glob(glob)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data, []byte(nil))
		}
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		srcs := []Source{{Name: "a.yaml", Data: a}, {Name: "b.yaml", Data: b}}
		objs, err := Decode(srcs)
		if err != nil {
			for _, o := range objs {
				if o.Kind == "" || o.Name == "" || o.Spec == nil {
					t.Errorf("Decode returned %+v with its error: want a kind, a name and a spec", o)
				}
			}
			if err.Error() == "" {
				t.Fatal("Decode returned an error with an empty message")
			}
			if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
				t.Errorf("ErrorCode = %q, want %q (%v)", got, want, err)
			}
			var inv *tandem.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("error %T is not a *tandem.InvalidError: %v", err, err)
			}
			for _, p := range inv.Problems {
				if p.Message == "" {
					t.Errorf("problem %+v has no message", p)
				}
			}
		}
		again, err2 := Decode(srcs)
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("Decode is not deterministic: error %v, then %v", err, err2)
		}
		if !reflect.DeepEqual(objs, again) {
			t.Fatalf("Decode is not deterministic:\n%#v\nthen\n%#v", objs, again)
		}
	})
}
