package gitsource

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"strings"
	"testing"
)

// testRSAKey returns a PEM RSA private key generated now: fake key
// material, never a real secret.
func testRSAKey(t testing.TB) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

// testOpenSSHKey returns an unencrypted ed25519 key in OpenSSH's format
// (PROTOCOL.key), generated now. Every such key's first body line is the
// same (the format's magic and the key type): only later lines differ.
func testOpenSSHKey(t testing.TB) string {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	str := func(b []byte, s []byte) []byte {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		return append(b, s...)
	}
	pubBlob := str(str(nil, []byte("ssh-ed25519")), pub)
	sec := binary.BigEndian.AppendUint32(nil, 0x01020304)
	sec = binary.BigEndian.AppendUint32(sec, 0x01020304)
	sec = str(sec, []byte("ssh-ed25519"))
	sec = str(sec, pub)
	sec = str(sec, priv)
	sec = str(sec, []byte("test@example.com"))
	for i := byte(1); len(sec)%8 != 0; i++ {
		sec = append(sec, i)
	}
	b := append([]byte("openssh-key-v1\x00"), nil...)
	b = str(b, []byte("none"))
	b = str(b, []byte("none"))
	b = str(b, nil)
	b = binary.BigEndian.AppendUint32(b, 1)
	b = str(b, pubBlob)
	b = str(b, sec)
	enc := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	sb.WriteString("-----BEGIN OPENSSH PRIVATE KEY-----\n")
	for len(enc) > 70 {
		sb.WriteString(enc[:70] + "\n")
		enc = enc[70:]
	}
	sb.WriteString(enc + "\n-----END OPENSSH PRIVATE KEY-----\n")
	return sb.String()
}

// testPGPBlock returns an armoured "PGP private key block" of random
// bytes, made now: the shape the pgp-private-key rule reads (a blank line
// after BEGIN, 64-character lines, a checksum line), no key at all.
func testPGPBlock(t testing.TB) string {
	t.Helper()
	b := make([]byte, 240)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	enc := "lQOY" + base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	sb.WriteString("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n")
	for len(enc) > 64 {
		sb.WriteString(enc[:64] + "\n")
		enc = enc[64:]
	}
	sb.WriteString(enc + "\n=" + base64.StdEncoding.EncodeToString(b[:3]) + "\n-----END PGP PRIVATE KEY BLOCK-----\n")
	return sb.String()
}

// lineOf returns the 1-based line of text where key starts.
func lineOf(text, key string) int {
	i := strings.Index(text, key)
	if i < 0 {
		return -1
	}
	return strings.Count(text[:i], "\n") + 1
}

// TestKeyBlockPairedByTheDiff: a new key block written above, between or in
// place of committed ones shares its BEGIN and END lines with them, so the
// diff adds only its body; it is still reported, at its BEGIN line in the
// new file (the line after BEGIN, where the rules place the secret), by the staged scan (git's diff and the in-process one) and the
// range scan, while the committed keys beside it are not reported again.
func TestKeyBlockPairedByTheDiff(t *testing.T) {
	rsaRule := "private-key"
	sshRule := "openssh-private-key"
	type step struct {
		name   string
		before func(a, b string) string // committed content
		after  func(a, b, c string) string
		newKey func(a, b, c string) string // the block that must be found
	}
	steps := []step{
		{"above", func(a, b string) string { return "# keys\n" + a },
			func(a, b, c string) string { return "# keys\n" + c + a }, func(a, b, c string) string { return c }},
		{"between", func(a, b string) string { return a + b },
			func(a, b, c string) string { return a + c + b }, func(a, b, c string) string { return c }},
		{"replaced", func(a, b string) string { return "x = 1\n" + a + "y = 2\n" },
			func(a, b, c string) string { return "x = 1\n" + c + "y = 2\n" }, func(a, b, c string) string { return c }},
		{"below", func(a, b string) string { return a },
			func(a, b, c string) string { return a + c }, func(a, b, c string) string { return c }},
	}
	kinds := []struct {
		rule string
		gen  func(testing.TB) string
		line int // the secret's line below BEGIN
	}{{rsaRule, testRSAKey, 1}, {sshRule, testOpenSSHKey, 1}, {"pgp-private-key", testPGPBlock, 2}}
	for _, k := range kinds {
		a, b, c := k.gen(t), k.gen(t), k.gen(t)
		for _, s := range steps {
			t.Run(k.rule+"/"+s.name, func(t *testing.T) {
				r := newRepo(t)
				r.write("deploy/keys.txt", s.before(a, b))
				r.commit("committed keys")
				after := s.after(a, b, c)
				r.write("deploy/keys.txt", after)
				r.git("add", "-A")
				want := []string{k.rule + " deploy/keys.txt:" + itoa(lineOf(after, s.newKey(a, b, c))+k.line) + " -"}

				byGit := scan(t, &Staged{Repo: r.open()})
				inProcess := &Staged{Repo: r.open()}
				inProcess.Start(context.Background())
				for name, got := range map[string][]string{"staged (git)": summary(byGit.Findings, nil), "staged (in process)": summary(scan(t, inProcess).Findings, nil)} {
					if !equal(got, want) {
						t.Errorf("%s: got %q, want %q", name, got, want)
					}
				}
				head := r.commit("new key")
				res := scan(t, &Commits{Repo: r.open(), Revs: []string{"HEAD~1..HEAD"}, SkipMessages: true})
				if got, want := summary(res.Findings, map[string]string{head: "new"}), []string{strings.TrimSuffix(want[0], "-") + "new"}; !equal(got, want) {
					t.Errorf("range: got %q, want %q", got, want)
				}
			})
		}
	}
}

