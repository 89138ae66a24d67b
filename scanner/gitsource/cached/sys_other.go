//go:build !unix

package cached

import "os"

// ownedByOther is git's to judge here.
func ownedByOther(os.FileInfo) bool { return true }

// mapFile is not available here: git computes the staged diff.
func mapFile(string) ([]byte, func(), error) {
	return nil, nil, errFallback("no mmap on this platform")
}
