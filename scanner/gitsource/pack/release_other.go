//go:build !linux

package pack

// releaseRange is a no-op where the syscall package offers no madvise: the
// kernel reclaims the mapping's clean pages under memory pressure anyway.
func releaseRange([]byte, int64) {}
