package manifest

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/tandem-dev/tandem"
	"go.yaml.in/yaml/v3"
)

// decoder walks the nodes of one document. It records the line of every
// field path it decodes and collects problems instead of stopping at the
// first.
type decoder struct {
	file  string
	dir   string // what a relative file is relative to
	line  int    // the document's first line, for problems with no better place
	lines map[string]int
	probs tandem.Problems
	// checks are the check nodes being decoded, outermost first, so that
	// an alias to one of them, which would make a check contain itself, is
	// refused instead of being expanded without end.
	checks []*yaml.Node
	// checked counts the check nodes decoded, aliases expanded, against
	// maxCheckParts.
	checked int
}

// fileDir returns the folder of the file being decoded.
func (d *decoder) fileDir() string {
	if filepath.IsAbs(d.file) {
		return filepath.Dir(d.file)
	}
	return filepath.Join(d.dir, filepath.Dir(d.file))
}

// errorAt records a problem about the field path at line.
func (d *decoder) errorAt(path string, line int, format string, args ...any) {
	if line == 0 {
		line = d.line
	}
	d.probs = append(d.probs, tandem.Problem{File: d.file, Line: line, Field: path, Message: fmt.Sprintf(format, args...)})
}

// errorf records a problem about the field path, at the line the path was
// declared on, or else at node n's line.
func (d *decoder) errorf(path string, n *yaml.Node, format string, args ...any) {
	line, ok := d.lines[path]
	if !ok && n != nil {
		line = n.Line
	}
	d.errorAt(path, line, format, args...)
}

// fields is a decoded mapping: its field path, the line of its key (where a
// missing field is reported) and its values by key.
type fields struct {
	d    *decoder
	path string
	line int
	vals map[string]*yaml.Node
}

// mapping returns the known fields of the mapping n at path, reporting
// unknown and repeated keys. An absent or null n is an empty mapping; any
// other non-mapping is reported and returns false.
func (d *decoder) mapping(path string, n *yaml.Node, valid ...string) (fields, bool) {
	n = deref(n)
	line, ok := d.lines[path]
	if !ok && n != nil {
		line = n.Line
	}
	f := fields{d: d, path: path, line: line, vals: map[string]*yaml.Node{}}
	if isNull(n) {
		return f, true
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(path, n, "expected a mapping, got %s", describe(n))
		return f, false
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		name := k.Value
		field := join(path, name)
		if k.Kind != yaml.ScalarNode {
			d.errorAt(path, k.Line, "expected a field name, got %s", describe(k))
			continue
		}
		if first, ok := seen[name]; ok {
			d.errorAt(field, k.Line, "duplicate field (first at line %d)", first)
			continue
		}
		seen[name] = k.Line
		if !slices.Contains(valid, name) {
			d.errorAt(field, k.Line, "unknown field%s (valid: %s)", tandem.DidYouMean(name, valid), strings.Join(valid, ", "))
			continue
		}
		d.lines[field] = k.Line
		f.vals[name] = v
	}
	return f, true
}

// field returns the path of the field key.
func (f fields) field(key string) string { return join(f.path, key) }

// has reports whether key is set to something other than null.
func (f fields) has(key string) bool { return !isNull(f.vals[key]) }

// str returns the string value of key, "" when it is absent or null.
func (f fields) str(key string) string {
	n := f.vals[key]
	if isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		f.d.errorf(f.field(key), n, "expected a string, got %s", describe(n))
		return ""
	}
	return n.Value
}

// required returns the string value of key, reporting it when it is absent
// or empty.
func (f fields) required(key string) string {
	s := f.str(key)
	f.need(key, s)
	return s
}

// httpURL reports the value s of key when it is set but not an absolute
// http(s) URL.
func (f fields) httpURL(key, s string) {
	if u, err := url.Parse(s); s != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		f.d.errorf(f.field(key), f.vals[key], "%q is not an absolute http(s) URL", s)
	}
}

// need reports key as required when its decoded value s is empty and key is
// absent, null or an empty string, at its own line or else at the mapping's.
func (f fields) need(key, s string) {
	n := deref(f.vals[key])
	if s != "" || !isNull(n) && n.Kind != yaml.ScalarNode {
		return
	}
	line, ok := f.d.lines[f.field(key)]
	if !ok {
		line = f.line
	}
	f.d.errorAt(f.field(key), line, "required")
}

// oneOf reports the value s of key when it is set and not one of valid.
func (f fields) oneOf(key, s, what string, valid []string) {
	if s != "" && !slices.Contains(valid, s) {
		f.d.errorf(f.field(key), f.vals[key], "unknown %s %q%s (valid: %s)", what, s, tandem.DidYouMean(s, valid), strings.Join(valid, ", "))
	}
}

// duration reports the value of key when it is not a duration as
// tandem.ParseDuration reads them (what says what else it may be).
func (f fields) duration(key, what string) {
	if _, err := tandem.ParseDuration(f.str(key)); err != nil {
		f.d.errorf(f.field(key), f.vals[key], "%q is not %s (90m, 36h, 7d, 2w)", f.str(key), what)
	}
}

