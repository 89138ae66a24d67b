package scanner

import (
	"regexp/syntax"
	"sync"
	"unicode"
	"unicode/utf8"
)

// classRun is a necessary condition of a rule's regex: every match holds n
// consecutive bytes of set, a run (the 40 hex digits of a GitHub client
// secret, the 16 or more token bytes of a generic rule). A window without
// such a run cannot match, and finding that out reads a fraction of its
// bytes, where a regex run, or a history scan's memo look-up, costs a
// microsecond or a cache miss. On gitleaks' history 51,000 regex runs
// were misses of the memo, 45,000 of them without a match, and 1.7 million
// windows were looked up in the memo.
type classRun struct {
	set [256]bool
	n   int
}

// minClassRun is the shortest run worth looking for: shorter ones are in
// most windows.
const minClassRun = 8

// in reports whether w holds a run of n bytes of the set. It tests the last
// byte a run from start could end on first, and on a byte outside the set
// starts again past it, so on text whose runs are short it reads about one
// byte in n.
func (cr *classRun) in(w []byte) bool {
	start := 0
	for p := cr.n - 1; p < len(w); {
		q := p
		for q >= start && cr.set[w[q]] {
			q--
		}
		if q < start {
			return true
		}
		start = q + 1
		p = q + cr.n
	}
	return false
}

// lazyClassRun is a rule's classRun, and a literal every match holds in
// any case, worked out at the rule's first window so that a hook run parses
// only the rules its diff touches.
type lazyClassRun struct {
	once sync.Once
	src  string
	run  *classRun // nil: no run of minClassRun or more
	// fold is a literal every match holds, lower case, to be found in any
	// ASCII case; nil when none of minFoldLiteral bytes. Rule.Required
	// finds case-sensitive ones only: generic-name-value-secret's (?i)
	// "value" turned down most of its three-line windows on gitleaks'
	// history, which cost it 25 to 75 µs each (a 16% of the regex time
	// left there).
	fold []byte
}

// minFoldLiteral is the shortest literal worth looking for.
const minFoldLiteral = 3

func (l *lazyClassRun) get() *lazyClassRun {
	l.once.Do(func() {
		re, err := syntax.Parse(l.src, syntax.Perl)
		if err != nil {
			return
		}
		if cr := necessaryRun(re); cr != nil && cr.n >= minClassRun {
			l.run = cr
		}
		if lit := foldLiteral(re); len(lit) >= minFoldLiteral {
			l.fold = []byte(lit)
		}
	})
	return l
}

// mayMatch reports whether w holds the run and the literal.
func (l *lazyClassRun) mayMatch(w []byte) bool {
	return (l.fold == nil || containsFold(w, l.fold)) && (l.run == nil || l.run.in(w))
}

// foldLiteral returns the longest literal every match of re holds, in lower
// case, where every match holds it in some ASCII case: a piece of a literal
// that is case-sensitive ASCII or whose letters fold only to ASCII letters
// (under (?i), k and s also match the Kelvin sign and the long s), in the
// places mustContain (patterns) reads.
func foldLiteral(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		// The longest piece between runes that may match non-ASCII text.
		best, cur := "", []byte(nil)
		for _, r := range append(re.Rune, utf8.RuneSelf) {
			ascii := r < utf8.RuneSelf
			for f := unicode.SimpleFold(r); ascii && f != r; f = unicode.SimpleFold(f) {
				ascii = f < utf8.RuneSelf || re.Flags&syntax.FoldCase == 0
			}
			if ascii {
				cur = append(cur, lower(byte(r)))
				continue
			}
			if len(cur) > len(best) {
				best = string(cur)
			}
			cur = cur[:0]
		}
		return best
	case syntax.OpCapture, syntax.OpPlus:
		return foldLiteral(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return foldLiteral(re.Sub[0])
		}
	case syntax.OpConcat:
		best := ""
		for _, sub := range re.Sub {
			if l := foldLiteral(sub); len(l) > len(best) {
				best = l
			}
		}
		return best
	}
	return ""
}

// containsFold reports whether w holds lit (lower case) in any ASCII case.
func containsFold(w, lit []byte) bool {
	first := lit[0]
	up := first
	if first >= 'a' && first <= 'z' {
		up = first - 'a' + 'A'
	}
	for i := 0; i+len(lit) <= len(w); i++ {
		if c := w[i]; c != first && c != up {
			continue
		}
		j := 1
		for j < len(lit) && lower(w[i+j]) == lit[j] {
			j++
		}
		if j == len(lit) {
			return true
		}
	}
	return false
}

// necessaryRun returns a run every match of re holds, or nil. It reads the
// parsed regex, before Simplify expands x{40} into forty copies of x:
//   - x{n,m} or x{n,} with n ≥ 1, x one character of a class: n bytes of
//     the class's bytes (a non-ASCII character is a run of bytes ≥ 0x80, at
//     least one per character, and Go's regexp reads an invalid byte as
//     U+FFFD, also non-ASCII);
//   - a sequence: the longest run of its parts (each part's match lies in
//     the sequence's);
//   - a group, or a repetition of at least one of a longer pattern: its
//     content's;
//   - alternatives: the shortest of their runs over the union of their
//     sets, if every alternative has one.
func necessaryRun(re *syntax.Regexp) *classRun {
	switch re.Op {
	case syntax.OpCapture:
		return necessaryRun(re.Sub[0])
	case syntax.OpRepeat, syntax.OpPlus:
		min := 1
		if re.Op == syntax.OpRepeat {
			min = re.Min
		}
		if min < 1 {
			return nil
		}
		if set, ok := charSet(re.Sub[0]); ok {
			return &classRun{set: set, n: min}
		}
		return necessaryRun(re.Sub[0])
	case syntax.OpConcat:
		var best *classRun
		for _, sub := range re.Sub {
			if cr := necessaryRun(sub); cr != nil && (best == nil || cr.n > best.n) {
				best = cr
			}
		}
		return best
	case syntax.OpAlternate:
		var union *classRun
		for _, sub := range re.Sub {
			cr := necessaryRun(sub)
			if cr == nil {
				return nil
			}
			if union == nil {
				c := *cr
				union = &c
				continue
			}
			union.n = min(union.n, cr.n)
			for b := range union.set {
				union.set[b] = union.set[b] || cr.set[b]
			}
		}
		return union
	}
	if set, ok := charSet(re); ok {
		return &classRun{set: set, n: 1}
	}
	return nil
}

// charSet returns the bytes that can make up a match of re when every
// match of re is one character, and false otherwise.
func charSet(re *syntax.Regexp) (set [256]bool, ok bool) {
	addRune := func(r rune) {
		if r < utf8.RuneSelf {
			set[r] = true
			return
		}
		for b := 0x80; b < 0x100; b++ {
			set[b] = true
		}
	}
	switch re.Op {
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
				set[r] = true
			}
			if hi >= utf8.RuneSelf {
				addRune(hi)
			}
		}
		return set, true
	case syntax.OpLiteral:
		if len(re.Rune) != 1 {
			return set, false
		}
		r := re.Rune[0]
		addRune(r)
		if re.Flags&syntax.FoldCase != 0 {
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				addRune(f)
			}
		}
		return set, true
	case syntax.OpAnyCharNotNL:
		for b := range set {
			set[b] = b != '\n'
		}
		return set, true
	case syntax.OpAnyChar:
		for b := range set {
			set[b] = true
		}
		return set, true
	}
	return set, false
}
