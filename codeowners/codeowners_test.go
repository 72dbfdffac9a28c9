package codeowners_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem/codeowners"
)

func TestGitHubExample(t *testing.T) {
	data, err := os.ReadFile("testdata/github-example")
	if err != nil {
		t.Fatal(err)
	}
	f := codeowners.Parse("CODEOWNERS", data, codeowners.GitHub)

	t.Run("has no problems", func(t *testing.T) {
		if len(f.Problems) != 0 {
			t.Errorf("Problems = %v, want none", f.Problems)
		}
	})
	t.Run("keeps all twelve rules", func(t *testing.T) {
		if got, want := len(f.Rules), 12; got != want {
			t.Fatalf("len(Rules) = %d, want %d", got, want)
		}
		last := f.Rules[11]
		if got, want := last.Pattern, "/apps/github"; got != want {
			t.Errorf("last Pattern = %q, want %q", got, want)
		}
		if len(last.Owners) != 0 {
			t.Errorf("last Owners = %v, want none", last.Owners)
		}
	})
	t.Run("drops the inline comment from the owners", func(t *testing.T) {
		js := f.Rules[1]
		if got, want := js.Pattern, "*.js"; got != want {
			t.Fatalf("Pattern = %q, want %q", got, want)
		}
		if got, want := js.Owners, []string{"@js-owner"}; !slices.Equal(got, want) {
			t.Errorf("Owners = %v, want %v", got, want)
		}
		if got, want := js.Line, 8; got != want {
			t.Errorf("Line = %d, want %d", got, want)
		}
	})
	t.Run("is owned as a whole by the global owners", func(t *testing.T) {
		got, want := f.WholeRepoOwners(), []string{"@global-owner1", "@global-owner2"}
		if !slices.Equal(got, want) {
			t.Errorf("WholeRepoOwners() = %v, want %v", got, want)
		}
	})
}

