//go:build !unix

package scanner

import "os"

// osFile is a file read through package os, where plain system calls are
// not the unix ones (openfile_unix.go says why those are used there).
type osFile struct{ *os.File }

func openFile(path string) (dirFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// Size is the file's size as Stat reports it.
func (f osFile) Size() (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
