package codeowners_test

import (
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/codeowners"
)

// ownership returns the Ownership of a CODEOWNERS file read in flavor f,
// as a scan keeps it.
func ownership(t testing.TB, file string, f codeowners.Flavor) tandem.Ownership {
	t.Helper()
	parsed := codeowners.Parse("CODEOWNERS", []byte(file), f)
	if len(parsed.Problems) != 0 {
		t.Fatalf("Problems = %v, want none", parsed.Problems)
	}
	own := ownershipOf(parsed, f)
	own.CodeownersFile, own.Codeowners = "CODEOWNERS", parsed.WholeRepoOwners()
	return own
}

func TestPathOwnersGitHubExample(t *testing.T) {
	data, err := os.ReadFile("testdata/github-example")
	if err != nil {
		t.Fatal(err)
	}
	own := ownership(t, string(data), codeowners.GitHub)
	tests := []struct {
		name     string
		path     string
		owners   []string
		narrower bool
	}{
		{"a root file is the global owners'", "README.md", nil, false},
		{"a deep file of no narrower rule is the global owners'", "some/deeply/nested/file.rb", nil, false},
		{"a .js file at any depth is the js owner's", "src/web/app.js", []string{"@js-owner"}, true},
		{"a .go file is owned by an email address", "cmd/main.go", []string{"docs@example.com"}, true},
		{"a .txt file is a team's", "notes/todo.txt", []string{"@octo-org/octocats"}, true},
		{"a later logs rule overrides the build/logs directory", "build/logs/today/x.log", []string{"@octocat"}, true},
		{"a logs directory anywhere is octocat's", "deeply/nested/logs/x.log", []string{"@octocat"}, true},
		{"the root docs directory's later rule wins over docs/*", "docs/getting-started.md", []string{"@doctocat"}, true},
		{"the root docs directory owns nested files", "docs/build-app/troubleshooting.md", []string{"@doctocat"}, true},
		{"an apps directory anywhere wins over *.js", "web/apps/main.js", []string{"@octocat"}, true},
		{"a rule with two owners gives both", "scripts/deploy.sh", []string{"@doctocat", "@octocat"}, true},
		{"the root apps directory is octocat's", "apps/readme.md", []string{"@octocat"}, true},
		{"a last rule without owners leaves apps/github without owner", "apps/github/main.go", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			owners, source, narrower := codeowners.PathOwners(own, tt.path)
			if narrower != tt.narrower || !slices.Equal(owners, tt.owners) {
				t.Errorf("PathOwners(%q) = %v, %v, want %v, %v", tt.path, owners, narrower, tt.owners, tt.narrower)
			}
			want := ""
			if tt.narrower {
				want = tandem.OwnerCodeowners
			}
			if source != want {
				t.Errorf("source = %q, want %q", source, want)
			}
		})
	}
}

