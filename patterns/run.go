package patterns

import (
	"fmt"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A ByteRun is a necessary condition on a rule's matches: every match
// holds at least N consecutive bytes of Set (the secret's alphabet and
// length: 32 of [0-9a-f]). Looking for such a run is a table lookup per
// byte, a fraction of what running the regex costs, and a keyword hit on
// a line without one (a provider's name in prose, a key's name in code)
// needs neither the regex run nor, on its rule's first hit, compiled.
type ByteRun struct {
	Set [256]bool
	N   int
}

// minRun is the shortest run worth looking for: shorter ones are on most
// lines.
const minRun = 10

// In reports whether b holds the run. A nil run is in everything.
func (br *ByteRun) In(b []byte) bool {
	if br == nil {
		return true
	}
	if len(b) < br.N {
		return false
	}
	n := 0
	for _, c := range b {
		if !br.Set[c] {
			n = 0
		} else if n++; n >= br.N {
			return true
		}
	}
	return false
}

// RequiredRun returns the run every match of the rule's regex holds, or
// nil when there is none of at least minRun bytes.
func (r *Rule) RequiredRun() *ByteRun {
	r.runOnce.Do(func() {
		if r.runSpec == "" {
			r.runSpec = requiredRunSpec(r.Source)
		}
		r.run = parseRunSpec(r.runSpec)
	})
	return r.run
}

// requiredRunSpec works out a rule's run and writes it as the catalogue
// stores it (RawRule.Run): "N:lo-hi,lo-hi…" in hex bytes, or "-" for none.
// The run is taken from the rule's secret group when every match holds
// it: the rest of the regex holds the keyword, which a hit has anyway.
func requiredRunSpec(src string) string {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return "-"
	}
	if s := requiredSecret(re); s != nil {
		re = s
	}
	set, n, _ := runOf(re)
	if n < minRun || set[' '] {
		// A run that may hold spaces is on nearly every line of text.
		return "-"
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(n))
	sep := byte(':')
	for lo := 0; lo < 256; lo++ {
		if !set[lo] {
			continue
		}
		hi := lo
		for hi+1 < 256 && set[hi+1] {
			hi++
		}
		fmt.Fprintf(&b, "%c%02x-%02x", sep, lo, hi)
		sep = ','
		lo = hi
	}
	return b.String()
}

// requiredSecret returns the regex's `secret` group when every match
// holds it (it is reached through concatenations, groups and repetitions
// of at least one), or nil.
func requiredSecret(re *syntax.Regexp) *syntax.Regexp {
	switch {
	case re.Op == syntax.OpCapture && re.Name == "secret":
		return re
	case re.Op == syntax.OpCapture, re.Op == syntax.OpPlus, re.Op == syntax.OpRepeat && re.Min > 0:
		return requiredSecret(re.Sub[0])
	case re.Op == syntax.OpConcat:
		for _, sub := range re.Sub {
			if s := requiredSecret(sub); s != nil {
				return s
			}
		}
	}
	return nil
}

// parseRunSpec reads requiredRunSpec's form; nil for "-" or anything
// malformed (no run: the check is only ever a shortcut).
func parseRunSpec(spec string) *ByteRun {
	num, ranges, ok := strings.Cut(spec, ":")
	if !ok {
		return nil
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return nil
	}
	br := &ByteRun{N: n}
	for _, rg := range strings.Split(ranges, ",") {
		l, h, ok := strings.Cut(rg, "-")
		lo, err1 := strconv.ParseUint(l, 16, 8)
		hi, err2 := strconv.ParseUint(h, 16, 8)
		if !ok || err1 != nil || err2 != nil || lo > hi {
			return nil
		}
		for c := lo; c <= hi; c++ {
			br.Set[c] = true
		}
	}
	return br
}

// runOf returns a run every match of re holds (set, n; n 0 for none) and
// whether every match is nothing but such a run (all: then n is the
// shortest match's length in bytes, at least).
//
// Bytes stand for runes: a rune of a class is one byte if ASCII, else
// bytes ≥ 0x80, all of which join the set when a class admits any
// non-ASCII rune (an invalid byte is U+FFFD to the regexp). A run of n
// runes is at least n bytes.
func runOf(re *syntax.Regexp) (set [256]bool, n int, all bool) {
	high := func(s *[256]bool) {
		for c := utf8.RuneSelf; c < 256; c++ {
			s[c] = true
		}
	}
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return set, 0, true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			f := r
			for {
				if f < utf8.RuneSelf {
					set[f] = true
				} else {
					high(&set)
				}
				if re.Flags&syntax.FoldCase == 0 {
					break
				}
				if f = unicode.SimpleFold(f); f == r {
					break
				}
			}
		}
		return set, len(re.Rune), true
	case syntax.OpCharClass:
		for k := 0; k+1 < len(re.Rune); k += 2 {
			for c := re.Rune[k]; c <= re.Rune[k+1] && c < utf8.RuneSelf; c++ {
				set[c] = true
			}
			if re.Rune[k+1] >= utf8.RuneSelf {
				high(&set)
			}
		}
		return set, 1, true
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		for c := range set {
			set[c] = true
		}
		if re.Op == syntax.OpAnyCharNotNL {
			set['\n'] = false
		}
		return set, 1, true
	case syntax.OpCapture, syntax.OpPlus:
		return runOf(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest, syntax.OpRepeat:
		s, k, a := runOf(re.Sub[0])
		min := 0
		if re.Op == syntax.OpRepeat {
			min = re.Min
		}
		switch {
		case a:
			return s, k * min, true
		case min > 0:
			return s, k, false
		}
		return set, 0, false
	case syntax.OpConcat:
		// Consecutive all-run parts make one run; the longest run wins
		// (of two as long, the one of fewer bytes).
		var block [256]bool
		blockN, all := 0, true
		better := func(s *[256]bool, k int) {
			if k > n || k == n && count(s) < count(&set) {
				set, n = *s, k
			}
		}
		for _, sub := range re.Sub {
			s, k, a := runOf(sub)
			if a {
				for c, in := range s {
					block[c] = block[c] || in
				}
				blockN += k
				better(&block, blockN)
				continue
			}
			all = false
			block, blockN = [256]bool{}, 0
			better(&s, k)
		}
		return set, n, all
	case syntax.OpAlternate:
		all = true
		for j, sub := range re.Sub {
			s, k, a := runOf(sub)
			if k == 0 && !a {
				return [256]bool{}, 0, false
			}
			for c, in := range s {
				set[c] = set[c] || in
			}
			if j == 0 || k < n {
				n = k
			}
			all = all && a
		}
		return set, n, all
	}
	return set, 0, false
}

func count(s *[256]bool) int {
	n := 0
	for _, in := range s {
		if in {
			n++
		}
	}
	return n
}
