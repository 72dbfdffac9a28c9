// Package gitobj reads the objects and refs of git repositories in process:
// loose objects, packs with their deltas, alternates, loose and packed refs.
// It starts no git process, so a scanner can read a thousand repositories
// at the cost of inflating what it reads.
package gitobj

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// ErrNotFound is returned, wrapped, for an absent object or ref.
var ErrNotFound = errors.New("not found")

// ErrTooLarge is returned, wrapped, by ReadMax for an object over its limit.
var ErrTooLarge = errors.New("object too large")

// ErrUnsupported is returned, wrapped, for repository formats this package
// does not read: SHA-256 repositories, pack index version 1, unknown pack
// versions. It wraps errors.ErrUnsupported.
var ErrUnsupported = fmt.Errorf("gitobj: %w", errors.ErrUnsupported)

// Type is the type of a git object.
type Type byte

// The object types, numbered as in the pack format.
const (
	Commit Type = 1
	Tree   Type = 2
	Blob   Type = 3
	Tag    Type = 4
)

// String returns the type's name as git writes it in object headers.
func (t Type) String() string {
	switch t {
	case Commit:
		return "commit"
	case Tree:
		return "tree"
	case Blob:
		return "blob"
	case Tag:
		return "tag"
	}
	return fmt.Sprintf("type(%d)", byte(t))
}

// parseType returns the Type named by a loose object header.
func parseType(s []byte) (Type, bool) {
	switch string(s) {
	case "commit":
		return Commit, true
	case "tree":
		return Tree, true
	case "blob":
		return Blob, true
	case "tag":
		return Tag, true
	}
	return 0, false
}

// OID is a SHA-1 object id.
type OID [20]byte

// String returns the id in lowercase hexadecimal.
func (id OID) String() string { return hex.EncodeToString(id[:]) }

// IsZero reports whether id is the zero id, which Diff uses for a missing side.
func (id OID) IsZero() bool { return id == OID{} }

// ParseOID returns the id written as 40 hexadecimal digits in s.
func ParseOID(s string) (OID, error) {
	var id OID
	if len(s) != 2*len(id) {
		return id, fmt.Errorf("parse object id %q: want 40 hex digits", s)
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("parse object id %q: %w", s, err)
	}
	return id, nil
}

// DefaultCacheSize is the byte budget of a Repo's delta-base cache.
const DefaultCacheSize = 16 << 20

// Repo reads the objects and refs of one git directory: a bare repository
// or a work tree's .git. It is safe for concurrent use. Memory held beyond
// the objects returned is bounded by the delta-base cache and the mapped
// pack files, which the page cache backs.
type Repo struct {
	dir   string // the git directory
	cache *baseCache

	mu     sync.RWMutex
	listed bool
	closed bool
	odbs   []*odb
}

// odb is one object directory: the repository's own or an alternate.
type odb struct {
	dir   string // .../objects
	packs []*pack
	seen  map[string]bool // idx paths already opened
}

// Open returns a Repo reading gitDir. It reads only the config, to refuse
// SHA-256 repositories; objects, packs and refs are read when first needed.
func Open(gitDir string) (*Repo, error) {
	dir, err := filepath.Abs(gitDir)
	if err != nil {
		return nil, fmt.Errorf("gitobj: open %s: %w", gitDir, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "objects")); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("objects is not a directory")
		}
		return nil, fmt.Errorf("gitobj: open %s: not a git directory: %w", dir, err)
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "config"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("gitobj: open %s: %w", dir, err)
	}
	if f := objectFormat(cfg); f != "" && f != "sha1" {
		return nil, fmt.Errorf("gitobj: open %s: object format %s: %w", dir, f, ErrUnsupported)
	}
	return &Repo{dir: dir, cache: newBaseCache(DefaultCacheSize)}, nil
}

// objectFormat returns extensions.objectFormat from a git config file, or "".
func objectFormat(cfg []byte) string {
	section := ""
	for line := range bytes.Lines(cfg) {
		s := strings.TrimSpace(string(line))
		if s == "" || s[0] == '#' || s[0] == ';' {
			continue
		}
		if s[0] == '[' {
			section = strings.ToLower(strings.Trim(s, "[] \t"))
			continue
		}
		if section != "extensions" {
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "objectformat") {
			return strings.ToLower(strings.Trim(strings.TrimSpace(v), `"`))
		}
	}
	return ""
}

// Dir returns the git directory the Repo reads.
func (r *Repo) Dir() string { return r.dir }

// Close unmaps the repository's packs. Objects read before stay valid.
func (r *Repo) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for _, o := range r.odbs {
		for _, p := range o.packs {
			errs = append(errs, p.close())
		}
	}
	r.odbs = nil
	r.closed = true
	r.cache.clear()
	return errors.Join(errs...)
}

