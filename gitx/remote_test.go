package gitx_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem/gitx"
	"github.com/tandem-dev/tandem/gitx/gittest"
)

// TestMirrorAll mirrors more repositories than are fetched at once, with
// an empty one and one whose remote is missing among them: every one is
// listed in order, the readable ones at their head, the others skipped
// with a problem naming them.
func TestMirrorAll(t *testing.T) {
	var listed []gitx.Listed
	heads := map[string]string{}
	for i := range 12 {
		name := fmt.Sprintf("svc-%02d", i)
		l := gitx.Listed{Name: name, Branch: "main", URL: "https://host/acme/" + name}
		switch i {
		case 3:
			l.Empty = true
		case 7:
			l.Remote = gitx.Remote{URL: filepath.Join(t.TempDir(), "missing")}
		default:
			dir := gittest.Repo(t, map[string]string{"main.go": "package " + strings.ReplaceAll(name, "-", "") + "\n"})
			l.Remote = gitx.Remote{URL: dir}
			heads[name] = gittest.Run(t, dir, "rev-parse", "HEAD")
		}
		listed = append(listed, l)
	}
	repos, problems, err := gitx.Mirrors(t.TempDir()).MirrorAll(t.Context(), listed)
	if err != nil {
		t.Fatal(err)
	}
	if len(repos) != len(listed) || len(problems) != 2 {
		t.Fatalf("%d repositories, problems %v; want 12 and two problems", len(repos), problems)
	}
	if problems[0].File != listed[3].URL || problems[0].Message != "skipped: empty repository" || problems[1].File != listed[7].URL {
		t.Errorf("problems = %v, want the empty svc-03 then the missing svc-07", problems)
	}
	for i, r := range repos {
		if r.Name != listed[i].Name {
			t.Fatalf("repository %d is %s, want %s: the listing's order", i, r.Name, listed[i].Name)
		}
		want, readable := heads[r.Name]
		if r.Skipped == readable {
			t.Errorf("%s skipped = %v", r.Name, r.Skipped)
			continue
		}
		if readable {
			if got := gittest.Run(t, r.Dir, "rev-parse", "main"); got != want {
				t.Errorf("mirror of %s at %s, want %s", r.Name, got, want)
			}
		}
	}
}
