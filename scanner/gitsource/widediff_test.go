package gitsource

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/rampart-sec/rampart/scanner"
)

// wide returns s as UTF-16, little- or big-endian, with a byte-order mark
// when bom is set (what PowerShell 5's Out-File writes).
func wide(s string, bigEndian, bom bool) string {
	order, policy := unicode.LittleEndian, unicode.IgnoreBOM
	if bigEndian {
		order = unicode.BigEndian
	}
	if bom {
		policy = unicode.UseBOM
	}
	out, err := unicode.UTF16(order, policy).NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return out
}

func TestAddedLines(t *testing.T) {
	tests := []struct {
		name string
		olds []string
		text string
		want string // "line:text|…"
	}{
		{"new file", nil, "a\nb\n", "1:a|2:b"},
		{"new file, no final newline", []string{""}, "a\nb", "1:a|2:b"},
		{"edit in the middle", []string{"a\nb\nc\n"}, "a\nB\nc\n", "2:B"},
		{"insertions", []string{"a\nc\n"}, "x\na\nb\nc\ny\n", "1:x|3:b|5:y"},
		{"CRLF kept", []string{"a\r\nb\r\n"}, "a\r\nk\r\nb\r\n", "2:k\r"},
		{"a duplicated line is added", []string{"a\nk\nz\n"}, "a\nk\nk\nz\n", "3:k"},
		{"a line moved within the change is not", []string{"a\nk\nb\nc\n"}, "a\nb\nk\nc\n", ""},
		{"deletions only", []string{"a\nb\nc\n"}, "a\nc\n", ""},
		{"blank lines too", []string{"a\n"}, "a\n\n\r\nb\n", "2:|3:\r|4:b"},
		{"merge: added relative to every parent", []string{"a\nx\n", "a\ny\n"}, "a\nx\ny\nevil\n", "4:evil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var olds [][]byte
			for _, o := range tt.olds {
				olds = append(olds, []byte(o))
			}
			data, lines := addedLines(olds, []byte(tt.text))
			var got []string
			for i, l := range strings.SplitAfter(string(data), "\n") {
				if l == "" {
					continue
				}
				got = append(got, itoa(lines[i])+":"+strings.TrimSuffix(l, "\n"))
			}
			if len(got) != len(lines) || strings.Join(got, "|") != tt.want {
				t.Errorf("added %q (lines %v), want %q", strings.Join(got, "|"), lines, tt.want)
			}
		})
	}
}

// psLines is a PowerShell script of n CRLF lines, with line k (1-based)
// replaced by set[k].
func psLines(n int, set map[int]string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		l, ok := set[i]
		if !ok {
			l = fmt.Sprintf("Write-Host \"step %d\"", i)
		}
		b.WriteString(l + "\r\n")
	}
	return b.String()
}

func wideSummary(fs []scanner.Finding, names map[string]string) []string {
	var out []string
	for _, f := range fs {
		c := "-"
		if f.Commit != nil {
			c = names[f.Commit.Hash]
		}
		out = append(out, fmt.Sprintf("%s:%d:%d %s %s %s", f.Path, f.Line, f.Column, f.Secret, c, f.Attributes["encoding"]))
	}
	sort.Strings(out)
	return out
}

