package gitlab_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitlab"
	"github.com/tandem-dev/tandem/hosttest"
)

func TestRequestReviewers(t *testing.T) {
	ctx := context.Background()
	r := newReplay(t)
	h, err := gitlab.New(codeHost(r), env, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://gitlab.example.com/acme/api/-/merge_requests/3"
	r.On("GET /users", hosttest.OK("users-octocat.json"))
	r.On("GET /groups/acme%2Fpayments/members", hosttest.OK("group-members.json"))
	r.On("GET /projects/acme%2Fapi/merge_requests/3", hosttest.OK("merge-request-reviewers-set.json"))
	r.On("PUT /projects/acme%2Fapi/merge_requests/3", hosttest.OK("merge-request-reviewers-set.json"),
		hosttest.Reply{Status: 502, File: "error-bad-gateway.json"},
		hosttest.Reply{Status: 429, File: "error-rate-limit.txt", Headers: map[string]string{"Retry-After": "30"}})

	if err := h.RequestReviewers(ctx, "api", url, []string{"@acme/payments", "@octocat", "dev@acme.example", "@@maintainers"}); err != nil {
		t.Fatalf("RequestReviewers: %v", err)
	}
	var users []string
	for _, g := range r.Requests("GET") {
		if g.Path == "/users" {
			users = append(users, g.Query)
		}
	}
	// @acme/payments has a slash: a group, not looked up as a user.
	if len(users) != 1 || !strings.Contains(users[0], "username=octocat") {
		t.Errorf("user look-ups = %q, want one of username=octocat", users)
	}
	puts := r.Requests("PUT")
	if len(puts) == 1 && puts[0].Path != "/projects/acme%2Fapi/merge_requests/3" {
		t.Errorf("PUT %s, want the merge request", puts[0].Path)
	}
	var ids []float64
	if len(puts) == 1 {
		for _, v := range puts[0].Body["reviewer_ids"].([]any) {
			ids = append(ids, v.(float64))
		}
	}
	// octocat (7), payments' members (11, 12), john (12) kept: once each.
	if !slices.Equal(ids, []float64{7, 11, 12}) {
		t.Errorf("PUTs = %+v, want reviewer_ids [7 11 12]", puts)
	}
	for _, status := range []string{"502", "429"} {
		if err := h.RequestReviewers(ctx, "api", url, []string{"@octocat"}); tandem.ErrorCode(err) != tandem.EUNAVAILABLE {
			t.Errorf("RequestReviewers through a %s = %v, want EUNAVAILABLE", status, err)
		}
	}
	if err := h.RequestReviewers(ctx, "api", url, []string{"dev@acme.example", "@@maintainers"}); err != nil || len(r.Requests("PUT")) != 3 {
		t.Errorf("asking no user: %v, %d PUTs; want none more sent", err, len(r.Requests("PUT")))
	}
	// A handle that is neither a user nor a group.
	r = newReplay(t)
	if h, err = gitlab.New(codeHost(r), env, t.TempDir(), nil); err != nil {
		t.Fatal(err)
	}
	r.On("GET /users", hosttest.OK("empty.json"))
	r.On("GET /groups/ghost/members", hosttest.Reply{Status: 404, File: "error-not-found.json"})
	err = h.RequestReviewers(ctx, "api", url, []string{"@ghost"})
	if tandem.ErrorCode(err) != tandem.ENOTFOUND || len(r.Requests("PUT")) != 0 {
		t.Errorf("RequestReviewers of an unknown handle = %v, want ENOTFOUND and nothing set", err)
	}
	if err != nil && (!strings.Contains(err.Error(), "no user or group @ghost") || !strings.Contains(err.Error(), url)) {
		t.Errorf("error %q, want it to name @ghost and %s", err, url)
	}
}

// TestReviewed reads a merge request's review from its reviewers' states
// and, when none reviewed, from its approvals, leaving out its author's.
func TestReviewed(t *testing.T) {
	ctx := context.Background()
	r := newReplay(t)
	h, err := gitlab.New(codeHost(r), env, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://gitlab.example.com/acme/api/-/merge_requests/3"
	mr := "/projects/acme%2Fapi/merge_requests/3"
	r.On("GET "+mr, hosttest.OK("merge-request-created.json"))
	r.On("GET "+mr+"/reviewers", hosttest.OK("reviewers-unreviewed.json"), hosttest.OK("reviewers-unreviewed.json"),
		hosttest.OK("reviewers-unreviewed.json"), hosttest.OK("reviewers-reviewed.json"), hosttest.OK("reviewers-unreviewed.json"))
	r.On("GET "+mr+"/approvals", hosttest.OK("approvals-none.json"), hosttest.OK("approvals-by-author.json"),
		hosttest.OK("approvals.json"), hosttest.Reply{Status: 429, File: "error-rate-limit.txt", Headers: map[string]string{"Retry-After": "30"}})
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"no reviewer reviewed and nobody approved", false},
		{"only the author approved", false},
		{"someone approved without being a reviewer", true},
		{"a reviewer asked for changes", true},
	} {
		got, err := h.PullRequest(ctx, "api", url)
		if err != nil || got.Reviewed != tc.want || got.State != "open" {
			t.Errorf("%s: PullRequest = %+v, %v; want open, reviewed %v", tc.name, got, err, tc.want)
		}
	}
	var approvals int
	for _, g := range r.Requests("GET") {
		if g.Path == mr+"/approvals" {
			approvals++
		}
	}
	if approvals != 3 {
		t.Errorf("approvals read %d times, want 3: not when a reviewer reviewed", approvals)
	}
	if _, err := h.PullRequest(ctx, "api", url); tandem.ErrorCode(err) != tandem.EUNAVAILABLE {
		t.Errorf("PullRequest through a 429 = %v, want EUNAVAILABLE", err)
	}
}
