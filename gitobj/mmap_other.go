//go:build !unix

package gitobj

import (
	"io"
	"os"
)

// mapOpen reads size bytes of f where memory mapping is not available.
func mapOpen(f *os.File, size int) ([]byte, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, err
	}
	return b, nil
}

// unmapFile does nothing: mapOpen read the file into memory.
func unmapFile([]byte) error { return nil }