// TestUTF16InDiffs: git shows a UTF-16 file's change as "Binary files
// differ"; --staged and ranges still report the keys on its added lines,
// at their lines in the file, and not the keys the file held before (a
// key already committed, a file re-saved from UTF-8 as UTF-16); a merge
// reports only what it added itself.
func TestUTF16InDiffs(t *testing.T) {
	const key3 = "AKIAGMXGEDN73U55XTPL"
	r := newRepo(t)
	r.write("deploy.ps1", wide(psLines(40, map[int]string{5: "$old = \"" + keyID2 + "\""}), false, true))
	r.write("notes.txt", "first\nid "+keyID2+"\n")
	r.write("logo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
	r.write("data.bin", "\x00\x01\x02 id "+keyID+"\n")
	r.write("old/tool.ps1", wide(psLines(30, map[int]string{3: "$k = \"" + keyID2 + "\""}), false, true))
	base := r.commit("base")

	r.write("deploy.ps1", wide(psLines(41, map[int]string{5: "$old = \"" + keyID2 + "\"", 20: "$env:AWS_ACCESS_KEY_ID = \"" + keyID + "\" # clé"}), false, true))
	r.write("settings.reg", wide("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Deploy]\r\n\"Id\"=\""+key3+"\"\r\n", true, true))
	r.write("notes.txt", wide("first\nid "+keyID2+"\nsecond id "+key3+"\n", false, false))
	r.write("logo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x00")
	r.write("data.bin", "\x00\x01\x02 id "+keyID+" v2\n")
	// Renamed and edited: its old blob is the renamed file's.
	r.git("rm", "-q", "old/tool.ps1")
	r.write("tools/tool.ps1", wide(psLines(31, map[int]string{3: "$k = \"" + keyID2 + "\"", 31: "$n = \"" + key3 + "\""}), false, true))
	r.git("add", "-A")
	if st := r.git("diff", "--cached", "--name-status", "-M"); !strings.Contains(st, "R") {
		t.Fatalf("no rename staged:\n%s", st)
	}
	want := []string{
		"deploy.ps1:20:27 " + keyID + " %s utf-16le",
		"notes.txt:3:11 " + key3 + " %s utf-16le",
		"settings.reg:4:7 " + key3 + " %s utf-16be",
		"tools/tool.ps1:31:7 " + key3 + " %s utf-16le",
	}
	res := scan(t, &Staged{Repo: r.open()})
	if got := wideSummary(res.Findings, nil); strings.Join(got, "\n") != fmt.Sprintf(strings.Join(want, "\n"), "-", "-", "-", "-") {
		t.Errorf("staged:\n%s\nwant\n%s", strings.Join(got, "\n"), fmt.Sprintf(strings.Join(want, "\n"), "-", "-", "-", "-"))
	}
	if res.Stats.Skipped["binary"] != 2 {
		t.Errorf("staged: skipped %v, want logo.png and data.bin as binary", res.Stats.Skipped)
	}
	c1 := r.commit("keys")

	// A merge whose side branch added a key: the merge reports only the
	// line it adds itself.
	r.git("checkout", "-q", "-b", "side")
	side := psLines(41, map[int]string{5: "$old = \"" + keyID2 + "\"", 20: "$env:AWS_ACCESS_KEY_ID = \"" + keyID + "\" # clé", 30: "$side = \"" + key3 + "\""})
	r.write("deploy.ps1", wide(side, false, true))
	c2 := r.commit("side key")
	r.git("checkout", "-q", "main")
	r.write("deploy.ps1", wide(psLines(41, map[int]string{1: "# main", 5: "$old = \"" + keyID2 + "\"", 20: "$env:AWS_ACCESS_KEY_ID = \"" + keyID + "\" # clé"}), false, true))
	c3 := r.commit("main edit")
	r.n++
	r.git("merge", "-q", "--no-commit", "-s", "ours", "side")
	r.write("deploy.ps1", wide(psLines(42, map[int]string{1: "# main", 5: "$old = \"" + keyID2 + "\"", 20: "$env:AWS_ACCESS_KEY_ID = \"" + keyID + "\" # clé", 30: "$side = \"" + key3 + "\"", 42: "$evil = '" + keyID2 + "'"}), false, true))
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "merge")
	merge := r.git("rev-parse", "HEAD")

	names := map[string]string{c1: "c1", c2: "c2", c3: "c3", merge: "merge"}
	res = scan(t, &Commits{Repo: r.open(), Revs: []string{base + "..HEAD"}, SkipMessages: true})
	wantRange := []string{
		"deploy.ps1:20:27 " + keyID + " c1 utf-16le",
		"deploy.ps1:30:10 " + key3 + " c2 utf-16le",
		"deploy.ps1:42:10 " + keyID2 + " merge utf-16le",
		"notes.txt:3:11 " + key3 + " c1 utf-16le",
		"settings.reg:4:7 " + key3 + " c1 utf-16be",
		"tools/tool.ps1:31:7 " + key3 + " c1 utf-16le",
	}
	if got := wideSummary(res.Findings, names); !equal(got, wantRange) {
		t.Errorf("range:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantRange, "\n"))
	}
}

func TestIndexIDs(t *testing.T) {
	tests := []struct{ line, olds, new string }{
		{"1234abcd..5678ef01 100644", "1234abcd", "5678ef01"},
		{"0000000..5678ef01", "0000000", "5678ef01"},
		{"aaaa,bbbb..cccc", "aaaa,bbbb", "cccc"},
		{"garbage", "", ""},
	}
	for _, tt := range tests {
		olds, n := indexIDs([]byte(tt.line))
		if strings.Join(olds, ",") != tt.olds || n != tt.new {
			t.Errorf("indexIDs(%q) = %q, %q; want %q, %q", tt.line, olds, n, tt.olds, tt.new)
		}
	}
}

// FuzzAddedLines: every line reported is the new text's line of that
// number, in order, and a text compared with itself adds nothing.
func FuzzAddedLines(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nB\nc\nd"))
	f.Add([]byte(""), []byte("x\r\n\r\ny"))
	f.Fuzz(func(t *testing.T, old, text []byte) {
		if data, _ := addedLines([][]byte{text}, text); len(data) != 0 {
			t.Fatalf("a text compared with itself adds %q", data)
		}
		data, lines := addedLines([][]byte{old}, text)
		all := splitLines(text)
		got := splitLines(data)
		if len(got) != len(lines) && !(len(lines) > 0 && len(got) == len(lines)-1) {
			t.Fatalf("%d lines of data, %d numbers", len(got), len(lines))
		}
		for i, n := range lines {
			if n < 1 || n > len(all) || (i > 0 && n <= lines[i-1]) {
				t.Fatalf("line numbers %v for %d lines", lines, len(all))
			}
			if i < len(got) && string(got[i]) != string(all[n-1]) {
				t.Fatalf("line %d reported as %q, is %q", n, got[i], all[n-1])
			}
		}
	})
}

// TestAttributeBinaryTextInDiffs: .gitattributes marking text `binary` or
// `-diff` makes git print "Binary files differ" for it; --staged and ranges
// (pre-push reads a range) still report the keys on its added lines, at
// their lines, and not the keys it held before. A file binary by its bytes
// stays skipped however it is marked.
func TestAttributeBinaryTextInDiffs(t *testing.T) {
	const key3 = "AKIAGMXGEDN73U55XTPL"
	r := newRepo(t)
	r.write(".gitattributes", "*.env -diff\nsecrets/** binary\n*.dat binary\n")
	r.write("app.env", "REGION=eu-west-1\nAWS_ACCESS_KEY_ID="+keyID2+"\n")
	r.write("secrets/keys.txt", "old id "+keyID2+"\n")
	r.write("blob.dat", "\x00\x01\x02 id "+keyID+"\n")
	base := r.commit("base")

	r.write("app.env", "REGION=eu-west-1\nAWS_ACCESS_KEY_ID="+keyID2+"\nBACKUP_AWS_ACCESS_KEY_ID="+keyID+"\n")
	r.write("secrets/keys.txt", "new id "+key3+"\nold id "+keyID2+"\n")
	r.write("blob.dat", "\x00\x01\x02 id "+keyID+" v2 "+key3+"\n")
	r.git("add", "-A")
	if d := r.git("diff", "--cached", "--", "app.env", "secrets/keys.txt"); strings.Count(d, "Binary files") != 2 {
		t.Fatalf("git does not call the marked files binary:\n%s", d)
	}
	want := []string{
		"app.env:3:26 " + keyID + " %s ",
		"secrets/keys.txt:1:8 " + key3 + " %s ",
	}
	res := scan(t, &Staged{Repo: r.open()})
	if got, w := strings.Join(wideSummary(res.Findings, nil), "\n"), fmt.Sprintf(strings.Join(want, "\n"), "-", "-"); got != w {
		t.Errorf("staged:\n%s\nwant\n%s", got, w)
	}
	if res.Stats.Skipped["binary"] != 1 {
		t.Errorf("staged: skipped %v, want blob.dat as binary", res.Stats.Skipped)
	}
	c1 := r.commit("keys")
	res = scan(t, &Commits{Repo: r.open(), Revs: []string{base + "..HEAD"}, SkipMessages: true})
	if got, w := strings.Join(wideSummary(res.Findings, map[string]string{c1: "c1"}), "\n"), fmt.Sprintf(strings.Join(want, "\n"), "c1", "c1"); got != w {
		t.Errorf("range:\n%s\nwant\n%s", got, w)
	}
}

// TestBinaryBlobReadOnlyAsFarAsItsHead: a binary file in a diff is judged
// by its first 8000 bytes; the rest of its blob is never held in memory.
func TestBinaryBlobReadOnlyAsFarAsItsHead(t *testing.T) {
	r := newRepo(t)
	big := make([]byte, 8<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	r.write("model.weights", string(big))
	r.write("notes.txt", "hello\n")
	r.commit("add")
	w := &wideBlobs{ctx: t.Context(), repo: r.open()}
	defer w.close()
	if d, _ := w.read(r.git("rev-parse", "HEAD:notes.txt")); d == nil { // starts git
		t.Fatal("text blob not read")
	}
	id := r.git("rev-parse", "HEAD:model.weights")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	data, _ := w.read(id)
	runtime.ReadMemStats(&after)
	if data != nil || w.err != nil {
		t.Fatalf("binary blob read as %d bytes (err %v)", len(data), w.err)
	}
	t.Logf("alloc %d", after.TotalAlloc-before.TotalAlloc)
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("judging an 8 MB binary blob allocated %d bytes", n)
	}
	if d, _ := w.read(r.git("rev-parse", "HEAD:notes.txt")); d == nil {
		t.Error("the blob after it is not read: cat-file's output is out of step")
	}
}

// gitChildren counts this process's running git children (Linux /proc).
func gitChildren(t *testing.T) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		t.Skip("no /proc")
	}
	n := 0
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …
		i := bytes.LastIndexByte(b, ')')
		if i < 0 || !bytes.HasSuffix(b[:i], []byte("(git")) {
			continue
		}
		if f := strings.Fields(string(b[i+1:])); len(f) > 1 && f[1] == strconv.Itoa(os.Getpid()) {
			n++
		}
	}
	return n
}

