package githook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// execGit runs the git binary in dir, like *gitsource.Repo does.
type execGit struct{ dir string }

func (g execGit) Git(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", g.dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, errors.New(strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

var _ Git = execGit{}

// sandbox isolates git configuration in a fresh HOME.
func sandbox(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_AUTHOR_NAME", "Dev")
	t.Setenv("GIT_AUTHOR_EMAIL", "dev@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "Dev")
	t.Setenv("GIT_COMMITTER_EMAIL", "dev@example.com")
	return home
}

func gitT(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := execGit{dir}.Git(context.Background(), args...)
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

func newRepo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gitT(t, dir, "init", "-q", "-b", "main")
	return dir
}

// writeFile writes content to path with mode, making its folders.
// A program (any execute bit) is written holding syscall.ForkLock: a child
// forked by a parallel test while the file is open for writing would hold
// the descriptor until it execs, and running the file then fails with
// "text file busy".
func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if mode&0o111 != 0 {
		syscall.ForkLock.Lock()
		defer syscall.ForkLock.Unlock()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// snapshot records every file in dir: content, mode and inode.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		var body string
		if fi.Mode()&os.ModeSymlink != 0 {
			target, _ := os.Readlink(p)
			body = "-> " + target
		} else if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			body = string(b)
		}
		ino := uint64(0)
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			ino = st.Ino
		}
		m[e.Name()] = fmt.Sprintf("%v inode=%d %s", fi.Mode(), ino, body)
	}
	return m
}

