package pack

import (
	"os"
	"syscall"
)

// releaseRange drops the mapped pages before offset from the process's
// resident set (MADV_DONTNEED on a read-only file mapping only forgets
// them; they are read back from the page cache if touched again).
func releaseRange(data []byte, offset int64) {
	page := int64(os.Getpagesize())
	end := offset / page * page
	if end <= 0 || end > int64(len(data)) {
		return
	}
	syscall.Madvise(data[:end], syscall.MADV_DONTNEED)
}
