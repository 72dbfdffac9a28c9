package tandem

import (
	"context"
	"net/url"
	"slices"
	"strings"
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
