//go:build !unix

package gitsource

import "os"

// ownedBySelf is false where ownership is not read this way: git decides.
func ownedBySelf(...string) bool { return false }

// deviceOf is unknown here: git decides.
func deviceOf(os.FileInfo) (uint64, bool) { return 0, false }

// searchable is not asked here (ownedBySelf is false first).
func searchable(string) bool { return true }
