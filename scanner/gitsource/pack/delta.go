package pack

import (
	"errors"
	"fmt"
)

// Op is one delta instruction, in target coordinates: Len bytes at Dst
// are copied from the base at Src, or (Insert) are new bytes carried by the
// delta itself.
type Op struct {
	Dst, Src, Len int
	Insert        bool
}

// DeltaSizes returns the base and target sizes a delta declares.
func DeltaSizes(delta []byte) (base, target int, n int, err error) {
	b, i, err := varint(delta, 0)
	if err != nil {
		return 0, 0, 0, err
	}
	t, j, err := varint(delta, i)
	if err != nil {
		return 0, 0, 0, err
	}
	if b > maxObject || t > maxObject {
		return 0, 0, 0, errors.New("delta: size out of range")
	}
	return int(b), int(t), j, nil
}

// Apply rebuilds the target of delta over base into dst (reallocated if too
// small) and appends its instructions to ops. Both are returned.
func Apply(base, delta, dst []byte, ops []Op) ([]byte, []Op, error) {
	bsize, tsize, i, err := DeltaSizes(delta)
	if err != nil {
		return nil, ops, err
	}
	// One copy instruction (at most 8 bytes) yields at most 64 KiB, which
	// bounds a real target; a larger declared size is damage, refused
	// before it is allocated.
	if tsize > len(delta)<<16 {
		return nil, ops, fmt.Errorf("delta: %d instruction bytes cannot build %d bytes", len(delta), tsize)
	}
	if bsize != len(base) {
		return nil, ops, fmt.Errorf("delta: base is %d bytes, delta expects %d", len(base), bsize)
	}
	if cap(dst) < tsize {
		dst = make([]byte, tsize)
	}
	dst = dst[:tsize]
	out := 0
	for i < len(delta) {
		c := delta[i]
		i++
		switch {
		case c&0x80 != 0:
			var off, size int
			for k := 0; k < 4; k++ {
				if c&(1<<k) != 0 {
					if i >= len(delta) {
						return nil, ops, errors.New("delta: truncated copy")
					}
					off |= int(delta[i]) << (8 * k)
					i++
				}
			}
			for k := 0; k < 3; k++ {
				if c&(0x10<<k) != 0 {
					if i >= len(delta) {
						return nil, ops, errors.New("delta: truncated copy")
					}
					size |= int(delta[i]) << (8 * k)
					i++
				}
			}
			if size == 0 {
				size = 0x10000
			}
			if off < 0 || size > len(base)-off || size > tsize-out { // no sums: a 32-bit int overflows
				return nil, ops, errors.New("delta: copy out of range")
			}
			copy(dst[out:], base[off:off+size])
			ops = appendOp(ops, Op{Dst: out, Src: off, Len: size})
			out += size
		case c != 0:
			n := int(c)
			if i+n > len(delta) || out+n > tsize {
				return nil, ops, errors.New("delta: insert out of range")
			}
			copy(dst[out:], delta[i:i+n])
			ops = appendOp(ops, Op{Dst: out, Len: n, Insert: true})
			i += n
			out += n
		default:
			return nil, ops, errors.New("delta: reserved instruction 0")
		}
	}
	if out != tsize {
		return nil, ops, fmt.Errorf("delta: wrote %d bytes of %d", out, tsize)
	}
	return dst, ops, nil
}

// appendOp merges adjacent inserts, and copies that continue each other in
// the base, so callers see each contiguous run once (git splits copies at
// 64 KiB and inserts at 127 bytes).
func appendOp(ops []Op, op Op) []Op {
	if n := len(ops); n > 0 {
		last := &ops[n-1]
		if last.Insert && op.Insert {
			last.Len += op.Len
			return ops
		}
		if !last.Insert && !op.Insert && last.Src+last.Len == op.Src {
			last.Len += op.Len
			return ops
		}
	}
	return append(ops, op)
}

func varint(b []byte, i int) (uint64, int, error) {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if i >= len(b) || shift > 63 {
			return 0, 0, errors.New("delta: truncated size")
		}
		c := b[i]
		i++
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, i, nil
		}
	}
}
