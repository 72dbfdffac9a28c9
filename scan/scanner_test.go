package scan_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/proc/proctest"
	"github.com/tandem-dev/tandem/scan"
)

var host = tandem.CodeHost{Name: "local", Type: tandem.HostLocal}

func checks(defs map[string]tandem.Check) []tandem.NamedCheck {
	var ps []tandem.Platform
	for name, c := range defs {
		ps = append(ps, tandem.Platform{Name: name, Adoption: &c})
	}
	slices.SortFunc(ps, func(a, b tandem.Platform) int { return strings.Compare(a.Name, b.Name) })
	return tandem.ActiveChecks(ps, nil)
}

// repoAt returns the repository of the work tree at dir.
func repoAt(name, dir string) tandem.Repository {
	return tandem.Repository{Name: name, Dir: filepath.Join(dir, ".git")}
}

// result returns the result of platform name's adoption check in r.
func result(t *testing.T, r tandem.CodebaseRead, name string) tandem.CheckResult {
	t.Helper()
	id := tandem.CheckID("platform", name, tandem.RoleAdoption)
	for _, res := range r.Results {
		if res.Check == id {
			return res
		}
	}
	t.Fatalf("no result for %s in %+v", id, r.Results)
	return tandem.CheckResult{}
}

func TestReadEvaluatesChecks(t *testing.T) {
	dir := gittest.Repo(t, map[string]string{
		"CODEOWNERS":        "* @acme/payments\n",
		"go.mod":            "module acme.dev/api\n\ngo 1.24\n\nrequire github.com/sirupsen/logrus v1.8.1\n",
		"main.go":           "package main\n\nimport (\n\t\"fmt\"\n\tlog \"github.com/sirupsen/logrus\"\n)\n",
		"internal/db/db.go": "package db\n\n// not \"github.com/sirupsen/logrusx\"\n",
		"README.md":         "We use \"github.com/sirupsen/logrus\" today.\n",
		"assets/logo.png":   "\x89PNG\x00\x00\"github.com/sirupsen/logrus\"",
		"vendor/x/x.go":     "package x\nimport \"github.com/sirupsen/logrus\"\n",
		"bad-utf8.go":       "package bad\n// \xff\xfe\n",
		"deploy/Dockerfile": "FROM scratch\n",
		"scripts/run.sh":    "#!/bin/sh\n",
	})
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "escape.go")); err != nil {
		t.Fatal(err)
	}
	gittest.Commit(t, dir, nil)

	defs := map[string]tandem.Check{
		"logrus":     {Path: "**/*.go", Contains: `"github.com/sirupsen/logrus"`},
		"docker":     {Path: "**/Dockerfile"},
		"old-logrus": {GoMod: &tandem.GoModCheck{Require: "github.com/sirupsen/logrus", Below: "v1.9.0"}},
		"new-logrus": {GoMod: &tandem.GoModCheck{Require: "github.com/sirupsen/logrus", AtLeast: "v1.9.0"}},
		"no-java":    {Not: &tandem.Check{Path: "**/*.java"}},
		"regex":      {Path: "**/*.go", Matches: `^\s+log "github\.com/[a-z]+/logrus"$`},
		"both":       {All: []tandem.Check{{Path: "**/Dockerfile"}, {Path: "go.mod"}}},
		"script":     {Command: []string{"sh", "-c", "test -f scripts/run.sh && test -f go.mod"}},
	}
	s := scan.New()
	s.Runner = proctest.Runner(t)
	r := s.Read(context.Background(), host, repoAt("api", dir), checks(defs), tandem.LastRead{})

	if got, want := r.Codebase.Head, gittest.Run(t, dir, "rev-parse", "HEAD"); got != want {
		t.Fatalf("Head = %q, want %q (problems %v)", got, want, r.Codebase.Problems)
	}
	if got, want := r.Codebase.Ownership.Codeowners, []string{"@acme/payments"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Codeowners = %v, want %v", got, want)
	}
	for _, tt := range []struct {
		check    string
		holds    bool
		evidence []tandem.Match
	}{
		{"logrus", true, []tandem.Match{{Path: "main.go", Line: 5}, {Path: "vendor/x/x.go", Line: 2}}},
		{"docker", true, []tandem.Match{{Path: "deploy/Dockerfile"}}},
		{"old-logrus", true, []tandem.Match{{Path: "go.mod", Line: 5}}},
		{"new-logrus", false, nil},
		{"no-java", true, nil},
		{"regex", true, []tandem.Match{{Path: "main.go", Line: 5}}},
		{"both", true, []tandem.Match{{Path: "deploy/Dockerfile"}, {Path: "go.mod"}}},
		{"script", true, []tandem.Match{{Path: ""}}},
	} {
		t.Run(tt.check, func(t *testing.T) {
			res := result(t, r, tt.check)
			if res.Holds != tt.holds || res.Error != "" {
				t.Errorf("holds = %v (error %q), want %v", res.Holds, res.Error, tt.holds)
			}
			if tt.evidence == nil {
				tt.evidence = []tandem.Match{}
			}
			if !reflect.DeepEqual(res.Evidence, tt.evidence) {
				t.Errorf("evidence = %v, want %v", res.Evidence, tt.evidence)
			}
		})
	}

	t.Run("AnUnchangedHeadIsOneRefRead", func(t *testing.T) {
		last := tandem.LastRead{Head: r.Codebase.Head, Digests: map[string]string{}}
		for _, res := range r.Results {
			last.Digests[res.Check] = res.Digest
		}
		again := s.Read(context.Background(), host, repoAt("api", dir), checks(defs), last)
		if !again.Unchanged || len(again.Results) != 0 {
			t.Errorf("read of an unchanged repository = %+v, want Unchanged", again)
		}
		delete(defs, "script")
		changed := s.Read(context.Background(), host, repoAt("api", dir), checks(defs), last)
		if changed.Unchanged {
			t.Error("a changed set of checks was read as unchanged")
		}
	})
}

