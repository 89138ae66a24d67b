//go:build !unix

package pack

// MapFile is not implemented without mmap: history (and a staged diff) is
// read through git.
func MapFile(string) ([]byte, func() error, error) { return nil, nil, ErrUnsupported }