func TestPatterns(t *testing.T) {
	type flavor = codeowners.Flavor
	const hub, lab = codeowners.GitHub, codeowners.GitLab
	tests := []struct {
		pattern string
		flavor  flavor
		matches []string
		misses  []string
	}{
		{"docs/*", hub, []string{"docs/a.md", "docs/.hidden"}, []string{"docs/x/b.md", "a/docs/a.md", "docs"}},
		{"apps/", hub, []string{"apps/x", "a/apps/x/y"}, []string{"apps", "apps.md", "myapps/x"}},
		{"/docs/", hub, []string{"docs/a", "docs/x/y"}, []string{"x/docs/a", "docs"}},
		{"*.js", hub, []string{"a.js", "x/y/a.js"}, []string{"a.jsx", "js"}},
		{"/build/logs/", hub, []string{"build/logs/a", "build/logs/a/b"}, []string{"x/build/logs/a", "build/logs"}},
		{"**/logs", hub, []string{"logs", "logs/a", "x/y/logs/z"}, []string{"logsx/a", "x/catalogs/a"}},
		{"docs", hub, []string{"docs", "docs/a/b", "x/docs/a"}, []string{"docsx/a", "x/mydocs"}},
		{"/docs", hub, []string{"docs", "docs/a/b"}, []string{"x/docs/a"}},
		{"src/lib", hub, []string{"src/lib", "src/lib/a.go"}, []string{"x/src/lib/a.go", "src/library/a.go"}},
		{"src/lib", lab, []string{"src/lib/a.go", "x/src/lib/a.go"}, []string{"src/library/a.go", "xsrc/lib/a.go"}},
		{"/src/lib", lab, []string{"src/lib/a.go"}, []string{"x/src/lib/a.go"}},
		{"/*", hub, []string{"a.md", ".gitignore"}, []string{"x/a.md"}},
		{"*", hub, []string{"a.md", "x/y/.env"}, nil},
		{"src/*/go.mod", hub, []string{"src/a/go.mod"}, []string{"src/a/b/go.mod", "src/go.mod"}},
		{"docs/**/*.md", hub, []string{"docs/a.md", "docs/x/y.md"}, []string{"docs/a.txt", "x/docs/a.md"}},
		{"services/*/", hub, []string{"services/pay/main.go", "services/pay/x/y.go"}, []string{"services/readme.md"}},
		{"file{a,b}", hub, []string{"file{a,b}"}, []string{"filea"}},
		{`\*.md`, hub, []string{"*.md", "x/*.md"}, []string{"a.md"}},
		{".github/", hub, []string{".github/workflows/ci.yml"}, []string{"x.github/a"}},
		{"src/[ab].go", lab, []string{"src/a.go", "x/src/b.go"}, []string{"src/c.go"}},
		{"path with spaces/", hub, []string{"path with spaces/a"}, []string{"path/a"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s", tt.flavor, tt.pattern), func(t *testing.T) {
			own := tandem.Ownership{CodeownersFlavor: tt.flavor.String(), Rules: []tandem.OwnerRule{{Line: 1, Pattern: tt.pattern, Owners: []string{"@o"}}}}
			m := codeowners.NewMatcher(own)
			for _, p := range tt.matches {
				if _, _, ok := m.PathOwners(p); !ok && !isWhole(tt.pattern) {
					t.Errorf("%q does not match %q, want a match", tt.pattern, p)
				}
			}
			for _, p := range tt.misses {
				if owners, _, ok := m.PathOwners(p); ok {
					t.Errorf("%q matches %q (owners %v), want no match", tt.pattern, p, owners)
				}
			}
		})
	}
}

// isWhole reports whether a pattern is one that PathOwners never reports
// as narrower, however it matches.
func isWhole(p string) bool { return p == "*" || p == "/*" }

func TestWholeRepoPatternsMatchWhatTheyCover(t *testing.T) {
	// A whole-repository rule placed last decides every path it matches,
	// and so no path is narrower: "*" covers all, "/*" the root's files.
	own := ownership(t, "/docs/ @org/docs\n*.go @org/gophers\n* @org/all\n", codeowners.GitHub)
	for _, p := range []string{"docs/a.md", "x/main.go", "README.md"} {
		if owners, _, ok := codeowners.PathOwners(own, p); ok {
			t.Errorf("PathOwners(%q) = %v, narrower; want the repository owner's", p, owners)
		}
	}
	own = ownership(t, "/docs/ @org/docs\n/* @org/all\n", codeowners.GitHub)
	if _, _, ok := codeowners.PathOwners(own, "README.md"); ok {
		t.Errorf("README.md is narrower than /*, want the repository owner's")
	}
	if owners, _, ok := codeowners.PathOwners(own, "docs/a.md"); !ok || !slices.Equal(owners, []string{"@org/docs"}) {
		t.Errorf("docs/a.md = %v, %v, want [@org/docs], narrower: /* does not cover nested files", owners, ok)
	}
}

