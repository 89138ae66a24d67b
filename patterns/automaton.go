package patterns

import (
	"math/bits"
	"slices"
	"sync"
)

// Automaton finds every occurrence of a set of keywords, ASCII case
// insensitively, in one pass over the input and without copying or
// lower-casing it.
//
// Each keyword is anchored on its least common four bytes (commonGrams says
// which four-byte sequences source text is full of): "ringcentral" on
// "gcen", not on "ring". The scan hashes every position's four bytes with
// four independent table loads, looks the hash up in a 64 KB filter (flags),
// eight positions per branch, and stops only where an anchor may be; there it
// checks the keywords anchored under that hash. Four-byte anchors are tested
// at even positions only, and a keyword of five bytes or more is anchored on
// two adjacent rare four-byte sequences, exactly one of which an occurrence
// puts at an even position: half the four-byte tests, no duplicate hits.
// Anchoring on rare bytes
// rather than on each keyword's first ones is what keeps the stops rare (about
// one position in a hundred in Go source, against one in eight before): the
// first bytes of 2,000 provider names and credential words ("toke", "secr",
// "conf", "pass") are everywhere in code. Three- and four-byte keywords (hf_,
// $1$, eyj, akia) are anchored on their first three bytes, with the hash of
// those, which the four-byte hash extends, tested at every position.
//
// Written here rather than taken from a library because the engine needs
// exactly this combination: case folding without a copy, every overlapping
// occurrence, hits in order of their end, and a filter small enough to stay
// in the first-level cache.
type Automaton struct {
	// flags is the filter, a byte per value of a hash's low 16 bits: bits 0
	// to 6 say a four-byte anchor's hash has those low bits and the top
	// three bits that bitOf maps to the bit (in effect a 458 Kbit set in 64
	// KB); bit 7 says a three-byte keyword's hash (of its three bytes) has
	// those low bits. A position is tested with three small loads and no
	// variable shift.
	flags [1 << 16]uint8
	hashA [256]uint32 // the hash's contributions of the four bytes, case
	hashB [256]uint32 // folding included: a position costs four loads and
	hashC [256]uint32 // three XORs
	hashD [256]uint32
	fold  [256]uint8
	// slot maps a hash to 1 + its index in lists: the keywords anchored
	// under that hash, so a stop costs one load rather than a map lookup.
	slot  [1 << 16]uint16
	slot3 [1 << 16]uint16
	lists [][]anchorRef
	// short are keywords shorter than three bytes, checked at every
	// position (rule compilation rejects them; only tests build such automata).
	short    []int32
	three    []int32 // three- and four-byte keywords, checked directly in the last bytes
	keywords []string
	folded   []string
	maxLen   int
	pool     sync.Pool // *[]Hit, a scan's hits before they are put in order
}

// anchorRef is a keyword anchored off bytes into it on the folded bytes
// gram (under mask: three bytes or four).
type anchorRef struct {
	gram, mask uint32
	kw, off    int32
}

// MinKeywordLen is the shortest keyword the anchor filter supports; rule
// compilation rejects shorter ones.
const MinKeywordLen = 3

// bitOf maps a hash's top three bits to its bit in flags.
var bitOf = [8]uint8{1, 2, 4, 8, 16, 32, 64, 64}

const threeFlag = 0x80

// maxLists is how many lists a slot (uint16) can number; a variable so that
// a test can reach it with a handful of keywords.
var maxLists = 0xffff

