package gitx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ShardRequest asks for one owner's share of a fix: a commit on Base that
// changes only Paths, as the fix's commit From changed them.
type ShardRequest struct {
	Repo    string   // the git directory (bare or .git) holding Base and From
	Base    string   // the default branch the fix started from
	From    string   // the fix's commit, on a branch of its own
	Paths   []string // the files of this shard, as changed from Base to From
	Branch  string   // the branch to commit the shard on
	Message string   // the commit message
}

// Shard commits, on Base, the files of r.Paths as they are in r.From
// (added, changed or deleted), without a work tree, as Tandem, and points
// r.Branch at the commit, which it returns. Like Fix, it is idempotent: a
// branch already holding a commit on Base with the same tree keeps it.
func Shard(ctx context.Context, r ShardRequest) (string, error) {
	switch {
	case r.Repo == "" || r.Base == "" || r.From == "" || r.Branch == "":
		return "", errors.New("shard: repository, base, fix commit and branch are required")
	case r.Branch == r.Base:
		return "", fmt.Errorf("shard: branch %q is the base branch", r.Branch)
	case len(r.Paths) == 0:
		return "", errors.New("shard: no files")
	}
	if _, err := run(ctx, r.Repo, "check-ref-format", "refs/heads/"+r.Branch); err != nil {
		return "", fmt.Errorf("shard: bad branch name %q", r.Branch)
	}
	base, err := run(ctx, r.Repo, "rev-parse", "--verify", "refs/heads/"+r.Base+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("shard: %w", err)
	}
	tree, err := shardTree(ctx, r, base)
	if err != nil {
		return "", fmt.Errorf("shard: %w", err)
	}
	if prev, err := BranchHead(ctx, r.Repo, r.Branch); err != nil {
		return "", fmt.Errorf("shard: %w", err)
	} else if prev != "" {
		same, err := run(ctx, r.Repo, "rev-parse", prev+"^{tree}", prev+"^")
		if err == nil && same == tree+"\n"+base {
			return prev, nil
		}
	}
	cmd := command(ctx, r.Repo, "commit-tree", tree, "-p", base, "-F", "-")
	cmd.Env = append(cmd.Env, identity...)
	cmd.Stdin = strings.NewReader(r.Message)
	out, err := output(cmd, "commit-tree")
	if err != nil {
		return "", fmt.Errorf("shard: %w", err)
	}
	if _, err := run(ctx, r.Repo, "update-ref", "refs/heads/"+r.Branch, out); err != nil {
		return "", fmt.Errorf("shard: %w", err)
	}
	return out, nil
}

// shardTree writes the tree of base with r.Paths as they are in r.From,
// in an index of its own that it removes.
func shardTree(ctx context.Context, r ShardRequest, base string) (string, error) {
	index, err := os.CreateTemp("", "tandem-shard-index-")
	if err != nil {
		return "", err
	}
	index.Close()
	defer os.Remove(index.Name())
	git := func(stdin string, args ...string) (string, error) {
		cmd := command(ctx, r.Repo, args...)
		cmd.Env = append(cmd.Env, "GIT_INDEX_FILE="+index.Name())
		cmd.Stdin = strings.NewReader(stdin)
		return output(cmd, args[0])
	}
	if _, err := git("", "read-tree", base); err != nil {
		return "", err
	}
	// ls-tree lists what From has of the paths; the others were deleted.
	listed, err := git("", append([]string{"ls-tree", "-z", "--full-tree", r.From, "--"}, r.Paths...)...)
	if err != nil {
		return "", err
	}
	var info strings.Builder
	kept := map[string]bool{}
	for entry := range strings.SplitSeq(listed, "\x00") {
		meta, path, ok := strings.Cut(entry, "\t")
		if !ok {
			continue
		}
		f := strings.Fields(meta) // mode type id
		if len(f) != 3 || f[1] != "blob" {
			return "", fmt.Errorf("%s in %s is a %s, not a file", path, r.From, f[1])
		}
		kept[path] = true
		fmt.Fprintf(&info, "%s %s\t%s\x00", f[0], f[2], path)
	}
	for _, p := range r.Paths {
		if !kept[p] {
			fmt.Fprintf(&info, "0 %s\t%s\x00", strings.Repeat("0", len(base)), p)
		}
	}
	if _, err := git(info.String(), "update-index", "-z", "--index-info"); err != nil {
		return "", err
	}
	return git("", "write-tree")
}
