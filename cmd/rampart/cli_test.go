package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// cliRun runs rampart as a process of its own, in dir, with stdin and the
// extra environment env (KEY=VALUE), and returns its standard output,
// standard error and exit status.
//
// The process is this test binary started under the name "rampart", which
// TestMain (testscript.Main) turns into the real command: the binary is
// built once, by go test. Having its own working directory and environment
// is what lets the tests that use it run in parallel (t.Chdir and t.Setenv
// forbid t.Parallel).
func cliRun(t testing.TB, dir string, env []string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := &exec.Cmd{Path: exe, Args: append([]string{"rampart"}, args...), Dir: dir}
	cmd.Env = append(cliCleanEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return out.String(), errb.String(), ee.ExitCode()
	}
	t.Fatalf("run rampart %q: %v\n%s", args, err, errb.String())
	return "", "", -1
}

// cliCleanEnv is this process's environment without what would change
// rampart's behaviour behind a test's back: the GitHub Actions event and
// tokens of a CI runner, and rampart's own measuring switches.
func cliCleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "GITHUB_"), strings.HasPrefix(k, "RAMPART_"), k == "GH_TOKEN", k == "GIT_DIR", k == "GIT_WORK_TREE", k == "GIT_INDEX_FILE":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// writeExecutable writes data to path as a program (mode 0755) that can be
// run at once. A plain os.WriteFile races every parallel test that starts
// a process: a child forked while the file is open for writing holds that
// descriptor until it execs, and running the file then fails with "text
// file busy" (ETXTBSY; it failed CI once). Holding syscall.ForkLock, which
// every fork takes for reading, keeps forks out while the file is open.
func writeExecutable(t testing.TB, path string, data []byte) {
	t.Helper()
	syscall.ForkLock.Lock()
	defer syscall.ForkLock.Unlock()
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

// thisBinary is the test binary's contents, for tests that run a copy of
// rampart from a path of their own.
func thisBinary(t testing.TB) []byte {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
