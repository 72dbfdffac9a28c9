package tandem

import "context"

// Code host types.
const (
	HostLocal = "local" // a folder of git repositories
	HostGitea = "gitea" // a Gitea or Forgejo server
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
	// Repositories lists the host's repositories. It returns EUNAVAILABLE
	// when the host cannot be reached, and each repository it had to skip
	// as a Problem.
	Repositories(ctx context.Context) ([]Repository, []Problem, error)
}
