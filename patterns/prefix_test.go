package patterns

import (
	"regexp"
	"regexp/syntax"
	"testing"
)

// literalPrefixLen agrees with compiling the printed secret group, for
// every built-in rule and for groups anchored at the start of the text
// (where regexp runs one-pass and finds the prefix its own way), and each
// built-in rule's SecretPrefixLen, carried from the catalogue's
// generation, is what it works out.
func TestLiteralPrefixLenMatchesRegexp(t *testing.T) {
	t.Parallel()
	rules, err := Builtin()
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
		if got := secretPrefixLen(src); got != want {
			t.Errorf("%q: secretPrefixLen = %d, want %d", src, got, want)
		}
		if want > 0 {
			nonzero++
		}
	}
	for _, r := range rules {
		if r.prefix == 0 {
			t.Fatalf("%s: no prefix length from the catalogue's generation", r.ID)
		}
		if got, want := r.SecretPrefixLen(), secretPrefixLen(r.Source); got != want {
			t.Errorf("%s: SecretPrefixLen = %d, want %d", r.ID, got, want)
		}
	}
	custom, errs := RawRule{ID: "acme-key", Description: "Acme key", Keywords: []string{"acme_"}, Regex: `key=(?P<secret>acme_[a-z0-9]{16})`}.Compile("x.toml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := custom.SecretPrefixLen(); got != len("acme_") {
		t.Errorf("a user's rule: SecretPrefixLen = %d, want %d", got, len("acme_"))
	}
	if nonzero < 10 {
		t.Errorf("only %d sources have a literal prefix: the comparison tests little", nonzero)
	}
}