func TestReadIsIncremental(t *testing.T) {
	files := map[string]string{}
	for i := range 50 {
		files[filepath.Join("pkg", string(rune('a'+i%26)), "f"+string(rune('a'+i/26))+".go")] = "package p\n"
	}
	files["pkg/a/uses.go"] = "package a\nimport \"github.com/sirupsen/logrus\"\n"
	dir := gittest.Repo(t, files)
	defs := checks(map[string]tandem.Check{"logrus": {Path: "**/*.go", Contains: `"github.com/sirupsen/logrus"`}})
	s := scan.New()
	repo := repoAt("svc", dir)

	cold := s.Read(context.Background(), host, repo, defs, tandem.LastRead{})
	if !result(t, cold, "logrus").Holds || cold.BytesRead == 0 {
		t.Fatalf("cold read: %+v", cold)
	}

	gittest.Commit(t, dir, map[string]string{"pkg/a/uses.go": "package a\n", "pkg/new/n.go": "package n\n"})
	warm := s.Read(context.Background(), host, repo, defs, tandem.LastRead{Head: cold.Codebase.Head})
	if res := result(t, warm, "logrus"); res.Holds {
		t.Errorf("after removing the import the check still holds: %+v", res)
	}
	// Only the changed blobs are read: the two files of the new commit.
	if got, want := warm.BytesRead, int64(len("package a\n")+len("package n\n")); got != want {
		t.Errorf("rescan read %d bytes, want %d (only the changed files)", got, want)
	}

	t.Run("ABlobSeenInAnotherRepositoryIsNotReadAgain", func(t *testing.T) {
		copyDir := gittest.Repo(t, files)
		again := s.Read(context.Background(), host, repoAt("copy", copyDir), defs, tandem.LastRead{})
		if !result(t, again, "logrus").Holds || again.BytesRead != 0 {
			t.Errorf("read of an identical repository: holds %v, read %d bytes; want holds, 0 bytes", result(t, again, "logrus").Holds, again.BytesRead)
		}
	})

	t.Run("AForcePushedHeadIsReadRight", func(t *testing.T) {
		gittest.Run(t, dir, "reset", "--quiet", "--hard", cold.Codebase.Head)
		gittest.Commit(t, dir, map[string]string{"pkg/b/other.go": "package b\n"})
		forced := s.Read(context.Background(), host, repo, defs, tandem.LastRead{Head: warm.Codebase.Head})
		if !result(t, forced, "logrus").Holds {
			t.Error("after a force-push back to the import, the check does not hold")
		}
	})
}

