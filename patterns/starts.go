package patterns

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// maxStarts bounds how many strings Starts returns: each is looked
	// for in every window the rule runs over.
	maxStarts = 8
	// minStart is the shortest start worth looking for: shorter ones are
	// in most windows of code.
	minStart = 3
)

// Starts returns strings one of which every match of the rule's regex
// starts with, byte for byte (generic-getter-secret's "get" and "Get"), or
// nil when there are none of at least three bytes, or too many. A window
// the regex would run over whole is instead tried only where one of them
// stands, once at each (StartFinders): the regex, tried at every byte of
// a 1.4 KB window of minified code, found nothing in most of them.
func (r *Rule) Starts() [][]byte {
	r.startsOnce.Do(func() {
		if r.startsSpec == "" {
			r.startsSpec = startsSpec(r.Source)
		}
		if r.startsSpec != "-" {
			for _, s := range strings.Split(r.startsSpec, "\x00") {
				r.starts = append(r.starts, []byte(s))
			}
		}
	})
	return r.starts
}

// StartFinders returns the rule's regex anchored where a match is tried at
// one place (Starts): at the start of its input (atStart), and after the
// input's first byte (afterByte: that byte is the context \b, ^ and (?m:^)
// read at the place, and is always consumed, so a match of afterByte is
// the regex's match at the place, extended by the byte). Both have the
// regex's capture groups. most is the most bytes a match of the rule's
// regex spans, or -1 when that has no bound (MaxMatchLen): an attempt
// need read no further than that, plus the byte before and the rune after.
func (r *Rule) StartFinders() (atStart, afterByte *Finder, most int) {
	r.startFindOnce.Do(func() {
		// The wrapping adds no counted repetition, and a match that is
		// at most a byte longer than the regex's own: relax holds for
		// them (a relaxed match is checked against the limit with that
		// byte counted, which only sends more matches to the exact
		// regex).
		r.startAt = newFinder(`^(?:`+r.Source+`)`, r.relax)
		r.startAfter = newFinder(`^[\s\S](?:`+r.Source+`)`, r.relax)
		r.startMost = MaxMatchLen(r.Source)
	})
	return r.startAt, r.startAfter, r.startMost
}

// maxMatchBound is where MaxMatchLen stops counting: a bound this far
// past a window's end saves nothing.
const maxMatchBound = 1 << 20

// MaxMatchLen returns the most bytes a match of the regex src can span,
// or -1 when there is no bound (a star or a plus over something that
// consumes, an open repetition, more than maxMatchBound) or src does not
// parse. Go's regexp consumes a rune of its valid UTF-8 encoding's length
// or an invalid byte alone, so a rune counts the length of the widest
// rune it may match.
func MaxMatchLen(src string) int {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return -1
	}
	n := maxLen(re)
	if n > maxMatchBound {
		return -1
	}
	return n
}

// maxLen is MaxMatchLen of a parsed regex: -1 for no bound, and any
// count past maxMatchBound stays past it without overflowing.
func maxLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, c := range re.Rune {
			w := utf8.RuneLen(c)
			if re.Flags&syntax.FoldCase != 0 {
				for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
					w = max(w, utf8.RuneLen(f))
				}
			}
			n += max(w, 1)
		}
		return n
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return 0
		}
		// The widest rune is the highest; a surrogate (no encoding) is
		// matched by no input but counted wide.
		if w := utf8.RuneLen(re.Rune[len(re.Rune)-1]); w > 0 {
			return w
		}
		return utf8.UTFMax
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax
	case syntax.OpCapture:
		return maxLen(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, sub := range re.Sub {
			m := maxLen(sub)
			if m < 0 {
				return -1
			}
			n = min(n+m, maxMatchBound+1)
		}
		return n
	case syntax.OpAlternate:
		n := 0
		for _, sub := range re.Sub {
			m := maxLen(sub)
			if m < 0 {
				return -1
			}
			n = max(n, m)
		}
		return n
	case syntax.OpQuest:
		return maxLen(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		m := maxLen(re.Sub[0])
		switch {
		case m == 0:
			return 0
		case m < 0 || re.Op != syntax.OpRepeat || re.Max < 0:
			return -1
		}
		return min(m*min(re.Max, maxMatchBound+1), maxMatchBound+1)
	}
	// The empty-width assertions, an empty match and no match.
	return 0
}

