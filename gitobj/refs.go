package gitobj

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// maxSymrefDepth bounds chains of symbolic refs, as git does.
const maxSymrefDepth = 5

// ResolveRef returns the object a ref points at ("HEAD", "refs/heads/main"),
// following symbolic refs, reading loose ref files first and packed-refs
// second. It returns an error wrapping ErrNotFound for an unborn branch or
// an absent ref.
func (r *Repo) ResolveRef(name string) (OID, error) {
	orig := name
	for range maxSymrefDepth + 1 {
		target, id, err := r.readRef(name)
		if err != nil {
			return OID{}, fmt.Errorf("gitobj: %s: ref %s: %w", r.dir, orig, err)
		}
		if target == "" {
			return id, nil
		}
		name = target
	}
	return OID{}, fmt.Errorf("gitobj: %s: ref %s: symbolic refs nested too deep", r.dir, orig)
}

// HeadBranch returns the branch HEAD points at ("main"), whether or not it
// has commits yet, or the full ref name when HEAD points outside
// refs/heads. It returns an error wrapping ErrNotFound when HEAD is
// detached.
func (r *Repo) HeadBranch() (string, error) {
	target, _, err := r.readRef("HEAD")
	if err != nil {
		return "", fmt.Errorf("gitobj: %s: HEAD: %w", r.dir, err)
	}
	if target == "" {
		return "", fmt.Errorf("gitobj: %s: HEAD is detached: %w", r.dir, ErrNotFound)
	}
	if b, ok := strings.CutPrefix(target, "refs/heads/"); ok {
		return b, nil
	}
	return target, nil
}

// readRef reads ref name and returns either the ref a symbolic ref points
// at or the id it holds.
func (r *Repo) readRef(name string) (string, OID, error) {
	if !validRefName(name) {
		return "", OID{}, fmt.Errorf("invalid ref name %q", name)
	}
	b, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(name)))
	if err == nil {
		s := strings.TrimSpace(string(b))
		if target, ok := strings.CutPrefix(s, "ref:"); ok {
			target = strings.TrimSpace(target)
			if !validRefName(target) {
				return "", OID{}, fmt.Errorf("invalid symbolic ref target %q", target)
			}
			return target, OID{}, nil
		}
		id, err := ParseOID(s)
		return "", id, err
	}
	if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.EISDIR) {
		return "", OID{}, err
	}
	id, err := r.packedRef(name)
	return "", id, err
}

// packedRef returns the id of name in packed-refs.
func (r *Repo) packedRef(name string) (OID, error) {
	b, err := os.ReadFile(filepath.Join(r.dir, "packed-refs"))
	if errors.Is(err, os.ErrNotExist) {
		return OID{}, ErrNotFound
	} else if err != nil {
		return OID{}, err
	}
	for line := range bytes.Lines(b) {
		line = bytes.TrimRight(line, "\r\n")
		if len(line) < 42 || line[0] == '#' || line[0] == '^' || line[40] != ' ' {
			continue
		}
		if string(line[41:]) == name {
			return ParseOID(string(line[:40]))
		}
	}
	return OID{}, ErrNotFound
}

// validRefName reports whether name is a ref this package reads: a name
// under refs/ or an upper-case pseudo-ref like HEAD, with no component that
// could lead outside the git directory.
func validRefName(name string) bool {
	if rest, ok := strings.CutPrefix(name, "refs/"); ok {
		for c := range strings.SplitSeq(rest, "/") {
			if c == "" || c[0] == '.' || strings.ContainsAny(c, "\\\x00") || strings.Contains(c, "..") {
				return false
			}
		}
		return true
	}
	if name == "" {
		return false
	}
	for _, c := range name {
		if (c < 'A' || c > 'Z') && c != '_' {
			return false
		}
	}
	return true
}
