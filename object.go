package tandem

import "context"

// Kinds of declared documents.
const (
	KindTeam      = "Team"
	KindPerson    = "Person"
	KindCodeHost  = "CodeHost"
	KindCodebase  = "Codebase"
	KindPlatform  = "Platform"
	KindMigration = "Migration"
)

// APIVersion is the apiVersion every document declares.
const APIVersion = "tandem.dev/v1"

// Object is one declared document, decoded and checked on its own: its
// kind, name, where it was declared, and its spec, one of *Team, *Person,
// *CodeHost, *CodebasePolicy, *Platform or *Migration.
type Object struct {
	Kind string
	Name string
	File string
	Line int
	Spec any
	// Lines maps a field path ("spec.owner", "spec.members[2]") to the
	// line that declared it, so that a reference checked later against the
	// store is reported where it was written.
	Lines map[string]int
}

// At returns a Problem located at the line of the object's field.
func (o Object) At(field, format string, args ...any) Problem {
	line, ok := o.Lines[field]
	if !ok {
		line = o.Line
	}
	return Problem{File: o.File, Line: line, Field: field, Message: sprintf(format, args...)}
}

// Applied reports what an apply did to one object, kubectl style.
type Applied struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Action string `json:"action"` // created | configured | unchanged
	// Warning, located ("file:line: field: message"), is what the apply
	// took but may not be meant, such as a Codebase document that names
	// no codebase found by any scan yet.
	Warning string `json:"warning,omitempty"`
}

// CatalogStore keeps the catalog: the objects applied from YAML and what
// scans found of codebases.
type CatalogStore interface {
	// Apply creates or updates every object at once, after checking the
	// references between them and to what is already stored. It returns
	// EINVALID with every located problem and applies nothing if any
	// reference is broken.
	Apply(ctx context.Context, objs []Object) ([]Applied, error)
	// CheckApply returns the EINVALID error Apply would return for objs,
	// or nil, and writes nothing.
	CheckApply(ctx context.Context, objs []Object) error
	// Names returns every name of a kind of the catalog, for the refusal
	// of a MissingError to say which was perhaps meant.
	Names(ctx context.Context, kind string) ([]string, error)
	FindTeams(ctx context.Context, name string) ([]Team, error)
	FindPeople(ctx context.Context, handle string) ([]Person, error)
	// FindPeoplePage returns one page of everyone, sorted by handle,
	// reading no more than the page from the database.
	FindPeoplePage(ctx context.Context, p PeoplePage) ([]Person, error)
	FindCodeHosts(ctx context.Context, name string) ([]CodeHost, error)
	FindPlatforms(ctx context.Context, name string) ([]Platform, error)
	FindCodebases(ctx context.Context, f CodebaseFilter) ([]Codebase, error)
	FindMigrations(ctx context.Context, name string) ([]Migration, error)
}
