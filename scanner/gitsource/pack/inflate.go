package pack

import (
	"encoding/binary"
	"errors"
	"hash/adler32"
	"math/bits"
	"sync"
)

// This file decodes a pack entry's zlib stream (RFC 1950, DEFLATE inside:
// RFC 1951) straight into a buffer of the size the entry's header
// declares. A streaming decoder (compress/flate, klauspost's) writes into
// a 32 KB window of its own, copies out to the reader, reads its input a
// byte at a time through an interface and cannot know where the output
// ends; a pack says where, and an object's bytes are its own window. On
// Kingfisher's history inflating was a tenth of the scan's CPU.
//
// The decoder accepts what zlib writes and refuses anything it is not sure
// of (a preset dictionary, a distance before the start, a code set that is
// over-subscribed or incomplete beyond the one-code case): Inflater then
// hands the entry to the streaming decoder, which reports the damage as it
// always has, or decodes what this one does not know. What this one
// decodes is checked against the stream's Adler-32 trailer.

// errInflate is any stream the whole-buffer decoder does not decode.
var errInflate = errors.New("pack: not decoded whole")

// Decoding tables: a primary table indexed by the next primBits bits of
// input (DEFLATE's codes are read least significant bit first, so by the
// code reversed), and for longer codes secondary tables of subBits more.
const (
	primBits = 9
	subBits  = 15 - primBits
)

// A table entry: the symbol in its high 16 bits, the bits the code takes
// in its low 4 (0: no code has these bits), and linkFlag for a primary
// entry that leads to a secondary table (whose index is then in the high
// 16 bits).
const linkFlag = 0x80

type huffTable struct {
	prim [1 << primBits]uint32
	sub  []uint32
}

// build makes the table of the canonical code with the given code lengths
// (0: symbol unused), and reports whether the lengths make a code zlib
// would accept: not over-subscribed, and complete unless it is a single
// code of one bit (or none at all).
func (t *huffTable) build(lengths []uint8) bool {
	var count [16]int
	maxLen := 0
	for _, l := range lengths {
		count[l]++
		if int(l) > maxLen {
			maxLen = int(l)
		}
	}
	count[0] = 0
	left := 1
	for l := 1; l < 16; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return false // over-subscribed
		}
	}
	if left > 0 && maxLen != 1 && maxLen != 0 {
		return false // incomplete
	}
	clear(t.prim[:])
	t.sub = t.sub[:0]
	var next [16]int
	code := 0
	for l := 1; l < 16; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	for sym, l := range lengths {
		if l == 0 {
			continue
		}
		c := next[l]
		next[l]++
		rev := int(bits.Reverse16(uint16(c)) >> (16 - l))
		if int(l) <= primBits {
			e := uint32(sym)<<16 | uint32(l)
			for i := rev; i < 1<<primBits; i += 1 << l {
				t.prim[i] = e
			}
			continue
		}
		p := rev & (1<<primBits - 1)
		if t.prim[p]&linkFlag == 0 {
			t.prim[p] = uint32(len(t.sub))<<16 | linkFlag
			t.sub = append(t.sub, make([]uint32, 1<<subBits)...)
		}
		base := int(t.prim[p] >> 16)
		e := uint32(sym)<<16 | uint32(l-primBits)
		for i := rev >> primBits; i < 1<<subBits; i += 1 << (l - primBits) {
			t.sub[base+i] = e
		}
	}
	return true
}

// The length and distance symbols' bases and extra bits (RFC 1951 3.2.5).
var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	// The order of the code length code's lengths in a dynamic block.
	clenOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// fixedTables are the fixed Huffman block's codes (RFC 1951 3.2.6).
var fixedTables = sync.OnceValue(func() *[2]huffTable {
	var t [2]huffTable
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	// All 32 distance codes, so that the code is complete: 30 and 31
	// decode, and are refused as distances.
	var d [32]uint8
	for i := range d {
		d[i] = 5
	}
	if !t[0].build(l[:]) || !t[1].build(d[:]) {
		panic("pack: the fixed Huffman codes do not build")
	}
	return &t
})

// inflater is the whole-buffer decoder's state, kept by an Inflater from
// one entry to the next (its dynamic tables).
type inflater struct {
	src    []byte
	pos    int    // next byte of src to load
	bitbuf uint64 // bits loaded, least significant first
	nbits  uint   // how many of bitbuf's bits are loaded (more may hold the next bytes' bits)
	lit    huffTable
	dist   huffTable
	clen   huffTable
	lens   [286 + 30]uint8
}

