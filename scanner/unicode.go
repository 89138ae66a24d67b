package scanner

import (
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// UTF-16 and UTF-32 text. Windows writes UTF-16 where Unix tools write
// UTF-8: PowerShell 5's `>` and Out-File, regedit's .reg exports, many
// .ps1, .config and .xml files. Their ASCII characters carry a NUL byte
// each, so git's rule (a NUL in the first 8000 bytes) calls them binary;
// read as bytes, no keyword matches them. They are decoded to UTF-8 and
// scanned as text instead. Only files git's rule already calls binary are
// tried, so UTF-8 text pays nothing for this.
//
// Decoding maps each character to one character and '\n' to '\n', so a
// finding's line is its line in the file and its column counts characters,
// as in a UTF-8 file; its secret, and so its fingerprint, is the same
// whichever encoding the file was saved in.

// Encoding is how a text file encodes its characters: UTF8 (the zero
// value, which also stands for anything not recognised as UTF-16 or UTF-32
// text) or one of the wide encodings TextOf decodes.
type Encoding uint8

// Encodings TextOf recognises.
const (
	UTF8 Encoding = iota
	UTF16LE
	UTF16BE
	UTF32LE
	UTF32BE
)

// String returns the encoding's name as findings report it ("utf-16le").
func (e Encoding) String() string {
	switch e {
	case UTF16LE:
		return "utf-16le"
	case UTF16BE:
		return "utf-16be"
	case UTF32LE:
		return "utf-32le"
	case UTF32BE:
		return "utf-32be"
	}
	return "utf-8"
}

// Wide reports whether a file whose first bytes are head (up to 8000
// suffice) may be UTF-16 or UTF-32 text, and in which encoding: it starts
// with that encoding's byte-order mark, or, without one, looks like UTF-16
// holding mostly ASCII (utf16Plain). It only sniffs; TextOf decides from
// the whole content.
func Wide(head []byte) (enc Encoding, bom int) {
	if enc, bom := mark(head); bom > 0 {
		return enc, bom
	}
	if len(head) > sniffLen {
		head = head[:sniffLen]
	}
	return utf16Plain(head), 0
}

// mark returns the encoding data's byte-order mark names and the mark's
// length, or UTF8 and 0 when it starts with none.
func mark(data []byte) (enc Encoding, bom int) {
	switch {
	case len(data) >= 4 && data[0] == 0xFF && data[1] == 0xFE && data[2] == 0 && data[3] == 0:
		// Also a UTF-16LE mark followed by U+0000, which no text holds.
		return UTF32LE, 4
	case len(data) >= 4 && data[0] == 0 && data[1] == 0 && data[2] == 0xFE && data[3] == 0xFF:
		return UTF32BE, 4
	case len(data) >= 2 && data[0] == 0xFF && data[1] == 0xFE:
		return UTF16LE, 2
	case len(data) >= 2 && data[0] == 0xFE && data[1] == 0xFF:
		return UTF16BE, 2
	}
	return UTF8, 0
}

// Plain UTF-16 (without a byte-order mark) is told from binary by what a
// text editor would show of it: every code unit a printable character,
// a tab or a line break, at least minASCII of them ASCII (so one byte of
// each pair is NUL, always the same one of the pair), none a NUL or another
// control character, no surrogate half unpaired, and an even length. Binary
// formats break this within a few bytes: their integers and offsets hold
// NUL pairs and control bytes, and a run of UTF-16 strings inside one (a
// resource table, a registry hive) sits between such bytes. TextOf applies
// it to the whole content, so a binary file that merely starts with a
// UTF-16 string is still binary. Plain UTF-16 that is mostly not ASCII
// (Chinese, Russian) is not recognised: nothing tells it from binary as
// surely, and a byte-order mark is what Windows writes anyway.
const (
	// minASCII is the share of ASCII code units (out of 100) plain UTF-16 needs.
	minASCII = 90
	// minPlainUnits is the shortest plain UTF-16 recognised: a few bytes
	// with two NULs say nothing.
	minPlainUnits = 8
)

// utf16Plain returns UTF16LE or UTF16BE when head, a file's first bytes,
// reads as plain UTF-16 text, else UTF8. An odd length, or a surrogate pair
// cut by head's end, is allowed: head may be cut from a longer file, which
// TextOf judges whole.
func utf16Plain(head []byte) Encoding {
	if len(head) < 2*minPlainUnits {
		return UTF8
	}
	enc := plainOrder(head)
	if !plainText(head[:len(head)&^1], enc) {
		return UTF8
	}
	return enc
}

// plainOrder is the byte order plain UTF-16 starting with data would have:
// ASCII in UTF-16LE has its NULs at odd offsets, in UTF-16BE at even ones;
// the first character decides, and the rule for plain UTF-16 refutes it.
func plainOrder(data []byte) Encoding {
	if data[0] == 0 {
		return UTF16BE
	}
	return UTF16LE
}

// plainText reports whether head (of even length) is text in enc by the
// rule for plain UTF-16 above, a high surrogate at its very end allowed.
func plainText(head []byte, enc Encoding) bool {
	ascii, chars := 0, 0
	for i := 0; i+1 < len(head); i += 2 {
		u := unit(head, i, enc)
		chars++
		switch {
		case u >= 0x20 && u < 0x7F, u == '\n', u == '\r', u == '\t':
			ascii++
		case u < 0x20, u == 0x7F, u >= 0x80 && u < 0xA0, u == 0xFFFE, u == 0xFFFF:
			return false
		case utf16.IsSurrogate(rune(u)):
			if u >= 0xDC00 {
				return false
			}
			if i+3 >= len(head) {
				break // cut between the halves
			}
			if lo := unit(head, i+2, enc); lo < 0xDC00 || lo > 0xDFFF {
				return false
			}
			i += 2
		}
	}
	return ascii*100 >= minASCII*chars
}

// unit returns the UTF-16 code unit at data[i:i+2].
func unit(data []byte, i int, enc Encoding) uint16 {
	if enc == UTF16BE {
		return uint16(data[i])<<8 | uint16(data[i+1])
	}
	return uint16(data[i+1])<<8 | uint16(data[i])
}

// TextOf decodes data, the whole content of a file that git's rule calls
// binary, when it is UTF-16 or UTF-32 text: it returns the text as UTF-8
// appended to dst (without the byte-order mark) and its encoding; ok is
// false, and dst is returned unchanged, when data is not such text. A file
// with a byte-order mark is text unless it holds a NUL character (what
// binary data behind two lucky bytes would), and a character its encoding
// cannot hold is decoded as U+FFFD, as an editor shows it; plain UTF-16 must
// pass the rule for it over its whole length, and over its first sniffLen
// bytes as Wide does (so TextOf agrees with a reader that sniffed them).
// Each is one pass over data, judging as it decodes.
func TextOf(dst, data []byte) (text []byte, enc Encoding, ok bool) {
	n := len(dst)
	enc, bom := mark(data)
	if bom == 0 {
		return appendPlain(dst, data)
	}
	out, nul := appendWide(grow(dst, len(data)-bom), data[bom:], enc)
	if nul {
		return dst[:n], UTF8, false
	}
	return out, enc, true
}

// appendPlain is TextOf for data without a byte-order mark: it appends data
// as UTF-8 when it is plain UTF-16 text, judging each unit as it decodes it.
func appendPlain(dst, data []byte) (text []byte, enc Encoding, ok bool) {
	n := len(dst)
	if len(data) < 2*minPlainUnits || len(data)%2 != 0 {
		return dst, UTF8, false
	}
	enc = plainOrder(data)
	head := min(len(data), sniffLen)
	out := grow(dst, len(data))
	ascii, chars, headOK := 0, 0, false
	for i := 0; i < len(data); {
		u := unit(data, i, enc)
		switch {
		case u >= 0x20 && u < 0x7F, u == '\n', u == '\r', u == '\t':
			ascii++
			out = append(out, byte(u))
			i += 2
		case u < 0x20, u == 0x7F, u >= 0x80 && u < 0xA0, u == 0xFFFE, u == 0xFFFF:
			return dst[:n], UTF8, false
		case utf16.IsSurrogate(rune(u)):
			if u >= 0xDC00 || i+3 >= len(data) {
				return dst[:n], UTF8, false
			}
			lo := unit(data, i+2, enc)
			if lo < 0xDC00 || lo > 0xDFFF {
				return dst[:n], UTF8, false
			}
			out = utf8.AppendRune(out, utf16.DecodeRune(rune(u), rune(lo)))
			i += 4
		default:
			out = utf8.AppendRune(out, rune(u))
			i += 2
		}
		chars++
		if i >= head && !headOK {
			// Wide's verdict on the first sniffLen bytes (a pair
			// across their end counts as one character there too).
			if ascii*100 < minASCII*chars {
				return dst[:n], UTF8, false
			}
			headOK = true
		}
	}
	if ascii*100 < minASCII*chars {
		return dst[:n], UTF8, false
	}
	return out, enc, true
}

// The decoders below are rampart's own, not golang.org/x/text's
// (encoding/unicode and its utf32, a dependency already, used by the
// tests to encode): that one reads a lone low surrogate followed by another
// as one U+FFFD where the standard library's utf16.Decode and editors show
// two, so every column after it on the line would be one short; it writes
// each character through utf8.EncodeRune, with no fast path for the ASCII
// that is nearly all of what Windows saves as UTF-16; and plain UTF-16 must be judged unit by
// unit as it is decoded (appendPlain), which a transformer cannot do for
// us. Its streaming adds nothing wideReader needs beyond holding back a
// partial unit or a high surrogate, which FuzzWideReader checks.

// appendWide appends data, text in enc, as UTF-8; nul reports whether it
// held a NUL character (passed on as a NUL byte).
func appendWide(dst, data []byte, enc Encoding) (out []byte, nul bool) {
	if enc == UTF16LE || enc == UTF16BE {
		return appendUTF16(dst, data, enc)
	}
	return appendUTF32(dst, data, enc)
}

// wideReader decodes r, text in enc after its byte-order mark, to UTF-8 as
// it is read: a file with a mark too large to hold whole is read in
// windows of its text (streamWindows). Only the mark decides there: a NUL
// character is passed on as a NUL byte.
type wideReader struct {
	r        io.Reader
	enc      Encoding
	buf, dec []byte
	in       []byte // read, not decoded yet: a partial unit, a high surrogate
	out      []byte // decoded, not returned yet
	err      error
}

// Read implements io.Reader.
func (w *wideReader) Read(p []byte) (int, error) {
	for len(w.out) == 0 {
		if w.err != nil {
			return 0, w.err
		}
		if w.buf == nil {
			w.buf = make([]byte, 64<<10)
		}
		k := copy(w.buf, w.in)
		n, err := w.r.Read(w.buf[k:])
		w.err = err
		data := w.buf[:k+n]
		keep := len(data)
		if err == nil {
			// Hold back what the next read completes.
			if w.enc == UTF16LE || w.enc == UTF16BE {
				keep &^= 1
				if keep >= 2 {
					if u := unit(data, keep-2, w.enc); u >= 0xD800 && u < 0xDC00 {
						keep -= 2
					}
				}
			} else {
				keep &^= 3
			}
		}
		w.dec, _ = appendWide(w.dec[:0], data[:keep], w.enc)
		w.out = w.dec
		w.in = append(w.in[:0], data[keep:]...)
	}
	n := copy(p, w.out)
	w.out = w.out[n:]
	return n, nil
}

// grow returns dst with room for the UTF-8 of n bytes of mostly ASCII
// UTF-16 (half as many); other text grows it as it is appended.
func grow(dst []byte, n int) []byte {
	want := len(dst) + n/2 + 4
	if cap(dst) >= want {
		return dst
	}
	out := make([]byte, len(dst), want)
	copy(out, dst)
	return out
}

// appendUTF16 appends data, UTF-16 in enc, as UTF-8; nul reports a NUL
// character. A trailing odd byte or an unpaired surrogate becomes U+FFFD.
func appendUTF16(dst, data []byte, enc Encoding) (out []byte, nul bool) {
	for i := 0; i < len(data); i += 2 {
		if i+1 >= len(data) {
			dst = utf8.AppendRune(dst, utf8.RuneError)
			break
		}
		u := unit(data, i, enc)
		switch {
		case u < utf8.RuneSelf:
			nul = nul || u == 0
			dst = append(dst, byte(u))
			continue
		case utf16.IsSurrogate(rune(u)):
			r := utf8.RuneError
			if u < 0xDC00 && i+3 < len(data) {
				if lo := unit(data, i+2, enc); lo >= 0xDC00 && lo <= 0xDFFF {
					r = utf16.DecodeRune(rune(u), rune(lo))
					i += 2
				}
			}
			dst = utf8.AppendRune(dst, r)
			continue
		}
		dst = utf8.AppendRune(dst, rune(u))
	}
	return dst, nul
}

// appendUTF32 appends data, UTF-32 in enc, as UTF-8; nul reports a NUL
// character. A trailing partial unit or a value that is no character
// becomes U+FFFD.
func appendUTF32(dst, data []byte, enc Encoding) (out []byte, nul bool) {
	for i := 0; i < len(data); i += 4 {
		if i+3 >= len(data) {
			dst = utf8.AppendRune(dst, utf8.RuneError)
			break
		}
		var r uint32
		if enc == UTF32BE {
			r = uint32(data[i])<<24 | uint32(data[i+1])<<16 | uint32(data[i+2])<<8 | uint32(data[i+3])
		} else {
			r = uint32(data[i+3])<<24 | uint32(data[i+2])<<16 | uint32(data[i+1])<<8 | uint32(data[i])
		}
		switch {
		case r < utf8.RuneSelf:
			nul = nul || r == 0
			dst = append(dst, byte(r))
		case r > utf8.MaxRune:
			// AppendRune writes U+FFFD for surrogates and out-of-range values.
			dst = utf8.AppendRune(dst, utf8.RuneError)
		default:
			dst = utf8.AppendRune(dst, rune(r))
		}
	}
	return dst, nul
}
