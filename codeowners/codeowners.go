// Package codeowners reads CODEOWNERS files with the rules of GitHub or
// GitLab and tells who owns a repository as a whole. It reads bytes only;
// finding the file in a repository is the caller's work.
package codeowners

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tandem-dev/tandem"
)

// Flavor is the code host whose CODEOWNERS rules apply.
type Flavor int

// Flavors.
const (
	GitHub Flavor = iota
	GitLab
)

// MaxSize is the size from which GitHub ignores a CODEOWNERS file: a file
// of 3 MB or more owns nothing. Callers should skip such a file without
// reading it and report it as a problem; Parse in GitHub flavor also
// returns that problem and no rules when given one.
const MaxSize = 3 << 20

// Locations returns the paths, relative to the repository root, where a
// code host of flavor f looks for a CODEOWNERS file, in order: the first
// that exists is the one used, and the others are ignored.
func Locations(f Flavor) []string {
	if f == GitLab {
		return []string{"CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}
	}
	return []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}
}

// Rule is one pattern line of a CODEOWNERS file.
type Rule struct {
	// Line is the 1-based line number of the rule.
	Line int
	// Pattern is the path pattern, with the escapes "\#" and "\ " resolved.
	// A GitLab exclusion keeps its leading "!".
	Pattern string
	// Owners are the rule's owners as written; empty means "no owner". In
	// a GitLab section they default to the section's default owners.
	Owners []string
	// Section is the GitLab section name as written in its header, "" for
	// the rules before any header and for every rule in GitHub flavor.
	Section string
}

// File is a parsed CODEOWNERS file: the rules that parsed and a problem for
// each line that did not, which was skipped.
type File struct {
	Name     string
	Rules    []Rule
	Problems []tandem.Problem
}

// handle is a user or organization name, or a team or group slug.
const handle = `[A-Za-z0-9_][A-Za-z0-9._-]*`

var (
	githubOwner  = regexp.MustCompile(`^@` + handle + `(/` + handle + `)?$`)
	gitlabOwner  = regexp.MustCompile(`^(@` + handle + `(/` + handle + `)*|@@(developer|developers|maintainer|maintainers|owner|owners))$`)
	emailAddress = regexp.MustCompile(`^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$`)
	// A GitLab section header: optional ^, [name], optional [approvals],
	// then default owners.
	sectionHeader = regexp.MustCompile(`^\^?\[([^\]]*)\](?:\[([^\]]*)\])?(.*)$`)
	approvals     = regexp.MustCompile(`^[0-9]+$`)
)

// Parse parses the CODEOWNERS file name, whose content is data, with the
// rules of flavor f. A line that does not parse is skipped and reported in
// the returned File's Problems with its line number; the other lines still
// count.
func Parse(name string, data []byte, f Flavor) File {
	file := File{Name: name}
	if f == GitHub && len(data) >= MaxSize {
		file.problem(0, "file is %d bytes, 3 MB or more: GitHub ignores it", len(data))
		return file
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	var section string    // current GitLab section name, as written
	var defaults []string // its default owners
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		if f == GitLab && (line[0] == '[' || strings.HasPrefix(line, "^[")) {
			section, defaults = file.header(n, line)
			continue
		}
		tokens := split(line)
		if len(tokens) == 0 {
			continue
		}
		rule := Rule{Line: n, Section: section, Pattern: unescape(tokens[0])}
		owners := tokens[1:]
		switch {
		case strings.HasPrefix(tokens[0], "!") && f == GitLab:
			// A GitLab exclusion: the paths it matches need no owner in
			// this section. Owners written after it are ignored, as GitLab
			// does.
			file.Rules = append(file.Rules, rule)
			continue
		case strings.HasPrefix(tokens[0], "!"):
			file.problem(n, "negation pattern %q is not supported; line ignored", rule.Pattern)
			continue
		case f == GitHub && hasRange(tokens[0]):
			file.problem(n, "character range in pattern %q is not supported by GitHub; line ignored", rule.Pattern)
			continue
		}
		if bad := invalidOwner(owners, f); bad != "" {
			file.problem(n, "owner %q is not %s; line ignored", bad, ownerForms(f))
			continue
		}
		if len(owners) == 0 && f == GitLab {
			if len(defaults) == 0 {
				file.problem(n, "pattern %q has no owners and its section has no default owners; line ignored", rule.Pattern)
				continue
			}
			owners = defaults
		}
		rule.Owners = append([]string(nil), owners...)
		file.Rules = append(file.Rules, rule)
	}
	return file
}

