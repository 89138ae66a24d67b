//go:build !linux

package gitsource

import "io"

// growPipe is a no-op where pipe buffers cannot be resized.
func growPipe(io.Reader) {}
