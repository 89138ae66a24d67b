package history

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
	"github.com/rampart-sec/rampart/scanner/gitsource/pack"
)

// The in-process pack reader.
//
// Most blob versions in a pack are deltas: copy instructions into a base
// version plus a few inserted bytes. Reading packs here, rather than through
// a `git cat-file` pipe, saves the pipe (system time for every byte of every
// version) and exposes those instructions, so a delta's keyword hits are
// derived from its base's: hits inside copied runs are moved, and the
// automaton runs only over inserted bytes and the seams between runs. Every
// later stage (regexes around hits, validators, decoders, pairing) sees
// exactly what a full pass would have given it, so findings are unchanged;
// only the automaton's pass over copied bytes is saved.
//
// Anything this reader does not handle (loose objects, a delta whose base
// is in another pack, an object it cannot inflate) is read through git
// afterwards, so nothing is lost.

// UseAutomaton implements scanner.HitSource.
func (h *History) UseAutomaton(a *patterns.Automaton) { h.auto = a }

// openPacks lists the repository's loose objects, then opens every pack,
// or reports why the in-process reader cannot be used (alternates, an
// object directory set in the environment, a pack format it does not
// read). Loose objects come first, as git itself looks: a concurrent gc
// packs loose objects before deleting them, so each object is seen in one
// place or the other, and a pack deleted meanwhile fails to open, which
// hands the whole scan to git.
func (h *History) openPacks() ([]*pack.Pack, [][20]byte, error) {
	for _, env := range []string{"GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"} {
		if os.Getenv(env) != "" {
			return nil, nil, fmt.Errorf("%w: %s is set", pack.ErrUnsupported, env)
		}
	}
	objects := filepath.Join(h.Repo.GitDir, "objects")
	if common, err := os.ReadFile(filepath.Join(h.Repo.GitDir, "commondir")); err == nil {
		// A linked work tree keeps its objects in the main repository.
		dir := strings.TrimSpace(string(common))
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(h.Repo.GitDir, dir)
		}
		objects = filepath.Join(dir, "objects")
	}
	if _, err := os.Stat(filepath.Join(objects, "info", "alternates")); err == nil {
		return nil, nil, fmt.Errorf("%w: the repository borrows objects through alternates", pack.ErrUnsupported)
	}
	loose, err := looseObjects(objects)
	if err != nil {
		return nil, nil, err
	}
	names, err := filepath.Glob(filepath.Join(objects, "pack", "*.pack"))
	if err != nil {
		return nil, nil, err
	}
	var packs []*pack.Pack
	for _, name := range names {
		if _, err := os.Stat(strings.TrimSuffix(name, ".pack") + ".idx"); err != nil {
			// Being written (fetch) or deleted (gc) right now: git reads
			// this scan instead, seeing whichever state it finds.
			closePacks(packs)
			return nil, nil, fmt.Errorf("%w: %s has no index", pack.ErrUnsupported, filepath.Base(name))
		}
		p, err := pack.Open(name)
		if err != nil {
			closePacks(packs)
			return nil, nil, err
		}
		packs = append(packs, p)
	}
	return packs, loose, nil
}

// packBlob is one blob stored in a pack.
type packBlob struct {
	pack  int
	entry int
}

