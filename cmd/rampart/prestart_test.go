package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/cmd/rampart/prestart"
)

// TestScanAdoptsPrestartedDiff: `scan --staged` of the current directory
// reads the git diff that prestart started before main, not one of its own.
// The pre-started diff is told (GIT_INDEX_FILE, set only while it starts)
// to read another index, the one that stages a key; the repository's own
// index stages nothing. So the key is found only if the scan read the
// adopted diff, and the run leaves nothing for Abandon.
func TestScanAdoptsPrestartedDiff(t *testing.T) {
	dir := t.TempDir()
	git := func(env []string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(append(os.Environ(), "GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com",
			"GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.com", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git(nil, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(dir, "app.env"), []byte("DEBUG=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(nil, "add", "-A")
	git(nil, "commit", "-q", "-m", "base")
	other := filepath.Join(t.TempDir(), "index")
	if err := os.WriteFile(filepath.Join(dir, "app.env"), []byte("DEBUG=1\nAWS_ACCESS_KEY_ID=AKIAUJZDEGXDNCF32EPF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git([]string{"GIT_INDEX_FILE=" + other}, "read-tree", "HEAD")
	git([]string{"GIT_INDEX_FILE=" + other}, "add", "app.env")

	t.Chdir(dir)
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE", "GITHUB_EVENT_PATH", "GITHUB_ACTIONS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("GIT_INDEX_FILE", other)
	prestart.Start()
	os.Unsetenv("GIT_INDEX_FILE")

	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"scan", "--staged", "-q", "--format", "text"}, &streams{in: strings.NewReader(""), out: &out, err: &errb})
	if code != 1 || !strings.Contains(out.String(), "app.env") {
		t.Fatalf("exit %d, want 1 with the key the pre-started diff holds\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
	}
	if st := prestart.TakeStaged(); st != nil {
		st.Stop()
		t.Error("the scan left the pre-started diff unread")
	}

	// Without one, the scan starts its own diff, of the real index.
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"scan", "--staged", "-q"}, &streams{in: strings.NewReader(""), out: &out, err: &errb}); code != 0 {
		t.Fatalf("own diff: exit %d, want 0 (nothing staged)\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
	}
}
