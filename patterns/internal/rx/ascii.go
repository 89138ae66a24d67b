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

// firstASCII returns the ASCII bytes a match of prog can begin with, or
// nil when it would not narrow the search: a match can be empty (the
// program reaches InstMatch before reading a rune), can begin with any
// byte, or begins with every ASCII byte. The unanchored backtracker steps
// over the bytes not in it without trying a match there: a generic rule's
// regex tried at each byte of a window (`(?:[ \t]|=)name=…`) went through
// its first instructions' alternations and captures at every byte only to
// fail on it. Empty-width assertions are passed through (they read no
// byte), so the set is the first consumed byte's, whatever the context.
func firstASCII(prog *syntax.Prog) *asciiClass {
	var first asciiClass
	seen := make([]bool, len(prog.Inst))
	stack := []uint32{uint32(prog.Start)}
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		in := &prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, in.Out, in.Arg)
		case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
			stack = append(stack, in.Out)
		case syntax.InstFail:
		case syntax.InstRune:
			m := asciiMembers(in)
			first[0] |= m[0]
			first[1] |= m[1]
		case syntax.InstRune1:
			if r := in.Rune[0]; r < utf8.RuneSelf {
				first[r>>6] |= 1 << (r & 63)
			}
		default: // InstMatch, InstRuneAny, InstRuneAnyNotNL
			return nil
		}
	}
	if first == (asciiClass{^uint64(0), ^uint64(0)}) {
		return nil
	}
	return &first
}
