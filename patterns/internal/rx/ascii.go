package rx

import (
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// This file is not Go's: the matchers' class test for ASCII input. Go's
// matchers test a rune against a class with syntax.Inst.MatchRune, a
// search of the class's ranges and, for a case-folded literal, a walk of
// unicode.SimpleFold's orbit at every step. Over a secret-dense history
// that test was a quarter of the backtracker's time. A program's classes
// are fixed, so each one's ASCII members are worked out once, at compile
// time, as a bitmap.

// asciiClass holds one bit per ASCII byte: whether a class matches it.
type asciiClass [2]uint64

// has reports whether c, an ASCII byte, is in the class.
func (a *asciiClass) has(c rune) bool { return a[c>>6]&(1<<(c&63)) != 0 }

// asciiClasses returns, for each instruction of prog, 1 + the index in
// classes of an InstRune's ASCII members, or 0 (for every other
// instruction, and past 65,535 classes).
func asciiClasses(prog *syntax.Prog) (index []uint16, classes []asciiClass) {
	// The instructions of a counted class ([A-Za-z0-9]{40}) share its
	// runes, in Go's programs and in decoded ones: one bitmap serves a
	// run of them. (A map of classes cost as much as the bitmaps save.)
	var last []rune
	lastFold := false
	for pc := range prog.Inst {
		in := &prog.Inst[pc]
		if in.Op != syntax.InstRune || len(in.Rune) == 0 {
			continue
		}
		if index == nil {
			index = make([]uint16, len(prog.Inst))
		}
		fold := syntax.Flags(in.Arg)&syntax.FoldCase != 0
		if len(last) == len(in.Rune) && &last[0] == &in.Rune[0] && fold == lastFold {
			index[pc] = uint16(len(classes))
			continue
		}
		if len(classes) == 1<<16-1 {
			last = nil
			continue
		}
		classes = append(classes, asciiMembers(in))
		index[pc] = uint16(len(classes))
		last, lastFold = in.Rune, fold
	}
	return index, classes
}

// asciiMembers is the ASCII part of what in.MatchRune accepts.
func asciiMembers(in *syntax.Inst) asciiClass {
	var a asciiClass
	set := func(c rune) { a[c>>6] |= 1 << (c & 63) }
	rs := in.Rune
	if len(rs) == 1 {
		// A literal rune, and under FoldCase the runes of its orbit.
		r0 := rs[0]
		if r0 < utf8.RuneSelf {
			set(r0)
		}
		if syntax.Flags(in.Arg)&syntax.FoldCase != 0 {
			for r := unicode.SimpleFold(r0); r != r0; r = unicode.SimpleFold(r) {
				if r < utf8.RuneSelf {
					set(r)
				}
			}
		}
		return a
	}
	// Pairs of inclusive bounds, in ascending order: a mask per word.
	for j := 0; j+1 < len(rs) && rs[j] < utf8.RuneSelf; j += 2 {
		lo, hi := max(rs[j], 0), min(rs[j+1], utf8.RuneSelf-1)
		for w := lo >> 6; w <= hi>>6 && lo <= hi; w++ {
			l, h := max(lo, w<<6)-w<<6, min(hi, w<<6+63)-w<<6
			a[w] |= ^uint64(0) >> (63 - (h - l)) << l
		}
	}
	return a
}

// asciiClass returns 1 + the index in asciiSets of the class of the
// InstRune at pc, or 0.
func (re *Regexp) asciiClass(pc uint32) uint16 {
	if int(pc) < len(re.asciiIndex) {
		return re.asciiIndex[pc]
	}
	return 0
}

// matchRune is inst.MatchRune(r) for the instruction at pc: a bit test
// when r is ASCII.
func (re *Regexp) matchRune(pc uint32, inst *syntax.Inst, r rune) bool {
	if k := re.asciiClass(pc); k != 0 && uint32(r) < utf8.RuneSelf {
		return re.asciiSets[k-1].has(r)
	}
	return inst.MatchRune(r)
}