// TestWideBlobsOneProcess: the blobs of a diff's binary files are read
// through one git process, sizes and contents alike, and a blob after one
// passed over unread (too large, binary) is still read in step.
func TestWideBlobsOneProcess(t *testing.T) {
	r := newRepo(t)
	r.write("big.ps1", wide(psLines(400, nil), false, true))
	r.write("disk.img", "\x00\x01\x02\x03 not text")
	r.write("deploy.ps1", wide(psLines(10, map[int]string{4: "$k = \"" + keyID + "\""}), false, true))
	r.commit("files")
	id := func(path string) string { return r.git("rev-parse", "HEAD:"+path) }
	w := &wideBlobs{ctx: t.Context(), repo: r.open(), max: 4096}
	defer w.close()
	for p, want := range map[string]string{"big.ps1": "too-large", "disk.img": "binary"} {
		if _, skip := w.chunk(&FileDiff{Path: p, NewID: id(p)}, nil); skip != want {
			t.Errorf("%s: skipped %q, want %q", p, skip, want)
		}
	}
	ch, skip := w.chunk(&FileDiff{Path: "deploy.ps1", NewID: id("deploy.ps1")}, nil)
	if skip != "" || !strings.Contains(string(ch.Data), keyID) || ch.Encoding != scanner.UTF16LE {
		t.Errorf("deploy.ps1: skipped %q, %s %q", skip, ch.Encoding, ch.Data)
	}
	if n := gitChildren(t); n != 1 {
		t.Errorf("%d git processes running, want one cat-file", n)
	}
}

