package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestGitHubWebhook declares a GitHub code host and a team whose tickets
// go to a GitHub repository, and delivers GitHub webhooks: a forged one is
// refused, a ping and pull requests not Tandem's are ignored, and a signed
// push starts a scan.
func TestGitHubWebhook(t *testing.T) {
	t.Parallel()
	url := startServerEnv(t, sqlstoretest.SQLite(t), map[string]string{"GH_TOKEN": "ghp_x", "GH_HOOK": "It's a Secret to Everybody"})
	catalog := filepath.Join(t.TempDir(), "catalog.yaml")
	writeFile(t, catalog, `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: gh}
spec: {type: github, url: "https://github.com", org: acme, token: env:GH_TOKEN, webhookSecret: env:GH_HOOK}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, tracker: {type: github, host: gh, repo: acme/backlog}}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: search}
spec: {type: stream-aligned, tracker: {type: gitea, host: gh, repo: acme/backlog}}
`)
	code, _, errOut := tandemCLI(t, url, "apply", "-f", catalog)
	if code == 0 || !strings.Contains(errOut, `spec.tracker.host: code host "gh" is github, not a gitea tracker`) {
		t.Fatalf("apply with a gitea tracker on a github host: exit %d, %s", code, errOut)
	}
	writeFile(t, catalog, strings.SplitAfter(readFile(t, catalog), "repo: acme/backlog}}\n")[0])
	if code, _, errOut := tandemCLI(t, url, "apply", "-f", catalog); code != 0 {
		t.Fatalf("apply: exit %d: %s", code, errOut)
	}

	deliver := func(event, signature string, body []byte) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, url+"/api/v1/hooks/gh", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-GitHub-Event", event)
		req.Header.Set("X-Hub-Signature-256", signature)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	sign := func(body []byte) string {
		mac := hmac.New(sha256.New, []byte("It's a Secret to Everybody"))
		mac.Write(body)
		return "sha256=" + hex.EncodeToString(mac.Sum(nil))
	}
	push := []byte(`{"ref": "refs/heads/main", "after": "0123", "repository": {"name": "payments-api", "full_name": "acme/payments-api"}}`)
	wrong := []byte(strings.Replace(string(push), "0123", "4567", 1))
	for name, sig := range map[string]string{"forged": "sha256=00", "unsigned": "", "signed over another body": sign(wrong)} {
		if code, body := deliver("push", sig, push); code != http.StatusForbidden || !strings.Contains(body, "signature does not match") {
			t.Errorf("%s push: %d %s, want 403", name, code, body)
		}
	}
	ping := []byte(`{"zen": "Design for failure.", "hook_id": 1}`)
	if code, body := deliver("ping", sign(ping), ping); code != http.StatusAccepted || !strings.Contains(body, `"ignored": "ping"`) {
		t.Errorf("signed ping: %d %s, want 202 ignored", code, body)
	}
	pull := []byte(`{"action": "closed", "number": 1347, "pull_request": {"html_url": "https://github.com/acme/api/pull/1347", "state": "closed", "merged": true}}`)
	if code, body := deliver("pull_request", sign(pull), pull); code != http.StatusAccepted || !strings.Contains(body, "https://github.com/acme/api/pull/1347 is not one of Tandem's") {
		t.Errorf("someone else's pull request: %d %s, want 202 ignored", code, body)
	}
	code, body := deliver("push", sign(push), push)
	var scan tandem.Scan
	if err := json.Unmarshal([]byte(body), &scan); code != http.StatusAccepted || err != nil || scan.ID == 0 {
		t.Errorf("signed push: %d %s, want 202 and a scan started", code, body)
	}
}

// TestGitLabWebhook delivers GitLab webhooks, which carry the secret
// itself in X-Gitlab-Token: a wrong token is refused, other events and
// merge requests not Tandem's are ignored, and a push starts a scan.
func TestGitLabWebhook(t *testing.T) {
	t.Parallel()
	url := startServerEnv(t, sqlstoretest.SQLite(t), map[string]string{"GL_TOKEN": "glpat-x", "GL_HOOK": "hook-secret"})
	catalog := filepath.Join(t.TempDir(), "catalog.yaml")
	writeFile(t, catalog, `apiVersion: tandem.dev/v1
kind: CodeHost
metadata: {name: gl}
spec: {type: gitlab, url: "https://gitlab.com", org: acme/platform, token: env:GL_TOKEN, webhookSecret: env:GL_HOOK}
---
apiVersion: tandem.dev/v1
kind: Team
metadata: {name: payments}
spec: {type: stream-aligned, tracker: {type: gitlab, host: gl, repo: acme/payments/backlog}}
`)
	if code, _, errOut := tandemCLI(t, url, "apply", "-f", catalog); code != 0 {
		t.Fatalf("apply: exit %d: %s", code, errOut)
	}
	// The push and merge request events of GitLab's webhook documentation, trimmed.
	push := `{"object_kind": "push", "ref": "refs/heads/main", "after": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
		"project": {"path_with_namespace": "acme/platform/payments-api"}, "repository": {"name": "payments-api"}}`
	merge := `{"object_kind": "merge_request", "object_attributes": {"iid": 1, "state": "merged", "action": "merge",
		"url": "https://gitlab.com/acme/platform/payments-api/-/merge_requests/1"}}`
	deliver := func(event, token, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, url+"/api/v1/hooks/gl", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Gitlab-Event", event)
		req.Header.Set("X-Gitlab-Token", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, token := range []string{"", "hook-secreT", "hook-secret2"} {
		if code, body := deliver("Push Hook", token, push); code != http.StatusForbidden {
			t.Errorf("push with token %q: %d %s, want 403", token, code, body)
		}
	}
	if code, body := deliver("Pipeline Hook", "hook-secret", `{"object_kind": "pipeline"}`); code != http.StatusAccepted || !strings.Contains(body, `"ignored": "Pipeline Hook"`) {
		t.Errorf("pipeline event: %d %s, want 202 ignored", code, body)
	}
	if code, body := deliver("Merge Request Hook", "hook-secret", merge); code != http.StatusAccepted || !strings.Contains(body, "merge_requests/1 is not one of Tandem's") {
		t.Errorf("someone else's merge request: %d %s, want 202 ignored", code, body)
	}
	if code, body := deliver("Merge Request Hook", "hook-secret", push); code != http.StatusUnprocessableEntity || !strings.Contains(body, "pull request event") {
		t.Errorf("a merge request event without one: %d %s, want 422", code, body)
	}
	code, body := deliver("Push Hook", "hook-secret", push)
	var scan tandem.Scan
	if err := json.Unmarshal([]byte(body), &scan); code != http.StatusAccepted || err != nil || scan.ID == 0 {
		t.Errorf("push: %d %s, want 202 and a scan started", code, body)
	}
}