// planPacks resolves every entry's object type, counts each entry's delta
// children, and returns the blobs to read from packs in pack order, plus
// blobs that must be read through git: loose ones, and deltas against a
// base outside their pack.
func (h *History) planPacks(ctx context.Context, packs []*pack.Pack, loose [][20]byte) (blobs []packBlob, children [][]int32, viaGit []packedBlob, err error) {
	children = make([][]int32, len(packs))
	var outside [][20]byte
	for pi, p := range packs {
		types := make([]pack.Type, len(p.Entries))
		kids := make([]int32, len(p.Entries))
		for i := range p.Entries {
			e := &p.Entries[i]
			switch {
			case e.Kind < pack.OfsDelta:
				types[i] = e.Kind
			case e.Base >= 0 && e.Base < i:
				types[i] = types[e.Base]
			case e.Base >= 0:
				// A RefDelta whose base comes later in the pack: follow
				// the chain (bounded by maxChain against cycles).
				b := e.Base
				for n := 0; n < maxChain && p.Entries[b].Kind >= pack.OfsDelta && p.Entries[b].Base >= 0; n++ {
					b = p.Entries[b].Base
				}
				if k := p.Entries[b].Kind; k < pack.OfsDelta {
					types[i] = k
				}
			}
			if e.Base >= 0 {
				kids[e.Base]++
			}
		}
		children[pi] = kids
		// Parsing headers touched every page of the pack; most are not
		// needed again (commits, trees) or not until their turn.
		if len(p.Entries) > 0 {
			p.Release(p.Entries[len(p.Entries)-1].End)
		}
		for i := range p.Entries {
			e := &p.Entries[i]
			if inPacks(packs[:pi], e.ID) {
				continue // also in an earlier pack, read there
			}
			switch {
			case types[i] == pack.Blob:
				blobs = append(blobs, packBlob{pi, i})
			case types[i] == 0 && e.Kind >= pack.OfsDelta:
				// Its type is its base's, which lives elsewhere: ask git.
				outside = append(outside, e.ID)
			}
		}
	}
	for _, id := range loose {
		if !inPacks(packs, id) {
			outside = append(outside, id)
		}
	}
	if len(outside) > 0 {
		viaGit, err = h.checkObjects(ctx, outside)
	}
	return blobs, children, viaGit, err
}

// inPacks reports whether any of packs stores id.
func inPacks(packs []*pack.Pack, id [20]byte) bool {
	for _, p := range packs {
		if _, ok := p.Find(id); ok {
			return true
		}
	}
	return false
}