// refill loads input until at least 56 bits are loaded, or the input ends.
func (f *inflater) refill() {
	if f.pos+8 <= len(f.src) {
		f.bitbuf |= binary.LittleEndian.Uint64(f.src[f.pos:]) << f.nbits
		k := (63 - f.nbits) >> 3
		f.pos += int(k)
		f.nbits += k << 3
		return
	}
	for f.nbits <= 56 && f.pos < len(f.src) {
		f.bitbuf |= uint64(f.src[f.pos]) << f.nbits
		f.pos++
		f.nbits += 8
	}
}

// take consumes n bits (n <= 32, refilled) and returns them.
func (f *inflater) take(n uint) (uint32, bool) {
	if f.nbits < n {
		return 0, false
	}
	v := uint32(f.bitbuf & (1<<n - 1))
	f.bitbuf >>= n
	f.nbits -= n
	return v, true
}

// lookup returns the symbol of t whose code starts bb's bits, and the
// bits the code takes (0: no code starts them). It reads only bb, so that
// the decoding loop keeps its bit buffer in registers.
func (t *huffTable) lookup(bb uint64) (sym int, n uint) {
	e := t.prim[bb&(1<<primBits-1)]
	n = uint(e & 15)
	if e&linkFlag != 0 {
		e = t.sub[int(e>>16)+int(bb>>primBits)&(1<<subBits-1)]
		if n = uint(e & 15); n != 0 {
			n += primBits
		}
	}
	return int(e >> 16), n
}

// decode reads one symbol of t (refilled: at least 15 bits loaded, or the
// input's end).
func (f *inflater) decode(t *huffTable) (int, bool) {
	sym, n := t.lookup(f.bitbuf)
	if n == 0 || n > f.nbits {
		return 0, false
	}
	f.bitbuf >>= n
	f.nbits -= n
	return sym, true
}

// align drops the bits to the next byte boundary and returns the loaded
// whole bytes to the input, so that pos is the next byte to read.
func (f *inflater) align() {
	f.nbits -= f.nbits & 7
	f.pos -= int(f.nbits >> 3)
	f.bitbuf, f.nbits = 0, 0
}

// inflateZlib decodes the zlib stream src into dst. whole: dst is the
// stream's entire output, and the stream must end there, its Adler-32
// trailer matching; otherwise dst is the first len(dst) bytes of it, and
// decoding stops once they are written. Any stream it is not sure of is
// errInflate.
func (f *inflater) inflateZlib(dst, src []byte, whole bool) error {
	if len(src) < 2 || src[0]&0x0f != 8 || src[0]>>4 > 7 || (uint(src[0])<<8|uint(src[1]))%31 != 0 || src[1]&0x20 != 0 {
		return errInflate // not deflate, or a preset dictionary
	}
	f.src, f.pos, f.bitbuf, f.nbits = src, 2, 0, 0
	defer func() { f.src = nil }()
	o := 0
	for {
		if !whole && o == len(dst) {
			return nil
		}
		f.refill()
		hdr, ok := f.take(3)
		if !ok {
			return errInflate
		}
		var lit, dist *huffTable
		switch hdr >> 1 {
		case 0:
			f.align()
			if f.pos+4 > len(src) {
				return errInflate
			}
			n := int(binary.LittleEndian.Uint16(src[f.pos:]))
			if uint16(n) != ^binary.LittleEndian.Uint16(src[f.pos+2:]) {
				return errInflate
			}
			f.pos += 4
			if f.pos+n > len(src) {
				return errInflate
			}
			if o+n > len(dst) {
				if whole {
					return errInflate
				}
				n = len(dst) - o
			}
			copy(dst[o:], src[f.pos:f.pos+n])
			f.pos += n
			o += n
		case 1:
			t := fixedTables()
			lit, dist = &t[0], &t[1]
		case 2:
			if !f.readDynamic() {
				return errInflate
			}
			lit, dist = &f.lit, &f.dist
		default:
			return errInflate
		}
		if lit != nil {
			var err error
			if o, err = f.block(dst, o, lit, dist, whole); err != nil {
				return err
			}
		}
		if hdr&1 != 0 {
			break
		}
	}
	if !whole {
		if o < len(dst) {
			return errInflate
		}
		return nil
	}
	if o != len(dst) {
		return errInflate
	}
	f.align()
	if f.pos+4 > len(src) || binary.BigEndian.Uint32(src[f.pos:]) != adler32.Checksum(dst) {
		return errInflate
	}
	return nil
}

