package history

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
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

func (r *testRepo) open() *gitsource.Repo {
	r.t.Helper()
	repo, err := gitsource.Open(context.Background(), r.dir)
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

func TestHistorySideBranchRenameDelete(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.write("README.md", "hello\n")
	c1 := r.commit("init")
	r.git("checkout", "-q", "-b", "side")
	r.write("config/aws.yaml", "region: eu-west-1\naws_access_key_id: "+keyID+"\naws_secret_access_key: "+secretKey+"\n")
	c2 := r.commit("add aws config")
	r.git("mv", "config/aws.yaml", "config/prod.yaml")
	c3 := r.commit("rename")
	r.write("config/prod.yaml", "region: eu-west-1\naws_access_key_id: "+keyID+"\naws_secret_access_key: "+secretKey+"\nextra: 1\n")
	c4 := r.commit("edit, secret survives")
	r.git("rm", "-q", "config/prod.yaml")
	c5 := r.commit("remove secrets")
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
	r.git("branch", "-D", "side")
	names := map[string]string{c1: "c1", c2: "c2", c3: "c3", c4: "c4", c5: "c5"}

	res := scan(t, &History{Repo: r.open()})
	got := summary(res.Findings, names)
	want := []string{
		"aws-access-key-id config/aws.yaml:2 c2",
		"aws-secret-access-key config/aws.yaml:3 c2",
	}
	if !equal(got, want) {
		t.Fatalf("findings:\n got %q\nwant %q", got, want)
	}
	for _, f := range res.Findings {
		if f.Attributes["also_in"] != "config/prod.yaml" {
			t.Errorf("%s: also_in = %q, want the renamed path", f.RuleID, f.Attributes["also_in"])
		}
	}
	id, sec := res.Findings[0], res.Findings[1]
	if id.RuleID != "aws-access-key-id" {
		id, sec = sec, id
	}
	if id.Attributes["pair"] != sec.Fingerprint || sec.Attributes["pair"] != id.Fingerprint {
		t.Errorf("key ID and secret not linked: %v / %v", id.Attributes, sec.Attributes)
	}
	if id.Severity != patterns.SeverityCritical || sec.Severity != patterns.SeverityCritical {
		t.Errorf("pair severities = %v, %v; want critical", id.Severity, sec.Severity)
	}
	if id.Commit.Author != "Alice" || id.Commit.Date.IsZero() {
		t.Errorf("commit provenance missing: %+v", id.Commit)
	}
	if res.Stats.Commits != 6 {
		t.Errorf("commits = %d, want 6", res.Stats.Commits)
	}
}

func TestHistoryReadsEachBlobOnce(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.write("a.txt", "key "+keyID+"\n")
	r.commit("one")
	for i := 0; i < 5; i++ {
		r.write("other.txt", strings.Repeat("x", i+1))
		r.commit("touch other")
	}
	r.git("tag", "v1")
	r.git("checkout", "-q", "-b", "copy")
	r.write("b/a.txt", "key "+keyID+"\n") // same blob at another path
	r.commit("copy")
	res := scan(t, &History{Repo: r.open()})
	if res.Stats.Blobs != 6 { // a.txt + 5 versions of other.txt; b/a.txt is the same blob
		t.Errorf("blobs read = %d, want 6", res.Stats.Blobs)
	}
	if len(res.Findings) != 1 || res.Findings[0].Path != "a.txt" {
		t.Errorf("findings = %v, want one in a.txt", summary(res.Findings, nil))
	}
}

func TestHistoryStashAndMessages(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.write("a.txt", "clean\n")
	r.commit("init")
	r.write("a.txt", "clean\nsecret_key = "+secretKey+"\n")
	r.git("stash", "-q")
	r.n++
	r.write("b.txt", "x\n")
	r.commit("deploy with " + keyID2)
	res := scan(t, &History{Repo: r.open()})
	var rules []string
	for _, f := range res.Findings {
		rules = append(rules, f.RuleID+" "+f.Path+":"+itoa(f.Line))
	}
	sort.Strings(rules)
	want := []string{"aws-access-key-id (commit message):1", "aws-secret-access-key a.txt:2"}
	if !equal(rules, want) {
		t.Fatalf("got %q, want %q", rules, want)
	}
}

func TestCorruptObject(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.write("a.txt", "some content that will be lost\n")
	r.commit("a")
	blob := r.git("rev-parse", "HEAD:a.txt")
	obj := filepath.Join(r.dir, ".git", "objects", blob[:2], blob[2:])
	if err := os.Chmod(obj, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(obj, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	rules, _ := patterns.Builtin()
	_, err := scanner.Scan(context.Background(), &History{Repo: r.open()}, scanner.NewDetector(rules, nil), scanner.Options{})
	if err == nil {
		// git may report the object as missing instead; then a note must say so.
		res := scan(t, &History{Repo: r.open()})
		if !strings.Contains(strings.Join(res.Stats.Notes, "\n"), "corrupt") {
			t.Fatalf("corrupt blob neither failed nor noted: %+v", res.Stats)
		}
		return
	}
	if !strings.Contains(err.Error(), "fsck") && !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("error does not explain corruption: %v", err)
	}
}

func TestHistoryBranchSinceExclude(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.write("old.txt", "id "+keyID+"\n")
	r.commit("old") // 2024-01-01 01:00
	r.git("checkout", "-q", "-b", "feature")
	r.write("feature.txt", "id "+keyID2+"\n")
	r.commit("feature")
	r.git("checkout", "-q", "main")
	r.n = 48
	r.write("vendor/lib.txt", "id AKIAGMXGEDN73U55XTPL\n")
	r.write("new.txt", "id ABIAEUVW75EFR6EDT4SY\n")
	r.commit("new") // 2024-01-03
	paths := func(h *History) []string {
		var out []string
		for _, f := range scan(t, h).Findings {
			out = append(out, f.Path)
		}
		sort.Strings(out)
		return out
	}
	repo := r.open()
	if got := paths(&History{Repo: repo, Revs: []string{"main"}}); !equal(got, []string{"new.txt", "old.txt", "vendor/lib.txt"}) {
		t.Errorf("--branch main: %q", got)
	}
	if got := paths(&History{Repo: repo, Since: "2024-01-02"}); !equal(got, []string{"new.txt", "vendor/lib.txt"}) {
		t.Errorf("--since: %q", got)
	}
	allow, err := (&scanner.Allowlist{}).WithPaths([]string{"vendor/"})
	if err != nil {
		t.Fatal(err)
	}
	h := &History{Repo: repo, Opts: gitsource.Options{Allow: allow}, NeedPaths: true}
	if got := paths(&History{Repo: repo, Opts: gitsource.Options{Allow: allow}}); !equal(got, []string{"feature.txt", "new.txt", "old.txt"}) {
		t.Errorf("allow-listed vendor/ read concurrently: %q", got)
	}
	if got := paths(h); !equal(got, []string{"feature.txt", "new.txt", "old.txt"}) {
		t.Errorf("--exclude vendor/: %q", got)
	}
	if h.Planned() != 3 {
		t.Errorf("planned = %d, want 3 blobs (excluded paths are never read)", h.Planned())
	}
}

func TestHistoryCopiesAndReleaksAreSeparateFindings(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.write("a.go", "key := \""+keyID+"\"\n")
	c1 := r.commit("leak in a.go")
	r.git("rm", "-q", "a.go")
	r.commit("remove a.go")
	r.write("b.go", "// again\nkey := \""+keyID+"\"\n")
	c3 := r.commit("leak again in a new file")
	r.write("c.go", "x\nkey := \""+keyID+"\"\n")
	r.write("d.go", "x\nkey := \""+keyID+"\"\n")
	c4 := r.commit("two identical copies")
	res := scan(t, &History{Repo: r.open(), SkipMessages: true})
	got := summary(res.Findings, map[string]string{c1: "c1", c3: "c3", c4: "c4"})
	want := []string{"aws-access-key-id a.go:1 c1", "aws-access-key-id b.go:2 c3", "aws-access-key-id c.go:2 c4", "aws-access-key-id d.go:2 c4"}
	if !equal(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestBareMirrorHistory(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.write("k", "id "+keyID+"\n")
	r.commit("k")
	mirror := filepath.Join(t.TempDir(), "m.git")
	gitIn(t, t.TempDir(), 0, "clone", "-q", "--mirror", r.dir, mirror)
	repo, err := gitsource.Open(context.Background(), mirror)
	if err != nil {
		t.Fatal(err)
	}
	if res := scan(t, &History{Repo: repo}); len(res.Findings) != 1 {
		t.Errorf("findings = %v", summary(res.Findings, nil))
	}
}

func TestEmptyShallowDetached(t *testing.T) {
	t.Parallel()
	t.Run("empty", func(t *testing.T) {
		r := newRepo(t)
		res := scan(t, &History{Repo: r.open()})
		if len(res.Findings) != 0 || !strings.Contains(strings.Join(res.Stats.Notes, "\n"), "no commits") {
			t.Errorf("empty repo: %+v", res.Stats)
		}
	})
	t.Run("shallow", func(t *testing.T) {
		r := newRepo(t)
		r.write("k", "id "+keyID+"\n")
		r.commit("one")
		r.write("j", "x\n")
		r.commit("two")
		dst := filepath.Join(t.TempDir(), "shallow")
		gitIn(t, t.TempDir(), 0, "clone", "-q", "--depth=1", "file://"+r.dir, dst)
		repo, err := gitsource.Open(context.Background(), dst)
		if err != nil {
			t.Fatal(err)
		}
		if !repo.Shallow {
			t.Fatal("shallow clone not detected")
		}
		res := scan(t, &History{Repo: repo})
		if len(res.Findings) != 1 {
			t.Errorf("the key is in the shallow tip's tree and must be found: %v", summary(res.Findings, nil))
		}
		if !strings.Contains(strings.Join(res.Stats.Notes, "\n"), "shallow") {
			t.Errorf("no shallow note: %v", res.Stats.Notes)
		}
	})
	t.Run("detached", func(t *testing.T) {
		r := newRepo(t)
		r.write("a", "a\n")
		r.commit("a")
		r.git("checkout", "-q", "--detach")
		r.write("k", "id "+keyID+"\n")
		r.commit("detached commit")
		res := scan(t, &History{Repo: r.open()})
		if len(res.Findings) != 1 {
			t.Errorf("commit on detached HEAD not scanned: %v", summary(res.Findings, nil))
		}
	})
}

func TestSubmodulesSymlinksBinary(t *testing.T) {
	t.Parallel()
	sub := newRepo(t)
	sub.write("s", "id "+keyID2+"\n")
	sub.commit("sub")
	r := newRepo(t)
	r.write("bin.dat", "\x00\x01id "+keyID+"\n")
	if err := os.Symlink("/etc/passwd", filepath.Join(r.dir, "link")); err != nil {
		t.Fatal(err)
	}
	r.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.dir, "vendor/sub")
	r.commit("all")
	res := scan(t, &History{Repo: r.open()})
	if len(res.Findings) != 0 || res.Stats.Skipped["submodule"] != 1 || res.Stats.Skipped["binary"] != 1 {
		t.Errorf("history: findings %v, skipped %v", summary(res.Findings, nil), res.Stats.Skipped)
	}
}

func TestHostileFileNames(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	names := []string{"new\nline.txt", "esc\x1b[31mred.txt", "tab\there.txt", "ünï cödé.txt", "quote\"d.txt", "sp ace b/x.txt"}
	for _, n := range names {
		r.write(n, "id "+keyID+"\n")
	}
	want := append([]string(nil), names...)
	sort.Strings(want)
	r.commit("hostile")
	res := scan(t, &History{Repo: r.open()})
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Path)
	}
	sort.Strings(got)
	// Same content in every file: one blob, read once, and one finding for
	// each path the introducing commit gave it.
	if !equal(got, want) {
		t.Fatalf("history paths:\n got %q\nwant %q", got, want)
	}
}

// TestHistoryCredentialFiles: a PKCS#12 bundle and a Java keystore are
// binary, yet a history scan finds them by their first bytes and attributes
// them to the commit and path that introduced them, through the in-process
// pack reader and through git cat-file alike, and counts them as scanned;
// other binary blobs are not read, and are counted as skipped.
func TestHistoryCredentialFiles(t *testing.T) {
	t.Parallel()
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join("..", "..", "..", "patterns", "testdata", "files", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	r := newRepo(t)
	r.write("README.md", "hello\n")
	r.commit("init")
	r.write("certs/client.pfx", read("bundle.p12"))
	r.write("img/logo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	c2 := r.commit("add a bundle")
	r.write("android/app-release.bin", read("store.jks"))
	c3 := r.commit("add a keystore under another name")
	r.git("rm", "-q", "certs/client.pfx", "android/app-release.bin")
	r.commit("remove them")
	r.git("gc", "-q") // one pack: the in-process reader's path
	names := map[string]string{c2: "c2", c3: "c3"}
	want := []string{"java-keystore-file android/app-release.bin:1 c3", "pkcs12-file certs/client.pfx:1 c2"}
	for _, useGit := range []bool{false, true} {
		res := scan(t, &History{Repo: r.open(), UseGit: useGit})
		if got := summary(res.Findings, names); !equal(got, want) {
			t.Errorf("UseGit=%v: findings %q, want %q", useGit, got, want)
		}
		// The bundle and the keystore were read whole and judged: scanned
		// blobs, beside README.md; the image is skipped as binary.
		if res.Stats.Skipped["binary"] != 1 || res.Stats.Blobs != 3 {
			t.Errorf("UseGit=%v: %d blobs, skipped %v; want 3 blobs scanned and the image skipped as binary", useGit, res.Stats.Blobs, res.Stats.Skipped)
		}
	}
}

// packedVersions makes a repository of three commits of one file, packed:
// a history the in-process pack reader reads.
func packedVersions(t *testing.T) *testRepo {
	t.Helper()
	r := newRepo(t)
	for i := range 3 {
		r.write("f.txt", fmt.Sprintf("version %d\n", i))
		r.commit(fmt.Sprintf("commit %d", i))
	}
	r.git("repack", "-adq")
	return r
}

// TestStartWithoutChunks: a scan that Start began but that never comes to
// read (the caller failed in between) ends with its context: the walk's
// commit messages, which wait for ChunksParallel's yield, are drained, and
// nothing blocks.
func TestStartWithoutChunks(t *testing.T) {
	r := packedVersions(t)
	ctx, cancel := context.WithCancel(t.Context())
	h := &History{Repo: r.open()}
	h.Start(ctx)
	p := h.pre
	<-p.ready
	cancel()
	select {
	case <-p.walkDone:
	case <-time.After(30 * time.Second):
		t.Fatal("the walk did not end with its context")
	}
	closePacks(p.packs)
}

// TestAbandon: a History that Start began and that no scan then reads
// (the command failed on its configuration) is given up by Abandon: the
// walk is stopped and waited for, and the packs are unmapped (on Linux,
// no mapping of the repository's pack is left in the process). Abandon
// without a Start does nothing.
func TestAbandon(t *testing.T) {
	r := packedVersions(t)
	packMapped := func() bool {
		maps, err := os.ReadFile("/proc/self/maps")
		if err != nil {
			t.Skipf("no /proc/self/maps: %v", err)
		}
		return strings.Contains(string(maps), filepath.Join(r.dir, ".git", "objects", "pack"))
	}
	(&History{Repo: r.open()}).Abandon()

	h := &History{Repo: r.open()}
	h.Start(t.Context())
	p := h.pre
	<-p.ready
	if !p.inProcess || !packMapped() {
		t.Fatal("the packs were not opened in process: nothing to abandon")
	}
	done := make(chan struct{})
	go func() {
		h.Abandon()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Abandon did not return")
	}
	select {
	case <-p.walkDone:
	default:
		t.Error("Abandon returned before the walk ended")
	}
	if packMapped() {
		t.Error("the pack is still mapped after Abandon")
	}
	if h.pre != nil {
		t.Error("Abandon left the prelude for a later ChunksParallel")
	}
}

// TestHistoryExplainNamesCommitAndPath: a candidate dropped in a blob is
// explained at the commit and path that introduced the blob, as a finding
// there would be (blobs are detected before the walk has placed them), once
// per path the commit gives it, and nowhere a later commit carried it.
func TestHistoryExplainNamesCommitAndPath(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.write("README.md", "hello\n")
	c1 := r.commit("init")
	weak := "password = \"changeme\"\n"
	r.write("app.env", weak)
	r.write("copy/app.env", weak)
	c2 := r.commit("add config")
	r.write("moved/app.env", weak)
	r.commit("copy again")
	names := map[string]string{c1: "c1", c2: "c2"}
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, needPaths := range []bool{false, true} {
		var got []string
		explain := func(d scanner.Drop) {
			c := "-"
			if d.Commit != nil {
				c = names[d.Commit.Hash]
				if c == "" {
					c = d.Commit.Hash[:7]
				}
			}
			got = append(got, d.RuleID+" "+d.Path+":"+itoa(d.Line)+" "+c)
		}
		h := &History{Repo: r.open(), NeedPaths: needPaths}
		if _, err := scanner.Scan(context.Background(), h, scanner.NewDetector(rules, nil), scanner.Options{Workers: 2, Explain: explain}); err != nil {
			t.Fatal(err)
		}
		want := []string{"generic-password app.env:1 c2", "generic-password copy/app.env:1 c2"}
		if !equal(got, want) {
			t.Errorf("NeedPaths=%v: explained\n got %q\nwant %q", needPaths, got, want)
		}
	}
}
