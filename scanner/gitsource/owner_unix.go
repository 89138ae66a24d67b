//go:build unix

package gitsource

import (
	"os"
	"syscall"
)

// ownedBySelf reports whether every path belongs to this process's user:
// git refuses a repository another user owns (safe.directory), and says
// so its way.
func ownedBySelf(paths ...string) bool {
	for _, p := range paths {
		fi, err := os.Lstat(p)
		if err != nil {
			return false
		}
		sys, ok := fi.Sys().(*syscall.Stat_t)
		if !ok || int(sys.Uid) != os.Geteuid() {
			return false
		}
	}
	return true
}

// searchable reports whether this process may search the directory p:
// git's is_git_directory asks it (access X_OK) of objects and refs.
func searchable(p string) bool { return syscall.Access(p, 1) == nil }
