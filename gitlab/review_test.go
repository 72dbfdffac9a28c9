package gitlab_test

import (
	"context"
	"slices"
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
		hosttest.Reply{Status: 502, File: "error-bad-gateway.json"})

	if err := h.RequestReviewers(ctx, "api", url, []string{"@acme/payments", "@octocat", "dev@acme.example", "@@maintainers"}); err != nil {
		t.Fatalf("RequestReviewers: %v", err)
	}
	puts := r.Requests("PUT")
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
	if err := h.RequestReviewers(ctx, "api", url, []string{"@octocat"}); tandem.ErrorCode(err) != tandem.EUNAVAILABLE {
		t.Errorf("RequestReviewers through a 502 = %v, want EUNAVAILABLE", err)
	}
	// A handle that is neither a user nor a group.
	r = newReplay(t)
	if h, err = gitlab.New(codeHost(r), env, t.TempDir(), nil); err != nil {
		t.Fatal(err)
	}
	r.On("GET /users", hosttest.OK("empty.json"))
	r.On("GET /groups/ghost/members", hosttest.Reply{Status: 404, File: "error-not-found.json"})
	if err := h.RequestReviewers(ctx, "api", url, []string{"@ghost"}); tandem.ErrorCode(err) != tandem.ENOTFOUND || len(r.Requests("PUT")) != 0 {
		t.Errorf("RequestReviewers of an unknown handle = %v, want ENOTFOUND", err)
	}
}

func TestReviewed(t *testing.T) {
	ctx := context.Background()
	r := newReplay(t)
	h, err := gitlab.New(codeHost(r), env, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://gitlab.example.com/acme/api/-/merge_requests/3"
	r.On("GET /projects/acme%2Fapi/merge_requests/3", hosttest.OK("merge-request-created.json"), hosttest.OK("merge-request-created.json"))
	r.On("GET /projects/acme%2Fapi/merge_requests/3/reviewers", hosttest.OK("reviewers-unreviewed.json"), hosttest.OK("reviewers-reviewed.json"))
	for _, want := range []bool{false, true} {
		got, err := h.PullRequest(ctx, "api", url)
		if err != nil || got.Reviewed != want || got.State != "open" {
			t.Errorf("PullRequest = %+v, %v; want open, reviewed %v", got, err, want)
		}
	}
}