// boolean returns the boolean value of key, false when absent, reporting
// anything other than true or false.
func (f fields) boolean(key string) bool {
	n := deref(f.vals[key])
	if isNull(n) {
		return false
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		return n.Value == "true"
	}
	f.d.errorf(f.field(key), n, "expected true or false, got %s", describe(n))
	return false
}

// secret returns the value of key, a secret named only by reference
// (env:NAME), reporting an inline value without echoing it.
func (f fields) secret(key string) string {
	s := f.str(key)
	if s != "" && !secretRef.MatchString(s) {
		f.d.errorf(f.field(key), nil, "a secret is named only by reference, env:NAME, never written inline")
		return ""
	}
	return s
}

// positive returns the integer value of key, reporting it when it is
// absent or not a positive integer.
func (f fields) positive(key string) int {
	n := deref(f.vals[key])
	if isNull(n) {
		f.need(key, "")
		return 0
	}
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || v <= 0 {
		f.d.errorf(f.field(key), n, "expected a positive whole number, got %s", describe(n))
		return 0
	}
	return v
}

// template returns the string value of key, reporting it when it is not a
// Go text/template that parses.
func (f fields) template(key string) string {
	s := f.str(key)
	if s == "" {
		return s
	}
	if _, err := template.New(key).Option("missingkey=error").Funcs(templateFuncs).Parse(s); err != nil {
		f.d.errorf(f.field(key), f.vals[key], "%v", err)
	}
	return s
}

// templateFuncs are the names ticket and fix templates may call; their
// meaning is the campaign package's, only the names matter for parsing.
var templateFuncs = template.FuncMap{"join": stub, "upper": stub, "lower": stub, "evidence": stub}

func stub(...any) string { return "" }

// name returns the string value of key, reporting it when it is set and
// not a valid name.
func (f fields) name(key string) string {
	s := f.str(key)
	if s != "" && !validName(s) {
		f.d.errorf(f.field(key), f.vals[key], "%s", invalidName(s))
	}
	return s
}

// names returns the list of names of key, never nil. When strict, each name
// must be a valid name (a team or person); otherwise it must not be empty.
func (f fields) names(key string, strict bool) []string {
	d, path, n := f.d, f.field(key), f.vals[key]
	list := []string{}
	if isNull(n) {
		return list
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(path, n, "expected a list of names, got %s", describe(n))
		return list
	}
	seen := map[string]int{}
	for i, e := range n.Content {
		e = deref(e)
		p := path + "[" + strconv.Itoa(i) + "]"
		d.lines[p] = e.Line
		switch {
		case e.Kind != yaml.ScalarNode || isNull(e) || e.Value == "":
			d.errorf(p, e, "expected a name, got %s", describe(e))
			continue
		case strict && !validName(e.Value):
			d.errorf(p, e, "%s", invalidName(e.Value))
		case seen[e.Value] > 0:
			d.errorf(p, e, "%q listed twice (first at line %d)", e.Value, seen[e.Value])
			continue
		}
		seen[e.Value] = e.Line
		list = append(list, e.Value)
	}
	return list
}

// list returns the elements of the sequence of key with their field paths.
// It returns false when key holds something other than a list, which it
// reports as not a list of what; absent or null is an empty list.
func (f fields) list(key, what string) ([]*yaml.Node, []string, bool) {
	d, path, n := f.d, f.field(key), deref(f.vals[key])
	if isNull(n) {
		return nil, nil, true
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(path, n, "expected a list of %s, got %s", what, describe(n))
		return nil, nil, false
	}
	var nodes []*yaml.Node
	var paths []string
	for i, e := range n.Content {
		e = deref(e)
		p := path + "[" + strconv.Itoa(i) + "]"
		d.lines[p] = e.Line
		nodes = append(nodes, e)
		paths = append(paths, p)
	}
	return nodes, paths, true
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// validName reports whether s is a valid metadata.name, team name or person
// handle.
func validName(s string) bool { return nameRE.MatchString(s) }

// invalidName returns the message for an invalid name s.
func invalidName(s string) string {
	return fmt.Sprintf("invalid name %q: use at most 63 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit", s)
}

// codebaseNameRE is the rule of a codebase's name: its repository's name
// as the code host spells it, capitals included.
var codebaseNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// validCodebaseName reports whether s is a valid name of a Codebase
// document. The document names its codebase in any case: Masterminds-sprig
// and masterminds-sprig are one codebase.
func validCodebaseName(s string) bool { return codebaseNameRE.MatchString(s) }

// invalidCodebaseName returns the message for an invalid codebase name s.
func invalidCodebaseName(s string) string {
	return fmt.Sprintf("invalid codebase name %q: use its repository's name, at most 100 letters (any case), digits, '-', '_' or '.', starting with a letter or digit", s)
}

// describe returns how a problem shows the offending node: a scalar's value
// (quoted when it is a string), or "a list" or "a mapping".
func describe(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case isNull(n):
		return "null"
	case n.ShortTag() == "!!str":
		return strconv.Quote(n.Value)
	}
	return n.Value
}

// deref returns the node an alias points to, or n itself.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is absent or an explicit or empty null.
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// join returns the field path of key inside path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