// TestKeyBlockUntouchedNotReported: edits beside a committed key (a line
// above its BEGIN, below its END, a comment elsewhere, a line of base64
// that is no key next to it) do not report the committed key again.
func TestKeyBlockUntouchedNotReported(t *testing.T) {
	a := testRSAKey(t)
	blob := strings.Repeat("QmFzZTY0IGJ1dCBubyBrZXkgYXQgYWxsLCBqdXN0IGZpbGxlciB0ZXh0", 1) + "\n"
	for name, after := range map[string]string{
		"above":   "# header\n# changed comment\n" + a + "# footer\n",
		"below":   "# header\n" + a + "# footer, edited\n",
		"base64":  "# header\n" + blob + a + blob + "# footer\n",
		"comment": "# header\n" + a + "# footer\n\n// a new comment\n",
	} {
		t.Run(name, func(t *testing.T) {
			r := newRepo(t)
			r.write("keys.txt", "# header\n"+a+"# footer\n")
			r.commit("committed key")
			r.write("keys.txt", after)
			r.git("add", "-A")
			inProcess := &Staged{Repo: r.open()}
			inProcess.Start(context.Background())
			for _, src := range []*Staged{{Repo: r.open()}, inProcess} {
				if got := summary(scan(t, src).Findings, nil); len(got) != 0 {
					t.Errorf("staged: got %q, want nothing", got)
				}
			}
			r.commit("edit")
			if got := summary(scan(t, &Commits{Repo: r.open(), Revs: []string{"HEAD~1..HEAD"}, SkipMessages: true}).Findings, nil); len(got) != 0 {
				t.Errorf("range: got %q, want nothing", got)
			}
		})
	}
}

