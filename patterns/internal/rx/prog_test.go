package rx

import (
	"encoding/binary"
	"reflect"
	"regexp"
	"regexp/syntax"
	"testing"
)

// exprs are regexes of every shape the encoding must carry: captures
// named and not, case folding (one rune and classes), classes that share
// runes, anchors and word boundaries, empty-width alternations, repeats,
// multi-byte runes, flags, and rampart's own wrappings of a rule.
var exprs = []string{
	`a`,
	`(?i)k`,
	`abc|abd|x*`,
	`^$`,
	`(?m)^[ \t]*(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(?P<secret>[^\s"']{8,64})$`,
	`\b(?P<secret>ghp_[A-Za-z0-9]{36})(?:[^A-Za-z0-9_-]|$)`,
	`^[\s\S]?(?:\b(?P<secret>xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24,32})(?:[^A-Za-z0-9_-]|$))`,
	`(?i:(?:api|secret)[_.-]?key)["']?\s*[:=]\s*["']?(?P<secret>[a-z0-9]{32})`,
	`(?s:BEGIN.*?END)`,
	`[^\x00-\x{10FFFF}]`,
	`[\p{Greek}\p{Cyrillic}]+`,
	`日本語|ünïcödé`,
	`(a)(b)?(?P<c>c)*(?:d|(e))`,
	`(?U)a+b*?`,
	`\Aabc\z`,
	`x{2,5}y{3}z{0,}`,
	`.`,
	`(?s).`,
	`[[:alpha:][:digit:]]`,
	`(|a)*`,
	`(?:(?:a|b)*c)+`,
	`[a-c][a-c][a-c]`,
}

var texts = []string{
	"", "a", "K", "\u212a", "abd xxxx", "\n", "token = 'hunter2hunter2'\n",
	"ghp_0123456789abcdefABCDEF0123456789abcd ", "!xoxb-1234567890-1234567890-abcdefghijklmnopqrstuvwx",
	`API_KEY: "0123456789abcdef0123456789abcdef"`, "BEGIN\nx\nEND", "αβγ", "日本語 ünïcödé", "abccde", "aaab", "abc", "xxyyyz",
	"\xff\xfe", "ab", "cbacab",
}

// TestDecodeMatchesCompile: a Regexp read back from its encoding is the
// Regexp Compile makes, field by field (the program included), and finds
// what Go's regexp finds.
func TestDecodeMatchesCompile(t *testing.T) {
	for _, expr := range exprs {
		want, err := Compile(expr)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		enc, err := appendProg(nil, expr)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		got, err := decodeProg(expr, string(enc))
		if err != nil {
			t.Fatalf("%q: decode: %v", expr, err)
		}
		normalize(want.prog)
		normalize(got.prog)
		if !sameRegexp(got, want) {
			t.Errorf("%q: decoded %+v\nwant %+v", expr, got, want)
		}
		std := regexp.MustCompile(expr)
		for _, in := range texts {
			if g, w := got.FindAllSubmatchIndex([]byte(in), -1), std.FindAllSubmatchIndex([]byte(in), -1); !reflect.DeepEqual(g, w) {
				t.Errorf("%q on %q: %v, regexp finds %v", expr, in, g, w)
			}
			if g, w := got.FindSubmatchIndex([]byte(in)), std.FindSubmatchIndex([]byte(in)); !reflect.DeepEqual(g, w) {
				t.Errorf("%q on %q: %v, regexp finds %v", expr, in, g, w)
			}
			if g, w := got.MatchString(in), std.MatchString(in); g != w {
				t.Errorf("%q matches %q: %v, regexp says %v", expr, in, g, w)
			}
		}
		if !reflect.DeepEqual(got.SubexpNames(), std.SubexpNames()) || got.NumSubexp() != std.NumSubexp() {
			t.Errorf("%q: groups %q, regexp has %q", expr, got.SubexpNames(), std.SubexpNames())
		}
	}
}

// normalize makes an empty class nil, as decodeProg leaves it.
func normalize(p *syntax.Prog) {
	for i := range p.Inst {
		if len(p.Inst[i].Rune) == 0 {
			p.Inst[i].Rune = nil
		}
	}
}

// TestDecodeSharesClasses: a counted class is stored once and its copies
// share it.
func TestDecodeSharesClasses(t *testing.T) {
	one, _ := appendProg(nil, `[A-Za-z0-9_.~-]`)
	forty, _ := appendProg(nil, `[A-Za-z0-9_.~-]{40}`)
	if len(forty) > len(one)+40*5 {
		t.Errorf("[class]{40} encodes in %d bytes, the class alone in %d: the copies are not shared", len(forty), len(one))
	}
	re, err := decodeProg("", string(forty))
	if err != nil {
		t.Fatal(err)
	}
	var classes []*rune
	for _, in := range re.prog.Inst {
		if len(in.Rune) > 1 {
			classes = append(classes, &in.Rune[0])
		}
	}
	if len(classes) != 40 || classes[0] != classes[39] {
		t.Errorf("%d instructions hold the class, sharing: %v", len(classes), len(classes) == 40 && classes[0] == classes[39])
	}
}

// TestDecodeTruncated: a cut encoding does not read, and no changed byte
// makes readProg read out of bounds.
func TestDecodeTruncated(t *testing.T) {
	enc, err := appendProg(nil, exprs[6])
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(enc); n++ {
		if _, err := readProg(string(enc[:n])); err == nil {
			t.Errorf("the encoding cut to %d of %d bytes decodes", n, len(enc))
		}
	}
	for i := range enc {
		for _, b := range []byte{0, 1, 0x7f, 0x80, 0xff, enc[i] ^ 0x10} {
			c := append([]byte(nil), enc...)
			c[i] = b
			readProg(string(c))
		}
	}
}

