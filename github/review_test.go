package github_test

import (
	"context"
	"slices"
	"strings"
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
	const path = "/repos/acme/api/pulls/1347/requested_reviewers"
	r.On("POST "+path, hosttest.Reply{Status: 201, File: "pull-open.json"}, hosttest.Reply{Status: 201, File: "pull-open.json"},
		hosttest.Reply{Status: 502, File: "error-not-found.json"},
		hosttest.Reply{Status: 429, File: "error-secondary-rate-limit.json", Headers: map[string]string{"Retry-After": "30"}},
		hosttest.Reply{Status: 403, File: "error-secondary-rate-limit.json", Headers: map[string]string{"Retry-After": "30"}},
		hosttest.Reply{Status: 422, File: "error-validation.json"})

	// Asked twice, GitHub is asked twice: a second request asks again
	// reviewers who reviewed since.
	for range 2 {
		if err := h.RequestReviewers(ctx, "api", url, []string{"@acme/payments", "@octocat", "dev@acme.example"}); err != nil {
			t.Fatalf("RequestReviewers: %v", err)
		}
	}
	posts := r.Requests("POST")
	if len(posts) != 2 {
		t.Fatalf("requests = %+v, want two", posts)
	}
	for _, p := range posts {
		if p.Path != path || !slices.Equal(anyStrings(p.Body["team_reviewers"]), []string{"payments"}) ||
			!slices.Equal(anyStrings(p.Body["reviewers"]), []string{"octocat"}) {
			t.Errorf("request = %+v, want POST %s of team payments and user octocat, no e-mail", p, path)
		}
	}
	for _, none := range [][]string{nil, {"dev@acme.example"}} {
		if err := h.RequestReviewers(ctx, "api", url, none); err != nil || len(r.Requests("POST")) != 2 {
			t.Errorf("asking %q: %v, %d requests; want none sent", none, err, len(r.Requests("POST")))
		}
	}
	for _, want := range []string{tandem.EUNAVAILABLE, tandem.EUNAVAILABLE, tandem.EUNAVAILABLE, tandem.EINVALID} {
		err := h.RequestReviewers(ctx, "api", url, []string{"@acme/nobody"})
		if tandem.ErrorCode(err) != want {
			t.Errorf("RequestReviewers = %v, want %s", err, want)
		}
		// GitHub's 422 says that a reviewer is no collaborator, not
		// which: the error names the handles asked and the pull request.
		if want == tandem.EINVALID && (!strings.Contains(err.Error(), "@acme/nobody") || !strings.Contains(err.Error(), url)) {
			t.Errorf("error %q, want it to name @acme/nobody and %s", err, url)
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