// Read returns the type and content of object id, from a loose object or a
// pack, resolving deltas. The content belongs to the caller. It returns an
// error wrapping ErrNotFound when no object directory holds id, after
// listing the packs again once in case a fetch or gc wrote new ones.
func (r *Repo) Read(id OID) (Type, []byte, error) {
	return r.ReadMax(id, -1)
}

// ReadMax is Read for an object of at most max bytes: a larger one is an
// error wrapping ErrTooLarge, known before its content is inflated, so
// that a huge file costs nothing to refuse.
func (r *Repo) ReadMax(id OID, max int64) (Type, []byte, error) {
	return r.ReadMaxInto(id, max, nil)
}

// ReadMaxInto is ReadMax reading into dst when the object is stored whole
// and dst is large enough, so that a caller reading many objects in turn
// allocates once. The content may then alias dst.
func (r *Repo) ReadMaxInto(id OID, max int64, dst []byte) (Type, []byte, error) {
	t, data, err := r.read(id, max, dst)
	if errors.Is(err, ErrNotFound) {
		if r.relist() {
			t, data, err = r.read(id, max, dst)
		}
	}
	if err != nil {
		return 0, nil, fmt.Errorf("gitobj: %s: object %s: %w", r.dir, id, err)
	}
	return t, data, nil
}

// Header returns the type and size of object id without inflating all of
// it: for a packed delta it inflates only the start of the delta, where the
// target size is written.
func (r *Repo) Header(id OID) (Type, int64, error) {
	t, size, err := r.header(id)
	if errors.Is(err, ErrNotFound) {
		if r.relist() {
			t, size, err = r.header(id)
		}
	}
	if err != nil {
		return 0, 0, fmt.Errorf("gitobj: %s: object %s: %w", r.dir, id, err)
	}
	return t, size, nil
}

func (r *Repo) read(id OID, max int64, dst []byte) (Type, []byte, error) {
	p, off, err := r.find(id)
	if err != nil {
		return 0, nil, err
	}
	if p != nil {
		return r.readPacked(p, off, max, dst)
	}
	return r.readLoose(id, max)
}

func (r *Repo) header(id OID) (Type, int64, error) {
	p, off, err := r.find(id)
	if err != nil {
		return 0, 0, err
	}
	if p != nil {
		return r.packedHeader(p, off)
	}
	return r.looseHeader(id)
}

// find returns the pack and offset holding id, or a nil pack when no pack
// holds it.
func (r *Repo) find(id OID) (*pack, int64, error) {
	if err := r.list(); err != nil {
		return nil, 0, err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return nil, 0, errors.New("repository closed")
	}
	for _, o := range r.odbs {
		for _, p := range o.packs {
			if off, ok, err := p.find(id); err != nil {
				return nil, 0, err
			} else if ok {
				return p, off, nil
			}
		}
	}
	return nil, 0, nil
}

// list opens the object directories and their packs on first use.
func (r *Repo) list() error {
	r.mu.RLock()
	listed := r.listed
	r.mu.RUnlock()
	if listed {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.listed || r.closed {
		return nil
	}
	r.odbs = nil
	if err := r.addODB(filepath.Join(r.dir, "objects"), 0); err != nil {
		return err
	}
	r.listed = true
	return nil
}

// maxAlternateDepth bounds chains of alternates, as git does.
const maxAlternateDepth = 5

// addODB adds the object directory dir, its packs and its alternates.
func (r *Repo) addODB(dir string, depth int) error {
	for _, o := range r.odbs {
		if o.dir == dir {
			return nil
		}
	}
	o := &odb{dir: dir, seen: map[string]bool{}}
	r.odbs = append(r.odbs, o)
	if _, err := o.openPacks(); err != nil {
		return err
	}
	if depth >= maxAlternateDepth {
		return nil
	}
	alt, err := os.ReadFile(filepath.Join(dir, "info", "alternates"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	for line := range bytes.Lines(alt) {
		s := strings.TrimSpace(string(line))
		if s == "" || s[0] == '#' {
			continue
		}
		if !filepath.IsAbs(s) {
			s = filepath.Join(dir, s)
		}
		if err := r.addODB(filepath.Clean(s), depth+1); err != nil {
			return fmt.Errorf("alternate %s: %w", s, err)
		}
	}
	return nil
}

// relist opens packs written since the last listing and reports whether
// there were any.
func (r *Repo) relist() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || !r.listed {
		return false
	}
	added := false
	for _, o := range r.odbs {
		if n, err := o.openPacks(); err == nil && n > 0 {
			added = true
		}
	}
	return added
}

// openPacks opens the packs of o not opened yet and returns how many.
func (o *odb) openPacks() (int, error) {
	idxs, err := filepath.Glob(filepath.Join(o.dir, "pack", "*.idx"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, idx := range idxs {
		if o.seen[idx] {
			continue
		}
		p, err := openPack(idx)
		if errors.Is(err, os.ErrNotExist) {
			continue // a pack being written or removed
		} else if err != nil {
			return n, err
		}
		o.seen[idx] = true
		o.packs = append(o.packs, p)
		n++
	}
	return n, nil
}
