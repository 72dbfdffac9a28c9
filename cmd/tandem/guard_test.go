package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitea/giteatest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// gomockImport is a file using the module the tests' second migration
// removes.
const gomockImport = "package main\n\nimport _ \"github.com/golang/mock/gomock\"\n"

// TestGuardOnGitea runs the backsliding guard on a real Gitea, from its
// own webhooks: a pull request that brings logrus back to a codebase
// that is done fails the blocking migration's status, with the evidence,
// and gets one comment however often it is pushed to; one that removes
// logrus succeeds; an exempt codebase gets no status of the migration
// that exempts it; and a warning migration gives Gitea's warning. On
// every engine: the jobs' uniqueness is the database's.
func TestGuardOnGitea(t *testing.T) {
	t.Parallel()
	for _, e := range sqlstoretest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { guardOnGitea(t, e.DSN) })
	}
}

func guardOnGitea(t *testing.T, dsn string) {
	g := giteatest.Start(t)
	g.CreateOrg(t, "acme")
	g.CreateRepo(t, "acme", "done-svc", map[string]string{"CODEOWNERS": "* @acme/payments\n", "main.go": "package main\n"})
	g.CreateRepo(t, "acme", "legacy", map[string]string{"CODEOWNERS": "* @acme/payments\n", "main.go": logrusImport})
	g.CreateRepo(t, "acme", "exempt-svc", map[string]string{"CODEOWNERS": "* @acme/payments\n", "main.go": logrusImport})

	url := startServerEnv(t, dsn, map[string]string{"FORGE_TOKEN": g.AdminToken, "FORGE_HOOK": "s3cret"})
	catalog := filepath.Join(t.TempDir(), "catalog.yaml")
	writeFile(t, catalog, `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: forge}
spec: {type: gitea, url: "`+g.URL+`", org: acme, token: env:FORGE_TOKEN, webhookSecret: env:FORGE_HOOK}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: mockgen}
spec:
  platform: obslog
  title: Drop golang/mock
  target: {path: "**/*.go", contains: '"github.com/golang/mock/gomock"'}
  guard: {mode: warn}
---
`+logrusMigration("  guard: {mode: block}\n"))
	cli := func(args ...string) string {
		t.Helper()
		code, out, errOut := tandemCLI(t, url, args...)
		if code != 0 {
			t.Fatalf("%v exited %d: %s", args, code, errOut)
		}
		return out
	}
	cli("apply", "-f", catalog)
	cli("scan", "--wait")
	cli("campaign", "exempt", "logrus-to-obslog", "--codebase", "exempt-svc", "--reason", "retired next quarter", "--until", "2099-01-01")
	g.Call(t, http.MethodPost, "/orgs/acme/hooks", map[string]any{"type": "gitea", "active": true,
		"events": []string{"pull_request", "pull_request_sync"},
		"config": map[string]string{"url": url + "/api/v1/hooks/forge", "content_type": "json", "secret": "s3cret"}}, nil)

	// Logging brought back to a codebase that is done: a failure of the
	// blocking migration, a warning of the other one, and one comment each.
	opened := time.Now()
	head := openPull(t, g, "done-svc", "add-logging", map[string]string{"log.go": logrusImport, "mock.go": gomockImport})
	statuses := awaitStatuses(t, g, "done-svc", head, 2)
	t.Logf("pull request opened to its statuses: %v", time.Since(opened))
	logrus, gomock := statuses["tandem/guard/logrus-to-obslog"], statuses["tandem/guard/mockgen"]
	if logrus.Status != "failure" || !strings.Contains(logrus.Description, "log.go:3") || logrus.TargetURL != url+"/campaigns/logrus-to-obslog" {
		t.Errorf("logrus status = %+v, want a failure naming log.go:3 and linking the campaign", logrus)
	}
	if gomock.Status != "warning" || !strings.Contains(gomock.Description, "mock.go:3") {
		t.Errorf("gomock status = %+v, want a warning naming mock.go:3", gomock)
	}
	// Another push to the pull request: its new head is evaluated, and
	// the pull request keeps one comment per migration.
	head = commitTo(t, g, "done-svc", "add-logging", map[string]string{"README.md": "logging\n"})
	if got := awaitStatuses(t, g, "done-svc", head, 2)["tandem/guard/logrus-to-obslog"]; got.Status != "failure" {
		t.Errorf("logrus status of the pushed head = %+v, want a failure", got)
	}
	comments := pullComments(t, g, "done-svc", 1)
	if n := strings.Count(comments, tandem.GuardMarker("logrus-to-obslog")); n != 1 || !strings.Contains(comments, "`log.go:3`") ||
		strings.Count(comments, tandem.GuardMarker("mockgen")) != 1 || !strings.Contains(comments, url+"/campaigns/logrus-to-obslog") {
		t.Errorf("comments on the pull request:\n%s\nwant one per migration, with the evidence and the campaign", comments)
	}

	// The campaign's guard reports: both heads, newest first, with the
	// evidence and the comment recorded.
	status, raw := asAdmin(t, http.MethodGet, url+"/api/v1/campaigns/logrus-to-obslog/guard", "")
	var reports []tandem.GuardReport
	if err := json.Unmarshal(raw, &reports); status != http.StatusOK || err != nil {
		t.Fatalf("guard reports: %d %s (%v)", status, raw, err)
	}
	if len(reports) != 2 || reports[0].Head != head || reports[1].CommentedAt == nil || reports[1].State != tandem.StatusFailure ||
		len(reports[1].Evidence) != 1 || reports[1].Evidence[0] != (tandem.Match{Path: "log.go", Line: 3}) {
		t.Errorf("guard reports = %+v, want both heads of the pull request, the first commented with log.go:3", reports)
	}
	// The campaign page shows the same verdicts.
	if status, page := asAdmin(t, http.MethodGet, url+"/campaigns/logrus-to-obslog", ""); status != http.StatusOK ||
		!strings.Contains(string(page), `id="guard"`) || strings.Count(string(page), `<code>`+head[:12]+`</code>`) != 1 ||
		!strings.Contains(string(page), `<span class="bad">failure</span>`) || !strings.Contains(string(page), "<code>log.go:3</code>") {
		t.Errorf("campaign page: %d, want the guard's verdicts on %s with log.go:3:\n%s", status, head[:12], page)
	}

	// Logging removed from a codebase still using it: a success.
	head = openPull(t, g, "legacy", "obslog", map[string]string{"main.go": strings.ReplaceAll(logrusImport, "github.com/sirupsen/logrus", "acme.dev/obslog")})
	if got := awaitStatuses(t, g, "legacy", head, 2)["tandem/guard/logrus-to-obslog"]; got.Status != "success" {
		t.Errorf("logrus status of a pull request removing it = %+v, want a success", got)
	}
	if comments := pullComments(t, g, "legacy", 1); comments != "" {
		t.Errorf("comments on a pull request adding nothing:\n%s", comments)
	}

	// The exempt codebase: the other migration's status only. A job posts
	// in the order of the migrations' names, so once mockgen's status is
	// there, logrus-to-obslog's would be too.
	head = openPull(t, g, "exempt-svc", "more-logging", map[string]string{"more.go": logrusImport})
	statuses = awaitStatuses(t, g, "exempt-svc", head, 1)
	if _, ok := statuses["tandem/guard/logrus-to-obslog"]; ok || statuses["tandem/guard/mockgen"].Status != "success" {
		t.Errorf("statuses on the exempt codebase = %+v, want mockgen's success alone", statuses)
	}
}

