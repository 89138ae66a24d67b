//go:build !unix

package pack

// mapFile is not implemented without mmap: history is read through git.
func mapFile(string) ([]byte, func() error, error) { return nil, nil, ErrUnsupported }
