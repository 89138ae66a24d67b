package gitsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestDiscoverMatchesRevParse opens each layout both ways, in process
// (discover) and through `git rev-parse` (openWithGit), and wants the same
// Repo; the layouts discover leaves to git must say so rather than guess.
func TestDiscoverMatchesRevParse(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	if phys, err := filepath.EvalSymlinks(base); err == nil {
		base = phys
	}
	run := func(dir string, args ...string) {
		t.Helper()
		gitIn(t, dir, 1, args...)
	}
	mk := func(parts ...string) string {
		t.Helper()
		p := filepath.Join(append([]string{base}, parts...)...)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write := func(p, content string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A work tree with a commit, a subdirectory, and a symbolic link to it.
	work := mk("work")
	run(work, "init", "-q", "-b", "main")
	mk("work", "a", "b")
	write(filepath.Join(work, "a", "b", "f.txt"), "x\n")
	run(work, "add", "-A")
	run(work, "commit", "-q", "-m", "one")
	if err := os.Symlink(filepath.Join(work, "a"), filepath.Join(base, "link")); err != nil {
		t.Fatal(err)
	}
	// A linked worktree, a bare repository, a mirror and a shallow clone.
	run(work, "worktree", "add", "-q", filepath.Join(base, "linked"))
	mk("linked", "deep")
	bare := filepath.Join(base, "bare.git")
	run(base, "init", "-q", "--bare", bare)
	mirror := filepath.Join(base, "mirror.git")
	run(base, "clone", "-q", "--mirror", work, mirror)
	shallowClone := filepath.Join(base, "shallow")
	run(base, "clone", "-q", "--depth", "1", "file://"+work, shallowClone)
	// Configuration written by hand, in forms git accepts.
	odd := mk("odd")
	run(odd, "init", "-q")
	write(filepath.Join(odd, ".git", "config"), "\xef\xbb\xbf# written by hand\n[CORE] repositoryFormatVersion = 0 ; comment\n\tBare = \"fal\"se # false\n[remote \"Origin\"]\n\turl = \"a b\" \\\n  c\n[branch.Main]\n\tflag\n")
	// Layouts left to git.
	sub := mk("super")
	run(sub, "init", "-q", "-b", "main")
	run(sub, "-c", "protocol.file.allow=always", "submodule", "add", "-q", work, "mod")
	sha256 := mk("sha256")
	run(sha256, "init", "-q", "--object-format=sha256")
	incl := mk("include")
	run(incl, "init", "-q")
	run(incl, "config", "include.path", "../other.config")
	bareTrue := mk("baretrue")
	run(bareTrue, "init", "-q")
	run(bareTrue, "config", "core.bare", "true")
	emptyDotGit := mk("work", "a", "nested")
	mk("work", "a", "nested", ".git")
	badFile := mk("badfile")
	write(filepath.Join(badFile, ".git"), "not a gitdir line\n")
	notRepo := mk("plain", "dir")
	// A bare SHA-256 repository's linked worktree: its git directory
	// (worktrees/wt, no .git above it) looks bare, and git reads the
	// common directory's configuration.
	sha256Src := mk("sha256src")
	run(sha256Src, "init", "-q", "--object-format=sha256")
	run(sha256Src, "commit", "-q", "--allow-empty", "-m", "one")
	bare256 := filepath.Join(base, "bare256.git")
	run(base, "clone", "-q", "--bare", sha256Src, bare256)
	run(bare256, "worktree", "add", "-q", filepath.Join(base, "wt256"))
	// A bare clone's linked worktree: core.bare = true in the shared
	// configuration, which git ignores for a linked worktree. With
	// core.bare unreadable as a boolean (git dies), or core.worktree
	// set, it is left to git.
	bareClone := filepath.Join(base, "bareclone.git")
	run(base, "clone", "-q", "--bare", work, bareClone)
	run(bareClone, "worktree", "add", "-q", filepath.Join(base, "barewt"))
	mk("barewt", "a", "deep")
	oddBare := filepath.Join(base, "oddbare.git")
	run(base, "clone", "-q", "--bare", work, oddBare)
	run(oddBare, "worktree", "add", "-q", filepath.Join(base, "oddbarewt"))
	run(oddBare, "config", "core.bare", "maybe")
	movedBare := filepath.Join(base, "movedbare.git")
	run(base, "clone", "-q", "--bare", work, movedBare)
	run(movedBare, "worktree", "add", "-q", filepath.Join(base, "movedbarewt"))
	run(movedBare, "config", "core.worktree", filepath.Join(base, "plain"))
	newline := mk("new\nline", "sub")
	run(filepath.Dir(newline), "init", "-q")
	// objects this user may not search (git asks access X_OK): not a git
	// directory to git, which finds the work tree around it instead; to
	// root, who may search anything, a repository.
	noSearch := mk("work", "a", "nosearch")
	run(noSearch, "init", "-q")
	if err := os.Chmod(filepath.Join(noSearch, ".git", "objects"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(noSearch, ".git", "objects"), 0o755) })
	bareUnset := mk("bareunset.git")
	run(bareUnset, "init", "-q", "--bare")
	write(filepath.Join(bareUnset, "config"), "[core]\n\trepositoryformatversion = 0\n")
	// git's fopen refuses a directory where it is built to (not a
	// shallow repository, here), and opening a FIFO would block.
	dirShallow := mk("dirshallow")
	run(dirShallow, "init", "-q")
	mk("dirshallow", ".git", "shallow")
	// "link/.." is the link target's parent to git (it resolves paths
	// physically): a decoy where the lexical reading lands.
	mk("a", "b")
	if err := os.Symlink(filepath.Join(work, "a"), filepath.Join(base, "alink")); err != nil {
		t.Fatal(err)
	}
	mk("deep", "x", "y")
	if err := os.Symlink(filepath.Join(base, "deep", "x", "y"), filepath.Join(base, "ylink")); err != nil {
		t.Fatal(err)
	}
	run(base, "init", "-q", "--separate-git-dir", filepath.Join(base, "deep", "x", "gd"), filepath.Join(base, "gflink"))
	run(base, "init", "-q", "--separate-git-dir", filepath.Join(base, "gd"), filepath.Join(base, "decoy"))
	write(filepath.Join(base, "gflink", ".git"), "gitdir: ../ylink/../gd\n")

	env := func(vars ...string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			for _, v := range vars {
				if name, value, _ := strings.Cut(v, "="); name == k {
					return value, true
				}
			}
			return os.LookupEnv(k)
		}
	}
	for _, tc := range []struct {
		name, dir string
		env       []string
		fallback  bool
		either    bool // discover may answer or leave it to git
	}{
		{name: "work tree top", dir: work},
		{name: "subdirectory", dir: filepath.Join(work, "a", "b")},
		{name: "relative-looking path with dots", dir: filepath.Join(work, "a", "..", "a", "b")},
		{name: "symbolic link into the work tree", dir: filepath.Join(base, "link", "b")},
		{name: "linked worktree", dir: filepath.Join(base, "linked")},
		{name: "linked worktree subdirectory", dir: filepath.Join(base, "linked", "deep")},
		{name: "bare repository", dir: bare},
		{name: "mirror", dir: mirror},
		{name: "inside a bare repository", dir: filepath.Join(mirror, "refs", "heads")},
		{name: "shallow clone", dir: shallowClone},
		{name: "configuration written by hand", dir: odd},
		{name: "not a repository", dir: notRepo},
		{name: "a symbolic link, then ..", dir: base + "/alink/../a/b"},
		{name: "a .git file's path through a symbolic link, then ..", dir: filepath.Join(base, "gflink")},
		// What git sets for a pre-commit hook in the main work tree.
		{name: "a hook's environment", dir: work, env: []string{"GIT_INDEX_FILE=.git/index", "GIT_PREFIX=", "GIT_EDITOR=:", "GIT_EXEC_PATH=/usr/lib/git-core"}},
		{name: "submodule (core.worktree)", dir: filepath.Join(sub, "mod"), fallback: true},
		{name: "SHA-256 (an extension)", dir: sha256, fallback: true},
		{name: "include", dir: incl, fallback: true},
		{name: "core.bare true in a .git directory", dir: bareTrue, fallback: true},
		{name: "inside a .git directory", dir: filepath.Join(work, ".git", "refs"), fallback: true},
		{name: "an empty .git directory on the way up", dir: emptyDotGit, fallback: true},
		{name: "a .git file without gitdir", dir: badFile, fallback: true},
		{name: "GIT_DIR naming a bare repository", dir: work, env: []string{"GIT_DIR=" + bare}, fallback: true},
		{name: "GIT_DIR and GIT_WORK_TREE", dir: work, env: []string{"GIT_DIR=" + filepath.Join(work, ".git"), "GIT_WORK_TREE=" + work}, fallback: true},
		{name: "git -c", dir: work, env: []string{"GIT_CONFIG_PARAMETERS='core.bare'='true'"}, fallback: true},
		{name: "a newline in the path", dir: newline},
		{name: "a directory named shallow", dir: dirShallow, fallback: true},
		{name: "a bare repository's linked worktree's git directory", dir: filepath.Join(bare256, "worktrees", "wt256"), fallback: true},
		{name: "objects this user may not search", dir: noSearch, either: true},
		{name: "a bare clone's linked worktree", dir: filepath.Join(base, "barewt")},
		{name: "a bare clone's linked worktree, subdirectory", dir: filepath.Join(base, "barewt", "a", "deep")},
		{name: "a bare clone's linked worktree, core.bare not a boolean", dir: filepath.Join(base, "oddbarewt"), fallback: true},
		{name: "a bare clone's linked worktree, core.worktree set", dir: filepath.Join(base, "movedbarewt"), fallback: true},
		// What a bare repository's hook inherits (GIT_IMPLICIT_WORK_TREE
		// from git's setup): no work tree, so bare even with core.bare
		// unset.
		{name: "GIT_DIR=. in a bare repository without core.bare", dir: bareUnset, env: []string{"GIT_DIR=.", "GIT_IMPLICIT_WORK_TREE=0"}, fallback: true},
		{name: "ceiling", dir: filepath.Join(work, "a"), env: []string{"GIT_CEILING_DIRECTORIES=" + work}, fallback: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err, ok := discover(tc.dir, env(tc.env...))
			if tc.fallback {
				if ok {
					t.Fatalf("discover took a layout it must leave to git: %+v, %v", got, err)
				}
				return
			}
			if !ok {
				if tc.either {
					return
				}
				t.Fatal("discover left a plain layout to git")
			}
			want, gitErr := openWithGit(context.Background(), tc.dir)
			if errors.Is(err, errNotFound) {
				if !errors.Is(gitErr, ErrNotRepository) {
					t.Fatalf("discover: not a repository; git: %+v, %v", want, gitErr)
				}
				return
			}
			if err != nil || gitErr != nil {
				t.Fatalf("discover: %v; git: %v", err, gitErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("discover:\n  %+v\ngit rev-parse:\n  %+v", got, want)
			}
		})
	}
	// What git sets for a hook in a bare clone's linked worktree: GIT_DIR
	// naming the worktree's git directory. git takes the directory it
	// runs in as the work tree's top, core.bare = true notwithstanding.
	gd := filepath.Join(bareClone, "worktrees", "barewt")
	for _, dir := range []string{filepath.Join(base, "barewt"), filepath.Join(base, "barewt", "a", "deep")} {
		got, err, ok := discover(dir, env("GIT_DIR="+gd))
		if !ok || err != nil {
			t.Errorf("GIT_DIR=%s in %s: discover %+v, %v, %v", gd, dir, got, err, ok)
			continue
		}
		cmd := exec.Command("git", "rev-parse", "--is-bare-repository", "--is-shallow-repository", "--absolute-git-dir", "--show-toplevel")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_DIR="+gd, "GIT_CONFIG_NOSYSTEM=1", "HOME="+base)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git rev-parse with GIT_DIR=%s: %v", gd, err)
		}
		if g, w := fmt.Sprintf("%t\n%t\n%s\n%s\n", got.Bare, got.Shallow, got.GitDir, got.Dir), string(out); g != w {
			t.Errorf("GIT_DIR=%s in %s:\ndiscover:\n%sgit rev-parse:\n%s", gd, dir, g, w)
		}
	}
}

