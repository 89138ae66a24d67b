package patterns

// Automaton is an ASCII-case-insensitive Aho-Corasick automaton compiled to a
// dense DFA over byte classes. It finds every occurrence of every keyword in
// one pass, without copying or lower-casing the input.
//
// Written here rather than taken from a library because the engine needs
// exactly this combination: case folding inside the transition table (no
// copy of the blob), all overlapping matches, and a transition table small
// enough to stay in cache (bytes that occur in no keyword share one class).
type Automaton struct {
	// starts is a hashed bitset of the folded three-byte prefixes of every
	// keyword. In the root state the scanner skips, with independent loads
	// and no dependency chain, every position where no keyword can start.
	starts   [1 << 16 / 64]uint64
	hashA    [256]uint16 // triHash contributions of the first, second and
	hashB    [256]uint16 // third byte, case folding included, so the skip
	hashC    [256]uint16 // loop does three table loads and no arithmetic
	fold     [256]uint8
	classes  [256]uint8
	nclass   uint32
	trans    []uint32 // (state*nclass + class) → next state's row offset, outFlag set when it has output
	outputs  map[uint32][]int32
	keywords []string
}

const outFlag = 1 << 31

// MinKeywordLen is the shortest keyword the skip filter supports; one
// shorter keyword disables skipping for the whole automaton, so rule
// compilation rejects them.
const MinKeywordLen = 3

// triHash hashes three folded bytes into the 16-bit index of starts; the
// skip loop computes the same value from the hashA/B/C tables.
func triHash(a, b, c byte) uint32 {
	return uint32(uint16(a)<<11 ^ uint16(b)<<5 ^ uint16(c))
}

// NewAutomaton compiles keywords (compared ASCII-case-insensitively).
// Keyword indexes reported by Scan are positions in this slice.
func NewAutomaton(keywords []string) *Automaton {
	a := &Automaton{keywords: keywords, outputs: map[uint32][]int32{}}
	for b := 0; b < 256; b++ {
		f := fold(byte(b))
		a.fold[b] = f
		a.hashA[b] = uint16(f) << 11
		a.hashB[b] = uint16(f) << 5
		a.hashC[b] = uint16(f)
	}
	for _, k := range keywords {
		if len(k) < MinKeywordLen {
			// The skip filter cannot see a keyword this short: mark every
			// position as a possible start, which disables skipping.
			for i := range a.starts {
				a.starts[i] = ^uint64(0)
			}
			break
		}
		h := triHash(a.fold[k[0]], a.fold[k[1]], a.fold[k[2]])
		a.starts[h>>6] |= 1 << (h & 63)
	}
	// Byte classes: 0 for bytes in no keyword, one class per distinct folded byte.
	var classOf [256]uint8
	n := uint8(1)
	for _, k := range keywords {
		for i := 0; i < len(k); i++ {
			b := fold(k[i])
			if classOf[b] == 0 {
				classOf[b] = n
				n++
			}
		}
	}
	for b := 0; b < 256; b++ {
		a.classes[b] = classOf[fold(byte(b))]
	}
	a.nclass = uint32(n)
	nc := int(n)

	// Trie.
	type node struct {
		next []int32 // by class
		fail int32
		out  []int32
	}
	newNode := func() *node {
		nd := &node{next: make([]int32, nc)}
		for j := range nd.next {
			nd.next[j] = -1
		}
		return nd
	}
	nodes := []*node{newNode()}
	for ki, k := range keywords {
		s := int32(0)
		for i := 0; i < len(k); i++ {
			c := a.classes[k[i]]
			if nodes[s].next[c] < 0 {
				nodes = append(nodes, newNode())
				nodes[s].next[c] = int32(len(nodes) - 1)
			}
			s = nodes[s].next[c]
		}
		if len(k) > 0 {
			nodes[s].out = append(nodes[s].out, int32(ki))
		}
	}
	// Breadth-first: fail links and full DFA transitions.
	queue := []int32{}
	for c := 0; c < nc; c++ {
		if t := nodes[0].next[c]; t >= 0 {
			nodes[t].fail = 0
			queue = append(queue, t)
		} else {
			nodes[0].next[c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		nodes[s].out = append(nodes[s].out, nodes[nodes[s].fail].out...)
		for c := 0; c < nc; c++ {
			t := nodes[s].next[c]
			if t >= 0 {
				nodes[t].fail = nodes[nodes[s].fail].next[c]
				queue = append(queue, t)
			} else {
				nodes[s].next[c] = nodes[nodes[s].fail].next[c]
			}
		}
	}
	a.trans = make([]uint32, len(nodes)*nc)
	for s, nd := range nodes {
		for c := 0; c < nc; c++ {
			t := nd.next[c]
			v := uint32(t) * uint32(nc)
			if len(nodes[t].out) > 0 {
				v |= outFlag
			}
			a.trans[s*nc+c] = v
		}
		if len(nd.out) > 0 {
			a.outputs[uint32(s*nc)] = nd.out
		}
	}
	return a
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
func (a *Automaton) MaxKeywordLen() int {
	n := 0
	for _, k := range a.keywords {
		n = max(n, len(k))
	}
	return n
}

// Keywords returns the keywords the automaton was built from.
func (a *Automaton) Keywords() []string { return a.keywords }

// Scan calls hit for every occurrence of every keyword in data, with the
// keyword's index and the offset just past its last byte, in order of end offset.
func (a *Automaton) Scan(data []byte, hit func(keyword int, end int)) {
	if len(a.keywords) == 0 {
		return
	}
	trans, classes, starts := a.trans, &a.classes, &a.starts
	ha, hb, hc := &a.hashA, &a.hashB, &a.hashC
	var s uint32
	n := len(data)
	i := 0
	for i < n {
		if s == 0 {
			// Root: no partial match is pending, so positions where no
			// keyword starts can be skipped outright.
			if i+2 >= n {
				// Fewer than three bytes left: no keyword fits.
				return
			}
			b0, b1 := data[i], data[i+1]
			for {
				b2 := data[i+2]
				h := ha[b0] ^ hb[b1] ^ hc[b2]
				if starts[h>>6]&(1<<(h&63)) != 0 {
					break
				}
				i++
				if i+2 >= n {
					return
				}
				b0, b1 = b1, b2
			}
		}
		s = trans[s+uint32(classes[data[i]])]
		i++
		if s&outFlag != 0 {
			s &^= outFlag
			for _, k := range a.outputs[s] {
				hit(int(k), i)
			}
		}
	}
}
