package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestFullStandardOutputIsAnError: every command whose output cannot be
// written (standard output on a full disk, /dev/full) exits 2 and says so.
// hook status, version, rules and --help printed with fmt.Fprintf and
// exited 0 with their output lost, so a script reading `rampart hook
// status` saw success and nothing. Found running each command with
// > /dev/full.
func TestFullStandardOutputIsAnError(t *testing.T) {
	t.Parallel()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full:", err)
	}
	defer full.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	for _, args := range [][]string{
		{"hook", "status"},
		{"version"},
		{"--version"},
		{"--help"},
		{"rules"},
		{"rules", "show", "github-pat"},
		{"scan", "--stdin"},
	} {
		cmd := &exec.Cmd{Path: exe, Args: append([]string{"rampart"}, args...), Dir: dir, Env: cliCleanEnv()}
		cmd.Stdin = strings.NewReader("nothing here\n")
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != exitError || !strings.Contains(errb.String(), "no space left on device") {
			t.Errorf("rampart %q > /dev/full: exit %d, want 2 with the write error\n%s", args, code, errb.String())
		}
	}
}
