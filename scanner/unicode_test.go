package scanner

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// encode returns s in enc, with its byte-order mark when bom is set: what
// PowerShell 5's Out-File (UTF-16LE, BOM) or an editor writes. The encoders
// are golang.org/x/text's, so the tests do not check the decoder against
// an encoder written alongside it.
func encode(s string, enc Encoding, bom bool) []byte {
	var e *encoding.Encoder
	switch enc {
	case UTF16LE:
		e = unicode.UTF16(unicode.LittleEndian, bomPolicy(bom)).NewEncoder()
	case UTF16BE:
		e = unicode.UTF16(unicode.BigEndian, bomPolicy(bom)).NewEncoder()
	case UTF32LE:
		e = utf32.UTF32(utf32.LittleEndian, utf32BOMPolicy(bom)).NewEncoder()
	case UTF32BE:
		e = utf32.UTF32(utf32.BigEndian, utf32BOMPolicy(bom)).NewEncoder()
	default:
		return []byte(s)
	}
	out, err := e.Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return out
}

func bomPolicy(bom bool) unicode.BOMPolicy {
	if bom {
		return unicode.UseBOM
	}
	return unicode.IgnoreBOM
}

func utf32BOMPolicy(bom bool) utf32.BOMPolicy {
	if bom {
		return utf32.UseBOM
	}
	return utf32.IgnoreBOM
}

func TestTextOf(t *testing.T) {
	const ps1 = "# deploy.ps1\r\n$env:AWS_ACCESS_KEY_ID = \"" + testKeyID + "\"\r\nWrite-Host \"clé — ok\"\r\n"
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10")
	tests := []struct {
		name string
		data []byte
		want string // "" for not text
		enc  Encoding
	}{
		{"UTF-16LE with BOM, CRLF (PowerShell 5 Out-File)", encode(ps1, UTF16LE, true), ps1, UTF16LE},
		{"UTF-16BE with BOM", encode(ps1, UTF16BE, true), ps1, UTF16BE},
		{"UTF-32LE with BOM", encode(ps1, UTF32LE, true), ps1, UTF32LE},
		{"UTF-32BE with BOM", encode(ps1, UTF32BE, true), ps1, UTF32BE},
		{"UTF-16LE without BOM", encode(ps1, UTF16LE, false), ps1, UTF16LE},
		{"UTF-16BE without BOM", encode(ps1, UTF16BE, false), ps1, UTF16BE},
		{"astral characters as surrogate pairs", encode("key 🔑 = x\n", UTF16LE, true), "key 🔑 = x\n", UTF16LE},
		{"Chinese with BOM", encode("密钥=值\n", UTF16LE, true), "密钥=值\n", UTF16LE},
		{"unpaired surrogate with BOM is U+FFFD", append(encode("ab", UTF16LE, true), 0x00, 0xD8, 'c', 0), "ab\uFFFDc", UTF16LE},
		{"odd trailing byte with BOM is U+FFFD", append(encode("ab", UTF16LE, true), 'c'), "ab\uFFFD", UTF16LE},
		{"BOM alone", []byte{0xFF, 0xFE}, "", UTF16LE},
		{"plain UTF-16 with a pair across the sniffed head's end", plainAcrossHead(), strings.Repeat("x", sniffLen/2-1) + "🔑 = key\r\n", UTF16LE},
		{"plain UTF-16 with U+FFFD", encode("ab\uFFFDcdefghijklmnopq", UTF16LE, false), "ab\uFFFDcdefghijklmnopq", UTF16LE},

		{"UTF-8", []byte(ps1), "", UTF8},
		{"PNG", png, "", UTF8},
		{"BOM then binary with a NUL character", append([]byte{0xFF, 0xFE, 'a', 0}, 0, 0, 1, 2), "", UTF8},
		{"plain UTF-16 string then binary", append(encode("LegalCopyright Microsoft", UTF16LE, false), 0, 0, 0x10, 0x80, 0xFF, 0xFF, 1, 0), "", UTF8},
		{"plain UTF-16 with a control character", encode("name=value\x01more text\n", UTF16LE, false), "", UTF8},
		{"plain UTF-16 too short", encode("a=bc", UTF16LE, false), "", UTF8},
		{"plain UTF-16 of odd length", append(encode("password = hunter2x\n", UTF16LE, false), 'x'), "", UTF8},
		{"plain UTF-16 mostly not ASCII", encode("密钥=值密钥=值密钥=值\n", UTF16LE, false), "", UTF8},
		{"plain UTF-16 with an unpaired surrogate", append(encode("password = hunter2x", UTF16LE, false), 0x00, 0xDC), "", UTF8},
		{"16-bit integers in the ASCII range", binary.LittleEndian.AppendUint16(encode("ABCDEFGHIJKLMNOP", UTF16LE, false), 0), "", UTF8},
		{"UTF-32 BOM then a NUL character", []byte{0xFF, 0xFE, 0, 0, 0, 0, 0, 0, 'a', 0, 0, 0}, "", UTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enc, ok := TextOf([]byte("prefix:"), tt.data)
			if want := tt.want != "" || tt.name == "BOM alone"; ok != want {
				t.Fatalf("ok = %v (%s, %q), want %v", ok, enc, got, want)
			}
			if !ok {
				if string(got) != "prefix:" {
					t.Errorf("dst changed to %q", got)
				}
				return
			}
			if string(got) != "prefix:"+tt.want || enc != tt.enc {
				t.Errorf("TextOf = %q, %s; want %q, %s", got, enc, "prefix:"+tt.want, tt.enc)
			}
		})
	}
}

