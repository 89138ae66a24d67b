package history

import (
	"cmp"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource/pack"
)

// encodeDelta writes git delta instructions that build a target from base
// following script: each step either copies base[off:off+n] or inserts
// literal bytes. It is the encoder side of pack.Apply, for tests.
func encodeDelta(base []byte, script []byte) (delta, target []byte) {
	var body []byte
	i := 0
	for i+2 < len(script) {
		op, a, b := script[i], int(script[i+1]), int(script[i+2])
		i += 3
		if op%2 == 0 && len(base) > 0 {
			off := (a * 7919) % len(base)
			n := 1 + (b*31)%(len(base)-off)
			body = append(body, 0x80|0x0f|0x70,
				byte(off), byte(off>>8), byte(off>>16), byte(off>>24),
				byte(n), byte(n>>8), byte(n>>16))
			target = append(target, base[off:off+n]...)
			continue
		}
		n := 1 + a%40
		if i+n > len(script) {
			n = len(script) - i
		}
		if n == 0 {
			break
		}
		body = append(body, byte(n))
		body = append(body, script[i:i+n]...)
		target = append(target, script[i:i+n]...)
		i += n
	}
	varint := func(out []byte, v int) []byte {
		for v >= 0x80 {
			out = append(out, byte(v)|0x80)
			v >>= 7
		}
		return append(out, byte(v))
	}
	delta = varint(varint(nil, len(base)), len(target))
	return append(delta, body...), target
}

// FuzzDeriveHits builds a delta from fuzzed instructions over a keyword-rich
// base and requires the hits derived from the base's to be exactly those a
// full automaton pass over the target finds: copied runs that cut through
// keywords, inserts that complete or split them, and adjacent runs that
// join halves of two keywords are all covered.
func FuzzDeriveHits(f *testing.F) {
	rules, err := patterns.Builtin()
	if err != nil {
		f.Fatal(err)
	}
	auto := scanner.NewDetector(rules, nil).Automaton()
	f.Add([]byte("password = hunter2\naws_secret_access_key: x\ntoken token ghp_ xoxb-"), []byte{0, 3, 9, 1, 5, 'k', 'e', 'y', 's', 'x', 0, 200, 3})
	f.Add([]byte("BEGIN RSA PRIVATE KEY"), []byte{0, 0, 4, 1, 3, 'e', 'c', 'r', 'e', 't', 0, 1, 7})
	f.Add([]byte("passw"), []byte{0, 0, 4, 1, 2, 'o', 'r', 'd', 0, 0, 4})
	f.Fuzz(func(t *testing.T, base, script []byte) {
		if len(base) > 1<<16 || len(script) > 1<<12 {
			return
		}
		delta, want := encodeDelta(base, script)
		d := newDeriver(auto)
		target, ops, err := pack.Apply(base, delta, nil, nil)
		if err != nil {
			t.Fatalf("Apply of an encoded delta: %v", err)
		}
		if string(target) != string(want) {
			t.Fatal("Apply disagrees with the encoder")
		}
		got := d.derive(scanHits(auto, base), target, ops)
		exp := scanHits(auto, target)
		// Detection reads a chunk's hits in order of end offset.
		if !slices.IsSortedFunc(got, func(a, b patterns.Hit) int { return cmp.Compare(a.End, b.End) }) {
			t.Fatalf("derived hits out of order: %v", got)
		}
		order(got)
		order(exp)
		if len(got)+len(exp) > 0 && !reflect.DeepEqual(got, exp) {
			t.Fatalf("derived %v\nautomaton %v", got, exp)
		}
	})
}

func scanHits(a *patterns.Automaton, data []byte) []patterns.Hit {
	var hs []patterns.Hit
	a.Scan(data, func(kw, end int) { hs = append(hs, patterns.Hit{Keyword: int32(kw), End: int32(end)}) })
	return hs
}

func order(hs []patterns.Hit) {
	sort.Slice(hs, func(a, b int) bool {
		if hs[a].End != hs[b].End {
			return hs[a].End < hs[b].End
		}
		return hs[a].Keyword < hs[b].Keyword
	})
}

// TestMergeHits: merging the fresh hits into the translated ones gives the
// order a stable sort by end offset of both gave (translated first on a
// tie), the order the hits were in before the merge replaced the sort.
func TestMergeHits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sorted := func(n int) []patterns.Hit {
		hs := make([]patterns.Hit, n)
		for i := range hs {
			hs[i] = patterns.Hit{Keyword: int32(rng.IntN(5)), End: int32(rng.IntN(40))}
		}
		slices.SortStableFunc(hs, func(a, b patterns.Hit) int { return cmp.Compare(a.End, b.End) })
		return hs
	}
	for range 2000 {
		out, fresh := sorted(rng.IntN(12)), sorted(rng.IntN(12))
		want := append(slices.Clone(out), fresh...)
		slices.SortStableFunc(want, func(a, b patterns.Hit) int { return cmp.Compare(a.End, b.End) })
		if got := mergeHits(out, fresh); !slices.Equal(got, want) && len(want) > 0 {
			t.Fatalf("merge of %v and %v:\n got %v\nwant %v", out, fresh, got, want)
		}
	}
}
