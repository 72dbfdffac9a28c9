// Package scan reads codebases from git: their default branch, the commit
// at its head, what their files say about who owns them, and the result of
// every active check over their files.
package scan

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/backstage"
	"github.com/tandem-dev/tandem/codeowners"
	"github.com/tandem-dev/tandem/gitobj"
	"github.com/tandem-dev/tandem/gitx"
)

// catalogInfo is the Backstage entity file read at the repository root.
const catalogInfo = "catalog-info.yaml"

// gitlabFallback is read, with GitLab's rules, on hosts that follow GitHub's
// when none of GitHub's locations has a CODEOWNERS file.
const gitlabFallback = ".gitlab/CODEOWNERS"

// ReadCodebase reads a repository of a host at the head of its default
// branch through the git binary: its owner, but no checks. The Scanner
// uses it for repositories its in-process reader does not support. It
// never fails: what could not be read is in the returned
// codebase's Problems, and Head is empty when no commit could be read.
func ReadCodebase(ctx context.Context, host tandem.CodeHost, repo tandem.Repository) tandem.Codebase {
	c := tandem.Codebase{Name: repo.Name, Host: host.Name, Location: repo.Dir}
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

	paths := ownershipPaths()
	catalogs, err := gitx.FilesNamed(ctx, repo.Dir, head, catalogInfo)
	if err != nil {
		return fail(err)
	}
	catalogs = slices.DeleteFunc(catalogs, func(p string) bool { return p == catalogInfo })
	var bound []tandem.Problem
	if len(catalogs) > maxCatalogs {
		bound = append(bound, tooManyCatalogs(catalogs))
		catalogs = catalogs[:maxCatalogs]
	}
	files, err := gitx.ReadFiles(ctx, repo.Dir, head, append(paths, catalogs...), codeowners.MaxSize-1)
	if err != nil {
		return fail(err)
	}
	c.Head = head
	found := make(map[string]file, len(files))
	for p, f := range files {
		found[p] = file{size: f.Size, data: f.Data}
	}
	c.Ownership, c.Problems = ownership(found, repo.Name, branch)
	c.Problems = append(c.Problems, bound...)
	return c
}

// ownershipPaths are the files that may say who owns a repository.
func ownershipPaths() []string {
	return append(codeowners.Locations(codeowners.GitHub), gitlabFallback, catalogInfo)
}

// file is a file read at a commit; data is nil when it was too large.
type file struct {
	size int64
	data []byte
}

// maxCatalogs bounds how many catalog-info.yaml files of subfolders a
// read of a repository reads.
const maxCatalogs = 1000

// readOwnership reads the ownership files of tree from r: those of
// ownershipPaths, and the catalog-info.yaml files of subfolders, found by
// walking the trees of tree without reading any other file. repo and
// branch are the repository's name and the branch tree is the head of,
// which its root entities' source locations name.
func readOwnership(r *gitobj.Repo, tree gitobj.OID, repo, branch string) (tandem.Ownership, []tandem.Problem) {
	found := map[string]file{}
	read := func(p string, id gitobj.OID) {
		_, size, err := r.Header(id)
		if err != nil {
			return
		}
		f := file{size: size}
		if size < codeowners.MaxSize {
			if _, f.data, err = r.Read(id); err != nil {
				return
			}
		}
		found[p] = f
	}
	for _, p := range ownershipPaths() {
		if id, ok := lookup(r, tree, p); ok {
			read(p, id)
		}
	}
	var catalogs []string
	ids := map[string]gitobj.OID{}
	err := r.Walk(tree, func(p string, e gitobj.TreeEntry) error {
		if e.IsBlob() && e.Name == catalogInfo && p != catalogInfo {
			catalogs = append(catalogs, p)
			ids[p] = e.ID
		}
		return nil
	})
	var problems []tandem.Problem
	if err != nil {
		problems = append(problems, tandem.Problem{Message: "subfolders' catalog-info.yaml files not read: " + err.Error()})
	}
	if len(catalogs) > maxCatalogs {
		problems = append(problems, tooManyCatalogs(catalogs))
		catalogs = catalogs[:maxCatalogs]
	}
	for _, p := range catalogs {
		read(p, ids[p])
	}
	own, more := ownership(found, repo, branch)
	return own, append(more, problems...)
}

