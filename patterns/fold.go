package patterns

import (
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// minFoldLiteral is the shortest literal RequiredFold returns.
const minFoldLiteral = 3

// RequiredFold returns a literal every match of the rule's regex holds in
// some ASCII case, in lower case (ContainsFold finds it), or nil when there
// is none of at least three bytes. Required finds case-sensitive literals
// only; generic-name-value-secret's (?i)value turns down most of the
// three-line windows its keywords open on gitleaks' history, where its
// regex took 25 to 75 µs a window (16% of the regex time left there).
func (r *Rule) RequiredFold() []byte {
	r.foldOnce.Do(func() {
		if r.fold == "" {
			r.fold = requiredFoldLiteral(r.Source)
		}
		if r.fold == "-" {
			r.fold = ""
		}
	})
	if r.fold == "" {
		return nil
	}
	return []byte(r.fold)
}

// requiredFoldLiteral returns foldLiteral of src when it is long enough.
func requiredFoldLiteral(src string) string {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return ""
	}
	if l := foldLiteral(re); len(l) >= minFoldLiteral {
		return l
	}
	return ""
}

// foldLiteral returns the longest literal every match of re holds, in lower
// case, where every match holds it in some ASCII case: a piece of a literal
// that is case-sensitive ASCII or whose letters fold only to ASCII letters
// (under (?i), k and s also match the Kelvin sign and the long s), in the
// places mustContain reads.
func foldLiteral(re *syntax.Regexp) string {
	return requiredPiece(re, func(lit *syntax.Regexp) string {
		// The longest piece between runes that may match non-ASCII text.
		best, cur := "", []byte(nil)
		for _, r := range append(lit.Rune[:len(lit.Rune):len(lit.Rune)], utf8.RuneSelf) { // a copy: lit is the parse tree's
			ascii := r < utf8.RuneSelf
			for f := unicode.SimpleFold(r); ascii && f != r; f = unicode.SimpleFold(f) {
				ascii = f < utf8.RuneSelf || lit.Flags&syntax.FoldCase == 0
			}
			if ascii {
				cur = append(cur, foldLower(byte(r)))
				continue
			}
			if len(cur) > len(best) {
				best = string(cur)
			}
			cur = cur[:0]
		}
		return best
	})
}

func foldLower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// ContainsFold reports whether b holds lit, given in lower case, in any
// ASCII case.
func ContainsFold(b, lit []byte) bool {
	if len(lit) == 0 {
		return true
	}
	first := lit[0]
	up := first
	if first >= 'a' && first <= 'z' {
		up = first - 'a' + 'A'
	}
	for i := 0; i+len(lit) <= len(b); i++ {
		if c := b[i]; c != first && c != up {
			continue
		}
		j := 1
		for j < len(lit) && foldLower(b[i+j]) == lit[j] {
			j++
		}
		if j == len(lit) {
			return true
		}
	}
	return false
}
