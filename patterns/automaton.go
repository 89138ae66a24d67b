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
// Each keyword is anchored on its least common bytes (commonGrams says which
// four-byte sequences source text is full of): "ringcentral" on "gcen", not
// on "ring". Only even positions are tested, each with its four bytes, and
// every occurrence has exactly one anchor at an even position, so no hit
// comes twice:
//   - a keyword of seven bytes or more on six bytes, the four at an even
//     position and the four two bytes on, both of which must pass the filter
//     (and again one byte on, for the other parity);
//   - five or six bytes on two adjacent four-byte sequences;
//   - four bytes on all four at an even position, and for an occurrence at
//     an odd one on its rarer three bytes ("ion_" not on "ion"), the last
//     three of the four before or the first three of the four after;
//   - three bytes (hf_, $1$, eyj) on the first three of an even position's
//     four and on their last three.
//
// The filter hashes the four bytes with four table loads (three bytes are
// a prefix of the same XOR chain) and looks the hashes up in a 64 KB filter
// (flags), sixteen positions per branch; with AVX2 filterAVX2 does the same
// with a multiplicative hash, eight positions per instruction, in its own
// 64 KB filter (simd). Either stops only where an anchor may be; there stop
// checks the keywords anchored under that position's hashes. Anchoring on
// rare bytes rather than on each keyword's first ones is what keeps the
// stops rare (about one even position in eighty in Go source, against one
// in eight before): the first bytes of 2,000 provider names and credential
// words ("toke", "secr", "conf", "pass") are everywhere in code.
//
// Written here rather than taken from a library because the engine needs
// exactly this combination: case folding without a copy, every overlapping
// occurrence, hits in order of their end, and a filter small enough to stay
// in the first-level cache.
type Automaton struct {
	// flags is the filter, a byte per value of a hash's low 16 bits: the
	// bit of each group (fourBits, firstBits, secondBits) that selOf picks
	// by the hash's top three bits says an anchor of the group has that hash
	// (in effect 3, 2 and 2 bits more); threeFlag says a three-byte anchor's
	// hash has those low bits. A position is tested with five small loads
	// and no variable shift.
	flags [1 << 16]uint8
	hashA [256]uint32 // the hash's contributions of the four bytes, case
	hashB [256]uint32 // folding included: a position costs four loads and
	hashC [256]uint32 // three XORs
	hashD [256]uint32
	fold  [256]uint8
	// slot maps a hash to its list (from 1, 0 none): the keywords anchored
	// under that hash, so a stop costs one load rather than a map lookup.
	slot    [1 << 16]uint16
	slot3   [1 << 16]uint16
	starts  []int32     // list l (from 1) is entries[starts[l]:starts[l+1]]
	entries []anchorRef // the lists, one after another
	// short are keywords shorter than three bytes, checked at every
	// position (rule compilation rejects them; only tests build such automata).
	short []int32
	// simd is filterAVX2's filter (nil without AVX2): the same anchors
	// under a multiplicative hash, which vector code computes for eight
	// positions at once. Bit 8g+t of word h>>18 is set when an anchor of
	// group g (0 four bytes, 1 first half, 2 second half, 3 three bytes)
	// has a hash h with (h>>13)&7 == t or (h>>10)&7 == t; both bits must
	// be set (two bits an anchor: fewer false stops than one).
	simd     *[1 << 14]uint32
	simdMult [2]uint32 // its hashes' multipliers, of four bytes and of three
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
	kind       uint8
	word       string // the folded keyword, here so that a stop reads one pointer less
}

// The kinds of anchor.
const (
	anchorFour   = iota // four bytes at an even position
	anchorFirst         // the first four of a six-byte anchor: a bit in flags, no list
	anchorSecond        // its last four, two bytes on: stops where both are
	anchorThree         // three bytes, the first (preMask) or last (sufMask) of an even position's four
)

// MinKeywordLen is the shortest keyword the anchor filter supports; rule
// compilation rejects shorter ones.
const MinKeywordLen = 3

