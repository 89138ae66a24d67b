package rx

import (
	"reflect"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
	"unicode/utf8"
)

// asciiExprs add classes at the bitmap's edges to exprs: a class across
// the two words, one that ends at 0x7f or starts past it, folded letters
// with non-ASCII orbit members (k, s), and classes that hold only
// non-ASCII runes.
var asciiExprs = append([]string{
	`[\x00-\x7f]+`, `[?-A]`, `[\x3f\x40]`, `[^a-z]`, `(?i)[k-s]+`, `(?i)ks`, `(?i)\x{212a}`,
	`[\x7f-\x{100}]`, `[α-ω]x`, `[\x{80}-\x{10FFFF}]`, `(?i)(?:key|token|secret)s?\s*=\s*[^\s]{4,}`,
	// Searches that step over bytes no match begins with (firstASCII):
	// through assertions, past ASCII, folded into K and U+212A.
	`(?:[ \t]|=)(?P<n>[A-Za-z0-9_.\-]*(?i:secret|key))=(?P<s>[^\s]{3,})`, `\b(?:ab|é)\b`, `(?m:^)[ \t]*x=`, `(?i)k\w+`, `(?:\B|\b)q`,
}, exprs...)

// TestASCIIMembersMatchRune: an InstRune's bitmap holds exactly the ASCII
// runes its MatchRune accepts.
func TestASCIIMembersMatchRune(t *testing.T) {
	for _, expr := range asciiExprs {
		checkASCIIMembers(t, expr)
	}
}

func checkASCIIMembers(t *testing.T, expr string) {
	t.Helper()
	p, err := compileProgram(expr, syntax.Perl)
	if err != nil {
		return
	}
	index, classes := asciiClasses(p.prog)
	for pc, in := range p.prog.Inst {
		if in.Op != syntax.InstRune || len(in.Rune) == 0 {
			if index != nil && index[pc] != 0 {
				t.Errorf("%q: instruction %d (%v) has a class", expr, pc, in.Op)
			}
			continue
		}
		if index[pc] == 0 {
			// Past the cap, an instruction is tested by MatchRune.
			if len(classes) < 1<<16-1 {
				t.Errorf("%q: InstRune %d has no class", expr, pc)
			}
			continue
		}
		a := classes[index[pc]-1]
		for c := rune(0); c < utf8.RuneSelf; c++ {
			if got, want := a.has(c), in.MatchRune(c); got != want {
				t.Errorf("%q: instruction %d on %q: bitmap %v, MatchRune %v", expr, pc, c, got, want)
			}
		}
	}
}

// FuzzASCIIClasses: the bitmaps agree with MatchRune, and a regex
// matched with them finds what Go's regexp finds, on any regex and text.
func FuzzASCIIClasses(f *testing.F) {
	for _, expr := range asciiExprs {
		for _, text := range texts {
			f.Add(expr, text)
		}
	}
	f.Fuzz(func(t *testing.T, expr, text string) {
		std, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		checkASCIIMembers(t, expr)
		re, err := Compile(expr)
		if err != nil {
			t.Fatalf("%q: regexp compiles it, rx: %v", expr, err)
		}
		if got, want := re.FindAllSubmatchIndex([]byte(text), -1), std.FindAllSubmatchIndex([]byte(text), -1); !reflect.DeepEqual(got, want) {
			t.Errorf("%q on %q: %v, regexp finds %v", expr, text, got, want)
		}
	})
}

// TestASCIIClassesInTheNFA: on input too long for the backtracker (its
// bit vector is bounded), the NFA tests classes with the bitmaps too, and
// finds what Go's regexp finds, the end of the text included.
func TestASCIIClassesInTheNFA(t *testing.T) {
	long := strings.Repeat(strings.Join(texts, " "), 400) // about 120 KB
	for _, expr := range []string{`x[a-z]*`, `(?i)k[a-c]+`, `[^a-z]+z`, `(?i)(?:key|token|secret)s?\s*=\s*[^\s]{4,}`, `[\x00-\x7f]+$`, `[α-ω]x`} {
		re, err := Compile(expr)
		if err != nil {
			t.Fatal(err)
		}
		if len(long) <= re.maxBitStateLen {
			t.Fatalf("%q: %d bytes are within the backtracker's %d", expr, len(long), re.maxBitStateLen)
		}
		std := regexp.MustCompile(expr)
		if got, want := re.FindAllIndex([]byte(long), -1), std.FindAllIndex([]byte(long), -1); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %d matches, regexp finds %d", expr, len(got), len(want))
		}
	}
}

// TestASCIIClassCap: a program with more classes than an index holds gives
// the first 65,535 a bitmap and leaves the rest to MatchRune, and matches
// as Go's regexp does.
func TestASCIIClassCap(t *testing.T) {
	// Letters in no period, so that the searches' threads die young.
	var lit strings.Builder
	x := uint32(1)
	for range 70000 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		lit.WriteByte(byte('a' + x%26))
	}
	expr := "(?i)" + lit.String()
	re, err := Compile(expr)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(re.asciiSets); n != 1<<16-1 {
		t.Fatalf("%d classes, want the cap, %d", n, 1<<16-1)
	}
	checkASCIIMembers(t, expr)
	std := regexp.MustCompile(expr)
	for _, text := range []string{strings.ToUpper(lit.String()), "x" + lit.String(), lit.String()[:69999] + "!"} {
		if got, want := re.FindStringIndex(text), std.FindStringIndex(text); !reflect.DeepEqual(got, want) {
			t.Errorf("on %d bytes: %v, regexp finds %v", len(text), got, want)
		}
	}
}

// TestFirstASCII: the set of bytes a match can begin with, through
// alternations, captures and assertions; none where a match can be empty,
// begin with any byte, or begin with every ASCII one.
func TestFirstASCII(t *testing.T) {
	for expr, want := range map[string]string{
		`(?:[ \t]|=)(?P<n>[a-z]*key)=`: "\t =",
		`\b(?:ab|cd)`:                  "ac",
		`(?m:^)[ \t]*x`:                "\t x",
		`(?i)k`:                        "Kk", // and U+212A, past ASCII
		`é|x`:                          "x",  // é's first byte is past ASCII
		`a*b`:                          "ab",
		`a*`:                           "",
		`.x`:                           "",
		`[\x00-\x7f]`:                  "",
		`\bx?`:                         "",
	} {
		re := MustCompile(expr)
		got := ""
		if re.firstSet != nil {
			for c := rune(0); c < utf8.RuneSelf; c++ {
				if re.firstSet.has(c) {
					got += string(c)
				}
			}
		}
		if got != want {
			t.Errorf("%q: first bytes %q, want %q", expr, got, want)
		}
	}
}
