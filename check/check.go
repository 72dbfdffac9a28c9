// Package check evaluates Tandem's check language over a repository's
// files at a commit. It reads no repository itself: a caller walks the
// files, asks each leaf of a compiled Program whether it selects a file and
// what it finds in the file's content, and combines the findings into a
// Result. Leaf results depend only on a file's content, so a caller may
// cache them by (Leaf.Key, blob id).
//
// The leaves and what they mean:
//
//   - {path: GLOB} holds when a file matches the doublestar glob, relative
//     to the repository root: "**/*.go" matches "main.go" and "a/b/c.go",
//     "vendor/**" matches everything under vendor.
//   - {path: GLOB, contains: LITERAL} holds when a selected file contains
//     the literal bytes, wherever they are: in code, in a comment or in a
//     string. A literal is not a parser; a comment mentioning a module path
//     counts.
//   - {path: GLOB, matches: RE2} holds when the regular expression matches
//     a selected file's content. The expression runs over the whole file in
//     multi-line mode: ^ and $ match at the start and end of every line
//     (before a "\n"; a "\r" before it is part of the line), "." does not
//     match "\n", and "\n" may be written to span lines. (?-m) restores
//     whole-text anchors.
//   - {gomod: {require: MODULE, below|atLeast: VERSION}} holds when the
//     repository's root go.mod requires MODULE, directly or "// indirect",
//     at a version below (or at least) VERSION in semantic version order.
//     Replace directives are ignored: the required version is compared,
//     not what it is replaced by. A go.mod that does not parse makes the
//     leaf fail with an error, carried to Result.Err.
//   - {command: [ARGV…]} holds when the command exits 0 in a checkout; the
//     caller runs it, with proc.Runner.Run.
//
// Content leaves never match a binary file (a NUL byte in its first 8000
// bytes, see IsBinary) nor one larger than MaxFileSize (see Readable);
// path leaves still do. Content is bytes: invalid UTF-8 is matched as is.
package check

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/tandem-dev/tandem"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Program is a compiled check: its tree of combinators and its distinct
// leaves.
type Program struct {
	root   *node
	leaves []*Leaf
}

type op int

const (
	opLeaf op = iota
	opAll
	opAny
	opNot
)

type node struct {
	op   op
	leaf *Leaf
	kids []*node
}

type kind int

const (
	kindPath kind = iota
	kindContains
	kindMatches
	kindGoMod
	kindCommand
)

// Leaf is one condition of a Program that a caller evaluates per file (or,
// for a command, per checkout).
type Leaf struct {
	index int
	kind  kind
	id    string // identity within a program, to share equal leaves
	key   string

	glob    string
	literal []byte // contains; the prefilter of matches

	re          *regexp.Regexp
	anchoredTop bool // the expression has \A: it cannot be rerun on a suffix

	module  string
	version string
	below   bool

	argv []string
}

// Compile returns the Program of c, or an EINVALID *tandem.Error naming the
// first fault: an empty or ambiguous check, a bad glob, regular expression,
// module path or version. Equal leaves are compiled once.
func Compile(c tandem.Check) (*Program, error) {
	p := &Program{}
	seen := map[string]*Leaf{}
	root, err := p.compile(c, "check", seen)
	if err != nil {
		return nil, err
	}
	p.root = root
	return p, nil
}

func (p *Program) compile(c tandem.Check, at string, seen map[string]*Leaf) (*node, error) {
	var forms []string
	if c.Path != "" {
		forms = append(forms, "path")
	}
	if c.GoMod != nil {
		forms = append(forms, "gomod")
	}
	if c.Command != nil {
		forms = append(forms, "command")
	}
	if c.All != nil {
		forms = append(forms, "all")
	}
	if c.Any != nil {
		forms = append(forms, "any")
	}
	if c.Not != nil {
		forms = append(forms, "not")
	}
	if len(forms) != 1 {
		return nil, tandem.Errorf(tandem.EINVALID, "%s: want exactly one of path, gomod, command, all, any, not; got %d", at, len(forms))
	}
	if (c.Contains != "" || c.Matches != "") && forms[0] != "path" {
		return nil, tandem.Errorf(tandem.EINVALID, "%s: contains and matches are only allowed with path", at)
	}
	switch forms[0] {
	case "all", "any":
		kids := c.All
		n := &node{op: opAll}
		if forms[0] == "any" {
			kids, n.op = c.Any, opAny
		}
		if len(kids) == 0 {
			return nil, tandem.Errorf(tandem.EINVALID, "%s.%s: must not be empty", at, forms[0])
		}
		for i, k := range kids {
			kn, err := p.compile(k, fmt.Sprintf("%s.%s[%d]", at, forms[0], i), seen)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kn)
		}
		return n, nil
	case "not":
		kn, err := p.compile(*c.Not, at+".not", seen)
		if err != nil {
			return nil, err
		}
		return &node{op: opNot, kids: []*node{kn}}, nil
	}
	l, err := compileLeaf(c, at)
	if err != nil {
		return nil, err
	}
	if prev, ok := seen[l.id]; ok {
		l = prev
	} else {
		l.index = len(p.leaves)
		p.leaves = append(p.leaves, l)
		seen[l.id] = l
	}
	return &node{op: opLeaf, leaf: l}, nil
}

