package tandem

import "context"

// Code host types.
const (
	HostLocal = "local" // a folder of git repositories
)

// CodeHost is a place where codebases live.
type CodeHost struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Path is the folder a local host reads.
	Path string `json:"path,omitempty"`
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
