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
