package cached

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"fmt"
	"strconv"
)

// change is one file the staged diff shows: its index entry and, for a
// modified file, the blob and mode HEAD has.
type change struct {
	entry   int
	old     [20]byte
	oldMode uint32
	added   bool
	// modeOnly marks a file whose mode alone changed: git prints its
	// header, and no lines.
	modeOnly bool
}

// differ compares the index with HEAD's tree.
type differ struct {
	x       *index
	st      *store
	changes []change
	added   int
	deleted int
}

// walk compares the tree tree (nil: none, every entry is new) at prefix
// with index entries [lo, hi), which are those under prefix. ct is the
// cache tree's node for prefix: where it is valid and names the same tree,
// nothing below changed and nothing is read.
func (d *differ) walk(prefix []byte, tree *[20]byte, lo, hi int, ct *cacheTree, depth int) error {
	if depth > maxDepth {
		return errFallback("directories nested too deep")
	}
	if tree != nil && ct != nil && ct.count >= 0 && ct.oid == *tree {
		if ct.count != hi-lo {
			return errFallback("cache tree disagrees with the index")
		}
		return nil
	}
	var ents []treeEntry
	if tree != nil {
		b, err := d.st.readType(*tree, objTree)
		if err != nil {
			return err
		}
		if ents, err = parseTree(b); err != nil {
			return err
		}
	}
	i := lo
	for t := 0; t < len(ents) || i < hi; {
		// The next index entry's name at this level, and whether it is
		// a directory (its path goes on past a slash).
		var iname []byte
		idir := false
		if i < hi {
			rest := d.x.path(i)[len(prefix):]
			if s := bytes.IndexByte(rest, '/'); s >= 0 {
				iname, idir = rest[:s], true
			} else {
				iname = rest
			}
		}
		var cmp int
		switch {
		case t >= len(ents):
			cmp = 1 // index only
		case i >= hi:
			cmp = -1 // tree only
		default:
			cmp = compareNames(ents[t].name, ents[t].dir(), iname, idir)
		}
		switch {
		case cmp < 0:
			// In HEAD, not in the index: deleted (--diff-filter=d
			// shows nothing, but -M could pair it with an addition).
			d.deleted++
			t++
		case cmp > 0:
			j := i + 1
			if idir {
				j = d.under(i, hi, len(prefix)+len(iname))
			}
			for ; i < j; i++ {
				if err := d.add(i); err != nil {
					return err
				}
			}
		default:
			e := &ents[t]
			t++
			if e.dir() != idir {
				return errFallback("a file became a directory or the other way round")
			}
			if idir {
				j := d.under(i, hi, len(prefix)+len(iname))
				sub := d.x.path(i)[:len(prefix)+len(iname)+1]
				if err := d.walk(sub, &e.oid, i, j, ct.child(iname), depth+1); err != nil {
					return err
				}
				i = j
				continue
			}
			if err := d.modify(i, e); err != nil {
				return err
			}
			i++
		}
	}
	return nil
}

// under returns the end of the run of index entries from i that lie in the
// directory whose name ends at byte n of entry i's path.
func (d *differ) under(i, hi, n int) int {
	dir := d.x.path(i)[:n+1] // with its slash
	j := i + 1
	for j < hi && bytes.HasPrefix(d.x.path(j), dir) {
		j++
	}
	return j
}

// compareNames orders tree entry names as git does: a directory's name as
// if it ended in a slash.
func compareNames(a []byte, adir bool, b []byte, bdir bool) int {
	n := min(len(a), len(b))
	if c := bytes.Compare(a[:n], b[:n]); c != 0 {
		return c
	}
	return cmp.Compare(nameEnd(a, adir, n), nameEnd(b, bdir, n))
}

// nameEnd is name's byte at n, or where name ends there, '/' for a
// directory's and 0 for another's.
func nameEnd(name []byte, dir bool, n int) byte {
	switch {
	case n < len(name):
		return name[n]
	case dir:
		return '/'
	}
	return 0
}

func (d *differ) add(i int) error {
	d.added++
	if m := d.x.entries[i].mode; m != modeFile && m != modeExec {
		return errFallback("a symbolic link or submodule was added")
	}
	d.changes = append(d.changes, change{entry: i, added: true})
	return nil
}

