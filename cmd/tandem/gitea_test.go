package main

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/campaign"
	"github.com/tandem-dev/tandem/gitea/giteatest"
	"github.com/tandem-dev/tandem/sqlstore"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestGitea runs a campaign on a real Gitea: codebases discovered and
// mirrored from an organisation, tickets filed in a team's backlog
// repository, closed there when the code is done, and a signed push
// webhook starting a scan.
func TestGitea(t *testing.T) {
	t.Parallel()
	g := giteatest.Start(t)
	g.CreateOrg(t, "acme")
	g.CreateRepo(t, "acme", "payments-api", map[string]string{"CODEOWNERS": "* @acme/payments\n", "main.go": logrusImport})
	g.CreateRepo(t, "acme", "ledger", map[string]string{"CODEOWNERS": "* @acme/payments\n", "main.go": logrusImport})
	g.CreateRepo(t, "acme", "search", map[string]string{"CODEOWNERS": "* @acme/search\n", "main.go": "package main\n"})
	g.CreateRepo(t, "acme", "backlog", map[string]string{"README.md": "Payments' backlog\n"})

	dsn := sqlstoretest.SQLite(t)
	environ := map[string]string{"FORGE_TOKEN": g.AdminToken, "FORGE_HOOK": "s3cret"}
	url := startServerEnv(t, dsn, environ)
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
kind: Codebase
metadata: {name: ledger}
spec: {contributions: open}
---
`+logrusMigration("  nudge: {every: 7d}\n"+logrusFix))
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
	if len(codebases) != 4 || codebases[2].Name != "payments-api" || codebases[2].Owner == nil || *codebases[2].Owner != "payments" {
		t.Fatalf("codebases from Gitea = %+v", codebases)
	}
	if got, want := codebases[2].Head, g.BranchCommit(t, "acme", "payments-api", "main"); got != want {
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

	// The stragglers' work as pull requests on Gitea, once however often.
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

	// The owners of ledger close its pull request unmerged while no webhook
	// is set up: the poll reads it from Gitea, and ledger is back on its
	// ticket.
	g.Call(t, http.MethodPatch, "/repos/acme/ledger/pulls/1", map[string]string{"state": "closed"}, nil)
	db, err := sqlstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hosts := hostOpener{getenv: func(k string) string { return environ[k] }, mirrors: t.TempDir(), client: http.DefaultClient}
	// The poll as the tick runs it, a period on (the server's own tick may
	// have read it first: either way, once).
	poll := &campaign.Service{Store: db, Proposers: hosts.proposer, Now: func() time.Time { return time.Now().Add(campaign.PullPollEvery) }}
	for range 2 {
		if n, err := poll.CheckPullRequests(t.Context()); err != nil || n > 1 {
			t.Fatalf("the poll changed %d pull requests (%v), want ledger's at most", n, err)
		}
	}
	crs, err := db.FindChangeRequests(t.Context(), "logrus-to-obslog", 0)
	if err != nil || len(crs) != 2 || crs[0].Codebase != "ledger" || crs[0].State != tandem.ChangeClosed || crs[1].State != tandem.ChangeOpen {
		t.Fatalf("after the poll, change requests = %+v (%v), want ledger's closed and payments-api's open", crs, err)
	}
	var c tandem.Campaign
	getJSON(t, url, &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
	if ledger := c.Targets[0]; ledger.State != tandem.TargetTicketed || ledger.PullRequest == nil || ledger.PullRequest.State != tandem.ChangeClosed ||
		!strings.Contains(ledger.Error, "closed "+g.URL+"/acme/ledger/pulls/1 without merging") {
		t.Errorf("ledger after its pull request was closed = %+v", ledger)
	}

	// A week on, the tick's nudge is repeated on the open pull request,
	// once however often the tick runs.
	week := &campaign.Service{Store: db, Proposers: hosts.proposer, Now: func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }}
	for i, want := range []int{1, 0} {
		if n, err := week.Tick(t.Context()); err != nil || n != want {
			t.Fatalf("tick %d a week on nudged %d tickets (%v), want %d", i, n, err, want)
		}
	}
	var comments []struct {
		Body string `json:"body"`
	}
	g.Call(t, http.MethodGet, "/repos/acme/payments-api/issues/1/comments", nil, &comments)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "Reminder: Replace logrus with obslog.") {
		t.Errorf("comments on the open pull request = %+v, want the nudge once", comments)
	}
	g.Call(t, http.MethodGet, "/repos/acme/ledger/issues/1/comments", nil, &comments)
	if len(comments) != 0 {
		t.Errorf("comments on the closed pull request = %+v, want none", comments)
	}

	// A forged delivery is refused.
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

	// The organisation's webhook, as its admins would set it up; then the
	// owners of payments-api merge its pull request on Gitea. Gitea's own
	// deliveries (the pull request's and the push's) bring the target to
	// done.
	g.Call(t, http.MethodPost, "/orgs/acme/hooks", map[string]any{"type": "gitea", "active": true,
		"events": []string{"push", "pull_request"},
		"config": map[string]string{"url": url + "/api/v1/hooks/forge", "content_type": "json", "secret": "s3cret"}}, nil)
	merged := time.Now()
	g.Call(t, http.MethodPost, "/repos/acme/payments-api/pulls/1/merge", map[string]string{"Do": "merge"}, nil)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		getJSON(t, url, &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
		if targetStates(c) == "ledger=ticketed payments-api=done" || time.Now().After(deadline) {
			break
		}
	}
	t.Logf("merge on Gitea to target done: %v", time.Since(merged))
	if got := targetStates(c); got != "ledger=ticketed payments-api=done" {
		t.Fatalf("targets after the merge = %s", got)
	}
	if pr := c.Targets[1].PullRequest; pr == nil || pr.State != tandem.ChangeMerged {
		t.Errorf("the change request after the merge = %+v", pr)
	}
	getJSON(t, url, &crs, "get", "change-requests", "-o", "json")
	for _, cr := range crs {
		if cr.Codebase == "payments-api" && cr.MergedAt != nil && c.Targets[1].DoneAt != nil {
			t.Logf("the pull request's webhook to target done: %v", c.Targets[1].DoneAt.Sub(*cr.MergedAt))
		}
	}
	var ticket []tandem.Ticket
	getJSON(t, url, &ticket, "get", "tickets", fmt.Sprint(tickets[0].ID), "-o", "json")
	var said []string
	for _, cm := range ticket[0].Comments {
		said = append(said, cm.Body)
	}
	if all := strings.Join(said, "\n"); !strings.Contains(all, "closed "+g.URL+"/acme/ledger/pulls/1 without merging") ||
		!strings.Contains(all, "merged "+g.URL+"/acme/payments-api/pulls/1") {
		t.Errorf("the ticket's comments:\n%s", all)
	}
	// Every call went through the throttle, whose budget is measured.
	metrics := httpGet(t, url+"/metrics")
	host := strings.TrimPrefix(g.URL, "http://")
	for _, want := range []string{`tandem_host_requests_total{code="201",host="` + host + `"}`, `tandem_host_write_budget{host="` + host + `"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The payments-api pull request merged as Tandem pushed it: its head
	// when merged, read from Gitea, is Tandem's commit.
	if pr := changeOf(t, crs, "payments-api", 1); pr.MergedHead == "" || pr.MergedHead != pr.Commit || !pr.MergedUnmodified() {
		t.Errorf("payments-api merged with head %q, want Tandem's commit %s", pr.MergedHead, pr.Commit)
	}
	// Ledger gets a new pull request; its owners push a commit of their own
	// onto it before merging it on Gitea: merged, but modified. With both
	// codebases done, the ticket closes in Gitea at the next sync.
	cli("campaign", "escalate", "logrus-to-obslog", "--codebase", "ledger")
	getJSON(t, url, &crs, "get", "change-requests", "-o", "json")
	again := changeOf(t, crs, "ledger", 2)
	owners := g.CommitOn(t, "acme", "ledger", again.Branch, map[string]string{"NOTES.md": "Reviewed by payments\n"})
	g.Call(t, http.MethodPost, "/repos/acme/ledger/pulls/2/merge", map[string]string{"Do": "merge"}, nil)
	for deadline := time.Now().Add(time.Minute); targetStates(c) != "ledger=done payments-api=done" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		getJSON(t, url, &c, "campaign", "status", "logrus-to-obslog", "-o", "json")
	}
	if got := targetStates(c); got != "ledger=done payments-api=done" {
		t.Fatalf("targets after ledger's merge = %s", got)
	}
	// The merge's webhook records the head apart from the scan that
	// finds the target done: wait for it too.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		getJSON(t, url, &crs, "get", "change-requests", "-o", "json")
		if changeOf(t, crs, "ledger", 2).MergedHead != "" {
			break
		}
	}
	if pr := changeOf(t, crs, "ledger", 2); pr.State != tandem.ChangeMerged || pr.MergedHead != owners || pr.MergedUnmodified() {
		t.Errorf("ledger's second pull request: %s with head %q, want merged with the owners' %s, modified", pr.State, pr.MergedHead, owners)
	}
	cli("campaign", "launch", "logrus-to-obslog")
	g.Call(t, http.MethodGet, "/repos/acme/backlog/issues?state=all&type=issues", nil, &issues)
	if len(issues) != 1 || issues[0].State != "closed" {
		t.Errorf("the Gitea issue after the code was done = %+v", issues)
	}
}

// changeOf returns the n-th change request (from 1) of codebase in crs.
func changeOf(t *testing.T, crs []tandem.ChangeRequest, codebase string, n int) tandem.ChangeRequest {
	t.Helper()
	for _, cr := range crs {
		if cr.Codebase == codebase {
			if n--; n == 0 {
				return cr
			}
		}
	}
	t.Fatalf("no change request %d of %s in %+v", n, codebase, crs)
	return tandem.ChangeRequest{}
}
