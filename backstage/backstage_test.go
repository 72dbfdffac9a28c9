package backstage_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem/backstage"
)

func TestOwners(t *testing.T) {
	type problem struct {
		line  int
		field string
		text  string // a part of the message
	}
	tests := []struct {
		name     string
		file     string
		want     []string
		problems []problem
	}{
		{
			name: "one component gives its owner",
			file: "apiVersion: backstage.io/v1alpha1\n" +
				"kind: Component\n" +
				"metadata:\n" +
				"  name: shop\n" +
				"spec:\n" +
				"  type: service\n" +
				"  owner: group:default/payments\n",
			want: []string{"group:default/payments"},
		},
		{
			name: "several entities give their owners in file order",
			file: "kind: Component\nspec:\n  owner: payments\n" +
				"---\n" +
				"kind: Location\nspec:\n  targets: [./a.yaml]\n" +
				"---\n" +
				"kind: API\nspec:\n  owner: user:alice\n",
			want: []string{"payments", "user:alice"},
		},
		{
			name: "a leading separator, an empty document and comments are skipped",
			file: "---\n# nothing here\n---\n---\nspec:\n  owner: payments\n...\n",
			want: []string{"payments"},
		},
		{name: "an empty file has no owners", file: ""},
		{
			name: "malformed YAML is reported at its line and the other documents still count",
			file: "spec:\n  owner: payments\n" + // 1-2
				"---\n" + // 3
				"spec:\n" + // 4
				"  owner: [a,\n" + // 5
				"---\n" + // 6
				"spec:\n  owner: search\n", // 7-8
			want:     []string{"payments", "search"},
			problems: []problem{{line: 5, text: "invalid YAML"}},
		},
		{
			name:     "a missing colon is reported on its own line",
			file:     "kind: Component\n---\nkind: Group\nmetadata\n  name: x\nspec:\n  owner: a\n",
			problems: []problem{{line: 4, text: "invalid YAML"}},
		},
		{
			name: "a non-string owner is reported at the owner's line",
			file: "kind: Component\nspec:\n  type: service\n  owner: 42\n" +
				"---\n" +
				"spec:\n  owner:\n    name: payments\n" +
				"---\n" +
				"spec:\n  owner:\n" +
				"---\n" +
				"spec:\n  owner: checkout\n",
			want: []string{"checkout"},
			problems: []problem{
				{line: 4, field: "spec.owner", text: "must be a string"},
				{line: 8, field: "spec.owner", text: "must be a string"},
				{line: 11, field: "spec.owner", text: "must be a string"},
			},
		},
		{
			name:     "an owner that is not an entity ref is reported",
			file:     "spec:\n  owner: 'group:'\n",
			problems: []problem{{line: 2, field: "spec.owner", text: `"group:" is not an entity ref`}},
		},
		{
			name:     "a quoted number is a string",
			file:     "spec:\n  owner: \"42\"\n",
			want:     []string{"42"},
			problems: nil,
		},
		{
			name:     "a document that is not a mapping is reported",
			file:     "- spec: {owner: payments}\n---\nspec: {owner: search}\n",
			want:     []string{"search"},
			problems: []problem{{line: 1, text: "must be a mapping"}},
		},
		{
			name:     "a spec that is not a mapping is reported",
			file:     "kind: Component\nspec: payments\n",
			problems: []problem{{line: 2, field: "spec", text: "must be a mapping"}},
		},
		{
			name: "an owner given through an anchor is read",
			file: "metadata:\n  team: &team payments\nspec:\n  owner: *team\n",
			want: []string{"payments"},
		},
		{
			name: "a block scalar does not hide a separator",
			file: "metadata:\n  description: |\n    text\n---\nspec:\n  owner: payments\n",
			want: []string{"payments"},
		},
		{
			name: "windows line endings are read",
			file: "spec:\r\n  owner: payments\r\n---\r\nspec:\r\n  owner: search\r\n",
			want: []string{"payments", "search"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := backstage.Owners("catalog-info.yaml", []byte(tt.file))
			if !slices.Equal(got, tt.want) {
				t.Errorf("owners = %q, want %q", got, tt.want)
			}
			if got, want := len(problems), len(tt.problems); got != want {
				t.Fatalf("got %d problems, want %d: %v", got, want, problems)
			}
			for i, p := range problems {
				want := tt.problems[i]
				if got, want := p.File, "catalog-info.yaml"; got != want {
					t.Errorf("problem %d File = %q, want %q", i, got, want)
				}
				if got, want := p.Line, want.line; got != want {
					t.Errorf("problem %d Line = %d, want %d (%v)", i, got, want, p)
				}
				if got, want := p.Field, want.field; got != want {
					t.Errorf("problem %d Field = %q, want %q", i, got, want)
				}
				if !strings.Contains(p.Message, want.text) {
					t.Errorf("problem %d Message = %q, want it to contain %q", i, p.Message, want.text)
				}
			}
		})
	}
}