// readDynamic reads a dynamic block's code lengths and builds its tables.
func (f *inflater) readDynamic() bool {
	f.refill()
	h, ok := f.take(14)
	if !ok {
		return false
	}
	nlit, ndist, nclen := int(h&31)+257, int(h>>5&31)+1, int(h>>10)+4
	if nlit > 286 || ndist > 30 {
		return false
	}
	var cl [19]uint8
	for i := 0; i < nclen; i++ {
		f.refill()
		v, ok := f.take(3)
		if !ok {
			return false
		}
		cl[clenOrder[i]] = uint8(v)
	}
	if !f.clen.build(cl[:]) {
		return false
	}
	lens := f.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		f.refill()
		sym, ok := f.decode(&f.clen)
		if !ok {
			return false
		}
		var v uint8
		var rep uint32
		switch {
		case sym < 16:
			lens[i] = uint8(sym)
			i++
			continue
		case sym == 16:
			if i == 0 {
				return false
			}
			v = lens[i-1]
			r, ok := f.take(2)
			if !ok {
				return false
			}
			rep = 3 + r
		case sym == 17:
			r, ok := f.take(3)
			if !ok {
				return false
			}
			rep = 3 + r
		default:
			r, ok := f.take(7)
			if !ok {
				return false
			}
			rep = 11 + r
		}
		if i+int(rep) > len(lens) {
			return false
		}
		for range rep {
			lens[i] = v
			i++
		}
	}
	if lens[256] == 0 {
		return false // no end of block
	}
	return f.lit.build(lens[:nlit]) && f.dist.build(lens[nlit:])
}

// block decodes a compressed block's symbols into dst from o, up to its
// end-of-block code, and returns where the output has reached. The bit
// reader's state is kept in locals here (the hot loop of the decoder),
// and written back when the block ends.
func (f *inflater) block(dst []byte, o int, lit, dist *huffTable, whole bool) (int, error) {
	src := f.src
	pos, bb, nb := f.pos, f.bitbuf, f.nbits
	for {
		// Refill to at least 56 bits: a length and a distance with their
		// extra bits take at most 48.
		if pos+8 <= len(src) {
			bb |= binary.LittleEndian.Uint64(src[pos:]) << nb
			k := (63 - nb) >> 3
			pos += int(k)
			nb += k << 3
		} else {
			for nb <= 56 && pos < len(src) {
				bb |= uint64(src[pos]) << nb
				pos++
				nb += 8
			}
		}
		sym, n := lit.lookup(bb)
		if n == 0 || n > nb {
			goto fail
		}
		bb >>= n
		nb -= n
		if sym < 256 {
			if o == len(dst) {
				f.pos, f.bitbuf, f.nbits = pos, bb, nb
				if whole {
					return o, errInflate
				}
				return o, nil
			}
			dst[o] = byte(sym)
			o++
			continue
		}
		if sym == 256 {
			f.pos, f.bitbuf, f.nbits = pos, bb, nb
			return o, nil
		}
		sym -= 257
		if sym >= len(lengthBase) {
			goto fail
		}
		x := uint(lengthExtra[sym])
		if x > nb {
			goto fail
		}
		length := int(lengthBase[sym]) + int(bb&(1<<x-1))
		bb >>= x
		nb -= x
		ds, n := dist.lookup(bb)
		if n == 0 || n > nb {
			goto fail
		}
		bb >>= n
		nb -= n
		if ds >= len(distBase) {
			goto fail
		}
		x = uint(distExtra[ds])
		if x > nb {
			goto fail
		}
		d := int(distBase[ds]) + int(bb&(1<<x-1))
		bb >>= x
		nb -= x
		if d > o {
			goto fail // before the start: a preset dictionary's, or damage
		}
		if o+length > len(dst) {
			if whole {
				goto fail
			}
			// The first bytes asked for end in this copy: done (what
			// follows may reach back from where the output would be).
			for p := o; p < len(dst); {
				p += copy(dst[p:], dst[o-d:p])
			}
			f.pos, f.bitbuf, f.nbits = pos, bb, nb
			return len(dst), nil
		}
		switch {
		case d >= 8 && length <= 16 && o+16 <= len(dst):
			// Most matches are short: two words, not a call to
			// memmove (past length, the second word writes bytes the
			// next symbols overwrite; d >= 8 keeps each word's source
			// written before it is read).
			binary.LittleEndian.PutUint64(dst[o:], binary.LittleEndian.Uint64(dst[o-d:]))
			binary.LittleEndian.PutUint64(dst[o+8:], binary.LittleEndian.Uint64(dst[o-d+8:]))
		case d >= length:
			copy(dst[o:o+length], dst[o-d:o])
		default:
			// An overlapping copy repeats the last d bytes: copied in
			// doubling pieces, each from what the last ones wrote.
			end := o + length
			for p := o; p < end; {
				p += copy(dst[p:end], dst[o-d:p])
			}
		}
		o += length
	}
fail:
	f.pos, f.bitbuf, f.nbits = pos, bb, nb
	return o, errInflate
}
