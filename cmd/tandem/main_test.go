package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine and a test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs `tandem serve` on dsn and a free port until the test
// ends, and returns its URL.
func startServer(t *testing.T, dsn string, extra ...string) string {
	t.Helper()
	return startServerEnv(t, dsn, nil, extra...)
}

// startServerEnv is startServer with an environment for the server, where
// secrets named env:NAME are read.
func startServerEnv(t *testing.T, dsn string, environ map[string]string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	args := append([]string{"serve", "--db", dsn, "--addr", "127.0.0.1:0", "--mirrors", filepath.Join(t.TempDir(), "mirrors")}, extra...)
	args = append(args, commandFlags(t)...)
	getenv := func(k string) string {
		if v, ok := environ[k]; ok || k != "TANDEM_BOOTSTRAP_TOKEN" {
			return v
		}
		return testAdminToken
	}
	go func() { done <- run(ctx, args, getenv, &stdout, &stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30s")
		}
	})
	re := regexp.MustCompile(`serving on (http://\S+)`)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-done:
			done <- code // for the cleanup
			t.Fatalf("serve exited %d before listening: %s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not listen within 60s: %s", stderr.String())
	return ""
}

func noEnv(string) string { return "" }

// testAdminToken is the admin token of every server the tests start (as
// TANDEM_BOOTSTRAP_TOKEN) and the one tandemCLI sends.
const testAdminToken = "tdm_test-admin"

// adminEnv is an environment with the admin token in TANDEM_TOKEN.
func adminEnv(k string) string {
	if k == "TANDEM_TOKEN" {
		return testAdminToken
	}
	return ""
}

