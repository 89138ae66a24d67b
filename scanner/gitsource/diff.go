package gitsource

import (
	"bytes"
	"errors"
	"strconv"
)

// FileDiff is one file's added lines from a unified or combined diff.
type FileDiff struct {
	// Path is the file's path in the new tree.
	Path string
	// Data holds the added lines (without their +/- prefix), each ending in '\n'.
	Data []byte
	// Lines gives the new-file line number of each line in Data.
	Lines []int
	// Binary, Submodule and Symlink mark files whose content is not scanned.
	Binary, Submodule, Symlink bool
	// TooLarge is set when the added content passed the size limit; Data is then empty.
	TooLarge bool
	// OldIDs and NewID are the blobs the diff's "index" line names: the
	// file before (one per parent of a merge; all zeros when it is new)
	// and after. A binary file's content is read by them.
	OldIDs []string
	NewID  string
}

// diffParser turns diff lines into FileDiffs. It understands `git diff`
// and `git log -p` output, including combined (`--cc`) diffs of merges, in
// which only lines added relative to every parent count as added.
type diffParser struct {
	emit     func(*FileDiff) error
	maxBytes int64

	cur     *FileDiff
	inHunk  bool
	parents int // number of prefix columns: 1 for a plain diff
	newLine int // next line number in the new file
}

func (p *diffParser) flush() error {
	f := p.cur
	p.cur, p.inHunk = nil, false
	if f == nil || f.Path == "" {
		return nil
	}
	if len(f.Data) == 0 && !f.Binary && !f.Submodule && !f.TooLarge {
		return nil
	}
	return p.emit(f)
}

var (
	prefixDiffGit      = []byte("diff --git ")
	prefixDiffCC       = []byte("diff --cc ")
	prefixDiffCombined = []byte("diff --combined ")
	prefixPlus3        = []byte("+++ ")
	prefixBinary       = []byte("Binary files ")
	prefixGitBinary    = []byte("GIT binary patch")
	prefixIndex        = []byte("index ")
)

// indexIDs parses the rest of an "index a..b [mode]" line, or a merge's
// "index a,b..c": the old blob IDs and the new one.
func indexIDs(rest []byte) (olds []string, new string) {
	if i := bytes.IndexByte(rest, ' '); i >= 0 {
		rest = rest[:i]
	}
	a, b, ok := bytes.Cut(rest, []byte(".."))
	if !ok || len(b) == 0 {
		return nil, ""
	}
	for _, id := range bytes.Split(a, []byte(",")) {
		olds = append(olds, string(id))
	}
	return olds, string(b)
}

// line feeds one line (without its trailing newline).
func (p *diffParser) line(l []byte) error {
	if p.inHunk && len(l) > 0 {
		switch l[0] {
		case '+', '-', ' ':
			p.hunkLine(l)
			return nil
		case '\\': // "\ No newline at end of file"
			return nil
		case '@':
			return p.hunkHeader(l)
		}
	}
	switch {
	case bytes.HasPrefix(l, prefixDiffGit):
		if err := p.flush(); err != nil {
			return err
		}
		p.cur, p.parents = &FileDiff{}, 1
		// The path comes from "+++ b/…"; the header is ambiguous with spaces.
		// A file with no content lines (binary) falls back to the header.
		p.cur.Path = headerPath(l[len(prefixDiffGit):])
	case bytes.HasPrefix(l, prefixDiffCC), bytes.HasPrefix(l, prefixDiffCombined):
		if err := p.flush(); err != nil {
			return err
		}
		name := l[bytes.IndexByte(l[5:], ' ')+6:]
		p.cur, p.parents = &FileDiff{Path: unquotePath(name)}, 2
	case p.cur == nil:
		// Commit headers and other text between files.
	case bytes.HasPrefix(l, prefixPlus3):
		name := l[len(prefixPlus3):]
		if bytes.Equal(name, []byte("/dev/null")) {
			p.cur.Path = ""
			return nil
		}
		path := unquotePath(name)
		if len(path) > 2 && path[1] == '/' && (path[0] == 'b' || p.parents > 1) {
			path = path[2:]
		}
		p.cur.Path = path
	case bytes.HasPrefix(l, []byte("@@")):
		return p.hunkHeader(l)
	case bytes.HasPrefix(l, prefixBinary), bytes.HasPrefix(l, prefixGitBinary):
		p.cur.Binary = true
	case bytes.HasPrefix(l, prefixIndex):
		p.cur.OldIDs, p.cur.NewID = indexIDs(l[len(prefixIndex):])
		switch {
		case bytes.HasSuffix(l, []byte(" 160000")):
			p.cur.Submodule = true
		case bytes.HasSuffix(l, []byte(" 120000")):
			p.cur.Symlink = true
		}
	case bytes.HasPrefix(l, []byte("new file mode 160000")), bytes.HasPrefix(l, []byte("new mode 160000")):
		p.cur.Submodule = true
	case bytes.HasPrefix(l, []byte("new file mode 120000")), bytes.HasPrefix(l, []byte("new mode 120000")):
		p.cur.Symlink = true
	case bytes.HasPrefix(l, []byte("mode ")) && bytes.Contains(l, []byte("160000")):
		p.cur.Submodule = true
	}
	return nil
}

