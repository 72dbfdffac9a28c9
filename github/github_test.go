package github_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/github"
	"github.com/tandem-dev/tandem/gitx"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/hosttest"
	"github.com/tandem-dev/tandem/proc/proctest"
)

const token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"

// newReplay starts a GitHub Enterprise Server stand-in: its API, below
// /api/v3, takes the token as a bearer token; git as the password of
// x-access-token.
func newReplay(t *testing.T) *hosttest.Server {
	return hosttest.New(t, hosttest.Host{Name: "GitHub", API: "/api/v3",
		APIHeader: "Authorization", APIToken: "Bearer " + token,
		Refused: hosttest.Reply{Status: 401, File: "error-bad-credentials.json"},
		GitUser: "x-access-token", GitPassword: token})
}

func env(name string) string {
	if name == "GITHUB_TOKEN" {
		return token
	}
	return ""
}

func codeHost(r *hosttest.Server) tandem.CodeHost {
	return tandem.CodeHost{Name: "gh", Type: tandem.HostGitHub, URL: r.URL, Org: "acme", Token: "env:GITHUB_TOKEN"}
}

func TestRepositories(t *testing.T) {
	r := newReplay(t)
	api := r.Repo("acme/api", "main", map[string]string{"go.mod": "module api\n"})
	web := r.Repo("acme/web", "trunk", map[string]string{"package.json": "{}\n"})
	r.Repo("acme/lib", "main", map[string]string{"lib.go": "package lib\n"})
	r.On("GET /orgs/acme/repos", hosttest.Reply{Status: 200, File: "repos-page1.json", Headers: map[string]string{
		"Link": `<{url}/api/v3/organizations/1/repos?page=2&per_page=100>; rel="next", <{url}/api/v3/organizations/1/repos?page=2&per_page=100>; rel="last"`}})
	r.On("GET /orgs/acme/repos?page=2", hosttest.OK("repos-page2.json"))
	h, err := github.New(codeHost(r), env, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for round := range 2 { // a first clone, then a fetch into the mirrors
		repos, problems, err := h.Repositories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		read := map[string]tandem.Repository{}
		for _, repo := range repos {
			read[repo.Name] = repo
		}
		if names, want := listed(repos), []string{"api", "blank (skipped)", "web"}; !slices.Equal(names, want) {
			t.Fatalf("round %d: repositories = %v, want %v (archived old and fork lib left out, empty blank listed skipped so that it is not gone)", round, names, want)
		}
		if len(problems) != 1 || !strings.Contains(problems[0].File, "blank") || !strings.Contains(problems[0].Message, "empty") {
			t.Errorf("round %d: problems = %+v, want blank skipped as empty", round, problems)
		}
		for _, want := range []struct{ name, branch, commit string }{{"api", "main", api}, {"web", "trunk", web}} {
			if b, _ := gitx.DefaultBranch(ctx, read[want.name].Dir); b != want.branch {
				t.Errorf("%s: HEAD on %q, want %q", want.name, b, want.branch)
			}
			if head, _ := gitx.Head(ctx, read[want.name].Dir, want.branch); head != want.commit {
				t.Errorf("%s: mirror at %q, want %s", want.name, head, want.commit)
			}
		}
	}
	if got := len(r.Requests("GET")); got != 4 {
		t.Errorf("%d API reads, want 4 (two pages, twice)", got)
	}

	t.Run("a repository that vanished is a problem naming it, the others still read", func(t *testing.T) {
		if err := os.RemoveAll(filepath.Join(r.GitDir, "acme", "web.git")); err != nil {
			t.Fatal(err)
		}
		other, err := github.New(codeHost(r), env, t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		repos, problems, err := other.Repositories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := listed(repos), []string{"api", "blank (skipped)", "web (skipped)"}; !slices.Equal(got, want) {
			t.Errorf("repositories = %v, want %v: web listed skipped, not gone", got, want)
		}
		if len(problems) != 2 || !strings.HasSuffix(problems[1].File, "/acme/web.git") || !strings.Contains(problems[1].Message, "git clone") {
			t.Errorf("problems = %+v, want web's clone failure", problems)
		}
		for _, p := range problems {
			if strings.Contains(p.Message, token) {
				t.Errorf("problem %q shows the token", p.Message)
			}
		}
	})
}

func TestTracker(t *testing.T) {
	r := newReplay(t)
	r.On("GET /user", hosttest.OK("user.json"))
	r.On("GET /repos/acme/backlog/issues", hosttest.Reply{Status: 200, File: "issues-page1.json", Headers: map[string]string{
		"Link": `<{url}/api/v3/repositories/1/issues?state=all&creator=tandem-bot&page=2&per_page=100>; rel="next"`}})
	r.On("GET /repos/acme/backlog/issues?page=2", hosttest.OK("issues-page2.json"))
	r.On("POST /repos/acme/backlog/issues", hosttest.OK("issue-created.json"))
	r.On("GET /repos/acme/backlog/issues/1349/comments", hosttest.OK("comments.json"))
	r.On("POST /repos/acme/backlog/issues/1349/comments", hosttest.Reply{Status: 201, File: "comment-created.json"})
	r.On("PATCH /repos/acme/backlog/issues/1349", hosttest.OK("issue-created.json"))
	tr, err := github.NewTracker(codeHost(r), "acme/backlog", env, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	marker := "<!-- tandem:campaign=logging;team=payments -->"

	t.Run("Find reads past pull requests and pages to the issue with the marker", func(t *testing.T) {
		got, found, err := tr.Find(ctx, marker)
		if err != nil || !found {
			t.Fatalf("Find = %v, %v", found, err)
		}
		want := tandem.ExternalTicket{ID: "1349", URL: "https://github.com/acme/backlog/issues/1349", State: "closed"}
		if got != want {
			t.Errorf("Find = %+v, want %+v (the pull request #1348 carries the marker too)", got, want)
		}
		lists := r.Requests("GET")
		if q := lists[1].Query; !strings.Contains(q, "creator=tandem-bot") || !strings.Contains(q, "state=all") {
			t.Errorf("issue list query %q: want the token user's issues in every state", q)
		}
		if _, found, _ := tr.Find(ctx, "<!-- tandem:campaign=other;team=x -->"); found {
			t.Error("Find found a ticket for a marker no issue carries")
		}
	})

	t.Run("Create files the issue with its labels", func(t *testing.T) {
		got, err := tr.Create(ctx, "Upgrade logging", "Move to the new logger.", []string{"tandem", "migration:logging"})
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != "1350" || got.State != "open" {
			t.Errorf("Create = %+v", got)
		}
		posts := r.Requests("POST")
		if len(posts) != 1 {
			t.Fatalf("%d POSTs, want 1", len(posts))
		}
		labels, _ := posts[0].Body["labels"].([]any)
		if posts[0].Body["title"] != "Upgrade logging" || len(labels) != 2 || labels[1] != "migration:logging" {
			t.Errorf("created with %v", posts[0].Body)
		}
	})

	t.Run("Comment writes once per marker", func(t *testing.T) {
		if err := tr.Comment(ctx, "1349", "Reminder: 3 targets left.", "<!-- tandem:reminder=2026-11 -->"); err != nil {
			t.Fatal(err)
		}
		if n := len(r.Requests("POST")); n != 1 {
			t.Fatalf("a comment whose marker is there was posted again (%d POSTs)", n)
		}
		if err := tr.Comment(ctx, "1349", "Reminder: 2 targets left.", "<!-- tandem:reminder=2026-12 -->"); err != nil {
			t.Fatal(err)
		}
		posts := r.Requests("POST")
		if len(posts) != 2 || posts[1].Path != "/repos/acme/backlog/issues/1349/comments" || posts[1].Body["body"] != "Reminder: 2 targets left." {
			t.Errorf("POSTs = %+v, want the new comment", posts)
		}
	})

	t.Run("SetState closes and reopens", func(t *testing.T) {
		if err := tr.SetState(ctx, "1349", false); err != nil {
			t.Fatal(err)
		}
		if err := tr.SetState(ctx, "1349", true); err != nil {
			t.Fatal(err)
		}
		patches := r.Requests("PATCH")
		if len(patches) != 2 || patches[0].Body["state"] != "closed" || patches[1].Body["state"] != "open" {
			t.Errorf("PATCHes = %+v", patches)
		}
		if err := tr.SetState(ctx, "x1", true); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("SetState(x1) = %v, want EINVALID", err)
		}
	})
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		reply  hosttest.Reply
		code   string
		substr string
	}{
		{"validation failure keeps GitHub's field errors", hosttest.Reply{Status: 422, File: "error-validation.json"},
			tandem.EINVALID, "Validation Failed; Issue title missing_field"},
		{"spent rate limit says until when", hosttest.Reply{Status: 403, File: "error-rate-limit.json", Headers: map[string]string{
			"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Used": "5000",
			"X-RateLimit-Reset": "1798761600", "X-RateLimit-Resource": "core"}},
			tandem.EUNAVAILABLE, "rate limit of 5000 requests spent until 2027-01-01T00:00:00Z"},
		{"secondary rate limit says how long to wait", hosttest.Reply{Status: 403, File: "error-secondary-rate-limit.json", Headers: map[string]string{
			"Retry-After": "60"}},
			tandem.EUNAVAILABLE, "secondary rate limit: retry after 1m0s"},
		{"rate limit answered 429 says how long to wait", hosttest.Reply{Status: 429, File: "error-secondary-rate-limit.json", Headers: map[string]string{
			"Retry-After": "60"}},
			tandem.EUNAVAILABLE, "rate limit (429): retry after 1m0s"},
		{"server error is unavailable", hosttest.Reply{Status: 502, File: "error-not-found.json"},
			tandem.EUNAVAILABLE, "github answered 502"},
		{"missing repository", hosttest.Reply{Status: 404, File: "error-not-found.json"},
			tandem.ENOTFOUND, "create issue in acme/backlog: not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReplay(t)
			r.On("POST /repos/acme/backlog/issues", tt.reply)
			tr, err := github.NewTracker(codeHost(r), "acme/backlog", env, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tr.Create(context.Background(), "", "body", nil)
			if tandem.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("Create = %v (%s), want %s containing %q", err, tandem.ErrorCode(err), tt.code, tt.substr)
			}
		})
	}

	t.Run("a refused token names the rights it needs and is never shown", func(t *testing.T) {
		r := newReplay(t)
		h := codeHost(r)
		_, err := github.NewTracker(h, "acme/backlog", func(string) string { return "" }, nil)
		if tandem.ErrorCode(err) != tandem.EINVALID || !strings.Contains(err.Error(), "GITHUB_TOKEN is not set") {
			t.Errorf("NewTracker without the variable = %v", err)
		}
		tr, err := github.NewTracker(h, "acme/backlog", func(string) string { return "wrong" }, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tr.Create(context.Background(), "t", "b", nil)
		if tandem.ErrorCode(err) != tandem.EINVALID || !strings.Contains(err.Error(), "issues: write") || strings.Contains(err.Error(), "wrong") {
			t.Errorf("Create with a bad token = %v", err)
		}
	})

	t.Run("an unreachable server is unavailable", func(t *testing.T) {
		r := newReplay(t)
		h := codeHost(r)
		h.URL = "http://127.0.0.1:1"
		tr, err := github.NewTracker(h, "acme/backlog", env, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = tr.Find(context.Background(), "<!-- m -->")
		var terr *tandem.Error
		if !errors.As(err, &terr) || terr.Code != tandem.EUNAVAILABLE {
			t.Errorf("Find = %v, want EUNAVAILABLE", err)
		}
	})
}

func TestPropose(t *testing.T) {
	r := newReplay(t)
	r.Repo("acme/api", "main", map[string]string{"go.mod": "module api\n"})
	r.On("GET /orgs/acme/repos", hosttest.OK("repos-page1.json"))
	r.On("GET /repos/acme/api/pulls", hosttest.OK("pulls-empty.json"), hosttest.OK("pulls-merged.json"))
	r.On("POST /repos/acme/api/pulls", hosttest.Reply{Status: 201, File: "pull-created.json"})
	h, err := github.New(codeHost(r), env, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	repos, _, err := h.Repositories(ctx)
	if err != nil || len(repos) != 1 {
		t.Fatalf("Repositories = %v, %v", repos, err)
	}
	fix, err := gitx.Fix(ctx, gitx.FixRequest{Runner: proctest.Runner(t), Repo: repos[0].Dir, Base: "main", Branch: "tandem/logging",
		Run: []string{"sh", "-c", "echo 'go 1.26' >> go.mod"}, Message: "Upgrade logging"})
	if err != nil {
		t.Fatal(err)
	}

	got, err := h.Propose(ctx, "api", "tandem/logging", "main", "Upgrade logging", "Please pull these awesome changes in!")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "1347" || got.State != "open" {
		t.Errorf("Propose = %+v, want #1347 open", got)
	}
	pushed := gittest.Run(t, filepath.Join(r.GitDir, "acme", "api.git"), "rev-parse", "refs/heads/tandem/logging")
	if pushed != fix {
		t.Errorf("branch on the server at %s, want the fix %s", pushed, fix)
	}
	posts := r.Requests("POST")
	if len(posts) != 1 || posts[0].Body["head"] != "tandem/logging" || posts[0].Body["base"] != "main" {
		t.Errorf("POSTs = %+v, want one pull request from tandem/logging into main", posts)
	}
	if q := r.Requests("GET")[1].Query; !strings.Contains(q, "head=acme%3Atandem%2Flogging") {
		t.Errorf("pull request lookup %q: want it filtered on the head branch", q)
	}

	got, err = h.Propose(ctx, "api", "tandem/logging", "main", "Upgrade logging", "again")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != tandem.ChangeMerged || len(r.Requests("POST")) != 1 {
		t.Errorf("second Propose = %+v with %d POSTs, want the merged pull request and no new one", got, len(r.Requests("POST")))
	}

	t.Run("reading a pull request's state", func(t *testing.T) {
		r.On("GET /repos/acme/api/pulls/1347", hosttest.OK("pull-closed.json"), hosttest.Reply{Status: 404, File: "error-not-found.json"})
		got, err := h.PullRequest(ctx, "api", "https://github.com/acme/api/pull/1347")
		if want := (tandem.ExternalTicket{ID: "1347", URL: "https://github.com/acme/api/pull/1347", State: tandem.ChangeClosed, Head: "6dcb09b5b57875f334f61aebed695e2e4193db5e"}); err != nil || got != want {
			t.Errorf("PullRequest = %+v, %v, want %+v", got, err, want)
		}
		if _, err := h.PullRequest(ctx, "api", "https://github.com/acme/api/pull/1347"); tandem.ErrorCode(err) != tandem.ENOTFOUND {
			t.Errorf("PullRequest of a deleted pull request = %v, want ENOTFOUND", err)
		}
		if _, err := h.PullRequest(ctx, "api", "https://github.com/acme/api/pulls"); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("PullRequest of an address without a number = %v, want EINVALID", err)
		}
	})

	t.Run("commenting on a pull request, once per marker", func(t *testing.T) {
		r.On("GET /repos/acme/api/issues/1347/comments", hosttest.OK("comments.json"), hosttest.OK("comments.json"))
		r.On("POST /repos/acme/api/issues/1347/comments", hosttest.Reply{Status: 201, File: "comment-created.json"})
		const url = "https://github.com/acme/api/pull/1347"
		before := len(r.Requests("POST"))
		if err := h.CommentPullRequest(ctx, "api", url, "Reminder: 3 targets left.", "<!-- tandem:reminder=2026-11 -->"); err != nil {
			t.Fatal(err)
		}
		if err := h.CommentPullRequest(ctx, "api", url, "Reminder: waiting for review.", "<!-- tandem:nudge=1;day=2026-12-01 -->"); err != nil {
			t.Fatal(err)
		}
		posts := r.Requests("POST")[before:]
		if len(posts) != 1 || posts[0].Path != "/repos/acme/api/issues/1347/comments" || posts[0].Body["body"] != "Reminder: waiting for review." {
			t.Errorf("POSTs = %+v, want the one comment whose marker was not there", posts)
		}
	})
}

// TestVerifySignature uses the example of GitHub's webhook documentation.
func TestVerifySignature(t *testing.T) {
	secret, body := []byte("It's a Secret to Everybody"), []byte("Hello, World!")
	good := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if !github.VerifySignature(secret, body, good) {
		t.Error("the documentation's signature does not verify")
	}
	for _, bad := range []string{"", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
		"sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"} {
		if github.VerifySignature(secret, body, bad) {
			t.Errorf("signature %q verifies", bad)
		}
	}
}

// listed returns the names of repos, each skipped one followed by
// " (skipped)".
func listed(repos []tandem.Repository) []string {
	var names []string
	for _, r := range repos {
		if r.Skipped {
			names = append(names, r.Name+" (skipped)")
		} else {
			names = append(names, r.Name)
		}
	}
	return names
}
