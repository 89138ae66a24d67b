package gitcmd

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestStartPipedLeaksNothing: a git process that cannot be started leaves
// no descriptor open, whichever step failed.
func TestStartPipedLeaksNothing(t *testing.T) {
	fds := func() int {
		es, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd")
		}
		return len(es)
	}
	n := fds()
	for i := 0; i < 20; i++ {
		// StdoutPipe fails: the output is taken.
		cmd := exec.Command("git", "version")
		cmd.Stdout = io.Discard
		if _, _, err := StartPiped(cmd); err == nil {
			t.Fatal("started with Stdout set")
		}
		// Start fails: no such program.
		if _, _, err := StartPiped(exec.Command(filepath.Join(t.TempDir(), "no-git"))); err == nil {
			t.Fatal("started a missing program")
		}
	}
	if m := fds(); m != n {
		t.Errorf("%d descriptors open after 40 failed starts, %d before", m, n)
	}
}
