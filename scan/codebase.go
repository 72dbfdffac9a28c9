// Package scan reads codebases from git: their default branch, the commit
// at its head, and what their files say about who owns them.
package scan

import (
	"context"
	"errors"
	"fmt"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/backstage"
	"github.com/tandem-dev/tandem/codeowners"
	"github.com/tandem-dev/tandem/gitx"
)

// catalogInfo is the Backstage entity file read at the repository root.
const catalogInfo = "catalog-info.yaml"

// gitlabFallback is read, with GitLab's rules, on hosts that follow GitHub's
// when none of GitHub's locations has a CODEOWNERS file.
const gitlabFallback = ".gitlab/CODEOWNERS"

// ReadCodebase reads a repository of a host at the head of its default
// branch. It never fails: what could not be read is in the returned
// codebase's Problems, and Head is empty when no commit could be read.
func ReadCodebase(ctx context.Context, host tandem.CodeHost, repo tandem.Repository) tandem.Codebase {
	c := tandem.Codebase{Name: repo.Name, Host: host.Name}
	fail := func(err error) tandem.Codebase {
		c.Problems = append(c.Problems, tandem.Problem{File: repo.Dir, Message: err.Error()})
		return c
	}
	branch, err := gitx.DefaultBranch(ctx, repo.Dir)
	if err != nil {
		return fail(err)
	}
	c.DefaultBranch = branch
	head, err := gitx.Head(ctx, repo.Dir, branch)
	if errors.Is(err, gitx.ErrNoCommits) {
		return fail(fmt.Errorf("branch %s has no commits", branch))
	} else if err != nil {
		return fail(err)
	}

	paths := append(codeowners.Locations(codeowners.GitHub), gitlabFallback, catalogInfo)
	files, err := gitx.ReadFiles(ctx, repo.Dir, head, paths, codeowners.MaxSize-1)
	if err != nil {
		return fail(err)
	}
	c.Head = head
	c.Ownership, c.Problems = ownership(files)
	return c
}

// ownership reads the owners of a repository as a whole from its
// CODEOWNERS file and its Backstage entities.
func ownership(files map[string]gitx.File) (tandem.Ownership, []tandem.Problem) {
	var own tandem.Ownership
	var problems []tandem.Problem
	if name, flavor, ok := codeownersFile(files); ok {
		f := files[name]
		if f.Data == nil {
			problems = append(problems, tandem.Problem{File: name, Message: fmt.Sprintf("ignored: %d bytes is over the 3 MB code hosts read", f.Size)})
		} else {
			co := codeowners.Parse(name, f.Data, flavor)
			own.Codeowners = co.WholeRepoOwners()
			own.CodeownersFile = name
			problems = append(problems, co.Problems...)
		}
	}
	if f, ok := files[catalogInfo]; ok {
		if f.Data == nil {
			problems = append(problems, tandem.Problem{File: catalogInfo, Message: fmt.Sprintf("ignored: %d bytes is too large", f.Size)})
		} else {
			owners, ps := backstage.Owners(catalogInfo, f.Data)
			own.Backstage = owners
			problems = append(problems, ps...)
		}
	}
	return own, problems
}

// codeownersFile returns the CODEOWNERS file that counts: the first of
// GitHub's locations, else GitLab's own folder read with GitLab's rules.
func codeownersFile(files map[string]gitx.File) (string, codeowners.Flavor, bool) {
	for _, p := range codeowners.Locations(codeowners.GitHub) {
		if _, ok := files[p]; ok {
			return p, codeowners.GitHub, true
		}
	}
	if _, ok := files[gitlabFallback]; ok {
		return gitlabFallback, codeowners.GitLab, true
	}
	return "", 0, false
}