// selOf maps a hash's top three bits to the bits it may set or test in
// flags: one of bits 0-2 for a four-byte anchor, one of bits 3-4 for the
// first four of a six-byte one, one of bits 5-6 for its second four.
var selOf = [8]uint8{}

func init() {
	for t := range selOf {
		selOf[t] = 1<<(t%3) | 8<<(t&1) | 32<<(t>>2)
	}
}

// The flags bits of each kind of anchor.
const (
	fourBits   = 0x07
	firstBits  = 0x18
	secondBits = 0x60
	threeFlag  = 0x80
)

// hashTrials is how many hashes build tries.
const hashTrials = 4

// maxLists is how many lists a slot (uint16) can number; a variable so that
// a test can reach it with a handful of keywords.
var maxLists = 0xffff

// NewAutomaton compiles keywords (compared ASCII-case-insensitively).
// Keyword indexes reported by Scan are positions in this slice.
func NewAutomaton(keywords []string) *Automaton {
	return newAutomaton(keywords, useAVX2 && hasAVX2)
}

// newAutomaton is NewAutomaton, with filterAVX2's filter (simd) or with
// the pure-Go one alone: the same keywords give the same automaton, on
// any machine (AutomatonFor's generated one is built this way).
func newAutomaton(keywords []string, simd bool) *Automaton {
	a := &Automaton{keywords: keywords, folded: make([]string, 0, len(keywords))}
	for b := 0; b < 256; b++ {
		a.fold[b] = fold(byte(b))
	}
	rank, list := gramRanks()
	// At most four anchors a keyword (a long one's two halves at two
	// parities): sized once, as growing it was half of what building the
	// automaton allocated.
	refs := make([]anchorRef, 0, 4*len(keywords))
	var fours []int32
	var rs []int               // a keyword's four-byte sequences' commonness
	threes := map[uint32]int{} // the three-byte sequences of four-byte keywords, with their commonness
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
		case len(f) == 3:
			// Anchored on its three bytes twice: as the first three of an
			// even position's four (pre), for an occurrence at an even
			// position, and as their last three (suf), for one at an odd
			// position. Only even positions are tested.
			refs = append(refs, anchorRef{gram(f[0], f[1], f[2], 0), preMask, int32(ki), 0, anchorThree, ""},
				anchorRef{gram(0, f[0], f[1], f[2]), sufMask, int32(ki), -1, anchorThree, ""})
		case len(f) == 4:
			// An occurrence at an even position is all four bytes there; one
			// at an odd position is the last three bytes of the four before
			// it (suf) and the first three of the four after it (pre):
			// anchored on the rarer three ("ion_" not on "ion").
			refs = append(refs, anchorRef{gram(f[0], f[1], f[2], f[3]), fullMask, int32(ki), 0, anchorFour, ""})
			fours = append(fours, int32(ki))
			threes[gram(f[0], f[1], f[2], 0)] = 0
			threes[gram(f[1], f[2], f[3], 0)] = 0
		case len(f) <= 6:
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
				refs = append(refs, anchorRef{gram(f[o], f[o+1], f[o+2], f[o+3]), fullMask, int32(ki), int32(o), anchorFour, ""})
			}
		default:
			// Anchored on six bytes: the four at o (first) and the four at
			// o+2 (second), both at even positions, so stops need both; and
			// again one byte on, for an occurrence at the other parity.
			rs = rs[:0]
			for j := 0; j+4 <= len(f); j++ {
				rs = append(rs, rank[gram(f[j], f[j+1], f[j+2], f[j+3])])
			}
			best, bestRank := 0, -1
			for i := 0; i+7 <= len(f); i++ {
				r := rs[i] + rs[i+1] + rs[i+2] + rs[i+3]
				if bestRank < 0 || r < bestRank {
					best, bestRank = i, r
				}
			}
			for o := best; o <= best+1; o++ {
				refs = append(refs, anchorRef{gram(f[o], f[o+1], f[o+2], f[o+3]), fullMask, int32(ki), int32(o), anchorFirst, ""},
					anchorRef{gram(f[o+2], f[o+3], f[o+4], f[o+5]), fullMask, int32(ki), int32(o + 2), anchorSecond, ""})
			}
		}
	}
	if len(fours) > 0 {
		rank3(threes, list)
	}
	for _, ki := range fours {
		f := a.folded[ki]
		if threes[gram(f[0], f[1], f[2], 0)] <= threes[gram(f[1], f[2], f[3], 0)] {
			refs = append(refs, anchorRef{gram(0, f[0], f[1], f[2]), sufMask, ki, -1, anchorThree, ""})
		} else {
			refs = append(refs, anchorRef{gram(f[1], f[2], f[3], 0), preMask, ki, 1, anchorThree, ""})
		}
	}
	if simd {
		// The pure-Go filter only sees the last bytes of an input: one
		// hash, not the best of several (start-up is a hook's latency).
		a.build(refs, list, 1)
		a.buildSIMD(refs, list)
	} else {
		a.build(refs, list, hashTrials)
	}
	return a
}

