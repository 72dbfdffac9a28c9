package github_test

import (
	"context"
	"slices"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/github"
	"github.com/tandem-dev/tandem/hosttest"
)

func TestRequestReviewers(t *testing.T) {
	ctx := context.Background()
	r := newReplay(t)
	h, err := github.New(codeHost(r), env, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://github.com/acme/api/pull/1347"
	route := "POST /repos/acme/api/pulls/1347/requested_reviewers"
	r.On(route, hosttest.Reply{Status: 201, File: "pull-open.json"}, hosttest.Reply{Status: 502, File: "error-not-found.json"},
		hosttest.Reply{Status: 403, File: "error-secondary-rate-limit.json", Headers: map[string]string{"Retry-After": "30"}},
		hosttest.Reply{Status: 422, File: "error-validation.json"})

	if err := h.RequestReviewers(ctx, "api", url, []string{"@acme/payments", "@octocat", "dev@acme.example"}); err != nil {
		t.Fatalf("RequestReviewers: %v", err)
	}
	posts := r.Requests("POST")
	if len(posts) != 1 || !slices.Equal(anyStrings(posts[0].Body["team_reviewers"]), []string{"payments"}) ||
		!slices.Equal(anyStrings(posts[0].Body["reviewers"]), []string{"octocat"}) {
		t.Errorf("requests = %+v, want team payments and user octocat, no e-mail", posts)
	}
	if err := h.RequestReviewers(ctx, "api", url, []string{"dev@acme.example"}); err != nil || len(r.Requests("POST")) != 1 {
		t.Errorf("asking e-mail addresses only: %v, %d requests; want none sent", err, len(r.Requests("POST")))
	}
	for _, want := range []string{tandem.EUNAVAILABLE, tandem.EUNAVAILABLE, tandem.EINVALID} {
		if err := h.RequestReviewers(ctx, "api", url, []string{"@acme/nobody"}); tandem.ErrorCode(err) != want {
			t.Errorf("RequestReviewers = %v, want %s", err, want)
		}
	}
}

func TestReviewed(t *testing.T) {
	ctx := context.Background()
	r := newReplay(t)
	h, err := github.New(codeHost(r), env, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://github.com/acme/api/pull/1347"
	r.On("GET /repos/acme/api/pulls/1347", hosttest.OK("pull-open.json"), hosttest.OK("pull-open.json"))
	r.On("GET /repos/acme/api/pulls/1347/reviews", hosttest.OK("reviews-by-author.json"), hosttest.OK("reviews.json"))
	for _, want := range []bool{false, true} {
		got, err := h.PullRequest(ctx, "api", url)
		if err != nil || got.Reviewed != want || got.State != "open" {
			t.Errorf("PullRequest = %+v, %v; want open, reviewed %v", got, err, want)
		}
	}
}

// anyStrings returns a JSON array decoded as []any as strings.
func anyStrings(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
