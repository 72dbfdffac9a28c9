package tandem_test

import (
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
)

func TestValidateURL(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		wantHost string
		err      string // a part of the message, "" for a valid URL
	}{
		{"an https URL on no particular host is valid", "https://tracker.example.com/browse/PAY-1", "", ""},
		{"an http URL is valid", "http://127.0.0.1:3000/acme/api/pulls/4", "", ""},
		{"a URL on the wanted host is valid", "https://git.example.com/acme/api/pulls/4", "git.example.com", ""},
		{"the host is compared without case", "https://Git.Example.COM/acme/api/pulls/4", "git.example.com", ""},
		{"the scheme's default port is the host without port", "https://git.example.com:443/acme/api/pulls/4", "git.example.com", ""},
		{"a port of the wanted host must match", "http://127.0.0.1:3000/acme/api/pulls/4", "127.0.0.1:3000", ""},
		{"another port is another host", "http://127.0.0.1:3001/acme/api/pulls/4", "127.0.0.1:3000", `is on 127.0.0.1:3001, not on 127.0.0.1:3000`},
		{"another host is refused", "https://evil.example/acme/api/pulls/4", "git.example.com", `"https://evil.example/acme/api/pulls/4" is on evil.example, not on git.example.com`},
		{"a host hidden behind a user name is refused", "https://git.example.com@evil.example/x", "", "carries credentials"},
		{"a password is never repeated", "https://bob:hunter2@git.example.com/x", "", `"https://bob:xxxxx@git.example.com/x" carries credentials`},
		{"javascript: is refused", "javascript:alert(1)", "", `"javascript:alert(1)" is not an http(s) URL`},
		{"a spreadsheet formula is refused", `=HYPERLINK("http://x","y")`, "", "is not an http(s) URL"},
		{"data: is refused", "data:text/html,<script>alert(1)</script>", "", "is not an http(s) URL"},
		{"a relative URL is refused", "/acme/api/pulls/4", "", "is not an http(s) URL"},
		{"a URL without host is refused", "https:///acme", "", "is not an absolute URL with a host"},
		{"an opaque http URL is refused", "http:example.com", "", "is not an absolute URL with a host"},
		{"a newline is refused", "https://x.example/a\nb", "", "contains spaces or control characters"},
		{"a terminal escape is refused", "https://x.example/\x1b[31m", "", `"https://x.example/\x1b[31m" contains spaces or control characters`},
		{"a bidi override is refused", "https://x.example/\u202egnp.exe", "", "contains spaces or control characters"},
		{"a space is refused", "https://x.example/a b", "", "contains spaces or control characters"},
		{"an empty URL is refused", "", "", "a URL is required"},
		{"a very long URL is refused", "https://x.example/" + strings.Repeat("a", 2048), "", "longer than 2048 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tandem.ValidateURL("ticket", tt.raw, tt.wantHost)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("ValidateURL(%q, %q) = %v, want nil", tt.raw, tt.wantHost, err)
				}
				return
			}
			if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
				t.Fatalf("ValidateURL(%q, %q) code = %q (%v), want %q", tt.raw, tt.wantHost, got, err, want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "ticket: ") || !strings.Contains(msg, tt.err) {
				t.Errorf("ValidateURL(%q, %q) = %q, want it to name the field and contain %q", tt.raw, tt.wantHost, msg, tt.err)
			}
		})
	}
}

