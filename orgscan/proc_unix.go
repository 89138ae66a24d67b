//go:build unix

package orgscan

import (
	"os/exec"
	"syscall"
)

// ownGroup runs git in a process group of its own and makes cancellation
// kill the whole group: git fetch hands the transfer to git-remote-https,
// which would otherwise outlive a timed-out git and keep its output pipes,
// and so the wait, open.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
