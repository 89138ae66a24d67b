//go:build unix

package scanner

import (
	"io"
	"io/fs"
	"syscall"
)

// rawFile is a file read with plain system calls. A folder scan opens
// thousands of files once each: os.Open also registers each with the
// runtime's poller (a failed epoll_ctl for a regular file on Linux), sets a
// finalizer and takes a lock per read, about 2 µs a file, a tenth of what
// reading a small source file costs.
type rawFile struct {
	fd   int
	path string
}

func openFile(path string) (dirFile, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return &rawFile{fd: fd, path: path}, nil
	}
}

// Size is the file's size as fstat reports it.
func (f *rawFile) Size() (int64, error) {
	var st syscall.Stat_t
	for {
		err := syscall.Fstat(f.fd, &st)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, &fs.PathError{Op: "stat", Path: f.path, Err: err}
		}
		return st.Size, nil
	}
}

func (f *rawFile) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, b)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.path, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *rawFile) Close() error { return syscall.Close(f.fd) }
