//go:build unix

package pack

import (
	"os"
	"syscall"
)

// MapFile maps path read-only; an empty file is ErrUnsupported. A pack is
// read once front to back, with jumps back to delta bases; mapping lets the
// kernel page it in without a read call per object. (gitsource/cached maps
// the git index with it: see its package comment.)
func MapFile(path string) ([]byte, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if size == 0 || int64(int(size)) != size {
		return nil, nil, ErrUnsupported
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return syscall.Munmap(data) }, nil
}
