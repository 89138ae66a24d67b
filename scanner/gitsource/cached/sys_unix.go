//go:build unix

package cached

import (
	"os"
	"syscall"
)

// ownedByOther reports whether fi belongs to another user than this
// process's: git refuses such a repository (safe.directory).
func ownedByOther(fi os.FileInfo) bool {
	sys, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) != os.Geteuid()
}

// mapFile maps path read-only. The index of a large repository is
// megabytes, of which a staged diff reads little twice: mapped, its pages
// come from the page cache as they are touched, where reading it would
// fault in as much fresh memory (on a virtual machine a fault costs
// 10–12 µs; git's own 4.4 MB read of a 50,000-file index is ~2,000 of them).
func mapFile(path string) ([]byte, func(), error) {
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
	if size == 0 {
		return nil, func() {}, nil
	}
	if int64(int(size)) != size {
		return nil, nil, errFallback("file too large to map")
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() { syscall.Munmap(data) }, nil
}
