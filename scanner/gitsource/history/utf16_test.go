package history

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/rampart-sec/rampart/patterns"
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

// psScript is a PowerShell script of n CRLF lines, with line k (1-based)
// replaced by extra[k].
func psScript(n int, extra map[int]string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		l, ok := extra[i]
		if !ok {
			l = fmt.Sprintf("Write-Host \"deploy step %d of the release pipeline\"", i)
		}
		b.WriteString(l + "\r\n")
	}
	return b.String()
}

// TestHistoryUTF16: UTF-16 files edited across commits are stored as
// deltas of each other; both readers decode every version, find each key at
// its line in the file and attribute it to the commit that added it, and
// the pack reader derives no hits for a decoded blob (they would be the
// bytes', not the text's).
func TestHistoryUTF16(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.write("deploy.ps1", wide(psScript(200, nil), false, true))
	r.write("img/logo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
	// Sniffed as UTF-16 by their first bytes, binary by the whole: skipped
	// by both readers, their ASCII key unread.
	r.write("odd-bom.dat", "\xff\xfea\x00\x00\x00 id "+keyID+"\n")
	r.write("strings.bin", wide("LegalCopyright Microsoft "+keyID, false, false)+"\x00\x00\x10\x80\xff\xff")
	c1 := r.commit("script")
	r.write("deploy.ps1", wide(psScript(200, map[int]string{150: "$env:AWS_ACCESS_KEY_ID = \"" + keyID + "\""}), false, true))
	c2 := r.commit("key")
	r.write("deploy.ps1", wide(psScript(201, map[int]string{60: "$token = 'ASIA3DHODZDOCIS2JHTL' # café", 151: "$env:AWS_ACCESS_KEY_ID = \"" + keyID + "\""}), false, true))
	r.write("settings.reg", wide("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Deploy]\r\n\"Id\"=\"AKIAGMXGEDN73U55XTPL\"\r\n", true, true))
	c3 := r.commit("second key, and a BE registry export")
	r.write("deploy.ps1", wide(psScript(199, nil), false, true))
	r.commit("keys removed")
	r.git("gc", "-q", "--aggressive")

	// The versions of deploy.ps1 are deltas: the reader's derivation path.
	deltas := 0
	ids := map[string]bool{}
	for _, c := range []string{c1, c2, c3} {
		ids[r.git("rev-parse", c+":deploy.ps1")] = true
	}
	packs := r.git("rev-parse", "--git-path", "objects/pack")
	out, err := exec.Command("sh", "-c", "git verify-pack -v "+r.dir+"/"+packs+"/*.idx").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) >= 7 && ids[f[0]] && f[1] == "blob" {
			deltas++ // a seventh field is the delta's depth
		}
	}
	if deltas < 2 {
		t.Fatalf("only %d versions of deploy.ps1 are deltas:\n%s", deltas, out)
	}

	names := map[string]string{c1: "c1", c2: "c2", c3: "c3"}
	want := []string{
		"aws-access-key-id deploy.ps1:150:27 c2 utf-16le",
		"aws-access-key-id settings.reg:4:7 c3 utf-16be",
		"aws-access-key-id deploy.ps1:60:11 c3 utf-16le",
	}
	sort.Strings(want)
	var results []*scanner.Result
	for _, useGit := range []bool{false, true} {
		res := scan(t, &History{Repo: r.open(), UseGit: useGit})
		var got []string
		for _, f := range res.Findings {
			got = append(got, fmt.Sprintf("%s %s:%d:%d %s %s", f.RuleID, f.Path, f.Line, f.Column, names[f.Commit.Hash], f.Attributes["encoding"]))
		}
		sort.Strings(got)
		if !equal(got, want) {
			t.Errorf("UseGit=%v: findings\n%s\nwant\n%s", useGit, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if res.Stats.Skipped["binary"] != 3 {
			t.Errorf("UseGit=%v: skipped %v, want the PNG, odd-bom.dat and strings.bin skipped as binary", useGit, res.Stats.Skipped)
		}
		results = append(results, res)
	}
	if p, g := comparable(results[0].Findings), comparable(results[1].Findings); !reflect.DeepEqual(p, g) {
		t.Errorf("readers differ\npack: %+v\ngit:  %+v", p, g)
	}
	// The same keys in UTF-8 have the same fingerprints.
	d := scanner.NewDetector(mustBuiltin(t), nil)
	utf8 := d.Detect(scanner.Chunk{Data: []byte("id " + keyID + "\nid AKIAGMXGEDN73U55XTPL\n"), Path: "x.txt"})
	fps := map[string]bool{}
	for _, f := range utf8 {
		fps[f.Fingerprint] = true
	}
	for _, f := range results[0].Findings {
		if f.Secret != "ASIA3DHODZDOCIS2JHTL" && !fps[f.Fingerprint] {
			t.Errorf("%s:%d: fingerprint differs from the same key's in UTF-8", f.Path, f.Line)
		}
	}

	// No decoded blob carries hits; every blob that does carries the
	// automaton's own.
	auto := d.Automaton()
	h := &History{Repo: r.open(), SkipMessages: true}
	h.UseAutomaton(auto)
	decoded, derived := 0, 0
	err = h.Chunks(context.Background(), func(c scanner.Chunk) error {
		defer func() {
			if c.Release != nil {
				c.Release()
			}
		}()
		if c.Encoding != scanner.UTF8 {
			decoded++
			if c.HitsKnown {
				t.Errorf("blob %s (%s) was given hits derived from its bytes", c.BlobID, c.Encoding)
			}
			return nil
		}
		if c.HitsKnown {
			derived++
			var want []patterns.Hit
			auto.Scan(c.Data, func(kw, end int) { want = append(want, patterns.Hit{Keyword: int32(kw), End: int32(end)}) })
			if len(want) != len(c.Hits) {
				t.Errorf("blob %s: %d hits supplied, the automaton finds %d", c.BlobID, len(c.Hits), len(want))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if decoded != 5 {
		t.Errorf("%d blobs decoded, want 5 (four versions of deploy.ps1, one of settings.reg)", decoded)
	}
}

func mustBuiltin(t *testing.T) []*patterns.Rule {
	t.Helper()
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// TestSniffBlob: both readers judge a blob by its first bytes alike.
func TestSniffBlob(t *testing.T) {
	p12, err := os.ReadFile(filepath.Join("..", "..", "..", "patterns", "testdata", "files", "bundle.p12"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		head string
		want blobKind
	}{
		{"text", "id = 1\n", textBlob},
		{"UTF-16 with a mark", wide("id = 1\r\n", false, true), wideBlob},
		{"plain UTF-16", wide("id = 1 and more text\r\n", true, false), wideBlob},
		{"PKCS#12", string(p12), credentialBlob},
		{"PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", binaryBlob},
		{"NUL past the sniffed bytes", strings.Repeat("x", sniffLen) + "\x00", textBlob},
	} {
		if got := sniffBlob([]byte(tc.head)); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
