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
