package github_test

import (
	"net/http"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/github"
)

func TestWebhookReceiver(t *testing.T) {
	var r github.WebhookReceiver

	t.Run("a delivery is named and identified by its headers", func(t *testing.T) {
		h := http.Header{"X-Github-Event": {"pull_request"}, "X-Github-Delivery": {"72d3162e-cc78-11e3-81ab-4c9367dc0958"}}
		event, id := r.Delivery(h)
		if got, want := event+" "+id, "pull_request 72d3162e-cc78-11e3-81ab-4c9367dc0958"; got != want {
			t.Errorf("Delivery = %q, want %q", got, want)
		}
	})

	t.Run("an empty secret verifies nothing", func(t *testing.T) {
		// The HMAC-SHA256 of "{}" under an empty key.
		h := http.Header{"X-Hub-Signature-256": {"sha256=22f8eea909400af98adf3681a9f31923ef6b7fcba4abb553d92823a3e9d5c25e"}}
		if !github.VerifySignature(nil, []byte("{}"), h.Get("X-Hub-Signature-256")) {
			t.Fatal("the HMAC under an empty key does not verify: the case below proves nothing")
		}
		if r.Verify(nil, []byte("{}"), h) {
			t.Error("Verify with an empty secret = true")
		}
	})

	for _, tc := range []struct {
		name string
		body string
		repo string
		code string
	}{
		{"a branch push names its repository", `{"ref":"refs/heads/main","after":"0123","repository":{"name":"payments-api","full_name":"acme/payments-api"}}`, "payments-api", ""},
		{"a tag push names its repository", `{"ref":"refs/tags/v1","after":"abc","repository":{"name":"api"}}`, "api", ""},
		{"a payload without repository is invalid", `{"ref":"refs/heads/main"}`, "", tandem.EINVALID},
		{"a name that would leave the mirrors folder is invalid", `{"ref":"refs/heads/main","after":"abc","repository":{"name":".."}}`, "", tandem.EINVALID},
		{"a payload that is not JSON is invalid", `ref=main`, "", tandem.EINVALID},
	} {
		t.Run("ParsePush: "+tc.name, func(t *testing.T) {
			repo, err := r.ParsePush([]byte(tc.body))
			if got, want := tandem.ErrorCode(err), tc.code; got != want {
				t.Fatalf("code = %q, want %q (err %v)", got, want, err)
			}
			if got, want := repo, tc.repo; got != want {
				t.Errorf("ParsePush = %q, want %q", got, want)
			}
		})
	}

	for _, tc := range []struct {
		name       string
		body       string
		url, state string
		code       string
	}{
		{"GitHub's closed unmerged pull request", `{"action":"closed","number":1347,"pull_request":{"html_url":"https://github.com/acme/api/pull/1347","state":"closed","merged":false}}`, "https://github.com/acme/api/pull/1347", tandem.ChangeClosed, ""},
		{"a merged pull request", `{"action":"closed","number":1347,"pull_request":{"html_url":"https://github.com/acme/api/pull/1347","state":"closed","merged":true}}`, "https://github.com/acme/api/pull/1347", tandem.ChangeMerged, ""},
		{"a reopened pull request", `{"action":"reopened","pull_request":{"html_url":"https://github.com/acme/api/pull/1347","state":"open"}}`, "https://github.com/acme/api/pull/1347", tandem.ChangeOpen, ""},
		{"a push payload is invalid", `{"ref":"refs/heads/main","repository":{"name":"api"}}`, "", "", tandem.EINVALID},
		{"a payload that is not JSON is invalid", `action=closed`, "", "", tandem.EINVALID},
	} {
		t.Run("ParsePullRequest: "+tc.name, func(t *testing.T) {
			pr, err := r.ParsePullRequest([]byte(tc.body))
			if got, want := tandem.ErrorCode(err), tc.code; got != want {
				t.Fatalf("code = %q, want %q (err %v)", got, want, err)
			}
			if url, state := pr.URL, pr.State; url != tc.url || state != tc.state {
				t.Errorf("ParsePullRequest = %q %q, want %q %q", url, state, tc.url, tc.state)
			}
		})
	}
}

// TestParsePullRequestEvent checks that a pushed pull request gives the
// guard its repository, number, head and base.
func TestParsePullRequestEvent(t *testing.T) {
	body := `{"action":"synchronize","number":7,"pull_request":{"html_url":"https://github.com/acme/api/pull/7","state":"open","head":{"sha":"abc1","ref":"feature"},"base":{"ref":"main"}},"repository":{"name":"api"}}`
	got, err := github.WebhookReceiver{}.ParsePullRequest([]byte(body))
	want := tandem.PullRequestEvent{Repo: "api", Number: 7, Head: "abc1", Base: "main", Action: "synchronize", URL: "https://github.com/acme/api/pull/7", State: tandem.ChangeOpen}
	if err != nil || got != want {
		t.Fatalf("ParsePullRequest = %+v, %v, want %+v", got, err, want)
	}
	if _, err := (github.WebhookReceiver{}).ParsePullRequest([]byte(`{"pull_request":{"html_url":"u","state":"open"},"repository":{"name":".."}}`)); tandem.ErrorCode(err) != tandem.EINVALID {
		t.Errorf("a repository name leaving its folder: %v, want EINVALID", err)
	}
}
