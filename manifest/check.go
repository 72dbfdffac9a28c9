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
	if n != nil && slices.Contains(d.checks, n) {
		d.errorf(path, n, "an alias to an enclosing check: a check cannot contain itself")
		return nil
	}
	if d.checked++; d.checked > maxCheckParts {
		if d.checked == maxCheckParts+1 {
			d.errorf(path, n, "checks of more than %d parts (aliases count each time they are used): too large", maxCheckParts)
		}
		return nil
	}
	d.checks = append(d.checks, n)
	defer func() { d.checks = d.checks[:len(d.checks)-1] }()
	f, ok := d.mapping(path, n, "path", "contains", "matches", "gomod", "command", "all", "any", "not")
	if !ok {
		return nil
	}
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
		return nil
	case 1:
	default:
		d.errorAt(path, f.line, "a check has exactly one of %s; got %s", strings.Join(checkForms, ", "), strings.Join(forms, " and "))
		return nil
	}

	c := &tandem.Check{}
	switch forms[0] {
	case "path":
		c.Path = f.required("path")
		if c.Path != "" {
			switch {
			case strings.HasPrefix(c.Path, "/"):
				d.errorf(f.field("path"), nil, "%q must be relative to the repository root", c.Path)
			case !doublestar.ValidatePattern(c.Path):
				d.errorf(f.field("path"), nil, "invalid glob %q", c.Path)
			}
		}
		if hasContains && hasMatches {
			d.errorf(f.field("matches"), nil, "contains and matches are exclusive")
			break
		}
		if hasContains {
			c.Contains = f.required("contains")
		}
		if hasMatches {
			c.Matches = f.required("matches")
			if c.Matches != "" {
				if _, err := regexp.Compile(c.Matches); err != nil {
					d.errorf(f.field("matches"), nil, "invalid regular expression: %v", err)
				}
			}
		}
	case "gomod":
		c.GoMod = d.gomod(f.field("gomod"), f.vals["gomod"])
	case "command":
		c.Command = d.command(f)
	case "all", "any":
		nodes, paths, ok := f.list(forms[0], "checks")
		if !ok {
			return nil
		}
		if len(nodes) == 0 {
			d.errorf(f.field(forms[0]), nil, "must not be empty")
		}
		var checks []tandem.Check
		for i, e := range nodes {
			if sub := d.check(paths[i], e); sub != nil {
				checks = append(checks, *sub)
			}
		}
		if forms[0] == "all" {
			c.All = checks
		} else {
			c.Any = checks
		}
	case "not":
		c.Not = d.check(f.field("not"), f.vals["not"])
	}
	return c
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