// simdHash returns filterAVX2's hash of an anchor's bytes (under its
// mask) with the multipliers m, and the anchor's group in the filter. The
// bytes are ORed with 0x20, which folds case as fold does and merges some
// other pairs of bytes: more stops, never fewer.
func simdHash(r anchorRef, m [2]uint32) (h uint32, group uint32) {
	switch {
	case r.mask == sufMask:
		return (r.gram>>8 | 0x202020) * m[1], 3 // the same three bytes as a pre anchor's
	case r.kind == anchorThree:
		return (r.gram | 0x202020) * m[1], 3
	}
	return (r.gram | 0x20202020) * m[0], uint32(r.kind)
}

// buildSIMD fills filterAVX2's filter with the multipliers, of a few
// tried, under which the common four-byte sequences stop it least (see
// build).
func (a *Automaton) buildSIMD(refs []anchorRef, rank []gramRank) {
	a.simd = new([1 << 14]uint32)
	look := func(h uint32) uint32 { w := a.simd[h>>18]; return w >> (h >> 13 & 7) & (w >> (h >> 10 & 7)) }
	// Each anchor's bytes (ORed with 0x20) and group, hashed per trial.
	type key struct{ bytes, group uint32 }
	keys := make([]key, len(refs))
	for i, r := range refs {
		h, g := simdHash(r, [2]uint32{1, 1})
		keys[i] = key{h, g}
	}
	fill := func(m [2]uint32) {
		clear(a.simd[:])
		for _, k := range keys {
			h := k.bytes * m[k.group/3] // groups 0-2 four bytes, 3 three
			a.simd[h>>18] |= 1<<(8*k.group+h>>13&7) | 1<<(8*k.group+h>>10&7)
		}
	}
	var best [2]uint32
	bestCost := -1
	for _, m := range simdMults {
		fill(m)
		cost := 0
		for _, gr := range rank[:min(len(rank), 2000)] { // the most common carry the weight
			w := gr.gram | 0x20202020
			v := look(w * m[0])
			if (v|(look((w&preMask)*m[1])|look((w>>8)*m[1]))>>24)&1 != 0 {
				cost += gr.rank
			} else if v&(1<<8|1<<16) != 0 {
				cost += gr.rank / 8
			}
		}
		if bestCost < 0 || cost < bestCost {
			best, bestCost = m, cost
		}
	}
	a.simdMult = best
	fill(best)
}

// simdMults are the multipliers buildSIMD tries (four-byte, three-byte).
var simdMults = [...][2]uint32{{0x9e3779b1, 0x85ebca77}, {0xc2b2ae3d, 0x27d4eb2f}, {0x165667b1, 0xd3a2646d}, {0xfd7046c5, 0xb55a4f09}}

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

