package gitlab_test

import (
	"net/http"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitlab"
)

func TestWebhookReceiver(t *testing.T) {
	var r gitlab.WebhookReceiver

	for _, tc := range []struct {
		name      string
		header    http.Header
		event, id string
	}{
		{"a push is named as on Gitea and GitHub", http.Header{"X-Gitlab-Event": {"Push Hook"}, "X-Gitlab-Event-Uuid": {"u-1"}}, tandem.EventPush, "u-1"},
		{"a merge request is a pull request", http.Header{"X-Gitlab-Event": {"Merge Request Hook"}}, tandem.EventPullRequest, ""},
		{"another event keeps GitLab's name", http.Header{"X-Gitlab-Event": {"Pipeline Hook"}}, "Pipeline Hook", ""},
		{"the idempotency key is the id where there is one", http.Header{"X-Gitlab-Event": {"Push Hook"}, "Idempotency-Key": {"k-1"}, "X-Gitlab-Event-Uuid": {"u-1"}}, tandem.EventPush, "k-1"},
	} {
		t.Run("Delivery: "+tc.name, func(t *testing.T) {
			event, id := r.Delivery(tc.header)
			if event != tc.event || id != tc.id {
				t.Errorf("Delivery = %q %q, want %q %q", event, id, tc.event, tc.id)
			}
		})
	}

	t.Run("the token header must be the secret", func(t *testing.T) {
		if !r.Verify([]byte("hook-secret"), nil, http.Header{"X-Gitlab-Token": {"hook-secret"}}) {
			t.Error("Verify with the secret = false")
		}
		if r.Verify([]byte("hook-secret"), nil, http.Header{"X-Gitlab-Token": {"hook-secreT"}}) {
			t.Error("Verify with another token = true")
		}
	})

	for _, tc := range []struct {
		name string
		body string
		repo string
		code string
	}{
		{"GitLab's push names the project by its path", `{"object_kind":"push","ref":"refs/heads/main","after":"da15","project":{"name":"Payments API","path_with_namespace":"acme/platform/payments-api"},"repository":{"name":"Payments API"}}`, "payments-api", ""},
		{"a GitLab path ending in a slash is invalid", `{"ref":"refs/heads/main","project":{"path_with_namespace":"acme/"},"repository":{"name":"x"}}`, "", tandem.EINVALID},
		{"a payload without repository is invalid", `{"ref":"refs/heads/main"}`, "", tandem.EINVALID},
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
		{"GitLab's merged merge request", `{"object_kind":"merge_request","object_attributes":{"iid":3,"url":"https://gitlab.example.com/acme/api/-/merge_requests/3","state":"merged","action":"merge"}}`, "https://gitlab.example.com/acme/api/-/merge_requests/3", tandem.ChangeMerged, ""},
		{"GitLab's merge request being merged is still open", `{"object_kind":"merge_request","object_attributes":{"url":"https://gitlab.example.com/acme/api/-/merge_requests/3","state":"locked"}}`, "https://gitlab.example.com/acme/api/-/merge_requests/3", tandem.ChangeOpen, ""},
		{"a closed merge request", `{"object_kind":"merge_request","object_attributes":{"url":"https://gitlab.example.com/acme/api/-/merge_requests/3","state":"closed"}}`, "https://gitlab.example.com/acme/api/-/merge_requests/3", tandem.ChangeClosed, ""},
		{"a push payload is invalid", `{"object_kind":"push","ref":"refs/heads/main","project":{"path_with_namespace":"acme/api"},"repository":{"name":"api"}}`, "", "", tandem.EINVALID},
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

// TestParsePullRequestEvent checks that an updated merge request gives
// the guard its project, number, head and base.
func TestParsePullRequestEvent(t *testing.T) {
	body := `{"object_kind":"merge_request","project":{"path_with_namespace":"acme/platform/api"},"object_attributes":{"iid":3,"url":"https://gitlab.example.com/acme/platform/api/-/merge_requests/3","state":"opened","action":"update","target_branch":"main","last_commit":{"id":"abc1"}}}`
	got, err := gitlab.WebhookReceiver{}.ParsePullRequest([]byte(body))
	want := tandem.PullRequestEvent{Repo: "api", Number: 3, Head: "abc1", Base: "main", Action: "update", URL: "https://gitlab.example.com/acme/platform/api/-/merge_requests/3", State: tandem.ChangeOpen}
	if err != nil || got != want {
		t.Fatalf("ParsePullRequest = %+v, %v, want %+v", got, err, want)
	}
}
