package pack

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// testBase is a base in which every offset holds a different run of bytes,
// so a copy from a wrong offset cannot produce the right target.
func testBase(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i ^ i>>8 ^ i>>16)
	}
	return b
}

// delta joins a header declaring base and target sizes with instructions.
func delta(base, target int, instructions ...[]byte) []byte {
	return append(deltaHeader(base, target), slices.Concat(instructions...)...)
}

// cp encodes a copy the way git does: only non-zero offset and size bytes
// are present, each flagged in the opcode.
func cp(off, size int) []byte {
	op := []byte{0x80}
	for k := 0; k < 4; k++ {
		if b := byte(off >> (8 * k)); b != 0 {
			op[0] |= 1 << k
			op = append(op, b)
		}
	}
	for k := 0; k < 3; k++ {
		if b := byte(size >> (8 * k)); b != 0 {
			op[0] |= 0x10 << k
			op = append(op, b)
		}
	}
	return op
}

// ins encodes an insert of s (at most 127 bytes).
func ins(s string) []byte { return append([]byte{byte(len(s))}, s...) }

func TestApply(t *testing.T) {
	base := testBase(0x30000)
	small := []byte("0123456789abcdefghij")
	// at returns base[off:off+size], the expected output of a copy.
	at := func(off, size int) []byte { return base[off : off+size] }

	tests := []struct {
		name    string
		base    []byte
		delta   []byte
		want    []byte // nil: Apply must fail
		wantOps []Op
	}{
		{
			name:    "empty target",
			base:    nil,
			delta:   delta(0, 0),
			want:    []byte{},
			wantOps: nil,
		},
		{
			name:    "insert",
			base:    small,
			delta:   delta(len(small), 5, ins("hello")),
			want:    []byte("hello"),
			wantOps: []Op{{Dst: 0, Len: 5, Insert: true}},
		},
		{
			name:    "insert of 127 bytes, the most one opcode carries",
			base:    small,
			delta:   delta(len(small), 127, ins(strings.Repeat("x", 127))),
			want:    bytes.Repeat([]byte("x"), 127),
			wantOps: []Op{{Dst: 0, Len: 127, Insert: true}},
		},
		{
			name:    "copy without offset bytes starts at 0",
			base:    small,
			delta:   delta(len(small), 4, []byte{0x80 | 0x10, 4}),
			want:    []byte("0123"),
			wantOps: []Op{{Dst: 0, Src: 0, Len: 4}},
		},
		{
			name:    "copy without size bytes copies 0x10000",
			base:    base,
			delta:   delta(len(base), 0x10000, []byte{0x80 | 0x01, 7}),
			want:    at(7, 0x10000),
			wantOps: []Op{{Dst: 0, Src: 7, Len: 0x10000}},
		},
		{
			name:    "copy with an explicit zero size copies 0x10000",
			base:    base,
			delta:   delta(len(base), 0x10000, []byte{0x80 | 0x10, 0}),
			want:    at(0, 0x10000),
			wantOps: []Op{{Dst: 0, Src: 0, Len: 0x10000}},
		},
		{
			name:    "copy of 0x10000 as git writes it, third size byte 1",
			base:    base,
			delta:   delta(len(base), 0x10000, cp(3, 0x10000)),
			want:    at(3, 0x10000),
			wantOps: []Op{{Dst: 0, Src: 3, Len: 0x10000}},
		},
		{
			name:    "offset byte 1 only",
			base:    base,
			delta:   delta(len(base), 3, []byte{0x80 | 0x01 | 0x10, 0x42, 3}),
			want:    at(0x42, 3),
			wantOps: []Op{{Dst: 0, Src: 0x42, Len: 3}},
		},
		{
			name:    "offset byte 2 only",
			base:    base,
			delta:   delta(len(base), 3, []byte{0x80 | 0x02 | 0x10, 0x42, 3}),
			want:    at(0x4200, 3),
			wantOps: []Op{{Dst: 0, Src: 0x4200, Len: 3}},
		},
		{
			name:    "offset byte 3 only",
			base:    base,
			delta:   delta(len(base), 3, []byte{0x80 | 0x04 | 0x10, 0x02, 3}),
			want:    at(0x20000, 3),
			wantOps: []Op{{Dst: 0, Src: 0x20000, Len: 3}},
		},
		{
			name:  "offset byte 4 only, past the base",
			base:  base,
			delta: delta(len(base), 3, []byte{0x80 | 0x08 | 0x10, 0x01, 3}),
		},
		{
			// On a 32-bit platform the top byte shifted into an int makes
			// the offset negative, which must not pass the range check.
			name:  "offset with its top bit set",
			base:  base,
			delta: delta(len(base), 3, []byte{0x80 | 0x08 | 0x10, 0x80, 3}),
		},
		{
			name:  "offset 0xffffffff",
			base:  base,
			delta: delta(len(base), 3, []byte{0x80 | 0x0f | 0x10, 0xff, 0xff, 0xff, 0xff, 3}),
		},
		{
			name:    "offset bytes 1 and 3",
			base:    base,
			delta:   delta(len(base), 3, []byte{0x80 | 0x01 | 0x04 | 0x10, 0x05, 0x01, 3}),
			want:    at(0x10005, 3),
			wantOps: []Op{{Dst: 0, Src: 0x10005, Len: 3}},
		},
		{
			name:    "size byte 2 only",
			base:    base,
			delta:   delta(len(base), 0x300, []byte{0x80 | 0x01 | 0x20, 9, 0x03}),
			want:    at(9, 0x300),
			wantOps: []Op{{Dst: 0, Src: 9, Len: 0x300}},
		},
		{
			name:    "size byte 3 only",
			base:    base,
			delta:   delta(len(base), 0x20000, []byte{0x80 | 0x01 | 0x40, 1, 0x02}),
			want:    at(1, 0x20000),
			wantOps: []Op{{Dst: 0, Src: 1, Len: 0x20000}},
		},
		{
			name:    "all offset and size bytes",
			base:    base,
			delta:   delta(len(base), 0x10102, []byte{0xff, 0x01, 0x01, 0x01, 0x00, 0x02, 0x01, 0x01}),
			want:    at(0x10101, 0x10102),
			wantOps: []Op{{Dst: 0, Src: 0x10101, Len: 0x10102}},
		},
		{
			name:    "copy ending exactly at the end of the base",
			base:    small,
			delta:   delta(len(small), 5, cp(15, 5)),
			want:    []byte("fghij"),
			wantOps: []Op{{Dst: 0, Src: 15, Len: 5}},
		},
		{
			name:    "copies and inserts interleaved",
			base:    small,
			delta:   delta(len(small), 11, cp(10, 3), ins("-"), cp(0, 3), ins("+"), cp(5, 3)),
			want:    []byte("abc-012+567"),
			wantOps: []Op{{Dst: 0, Src: 10, Len: 3}, {Dst: 3, Len: 1, Insert: true}, {Dst: 4, Src: 0, Len: 3}, {Dst: 7, Len: 1, Insert: true}, {Dst: 8, Src: 5, Len: 3}},
		},
		{name: "reserved opcode 0", base: small, delta: delta(len(small), 1, []byte{0}, ins("x"))},
		{name: "copy one byte past the base", base: small, delta: delta(len(small), 5, cp(16, 5))},
		{name: "copy of 0x10000 from a small base", base: small, delta: delta(len(small), 0x10000, []byte{0x80})},
		{name: "copy past the target", base: small, delta: delta(len(small), 4, cp(0, 5))},
		{name: "insert past the target", base: small, delta: delta(len(small), 4, ins("hello"))},
		{name: "base shorter than declared", base: small, delta: delta(len(small)+1, 1, ins("x"))},
		{name: "base longer than declared", base: small, delta: delta(len(small)-1, 1, ins("x"))},
		{name: "target shorter than declared", base: small, delta: delta(len(small), 6, ins("hello"))},
		{name: "target longer than declared", base: small, delta: delta(len(small), 4, cp(0, 2), cp(2, 3))},
		{name: "no header", base: nil, delta: nil},
		{name: "header without the target size", base: nil, delta: []byte{0}},
		{name: "base size with a dangling continuation", base: nil, delta: []byte{0x80}},
		{name: "target size with a dangling continuation", base: nil, delta: []byte{0, 0x80}},
		{name: "size varint longer than 64 bits", base: nil, delta: append(bytes.Repeat([]byte{0x80}, 10), 0, 0)},
		{name: "declared size over the limit", base: nil, delta: deltaHeader[uint64](0, 1<<31)},
		{name: "insert cut short", base: small, delta: delta(len(small), 5, []byte{5, 'h', 'e'})},
		{name: "copy without its offset byte", base: small, delta: delta(len(small), 1, []byte{0x80 | 0x01})},
		{name: "copy without its size byte", base: small, delta: delta(len(small), 1, []byte{0x80 | 0x01 | 0x10, 1})},
		{name: "copy without its fourth offset byte", base: base, delta: delta(len(base), 1, []byte{0x8f, 1, 1, 1})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ops, err := Apply(tt.base, tt.delta, nil, nil)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("Apply succeeded with %d bytes", len(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("Apply = %d bytes %.40q, want %d bytes %.40q", len(got), got, len(tt.want), tt.want)
			}
			if !slices.Equal(ops, tt.wantOps) {
				t.Errorf("ops = %+v, want %+v", ops, tt.wantOps)
			}
			if err := checkOps(tt.base, got, ops); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestApplyMergesOps: Apply reports each run once, however git split it
// into instructions (copies at 0x10000 bytes, inserts at 127), so a caller
// reasoning about copied regions sees whole regions.
func TestApplyMergesOps(t *testing.T) {
	base := testBase(0x30000)
	tests := []struct {
		name    string
		delta   [][]byte
		wantOps []Op
	}{
		{
			name:    "adjacent inserts",
			delta:   [][]byte{ins("abc"), ins("de"), ins("f")},
			wantOps: []Op{{Dst: 0, Len: 6, Insert: true}},
		},
		{
			name:    "inserts of 127 bytes, as git splits a long one",
			delta:   [][]byte{ins(strings.Repeat("a", 127)), ins(strings.Repeat("b", 127)), ins("c")},
			wantOps: []Op{{Dst: 0, Len: 255, Insert: true}},
		},
		{
			name:    "copies continuing each other in the base",
			delta:   [][]byte{cp(100, 10), cp(110, 20), cp(130, 1)},
			wantOps: []Op{{Dst: 0, Src: 100, Len: 31}},
		},
		{
			name:    "a copy git split at 0x10000",
			delta:   [][]byte{cp(5, 0x10000), cp(0x10005, 0x10000), cp(0x20005, 0x123)},
			wantOps: []Op{{Dst: 0, Src: 5, Len: 0x20123}},
		},
		{
			name:    "copies with a gap in the base",
			delta:   [][]byte{cp(0, 10), cp(11, 10)},
			wantOps: []Op{{Dst: 0, Src: 0, Len: 10}, {Dst: 10, Src: 11, Len: 10}},
		},
		{
			name:    "copies going backwards in the base",
			delta:   [][]byte{cp(10, 10), cp(0, 10)},
			wantOps: []Op{{Dst: 0, Src: 10, Len: 10}, {Dst: 10, Src: 0, Len: 10}},
		},
		{
			name:    "the same run copied twice",
			delta:   [][]byte{cp(0, 10), cp(0, 10)},
			wantOps: []Op{{Dst: 0, Src: 0, Len: 10}, {Dst: 10, Src: 0, Len: 10}},
		},
		{
			name:    "an insert between contiguous copies keeps them apart",
			delta:   [][]byte{cp(0, 10), ins("x"), cp(10, 10)},
			wantOps: []Op{{Dst: 0, Src: 0, Len: 10}, {Dst: 10, Len: 1, Insert: true}, {Dst: 11, Src: 10, Len: 10}},
		},
		{
			name:    "a copy between inserts keeps them apart",
			delta:   [][]byte{ins("ab"), cp(0, 1), ins("c"), ins("d")},
			wantOps: []Op{{Dst: 0, Len: 2, Insert: true}, {Dst: 2, Src: 0, Len: 1}, {Dst: 3, Len: 2, Insert: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := 0
			for _, op := range tt.wantOps {
				size += op.Len
			}
			got, ops, err := Apply(base, delta(len(base), size, tt.delta...), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ops, tt.wantOps) {
				t.Errorf("ops = %+v, want %+v", ops, tt.wantOps)
			}
			if err := checkOps(base, got, ops); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestApplyReusesBuffers: the point of dst and ops is to let a caller
// resolving thousands of deltas avoid an allocation per delta.
func TestApplyReusesBuffers(t *testing.T) {
	base := []byte("0123456789")
	d := delta(len(base), 6, cp(2, 3), ins("xyz"))
	dst := make([]byte, 1, 64)
	prior := []Op{{Dst: 99, Len: 1, Insert: true}}
	ops := append(make([]Op, 0, 8), prior...)
	got, gotOps, err := Apply(base, d, dst, ops)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "234xyz" {
		t.Errorf("Apply = %q", got)
	}
	if &got[0] != &dst[:1][0] {
		t.Error("dst had room but Apply allocated")
	}
	want := append(prior, Op{Dst: 0, Src: 2, Len: 3}, Op{Dst: 3, Len: 3, Insert: true})
	if !slices.Equal(gotOps, want) || &gotOps[0] != &ops[:1][0] {
		t.Errorf("ops = %+v, want %+v appended in place", gotOps, want)
	}

	// Too small a dst is replaced, not overrun.
	small := make([]byte, 0, 2)
	got, _, err = Apply(base, d, small, nil)
	if err != nil || string(got) != "234xyz" {
		t.Errorf("Apply with a small dst = %q, %v", got, err)
	}
}

func TestDeltaSizes(t *testing.T) {
	tests := []struct {
		name            string
		delta           []byte
		base, target, n int
		wantErr         bool
	}{
		{name: "zero sizes", delta: []byte{0, 0}, n: 2},
		{name: "one-byte sizes", delta: []byte{0x7f, 1, 0x91}, base: 127, target: 1, n: 2},
		{name: "multi-byte sizes", delta: deltaHeader(300, 1<<20), base: 300, target: 1 << 20, n: 5},
		{name: "largest accepted", delta: deltaHeader(maxObject, maxObject), base: maxObject, target: maxObject, n: 10},
		{name: "base over the limit", delta: deltaHeader[uint64](maxObject+1, 0), wantErr: true},
		{name: "target over the limit", delta: deltaHeader[uint64](0, maxObject+1), wantErr: true},
		{name: "empty", delta: nil, wantErr: true},
		{name: "only a base size", delta: []byte{5}, wantErr: true},
		{name: "eleven-byte varint", delta: append(bytes.Repeat([]byte{0xff}, 10), 1, 0), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, target, n, err := DeltaSizes(tt.delta)
			if tt.wantErr {
				if err == nil {
					t.Errorf("DeltaSizes = %d, %d, %d; want an error", base, target, n)
				}
				return
			}
			if err != nil || base != tt.base || target != tt.target || n != tt.n {
				t.Errorf("DeltaSizes = %d, %d, %d, %v; want %d, %d, %d", base, target, n, err, tt.base, tt.target, tt.n)
			}
		})
	}
}
