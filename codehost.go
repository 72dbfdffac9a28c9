package tandem

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Code host types.
const (
	HostLocal  = "local"  // a folder of git repositories
	HostGitea  = "gitea"  // a Gitea or Forgejo server
	HostGitHub = "github" // GitHub or GitHub Enterprise Server
	HostGitLab = "gitlab" // GitLab.com or a self-managed GitLab
)

// CodeHost is a place where codebases live.
type CodeHost struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Path is the folder a local host reads.
	Path string `json:"path,omitempty"`
	// URL and Org say where a Gitea host's repositories are.
	URL string `json:"url,omitempty"`
	Org string `json:"org,omitempty"`
	// Token names the secret that authenticates to the host, only ever by
	// reference: "env:NAME" reads the server's environment variable NAME.
	Token string `json:"token,omitempty"`
	// Archived and Forks include archived repositories and forks, which
	// are skipped by default.
	Archived bool `json:"archived,omitempty"`
	Forks    bool `json:"forks,omitempty"`
	// WebhookSecret names the secret that signs the host's webhooks
	// (env:NAME).
	WebhookSecret string `json:"webhookSecret,omitempty"`
}

// Repository is one repository a code host lists.
type Repository struct {
	Name string
	// Dir is a local git directory (bare or not) that holds its objects.
	Dir string
	// Skipped says that the host has the repository but could not make it
	// readable (empty, or its mirror failed to update); why is among the
	// listing's problems. A skipped repository is not read, and not gone.
	Skipped bool
}

// Host lists the repositories of a code host and makes their git objects
// readable on this machine.
type Host interface {
	// Repositories lists the host's repositories, or only those named in
	// only (a targeted rescan, after a push). It returns EUNAVAILABLE when
	// the host cannot be reached, and each repository it had to skip as a
	// Problem.
	Repositories(ctx context.Context, only ...string) ([]Repository, []Problem, error)
}

// Selected reports whether the repository name is among only, or only
// names none (every repository is).
func Selected(name string, only []string) bool {
	return len(only) == 0 || slices.Contains(only, name)
}

// Endpoint returns where code host h answers, its URL without a trailing
// slash, and the token that authenticates to it. It returns EINVALID for
// a URL that is not http(s) or a token reference that does not resolve
// through getenv.
func (h CodeHost) Endpoint(getenv func(string) string) (baseURL, token string, err error) {
	baseURL, err = BaseURL("code host "+h.Name, h.URL)
	if err != nil {
		return "", "", err
	}
	token, err = ResolveSecret(h.Token, getenv)
	if err != nil {
		return "", "", fmt.Errorf("code host %s: %w", h.Name, err)
	}
	return baseURL, token, nil
}

// MirrorDir returns the folder below mirrors that holds the mirrors of
// code host h's repositories, named after h, or EINVALID when h's name is
// not a plain folder name.
func (h CodeHost) MirrorDir(mirrors string) (string, error) {
	if !FolderName(h.Name) {
		return "", Errorf(EINVALID, "code host %q: name must be a plain folder name", h.Name)
	}
	return filepath.Join(mirrors, h.Name), nil
}

// Refusal words how a service refused a request, after what was asked
// for, for StatusError: NotFound follows "not found" in the message of a
// 404; Unauthorized and Forbidden are the messages of a 401 and a 403.
type Refusal struct {
	NotFound     string
	Unauthorized string
	Forbidden    string
}

// TokenRefusal is the Refusal of a code host that service names (github,
// gitlab) whose token needs rights: a 404 may be a repository the token
// cannot see, and a 403 ends with detail, the host's explanation.
func TokenRefusal(service, rights, detail string) Refusal {
	return Refusal{
		NotFound:     " (or the token cannot see it)",
		Unauthorized: service + " refused the token (401): check that it is valid and has " + rights,
		Forbidden:    "the token lacks rights (403): it needs " + rights + ": " + detail,
	}
}

// StatusError returns the *Error of status, the HTTP error status with
// which service (gitea, jira…) answered the request for what: ENOTFOUND
// for 404; EINVALID for 401 and 403, worded by r, and for other statuses
// below 500; EUNAVAILABLE for 500 and above. Its message starts with
// what; after it, any status but 401, 403 and 404 says "SERVICE answered
// STATUS: detail", detail being the service's own explanation.
func StatusError(service string, status int, what, detail string, r Refusal) error {
	switch {
	case status == http.StatusNotFound:
		return Errorf(ENOTFOUND, "%s: not found%s", what, r.NotFound)
	case status == http.StatusUnauthorized:
		return Errorf(EINVALID, "%s: %s", what, r.Unauthorized)
	case status == http.StatusForbidden:
		return Errorf(EINVALID, "%s: %s", what, r.Forbidden)
	case status >= 500, status == http.StatusTooManyRequests:
		// A rate limit passes as a server error does: try again later.
		return Errorf(EUNAVAILABLE, "%s: %s answered %d: %s", what, service, status, detail)
	default:
		return Errorf(EINVALID, "%s: %s answered %d: %s", what, service, status, detail)
	}
}

// RetryAfter says when a rate-limited client may try again, from an
// answer's headers: the wait of Retry-After (seconds, or as given), else
// the time of RateLimit-Reset, else "a while".
func RetryAfter(h http.Header) string {
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s >= 0 {
		return (time.Duration(s) * time.Second).String()
	}
	if v := h.Get("Retry-After"); v != "" {
		return v
	}
	if s, err := strconv.ParseInt(h.Get("RateLimit-Reset"), 10, 64); err == nil {
		return time.Unix(s, 0).UTC().Format(time.RFC3339)
	}
	return "a while"
}