func TestReadFaults(t *testing.T) {
	defs := checks(map[string]tandem.Check{
		"big":  {Path: "**", Contains: "needle"},
		"hang": {Command: []string{"sleep", "30"}},
	})

	t.Run("AnEmptyRepositoryIsAProblem", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "empty.git")
		gittest.Run(t, "", "init", "--quiet", "--bare", "--initial-branch=main", dir)
		r := scan.New().Read(context.Background(), host, tandem.Repository{Name: "empty", Dir: dir}, defs, tandem.LastRead{})
		if r.Codebase.Head != "" || len(r.Codebase.Problems) != 1 || !strings.Contains(r.Codebase.Problems[0].Message, "no commits") {
			t.Errorf("empty repository: %+v", r.Codebase)
		}
	})

	t.Run("AVanishedRepositoryIsAProblem", func(t *testing.T) {
		r := scan.New().Read(context.Background(), host, tandem.Repository{Name: "gone", Dir: filepath.Join(t.TempDir(), "gone")}, defs, tandem.LastRead{})
		if r.Codebase.Head != "" || len(r.Codebase.Problems) == 0 {
			t.Errorf("vanished repository: %+v", r.Codebase)
		}
	})

	t.Run("OversizedFilesAreSkippedAndSaid", func(t *testing.T) {
		big := strings.Repeat("x", 5<<20) + "needle\n"
		dir := gittest.Repo(t, map[string]string{"big.txt": big, "small.txt": "hay\n"})
		s := scan.New()
		s.Runner = proctest.Runner(t)
		s.CommandTimeout = 200 * time.Millisecond
		start := time.Now()
		r := s.Read(context.Background(), host, repoAt("big", dir), defs, tandem.LastRead{})
		if res := result(t, r, "big"); res.Holds {
			t.Error("a needle past the size limit was found")
		}
		if len(r.Codebase.Problems) != 1 || r.Codebase.Problems[0].File != "big.txt" {
			t.Errorf("problems = %v, want one naming big.txt", r.Codebase.Problems)
		}
		if res := result(t, r, "hang"); res.Holds || !strings.Contains(res.Error, "timed out") {
			t.Errorf("hanging command: %+v", res)
		}
		if time.Since(start) > 20*time.Second {
			t.Error("a hanging command was not stopped at its timeout")
		}
	})
}

// TestAgreesWithGitGrep evaluates a literal check over a small fleet and
// compares the holding repositories with git grep's answer on each.
func TestAgreesWithGitGrep(t *testing.T) {
	root := t.TempDir()
	needle := `"github.com/sirupsen/logrus"`
	s := scan.New()
	defs := checks(map[string]tandem.Check{"logrus": {Path: "**/*.go", Contains: needle}})
	for i := range 12 {
		dir := filepath.Join(root, string(rune('a'+i)))
		files := map[string]string{"main.go": "package main\n", "README.md": needle + "\n"}
		switch i % 3 {
		case 0:
			files["x/y/z.go"] = "package y\nimport " + needle + "\n"
		case 1:
			files["x/y/z.go"] = "package y\n// " + strings.TrimSuffix(needle, `"`) + "x\"\n"
		}
		gittest.Init(t, dir, files)
		if i%2 == 0 {
			gittest.Run(t, dir, "gc", "--quiet")
		}
		r := s.Read(context.Background(), host, repoAt(filepath.Base(dir), dir), defs, tandem.LastRead{})
		err := exec.Command("git", "-C", dir, "grep", "-q", "-F", needle, "HEAD", "--", "*.go").Run()
		if got, want := result(t, r, "logrus").Holds, err == nil; got != want {
			t.Errorf("repository %d: check holds = %v, git grep found = %v", i, got, want)
		}
	}
}

func TestReadOddPaths(t *testing.T) {
	dir := gittest.Repo(t, map[string]string{
		"odd\nname.go":      "package odd\nimport \"github.com/sirupsen/logrus\"\n",
		"spaced dir/a b.go": "package a\nimport \"github.com/sirupsen/logrus\"\n",
		"ünïcode/ok.go":     "package u\n",
	})
	defs := checks(map[string]tandem.Check{"logrus": {Path: "**/*.go", Contains: `"github.com/sirupsen/logrus"`}})
	r := scan.New().Read(context.Background(), host, repoAt("odd", dir), defs, tandem.LastRead{})
	res := result(t, r, "logrus")
	want := []tandem.Match{{Path: "odd\nname.go", Line: 2}, {Path: "spaced dir/a b.go", Line: 2}}
	if !res.Holds || !reflect.DeepEqual(res.Evidence, want) {
		t.Errorf("result = %+v, want evidence %q", res, want)
	}
}

