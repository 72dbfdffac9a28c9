package gitobj

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Pack entry types beyond the four object types.
const (
	objOfsDelta = 6
	objRefDelta = 7
)

// maxChain bounds delta chains, so a corrupt pack that loops fails.
const maxChain = 10000

// pack is one mapped pack file and its version-2 index.
type pack struct {
	path string // the .pack file
	idx  []byte
	data []byte
	n    uint32 // number of objects
}

const (
	idxHeader = 8
	fanoutLen = 256 * 4
)

// openPack maps the index at idxPath and its pack, checking their headers
// and sizes.
func openPack(idxPath string) (*pack, error) {
	p := &pack{path: strings.TrimSuffix(idxPath, ".idx") + ".pack"}
	var err error
	if p.idx, err = mapFile(idxPath); err != nil {
		return nil, err
	}
	if p.data, err = mapFile(p.path); err != nil {
		p.close()
		return nil, err
	}
	if err := p.check(); err != nil {
		p.close()
		return nil, fmt.Errorf("pack %s: %w", p.path, err)
	}
	return p, nil
}

func (p *pack) check() error {
	idx := p.idx
	if len(idx) < idxHeader || !bytes.Equal(idx[:4], []byte("\377tOc")) {
		return fmt.Errorf("index version 1: %w", ErrUnsupported)
	}
	if v := binary.BigEndian.Uint32(idx[4:]); v != 2 {
		return fmt.Errorf("index version %d: %w", v, ErrUnsupported)
	}
	if len(idx) < idxHeader+fanoutLen {
		return errors.New("index truncated")
	}
	prev := uint32(0)
	for i := range 256 {
		c := binary.BigEndian.Uint32(idx[idxHeader+4*i:])
		if c < prev {
			return errors.New("index fan-out not sorted")
		}
		prev = c
	}
	p.n = prev
	if int64(len(idx)) < int64(idxHeader+fanoutLen)+int64(p.n)*28+40 {
		return errors.New("index truncated")
	}
	d := p.data
	if len(d) < 32 || !bytes.Equal(d[:4], []byte("PACK")) {
		return errors.New("not a pack")
	}
	if v := binary.BigEndian.Uint32(d[4:]); v != 2 && v != 3 {
		return fmt.Errorf("pack version %d: %w", v, ErrUnsupported)
	}
	if c := binary.BigEndian.Uint32(d[8:]); c != p.n {
		return fmt.Errorf("pack holds %d objects, index %d", c, p.n)
	}
	return nil
}

func (p *pack) close() error {
	err1 := unmapFile(p.idx)
	err2 := unmapFile(p.data)
	p.idx, p.data = nil, nil
	return errors.Join(err1, err2)
}