// TestAttributeBinaryCredentialName: a text file whose name a
// credential-file rule knows (server.key, master.key) and that
// .gitattributes marks -diff is still read as text in a diff: its added
// lines go to the text rules (a PEM private key, an access key), and a
// Rails master key is still found by the file rule.
func TestAttributeBinaryCredentialName(t *testing.T) {
	r := newRepo(t)
	r.write(".gitattributes", "*.key -diff\n")
	r.write("README", "keys\n")
	base := r.commit("base")
	r.write("deploy/aws.key", "AWS_ACCESS_KEY_ID="+keyID+"\n")
	r.write("config/master.key", "2c3f8e1a9b7d4f60e5a1c2b3d4e5f607\n")
	r.git("add", "-A")
	if d := r.git("diff", "--cached", "--", "deploy/aws.key"); !strings.Contains(d, "Binary files") {
		t.Fatalf("git does not call the marked file binary:\n%s", d)
	}
	check := func(mode string, res *scanner.Result) {
		t.Helper()
		var got []string
		for _, f := range res.Findings {
			got = append(got, f.Path+":"+f.RuleID)
		}
		sort.Strings(got)
		if len(got) != 2 || !strings.HasPrefix(got[0], "config/master.key:") || !strings.HasPrefix(got[1], "deploy/aws.key:aws") {
			t.Errorf("%s: findings %q, want the master key and the access key in deploy/aws.key", mode, got)
		}
	}
	check("staged", scan(t, &Staged{Repo: r.open()}))
	r.commit("keys")
	check("range", scan(t, &Commits{Repo: r.open(), Revs: []string{base + "..HEAD"}, SkipMessages: true}))
}