// header parses the GitLab section header on line n and returns the
// section's name and default owners. A header with a fault still opens its
// section, so that the rules under it are not taken for another section's;
// a fault in its default owners leaves the section without default owners.
func (file *File) header(n int, line string) (name string, defaults []string) {
	m := sectionHeader.FindStringSubmatch(line)
	if m == nil {
		file.problem(n, "section header %q has no closing \"]\"", line)
		return strings.TrimLeft(line, "^["), nil
	}
	name = strings.TrimSpace(m[1])
	if name == "" {
		file.problem(n, "section header has no name")
	}
	if m[2] != "" && !approvals.MatchString(strings.TrimSpace(m[2])) {
		file.problem(n, "approval count %q of section %q is not a number", m[2], name)
	}
	owners := split(m[3])
	if bad := invalidOwner(owners, GitLab); bad != "" {
		file.problem(n, "owner %q is not %s; section %q has no default owners", bad, ownerForms(GitLab), name)
		return name, nil
	}
	return name, owners
}

func (file *File) problem(line int, format string, args ...any) {
	file.Problems = append(file.Problems, tandem.Problem{
		File:    file.Name,
		Line:    line,
		Message: fmt.Sprintf(format, args...),
	})
}

// invalidOwner returns the first of owners that is not a valid owner in
// flavor f, or "" when all are.
func invalidOwner(owners []string, f Flavor) string {
	handles := githubOwner
	if f == GitLab {
		handles = gitlabOwner
	}
	for _, o := range owners {
		if !handles.MatchString(o) && !emailAddress.MatchString(o) {
			return o
		}
	}
	return ""
}

// ownerForms names the forms an owner may take in flavor f, for messages.
func ownerForms(f Flavor) string {
	if f == GitLab {
		return "a @user, @group, @group/subgroup, @@role or email address"
	}
	return "a @user, @org/team or email address"
}

// split returns the whitespace-separated tokens of line, raw (escapes
// kept), up to a "#" that starts a token, which starts a comment. An
// escaped space or tab does not separate tokens.
func split(line string) []string {
	var tokens []string
	var tok strings.Builder
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line):
			tok.WriteByte(c)
			tok.WriteByte(line[i+1])
			i++
		case c == ' ' || c == '\t':
			if tok.Len() > 0 {
				tokens = append(tokens, tok.String())
				tok.Reset()
			}
		case c == '#' && tok.Len() == 0:
			return tokens
		default:
			tok.WriteByte(c)
		}
	}
	if tok.Len() > 0 {
		tokens = append(tokens, tok.String())
	}
	return tokens
}

// unescape resolves the escapes "\#", "\ " and "\<tab>" of a raw pattern
// and keeps every other backslash, which stays part of the glob.
func unescape(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' && i+1 < len(raw) && strings.IndexByte("# \t", raw[i+1]) >= 0 {
			i++
		}
		b.WriteByte(raw[i])
	}
	return b.String()
}

// hasRange reports whether a raw pattern has an unescaped "[", which opens
// a character range.
func hasRange(raw string) bool {
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			i++
		case '[':
			return true
		}
	}
	return false
}

// wholeRepo reports whether a pattern covers every path of the repository.
// "/*" strictly covers only the files at the root, but a file that names
// owners for every root file is taken to name the repository's owners.
func wholeRepo(pattern string) bool {
	switch pattern {
	case "*", "/*", "**", "/**", "**/*", "/**/*":
		return true
	}
	return false
}

// WholeRepoOwners returns the owners of the repository as a whole: those
// of the last rule whose pattern covers every path ("*", "/*", "**",
// "/**", "**/*" or "/**/*"), whatever rules come before or after it, or
// none when that rule has no owners or there is no such rule. In a GitLab
// file each section (the rules before any header form one; headers with
// the same name, in any case, form one) is decided on its own, a later
// whole-repository exclusion clearing it, and the sections' owners are
// united in order of first appearance without duplicates (compared without
// case, as code hosts compare handles).
func (f File) WholeRepoOwners() []string {
	var order []string
	last := map[string][]string{}
	for _, r := range f.Rules {
		key := strings.ToLower(r.Section)
		if _, ok := last[key]; !ok {
			order = append(order, key)
			last[key] = nil
		}
		switch {
		case wholeRepo(r.Pattern):
			last[key] = r.Owners
		case strings.HasPrefix(r.Pattern, "!") && wholeRepo(r.Pattern[1:]):
			last[key] = nil
		}
	}
	var owners []string
	seen := map[string]bool{}
	for _, key := range order {
		for _, o := range last[key] {
			if k := strings.ToLower(o); !seen[k] {
				seen[k] = true
				owners = append(owners, o)
			}
		}
	}
	return owners
}
