// Package manifest turns Tandem's declarative YAML files (Team, Person,
// CodeHost, Codebase and Platform documents) into validated domain objects.
// Every problem it finds is reported with the file, the line and the field
// path it is about, and all of them are reported at once.
package manifest

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tandem-dev/tandem"
	"go.yaml.in/yaml/v3"
)

// Source is one file's name and content.
type Source struct {
	Name string
	Data []byte
	// Dir is the folder relative names are relative to: a client sends it
	// so that a server resolves relative CodeHost paths as the user meant
	// them. Empty means the working directory.
	Dir string
}

// Decode decodes and validates every document of every source. Source names
// are paths, relative to the source's Dir (or the working directory), and a
// relative CodeHost path is resolved against its file's folder and checked
// to exist. It returns all objects, in source and document order, and,
// when any document is wrong, an EINVALID error (a tandem.Problems) listing
// every problem sorted by file and line, including a (kind, name) declared
// twice across the sources. With the error, the objects are those whose
// kind and name could be read, their specs as far as they decoded: enough
// to check their references too (see Merge), never to apply.
func Decode(srcs []Source) ([]tandem.Object, error) {
	type key struct{ kind, name string }
	first := map[key]tandem.Object{}
	var objs []tandem.Object
	var probs tandem.Problems
	for _, src := range srcs {
		decoded, ps := decodeSource(src)
		probs = append(probs, ps...)
		for _, o := range decoded {
			k := key{o.Kind, o.Name}
			if o.Kind == tandem.KindCodebase {
				k.name = strings.ToLower(o.Name) // one codebase in any case
			}
			if f, ok := first[k]; ok {
				probs = append(probs, o.At("metadata.name", "duplicate %s %q (first at %s:%d)", o.Kind, o.Name, f.File, f.Line))
				continue
			}
			first[k] = o
			objs = append(objs, o)
		}
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return objs, probs.Err()
	}
	return objs, nil
}

// Merge returns the problems of a Decode error and of a check of the
// objects it returned (the store's references) as one EINVALID error, so
// that a submission's problems are all reported at once. A problem of
// checked about a field decoding reported at the same place is left out:
// a name already refused is not reported again as not found. It returns
// decoded when checked is nil or fails otherwise than with problems, and
// checked when decoded is nil.
func Merge(decoded, checked error) error {
	var dec, chk *tandem.InvalidError
	switch {
	case decoded == nil || checked == nil:
		return cmp.Or(decoded, checked)
	case !errors.As(decoded, &dec) || !errors.As(checked, &chk):
		return decoded
	}
	type place struct {
		file, field string
		line        int
	}
	seen := map[place]bool{}
	probs := slices.Clone(dec.Problems)
	for _, p := range probs {
		seen[place{p.File, p.Field, p.Line}] = true
	}
	for _, p := range chk.Problems {
		if !seen[place{p.File, p.Field, p.Line}] {
			probs = append(probs, p)
		}
	}
	sortProblems(probs)
	return probs.Err()
}

// sortProblems sorts problems by file and line, keeping the order of
// those at the same place.
func sortProblems(probs tandem.Problems) {
	slices.SortStableFunc(probs, func(a, b tandem.Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}

// decodeSource returns the objects of one file whose kind and name are
// valid, even when their spec is not, so that duplicates are still found,
// and the problems of all its documents. A YAML syntax error ends the file.
func decodeSource(src Source) ([]tandem.Object, tandem.Problems) {
	var objs []tandem.Object
	var probs tandem.Problems
	dec := yaml.NewDecoder(bytes.NewReader(src.Data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, msg := syntaxError(err)
			probs = append(probs, tandem.Problem{File: src.Name, Line: line, Message: msg})
			break
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" && root.Value == "" {
			continue // an empty document, such as after a trailing ---
		}
		d := &decoder{file: src.Name, dir: src.Dir, line: root.Line, lines: map[string]int{}}
		o, ok := d.document(root)
		probs = append(probs, d.probs...)
		if ok {
			objs = append(objs, o)
		}
	}
	return objs, probs
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError returns the line a YAML parser error names (0 when it names
// none) and its message without the line, which the Problem shows instead.
func syntaxError(err error) (int, string) {
	msg := err.Error()
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return 0, msg
	}
	line, _ := strconv.Atoi(m[1])
	return line, "yaml: " + msg[len(m[0]):]
}

// Read reads a file, or every *.yaml and *.yml file below a folder (sorted,
// recursively, skipping hidden files and folders such as .github), into
// Sources named by the path as given joined with the file's relative path.
// It returns ENOTFOUND when path does not exist and EINVALID when a folder
// holds no YAML file.
func Read(path string) ([]Source, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, tandem.Errorf(tandem.ENOTFOUND, "%s: no such file or folder", path)
	}
	if err != nil {
		return nil, fmt.Errorf("read manifests: %w", err)
	}
	if !fi.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read manifests: %w", err)
		}
		return []Source{{Name: path, Data: data}}, nil
	}
	var srcs []Source
	err = filepath.WalkDir(path, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		hidden := p != path && strings.HasPrefix(e.Name(), ".")
		if e.IsDir() {
			if hidden {
				return filepath.SkipDir
			}
			return nil
		}
		if hidden || (filepath.Ext(p) != ".yaml" && filepath.Ext(p) != ".yml") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		srcs = append(srcs, Source{Name: p, Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read manifests: %w", err)
	}
	if len(srcs) == 0 {
		return nil, tandem.Errorf(tandem.EINVALID, "%s: no .yaml or .yml files", path)
	}
	return srcs, nil
}
