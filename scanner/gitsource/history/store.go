package history

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart/scanner/gitsource/pack"
)

// store reads single objects by name, from the packs or as loose files,
// building deltas on their bases, with a bounded cache of what it built:
// the walk reads every tree it meets through it, and a tree is usually a
// delta on a tree read a moment before. One goroutine uses a store.
type store struct {
	packs   []*pack.Pack
	objects string // the objects directory, for loose objects
	z       pack.Inflater
	cache   map[[20]byte]*gitObject // by name: a cache hit needs no index search
	// head is the most recently used cached object; head.prev the least.
	head  *gitObject
	bytes int
	limit int
	delta []byte
	ops   []pack.Op
	depth int
	// once, while set, keeps the object asked for out of the cache (its
	// delta bases go in): commits are read once each.
	once   bool
	loose  map[[20]byte]*gitObject // loose objects, cached apart
	looseN int
}

// gitObject is a materialised object. Holders call store.done when finished
// with it; its buffer returns to the pool once neither a holder nor the
// cache has it.
type gitObject struct {
	typ        pack.Type
	buf        *[]byte
	refs       int
	id         [20]byte
	cached     bool
	prev, next *gitObject
}

// Data returns the object's content.
func (o *gitObject) Data() []byte { return *o.buf }

// errMissing means an object is neither in a pack nor loose.
var errMissing = errors.New("object not found")

func newStore(packs []*pack.Pack, objects string, limit int) *store {
	return &store{packs: packs, objects: objects, cache: map[[20]byte]*gitObject{}, limit: limit, loose: map[[20]byte]*gitObject{}}
}

// getOnce is get for an object not needed again: it is not cached.
func (s *store) getOnce(id [20]byte) (*gitObject, error) {
	s.once = true
	defer func() { s.once = false }()
	return s.get(id)
}

// get returns the object named id, held for the caller.
func (s *store) get(id [20]byte) (*gitObject, error) {
	if o, ok := s.cache[id]; ok {
		o.refs++
		s.touch(o)
		return o, nil
	}
	for pi, p := range s.packs {
		if e, ok := p.Find(id); ok {
			return s.entry(int32(pi), int32(e))
		}
	}
	if o, ok := s.loose[id]; ok {
		o.refs++
		return o, nil
	}
	o, err := s.readLoose(id)
	if err != nil {
		return nil, err
	}
	// Loose objects are few (what was written since the last repack):
	// keep a bounded number rather than reading their files again.
	if s.looseN < 4096 {
		s.loose[id] = o
		s.looseN++
		o.refs++
	}
	return o, nil
}

// entry returns pack entry k, built from its delta chain if need be.
func (s *store) entry(pi, e int32) (*gitObject, error) {
	p := s.packs[pi]
	k := p.ID(int(e))
	if o, ok := s.cache[k]; ok {
		o.refs++
		s.touch(o)
		return o, nil
	}
	if s.depth++; s.depth > maxChain {
		s.depth--
		return nil, errors.New("delta chain too long or cyclic")
	}
	defer func() { s.depth-- }()
	en := &p.Entries[e]
	var o *gitObject
	switch {
	case en.Kind < pack.OfsDelta:
		if en.Size >= maxHitBlob || !p.Plausible(int(e)) {
			return nil, fmt.Errorf("object %x: implausible size %d", p.ID(int(e)), en.Size)
		}
		buf := getBuf(int(en.Size) + 1)
		data, err := s.z.Inflate(p, int(e), (*buf)[:0])
		if err != nil {
			putBuf(buf)
			return nil, err
		}
		*buf = data
		o = &gitObject{typ: en.Kind, buf: buf, refs: 1, id: k}
	default:
		var base *gitObject
		var err error
		if en.Base >= 0 {
			base, err = s.entry(pi, int32(en.Base))
		} else {
			base, err = s.get(p.BaseID(int(e)))
		}
		if err != nil {
			return nil, err
		}
		delta, err := s.z.Inflate(p, int(e), s.delta[:0])
		if err != nil {
			s.done(base)
			return nil, err
		}
		s.delta = delta
		_, size, _, err := pack.DeltaSizes(delta)
		if err == nil && size > len(delta)<<16 {
			err = fmt.Errorf("object %x: delta declares an impossible size", p.ID(int(e)))
		}
		if err != nil {
			s.done(base)
			return nil, err
		}
		buf := getBuf(size + 1)
		out, ops, err := pack.Apply(base.Data(), delta, (*buf)[:0], s.ops[:0])
		s.ops = ops
		typ := base.typ
		s.done(base)
		if err != nil {
			putBuf(buf)
			return nil, err
		}
		*buf = out
		o = &gitObject{typ: typ, buf: buf, refs: 1, id: k}
	}
	if !s.once || s.depth > 1 {
		s.add(o)
	}
	return o, nil
}

