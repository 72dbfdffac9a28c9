package gitobj

import (
	"errors"
	"fmt"
)

// deltaSize parses one size varint at the start of a delta and returns it
// with the rest of the delta.
func deltaSize(d []byte) (int64, []byte, error) {
	var size int64
	for i, shift := 0, uint(0); i < len(d) && shift <= 56; i, shift = i+1, shift+7 {
		size |= int64(d[i]&0x7f) << shift
		if d[i]&0x80 == 0 {
			return size, d[i+1:], nil
		}
	}
	return 0, nil, errors.New("delta: bad size header")
}

// targetSize returns the size of the object a delta makes, read from the
// delta's header after the size of its base.
func targetSize(delta []byte) (int64, error) {
	_, rest, err := deltaSize(delta)
	if err != nil {
		return 0, err
	}
	size, _, err := deltaSize(rest)
	return size, err
}

// copyOp decodes the offset and size of a copy instruction whose opcode is
// op from the bytes after it and returns them with the bytes it used.
func copyOp(op byte, d []byte) (off, size int64, n int, ok bool) {
	for i := range 4 {
		if op&(1<<i) != 0 {
			if n >= len(d) {
				return 0, 0, 0, false
			}
			off |= int64(d[n]) << (8 * i)
			n++
		}
	}
	for i := range 3 {
		if op&(0x10<<i) != 0 {
			if n >= len(d) {
				return 0, 0, 0, false
			}
			size |= int64(d[n]) << (8 * i)
			n++
		}
	}
	if size == 0 {
		size = 0x10000
	}
	return off, size, n, true
}

// applyDelta returns the object that delta builds from base. It checks every
// instruction against base and the declared sizes before writing, so corrupt
// deltas fail instead of allocating or reading out of range.
func applyDelta(base, delta []byte) ([]byte, error) {
	srcSize, d, err := deltaSize(delta)
	if err != nil {
		return nil, err
	}
	if srcSize != int64(len(base)) {
		return nil, fmt.Errorf("delta: base is %d bytes, delta expects %d", len(base), srcSize)
	}
	dstSize, d, err := deltaSize(d)
	if err != nil {
		return nil, err
	}
	// First pass: validate and add up the result size.
	var total int64
	for i := 0; i < len(d); {
		op := d[i]
		i++
		switch {
		case op&0x80 != 0:
			off, size, n, ok := copyOp(op, d[i:])
			if !ok || off+size > int64(len(base)) {
				return nil, errors.New("delta: copy out of range")
			}
			i += n
			total += size
		case op != 0:
			if i+int(op) > len(d) {
				return nil, errors.New("delta: insert past the end")
			}
			i += int(op)
			total += int64(op)
		default:
			return nil, errors.New("delta: reserved instruction 0")
		}
		if total > dstSize {
			break
		}
	}
	if total != dstSize {
		return nil, fmt.Errorf("delta: result is %d bytes, header says %d", total, dstSize)
	}
	out := make([]byte, dstSize)
	w := 0
	for i := 0; i < len(d); {
		op := d[i]
		i++
		if op&0x80 != 0 {
			off, size, n, _ := copyOp(op, d[i:])
			i += n
			w += copy(out[w:], base[off:off+size])
			continue
		}
		w += copy(out[w:], d[i:i+int(op)])
		i += int(op)
	}
	return out, nil
}