func TestPathOwners(t *testing.T) {
	const monorepo = "* @acme/platform\n" +
		"/services/ @acme/backend\n" +
		"/services/payments/ @acme/payments\n" +
		"/services/payments/legacy/ @acme/payments @acme/legacy\n" +
		"/services/search/ @acme/ghosts\n" +
		"/vendor/\n" +
		"*.md @acme/writers\n"
	tests := []struct {
		name     string
		file     string
		flavor   codeowners.Flavor
		folders  []tandem.FolderOwner
		path     string
		owners   []string
		source   string
		narrower bool
	}{
		{"a path of no narrower rule is the repository's", monorepo, codeowners.GitHub, nil,
			"Makefile", nil, "", false},
		{"a nested rule wins over its parent", monorepo, codeowners.GitHub, nil,
			"services/payments/api/main.go", []string{"@acme/payments"}, tandem.OwnerCodeowners, true},
		{"the parent rule owns its other folders", monorepo, codeowners.GitHub, nil,
			"services/orders/main.go", []string{"@acme/backend"}, tandem.OwnerCodeowners, true},
		{"a rule with two teams gives both", monorepo, codeowners.GitHub, nil,
			"services/payments/legacy/old.go", []string{"@acme/payments", "@acme/legacy"}, tandem.OwnerCodeowners, true},
		{"a later rule wins over a deeper earlier one", monorepo, codeowners.GitHub, nil,
			"services/payments/README.md", []string{"@acme/writers"}, tandem.OwnerCodeowners, true},
		{"a rule with no owners is narrower and owns nothing", monorepo, codeowners.GitHub, nil,
			"vendor/lib/x.go", nil, tandem.OwnerCodeowners, true},
		{"a leading slash in the path is ignored", monorepo, codeowners.GitHub, nil,
			"/services/payments/x.go", []string{"@acme/payments"}, tandem.OwnerCodeowners, true},
		{"a Backstage folder wins over CODEOWNERS", monorepo, codeowners.GitHub,
			[]tandem.FolderOwner{{Path: "services/payments", Backstage: []string{"group:payments"}}},
			"services/payments/README.md", []string{"group:payments"}, tandem.OwnerBackstage, true},
		{"the deepest Backstage folder wins", "", codeowners.GitHub,
			[]tandem.FolderOwner{
				{Path: "services/payments/legacy", Backstage: []string{"group:legacy"}},
				{Path: "services", Backstage: []string{"group:backend"}},
			},
			"services/payments/legacy/a.go", []string{"group:legacy"}, tandem.OwnerBackstage, true},
		{"a Backstage folder does not hold a sibling with its prefix", "", codeowners.GitHub,
			[]tandem.FolderOwner{{Path: "services/pay", Backstage: []string{"group:pay"}}},
			"services/payments/a.go", nil, "", false},
		{"GitLab reads each section on its own and unites them",
			"* @acme/platform\n" +
				"[Backend]\n" +
				"/services/ @acme/backend\n" +
				"[Docs] @acme/writers\n" +
				"*.md\n" +
				"[backend]\n" +
				"/services/payments/ @acme/payments\n",
			codeowners.GitLab, nil,
			"services/payments/README.md", []string{"@acme/platform", "@acme/payments", "@acme/writers"}, tandem.OwnerCodeowners, true},
		{"GitLab unites owners without duplicates, in any case",
			"/services/ @acme/backend\n[Docs]\n/services/ @ACME/Backend @acme/writers\n",
			codeowners.GitLab, nil,
			"services/a.go", []string{"@acme/backend", "@acme/writers"}, tandem.OwnerCodeowners, true},
		{"a GitLab exclusion clears its section for the paths it matches",
			"* @acme/platform\n/services/ @acme/backend\n!/services/generated/\n[Docs]\n/services/ @acme/writers\n",
			codeowners.GitLab, nil,
			"services/generated/a.go", []string{"@acme/writers"}, tandem.OwnerCodeowners, true},
		{"a GitLab exclusion alone leaves the paths without owner",
			"* @acme/platform\n!/vendor/\n",
			codeowners.GitLab, nil,
			"vendor/a.go", nil, tandem.OwnerCodeowners, true},
		{"a GitLab path whose sections all decide by whole-repository rules is the repository's",
			"* @acme/platform\n/docs/ @acme/writers\n[Ops]\n* @acme/ops\n",
			codeowners.GitLab, nil,
			"main.go", nil, "", false},
		{"GitLab matches a relative path with a slash at any depth",
			"* @acme/platform\nee/docs @acme/writers\n",
			codeowners.GitLab, nil,
			"x/ee/docs/a.md", []string{"@acme/writers"}, tandem.OwnerCodeowners, true},
		{"a whole-repository rule placed last takes every path back",
			"/services/ @acme/backend\n* @acme/platform\n",
			codeowners.GitHub, nil,
			"services/a.go", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			own := ownership(t, tt.file, tt.flavor)
			own.Folders = tt.folders
			owners, source, narrower := codeowners.PathOwners(own, tt.path)
			if !slices.Equal(owners, tt.owners) || source != tt.source || narrower != tt.narrower {
				t.Errorf("PathOwners(%q) = %v, %q, %v, want %v, %q, %v", tt.path, owners, source, narrower, tt.owners, tt.source, tt.narrower)
			}
		})
	}
}

