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
	classes  [256]uint8
	nclass   uint32
	trans    []uint32 // (state*nclass + class) → next state's row offset, outFlag set when it has output
	outputs  map[uint32][]int32
	keywords []string
}

const outFlag = 1 << 31

// NewAutomaton compiles keywords (compared ASCII-case-insensitively).
// Keyword indexes reported by Scan are positions in this slice.
func NewAutomaton(keywords []string) *Automaton {
	a := &Automaton{keywords: keywords, outputs: map[uint32][]int32{}}
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
		next [256]int32 // by class; only [0,nc) used
		fail int32
		out  []int32
	}
	nodes := []*node{{}}
	for i := range nodes[0].next {
		nodes[0].next[i] = -1
	}
	for ki, k := range keywords {
		s := int32(0)
		for i := 0; i < len(k); i++ {
			c := a.classes[k[i]]
			if nodes[s].next[c] < 0 {
				nd := &node{}
				for j := range nd.next {
					nd.next[j] = -1
				}
				nodes = append(nodes, nd)
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

// Keywords returns the keywords the automaton was built from.
func (a *Automaton) Keywords() []string { return a.keywords }

// Scan calls hit for every occurrence of every keyword in data, with the
// keyword's index and the offset just past its last byte, in order of end offset.
func (a *Automaton) Scan(data []byte, hit func(keyword int, end int)) {
	if len(a.keywords) == 0 {
		return
	}
	trans, classes := a.trans, &a.classes
	var s uint32
	for i, b := range data {
		s = trans[s+uint32(classes[b])]
		if s&outFlag != 0 {
			s &^= outFlag
			for _, k := range a.outputs[s] {
				hit(int(k), i+1)
			}
		}
	}
}