// TestTableDamaged: a table whose bytes are damaged anywhere still
// compiles every expression it was built from into a regex that finds
// what Go's regexp finds: a damaged index entry misses, a damaged
// encoding fails its checksum, and either is compiled from the source.
func TestTableDamaged(t *testing.T) {
	some := exprs[4:8]
	data, err := BuildTable(some)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(data); i++ {
		c := append([]byte(nil), data...)
		c[i] ^= 0x5a
		table := NewTable(string(c))
		for _, expr := range some {
			re, err := table.Compile(expr)
			if err != nil {
				t.Fatalf("byte %d damaged: %q: %v", i, expr, err)
			}
			std := regexp.MustCompile(expr)
			for _, in := range texts {
				if g, w := re.FindAllSubmatchIndex([]byte(in), -1), std.FindAllSubmatchIndex([]byte(in), -1); !reflect.DeepEqual(g, w) {
					t.Fatalf("byte %d damaged: %q on %q: %v, regexp finds %v", i, expr, in, g, w)
				}
			}
		}
	}
}

// TestTable: a table holds what it was built from, once, and nothing else;
// an empty or foreign table holds nothing and still compiles.
func TestTable(t *testing.T) {
	data, err := BuildTable(append(exprs, exprs[0], exprs[3]))
	if err != nil {
		t.Fatal(err)
	}
	table := NewTable(string(data))
	if table.count != len(exprs) {
		t.Errorf("the table holds %d entries for %d distinct expressions", table.count, len(exprs))
	}
	for _, expr := range exprs {
		if !table.Holds(expr) {
			t.Errorf("the table does not hold %q", expr)
		}
	}
	for _, other := range []string{`b`, exprs[0] + " ", ""} {
		if table.Holds(other) {
			t.Errorf("the table holds %q", other)
		}
	}
	again, _ := BuildTable(append([]string{exprs[3]}, exprs...))
	if string(again) != string(data) {
		t.Error("the table depends on the order of its expressions")
	}
	for _, bad := range []string{"", "rx1\n", "rx0\n\x01\x00\x00\x00", string(data[:len(tableMagic)+4+entryLen-1])} {
		tb := NewTable(bad)
		if tb.Holds(exprs[0]) {
			t.Errorf("table %q holds %q", bad, exprs[0])
		}
		if re, err := tb.Compile(`a+`); err != nil || re.String() != `a+` || !re.MatchString("caa") {
			t.Errorf("table %q: Compile(a+) = %v, %v", bad, re, err)
		}
	}
	if _, err := table.Compile(`(`); err == nil {
		t.Error("a table compiles a bad regex")
	}
}

// FuzzDecodeProg: no input makes readProg read out of bounds or panic.
func FuzzDecodeProg(f *testing.F) {
	for _, expr := range exprs {
		enc, err := appendProg(nil, expr)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	f.Fuzz(func(t *testing.T, enc []byte) { readProg(string(enc)) })
}

// TestReadProgRefusesForeignShapes: programs Go's compiler never writes,
// on which the prefix search or the one-pass analysis would loop or
// panic, do not read: a cycle through no alternation, and a one-rune
// class without case folding (Go writes InstRune1).
func TestReadProgRefusesForeignShapes(t *testing.T) {
	for _, tc := range []struct {
		name string
		prog []syntax.Inst
	}{
		{"a no-op looping on itself", []syntax.Inst{{Op: syntax.InstFail}, {Op: syntax.InstNop, Out: 1}, {Op: syntax.InstMatch}}},
		{"a capture and a no-op in a ring", []syntax.Inst{{Op: syntax.InstFail}, {Op: syntax.InstCapture, Out: 2, Arg: 0}, {Op: syntax.InstNop, Out: 1}, {Op: syntax.InstMatch}}},
		{"one rune as a class", []syntax.Inst{{Op: syntax.InstFail}, {Op: syntax.InstRune, Out: 2, Rune: []rune{'a'}}, {Op: syntax.InstMatch}}},
	} {
		if _, err := readProg(string(encodeInsts(tc.prog))); err == nil {
			t.Errorf("%s: read", tc.name)
		}
	}
	// The same encoder writes programs that read: the refusals above are
	// the shapes', not the encoding's.
	ok := []syntax.Inst{{Op: syntax.InstFail}, {Op: syntax.InstRune, Out: 2, Arg: uint32(syntax.FoldCase), Rune: []rune{'k'}}, {Op: syntax.InstMatch}}
	if _, err := readProg(string(encodeInsts(ok))); err != nil {
		t.Errorf("a folded one-rune class: %v", err)
	}
}

// encodeInsts encodes a program starting at instruction 1, with no
// capture groups, as appendProg would.
func encodeInsts(insts []syntax.Inst) []byte {
	var b []byte
	b = binary.AppendUvarint(b, 0) // shortest input
	b = binary.AppendUvarint(b, 0) // no groups
	runes := 0
	for _, in := range insts {
		runes += len(in.Rune)
	}
	for _, x := range []int{1, 2, len(insts), runes} {
		b = binary.AppendUvarint(b, uint64(x))
	}
	for _, in := range insts {
		b = append(b, byte(in.Op))
		b = binary.AppendUvarint(b, uint64(in.Out))
		b = binary.AppendUvarint(b, uint64(in.Arg))
		b = binary.AppendUvarint(b, uint64(2*len(in.Rune)))
		prev := rune(0)
		for _, r := range in.Rune {
			b = binary.AppendVarint(b, int64(r-prev))
			prev = r
		}
	}
	return b
}
