package rx

import (
	"encoding/binary"
	"errors"
	"regexp/syntax"
)

// A program's encoding is what compile learns from parsing expr (the
// shortest input, the capture groups' names) followed by the compiled
// program, instruction by instruction, as unsigned varints: op, out, arg,
// then the runes: 2n for n runes that follow, each as the zigzag
// difference from the one before it in the instruction (a class's ranges
// climb by small steps), or 2k+1 for the runes of instruction k, read
// already (a counted class, [A-Za-z0-9]{40}, is forty instructions with
// one class; they share one slice, as nothing writes to them).
// fromProg does the rest of compile, from the program, at decode time:
// the one-pass analysis and the literal prefix are cheap.

// errCorrupt reports an encoding that does not read back into a program.
var errCorrupt = errors.New("rx: corrupt program encoding")

// appendProg appends expr's encoding to dst, compiling expr as Compile
// does.
func appendProg(dst []byte, expr string) ([]byte, error) {
	p, err := compileProgram(expr, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog := p.prog
	dst = binary.AppendUvarint(dst, uint64(p.minLen))
	dst = binary.AppendUvarint(dst, uint64(p.maxCap))
	for _, name := range p.capNames[1:] {
		dst = binary.AppendUvarint(dst, uint64(len(name)))
		dst = append(dst, name...)
	}
	// first maps a class to the first instruction holding it.
	first := make(map[string]int)
	classKey := func(rs []rune) string {
		b := make([]byte, 0, 4*len(rs))
		for _, r := range rs {
			b = binary.LittleEndian.AppendUint32(b, uint32(r))
		}
		return string(b)
	}
	runes := 0
	for i, in := range prog.Inst {
		if len(in.Rune) == 0 {
			continue
		}
		if _, ok := first[classKey(in.Rune)]; !ok {
			first[classKey(in.Rune)] = i
			runes += len(in.Rune)
		}
	}
	dst = binary.AppendUvarint(dst, uint64(prog.Start))
	dst = binary.AppendUvarint(dst, uint64(prog.NumCap))
	dst = binary.AppendUvarint(dst, uint64(len(prog.Inst)))
	dst = binary.AppendUvarint(dst, uint64(runes))
	for i, in := range prog.Inst {
		dst = append(dst, byte(in.Op))
		dst = binary.AppendUvarint(dst, uint64(in.Out))
		dst = binary.AppendUvarint(dst, uint64(in.Arg))
		if k := first[classKey(in.Rune)]; len(in.Rune) > 0 && k < i {
			dst = binary.AppendUvarint(dst, uint64(2*k+1))
			continue
		}
		dst = binary.AppendUvarint(dst, uint64(2*len(in.Rune)))
		prev := rune(0)
		for _, r := range in.Rune {
			dst = binary.AppendVarint(dst, int64(r-prev))
			prev = r
		}
	}
	return dst, nil
}

// decodeProg reads back appendProg's encoding of expr. readProg checks
// every count and index, and the shapes of Go's programs that the
// one-pass analysis and the prefix search rely on (no cycle without an
// alternation, a class read as pairs); the matchers trust the rest of the
// program to be one Go's compiler wrote (no path into InstFail, say),
// which the table's checksums vouch for: an encoding made by hand can
// still make a match panic.
func decodeProg(expr, enc string) (*Regexp, error) {
	p, err := readProg(enc)
	if err != nil {
		return nil, err
	}
	return fromProg(expr, p, false), nil
}

// readProg reads an encoding (decodeProg's checks).
func readProg(enc string) (program, error) {
	var none program
	d := decoder{s: enc}
	minLen := d.count()
	maxCap := d.count()
	if d.err != nil || maxCap > len(enc) {
		return none, errCorrupt
	}
	capNames := make([]string, maxCap+1)
	for i := 1; i <= maxCap; i++ {
		n := d.count()
		if d.err != nil || n > len(d.s) {
			return none, errCorrupt
		}
		capNames[i], d.s = d.s[:n], d.s[n:]
	}
	start, numCap, ninst, nrunes := d.count(), d.count(), d.count(), d.count()
	// Each instruction takes at least 4 bytes and each rune 1.
	if d.err != nil || ninst == 0 || start >= ninst || ninst > len(d.s)/4 || nrunes > len(d.s) || numCap > 2*(maxCap+1) {
		return none, errCorrupt
	}
	prog := &syntax.Prog{Inst: make([]syntax.Inst, ninst), Start: start, NumCap: numCap}
	runes := make([]rune, nrunes)
	for i := range prog.Inst {
		in := &prog.Inst[i]
		if len(d.s) == 0 {
			return none, errCorrupt
		}
		in.Op, d.s = syntax.InstOp(d.s[0]), d.s[1:]
		out, arg, code := d.count(), d.uint32(), d.count()
		n, shared := code/2, code%2 == 1
		if shared {
			if n >= i || len(prog.Inst[n].Rune) == 0 {
				return none, errCorrupt
			}
			in.Rune, n = prog.Inst[n].Rune, len(prog.Inst[n].Rune)
		}
		if d.err != nil || in.Op > syntax.InstRuneAnyNotNL || out >= ninst || !shared && n > len(runes) {
			return none, errCorrupt
		}
		in.Out, in.Arg = uint32(out), arg
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			if int(arg) >= ninst {
				return none, errCorrupt
			}
		case syntax.InstCapture:
			if int(arg) >= numCap {
				return none, errCorrupt
			}
		}
		// The matcher reads a class as pairs (InstRune), or its first
		// rune (InstRune1: Go's compiler writes [x] as x-x). The any-rune
		// instructions keep the class they were made from.
		switch in.Op {
		case syntax.InstRune:
			// One rune without case folding is InstRune1 in Go's
			// programs; the one-pass analysis reads any other class
			// as pairs.
			if n > 1 && n%2 != 0 || n == 1 && syntax.Flags(arg)&syntax.FoldCase == 0 {
				return none, errCorrupt
			}
		case syntax.InstRune1:
			if n == 0 {
				return none, errCorrupt
			}
		case syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		default:
			if n != 0 {
				return none, errCorrupt
			}
		}
		if n > 0 && !shared {
			in.Rune, runes = runes[:n:n], runes[n:]
			prev := rune(0)
			for j := range in.Rune {
				prev += rune(d.delta())
				in.Rune[j] = prev
			}
		}
	}
	if d.err != nil || len(d.s) != 0 || len(runes) != 0 || !loopsThroughAlt(prog) {
		return none, errCorrupt
	}
	return program{prog: prog, maxCap: maxCap, minLen: minLen, capNames: capNames}, nil
}

