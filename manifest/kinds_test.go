package manifest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
)

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
    maxFiles: 40
  escalate: {after: deadline}
  rollout: {max: 20, per: 1h}
  review: {after: 3d, steps: [rerequest, nudge, tour]}
`)
		m := objs[0].Spec.(*tandem.Migration)
		want := tandem.Migration{Name: "logrus-to-obslog", Platform: "obslog", Title: "Replace logrus with obslog",
			Target: tandem.Check{Path: "**/*.go", Contains: "logrus"}, Deadline: "2027-01-31",
			Ticket: tandem.TicketSpec{Title: "Move {{ .Team }} off logrus", Body: "{{ range .Codebases }}{{ .Name }} {{ end }}", Per: "codebase"},
			Nudge:  &tandem.NudgeSpec{Every: "7d", Weekdays: []string{"mon", "Thursday"}, At: "09:30", TimeZone: "Europe/Paris"},
			Fix: &tandem.FixSpec{Run: []string{"sh", "-c", "sed -i s/logrus/obslog/ *.go"}, Branch: "tandem/logrus-to-obslog", Title: "Replace logrus with obslog", Timeout: "5m",
				Env: []string{"GOPROXY", "GOFLAGS"}, MaxFiles: 40},
			Escalate: &tandem.EscalateSpec{After: "deadline"},
			Rollout:  &tandem.RolloutSpec{Max: 20, Per: "1h"},
			Review:   &tandem.ReviewSpec{After: "3d", Steps: []string{"rerequest", "nudge", "tour"}},
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

func TestDecodeReview(t *testing.T) {
	const head = `apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: m}
spec:
  platform: obslog
  title: T
  target: {path: "**"}
`
	other := strings.Replace(head, "{name: m}", "{name: m2}", 1) // a second document
	t.Run("steps are optional and keep their order", func(t *testing.T) {
		for _, tt := range []struct {
			review string
			want   tandem.ReviewSpec
		}{
			{"{after: 7d}", tandem.ReviewSpec{After: "7d"}},
			{"{after: 36h, steps: [tour, rerequest]}", tandem.ReviewSpec{After: "36h", Steps: []string{"tour", "rerequest"}}},
		} {
			objs := decodeOne(t, "m.yaml", head+"  review: "+tt.review+"\n")
			if got := objs[0].Spec.(*tandem.Migration).Review; got == nil || !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("review %s = %#v, want %#v", tt.review, got, tt.want)
			}
		}
	})
	for _, tt := range []struct {
		name string
		yaml string
		want []string
	}{{
		name: "after is required",
		yaml: "  review: {steps: [nudge]}\n",
		want: []string{"m.yaml:8: spec.review.after: required"},
	}, {
		name: "after is a duration",
		yaml: "  review:\n    after: soon\n",
		want: []string{`m.yaml:9: spec.review.after: "soon" is not a duration (90m, 36h, 7d, 2w)`},
	}, {
		name: "each step is a known one, once",
		yaml: "  review:\n    after: 3d\n    steps:\n      - nudge\n      - tours\n      - nudge\n      - [tour]\n",
		want: []string{
			`m.yaml:12: spec.review.steps[1]: unknown review step "tours": did you mean tour? (valid: rerequest, nudge, tour)`,
			`m.yaml:13: spec.review.steps[2]: "nudge" listed twice (first at line 11)`,
			`m.yaml:14: spec.review.steps[3]: expected a review step, got a list`,
		},
	}, {
		name: "steps are a list, not empty",
		yaml: "  review: {after: 3d, steps: []}\n---\n" + other + "  review: {after: 3d, steps: nudge}\n",
		want: []string{
			"m.yaml:8: spec.review.steps: must not be empty: leave steps out for all of them",
			`m.yaml:17: spec.review.steps: expected a list of review steps, got "nudge"`,
		},
	}, {
		name: "an unknown field names the valid ones",
		yaml: "  review: {after: 3d, every: 1d}\n",
		want: []string{"m.yaml:8: spec.review.every: unknown field (valid: after, steps)"},
	}, {
		name: "fix.maxFiles is a positive whole number",
		yaml: "  fix:\n    run: [fix]\n    branch: b\n    title: T\n    maxFiles: 0\n---\n" + other + "  fix: {run: [fix], branch: b, title: T, maxFiles: many}\n",
		want: []string{
			"m.yaml:12: spec.fix.maxFiles: expected a positive whole number, got 0",
			`m.yaml:21: spec.fix.maxFiles: expected a positive whole number, got "many"`,
		},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(file("m.yaml", head+tt.yaml))
			if got, want := strings.Join(problems(t, err), "\n"), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
		})
	}
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
