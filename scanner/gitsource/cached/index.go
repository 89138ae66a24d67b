package cached

import (
	"bytes"
	"encoding/binary"
	"strconv"
)

// Index entry modes (git's on-disk mode field).
const (
	modeFile    = 0o100644
	modeExec    = 0o100755
	modeSymlink = 0o120000
	modeGitlink = 0o160000
)

// entry is one index entry: its path and object name live in the index
// file's bytes (or, for version 4, in paths), so 50,000 entries cost
// 16 bytes each rather than a string and a copy of everything.
type entry struct {
	path uint32 // offset of the path in index.paths
	plen uint32
	oid  uint32 // offset of the 20-byte object name in index.data
	mode uint32
}

// index is a parsed .git/index: entries sorted by path, and the cache tree
// (git's record of which directories still match a tree object).
type index struct {
	data    []byte
	paths   []byte // data for versions 2 and 3; a built arena for 4
	entries []entry
	tree    *cacheTree // nil: the index has none
	// attrs are the entries named .gitattributes.
	attrs []int
}

func (x *index) path(i int) []byte {
	e := &x.entries[i]
	return x.paths[e.path : e.path+e.plen]
}

func (x *index) oid(i int) [20]byte {
	o := x.entries[i].oid
	return [20]byte(x.data[o : o+20])
}

// cacheTree is one directory of the index's TREE extension. count is the
// number of index entries under it, -1 when a change since the tree was
// written invalidated it (oid is then unknown).
type cacheTree struct {
	name     string
	count    int
	oid      [20]byte
	children []*cacheTree
	byName   map[string]*cacheTree // built for a directory of many
}

func (c *cacheTree) child(name []byte) *cacheTree {
	if c == nil {
		return nil
	}
	if len(c.children) > 16 {
		// A walk asks once per subdirectory: a map keeps a directory of
		// thousands from costing their square.
		if c.byName == nil {
			c.byName = make(map[string]*cacheTree, len(c.children))
			for _, k := range c.children {
				c.byName[k.name] = k
			}
		}
		return c.byName[string(name)]
	}
	for _, k := range c.children {
		if k.name == string(name) {
			return k
		}
	}
	return nil
}

// Index entry flags.
const (
	flagExtended = 0x4000
	flagStage    = 0x3000
	flagNameMask = 0x0fff
	// Extended flags (version 3 and later).
	flagIntentToAdd = 0x2000
)

