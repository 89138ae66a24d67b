package patterns

import (
	"fmt"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Breaks are the ASCII bytes no match of a rule's regex holds: no
// instruction of its program consumes them (generic-key's name, quotes
// and value hold no parenthesis, brace or semicolon). A match never
// crosses one, so a window splits at them into pieces, and the regex need
// only run over the pieces that hold what every match holds (Required,
// RequiredFold, RequiredRun): on minified code, where a keyword's window
// is 1.4 KB of one line, those are a few identifiers long.
//
// Running the regex over a piece together with the break on either side of
// it (or the window's edge) finds exactly the window's matches in the
// piece: a break cannot be consumed, so no match starts on it or runs
// past it, and as the piece's context it answers \b, ^, $ and (?m:^) as
// the window did.
type Breaks struct {
	Set [256]bool
	// MinLen is the fewest bytes a match holds (at least one: a regex
	// that can match the empty string has no Breaks).
	MinLen int
}

// Breaks returns the rule's break bytes, or nil when there are none (a
// class such as [^"'\s] or . consumes nearly every byte) or the regex can
// match the empty string.
func (r *Rule) Breaks() *Breaks {
	r.breaksOnce.Do(func() {
		if r.breaksSpec == "" {
			r.breaksSpec = breaksSpec(r.Source)
		}
		r.breaks = parseBreaksSpec(r.breaksSpec)
	})
	return r.breaks
}

// breaksSpec works out src's Breaks and writes them as the catalogue
// stores them (RawRule.Breaks): "N:lo-hi,lo-hi…" in hex bytes, N the
// shortest match, or "-" for none.
func breaksSpec(src string) string {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return "-"
	}
	n := minLen(re)
	if n < 1 {
		return "-"
	}
	// Compiled as regexp compiles it: the program's rune instructions are
	// what the matcher consumes bytes with.
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return "-"
	}
	var held [utf8.RuneSelf]bool
	for _, inst := range prog.Inst {
		switch inst.Op {
		case syntax.InstRuneAny:
			return "-"
		case syntax.InstRuneAnyNotNL:
			for c := range held {
				held[c] = held[c] || c != '\n'
			}
		case syntax.InstRune, syntax.InstRune1:
			for c := range held {
				held[c] = held[c] || inst.MatchRune(rune(c))
			}
		}
	}
	var set [256]bool
	some := false
	for c, h := range held {
		set[c] = !h
		some = some || !h
	}
	if !some {
		return "-"
	}
	return strconv.Itoa(n) + ":" + byteRanges(&set)
}

// byteRanges writes the bytes of set as "lo-hi,lo-hi…" in hex.
func byteRanges(set *[256]bool) string {
	var b strings.Builder
	for lo := 0; lo < 256; lo++ {
		if !set[lo] {
			continue
		}
		hi := lo
		for hi+1 < 256 && set[hi+1] {
			hi++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%02x-%02x", lo, hi)
		lo = hi
	}
	return b.String()
}

// parseBreaksSpec reads breaksSpec's form; nil for "-" or anything
// malformed (no breaks: windows are run whole). Only ASCII bytes can be
// breaks: a byte of a multi-byte rune is not a rune of its own.
func parseBreaksSpec(spec string) *Breaks {
	br := parseRunSpec(spec)
	if br == nil {
		return nil
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		if br.Set[c] {
			return nil
		}
	}
	return &Breaks{Set: br.Set, MinLen: br.N}
}