// find returns the offset of id in the pack and whether the index lists it.
func (p *pack) find(id OID) (int64, bool, error) {
	idx := p.idx
	lo := uint32(0)
	if id[0] > 0 {
		lo = binary.BigEndian.Uint32(idx[idxHeader+4*(int(id[0])-1):])
	}
	hi := binary.BigEndian.Uint32(idx[idxHeader+4*int(id[0]):])
	ids := idx[idxHeader+fanoutLen:]
	for lo < hi {
		m := lo + (hi-lo)/2
		switch c := bytes.Compare(ids[20*m:20*m+20], id[:]); {
		case c == 0:
			off, err := p.offset(m)
			return off, err == nil, err
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return 0, false, nil
}

// offset returns the pack offset of the i-th object of the index.
func (p *pack) offset(i uint32) (int64, error) {
	base := idxHeader + fanoutLen + int64(p.n)*24
	o := binary.BigEndian.Uint32(p.idx[base+4*int64(i):])
	if o&0x80000000 == 0 {
		return int64(o), nil
	}
	large := base + int64(p.n)*4 + 8*int64(o&0x7fffffff)
	if large+8 > int64(len(p.idx))-40 {
		return 0, fmt.Errorf("pack %s: large offset %d past the index end", p.path, o&0x7fffffff)
	}
	off := binary.BigEndian.Uint64(p.idx[large:])
	if off > 1<<62 {
		return 0, fmt.Errorf("pack %s: offset %d out of range", p.path, off)
	}
	return int64(off), nil
}

// entry is the header of one pack entry.
type entry struct {
	typ     byte
	size    int64 // inflated size: of the object, or of the delta data
	data    int64 // where the compressed data starts
	baseOff int64 // OBJ_OFS_DELTA: the base's offset
	baseID  OID   // OBJ_REF_DELTA: the base's id
}

// entryAt parses the entry header at off.
func (p *pack) entryAt(off int64) (entry, error) {
	end := int64(len(p.data)) - 20 // the trailing checksum
	if off < 12 || off >= end {
		return entry{}, fmt.Errorf("pack %s: offset %d past the end", p.path, off)
	}
	d := p.data[:end]
	pos := off
	c := d[pos]
	pos++
	e := entry{typ: (c >> 4) & 7, size: int64(c & 15)}
	for shift := uint(4); c&0x80 != 0; shift += 7 {
		if pos >= end || shift > 56 {
			return entry{}, fmt.Errorf("pack %s: bad entry header at %d", p.path, off)
		}
		c = d[pos]
		pos++
		e.size |= int64(c&0x7f) << shift
	}
	switch e.typ {
	case byte(Commit), byte(Tree), byte(Blob), byte(Tag):
	case objOfsDelta:
		if pos >= end {
			return entry{}, fmt.Errorf("pack %s: bad delta header at %d", p.path, off)
		}
		c = d[pos]
		pos++
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if pos >= end || rel > 1<<50 {
				return entry{}, fmt.Errorf("pack %s: bad delta offset at %d", p.path, off)
			}
			c = d[pos]
			pos++
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		if rel <= 0 || rel >= off {
			return entry{}, fmt.Errorf("pack %s: delta base offset out of range at %d", p.path, off)
		}
		e.baseOff = off - rel
	case objRefDelta:
		if pos+20 > end {
			return entry{}, fmt.Errorf("pack %s: bad delta header at %d", p.path, off)
		}
		copy(e.baseID[:], d[pos:pos+20])
		pos += 20
	default:
		return entry{}, fmt.Errorf("pack %s: unknown entry type %d at %d", p.path, e.typ, off)
	}
	e.data = pos
	return e, nil
}

// inflate returns the inflated data of entry e, in dst when it is large
// enough.
func (p *pack) inflate(e entry, dst []byte) ([]byte, error) {
	b, err := inflate(p.data[e.data:len(p.data)-20], e.size, dst)
	if err != nil {
		return nil, fmt.Errorf("pack %s: %w", p.path, err)
	}
	return b, nil
}

// step is one delta of a chain being resolved; delta is its inflated
// data when it was inflated already.
type step struct {
	p     *pack
	off   int64
	e     entry
	delta []byte
}

// readPacked returns the object at off in p, applying its delta chain from
// the nearest base in the cache or in full form. An object larger than max
// (when max >= 0) is ErrTooLarge, found before any base is inflated.
func (r *Repo) readPacked(p *pack, off int64, max int64, dst []byte) (Type, []byte, error) {
	if ct, cdata, ok := r.cache.get(p, off); ok {
		return ct, bytes.Clone(cdata), nil
	}
	e, err := p.entryAt(off)
	if err != nil {
		return 0, nil, err
	}
	if e.typ < objOfsDelta {
		if max >= 0 && e.size > max {
			return 0, nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, e.size)
		}
		data, err := p.inflate(e, dst)
		if err != nil {
			return 0, nil, err
		}
		return Type(e.typ), data, nil
	}
	first := step{p: p, off: off, e: e}
	if max >= 0 {
		// The delta's header tells the object's size: inflate it now, to
		// refuse a large object before reading any base.
		if first.delta, err = p.inflate(e, nil); err != nil {
			return 0, nil, err
		}
		size, err := targetSize(first.delta)
		if err != nil {
			return 0, nil, err
		}
		if size > max {
			return 0, nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, size)
		}
	}
	chain, t, base, err := r.deltaChain(first)
	if err != nil {
		return 0, nil, err
	}
	return r.applyChain(chain, t, base)
}