// The masks of an anchor's bytes within the four at an even position: all
// four, the first three (pre) or the last three (suf).
const (
	fullMask = 0xffffffff
	preMask  = 0x00ffffff
	sufMask  = 0xffffff00
)

// rank3 sets the commonness of each three-byte sequence in threes: the sum
// of the commonness of the common four-byte sequences that start or end
// with it.
func rank3(threes map[uint32]int, list []gramRank) {
	for _, gr := range list {
		if r, ok := threes[gr.gram&preMask]; ok {
			threes[gr.gram&preMask] = r + gr.rank
		}
		if r, ok := threes[gr.gram>>8]; ok {
			threes[gr.gram>>8] = r + gr.rank
		}
	}
}

// hash returns the anchor's hash: of its four bytes, or of the three a
// three-byte anchor covers, with the tables of the positions it covers.
func (a *Automaton) hash(r anchorRef) uint32 {
	switch r.mask {
	case preMask:
		return a.hashA[byte(r.gram)] ^ a.hashB[byte(r.gram>>8)] ^ a.hashC[byte(r.gram>>16)]
	case sufMask:
		return a.hashB[byte(r.gram>>8)] ^ a.hashC[byte(r.gram>>16)] ^ a.hashD[byte(r.gram>>24)]
	}
	return a.hashA[byte(r.gram)] ^ a.hashB[byte(r.gram>>8)] ^ a.hashC[byte(r.gram>>16)] ^ a.hashD[byte(r.gram>>24)]
}

// flag returns the flags bit an anchor's hash sets.
func flag(r anchorRef, h uint32) uint8 {
	switch r.kind {
	case anchorThree:
		return threeFlag
	case anchorFirst:
		return selOf[h>>29] & firstBits
	case anchorSecond:
		return selOf[h>>29] & secondBits
	}
	return selOf[h>>29] & fourBits
}

// build picks, from a fixed sequence of multipliers, the hash under which
// the fewest common four-byte sequences land on an anchor's bit, then fills
// the bitset and the lists with it. A common sequence that collides with an
// anchor would stop the scan wherever it occurs; trying a few hashes costs
// a few milliseconds once.
func (a *Automaton) build(refs []anchorRef, rank []gramRank, trials int) {
	mults := make([][4]uint32, trials)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range mults {
		for j := range mults[i] {
			x += 0x9e3779b97f4a7c15 // splitmix64: a fixed sequence of odd multipliers
			z := (x ^ x>>30) * 0xbf58476d1ce4e5b9
			z = (z ^ z>>27) * 0x94d049bb133111eb
			mults[i][j] = uint32(z^z>>31) | 1
		}
	}
	best, bestCost := 0, -1
	for mi, m := range mults {
		if trials == 1 {
			break
		}
		a.setHash(m)
		a.flags = [len(a.flags)]uint8{}
		for _, r := range refs {
			h := a.hash(r)
			a.flags[uint16(h)] |= flag(r, h)
		}
		cost := 0
		for _, gr := range rank {
			g := gr.gram
			if v := a.test(byte(g), byte(g>>8), byte(g>>16), byte(g>>24)); v&(fourBits|threeFlag) != 0 {
				cost += gr.rank
			} else if v != 0 {
				cost += gr.rank / 8 // half of a six-byte anchor: stops only with the other half
			}
		}
		if bestCost < 0 || cost < bestCost {
			best, bestCost = mi, cost
		}
	}
	a.setHash(mults[best])
	a.flags = [len(a.flags)]uint8{}
	// The lists, one after another in entries: list l is
	// entries[starts[l]:starts[l+1]], numbered from 1 in slot and slot3.
	list := make([]uint16, len(refs))
	n := 0
	for i, r := range refs {
		h := a.hash(r)
		a.flags[uint16(h)] |= flag(r, h)
		if r.kind == anchorFirst {
			continue // found through its second half's list
		}
		idx := &a.slot[uint16(h)]
		if r.kind == anchorThree {
			idx = &a.slot3[uint16(h)]
		}
		if *idx == 0 {
			// Past 65,535 lists (more keywords than any catalogue has),
			// hashes share the last one: stop compares each entry's bytes,
			// so a shared list is slower, never wrong.
			if n < maxLists {
				n++
			}
			*idx = uint16(n)
		}
		list[i] = *idx
	}
	a.starts = make([]int32, n+2)
	for _, l := range list {
		if l != 0 {
			a.starts[l+1]++
		}
	}
	for l := 1; l < len(a.starts); l++ {
		a.starts[l] += a.starts[l-1]
	}
	a.entries = make([]anchorRef, a.starts[n+1])
	next := slices.Clone(a.starts)
	for i, l := range list {
		if l != 0 {
			a.entries[next[l]] = refs[i]
			a.entries[next[l]].word = a.folded[refs[i].kw]
			next[l]++
		}
	}
}

