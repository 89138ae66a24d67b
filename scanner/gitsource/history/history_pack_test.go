package history

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// keywordText returns lines dense in the catalogue's keywords (and a few
// credentials), so that delta seams cut through keywords and hits.
func keywordText(rng *rand.Rand, n int) []string {
	words := []string{"token", "password", "secret", "apikey", "api_key", "AKIA", "ghp_", "xoxb-", "BEGIN RSA PRIVATE KEY",
		"aws_secret_access_key", "Authorization: Basic ", "%2F", `\u00`, "kind: Secret", "client_secret", "sk_live_"}
	lines := make([]string, n)
	for i := range lines {
		var b strings.Builder
		for k := rng.Intn(4); k >= 0; k-- {
			b.WriteString(words[rng.Intn(len(words))])
			b.WriteString(strings.Repeat("x", rng.Intn(6)))
			b.WriteByte(" =:\"'"[rng.Intn(5)])
		}
		switch rng.Intn(12) {
		case 0:
			b.WriteString("aws_access_key_id = " + base32Key(rng, "AKIA"))
		case 1:
			b.WriteString(fmt.Sprintf("password = \"Zq%08dVt!x\"", rng.Intn(1e8)))
		}
		lines[i] = b.String()
	}
	return lines
}

// packedHistory builds a repository whose files change a few lines at a
// time over many commits and branches, then repacks it with the given
// extra `git repack` configuration, so most blobs are deltas. The history
// goes through one `git fast-import` rather than a git add and commit per
// change (a third of the package's test time went to those processes); the
// work tree is then checked out, so tests can go on committing.
func packedHistory(t *testing.T, seed int64, repackConfig ...string) *testRepo {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	r := newRepo(t)
	names := []string{"config/app.yaml", "src/main.go", ".env", "docs/notes.md", "big.txt"}
	files := map[string][]string{}
	for _, n := range names {
		size := 30
		if n == "big.txt" {
			size = 3000 // copies over 64 KiB are split by git
		}
		files[n] = keywordText(rng, size)
	}
	var stream bytes.Buffer
	mark := 0
	// commit appends a commit of every file's current content to branch,
	// on top of parents (marks; none for the root), dated as testRepo
	// dates its commits, and returns its mark.
	commit := func(branch, msg string, parents ...int) int {
		mark++
		date := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.n) * time.Hour).Unix()
		fmt.Fprintf(&stream, "commit refs/heads/%s\nmark :%d\n", branch, mark)
		fmt.Fprintf(&stream, "author Alice <alice@example.com> %d +0000\ncommitter Alice <alice@example.com> %d +0000\n", date, date)
		fmt.Fprintf(&stream, "data %d\n%s\n", len(msg), msg)
		for i, p := range parents {
			if i == 0 {
				fmt.Fprintf(&stream, "from :%d\n", p)
			} else {
				fmt.Fprintf(&stream, "merge :%d\n", p)
			}
		}
		stream.WriteString("deleteall\n")
		for _, n := range names {
			content := strings.Join(files[n], "\n") + "\n"
			fmt.Fprintf(&stream, "M 100644 inline %s\ndata %d\n%s\n", n, len(content), content)
		}
		return mark
	}
	r.n++
	main := commit("main", "init")
	branch, tip := "main", main
	for i := 0; i < 60; i++ {
		if i%20 == 10 {
			branch = fmt.Sprintf("topic%d", i)
		}
		if i%20 == 19 {
			// main has not moved since the topic left it: the merge
			// takes the topic's tree, as git merge -X theirs would.
			r.n++
			main = commit("main", "merge", main, tip)
			branch, tip = "main", main
		}
		for k := rng.Intn(3); k >= 0; k-- {
			n := names[rng.Intn(len(names))]
			lines := files[n]
			at := rng.Intn(len(lines))
			del := min(rng.Intn(3), len(lines)-at)
			ins := keywordText(rng, rng.Intn(4))
			files[n] = append(lines[:at:at], append(ins, lines[at+del:]...)...)
		}
		r.n++
		tip = commit(branch, fmt.Sprintf("edit %d", i), tip)
		if branch == "main" {
			main = tip
		}
	}
	imp := exec.Command("git", "fast-import", "--quiet")
	imp.Dir = r.dir
	imp.Stdin = &stream
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	r.git("reset", "-q", "--hard", "main")
	args := []string{}
	for _, c := range repackConfig {
		args = append(args, "-c", c)
	}
	r.git(append(args, "repack", "-adfq", "--depth=50", "--window=10")...)
	return r
}

