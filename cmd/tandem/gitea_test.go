package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitea/giteatest"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestGitea runs a campaign on a real Gitea: codebases discovered and
// mirrored from an organisation, tickets filed in a team's backlog
// repository, closed there when the code is done, and a signed push
// webhook starting a scan.
func TestGitea(t *testing.T) {
	g := giteatest.Start(t)
	g.CreateOrg(t, "acme")
	g.CreateRepo(t, "acme", "payments-api", map[string]string{"CODEOWNERS": "* @acme/payments\n", "main.go": logrusImport})
	g.CreateRepo(t, "acme", "search", map[string]string{"CODEOWNERS": "* @acme/search\n", "main.go": "package main\n"})
	g.CreateRepo(t, "acme", "backlog", map[string]string{"README.md": "Payments' backlog\n"})

	url := startServerEnv(t, sqlstoretest.SQLite(t), map[string]string{"FORGE_TOKEN": g.AdminToken, "FORGE_HOOK": "s3cret"})
	catalog := filepath.Join(t.TempDir(), "catalog.yaml")
	writeFile(t, catalog, `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: forge}
spec: {type: gitea, url: "`+g.URL+`", org: acme, token: env:FORGE_TOKEN, webhookSecret: env:FORGE_HOOK}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, tracker: {type: gitea, host: forge, repo: acme/backlog}}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: search}
spec: {type: stream-aligned}
---
apiVersion: tandem.dev/v1
kind: Codebase
metadata: {name: payments-api}
spec: {contributions: open}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: observability}
spec: {type: platform}
---
apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: obslog}
spec: {owner: observability}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: logrus-to-obslog}
spec:
  platform: obslog
  title: Replace logrus with obslog
  target: {path: "**/*.go", contains: '"github.com/sirupsen/logrus"'}
  fix:
    run: ["sh", "-c", "sed -i 's#github.com/sirupsen/logrus#acme.dev/obslog#' main.go"]
    branch: tandem/logrus-to-obslog
    title: Replace logrus with obslog
`)
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
	var codebases []tandem.Codebase
	getJSON(t, url, &codebases, "get", "codebases", "-o", "json")
	if len(codebases) != 3 || codebases[1].Name != "payments-api" || codebases[1].Owner == nil || *codebases[1].Owner != "payments" {
		t.Fatalf("codebases from Gitea = %+v", codebases)
	}
	if got, want := codebases[1].Head, g.BranchCommit(t, "acme", "payments-api", "main"); got != want {
		t.Errorf("payments-api scanned at %s, Gitea's main is %s", got, want)
	}

	// Launching files the ticket in payments' own backlog on Gitea.
	cli("campaign", "launch", "logrus-to-obslog")
	var issues []struct {
		Number int    `json:"number"`
		Title  string `json:"title"`
		Body   string `json:"body"`
		State  string `json:"state"`
	}
	g.Call(t, http.MethodGet, "/repos/acme/backlog/issues?state=all&type=issues", nil, &issues)
	if len(issues) != 1 || !strings.Contains(issues[0].Body, "<!-- tandem:campaign=logrus-to-obslog;team=payments -->") {
		t.Fatalf("backlog issues = %+v", issues)
	}
	var tickets []tandem.Ticket
	getJSON(t, url, &tickets, "get", "tickets", "-o", "json")
	if len(tickets) != 1 || tickets[0].RemoteID == "" || !strings.HasPrefix(tickets[0].URL, g.URL) {
		t.Errorf("tandem's ticket = %+v, want it linked to the Gitea issue", tickets)
	}
	// Launching again files nothing twice, in Tandem or in Gitea.
	cli("campaign", "launch", "logrus-to-obslog")
	g.Call(t, http.MethodGet, "/repos/acme/backlog/issues?state=all&type=issues", nil, &issues)
	if len(issues) != 1 {
		t.Errorf("a second launch filed %d issues", len(issues))
	}

	// The straggler's work as a pull request on Gitea, once however often.
	out := cli("campaign", "escalate", "logrus-to-obslog")
	if !strings.Contains(out, "payments-api: change-request") || !strings.Contains(out, g.URL+"/acme/payments-api/pulls/1") {
		t.Fatalf("escalate: %s", out)
	}
	cli("campaign", "escalate", "logrus-to-obslog")
	var pulls []struct {
		Number int `json:"number"`
		Head   struct {
			Ref string `json:"ref"`
		} `json:"head"`
	}
	g.Call(t, http.MethodGet, "/repos/acme/payments-api/pulls?state=all", nil, &pulls)
	if len(pulls) != 1 || pulls[0].Head.Ref != "tandem/logrus-to-obslog" {
		t.Fatalf("pull requests on Gitea = %+v, want one from the fix branch", pulls)
	}
	// The owners merge it on Gitea; a signed push webhook starts the scan.
	g.Call(t, http.MethodPost, "/repos/acme/payments-api/pulls/1/merge", map[string]string{"Do": "merge"}, nil)
	push := []byte(`{"ref": "refs/heads/main", "after": "0123", "repository": {"name": "payments-api", "full_name": "acme/payments-api"}}`)
	forged, err := http.NewRequest(http.MethodPost, url+"/api/v1/hooks/forge", bytes.NewReader(push))
	if err != nil {
		t.Fatal(err)
	}
	forged.Header.Set("X-Gitea-Event", "push")
	forged.Header.Set("X-Gitea-Signature", "00")
	if resp, err := http.DefaultClient.Do(forged); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a forged webhook: %v %v, want 403", resp.Status, err)
	}
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write(push)
	signed, _ := http.NewRequest(http.MethodPost, url+"/api/v1/hooks/forge", bytes.NewReader(push))
	signed.Header.Set("X-Gitea-Event", "push")
	signed.Header.Set("X-Gitea-Signature", hex.EncodeToString(mac.Sum(nil)))
	delivered := time.Now()
	resp, err := http.DefaultClient.Do(signed)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("a signed webhook: %v %v, want 202", resp.Status, err)
	}
	var scan tandem.Scan
	if err := json.NewDecoder(resp.Body).Decode(&scan); err != nil || scan.ID == 0 {
		t.Fatalf("the webhook's answer: %+v %v, want the scan it started", scan, err)
	}
	resp.Body.Close()
	for deadline := time.Now().Add(time.Minute); scan.State == tandem.ScanRunning && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		if err := json.Unmarshal([]byte(httpGet(t, fmt.Sprintf("%s/api/v1/scans/%d", url, scan.ID))), &scan); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("webhook to scan done: %v", time.Since(delivered))
	if scan.State != tandem.ScanDone || scan.Codebases != 1 || scan.Done != 1 {
		t.Errorf("the webhook's scan = %+v, want payments-api alone rescanned", scan)
	}
	var c tandem.Campaign
	getJSON(t, url, &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
	if got := targetStates(c); got != "payments-api=done" {
		t.Errorf("targets after the merge = %s", got)
	}
	if pr := c.Targets[0].PullRequest; pr == nil || pr.State != tandem.ChangeMerged {
		t.Errorf("the change request after the merge = %+v", pr)
	}
	// Every call went through the throttle, whose budget is measured.
	metrics := httpGet(t, url+"/metrics")
	host := strings.TrimPrefix(g.URL, "http://")
	for _, want := range []string{`tandem_host_requests_total{code="201",host="` + host + `"}`, `tandem_host_write_budget{host="` + host + `"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The ticket closes in Gitea at the next sync.
	cli("campaign", "launch", "logrus-to-obslog")
	g.Call(t, http.MethodGet, "/repos/acme/backlog/issues?state=all&type=issues", nil, &issues)
	if len(issues) != 1 || issues[0].State != "closed" {
		t.Errorf("the Gitea issue after the code was done = %+v", issues)
	}
}
