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

// TestPrestartWantedAgreesWithScanFlags: prestart.Wanted reads --staged as
// the scan command's own flag parser does. Whenever it starts git, the
// scan parses a staged scan of "."; for every spelling of the boolean, it
// starts git exactly when the scan parses --staged as true.
func TestPrestartWantedAgreesWithScanFlags(t *testing.T) {
	parsed := func(args []string) bool {
		root := newRootCmd(&streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &bytes.Buffer{}})
		cmd, rest, err := root.Find(args)
		if err != nil || cmd.Name() != "scan" {
			return false
		}
		cmd.InitDefaultHelpFlag()
		if err := cmd.ParseFlags(rest); err != nil {
			return false
		}
		staged, _ := cmd.Flags().GetBool("staged")
		help, _ := cmd.Flags().GetBool("help")
		return staged && !help && len(cmd.Flags().Args()) == 0
	}
	for _, tc := range []struct {
		args  string
		exact bool // the scan's parse and Wanted agree both ways
	}{
		{"scan --staged", true},
		{"scan --staged -q --format=json", true},
		{"scan --staged --format json", false}, // Wanted leaves "json" to the scan
		{"scan --staged=true", true},
		{"scan --staged=1", true},
		{"scan --staged=t", true},
		{"scan --staged=T", true},
		{"scan --staged=TRUE", true},
		{"scan --staged=True", true},
		{"scan --staged=false --staged", true},
		{"scan --staged --staged=false", true},
		{"scan --staged --staged=0", true},
		{"scan --staged --staged=f", true},
		{"scan --staged --staged=FALSE", true},
		{"scan -staged", true},
		{"scan -staged=true", true},
		{"scan --staged=yes", true},
		{"scan --staged=", true},
		{"scan --staged -h", true},
		{"scan --staged --help", true},
		{"scan --staged sub", true},
		{"scan --staged -- -dir", true},
		{"audit --staged", true},
	} {
		args := strings.Fields(tc.args)
		want, got := parsed(args), prestart.Wanted(args)
		if got && !want || tc.exact && got != want {
			t.Errorf("%q: prestart.Wanted %v, the scan parses a staged scan of \".\": %v", tc.args, got, want)
		}
	}
}
