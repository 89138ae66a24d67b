package gitcmd

import (
	"io"
	"os"
	"syscall"
)

// GrowPipe asks the kernel for a 1 MiB pipe buffer between cat-file and
// rampart (the default is 64 KiB): a history is gigabytes of blobs, and
// fewer, larger reads mean fewer context switches on both sides. Failure is
// harmless: the default buffer still works.
func GrowPipe(r io.Reader) {
	f, ok := r.(*os.File)
	if !ok {
		return
	}
	const fSetPipeSz = 1031 // F_SETPIPE_SZ
	syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), fSetPipeSz, 1<<20)
}
