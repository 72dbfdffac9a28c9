package gitlab_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitlab"
	"github.com/tandem-dev/tandem/gitx"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/hosttest"
	"github.com/tandem-dev/tandem/proc/proctest"
)

const token = "glpat-Xk3pN9vQ2mR7sT1uW4yZ"

// newReplay starts a self-managed GitLab stand-in: its API, below
// /api/v4, takes the token in PRIVATE-TOKEN; git as the password of the
// user oauth2.
func newReplay(t *testing.T) *hosttest.Server {
	return hosttest.New(t, hosttest.Host{Name: "GitLab", API: "/api/v4",
		APIHeader: "PRIVATE-TOKEN", APIToken: token,
		Refused: hosttest.Reply{Status: 401, File: "error-unauthorized.json"},
		GitUser: "oauth2", GitPassword: token})
}

func env(name string) string {
	if name == "GITLAB_TOKEN" {
		return token
	}
	return ""
}

func codeHost(r *hosttest.Server) tandem.CodeHost {
	return tandem.CodeHost{Name: "gl", Type: tandem.HostGitLab, URL: r.URL, Org: "acme", Token: "env:GITLAB_TOKEN"}
}

// page is a reply carrying GitLab's offset pagination headers.
func page(file, path string, n, total int) hosttest.Reply {
	h := map[string]string{"X-Page": itoa(n), "X-Per-Page": "100", "X-Total-Pages": itoa(total), "X-Total": itoa(total * 2)}
	link := `<{url}/api/v4` + path + `?page=1&per_page=100>; rel="first", <{url}/api/v4` + path + `?page=` + itoa(total) + `&per_page=100>; rel="last"`
	if n < total {
		h["X-Next-Page"] = itoa(n + 1)
		link = `<{url}/api/v4` + path + `?page=` + itoa(n+1) + `&per_page=100>; rel="next", ` + link
	} else {
		h["X-Next-Page"] = ""
	}
	h["Link"] = link
	return hosttest.Reply{Status: 200, File: file, Headers: h}
}

func itoa(n int) string { return string(rune('0' + n)) }

