package patterns

import (
	"math"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A ByteRun is a necessary condition on a rule's matches: every match
// holds at least N consecutive bytes of Set (the secret's alphabet and
// length: 32 of [0-9a-f]). Looking for such a run reads a fraction of a
// window's bytes, where a regex run (or a history scan's memo look-up)
// costs a microsecond or a cache miss, and a keyword hit on a line without
// one (a provider's name in prose, a key's name in code) needs neither the
// regex run nor, on its rule's first hit, compiled. The catalogue stores
// each rule's run (RawRule.Run): parsing the regexes to find them when a
// rule is first hit was a tenth of a secret-dense history scan's CPU.
type ByteRun struct {
	Set [256]bool
	N   int
}

// minRun is the shortest run worth looking for: shorter ones are in most
// windows.
const minRun = 8

// In reports whether b holds the run; a nil run is in everything. It tests
// the last byte a run from start could end on first, and on a byte outside
// the set starts again past it, so on text whose runs are short it reads
// about one byte in N.
func (br *ByteRun) In(b []byte) bool {
	if br == nil {
		return true
	}
	start := 0
	for p := br.N - 1; p < len(b); {
		q := p
		for q >= start && br.Set[b[q]] {
			q--
		}
		if q < start {
			return true
		}
		start = q + 1
		p = q + br.N
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
// it and its run is long enough: the rest of the regex holds the keyword,
// which a hit has anyway.
func requiredRunSpec(src string) string {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return "-"
	}
	r := runOf(re).best
	if s := requiredSecret(re); s != nil {
		if sr := runOf(s).best; usefulRun(sr) {
			r = sr
		}
	}
	if !usefulRun(r) {
		return "-"
	}
	return strconv.Itoa(r.n) + ":" + byteRanges(&r.set)
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

// A run is n consecutive bytes of set.
type run struct {
	set [256]bool
	n   int
}

// runInfo is what runOf knows of a regex: the run every match holds that
// a filter would best look for (best; n 0 for none), and, when every
// match is nothing but bytes of one set (all), that set and the shortest
// match's length (whole), which a sequence joins to its neighbours'.
type runInfo struct {
	best  run
	all   bool
	whole run
	// lit: whole is literal text only (the keyword, most often).
	lit bool
}

// runOf works out re's runInfo.
//
// Bytes stand for runes: a rune of a class is one byte if ASCII, else
// bytes ≥ 0x80, all of which join the set when a class admits any
// non-ASCII rune (an invalid byte is U+FFFD to the regexp). A run of n
// runes is at least n bytes.
func runOf(re *syntax.Regexp) runInfo {
	one := func(r run) runInfo { return runInfo{best: r, all: true, whole: r} }
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return runInfo{all: true, lit: true}
	case syntax.OpLiteral:
		var r run
		for _, c := range re.Rune {
			f := c
			for {
				addRune(&r.set, f)
				if re.Flags&syntax.FoldCase == 0 {
					break
				}
				if f = unicode.SimpleFold(f); f == c {
					break
				}
			}
		}
		r.n = len(re.Rune)
		// A literal alone is (nearly always) the keyword a hit has: no
		// use looking for it; it joins its neighbours' run.
		return runInfo{all: true, whole: r, lit: true}
	case syntax.OpCharClass:
		var r run
		for k := 0; k+1 < len(re.Rune); k += 2 {
			for c := re.Rune[k]; c <= re.Rune[k+1] && c < utf8.RuneSelf; c++ {
				r.set[c] = true
			}
			if re.Rune[k+1] >= utf8.RuneSelf {
				addRune(&r.set, utf8.RuneSelf)
			}
		}
		r.n = 1
		return one(r)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		var r run
		for c := range r.set {
			r.set[c] = true
		}
		if re.Op == syntax.OpAnyCharNotNL {
			r.set['\n'] = false
		}
		r.n = 1
		return one(r)
	case syntax.OpCapture, syntax.OpPlus:
		return runOf(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest, syntax.OpRepeat:
		sub := runOf(re.Sub[0])
		min := 0
		if re.Op == syntax.OpRepeat {
			min = re.Min
		}
		var out runInfo
		if min > 0 {
			out.best = sub.best
		}
		if sub.all {
			out.all, out.whole = true, run{set: sub.whole.set, n: sub.whole.n * min}
			if !sub.lit {
				out.best = better(out.best, out.whole)
			}
		}
		return out
	case syntax.OpConcat:
		// Each part's run, and every stretch of consecutive parts that
		// are all run, joined.
		subs := make([]runInfo, len(re.Sub))
		out := runInfo{all: true}
		for i, sub := range re.Sub {
			subs[i] = runOf(sub)
			out.best = better(out.best, subs[i].best)
			out.all = out.all && subs[i].all
		}
		out.lit = out.all
		for i := range subs {
			var joined run
			lit := true
			for j := i; j < len(subs) && subs[j].all; j++ {
				joined = union(joined, subs[j].whole)
				joined.n += subs[j].whole.n
				if lit = lit && subs[j].lit; !lit {
					out.best = better(out.best, joined)
				}
				if j == len(subs)-1 && i == 0 {
					out.whole, out.lit = joined, lit
				}
			}
		}
		return out
	case syntax.OpAlternate:
		// Every alternative's run, over the union of their sets: the
		// shortest of them.
		out := runInfo{all: true}
		var each run
		eachOK := true
		for i, sub := range re.Sub {
			r := runOf(sub)
			if r.best.n == 0 {
				eachOK = false
			}
			out.all = out.all && r.all
			each = union(each, r.best)
			out.whole = union(out.whole, r.whole)
			if i == 0 || r.best.n < each.n {
				each.n = r.best.n
			}
			if i == 0 || r.whole.n < out.whole.n {
				out.whole.n = r.whole.n
			}
		}
		if eachOK {
			out.best = each
		}
		if out.all {
			if !allLit(re.Sub) {
				out.best = better(out.best, out.whole)
			}
		} else {
			out.whole = run{}
		}
		return out
	}
	return runInfo{}
}

func allLit(res []*syntax.Regexp) bool {
	for _, re := range res {
		if !runOf(re).lit {
			return false
		}
	}
	return true
}

// union is a run over both sets (its n is a's: callers set it).
func union(a, b run) run {
	for c, in := range b.set {
		a.set[c] = a.set[c] || in
	}
	return a
}

func addRune(set *[256]bool, r rune) {
	if r < utf8.RuneSelf {
		set[r] = true
		return
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		set[c] = true
	}
}

// better returns the run a filter should rather look for: the one typical
// text holds least often, by the chance that n bytes in a row of source
// code and prose are all of the set (byteShare).
func better(a, b run) run {
	if score(b) > score(a) {
		return b
	}
	return a
}

func score(r run) float64 {
	if r.n < minRun {
		return 0
	}
	p := 0.0
	for c, in := range r.set {
		if in {
			p += byteShare(byte(c))
		}
	}
	p = math.Min(p, 0.9999)
	return -float64(r.n) * math.Log(p)
}

// byteShare is roughly how often byte c is in source code and prose:
// mostly lower-case letters and spaces.
func byteShare(c byte) float64 {
	switch {
	case c >= 'a' && c <= 'z':
		return 0.025
	case c >= 'A' && c <= 'Z':
		return 0.004
	case c >= '0' && c <= '9':
		return 0.005
	case c == ' ':
		return 0.12
	case c == '\n':
		return 0.03
	case c == '\t':
		return 0.01
	case c > ' ' && c < 0x7f:
		return 0.0015
	}
	return 0.0002
}

// usefulRun is whether looking for r turns away any share of windows worth
// the look: a run of nearly every byte is in every window.
func usefulRun(r run) bool {
	return r.n >= minRun && score(r) > float64(r.n)*0.1
}
