package history

import (
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource/pack"
)

// The in-process pack reader.
//
// Most blob versions in a pack are deltas: copy instructions into a base
// version plus a few inserted bytes. Reading packs here, rather than through
// a `git cat-file` pipe, saves the pipe (system time for every byte of every
// version) and exposes those instructions, so a delta's keyword hits are
// derived from its base's (derive.go): hits inside copied runs are moved,
// and the automaton runs only over inserted bytes and the seams between
// runs. Every later stage (regexes around hits, validators, decoders,
// pairing) sees exactly what a full pass would have given it, so findings
// are unchanged; only the automaton's pass over copied bytes is saved.
//
// A pack's blobs form delta trees: a whole blob at each root, every delta
// under its base. The reader walks each tree depth first, so every version
// is built once, from the version just built before it, and nothing is kept
// but the path from the root to the version being read (a base is let go
// as soon as its last delta is built). Trees are independent of each other,
// so several goroutines read at once, each taking the next tree, largest
// first. Pack order, which this replaced, puts a delta a median of 6 MB and
// often hundreds of MB after its base on git/git: a bounded cache of bases
// missed, and rebuilding evicted bases cost more than reading everything.
//
// Anything this reader does not handle (loose objects, a delta whose base
// is in another pack, an object it cannot inflate) is read through git
// afterwards, so nothing is lost.

// forest is one pack's blobs as delta trees.
type forest struct {
	pack *pack.Pack
	// first and kids list the deltas built on each entry: those of entry e
	// are kids[first[e]:first[e+1]].
	first []int32
	kids  []int32
	// want marks the blobs to read from this pack (not also in an earlier
	// one, and placed where the walk must come first); need marks the
	// entries that are wanted or that a wanted delta is built on.
	want, need []bool
	roots      []int32 // blobs stored whole
}

// tree is one delta tree to read: its forest, root entry, and the
// compressed bytes it holds (how long it takes to read).
type tree struct {
	forest *forest
	root   int32
	weight int64
}

// planForests resolves every entry's object type, arranges each pack's
// blobs into delta trees, and returns them with the blobs that must be read
// through git: loose ones, and deltas against a base outside their pack.
func (h *History) planForests(ctx context.Context, packs []*pack.Pack, loose [][20]byte) (forests []*forest, viaGit []packedBlob, err error) {
	var outside [][20]byte
	for pi, p := range packs {
		n := len(p.Entries)
		types := make([]pack.Type, n)
		f := &forest{pack: p, first: make([]int32, n+1), want: make([]bool, n), need: make([]bool, n)}
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
				for k := 0; k < maxChain && p.Entries[b].Kind >= pack.OfsDelta && p.Entries[b].Base >= 0; k++ {
					b = p.Entries[b].Base
				}
				if k := p.Entries[b].Kind; k < pack.OfsDelta {
					types[i] = k
				}
			}
		}
		for i := range p.Entries {
			e := &p.Entries[i]
			switch {
			case types[i] != pack.Blob:
				if id := p.ID(i); types[i] == 0 && e.Kind >= pack.OfsDelta && !inPacks(packs[:pi], id) {
					// Its type is its base's, which lives elsewhere: ask git.
					outside = append(outside, id)
				}
				continue
			case e.Kind < pack.OfsDelta:
				f.roots = append(f.roots, int32(i))
			default:
				f.first[e.Base+1]++
			}
			f.want[i] = pi == 0 || !inPacks(packs[:pi], p.ID(i)) // else read from the earlier pack
		}
		for i := 1; i <= n; i++ {
			f.first[i] += f.first[i-1]
		}
		f.kids = make([]int32, f.first[n])
		fill := slices.Clone(f.first[:n])
		for i := range p.Entries {
			if e := &p.Entries[i]; types[i] == pack.Blob && e.Kind >= pack.OfsDelta {
				f.kids[fill[e.Base]] = int32(i)
				fill[e.Base]++
			}
		}
		forests = append(forests, f)
	}
	for _, id := range loose {
		if !inPacks(packs, id) {
			outside = append(outside, id)
		}
	}
	if len(outside) > 0 {
		viaGit, err = h.checkObjects(ctx, outside)
	}
	return forests, viaGit, err
}

