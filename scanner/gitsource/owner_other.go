//go:build !unix

package gitsource

// ownedBySelf is false where ownership is not read this way: git decides.
func ownedBySelf(...string) bool { return false }

// searchable is not asked here (ownedBySelf is false first).
func searchable(string) bool { return true }