// tandemCLI runs a client command against url and returns its exit code,
// stdout and stderr.
func tandemCLI(t *testing.T, url string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append(args, "--server", url), adminEnv, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// fleet makes a folder of real repositories covering every ownership
// source, and a catalog that declares teams and a code host over it.
func fleet(t *testing.T) (catalog string) {
	t.Helper()
	root := t.TempDir()
	repos := filepath.Join(root, "repos")
	gittest.Init(t, filepath.Join(repos, "payments-api"), map[string]string{
		".github/CODEOWNERS": "* @acme/nobody\n/docs/ @acme/docs\n* @acme/payments\n",
		"main.go":            "package main\n",
	})
	gittest.Init(t, filepath.Join(repos, "checkout-web"), map[string]string{
		"catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: checkout-web}\nspec: {owner: group:default/Checkout}\n",
		"CODEOWNERS":        "* @acme/payments\n",
	})
	gittest.Init(t, filepath.Join(repos, "search"), map[string]string{
		".gitlab/CODEOWNERS": "[Backend]\n* @acme/search-team\n",
	})
	gittest.Init(t, filepath.Join(repos, "broken-owners"), map[string]string{
		"CODEOWNERS": "/api nobody-handle\n* @acme/payments\n",
	})
	gittest.Init(t, filepath.Join(repos, "orphan"), map[string]string{"README.md": "hi\n"})
	gittest.Run(t, "", "init", "--quiet", "--bare", "--initial-branch=main", filepath.Join(repos, "empty.git"))
	work := filepath.Join(root, "bare-src")
	gittest.Init(t, work, map[string]string{"docs/CODEOWNERS": "* @acme/search-team\n"})
	gittest.Run(t, "", "clone", "--quiet", "--bare", work, filepath.Join(repos, "indexer.git"))

	catalog = filepath.Join(root, "catalog")
	writeFile(t, filepath.Join(catalog, "teams.yaml"), `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, members: [alice]}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: checkout}
spec: {type: stream-aligned}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: search}
spec: {type: stream-aligned, aliases: ["@acme/search-team"]}
`)
	writeFile(t, filepath.Join(catalog, "fleet.yaml"), `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: acme}
spec: {type: local, path: ../repos}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: orphan}
spec: {contributions: trusted, trusted: [search]}
`)
	return catalog
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestApplyScanGet(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			url := startServer(t, engine.DSN)
			catalog := fleet(t)

			code, out, errOut := tandemCLI(t, url, "apply", "-f", catalog)
			if code != 0 {
				t.Fatalf("apply exited %d: %s", code, errOut)
			}
			for _, want := range []string{"team/payments created", "codehost/acme created", "codebase/orphan created"} {
				if !strings.Contains(out, want) {
					t.Errorf("apply output lacks %q:\n%s", want, out)
				}
			}

			code, out, errOut = tandemCLI(t, url, "scan", "--wait")
			if code != 0 {
				t.Fatalf("scan exited %d: %s", code, errOut)
			}
			if !strings.Contains(out, "6 codebases read, 1 failed, 0 B of files read") {
				t.Errorf("scan summary: %s", out)
			}

			code, out, errOut = tandemCLI(t, url, "get", "codebases", "-o", "json")
			if code != 0 {
				t.Fatalf("get exited %d: %s", code, errOut)
			}
			var got []tandem.Codebase
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("get codebases -o json: %v\n%s", err, out)
			}
			byName := map[string]tandem.Codebase{}
			for _, c := range got {
				byName[c.Name] = c
			}
			for _, tt := range []struct {
				name, owner, source, contributions string
			}{
				{"payments-api", "payments", tandem.OwnerCodeowners, tandem.Closed},
				{"checkout-web", "checkout", tandem.OwnerBackstage, tandem.Closed},
				{"search", "search", tandem.OwnerCodeowners, tandem.Closed},
				{"indexer", "search", tandem.OwnerCodeowners, tandem.Closed},
				{"broken-owners", "payments", tandem.OwnerCodeowners, tandem.Closed},
				{"orphan", "", "", tandem.Trusted},
				{"empty", "", "", tandem.Closed},
			} {
				c, ok := byName[tt.name]
				if !ok {
					t.Errorf("codebase %s missing from %v", tt.name, got)
					continue
				}
				owner := ""
				if c.Owner != nil {
					owner = *c.Owner
				}
				if owner != tt.owner || c.OwnerSource != tt.source || c.Contributions != tt.contributions {
					t.Errorf("%s: owner %q from %q, %s; want %q from %q, %s", tt.name, owner, c.OwnerSource, c.Contributions, tt.owner, tt.source, tt.contributions)
				}
			}
			if c := byName["payments-api"]; len(c.Head) != 40 || c.DefaultBranch != "main" {
				t.Errorf("payments-api head %q branch %q; want a commit on main", c.Head, c.DefaultBranch)
			}
			if c := byName["broken-owners"]; len(c.Problems) != 1 || c.Problems[0].Line != 1 {
				t.Errorf("broken-owners problems = %v, want the line 1 fault", c.Problems)
			}
			if c := byName["empty"]; c.Head != "" || len(c.Problems) == 0 {
				t.Errorf("empty: head %q problems %v; want no head and a problem", c.Head, c.Problems)
			}

			t.Run("TeamMembersArePeople", func(t *testing.T) {
				code, out, errOut := tandemCLI(t, url, "get", "people", "alice", "-o", "json")
				var people []tandem.Person
				if code != 0 || json.Unmarshal([]byte(out), &people) != nil {
					t.Fatalf("get people alice: exit %d, %s %s", code, out, errOut)
				}
				if len(people) != 1 || len(people[0].Teams) != 1 || people[0].Teams[0] != "payments" {
					t.Errorf("alice = %+v, want a member of payments", people)
				}
			})

			t.Run("HealthAndMetrics", func(t *testing.T) {
				if got := httpGet(t, url+"/healthz"); !strings.Contains(got, `"ok"`) {
					t.Errorf("/healthz = %q", got)
				}
				metrics := httpGet(t, url+"/metrics")
				for _, want := range []string{`tandem_codebases_read_total{result="ok"} 6`, `tandem_codebases_read_total{result="failed"} 1`, `tandem_http_request_duration_seconds_count{code="200",route="GET /api/v1/codebases"}`} {
					if !strings.Contains(metrics, want) {
						t.Errorf("/metrics lacks %q", want)
					}
				}
			})

			t.Run("TheHomePageListsOwners", func(t *testing.T) {
				page := httpGet(t, url+"/") + httpGet(t, url+"/codebases")
				for _, want := range []string{"7 codebases</a> (2 without an owner)", `<a href="/codebases/checkout-web">checkout-web</a>`, "<td>backstage</td>"} {
					if !strings.Contains(page, want) {
						t.Errorf("home page lacks %q", want)
					}
				}
			})

			t.Run("AnAliasAppliedLaterReassignsOwners", func(t *testing.T) {
				writeFile(t, filepath.Join(catalog, "teams.yaml"), strings.Replace(
					readFile(t, filepath.Join(catalog, "teams.yaml")), "metadata: {name: checkout}\nspec: {type: stream-aligned}",
					"metadata: {name: checkout}\nspec: {type: stream-aligned, aliases: [\"@acme/nobody\"]}", 1))
				if code, _, errOut := tandemCLI(t, url, "apply", "-f", catalog); code != 0 {
					t.Fatalf("apply exited %d: %s", code, errOut)
				}
				// payments-api's last whole-repository line still names payments.
				code, out, _ := tandemCLI(t, url, "get", "codebases", "--owner", "checkout", "-o", "json")
				if code != 0 || !strings.Contains(out, `"checkout-web"`) || strings.Contains(out, `"payments-api"`) {
					t.Errorf("codebases of checkout: %s", out)
				}
			})

			t.Run("ABadFileAppliesNothingAndNamesItsLine", func(t *testing.T) {
				bad := filepath.Join(t.TempDir(), "bad.yaml")
				writeFile(t, bad, `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: newcomers}
spec: {type: enabling}
---
apiVersion: tandem.dev/v1
kind: Team
metadata:
  name: broken
spec:
  members: 42
  type: platform
`)
				code, out, errOut := tandemCLI(t, url, "apply", "-f", bad)
				if code != 1 {
					t.Fatalf("apply exited %d, want 1: %s", code, out)
				}
				if want := bad + ":11: spec.members: expected a list of names, got 42"; !strings.Contains(errOut, want) {
					t.Errorf("stderr = %q, want it to contain %q", errOut, want)
				}
				code, _, errOut = tandemCLI(t, url, "get", "team", "newcomers")
				if code != 1 || !strings.Contains(errOut, `team "newcomers" not found`) {
					t.Errorf("get team newcomers after failed apply: exit %d, %q", code, errOut)
				}
			})

			t.Run("AReferenceToAMissingTeamIsLocated", func(t *testing.T) {
				bad := filepath.Join(t.TempDir(), "platform.yaml")
				writeFile(t, bad, "apiVersion: tandem.dev/v1\nkind: Platform\nmetadata: {name: obslog}\nspec:\n  owner: ghosts\n")
				code, _, errOut := tandemCLI(t, url, "apply", "-f", bad)
				if want := bad + `:5: spec.owner: team "ghosts" not found`; code != 1 || !strings.Contains(errOut, want) {
					t.Errorf("exit %d, stderr %q; want %q", code, errOut, want)
				}
			})
		})
	}
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	return string(b)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAdoptionAndCampaignStatus(t *testing.T) {
	t.Parallel()
	for _, engine := range sqlstoretest.Engines(t) {
		t.Run(engine.Name, func(t *testing.T) {
			url := startServer(t, engine.DSN)
			catalog := fleet(t)
			repos := filepath.Join(filepath.Dir(catalog), "repos")
			gittest.Commit(t, filepath.Join(repos, "payments-api"), map[string]string{
				"main.go": "package main\n\nimport (\n\tlog \"github.com/sirupsen/logrus\"\n\t\"acme.dev/obslog\"\n)\n",
			})
			gittest.Commit(t, filepath.Join(repos, "search"), map[string]string{
				"cmd/search/main.go": "package main\n\nimport \"github.com/sirupsen/logrus\"\n",
			})
			gittest.Commit(t, filepath.Join(repos, "orphan"), map[string]string{
				"lib.go": "package lib\n\nimport _ \"acme.dev/obslog\"\n",
			})
			writeFile(t, filepath.Join(catalog, "obslog.yaml"), `apiVersion: tandem.dev/v1
kind: Team
metadata: {name: observability}
spec: {type: platform}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec:
  owner: observability
  adoption: {path: "**/*.go", contains: '"acme.dev/obslog"'}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: logrus-to-obslog}
spec:
  platform: obslog
  title: Replace logrus with obslog
  target: {path: "**/*.go", contains: '"github.com/sirupsen/logrus"'}
  deadline: "2027-01-31"
`)
			if code, _, errOut := tandemCLI(t, url, "apply", "-f", catalog); code != 0 {
				t.Fatalf("apply exited %d: %s", code, errOut)
			}
			if code, _, errOut := tandemCLI(t, url, "scan", "--wait"); code != 0 {
				t.Fatalf("scan exited %d: %s", code, errOut)
			}

			var adoption []tandem.Adoption
			getJSON(t, url, &adoption, "adoption", "obslog", "-o", "json")
			if len(adoption) != 1 || !reflect.DeepEqual(adoption[0].Codebases, []string{"orphan", "payments-api"}) ||
				!reflect.DeepEqual(adoption[0].Teams, []string{"payments"}) || adoption[0].Unowned != 1 {
				t.Errorf("adoption = %+v, want orphan and payments-api, team payments, 1 unowned", adoption)
			}

			var campaign tandem.Campaign
			getJSON(t, url, &campaign, "campaign", "status", "logrus-to-obslog", "-o", "json")
			if got, want := targetStates(campaign), "payments-api=pending search=pending"; got != want {
				t.Errorf("targets = %s, want %s", got, want)
			}
			if ev := campaign.Targets[1].Evidence; len(ev) != 1 || ev[0] != (tandem.Match{Path: "cmd/search/main.go", Line: 3}) {
				t.Errorf("search evidence = %v, want cmd/search/main.go:3", ev)
			}

			// search moves to obslog: its target is done, found from the code.
			gittest.Commit(t, filepath.Join(repos, "search"), map[string]string{
				"cmd/search/main.go": "package main\n\nimport \"acme.dev/obslog\"\n",
			})
			if code, _, errOut := tandemCLI(t, url, "scan", "--wait"); code != 0 {
				t.Fatalf("rescan exited %d: %s", code, errOut)
			}
			getJSON(t, url, &campaign, "campaign", "status", "logrus-to-obslog", "-o", "json")
			if got, want := targetStates(campaign), "payments-api=pending search=done"; got != want {
				t.Errorf("after the fix: targets = %s, want %s", got, want)
			}
			if campaign.Counts[tandem.TargetDone] != 1 || campaign.Counts[tandem.TargetPending] != 1 {
				t.Errorf("counts = %v", campaign.Counts)
			}
			getJSON(t, url, &adoption, "adoption", "obslog", "-o", "json")
			if got := adoption[0].Codebases; len(got) != 3 {
				t.Errorf("adopters after the fix = %v, want 3", got)
			}
			if n := len(adoption[0].Trend); n == 0 || adoption[0].Trend[n-1].Count != 3 {
				t.Errorf("trend = %v, want it to end at 3", adoption[0].Trend)
			}
			metrics := httpGet(t, url+"/metrics")
			if !strings.Contains(metrics, `tandem_codebases_read_total{result="unchanged"} 5`) {
				t.Errorf("the rescan did not skip the 5 unchanged codebases (7, less the empty one and the changed one):\n%s", grepLines(metrics, "tandem_codebases_read_total"))
			}
		})
	}
}

