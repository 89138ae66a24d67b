package patterns

import (
	"regexp/syntax"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// A Matcher runs a rule's regex anchored at a keyword hit: what
// AnchoredRegex returns, or a provider entry's shared form (see
// providerMatcher). FindSubmatchIndex has regexp.Regexp's meaning.
type Matcher interface {
	FindSubmatchIndex(b []byte) []int
}

// AnchoredMatcher returns what runs the rule anchored at its keyword hits,
// or nil when its matches do not start at its keywords. For a rule
// expanded from a [[providers]] entry it is a providerMatcher, which finds
// exactly what AnchoredRegex would but compiles only the part of the regex
// after the provider's name, once for every entry of the same value shape:
// compiling one regex per entry (559 of them, from one long template) was
// a quarter of a secret-dense history scan's CPU.
func (r *Rule) AnchoredMatcher() Matcher {
	if !r.Anchored() {
		return nil
	}
	if pm := r.providerForm(); pm != nil {
		return pm
	}
	return r.anchoredFinder()
}

// providerForm returns the rule's shared provider matcher, or nil when its
// regex is not a provider entry's expansion.
func (r *Rule) providerForm() *providerMatcher {
	r.providerOnce.Do(func() { r.provider = parseProviderRegex(r.Source, r.restRelax, r.expanded) })
	return r.provider
}

// providerMatcher is a provider entry's rule, `(?:ALIASES)REST` (see
// RawProvider.Expand), run anchored as AnchoredRegex runs it:
// `^[\s\S]?(?:(?:ALIASES)REST)`. The aliases are matched here, in the
// order Go's leftmost-first regexp tries them, and REST, which depends
// only on the value's regex, is one compiled regexp shared by every entry
// with the same value. That gives the same match and groups as the whole
// regex: a backtracking match takes the first alias alternative (in
// priority order) after which REST matches, and REST's preferred match
// from there; REST looks at no byte before its start (parseProviderRegex
// admits no value with ^ or \b), so it can run on the rest of the input
// alone.
type providerMatcher struct {
	// aliases are the provider's names as the regex lists them, lower
	// case, each separator written '-' (it matches _ . - or nothing).
	aliases []string
	rest    *sharedRest
}

// sharedRest is the compiled regex after a provider's name, shared by the
// entries whose values are written alike.
type sharedRest struct {
	src string
	// independent: REST looks at nothing before its start (see
	// restIndependent); an entry whose REST does not cannot share it.
	independent bool
	// value, when set, is what every value's bytes are and how many (see
	// valueRun): a span without such a run needs no REST run (nor, on
	// the shape's first hit, its compilation).
	value *valueRun
	// relax is RawRule.RestRelax for src, 0 until an entry that knows it
	// (a built-in one) is parsed: it depends on src alone, so every
	// entry that knows it knows the same number.
	relax atomic.Int64
	once  sync.Once
	re    *Finder
}

// valueRun says a value is a whole run of bytes of set, lo to hi long (hi
// 0: no bound). It holds for a value regex made of ASCII literals and
// classes whose bytes valueEnd refuses to follow and the assignment
// never ends with: then the value cannot be followed by a byte of the set
// (valueEnd), nor be preceded by one (the assignment's last byte is an
// operator, a space, a quote, a bracket or a star), so it is a maximal
// run of the set in the span, and a span without a maximal run of a
// length in range cannot match. A 40-digit commit hash is no 32-digit
// key.
type valueRun struct {
	set    [256]bool
	lo, hi int
}

// valueRunBytes are the bytes valueEnd refuses to follow a value and no
// assignment ends with: a value of only these is a maximal run.
const valueRunBytes = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+/~%"

// sharedRests maps REST's source to its sharedRest.
var sharedRests sync.Map

// regex compiles REST with its widest counted repetitions lifted when
// the catalogue generator worked out how far that is safe (Finder):
// storj's {100,1000} alone was 3 ms of compilation in a secret-dense
// history, 900 copies of a character class.
func (s *sharedRest) regex() *Finder {
	s.once.Do(func() { s.re = newFinder(s.anchoredSrc(), int(s.relax.Load())) })
	return s.re
}

// anchoredSrc is the regex REST runs as: at the start of its input.
func (s *sharedRest) anchoredSrc() string { return `^(?:` + s.src + `)` }

// providerAliasHead is how aliasRegex starts every alias's first form.
const providerAliasHead = `(?:^|[^A-Za-z])(?i:`

// providerSep is how aliasRegex writes a separator inside an alias.
const providerSep = `[_.\-]?`

// parseProviderRegex recognises src as RawProvider.Expand's regex and
// returns its shared matcher, or nil. The aliases are read back from the
// regex and the regex is rebuilt from them with Expand's own pieces: only
// a regex equal to the rebuilt one is taken, so a template change that
// this does not know falls back to the rule's own regex, never to a
// different match (a test checks that every built-in entry is taken).
// restRelax is the entry's RawRule.RestRelax (0 when not worked out).
// checked says src was taken already (RawRule.expanded): it is not
// rebuilt.
func parseProviderRegex(src string, restRelax int, checked bool) *providerMatcher {
	mid := nameTail + assignment + `(?P<secret>`
	end := `)` + valueEnd
	i := strings.Index(src, mid)
	if i < 4 || !strings.HasPrefix(src, `(?:`) || src[i-1] != ')' || !strings.HasSuffix(src, end) || len(src)-len(end) < i+len(mid) {
		return nil
	}
	value := src[i+len(mid) : len(src)-len(end)]
	alts := src[len(`(?:`) : i-1]
	var aliases []string
	for rest := alts; ; {
		j := strings.Index(rest, providerAliasHead)
		if j < 0 {
			break
		}
		rest = rest[j+len(providerAliasHead):]
		k := strings.IndexByte(rest, ')')
		if k < 0 {
			return nil
		}
		aliases = append(aliases, strings.ReplaceAll(rest[:k], providerSep, "-"))
		rest = rest[k:]
	}
	if len(aliases) == 0 {
		return nil
	}
	restSrc := src[i:]
	if !checked {
		forms := make([]string, len(aliases))
		for j, a := range aliases {
			if !validAlias(a) {
				return nil
			}
			forms[j] = aliasRegex(a)
		}
		if `(?:`+strings.Join(forms, "|")+`)`+restSrc != src {
			return nil
		}
	}
	s, ok := sharedRests.Load(restSrc)
	if !ok {
		s, _ = sharedRests.LoadOrStore(restSrc, newSharedRest(restSrc, value))
	}
	if restRelax > 0 {
		s.(*sharedRest).relax.CompareAndSwap(0, int64(restRelax))
	}
	if !s.(*sharedRest).independent {
		return nil
	}
	return &providerMatcher{aliases: aliases, rest: s.(*sharedRest)}
}

// newSharedRest parses value once, to know whether REST can run alone.
func newSharedRest(src, value string) *sharedRest {
	s := &sharedRest{src: src}
	if re, err := syntax.Parse(value, syntax.Perl); err == nil {
		s.independent = restIndependent(re)
		if set, lo, hi, ok := lengthIn(re); ok && lo > 0 {
			for c, in := range set {
				if in && !strings.ContainsRune(valueRunBytes, rune(c)) {
					ok = false
				}
			}
			if ok {
				s.value = &valueRun{set: set, lo: lo, hi: hi}
			}
		}
	}
	return s
}

// lengthIn reports, for a regex every match of which is bytes of one set
// (ASCII literals and classes, no case folding; repetitions,
// concatenations, alternations, groups), that set and the least and most
// bytes a match has (hi 0: unbounded); ok is false for any other regex.
func lengthIn(re *syntax.Regexp) (set [256]bool, lo, hi int, ok bool) {
	const unbounded = -1
	add := func(a, b int) int {
		if a == unbounded || b == unbounded {
			return unbounded
		}
		return a + b
	}
	var walk func(re *syntax.Regexp) (lo, hi int, ok bool)
	walk = func(re *syntax.Regexp) (int, int, bool) {
		switch re.Op {
		case syntax.OpLiteral:
			if re.Flags&syntax.FoldCase != 0 {
				return 0, 0, false
			}
			for _, c := range re.Rune {
				if c >= utf8.RuneSelf {
					return 0, 0, false
				}
				set[c] = true
			}
			return len(re.Rune), len(re.Rune), true
		case syntax.OpCharClass:
			for k := 0; k+1 < len(re.Rune); k += 2 {
				if re.Rune[k+1] >= utf8.RuneSelf {
					return 0, 0, false
				}
				for c := re.Rune[k]; c <= re.Rune[k+1]; c++ {
					set[c] = true
				}
			}
			return 1, 1, true
		case syntax.OpCapture:
			return walk(re.Sub[0])
		case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
			l, h, ok := walk(re.Sub[0])
			if !ok {
				return 0, 0, false
			}
			min, max := 0, unbounded
			switch re.Op {
			case syntax.OpPlus:
				min = 1
			case syntax.OpQuest:
				max = 1
			case syntax.OpRepeat:
				min, max = re.Min, re.Max
			}
			if h == unbounded || max == unbounded {
				return l * min, unbounded, true
			}
			return l * min, h * max, true
		case syntax.OpConcat, syntax.OpAlternate:
			lo, hi := 0, 0
			for j, sub := range re.Sub {
				l, h, ok := walk(sub)
				if !ok {
					return 0, 0, false
				}
				switch {
				case re.Op == syntax.OpConcat:
					lo, hi = lo+l, add(hi, h)
				case j == 0:
					lo, hi = l, h
				default:
					lo = min(lo, l)
					if hi != unbounded && (h == unbounded || h > hi) {
						hi = h
					}
				}
			}
			return lo, hi, true
		}
		return 0, 0, false
	}
	lo, hi, ok = walk(re)
	if hi == unbounded {
		hi = 0
	}
	return set, lo, hi, ok
}

// in reports whether b holds a maximal run of the set (one no byte of
// the set is next to) of a length in range.
func (v *valueRun) in(b []byte) bool {
	n := 0
	for i := 0; i <= len(b); i++ {
		if i < len(b) && v.set[b[i]] {
			n++
			continue
		}
		if n >= v.lo && (v.hi == 0 || n <= v.hi) {
			return true
		}
		n = 0
	}
	return false
}

// restIndependent reports whether a value's regex looks at nothing before
// its own input: no ^ and no word boundary, whose meaning at REST's first
// byte would depend on the alias before it. ($ looks ahead, and the input
// ends where the whole regex's does.)
func restIndependent(re *syntax.Regexp) bool {
	var ok func(*syntax.Regexp) bool
	ok = func(re *syntax.Regexp) bool {
		switch re.Op {
		case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
			return false
		}
		for _, sub := range re.Sub {
			if !ok(sub) {
				return false
			}
		}
		return true
	}
	return ok(re)
}

// FindSubmatchIndex implements Matcher: the leftmost-first match of
// `^[\s\S]?(?:(?:ALIASES)REST)` in b, and its groups.
func (m *providerMatcher) FindSubmatchIndex(b []byte) []int {
	if v := m.rest.value; v != nil && !v.in(b) {
		return nil
	}
	// REST's match depends only on where it starts: each start is tried
	// once (at most a few: one per alias form that fits).
	var tried [8]int
	nt := 0
	try := func(at int) []int {
		for _, t := range tried[:nt] {
			if t == at {
				return nil
			}
		}
		if nt < len(tried) {
			tried[nt] = at
			nt++
		}
		x := m.rest.regex().FindSubmatchIndex(b[at:])
		if x == nil {
			return nil
		}
		out := make([]int, len(x))
		out[0], out[1] = 0, at+x[1]
		for k := 2; k < len(x); k++ {
			out[k] = x[k]
			if x[k] >= 0 {
				out[k] += at
			}
		}
		return out
	}
	// [\s\S]? is greedy: the input's first rune is consumed first, then not.
	skips := [2]int{0, 0}
	nq := 1
	if len(b) > 0 {
		_, w := utf8.DecodeRune(b)
		skips[0], nq = w, 2
	}
	for _, q := range skips[:nq] {
		for _, a := range m.aliases {
			// (?:^|[^A-Za-z])(?i:alias)
			if q == 0 {
				if e := matchAlias(b, 0, a); e >= 0 {
					if x := try(e); x != nil {
						return x
					}
				}
			}
			if q < len(b) {
				if r, w := utf8.DecodeRune(b[q:]); !isASCIILetter(r) {
					if e := matchAlias(b, q+w, a); e >= 0 {
						if x := try(e); x != nil {
							return x
						}
					}
				}
			}
			// |[a-z0-9]A(?i:lias), for an alias that starts with a letter
			if c := a[0]; c >= 'a' && c <= 'z' && q+1 < len(b) {
				if p := b[q]; (p >= 'a' && p <= 'z' || p >= '0' && p <= '9') && b[q+1] == c-'a'+'A' {
					if e := matchAlias(b, q+2, a[1:]); e >= 0 {
						if x := try(e); x != nil {
							return x
						}
					}
				}
			}
		}
	}
	return nil
}

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// matchAlias matches alias (lower case, '-' for an optional separator) at
// b[i:] as the regex (?i:...) does, Unicode case folding included (the
// Kelvin sign is a k), and returns where it ends, or -1. A separator is
// taken when one is there: the alias's words are letters and digits, so
// leaving it would never let the next word match.
func matchAlias(b []byte, i int, alias string) int {
	for j := 0; j < len(alias); j++ {
		c := alias[j]
		if c == '-' {
			if i < len(b) && (b[i] == '_' || b[i] == '.' || b[i] == '-') {
				i++
			}
			continue
		}
		if i >= len(b) {
			return -1
		}
		if p := b[i]; p < utf8.RuneSelf {
			if p != c && !(c >= 'a' && c <= 'z' && p == c-'a'+'A') {
				return -1
			}
			i++
			continue
		}
		r, w := utf8.DecodeRune(b[i:])
		if !foldsTo(r, rune(c)) {
			return -1
		}
		i += w
	}
	return i
}

// foldsTo reports whether r is in c's case-folding orbit.
func foldsTo(r, c rune) bool {
	for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
		if f == r {
			return true
		}
	}
	return r == c
}