// TestOpenTakesNoGitForPlainRepositories: Open answers a plain work tree
// and a bare repository without starting git (a PATH whose git only
// records that it ran still finds git on it).
func TestOpenTakesNoGitForPlainRepositories(t *testing.T) {
	r := newRepo(t)
	r.write("f.txt", "x\n")
	r.commit("one")
	bin := t.TempDir()
	mark := filepath.Join(t.TempDir(), "ran")
	script := "#!/bin/sh\necho ran >> " + mark + "\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	repo, err := Open(context.Background(), r.dir)
	if err != nil {
		t.Fatal(err)
	}
	if repo.Bare || repo.Shallow || repo.ObjectFormat != "sha1" || filepath.Base(repo.GitDir) != ".git" {
		t.Errorf("Open: %+v", repo)
	}
	if _, err := os.Stat(mark); err == nil {
		t.Error("Open ran git for a plain work tree")
	}
}

// TestParseGitConfigMatchesGit compares parseGitConfig with `git config
// --list` on texts git accepts; where parseGitConfig refuses a text it
// must be one git reads otherwise or refuses too — never a silent misread.
func TestParseGitConfigMatchesGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	for _, text := range configSeeds {
		checkConfigAgainstGit(t, []byte(text))
	}
}

// configSeeds are configuration texts, plain and awkward.
var configSeeds = []string{
	"[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n",
	"[core]\n\tbare = true\n[remote \"origin\"]\n\turl = https://example.com/x.git\n\tfetch = +refs/*:refs/*\n\tmirror = true\n",
	"[Core] Bare=TRUE\n",
	"[core]bare\n",
	"[core] bare = \"false\" # comment\n; another\n",
	"[core]\n\tworktree = ../../mod\n",
	"[branch.Main]\n\tremote = origin\n",
	"[a \"b\\\"c\"]\n\tk = v \\\n  w\n",
	"[a]\n\tk = \"  spaced  \"  tail  \n",
	"[a]\n\tk = one\\ttwo\\nthree\n",
	"[a]\n\tk = \"unterminated\n",
	"[a]\n\tk = x\\q\n",
	"k = before any section\n",
	"[a]\r\n\tk = v\r\n",
	"[include]\n\tpath = x\n",
	"[a]\n\tk = \"#not a comment\" # a comment\n",
	"[a]\n\tk-2 = v\n\t3k = v\n",
	"[a.b \"c\"]\n\tk = v\n",
	"[a]\n\tk =\n",
}