func TestWholeRepoOwners(t *testing.T) {
	tests := []struct {
		name   string
		flavor codeowners.Flavor
		file   string
		want   []string
	}{
		{"an empty file owns nothing", codeowners.GitHub, "", nil},
		{"comments and blank lines own nothing", codeowners.GitHub, "# owners\n\n   \n# end\n", nil},
		{"a later star line overrides an earlier one", codeowners.GitHub, "* @a\n*.go @b\n* @c @d\n", []string{"@c", "@d"}},
		{"narrower rules after the star line do not change it", codeowners.GitHub, "* @a\n/docs/ @b\n*.go @c\n", []string{"@a"}},
		{"a single star at the root counts as the whole repository", codeowners.GitHub, "* @a\n/* @b\n", []string{"@b"}},
		{"a double star counts as the whole repository", codeowners.GitHub, "* @a\n** @b\n", []string{"@b"}},
		{"a rooted double star counts as the whole repository", codeowners.GitHub, "* @a\n/** @b\n", []string{"@b"}},
		{"a double star then star counts as the whole repository", codeowners.GitHub, "* @a\n**/* @b\n", []string{"@b"}},
		{"a rooted double star then star counts as the whole repository", codeowners.GitHub, "* @a\n/**/* @b\n", []string{"@b"}},
		{"a last star line without owners leaves the repository unowned", codeowners.GitHub, "* @a\n*\n/docs/ @b\n", nil},
		{"a pattern by extension does not cover the repository", codeowners.GitHub, "**/*.go @a\n*.md @b\n", nil},
		{"an escaped star is a file name, not the repository", codeowners.GitHub, `\* @a` + "\n", nil},
		{"an invalid star line does not override a valid one", codeowners.GitHub, "* @a\n* payments\n", []string{"@a"}},
		{"windows line endings and a byte order mark are read", codeowners.GitHub, "\ufeff* @a\r\n*.go @b\r\n", []string{"@a"}},
		{"tabs separate owners", codeowners.GitHub, "*\t@a\t@org/b\n", []string{"@a", "@org/b"}},
		{"GitLab sections are united in order", codeowners.GitLab,
			"* @default\n" +
				"[Docs] @org/docs\n" +
				"*\n" +
				"docs/ @org/writers\n" +
				"[Backend]\n" +
				"* @org/backend @DEFAULT\n" +
				"^[Optional][2] @x\n" +
				"/** @org/optional\n",
			[]string{"@default", "@org/docs", "@org/backend", "@org/optional"}},
		{"GitLab takes the last whole-repository rule of each section", codeowners.GitLab,
			"[Docs]\n* @a\n* @b\n[Ops]\n* @c\n", []string{"@b", "@c"}},
		{"GitLab combines sections with the same name in any case", codeowners.GitLab,
			"[Docs]\n* @a\n[Ops]\n* @b\n[docs]\n* @c\n", []string{"@c", "@b"}},
		{"GitLab section default owners alone own nothing", codeowners.GitLab, "[Docs] @org/docs\ndocs/\n", nil},
		{"a GitLab whole-repository exclusion clears its section", codeowners.GitLab,
			"* @a\n[Docs]\n* @b\n!*\n", []string{"@a"}},
		{"a narrower GitLab exclusion leaves the section's owners", codeowners.GitLab,
			"* @a\n!/vendor/\n", []string{"@a"}},
		{"GitLab accepts nested groups and roles", codeowners.GitLab,
			"* @group/sub/team @@maintainer\n", []string{"@group/sub/team", "@@maintainer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := codeowners.Parse("CODEOWNERS", []byte(tt.file), tt.flavor)
			if got := f.WholeRepoOwners(); !slices.Equal(got, tt.want) {
				t.Errorf("WholeRepoOwners() = %v, want %v (problems %v)", got, tt.want, f.Problems)
			}
		})
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name      string
		flavor    codeowners.Flavor
		file      string
		ruleLines []int
		problems  map[int]string // line to a part of the message
		want      []string       // whole-repository owners
	}{
		{
			name:   "invalid GitHub lines are reported and the valid ones still count",
			flavor: codeowners.GitHub,
			file: "* @a\n" + // 1
				"docs/ payments\n" + // 2
				"!*.md @b\n" + // 3
				"[ab].go @c\n" + // 4
				`\[ab].go @c` + "\n" + // 5
				"/apps/github\n" + // 6
				"* @d bad@\n" + // 7
				"*.md docs@example.com\n", // 8
			ruleLines: []int{1, 5, 6, 8},
			problems: map[int]string{
				2: `owner "payments" is not a @user, @org/team or email address`,
				3: `negation pattern "!*.md" is not supported`,
				4: `character range in pattern "[ab].go" is not supported by GitHub`,
				7: `owner "bad@" is not`,
			},
			want: []string{"@a"},
		},
		{
			name:   "a GitLab section header is a character range to GitHub",
			flavor: codeowners.GitHub,
			file:   "[Docs] @a\n* @b\n",
			problems: map[int]string{
				1: "character range",
			},
			ruleLines: []int{2},
			want:      []string{"@b"},
		},
		{
			name:   "faulty GitLab headers are reported and still open their section",
			flavor: codeowners.GitLab,
			file: "[]\n" + // 1
				"[Docs][x] @d\n" + // 2
				"docs/\n" + // 3
				"[Ops] nobody\n" + // 4
				"ops/\n" + // 5
				"[Broken\n" + // 6
				"* @@maintainer\n" + // 7
				"* ops\n", // 8
			ruleLines: []int{3, 7},
			problems: map[int]string{
				1: "section header has no name",
				2: `approval count "x" of section "Docs" is not a number`,
				4: `owner "nobody" is not a @user, @group`,
				5: `pattern "ops/" has no owners and its section has no default owners`,
				6: `has no closing "]"`,
				8: `owner "ops" is not`,
			},
			want: []string{"@@maintainer"},
		},
		{
			name:      "a GitLab rule without owners outside any section is reported",
			flavor:    codeowners.GitLab,
			file:      "* @a\n/apps/github\n",
			ruleLines: []int{1},
			problems:  map[int]string{2: "has no owners"},
			want:      []string{"@a"},
		},
		{
			name:      "GitLab accepts exclusions and character ranges",
			flavor:    codeowners.GitLab,
			file:      "* @a\n!*.md\nsrc/[ab].go @b\n",
			ruleLines: []int{1, 2, 3},
			want:      []string{"@a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := codeowners.Parse("CODEOWNERS", []byte(tt.file), tt.flavor)
			var lines []int
			for _, r := range f.Rules {
				lines = append(lines, r.Line)
			}
			if !slices.Equal(lines, tt.ruleLines) {
				t.Errorf("rule lines = %v, want %v", lines, tt.ruleLines)
			}
			if got, want := len(f.Problems), len(tt.problems); got != want {
				t.Errorf("got %d problems, want %d: %v", got, want, f.Problems)
			}
			for _, p := range f.Problems {
				want, ok := tt.problems[p.Line]
				if !ok {
					t.Errorf("unexpected problem %v", p)
					continue
				}
				if !strings.Contains(p.Message, want) {
					t.Errorf("problem on line %d = %q, want it to contain %q", p.Line, p.Message, want)
				}
				if got, want := p.File, "CODEOWNERS"; got != want {
					t.Errorf("problem File = %q, want %q", got, want)
				}
			}
			if got := f.WholeRepoOwners(); !slices.Equal(got, tt.want) {
				t.Errorf("WholeRepoOwners() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseRule(t *testing.T) {
	tests := []struct {
		name    string
		flavor  codeowners.Flavor
		file    string
		pattern string
		owners  []string
		section string
	}{
		{"an escaped hash starts a pattern instead of a comment", codeowners.GitHub,
			`\#file_with_pound.rb @a`, "#file_with_pound.rb", []string{"@a"}, ""},
		{"escaped spaces stay in the pattern", codeowners.GitHub,
			`path\ with\ spaces/ @a @b`, "path with spaces/", []string{"@a", "@b"}, ""},
		{"other escapes stay part of the glob", codeowners.GitHub,
			`docs/\*.md @a`, `docs/\*.md`, []string{"@a"}, ""},
		{"a hash inside a pattern is not a comment", codeowners.GitHub,
			"file#1 @a", "file#1", []string{"@a"}, ""},
		{"a hash after the owners starts a comment", codeowners.GitHub,
			"*.go @a #@b", "*.go", []string{"@a"}, ""},
		{"a GitLab rule without owners takes its section's default owners", codeowners.GitLab,
			"^[Docs][2] @org/docs docs@example.com\ndocs/", "docs/", []string{"@org/docs", "docs@example.com"}, "Docs"},
		{"a GitLab rule with owners keeps its own", codeowners.GitLab,
			"[Docs] @org/docs # writers\ndocs/ @org/writers", "docs/", []string{"@org/writers"}, "Docs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := codeowners.Parse("CODEOWNERS", []byte(tt.file), tt.flavor)
			if len(f.Problems) != 0 {
				t.Errorf("Problems = %v, want none", f.Problems)
			}
			if got, want := len(f.Rules), 1; got != want {
				t.Fatalf("len(Rules) = %d, want %d", got, want)
			}
			r := f.Rules[0]
			if got, want := r.Pattern, tt.pattern; got != want {
				t.Errorf("Pattern = %q, want %q", got, want)
			}
			if got, want := r.Owners, tt.owners; !slices.Equal(got, want) {
				t.Errorf("Owners = %v, want %v", got, want)
			}
			if got, want := r.Section, tt.section; got != want {
				t.Errorf("Section = %q, want %q", got, want)
			}
		})
	}
}

func TestLocations(t *testing.T) {
	tests := []struct {
		name   string
		flavor codeowners.Flavor
		want   []string
	}{
		{"GitHub looks in .github first", codeowners.GitHub, []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}},
		{"GitLab looks at the root first", codeowners.GitLab, []string{"CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codeowners.Locations(tt.flavor); !slices.Equal(got, tt.want) {
				t.Errorf("Locations() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMaxSize(t *testing.T) {
	big := func(n int) []byte {
		data := []byte("* @a\n")
		return append(data, strings.Repeat("#", n-len(data))...)
	}
	tests := []struct {
		name     string
		size     int
		flavor   codeowners.Flavor
		want     []string
		problems int
	}{
		{"GitHub reads a file just under 3 MB", codeowners.MaxSize - 1, codeowners.GitHub, []string{"@a"}, 0},
		{"GitHub ignores a file of 3 MB", codeowners.MaxSize, codeowners.GitHub, nil, 1},
		{"GitLab has no such limit", codeowners.MaxSize, codeowners.GitLab, []string{"@a"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := codeowners.Parse("CODEOWNERS", big(tt.size), tt.flavor)
			if got := f.WholeRepoOwners(); !slices.Equal(got, tt.want) {
				t.Errorf("WholeRepoOwners() = %v, want %v", got, tt.want)
			}
			if got, want := len(f.Problems), tt.problems; got != want {
				t.Errorf("got %d problems, want %d: %v", got, want, f.Problems)
			}
		})
	}
}