func TestReadCorruptRepository(t *testing.T) {
	dir := gittest.Repo(t, map[string]string{"a.go": strings.Repeat("package a\n", 1000), "b.go": "package b\n"})
	gittest.Run(t, dir, "gc", "--quiet")
	packs, err := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	if err != nil || len(packs) != 1 {
		t.Fatalf("packs = %v, %v", packs, err)
	}
	fi, err := os.Stat(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(packs[0], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(packs[0], fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	defs := checks(map[string]tandem.Check{"any": {Path: "**/*.go", Contains: "package"}})
	r := scan.New().Read(context.Background(), host, repoAt("corrupt", dir), defs, tandem.LastRead{})
	failed := len(r.Codebase.Problems) > 0
	for _, res := range r.Results {
		failed = failed || res.Error != ""
	}
	if !failed {
		t.Errorf("a truncated pack read without a problem or an error: %+v", r)
	}
}

// TestLargeRepositoryAgreesWithGitGrep reads a repository with more files
// than one core reads alone: parts read on every core merge into the
// evidence git grep finds, in path order.
func TestLargeRepositoryAgreesWithGitGrep(t *testing.T) {
	needle := `"github.com/sirupsen/logrus"`
	files := map[string]string{}
	for i := range 3000 {
		body := fmt.Sprintf("package p%d\n", i)
		if i%97 == 0 {
			body += "\nimport " + needle + "\n"
		}
		files[fmt.Sprintf("pkg/%02d/f%04d.go", i%50, i)] = body
	}
	dir := gittest.Repo(t, files)
	r := scan.New().Read(t.Context(), host, repoAt("big", dir), checks(map[string]tandem.Check{"logrus": {Path: "**/*.go", Contains: needle}}), tandem.LastRead{})
	var want []tandem.Match
	for line := range strings.Lines(gittest.Run(t, dir, "grep", "-n", "-F", needle, "HEAD", "--", "*.go")) {
		// HEAD:path:line:text
		parts := strings.SplitN(strings.TrimPrefix(line, "HEAD:"), ":", 3)
		n, err := strconv.Atoi(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, tandem.Match{Path: parts[0], Line: n})
	}
	res := result(t, r, "logrus")
	if !res.Holds || !slices.Equal(res.Evidence, want) || len(want) != 31 {
		t.Errorf("evidence = %v (holds %v), want git grep's %d matches %v", res.Evidence, res.Holds, len(want), want)
	}
}

// TestIncrementalReadsEqualColdReads commits random changes to a
// repository, many of them adding and removing uses, and after each
// compares the scanner's incremental read with a new scanner's cold read
// of the same commit: results, evidence and errors equal, with fewer
// bytes read.
func TestIncrementalReadsEqualColdReads(t *testing.T) {
	needle := `"github.com/sirupsen/logrus"`
	defs := checks(map[string]tandem.Check{
		"logrus": {Path: "**/*.go", Contains: needle},
		"mixed": {All: []tandem.Check{
			{Path: "go.mod"},
			{Not: &tandem.Check{Path: "**/*.go", Matches: `log\.Fatal\(`}},
		}},
		"big": {Path: "**/*.txt", Contains: "x"},
	})
	files := map[string]string{"go.mod": "module m\n"}
	for i := range 40 {
		files[fmt.Sprintf("pkg/%d/f.go", i)] = "package p\n"
	}
	files["notes.txt"] = "x\n"
	dir := gittest.Repo(t, files)
	repo := repoAt("svc", dir)
	s := scan.New()
	s.Read(t.Context(), host, repo, defs, tandem.LastRead{})
	rng := rand.New(rand.NewPCG(1, 2))
	bodies := []string{"package p\n", "package p\nimport " + needle + "\n", "package p\nfunc f() { log.Fatal(1) }\n"}
	for step := range 25 {
		change := map[string]string{}
		for range 1 + rng.IntN(4) {
			change[fmt.Sprintf("pkg/%d/f.go", rng.IntN(45))] = bodies[rng.IntN(len(bodies))]
		}
		// Over 200 matches in all, the last files' are cut from what is
		// kept; when the first files no longer match, the last hold.
		for i := range 12 {
			switch name := fmt.Sprintf("data/%02d.txt", i); {
			case step%7 == 3:
				change[name] = strings.Repeat("x\n", 30)
			case step%7 == 5 && i < 6, step%7 == 6:
				change[name] = "none\n"
			}
		}
		gittest.Commit(t, dir, change)
		warm := s.Read(t.Context(), host, repo, defs, tandem.LastRead{})
		cold := scan.New().Read(t.Context(), host, repo, defs, tandem.LastRead{})
		if !reflect.DeepEqual(warm.Results, cold.Results) || !reflect.DeepEqual(warm.Codebase.Problems, cold.Codebase.Problems) {
			t.Fatalf("step %d: incremental read\n%+v\nwant the cold read's\n%+v", step, warm.Results, cold.Results)
		}
		if step%7 == 0 && warm.BytesRead >= cold.BytesRead {
			t.Errorf("step %d: incremental read read %d bytes, the cold read %d", step, warm.BytesRead, cold.BytesRead)
		}
	}
}
