package manifest

import (
	"regexp"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/tandem-dev/tandem"
	"go.yaml.in/yaml/v3"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// checkForms are the keys of which a check has exactly one; contains and
// matches only refine path.
var checkForms = []string{"path", "gomod", "command", "all", "any", "not"}

// maxCheckParts bounds the checks of a document, counted part by part
// (each all, any, not and leaf), so that aliases nested within aliases,
// each doubling the parts, cannot make decoding take for ever.
const maxCheckParts = 10000

// check decodes the check at path. It returns nil when the check is not
// usable at all; its problems are reported either way.
func (d *decoder) check(path string, n *yaml.Node) *tandem.Check {
	n = deref(n)
	if !d.enterCheck(path, n) {
		return nil
	}
	defer func() { d.checks = d.checks[:len(d.checks)-1] }()
	f, ok := d.mapping(path, n, "path", "contains", "matches", "gomod", "command", "all", "any", "not", "source")
	if !ok {
		return nil
	}
	source := d.source(f)
	form, ok := d.checkForm(path, f)
	if !ok {
		return nil
	}
	c := &tandem.Check{Source: source}
	switch form {
	case "path":
		c.Path, c.Contains, c.Matches = d.pathCheck(f)
	case "gomod":
		c.GoMod = d.gomod(f.field("gomod"), f.vals["gomod"])
	case "command":
		c.Command = d.command(f)
	case "all", "any":
		checks, ok := d.checkList(f, form)
		if !ok {
			return nil
		}
		if form == "all" {
			c.All = checks
		} else {
			c.Any = checks
		}
	case "not":
		c.Not = d.check(f.field("not"), f.vals["not"])
	}
	return c
}

// sources are the values of a check's source: who evaluates it.
var sources = []string{tandem.SourceCI}

// source decodes who evaluates the check f: "" (the server's scan) or
// tandem.SourceCI. Only a check as a whole has one, a platform's adoption
// or a migration's target or done, never a check within all, any or not:
// a result is of a whole check.
func (d *decoder) source(f fields) string {
	if _, ok := f.vals["source"]; !ok {
		return ""
	}
	if len(d.checks) > 1 {
		d.errorf(f.field("source"), nil, "only a check as a whole (a platform's adoption, a migration's target or done) has a source, not one within all, any or not")
		return ""
	}
	s := f.required("source")
	f.oneOf("source", s, "source", sources)
	if !slices.Contains(sources, s) {
		return ""
	}
	return s
}

// enterCheck records that the check n at path is being decoded, and
// reports whether it may be: not when it is an alias to a check that
// encloses it, nor past maxCheckParts. The caller that may decode it
// removes it from d.checks when done.
func (d *decoder) enterCheck(path string, n *yaml.Node) bool {
	if n != nil && slices.Contains(d.checks, n) {
		d.errorf(path, n, "an alias to an enclosing check: a check cannot contain itself")
		return false
	}
	if d.checked++; d.checked > maxCheckParts {
		if d.checked == maxCheckParts+1 {
			d.errorf(path, n, "checks of more than %d parts (aliases count each time they are used): too large", maxCheckParts)
		}
		return false
	}
	d.checks = append(d.checks, n)
	return true
}

// checkForm returns which of checkForms the check f is, and whether it
// is exactly one of them.
func (d *decoder) checkForm(path string, f fields) (string, bool) {
	var forms []string
	for _, k := range checkForms {
		if _, ok := f.vals[k]; ok {
			forms = append(forms, k)
		}
	}
	_, hasContains := f.vals["contains"]
	_, hasMatches := f.vals["matches"]
	if !slices.Contains(forms, "path") {
		for _, k := range []string{"contains", "matches"} {
			if _, ok := f.vals[k]; ok {
				d.errorf(f.field(k), nil, "only allowed with path")
			}
		}
	}
	switch len(forms) {
	case 0:
		if !hasContains && !hasMatches {
			d.errorAt(path, f.line, "empty check: want one of %s", strings.Join(checkForms, ", "))
		}
		return "", false
	case 1:
		return forms[0], true
	default:
		d.errorAt(path, f.line, "a check has exactly one of %s; got %s", strings.Join(checkForms, ", "), strings.Join(forms, " and "))
		return "", false
	}
}

// pathCheck decodes a path check: a relative glob, and what a file it
// matches contains or matches, at most one of them.
func (d *decoder) pathCheck(f fields) (path, contains, matches string) {
	path = f.required("path")
	if path != "" {
		switch {
		case strings.HasPrefix(path, "/"):
			d.errorf(f.field("path"), nil, "%q must be relative to the repository root", path)
		case !doublestar.ValidatePattern(path):
			d.errorf(f.field("path"), nil, "invalid glob %q", path)
		}
	}
	_, hasContains := f.vals["contains"]
	_, hasMatches := f.vals["matches"]
	if hasContains && hasMatches {
		d.errorf(f.field("matches"), nil, "contains and matches are exclusive")
		return path, "", ""
	}
	if hasContains {
		contains = f.required("contains")
	}
	if hasMatches {
		matches = f.required("matches")
		if matches != "" {
			if _, err := regexp.Compile(matches); err != nil {
				d.errorf(f.field("matches"), nil, "invalid regular expression: %v", err)
			}
		}
	}
	return path, contains, matches
}

// checkList decodes the checks of an all or any check (form), those that
// are usable. It reports false when form is not a list.
func (d *decoder) checkList(f fields, form string) ([]tandem.Check, bool) {
	nodes, paths, ok := f.list(form, "checks")
	if !ok {
		return nil, false
	}
	if len(nodes) == 0 {
		d.errorf(f.field(form), nil, "must not be empty")
	}
	var checks []tandem.Check
	for i, e := range nodes {
		if sub := d.check(paths[i], e); sub != nil {
			checks = append(checks, *sub)
		}
	}
	return checks, true
}

// gomod decodes a gomod check: a module and one version bound, stored with
// a leading v.
func (d *decoder) gomod(path string, n *yaml.Node) *tandem.GoModCheck {
	f, ok := d.mapping(path, n, "require", "below", "atLeast")
	if !ok {
		return nil
	}
	g := &tandem.GoModCheck{Require: f.required("require")}
	if g.Require != "" {
		if err := module.CheckImportPath(g.Require); err != nil {
			d.errorf(f.field("require"), nil, "invalid module path: %v", err)
		}
	}
	_, hasBelow := f.vals["below"]
	_, hasAtLeast := f.vals["atLeast"]
	switch {
	case hasBelow && hasAtLeast:
		d.errorf(f.field("atLeast"), nil, "below and atLeast are exclusive")
	case hasBelow:
		g.Below = f.version("below")
	case hasAtLeast:
		g.AtLeast = f.version("atLeast")
	default:
		d.errorAt(path, f.line, "needs below or atLeast")
	}
	return g
}

// version returns the semantic version of key with a leading v.
func (f fields) version(key string) string {
	v := f.required(key)
	if v == "" {
		return ""
	}
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	if !semver.IsValid(v) {
		f.d.errorf(f.field(key), nil, "invalid semantic version %q", f.str(key))
	}
	return v
}

// command decodes a command check's argv: a non-empty list of strings
// whose first is the program.
func (d *decoder) command(f fields) []string { return d.argv(f, "command") }

// argv returns the non-empty list of strings of key: a program and its
// arguments.
func (d *decoder) argv(f fields, key string) []string {
	nodes, paths, ok := f.list(key, "strings")
	if !ok {
		return nil
	}
	if len(nodes) == 0 {
		d.errorf(f.field(key), nil, "must not be empty")
		return nil
	}
	argv := make([]string, 0, len(nodes))
	for i, e := range nodes {
		if e.Kind != yaml.ScalarNode || isNull(e) {
			d.errorf(paths[i], e, "expected a string, got %s", describe(e))
			continue
		}
		if i == 0 && e.Value == "" {
			d.errorf(paths[i], e, "the program must not be empty")
		}
		argv = append(argv, e.Value)
	}
	return argv
}
