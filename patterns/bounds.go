package patterns

import (
	_ "embed"
	"math"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/patterns/internal/rx"
)

// programs holds the built-in rules' regexes in the forms the detector
// runs them (Finder, AnchoredMatcher, LineFinder, StartFinders; not those
// run only for rare matches), compiled when the catalogue was generated
// (GeneratePrograms): at a rule's
// first keyword hit its program is read back rather than parsed and
// compiled, which was an eighth of the CPU of a history scan whose files
// hold most rules' examples. A regex it does not hold (a user's rule, a
// rule's exact form) is compiled as before.
var programs = rx.NewTable(programsData)

//go:embed programs.bin
var programsData string

// relaxSpan is how much wider than its lower bound a counted repetition's
// upper bound must be for Finder to lift it: {20,1000} compiles into 980
// nested optional copies of its class (about 2,000 instructions, and a
// compiler recursion 1,000 calls deep whose stack growth is copied), {20,}
// into 21 flat ones.
const relaxSpan = 32

// A Finder runs a rule's regex as the rule wrote it but compiles it with
// its widest counted repetitions unbounded above ([A-Za-z0-9]{20,1000}
// runs as [A-Za-z0-9]{20,}), which finds the same matches far more
// cheaply: compiling the catalogue's counted repetitions was a quarter of
// the CPU of a history scan whose files hold most rules' examples (each
// rule's regex is compiled at its first keyword hit that may match).
//
// The relaxed regex matches everywhere the exact one does, and Go's
// leftmost-first choice among its matches is the exact regex's choice
// whenever that one is also a match of the exact regex: relaxing only
// adds further iterations after the last one the bound allowed, in the
// same order of preference. A match of the relaxed regex is one of the
// exact regex when no lifted repetition ran past its bound, which holds
// when the match is at most limit bytes long: every iteration consumes at
// least one byte, and the rest of the match at least what the regex's
// shortest match gives it. A longer match (rare: the bounds are far above
// real secrets) is looked for again with the exact regex, compiled then.
//
// A longer match is also exact's when no lifted repetition ran past its
// bound, which holds when the match holds no run of more than that many
// characters of the repetition's class: each iteration takes one
// character, and the iterations of one repetition are contiguous. If
// the relaxed regex's preferred match is a match of the exact regex, it
// is the exact regex's preferred one too (the relaxed regex orders the
// matches they share as the exact one does). Checking the runs needs the
// lifted classes, parsed from the source at the first long match: far
// cheaper than compiling the exact regex, whose lifted bounds are
// hundreds of copies of a class (a Kerberos hash, an ADO connection
// string: 0.3–3 ms each, in most secret-dense histories).
type Finder struct {
	fast  *rx.Regexp
	limit int // the longest match of fast known to be exact's
	src   string
	once  sync.Once
	exact *rx.Regexp

	liftOnce sync.Once
	lifted   []liftedRun // nil until a match is longer than limit
}

// liftedRun is a counted repetition of one character that relaxText
// lifted: the characters it takes (sorted ranges, as a syntax class
// holds them) and the most its bound allowed.
type liftedRun struct {
	class []rune
	most  int
}

// newFinder compiles src, a form of a rule's regex whose bounds relax
// (the rule's RawRule.Relax, 0 for none) may lift, panicking on a bad
// regex as regexp.MustCompile does (built-in rules are proven by the
// tests).
func newFinder(src string, relax int) *Finder {
	if relax <= 0 {
		return exactFinder(programs.MustCompile(src))
	}
	return &Finder{fast: programs.MustCompile(relaxText(src)), limit: relax, src: src}
}

// exactFinder wraps an already compiled regex: nothing is relaxed.
func exactFinder(re *rx.Regexp) *Finder {
	f := &Finder{fast: re, limit: math.MaxInt, exact: re}
	f.once.Do(func() {})
	return f
}

// Exact returns the regex as written, compiling it on first use.
func (f *Finder) Exact() *rx.Regexp {
	f.once.Do(func() { f.exact = programs.MustCompile(f.src) })
	return f.exact
}

// Groups returns a compiled regex with the same capture groups as the
// exact one (the relaxed one: it is compiled already).
func (f *Finder) Groups() *rx.Regexp { return f.fast }

// FindSubmatchIndex has regexp.Regexp's meaning for the exact regex.
func (f *Finder) FindSubmatchIndex(b []byte) []int {
	x := f.fast.FindSubmatchIndex(b)
	if x == nil || f.isExact(b, x) {
		return x
	}
	return f.Exact().FindSubmatchIndex(b)
}