// TestExpandBlocks: which blocks are taken whole, with the new file's line
// numbers, and what bounds them.
func TestExpandBlocks(t *testing.T) {
	body := strings.Repeat("A", 64)
	text := strings.Join([]string{
		"-----BEGIN X-----", body, body, "-----END X-----", // 1-4: body line 3 added
		"-----BEGIN Y-----", body, "-----END Y-----", // 5-7: only BEGIN added
		"PuTTY-User-Key-File-3: ssh-ed25519", "Encryption: none", "Private-Lines: 1", body, "Private-MAC: 00", // 8-12
	}, "\n") + "\n"
	nl := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	pick := func(ns ...int) (string, []int) {
		var d string
		for _, n := range ns {
			d += nl[n-1] + "\n"
		}
		return d, ns
	}
	data, lines := pick(3, 5, 11)
	if !needsBlocks([]byte(data), lines) {
		t.Fatal("needsBlocks: false for a body line without its BEGIN")
	}
	gotData, gotLines := expandBlocks([]byte(text), nil, []byte(data), lines)
	wantData, wantLines := pick(1, 2, 3, 4, 5, 8, 9, 10, 11, 12)
	if string(gotData) != wantData || !equalInts(gotLines, wantLines) {
		t.Errorf("expandBlocks: lines %v, want %v\n%s", gotLines, wantLines, gotData)
	}
	// A block an old file holds is committed: its lines the diff's pairing
	// made "added" are not scanned.
	old := []byte(strings.Join(nl[4:7], "\n") + "\n")
	d, l := pick(5, 6)
	if gotData, gotLines := expandBlocks([]byte(text), [][]byte{nil, old}, []byte(d), l); len(gotData) != 0 || len(gotLines) != 0 {
		t.Errorf("a committed block's lines were kept: %v", gotLines)
	}
	// A whole new block read from its BEGIN line needs no blob.
	if d, l := pick(1, 2, 3, 4); needsBlocks([]byte(d), l) {
		t.Error("needsBlocks: true for a block whose BEGIN line is added")
	}
	// A span over maxBlock is no key block.
	huge := "-----BEGIN Z-----\n" + strings.Repeat(body+"\n", maxBlock/len(body)+1) + "-----END Z-----\n"
	if d, l := expandBlocks([]byte(huge), nil, []byte(body+"\n"), []int{2}); !equalInts(l, []int{2}) || string(d) != body+"\n" {
		t.Errorf("a block over maxBlock was expanded: %d lines", len(l))
	}
	// Line numbers past the text leave the diff as it is.
	if _, l := expandBlocks([]byte(text), nil, []byte(body+"\n"), []int{99}); !equalInts(l, []int{99}) {
		t.Errorf("numbers past the text: %v", l)
	}
}

func equalInts(a, b []int) bool {
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

// TestKeyBlockPairedInUTF16: in a UTF-16 file (binary to git, its lines
// compared here) a new key above a committed one is found at its line, and
// the committed one is not reported again.
func TestKeyBlockPairedInUTF16(t *testing.T) {
	a, c := testRSAKey(t), testRSAKey(t)
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	r := newRepo(t)
	r.write("keys.txt", wide(crlf("# keys\n"+a), false, true))
	r.commit("committed key")
	r.write("keys.txt", wide(crlf("# keys\n"+c+a), false, true))
	r.git("add", "-A")
	want := []string{"private-key keys.txt:3 -"}
	if got := summary(scan(t, &Staged{Repo: r.open()}).Findings, nil); !equal(got, want) {
		t.Errorf("staged: got %q, want %q", got, want)
	}
}

// FuzzExpandBlocks: any new and old text, any added lines the diff could
// give (increasing, in the text or not): no panic, and the lines returned
// are increasing, in the text, and their text is the data returned.
func FuzzExpandBlocks(f *testing.F) {
	body := strings.Repeat("A", 64)
	f.Add("-----BEGIN X-----\n"+body+"\n-----END X-----\n", "-----BEGIN X-----\n"+body+"\n-----END X-----\n", uint64(0b110))
	f.Add("PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-Lines: 1\n"+body+"\nPrivate-MAC: 00\n", "", uint64(0b100))
	f.Add("-----BEGIN A-----\n-----BEGIN B-----\nx\n-----END B-----\n", "x", uint64(0b1010))
	f.Fuzz(func(t *testing.T, text, old string, pick uint64) {
		nl := splitLines([]byte(text))
		var data []byte
		var lines []int
		for i := 0; i < 64 && i < len(nl)+2; i++ {
			if pick&(1<<i) == 0 {
				continue
			}
			lines = append(lines, i+1)
			if i < len(nl) {
				data = append(append(data, nl[i]...), '\n')
			}
		}
		gotData, gotLines := expandBlocks([]byte(text), [][]byte{[]byte(old)}, data, lines)
		if len(lines) > 0 && lines[len(lines)-1] > len(nl) {
			if !equalInts(gotLines, lines) {
				t.Fatalf("numbers past the text changed: %v -> %v", lines, gotLines)
			}
			return
		}
		var want []byte
		for k, n := range gotLines {
			if n < 1 || n > len(nl) || k > 0 && n <= gotLines[k-1] {
				t.Fatalf("lines %v out of order or outside %d lines", gotLines, len(nl))
			}
			want = append(append(want, nl[n-1]...), '\n')
		}
		if string(want) != string(gotData) {
			t.Fatalf("data %q is not the text of lines %v (%q)", gotData, gotLines, want)
		}
	})
}