// NewAutomaton compiles keywords (compared ASCII-case-insensitively).
// Keyword indexes reported by Scan are positions in this slice.
func NewAutomaton(keywords []string) *Automaton {
	a := &Automaton{keywords: keywords}
	for b := 0; b < 256; b++ {
		a.fold[b] = fold(byte(b))
	}
	rank, list := gramRanks()
	var refs []anchorRef
	for ki, k := range keywords {
		fb := []byte(k)
		for i, c := range fb {
			fb[i] = fold(c)
		}
		f := string(fb)
		a.folded = append(a.folded, f)
		a.maxLen = max(a.maxLen, len(f))
		switch {
		case len(f) < MinKeywordLen:
			a.short = append(a.short, int32(ki))
		case len(f) <= 4:
			a.three = append(a.three, int32(ki))
			refs = append(refs, anchorRef{gram(f[0], f[1], f[2], 0), 0xffffff, int32(ki), 0})
		default:
			// Four-byte anchors are tested at even positions only, so a
			// keyword is anchored on two adjacent four-byte sequences: an
			// occurrence puts exactly one of them at an even position.
			best, bestRank := 0, -1
			for i := 0; i+5 <= len(f); i++ {
				r := rank[gram(f[i], f[i+1], f[i+2], f[i+3])] + rank[gram(f[i+1], f[i+2], f[i+3], f[i+4])] // 0: not common at all
				if bestRank < 0 || r < bestRank {
					best, bestRank = i, r
				}
			}
			for o := best; o <= best+1; o++ {
				refs = append(refs, anchorRef{gram(f[o], f[o+1], f[o+2], f[o+3]), 0xffffffff, int32(ki), int32(o)})
			}
		}
	}
	a.build(refs, list)
	return a
}

// gram packs four folded bytes.
func gram(a, b, c, d byte) uint32 {
	return uint32(a) | uint32(b)<<8 | uint32(c)<<16 | uint32(d)<<24
}

var (
	ranksOnce sync.Once
	ranks     map[uint32]int
	rankList  []gramRank
)

// gramRank is one common four-byte sequence and its commonness.
type gramRank struct {
	gram uint32
	rank int
}

// gramRanks maps each common four-byte sequence to its commonness: the most
// common has the highest value, one not in the table none. The list holds
// the same pairs, for loops (iterating a slice is many times cheaper than a
// map, and start-up iterates it once per hash tried).
func gramRanks() (map[uint32]int, []gramRank) {
	ranksOnce.Do(func() {
		n := len(commonGrams) / 4
		ranks = make(map[uint32]int, n)
		rankList = make([]gramRank, n)
		for i := 0; i < n; i++ {
			s := commonGrams[4*i:]
			g := gram(s[0], s[1], s[2], s[3])
			ranks[g] = n - i
			rankList[i] = gramRank{g, n - i}
		}
	})
	return ranks, rankList
}

// hash returns the anchor's hash: of four bytes, or of three for a
// three-byte keyword.
func (a *Automaton) hash(r anchorRef) uint32 {
	h := a.hashA[byte(r.gram)] ^ a.hashB[byte(r.gram>>8)] ^ a.hashC[byte(r.gram>>16)]
	if r.mask == 0xffffffff {
		h ^= a.hashD[byte(r.gram>>24)]
	}
	return h
}

// flag returns the flags bit an anchor's hash sets.
func flag(r anchorRef, h uint32) uint8 {
	if r.mask == 0xffffffff {
		return bitOf[h>>29]
	}
	return threeFlag
}