// schedule marks what each forest needs once the wanted blobs are known
// (keep, when set, filters them), and returns the trees to read, largest
// first, the number of blobs they will yield, and the wanted blobs no root
// reaches (a damaged pack's delta cycle), for git to read.
func schedule(forests []*forest, keep func(id [20]byte) bool) (trees []tree, planned int, unreached []packedBlob) {
	for _, f := range forests {
		if keep != nil {
			for i, w := range f.want {
				f.want[i] = w && keep(f.pack.ID(i))
			}
		}
		reached := make([]bool, len(f.want))
		for _, r := range f.roots {
			if w := f.mark(r, reached); f.need[r] {
				trees = append(trees, tree{forest: f, root: r, weight: w})
			}
		}
		for i, w := range f.want {
			switch {
			case !w:
			case reached[i]:
				planned++
			default:
				unreached = append(unreached, packedBlob{id: f.pack.ID(i)})
			}
		}
	}
	// Largest first, so that the last trees, read while other goroutines
	// run out of work, are small.
	slices.SortStableFunc(trees, func(a, b tree) int {
		switch {
		case a.weight > b.weight:
			return -1
		case a.weight < b.weight:
			return 1
		}
		return 0
	})
	return trees, planned, unreached
}

// mark sets need for the entries of the tree under root and returns the
// compressed bytes of those needed, walking depth first without recursion
// (a delta chain can be thousands long).
func (f *forest) mark(root int32, reached []bool) int64 {
	type frame struct {
		e    int32
		next int32 // next kid to visit
	}
	var weight int64
	stack := []frame{{e: root, next: f.first[root]}}
	reached[root] = true
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next < f.first[top.e+1] {
			k := f.kids[top.next]
			top.next++
			if !reached[k] && len(stack) < maxChain {
				reached[k] = true
				stack = append(stack, frame{e: k, next: f.first[k]})
			}
			continue
		}
		e := top.e
		stack = stack[:len(stack)-1]
		if f.want[e] {
			f.need[e] = true
		}
		if f.need[e] {
			weight += f.pack.End(int(e)) - f.pack.Entries[e].Offset
			if len(stack) > 0 {
				f.need[stack[len(stack)-1].e] = true
			}
		}
	}
	return weight
}

// maxChain bounds delta chains followed (git writes at most 4095).
const maxChain = 10000

