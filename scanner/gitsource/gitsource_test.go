package gitsource

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource/cached"

	"github.com/rampart-sec/rampart/scanner/gitsource/gitcmd"
)

// Test credentials: format-valid, never real, and not AWS's documented
// examples (which are allow-listed).
const (
	keyID     = "AKIAUJZDEGXDNCF32EPF"
	secretKey = "dJ8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7Zkuvqdt7"
	keyID2    = "ASIA3DHODZDOCIS2JHTL"
)

type testRepo struct {
	t   *testing.T
	dir string
	n   int
}

// newRepo creates a repository with the git binary in a temp dir. Commit
// dates are fixed and increasing so history order is deterministic.
func newRepo(t *testing.T, args ...string) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git(append([]string{"init", "-q", "-b", "main"}, args...)...)
	return r
}

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return gitIn(r.t, r.dir, r.n, args...)
}

func gitIn(t *testing.T, dir string, n int, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"}, args...)...)
	cmd.Dir = dir
	date := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour).Format(time.RFC3339)
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Alice", "GIT_AUTHOR_EMAIL=alice@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=Alice", "GIT_COMMITTER_EMAIL=alice@example.com", "GIT_COMMITTER_DATE="+date,
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *testRepo) write(name, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// commit stages everything and commits; it returns the new commit's hash.
func (r *testRepo) commit(msg string) string {
	r.t.Helper()
	r.n++
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

func (r *testRepo) open() *Repo {
	r.t.Helper()
	repo, err := Open(context.Background(), r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	return repo
}

func scan(t *testing.T, src scanner.Source) *scanner.Result {
	t.Helper()
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	res, err := scanner.Scan(context.Background(), src, scanner.NewDetector(rules, nil), scanner.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// summary renders findings as "rule path:line commit" lines, sorted.
func summary(fs []scanner.Finding, names map[string]string) []string {
	var out []string
	for _, f := range fs {
		c := "-"
		if f.Commit != nil {
			c = names[f.Commit.Hash]
			if c == "" {
				c = f.Commit.Hash[:7]
			}
		}
		out = append(out, f.RuleID+" "+f.Path+":"+itoa(f.Line)+" "+c)
	}
	sort.Strings(out)
	return out
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Replace(time.Duration(n).String(), "ns", "", 1))
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestStagedOnlyAddedLines(t *testing.T) {
	r := newRepo(t)
	r.write("app.env", "AWS_ACCESS_KEY_ID="+keyID+"\nDEBUG=1\n")
	r.commit("old key, already committed")
	r.write("app.env", "AWS_ACCESS_KEY_ID="+keyID+"\nDEBUG=1\nAWS_SESSION_KEY_ID="+keyID2+"\n")
	r.write("new file.txt", "line\naws_secret_access_key = "+secretKey+"\n")
	r.git("add", "-A")
	res := scan(t, &Staged{Repo: r.open()})
	got := summary(res.Findings, nil)
	want := []string{"aws-access-key-id app.env:3 -", "aws-secret-access-key new file.txt:2 -"}
	if !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestStagedUnbornBranchAndSubdirectory(t *testing.T) {
	r := newRepo(t)
	r.write("sub/dir/creds", "id "+keyID+"\n")
	r.git("add", "-A")
	repo, err := Open(context.Background(), filepath.Join(r.dir, "sub", "dir"))
	if err != nil {
		t.Fatal(err)
	}
	res := scan(t, &Staged{Repo: repo})
	if got := summary(res.Findings, nil); !equal(got, []string{"aws-access-key-id sub/dir/creds:1 -"}) {
		t.Fatalf("got %q", got)
	}
}

func TestRangeAttributesCommits(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "base\n")
	base := r.commit("base")
	r.write("a.txt", "base\nid = "+keyID+"\n")
	c1 := r.commit("add key")
	r.write("a.txt", "base\n")
	c2 := r.commit("remove key, message has " + keyID2)
	res := scan(t, &Commits{Repo: r.open(), Revs: []string{base + ".." + c2}})
	got := summary(res.Findings, map[string]string{c1: "c1", c2: "c2"})
	want := []string{"aws-access-key-id (commit message):1 c2", "aws-access-key-id a.txt:2 c1"}
	if !equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if res.Stats.Commits != 2 {
		t.Errorf("commits = %d, want 2", res.Stats.Commits)
	}
}

func TestRangeEvilMerge(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "1\n2\n3\n")
	base := r.commit("base")
	r.git("checkout", "-q", "-b", "side")
	r.write("b.txt", "side\n")
	r.commit("side work")
	r.git("checkout", "-q", "main")
	r.write("c.txt", "main\n")
	r.commit("main work")
	r.n++
	r.git("merge", "-q", "--no-ff", "--no-commit", "side")
	r.write("a.txt", "1\n2\n3\nkey = "+keyID+"\n")
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "merge with extra")
	merge := r.git("rev-parse", "HEAD")
	res := scan(t, &Commits{Repo: r.open(), Revs: []string{base + "..HEAD"}})
	got := summary(res.Findings, map[string]string{merge: "merge"})
	if !equal(got, []string{"aws-access-key-id a.txt:4 merge"}) {
		t.Fatalf("got %q", got)
	}
}

func TestBareMirrorStaged(t *testing.T) {
	r := newRepo(t)
	r.write("k", "id "+keyID+"\n")
	r.commit("k")
	mirror := filepath.Join(t.TempDir(), "m.git")
	gitIn(t, t.TempDir(), 0, "clone", "-q", "--mirror", r.dir, mirror)
	repo, err := Open(context.Background(), mirror)
	if err != nil {
		t.Fatal(err)
	}
	if !repo.Bare {
		t.Error("mirror not detected as bare")
	}
	if err := (&Staged{Repo: repo}).Chunks(context.Background(), func(scanner.Chunk) error { return nil }); err == nil {
		t.Error("staged scan of a bare repository should fail clearly")
	}
}

func TestShallowRange(t *testing.T) {
	r := newRepo(t)
	r.write("k", "id "+keyID+"\n")
	r.commit("one")
	r.write("j", "x\n")
	r.commit("two")
	dst := filepath.Join(t.TempDir(), "shallow")
	gitIn(t, t.TempDir(), 0, "clone", "-q", "--depth=1", "file://"+r.dir, dst)
	repo, err := Open(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if !repo.Shallow {
		t.Fatal("shallow clone not detected")
	}
	err = (&Commits{Repo: repo, Revs: []string{"HEAD~1..HEAD"}}).Chunks(context.Background(), func(scanner.Chunk) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "shallow") {
		t.Errorf("range beyond the shallow boundary: err = %v, want a hint about shallow clones", err)
	}
}

func TestSubmodulesSymlinksBinary(t *testing.T) {
	sub := newRepo(t)
	sub.write("s", "id "+keyID2+"\n")
	sub.commit("sub")
	r := newRepo(t)
	r.write("bin.dat", "\x00\x01id "+keyID+"\n")
	if err := os.Symlink("/etc/passwd", filepath.Join(r.dir, "link")); err != nil {
		t.Fatal(err)
	}
	r.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.dir, "vendor/sub")
	r.git("add", "-A")
	staged := &Staged{Repo: r.open()}
	res := scan(t, staged)
	if len(res.Findings) != 0 {
		t.Errorf("findings = %v", summary(res.Findings, nil))
	}
	if res.Stats.Skipped["submodule"] != 1 || res.Stats.Skipped["binary"] != 1 || res.Stats.Skipped["symlink"] != 1 {
		t.Errorf("skipped = %v, want one submodule, one binary, one symlink", res.Stats.Skipped)
	}
}

func TestHostileFileNames(t *testing.T) {
	r := newRepo(t)
	names := []string{"new\nline.txt", "esc\x1b[31mred.txt", "tab\there.txt", "ünï cödé.txt", "quote\"d.txt", "sp ace b/x.txt"}
	for _, n := range names {
		r.write(n, "id "+keyID+"\n")
	}
	r.git("add", "-A")
	res := scan(t, &Staged{Repo: r.open()})
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Path)
	}
	sort.Strings(got)
	want := append([]string(nil), names...)
	sort.Strings(want)
	if !equal(got, want) {
		t.Fatalf("staged paths:\n got %q\nwant %q", got, want)
	}
}

func TestNotARepository(t *testing.T) {
	_, err := Open(context.Background(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "not a git repository") {
		t.Fatalf("err = %v", err)
	}
}

// TestNotedKeepsHistoryResolver: a full-history source wrapped to carry a
// note must still let Scan join provenance and merge renames; without that,
// findings read before the walk placed their blob had no commit.
func TestNotedKeepsHistoryResolver(t *testing.T) {
	var src scanner.Source = &noted{StatsSource: resolvingSource{}}
	if _, ok := src.(scanner.Resolver); !ok {
		t.Error("noted hides the wrapped source's Resolve")
	}
	if _, ok := src.(scanner.Mover); !ok {
		t.Error("noted hides the wrapped source's Moved")
	}
	if n := src.(*noted); len(n.Resolve(nil)) != 1 || !n.Moved(nil, nil) {
		t.Error("noted does not pass Resolve and Moved through")
	}
	plain := &noted{StatsSource: &Staged{}}
	fs := []scanner.Finding{{RuleID: "x"}}
	if got := plain.Resolve(fs); len(got) != 1 || plain.Moved(&fs[0], &fs[0]) {
		t.Error("a wrapped source without Resolve/Moved must pass findings through")
	}
}

// resolvingSource stands for History: a source that resolves and moves.
type resolvingSource struct{ scanner.StatsSource }

func (resolvingSource) Resolve([]scanner.Finding) []scanner.Finding { return []scanner.Finding{{}} }
func (resolvingSource) Moved(a, b *scanner.Finding) bool            { return true }

// TestCredentialFilesInDiffs: a keystore is binary, so a diff holds none of
// its bytes; staged and committed ones are still found, by the blob's
// content, under a credential's name, and counted as scanned. Other
// binaries are not read, and are counted as skipped.
func TestCredentialFilesInDiffs(t *testing.T) {
	p12, err := os.ReadFile(filepath.Join("..", "..", "patterns", "testdata", "files", "bundle.p12"))
	if err != nil {
		t.Fatal(err)
	}
	jks, err := os.ReadFile(filepath.Join("..", "..", "patterns", "testdata", "files", "store.jks"))
	if err != nil {
		t.Fatal(err)
	}
	r := newRepo(t)
	r.write("README", "base\n")
	base := r.commit("base")
	r.write("deploy/signing key.p12", string(p12))
	r.write("assets/logo.p12", "\x00\x89PNG not a bundle")
	r.write("bundle.bin", string(p12)) // not a credential's name: a diff does not read it
	r.git("add", "-A")
	res := scan(t, &Staged{Repo: r.open()})
	if got, want := summary(res.Findings, nil), []string{"pkcs12-file deploy/signing key.p12:1 -"}; !equal(got, want) {
		t.Fatalf("staged: got %q, want %q", got, want)
	}
	if res.Stats.Skipped["binary"] != 2 || res.Stats.Files != 1 || res.Stats.Bytes != int64(len(p12)) {
		t.Errorf("stats = %+v, want the bundle counted as the file scanned (read whole, judged by its format) and the other 2 binary files skipped", res.Stats)
	}
	c1 := r.commit("add bundle")
	r.write("android/release.keystore", string(jks))
	c2 := r.commit("add keystore")
	res = scan(t, &Commits{Repo: r.open(), Revs: []string{base + ".." + c2}})
	got := summary(res.Findings, map[string]string{c1: "c1", c2: "c2"})
	want := []string{"java-keystore-file android/release.keystore:1 c2", "pkcs12-file deploy/signing key.p12:1 c1"}
	if !equal(got, want) {
		t.Fatalf("range: got %q, want %q", got, want)
	}
}

// TestStagedStartedEarly: git diff started before the scan (Start) gives
// the same findings as one started by Chunks, and Close stops one that is
// never read, even when its output is larger than a pipe holds.
func TestStagedStartedEarly(t *testing.T) {
	r := newRepo(t)
	r.write("app.env", "DEBUG=1\n")
	r.commit("base")
	r.write("app.env", "DEBUG=1\nAWS_ACCESS_KEY_ID="+keyID+"\n")
	r.write("big.txt", strings.Repeat("filler line of a large staged file\n", 20000))
	r.git("add", "-A")
	early := &Staged{Repo: r.open()}
	early.Start(context.Background())
	res := scan(t, early)
	if got := summary(res.Findings, nil); !equal(got, []string{"aws-access-key-id app.env:2 -"}) {
		t.Fatalf("started early: got %q", got)
	}
	early.Close() // read already: nothing to stop

	unread := &Staged{Repo: r.open()}
	unread.Start(context.Background())
	done := make(chan struct{})
	go func() { unread.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop an unread git diff")
	}
}

// TestStagedAdopted: a git diff started with gitcmd.StagedArgs before the
// scan existed (cmd/rampart/prestart's) and adopted gives the findings
// Chunks' own would; cancelling the adopting context kills one that is never
// read, whose output (3 MB) is larger than a grown pipe holds; a second diff is
// stopped, not adopted.
func TestStagedAdopted(t *testing.T) {
	r := newRepo(t)
	r.write("app.env", "DEBUG=1\n")
	r.commit("base")
	r.write("app.env", "DEBUG=1\nAWS_ACCESS_KEY_ID="+keyID+"\n")
	r.write("big.txt", strings.Repeat("filler line of a large staged file\n", 90000))
	r.git("add", "-A")
	start := func() *gitcmd.Stream {
		st, err := gitcmd.Start(context.Background(), r.dir, nil, gitcmd.StagedArgs...)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	s := &Staged{Repo: r.open()}
	s.Adopt(context.Background(), start())
	second := start()
	s.Adopt(context.Background(), second)
	if second.Cmd.ProcessState == nil {
		t.Error("a second adopted diff was not stopped")
	}
	res := scan(t, s)
	if got := summary(res.Findings, nil); !equal(got, []string{"aws-access-key-id app.env:2 -"}) {
		t.Fatalf("adopted: got %q", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	unread := &Staged{Repo: r.open()}
	st := start()
	unread.Adopt(ctx, st)
	cancel()
	done := make(chan struct{})
	go func() { st.Cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling the context did not stop an unread adopted git diff")
	}
	if st.Cmd.ProcessState.Success() {
		t.Error("the unread diff ran to completion: it should have been killed")
	}
}

// TestStagedStartedInSubdirectory: git diff started from a subdirectory
// (StartIn, before the repository is opened) reports paths from the top of
// the work tree, even with diff.relative set.
func TestStagedStartedInSubdirectory(t *testing.T) {
	r := newRepo(t)
	r.write("sub/dir/creds", "id "+keyID+"\n")
	r.git("add", "-A")
	r.git("config", "diff.relative", "true")
	sub := filepath.Join(r.dir, "sub", "dir")
	s := &Staged{}
	s.StartIn(context.Background(), sub)
	repo, err := Open(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	s.Repo = repo
	res := scan(t, s)
	if got := summary(res.Findings, nil); !equal(got, []string{"aws-access-key-id sub/dir/creds:1 -"}) {
		t.Fatalf("got %q", got)
	}
}

// TestFileAt: a file is read as the commit holds it, whatever the work tree
// says; a name with pattern characters is a name; a file the commit lacks is
// ErrNotInCommit; a symbolic link or a folder there is an error, never
// followed or listed.
func TestFileAt(t *testing.T) {
	r := newRepo(t)
	r.write(".rampart.toml", "base\n")
	r.write("ci/r*.toml", "star\n")
	r.write("ci/rx.toml", "x\n")
	if err := os.Symlink("/etc/hostname", filepath.Join(r.dir, "link.toml")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	base := r.commit("base")
	r.write(".rampart.toml", "head\n")
	r.write("new.toml", "new\n")
	r.commit("head")
	repo := r.open()
	ctx := context.Background()
	for _, c := range []struct{ path, want, err string }{
		{".rampart.toml", "base\n", ""},
		{"ci/r*.toml", "star\n", ""},
		{"ci/rx.toml", "x\n", ""},
		{"new.toml", "", "no such file in the commit"},
		{"link.toml", "", "symbolic link"},
		{"ci", "", "a tree, not a file"},
		{"ci/", "", "no such file in the commit"},
	} {
		data, err := repo.FileAt(ctx, base, c.path)
		switch {
		case c.err == "" && (err != nil || string(data) != c.want):
			t.Errorf("%s: %q, %v; want %q", c.path, data, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: %q, %v; want an error saying %q", c.path, data, err, c.err)
		}
	}
	var link *SymlinkError
	if _, err := repo.FileAt(ctx, base, "link.toml"); !errors.As(err, &link) || link.Target != "/etc/hostname" || link.Path != "link.toml" {
		t.Errorf("a symbolic link: %v, want a *SymlinkError naming its target", err)
	}
	if _, err := repo.FileAt(ctx, base, "new.toml"); !errors.Is(err, ErrNotInCommit) {
		t.Errorf("a file the commit lacks: %v, want ErrNotInCommit", err)
	}
	if _, err := repo.FileAt(ctx, strings.Repeat("e", 40), ".rampart.toml"); err == nil || errors.Is(err, ErrNotInCommit) {
		t.Errorf("a commit the clone lacks: %v, want an error other than ErrNotInCommit", err)
	}
}

// TestStagedInProcessMatchesGit: the staged diff computed in process
// (cached, what Start begins) gives exactly the findings and counts of git's
// (what Chunks runs without Start), over every kind of staged file a scan
// treats apart: modified and new text, a keystore, UTF-16 text, a file over
// the size limit, an allow-listed path, an emptied file and a mode change.
// It fails if cached falls back (then both would be git's).
func TestStagedInProcessMatchesGit(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	jks, err := os.ReadFile(filepath.Join("..", "..", "patterns", "testdata", "files", "store.jks"))
	if err != nil {
		t.Fatal(err)
	}
	wide := func(s string) string {
		b := []byte{0xff, 0xfe}
		for _, c := range s {
			b = append(b, byte(c), 0)
		}
		return string(b)
	}
	r := newRepo(t)
	r.write("app.env", "DEBUG=1\nPORT=80\n")
	r.write("src/run.sh", "#!/bin/sh\necho run\n")
	r.write("docs/old.txt", "old text\nmore\n")
	r.write("vendor/lib.env", "X=1\n")
	r.commit("base")
	r.write("app.env", "DEBUG=1\nAWS_ACCESS_KEY_ID="+keyID+"\nPORT=80\n")
	r.write("src/new/creds.txt", "id "+keyID+"\n")
	r.write("android/release.keystore", string(jks))
	r.write("win/notes.txt", wide("aws_access_key_id = "+keyID+"\r\n"))
	r.write("big.env", strings.Repeat("FILLER=1\n", 3000)+"AWS_ACCESS_KEY_ID="+keyID+"\n")
	r.write("vendor/lib.env", "X=1\nAWS_ACCESS_KEY_ID="+keyID+"\n")
	r.write("docs/old.txt", "")
	r.git("add", "-A")
	r.git("update-index", "--chmod=+x", "src/run.sh")
	if _, err := cached.Diff(r.dir); err != nil {
		t.Fatalf("the in-process diff fell back: %v", err)
	}
	allow, err := (&scanner.Allowlist{}).WithPaths([]string{"vendor/**"})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{MaxFileSize: 16 << 10, Allow: allow}
	inProcess := &Staged{Repo: r.open(), Opts: opts}
	inProcess.Start(context.Background())
	a := scan(t, inProcess)
	b := scan(t, &Staged{Repo: r.open(), Opts: opts})
	if got, want := summary(a.Findings, nil), summary(b.Findings, nil); !equal(got, want) || len(got) < 3 {
		t.Errorf("findings in process %q, by git %q", got, want)
	}
	if !reflect.DeepEqual(a.Stats.Skipped, b.Stats.Skipped) || a.Stats.Files != b.Stats.Files || a.Stats.Bytes != b.Stats.Bytes {
		t.Errorf("stats in process %+v, by git %+v", a.Stats, b.Stats)
	}
}
