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

// DeviceOf returns the file system fi is on (ok false where that is not
// known): git's discovery, without GIT_DISCOVERY_ACROSS_FILESYSTEM, stops
// where it changes. gitsource's discovery asks it too.
func DeviceOf(fi os.FileInfo) (dev uint64, ok bool) {
	sys, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(sys.Dev), true
}