func TestWebHosts(t *testing.T) {
	gitea := tandem.CodeHost{Name: "forge", Type: tandem.HostGitea, URL: "https://Git.Example.com:443/"}
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"a gitea host's pull requests are on its URL's host", gitea.WebHost(), "git.example.com"},
		{"a github host keeps its port", tandem.CodeHost{Type: tandem.HostGitHub, URL: "http://ghe.example:8080"}.WebHost(), "ghe.example:8080"},
		{"a local host has no web host", tandem.CodeHost{Type: tandem.HostLocal, Path: "/srv/git"}.WebHost(), ""},
		{"a gitea tracker's tickets are on its code host", tandem.TicketHost(tandem.Tracker{Type: tandem.TrackerGitea, Host: "forge", Repo: "acme/backlog"}, gitea), "git.example.com"},
		{"a jira tracker's tickets are on its site", tandem.TicketHost(tandem.Tracker{Type: tandem.TrackerJira, URL: "https://acme.atlassian.net"}, tandem.CodeHost{}), "acme.atlassian.net"},
		{"the built-in tracker puts no host constraint", tandem.TicketHost(tandem.Tracker{Type: tandem.TrackerBuiltin}, gitea), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestValidatePullRequestURL(t *testing.T) {
	gitea := tandem.CodeHost{Name: "forge", Type: tandem.HostGitea, URL: "https://git.example.com/", Org: "acme"}
	below := tandem.CodeHost{Name: "forge", Type: tandem.HostGitea, URL: "https://example.com/gitea", Org: "acme"}
	github := tandem.CodeHost{Name: "gh", Type: tandem.HostGitHub, URL: "https://github.com", Org: "acme"}
	gitlab := tandem.CodeHost{Name: "gl", Type: tandem.HostGitLab, URL: "https://gitlab.com", Org: "acme/backend"}
	local := tandem.CodeHost{Name: "disk", Type: tandem.HostLocal, Path: "/srv/git"}
	tests := []struct {
		name string
		host tandem.CodeHost
		raw  string
		err  string // a part of the message, "" for a valid URL
	}{
		{"a Gitea pull request of the repository is valid", gitea, "https://git.example.com/acme/api/pulls/4", ""},
		{"names compare without case, as the hosts do", gitea, "https://git.example.com/ACME/Api/pulls/4", ""},
		{"a Gitea below a path has its pull requests below it", below, "https://example.com/gitea/acme/api/pulls/4", ""},
		{"a GitHub pull request is /pull/N", github, "https://github.com/acme/api/pull/12", ""},
		{"a GitLab merge request of a nested group is valid", gitlab, "https://gitlab.com/acme/backend/api/-/merge_requests/7", ""},
		{"a local host's codebases take any http(s) URL", local, "https://review.example/changes/9", ""},
		{"another repository's pull request is refused", gitea, "https://git.example.com/acme/other/pulls/4",
			`pr: "https://git.example.com/acme/other/pulls/4" is a pull request of repository acme/other, not of acme/api, the codebase's repository on forge`},
		{"another organisation's repository of the same name is refused", github, "https://github.com/evil/api/pull/12",
			"is a pull request of repository evil/api, not of acme/api"},
		{"a pull request outside the host's path is refused", below, "https://example.com/acme/api/pulls/4",
			`pr: "https://example.com/acme/api/pulls/4" is not below https://example.com/gitea, the URL of code host forge`},
		{"another GitLab group is refused", gitlab, "https://gitlab.com/acme/api/-/merge_requests/7",
			"is a pull request of repository acme/api, not of acme/backend/api"},
		{"an issue is not a pull request", gitea, "https://git.example.com/acme/api/issues/4",
			`pr: "https://git.example.com/acme/api/issues/4" is not the address of a pull request of acme/api: want https://git.example.com/acme/api/pulls/N`},
		{"GitHub's form is not Gitea's", gitea, "https://git.example.com/acme/api/pull/4", "want https://git.example.com/acme/api/pulls/N"},
		{"a pull request's number is required", github, "https://github.com/acme/api/pull/x", "is not the address of a pull request"},
		{"a page of a pull request is not its address", github, "https://github.com/acme/api/pull/12/files", "is not the address of a pull request"},
		{"a query is not part of the address", github, "https://github.com/acme/api/pull/12?w=1", "is not the address of a pull request"},
		{"another host is refused first", github, "https://evil.example/acme/api/pull/12", "is on evil.example, not on github.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tandem.ValidatePullRequestURL("pr", tt.raw, tt.host, "api")
			if tt.err == "" {
				if err != nil {
					t.Fatalf("ValidatePullRequestURL(%q) = %v, want nil", tt.raw, err)
				}
				return
			}
			if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
				t.Fatalf("ValidatePullRequestURL(%q) code = %q (%v), want %q", tt.raw, got, err, want)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.err) {
				t.Errorf("ValidatePullRequestURL(%q) = %q, want it to contain %q", tt.raw, msg, tt.err)
			}
		})
	}
}