// looseObjects lists the objects stored one file each under objects/xx/.
func looseObjects(objects string) ([][20]byte, error) {
	var ids [][20]byte
	for b := 0; b < 256; b++ {
		dir := filepath.Join(objects, fmt.Sprintf("%02x", b))
		ents, err := os.ReadDir(dir)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, err
		}
		for _, e := range ents {
			var id [20]byte
			id[0] = byte(b)
			if n := e.Name(); len(n) == 38 {
				if _, err := hex.Decode(id[1:], []byte(n)); err == nil {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids, nil
}

// checkObjects asks `git cat-file --batch-check` for the type and size of
// ids and returns the blobs among them, over the size limit dropped.
func (h *History) checkObjects(ctx context.Context, ids [][20]byte) ([]packedBlob, error) {
	var in bytes.Buffer
	for _, id := range ids {
		fmt.Fprintf(&in, "%x\n", id)
	}
	out, err := h.Repo.Input(ctx, &in, "cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)")
	if err != nil {
		return nil, err
	}
	var blobs []packedBlob
	err = gitsource.EachLine(bytes.NewReader(out), func(l []byte) error {
		if b, ok := h.listedBlob(l); ok {
			blobs = append(blobs, b)
		}
		return nil
	})
	return blobs, err
}

// sharedBuf is a pooled blob buffer held by a chunk being scanned and,
// while later deltas need it as their base, by the reader's cache.
type sharedBuf struct {
	buf  *[]byte
	refs atomic.Int32
}

func (s *sharedBuf) release() {
	if s.refs.Add(-1) == 0 {
		putBuf(s.buf)
	}
}

// cachedBase is a materialised object that later deltas are built on.
type cachedBase struct {
	data   *sharedBuf
	hits   []patterns.Hit
	hitsOK bool
	left   int32 // deltas on it not yet read
}

// packReader materialises the blobs of one pack in pack order, where git
// writes a base before the deltas on it, keeping bases until their last
// delta has been read.
type packReader struct {
	h      *History
	p      *pack.Pack
	kids   []int32
	cache  map[int]*cachedBase
	queue  []int // cached entries, oldest first, for eviction
	bytes  int
	delta  []byte
	ops    []pack.Op
	kwLen  []int32
	maxKw  int
	scanRg [][2]int
	depth  int
	// pending is entry pendingFor's delta, inflated by targetSize.
	pending    []byte
	pendingFor int
}

// maxChain bounds delta chains followed while materialising an object.
const maxChain = 10000

// maxCached bounds the bytes of bases kept for later deltas. Git writes a
// delta family together, so a base's deltas follow it closely; a base
// evicted early is rebuilt from its own chain.
const maxCached = 32 << 20

func (h *History) newPackReader(p *pack.Pack, kids []int32) *packReader {
	r := &packReader{h: h, p: p, kids: kids, cache: map[int]*cachedBase{}, pendingFor: -1}
	if h.auto != nil {
		for _, k := range h.auto.Keywords() {
			r.kwLen = append(r.kwLen, int32(len(k)))
		}
		r.maxKw = h.auto.MaxKeywordLen()
	}
	return r
}

// readPacks reads blobs from packs in pack order, yields them, and returns
// those it could not read for git to read instead.
func (h *History) readPacks(ctx context.Context, packs []*pack.Pack, blobs []packBlob, children [][]int32, yield func(scanner.Chunk) error, between func() error) ([]packedBlob, error) {
	var viaGit []packedBlob
	var r *packReader
	var released int64
	for _, b := range blobs {
		if r == nil || r.p != packs[b.pack] {
			if r != nil {
				r.drop()
			}
			r = h.newPackReader(packs[b.pack], children[b.pack])
			released = 0
		}
		if err := ctx.Err(); err != nil {
			r.drop()
			return nil, err
		}
		if err := between(); err != nil {
			r.drop()
			return nil, err
		}
		c, ok, err := r.read(b.entry)
		if err != nil {
			// Corrupt or unreadable here: git reads it (and says what is
			// wrong with it) after the packs.
			e := &r.p.Entries[b.entry]
			viaGit = append(viaGit, packedBlob{id: e.ID, size: 0})
			continue
		}
		if !ok {
			continue
		}
		if err := yield(c); err != nil {
			r.drop()
			return nil, err
		}
		if off := r.p.Entries[b.entry].Offset; off-released > 2*releaseLag {
			released = off - releaseLag
			r.p.Release(released)
		}
	}
	if r != nil {
		r.drop()
	}
	return viaGit, nil
}

// releaseLag is how far behind the reading position mapped pack pages are
// let go: delta bases are rarely further back than this.
const releaseLag = 16 << 20

// drop releases every cached base.
func (r *packReader) drop() {
	for i, c := range r.cache {
		c.data.release()
		delete(r.cache, i)
	}
	r.queue, r.bytes = nil, 0
}

// read materialises entry i and returns it as a chunk to scan, or ok=false
// when it is skipped (binary, too large, allow-listed path).
func (r *packReader) read(i int) (scanner.Chunk, bool, error) {
	h := r.h
	e := &r.p.Entries[i]
	// Over the size limit: never rebuilt for its own sake (a later version
	// built on it rebuilds it then), as git's reader skips it by its header.
	if h.Opts.MaxFileSize > 0 {
		size, err := r.targetSize(i)
		if err != nil {
			return scanner.Chunk{}, false, err
		}
		if size > h.Opts.MaxFileSize {
			h.stats.Skip("too-large")
			return scanner.Chunk{}, false, nil
		}
	}
	data, base, err := r.materialize(i)
	if err != nil {
		return scanner.Chunk{}, false, err
	}
	if base != nil {
		defer r.done(e.Base, base)
	}
	content := *data.buf
	h.mu.Lock()
	ref, placed := h.placed[e.ID]
	h.mu.Unlock()
	skip := ""
	switch {
	case placed && h.Opts.Allow.AllowsPath(ref.path):
		skip = "allowlisted-path"
	case scanner.IsBinary(content[:min(len(content), sniffLen)]):
		skip = "binary"
	}
	// Hits before caching: caching may evict (and recycle) the base.
	keep := r.kids[i] > 0
	var hits []patterns.Hit
	known := false
	if skip == "" && h.auto != nil && len(content) < maxHitBlob {
		switch {
		case base != nil:
			hits, known = r.derive(r.baseHits(base), content), true
		case keep:
			hits, known = r.scanAll(content), true
		}
	}
	if keep {
		data.refs.Add(1)
		r.put(i, &cachedBase{data: data, left: r.kids[i], hits: hits, hitsOK: known})
	}
	if skip != "" {
		h.stats.Skip(skip)
		data.release()
		return scanner.Chunk{}, false, nil
	}
	c := scanner.Chunk{Data: content, Kind: scanner.KindBlob, Path: ref.path, Commit: ref.commit, BlobID: hex.EncodeToString(e.ID[:])}
	c.Release = data.release
	c.Hits, c.HitsKnown = hits, known
	return c, true, nil
}

// targetSize returns the size of entry i's object: its header's for a
// base type, the one its delta declares otherwise (the delta, inflated for
// that, is kept for materialize).
func (r *packReader) targetSize(i int) (int64, error) {
	e := &r.p.Entries[i]
	if e.Kind < pack.OfsDelta {
		return e.Size, nil
	}
	delta, err := r.p.Inflate(i, r.pending[:0])
	if err != nil {
		return 0, err
	}
	r.pending, r.pendingFor = delta, i
	_, size, _, err := pack.DeltaSizes(delta)
	return int64(size), err
}

// maxHitBlob keeps hit offsets within int32.
const maxHitBlob = 1<<31 - 1

// materialize returns entry i's content (one reference held for the
// caller) and, for a delta, its base, still cached.
func (r *packReader) materialize(i int) (*sharedBuf, *cachedBase, error) {
	e := &r.p.Entries[i]
	// RefDelta bases may come later in a pack, and a damaged pack can make
	// them a cycle: bound the chain (git writes at most 4095).
	if r.depth++; r.depth > maxChain {
		r.depth--
		return nil, nil, errors.New("delta chain too long or cyclic")
	}
	defer func() { r.depth-- }()
	if e.Kind < pack.OfsDelta {
		if e.Size >= maxHitBlob || !e.Plausible() {
			return nil, nil, pack.ErrUnsupported
		}
		buf := getBuf(int(e.Size) + 1)
		data, err := r.p.Inflate(i, (*buf)[:0])
		if err != nil {
			putBuf(buf)
			return nil, nil, err
		}
		*buf = data
		s := &sharedBuf{buf: buf}
		s.refs.Store(1)
		return s, nil, nil
	}
	if e.Base < 0 {
		return nil, nil, pack.ErrUnsupported
	}
	base, err := r.base(e.Base)
	if err != nil {
		return nil, nil, err
	}
	var delta []byte
	if r.pendingFor == i && r.pending != nil {
		delta = r.pending
	} else {
		if delta, err = r.p.Inflate(i, r.delta[:0]); err != nil {
			r.done(e.Base, base)
			return nil, nil, err
		}
		r.delta = delta
	}
	_, size, _, err := pack.DeltaSizes(delta)
	if err == nil && size > len(delta)<<16 {
		err = errors.New("delta declares an impossible size")
	}
	if err != nil {
		r.done(e.Base, base)
		return nil, nil, err
	}
	buf := getBuf(size + 1)
	out, ops, err := pack.Apply(*base.data.buf, delta, (*buf)[:0], r.ops[:0])
	r.ops = ops
	if err != nil {
		putBuf(buf)
		r.done(e.Base, base)
		return nil, nil, err
	}
	*buf = out
	s := &sharedBuf{buf: buf}
	s.refs.Store(1)
	return s, base, nil
}

// base returns entry b from the cache, rebuilding it (and its chain) if it
// was evicted or never read.
func (r *packReader) base(b int) (*cachedBase, error) {
	if c, ok := r.cache[b]; ok {
		return c, nil
	}
	data, parent, err := r.materialize(b)
	if err != nil {
		return nil, err
	}
	if parent != nil {
		r.done(r.p.Entries[b].Base, parent)
	}
	c := &cachedBase{data: data, left: r.kids[b]}
	r.put(b, c)
	return c, nil
}

// put caches entry i, evicting the oldest bases beyond maxCached.
func (r *packReader) put(i int, c *cachedBase) {
	if old, ok := r.cache[i]; ok {
		r.evict(i, old)
	}
	r.cache[i] = c
	r.queue = append(r.queue, i)
	r.bytes += cap(*c.data.buf)
	for r.bytes > maxCached && len(r.queue) > 1 {
		old := r.queue[0]
		r.queue = r.queue[1:]
		if oc, ok := r.cache[old]; ok && old != i {
			r.evict(old, oc)
		}
	}
}

func (r *packReader) evict(i int, c *cachedBase) {
	delete(r.cache, i)
	r.bytes -= cap(*c.data.buf)
	c.data.release()
}

// done counts one delta on base b as read; its last one evicts it.
func (r *packReader) done(b int, c *cachedBase) {
	c.left--
	if c.left <= 0 {
		if cur, ok := r.cache[b]; ok && cur == c {
			r.evict(b, c)
		}
	}
}

// baseHits returns a cached base's keyword hits, finding them now if they
// were not needed before (the base was binary, too large or skipped).
func (r *packReader) baseHits(c *cachedBase) []patterns.Hit {
	if !c.hitsOK {
		c.hits, c.hitsOK = r.scanAll(*c.data.buf), true
	}
	return c.hits
}

// scanAll runs the automaton over data.
func (r *packReader) scanAll(data []byte) []patterns.Hit {
	var hits []patterns.Hit
	r.h.auto.Scan(data, func(kw, end int) {
		hits = append(hits, patterns.Hit{Keyword: int32(kw), End: int32(end)})
	})
	return hits
}

// derive returns the keyword hits of a delta's target (data, built by
// r.ops) from its base's hits: a hit inside one copied run is the base's
// hit moved; every other hit overlaps inserted bytes or a seam between
// runs, and the automaton finds it in a window of the longest keyword's
// length around them.
func (r *packReader) derive(base []patterns.Hit, data []byte) []patterns.Hit {
	ops := r.ops
	var out []patterns.Hit
	for _, op := range ops {
		if op.Insert {
			continue
		}
		lo, hi := int32(op.Src), int32(op.Src+op.Len)
		k := sort.Search(len(base), func(j int) bool { return base[j].End > lo })
		for ; k < len(base) && base[k].End <= hi; k++ {
			if base[k].End-r.kwLen[base[k].Keyword] >= lo {
				out = append(out, patterns.Hit{Keyword: base[k].Keyword, End: base[k].End - lo + int32(op.Dst)})
			}
		}
	}
	// Windows to search: each insert, and each seam between two runs,
	// widened by the longest keyword less one byte.
	w := r.maxKw - 1
	rg := r.scanRg[:0]
	add := func(s, e int) {
		s, e = max(s-w, 0), min(e+w, len(data))
		if n := len(rg); n > 0 && s <= rg[n-1][1] {
			rg[n-1][1] = max(rg[n-1][1], e)
			return
		}
		rg = append(rg, [2]int{s, e})
	}
	for j, op := range ops {
		switch {
		case op.Insert:
			add(op.Dst, op.Dst+op.Len)
		case j > 0:
			add(op.Dst, op.Dst)
		}
	}
	r.scanRg = rg
	if len(rg) > 0 {
		translated := len(out)
		for _, g := range rg {
			s := g[0]
			r.h.auto.Scan(data[g[0]:g[1]], func(kw, end int) {
				end += s
				if !r.insideCopy(end-int(r.kwLen[kw]), end) {
					out = append(out, patterns.Hit{Keyword: int32(kw), End: int32(end)})
				}
			})
		}
		if translated > 0 && translated < len(out) {
			sort.SliceStable(out, func(a, b int) bool { return out[a].End < out[b].End })
		}
	}
	return out
}

// insideCopy reports whether [s, e) lies within one copied run of r.ops.
func (r *packReader) insideCopy(s, e int) bool {
	ops := r.ops
	j := sort.Search(len(ops), func(j int) bool { return ops[j].Dst+ops[j].Len > s })
	return j < len(ops) && !ops[j].Insert && ops[j].Dst <= s && e <= ops[j].Dst+ops[j].Len
}