func getJSON(t *testing.T, url string, v any, args ...string) {
	t.Helper()
	code, out, errOut := tandemCLI(t, url, args...)
	if code != 0 {
		t.Fatalf("%v exited %d: %s", args, code, errOut)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
}

func targetStates(c tandem.Campaign) string {
	var s []string
	for _, t := range c.Targets {
		s = append(s, t.Codebase+"="+t.State)
	}
	return strings.Join(s, " ")
}

func grepLines(text, substr string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestDemo(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	url := startServer(t, sqlstoretest.SQLite(t), "--demo="+dir)
	// The demo starts its own scan; wait for it through a second one.
	if code, _, errOut := tandemCLI(t, url, "scan", "--wait"); code != 0 {
		t.Fatalf("scan exited %d: %s", code, errOut)
	}
	var codebases []tandem.Codebase
	getJSON(t, url, &codebases, "get", "codebases", "-o", "json")
	owners := map[string]string{}
	for _, c := range codebases {
		if c.Owner != nil {
			owners[c.Name] = *c.Owner + "/" + c.OwnerSource
		}
	}
	want := map[string]string{
		"checkout-web": "checkout/backstage", "data-pipeline": "data/codeowners", "obslog": "observability/codeowners",
		"payments-api": "payments/codeowners", "payments-ledger": "payments/codeowners",
		"search-api": "search/codeowners", "search-indexer": "search/codeowners",
	}
	if !reflect.DeepEqual(owners, want) {
		t.Errorf("demo owners = %v, want %v", owners, want)
	}
	var campaign tandem.Campaign
	getJSON(t, url, &campaign, "campaign", "status", "logrus-to-obslog", "-o", "json")
	if got, want := targetStates(campaign), "payments-api=pending search-indexer=pending"; got != want {
		t.Errorf("demo targets = %s, want %s", got, want)
	}
}