// isExact reports whether a match x of the relaxed regex in b is known to
// be the exact regex's: short enough, or with no run of a lifted class
// longer than its bound (see Finder).
func (f *Finder) isExact(b []byte, x []int) bool {
	if x[1]-x[0] <= f.limit {
		return true
	}
	f.liftOnce.Do(func() { f.lifted = liftedRuns(f.src) })
	if len(f.lifted) == 0 {
		return false // src did not parse as the catalogue saw it
	}
	m := b[x[0]:x[1]]
	for _, l := range f.lifted {
		run := 0
		for i := 0; i < len(m); {
			r, w := utf8.DecodeRune(m[i:])
			i += w
			if inClass(l.class, r) {
				if run++; run > l.most {
					return false
				}
			} else {
				run = 0
			}
		}
	}
	return true
}

// liftedRuns lists the repetitions relaxText lifts in src (relaxLimit's
// walk), or nil when src does not parse.
func liftedRuns(src string) []liftedRun {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil
	}
	var out []liftedRun
	var walk func(re *syntax.Regexp)
	walk = func(re *syntax.Regexp) {
		if re.Op == syntax.OpRepeat && re.Max-re.Min >= relaxSpan && singleChar(re.Sub[0]) {
			out = append(out, liftedRun{class: charClass(re.Sub[0]), most: re.Max})
		}
		for _, sub := range re.Sub {
			walk(sub)
		}
	}
	walk(re)
	if out == nil {
		return nil
	}
	return out
}

// charClass returns the characters a one-character regex (singleChar)
// matches, as sorted ranges.
func charClass(re *syntax.Regexp) []rune {
	switch re.Op {
	case syntax.OpCharClass:
		return re.Rune
	case syntax.OpAnyChar:
		return []rune{0, unicode.MaxRune}
	case syntax.OpAnyCharNotNL:
		return []rune{0, '\n' - 1, '\n' + 1, unicode.MaxRune}
	}
	// A literal, folded or not.
	c := re.Rune[0]
	rs := []rune{c}
	if re.Flags&syntax.FoldCase != 0 {
		for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
			rs = append(rs, f)
		}
	}
	slices.Sort(rs)
	out := make([]rune, 0, 2*len(rs))
	for _, r := range rs {
		out = append(out, r, r)
	}
	return out
}

// inClass reports whether r is in the sorted ranges class.
func inClass(class []rune, r rune) bool {
	for i := 0; i+1 < len(class); i += 2 {
		if r < class[i] {
			return false
		}
		if r <= class[i+1] {
			return true
		}
	}
	return false
}

// FindAllSubmatchIndex has regexp.Regexp's meaning for the exact regex.
func (f *Finder) FindAllSubmatchIndex(b []byte, n int) [][]int {
	xs := f.fast.FindAllSubmatchIndex(b, n)
	for _, x := range xs {
		if !f.isExact(b, x) {
			return f.Exact().FindAllSubmatchIndex(b, n)
		}
	}
	return xs
}

// relaxLimit returns the length up to which a match of relaxText(src) is
// one of src (see Finder), or 0 when relaxText lifts nothing, or when what
// it wrote is not exactly src's parse with those bounds lifted. It is
// worked out when the catalogue is generated (RawRule.Relax): parsing
// every rule's regex again at start-up would cost more than it saves.
func relaxLimit(src string) int {
	relaxed := relaxText(src)
	if relaxed == src {
		return 0
	}
	want, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return 0
	}
	got, err := syntax.Parse(relaxed, syntax.Perl)
	if err != nil {
		return 0
	}
	// A lifted repetition of n to m iterations of something at least w
	// bytes long ran past m only if the match is longer than the regex's
	// shortest match by more than (m-n)×w.
	slack := -1
	var lift func(re *syntax.Regexp)
	lift = func(re *syntax.Regexp) {
		if re.Op == syntax.OpRepeat && re.Max-re.Min >= relaxSpan && singleChar(re.Sub[0]) {
			if s := re.Max - re.Min; slack < 0 || s < slack {
				slack = s
			}
			re.Max = -1
		}
		for _, sub := range re.Sub {
			lift(sub)
		}
	}
	lift(want)
	if slack < 0 || !want.Equal(got) {
		return 0
	}
	return minLen(want) + slack
}

// singleChar reports whether re matches exactly one character.
func singleChar(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return true
	case syntax.OpLiteral:
		return len(re.Rune) == 1
	}
	return false
}

