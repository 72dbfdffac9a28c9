package codeowners

import (
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/tandem-dev/tandem"
)

// String returns the flavor's name as tandem.Ownership.CodeownersFlavor
// keeps it: "github" or "gitlab".
func (f Flavor) String() string {
	if f == GitLab {
		return "gitlab"
	}
	return "github"
}

// flavorOf returns the flavor named by tandem.Ownership.CodeownersFlavor;
// GitHub's when it names none.
func flavorOf(name string) Flavor {
	if strings.EqualFold(name, "gitlab") {
		return GitLab
	}
	return GitHub
}

// pattern is a CODEOWNERS pattern compiled for matching paths relative to
// the repository root, without a leading "/".
type pattern struct {
	// glob is the doublestar glob a matching path matches; literal is
	// glob without any wildcard, matched by comparing strings instead.
	glob    string
	literal string
	isGlob  bool
	// anchored: the pattern matches from the root, else at any depth.
	anchored bool
	// self: a path equal to the pattern matches (false for a pattern
	// with a trailing "/", which names only directories). below: every
	// path under a matching directory matches (false when the pattern's
	// last segment is "*": "docs/*" owns docs' files, not its folders').
	self, below bool
	// exclude is a GitLab exclusion ("!pattern").
	exclude bool
	// none: the pattern matches no path (a glob that does not parse).
	none bool
}