// test returns the flags bits the four bytes b0..b3 at an even position
// set: a four-byte anchor, a half of a six-byte one, or a three-byte one at
// b0 or b1.
func (a *Automaton) test(b0, b1, b2, b3 byte) uint8 {
	mid := a.hashB[b1] ^ a.hashC[b2]
	pre, suf := a.hashA[b0]^mid, mid^a.hashD[b3]
	h := pre ^ a.hashD[b3]
	return a.flags[uint16(h)]&selOf[h>>29] | (a.flags[uint16(pre)]|a.flags[uint16(suf)])&threeFlag
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
	if len(a.entries) == 0 {
		return hits
	}
	flags, selOf := &a.flags, &selOf
	ha, hb, hc, hd := &a.hashA, &a.hashB, &a.hashC, &a.hashD
	// at returns the flags bits of the four bytes b0..b3 at an even
	// position (see test).
	at := func(b0, b1, b2, b3 byte) uint64 {
		mid := hb[b1] ^ hc[b2]
		d := hd[b3]
		pre, suf := ha[b0]^mid, mid^d
		h := pre ^ d
		return uint64(flags[uint16(h)]&selOf[h>>29] | (flags[uint16(pre)]|flags[uint16(suf)])&threeFlag)
	}
	// stops turns a block's flags bits (a byte per even position) into its
	// stops: a four- or three-byte anchor, or the second half of a six-byte
	// one whose first half is at the position before (carry: the last
	// position of the block before).
	const ones = 0x0101010101010101
	carry := uint64(0)
	stops := func(m uint64) uint64 {
		first := (m>>3 | m>>4) & ones
		second := (m>>5 | m>>6) & ones
		s := m&(ones*(fourBits|threeFlag)) | second&(first<<8|carry)
		carry = first >> 56
		return s
	}
	i := 0
	if a.simd != nil && n >= 34 {
		// filterAVX2 tests blocks of 32 bytes, reading 34, a chunk of
		// at most 2,048 blocks a call; the loop below takes over where it
		// ends, with its carry.
		var out [2048]uint32
		c := uint32(0)
		for blocks := (n-34)/32 + 1; blocks > 0; {
			nb := min(blocks, len(out))
			var k int
			k, c = filterAVX2(a.simd, &data[i], nb, &out[0], &a.simdMult, c)
			for _, e := range out[:k] {
				base := i + 32*int(e>>16)
				for m := e & 0xffff; m != 0; m &= m - 1 {
					t := bits.TrailingZeros32(m)
					hits = a.stop(data, base+4*(t&7)+2*(t>>3), hits)
				}
			}
			i += 32 * nb
			blocks -= nb
		}
		carry = uint64(a.test(data[i-2], data[i-1], data[i], data[i+1])&firstBits) >> 3
		carry = (carry | carry>>1) & 1
	}
	// Sixteen positions at a time, eight even ones tested, a byte of m
	// each, with one branch: most blocks have no stop, and a branch per
	// position would mispredict on every stop. Each byte is loaded once
	// per block.
	for ; i+18 <= n; i += 16 {
		d := (*[18]byte)(data[i : i+18])
		b0, b1, b2, b3, b4, b5, b6, b7, b8 := d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]
		b9, b10, b11, b12, b13, b14, b15, b16, b17 := d[9], d[10], d[11], d[12], d[13], d[14], d[15], d[16], d[17]
		m := stops(at(b0, b1, b2, b3) | at(b2, b3, b4, b5)<<8 | at(b4, b5, b6, b7)<<16 | at(b6, b7, b8, b9)<<24 |
			at(b8, b9, b10, b11)<<32 | at(b10, b11, b12, b13)<<40 | at(b12, b13, b14, b15)<<48 | at(b14, b15, b16, b17)<<56)
		for m != 0 {
			j := bits.TrailingZeros64(m) / 8
			m &^= 0xff << (8 * j)
			hits = a.stop(data, i+2*j, hits)
		}
	}
	// The last blocks, padded with zero bytes: an anchor lies within data,
	// so the padding hides none, and stop reads past n as zeros too. The
	// block's body is the loop's above, written out again: as a closure
	// the compiler does not inline it, and the pure-Go prefilter fell from
	// about 800 to 460 MB/s (medians of 4, alternated).
	for ; i < n; i += 16 {
		var d [18]byte
		copy(d[:], data[i:])
		b0, b1, b2, b3, b4, b5, b6, b7, b8 := d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]
		b9, b10, b11, b12, b13, b14, b15, b16, b17 := d[9], d[10], d[11], d[12], d[13], d[14], d[15], d[16], d[17]
		m := stops(at(b0, b1, b2, b3) | at(b2, b3, b4, b5)<<8 | at(b4, b5, b6, b7)<<16 | at(b6, b7, b8, b9)<<24 |
			at(b8, b9, b10, b11)<<32 | at(b10, b11, b12, b13)<<40 | at(b12, b13, b14, b15)<<48 | at(b14, b15, b16, b17)<<56)
		for m != 0 {
			j := bits.TrailingZeros64(m) / 8
			m &^= 0xff << (8 * j)
			if i+2*j < n {
				hits = a.stop(data, i+2*j, hits)
			}
		}
	}
	return hits
}