// relaxText rewrites each counted repetition {n,m} of a single character
// (a literal, a class, an escape, a dot) with m-n at least relaxSpan as
// {n,}, leaving the rest of src as written. It reads src's syntax only as
// far as it must; relaxLimit checks what it wrote against src's parse.
func relaxText(src string) string {
	var out []byte
	done := 0       // src[:done] is in out (when out is in use)
	single := false // the atom just read is one character
	for i := 0; i < len(src); {
		c := src[i]
		switch c {
		case '\\':
			i, single = skipEscape(src, i)
			continue
		case '[':
			i = skipClass(src, i)
			single = true
			continue
		case '(':
			i++
			if i < len(src) && src[i] == '?' {
				// (?flags:, (?flags), (?P<name>: nothing to repeat yet.
				for i < len(src) && src[i] != ':' && src[i] != ')' && src[i] != '>' {
					i++
				}
				i++
			}
			single = false
			continue
		case ')', '|', '^', '$', '*', '+', '?':
			single = false
		case '{':
			n, m, end, ok := countedRepeat(src, i)
			if ok && single && m-n >= relaxSpan {
				out = append(out, src[done:i]...)
				out = append(out, src[i:i+1+len(strconv.Itoa(n))+1]...) // "{n,"
				out = append(out, '}')
				done = end
			}
			if ok {
				i, single = end, false
				continue
			}
			single = true // a literal brace
		default:
			_, w := utf8.DecodeRuneInString(src[i:])
			i += w
			single = true
			continue
		}
		i++
	}
	if out == nil {
		return src
	}
	return string(append(out, src[done:]...))
}

// countedRepeat reads {n,m} at src[i] (n and m decimal, as written by a
// person: no leading zeros matter here), returning its end.
func countedRepeat(src string, i int) (n, m, end int, ok bool) {
	j := i + 1
	k := j
	for k < len(src) && src[k] >= '0' && src[k] <= '9' {
		k++
	}
	if k == j || k >= len(src) || src[k] != ',' {
		return 0, 0, 0, false
	}
	n, err := strconv.Atoi(src[j:k])
	if err != nil || strconv.Itoa(n) != src[j:k] {
		return 0, 0, 0, false
	}
	j = k + 1
	k = j
	for k < len(src) && src[k] >= '0' && src[k] <= '9' {
		k++
	}
	if k == j || k >= len(src) || src[k] != '}' {
		return 0, 0, 0, false
	}
	m, err = strconv.Atoi(src[j:k])
	if err != nil {
		return 0, 0, 0, false
	}
	return n, m, k + 1, true
}

// skipEscape reads the escape at src[i], returning its end and whether it
// is one character (\d, \., \x41, \pL, but not \b or \Q…\E).
func skipEscape(src string, i int) (int, bool) {
	if i+1 >= len(src) {
		return len(src), false
	}
	switch c := src[i+1]; c {
	case 'b', 'B', 'A', 'z':
		return i + 2, false
	case 'Q':
		if e := strings.Index(src[i+2:], `\E`); e >= 0 {
			return i + 2 + e + 2, false
		}
		return len(src), false
	case 'p', 'P', 'x':
		if i+2 < len(src) && src[i+2] == '{' {
			if e := strings.IndexByte(src[i+2:], '}'); e >= 0 {
				return i + 2 + e + 1, true
			}
			return len(src), false
		}
		if c == 'x' {
			return min(i+4, len(src)), true
		}
		return min(i+3, len(src)), true
	default:
		if c >= '0' && c <= '7' {
			j := i + 1
			for j < len(src) && j < i+4 && src[j] >= '0' && src[j] <= '7' {
				j++
			}
			return j, true
		}
		_, w := utf8.DecodeRuneInString(src[i+1:])
		return i + 1 + w, true
	}
}

// skipClass returns the end of the character class opening at src[i].
func skipClass(src string, i int) int {
	j := i + 1
	if j < len(src) && src[j] == '^' {
		j++
	}
	if j < len(src) && src[j] == ']' {
		j++ // a leading ] is a member
	}
	for j < len(src) {
		switch {
		case src[j] == '\\':
			j, _ = skipEscape(src, j)
		case strings.HasPrefix(src[j:], "[:"):
			if e := strings.Index(src[j+2:], ":]"); e >= 0 {
				j += 2 + e + 2
			} else {
				j++
			}
		case src[j] == ']':
			return j + 1
		default:
			j++
		}
	}
	return len(src)
}

// minLen returns the fewest bytes a match of re consumes (a character at
// least one).
func minLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minLen(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * minLen(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, sub := range re.Sub {
			n += minLen(sub)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, sub := range re.Sub {
			if l := minLen(sub); n < 0 || l < n {
				n = l
			}
		}
		return max(n, 0)
	}
	// Empty matches, assertions, stars and quests.
	return 0
}
