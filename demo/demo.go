// Package demo makes a small fleet of real git repositories and a catalog
// that describes it, so that a newcomer sees Tandem working at once.
package demo

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed catalog/*.yaml
var catalogFS embed.FS

// repo is one demo repository: its files, and whether it is bare.
type repo struct {
	files map[string]string
	bare  bool
}

const goMod = "module acme.dev/%s\n\ngo 1.24\n\nrequire (\n\tacme.dev/obslog v1.4.0\n\tgithub.com/sirupsen/logrus v1.9.3\n)\n"

var repos = map[string]repo{
	"payments-api": {files: map[string]string{
		".github/CODEOWNERS": "# Payments owns the service; docs writers own the docs.\n* @acme/payments\n/docs/ @acme/docs-writers\n",
		"go.mod":             fmt.Sprintf(goMod, "payments-api"),
		"main.go":            "package main\n\nimport log \"github.com/sirupsen/logrus\"\n\nfunc main() { log.Info(\"payments\") }\n",
		"docs/README.md":     "# Payments API\n",
	}},
	"payments-ledger": {files: map[string]string{
		"CODEOWNERS": "* @acme/payments\n",
		"go.mod":     "module acme.dev/payments-ledger\n\ngo 1.24\n\nrequire acme.dev/obslog v1.4.0\n",
		"ledger.go":  "package ledger\n\nimport \"acme.dev/obslog\"\n\nvar log = obslog.New(\"ledger\")\n",
	}},
	"checkout-web": {files: map[string]string{
		"catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: checkout-web\nspec:\n  type: website\n  owner: group:default/checkout\n  lifecycle: production\n",
		"CODEOWNERS":        "* @acme/search-team\n",
		"package.json":      "{\"name\": \"checkout-web\"}\n",
	}},
	"search-indexer": {files: map[string]string{
		".gitlab/CODEOWNERS": "[Backend]\n* @acme/search-team\n\n[Docs]\n*.md @acme/docs-writers\n",
		"indexer.go":         "package indexer\n\nimport \"github.com/sirupsen/logrus\"\n\nvar log = logrus.New()\n",
	}},
	"search-api": {files: map[string]string{
		"CODEOWNERS": "# Line 2 does not parse: owners must be @handles or emails.\n/api search-team\n* @acme/search-team\n",
		"api.go":     "package api\n\nimport \"acme.dev/obslog\"\n\nvar log = obslog.New(\"search\")\n",
	}},
	"obslog": {files: map[string]string{
		"CODEOWNERS": "* @acme/o11y\n",
		"go.mod":     "module acme.dev/obslog\n\ngo 1.24\n",
		"obslog.go":  "// Package obslog is Acme's structured logging library.\npackage obslog\n",
	}},
	"data-pipeline": {bare: true, files: map[string]string{
		"docs/CODEOWNERS": "* @acme/data\n",
		"pipeline.py":     "print('pipeline')\n",
	}},
	"legacy-batch": {files: map[string]string{
		"README.md": "# Legacy batch jobs\nNobody remembers who owns this.\n",
	}},
	"scratch": {files: nil},
}

// DefaultDir returns the folder of the demo when none is named: tandem/demo
// in the user's cache folder (~/.cache/tandem/demo on Linux), or in the
// temporary folder when the user has none. It is never the current folder,
// which is often Tandem's own checkout: the demo's Go files would join its
// module's packages there and break `go test ./...`.
func DefaultDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "tandem", "demo")
}

// Create makes the demo fleet in dir/repos and the catalog in dir/catalog,
// unless dir already exists, and returns the catalog folder. Repositories
// are made with the git binary.
func Create(ctx context.Context, dir string) (string, error) {
	catalog := filepath.Join(dir, "catalog")
	if _, err := os.Stat(dir); err == nil {
		return catalog, nil
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return "", err
	}
	names := make([]string, 0, len(repos))
	for name := range repos {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := create(ctx, filepath.Join(tmp, "repos"), name, repos[name]); err != nil {
			return "", fmt.Errorf("demo repository %s: %w", name, err)
		}
	}
	if err := writeCatalog(filepath.Join(tmp, "catalog")); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	return catalog, nil
}

func writeCatalog(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return fs.WalkDir(catalogFS, "catalog", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := catalogFS.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o644)
	})
}

// create makes one repository: a work tree with one commit, or a bare
// repository cloned from one.
func create(ctx context.Context, root, name string, r repo) error {
	work := filepath.Join(root, name)
	if r.bare {
		work = filepath.Join(root, ".work-"+name)
	}
	if err := git(ctx, "", "init", "--quiet", "--initial-branch=main", work); err != nil {
		return err
	}
	if len(r.files) == 0 {
		return nil
	}
	for p, content := range r.files {
		full := filepath.Join(work, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			return err
		}
	}
	if err := git(ctx, work, "add", "--all"); err != nil {
		return err
	}
	if err := git(ctx, work, "commit", "--quiet", "-m", "Initial commit"); err != nil {
		return err
	}
	if !r.bare {
		return nil
	}
	if err := git(ctx, "", "clone", "--quiet", "--bare", work, filepath.Join(root, name+".git")); err != nil {
		return err
	}
	return os.RemoveAll(work)
}

func git(ctx context.Context, dir string, args ...string) error {
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Tandem Demo", "GIT_AUTHOR_EMAIL=demo@tandem.invalid",
		"GIT_COMMITTER_NAME=Tandem Demo", "GIT_COMMITTER_EMAIL=demo@tandem.invalid")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %v: %s", args[0], err, strings.TrimSpace(string(out)))
	}
	return nil
}