// stop checks the keywords anchored under the hashes of the four bytes at
// the even position p.
func (a *Automaton) stop(data []byte, p int, hits []Hit) []Hit {
	var w [4]byte // the four bytes at p, zeros past the end of data
	if p+4 <= len(data) {
		w = [4]byte(data[p : p+4])
	} else {
		copy(w[:], data[p:])
	}
	mid := a.hashB[w[1]] ^ a.hashC[w[2]]
	pre, suf := a.hashA[w[0]]^mid, mid^a.hashD[w[3]]
	h := pre ^ a.hashD[w[3]]
	g := gram(a.fold[w[0]], a.fold[w[1]], a.fold[w[2]], a.fold[w[3]])
	s4, s3, s3s := a.slot[uint16(h)], a.slot3[uint16(pre)], a.slot3[uint16(suf)]
	// Each list once (hashes may share one), so each entry is checked once.
	if s3 == s4 {
		s3 = 0
	}
	if s3s == s4 || s3s == s3 {
		s3s = 0
	}
	for _, idx := range [3]uint16{s4, s3, s3s} {
		if idx == 0 {
			continue
		}
		for _, r := range a.entries[a.starts[idx]:a.starts[idx+1]] {
			if s := p - int(r.off); g&r.mask == r.gram && s >= 0 && a.matches(data, s, r.word) {
				hits = append(hits, Hit{r.kw, int32(s + len(r.word))})
			}
		}
	}
	return hits
}

// matchAt reports whether keyword k occurs in data at offset s.
func (a *Automaton) matchAt(data []byte, s int, k int32) bool {
	return a.matches(data, s, a.folded[k])
}

// matches reports whether the folded keyword kw occurs in data at offset s.
func (a *Automaton) matches(data []byte, s int, kw string) bool {
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
