// Copyright 2015 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// backtrack is a regular expression search with submatch
// tracking for small regular expressions and texts. It allocates
// a bit vector with (length of input) * (length of prog) bits,
// to make sure it never explores the same (character position, instruction)
// state multiple times. This limits the search to run in time linear in
// the length of the test.
//
// backtrack is a fast replacement for the NFA code on small
// regexps when onepass cannot be used.

package rx

import (
	"bytes"
	"regexp/syntax"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// A job is an entry on the backtracker's job stack. It holds
// the instruction pc and the position in the input.
type job struct {
	pc  uint32
	arg bool
	pos int
}

const (
	visitedBits        = 32
	maxBacktrackProg   = 500        // len(prog.Inst) <= max
	maxBacktrackVector = 256 * 1024 // bit vector size <= max (bits)
)

// btInst is an instruction as the backtracker reads it: 12 bytes where
// syntax.Inst takes 40 (its class is a slice), so that a generic rule's
// program of a few hundred instructions takes a few cache lines rather
// than a few pages' worth of them; loading the instruction was the
// backtracker's costliest step. cls is 1 + the instruction's class in
// asciiSets (0: none); arg is the instruction's Arg, or for InstRune1 its
// rune. The class itself, for a rune past ASCII, is the program's.
type btInst struct {
	op  syntax.InstOp
	cls uint16
	out uint32
	arg uint32
}

// btProgram returns prog's instructions as the backtracker reads them.
func btProgram(prog *syntax.Prog, asciiIndex []uint16) []btInst {
	bt := make([]btInst, len(prog.Inst))
	for pc := range prog.Inst {
		in := &prog.Inst[pc]
		b := btInst{op: in.Op, out: in.Out, arg: in.Arg}
		switch in.Op {
		case syntax.InstRune1:
			b.arg = uint32(in.Rune[0])
		case syntax.InstRune:
			if pc < len(asciiIndex) {
				b.cls = asciiIndex[pc]
			}
		}
		bt[pc] = b
	}
	return bt
}

// bitState holds state for the backtracker.
type bitState struct {
	end      int
	cap      []int
	matchcap []int
	jobs     []job
	visited  []uint32
}

var bitStatePool sync.Pool

func newBitState() *bitState {
	b, ok := bitStatePool.Get().(*bitState)
	if !ok {
		b = new(bitState)
	}
	return b
}

func freeBitState(b *bitState) {
	bitStatePool.Put(b)
}

// maxBitStateLen returns the maximum length of a string to search with
// the backtracker using prog.
func maxBitStateLen(prog *syntax.Prog) int {
	if !shouldBacktrack(prog) {
		return 0
	}
	return maxBacktrackVector / len(prog.Inst)
}

// shouldBacktrack reports whether the program is too
// long for the backtracker to run.
func shouldBacktrack(prog *syntax.Prog) bool {
	return len(prog.Inst) <= maxBacktrackProg
}

// reset resets the state of the backtracker.
// end is the end position in the input.
// ncap is the number of captures.
func (b *bitState) reset(prog *syntax.Prog, end int, ncap int) {
	b.end = end

	if cap(b.jobs) == 0 {
		b.jobs = make([]job, 0, 256)
	} else {
		b.jobs = b.jobs[:0]
	}

	visitedSize := (len(prog.Inst)*(end+1) + visitedBits - 1) / visitedBits
	if cap(b.visited) < visitedSize {
		b.visited = make([]uint32, visitedSize, maxBacktrackVector/visitedBits)
	} else {
		b.visited = b.visited[:visitedSize]
		clear(b.visited) // set to 0
	}

	if cap(b.cap) < ncap {
		b.cap = make([]int, ncap)
	} else {
		b.cap = b.cap[:ncap]
	}
	for i := range b.cap {
		b.cap[i] = -1
	}

	if cap(b.matchcap) < ncap {
		b.matchcap = make([]int, ncap)
	} else {
		b.matchcap = b.matchcap[:ncap]
	}
	for i := range b.matchcap {
		b.matchcap[i] = -1
	}
}

// shouldVisit reports whether the combination of (pc, pos) has not
// been visited yet.
func (b *bitState) shouldVisit(pc uint32, pos int) bool {
	n := uint(int(pc)*(b.end+1) + pos)
	if b.visited[n/visitedBits]&(1<<(n&(visitedBits-1))) != 0 {
		return false
	}
	b.visited[n/visitedBits] |= 1 << (n & (visitedBits - 1))
	return true
}

// push pushes (pc, pos, arg) onto the job stack if it should be
// visited.
func (b *bitState) push(re *Regexp, pc uint32, pos int, arg bool) {
	// Only check shouldVisit when arg is false.
	// When arg is true, we are continuing a previous visit.
	if re.bt[pc].op != syntax.InstFail && (arg || b.shouldVisit(pc, pos)) {
		b.jobs = append(b.jobs, job{pc: pc, arg: arg, pos: pos})
	}
}

// stepBytes and contextBytes are inputBytes.step and .context on in,
// for the backtracker, which reads bytes directly (the other matchers go
// through the input interface, as Go's do).
func stepBytes(in []byte, pos int) (rune, int) {
	if pos < len(in) {
		return utf8.DecodeRune(in[pos:])
	}
	return endOfText, 0
}

func contextBytes(in []byte, pos int) lazyFlag {
	r1, r2 := endOfText, endOfText
	// 0 < pos && pos <= len(in)
	if uint(pos-1) < uint(len(in)) {
		r1, _ = utf8.DecodeLastRune(in[:pos])
	}
	// 0 <= pos && pos < len(in)
	if uint(pos) < uint(len(in)) {
		r2, _ = utf8.DecodeRune(in[pos:])
	}
	return newLazyFlag(r1, r2)
}

// tryBacktrack runs a backtracking search starting at pos. The input is
// bytes (a string's are viewed as bytes by backtrack): the steps are the
// input interface's, inlined.
func (re *Regexp) tryBacktrack(b *bitState, in []byte, pc uint32, pos int) bool {
	longest := re.longest

	b.push(re, pc, pos, false)
	for len(b.jobs) > 0 {
		l := len(b.jobs) - 1
		// Pop job off the stack.
		pc := b.jobs[l].pc
		pos := b.jobs[l].pos
		arg := b.jobs[l].arg
		b.jobs = b.jobs[:l]

		// Optimization: rather than push and pop,
		// code that is going to Push and continue
		// the loop simply updates ip, p, and arg
		// and jumps to CheckAndLoop. We have to
		// do the ShouldVisit check that Push
		// would have, but we avoid the stack
		// manipulation.
		goto Skip
	CheckAndLoop:
		if !b.shouldVisit(pc, pos) {
			continue
		}
	Skip:

		inst := &re.bt[pc]

		switch inst.op {
		default:
			panic("bad inst")
		case syntax.InstFail:
			panic("unexpected InstFail")
		case syntax.InstAlt:
			// Cannot just
			//   b.push(inst.Out, pos, false)
			//   b.push(inst.Arg, pos, false)
			// If during the processing of inst.Out, we encounter
			// inst.Arg via another path, we want to process it then.
			// Pushing it here will inhibit that. Instead, re-push
			// inst with arg==true as a reminder to push inst.Arg out
			// later.
			if arg {
				// Finished inst.Out; try inst.Arg.
				arg = false
				pc = inst.arg
				goto CheckAndLoop
			} else {
				b.push(re, pc, pos, true)
				pc = inst.out
				goto CheckAndLoop
			}

		case syntax.InstAltMatch:
			// One opcode consumes runes; the other leads to match.
			switch re.bt[inst.out].op {
			case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
				// inst.arg is the match.
				b.push(re, inst.arg, pos, false)
				pc = inst.arg
				pos = b.end
				goto CheckAndLoop
			}
			// inst.out is the match - non-greedy
			b.push(re, inst.out, b.end, false)
			pc = inst.out
			goto CheckAndLoop

		case syntax.InstRune:
			// The step, written out for ASCII (the backtracker reads a rune
			// at every step of every match; the call through the input
			// interface, then to stepBytes, was a fifth of its time).
			r, width := endOfText, 0
			if uint(pos) < uint(len(in)) {
				if r, width = rune(in[pos]), 1; r >= utf8.RuneSelf {
					r, width = stepBytes(in, pos)
				}
			}
			// (matchRune, written out: the call was not inlined.)
			if k := inst.cls; k != 0 && uint32(r) < utf8.RuneSelf {
				if !re.asciiSets[k-1].has(r) {
					continue
				}
			} else if !re.prog.Inst[pc].MatchRune(r) {
				continue
			}
			pos += width
			pc = inst.out
			goto CheckAndLoop

		case syntax.InstRune1:
			r, width := endOfText, 0
			if uint(pos) < uint(len(in)) {
				if r, width = rune(in[pos]), 1; r >= utf8.RuneSelf {
					r, width = stepBytes(in, pos)
				}
			}
			if r != rune(inst.arg) {
				continue
			}
			pos += width
			pc = inst.out
			goto CheckAndLoop

		case syntax.InstRuneAnyNotNL:
			r, width := endOfText, 0
			if uint(pos) < uint(len(in)) {
				if r, width = rune(in[pos]), 1; r >= utf8.RuneSelf {
					r, width = stepBytes(in, pos)
				}
			}
			if r == '\n' || r == endOfText {
				continue
			}
			pos += width
			pc = inst.out
			goto CheckAndLoop

		case syntax.InstRuneAny:
			r, width := endOfText, 0
			if uint(pos) < uint(len(in)) {
				if r, width = rune(in[pos]), 1; r >= utf8.RuneSelf {
					r, width = stepBytes(in, pos)
				}
			}
			if r == endOfText {
				continue
			}
			pos += width
			pc = inst.out
			goto CheckAndLoop

		case syntax.InstCapture:
			if arg {
				// Finished inst.Out; restore the old value.
				b.cap[inst.arg] = pos
				continue
			} else {
				if inst.arg < uint32(len(b.cap)) {
					// Capture pos to register, but save old value.
					b.push(re, pc, b.cap[inst.arg], true) // come back when we're done.
					b.cap[inst.arg] = pos
				}
				pc = inst.out
				goto CheckAndLoop
			}

		case syntax.InstEmptyWidth:
			flag := contextBytes(in, pos)
			if !flag.match(syntax.EmptyOp(inst.arg)) {
				continue
			}
			pc = inst.out
			goto CheckAndLoop

		case syntax.InstNop:
			pc = inst.out
			goto CheckAndLoop

		case syntax.InstMatch:
			// We found a match. If the caller doesn't care
			// where the match is, no point going further.
			if len(b.cap) == 0 {
				return true
			}

			// Record best match so far.
			// Only need to check end point, because this entire
			// call is only considering one start position.
			if len(b.cap) > 1 {
				b.cap[1] = pos
			}
			if old := b.matchcap[1]; old == -1 || (longest && pos > 0 && pos > old) {
				copy(b.matchcap, b.cap)
			}

			// If going for first match, we're done.
			if !longest {
				return true
			}

			// If we used the entire text, no longer match is possible.
			if pos == b.end {
				return true
			}

			// Otherwise, continue on in hope of a longer match.
			continue
		}
	}

	return longest && len(b.matchcap) > 1 && b.matchcap[1] >= 0
}

// backtrack runs a backtracking search of prog on the input starting at pos.
func (re *Regexp) backtrack(ib []byte, is string, pos int, ncap int, dstCap []int) []int {
	startCond := re.cond
	if startCond == ^syntax.EmptyOp(0) { // impossible
		return nil
	}
	if startCond&syntax.EmptyBeginText != 0 && pos != 0 {
		// Anchored match, past beginning of text.
		return nil
	}

	b := newBitState()
	// A string is read in place as bytes: the backtracker never writes
	// its input.
	in := ib
	if in == nil {
		in = unsafe.Slice(unsafe.StringData(is), len(is))
	}
	end := len(in)
	b.reset(re.prog, end, ncap)

	// Anchored search must start at the beginning of the input
	if startCond&syntax.EmptyBeginText != 0 {
		if len(b.cap) > 0 {
			b.cap[0] = pos
		}
		if !re.tryBacktrack(b, in, uint32(re.prog.Start), pos) {
			freeBitState(b)
			return nil
		}
	} else {

		// Unanchored search, starting from each possible text position.
		// Notice that we have to try the empty string at the end of
		// the text, so the loop condition is pos <= end, not pos < end.
		// This looks like it's quadratic in the size of the text,
		// but we are not clearing visited between calls to TrySearch,
		// so no work is duplicated and it ends up still being linear.
		width := -1
		for ; pos <= end && width != 0; pos += width {
			if len(re.prefix) > 0 {
				// Match requires literal prefix; fast search for it.
				advance := bytes.Index(in[pos:], re.prefixBytes)
				if advance < 0 {
					freeBitState(b)
					return nil
				}
				pos += advance
			} else if f := re.firstSet; f != nil {
				// No match begins at an ASCII byte outside the first set
				// (firstASCII). A byte past ASCII is tried as before: it
				// may begin a rune the set does not say.
				for pos < end && in[pos] < utf8.RuneSelf && !f.has(rune(in[pos])) {
					pos++
				}
				if pos == end {
					// Every match reads a byte first.
					break
				}
			}

			if len(b.cap) > 0 {
				b.cap[0] = pos
			}
			if re.tryBacktrack(b, in, uint32(re.prog.Start), pos) {
				// Match must be leftmost; done.
				goto Match
			}
			_, width = stepBytes(in, pos)
		}
		freeBitState(b)
		return nil
	}

Match:
	dstCap = append(dstCap, b.matchcap...)
	freeBitState(b)
	return dstCap
}