// TestGuardFaultyCodeHost guards a pull request through a proxy that
// rate-limits calls to Gitea and loses the answers of writes that
// reached it: the job retries until its status is posted, and the pull
// request gets its comment once.
func TestGuardFaultyCodeHost(t *testing.T) {
	t.Parallel()
	g := giteatest.Start(t)
	g.CreateOrg(t, "acme")
	g.CreateRepo(t, "acme", "done-svc", map[string]string{"main.go": "package main\n"})
	target, err := neturl.Parse(g.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &faultyProxy{next: httputil.NewSingleHostReverseProxy(target)}
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)
	url := startServerEnv(t, sqlstoretest.SQLite(t), map[string]string{"FORGE_TOKEN": g.AdminToken, "FORGE_HOOK": "s3cret"})
	catalog := filepath.Join(t.TempDir(), "catalog.yaml")
	writeFile(t, catalog, `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: forge}
spec: {type: gitea, url: "`+ps.URL+`", org: acme, token: env:FORGE_TOKEN, webhookSecret: env:FORGE_HOOK}
---
`+logrusMigration("  guard: {mode: block}\n"))
	applyAndScan(t, url, catalog)
	g.Call(t, http.MethodPost, "/orgs/acme/hooks", map[string]any{"type": "gitea", "active": true, "events": []string{"pull_request"},
		"config": map[string]string{"url": url + "/api/v1/hooks/forge", "content_type": "json", "secret": "s3cret"}}, nil)

	for i := range 3 {
		head := openPull(t, g, "done-svc", "logging"+strconv.Itoa(i), map[string]string{"log.go": logrusImport})
		if got := awaitStatuses(t, g, "done-svc", head, 1)["tandem/guard/logrus-to-obslog"]; got.Status != "failure" {
			t.Errorf("status of pull request %d = %+v, want a failure", i+1, got)
		}
		// The comment follows the status in the same job.
		marker := tandem.GuardMarker("logrus-to-obslog")
		comments := pullComments(t, g, "done-svc", i+1)
		for deadline := time.Now().Add(time.Minute); !strings.Contains(comments, marker) && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			comments = pullComments(t, g, "done-svc", i+1)
		}
		if n := strings.Count(comments, marker); n != 1 {
			t.Errorf("pull request %d has %d comments of the guard, want one", i+1, n)
		}
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	t.Logf("the proxy rate-limited %d calls and lost the answers of %d writes", proxy.limited, proxy.failed)
	if proxy.limited == 0 || proxy.failed == 0 {
		t.Errorf("the proxy rate-limited %d calls and lost %d answers: the test proved nothing", proxy.limited, proxy.failed)
	}
}