func TestRepoTarget(t *testing.T) {
	sandbox(t)
	ctx := context.Background()
	repo := newRepo(t)
	sub := filepath.Join(repo, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(repo, ".git", "hooks")
	if r, _ := filepath.EvalSymlinks(repo); r != repo {
		want = filepath.Join(r, ".git", "hooks")
	}

	t.Run("from a subdirectory", func(t *testing.T) {
		tg, err := RepoTarget(ctx, execGit{sub})
		if err != nil {
			t.Fatal(err)
		}
		if tg.Dir != want || tg.Global {
			t.Errorf("got %+v, want dir %s", tg, want)
		}
	})
	t.Run("linked worktree shares the common hooks", func(t *testing.T) {
		gitT(t, repo, "commit", "-q", "--allow-empty", "-m", "init")
		wt := filepath.Join(t.TempDir(), "wt")
		gitT(t, repo, "worktree", "add", "-q", wt)
		tg, err := RepoTarget(ctx, execGit{wt})
		if err != nil {
			t.Fatal(err)
		}
		if tg.Dir != want {
			t.Errorf("got %s, want %s", tg.Dir, want)
		}
	})
	t.Run("core.hooksPath, relative to the work tree", func(t *testing.T) {
		gitT(t, repo, "config", "core.hooksPath", ".githooks")
		defer gitT(t, repo, "config", "--unset", "core.hooksPath")
		tg, err := RepoTarget(ctx, execGit{sub})
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(tg.Dir) != ".githooks" || tg.Source != "core.hooksPath" || tg.Shared {
			t.Errorf("got %+v", tg)
		}
	})
	t.Run("a global core.hooksPath is shared", func(t *testing.T) {
		gitT(t, repo, "config", "--global", "core.hooksPath", "~/hooks")
		defer gitT(t, repo, "config", "--global", "--unset", "core.hooksPath")
		tg, err := RepoTarget(ctx, execGit{sub})
		if err != nil {
			t.Fatal(err)
		}
		if !tg.Shared || tg.Source != "global core.hooksPath" {
			t.Errorf("got %+v", tg)
		}
	})
}

func TestInstallIdempotentAndUninstall(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hooks") // created by Install
	tg := &Target{Dir: dir}
	res, err := Install(tg, Options{Binary: "/opt/rampart"})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Action != "installed" || r.Hook != Names()[i] {
			t.Errorf("result %d: %+v", i, r)
		}
		fi, err := os.Stat(r.Path)
		if err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: %v %v", r.Path, fi, err)
		}
	}
	before := snapshot(t, dir)
	res, err = Install(tg, Options{Binary: "/opt/rampart"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Action != "already installed" {
			t.Errorf("second install: %+v", r)
		}
	}
	if after := snapshot(t, dir); !equalMaps(before, after) {
		t.Errorf("second install changed files:\n%v\n%v", before, after)
	}
	res, _ = Install(tg, Options{Binary: "/usr/bin/rampart", Hooks: []string{PrePush}})
	if len(res) != 1 || res[0].Action != "updated" {
		t.Errorf("new binary: %+v", res)
	}
	sts, _ := Status(tg, nil)
	if sts[2].Binary != "/usr/bin/rampart" || !sts[2].BinaryMissing || sts[0].State != StateRampart {
		t.Errorf("status: %+v", sts)
	}
	if _, err := Uninstall(tg, nil); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestChainForeignHookAndRestoreExactly(t *testing.T) {
	dir := t.TempDir()
	tg := &Target{Dir: dir}
	writeFile(t, filepath.Join(dir, PreCommit), "#!/bin/sh\n# user's lint\nexit 0\n", 0o750)
	writeFile(t, filepath.Join(dir, "pre-commit.sample"), "sample", 0o644)
	if err := os.Symlink("../../scripts/push-check", filepath.Join(dir, PrePush)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)

	res, err := Install(tg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res[0].Action, "chaining") || res[1].Action != "installed" || !strings.Contains(res[2].Action, "chaining") {
		t.Errorf("results: %+v", res)
	}
	sts, _ := Status(tg, nil)
	if sts[0].State != StateChained || sts[1].State != StateRampart || sts[2].State != StateChained {
		t.Errorf("status: %+v", sts)
	}
	if got, _ := os.Readlink(filepath.Join(dir, PrePush+ChainedSuffix)); got != "../../scripts/push-check" {
		t.Errorf("symlink not moved aside as a symlink: %q", got)
	}
	// Installing again changes nothing and chains nothing twice.
	mid := snapshot(t, dir)
	if _, err := Install(tg, Options{}); err != nil {
		t.Fatal(err)
	}
	if !equalMaps(mid, snapshot(t, dir)) {
		t.Error("reinstall changed the directory")
	}

	res, err = Uninstall(tg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res[0].Action, "restored") {
		t.Errorf("uninstall: %+v", res)
	}
	if after := snapshot(t, dir); !equalMaps(before, after) {
		t.Errorf("not restored byte-for-byte:\nbefore %v\nafter  %v", before, after)
	}
}

func TestForeignHookConflictsAndForce(t *testing.T) {
	dir := t.TempDir()
	tg := &Target{Dir: dir}
	hook := filepath.Join(dir, CommitMsg)
	writeFile(t, hook, "#!/bin/sh\nexit 0\n", 0o755)
	writeFile(t, hook+ChainedSuffix, "#!/bin/sh\n# older\n", 0o755)
	before := snapshot(t, dir)
	_, err := Install(tg, Options{Hooks: []string{CommitMsg}})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("want ErrConflict, got %v", err)
	}
	if !equalMaps(before, snapshot(t, dir)) {
		t.Error("a failed install changed files")
	}
	os.Remove(hook + ChainedSuffix)
	before = snapshot(t, dir)

	res, err := Install(tg, Options{Hooks: []string{CommitMsg}, Force: true})
	if err != nil || !strings.Contains(res[0].Action, "replaced") {
		t.Fatalf("force: %+v %v", res, err)
	}
	if sts, _ := Status(tg, []string{CommitMsg}); sts[0].State != StateReplaced {
		t.Errorf("status: %+v", sts)
	}
	if _, err := Uninstall(tg, []string{CommitMsg}); err != nil {
		t.Fatal(err)
	}
	if !equalMaps(before, snapshot(t, dir)) {
		t.Error("forced hook not restored")
	}

	// --force on an installed, chaining hook stops chaining (still restorable).
	if _, err := Install(tg, Options{Hooks: []string{CommitMsg}}); err != nil {
		t.Fatal(err)
	}
	if res, err := Install(tg, Options{Hooks: []string{CommitMsg}, Force: true}); err != nil || !strings.Contains(res[0].Action, "replaced") {
		t.Fatalf("force over chain: %+v %v", res, err)
	}
	if _, err := Uninstall(tg, nil); err != nil {
		t.Fatal(err)
	}
	if !equalMaps(before, snapshot(t, dir)) {
		t.Error("not restored after force over chain")
	}
}

func TestUninstallLeavesForeignHooks(t *testing.T) {
	dir := t.TempDir()
	tg := &Target{Dir: dir}
	writeFile(t, filepath.Join(dir, PreCommit), "#!/bin/sh\nexit 0\n", 0o755)
	before := snapshot(t, dir)
	res, err := Uninstall(tg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Action != "left alone (not rampart's)" || res[1].Action != "not installed" {
		t.Errorf("results: %+v", res)
	}
	if !equalMaps(before, snapshot(t, dir)) {
		t.Error("uninstall touched a foreign hook")
	}
	if sts, _ := Status(tg, nil); sts[0].State != StateForeign || sts[1].State != StateAbsent {
		t.Errorf("status: %+v", sts)
	}
}

func TestParseNames(t *testing.T) {
	got, err := ParseNames(" pre-push , pre-commit,pre-push")
	if err != nil || strings.Join(got, ",") != "pre-commit,pre-push" {
		t.Errorf("got %v %v", got, err)
	}
	if got, _ := ParseNames(""); len(got) != 3 {
		t.Errorf("default: %v", got)
	}
	if _, err := ParseNames("pre-commit,post-commit"); err == nil {
		t.Error("unknown hook accepted")
	}
}