// checkConfigAgainstGit fails t if parseGitConfig reads text otherwise
// than `git config --list --null --file`.
func checkConfigAgainstGit(t *testing.T, text []byte) {
	t.Helper()
	got, ok := parseGitConfig(text)
	if !ok {
		return
	}
	f := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(f, text, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "config", "--list", "--null", "--file", f)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.Output()
	if err != nil {
		t.Errorf("parseGitConfig read %q, git refuses it: %v", text, err)
		return
	}
	want := gitConfig{}
	for _, e := range bytes.Split(bytes.TrimSuffix(out, []byte{0}), []byte{0}) {
		if len(e) == 0 {
			continue
		}
		k, v, hasValue := strings.Cut(string(e), "\n")
		if !hasValue {
			v = "\x00"
		}
		want[k] = append(want[k], v)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config %q:\n  parseGitConfig %q\n  git            %q", text, got, want)
	}
}

// FuzzParseGitConfig: parseGitConfig never panics, and whatever it
// accepts git reads the same way.
func FuzzParseGitConfig(f *testing.F) {
	for _, s := range configSeeds {
		f.Add([]byte(s))
	}
	_, err := exec.LookPath("git")
	haveGit := err == nil
	f.Fuzz(func(t *testing.T, text []byte) {
		if len(text) > 512 {
			return
		}
		if !haveGit {
			parseGitConfig(text)
			return
		}
		checkConfigAgainstGit(t, text)
	})
}

