// Package gitx reads git repositories through the git binary: the default
// branch, the commit at its head, and files at a commit without a checkout.
package gitx

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// command returns a git command run in dir that never prompts and trusts
// repositories owned by other users (a fleet folder is rarely ours).
func command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-c", "safe.directory=*", "-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	return cmd
}

// run runs git and returns its trimmed standard output, or an error that
// carries git's own message.
func run(ctx context.Context, dir string, args ...string) (string, error) {
	return output(command(ctx, dir, args...), args[0])
}

// output runs the git command cmd, named name in errors, and returns its
// trimmed standard output, or an error that carries git's own message.
func output(cmd *exec.Cmd, name string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("git %s: %s", name, msg)
		}
		return "", fmt.Errorf("git %s: %w", name, err)
	}
	return strings.TrimSpace(stdout.String()), nil
}

// ErrNoCommits is returned for a repository whose branch has no commit yet.
var ErrNoCommits = errors.New("repository has no commits")

// DefaultBranch returns the branch HEAD points at, the default branch of a
// bare repository or the checked-out one otherwise.
func DefaultBranch(ctx context.Context, dir string) (string, error) {
	out, err := run(ctx, dir, "symbolic-ref", "--quiet", "--short", "HEAD")
	if err != nil {
		return "", fmt.Errorf("read HEAD: %w", err)
	}
	return out, nil
}

// Head returns the commit the branch points at. It returns ErrNoCommits
// when the branch does not exist yet (an unborn HEAD).
func Head(ctx context.Context, dir, branch string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := command(ctx, dir, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch+"^{commit}")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return strings.TrimSpace(stdout.String()), nil
	case errors.As(err, &exit) && exit.ExitCode() == 1 && stderr.Len() == 0:
		return "", ErrNoCommits
	case stderr.Len() > 0:
		return "", fmt.Errorf("resolve %s: %s", branch, strings.TrimSpace(stderr.String()))
	default:
		return "", fmt.Errorf("resolve %s: %w", branch, err)
	}
}

// File is a file read at a commit. Data is nil when the file is larger than
// the limit it was read with.
type File struct {
	Size int64
	Data []byte
}

// ReadFiles returns the files among paths that exist at commit, read
// through one `git cat-file --batch`. Paths that are missing or are not
// regular files are left out; files larger than maxSize have no Data.
func ReadFiles(ctx context.Context, dir, commit string, paths []string, maxSize int64) (map[string]File, error) {
	cmd := command(ctx, dir, "cat-file", "--batch")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	var in bytes.Buffer
	for _, p := range paths {
		if strings.ContainsAny(p, "\n") {
			return nil, fmt.Errorf("read files: path %q has a newline", p)
		}
		fmt.Fprintf(&in, "%s:%s\n", commit, p)
	}
	cmd.Stdin = &in
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("read files: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("read files: %w", err)
	}
	files, rerr := readBatch(bufio.NewReader(out), paths, maxSize)
	if rerr != nil {
		_, _ = io.Copy(io.Discard, out)
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("read files: git cat-file: %s", strings.TrimSpace(stderr.String()+" "+err.Error()))
	}
	if rerr != nil {
		return nil, fmt.Errorf("read files: %w", rerr)
	}
	return files, nil
}

// readBatch parses `git cat-file --batch` output: for each request either
// "<name> missing" or "<oid> <type> <size>" followed by the content and a
// newline.
func readBatch(r *bufio.Reader, paths []string, maxSize int64) (map[string]File, error) {
	files := make(map[string]File)
	for _, p := range paths {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("read header of %s: %w", p, err)
		}
		fields := strings.Fields(header)
		if len(fields) != 3 {
			continue // "<name> missing" or "<name> ambiguous"
		}
		size, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad header %q", header)
		}
		f := File{Size: size}
		if fields[1] == "blob" && size <= maxSize {
			f.Data = make([]byte, size)
			if _, err := io.ReadFull(r, f.Data); err != nil {
				return nil, fmt.Errorf("read %s: %w", p, err)
			}
		} else if _, err := io.CopyN(io.Discard, r, size); err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		if _, err := r.Discard(1); err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		if fields[1] == "blob" {
			files[p] = f
		}
	}
	return files, nil
}

// FilesNamed returns the paths of the regular files and symbolic links
// named name at commit, in any folder, in tree order, read through one
// streamed `git ls-tree -r`, which reads trees and no file.
func FilesNamed(ctx context.Context, dir, commit, name string) ([]string, error) {
	cmd := command(ctx, dir, "ls-tree", "-r", "-z", "--name-only", commit)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	var paths []string
	r := bufio.NewReader(out)
	for {
		p, err := r.ReadString(0)
		if err != nil {
			break
		}
		p = strings.TrimSuffix(p, "\x00")
		if p == name || strings.HasSuffix(p, "/"+name) {
			paths = append(paths, p)
		}
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("list files: git ls-tree: %s", strings.TrimSpace(stderr.String()+" "+err.Error()))
	}
	return paths, nil
}

// CheckoutHead returns the git directory that holds the objects of the
// work tree dir (the common one of a linked work tree) and the commit
// checked out there, HEAD, detached or not.
func CheckoutHead(ctx context.Context, dir string) (gitDir, commit string, err error) {
	out, err := run(ctx, dir, "rev-parse", "--path-format=absolute", "--git-common-dir", "--verify", "HEAD^{commit}")
	if err != nil {
		return "", "", fmt.Errorf("%s: read HEAD: %w", dir, err)
	}
	lines := strings.Split(out, "\n")
	if len(lines) != 2 {
		return "", "", fmt.Errorf("%s: read HEAD: unexpected output %q", dir, out)
	}
	return lines[0], lines[1], nil
}

// RemoteURL returns the URL of the remote name of the repository at dir.
func RemoteURL(ctx context.Context, dir, name string) (string, error) {
	return run(ctx, dir, "remote", "get-url", name)
}