// readForests reads the trees with up to workers goroutines, each calling
// yield (which must be safe for concurrent use) for the blobs it reads, and
// returns the blobs it could not read, for git to read instead.
func (h *History) readForests(ctx context.Context, trees []tree, workers int, yield func(scanner.Chunk) error) ([]packedBlob, error) {
	workers = max(1, min(workers, len(trees)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	readers := make([]*blobReader, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range readers {
		r := &blobReader{h: h, yield: yield}
		if h.auto != nil {
			r.d = newDeriver(h.auto)
		}
		readers[w] = r
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				k := int(next.Add(1)) - 1
				if k >= len(trees) {
					return
				}
				t := trees[k]
				if err := r.visit(ctx, t.forest, t.root, nil); err != nil {
					errs[w] = err
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	var viaGit []packedBlob
	for _, r := range readers {
		scanner.MergeStats(&h.stats, &r.stats)
		viaGit = append(viaGit, r.viaGit...)
	}
	// A yield's own failure explains more than the cancellations it caused.
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err
		}
	}
	return viaGit, first
}

// blobReader is one goroutine's reading state.
type blobReader struct {
	h      *History
	yield  func(scanner.Chunk) error
	d      *deriver // nil: no hits supplied
	z      pack.Inflater
	delta  []byte
	head   []byte // binaryHead's first bytes of a blob
	ops    []pack.Op
	stats  scanner.Stats
	viaGit []packedBlob
}

// headFirst is the size above which a blob no delta is built on is judged
// by its first sniffLen bytes before it is inflated whole: past it, the
// second inflation of those bytes costs less than the rest saves when the
// blob is binary (Kingfisher's vendored 1.9 MB .tar.gz was a reader's 10
// ms of a 90 ms scan).
const headFirst = 64 << 10

// binaryHead reports whether entry e's first bytes make it a binary blob
// the scan skips (sniffBlob's binaryBlob). An entry whose first bytes do
// not inflate is not judged here: the whole inflation meets the error.
func (r *blobReader) binaryHead(f *forest, e int32) bool {
	head, err := r.z.InflateHead(f.pack, int(e), r.head[:0], sniffLen)
	if err != nil {
		return false
	}
	r.head = head
	return sniffBlob(head) == binaryBlob
}

// node is a materialised version whose deltas are still to be built.
type node struct {
	data   *sharedBuf
	hits   []patterns.Hit
	hitsOK bool
	left   int // needed deltas on it not yet built
}

// visit builds entry e (from parent, nil at a root), yields it when it is
// wanted, and visits the deltas built on it. Only a failing yield or a
// cancelled scan stops the walk; an entry that cannot be built sends every
// wanted blob of its subtree to git.
func (r *blobReader) visit(ctx context.Context, f *forest, e int32, parent *node) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h := r.h
	en := &f.pack.Entries[e]
	nkids := 0
	for _, k := range f.kids[f.first[e]:f.first[e+1]] {
		if f.need[k] {
			nkids++
		}
	}
	want := f.want[e]
	tooLarge := func(size int64) bool { return h.Opts.MaxFileSize > 0 && size > h.Opts.MaxFileSize }
	var buf *[]byte
	if parent == nil {
		if en.Size >= maxHitBlob || !f.pack.Plausible(int(e)) {
			r.fail(f, e)
			return nil
		}
		if want && nkids == 0 && tooLarge(en.Size) {
			// Over the size limit and no base of anything: never inflated,
			// as git's reader skips it by its header.
			if _, read := h.claim(f.pack.ID(int(e)), 0, "too-large"); read {
				r.stats.Skip("too-large")
			}
			return nil
		}
		if want && nkids == 0 && en.Size > headFirst && r.binaryHead(f, e) {
			// A binary blob (an archive, an image) that no delta is
			// built on: judged by its first bytes, never inflated whole,
			// as git's reader skips it after its first bytes. (Its
			// stream past them is not checked: it is never scanned.)
			if _, read := h.claim(f.pack.ID(int(e)), 0, "binary"); read {
				r.stats.Skip("binary")
			}
			return nil
		}
		buf = getBuf(int(en.Size) + 1)
		data, err := r.z.Inflate(f.pack, int(e), (*buf)[:0])
		if err != nil {
			putBuf(buf)
			r.fail(f, e)
			return nil
		}
		*buf = data
	} else {
		delta, err := r.z.Inflate(f.pack, int(e), r.delta[:0])
		var size int
		if err == nil {
			r.delta = delta
			_, size, _, err = pack.DeltaSizes(delta)
			if err == nil && size > len(delta)<<16 {
				err = errors.New("delta declares an impossible size")
			}
		}
		if err != nil {
			r.built(parent)
			r.fail(f, e)
			return nil
		}
		if want && nkids == 0 && tooLarge(int64(size)) {
			r.built(parent)
			if _, read := h.claim(f.pack.ID(int(e)), 0, "too-large"); read {
				r.stats.Skip("too-large")
			}
			return nil
		}
		buf = getBuf(size + 1)
		out, ops, err := pack.Apply(*parent.data.buf, delta, (*buf)[:0], r.ops[:0])
		r.ops = ops
		if err != nil {
			putBuf(buf)
			r.built(parent)
			r.fail(f, e)
			return nil
		}
		*buf = out
	}
	content := *buf
	data := &sharedBuf{buf: buf}
	data.refs.Store(1)

	id := f.pack.ID(int(e))
	skip, credential := "", false
	// text is a UTF-16 or UTF-32 blob decoded (scanner.TextOf): scanned
	// as its UTF-8, whose hits are not its bytes', so none are derived.
	var text []byte
	var enc scanner.Encoding
	if want {
		if tooLarge(int64(len(content))) {
			skip = "too-large"
		} else {
			switch sniffBlob(content) {
			case wideBlob:
				var ok bool
				if text, enc, ok = scanner.TextOf(nil, content); !ok {
					skip = "binary"
				}
			case credentialBlob:
				skip, credential = "binary", true
			case binaryBlob:
				skip = "binary"
			}
		}
	}
	// A blob no ref reaches, met once the walk has ended, is built only
	// as the base of the deltas on it: neither scanned nor counted.
	var paths []string
	if want {
		counted := 0
		switch {
		case skip != "":
		case text != nil:
			counted = len(text)
		default:
			counted = len(content)
		}
		var read bool
		if paths, read = h.claim(id, counted, skip); !read {
			want, skip, text, credential = false, "", nil, false
		}
	}
	// Hits: derived from the parent's while its bytes and this delta's
	// instructions are at hand, for a blob that is read; a base that is
	// not read finds its own later, only if a delta on it needs them
	// (parentHits, over its bytes, as its deltas are built from them).
	n := &node{data: data, left: nkids}
	if want && skip == "" && text == nil && r.d != nil && len(content) < maxHitBlob {
		if parent == nil {
			n.hits = r.d.scanAll(content)
		} else {
			n.hits = r.d.derive(r.parentHits(parent), content, r.ops)
		}
		n.hitsOK = true
	}
	if parent != nil {
		r.built(parent)
	}
	if credential {
		// A keystore or PKCS#12 bundle: not text, but a credential as a
		// file; the detector's file rules judge it.
		r.stats.Skip(skip)
		data.refs.Add(1)
		c := scanner.Chunk{Data: content, Kind: scanner.KindBlob, BlobID: hex.EncodeToString(id[:]), Binary: true}
		c.Release = data.release
		if err := r.yield(c); err != nil {
			data.release()
			return err
		}
	} else if skip != "" {
		r.stats.Skip(skip)
	} else if text != nil {
		c := scanner.Chunk{Data: text, Kind: scanner.KindBlob, BlobID: hex.EncodeToString(id[:]), Encoding: enc, PathLater: true, LaterPaths: paths}
		if err := r.yield(c); err != nil {
			return err
		}
	} else if want {
		data.refs.Add(1)
		c := scanner.Chunk{Data: content, Kind: scanner.KindBlob, BlobID: hex.EncodeToString(id[:]), PathLater: true, LaterPaths: paths}
		c.Release = data.release
		c.Hits, c.HitsKnown = n.hits, n.hitsOK
		if err := r.yield(c); err != nil {
			data.release()
			return err
		}
	}
	if nkids == 0 {
		data.release()
		return nil
	}
	for _, k := range f.kids[f.first[e]:f.first[e+1]] {
		if !f.need[k] {
			continue
		}
		if err := r.visit(ctx, f, k, n); err != nil {
			if n.data != nil {
				n.data.release()
				n.data = nil
			}
			return err
		}
	}
	return nil
}

// parentHits returns a parent's keyword hits, finding them now if the
// parent was not read itself (binary, too large, or not wanted). Its bytes
// are still held: they are let go only once its last delta is built.
func (r *blobReader) parentHits(p *node) []patterns.Hit {
	if !p.hitsOK {
		p.hits, p.hitsOK = r.d.scanAll(*p.data.buf), true
	}
	return p.hits
}

// built counts one delta on p as built; after the last, p's bytes are let
// go (its hits stay with the node until its deltas are read).
func (r *blobReader) built(p *node) {
	if p.left--; p.left == 0 && p.data != nil {
		p.data.release()
		p.data = nil
	}
}

// fail hands every wanted blob of the subtree under e to git, which reads
// it (and says what is wrong with it) after the packs.
func (r *blobReader) fail(f *forest, e int32) {
	stack := []int32{e}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.want[x] {
			r.viaGit = append(r.viaGit, packedBlob{id: f.pack.ID(int(x))})
		}
		for _, k := range f.kids[f.first[x]:f.first[x+1]] {
			if f.need[k] {
				stack = append(stack, k)
			}
		}
	}
}

// maxHitBlob keeps hit offsets within int32.
const maxHitBlob = 1<<31 - 1

// sharedBuf is a pooled blob buffer held by a chunk being scanned and, while
// deltas are still to be built on it, by the reader.
type sharedBuf struct {
	buf  *[]byte
	refs atomic.Int32
}

func (s *sharedBuf) release() {
	if s.refs.Add(-1) == 0 {
		putBuf(s.buf)
	}
}