// compile compiles a CODEOWNERS pattern with the rules of flavor f, as
// gitignore reads it, with the differences both code hosts document:
//
//   - a leading "/" anchors the pattern at the root;
//   - on GitHub, as in gitignore, a "/" in the middle anchors it too; on
//     GitLab, which prefixes every pattern without a leading "/" with
//     "**/", it does not: "ee/docs" matches "ee/docs" at any depth;
//   - a pattern without "/" (but a trailing one) matches at any depth;
//   - a trailing "/" matches only directories, and so every path below;
//   - a pattern that names a directory matches every path below it, but
//     one whose last segment is "*" matches only what is directly in its
//     folder ("docs/*" matches docs/a.md, not docs/x/b.md);
//   - "*" and "?" do not cross "/", "**" does; "{" and "}" are plain
//     characters, as neither host expands braces.
func compile(raw string, f Flavor) pattern {
	var p pattern
	if f == GitLab && strings.HasPrefix(raw, "!") {
		p.exclude = true
		raw = raw[1:]
	}
	s := raw
	if strings.HasPrefix(s, "/") {
		p.anchored = true
		s = s[1:]
	}
	dir := strings.HasSuffix(s, "/")
	s = strings.TrimSuffix(s, "/")
	if s == "" {
		// "/" alone: the root directory, so every path.
		s, p.anchored, dir = "**", true, false
	}
	if f == GitHub && strings.Contains(s, "/") {
		p.anchored = true
	}
	last := s[strings.LastIndexByte(s, '/')+1:]
	p.self = !dir
	p.below = dir || last != "*"
	if !strings.ContainsAny(s, `*?[\`) {
		p.literal = s
		return p
	}
	p.isGlob = true
	glob := strings.NewReplacer("{", `\{`, "}", `\}`).Replace(s)
	if !p.anchored && !strings.HasPrefix(glob, "**/") && glob != "**" {
		glob = "**/" + glob
	}
	switch {
	case !p.self:
		glob += "/**/*" // strictly below a matching directory
	case p.below:
		glob += "/**" // the path itself, or below it
	}
	p.glob = glob
	p.none = !doublestar.ValidatePattern(glob)
	return p
}

// match reports whether the pattern matches path, a slash-separated path
// relative to the repository root.
func (p *pattern) match(path string) bool {
	switch {
	case p.none:
		return false
	case p.isGlob:
		return doublestar.MatchUnvalidated(p.glob, path)
	}
	// A literal: whole segments of path, from the root when anchored.
	lit := p.literal
	if p.anchored && !strings.HasPrefix(path, lit) {
		return false
	}
	for i := 0; ; {
		j := strings.Index(path[i:], lit)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(lit)
		atSegment := start == 0 || path[start-1] == '/'
		switch {
		case !atSegment:
		case end == len(path) && p.self:
			return true
		case end < len(path) && path[end] == '/' && p.below:
			return true
		}
		if p.anchored {
			return false
		}
		// Try the next occurrence that starts a segment.
		k := strings.IndexByte(path[start:], '/')
		if k < 0 {
			return false
		}
		i = start + k + 1
	}
}

// Matcher tells who owns each path of one repository, by its CODEOWNERS
// rules and the Backstage entities of its subfolders, with every pattern
// compiled once: make one per repository to match many paths. A Matcher
// is not changed by matching, so goroutines may share it.
type Matcher struct {
	flavor    Flavor
	rules     []tandem.OwnerRule
	patterns  []pattern
	sections  []int // GitLab: the number of each rule's section
	nsections int
	folders   []tandem.FolderOwner
}

// NewMatcher compiles the rules and folders of own, read with the rules of
// own.CodeownersFlavor.
func NewMatcher(own tandem.Ownership) *Matcher {
	m := &Matcher{
		flavor:   flavorOf(own.CodeownersFlavor),
		rules:    own.Rules,
		patterns: make([]pattern, len(own.Rules)),
	}
	for i, r := range own.Rules {
		m.patterns[i] = compile(r.Pattern, m.flavor)
	}
	if m.flavor == GitLab {
		// Sections numbered in order of first appearance, as
		// WholeRepoOwners unites them; same names in any case are one.
		m.sections = make([]int, len(own.Rules))
		number := map[string]int{}
		for i, r := range own.Rules {
			key := strings.ToLower(r.Section)
			n, ok := number[key]
			if !ok {
				n = len(number)
				number[key] = n
			}
			m.sections[i] = n
		}
		m.nsections = len(number)
	}
	for _, f := range own.Folders {
		f.Path = strings.Trim(f.Path, "/")
		if f.Path != "" && f.Path != "." {
			m.folders = append(m.folders, f)
		}
	}
	return m
}

// PathOwners returns who owns path, a file path relative to the repository
// root, by a rule narrower than the whole repository, and reports whether
// one does (narrower). The deepest of own.Folders holding path decides
// first: owners are its Backstage refs and source is tandem.OwnerBackstage.
// Otherwise CODEOWNERS does, with source tandem.OwnerCodeowners: on GitHub
// the last rule of the file matching path; on GitLab the last rule
// matching path of each section, an exclusion clearing its section, the
// sections' owners united in order without duplicates (compared without
// case). When nothing matches, or the deciding rules are whole-repository
// patterns, narrower is false: path is the repository owner's. A deciding
// rule with no owners (GitHub's "no owner") is narrower with nil owners.
//
// PathOwners compiles own's patterns on every call; NewMatcher compiles
// them once for many paths.
func PathOwners(own tandem.Ownership, path string) (owners []string, source string, narrower bool) {
	return NewMatcher(own).PathOwners(path)
}

// PathOwners returns who owns path by a rule narrower than the whole
// repository, as the function PathOwners does.
func (m *Matcher) PathOwners(path string) (owners []string, source string, narrower bool) {
	path = strings.TrimPrefix(path, "/")
	if f, ok := m.folder(path); ok {
		return f.Backstage, tandem.OwnerBackstage, true
	}
	if m.flavor == GitLab {
		owners, narrower = m.gitlab(path)
	} else {
		owners, narrower = m.github(path)
	}
	if !narrower {
		return nil, "", false
	}
	return owners, tandem.OwnerCodeowners, true
}

// folder returns the deepest folder that holds path.
func (m *Matcher) folder(path string) (tandem.FolderOwner, bool) {
	best, found := tandem.FolderOwner{}, false
	for _, f := range m.folders {
		if (path == f.Path || strings.HasPrefix(path, f.Path) && path[len(f.Path)] == '/') &&
			(!found || len(f.Path) > len(best.Path)) {
			best, found = f, true
		}
	}
	return best, found
}

// github returns the owners of the last rule matching path and whether
// that rule is narrower than the whole repository.
func (m *Matcher) github(path string) ([]string, bool) {
	for i := len(m.patterns) - 1; i >= 0; i-- {
		if m.patterns[i].match(path) {
			if wholeRepo(m.rules[i].Pattern) {
				return nil, false
			}
			return m.rules[i].Owners, true
		}
	}
	return nil, false
}

// gitlab decides each section on its own, by its last rule matching path,
// and unites the sections' owners; path is owned narrower when some
// section's deciding rule is not a whole-repository one.
func (m *Matcher) gitlab(path string) ([]string, bool) {
	decided := make([]int, m.nsections) // each section's deciding rule, +1
	left := m.nsections
	for i := len(m.patterns) - 1; i >= 0 && left > 0; i-- {
		s := m.sections[i]
		if decided[s] == 0 && m.patterns[i].match(path) {
			decided[s] = i + 1
			left--
		}
	}
	narrower := false
	var owners []string
	for _, d := range decided {
		if d == 0 {
			continue
		}
		i := d - 1
		if !wholeRepo(strings.TrimPrefix(m.rules[i].Pattern, "!")) {
			narrower = true
		}
		if m.patterns[i].exclude {
			continue
		}
		for _, o := range m.rules[i].Owners {
			if !slices.ContainsFunc(owners, func(u string) bool { return strings.EqualFold(u, o) }) {
				owners = append(owners, o)
			}
		}
	}
	return owners, narrower
}

// Part returns the owned part of a codebase that path belongs to, and the
// reviewers to ask for a change to it, given owner, the team that owns
// the codebase as a whole ("" when none). A path with no narrower rule
// (PathOwners) belongs to part "", the codebase as a whole, with nil
// reviewers. Otherwise the part is the team tandem.ResolveOwner names
// from the deciding owners: "" again when that team is owner (compared
// without case), tandem.PartUnowned when they name no known team (never
// guessed). The reviewers are the deciding CODEOWNERS owners, or, for a
// Backstage folder, the aliases of the resolved team that are code host
// handles (start with "@").
//
// Part compiles own's patterns on every call; NewMatcher compiles them
// once for many paths.
func Part(own tandem.Ownership, owner, path string, teams []tandem.Team) (part string, reviewers []string) {
	return NewMatcher(own).Part(owner, path, teams)
}

// Part returns the owned part of a codebase that path belongs to, and its
// reviewers, as the function Part does.
func (m *Matcher) Part(owner, path string, teams []tandem.Team) (part string, reviewers []string) {
	owners, source, narrower := m.PathOwners(path)
	if !narrower {
		return "", nil
	}
	var own tandem.Ownership
	if source == tandem.OwnerBackstage {
		own.Backstage = owners
	} else {
		own.Codeowners = owners
	}
	team, _ := tandem.ResolveOwner(nil, own, teams)
	switch {
	case team == "":
		part = tandem.PartUnowned
	case strings.EqualFold(team, owner):
		return "", nil
	default:
		part = team
	}
	if source == tandem.OwnerCodeowners {
		return part, append([]string(nil), owners...)
	}
	for _, t := range teams {
		if t.Name != team {
			continue
		}
		for _, a := range t.Aliases {
			if strings.HasPrefix(a, "@") {
				reviewers = append(reviewers, a)
			}
		}
	}
	return part, reviewers
}

// Narrower reports whether own has an ownership rule narrower than the
// whole repository: a Backstage entity of a subfolder, or a CODEOWNERS
// rule whose pattern does not cover every path. Without one, every path
// is the repository owner's, and Part need not be asked.
func Narrower(own tandem.Ownership) bool {
	if len(own.Folders) > 0 {
		return true
	}
	for _, r := range own.Rules {
		if !wholeRepo(strings.TrimPrefix(r.Pattern, "!")) {
			return true
		}
	}
	return false
}
