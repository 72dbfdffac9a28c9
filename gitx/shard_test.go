package gitx_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem/gitx"
	"github.com/tandem-dev/tandem/gitx/gittest"
	"github.com/tandem-dev/tandem/proc/proctest"
)

func TestShard(t *testing.T) {
	noUserConfig(t)
	ctx := context.Background()
	repo := bare(t, map[string]string{
		"teams/a/main.go": mainGo, "teams/b/main.go": mainGo, "teams/b/old.go": mainGo, "README.md": "monorepo\n",
	})
	base := gittest.Run(t, repo, "rev-parse", "main")
	// The fix changes both teams' files, deletes one and adds one.
	fix := []string{"sh", "-c", "sed -i s/logrus/obslog/ teams/a/main.go teams/b/main.go && rm teams/b/old.go && echo new > teams/a/new.go"}
	whole, err := gitx.Fix(ctx, gitx.FixRequest{Runner: proctest.Runner(t), Repo: repo, Base: "main", Branch: "tandem/obslog-whole", Run: fix, Message: "Move to obslog"})
	if err != nil {
		t.Fatalf("Fix: %v", err)
	}

	req := gitx.ShardRequest{Repo: repo, Base: "main", From: whole, Branch: "tandem/obslog-b", Paths: []string{"teams/b/main.go", "teams/b/old.go"}, Message: "Move team b to obslog"}
	id, err := gitx.Shard(ctx, req)
	if err != nil {
		t.Fatalf("Shard: %v", err)
	}
	if got := gittest.Run(t, repo, "rev-parse", "tandem/obslog-b"); got != id {
		t.Errorf("branch is at %s, want the shard's commit %s", got, id)
	}
	if got := gittest.Run(t, repo, "rev-parse", id+"^"); got != base {
		t.Errorf("shard's parent is %s, want the base %s", got, base)
	}
	if got, want := gittest.Run(t, repo, "diff", "--name-status", base, id), "M\tteams/b/main.go\nD\tteams/b/old.go"; got != want {
		t.Errorf("shard changes:\n%s\nwant only team b's files:\n%s", got, want)
	}
	if got := gittest.Run(t, repo, "show", id+":teams/b/main.go"); !strings.Contains(got, "obslog") {
		t.Errorf("teams/b/main.go in the shard is %q, want the fix's", got)
	}
	if got := gittest.Run(t, repo, "log", "-1", "--format=%an <%ae>|%s", id); got != "Tandem <tandem@localhost>|Move team b to obslog" {
		t.Errorf("shard commit is %q", got)
	}

	// Sharding again keeps the commit.
	if again, err := gitx.Shard(ctx, req); err != nil || again != id {
		t.Errorf("Shard again = %s, %v; want the same commit %s", again, err, id)
	}

	a, err := gitx.Shard(ctx, gitx.ShardRequest{Repo: repo, Base: "main", From: whole, Branch: "tandem/obslog-a", Paths: []string{"teams/a/main.go", "teams/a/new.go"}, Message: "Move team a to obslog"})
	if err != nil {
		t.Fatalf("Shard a: %v", err)
	}
	if got, want := gittest.Run(t, repo, "diff", "--name-status", base, a), "M\tteams/a/main.go\nA\tteams/a/new.go"; got != want {
		t.Errorf("shard a changes:\n%s\nwant:\n%s", got, want)
	}

	if _, err := gitx.Shard(ctx, gitx.ShardRequest{Repo: repo, Base: "main", From: whole, Branch: "main", Paths: []string{"README.md"}, Message: "x"}); err == nil {
		t.Error("a shard on the base branch was made")
	}
}
