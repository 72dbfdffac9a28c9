//go:build !(cgo && libdeflate)

package gitobj

import (
	"errors"
	"fmt"
	"io"
)

// inflate returns the size bytes the zlib stream at the start of src
// inflates to, in dst when it is large enough, checking that the stream
// ends there. This is the pure Go
// inflater; build with -tags libdeflate (and cgo) for one about three
// times faster.
func inflate(src []byte, size int64, dst []byte) ([]byte, error) {
	if err := checkSize(src, size); err != nil {
		return nil, err
	}
	f, err := newInflater(src)
	if err != nil {
		return nil, err
	}
	defer putInflater(f)
	out := grow(dst, size)
	if _, err := io.ReadFull(f.zr, out); err != nil {
		return nil, fmt.Errorf("inflate: %w", corrupt(err))
	}
	var one [1]byte
	if n, err := f.zr.Read(one[:]); n != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			return nil, errors.New("inflate: object longer than its header says")
		}
		return nil, fmt.Errorf("inflate: %w", err)
	}
	return out, nil
}

// corrupt turns a short stream into an error that says so.
func corrupt(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New("stream shorter than its header says")
	}
	return err
}
