//go:build !unix

package orgscan

import "os/exec"

// ownGroup is a no-op where process groups do not exist; WaitDelay still
// bounds the wait on a cancelled git.
func ownGroup(cmd *exec.Cmd) {}
