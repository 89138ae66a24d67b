package gitsource

import "bytes"

// Multi-line key blocks in diffs. A diff pairs equal lines, and the
// header and footer of one key block equal those of another: a new
// `-----BEGIN OPENSSH PRIVATE KEY-----` block written above a committed
// one, or in place of one, adds only its body (and the old block's BEGIN
// line, or even its first body line, which every unencrypted ed25519 key
// in OpenSSH's format shares), and the private-key rules, which read a
// block from its BEGIN line, see no new block, or see the old one. So when
// the added lines show a key block's body without an added BEGIN line
// above it, or a BEGIN line without its END, the new blob and the old
// ones are read and the file's BEGIN…END blocks (PEM, OpenSSH, PGP
// armour; a PuTTY key from its header to its Private-MAC line) are judged
// whole: a block whose body an old blob holds is committed, and none of
// its lines is scanned (a diff mode does not report committed secrets
// again); any other block with an added body line is scanned whole, each
// line at its line in the new file. A wholly new key file reads no blob.

// maxBlock bounds a block that is scanned whole, in bytes: a PGP private
// key block with subkeys of RSA-4096 is under 8 KB. A larger span between
// a BEGIN and an END line is no key block, and is left as the diff gives it.
const maxBlock = 64 << 10

// minBodyRun is how long a run of base64 a line needs to look like a key
// block's body: the private-key rules need 40 characters after BEGIN, and
// a key block's lines are 64 or 70.
const minBodyRun = 40

var (
	pemBegin   = []byte("-----BEGIN ")
	pemEnd     = []byte("-----END ")
	puttyBegin = []byte("PuTTY-User-Key-File-")
	puttyEnd   = []byte("Private-MAC:")
)

func blockBegin(l []byte) bool {
	return bytes.Contains(l, pemBegin) || bytes.HasPrefix(l, puttyBegin)
}

func blockEnd(l []byte) bool {
	return bytes.Contains(l, pemEnd) || bytes.HasPrefix(l, puttyEnd)
}

// needsBlocks reports whether the added lines data (numbered by lines, in
// the new file) hold a line that looks like a key block's body without an
// added BEGIN line above it in the same run of consecutive lines: only then
// can the new file hold a block that the added lines alone do not show. A
// wholly new key file, the common case, reads no blob.
func needsBlocks(data []byte, lines []int) bool {
	open := false
	for i := 0; len(data) > 0; i++ {
		l := data
		if j := bytes.IndexByte(data, '\n'); j >= 0 {
			l, data = data[:j], data[j+1:]
		} else {
			data = nil
		}
		if i > 0 && i < len(lines) && lines[i] != lines[i-1]+1 {
			if open {
				return true
			}
		}
		switch {
		case blockBegin(l) && !blockEnd(l):
			open = true
		case blockEnd(l):
			open = false
		case !open && bodyLike(l):
			return true
		}
	}
	return open
}

// bodyLike reports whether l, without the quotes, indentation, escaped
// newline and concatenation that embed a key in source code, is a line of
// base64 at least minBodyRun long: a key block's body line.
func bodyLike(l []byte) bool {
	l = bytes.TrimLeft(l, " \t\"'`")
	l = bytes.TrimRight(l, " \t\r\"'`,;+)")
	l = bytes.TrimSuffix(bytes.TrimSuffix(l, []byte(`\n`)), []byte(`\r`))
	l = bytes.TrimRight(l, "=")
	if len(l) < minBodyRun {
		return false
	}
	for _, c := range l {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// eachBlock calls fn with the first and last line index of every key
// block of nl (a BEGIN line to the next END line, at most maxBlock bytes),
// in order. Blocks do not overlap: a BEGIN line before an END starts the
// block afresh.
func eachBlock(nl [][]byte, fn func(open, close int)) {
	open, size := -1, 0
	for i, l := range nl {
		switch {
		case blockBegin(l) && !blockEnd(l):
			open, size = i, 0
		case open >= 0 && blockEnd(l):
			fn(open, i)
			open = -1
		}
		if open >= 0 {
			if size += len(l) + 1; size > maxBlock {
				open = -1
			}
		}
	}
}

// blockBody is a block's body, its lines between BEGIN and END, as a map key.
func blockBody(nl [][]byte, open, close int) string {
	return string(bytes.Join(nl[open+1:close], []byte{'\n'}))
}

// expandBlocks returns the added lines data (numbered by lines) of text,
// the new file, with its key blocks judged whole against olds, the old
// files (one per parent). A block whose body an old file holds as a block
// is committed key material: none of its lines count as added, whatever
// the diff's pairing made of them (a new block above it can make its BEGIN
// and first body line "added"). Any other block whose body holds an added
// line is new, and is added whole, in the new file's order and numbering.
// It takes time linear in the texts. When the diff's line numbers do not
// fit text, data and lines are returned as they are.
func expandBlocks(text []byte, olds [][]byte, data []byte, lines []int) ([]byte, []int) {
	nl := splitLines(text)
	if len(lines) == 0 || lines[len(lines)-1] > len(nl) || lines[0] < 1 {
		return data, lines
	}
	seen := map[string]bool{}
	for _, old := range olds {
		ol := splitLines(old)
		eachBlock(ol, func(open, close int) { seen[blockBody(ol, open, close)] = true })
	}
	added := make([]bool, len(nl))
	for _, n := range lines {
		added[n-1] = true
	}
	keep := make([]bool, len(nl))
	copy(keep, added)
	changed := false
	eachBlock(nl, func(open, close int) {
		body := false
		for j := open + 1; j < close && !body; j++ {
			body = added[j]
		}
		old := seen[blockBody(nl, open, close)]
		if !body && !old {
			return
		}
		for j := open; j <= close; j++ {
			changed = changed || keep[j] == old
			keep[j] = !old
		}
	})
	if !changed {
		return data, lines
	}
	data, lines = nil, nil
	for i, l := range nl {
		if keep[i] {
			data = append(append(data, l...), '\n')
			lines = append(lines, i+1)
		}
	}
	return data, lines
}