// giteaStatus is a commit status as Gitea's API shows it.
type giteaStatus struct {
	Status      string `json:"status"`
	Context     string `json:"context"`
	Description string `json:"description"`
	TargetURL   string `json:"target_url"`
}

// awaitStatuses polls the statuses of commit sha of repo until n
// contexts have one, for a minute, and returns the latest of each.
func awaitStatuses(t *testing.T, g *giteatest.Server, repo, sha string, n int) map[string]giteaStatus {
	t.Helper()
	latest := map[string]giteaStatus{}
	for deadline := time.Now().Add(time.Minute); len(latest) < n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("statuses of %s@%s after a minute: %+v, want %d", repo, sha, latest, n)
		}
		var got []giteaStatus
		g.Call(t, http.MethodGet, "/repos/acme/"+repo+"/statuses/"+sha+"?sort=newest", nil, &got)
		for _, s := range got {
			if _, seen := latest[s.Context]; !seen {
				latest[s.Context] = s
			}
		}
	}
	return latest
}

// openPull commits files on a new branch of repo, opens a pull request
// from it into main and returns the branch's head.
func openPull(t *testing.T, g *giteatest.Server, repo, branch string, files map[string]string) string {
	t.Helper()
	head := commitOn(t, g, repo, map[string]any{"branch": "main", "new_branch": branch}, files)
	g.Call(t, http.MethodPost, "/repos/acme/"+repo+"/pulls", map[string]string{"head": branch, "base": "main", "title": "Change " + branch}, nil)
	return head
}

// commitTo commits files on an existing branch of repo and returns the
// commit.
func commitTo(t *testing.T, g *giteatest.Server, repo, branch string, files map[string]string) string {
	t.Helper()
	return commitOn(t, g, repo, map[string]any{"branch": branch}, files)
}

// commitOn commits files with Gitea's contents API, where body says on
// which branch, and returns the commit.
func commitOn(t *testing.T, g *giteatest.Server, repo string, body map[string]any, files map[string]string) string {
	t.Helper()
	var ops []map[string]string
	for p, content := range files {
		ops = append(ops, map[string]string{"operation": "upload", "path": p, "content": base64.StdEncoding.EncodeToString([]byte(content))})
	}
	body["files"], body["message"] = ops, "change"
	var out struct {
		Commit struct {
			SHA string `json:"sha"`
		} `json:"commit"`
	}
	g.Call(t, http.MethodPost, "/repos/acme/"+repo+"/contents", body, &out)
	return out.Commit.SHA
}

// pullComments returns the comments on pull request n of repo, one after
// the other.
func pullComments(t *testing.T, g *giteatest.Server, repo string, n int) string {
	t.Helper()
	var comments []struct {
		Body string `json:"body"`
	}
	g.Call(t, http.MethodGet, "/repos/acme/"+repo+"/issues/"+strconv.Itoa(n)+"/comments", nil, &comments)
	var all []string
	for _, c := range comments {
		all = append(all, c.Body)
	}
	return strings.Join(all, "\n---\n")
}