// startsSpec works out src's Starts as the catalogue stores them
// (RawRule.Starts): the strings joined by NUL bytes, or "-" for none.
func startsSpec(src string) string {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return "-"
	}
	ss, _ := prefixes(re)
	if len(ss) == 0 || len(ss) > maxStarts {
		return "-"
	}
	for _, s := range ss {
		if len(s) < minStart || strings.IndexByte(s, 0) >= 0 {
			return "-"
		}
	}
	slices.Sort(ss)
	return strings.Join(slices.Compact(ss), "\x00")
}

// prefixes returns strings one of which every match of re starts with,
// and whether every match is exactly one of them (then what follows re in
// a concatenation extends them). More than maxStarts strings are cut
// back to what their concatenation had before; a piece that says nothing
// of its first bytes gives the empty string.
func prefixes(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		// Nothing consumed.
		return []string{""}, true
	case syntax.OpLiteral:
		out := []string{""}
		for _, c := range re.Rune {
			forms := runeForms(c, re.Flags&syntax.FoldCase != 0)
			if forms == nil {
				// Not a byte string: what came before is a prefix.
				return out, false
			}
			next := product(out, forms)
			if next == nil {
				return out, false
			}
			out = next
		}
		return out, true
	case syntax.OpCharClass:
		var forms []string
		for k := 0; k+1 < len(re.Rune); k += 2 {
			if re.Rune[k+1]-re.Rune[k] >= maxStarts {
				return []string{""}, false
			}
			for c := re.Rune[k]; c <= re.Rune[k+1]; c++ {
				if !encodes(c) {
					return []string{""}, false
				}
				forms = append(forms, string(c))
			}
			if len(forms) > maxStarts {
				return []string{""}, false
			}
		}
		if len(forms) == 0 {
			return []string{""}, false
		}
		return forms, true
	case syntax.OpCapture:
		return prefixes(re.Sub[0])
	case syntax.OpPlus:
		ss, _ := prefixes(re.Sub[0])
		return ss, false
	case syntax.OpRepeat:
		if re.Min < 1 {
			return []string{""}, false
		}
		ss, exact := prefixes(re.Sub[0])
		return ss, exact && re.Min == 1 && re.Max == 1
	case syntax.OpConcat:
		out, exact := []string{""}, true
		for _, sub := range re.Sub {
			if !exact {
				break
			}
			ss, e := prefixes(sub)
			next := product(out, ss)
			if next == nil {
				return out, false
			}
			out, exact = next, e
		}
		return out, exact
	case syntax.OpAlternate:
		var out []string
		exact := true
		for _, sub := range re.Sub {
			ss, e := prefixes(sub)
			out = append(out, ss...)
			exact = exact && e
		}
		if len(out) > maxStarts {
			return []string{""}, false
		}
		return out, exact
	}
	// Stars, quests, dots: the first byte can be many things, or none.
	return []string{""}, false
}

// product returns every string of a followed by one of b, or nil when
// there would be more than maxStarts.
func product(a, b []string) []string {
	if len(a)*len(b) > maxStarts {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

// runeForms returns the UTF-8 forms of c, and of every rune it folds to
// when fold is set (k: k, K and the Kelvin sign).
func runeForms(c rune, fold bool) []string {
	if !encodes(c) {
		return nil
	}
	out := []string{string(c)}
	if !fold {
		return out
	}
	for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
		if !encodes(f) {
			return nil
		}
		out = append(out, string(f))
	}
	return out
}

// encodes reports whether the regexp reads c only from its UTF-8 form:
// U+FFFD is also what it reads an invalid byte as.
func encodes(c rune) bool { return utf8.ValidRune(c) && c != utf8.RuneError }
