package gitobj

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"sync"
)

// inflater is a reusable zlib reader over an in-memory stream.
type inflater struct {
	src bytes.Reader
	zr  io.ReadCloser
}

var inflaters sync.Pool

// maxRatio bounds how much a deflate stream can expand (1032:1 at most),
// so that a corrupt size never allocates more than the data could hold.
const maxRatio = 1032

// newInflater returns a pooled inflater reading the zlib stream at the start
// of src. Return it with putInflater.
func newInflater(src []byte) (*inflater, error) {
	f, _ := inflaters.Get().(*inflater)
	if f == nil {
		f = &inflater{}
		f.src.Reset(src)
		zr, err := zlib.NewReader(&f.src)
		if err != nil {
			return nil, fmt.Errorf("inflate: %w", err)
		}
		f.zr = zr
		return f, nil
	}
	f.src.Reset(src)
	if err := f.zr.(zlib.Resetter).Reset(&f.src, nil); err != nil {
		inflaters.Put(f)
		return nil, fmt.Errorf("inflate: %w", err)
	}
	return f, nil
}

func putInflater(f *inflater) {
	f.src.Reset(nil)
	inflaters.Put(f)
}

// grow returns dst resliced to n bytes, or a new slice when dst is too
// small: callers that read many objects in turn reuse one buffer.
func grow(dst []byte, n int64) []byte {
	if int64(cap(dst)) >= n {
		return dst[:n]
	}
	return make([]byte, n)
}

// checkSize refuses a size no deflate stream of len(src) bytes can reach,
// so that a corrupt header never allocates more than the data could hold.
func checkSize(src []byte, size int64) error {
	if size < 0 || size > int64(len(src))*maxRatio+64 {
		return fmt.Errorf("inflate: size %d does not fit %d compressed bytes", size, len(src))
	}
	return nil
}

// inflatePrefix inflates at most len(buf) bytes from the start of the zlib
// stream in src and returns how many it wrote.
func inflatePrefix(src, buf []byte) (int, error) {
	f, err := newInflater(src)
	if err != nil {
		return 0, err
	}
	defer putInflater(f)
	n, err := io.ReadFull(f.zr, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	if err != nil {
		return n, fmt.Errorf("inflate: %w", err)
	}
	return n, nil
}
