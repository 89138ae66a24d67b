package history

import (
	"slices"
	"sort"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner/gitsource/pack"
)

// deriver finds a delta's keyword hits from its base's (derive), or in a
// whole object (scanAll). Each reading goroutine has its own.
type deriver struct {
	auto  *patterns.Automaton
	kwLen []int32
	maxKw int
	rg    [][2]int
	fresh []patterns.Hit // hits found in rg, before mergeHits
}

func newDeriver(a *patterns.Automaton) *deriver {
	d := &deriver{auto: a, maxKw: a.MaxKeywordLen()}
	for _, k := range a.Keywords() {
		d.kwLen = append(d.kwLen, int32(len(k)))
	}
	return d
}

// scanAll runs the automaton over data.
func (d *deriver) scanAll(data []byte) []patterns.Hit {
	var hits []patterns.Hit
	d.auto.Scan(data, func(kw, end int) {
		hits = append(hits, patterns.Hit{Keyword: int32(kw), End: int32(end)})
	})
	return hits
}

// derive returns the keyword hits of a delta's target (data, built by ops)
// from its base's hits: a hit inside one copied run is the base's hit
// moved; every other hit overlaps inserted bytes or a seam between runs,
// and the automaton finds it in a window of the longest keyword's length
// around them.
func (d *deriver) derive(base []patterns.Hit, data []byte, ops []pack.Op) []patterns.Hit {
	// A version mostly keeps its base's hits: sized for them, out is not
	// regrown from empty for every version of a secret-dense file (28 of
	// the 148 MB a gitleaks history scan allocates; 16 MB sized).
	out := make([]patterns.Hit, 0, len(base)+len(base)/8+8)
	for _, op := range ops {
		if op.Insert {
			continue
		}
		lo, hi := int32(op.Src), int32(op.Src+op.Len)
		k := sort.Search(len(base), func(j int) bool { return base[j].End > lo })
		for ; k < len(base) && base[k].End <= hi; k++ {
			if base[k].End-d.kwLen[base[k].Keyword] >= lo {
				out = append(out, patterns.Hit{Keyword: base[k].Keyword, End: base[k].End - lo + int32(op.Dst)})
			}
		}
	}
	// Windows to search: each insert, and each seam between two runs,
	// widened by the longest keyword less one byte.
	w := d.maxKw - 1
	rg := d.rg[:0]
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
	d.rg = rg
	fresh := d.fresh[:0]
	for _, g := range rg {
		s := g[0]
		d.auto.Scan(data[g[0]:g[1]], func(kw, end int) {
			end += s
			if !insideCopy(ops, end-int(d.kwLen[kw]), end) {
				fresh = append(fresh, patterns.Hit{Keyword: int32(kw), End: int32(end)})
			}
		})
	}
	d.fresh = fresh
	return mergeHits(out, fresh)
}

// mergeHits merges fresh into out, both in order of end offset, as a
// stable sort of out followed by fresh would (out's hit first on a tie),
// in place from the back. The translated hits are in order (a run's hits
// are its base's, in order, and runs are in target order), and so are the
// fresh ones (the automaton reports in order, windows in target order): a
// sort of both was a fifth of derive's time.
func mergeHits(out, fresh []patterns.Hit) []patterns.Hit {
	i, j := len(out)-1, len(fresh)-1
	out = slices.Grow(out, len(fresh))[:len(out)+len(fresh)]
	for k := len(out) - 1; j >= 0; k-- {
		if i >= 0 && out[i].End > fresh[j].End {
			out[k] = out[i]
			i--
		} else {
			out[k] = fresh[j]
			j--
		}
	}
	return out
}

// insideCopy reports whether [s, e) lies within one copied run of ops.
func insideCopy(ops []pack.Op, s, e int) bool {
	j := sort.Search(len(ops), func(j int) bool { return ops[j].Dst+ops[j].Len > s })
	return j < len(ops) && !ops[j].Insert && ops[j].Dst <= s && e <= ops[j].Dst+ops[j].Len
}