// TestDiscoverGitDirMatchesRevParse: with GIT_DIR set, as git sets it for
// a linked worktree's hooks (absolute, relative, through a symbolic
// link, from the top or a subdirectory), discover answers as rev-parse
// does in the same environment.
func TestDiscoverGitDirMatchesRevParse(t *testing.T) {
	base := t.TempDir()
	if phys, err := filepath.EvalSymlinks(base); err == nil {
		base = phys
	}
	main := filepath.Join(base, "main")
	if err := os.MkdirAll(main, 0o755); err != nil {
		t.Fatal(err)
	}
	gitIn(t, main, 1, "init", "-q", "-b", "main")
	gitIn(t, main, 1, "commit", "-q", "--allow-empty", "-m", "one")
	linked := filepath.Join(base, "linked")
	gitIn(t, main, 1, "worktree", "add", "-q", linked)
	if err := os.MkdirAll(filepath.Join(linked, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	gitDir := filepath.Join(main, ".git", "worktrees", "linked")
	if err := os.Symlink(gitDir, filepath.Join(base, "gdlink")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(main, ".git", "refs"), filepath.Join(linked, "rlink")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, dir, gitDir string }{
		// rlink/.. is main/.git, where git (resolving it physically) finds
		// the worktree's git directory; cleaned, it names none.
		{"through a symbolic link, then ..", linked, "rlink/../worktrees/linked"},
		{"linked worktree's hook", linked, gitDir},
		{"from a subdirectory", filepath.Join(linked, "sub"), gitDir},
		{"relative", linked, filepath.Join("..", "main", ".git", "worktrees", "linked")},
		{"through a symbolic link", linked, filepath.Join(base, "gdlink")},
		{"main work tree", main, filepath.Join(main, ".git")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GIT_DIR", tc.gitDir)
			got, err, ok := discover(tc.dir, os.LookupEnv)
			if !ok || err != nil {
				t.Fatalf("discover left it to git (%v, %v)", ok, err)
			}
			want, err := openWithGit(context.Background(), tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("discover:\n  %+v\ngit rev-parse:\n  %+v", got, want)
			}
		})
	}
}

// TestDiscoverUserConfig: the user's configuration bears on a bare
// repository (core.bare there decides where the repository's own config
// leaves it unset; safe.bareRepository may refuse it, from an included
// file too): discover answers as rev-parse does, or leaves it to git.
func TestDiscoverUserConfig(t *testing.T) {
	base := t.TempDir()
	if phys, err := filepath.EvalSymlinks(base); err == nil {
		base = phys
	}
	bare := filepath.Join(base, "bare.git")
	gitIn(t, base, 1, "init", "-q", "--bare", bare)
	bareSet := filepath.Join(base, "set.git")
	gitIn(t, base, 1, "init", "-q", "--bare", bareSet)
	if err := os.WriteFile(filepath.Join(bare, "config"), []byte("[core]\n\trepositoryformatversion = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dir string
		files     map[string]string
		answers   bool // discover must answer (unless the system file bears on it)
	}{
		{"core.bare false, the repository's unset", bare, map[string]string{".gitconfig": "[core]\n\tbare = false\n"}, false},
		{"core.bare false, the repository's true", bareSet, map[string]string{".gitconfig": "[core]\n\tbare = false\n"}, false},
		{"safe.bareRepository included", bareSet, map[string]string{".gitconfig": "[include]\n\tpath = other\n", "other": "[safe]\n\tbareRepository = explicit\n"}, false},
		{"nothing that bears on it", bare, map[string]string{".gitconfig": "[user]\n\tname = A\n"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			for name, text := range tc.files {
				if err := os.WriteFile(filepath.Join(home, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("HOME", home)
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			got, err, ok := discover(tc.dir, os.LookupEnv)
			if !ok {
				if tc.answers && !userConfigMentions("bare", "include") {
					t.Error("discover left it to git")
				}
				return
			}
			want, gitErr := openWithGit(context.Background(), tc.dir)
			if err != nil || gitErr != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("discover:\n  %+v, %v\ngit rev-parse:\n  %+v, %v", got, err, want, gitErr)
			}
		})
	}
}

// TestOpenWithGitOutsideWorkTree: run outside the work tree GIT_WORK_TREE
// names, rev-parse --show-cdup prints the work tree's path, which is then
// Dir (not a path under the directory it ran in).
func TestOpenWithGitOutsideWorkTree(t *testing.T) {
	base := t.TempDir()
	if phys, err := filepath.EvalSymlinks(base); err == nil {
		base = phys
	}
	work := filepath.Join(base, "work")
	elsewhere := filepath.Join(base, "elsewhere")
	for _, d := range []string{work, elsewhere} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, work, 1, "init", "-q")
	t.Setenv("GIT_DIR", filepath.Join(work, ".git"))
	t.Setenv("GIT_WORK_TREE", work)
	r, err := openWithGit(context.Background(), elsewhere)
	if err != nil {
		t.Fatal(err)
	}
	if r.Dir != work || r.GitDir != filepath.Join(work, ".git") || r.Bare {
		t.Errorf("openWithGit: %+v", r)
	}
}
