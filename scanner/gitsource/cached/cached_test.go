package cached

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/scanner/gitsource/gitcmd"
)

// git runs git in dir with a fixed identity and no user configuration.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// isolate keeps the user's and system's git configuration out of a test.
func isolate(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	// GIT_CONFIG_NOSYSTEM is one of the variables Diff leaves to git;
	// the test's git obeys it, Diff is run without it.
}

// gitDiff is what git prints for the staged change, as the scan runs it.
func gitDiff(t testing.TB, dir string) string {
	t.Helper()
	args := append(append([]string{}, gitcmd.BaseArgs...), gitcmd.StagedArgs...)
	return git(t, dir, args...)
}

// normal reduces a diff to what the scan reads from it: each file's
// header lines that matter (path, modes, object names, binary) and each
// hunk's new-file start with its added lines. Removed lines, hunks with
// none added, and the ---/+++ lines are left out (Diff writes no removed
// lines).
func normal(diff string) string {
	var out []string
	lines := strings.Split(diff, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "diff --git "), strings.HasPrefix(l, "new file mode"),
			strings.HasPrefix(l, "old mode"), strings.HasPrefix(l, "new mode"),
			strings.HasPrefix(l, "index "), strings.HasPrefix(l, "Binary files"):
			out = append(out, l)
		case strings.HasPrefix(l, "@@ "):
			var added []string
			for j := i + 1; j < len(lines) && !strings.HasPrefix(lines[j], "@@") && !strings.HasPrefix(lines[j], "diff --git"); j++ {
				if strings.HasPrefix(lines[j], "+") || strings.HasPrefix(lines[j], `\`) && len(added) > 0 && strings.HasPrefix(lines[j-1], "+") {
					added = append(added, lines[j])
				}
			}
			if len(added) > 0 {
				_, plus, _ := strings.Cut(l, " +")
				plus, _, _ = strings.Cut(plus, " ")
				out = append(out, "@@ +"+plus)
				out = append(out, added...)
			}
		}
	}
	return strings.Join(out, "\n")
}

func mustDiff(t *testing.T, dir string) string {
	t.Helper()
	b, err := Diff(dir)
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	return string(b)
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func newRepo(t *testing.T) string {
	t.Helper()
	isolate(t)
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	return dir
}

// compare checks Diff against git for dir's staged change.
func compare(t *testing.T, dir, what string) {
	t.Helper()
	want := normal(gitDiff(t, dir))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "")
	os.Unsetenv("GIT_CONFIG_NOSYSTEM")
	got, err := Diff(dir)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	if err != nil {
		t.Fatalf("%s: Diff: %v", what, err)
	}
	if g := normal(string(got)); g != want {
		t.Errorf("%s: in-process diff differs from git's\n--- git\n%s\n--- in process\n%s", what, want, g)
	}
}

func TestDiffMatchesGit(t *testing.T) {
	dir := newRepo(t)
	write(t, filepath.Join(dir, "a.txt"), "one\ntwo\nthree\n")
	write(t, filepath.Join(dir, "src/b.go"), "package b\n\nfunc B() {}\n")
	write(t, filepath.Join(dir, "src/deep/c.txt"), "c1\nc2\nc3\nc4\n")
	write(t, filepath.Join(dir, "src-x"), "x\n")
	write(t, filepath.Join(dir, "src.y"), "y\n")
	write(t, filepath.Join(dir, "bin.dat"), "a\x00b\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "first")

	compare(t, dir, "nothing staged")

	write(t, filepath.Join(dir, "src/deep/c.txt"), "c1\nkey = AKIAUJZDEGXDNCF32EPF\nc3\nc4\nc5")
	git(t, dir, "add", "src/deep/c.txt")
	compare(t, dir, "a line replaced and one added without a newline")

	write(t, filepath.Join(dir, "src/new.txt"), "brand\nnew\n")
	write(t, filepath.Join(dir, "src-x"), "x\nmore\n")
	write(t, filepath.Join(dir, "empty"), "")
	git(t, dir, "add", "-A")
	compare(t, dir, "files added beside and under a changed directory")

	write(t, filepath.Join(dir, "bin.dat"), "a\x00c\n")
	write(t, filepath.Join(dir, "a.txt"), "zero\none\nthree\nfour\n")
	git(t, dir, "add", "-A")
	git(t, dir, "update-index", "--chmod=+x", "src/b.go")
	compare(t, dir, "binary change, lines inserted and removed, a mode change")

	git(t, dir, "commit", "-qm", "second")
	write(t, filepath.Join(dir, "src/b.go"), "package b\n\n// B does nothing.\nfunc B() {}\n")
	git(t, dir, "add", "-A")
	git(t, dir, "update-index", "--chmod=-x", "src/b.go")
	compare(t, dir, "mode and content changed together")

	// A binary file emptied: git still says the binary file differs.
	git(t, dir, "commit", "-qm", "emptied")
	write(t, filepath.Join(dir, "bin.dat"), "")
	git(t, dir, "add", "-A")
	compare(t, dir, "a binary file emptied")

	// A deletion alone (no rename to pair it with) shows nothing.
	git(t, dir, "commit", "-qm", "third")
	git(t, dir, "rm", "-q", "src.y")
	compare(t, dir, "a deleted file")
}

func TestDiffRandomHistories(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	word := func() string { return fmt.Sprintf("w%08x", rng.Uint32()) }
	for round := range 6 {
		dir := newRepo(t)
		files := map[string][]string{}
		for i := range 40 {
			p := fmt.Sprintf("d%d/e%d/f%02d.txt", i%3, i%5, i)
			if i%7 == 0 {
				p = fmt.Sprintf("top%02d", i)
			}
			var ls []string
			for range rng.IntN(30) {
				ls = append(ls, word())
			}
			files[p] = ls
			write(t, filepath.Join(dir, p), strings.Join(ls, "\n")+"\n")
		}
		git(t, dir, "add", "-A")
		git(t, dir, "commit", "-qm", "base")
		if round%2 == 1 {
			// Packed objects and refs, deltas included.
			git(t, dir, "gc", "-q", "--aggressive")
		}
		// Edit a few files: lines inserted, removed, replaced, repeated.
		paths := slices.Sorted(func(yield func(string) bool) {
			for p := range files {
				if !yield(p) {
					return
				}
			}
		})
		for _, p := range paths {
			if rng.IntN(4) != 0 {
				continue
			}
			ls := slices.Clone(files[p])
			for range 1 + rng.IntN(4) {
				at := rng.IntN(len(ls) + 1)
				switch rng.IntN(3) {
				case 0:
					ls = slices.Insert(ls, at, word())
				case 1:
					if at < len(ls) {
						ls = slices.Delete(ls, at, at+1)
					}
				default:
					if at < len(ls) {
						ls[at] = word()
					}
				}
			}
			write(t, filepath.Join(dir, p), strings.Join(ls, "\n")+"\n")
		}
		if round%3 == 0 {
			write(t, filepath.Join(dir, fmt.Sprintf("d1/new%d.txt", round)), "fresh\nlines\n")
		}
		git(t, dir, "add", "-A")
		compare(t, dir, fmt.Sprintf("round %d", round))
	}
}

func TestDiffUnbornAndWorktree(t *testing.T) {
	dir := newRepo(t)
	write(t, filepath.Join(dir, "x/y.txt"), "first\n")
	git(t, dir, "add", "-A")
	compare(t, dir, "first commit (unborn branch)")
	git(t, dir, "commit", "-qm", "one")

	wt := filepath.Join(t.TempDir(), "wt")
	git(t, dir, "worktree", "add", "-q", wt)
	write(t, filepath.Join(wt, "x/y.txt"), "first\nsecond\n")
	git(t, wt, "add", "-A")
	compare(t, wt, "linked work tree")
	compare(t, filepath.Join(wt, "x"), "from a subdirectory")

	// What git sets for a linked worktree's pre-commit hook (run at the
	// work tree's top): GIT_DIR and GIT_INDEX_FILE, absolute. From a
	// subdirectory, GIT_DIR makes that directory the work tree's top.
	gitDir := strings.TrimSpace(git(t, wt, "rev-parse", "--absolute-git-dir"))
	t.Setenv("GIT_DIR", gitDir)
	t.Setenv("GIT_INDEX_FILE", filepath.Join(gitDir, "index"))
	compare(t, wt, "a linked worktree's hook (GIT_DIR)")
	compare(t, filepath.Join(wt, "x"), "GIT_DIR from a subdirectory")
	rel, err := filepath.Rel(wt, gitDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_DIR", rel)
	compare(t, wt, "a relative GIT_DIR")
}

func TestDiffFallsBack(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"rename possible", func(t *testing.T, dir string) {
			git(t, dir, "mv", "a.txt", "b.txt")
		}},
		{"conflict", func(t *testing.T, dir string) {
			git(t, dir, "checkout", "-q", "-b", "side")
			write(t, filepath.Join(dir, "a.txt"), "side\n")
			git(t, dir, "commit", "-qam", "side")
			git(t, dir, "checkout", "-q", "main")
			write(t, filepath.Join(dir, "a.txt"), "main\n")
			git(t, dir, "commit", "-qam", "main")
			cmd := exec.Command("git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "merge", "-q", "side")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "CONFLICT") {
				t.Fatalf("merge did not conflict: %v\n%s", err, out)
			}
		}},
		{"attributes", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, ".gitattributes"), "*.txt -diff\n")
			write(t, filepath.Join(dir, "a.txt"), "alpha\nbeta\n")
			git(t, dir, "add", "-A")
		}},
		{"symlink", func(t *testing.T, dir string) {
			os.Symlink("a.txt", filepath.Join(dir, "link"))
			git(t, dir, "add", "-A")
		}},
		{"intent to add", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "later.txt"), "x\n")
			git(t, dir, "add", "-N", "later.txt")
		}},
		{"sha256", nil},
		{"quoted path", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "caf\u00e9.txt"), "x\n")
			git(t, dir, "add", "-A")
		}},
		{"diff.algorithm", func(t *testing.T, dir string) {
			// histogram reports the moved "x", "y" as added where Myers
			// reports "alpha".
			write(t, filepath.Join(dir, "a.txt"), "x\ny\nalpha\nx\ny\nz\n")
			git(t, dir, "add", "-A")
			git(t, dir, "commit", "-qm", "two")
			write(t, filepath.Join(dir, "a.txt"), "alpha\nx\ny\nq\nx\ny\n")
			git(t, dir, "add", "-A")
			git(t, dir, "config", "diff.algorithm", "histogram")
		}},
		{"diff.orderFile", func(t *testing.T, dir string) {
			// git prints sub/b.txt before a.txt.
			write(t, filepath.Join(dir, ".git", "order"), "sub/*\n")
			git(t, dir, "config", "diff.orderFile", ".git/order")
			write(t, filepath.Join(dir, "a.txt"), "alpha\nbeta\n")
			write(t, filepath.Join(dir, "sub/b.txt"), "b\n")
			git(t, dir, "add", "-A")
		}},
		{"config parameters", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "a.txt"), "alpha\nbeta\n")
			git(t, dir, "add", "-A")
			t.Setenv("GIT_CONFIG_PARAMETERS", "'diff.algorithm'='patience'")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := newRepo(t)
			if tc.setup == nil {
				dir = t.TempDir()
				git(t, dir, "init", "-q", "--object-format=sha256")
				write(t, filepath.Join(dir, "a.txt"), "x\n")
				git(t, dir, "add", "-A")
				os.Unsetenv("GIT_CONFIG_NOSYSTEM")
				if _, err := Diff(dir); !errors.Is(err, ErrFallback) {
					t.Errorf("Diff = %v, want a fallback", err)
				}
				return
			}
			write(t, filepath.Join(dir, "a.txt"), "alpha\n")
			git(t, dir, "add", "-A")
			git(t, dir, "commit", "-qm", "one")
			tc.setup(t, dir)
			os.Unsetenv("GIT_CONFIG_NOSYSTEM")
			if _, err := Diff(dir); !errors.Is(err, ErrFallback) {
				t.Errorf("Diff = %v, want a fallback", err)
			}
		})
	}
}

func TestDiffLines(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want string // added lines' 0-based numbers
	}{
		{"", "x\ny\n", "0 1"},
		{"a\nb\nc\n", "a\nb\nc\n", ""},
		{"a\nb\nc\n", "a\nX\nc\n", "1"},
		{"a\nb\nc\n", "X\na\nb\nc\nY\n", "0 4"},
		{"a\nb", "a\nb\n", "1"},
		{"a\nb\nc\nd\n", "d\nc\nb\na\n", "1 2 3"},
	} {
		hunks, ok := diffLines(splitLines([]byte(tc.a)), splitLines([]byte(tc.b)))
		if !ok {
			t.Fatalf("%q → %q: too long", tc.a, tc.b)
		}
		var got []string
		for _, h := range hunks {
			for i := range h.newN {
				got = append(got, fmt.Sprint(h.newAt+i))
			}
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%q → %q: added %q, want %q", tc.a, tc.b, g, tc.want)
		}
	}
}

// FuzzParseIndex feeds arbitrary bytes to the index parser: it must refuse
// or parse, never panic or run away.
func FuzzParseIndex(f *testing.F) {
	dir := f.TempDir()
	git(f, dir, "init", "-q")
	write(f, filepath.Join(dir, "a/b.txt"), "x\n")
	write(f, filepath.Join(dir, "c"), "y\n")
	git(f, dir, "add", "-A")
	git(f, dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "x")
	for _, v := range []string{"2", "3", "4"} {
		git(f, dir, "update-index", "--index-version", v)
		b, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := parseIndex(b)
		if err != nil {
			if !errors.Is(err, ErrFallback) {
				t.Fatalf("error %v does not wrap ErrFallback", err)
			}
			return
		}
		for i := range x.entries {
			_ = x.path(i)
			_ = x.oid(i)
		}
	})
}

func TestParseIndexVersions(t *testing.T) {
	dir := newRepo(t)
	for i := range 30 {
		write(t, filepath.Join(dir, fmt.Sprintf("dir%d/sub/file-with-a-long-name-%02d.txt", i%4, i)), fmt.Sprintf("%d\n", i))
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "x")
	var want []string
	for _, v := range []string{"2", "3", "4"} {
		git(t, dir, "update-index", "--index-version", v)
		b, err := os.ReadFile(filepath.Join(dir, ".git", "index"))
		if err != nil {
			t.Fatal(err)
		}
		x, err := parseIndex(b)
		if err != nil {
			t.Fatalf("version %s: %v", v, err)
		}
		var got []string
		for i := range x.entries {
			got = append(got, string(x.path(i)))
		}
		if want == nil {
			want = strings.Fields(git(t, dir, "ls-files"))
		}
		if !slices.Equal(got, want) {
			t.Errorf("version %s: paths\n%q\nwant\n%q", v, got, want)
		}
		write(t, filepath.Join(dir, "dir1/sub/file-with-a-long-name-01.txt"), "changed "+v+"\n")
		git(t, dir, "add", "-A")
		compare(t, dir, "index version "+v)
		git(t, dir, "commit", "-qm", "v"+v)
	}
}

func TestHarmlessConfig(t *testing.T) {
	for _, tc := range []struct {
		params string
		want   bool
	}{
		{`'user.name'='a'`, true},
		{`'user.name'='a b' 'user.email'='a@b'`, true},
		{`'user.name=a'`, true},
		{`'core.quotePath'='false'`, true},
		{`'user.name'='it'\''s' 'color.ui'='never'`, true},
		{`'diff.algorithm'='patience'`, false},
		{`'user.name'='a' 'diff.algorithm'='patience'`, false},
		{`'user.name'='it'\''s' 'core.attributesFile'='x'`, false},
		{`'user.name'='a '\'' diff.algorithm'`, true}, // all one value
		{`'include.path'='/x'`, false},
		// git separates entries by any of its blanks, not only spaces.
		{"'user.name'='a'\t'diff.algorithm'='patience'", false},
		{"'user.name'='a'\n'core.attributesFile'='/x'", false},
		{"'user.name'='a'\r'diff.algorithm'='minimal'", false},
		{"'user.name'='a'\t'color.ui'='never'\n", true},
		{"'user.name'='a\tb'", true}, // a tab inside a value
		{`user.name=a`, false},
		{`'unterminated`, false},
		{``, true},
	} {
		if got := harmlessConfig(tc.params); got != tc.want {
			t.Errorf("harmlessConfig(%q) = %v, want %v", tc.params, got, tc.want)
		}
	}
}

// BenchmarkStagedDiff: the in-process diff of a one-line change in a
// 20,000-file repository against `git diff --cached` (the floor a hook
// waited on), with the index's cache tree valid (after `git add` of one
// file, as a pre-commit hook sees it) and with none of it valid (after
// every path was re-added).
func BenchmarkStagedDiff(b *testing.B) {
	home := b.TempDir()
	b.Setenv("HOME", home)
	b.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	dir := b.TempDir()
	git(b, dir, "init", "-q", "-b", "main")
	git(b, dir, "config", "gc.auto", "0") // no gc in the background
	for i := range 20000 {
		write(b, filepath.Join(dir, fmt.Sprintf("src/d%03d/f%05d.go", i%200, i)), fmt.Sprintf("package d\n\n// F%d returns %d.\nfunc F%d() int { return %d }\n", i, i, i, i))
	}
	git(b, dir, "add", "-A")
	git(b, dir, "commit", "-qm", "base")
	git(b, dir, "gc", "-q")
	write(b, filepath.Join(dir, "src/d007/f00007.go"), "package d\n\nvar key = \"AKIAUJZDEGXDNCF32EPF\"\n")
	git(b, dir, "add", "src/d007/f00007.go")
	run := func(b *testing.B) {
		b.Run("in-process", func(b *testing.B) {
			for b.Loop() {
				if _, err := Diff(dir); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("git", func(b *testing.B) {
			for b.Loop() {
				gitDiff(b, dir)
			}
		})
	}
	b.Run("cache-tree", run)
	git(b, dir, "rm", "-q", "-r", "--cached", ".")
	git(b, dir, "add", "-A")
	b.Run("no-cache-tree", run)
}

// TestDiffAttributes: attributes decide whether git prints a file's lines.
// Where those that could (binary, -diff, diff) apply to a changed file,
// git diffs; where none do, or only diff=DRIVER does, the in-process diff
// is git's.
func TestDiffAttributes(t *testing.T) {
	dir := newRepo(t)
	write(t, filepath.Join(dir, ".gitattributes"), "*.png binary\n*.c diff=cpp\n* text=auto\n")
	write(t, filepath.Join(dir, "sub/.gitattributes"), "*.txt -diff\n")
	write(t, filepath.Join(dir, "a.txt"), "alpha\n")
	write(t, filepath.Join(dir, "m.c"), "int x;\n")
	write(t, filepath.Join(dir, "sub/s.txt"), "s\n")
	write(t, filepath.Join(dir, "other/o.txt"), "o\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "one")

	write(t, filepath.Join(dir, "a.txt"), "alpha\nbeta\n")
	write(t, filepath.Join(dir, "m.c"), "int x;\nint y;\n")
	write(t, filepath.Join(dir, "other/o.txt"), "o\np\n")
	git(t, dir, "add", "-A")
	compare(t, dir, "attributes that do not apply to the changed files")

	fallsBack := func(what string) {
		t.Helper()
		os.Unsetenv("GIT_CONFIG_NOSYSTEM")
		defer os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
		if _, err := Diff(dir); !errors.Is(err, ErrFallback) {
			t.Errorf("%s: Diff = %v, want a fallback", what, err)
		}
	}
	write(t, filepath.Join(dir, "sub/s.txt"), "s\nt\n")
	git(t, dir, "add", "-A")
	fallsBack("-diff in sub/.gitattributes applies to sub/s.txt")
	git(t, dir, "reset", "-q", "sub/s.txt")

	write(t, filepath.Join(dir, "other/.gitattributes"), "o.txt binary\n")
	fallsBack("an unstaged .gitattributes on the way to a changed file")
	os.Remove(filepath.Join(dir, "other/.gitattributes"))
	compare(t, dir, "the unstaged .gitattributes gone")

	git(t, dir, "config", "diff.cpp.binary", "true")
	fallsBack("a diff driver defined in the configuration")
	git(t, dir, "config", "--unset", "diff.cpp.binary")
	// The same driver in the spellings git also reads: the old
	// [diff.name] and blanks other than one space before the name.
	config := filepath.Join(dir, ".git", "config")
	plain, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	for _, section := range []string{"[diff.cpp]", "[diff\t\"cpp\"]", "[diff  \"cpp\"]", "[DIFF \"cpp\"]"} {
		write(t, config, string(plain)+section+"\n\tbinary = true\n")
		fallsBack("a diff driver defined as " + section)
	}
	write(t, config, string(plain))

	write(t, filepath.Join(dir, ".gitattributes"), "[attr]nodiff -diff\n*.q nodiff\n")
	git(t, dir, "add", "-A")
	fallsBack("a macro")
}

func TestAttrMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, rel string
		fold, want   bool
	}{
		{"*.png", "img/logo.png", false, true},
		{"*.png", "img/logo.PNG", false, false},
		{"*.png", "img/logo.PNG", true, true},
		{"*.png", "logo.png.txt", false, false},
		{"docs/*.md", "docs/a.md", false, true},
		{"docs/*.md", "x/docs/a.md", false, false},
		{"/docs/*.md", "docs/a.md", false, true},
		{"docs/**", "docs/a/b.md", false, true},
		{"build/", "build/x", false, true},
		{"[", "x", false, true}, // malformed: assume it applies
		{"Makefile", "sub/Makefile", false, true},
		// wildmatch's negated and named classes, which path.Match reads
		// otherwise: assume they apply.
		{"[!b]*.txt", "a.txt", false, true},
		{"[[:digit:]]*.txt", "1.txt", false, true},
		{"[^b]*.txt", "a.txt", false, true},
		{"[^a]*.txt", "a.txt", false, false},
	} {
		if got := attrMatch(tc.pattern, tc.rel, tc.fold); got != tc.want {
			t.Errorf("attrMatch(%q, %q, %v) = %v, want %v", tc.pattern, tc.rel, tc.fold, got, tc.want)
		}
	}
}

// TestDiffWideDirectory: a directory of many subdirectories (the cache
// tree's children looked up by name) diffs as git does.
func TestDiffWideDirectory(t *testing.T) {
	dir := newRepo(t)
	for i := range 40 {
		write(t, filepath.Join(dir, fmt.Sprintf("pkg/m%02d/f.txt", i)), fmt.Sprintf("line %d\n", i))
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "one")
	for _, i := range []int{0, 17, 39} {
		write(t, filepath.Join(dir, fmt.Sprintf("pkg/m%02d/f.txt", i)), fmt.Sprintf("line %d\nadded %d\n", i, i))
	}
	git(t, dir, "add", "-A")
	compare(t, dir, "three of forty subdirectories changed")
}

// TestDiffThroughSymlink: from a symbolic link to another repository's
// subdirectory, git finds that repository (it walks up from the physical
// directory), not the one holding the link.
func TestDiffThroughSymlink(t *testing.T) {
	outer := newRepo(t)
	write(t, filepath.Join(outer, "a.txt"), "alpha\n")
	git(t, outer, "add", "-A")
	git(t, outer, "commit", "-qm", "one")
	write(t, filepath.Join(outer, "a.txt"), "alpha\nouter change\n")
	git(t, outer, "add", "-A")

	inner := t.TempDir()
	git(t, inner, "init", "-q", "-b", "main")
	write(t, filepath.Join(inner, "sub/x.txt"), "x\n")
	git(t, inner, "add", "-A")
	git(t, inner, "commit", "-qm", "one")
	write(t, filepath.Join(inner, "sub/x.txt"), "x\nkey = AKIAUJZDEGXDNCF32EPF\n")
	git(t, inner, "add", "-A")

	link := filepath.Join(outer, "link")
	if err := os.Symlink(filepath.Join(inner, "sub"), link); err != nil {
		t.Skip(err)
	}
	compare(t, link, "a symbolic link to another repository's subdirectory")
}

// TestDiffIgnoreCaseSpellings: core.ignorecase makes git match attribute
// patterns in any case, whichever spelling of true sets it.
func TestDiffIgnoreCaseSpellings(t *testing.T) {
	dir := newRepo(t)
	write(t, filepath.Join(dir, ".gitattributes"), "*.TXT binary\n")
	write(t, filepath.Join(dir, "a.txt"), "alpha\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "one")
	write(t, filepath.Join(dir, "a.txt"), "alpha\nbeta\n")
	git(t, dir, "add", "-A")
	for _, v := range []string{"false", "true", "1", "yes", "on", "True"} {
		git(t, dir, "config", "core.ignorecase", v)
		if v == "false" {
			compare(t, dir, "core.ignorecase=false")
			continue
		}
		os.Unsetenv("GIT_CONFIG_NOSYSTEM")
		if _, err := Diff(dir); !errors.Is(err, ErrFallback) {
			t.Errorf("core.ignorecase=%s: Diff = %v, want a fallback (git says the file is binary)", v, err)
		}
		os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	}
}

// TestDiffDamagedObject: a staged blob whose zlib stream is damaged (a
// stored block, so it still inflates to the right length) makes git fail;
// Diff must fail too, loose or packed, never print the damaged content.
func TestDiffDamagedObject(t *testing.T) {
	for _, packed := range []bool{false, true} {
		dir := newRepo(t)
		git(t, dir, "config", "core.compression", "0") // stored deflate blocks
		write(t, filepath.Join(dir, "a.txt"), "alpha\n")
		git(t, dir, "add", "-A")
		git(t, dir, "commit", "-qm", "one")
		write(t, filepath.Join(dir, "a.txt"), "alpha\nkey = AKIAUJZDEGXDNCF32EPF\n")
		git(t, dir, "add", "-A")
		file := filepath.Join(dir, ".git", "objects", "pack")
		if packed {
			git(t, dir, "repack", "-q", "-a", "-d")
			packs, _ := filepath.Glob(filepath.Join(file, "*.pack"))
			file = packs[0]
		} else {
			id := strings.TrimSpace(git(t, dir, "rev-parse", ":a.txt"))
			file = filepath.Join(dir, ".git", "objects", id[:2], id[2:])
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		at := strings.Index(string(b), "AKIAUJZ")
		if at < 0 {
			t.Fatalf("packed=%v: the blob is not stored uncompressed", packed)
		}
		b[at] = 'B'
		os.Chmod(file, 0o644)
		if err := os.WriteFile(file, b, 0o644); err != nil {
			t.Fatal(err)
		}
		// git reads a loose blob from the work tree while its stat data
		// matches the index: make it differ.
		write(t, filepath.Join(dir, "a.txt"), "unrelated\n")
		if out, err := exec.Command("git", "-C", dir, "diff", "--cached").CombinedOutput(); err == nil {
			t.Fatalf("packed=%v: git read the damaged object:\n%s", packed, out)
		}
		os.Unsetenv("GIT_CONFIG_NOSYSTEM")
		d, err := Diff(dir)
		os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
		if err == nil {
			t.Errorf("packed=%v: Diff read the damaged object:\n%s", packed, d)
		} else if errors.Is(err, ErrFallback) && !strings.Contains(err.Error(), "corrupt") {
			t.Errorf("packed=%v: Diff fell back for another reason: %v", packed, err)
		}
	}
}

// TestDiffOwnedByOther: git refuses a work tree another user owns, even
// when its .git directory is the user's own (safe.directory); so must
// Diff (git then says why).
func TestDiffOwnedByOther(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory to another user")
	}
	dir := newRepo(t)
	write(t, filepath.Join(dir, "a.txt"), "alpha\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "one")
	write(t, filepath.Join(dir, "a.txt"), "alpha\nbeta\n")
	git(t, dir, "add", "-A")
	if err := os.Chown(dir, 54321, -1); err != nil {
		t.Skip(err)
	}
	defer os.Chown(dir, 0, -1)
	t.Setenv("SUDO_UID", "")
	os.Unsetenv("SUDO_UID")
	if out, err := exec.Command("git", "-C", dir, "diff", "--cached").CombinedOutput(); err == nil {
		t.Fatalf("git accepted a work tree another user owns:\n%s", out)
	}
	os.Unsetenv("GIT_CONFIG_NOSYSTEM")
	defer os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	if d, err := Diff(dir); !errors.Is(err, ErrFallback) {
		t.Errorf("Diff = %v (%q), want a fallback", err, d)
	}
}

// TestDiffBareCloneLinked: a linked worktree of a bare clone shares
// core.bare = true, which git ignores for a linked worktree; Diff follows
// it there, from the top, a subdirectory and a hook's GIT_DIR, and leaves
// to git a core.bare git cannot read as a boolean (git dies on it).
//
// (Its name lacks the word "worktree": the clone's remote URL, a path
// under the test's temporary directory, would hold it, and judgeConfig
// sends any configuration mentioning it to git.)
func TestDiffBareCloneLinked(t *testing.T) {
	src := newRepo(t)
	write(t, filepath.Join(src, "x/y.txt"), "first\n")
	git(t, src, "add", "-A")
	git(t, src, "commit", "-qm", "one")
	base := t.TempDir()
	bare := filepath.Join(base, "bare.git")
	git(t, base, "clone", "-q", "--bare", src, bare)
	wt := filepath.Join(base, "wt")
	git(t, bare, "worktree", "add", "-q", wt)
	write(t, filepath.Join(wt, "x/y.txt"), "first\nsecond\n")
	git(t, wt, "add", "-A")
	compare(t, wt, "a bare clone's worktree")
	compare(t, filepath.Join(wt, "x"), "a bare clone's worktree, from a subdirectory")
	t.Setenv("GIT_DIR", filepath.Join(bare, "worktrees", "wt"))
	compare(t, wt, "a bare clone's worktree's hook (GIT_DIR)")
	os.Unsetenv("GIT_DIR")

	git(t, bare, "config", "core.bare", "maybe")
	os.Unsetenv("GIT_CONFIG_NOSYSTEM")
	defer os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	if d, err := Diff(wt); !errors.Is(err, ErrFallback) {
		t.Errorf("core.bare = maybe: Diff = %v (%q), want a fallback", err, d)
	}
}

// TestDiffPathsResolvedPhysically: git resolves a .git file's gitdir and
// a relative GIT_DIR as the kernel does, "link/.." being the link
// target's parent; read with the link cleaned away, they name a decoy
// repository (whose staged change is another) or none.
func TestDiffPathsResolvedPhysically(t *testing.T) {
	isolate(t)
	base := t.TempDir()
	if phys, err := filepath.EvalSymlinks(base); err == nil {
		base = phys
	}
	if err := os.MkdirAll(filepath.Join(base, "deep", "x", "y"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(base, "deep", "x", "y"), filepath.Join(base, "ylink")); err != nil {
		t.Skip(err)
	}
	work, decoy := filepath.Join(base, "work"), filepath.Join(base, "decoy")
	git(t, base, "init", "-q", "-b", "main", "--separate-git-dir", filepath.Join(base, "deep", "x", "gd"), work)
	git(t, base, "init", "-q", "-b", "main", "--separate-git-dir", filepath.Join(base, "gd"), decoy)
	write(t, filepath.Join(work, "a.txt"), "work\n")
	git(t, work, "add", "-A")
	write(t, filepath.Join(decoy, "b.txt"), "decoy\n")
	git(t, decoy, "add", "-A")
	write(t, filepath.Join(work, ".git"), "gitdir: ../ylink/../gd\n")
	compare(t, work, "a .git file's gitdir through a symbolic link, then ..")

	wt := filepath.Join(base, "wt")
	git(t, work, "commit", "-qm", "one")
	git(t, work, "worktree", "add", "-q", wt)
	write(t, filepath.Join(wt, "a.txt"), "work\nwt\n")
	git(t, wt, "add", "-A")
	if err := os.Symlink(filepath.Join(base, "deep", "x", "gd", "refs"), filepath.Join(wt, "rlink")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_DIR", "rlink/../worktrees/wt")
	compare(t, wt, "GIT_DIR through a symbolic link, then ..")
}
