//go:build !linux

package gitcmd

import "io"

// GrowPipe is a no-op where pipe buffers cannot be resized.
func GrowPipe(io.Reader) {}
