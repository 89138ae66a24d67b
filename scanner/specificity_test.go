package scanner

import (
	"regexp"
	"regexp/syntax"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

// literalPrefixLen agrees with compiling the printed secret group, for
// every built-in rule and for groups anchored at the start of the text
// (where regexp runs one-pass and finds the prefix its own way).
func TestLiteralPrefixLenMatchesRegexp(t *testing.T) {
	t.Parallel()
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	srcs := []string{`^abc[0-9]+`, `\Aghp_[A-Za-z0-9]{36}`, `(?i)abc`, `abc|abd`, `(?P<secret>xoxb-[0-9]+)`, `x*y`, `(?m:^)key`, ``}
	for _, r := range rules {
		srcs = append(srcs, r.Source)
	}
	nonzero := 0
	for _, src := range srcs {
		re, err := syntax.Parse(src, syntax.Perl)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if g := findCapture(re, "secret"); g != nil {
			re = g
		}
		want := 0
		if prog, err := regexp.Compile(re.String()); err == nil {
			prefix, _ := prog.LiteralPrefix()
			want = len(prefix)
		}
		if got := literalPrefixLen(re); got != want {
			t.Errorf("%q: literalPrefixLen = %d, want %d", src, got, want)
		}
		if want > 0 {
			nonzero++
		}
	}
	if nonzero < 10 {
		t.Errorf("only %d sources have a literal prefix: the comparison tests little", nonzero)
	}
}
