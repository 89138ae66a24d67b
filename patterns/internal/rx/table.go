package rx

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unsafe"
)

// A Table holds regexes compiled ahead of time, found by their source: a
// header, an index sorted by key (keyLen bytes of the SHA-256 of the
// source, then the offset, length and CRC-32C of its encoding, 4 bytes
// each, little endian) and the encodings (appendProg). An encoding whose
// checksum does not hold (a damaged binary) is compiled from its source
// instead: the matchers trust a program to be one Go's compiler wrote. The key is a digest rather than
// the source so that the table does not hold every regex twice (the
// binary holds the rules' sources already); 128 bits of SHA-256 do not
// collide by chance, and a regex made to collide on purpose would have to
// be written into the configuration of the repository it scans.
type Table struct {
	data  string
	count int
}

const (
	tableMagic = "rx1\n"
	keyLen     = 16
	entryLen   = keyLen + 12
)

// NewTable reads a table built by BuildTable. A table that does not read
// (empty, truncated, another version's) is an empty table: everything is
// compiled, as without one.
func NewTable(data string) Table {
	if !strings.HasPrefix(data, tableMagic) || len(data) < len(tableMagic)+4 {
		return Table{}
	}
	n := int(le32(data[len(tableMagic):]))
	if n < 0 || n > (len(data)-len(tableMagic)-4)/entryLen {
		return Table{}
	}
	return Table{data: data, count: n}
}

// BuildTable compiles every expression and returns the table holding
// them (each once), in an order that depends on their sources only.
func BuildTable(exprs []string) ([]byte, error) {
	type entry struct {
		key [sha256.Size]byte
		enc []byte
	}
	var entries []entry
	seen := make(map[string]bool)
	for _, expr := range exprs {
		if seen[expr] {
			continue
		}
		seen[expr] = true
		enc, err := appendProg(nil, expr)
		if err != nil {
			return nil, err
		}
		entries = append(entries, entry{sha256.Sum256([]byte(expr)), enc})
	}
	slices.SortFunc(entries, func(a, b entry) int { return bytes.Compare(a.key[:keyLen], b.key[:keyLen]) })
	for i := 1; i < len(entries); i++ {
		if bytes.Equal(entries[i-1].key[:keyLen], entries[i].key[:keyLen]) {
			return nil, errors.New("rx: two expressions share a table key")
		}
	}
	out := []byte(tableMagic)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(entries)))
	off := len(out) + len(entries)*entryLen
	for _, e := range entries {
		out = append(out, e.key[:keyLen]...)
		out = binary.LittleEndian.AppendUint32(out, uint32(off))
		out = binary.LittleEndian.AppendUint32(out, uint32(len(e.enc)))
		out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(e.enc, castagnoli()))
		off += len(e.enc)
	}
	for _, e := range entries {
		out = append(out, e.enc...)
	}
	return out, nil
}

// Compile returns expr compiled: read from the table when the table holds
// it, else compiled as Compile does.
func (t Table) Compile(expr string) (*Regexp, error) {
	if enc, ok := t.lookup(expr); ok {
		if re, err := decodeProg(expr, enc); err == nil {
			return re, nil
		}
	}
	return Compile(expr)
}

// MustCompile is Compile, panicking where regexp.MustCompile would.
func (t Table) MustCompile(expr string) *Regexp {
	re, err := t.Compile(expr)
	if err != nil {
		panic(`rx: Compile(` + quote(expr) + `): ` + err.Error())
	}
	return re
}

// Holds reports whether the table holds expr.
func (t Table) Holds(expr string) bool {
	_, ok := t.lookup(expr)
	return ok
}

// lookup returns expr's encoding.
func (t Table) lookup(expr string) (string, bool) {
	if t.count == 0 {
		return "", false
	}
	sum := sha256.Sum256([]byte(expr))
	key := string(sum[:keyLen])
	index := t.data[len(tableMagic)+4:]
	lo, hi := 0, t.count
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		e := index[m*entryLen : (m+1)*entryLen]
		switch c := strings.Compare(e[:keyLen], key); {
		case c == 0:
			off := int(le32(e[keyLen:]))
			n := int(le32(e[keyLen+4:]))
			if off < 0 || n < 0 || off > len(t.data) || n > len(t.data)-off {
				return "", false
			}
			enc := t.data[off : off+n]
			if crc32.Update(0, castagnoli(), unsafe.Slice(unsafe.StringData(enc), len(enc))) != le32(e[keyLen+8:]) {
				return "", false
			}
			return enc, true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return "", false
}

// le32 reads a little-endian uint32 at the start of s.
func le32(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// castagnoli is the CRC-32C table (the polynomial amd64 and arm64
// compute in one instruction), made at the first lookup: a run that
// compiles nothing does not pay for it.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// Check reports the first of exprs that the table does not hold, or whose
// program read back is not, field by field, the Regexp Compile makes of
// it (a test's and the generator's check of a whole table).
func (t Table) Check(exprs []string) error {
	for _, expr := range exprs {
		enc, ok := t.lookup(expr)
		if !ok {
			return fmt.Errorf("rx: the table does not hold %q", expr)
		}
		got, err := decodeProg(expr, enc)
		if err != nil {
			return fmt.Errorf("rx: %q: %w", expr, err)
		}
		want, err := Compile(expr)
		if err != nil {
			return err
		}
		// Go's compiler may leave an empty class as an empty slice.
		for i := range want.prog.Inst {
			if len(want.prog.Inst[i].Rune) == 0 {
				want.prog.Inst[i].Rune = nil
			}
		}
		if !sameRegexp(got, want) {
			return fmt.Errorf("rx: %q reads back as another program than it compiles to", expr)
		}
	}
	return nil
}

// sameRegexp reports whether got is, field by field, want, with each
// instruction's ASCII class compared by what it holds: a decoded program
// shares the class slices that Go's compiler copies, so it may have fewer
// bitmaps.
func sameRegexp(got, want *Regexp) bool {
	if !reflect.DeepEqual(perInstruction(got), perInstruction(want)) {
		return false
	}
	g, w := *got, *want
	g.asciiIndex, g.asciiSets, w.asciiIndex, w.asciiSets = nil, nil, nil, nil
	g.bt, w.bt = nil, nil // made from the program and the classes
	return reflect.DeepEqual(&g, &w)
}

// perInstruction lists each instruction's ASCII class (zero for none).
func perInstruction(re *Regexp) []asciiClass {
	out := make([]asciiClass, len(re.prog.Inst))
	for pc := range out {
		if k := re.asciiClass(uint32(pc)); k != 0 {
			out[pc] = re.asciiSets[k-1]
		}
	}
	return out
}
