package gitea_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitea"
	"github.com/tandem-dev/tandem/gitea/giteatest"
	"github.com/tandem-dev/tandem/gitx"
)

// env returns a getenv that knows one variable, TOKEN.
func env(token string) func(string) string {
	return func(name string) string {
		if name == "TOKEN" {
			return token
		}
		return ""
	}
}

func codeHost(s *giteatest.Server, org string) tandem.CodeHost {
	return tandem.CodeHost{Name: "forge", Type: tandem.HostGitea, URL: s.URL, Org: org, Token: "env:TOKEN"}
}

// TestGitea runs against one real Gitea server.
func TestGitea(t *testing.T) {
	s := giteatest.Start(t)
	ctx := context.Background()

	s.CreateOrg(t, "acme")
	s.CreateOrg(t, "upstream")
	s.CreateRepo(t, "acme", "api", map[string]string{"go.mod": "module api\n"})
	s.CreateRepo(t, "acme", "web", map[string]string{"package.json": "{}\n", "src/index.js": "\n"})
	s.CreateRepo(t, "acme", "old", map[string]string{"README": "old\n"})
	s.Call(t, "PATCH", "/repos/acme/old", map[string]any{"archived": true}, nil)
	s.CreateRepo(t, "acme", "blank", nil)
	s.CreateRepo(t, "upstream", "lib", map[string]string{"lib.go": "package lib\n"})
	s.Call(t, "POST", "/repos/upstream/lib/forks", map[string]any{"organization": "acme"}, nil)

	t.Run("Repositories mirrors the default branch of each repository, leaves out archived ones and forks, and lists empty ones skipped", func(t *testing.T) {
		h, err := gitea.New(codeHost(s, "acme"), env(s.AdminToken), t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		repos, problems, err := h.Repositories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := names(repos), []string{"api", "blank (skipped)", "web"}; !slices.Equal(got, want) {
			t.Fatalf("repositories = %v, want %v", got, want)
		}
		if got, want := len(problems), 1; got != want {
			t.Fatalf("problems = %v, want %d", problems, want)
		}
		if got, want := problems[0].String(), "blank.git: skipped: empty repository"; !strings.HasSuffix(got, want) {
			t.Errorf("problem = %q, want it to end with %q", got, want)
		}
		for _, r := range repos {
			if !r.Skipped {
				assertMirror(t, r, s.BranchCommit(t, "acme", r.Name, "main"))
			}
		}

		next := s.Commit(t, "acme", "api", map[string]string{"main.go": "package main\n"})
		repos, _, err = h.Repositories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := repos[0].Name, "api"; got != want {
			t.Fatalf("first repository = %q, want %q", got, want)
		}
		assertMirror(t, repos[0], next)
	})

	t.Run("Repositories includes archived repositories and forks when the host asks for them", func(t *testing.T) {
		ch := codeHost(s, "acme")
		ch.Archived, ch.Forks = true, true
		h, err := gitea.New(ch, env(s.AdminToken), t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		repos, _, err := h.Repositories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := names(repos), []string{"api", "blank (skipped)", "lib", "old", "web"}; !slices.Equal(got, want) {
			t.Errorf("repositories = %v, want %v", got, want)
		}
	})

	const wrongToken = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name  string
		host  tandem.CodeHost
		token string
		code  string
	}{
		{"a refused token is invalid and its text is not shown", codeHost(s, "acme"), wrongToken, tandem.EINVALID},
		{"an unknown organization is not found", codeHost(s, "nobody"), s.AdminToken, tandem.ENOTFOUND},
		{"a host nobody answers on is unavailable", tandem.CodeHost{Name: "forge", URL: "http://127.0.0.1:" + closedPort(t), Org: "acme", Token: "env:TOKEN"}, wrongToken, tandem.EUNAVAILABLE},
	} {
		t.Run("Repositories: "+tc.name, func(t *testing.T) {
			h, err := gitea.New(tc.host, env(tc.token), t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = h.Repositories(ctx)
			if got, want := tandem.ErrorCode(err), tc.code; got != want {
				t.Fatalf("code = %q, want %q (err %v)", got, want, err)
			}
			if strings.Contains(err.Error(), tc.token) {
				t.Errorf("error %q shows the token", err)
			}
		})
	}

	t.Run("New refuses a token reference whose variable is unset", func(t *testing.T) {
		_, err := gitea.New(codeHost(s, "acme"), env(""), t.TempDir(), nil)
		if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
			t.Errorf("code = %q, want %q (err %v)", got, want, err)
		}
	})

	t.Run("Tracker files a ticket once, finds it again by its marker, comments once and opens and closes it", func(t *testing.T) {
		s.CreateRepo(t, "acme", "tickets", map[string]string{"README": "tickets\n"})
		tr, err := gitea.NewTracker(codeHost(s, "acme"), "acme/tickets", env(s.AdminToken), nil)
		if err != nil {
			t.Fatal(err)
		}
		const marker = "<!-- tandem:campaign=go-1-26;team=payments -->"
		if _, found, err := tr.Find(ctx, marker); err != nil || found {
			t.Fatalf("Find before Create = %v, %v, want not found", found, err)
		}
		other, err := tr.Create(ctx, "Other ticket", "<!-- tandem:campaign=go-1-26;team=search -->", []string{"tandem"})
		if err != nil {
			t.Fatal(err)
		}
		created, err := tr.Create(ctx, "Upgrade to Go 1.26", "Please upgrade.\n\n"+marker, []string{"tandem", "migration:go-1-26"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := created.State, "open"; got != want {
			t.Errorf("state = %q, want %q", got, want)
		}
		if !strings.HasPrefix(created.URL, s.URL+"/acme/tickets/issues/") {
			t.Errorf("url = %q, want an issue of acme/tickets", created.URL)
		}
		var issue struct {
			Labels []struct {
				Name string `json:"name"`
			} `json:"labels"`
		}
		s.Call(t, "GET", "/repos/acme/tickets/issues/"+created.ID, nil, &issue)
		var labels []string
		for _, l := range issue.Labels {
			labels = append(labels, l.Name)
		}
		slices.Sort(labels)
		if got, want := labels, []string{"migration:go-1-26", "tandem"}; !slices.Equal(got, want) {
			t.Errorf("labels = %v, want %v", got, want)
		}

		// A new tracker, as after the loss of the database, finds it again.
		again, err := gitea.NewTracker(codeHost(s, "acme"), "acme/tickets", env(s.AdminToken), nil)
		if err != nil {
			t.Fatal(err)
		}
		found, ok, err := again.Find(ctx, marker)
		if err != nil || !ok {
			t.Fatalf("Find = %v, %v, want found", ok, err)
		}
		if got, want := found, created; got != want {
			t.Errorf("found %+v, want %+v (other is %+v)", got, want, other)
		}

		const commentMarker = "<!-- tandem:campaign=go-1-26;team=payments;reminder=1 -->"
		for range 2 {
			if err := again.Comment(ctx, created.ID, "Reminder.\n\n"+commentMarker, commentMarker); err != nil {
				t.Fatal(err)
			}
		}
		var comments []struct {
			Body string `json:"body"`
		}
		s.Call(t, "GET", "/repos/acme/tickets/issues/"+created.ID+"/comments", nil, &comments)
		if got, want := len(comments), 1; got != want {
			t.Errorf("comments = %d, want %d", got, want)
		}

		for _, open := range []bool{false, true} {
			if err := again.SetState(ctx, created.ID, open); err != nil {
				t.Fatal(err)
			}
			found, _, err := again.Find(ctx, marker)
			if err != nil {
				t.Fatal(err)
			}
			want := map[bool]string{true: "open", false: "closed"}[open]
			if got := found.State; got != want {
				t.Errorf("state after SetState(%v) = %q, want %q", open, got, want)
			}
		}
	})

	t.Run("Tracker reports a missing repository as not found and a refused token as invalid", func(t *testing.T) {
		missing, err := gitea.NewTracker(codeHost(s, "acme"), "acme/nope", env(s.AdminToken), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = missing.Find(ctx, "<!-- tandem:x -->")
		if got, want := tandem.ErrorCode(err), tandem.ENOTFOUND; got != want {
			t.Errorf("code = %q, want %q (err %v)", got, want, err)
		}
		refused, err := gitea.NewTracker(codeHost(s, "acme"), "acme/api", env(wrongToken), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = refused.Create(ctx, "t", "b", nil)
		if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
			t.Errorf("code = %q, want %q (err %v)", got, want, err)
		}
		if err != nil && strings.Contains(err.Error(), wrongToken) {
			t.Errorf("error %q shows the token", err)
		}
	})

	t.Run("a real push webhook is signed with the secret and parses to repository, branch and commit", func(t *testing.T) {
		type delivery struct {
			body      []byte
			signature string
		}
		deliveries := make(chan delivery, 4)
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			if r.Header.Get("X-Gitea-Event") == "push" {
				deliveries <- delivery{body, r.Header.Get("X-Gitea-Signature")}
			}
		}))
		defer hook.Close()
		secret := []byte("hook-secret")
		s.CreateRepo(t, "acme", "hooked", map[string]string{"README": "v1\n"})
		s.Call(t, "POST", "/repos/acme/hooked/hooks", map[string]any{
			"type": "gitea", "active": true, "events": []string{"push"},
			"config": map[string]string{"url": hook.URL, "content_type": "json", "secret": string(secret)},
		}, nil)
		commit := s.Commit(t, "acme", "hooked", map[string]string{"README": "v2\n"})

		// The push of the repository's first commit may be delivered too,
		// when Gitea's queue reaches it after the hook exists.
		timeout := time.After(20 * time.Second)
		for {
			var d delivery
			select {
			case d = <-deliveries:
			case <-timeout:
				t.Fatalf("no delivery of the push of %s within 20s", commit)
			}
			if !gitea.VerifySignature(secret, d.body, d.signature) {
				t.Errorf("signature %q does not verify", d.signature)
			}
			if gitea.VerifySignature([]byte("other"), d.body, d.signature) {
				t.Error("signature verifies with another secret")
			}
			repo, branch, after, err := gitea.ParsePush(d.body)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := repo+" "+branch, "hooked main"; got != want {
				t.Errorf("ParsePush = %q, want %q", got, want)
			}
			if after == commit {
				return
			}
		}
	})
}

// names returns the names of repos, each skipped one followed by
// " (skipped)".
func names(repos []tandem.Repository) []string {
	var out []string
	for _, r := range repos {
		if r.Skipped {
			out = append(out, r.Name+" (skipped)")
		} else {
			out = append(out, r.Name)
		}
	}
	return out
}

// assertMirror checks that r's mirror has HEAD on main at commit.
func assertMirror(t *testing.T, r tandem.Repository, commit string) {
	t.Helper()
	ctx := context.Background()
	branch, err := gitx.DefaultBranch(ctx, r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := branch, "main"; got != want {
		t.Errorf("%s: HEAD = %q, want %q", r.Name, got, want)
	}
	head, err := gitx.Head(ctx, r.Dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := head, commit; got != want {
		t.Errorf("%s: main = %s, want %s", r.Name, got, want)
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}

func TestVerifySignature(t *testing.T) {
	secret, body := []byte("s3cret"), []byte(`{"ref":"refs/heads/main"}`)
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	good := hex.EncodeToString(mac.Sum(nil))
	for _, tc := range []struct {
		name   string
		secret []byte
		body   []byte
		header string
		want   bool
	}{
		{"the body's HMAC with the secret verifies", secret, body, good, true},
		{"the same HMAC with a sha256= prefix verifies", secret, body, "sha256=" + good, true},
		{"a changed body does not verify", secret, []byte(`{"ref":"refs/heads/evil"}`), good, false},
		{"another secret does not verify", []byte("other"), body, good, false},
		{"an empty header does not verify", secret, body, "", false},
		{"a header that is not hex does not verify", secret, body, "zz" + good[2:], false},
		{"an empty secret verifies nothing", nil, body, good, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gitea.VerifySignature(tc.secret, tc.body, tc.header); got != tc.want {
				t.Errorf("VerifySignature = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParsePush(t *testing.T) {
	for _, tc := range []struct {
		name                string
		body                string
		repo, branch, after string
		code                string
	}{
		{"a branch push gives repository, branch and commit", `{"ref":"refs/heads/main","after":"abc","repository":{"name":"api","full_name":"acme/api"}}`, "api", "main", "abc", ""},
		{"a tag push has no branch", `{"ref":"refs/tags/v1","after":"abc","repository":{"name":"api"}}`, "api", "", "abc", ""},
		{"a payload without repository is invalid", `{"ref":"refs/heads/main"}`, "", "", "", tandem.EINVALID},
		{"a name that would leave the mirrors folder is invalid", `{"ref":"refs/heads/main","after":"abc","repository":{"name":"../etc"}}`, "", "", "", tandem.EINVALID},
		{"a payload that is not JSON is invalid", `ref=main`, "", "", "", tandem.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo, branch, after, err := gitea.ParsePush([]byte(tc.body))
			if got, want := tandem.ErrorCode(err), tc.code; got != want {
				t.Fatalf("code = %q, want %q (err %v)", got, want, err)
			}
			if got, want := repo+"|"+branch+"|"+after, tc.repo+"|"+tc.branch+"|"+tc.after; got != want {
				t.Errorf("ParsePush = %q, want %q", got, want)
			}
		})
	}
}

func TestParsePullRequest(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want tandem.PullRequestEvent
		code string
	}{
		{"Gitea's merged pull request", `{"action":"closed","number":1,"pull_request":{"html_url":"http://forge/acme/api/pulls/1","state":"closed","merged":true}}`,
			tandem.PullRequestEvent{Number: 1, Action: "closed", URL: "http://forge/acme/api/pulls/1", State: tandem.ChangeMerged}, ""},
		{"a reopened pull request", `{"action":"reopened","pull_request":{"html_url":"http://forge/acme/api/pulls/1","state":"open"}}`,
			tandem.PullRequestEvent{Action: "reopened", URL: "http://forge/acme/api/pulls/1", State: tandem.ChangeOpen}, ""},
		{"a pushed pull request", `{"action":"synchronized","number":4,"pull_request":{"html_url":"http://forge/acme/api/pulls/4","state":"open","head":{"sha":"abc1","ref":"feature"},"base":{"ref":"main"}},"repository":{"name":"api"}}`,
			tandem.PullRequestEvent{Repo: "api", Number: 4, Head: "abc1", Base: "main", Action: "synchronized", URL: "http://forge/acme/api/pulls/4", State: tandem.ChangeOpen}, ""},
		{"a repository name that leaves its folder is invalid", `{"action":"opened","pull_request":{"html_url":"http://forge/acme/api/pulls/1","state":"open"},"repository":{"name":".."}}`, tandem.PullRequestEvent{}, tandem.EINVALID},
		{"a push payload is invalid", `{"ref":"refs/heads/main","repository":{"name":"api"}}`, tandem.PullRequestEvent{}, tandem.EINVALID},
		{"a payload that is not JSON is invalid", `action=closed`, tandem.PullRequestEvent{}, tandem.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := gitea.ParsePullRequest([]byte(tc.body))
			if code := tandem.ErrorCode(err); code != tc.code {
				t.Fatalf("code = %q, want %q (err %v)", code, tc.code, err)
			}
			if got != tc.want {
				t.Errorf("ParsePullRequest = %+v, want %+v", got, tc.want)
			}
		})
	}
}
