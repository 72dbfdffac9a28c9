package gitobj

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// loosePath returns where object id lives loose in object directory dir.
func loosePath(dir string, id OID) string {
	h := id.String()
	return filepath.Join(dir, h[:2], h[2:])
}

// looseFile returns the compressed bytes of loose object id from the first
// object directory that holds it.
func (r *Repo) looseFile(id OID) ([]byte, error) {
	r.mu.RLock()
	dirs := make([]string, len(r.odbs))
	for i, o := range r.odbs {
		dirs[i] = o.dir
	}
	r.mu.RUnlock()
	for _, dir := range dirs {
		b, err := os.ReadFile(loosePath(dir, id))
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return nil, ErrNotFound
}

// parseLooseHeader parses "type size\0" at the start of an inflated loose
// object and returns the type, size and header length.
func parseLooseHeader(b []byte) (Type, int64, int, error) {
	nul := bytes.IndexByte(b, 0)
	sp := bytes.IndexByte(b, ' ')
	if nul < 0 || sp < 0 || sp > nul {
		return 0, 0, 0, errors.New("loose object: bad header")
	}
	t, ok := parseType(b[:sp])
	if !ok {
		return 0, 0, 0, fmt.Errorf("loose object: unknown type %q", b[:sp])
	}
	size, err := strconv.ParseInt(string(b[sp+1:nul]), 10, 64)
	if err != nil || size < 0 {
		return 0, 0, 0, fmt.Errorf("loose object: bad size %q", b[sp+1:nul])
	}
	return t, size, nul + 1, nil
}

// looseHeaderMax covers "commit " plus a 20-digit size and the NUL.
const looseHeaderMax = 32

func (r *Repo) readLoose(id OID, max int64) (Type, []byte, error) {
	z, err := r.looseFile(id)
	if err != nil {
		return 0, nil, err
	}
	var hdr [looseHeaderMax]byte
	n, err := inflatePrefix(z, hdr[:])
	if err != nil {
		return 0, nil, err
	}
	t, size, hl, err := parseLooseHeader(hdr[:n])
	if err != nil {
		return 0, nil, err
	}
	if max >= 0 && size > max {
		return 0, nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, size)
	}
	all, err := inflate(z, int64(hl)+size, nil)
	if err != nil {
		return 0, nil, err
	}
	return t, all[hl:], nil
}

func (r *Repo) looseHeader(id OID) (Type, int64, error) {
	z, err := r.looseFile(id)
	if err != nil {
		return 0, 0, err
	}
	var hdr [looseHeaderMax]byte
	n, err := inflatePrefix(z, hdr[:])
	if err != nil {
		return 0, 0, err
	}
	t, size, _, err := parseLooseHeader(hdr[:n])
	return t, size, err
}