// TestScanWideFiles scans a folder of files in every encoding PowerShell,
// regedit and editors write: each finding is where the file's own lines put
// it, with the fingerprint of the same key in a UTF-8 file, and binaries
// stay skipped.
func TestScanWideFiles(t *testing.T) {
	dir := t.TempDir()
	ps1 := "# deploy.ps1 — écrit par PowerShell 5\r\n\r\n$clé = \"" + testKeyID + "\"\r\nWrite-Host $clé\r\n"
	reg := "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Deploy]\r\n\"Key\"=\"AKIAGMXGEDN73U55XTPL\"\r\n"
	config := "<configuration>\r\n  <appSettings>\r\n    <add key=\"id\" value=\"ASIA3DHODZDOCIS2JHTL\" />\r\n  </appSettings>\r\n</configuration>\r\n"
	files := map[string][]byte{
		"utf8/deploy.ps1":    []byte(ps1),
		"le/deploy.ps1":      encode(ps1, UTF16LE, true),
		"be/deploy.ps1":      encode(ps1, UTF16BE, true),
		"utf32/deploy.ps1":   encode(ps1, UTF32LE, true),
		"deploy.reg":         encode(reg, UTF16LE, true),
		"web.config":         encode(config, UTF16LE, false),
		"tool.exe":           append([]byte("MZ\x90\x00\x03\x00\x00\x00"), encode("id "+testKeyID, UTF16LE, false)...),
		"strings.bin":        append(encode("id "+testKeyID+"\r\n", UTF16LE, false), 0, 0, 7, 0),
		"odd-bom-binary.dat": append([]byte{0xFE, 0xFF, 0x00, 0x00, 0x12}, testKeyID...),
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, workers := range []int{1, 4} {
		res, err := Scan(context.Background(), &DirSource{Root: dir}, builtinDetector(t), Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		fps := map[string]string{}
		for _, f := range res.Findings {
			got = append(got, f.Path+":"+itoa(f.Line)+":"+itoa(f.Column)+" "+f.Secret+" "+f.Attributes["encoding"])
			if old, ok := fps[f.Secret]; ok && old != f.Fingerprint {
				t.Errorf("%s: fingerprint %s differs from the UTF-8 file's %s", f.Path, f.Fingerprint, old)
			}
			fps[f.Secret] = f.Fingerprint
		}
		want := []string{
			"be/deploy.ps1:3:9 " + testKeyID + " utf-16be",
			"deploy.reg:4:8 AKIAGMXGEDN73U55XTPL utf-16le",
			"le/deploy.ps1:3:9 " + testKeyID + " utf-16le",
			"utf32/deploy.ps1:3:9 " + testKeyID + " utf-32le",
			"utf8/deploy.ps1:3:9 " + testKeyID + " ",
			"web.config:3:26 ASIA3DHODZDOCIS2JHTL utf-16le",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("workers=%d findings:\n%s\nwant:\n%s", workers, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if n := res.Stats.Skipped["binary"]; n != 3 {
			t.Errorf("workers=%d: %d binary files skipped, want 3 (tool.exe, strings.bin, odd-bom-binary.dat)", workers, n)
		}
	}
}

func TestReaderSourceUTF16(t *testing.T) {
	in := encode("line one\r\ntoken: "+testKeyID+"\r\n", UTF16LE, true)
	res, err := Scan(context.Background(), &ReaderSource{R: bytes.NewReader(in), Path: "stdin"}, builtinDetector(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Line != 2 || res.Findings[0].Column != 8 || res.Findings[0].Attributes["encoding"] != "utf-16le" {
		t.Fatalf("findings = %+v, want %s at 2:8 in utf-16le", res.Findings, testKeyID)
	}
}

// plainByRule is the rule for plain UTF-16 written plainly, from the
// standard library's decoding: an even length of at least minPlainUnits
// units, no unpaired surrogate, every character printable, a tab or a line
// break, at least minASCII% ASCII over the whole and over the first sniffLen
// bytes (which a reader sniffs with Wide before it reads the rest).
func plainByRule(data []byte) bool {
	if len(data) < 2*minPlainUnits || len(data)%2 != 0 {
		return false
	}
	enc := UTF16LE
	if data[0] == 0 {
		enc = UTF16BE
	}
	if e, _ := Wide(data[:min(len(data), sniffLen)]); e != enc {
		return false
	}
	units := make([]uint16, len(data)/2)
	fffd := 0
	for i := range units {
		units[i] = unit(data, 2*i, enc)
		if units[i] == 0xFFFD {
			fffd++
		}
	}
	ascii, chars := 0, 0
	for _, r := range utf16.Decode(units) {
		chars++
		switch {
		case r == utf8.RuneError:
			if fffd--; fffd < 0 {
				return false // an unpaired surrogate
			}
		case r >= 0x20 && r < 0x7F, r == '\n', r == '\r', r == '\t':
			ascii++
		case r < 0xA0, r == 0xFFFE, r == 0xFFFF:
			return false
		}
	}
	return ascii*100 >= minASCII*chars
}

// plainAcrossHead is plain UTF-16 whose character at the end of the first
// sniffLen bytes is a surrogate pair, cut there by a reader's sniff.
func plainAcrossHead() []byte {
	return encode(strings.Repeat("x", sniffLen/2-1)+"🔑 = key\r\n", UTF16LE, false)
}

// FuzzTextOf checks the decoder against the standard library's UTF-16
// decoding: whatever it accepts is valid UTF-8, the same characters, and
// the same lines; plain UTF-16 (no mark) is accepted only when it is text.
func FuzzTextOf(f *testing.F) {
	f.Add(encode("a\r\nb "+testKeyID+"\r\n", UTF16LE, true))
	f.Add(encode("a\r\nb "+testKeyID+"\r\n", UTF16BE, false))
	f.Add(encode("🔑\n", UTF32BE, true))
	f.Add([]byte{0xFF, 0xFE, 0x00, 0xD8, 'a'})
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00"))
	f.Add(plainAcrossHead())
	f.Add(append(encode(strings.Repeat("x", 3999), UTF16LE, false), 0x3D, 0xD8))
	f.Add(encode("ab\uFFFDcdefghijkl", UTF16BE, false))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, enc, ok := TextOf(nil, data)
		if _, bom := mark(data); bom == 0 {
			if want := plainByRule(data); ok != want {
				t.Fatalf("TextOf(% x) accepted %v, the rule for plain UTF-16 says %v", data, ok, want)
			}
		}
		if !ok {
			if enc != UTF8 || len(got) != 0 {
				t.Fatalf("refused, yet returned %s %q", enc, got)
			}
			return
		}
		if !utf8.Valid(got) {
			t.Fatalf("invalid UTF-8 %q", got)
		}
		_, bom := Wide(data)
		body := data[bom:]
		var want string
		switch enc {
		case UTF16LE, UTF16BE:
			units := make([]uint16, len(body)/2)
			for i := range units {
				units[i] = unit(body, 2*i, enc)
			}
			want = string(utf16.Decode(units))
			if len(body)%2 != 0 {
				want += "\uFFFD"
			}
		case UTF32LE, UTF32BE:
			var rs []rune
			for i := 0; i+3 < len(body); i += 4 {
				var r uint32
				if enc == UTF32LE {
					r = binary.LittleEndian.Uint32(body[i:])
				} else {
					r = binary.BigEndian.Uint32(body[i:])
				}
				if r > utf8.MaxRune {
					r = utf8.RuneError
				}
				rs = append(rs, rune(r))
			}
			want = string(rs)
			if len(body)%4 != 0 {
				want += "\uFFFD"
			}
		default:
			t.Fatalf("accepted as %s", enc)
		}
		if string(got) != want {
			t.Fatalf("TextOf(%q) = %q, want %q", data, got, want)
		}
		if bom > 0 {
			// Read in pieces of one byte, a large file decodes the same.
			streamed, err := io.ReadAll(&wideReader{r: iotest.OneByteReader(bytes.NewReader(body)), enc: enc})
			if err != nil || string(streamed) != want {
				t.Fatalf("wideReader(%q) = %q, %v; want %q", body, streamed, err, want)
			}
		}
		if strings.ContainsRune(want, 0) {
			t.Fatalf("accepted a NUL character: %q", want)
		}
	})
}

// TestLargeUTF16Streams: a UTF-16 file (or standard input) larger than the
// size limit is decoded as it is read in windows, and reported as the same
// text in UTF-8 is: every key once, at its line and column.
func TestLargeUTF16Streams(t *testing.T) {
	text, want := bigText()
	for _, enc := range []Encoding{UTF16LE, UTF16BE, UTF32LE} {
		data := encode(string(text), enc, true)
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "transcript.log"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, src := range []Source{
			&DirSource{Root: dir, MaxFileSize: 64 << 10},
			&ReaderSource{R: bytes.NewReader(data), Path: "stdin", MaxSize: 64 << 10},
		} {
			res, err := Scan(context.Background(), src, builtinDetector(t), Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if f.Attributes["encoding"] != enc.String() {
					t.Errorf("%s:%d: encoding %q, want %s", f.Path, f.Line, f.Attributes["encoding"], enc)
				}
				got = append(got, itoa(f.Line)+":"+itoa(f.Column))
			}
			if strings.Join(got, " ") != strings.Join(want, " ") || len(res.Stats.Skipped) != 0 {
				t.Errorf("%s %T: findings\n got %q\nwant %q\nskipped %v", enc, src, got, want, res.Stats.Skipped)
			}
		}
	}
}

// BenchmarkWideOnBinary is what a binary file or blob pays for the UTF-16
// sniff (text never pays: IsBinary comes first). A PNG header refutes plain
// UTF-16 at its first units.
func BenchmarkWideOnBinary(b *testing.B) {
	head := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0x41, 0x00, 0x13, 0x7f}, 2000)...)
	for b.Loop() {
		if enc, _ := Wide(head); enc != UTF8 {
			b.Fatal("a PNG sniffed as", enc)
		}
	}
}

// chopReader returns r's bytes in reads of the sizes in sizes, in turn
// (a size of 0 counts as 1).
type chopReader struct {
	r     io.Reader
	sizes []byte
	i     int
}

func (c *chopReader) Read(p []byte) (int, error) {
	n := 1
	if len(c.sizes) > 0 {
		n = max(1, int(c.sizes[c.i%len(c.sizes)]))
		c.i++
	}
	return c.r.Read(p[:min(n, len(p))])
}

// FuzzWideReader: text decoded as it is read, in reads of any sizes, is
// the text the whole-content decoder gives: a surrogate pair, a UTF-32
// unit or a trailing odd byte cut between two reads decodes the same.
func FuzzWideReader(f *testing.F) {
	pair := encode("k🔑=v", UTF16LE, false)
	f.Add(pair, byte(UTF16LE), []byte{3})    // a pair cut after its high half's first byte
	f.Add(pair, byte(UTF16LE), []byte{4, 1}) // cut between the halves
	f.Add(encode("🔑\r\nkey", UTF16BE, false), byte(UTF16BE), []byte{2, 1, 1})
	f.Add(append(encode("ab", UTF16LE, false), 0x00, 0xD8), byte(UTF16LE), []byte{4}) // a high half at the end
	f.Add(append(encode("ab", UTF16LE, false), 'c'), byte(UTF16LE), []byte{1})        // an odd byte at the end
	f.Add([]byte{0x00, 0xDC, 0x00, 0xDC, 'a', 0}, byte(UTF16LE), []byte{2})           // two low halves
	f.Add(encode("é🔑\n", UTF32LE, false), byte(UTF32LE), []byte{3, 5})
	f.Add(append(encode("ab", UTF32BE, false), 0, 0x11), byte(UTF32BE), []byte{7})       // a partial unit at the end
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0xD8, 0}, byte(UTF32LE), []byte{1, 2, 3}) // no characters
	f.Add([]byte("a\x00\x00\x00b\x00"), byte(UTF16LE), []byte{5})                        // NUL characters pass
	f.Fuzz(func(t *testing.T, body []byte, e byte, sizes []byte) {
		enc := Encoding(1 + int(e)%4)
		want, _ := appendWide(nil, body, enc)
		got, err := io.ReadAll(&wideReader{r: &chopReader{r: bytes.NewReader(body), sizes: sizes}, enc: enc})
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%s % x in reads of %v: wideReader = %q, %v; whole = %q", enc, body, sizes, got, err, want)
		}
	})
}