func TestRepositories(t *testing.T) {
	r := newReplay(t)
	api := r.Repo("acme/api", "main", map[string]string{"go.mod": "module api\n"})
	web := r.Repo("acme/web", "trunk", map[string]string{"package.json": "{}\n"})
	r.Repo("acme/lib", "main", map[string]string{"lib.go": "package lib\n"})
	r.Repo("acme/old", "main", map[string]string{"old.go": "package old\n"})
	r.On("GET /groups/acme/projects", page("projects-page1.json", "/groups/acme/projects", 1, 2))
	r.On("GET /groups/acme/projects?page=2", page("projects-page2.json", "/groups/acme/projects", 2, 2))
	h, err := gitlab.New(codeHost(r), env, t.TempDir(), nil)
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
		if len(problems) != 1 || !strings.HasSuffix(problems[0].File, "/acme/blank.git") || problems[0].Message != "skipped: empty repository" {
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
	gets := r.Requests("GET")
	if len(gets) != 4 {
		t.Errorf("%d API reads, want 4 (two pages, twice)", len(gets))
	}
	if q := gets[0].Query; !strings.Contains(q, "include_subgroups=false") || !strings.Contains(q, "per_page=100") {
		t.Errorf("project list query %q: want the group's own projects, 100 a page", q)
	}

	t.Run("a repository that vanished is a problem naming it, the others still read", func(t *testing.T) {
		if err := os.RemoveAll(filepath.Join(r.GitDir, "acme", "web.git")); err != nil {
			t.Fatal(err)
		}
		other, err := gitlab.New(codeHost(r), env, t.TempDir(), nil)
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

	t.Run("archived projects and forks are read when the host includes them", func(t *testing.T) {
		ch := codeHost(r)
		ch.Archived, ch.Forks = true, true
		all, err := gitlab.New(ch, env, t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		repos, _, err := all.Repositories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := listed(repos), []string{"api", "blank (skipped)", "lib", "old", "web (skipped)"}; !slices.Equal(got, want) {
			t.Errorf("repositories = %v, want %v", got, want)
		}
	})
}

func TestNew(t *testing.T) {
	r := newReplay(t)
	for _, org := range []string{"", "/acme", "acme/", "acme//x", "acme/..", `acme\x`} {
		h := codeHost(r)
		h.Org = org
		if _, err := gitlab.New(h, env, t.TempDir(), nil); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("New with org %q = %v, want EINVALID", org, err)
		}
	}
	h := codeHost(r)
	h.URL = "https://oauth2:" + token + "@gitlab.example.com"
	if _, err := gitlab.New(h, env, t.TempDir(), nil); tandem.ErrorCode(err) != tandem.EINVALID || strings.Contains(err.Error(), token) {
		t.Errorf("New with credentials in the URL = %v, want EINVALID without the token", err)
	}
	for _, repo := range []string{"backlog", "acme/", "/backlog", "acme//backlog"} {
		if _, err := gitlab.NewTracker(codeHost(r), repo, env, nil); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("NewTracker(%q) = %v, want EINVALID", repo, err)
		}
	}
	if _, err := gitlab.NewTracker(codeHost(r), "acme/platform/backlog", env, nil); err != nil {
		t.Errorf("NewTracker in a subgroup = %v", err)
	}
}

func TestTracker(t *testing.T) {
	r := newReplay(t)
	r.On("GET /user", hosttest.OK("user.json"))
	r.On("GET /projects/acme%2Fbacklog/issues", page("issues-page1.json", "/projects/1/issues", 1, 2))
	r.On("GET /projects/acme%2Fbacklog/issues?page=2", page("issues-page2.json", "/projects/1/issues", 2, 2))
	r.On("POST /projects/acme%2Fbacklog/issues", hosttest.Reply{Status: 201, File: "issue-created.json"})
	r.On("GET /projects/acme%2Fbacklog/issues/14/notes", hosttest.OK("notes.json"))
	r.On("POST /projects/acme%2Fbacklog/issues/14/notes", hosttest.Reply{Status: 201, File: "note-created.json"})
	r.On("PUT /projects/acme%2Fbacklog/issues/14", hosttest.OK("issue-created.json"))
	tr, err := gitlab.NewTracker(codeHost(r), "acme/backlog", env, nil)
	if err != nil {
		t.Fatal(err)
	}
	var _ tandem.TicketTracker = tr
	ctx := context.Background()
	marker := "<!-- tandem:campaign=logging;team=payments -->"

	t.Run("Find skips other markers and pages to the issue with the marker", func(t *testing.T) {
		got, found, err := tr.Find(ctx, marker)
		if err != nil || !found {
			t.Fatalf("Find = %v, %v", found, err)
		}
		want := tandem.ExternalTicket{ID: "14", URL: "https://gitlab.example.com/acme/backlog/-/issues/14", State: "closed"}
		if got != want {
			t.Errorf("Find = %+v, want %+v (issue 6 carries another team's marker)", got, want)
		}
		lists := r.Requests("GET")
		if len(lists) != 3 || lists[0].Path != "/user" {
			t.Fatalf("GETs = %+v, want the user then two pages of issues", lists)
		}
		if q := lists[1].Query; !strings.Contains(q, "author_id=42") || !strings.Contains(q, "scope=all") || strings.Contains(q, "state=") {
			t.Errorf("issue list query %q: want the token user's issues in every state", q)
		}
		if _, found, _ := tr.Find(ctx, "<!-- tandem:campaign=other;team=x -->"); found {
			t.Error("Find found a ticket for a marker no issue carries")
		}
		if _, _, err := tr.Find(ctx, ""); tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("Find with no marker = %v, want EINVALID", err)
		}
	})

	t.Run("Create files the issue with its labels", func(t *testing.T) {
		got, err := tr.Create(ctx, "Upgrade logging", "Move to the new logger.", []string{"tandem", "migration:logging"})
		if err != nil {
			t.Fatal(err)
		}
		want := tandem.ExternalTicket{ID: "15", URL: "https://gitlab.example.com/acme/backlog/-/issues/15", State: "open"}
		if got != want {
			t.Errorf("Create = %+v, want %+v", got, want)
		}
		posts := r.Requests("POST")
		if len(posts) != 1 {
			t.Fatalf("%d POSTs, want 1", len(posts))
		}
		b := posts[0].Body
		if b["title"] != "Upgrade logging" || b["description"] != "Move to the new logger." || b["labels"] != "tandem,migration:logging" {
			t.Errorf("created with %v", b)
		}
	})

	t.Run("Comment writes once per marker", func(t *testing.T) {
		if err := tr.Comment(ctx, "14", "Reminder: 3 targets left.", "<!-- tandem:reminder=2026-11 -->"); err != nil {
			t.Fatal(err)
		}
		if n := len(r.Requests("POST")); n != 1 {
			t.Fatalf("a note whose marker is there was posted again (%d POSTs)", n)
		}
		if err := tr.Comment(ctx, "14", "Reminder: 2 targets left.", "<!-- tandem:reminder=2026-12 -->"); err != nil {
			t.Fatal(err)
		}
		posts := r.Requests("POST")
		if len(posts) != 2 || posts[1].Path != "/projects/acme%2Fbacklog/issues/14/notes" || posts[1].Body["body"] != "Reminder: 2 targets left." {
			t.Errorf("POSTs = %+v, want the new note", posts)
		}
	})

	t.Run("SetState closes and reopens", func(t *testing.T) {
		if err := tr.SetState(ctx, "14", false); err != nil {
			t.Fatal(err)
		}
		if err := tr.SetState(ctx, "14", true); err != nil {
			t.Fatal(err)
		}
		puts := r.Requests("PUT")
		if len(puts) != 2 || puts[0].Body["state_event"] != "close" || puts[1].Body["state_event"] != "reopen" {
			t.Errorf("PUTs = %+v", puts)
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
		{"validation failure keeps GitLab's field errors", hosttest.Reply{Status: 422, File: "error-validation.json"},
			tandem.EINVALID, "gitlab answered 422: {message: {title: [can't be blank]}}"},
		{"bad request keeps GitLab's error", hosttest.Reply{Status: 400, File: "error-bad-request.json"},
			tandem.EINVALID, "gitlab answered 400: {error: title is missing}"},
		{"rate limit says how long to wait", hosttest.Reply{Status: 429, File: "error-rate-limit.txt", Headers: map[string]string{
			"Retry-After": "60", "RateLimit-Limit": "600", "RateLimit-Observed": "600", "RateLimit-Remaining": "0",
			"RateLimit-Reset": "1798761600", "RateLimit-ResetTime": "Fri, 01 Jan 2027 00:00:00 GMT"}},
			tandem.EUNAVAILABLE, "gitlab rate limit: retry after 1m0s"},
		{"rate limit without Retry-After says until when", hosttest.Reply{Status: 429, File: "error-rate-limit.txt", Headers: map[string]string{
			"RateLimit-Limit": "600", "RateLimit-Remaining": "0", "RateLimit-Reset": "1798761600"}},
			tandem.EUNAVAILABLE, "gitlab rate limit: retry after 2027-01-01T00:00:00Z"},
		{"server error is unavailable", hosttest.Reply{Status: 502, File: "error-bad-gateway.json"},
			tandem.EUNAVAILABLE, "gitlab answered 502"},
		{"forbidden names the rights", hosttest.Reply{Status: 403, File: "error-forbidden.json"},
			tandem.EINVALID, "the token lacks rights (403): it needs api on the project"},
		{"missing project", hosttest.Reply{Status: 404, File: "error-not-found.json"},
			tandem.ENOTFOUND, "create issue in acme/backlog: not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReplay(t)
			r.On("POST /projects/acme%2Fbacklog/issues", tt.reply)
			tr, err := gitlab.NewTracker(codeHost(r), "acme/backlog", env, nil)
			if err != nil {
				t.Fatal(err)
			}
			// A client retrying by itself would wait out Retry-After.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err = tr.Create(ctx, "", "body", nil)
			if tandem.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("Create = %v (%s), want %s containing %q", err, tandem.ErrorCode(err), tt.code, tt.substr)
			}
			if n := len(r.Requests("POST")); n != 1 {
				t.Errorf("%d POSTs, want 1: the client must not retry by itself", n)
			}
		})
	}

	t.Run("a refused token names the rights it needs and is never shown", func(t *testing.T) {
		r := newReplay(t)
		h := codeHost(r)
		_, err := gitlab.NewTracker(h, "acme/backlog", func(string) string { return "" }, nil)
		if tandem.ErrorCode(err) != tandem.EINVALID || !strings.Contains(err.Error(), "GITLAB_TOKEN is not set") {
			t.Errorf("NewTracker without the variable = %v", err)
		}
		wrong := "glpat-wrongwrongwrong"
		tr, err := gitlab.NewTracker(h, "acme/backlog", func(string) string { return wrong }, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tr.Create(context.Background(), "t", "b", nil)
		if tandem.ErrorCode(err) != tandem.EINVALID || !strings.Contains(err.Error(), "gitlab refused the token (401)") ||
			!strings.Contains(err.Error(), "api on the project") || strings.Contains(err.Error(), wrong) {
			t.Errorf("Create with a bad token = %v", err)
		}
	})

	t.Run("an unreachable server is unavailable", func(t *testing.T) {
		r := newReplay(t)
		h := codeHost(r)
		h.URL = "http://127.0.0.1:1"
		tr, err := gitlab.NewTracker(h, "acme/backlog", env, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = tr.Find(context.Background(), "<!-- m -->")
		var terr *tandem.Error
		if !errors.As(err, &terr) || terr.Code != tandem.EUNAVAILABLE || !strings.Contains(err.Error(), "gitlab unreachable") || strings.Contains(err.Error(), token) {
			t.Errorf("Find = %v, want EUNAVAILABLE", err)
		}
	})

	t.Run("a canceled context is returned as is", func(t *testing.T) {
		r := newReplay(t)
		tr, err := gitlab.NewTracker(codeHost(r), "acme/backlog", env, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, _, err := tr.Find(ctx, "<!-- m -->"); !errors.Is(err, context.Canceled) {
			t.Errorf("Find = %v, want context.Canceled", err)
		}
	})
}

// TestPropose works in a subgroup, acme/platform.
func TestPropose(t *testing.T) {
	r := newReplay(t)
	r.Repo("acme/platform/api", "main", map[string]string{"go.mod": "module api\n"})
	r.On("GET /groups/acme%2Fplatform/projects", hosttest.OK("projects-platform.json"))
	mrs := "/projects/acme%2Fplatform%2Fapi/merge_requests"
	r.On("GET "+mrs, hosttest.OK("merge-requests-fork.json"), hosttest.OK("merge-requests-merged.json"))
	r.On("POST "+mrs, hosttest.Reply{Status: 201, File: "merge-request-created.json"})
	ch := codeHost(r)
	ch.Org = "acme/platform"
	h, err := gitlab.New(ch, env, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var _ tandem.ChangeProposer = h
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

	got, err := h.Propose(ctx, "api", "tandem/logging", "main", "Upgrade logging", "Please merge these changes.")
	if err != nil {
		t.Fatal(err)
	}
	want := tandem.ExternalTicket{ID: "3", URL: "https://gitlab.example.com/acme/platform/api/-/merge_requests/3", State: "open"}
	if got != want {
		t.Errorf("Propose = %+v, want %+v (not the fork's merge request !2)", got, want)
	}
	pushed := gittest.Run(t, filepath.Join(r.GitDir, "acme", "platform", "api.git"), "rev-parse", "refs/heads/tandem/logging")
	if pushed != fix {
		t.Errorf("branch on the server at %s, want the fix %s", pushed, fix)
	}
	posts := r.Requests("POST")
	if len(posts) != 1 {
		t.Fatalf("POSTs = %+v, want one merge request", posts)
	}
	b := posts[0].Body
	if b["source_branch"] != "tandem/logging" || b["target_branch"] != "main" || b["title"] != "Upgrade logging" || b["description"] != "Please merge these changes." {
		t.Errorf("merge request created with %v", b)
	}
	if q := r.Requests("GET")[1].Query; !strings.Contains(q, "source_branch=tandem%2Flogging") || !strings.Contains(q, "state=all") {
		t.Errorf("merge request lookup %q: want it filtered on the source branch in every state", q)
	}

	got, err = h.Propose(ctx, "api", "tandem/logging", "main", "Upgrade logging", "again")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != tandem.ChangeMerged || got.ID != "3" || len(r.Requests("POST")) != 1 {
		t.Errorf("second Propose = %+v with %d POSTs, want the merged merge request and no new one", got, len(r.Requests("POST")))
	}

	t.Run("reading a merge request's state", func(t *testing.T) {
		r.On("GET "+mrs+"/3", hosttest.OK("merge-request-closed.json"), hosttest.Reply{Status: 404, File: "error-not-found.json"})
		got, err := h.PullRequest(ctx, "api", want.URL)
		if want := (tandem.ExternalTicket{ID: "3", URL: want.URL, State: tandem.ChangeClosed}); err != nil || got != want {
			t.Errorf("PullRequest = %+v, %v, want %+v", got, err, want)
		}
		if _, err := h.PullRequest(ctx, "api", want.URL); tandem.ErrorCode(err) != tandem.ENOTFOUND {
			t.Errorf("PullRequest of a deleted merge request = %v, want ENOTFOUND", err)
		}
	})
	t.Run("commenting on a merge request, once per marker", func(t *testing.T) {
		r.On("GET "+mrs+"/3/notes", hosttest.OK("notes.json"), hosttest.OK("notes.json"))
		r.On("POST "+mrs+"/3/notes", hosttest.Reply{Status: 201, File: "note-created.json"})
		before := len(r.Requests("POST"))
		if err := h.CommentPullRequest(ctx, "api", want.URL, "Reminder: 3 targets left.", "<!-- tandem:reminder=2026-11 -->"); err != nil {
			t.Fatal(err)
		}
		if err := h.CommentPullRequest(ctx, "api", want.URL, "Reminder: waiting for review.", "<!-- tandem:nudge=1;day=2026-12-01 -->"); err != nil {
			t.Fatal(err)
		}
		posts := r.Requests("POST")[before:]
		if len(posts) != 1 || posts[0].Path != mrs+"/3/notes" || posts[0].Body["body"] != "Reminder: waiting for review." {
			t.Errorf("POSTs = %+v, want the one note whose marker was not there", posts)
		}
	})
	t.Run("a push the server refuses is unavailable and hides the token", func(t *testing.T) {
		if err := os.RemoveAll(filepath.Join(r.GitDir, "acme", "platform", "api.git")); err != nil {
			t.Fatal(err)
		}
		_, err := h.Propose(ctx, "api", "tandem/logging", "main", "Upgrade logging", "again")
		if tandem.ErrorCode(err) != tandem.EUNAVAILABLE || !strings.Contains(err.Error(), "push tandem/logging to acme/platform/api") || strings.Contains(err.Error(), token) {
			t.Errorf("Propose = %v, want EUNAVAILABLE", err)
		}
	})
}

// TestVerifyToken checks the X-Gitlab-Token header against the secret.
func TestVerifyToken(t *testing.T) {
	secret := []byte("It's a Secret to Everybody")
	if !gitlab.VerifyToken(secret, "It's a Secret to Everybody") {
		t.Error("the secret itself does not verify")
	}
	for _, tt := range []struct {
		secret []byte
		header string
	}{
		{secret, ""}, {secret, "It's a Secret to Everybody "}, {secret, "It's a secret to everybody"},
		{secret, "It's a Secret"}, {nil, ""}, {nil, "x"}, {[]byte{}, ""},
	} {
		if gitlab.VerifyToken(tt.secret, tt.header) {
			t.Errorf("VerifyToken(%q, %q) = true", tt.secret, tt.header)
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