// build picks, from a fixed sequence of multipliers, the hash under which
// the fewest common four-byte sequences land on an anchor's bit, then fills
// the bitset and the lists with it. A common sequence that collides with an
// anchor would stop the scan wherever it occurs; trying a few hashes costs
// a few milliseconds once.
func (a *Automaton) build(refs []anchorRef, rank []gramRank) {
	mults := [...][4]uint32{
		{0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f}, {0x165667b1, 0xd3a2646c, 0xfd7046c5, 0xb55a4f09},
		{0x4cf5ad43, 0x2545f491, 0x6c8e9cf5, 0x9e485565}, {0xa0761d65, 0xe7037ed1, 0x8ebc6af1, 0x589965cd},
	}
	best, bestCost := 0, -1
	for mi, m := range mults {
		a.setHash(m)
		a.flags = [len(a.flags)]uint8{}
		for _, r := range refs {
			h := a.hash(r)
			a.flags[uint16(h)] |= flag(r, h)
		}
		cost := 0
		for _, gr := range rank {
			if g := gr.gram; a.test(byte(g), byte(g>>8), byte(g>>16), byte(g>>24)) {
				cost += gr.rank
			}
		}
		if bestCost < 0 || cost < bestCost {
			best, bestCost = mi, cost
		}
	}
	a.setHash(mults[best])
	a.flags = [len(a.flags)]uint8{}
	for _, r := range refs {
		h := a.hash(r)
		a.flags[uint16(h)] |= flag(r, h)
		idx := &a.slot[uint16(h)]
		if r.mask != 0xffffffff {
			idx = &a.slot3[uint16(h)]
		}
		if *idx == 0 {
			// Past 65,535 lists (more keywords than any catalogue has),
			// hashes share the last one: stop compares each entry's bytes,
			// so a shared list is slower, never wrong.
			if len(a.lists) < maxLists {
				a.lists = append(a.lists, nil)
			}
			*idx = uint16(len(a.lists))
		}
		a.lists[*idx-1] = append(a.lists[*idx-1], r)
	}
}

// test is the filter for the four bytes b0..b3.
func (a *Automaton) test(b0, b1, b2, b3 byte) bool {
	h3 := a.hashA[b0] ^ a.hashB[b1] ^ a.hashC[b2]
	h := h3 ^ a.hashD[b3]
	return a.flags[uint16(h)]&bitOf[h>>29]|a.flags[uint16(h3)]&threeFlag != 0
}

func (a *Automaton) setHash(m [4]uint32) {
	for b := 0; b < 256; b++ {
		f := uint32(a.fold[b]) + 1
		a.hashA[b] = f * m[0]
		a.hashB[b] = (f * m[1]) >> 7 * 0x9e3779b1
		a.hashC[b] = (f * m[2]) >> 3 * 0x85ebca77
		a.hashD[b] = (f * m[3]) >> 5 * 0xc2b2ae3d
	}
}