// decoder reads varints from an encoding, remembering the first error.
type decoder struct {
	s   string
	err error
}

// uvarint reads an unsigned varint.
func (d *decoder) uvarint() uint64 {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if len(d.s) == 0 {
			break
		}
		b := d.s[0]
		d.s = d.s[1:]
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return x
		}
	}
	d.err = errCorrupt
	return 0
}

// count reads an unsigned varint that counts or indexes something in
// memory: it must fit an int32, whatever the platform.
func (d *decoder) count() int {
	x := d.uvarint()
	if x > 1<<31-1 {
		d.err = errCorrupt
		return 0
	}
	return int(x)
}

// uint32 reads an instruction's argument.
func (d *decoder) uint32() uint32 {
	x := d.uvarint()
	if x > 1<<32-1 {
		d.err = errCorrupt
		return 0
	}
	return uint32(x)
}

// delta reads a zigzag varint.
func (d *decoder) delta() int32 {
	u := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	if x < -1<<31 || x > 1<<31-1 {
		d.err = errCorrupt
		return 0
	}
	return int32(x)
}

// loopsThroughAlt reports whether every cycle of prog passes through an
// alternation, as in every program Go's compiler writes (a loop is an Alt
// whose branch leads back to it): the walks along one path (the literal
// prefix, the start condition) would never end on a cycle without one.
func loopsThroughAlt(prog *syntax.Prog) bool {
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]uint8, len(prog.Inst))
	var path []int
	for pc := range prog.Inst {
		path = path[:0]
		p := pc
		for state[p] == unseen {
			switch prog.Inst[p].Op {
			case syntax.InstAlt, syntax.InstAltMatch, syntax.InstMatch, syntax.InstFail:
				state[p] = done
				continue
			}
			state[p] = onPath
			path = append(path, p)
			p = int(prog.Inst[p].Out)
		}
		if state[p] == onPath {
			return false
		}
		for _, q := range path {
			state[q] = done
		}
	}
	return true
}
