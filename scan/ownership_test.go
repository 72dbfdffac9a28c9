package scan_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/codeowners"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/scan"
)

func TestReadOwnershipPerPath(t *testing.T) {
	dir := gittest.Repo(t, map[string]string{
		".github/CODEOWNERS": "* @acme/platform\n" +
			"/services/ @acme/backend\n" +
			"/services/payments/ @acme/payments @acme/backend\n" +
			"/vendor/\n",
		"catalog-info.yaml": "kind: System\nspec:\n  owner: group:platform\n" +
			"---\n" +
			"kind: Component\n" +
			"metadata:\n  annotations:\n" +
			"    backstage.io/source-location: url:https://github.com/acme/shop/tree/main/web/checkout/\n" +
			"spec:\n  owner: group:checkout\n" +
			"---\n" +
			"kind: Component\n" +
			"metadata:\n  annotations:\n" +
			"    backstage.io/source-location: url:https://github.com/acme/other/tree/main/web/search\n" +
			"spec:\n  owner: group:search\n",
		"services/search/catalog-info.yaml": "kind: Component\nspec:\n  owner: group:search\n" +
			"---\nkind: API\nspec:\n  owner: group:Search\n",
		"services/payments/api/main.go": "package main\n",
		"services/search/index.go":      "package search\n",
		"web/checkout/app.ts":           "export {}\n",
		"docs/catalog-info.yaml":        "kind: Location\nspec:\n  targets: [./a.yaml]\n",
		"README.md":                     "# shop\n",
	})
	r := scan.New().Read(context.Background(), host, repoAt("shop", dir), nil, tandem.LastRead{})
	if len(r.Codebase.Problems) != 0 {
		t.Fatalf("Problems = %v, want none", r.Codebase.Problems)
	}
	want := tandem.Ownership{
		Codeowners:       []string{"@acme/platform"},
		CodeownersFile:   ".github/CODEOWNERS",
		CodeownersFlavor: "github",
		Backstage:        []string{"group:platform", "group:checkout", "group:search"},
		Rules: []tandem.OwnerRule{
			{Line: 1, Pattern: "*", Owners: []string{"@acme/platform"}},
			{Line: 2, Pattern: "/services/", Owners: []string{"@acme/backend"}},
			{Line: 3, Pattern: "/services/payments/", Owners: []string{"@acme/payments", "@acme/backend"}},
			{Line: 4, Pattern: "/vendor/"},
		},
		Folders: []tandem.FolderOwner{
			{Path: "services/search", Backstage: []string{"group:search"}},
			{Path: "web/checkout", Backstage: []string{"group:checkout"}},
		},
	}
	got := r.Codebase.Ownership
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Ownership =\n%+v\nwant\n%+v", got, want)
	}

	t.Run("the git binary reads the same", func(t *testing.T) {
		c := scan.ReadCodebase(context.Background(), host, repoAt("shop", dir))
		if len(c.Problems) != 0 {
			t.Fatalf("Problems = %v, want none", c.Problems)
		}
		if !reflect.DeepEqual(c.Ownership, want) {
			t.Errorf("Ownership =\n%+v\nwant\n%+v", c.Ownership, want)
		}
	})

	teams := []tandem.Team{{Name: "platform"}, {Name: "backend"}, {Name: "payments"}, {Name: "search", Aliases: []string{"@acme/finders"}}}
	m := codeowners.NewMatcher(got)
	for _, tt := range []struct {
		path      string
		part      string
		reviewers []string
	}{
		{"README.md", "", nil},
		{"services/payments/api/main.go", "payments", []string{"@acme/payments", "@acme/backend"}},
		{"services/search/index.go", "search", []string{"@acme/finders"}},
		{"web/checkout/app.ts", tandem.PartUnowned, nil},
		{"vendor/x.go", tandem.PartUnowned, nil},
	} {
		part, reviewers := m.Part("platform", tt.path, teams)
		if part != tt.part || !reflect.DeepEqual(reviewers, tt.reviewers) {
			t.Errorf("Part(%q) = %q, %v, want %q, %v", tt.path, part, reviewers, tt.part, tt.reviewers)
		}
	}
}

func TestReadOwnershipBoundsCatalogs(t *testing.T) {
	files := map[string]string{"catalog-info.yaml": "spec:\n  owner: platform\n"}
	for i := range 1002 {
		files[fmt.Sprintf("pkg/p%04d/catalog-info.yaml", i)] = fmt.Sprintf("spec:\n  owner: team-%d\n", i)
	}
	dir := gittest.Repo(t, files)
	r := scan.New().Read(context.Background(), host, repoAt("big", dir), nil, tandem.LastRead{})
	if got, want := len(r.Codebase.Ownership.Folders), 1000; got != want {
		t.Errorf("len(Folders) = %d, want %d", got, want)
	}
	if got, want := len(r.Codebase.Problems), 1; got != want {
		t.Fatalf("Problems = %v, want %d", r.Codebase.Problems, want)
	}
	if p := r.Codebase.Problems[0]; p.File != "pkg/p1000/catalog-info.yaml" || !strings.Contains(p.Message, "1002 catalog-info.yaml files") {
		t.Errorf("problem = %+v, want one naming the first file left unread and the count", p)
	}
	c := scan.ReadCodebase(context.Background(), host, repoAt("big", dir))
	if !reflect.DeepEqual(c.Ownership, r.Codebase.Ownership) || !reflect.DeepEqual(c.Problems, r.Codebase.Problems) {
		t.Errorf("the git binary reads %d folders and problems %v, want what Read reads", len(c.Ownership.Folders), c.Problems)
	}
}
