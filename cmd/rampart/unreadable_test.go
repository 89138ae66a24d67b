package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// unprivilegedRun runs rampart as cliRun does, but as a user file
// permissions apply to: as root (a container, CI), as nobody, from a copy
// of the test binary that nobody can execute. Permission tests run as root
// would read every file and could not fail.
func unprivilegedRun(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	if os.Geteuid() != 0 {
		return cliRun(t, dir, nil, "", args...)
	}
	bin := filepath.Join(t.TempDir(), "rampart")
	writeExecutable(t, bin, thisBinary(t))
	// t.TempDir's folders are the owner's alone: let nobody through.
	for d := filepath.Dir(bin); d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := &exec.Cmd{Path: bin, Args: append([]string{"rampart"}, args...), Dir: dir}
	// The repositories are root's: git refuses another user's unless told.
	cmd.Env = append(cliCleanEnv(), "HOME="+dir, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=*")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return out.String(), errb.String(), ee.ExitCode()
	}
	t.Fatalf("run rampart %q as nobody: %v\n%s", args, err, errb.String())
	return "", "", -1
}

// TestUnreadablePathIsAnError: a file or folder named as PATH that cannot
// be read is an error (exit 2), as a missing one is; it was a note and
// "No credentials found: scanned 0 files", exit 0, so a scan that read
// nothing passed as clean. Unreadable files inside a folder stay notes
// (the rest is scanned). Found by scanning a chmod 000 file as a user.
func TestUnreadablePathIsAnError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	key := "token = \"" + vfGitHub + "\"\n"
	write := func(name string, mode os.FileMode) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(key), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	write("tree/readable.txt", 0o644)
	write("tree/locked.txt", 0)
	write("locked/inside.txt", 0o644)
	if err := os.Chmod(filepath.Join(dir, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "locked"), 0o755) })

	for _, tc := range []struct {
		path     string
		code     int
		inStderr string
	}{
		{"tree/locked.txt", 2, "/tree/locked.txt: permission denied"},
		{"locked", 2, "/locked: permission denied"},
		// One unreadable file among others: scanned, with a note.
		{"tree", 1, "could not read locked.txt: permission denied"},
	} {
		out, errOut, code := unprivilegedRun(t, dir, "scan", "--no-color", tc.path)
		if code != tc.code || !strings.Contains(out+errOut, tc.inStderr) {
			t.Errorf("scan %s: exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", tc.path, code, tc.code, tc.inStderr, out, errOut)
		}
		if tc.code == 2 && strings.Contains(out, "No credentials found") {
			t.Errorf("scan %s: an unreadable PATH reported as a clean scan:\n%s", tc.path, out)
		}
	}
	// A baseline of what could not be read would hold nothing: refused too.
	if _, errOut, code := unprivilegedRun(t, dir, "baseline", "-o", "-", "tree/locked.txt"); code != 2 {
		t.Errorf("baseline of an unreadable file: exit %d, want 2\n%s", code, errOut)
	}
}

// TestUnreadableConfigIsAnError: a .rampart.toml that is there but cannot
// be read (a symbolic link to nothing, as a monorepo's link to a shared
// file becomes in a sparse checkout; a file without read permission) stops
// the scan (exit 2). It was taken for no configuration: the built-in one
// applied, and the file's own rules (an internal token's) found nothing,
// exit 0. Found scanning with a dangling .rampart.toml link.
func TestUnreadableConfigIsAnError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"dangling", "locked", "linked"} {
		repo := filepath.Join(dir, name)
		scWrite(t, repo, "svc.env", "ITK=itk_a8f3k2l9m4n7b1v6c5x8z2q0\n")
		scGit(t, repo, 0, "init", "-q")
		scGit(t, repo, 0, "add", "svc.env")
		scGit(t, repo, 0, "-c", "user.name=U", "-c", "user.email=u@example.com", "commit", "-qm", "svc")
	}
	cfg := filepath.Join(dir, "shared.toml")
	if err := os.WriteFile(cfg, []byte(nuConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "gone.toml"), filepath.Join(dir, "dangling", ".rampart.toml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(cfg, filepath.Join(dir, "linked", ".rampart.toml")); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(dir, "locked", ".rampart.toml")
	if err := os.WriteFile(locked, []byte(nuConfig), 0); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		repo     string
		args     []string
		code     int
		inStderr string
	}{
		{"dangling", []string{"scan"}, exitError, "is a symbolic link to"},
		{"dangling", []string{"scan", "--history"}, exitError, "is a symbolic link to"},
		{"dangling", []string{"rules"}, exitError, "is a symbolic link to"},
		{"locked", []string{"scan"}, exitError, "permission denied"},
		// A link to a readable file is the file: its rule finds the token.
		{"linked", []string{"scan"}, exitFindings, ""},
	} {
		_, errOut, code := unprivilegedRun(t, filepath.Join(dir, tc.repo), tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.inStderr) {
			t.Errorf("%s: rampart %q: exit %d, want %d with %q\n%s", tc.repo, tc.args, code, tc.code, tc.inStderr, errOut)
		}
	}
}
