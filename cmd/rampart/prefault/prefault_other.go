//go:build !linux

package prefault

// populate does nothing here: see the package comment.
func populate() {}
