package codeowners_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/codeowners"
)

// FuzzParse checks that Parse never panics in either flavor, that every
// rule and every problem names a line of the input (rules one per line, in
// order), and that asking the result for the repository's owners, or a path's,
// never panics and gives only owners its rules name.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("testdata/github-example")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example, false)
	f.Add(example, true)
	for _, s := range []struct {
		file   string
		gitlab bool
	}{
		{"", false},
		{"# owners\n\n   \n# end\n", false},
		{"* @a\n*.go @b\n* @c @d\n", false},
		{"* @a\n/* @b\n** @c\n/** @d\n**/* @e\n/**/* @f\n", false},
		{`\* @a` + "\n" + `\#file_with_pound.rb @a` + "\n" + `path\ with\ spaces/ @a @b` + "\n", false},
		{"docs/\\*.md @a\nfile#1 @a\n*.go @a #@b\n", false},
		{"\ufeff* @a\r\n*.go @b\r\n", false},
		{"*\t@a\t@org/b\n", false},
		{"* @a\ndocs/ payments\n!*.md @b\n[ab].go @c\n\\[ab].go @c\n/apps/github\n* @d bad@\n*.md docs@example.com\n", false},
		{"[Docs] @a\n* @b\n", false},
		{"* @default\n[Docs] @org/docs\n*\ndocs/ @org/writers\n[Backend]\n* @org/backend @DEFAULT\n^[Optional][2] @x\n/** @org/optional\n", true},
		{"[Docs]\n* @a\n[Ops]\n* @b\n[docs]\n* @c\n", true},
		{"[]\n[Docs][x] @d\ndocs/\n[Ops] nobody\nops/\n[Broken\n* @@maintainer\n* ops\n", true},
		{"* @a\n[Docs]\n* @b\n!*\n!/vendor/\nsrc/[ab].go @b\n", true},
		{"^[Docs][2] @org/docs docs@example.com\ndocs/\n* @group/sub/team @@maintainer\n", true},
	} {
		f.Add([]byte(s.file), s.gitlab)
	}
	f.Fuzz(func(t *testing.T, data []byte, gitlab bool) {
		flavor := codeowners.GitHub
		if gitlab {
			flavor = codeowners.GitLab
		}
		file := codeowners.Parse("CODEOWNERS", data, flavor)
		lines := 1 + bytes.Count(data, []byte("\n"))
		named := map[string]bool{}
		for i, r := range file.Rules {
			if r.Line < 1 || r.Line > lines {
				t.Errorf("rule %+v is on line %d of a file of %d lines", r, r.Line, lines)
			}
			if i > 0 && r.Line <= file.Rules[i-1].Line {
				t.Errorf("rule %+v does not follow rule %+v", r, file.Rules[i-1])
			}
			if r.Pattern == "" {
				t.Errorf("rule on line %d has no pattern", r.Line)
			}
			for _, o := range r.Owners {
				named[strings.ToLower(o)] = true
			}
		}
		for _, p := range file.Problems {
			if p.File != "CODEOWNERS" || p.Message == "" {
				t.Errorf("problem %+v lacks its file or message", p)
			}
			// Only the problem of a file too large to read is about no line.
			if p.Line == 0 && !(flavor == codeowners.GitHub && len(data) >= codeowners.MaxSize) {
				t.Errorf("problem %q names no line", p.Message)
			}
			if p.Line < 0 || p.Line > lines {
				t.Errorf("problem %q is on line %d of a file of %d lines", p.Message, p.Line, lines)
			}
		}
		own := ownershipOf(file, flavor)
		m := codeowners.NewMatcher(own)
		for _, path := range []string{"README.md", "docs/a.md", "services/payments/api/main.go", ".github/CODEOWNERS"} {
			owners, _, _ := m.PathOwners(path)
			for _, o := range owners {
				if !named[strings.ToLower(o)] {
					t.Errorf("PathOwners(%q) gives %q, which no rule names", path, o)
				}
			}
		}
		for _, o := range file.WholeRepoOwners() {
			if !named[strings.ToLower(o)] {
				t.Errorf("WholeRepoOwners gives %q, which no rule names", o)
			}
		}
	})
}

// ownershipOf returns the Ownership a scan keeps of a parsed file.
func ownershipOf(file codeowners.File, f codeowners.Flavor) tandem.Ownership {
	own := tandem.Ownership{CodeownersFlavor: f.String()}
	for _, r := range file.Rules {
		own.Rules = append(own.Rules, tandem.OwnerRule{Line: r.Line, Pattern: r.Pattern, Owners: r.Owners, Section: r.Section})
	}
	return own
}