// TestWideBlobsFailureIsTold: once git cat-file has failed, the binary
// files that follow cannot be read and are counted as binary; finish says
// the scan is incomplete rather than let them pass unscanned in silence.
func TestWideBlobsFailureIsTold(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "hello\n")
	r.write("b.txt", "world\n")
	r.commit("add")
	w := &wideBlobs{ctx: t.Context(), repo: r.open()}
	if d, _ := w.read(r.git("rev-parse", "HEAD:a.txt")); d == nil { // starts git
		t.Fatal("text blob not read")
	}
	var ok scanner.Stats
	(&wideBlobs{ctx: t.Context()}).finish(&ok)
	if len(ok.Incomplete) != 0 {
		t.Errorf("nothing failed, yet incomplete: %q", ok.Incomplete)
	}
	w.cat.cmd.Process.Kill()
	w.cat.cmd.Wait()
	if d, _ := w.read(r.git("rev-parse", "HEAD:b.txt")); d != nil {
		t.Fatal("read a blob from a dead git")
	}
	var st scanner.Stats
	w.finish(&st)
	if len(st.Incomplete) != 1 || !strings.Contains(st.Incomplete[0], "could not be read") {
		t.Errorf("incomplete %q; want the failed reads told", st.Incomplete)
	}
}

// TestAttributeBinaryOverLimit: a text file over --max-file-size that
// .gitattributes marks binary (or a UTF-16 one) is counted too-large, as a
// plain text file over the limit is, so the scan says coverage was lost;
// a binary file over the limit is still counted binary.
func TestAttributeBinaryOverLimit(t *testing.T) {
	r := newRepo(t)
	r.write(".gitattributes", "*.dat binary\n")
	r.write("README", "base\n")
	base := r.commit("base")
	big := strings.Repeat("filler line of plain text\n", 400) + "id " + keyID + "\n"
	r.write("dump.dat", big)
	r.write("plain.txt", big)
	r.write("deploy.ps1", wide(big, false, true))
	r.write("image.raw", "\x00\x01\x02\x03"+strings.Repeat("\x00\xff", 4000))
	r.write("small.dat", "id "+keyID2+"\n")
	r.git("add", "-A")
	check := func(mode string, res *scanner.Result) {
		t.Helper()
		if got := res.Stats.Skipped; got["too-large"] != 3 || got["binary"] != 1 {
			t.Errorf("%s: skipped %v, want too-large 3 (dump.dat, plain.txt, deploy.ps1) and binary 1 (image.raw)", mode, got)
		}
		if len(res.Stats.Incomplete) != 1 || !strings.Contains(res.Stats.Incomplete[0], "3 file(s) or blob(s) larger than --max-file-size") {
			t.Errorf("%s: incomplete %q, want the three over-limit files told", mode, res.Stats.Incomplete)
		}
		if got := summary(res.Findings, nil); len(got) != 1 || !strings.Contains(got[0], "small.dat:1") {
			t.Errorf("%s: findings %q, want small.dat's key only", mode, got)
		}
	}
	opts := Options{MaxFileSize: 4096}
	check("staged", scan(t, &Staged{Repo: r.open(), Opts: opts}))
	r.commit("big")
	check("range", scan(t, &Commits{Repo: r.open(), Revs: []string{base + "..HEAD"}, SkipMessages: true, Opts: opts}))
}