// readLoose reads a loose object file: zlib over "<type> <size>\x00<content>".
func (s *store) readLoose(id [20]byte) (*gitObject, error) {
	name := hex.EncodeToString(id[:])
	f, err := os.Open(filepath.Join(s.objects, name[:2], name[2:]))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", errMissing, name)
		}
		return nil, err
	}
	defer f.Close()
	zr, err := zlib.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("loose object %s: %w", name, err)
	}
	defer zr.Close()
	var hdr [32]byte
	n := 0
	for {
		if n == len(hdr) {
			return nil, fmt.Errorf("loose object %s: header too long", name)
		}
		if _, err := io.ReadFull(zr, hdr[n:n+1]); err != nil {
			return nil, fmt.Errorf("loose object %s: %w", name, err)
		}
		if hdr[n] == 0 {
			break
		}
		n++
	}
	typName, sizeStr, ok := bytes.Cut(hdr[:n], []byte{' '})
	size, err := strconv.ParseInt(string(sizeStr), 10, 64)
	if !ok || err != nil || size < 0 || size >= maxHitBlob {
		return nil, fmt.Errorf("loose object %s: bad header %q", name, hdr[:n])
	}
	var typ pack.Type
	switch string(typName) {
	case "commit":
		typ = pack.Commit
	case "tree":
		typ = pack.Tree
	case "blob":
		typ = pack.Blob
	case "tag":
		typ = pack.Tag
	default:
		return nil, fmt.Errorf("loose object %s: unknown type %q", name, typName)
	}
	buf := getBuf(int(size) + 1)
	data := (*buf)[:size]
	if _, err := io.ReadFull(zr, data); err != nil {
		putBuf(buf)
		return nil, fmt.Errorf("loose object %s: %w", name, err)
	}
	*buf = data
	return &gitObject{typ: typ, buf: buf, refs: 1, id: id}, nil
}

// done gives up the caller's hold on o.
func (s *store) done(o *gitObject) {
	if o.refs--; o.refs == 0 && !o.cached {
		putBuf(o.buf)
		o.buf = nil
	}
}

// add caches o (held by the caller too), evicting the least recently used
// objects beyond the limit.
func (s *store) add(o *gitObject) {
	o.cached = true
	o.refs++
	s.cache[o.id] = o
	s.bytes += cap(*o.buf)
	s.link(o)
	for s.bytes > s.limit && s.head != nil && s.head.prev != o {
		s.evict(s.head.prev)
	}
}

func (s *store) evict(o *gitObject) {
	s.unlink(o)
	delete(s.cache, o.id)
	s.bytes -= cap(*o.buf)
	o.cached = false
	s.done(o)
}

// touch marks o most recently used.
func (s *store) touch(o *gitObject) {
	if s.head != o {
		s.unlink(o)
		s.link(o)
	}
}

func (s *store) link(o *gitObject) {
	if s.head == nil {
		o.prev, o.next = o, o
	} else {
		o.next, o.prev = s.head, s.head.prev
		s.head.prev.next = o
		s.head.prev = o
	}
	s.head = o
}

func (s *store) unlink(o *gitObject) {
	if o.next == o {
		s.head = nil
	} else {
		o.prev.next, o.next.prev = o.next, o.prev
		if s.head == o {
			s.head = o.next
		}
	}
	o.prev, o.next = nil, nil
}

// lookup finds the entry at path (slash-separated) under tree t, as git
// resolves "<tree>:<path>" (no symbolic link is followed); err is set when
// a tree on the way cannot be read.
func (s *store) lookup(t [20]byte, path string) (entry, bool, error) {
	for {
		name, rest, more := strings.Cut(path, "/")
		o, err := s.get(t)
		if err != nil {
			return entry{}, false, err
		}
		if o.typ != pack.Tree {
			s.done(o)
			return entry{}, false, fmt.Errorf("object %x is not a tree", t)
		}
		var found entry
		ok := false
		a := o.Data()
		for i := 0; i < len(a); {
			x, next, good := parseEntry(a, i)
			if !good {
				break
			}
			i = next
			if string(x.name) == name {
				found, ok = x, true
				found.name = nil // a's bytes go back to the store
				break
			}
		}
		s.done(o)
		if !ok || !more {
			return found, ok, nil
		}
		if found.kind() != kindTree {
			return entry{}, false, nil
		}
		t, path = found.id, rest
	}
}

// close empties the cache.
func (s *store) close() {
	for s.head != nil {
		s.evict(s.head)
	}
	for id, o := range s.loose {
		delete(s.loose, id)
		s.done(o)
	}
}
