package tandem

import (
	"slices"
	"time"
)

// Contribution policies: who may send changes to a codebase.
const (
	Closed  = "closed"  // only the owning team
	Trusted = "trusted" // also the teams and people in Trusted (Trusted Outsider)
	Open    = "open"    // anyone (Internal Open Source)
)

// Sources of a codebase's owner, from most to least authoritative.
const (
	OwnerExplicit   = "explicit"   // a Codebase document's spec.owner
	OwnerBackstage  = "backstage"  // catalog-info.yaml spec.owner
	OwnerCodeowners = "codeowners" // the whole-repository CODEOWNERS line
)

// Codebase is a repository discovered on a code host, with its owner and
// contribution policy.
type Codebase struct {
	Name string `json:"name"`
	Host string `json:"host"`
	// Location is where the codebase's git objects are on the server.
	Location      string `json:"location"`
	DefaultBranch string `json:"default_branch"`
	// Head is the commit of the default branch the codebase was last scanned at.
	Head string `json:"head"`
	// Owner is the owning team's name; nil when no source names a known team.
	Owner         *string  `json:"owner"`
	OwnerSource   string   `json:"owner_source,omitempty"`
	Contributions string   `json:"contributions"`
	Trusted       []string `json:"trusted"`
	// AutoMerge says that Tandem merges the platform team's change requests
	// once the owners approve them.
	AutoMerge bool `json:"auto_merge"`
	// Ownership is what the repository's files say about its owner, kept so
	// that the owner is resolved again when teams change.
	Ownership Ownership `json:"ownership"`
	// Problems are faults found while reading the codebase (a CODEOWNERS
	// line that does not parse, a broken HEAD).
	Problems  []Problem  `json:"problems"`
	ScannedAt *time.Time `json:"scanned_at"`
	// GoneAt is when a complete listing of its host first left the
	// codebase out (the repository deleted, archived or renamed); nil
	// while the host lists it. A gone codebase counts nowhere and keeps
	// its history; it is back when the host lists it again.
	GoneAt *time.Time `json:"gone_at,omitempty"`
}

// MayGrantTrust returns nil when a codebase's owners may give an outside
// contributor the commit bit (Trusted Outsider): it has an owner and takes
// outside changes, open (Internal Open Source, where the trust ladder
// usually starts) or trusted. Closed is EINVALID: it takes no outside
// changes to earn trust with. The trust ladder proposes, and
// `contributors trust` grants, by this one rule.
func (c Codebase) MayGrantTrust() error {
	switch {
	case c.Owner == nil:
		return Errorf(EINVALID, "%s has no owner to grant trust", c.Name)
	case c.Contributions == Closed:
		return Errorf(EINVALID, "%s is closed: declare contributions: open or trusted before granting commit bits", c.Name)
	}
	return nil
}

// HoldsCommitBit reports whether a person, or their team, is on a
// codebase's trusted list: declared, or granted on the trust ladder.
func (c Codebase) HoldsCommitBit(person, team string) bool {
	return slices.Contains(c.Trusted, person) || team != "" && slices.Contains(c.Trusted, team)
}

// Ownership is what a repository's files say about its owner.
type Ownership struct {
	// Codeowners are the owners on the last CODEOWNERS line(s) that cover
	// the whole repository, in file order, and the file they came from.
	Codeowners     []string `json:"codeowners,omitempty"`
	CodeownersFile string   `json:"codeowners_file,omitempty"`
	// Backstage are the spec.owner refs of catalog-info.yaml's entities.
	Backstage []string `json:"backstage,omitempty"`
	// Rules are every rule of the CODEOWNERS file, in file order, read
	// with the rules of CodeownersFlavor (github or gitlab): what owns
	// each path.
	Rules            []OwnerRule `json:"rules,omitempty"`
	CodeownersFlavor string      `json:"codeowners_flavor,omitempty"`
	// Folders are the Backstage entities of catalog-info.yaml files in
	// subfolders: each owns the paths under its folder.
	Folders []FolderOwner `json:"folders,omitempty"`
}

// OwnerRule is one rule of a CODEOWNERS file: the paths Pattern matches
// belong to Owners (none: no owner), within a GitLab Section.
type OwnerRule struct {
	Line    int      `json:"line"`
	Pattern string   `json:"pattern"`
	Owners  []string `json:"owners,omitempty"`
	Section string   `json:"section,omitempty"`
}

// FolderOwner is a Backstage entity declared in a subfolder's
// catalog-info.yaml: the spec.owner refs of the paths under Path.
type FolderOwner struct {
	Path      string   `json:"path"`
	Backstage []string `json:"backstage"`
}

// CodebasePolicy is a Codebase document: what a person declares about a
// codebase, over what was discovered.
type CodebasePolicy struct {
	Name          string   `json:"name"`
	Owner         string   `json:"owner,omitempty"`
	Contributions string   `json:"contributions,omitempty"`
	Trusted       []string `json:"trusted,omitempty"`
	AutoMerge     bool     `json:"autoMerge,omitempty"`
}

// CodebaseFilter selects codebases; zero fields match everything but
// gone codebases. Name matches in any case.
type CodebaseFilter struct {
	// Name selects one codebase, gone or not, so that a gone codebase's
	// page and history still open.
	Name  string
	Owner string
	Host  string
	// Contributions selects the codebases of one contribution policy
	// (closed, trusted or open).
	Contributions string
	// Gone selects the codebases gone from their host instead of those
	// it lists (Codebase.GoneAt). Without it, and without a Name, gone
	// codebases are left out: of lists, counts and totals.
	Gone bool
	// Declared adds the Codebase documents that name no discovered
	// codebase, as codebases without a host whose one problem is
	// UndiscoveredCodebase, located where the document was declared.
	Declared bool
	// Limit, when above 0, selects at most Limit codebases, sorted as
	// the database sorts text, whose name sorts after After: a page of
	// them, read without the others (keyset paging). Without a Name.
	Limit int
	After string
}

// UndiscoveredCodebase is the problem of a Codebase document that names no
// codebase any scan found: it applies once a scan finds one.
const UndiscoveredCodebase = "declared, not found by any scan: a Codebase document applies once a scan finds a codebase of its name (in any case)"