func TestEntities(t *testing.T) {
	file := "kind: Component\n" +
		"metadata:\n" +
		"  name: payments\n" +
		"  annotations:\n" +
		"    backstage.io/source-location: url:https://github.com/acme/shop/tree/main/services/payments/\n" +
		"spec:\n  owner: group:payments\n" +
		"---\n" +
		"kind: Component\n" +
		"metadata:\n  annotations:\n    backstage.io/source-location: [not, a, string]\n" +
		"spec:\n  owner: search\n" +
		"---\n" +
		"kind: Location\n" +
		"metadata:\n  annotations:\n    backstage.io/source-location: url:https://github.com/acme/shop/tree/main/\n"
	got, problems := backstage.Entities("catalog-info.yaml", []byte(file))
	if len(problems) != 0 {
		t.Errorf("problems = %v, want none", problems)
	}
	want := []backstage.Entity{
		{Owner: "group:payments", SourceLocation: "url:https://github.com/acme/shop/tree/main/services/payments/"},
		{Owner: "search"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Entities() = %+v, want %+v", got, want)
	}
}

func TestSourceFolder(t *testing.T) {
	tests := []struct {
		name     string
		location string
		repo     string
		folder   string
		ok       bool
	}{
		{"a GitHub tree names a folder", "url:https://github.com/acme/shop/tree/main/services/payments", "shop", "services/payments", true},
		{"a trailing slash is dropped", "url:https://github.com/acme/shop/tree/main/services/payments/", "acme/shop", "services/payments", true},
		{"a blob names a folder too", "url:https://github.com/acme/shop/blob/main/services/payments/", "shop", "services/payments", true},
		{"a GitLab tree names a folder", "url:https://gitlab.example.com/group/sub/shop/-/tree/main/web", "group/sub/shop", "web", true},
		{"the branch alone names the root", "url:https://github.com/acme/shop/tree/main", "shop", "", true},
		{"the repository is compared without case and without .git", "url:https://git.example.com/acme/Shop.git/tree/main/a", "shop", "a", true},
		{"another repository names nothing here", "url:https://github.com/acme/other/tree/main/a", "shop", "", false},
		{"another branch names nothing here", "url:https://github.com/acme/shop/tree/dev/a", "shop", "", false},
		{"a branch whose name starts like ours names nothing here", "url:https://github.com/acme/shop/tree/mainline/a", "shop", "", false},
		{"a location that is not a url names nothing", "file:./services/payments", "shop", "", false},
		{"a url without tree or blob names nothing", "url:https://github.com/acme/shop", "shop", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			folder, ok := backstage.SourceFolder(tt.location, tt.repo, "main")
			if folder != tt.folder || ok != tt.ok {
				t.Errorf("SourceFolder(%q) = %q, %v, want %q, %v", tt.location, folder, ok, tt.folder, tt.ok)
			}
		})
	}
}
