package patterns

import (
	"regexp"
	"regexp/syntax"
	"testing"
)

// TestFoldLiteral: the literal every match holds in some case, and the
// search for it; each case is checked against the regex itself.
func TestFoldLiteral(t *testing.T) {
	for _, tc := range []struct {
		re, lit string
		in      []string // hold it and match
		notIn   []string // neither
	}{
		{re: `(?i)\bname=(\w+)\s*value=(\w+)`, lit: "value=", in: []string{"NAME=x VALUE=y", "Name=x vAlUe=y"}, notIn: []string{"name=x valu=y"}},
		// Case-sensitive literals count, compared in any case.
		{re: `getConnection\(\s*\w+`, lit: "getconnection(", in: []string{"getConnection(url"}},
		{re: `tok=\w+`, lit: "tok="},
		// (?i)k and (?i)s match the Kelvin sign and the long s: the
		// longest piece without them.
		{re: `(?i)secret_value=\w+`, lit: "ecret_value=", in: []string{"SECRET_VALUE=1", "\u017fecret_value=1"}},
		{re: `(?i)tok=\w+`, lit: ""},
		// Optional or alternative literals are not required.
		{re: `(?i)(?:value)?=\w+`, lit: ""},
		{re: `(?i)(?:value|other)=\w+`, lit: ""},
	} {
		got := requiredFoldLiteral(tc.re)
		if got != tc.lit {
			t.Errorf("%s: literal %q, want %q", tc.re, got, tc.lit)
			continue
		}
		rx := regexp.MustCompile(tc.re)
		for _, s := range tc.in {
			if !ContainsFold([]byte(s), []byte(tc.lit)) || !rx.MatchString(s) {
				t.Errorf("%s: %q: holds %q %v, matches %v", tc.re, s, tc.lit, ContainsFold([]byte(s), []byte(tc.lit)), rx.MatchString(s))
			}
		}
		for _, s := range tc.notIn {
			if ContainsFold([]byte(s), []byte(tc.lit)) || rx.MatchString(s) {
				t.Errorf("%s: %q holds %q or matches", tc.re, s, tc.lit)
			}
		}
	}
	// (?i)k matches the Kelvin sign: a literal holding k would turn this
	// match down.
	if !regexp.MustCompile(`(?i)tok=`).MatchString("to\u212a=") {
		t.Fatal("(?i)k no longer matches the Kelvin sign: the exclusion can go")
	}
	for _, w := range []string{"", "va", "xxvalux", "VALU"} {
		if ContainsFold([]byte(w), []byte("value")) {
			t.Errorf("%q holds value", w)
		}
	}
	if re, _ := syntax.Parse(`[a-z]+`, syntax.Perl); foldLiteral(re) != "" {
		t.Error("a class is not a literal")
	}
}

// TestFoldLiteralCatalogue: every match of every built-in rule in its
// examples and counterexamples holds the rule's literal in some case, so a
// window without it could not have matched. It fails if foldLiteral claims
// more than a regex requires.
func TestFoldLiteralCatalogue(t *testing.T) {
	rules, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	withFold, matches := 0, 0
	for _, r := range rules {
		lit := r.RequiredFold()
		if lit == nil {
			continue
		}
		withFold++
		if want := requiredFoldLiteral(r.Source); want != string(lit) {
			t.Errorf("%s: catalogue literal %q, worked out %q: go generate ./patterns", r.ID, lit, want)
		}
		for _, s := range append(append([]string{}, r.Examples...), r.Counterexamples...) {
			for _, m := range r.Regex().FindAllString(s, -1) {
				matches++
				if !ContainsFold([]byte(m), lit) {
					t.Errorf("%s: match %q does not hold %q", r.ID, m, lit)
				}
			}
		}
	}
	if withFold < len(rules)/4 || matches < len(rules)/4 {
		t.Fatalf("%d of %d rules have a literal, %d matches checked", withFold, len(rules), matches)
	}
}

// FuzzFoldLiteral: the case-folded literal worked out of any regex is in
// every text the regex matches (a window without it is turned down before
// the regex runs, so a wrong literal would drop findings).
func FuzzFoldLiteral(f *testing.F) {
	f.Add(`(?i)value[ =:]+(?P<secret>\w{8,})`, "VaLuE = abcdefgh12")
	f.Add(`(?i)(?:token|key)_k(?P<secret>[0-9]{6})`, "TOKEN_K123456")
	f.Add(`(?i)ks`, "\u212a\u017f")
	f.Fuzz(func(t *testing.T, src, text string) {
		re, err := regexp.Compile(src)
		if err != nil {
			return
		}
		lit := requiredFoldLiteral(src)
		if lit != "" && re.MatchString(text) && !ContainsFold([]byte(text), []byte(lit)) {
			t.Fatalf("%q matches %q, which lacks its literal %q", src, text, lit)
		}
	})
}