func TestPart(t *testing.T) {
	teams := []tandem.Team{
		{Name: "platform"},
		{Name: "payments", Aliases: []string{"@acme/money", "group:default/money", "@alice"}},
		{Name: "backend"},
	}
	own := ownership(t,
		"* @acme/platform\n"+
			"/services/ @acme/backend\n"+
			"/services/payments/ @acme/payments @acme/backend\n"+
			"/services/ghosts/ @acme/ghosts\n"+
			"/services/infra/ @acme/Platform\n"+
			"/vendor/\n",
		codeowners.GitHub)
	own.Folders = []tandem.FolderOwner{
		{Path: "web/checkout", Backstage: []string{"money"}},
		{Path: "web/search", Backstage: []string{"group:search"}},
	}
	tests := []struct {
		name      string
		owner     string
		path      string
		part      string
		reviewers []string
	}{
		{"a path of the whole repository is part \"\"", "platform", "Makefile", "", nil},
		{"a narrower rule's team is the part", "platform", "services/orders/a.go", "backend", []string{"@acme/backend"}},
		{"a rule with two teams is the first known team's, both reviewing", "platform", "services/payments/a.go", "payments", []string{"@acme/payments", "@acme/backend"}},
		{"a rule naming no known team is unowned, never guessed", "platform", "services/ghosts/a.go", tandem.PartUnowned, []string{"@acme/ghosts"}},
		{"a rule with no owners is unowned", "platform", "vendor/x/y.go", tandem.PartUnowned, nil},
		{"a rule naming the repository's owner, in any case, is part \"\"", "Platform", "services/infra/a.go", "", nil},
		{"a codebase without owner still has its owned parts", "", "services/orders/a.go", "backend", []string{"@acme/backend"}},
		{"a Backstage folder is its team's, reviewed by the team's handles", "platform", "web/checkout/a.ts", "payments", []string{"@acme/money", "@alice"}},
		{"a Backstage folder naming no known team is unowned", "platform", "web/search/a.ts", tandem.PartUnowned, nil},
	}
	m := codeowners.NewMatcher(own)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			part, reviewers := codeowners.Part(own, tt.owner, tt.path, teams)
			if part != tt.part || !slices.Equal(reviewers, tt.reviewers) {
				t.Errorf("Part(%q, %q) = %q, %v, want %q, %v", tt.owner, tt.path, part, reviewers, tt.part, tt.reviewers)
			}
			if p, r := m.Part(tt.owner, tt.path, teams); p != part || !slices.Equal(r, reviewers) {
				t.Errorf("Matcher.Part = %q, %v, want what Part gives, %q, %v", p, r, part, reviewers)
			}
		})
	}
}

// BenchmarkMatcher matches 10,000 paths of a monorepo against a
// CODEOWNERS file of 300 rules: a rule per service folder, as monorepos
// write them, and some globs.
func BenchmarkMatcher(b *testing.B) {
	file := "* @acme/platform\n*.md @acme/writers\n**/testdata/ @acme/qa\n"
	for i := range 290 {
		file += fmt.Sprintf("/services/svc-%03d/ @acme/team-%02d\n", i, i%40)
	}
	file += "/services/*/deploy/*.yaml @acme/ops\ndocs/**/*.png @acme/design\n/vendor/\n" +
		"*.pb.go @acme/api\n/tools/ @acme/tools\n/web/**/*.test.ts @acme/web\n/.github/ @acme/platform\n"
	own := ownership(b, file, codeowners.GitHub)
	paths := make([]string, 10_000)
	for i := range paths {
		paths[i] = fmt.Sprintf("services/svc-%03d/internal/pkg%d/file%d.go", (i*7)%320, i%13, i)
	}
	b.Run("Matcher", func(b *testing.B) {
		for b.Loop() {
			m := codeowners.NewMatcher(own)
			for _, p := range paths {
				m.PathOwners(p)
			}
		}
	})
	own.CodeownersFlavor = codeowners.GitLab.String()
	b.Run("GitLab", func(b *testing.B) {
		for b.Loop() {
			m := codeowners.NewMatcher(own)
			for _, p := range paths {
				m.PathOwners(p)
			}
		}
	})
}