func fold(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// Hit is one keyword occurrence: the keyword's index and the offset just
// past its last byte.
type Hit struct {
	Keyword, End int32
}

// MaxKeywordLen returns the length of the longest keyword: a hit never
// spans more bytes.
func (a *Automaton) MaxKeywordLen() int { return a.maxLen }

// Keywords returns the keywords the automaton was built from.
func (a *Automaton) Keywords() []string { return a.keywords }

// Scan calls hit for every occurrence of every keyword in data, with the
// keyword's index and the offset just past its last byte, in order of end
// offset (ties in order of keyword index).
func (a *Automaton) Scan(data []byte, hit func(keyword int, end int)) {
	if len(a.keywords) == 0 {
		return
	}
	bp, _ := a.pool.Get().(*[]Hit)
	if bp == nil {
		bp = new([]Hit)
	}
	hits := a.collect(data, (*bp)[:0])
	if !slices.IsSortedFunc(hits, cmpHit) {
		slices.SortFunc(hits, cmpHit)
	}
	for _, h := range hits {
		hit(int(h.Keyword), int(h.End))
	}
	*bp = hits[:0]
	a.pool.Put(bp)
}

func cmpHit(x, y Hit) int {
	if x.End != y.End {
		return int(x.End - y.End)
	}
	return int(x.Keyword - y.Keyword)
}

// collect appends every hit in data to hits, in order of anchor position.
func (a *Automaton) collect(data []byte, hits []Hit) []Hit {
	n := len(data)
	if len(a.short) > 0 {
		for i := 0; i < n; i++ {
			for _, k := range a.short {
				if a.matchAt(data, i, k) {
					hits = append(hits, Hit{k, int32(i + len(a.folded[k]))})
				}
			}
		}
	}
	if len(a.lists) == 0 {
		return hits
	}
	flags, bitOf := &a.flags, &bitOf
	ha, hb, hc, hd := &a.hashA, &a.hashB, &a.hashC, &a.hashD
	// at is non-zero when the four bytes b0..b3 may be an anchor, or the
	// three bytes b0..b2 start a three- or four-byte keyword; at3 only the
	// latter, for odd positions.
	at := func(b0, b1, b2, b3 byte) uint64 {
		h3 := ha[b0] ^ hb[b1] ^ hc[b2]
		h := h3 ^ hd[b3]
		return uint64(flags[uint16(h)]&bitOf[h>>29] | flags[uint16(h3)]&threeFlag)
	}
	at3 := func(b0, b1, b2 byte) uint64 {
		return uint64(flags[uint16(ha[b0]^hb[b1]^hc[b2])] & threeFlag)
	}
	i := 0
	// Eight positions at a time, a byte of m each, with one branch: most
	// blocks have no stop, and a branch per position would mispredict on
	// every stop. Each byte is loaded once per block.
	// The block needs 11 bytes although its tests read 10: a stop at its
	// last (odd) position reads four bytes there.
	for ; i+11 <= n; i += 8 {
		d := (*[11]byte)(data[i : i+11])
		b0, b1, b2, b3, b4, b5, b6, b7, b8, b9 := d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9]
		m := at(b0, b1, b2, b3) | at3(b1, b2, b3)<<8 | at(b2, b3, b4, b5)<<16 | at3(b3, b4, b5)<<24 |
			at(b4, b5, b6, b7)<<32 | at3(b5, b6, b7)<<40 | at(b6, b7, b8, b9)<<48 | at3(b7, b8, b9)<<56
		for m != 0 {
			j := bits.TrailingZeros64(m) / 8
			m &^= 0xff << (8 * j)
			hits = a.stop(data, i+j, hits)
		}
	}
	for ; i+3 < n; i++ {
		if i%2 == 0 && a.test(data[i], data[i+1], data[i+2], data[i+3]) ||
			i%2 == 1 && a.flags[uint16(a.hashA[data[i]]^a.hashB[data[i+1]]^a.hashC[data[i+2]])]&threeFlag != 0 {
			hits = a.stop(data, i, hits)
		}
	}
	// The last three bytes hold no four-byte anchor; a three-byte keyword
	// may end there.
	for ; i+2 < n; i++ {
		for _, k := range a.three {
			if a.matchAt(data, i, k) {
				hits = append(hits, Hit{k, int32(i + 3)})
			}
		}
	}
	return hits
}

// stop checks the keywords anchored under the hashes of the bytes at p.
func (a *Automaton) stop(data []byte, p int, hits []Hit) []Hit {
	h3 := a.hashA[data[p]] ^ a.hashB[data[p+1]] ^ a.hashC[data[p+2]]
	h := h3 ^ a.hashD[data[p+3]]
	g := gram(a.fold[data[p]], a.fold[data[p+1]], a.fold[data[p+2]], a.fold[data[p+3]])
	four := a.slot[uint16(h)]
	if p%2 == 1 {
		four = 0 // four-byte anchors are tested at even positions only
	}
	for _, idx := range [2]uint16{four, a.slot3[uint16(h3)]} {
		if idx == 0 {
			continue
		}
		for _, r := range a.lists[idx-1] {
			if s := p - int(r.off); g&r.mask == r.gram && s >= 0 && a.matchAt(data, s, r.kw) {
				hits = append(hits, Hit{r.kw, int32(s + len(a.folded[r.kw]))})
			}
		}
	}
	return hits
}

// matchAt reports whether keyword k occurs in data at offset s.
func (a *Automaton) matchAt(data []byte, s int, k int32) bool {
	kw := a.folded[k]
	if s+len(kw) > len(data) {
		return false
	}
	d := data[s : s+len(kw)]
	for j := 0; j < len(kw); j++ {
		if a.fold[d[j]] != kw[j] {
			return false
		}
	}
	return true
}
