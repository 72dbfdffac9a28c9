package tandem

// Check is a condition over a codebase's files at a commit: a leaf (a path
// exists, a file contains a literal or matches a regular expression, go.mod
// requires a module version, a command succeeds) or a combination of checks.
// Exactly one of its groups of fields is set.
type Check struct {
	// Path is a doublestar glob relative to the repository root; alone it
	// holds when a file matches, with Contains or Matches when a matching
	// file's content does.
	Path     string `json:"path,omitempty"`
	Contains string `json:"contains,omitempty"`
	Matches  string `json:"matches,omitempty"` // RE2

	GoMod   *GoModCheck `json:"gomod,omitempty"`
	Command []string    `json:"command,omitempty"`

	// Source says who evaluates the check: "" for the server's scan, or
	// SourceCI for a CI job, which runs `tandem check --push` in a
	// checkout where the build is at hand and pushes the result. Only a
	// platform's or migration's check as a whole has one.
	Source string `json:"source,omitempty"`

	All []Check `json:"all,omitempty"`
	Any []Check `json:"any,omitempty"`
	Not *Check  `json:"not,omitempty"`
}

// SourceCI is the Source of a check that CI evaluates and pushes.
const SourceCI = "ci"

// GoModCheck holds when go.mod requires Module below or at least a version.
type GoModCheck struct {
	Require string `json:"require"`
	Below   string `json:"below,omitempty"`
	AtLeast string `json:"atLeast,omitempty"`
}
