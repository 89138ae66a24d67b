//go:build linux

package main

import (
	"os"
	"os/exec"
	"testing"
)

// A process shares its own address space and not a child's once the child
// has run exec: the vfork window is the only time a child is skipped.
func TestSharesMemory(t *testing.T) {
	self := os.Getpid()
	if !sharesMemory(self, self) {
		t.Skip("kcmp(2) is not available here: children are counted as before")
	}
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Skip(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if sharesMemory(self, cmd.Process.Pid) {
		t.Errorf("sharesMemory(self, exec'd child) = true, want false")
	}
}
