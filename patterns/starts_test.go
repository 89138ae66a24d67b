package patterns

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestStarts(t *testing.T) {
	for _, tc := range []struct {
		re   string
		want string // NUL-joined, sorted; "-" none
	}{
		{`\b[gG]et_?(?P<name>[A-Za-z0-9_]*(?i:token|key))\(\)`, "Get\x00get"},
		{`(?:\bauth\s*=\s*\(|\bHTTP(?:Basic|Digest)Auth\()\s*["']`, "HTTPBasicAuth(\x00HTTPDigestAuth(\x00auth"},
		// Folded letters: each case (k's Kelvin sign makes (?i)key twelve
		// strings, too many to look for).
		{`(?i)ab=`, "AB=\x00Ab=\x00aB=\x00ab="},
		{`(?i)key=\d+`, "-"},
		// Too short, optional, or open at the first byte.
		{`ab[0-9]+`, "-"},
		{`(?:tok)?en_[a-z]+`, "-"},
		{`[a-z]+key`, "-"},
		{`.key`, "-"},
		// A class of few runes is spelled out; U+FFFD stands for any invalid byte too.
		{`[xy]tok_`, "xtok_\x00ytok_"},
		{"tok\uFFFD_", "tok"},
		{`\bpass(?:word)?=`, "pass"},
	} {
		if got := startsSpec(tc.re); got != tc.want {
			t.Errorf("startsSpec(%q) = %q, want %q", tc.re, got, tc.want)
		}
	}
}

// FuzzStarts: every match of any regex starts with one of its starts (a
// wrong start leaves a place untried and loses the finding silently), and
// a rule made of it reads them back.
func FuzzStarts(f *testing.F) {
	f.Add(`\b[gG]et_?(?P<name>[A-Za-z0-9_]*(?i:token|key))\(\)`, "x.getApiKey() Get_token()")
	f.Add(`(?:\bauth\s*=\s*\(|\bHTTP(?:Basic|Digest)Auth\()`, "auth = ( HTTPBasicAuth(")
	f.Add(`(?i)ab=|[xy]tok_`, "AB= aB= ytok_")
	f.Fuzz(func(t *testing.T, src, text string) {
		re, err := regexp.Compile(src)
		if err != nil {
			return
		}
		spec := startsSpec(src)
		if spec == "-" {
			return
		}
		r := &Rule{Source: src, startsSpec: spec}
		ss := r.Starts()
		if !slices.Equal(strings.Split(spec, "\x00"), func() []string {
			var out []string
			for _, s := range ss {
				out = append(out, string(s))
			}
			return out
		}()) {
			t.Fatalf("starts %q do not read back from %q", ss, spec)
		}
		for _, m := range re.FindAllStringIndex(text, -1) {
			ok := false
			for _, s := range ss {
				ok = ok || bytes.HasPrefix([]byte(text[m[0]:]), s)
			}
			if !ok {
				t.Fatalf("%q matches %q in %q, which starts with none of %q", src, text[m[0]:m[1]], text, spec)
			}
		}
	})
}

func TestMaxMatchLen(t *testing.T) {
	for _, tc := range []struct {
		re   string
		want int
	}{
		{`abc`, 3},
		// A negated class holds the widest runes.
		{`\bkey=[a-f0-9]{40}(?:[^A-Za-z0-9_-]|$)`, 4 + 40 + 4},
		{`(?:ab|cdef)?x`, 5},
		{`[a-z]{2,5}`, 5},
		// A rune counts its widest encoding, folded ones too (k's
		// Kelvin sign is three bytes), and . any rune.
		{`é`, 2},
		{`(?i)k`, 3},
		{`.`, 4},
		{`[\x{10000}-\x{10FFFF}]`, 4},
		// Assertions consume nothing, and a star of nothing is nothing.
		{`^\b$`, 0},
		{`(?:\b)*`, 0},
		// No bound.
		{`a+`, -1},
		{`x[^\n]*\n`, -1},
		{`a{2,}`, -1},
		{`(?:a{1000}){1000}b`, -1},
		{`(`, -1},
	} {
		if got := MaxMatchLen(tc.re); got != tc.want {
			t.Errorf("MaxMatchLen(%q) = %d, want %d", tc.re, got, tc.want)
		}
	}
}

// FuzzMaxMatchLen: no match of any regex is longer than MaxMatchLen says
// (a bound too short would cut a start attempt's input short and lose or
// change its match), on valid and invalid UTF-8.
func FuzzMaxMatchLen(f *testing.F) {
	f.Add(`\bkey=[a-f0-9]{4,8}(?:[^A-Za-z0-9_-]|$)`, "key=abcdef12 key=0123456789")
	f.Add(`(?i)sk_[a-z]{2,3}`, "SK_AB sK_abc \xe2\x84\xaa")
	f.Add(`[\s\S]{1,3}`, "\xff\xfe\xf0\x90\x80\x80é")
	f.Fuzz(func(t *testing.T, src, text string) {
		re, err := regexp.Compile(src)
		if err != nil {
			return
		}
		most := MaxMatchLen(src)
		if most < 0 {
			return
		}
		for _, m := range re.FindAllStringIndex(text, -1) {
			if m[1]-m[0] > most {
				t.Fatalf("%q matches %q (%d bytes) in %q, past MaxMatchLen %d", src, text[m[0]:m[1]], m[1]-m[0], text, most)
			}
		}
	})
}