// lookup returns the blob at a slash-separated path of tree.
func lookup(r *gitobj.Repo, tree gitobj.OID, path string) (gitobj.OID, bool) {
	parts := strings.Split(path, "/")
	id := tree
	for i, part := range parts {
		_, data, err := r.Read(id)
		if err != nil {
			return gitobj.OID{}, false
		}
		entries, err := gitobj.ParseTree(data)
		if err != nil {
			return gitobj.OID{}, false
		}
		j := slices.IndexFunc(entries, func(e gitobj.TreeEntry) bool { return e.Name == part })
		if j < 0 {
			return gitobj.OID{}, false
		}
		e := entries[j]
		last := i == len(parts)-1
		if last && e.IsBlob() || !last && e.IsTree() {
			id = e.ID
			continue
		}
		return gitobj.OID{}, false
	}
	return id, true
}

// tooManyCatalogs is the problem of a repository with more subfolder
// catalogs than a read reads: it names the first one left unread.
func tooManyCatalogs(catalogs []string) tandem.Problem {
	return tandem.Problem{File: catalogs[maxCatalogs], Message: fmt.Sprintf(
		"%d catalog-info.yaml files in subfolders, over the %d read: the folders of the others have no Backstage owner", len(catalogs), maxCatalogs)}
}

// ownership reads what the files of a repository say about its owners:
// the owners of the whole and the rules of its CODEOWNERS file, the
// entities of its root catalog-info.yaml, and the owners of its folders,
// from the catalog-info.yaml files of subfolders (any path of files ending
// in "/catalog-info.yaml") and the root entities whose source location
// names a folder of repo at branch.
func ownership(files map[string]file, repo, branch string) (tandem.Ownership, []tandem.Problem) {
	var own tandem.Ownership
	var problems []tandem.Problem
	if name, flavor, ok := codeownersFile(files); ok {
		f := files[name]
		if f.data == nil {
			problems = append(problems, tandem.Problem{File: name, Message: fmt.Sprintf("ignored: %d bytes is over the 3 MB code hosts read", f.size)})
		} else {
			co := codeowners.Parse(name, f.data, flavor)
			own.Codeowners = co.WholeRepoOwners()
			own.CodeownersFile = name
			own.CodeownersFlavor = flavor.String()
			for _, r := range co.Rules {
				own.Rules = append(own.Rules, tandem.OwnerRule{Line: r.Line, Pattern: r.Pattern, Owners: r.Owners, Section: r.Section})
			}
			problems = append(problems, co.Problems...)
		}
	}
	folders := map[string][]string{}
	if f, ok := files[catalogInfo]; ok {
		if f.data == nil {
			problems = append(problems, tandem.Problem{File: catalogInfo, Message: fmt.Sprintf("ignored: %d bytes is too large", f.size)})
		} else {
			entities, ps := backstage.Entities(catalogInfo, f.data)
			for _, e := range entities {
				own.Backstage = append(own.Backstage, e.Owner)
				if folder, ok := backstage.SourceFolder(e.SourceLocation, repo, branch); ok && folder != "" {
					folders[folder] = append(folders[folder], e.Owner)
				}
			}
			problems = append(problems, ps...)
		}
	}
	var catalogs []string
	for p := range files {
		if strings.HasSuffix(p, "/"+catalogInfo) {
			catalogs = append(catalogs, p)
		}
	}
	slices.Sort(catalogs)
	for _, p := range catalogs {
		f := files[p]
		if f.data == nil {
			problems = append(problems, tandem.Problem{File: p, Message: fmt.Sprintf("ignored: %d bytes is too large", f.size)})
			continue
		}
		owners, ps := backstage.Owners(p, f.data)
		folder := path.Dir(p)
		folders[folder] = append(folders[folder], owners...)
		problems = append(problems, ps...)
	}
	for _, folder := range slices.Sorted(maps.Keys(folders)) {
		var refs []string
		for _, r := range folders[folder] {
			if !slices.ContainsFunc(refs, func(s string) bool { return strings.EqualFold(s, r) }) {
				refs = append(refs, r)
			}
		}
		if len(refs) > 0 {
			own.Folders = append(own.Folders, tandem.FolderOwner{Path: folder, Backstage: refs})
		}
	}
	return own, problems
}

// codeownersFile returns the CODEOWNERS file that counts: the first of
// GitHub's locations, else GitLab's own folder read with GitLab's rules.
func codeownersFile(files map[string]file) (string, codeowners.Flavor, bool) {
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