func (d *differ) modify(i int, e *treeEntry) error {
	x := d.x.entries[i]
	same := d.x.oid(i) == e.oid
	if same && x.mode == e.mode {
		return nil
	}
	if x.mode != modeFile && x.mode != modeExec || e.mode != modeFile && e.mode != modeExec {
		return errFallback("a symbolic link or submodule changed")
	}
	d.changes = append(d.changes, change{entry: i, old: e.oid, oldMode: e.mode, modeOnly: same})
	return nil
}

// quoteFree reports whether git prints p as it is (core.quotePath=true
// quotes control characters, '"', '\\' and bytes past ASCII).
func quoteFree(p []byte) bool {
	for _, c := range p {
		if c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			return false
		}
	}
	return true
}

// binaryPeek is how much of a file git looks at for a NUL byte to call it
// binary (xdiff's FIRST_FEW_BYTES).
const binaryPeek = 8000

func isBinary(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), binaryPeek)], 0) >= 0
}

var zeroID = bytes.Repeat([]byte{'0'}, 40)

// write prints c as git does with gitcmd.StagedArgs (-U0, --full-index,
// a/ and b/ prefixes), leaving out the removed lines, which nothing reads.
func (d *differ) write(w *bytes.Buffer, c change) error {
	path := d.x.path(c.entry)
	if !quoteFree(path) {
		return errFallback("a path git would quote")
	}
	newID := d.x.oid(c.entry)
	mode := d.x.entries[c.entry].mode
	if c.modeOnly {
		fmt.Fprintf(w, "diff --git a/%s b/%s\nold mode %o\nnew mode %o\n", path, path, c.oldMode, mode)
		return nil
	}
	newData, err := d.st.readType(newID, objBlob)
	if err != nil {
		return err
	}
	var oldData []byte
	if !c.added {
		if oldData, err = d.st.readType(c.old, objBlob); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "diff --git a/%s b/%s\n", path, path)
	oldHex := zeroID
	if c.added {
		fmt.Fprintf(w, "new file mode %o\n", mode)
	} else {
		oldHex = []byte(hex.EncodeToString(c.old[:]))
		if c.oldMode != mode {
			fmt.Fprintf(w, "old mode %o\nnew mode %o\n", c.oldMode, mode)
		}
	}
	fmt.Fprintf(w, "index %s..%s", oldHex, hex.EncodeToString(newID[:]))
	if !c.added && c.oldMode == mode {
		fmt.Fprintf(w, " %o", mode)
	}
	w.WriteByte('\n')
	from := "a/" + string(path)
	if c.added {
		from = "/dev/null"
	}
	if isBinary(newData) || isBinary(oldData) {
		// (A binary file emptied too: git judges both sides.)
		fmt.Fprintf(w, "Binary files %s and b/%s differ\n", from, path)
		return nil
	}
	if len(newData) == 0 {
		return nil // an empty new file, or emptied: no added lines
	}
	hunks, ok := diffLines(splitLines(oldData), splitLines(newData))
	if !ok {
		return errFallback("an edit too long to diff in process")
	}
	if len(hunks) == 0 {
		return nil
	}
	fmt.Fprintf(w, "--- %s\n+++ b/%s\n", from, path)
	lines := splitLines(newData)
	for _, h := range hunks {
		if h.newN == 0 {
			continue // removed lines only
		}
		fmt.Fprintf(w, "@@ -%s +%s @@\n", hunkRange(h.oldAt, h.oldN), hunkRange(h.newAt, h.newN))
		for _, l := range lines[h.newAt : h.newAt+h.newN] {
			w.WriteByte('+')
			w.Write(l)
			if l[len(l)-1] != '\n' {
				w.WriteString("\n\\ No newline at end of file\n")
			}
		}
	}
	return nil
}

// hunkRange is a unified diff's "start,count" for 0-based line at and n
// lines: 1-based, the count left out when it is 1, and the line before
// the hunk when it is empty.
func hunkRange(at, n int) string {
	switch n {
	case 0:
		return strconv.Itoa(at) + ",0"
	case 1:
		return strconv.Itoa(at + 1)
	}
	return strconv.Itoa(at+1) + "," + strconv.Itoa(n)
}