// deltaChain follows the bases of the delta first down to the nearest
// base in the cache, in full form in a pack (which it adds to the cache)
// or loose. It returns the deltas from first down, and the base's type
// and data.
func (r *Repo) deltaChain(first step) ([]step, Type, []byte, error) {
	chain := append(make([]step, 0, 1), first)
	for {
		last := &chain[len(chain)-1]
		p, off := last.p, last.e.baseOff
		if last.e.typ == objRefDelta {
			bp, boff, err := r.find(last.e.baseID)
			if err != nil {
				return nil, 0, nil, err
			}
			if bp == nil {
				t, base, err := r.readLoose(last.e.baseID, -1)
				if err != nil {
					return nil, 0, nil, fmt.Errorf("delta base %s: %w", last.e.baseID, err)
				}
				return chain, t, base, nil
			}
			p, off = bp, boff
		}
		if ct, cdata, ok := r.cache.get(p, off); ok {
			return chain, ct, cdata, nil
		}
		e, err := p.entryAt(off)
		if err != nil {
			return nil, 0, nil, err
		}
		if e.typ < objOfsDelta {
			// A delta base is kept in the cache, never in the caller's
			// buffer.
			base, err := p.inflate(e, nil)
			if err != nil {
				return nil, 0, nil, err
			}
			r.cache.add(p, off, Type(e.typ), base)
			return chain, Type(e.typ), base, nil
		}
		if len(chain) >= maxChain {
			return nil, 0, nil, fmt.Errorf("pack %s: delta chain longer than %d at %d", p.path, maxChain, off)
		}
		chain = append(chain, step{p: p, off: off, e: e})
	}
}

// applyChain applies a delta chain, as deltaChain returns it, to its
// base of type t and returns the object. What each delta but the last
// makes is a base of others too: it is added to the cache.
func (r *Repo) applyChain(chain []step, t Type, base []byte) (Type, []byte, error) {
	for i := len(chain) - 1; i >= 0; i-- {
		s := &chain[i]
		delta := s.delta
		var err error
		if delta == nil {
			if delta, err = s.p.inflate(s.e, nil); err != nil {
				return 0, nil, err
			}
		}
		if base, err = applyDelta(base, delta); err != nil {
			return 0, nil, fmt.Errorf("pack %s: delta at %d: %w", s.p.path, s.off, err)
		}
		if i > 0 {
			r.cache.add(s.p, s.off, t, base)
		}
	}
	return t, base, nil
}

// packedHeader returns the type and size of the object at off in p,
// inflating only the start of a delta and following its chain by headers.
func (r *Repo) packedHeader(p *pack, off int64) (Type, int64, error) {
	e, err := p.entryAt(off)
	if err != nil {
		return 0, 0, err
	}
	if e.typ < objOfsDelta {
		return Type(e.typ), e.size, nil
	}
	var buf [20]byte
	n, err := inflatePrefix(p.data[e.data:len(p.data)-20], buf[:])
	if err != nil {
		return 0, 0, fmt.Errorf("pack %s: %w", p.path, err)
	}
	size, err := targetSize(buf[:n])
	if err != nil {
		return 0, 0, err
	}
	for range maxChain {
		switch e.typ {
		case objOfsDelta:
			if e, err = p.entryAt(e.baseOff); err != nil {
				return 0, 0, err
			}
		case objRefDelta:
			bp, boff, err := r.find(e.baseID)
			if err != nil {
				return 0, 0, err
			}
			if bp == nil {
				t, _, err := r.looseHeader(e.baseID)
				return t, size, err
			}
			p = bp
			if e, err = p.entryAt(boff); err != nil {
				return 0, 0, err
			}
		default:
			return Type(e.typ), size, nil
		}
	}
	return 0, 0, fmt.Errorf("pack %s: delta chain longer than %d at %d", p.path, maxChain, off)
}

// mapFile returns the contents of the file at path, mapped read-only where
// the system allows it.
func mapFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() == 0 {
		return nil, nil
	}
	if int64(int(fi.Size())) != fi.Size() {
		return nil, fmt.Errorf("%s: too large to map", path)
	}
	return mapOpen(f, int(fi.Size()))
}