// hunkHeader parses "@@ -a,b +c,d @@" or, for n parents, n+1 '@'s and the
// new-file range last.
func (p *diffParser) hunkHeader(l []byte) error {
	if p.cur == nil {
		return nil
	}
	ats := 0
	for ats < len(l) && l[ats] == '@' {
		ats++
	}
	if ats < 2 {
		return nil
	}
	p.parents = ats - 1
	end := bytes.Index(l[ats:], bytes.Repeat([]byte("@"), ats))
	if end < 0 {
		return errors.New("gitsource: malformed hunk header")
	}
	ranges := bytes.Fields(l[ats : ats+end])
	for _, r := range ranges {
		if len(r) > 1 && r[0] == '+' {
			num := r[1:]
			if i := bytes.IndexByte(num, ','); i >= 0 {
				num = num[:i]
			}
			n, err := strconv.Atoi(string(num))
			if err != nil || n < 0 {
				return errors.New("gitsource: malformed hunk header")
			}
			p.newLine = n
			p.inHunk = true
			return nil
		}
	}
	return errors.New("gitsource: malformed hunk header")
}

func (p *diffParser) hunkLine(l []byte) {
	cols := p.parents
	if cols > len(l) {
		return
	}
	removed, added := false, true
	for i := 0; i < cols; i++ {
		switch l[i] {
		case '-':
			removed = true
		case '+':
		default:
			added = false
		}
	}
	if removed {
		return
	}
	if added && !p.cur.Submodule && !p.cur.TooLarge {
		content := l[cols:]
		if p.maxBytes > 0 && int64(len(p.cur.Data)+len(content)+1) > p.maxBytes {
			p.cur.TooLarge = true
			p.cur.Data, p.cur.Lines = nil, nil
		} else {
			p.cur.Data = append(p.cur.Data, content...)
			p.cur.Data = append(p.cur.Data, '\n')
			p.cur.Lines = append(p.cur.Lines, p.newLine)
		}
	}
	p.newLine++
}

// headerPath extracts the new path from the rest of a "diff --git a/x b/y"
// line, when the two halves are the same path (the common case).
func headerPath(rest []byte) string {
	if len(rest) > 0 && rest[0] == '"' {
		// Quoted: "a/…" "b/…"; take the second quoted token.
		if i := bytes.Index(rest[1:], []byte(`" `)); i >= 0 {
			second := rest[i+3:]
			p := unquotePath(second)
			if len(p) > 2 && p[:2] == "b/" {
				return p[2:]
			}
			return p
		}
		return ""
	}
	n := len(rest)
	if n%2 == 1 {
		half := (n - 1) / 2
		a, b := rest[:half], rest[half+1:]
		if len(a) > 2 && len(b) > 2 && bytes.Equal(a[2:], b[2:]) {
			return string(b[2:])
		}
	}
	if i := bytes.LastIndex(rest, []byte(" b/")); i >= 0 {
		return string(rest[i+3:])
	}
	return ""
}

// unquotePath decodes git's C-style quoting ("a\tb", "\303\244") of path
// names; unquoted names are returned as they are.
func unquotePath(b []byte) string {
	// A trailing tab appears after names with spaces in some headers.
	b = bytes.TrimRight(b, "\t")
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return string(b)
	}
	s := b[1 : len(b)-1]
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			out = append(out, c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 'a':
			out = append(out, '\a')
		case 'b':
			out = append(out, '\b')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'v':
			out = append(out, '\v')
		case 'f':
			out = append(out, '\f')
		case 'r':
			out = append(out, '\r')
		case '0', '1', '2', '3':
			if i+2 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) {
				out = append(out, (e-'0')<<6|(s[i+1]-'0')<<3|(s[i+2]-'0'))
				i += 2
			} else {
				out = append(out, e)
			}
		default:
			out = append(out, e)
		}
	}
	return string(out)
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
