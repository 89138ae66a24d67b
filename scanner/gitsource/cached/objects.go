package cached

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/klauspost/compress/zlib"

	"github.com/rampart-sec/rampart/scanner/gitsource/pack"
)

// Object types as a pack stores them.
const (
	objCommit = 1
	objTree   = 2
	objBlob   = 3
	objTag    = 4
	ofsDelta  = 6
	refDelta  = 7
)

// maxObject bounds what is read in process; a larger object (and any
// delta chain deeper than maxChain) is git's to read.
const (
	maxObject = 64 << 20
	maxChain  = 4096
)

// store reads objects by name from a repository's packs (through their
// version 2 .idx, mapped) and loose objects. It is the small part of a
// object database a staged diff needs: a few trees and blobs.
type store struct {
	dir   string
	packs []*packFile
	// zr is reset for each object: a new zlib reader allocates tens of
	// KB, which a diff that reads a few hundred trees would fault in anew
	// each time.
	zr io.ReadCloser
	br bytes.Reader
}

type packFile struct {
	idx, data []byte
	n         int
}

// mapFile maps path read-only (pack.MapFile). The index of a large
// repository is megabytes, of which a staged diff reads little twice:
// mapped, its pages come from the page cache as they are touched, where
// reading it would fault in as much fresh memory (git's own 4.4 MB read of
// a 50,000-file index is ~2,000 faults of 10–12 µs on a VM). What pack
// cannot map (an empty file, a platform without mmap) is git's to read.
func mapFile(path string) ([]byte, func(), error) {
	b, unmap, err := pack.MapFile(path)
	if errors.Is(err, pack.ErrUnsupported) {
		return nil, nil, errFallback("cannot map " + filepath.Base(path))
	}
	if err != nil {
		return nil, nil, err
	}
	return b, func() { unmap() }, nil
}

func openStore(dir string) (*store, func(), error) {
	if _, err := os.Stat(filepath.Join(dir, "info", "alternates")); err == nil {
		return nil, nil, errFallback("alternate object directories")
	}
	s := &store{dir: dir}
	var unmaps []func()
	closeAll := func() {
		for _, u := range unmaps {
			u()
		}
	}
	idxs, _ := filepath.Glob(filepath.Join(dir, "pack", "*.idx"))
	for _, name := range idxs {
		idx, unmapIdx, err := mapFile(name)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		unmaps = append(unmaps, unmapIdx)
		data, unmapPack, err := mapFile(strings.TrimSuffix(name, ".idx") + ".pack")
		if err != nil {
			closeAll()
			return nil, nil, errFallback("a pack index without its pack")
		}
		unmaps = append(unmaps, unmapPack)
		p := &packFile{idx: idx, data: data}
		if err := p.check(); err != nil {
			closeAll()
			return nil, nil, err
		}
		s.packs = append(s.packs, p)
	}
	return s, closeAll, nil
}

