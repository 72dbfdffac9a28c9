// Package backstage reads Backstage catalog-info.yaml files for what they
// say about the owners of a repository and of its folders. Entity refs are
// parsed by tandem.ParseRef, which the root package holds so that it can
// compare refs itself.
package backstage

import (
	"fmt"
	"net/url"
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
	entities, problems := Entities(name, data)
	var owners []string
	for _, e := range entities {
		owners = append(owners, e.Owner)
	}
	return owners, problems
}

// SourceLocation is the annotation by which an entity says where its
// source is: a location such as
// url:https://github.com/acme/shop/tree/main/services/payments.
const SourceLocation = "backstage.io/source-location"

// Entity is what a catalog entity says about who owns what: its
// spec.owner, and the value of its SourceLocation annotation ("" when it
// has none, or one that is not a string).
type Entity struct {
	Owner          string
	SourceLocation string
}

// Entities returns the entities with a spec.owner of the catalog file
// name, whose content is data, in file order, with the problems Owners
// reports.
func Entities(name string, data []byte) ([]Entity, []tandem.Problem) {
	var entities []Entity
	var problems []tandem.Problem
	for _, doc := range documents(string(data)) {
		e, p, ok := entity(name, doc)
		if p != nil {
			problems = append(problems, *p)
		}
		if ok {
			entities = append(entities, e)
		}
	}
	return entities, problems
}

// SourceFolder returns the folder of the repository repo, read at its
// branch, that a SourceLocation names: "url:" then the repository's web
// address, "/tree/" or "/blob/" (GitLab: "/-/tree/", "/-/blob/"), the
// branch, and the folder ("" for the root). ok is false for any other
// location: another repository (whose address does not end with repo's
// last path segment, compared without case), another branch, or another
// form. The folder has no leading or trailing "/".
func SourceFolder(location, repo, branch string) (folder string, ok bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(location), "url:")
	if !ok || branch == "" {
		return "", false
	}
	u, err := url.Parse(rest)
	if err != nil || u.Host == "" {
		return "", false
	}
	path := strings.Trim(u.Path, "/")
	for _, marker := range []string{"/-/tree/", "/-/blob/", "/tree/", "/blob/"} {
		base, after, found := strings.Cut(path, marker)
		if !found {
			continue
		}
		name := repo[strings.LastIndexByte(repo, '/')+1:]
		base = strings.TrimSuffix(base[strings.LastIndexByte(base, '/')+1:], ".git")
		if !strings.EqualFold(base, name) {
			return "", false
		}
		if after == branch {
			return "", true
		}
		if folder, ok := strings.CutPrefix(after, branch+"/"); ok {
			return strings.Trim(folder, "/"), true
		}
		return "", false
	}
	return "", false
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

// entity returns the entity in doc, whether it has a spec.owner, and a
// problem when the document or its owner is malformed.
func entity(file string, doc document) (Entity, *tandem.Problem, bool) {
	problem := func(line int, field, msg string) *tandem.Problem {
		return &tandem.Problem{File: file, Line: doc.line - 1 + line, Field: field, Message: msg}
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(doc.text), &root); err != nil {
		if m := errorLine.FindStringSubmatch(err.Error()); m != nil {
			n, _ := strconv.Atoi(m[1])
			return Entity{}, problem(n, "", "invalid YAML: "+m[2]), false
		}
		return Entity{}, problem(1, "", "invalid YAML: "+strings.TrimPrefix(err.Error(), "yaml: ")), false
	}
	if len(root.Content) == 0 {
		return Entity{}, nil, false // only comments, or nothing
	}
	entity := root.Content[0]
	if entity.Kind == yaml.ScalarNode && entity.ShortTag() == "!!null" {
		return Entity{}, nil, false // an empty document: "---" and nothing else
	}
	if entity.Kind != yaml.MappingNode {
		return Entity{}, problem(entity.Line, "", "an entity must be a mapping"), false
	}
	spec := value(entity, "spec")
	if spec == nil {
		return Entity{}, nil, false
	}
	if spec.Kind != yaml.MappingNode {
		return Entity{}, problem(spec.Line, "spec", "must be a mapping"), false
	}
	o := value(spec, "owner")
	switch {
	case o == nil:
		return Entity{}, nil, false
	case o.Kind != yaml.ScalarNode || o.ShortTag() != "!!str":
		return Entity{}, problem(o.Line, "spec.owner", "must be a string, an entity ref such as group:default/payments"), false
	case tandem.ParseRef(o.Value).Name == "":
		return Entity{}, problem(o.Line, "spec.owner", fmt.Sprintf("%q is not an entity ref of the form [kind:][namespace/]name", o.Value)), false
	}
	return Entity{Owner: strings.TrimSpace(o.Value), SourceLocation: sourceLocation(entity)}, nil, true
}

// sourceLocation returns the SourceLocation annotation of entity, or ""
// when it has none that is a string.
func sourceLocation(entity *yaml.Node) string {
	meta := value(entity, "metadata")
	if meta == nil || meta.Kind != yaml.MappingNode {
		return ""
	}
	annotations := value(meta, "annotations")
	if annotations == nil || annotations.Kind != yaml.MappingNode {
		return ""
	}
	loc := value(annotations, SourceLocation)
	if loc == nil || loc.Kind != yaml.ScalarNode || loc.ShortTag() != "!!str" {
		return ""
	}
	return strings.TrimSpace(loc.Value)
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