// parseIndex reads an index of version 2, 3 or 4. Anything it does not
// take at face value is a fallback: unmerged entries (a conflict),
// intent-to-add entries, a split or sparse index (their required
// extensions), SHA-256 object names.
func parseIndex(data []byte) (*index, error) {
	if len(data) < 12+20 || string(data[:4]) != "DIRC" {
		return nil, errFallback("not an index file")
	}
	version := binary.BigEndian.Uint32(data[4:])
	if version < 2 || version > 4 {
		return nil, errFallback("index version " + strconv.Itoa(int(version)))
	}
	n := int(binary.BigEndian.Uint32(data[8:]))
	end := len(data) - 20 // the trailing checksum
	if n > end/62 {
		return nil, errFallback("index entry count out of range")
	}
	x := &index{data: data, paths: data, entries: make([]entry, 0, n)}
	var arena []byte
	if version == 4 {
		arena = make([]byte, 0, n*32)
	}
	at := 12
	var prev []byte
	for i := 0; i < n; i++ {
		if at+62 > end {
			return nil, errFallback("index truncated")
		}
		mode := binary.BigEndian.Uint32(data[at+24:])
		flags := binary.BigEndian.Uint16(data[at+60:])
		if flags&flagStage != 0 {
			return nil, errFallback("unmerged entries (a conflict)")
		}
		nameAt := at + 62
		if flags&flagExtended != 0 {
			if version < 3 || nameAt+2 > end {
				return nil, errFallback("extended flags in a version 2 index")
			}
			if binary.BigEndian.Uint16(data[nameAt:])&flagIntentToAdd != 0 {
				return nil, errFallback("intent-to-add entries")
			}
			nameAt += 2
		}
		switch mode {
		case modeFile, modeExec, modeSymlink, modeGitlink:
		default:
			// A sparse index's directory entries, or something newer.
			return nil, errFallback("index entry mode " + strconv.FormatUint(uint64(mode), 8))
		}
		e := entry{oid: uint32(at + 40), mode: mode}
		if version < 4 {
			nul := bytes.IndexByte(data[nameAt:end], 0)
			if nul < 0 {
				return nil, errFallback("index entry path unterminated")
			}
			if l := int(flags & flagNameMask); l != flagNameMask && l != nul {
				return nil, errFallback("index entry path length mismatch")
			}
			e.path, e.plen = uint32(nameAt), uint32(nul)
			// Entries are padded with 1–8 NULs to a multiple of 8 bytes.
			at += (nameAt - at + nul + 8) &^ 7
		} else {
			strip, k := v4varint(data[nameAt:end])
			if k == 0 || strip > uint64(len(prev)) {
				return nil, errFallback("index version 4 path prefix out of range")
			}
			nameAt += k
			nul := bytes.IndexByte(data[nameAt:end], 0)
			if nul < 0 {
				return nil, errFallback("index entry path unterminated")
			}
			start := len(arena)
			arena = append(arena, prev[:len(prev)-int(strip)]...)
			arena = append(arena, data[nameAt:nameAt+nul]...)
			prev = arena[start:]
			e.path, e.plen = uint32(start), uint32(len(prev))
			at = nameAt + nul + 1
		}
		if at > end {
			return nil, errFallback("index truncated")
		}
		x.entries = append(x.entries, e)
	}
	if version == 4 {
		x.paths = arena
	}
	for i := range x.entries {
		p := x.path(i)
		if string(p) == ".gitattributes" || bytes.HasSuffix(p, []byte("/.gitattributes")) {
			x.attrs = append(x.attrs, i)
		}
		if i > 0 && bytes.Compare(x.path(i-1), p) >= 0 {
			return nil, errFallback("index entries out of order")
		}
	}
	// Extensions: a 4-byte signature and a 4-byte length each. One whose
	// signature starts with a lower-case letter must be understood to read
	// the index correctly (a split index's "link", a sparse one's "sdir").
	for at+8 <= end {
		sig := data[at : at+4]
		size := int(binary.BigEndian.Uint32(data[at+4:]))
		body := at + 8
		if size < 0 || body+size > end {
			return nil, errFallback("index extension out of range")
		}
		if sig[0] < 'A' || sig[0] > 'Z' {
			return nil, errFallback("index extension " + strconv.Quote(string(sig)))
		}
		if string(sig) == "TREE" {
			t, rest, err := parseCacheTree(data[body:body+size], 0)
			if err != nil || len(rest) != 0 {
				return nil, errFallback("index cache tree malformed")
			}
			x.tree = t
		}
		at = body + size
	}
	if at != end {
		return nil, errFallback("index extensions malformed")
	}
	return x, nil
}

// v4varint decodes the offset varint of a version 4 index path (the same
// encoding as a pack's delta offsets): it returns the value and the bytes
// read, 0 if malformed.
func v4varint(b []byte) (uint64, int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	v := uint64(c & 0x7f)
	i := 1
	for c&0x80 != 0 {
		if i >= len(b) || v > 1<<48 {
			return 0, 0
		}
		c = b[i]
		i++
		v = (v+1)<<7 | uint64(c&0x7f)
	}
	return v, i
}

// parseCacheTree reads one TREE extension node and its subtrees:
// "name\0count subtrees\n" and, when count is not -1, the tree's name.
func parseCacheTree(b []byte, depth int) (*cacheTree, []byte, error) {
	if depth > maxDepth {
		return nil, nil, errFallback("cache tree too deep")
	}
	nul := bytes.IndexByte(b, 0)
	if nul < 0 {
		return nil, nil, errFallback("cache tree name")
	}
	t := &cacheTree{name: string(b[:nul])}
	b = b[nul+1:]
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 {
		return nil, nil, errFallback("cache tree counts")
	}
	cnt, sub, ok := bytes.Cut(b[:nl], []byte(" "))
	if !ok {
		return nil, nil, errFallback("cache tree counts")
	}
	count, err1 := strconv.Atoi(string(cnt))
	subtrees, err2 := strconv.Atoi(string(sub))
	if err1 != nil || err2 != nil || count < -1 || subtrees < 0 || subtrees > len(b) {
		return nil, nil, errFallback("cache tree counts")
	}
	t.count = count
	b = b[nl+1:]
	if count >= 0 {
		if len(b) < 20 {
			return nil, nil, errFallback("cache tree object name")
		}
		t.oid = [20]byte(b[:20])
		b = b[20:]
	}
	for range subtrees {
		var c *cacheTree
		var err error
		if c, b, err = parseCacheTree(b, depth+1); err != nil {
			return nil, nil, err
		}
		t.children = append(t.children, c)
	}
	return t, b, nil
}