// check validates the .idx layout this reader relies on: version 2, SHA-1
// names, and a pack file that says it is one.
func (p *packFile) check() error {
	idx := p.idx
	if len(idx) < 8+256*4+40 || !bytes.Equal(idx[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(idx[4:]) != 2 {
		return errFallback("pack index is not version 2")
	}
	n := uint64(binary.BigEndian.Uint32(idx[8+255*4:]))
	if 8+256*4+n*28+40 > uint64(len(idx)) {
		return errFallback("pack index truncated or not SHA-1")
	}
	p.n = int(n)
	large := uint64(len(idx)) - (8 + 256*4 + n*28 + 40)
	if large%8 != 0 {
		return errFallback("pack index layout is not SHA-1 version 2")
	}
	if len(p.data) < 12+20 || string(p.data[:4]) != "PACK" {
		return errFallback("not a pack file")
	}
	return nil
}

// find returns the pack offset of the object named id.
func (p *packFile) find(id *[20]byte) (int64, bool) {
	fan := p.idx[8:]
	lo := 0
	if id[0] > 0 {
		lo = int(binary.BigEndian.Uint32(fan[4*(int(id[0])-1):]))
	}
	hi := int(binary.BigEndian.Uint32(fan[4*int(id[0]):]))
	if lo > hi || hi > p.n {
		return 0, false
	}
	names := p.idx[8+256*4:]
	k := lo + sort.Search(hi-lo, func(i int) bool { return bytes.Compare(names[20*(lo+i):20*(lo+i)+20], id[:]) >= 0 })
	if k >= hi || !bytes.Equal(names[20*k:20*k+20], id[:]) {
		return 0, false
	}
	offAt := 8 + 256*4 + p.n*24
	o := binary.BigEndian.Uint32(p.idx[offAt+4*k:])
	if o&0x80000000 == 0 {
		return int64(o), true
	}
	largeAt := offAt + p.n*4 + 8*int(o&0x7fffffff)
	if largeAt+8 > len(p.idx)-40 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(p.idx[largeAt:])), true
}

// read returns the type and content of the object named id.
func (s *store) read(id [20]byte) (int, []byte, error) {
	return s.readDepth(id, 0)
}

func (s *store) readDepth(id [20]byte, depth int) (int, []byte, error) {
	for _, p := range s.packs {
		if off, ok := p.find(&id); ok {
			return s.readPacked(p, off, depth)
		}
	}
	return s.readLoose(id)
}

func (s *store) readLoose(id [20]byte) (int, []byte, error) {
	h := hex.EncodeToString(id[:])
	raw, err := os.ReadFile(filepath.Join(s.dir, h[:2], h[2:]))
	if err != nil {
		// Missing: a partial clone's promised object, or a corrupt
		// repository; git says which.
		return 0, nil, errFallback("object " + h + " not found in process")
	}
	zr, err := s.zlib(raw)
	if err != nil {
		return 0, nil, errFallback("loose object " + h + " is not zlib")
	}
	var head [64]byte
	n, ended, err := fill(zr, head[:])
	if err != nil {
		return 0, nil, errFallback("loose object " + h + " is corrupt")
	}
	nul := bytes.IndexByte(head[:n], 0)
	if nul < 0 {
		return 0, nil, errFallback("loose object " + h + " header")
	}
	kind, size, ok := strings.Cut(string(head[:nul]), " ")
	sz, err := strconv.ParseInt(size, 10, 64)
	if !ok || err != nil || sz < 0 || sz > maxObject {
		return 0, nil, errFallback("loose object " + h + " header")
	}
	typ := map[string]int{"commit": objCommit, "tree": objTree, "blob": objBlob, "tag": objTag}[kind]
	if typ == 0 {
		return 0, nil, errFallback("loose object " + h + " type")
	}
	body := head[nul+1 : n]
	if int64(len(body)) > sz {
		return 0, nil, errFallback("loose object " + h + " is longer than its header says")
	}
	out := make([]byte, sz)
	k := copy(out, body)
	if ended && int64(k) != sz || !ended && !readEnd(zr, out[k:]) {
		return 0, nil, errFallback("loose object " + h + " is truncated or corrupt")
	}
	return typ, out, nil
}

// fill reads r into b until b is full or the stream ends (ended: io.EOF,
// which a zlib reader returns only once the checksum matched); any other
// error is returned.
func fill(r io.Reader, b []byte) (n int, ended bool, err error) {
	for n < len(b) {
		k, err := r.Read(b[n:])
		n += k
		if err == io.EOF {
			return n, true, nil
		}
		if err != nil {
			return n, false, err
		}
	}
	return n, false, nil
}

// readEnd fills out from zr and requires the stream to end there with a
// good checksum: zlib checks it only at the end, and git refuses an object
// whose stream is corrupt, or longer or shorter than its header says,
// where reading just the bytes expected would return damaged content.
func readEnd(zr io.Reader, out []byte) bool {
	n, ended, err := fill(zr, out)
	if err != nil || n != len(out) {
		return false
	}
	if !ended {
		var one [1]byte
		if k, ended, err := fill(zr, one[:]); k != 0 || !ended || err != nil {
			return false
		}
	}
	return true
}

// readPacked reads the entry at off, resolving deltas through their bases.
func (s *store) readPacked(p *packFile, off int64, depth int) (int, []byte, error) {
	if depth > maxChain {
		return 0, nil, errFallback("delta chain too deep")
	}
	d := p.data[:len(p.data)-20]
	if off < 12 || off >= int64(len(d)) {
		return 0, nil, errFallback("pack offset out of range")
	}
	i := int(off)
	c := d[i]
	i++
	typ := int(c >> 4 & 7)
	size := int64(c & 15)
	shift := uint(4)
	for c&0x80 != 0 {
		if i >= len(d) || shift > 56 {
			return 0, nil, errFallback("pack entry header")
		}
		c = d[i]
		i++
		size |= int64(c&0x7f) << shift
		shift += 7
	}
	if size > maxObject {
		return 0, nil, errFallback("object too large to read in process")
	}
	var base func() (int, []byte, error)
	switch typ {
	case objCommit, objTree, objBlob, objTag:
	case ofsDelta:
		if i >= len(d) {
			return 0, nil, errFallback("pack delta offset")
		}
		c = d[i]
		i++
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if i >= len(d) || rel > 1<<55 {
				return 0, nil, errFallback("pack delta offset")
			}
			c = d[i]
			i++
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		if rel <= 0 || rel > off {
			return 0, nil, errFallback("pack delta offset")
		}
		base = func() (int, []byte, error) { return s.readPacked(p, off-rel, depth+1) }
	case refDelta:
		if i+20 > len(d) {
			return 0, nil, errFallback("pack delta base")
		}
		id := [20]byte(d[i : i+20])
		i += 20
		base = func() (int, []byte, error) { return s.readDepth(id, depth+1) }
	default:
		return 0, nil, errFallback("pack entry type")
	}
	out, err := s.inflate(d[i:], size)
	if err != nil {
		return 0, nil, err
	}
	if base == nil {
		return typ, out, nil
	}
	btyp, bdata, err := base()
	if err != nil {
		return 0, nil, err
	}
	obj, _, err := pack.Apply(bdata, out, nil, nil)
	if err != nil || len(obj) > maxObject {
		return 0, nil, errFallback("delta does not apply")
	}
	return btyp, obj, nil
}

// zlib returns the store's zlib reader, reset to read b.
func (s *store) zlib(b []byte) (io.Reader, error) {
	s.br.Reset(b)
	if s.zr == nil {
		zr, err := zlib.NewReader(&s.br)
		if err != nil {
			return nil, err
		}
		s.zr = zr
		return zr, nil
	}
	return s.zr, s.zr.(zlib.Resetter).Reset(&s.br, nil)
}

func (s *store) inflate(b []byte, size int64) ([]byte, error) {
	zr, err := s.zlib(b)
	if err != nil {
		return nil, errFallback("pack entry is not zlib")
	}
	out := make([]byte, size)
	if !readEnd(zr, out) {
		return nil, errFallback("pack entry truncated or corrupt")
	}
	return out, nil
}

// readType reads id and requires it to be of type typ.
func (s *store) readType(id [20]byte, typ int) ([]byte, error) {
	t, data, err := s.read(id)
	if err != nil {
		return nil, err
	}
	if t != typ {
		return nil, errFallback("object " + hex.EncodeToString(id[:]) + " has an unexpected type")
	}
	return data, nil
}

// treeEntry is one entry of a tree object.
type treeEntry struct {
	name []byte
	mode uint32
	oid  [20]byte
}

func (e *treeEntry) dir() bool { return e.mode == 0o40000 }

// parseTree reads a tree object's entries, or refuses it (ErrFallback):
// git then reads it its way.
func parseTree(b []byte) ([]treeEntry, error) {
	var out []treeEntry
	for len(b) > 0 {
		sp := bytes.IndexByte(b, ' ')
		if sp < 0 {
			return nil, errFallback("tree entry mode")
		}
		mode, err := strconv.ParseUint(string(b[:sp]), 8, 32)
		if err != nil {
			return nil, errFallback("tree entry mode")
		}
		b = b[sp+1:]
		nul := bytes.IndexByte(b, 0)
		// A name is one path component: git writes none with a slash
		// (fsck warns of one), and the walk pairs tree entries with the
		// index's paths a component at a time.
		if nul <= 0 || nul+21 > len(b) || bytes.IndexByte(b[:nul], '/') >= 0 {
			return nil, errFallback("tree entry name")
		}
		e := treeEntry{name: b[:nul], mode: uint32(mode), oid: [20]byte(b[nul+1 : nul+21])}
		switch e.mode {
		case modeFile, modeExec, modeSymlink, modeGitlink, 0o40000:
		case 0o100664:
			// Written by old gits; read as a regular file.
			e.mode = modeFile
		default:
			return nil, errFallback("tree entry mode " + strconv.FormatUint(mode, 8))
		}
		out = append(out, e)
		b = b[nul+21:]
	}
	return out, nil
}

// commitTree returns the tree a commit records.
func commitTree(b []byte) ([20]byte, error) {
	var id [20]byte
	if len(b) < 46 || string(b[:5]) != "tree " || b[45] != '\n' {
		return id, errFallback("commit without a tree line")
	}
	if _, err := hex.Decode(id[:], b[5:45]); err != nil {
		return id, errFallback("commit tree name")
	}
	return id, nil
}