func compileLeaf(c tandem.Check, at string) (*Leaf, error) {
	switch {
	case c.GoMod != nil:
		g := c.GoMod
		if err := module.CheckImportPath(g.Require); err != nil {
			return nil, tandem.Errorf(tandem.EINVALID, "%s.gomod.require: invalid module path: %v", at, err)
		}
		l := &Leaf{kind: kindGoMod, glob: "go.mod", module: g.Require}
		v, bound := g.AtLeast, "atLeast"
		if g.Below != "" {
			v, bound, l.below = g.Below, "below", true
		}
		if (g.Below == "") == (g.AtLeast == "") {
			return nil, tandem.Errorf(tandem.EINVALID, "%s.gomod: want exactly one of below and atLeast", at)
		}
		if !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		if !semver.IsValid(v) {
			return nil, tandem.Errorf(tandem.EINVALID, "%s.gomod.%s: invalid semantic version %q", at, bound, v)
		}
		l.version = v
		l.key = "gomod:" + g.Require + ":" + bound + ":" + v
		l.id = l.key
		return l, nil
	case c.Command != nil:
		if len(c.Command) == 0 || c.Command[0] == "" {
			return nil, tandem.Errorf(tandem.EINVALID, "%s.command: the program must not be empty", at)
		}
		argv := append([]string(nil), c.Command...)
		return &Leaf{kind: kindCommand, argv: argv, id: "command:" + fmt.Sprintf("%q", argv)}, nil
	}
	glob := strings.TrimPrefix(c.Path, "./")
	if strings.HasPrefix(glob, "/") || !doublestar.ValidatePattern(glob) {
		return nil, tandem.Errorf(tandem.EINVALID, "%s.path: invalid glob %q", at, c.Path)
	}
	l := &Leaf{kind: kindPath, glob: glob}
	switch {
	case c.Contains != "" && c.Matches != "":
		return nil, tandem.Errorf(tandem.EINVALID, "%s: contains and matches are exclusive", at)
	case c.Contains != "":
		l.kind = kindContains
		l.literal = []byte(c.Contains)
		l.key = "contains:" + c.Contains
	case c.Matches != "":
		expr := "(?m)" + c.Matches
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, tandem.Errorf(tandem.EINVALID, "%s.matches: invalid regular expression: %v", at, err)
		}
		tree, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			return nil, tandem.Errorf(tandem.EINVALID, "%s.matches: invalid regular expression: %v", at, err)
		}
		tree = tree.Simplify()
		l.kind = kindMatches
		l.re = re
		l.anchoredTop = hasOp(tree, syntax.OpBeginText)
		if lit := requiredLiteral(tree); lit != "" {
			l.literal = []byte(lit)
		}
		l.key = "matches:" + expr
	}
	l.id = l.key + "\x00" + glob
	return l, nil
}

// Leaves returns the program's distinct leaves in the order they first
// appear in the check, depth first.
func (p *Program) Leaves() []*Leaf { return p.leaves }

// Key returns what the leaf computes over a file's content, independent of
// its glob ("contains:LITERAL", "matches:(?m)RE", "gomod:MODULE:below:V"),
// so that results are shared across checks and cached by (Key, blob id).
// It returns "" for path and command leaves, which read no content.
func (l *Leaf) Key() string { return l.key }

// MatchPath reports whether the leaf selects the file at path, a
// slash-separated path relative to the repository root: the glob matches
// it, or, for a gomod leaf, it is the root go.mod. Command leaves select no
// file.
func (l *Leaf) MatchPath(path string) bool {
	if l.kind == kindCommand {
		return false
	}
	if l.kind == kindGoMod {
		return path == "go.mod"
	}
	ok, _ := doublestar.Match(l.glob, path) // the glob was validated by Compile
	return ok
}

// Glob returns the pattern of paths the leaf selects ("go.mod" for a gomod
// leaf, "" for a command leaf), so that callers can tell two leaves that
// select the same files.
func (l *Leaf) Glob() string {
	switch l.kind {
	case kindCommand:
		return ""
	case kindGoMod:
		return "go.mod"
	}
	return l.glob
}

// NeedsContent reports whether the leaf reads the content of the files it
// selects (contains, matches, gomod); a path leaf holds on the path alone.
func (l *Leaf) NeedsContent() bool { return l.key != "" }

// Command returns the argv of a command leaf, which the caller runs in a
// checkout (see proc.Runner.Run), or nil for any other leaf.
func (l *Leaf) Command() []string { return l.argv }