// TestPackReaderMatchesGit scans packed histories with the in-process
// reader and with git cat-file, and requires the same findings; every
// chunk whose keyword hits the reader derived must carry exactly the hits
// an automaton pass over the whole blob finds.
func TestPackReaderMatchesGit(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		config []string
		after  func(r *testRepo)
	}{
		{name: "ofs-delta"},
		{name: "ref-delta", config: []string{"repack.useDeltaBaseOffset=false"}},
		{name: "two-packs-and-loose", after: func(r *testRepo) {
			// A second pack with later history, and loose objects on top.
			r.write(".env", "aws_access_key_id = AKIAUJZDEGXDNCF32EPF\n")
			r.commit("loose")
			r.git("repack", "-dq")
			r.write("config/app.yaml", "client_secret: \"a8Fk3LzQ9vR2mT7wX1cB\"\n")
			r.commit("looser")
		}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := packedHistory(t, int64(i+1), tc.config...)
			if tc.after != nil {
				tc.after(r)
			}
			repo := r.open()
			viaGit := scan(t, &History{Repo: repo, UseGit: true})
			inProc := scan(t, &History{Repo: repo})
			if len(viaGit.Findings) == 0 {
				t.Fatal("the generator planted nothing")
			}
			if g, p := summary(viaGit.Findings, nil), summary(inProc.Findings, nil); !equal(g, p) {
				t.Errorf("findings differ\ngit:  %v\npack: %v", g, p)
			}
			if g, p := comparable(viaGit.Findings), comparable(inProc.Findings); !reflect.DeepEqual(g, p) {
				t.Errorf("findings differ in detail\ngit:  %+v\npack: %+v", g, p)
			}
			if viaGit.Stats.Blobs != inProc.Stats.Blobs || viaGit.Stats.Bytes != inProc.Stats.Bytes {
				t.Errorf("read %d blobs, %d bytes; git read %d, %d", inProc.Stats.Blobs, inProc.Stats.Bytes, viaGit.Stats.Blobs, viaGit.Stats.Bytes)
			}
			checkDerivedHits(t, repo)

			// With a size limit that big.txt's versions exceed, both readers
			// skip the same blobs (the pack reader without rebuilding them).
			small := gitsource.Options{MaxFileSize: 20000}
			g, p := scan(t, &History{Repo: repo, UseGit: true, Opts: small}), scan(t, &History{Repo: repo, Opts: small})
			if g.Stats.Skipped["too-large"] == 0 || !reflect.DeepEqual(g.Stats.Skipped, p.Stats.Skipped) {
				t.Errorf("skipped: git %v, pack %v", g.Stats.Skipped, p.Stats.Skipped)
			}
			if gs, ps := summary(g.Findings, nil), summary(p.Findings, nil); !equal(gs, ps) {
				t.Errorf("with a size limit, findings differ\ngit:  %v\npack: %v", gs, ps)
			}
		})
	}
}

// findingFields is what a report shows of a finding.
type findingFields struct {
	Rule, Path, Commit, Blob, Secret, Fingerprint string
	Line, Column                                  int
	Severity                                      patterns.Severity
	Attributes                                    map[string]string
}

func comparable(fs []scanner.Finding) []findingFields {
	out := make([]findingFields, len(fs))
	for i, f := range fs {
		out[i] = findingFields{f.RuleID, f.Path, "", f.BlobID, f.Secret, f.Fingerprint, f.Line, f.Column, f.Severity, f.Attributes}
		if f.Commit != nil {
			out[i].Commit = f.Commit.Hash
		}
	}
	return out
}

