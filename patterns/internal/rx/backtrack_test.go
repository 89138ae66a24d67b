package rx

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestBacktrackInputs: the backtracker reads bytes and a string's bytes in
// place, its steps written out for ASCII: on ASCII, multi-byte and invalid
// UTF-8, at the ends of the input, with empty-width assertions and with a
// literal prefix searched for first, a match and its groups are Go's
// regexp's, for both kinds of input. (Each input is short enough for the
// backtracker.)
func TestBacktrackInputs(t *testing.T) {
	exprs := []string{
		`a+b`, `(?i)k[eé]y=(\w+)`, `^(\S+)\s*$`, `(?m)^x(.)$`, `\bpass(word)?\b`, `héllo(.)`,
		`(?s)a.c`, `a.c`, `[^a-z]+`, `(?i)secret[_-]?(key)?[:=]([^ ]{3,})`, `x*`, `$`, `\B..\B`,
		`token_(?P<v>[A-Za-z0-9]{4,})`, `é+`, `[\x{80}-\x{10FFFF}]`, `(?:\x{80}|b)`,
	}
	inputs := []string{
		"", "aab", "key=abc", "KÉY=xyz é", "  spaced  ", "x1\nxé\nx", "password passwords pass",
		"héllo!", "a\nc abc", "\xff\xfeab\xc3", "ABC-123", "SECRET_KEY:hunter22 more", "token_ABCD12 token_x",
		"ééé", "\x80", "Ünïcödé tëxt 🙂 token_🙂abcd",
	}
	for _, e := range exprs {
		want, got := regexp.MustCompile(e), MustCompile(e)
		for _, in := range inputs {
			if w, g := want.FindSubmatchIndex([]byte(in)), got.FindSubmatchIndex([]byte(in)); !reflect.DeepEqual(w, g) {
				t.Errorf("%q on %q as bytes: %v, Go's regexp %v", e, in, g, w)
			}
			if w, g := want.FindStringSubmatchIndex(in), got.FindStringSubmatchIndex(in); !reflect.DeepEqual(w, g) {
				t.Errorf("%q on %q as a string: %v, Go's regexp %v", e, in, g, w)
			}
			if w, g := want.MatchString(in), got.MatchString(in); w != g {
				t.Errorf("%q MatchString(%q) = %v, Go's regexp %v", e, in, g, w)
			}
		}
	}
}

// BenchmarkBacktrack runs regexes shaped as the catalogue's generic rules
// (a line-anchored name, an assignment, a value class) over lines of a
// rule file full of example keys, each line alone, as the detector runs
// them around keyword hits: the backtracker's own speed, the input's steps
// included.
func BenchmarkBacktrack(b *testing.B) {
	exprs := []string{
		`(?im:^[ \t]*(?:export[ \t]+|ENV[ \t]+|-[ \t]+)?[a-z0-9_.\-]*(?:secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|client[_-]?secret|private[_-]?key|credentials?)s?(?:[_-]?(?:value|key))?[ \t]*(?:\?=|:{1,3}=|=|:|[ \t])[ \t]*)(?P<secret>[A-Za-z0-9+/=_.~-]{16,})[ \t]*(?:[ \t]#[^\n]*)?$`,
		`(?i)(?:api|secret|access)[_-]?(?:key|token)["']?\s*[:=]\s*["']?(?P<secret>[a-z0-9_\-]{20,64})["']?`,
		`\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b`,
	}
	lines := []string{
		`      - 'token: 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'`,
		`    description: Detects a GitHub personal access token in source code and configuration files`,
		`  api_key: Rfhdc5ynN0oPJNKWwzo_xpNmLHmcREb9ZD2MaUA-`,
		`        pattern: |`,
		`          (?xi)`,
		`      - "secret_key = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'"`,
		`  - name: Example secret token value for the tests of the rule`,
		`CLIENT_SECRET=BGWUrQ3LmsG0Ew0AQ2cbbc8PKUsP0Hei # staging`,
	}
	var res []*Regexp
	for _, e := range exprs {
		res = append(res, MustCompile(e))
	}
	var in [][]byte
	n := 0
	for _, l := range lines {
		in = append(in, []byte(strings.Repeat(" ", 4)+l))
		n += len(l) + 4
	}
	b.SetBytes(int64(n * len(res)))
	b.ReportAllocs()
	for b.Loop() {
		for _, re := range res {
			for _, l := range in {
				re.FindSubmatchIndex(l)
			}
		}
	}
}
