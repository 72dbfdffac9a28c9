package gitlab_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitlab"
	"github.com/tandem-dev/tandem/hosttest"
)

// TestGuardPullRequest fetches a merge request's head into the mirror and
// posts the guard's statuses: a warning as a success that says so, a rate
// limit as unavailable (the job retries).
func TestGuardPullRequest(t *testing.T) {
	r := newReplay(t)
	base := r.Repo("acme/api", "main", map[string]string{"main.go": "package main\n"})
	r.On("GET /groups/acme/projects", hosttest.OK("projects-page1.json"))
	h, err := gitlab.New(codeHost(r), env, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := h.Repositories(ctx, "api"); err != nil {
		t.Fatal(err)
	}
	head := r.PullRequest("acme/api", "main", "refs/merge-requests/3/head", map[string]string{"log.go": "package main\n"})
	_, mergeBase, err := h.FetchPullRequest(ctx, tandem.PullRequestEvent{Repo: "api", Number: 3, Head: head, Base: "main"})
	if err != nil || mergeBase != base {
		t.Fatalf("FetchPullRequest = %q, %v, want the merge base %s", mergeBase, err, base)
	}

	route := "POST /projects/acme%2Fapi/statuses/" + head
	r.On(route, hosttest.Reply{Status: 201, File: "status-created.json"}, hosttest.Reply{Status: 201, File: "status-created.json"},
		hosttest.Reply{Status: 429, File: "error-rate-limit.txt", Headers: map[string]string{"Retry-After": "30"}})
	for _, s := range []tandem.CommitStatus{
		{State: tandem.StatusWarning, Context: "tandem/guard/logrus", Description: "warning: adds log.go:1", TargetURL: "https://t/campaigns/logrus"},
		{State: tandem.StatusFailure, Context: "tandem/guard/logrus", Description: "adds log.go:1", TargetURL: "https://t/campaigns/logrus"},
	} {
		if err := h.PostStatus(ctx, "api", head, s); err != nil {
			t.Fatal(err)
		}
	}
	posts := r.Requests("POST")
	if len(posts) != 2 || posts[0].Body["state"] != "success" || !strings.HasPrefix(posts[0].Body["description"].(string), "warning:") ||
		posts[1].Body["state"] != "failed" || posts[1].Body["context"] != "tandem/guard/logrus" || posts[1].Body["target_url"] != "https://t/campaigns/logrus" {
		t.Errorf("POSTs = %+v, want a success saying warning, then a failure", posts)
	}
	err = h.PostStatus(ctx, "api", head, tandem.CommitStatus{State: tandem.StatusSuccess, Context: "tandem/guard/logrus"})
	if tandem.ErrorCode(err) != tandem.EUNAVAILABLE {
		t.Errorf("PostStatus on a 429 = %v, want EUNAVAILABLE", err)
	}
}
