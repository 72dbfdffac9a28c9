// Package backstage reads Backstage catalog-info.yaml files for what they
// say about a repository's owner. Entity refs are parsed by tandem.ParseRef,
// which the root package holds so that it can compare refs itself.
package backstage

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/tandem-dev/tandem"
	"go.yaml.in/yaml/v3"
)

// errorLine finds the line in a YAML syntax error; the yaml package gives
// it in the message only.
var errorLine = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

// Owners returns the spec.owner of every entity in the catalog file name,
// whose content is data, in file order: a file may hold several entities,
// one per YAML document. A document that is not valid YAML, or whose owner
// is not a string naming an entity, gives a Problem with the file and line
// and is skipped; the other documents still count. Entities without a
// spec.owner (a Location) are skipped silently.
func Owners(name string, data []byte) ([]string, []tandem.Problem) {
	var owners []string
	var problems []tandem.Problem
	for _, doc := range documents(string(data)) {
		owner, p, ok := owner(name, doc)
		if p != nil {
			problems = append(problems, *p)
		}
		if ok {
			owners = append(owners, owner)
		}
	}
	return owners, problems
}

// document is one YAML document of a file and the line it starts on.
type document struct {
	text string
	line int
}

// documents splits text at its "---" lines, so that a document that does
// not parse leaves the others readable. A "---" at the start of a line
// always starts a document in YAML, even inside a block scalar.
func documents(text string) []document {
	var docs []document
	start, startLine := 0, 1
	line := 1
	for i := 0; i < len(text); {
		end := strings.IndexByte(text[i:], '\n')
		next := len(text)
		if end >= 0 {
			next = i + end + 1
		}
		l := strings.TrimRight(text[i:next], "\r\n")
		if i > start && (l == "---" || strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "---\t")) {
			docs = append(docs, document{text[start:i], startLine})
			start, startLine = i, line
		}
		i = next
		line++
	}
	return append(docs, document{text[start:], startLine})
}

// owner returns the spec.owner of the entity in doc, whether it has one,
// and a problem when the document or its owner is malformed.
func owner(file string, doc document) (string, *tandem.Problem, bool) {
	problem := func(line int, field, msg string) *tandem.Problem {
		return &tandem.Problem{File: file, Line: doc.line - 1 + line, Field: field, Message: msg}
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(doc.text), &root); err != nil {
		if m := errorLine.FindStringSubmatch(err.Error()); m != nil {
			n, _ := strconv.Atoi(m[1])
			return "", problem(n, "", "invalid YAML: "+m[2]), false
		}
		return "", problem(1, "", "invalid YAML: "+strings.TrimPrefix(err.Error(), "yaml: ")), false
	}
	if len(root.Content) == 0 {
		return "", nil, false // only comments, or nothing
	}
	entity := root.Content[0]
	if entity.Kind == yaml.ScalarNode && entity.ShortTag() == "!!null" {
		return "", nil, false // an empty document: "---" and nothing else
	}
	if entity.Kind != yaml.MappingNode {
		return "", problem(entity.Line, "", "an entity must be a mapping"), false
	}
	spec := value(entity, "spec")
	if spec == nil {
		return "", nil, false
	}
	if spec.Kind != yaml.MappingNode {
		return "", problem(spec.Line, "spec", "must be a mapping"), false
	}
	o := value(spec, "owner")
	switch {
	case o == nil:
		return "", nil, false
	case o.Kind != yaml.ScalarNode || o.ShortTag() != "!!str":
		return "", problem(o.Line, "spec.owner", "must be a string, an entity ref such as group:default/payments"), false
	case tandem.ParseRef(o.Value).Name == "":
		return "", problem(o.Line, "spec.owner", fmt.Sprintf("%q is not an entity ref of the form [kind:][namespace/]name", o.Value)), false
	}
	return strings.TrimSpace(o.Value), nil, true
}

// value returns the value of key in the mapping m, the last one when the
// key is repeated, following an alias, or nil when m has no such key.
func value(m *yaml.Node, key string) *yaml.Node {
	var v *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v = m.Content[i+1]
		}
	}
	if v != nil && v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	return v
}
