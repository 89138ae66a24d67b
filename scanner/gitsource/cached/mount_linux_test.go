package cached

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDiffStopsAtMountPoint: from a directory on a file system mounted
// inside a work tree, git (GIT_DISCOVERY_ACROSS_FILESYSTEM unset) finds no
// repository ("stopping at filesystem boundary"); Diff must not diff the
// repository above the mount point, but leave it to git. The mount is made
// in a user and mount namespace of its own (unshare -rm), no root needed:
// the test runs itself again there.
func TestDiffStopsAtMountPoint(t *testing.T) {
	if dir := os.Getenv("RAMPART_TEST_MOUNT_REPO"); dir != "" {
		mountedDiff(t, dir)
		return
	}
	if err := exec.Command("unshare", "-rm", "true").Run(); err != nil {
		t.Skipf("no user and mount namespaces here (unshare -rm: %v)", err)
	}
	dir := newRepo(t)
	write(t, filepath.Join(dir, "a.txt"), "one\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "one")
	write(t, filepath.Join(dir, "a.txt"), "one\ntwo\n")
	git(t, dir, "add", "-A")
	if err := os.Mkdir(filepath.Join(dir, "mnt"), 0o755); err != nil {
		t.Fatal(err)
	}
	// Without the mount, the same directory is in the repository: what the
	// namespace changes is only the file system.
	if err := os.Mkdir(filepath.Join(dir, "mnt", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Diff(filepath.Join(dir, "mnt", "sub")); err != nil {
		t.Fatalf("Diff below an unmounted directory: %v", err)
	}
	cmd := exec.Command("unshare", "-rm", os.Args[0], "-test.run=^TestDiffStopsAtMountPoint$", "-test.v")
	cmd.Env = append(os.Environ(), "RAMPART_TEST_MOUNT_REPO="+dir)
	out, err := cmd.CombinedOutput()
	if err == nil && strings.Contains(string(out), "--- SKIP") {
		t.Skipf("in a mount namespace:\n%s", out)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("in a mount namespace: %v\n%s", err, out)
	}
}

// mountedDiff is TestDiffStopsAtMountPoint inside its namespace: a tmpfs
// mounted at dir/mnt, then git and Diff asked from below it.
func mountedDiff(t *testing.T, dir string) {
	mnt := filepath.Join(dir, "mnt")
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, ""); err != nil {
		// Some systems refuse mounts in unprivileged namespaces.
		t.Skipf("mount: %v", err)
	}
	sub := filepath.Join(mnt, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "rev-parse", "--git-dir")
	cmd.Dir = sub
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "filesystem boundary") {
		t.Fatalf("git below a mount point: %v\n%s", err, out)
	}
	os.Unsetenv("GIT_CONFIG_NOSYSTEM")
	if d, err := Diff(sub); !errors.Is(err, ErrFallback) {
		t.Errorf("Diff below a mount point = %v (%q), want a fallback to git", err, d)
	}
	// The mount point itself is on the new file system too.
	if d, err := Diff(mnt); !errors.Is(err, ErrFallback) {
		t.Errorf("Diff at a mount point = %v (%q), want a fallback to git", err, d)
	}
}