// checkDerivedHits reads every blob through the pack reader and compares
// the hits it supplies with a full automaton pass.
func checkDerivedHits(t *testing.T, repo *gitsource.Repo) {
	t.Helper()
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	auto := scanner.NewDetector(rules, nil).Automaton()
	h := &History{Repo: repo, SkipMessages: true}
	h.UseAutomaton(auto)
	derived, hits := 0, 0
	err = h.Chunks(context.Background(), func(c scanner.Chunk) error {
		defer func() {
			if c.Release != nil {
				c.Release()
			}
		}()
		if !c.HitsKnown {
			return nil
		}
		derived++
		var want []patterns.Hit
		auto.Scan(c.Data, func(kw, end int) { want = append(want, patterns.Hit{Keyword: int32(kw), End: int32(end)}) })
		got := append([]patterns.Hit(nil), c.Hits...)
		order := func(hs []patterns.Hit) {
			sort.Slice(hs, func(a, b int) bool {
				if hs[a].End != hs[b].End {
					return hs[a].End < hs[b].End
				}
				return hs[a].Keyword < hs[b].Keyword
			})
		}
		order(want)
		order(got)
		hits += len(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("blob %s: derived %d hits, the automaton finds %d", c.BlobID, len(got), len(want))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if derived < 50 || hits == 0 {
		t.Fatalf("only %d blobs (%d hits) had hits supplied: the pack reader was not exercised", derived, hits)
	}
}

// TestPackReaderCorruptPack damages a pack's compressed data: the blobs it
// cannot inflate are handed to git, which reports the damage, and nothing
// else is lost.
func TestPackReaderCorruptPack(t *testing.T) {
	t.Parallel()
	r := packedHistory(t, 7)
	packs, _ := filepath.Glob(filepath.Join(r.dir, ".git", "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("packs: %v", packs)
	}
	data, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	// Damage the zlib stream of one blob stored as a delta, deep in a chain.
	damaged := ""
	for _, l := range strings.Split(r.git("verify-pack", "-v", strings.TrimSuffix(packs[0], ".pack")+".idx"), "\n") {
		f := strings.Fields(l) // id type size size-in-pack offset [depth base]
		if len(f) == 7 && f[1] == "blob" && f[5] == "3" {
			inPack, _ := strconv.Atoi(f[3])
			off, _ := strconv.Atoi(f[4])
			for k := off + inPack/2; k < off+inPack; k++ {
				data[k] ^= 0x5a
			}
			damaged = f[0]
			break
		}
	}
	if damaged == "" {
		t.Fatal("no blob at delta depth 3 to damage")
	}
	os.Chmod(packs[0], 0o644)
	if err := os.WriteFile(packs[0], data, 0o644); err != nil {
		t.Fatal(err)
	}
	rules, _ := patterns.Builtin()
	_, err = scanner.Scan(context.Background(), &History{Repo: r.open()}, scanner.NewDetector(rules, nil), scanner.Options{})
	if err == nil {
		t.Fatal("a corrupt pack scanned without an error")
	}
	if !strings.Contains(err.Error(), "git") {
		t.Errorf("error does not come from git's own reading: %v", err)
	}
}

// BenchmarkHistoryReaders scans every blob of a repository's history with
// the full catalogue, through the in-process pack reader and through git
// cat-file. Throughput is unique blob bytes per second. Run on a large
// history with -cpuprofile to see where a scan's time goes:
//
//	RAMPART_BENCH_REPO=/tmp/r100k go test -run '^$' -bench HistoryReaders -benchtime 1x ./scanner/gitsource/
func BenchmarkHistoryReaders(b *testing.B) {
	dir := benchRepoDir(b)
	rules, err := patterns.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	repo, err := gitsource.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"pack", "git"} {
		b.Run(mode, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				res, err := scanner.Scan(ctx, &History{Repo: repo, UseGit: mode == "git"}, scanner.NewDetector(rules, nil), scanner.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(res.Stats.Bytes)
			}
		})
	}
}

// TestPartialClone scans a blobless partial clone: the walk places blobs
// the object store does not have. Both readers say how many, and that a
// partial clone's filter left them out (not that the repository is
// corrupt), read what is there, and never ask the promisor remote for the
// rest (nothing is sent over the network unless a flag says so). A mirror
// kept without its config (git/git's here) is known by its .promisor file.
func TestPartialClone(t *testing.T) {
	t.Parallel()
	src := packedHistory(t, 3)
	dst := filepath.Join(t.TempDir(), "partial")
	src.git("config", "uploadpack.allowFilter", "true")
	gitIn(t, src.dir, src.n, "clone", "-q", "--bare", "--filter=blob:none", "file://"+src.dir, dst)
	// The source must not be reachable any more: a lazy fetch would fail
	// loudly instead of passing unnoticed.
	if err := os.RemoveAll(src.dir); err != nil {
		t.Fatal(err)
	}
	check := func(how string) {
		for _, useGit := range []bool{false, true} {
			repo, err := gitsource.Open(context.Background(), dst)
			if err != nil {
				t.Fatal(err)
			}
			res := scan(t, &History{Repo: repo, UseGit: useGit})
			notes := strings.Join(res.Stats.Incomplete, "\n")
			if !strings.Contains(notes, "not in this partial clone") || strings.Contains(notes, "corrupt") || res.Stats.Skipped["missing-object"] == 0 {
				t.Errorf("%s, useGit=%v: missing blobs not reported as left out by the clone's filter: %+v", how, useGit, res.Stats)
			}
			if res.Stats.Commits != 61+3 {
				t.Errorf("%s, useGit=%v: %d commits walked", how, useGit, res.Stats.Commits)
			}
		}
	}
	check("partial clone")
	gitIn(t, dst, 0, "config", "--remove-section", "remote.origin")
	check("config lost")
	promisors, _ := filepath.Glob(filepath.Join(dst, "objects", "pack", "*.promisor"))
	for _, p := range promisors {
		os.Remove(p)
	}
	gitIn(t, dst, 0, "config", "remote.origin.promisor", "true")
	check("promisor files lost")
	// git's other spellings of true.
	gitIn(t, dst, 0, "config", "remote.origin.promisor", "yes")
	check("promisor = yes")
	gitIn(t, dst, 0, "config", "remote.origin.promisor", "1")
	check("promisor = 1")
	// With neither, the same store is an incomplete one.
	gitIn(t, dst, 0, "config", "--unset", "remote.origin.promisor")
	repo, err := gitsource.Open(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if res := scan(t, &History{Repo: repo}); !strings.Contains(strings.Join(res.Stats.Incomplete, "\n"), "corrupt or incomplete") {
		t.Errorf("no promisor pack: missing blobs not reported as corruption: %+v", res.Stats)
	}
}

// TestSHA256Repository: history keys blobs by SHA-1 names, so a SHA-256
// repository gets a clear error instead of a scan that reads nothing,
// whether Open learnt the format or history must ask git; a range scan,
// which needs no object names, still works.
func TestSHA256Repository(t *testing.T) {
	t.Parallel()
	r := newRepo(t, "--object-format=sha256")
	r.write(".env", "aws_access_key_id = "+keyID+"\n")
	r.commit("leak")
	rules, _ := patterns.Builtin()
	opened := r.open()
	if opened.ObjectFormat != "sha256" {
		t.Errorf("Open: ObjectFormat %q, want sha256", opened.ObjectFormat)
	}
	unknown := *opened
	unknown.ObjectFormat = ""
	for _, repo := range []*gitsource.Repo{opened, &unknown} {
		_, err := scanner.Scan(context.Background(), &History{Repo: repo}, scanner.NewDetector(rules, nil), scanner.Options{})
		if err == nil || !strings.Contains(err.Error(), "SHA-1 repositories only") {
			t.Fatalf("history of a SHA-256 repository (format known to Open: %q): %v", repo.ObjectFormat, err)
		}
	}
	if sha1 := newRepo(t).open(); sha1.ObjectFormat != "sha1" {
		t.Errorf("Open: ObjectFormat %q, want sha1", sha1.ObjectFormat)
	}
	res := scan(t, &gitsource.Commits{Repo: r.open(), Revs: []string{"HEAD"}})
	if len(res.Findings) != 1 {
		t.Errorf("range scan of a SHA-256 repository: %v", summary(res.Findings, nil))
	}
}

// benchRepoDir returns the repository the reader benchmarks read: the one
// RAMPART_BENCH_REPO names, or one bench/mkrepo generates in a temporary
// directory removed when the benchmark ends.
func benchRepoDir(b *testing.B) string {
	b.Helper()
	if dir := os.Getenv("RAMPART_BENCH_REPO"); dir != "" {
		return dir
	}
	dir := filepath.Join(b.TempDir(), "repo")
	cmd := exec.Command("go", "run", "../../bench/mkrepo", "-commits", "3000", "-files", "2000", "-out", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Skipf("bench/mkrepo: %v\n%s", err, out)
	}
	return dir
}

// TestLargeBinaryJudgedByHead: a large blob no delta is built on is judged
// by its first bytes before it is inflated whole. A binary one (a vendored
// archive) is skipped without reading the rest: the key past its head is
// not found, and damage to its stream past the head costs nothing (the
// scan reads no byte of it). Large text, UTF-16 text and a large binary
// that is a delta's base are read whole as before.
func TestLargeBinaryJudgedByHead(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	noise := func(n int) string {
		b := make([]byte, n)
		rng.Read(b)
		return string(b)
	}
	r := newRepo(t)
	r.write("vendor/lib.tar.gz", "\x1f\x8b\x08\x00"+noise(300<<10)+"\nid "+keyID+"\n")
	r.write("big.txt", strings.Repeat("plain text line\n", 8<<10)+"aws_access_key_id = "+keyID2+"\n")
	r.write("deploy.ps1", wide(psScript(3000, map[int]string{2900: "$env:AWS_ACCESS_KEY_ID = \"" + keyID + "\""}), false, true))
	r.commit("large blobs")
	r.git("gc", "-q")
	want := []string{"aws-access-key-id big.txt:8193", "aws-access-key-id deploy.ps1:2900"}
	check := func(what string) {
		t.Helper()
		res := scan(t, &History{Repo: r.open()})
		var got []string
		for _, f := range res.Findings {
			got = append(got, fmt.Sprintf("%s %s:%d", f.RuleID, f.Path, f.Line))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) || res.Stats.Skipped["binary"] != 1 || len(res.Stats.Incomplete) != 0 {
			t.Errorf("%s: findings %v, skipped %v, incomplete %v", what, got, res.Stats.Skipped, res.Stats.Incomplete)
		}
	}
	check("packed")

	packs, _ := filepath.Glob(filepath.Join(r.dir, ".git", "objects", "pack", "*.pack"))
	data, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	archive := r.git("rev-parse", "HEAD:vendor/lib.tar.gz")
	damaged := false
	for _, l := range strings.Split(r.git("verify-pack", "-v", strings.TrimSuffix(packs[0], ".pack")+".idx"), "\n") {
		f := strings.Fields(l) // id type size size-in-pack offset
		if len(f) >= 5 && f[0] == archive {
			inPack, _ := strconv.Atoi(f[3])
			off, _ := strconv.Atoi(f[4])
			for k := off + inPack/2; k < off+inPack; k++ {
				data[k] ^= 0x5a
			}
			damaged = true
		}
	}
	if !damaged {
		t.Fatal("the archive is not in the pack")
	}
	os.Chmod(packs[0], 0o644)
	if err := os.WriteFile(packs[0], data, 0o644); err != nil {
		t.Fatal(err)
	}
	check("archive's stream damaged past its head")
}