// ResolveSecret returns the secret that ref names ("env:NAME"), "" for no
// reference (anonymous access), and EINVALID for an unset variable or a
// reference of another form. The secret itself never appears in an error.
func ResolveSecret(ref string, getenv func(string) string) (string, error) {
	if ref == "" {
		return "", nil
	}
	name, ok := strings.CutPrefix(ref, "env:")
	if !ok || name == "" {
		return "", Errorf(EINVALID, "secret %q: want a reference of the form env:NAME", ref)
	}
	token := getenv(name)
	if token == "" {
		return "", Errorf(EINVALID, "secret %s: environment variable %s is not set", ref, name)
	}
	return token, nil
}

// BaseURL returns raw, the address of a server, without its trailing
// slash, or EINVALID when it is not an http(s) URL without credentials.
// owner names what the URL belongs to in the error, which never repeats a
// password.
func BaseURL(owner, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		shown := "(unparsable)"
		if err == nil {
			shown = u.Redacted()
		}
		return "", Errorf(EINVALID, "%s: url %q: want http(s)://host[/path] without credentials", owner, shown)
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// maxURL is the longest URL Tandem takes from a user.
const maxURL = 2048

// ValidateURL returns EINVALID, naming field and the reason, unless raw is
// an absolute http(s) URL with a host, no credentials, no spaces and no
// control or bidirectional formatting characters, on wantHost (host[:port],
// as WebHost returns it) when wantHost is not "". Such URLs come from
// users and are shown later as links, exported to spreadsheets and
// printed on terminals; a javascript: or =HYPERLINK(…) "URL" would run
// there.
func ValidateURL(field, raw, wantHost string) error {
	invalid := func(reason string) error {
		return Errorf(EINVALID, "%s: %s", field, reason)
	}
	if raw == "" {
		return invalid("a URL is required")
	}
	if len(raw) > maxURL {
		return invalid(fmt.Sprintf("the URL is longer than %d characters", maxURL))
	}
	if strings.IndexFunc(raw, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError
	}) >= 0 {
		return invalid(fmt.Sprintf("%q contains spaces or control characters", raw))
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Scheme != "http" && u.Scheme != "https":
		return invalid(fmt.Sprintf("%q is not an http(s) URL", raw))
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return invalid(fmt.Sprintf("%q is not an absolute URL with a host", raw))
	case u.User != nil:
		return invalid(fmt.Sprintf("%q carries credentials", u.Redacted()))
	case wantHost != "" && !strings.EqualFold(webHost(u), wantHost):
		return invalid(fmt.Sprintf("%q is on %s, not on %s", raw, webHost(u), wantHost))
	}
	return nil
}

// pullRequestPaths maps a code host type to the path, after its
// repository's, of a pull request's address, up to its number.
var pullRequestPaths = map[string]string{HostGitea: "/pulls/", HostGitHub: "/pull/", HostGitLab: "/-/merge_requests/"}

// ValidatePullRequestURL returns nil when raw is the address of a pull
// request of the repository repo (a codebase's name) of code host h:
// below h's URL, /ORG/REPO/pulls/N on Gitea, /ORG/REPO/pull/N on GitHub,
// /GROUP/PROJECT/-/merge_requests/N on GitLab, with ORG h's Org. Names
// compare without case, as the hosts do. A local host has no pull
// requests of its own: any URL ValidateURL takes passes. It returns
// EINVALID, naming field and the repository expected and found,
// otherwise.
func ValidatePullRequestURL(field, raw string, h CodeHost, repo string) error {
	if err := ValidateURL(field, raw, h.WebHost()); err != nil {
		return err
	}
	suffix, ok := pullRequestPaths[h.Type]
	if !ok {
		return nil
	}
	base := ""
	if u, err := url.Parse(h.URL); err == nil {
		base = strings.TrimSuffix(u.Path, "/")
	}
	want := strings.Trim(h.Org+"/"+repo, "/")
	u, _ := url.Parse(raw) // ValidateURL parsed it
	path, number, found := cutLast(u.Path, suffix)
	n, err := strconv.ParseInt(number, 10, 64)
	if !found || err != nil || n <= 0 || u.RawQuery != "" || u.Fragment != "" {
		return Errorf(EINVALID, "%s: %q is not the address of a pull request of %s: want %s/%s%sN",
			field, raw, want, strings.TrimSuffix(h.URL, "/"), want, suffix)
	}
	got, inBase := strings.CutPrefix(path, base+"/")
	if !inBase {
		return Errorf(EINVALID, "%s: %q is not below %s, the URL of code host %s", field, raw, strings.TrimSuffix(h.URL, "/"), h.Name)
	}
	if !strings.EqualFold(got, want) {
		return Errorf(EINVALID, "%s: %q is a pull request of repository %s, not of %s, the codebase's repository on %s",
			field, raw, got, want, h.Name)
	}
	return nil
}

// cutLast slices s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// WebHost returns the host (host[:port], lowercase, without the scheme's
// default port) of a gitea, github or gitlab code host's URL, where its
// pull requests live, or "" for a local host or an unparsable URL.
func (h CodeHost) WebHost() string {
	if h.Type != HostGitea && h.Type != HostGitHub && h.Type != HostGitLab {
		return ""
	}
	return hostOf(h.URL)
}

// hostOf returns the web host of raw, or "" when raw is not an http(s)
// URL with a host.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return ""
	}
	return webHost(u)
}

// webHost returns u's host, lowercase and without the default port of its
// scheme.
func webHost(u *url.URL) string {
	host := strings.ToLower(u.Host)
	if p := u.Port(); u.Scheme == "https" && p == "443" || u.Scheme == "http" && p == "80" {
		host = strings.TrimSuffix(host, ":"+p)
	}
	return host
}

// FolderName reports whether name can name a folder inside another: it
// is not empty, "." or "..", and has no slash or backslash.
func FolderName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, `/\`)
}
