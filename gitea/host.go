package gitea

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/tandem-dev/tandem"
)

// repoRights are the token scopes listing and cloning need.
const repoRights = "read:organization and read:repository"

// Host lists the repositories of a Gitea organization and mirrors them.
type Host struct {
	host    tandem.CodeHost
	baseURL string
	token   string
	mirrors string // this host's folder of bare mirrors
	hc      *http.Client
}

// New returns the host of a gitea CodeHost. getenv resolves the token
// reference (env:NAME); mirrors is the folder where repositories are
// mirrored, one bare mirror per repository at mirrors/<host>/<name>.git.
// A nil hc is http.DefaultClient. It returns EINVALID for a host without
// URL or Org or with a token that does not resolve.
func New(h tandem.CodeHost, getenv func(string) string, mirrors string, hc *http.Client) (*Host, error) {
	base, err := baseURL(h)
	if err != nil {
		return nil, err
	}
	if h.Org == "" {
		return nil, tandem.Errorf(tandem.EINVALID, "code host %s: org is required", h.Name)
	}
	if h.Name == "" || strings.ContainsAny(h.Name, `/\`) || h.Name == "." || h.Name == ".." {
		return nil, tandem.Errorf(tandem.EINVALID, "code host %q: name must be a plain folder name", h.Name)
	}
	token, err := resolveToken(h.Token, getenv)
	if err != nil {
		return nil, fmt.Errorf("code host %s: %w", h.Name, err)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Host{host: h, baseURL: base, token: token, mirrors: filepath.Join(mirrors, h.Name), hc: hc}, nil
}

// baseURL returns the host's URL without a trailing slash, or EINVALID when
// it is not an http(s) URL.
func baseURL(h tandem.CodeHost) (string, error) {
	u, err := url.Parse(h.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", tandem.Errorf(tandem.EINVALID, "code host %s: url %q: want http(s)://host[/path] without credentials", h.Name, h.URL)
	}
	return strings.TrimSuffix(h.URL, "/"), nil
}

// Repositories lists the organization's repositories, sorted by name,
// leaving out archived ones and forks unless the CodeHost includes them,
// and makes or refreshes the bare mirror of each one's default branch.
// An empty repository or one whose mirror fails is returned as a Problem;
// a host that cannot be reached is EUNAVAILABLE and a refused token
// EINVALID.
func (h *Host) Repositories(ctx context.Context) ([]tandem.Repository, []tandem.Problem, error) {
	c, err := client(ctx, h.baseURL, h.token, h.hc)
	if err != nil {
		return nil, nil, err
	}
	var all []*sdk.Repository
	for page := 1; ; page++ {
		repos, resp, err := c.ListOrgRepos(h.host.Org, sdk.ListOrgReposOptions{ListOptions: sdk.ListOptions{Page: page, PageSize: pageSize}})
		if err != nil {
			return nil, nil, fmt.Errorf("code host %s: %w", h.host.Name, apiError(err, resp, "list repositories of "+h.host.Org, repoRights))
		}
		all = append(all, repos...)
		if len(repos) == 0 || resp.NextPage == 0 {
			break
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })

	var repos []tandem.Repository
	var problems []tandem.Problem
	for _, r := range all {
		if (r.Archived && !h.host.Archived) || (r.Fork && !h.host.Forks) {
			continue
		}
		if r.Empty || r.DefaultBranch == "" {
			problems = append(problems, tandem.Problem{File: h.repoURL(r.Name), Message: "skipped: empty repository"})
			continue
		}
		dir, err := h.mirror(ctx, r.Name, r.DefaultBranch)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			problems = append(problems, tandem.Problem{File: h.repoURL(r.Name), Message: err.Error()})
			continue
		}
		repos = append(repos, tandem.Repository{Name: r.Name, Dir: dir})
	}
	return repos, problems, nil
}

// repoURL returns the clone URL of a repository of the organization, built
// from the host's URL so that the token goes to no other server.
func (h *Host) repoURL(name string) string {
	return h.baseURL + "/" + url.PathEscape(h.host.Org) + "/" + url.PathEscape(name) + ".git"
}

// mirror makes or refreshes the bare mirror of one branch of a repository
// and points its HEAD at that branch. A first clone goes to a temporary
// folder renamed into place, so that an interrupted clone leaves nothing
// half made. It returns the mirror's folder.
func (h *Host) mirror(ctx context.Context, name, branch string) (string, error) {
	if strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("mirror: unsafe repository name %q", name)
	}
	dir := h.mirrorDir(name)
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err != nil {
		if err := os.MkdirAll(h.mirrors, 0o755); err != nil {
			return "", fmt.Errorf("mirror: %w", err)
		}
		tmp, err := os.MkdirTemp(h.mirrors, "."+name+"-clone-")
		if err != nil {
			return "", fmt.Errorf("mirror: %w", err)
		}
		defer os.RemoveAll(tmp)
		if err := h.git(ctx, "", "clone", "--quiet", "--bare", "--single-branch", "--branch", branch, h.repoURL(name), tmp); err != nil {
			return "", err
		}
		_ = os.RemoveAll(dir) // a folder left without HEAD is no mirror
		if err := os.Rename(tmp, dir); err != nil {
			return "", fmt.Errorf("mirror: %w", err)
		}
	} else {
		if err := h.git(ctx, dir, "remote", "set-url", "origin", h.repoURL(name)); err != nil {
			return "", err
		}
		ref := "refs/heads/" + branch
		if err := h.git(ctx, dir, "fetch", "--quiet", "--prune", "--no-tags", "origin", "+"+ref+":"+ref); err != nil {
			return "", err
		}
	}
	if err := h.git(ctx, dir, "symbolic-ref", "HEAD", "refs/heads/"+branch); err != nil {
		return "", err
	}
	return dir, nil
}

// mirrorDir is where a repository's bare mirror lives.
func (h *Host) mirrorDir(name string) string { return filepath.Join(h.mirrors, name+".git") }

// git runs git in dir (or the current folder when dir is ""). The token
// travels in the environment as an http.extraHeader, never on the command
// line or in a URL; prompts and credential helpers are off. The error
// carries git's own message.
func (h *Host) git(ctx context.Context, dir string, args ...string) error {
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "GIT_CONFIG_COUNT=1",
		"GIT_CONFIG_KEY_0=credential.helper", "GIT_CONFIG_VALUE_0=")
	if h.token != "" {
		cmd.Env = append(cmd.Env, "GIT_CONFIG_COUNT=2",
			"GIT_CONFIG_KEY_1=http.extraHeader", "GIT_CONFIG_VALUE_1=Authorization: token "+h.token)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if h.token != "" {
			msg = strings.ReplaceAll(msg, h.token, "***")
		}
		if msg == "" {
			return fmt.Errorf("git %s: %w", gitVerb(args), err)
		}
		return fmt.Errorf("git %s: %s", gitVerb(args), msg)
	}
	return nil
}

// gitVerb returns the git subcommand of args, past a leading -C dir.
func gitVerb(args []string) string {
	if len(args) > 2 && args[0] == "-C" {
		return args[2]
	}
	return args[0]
}
