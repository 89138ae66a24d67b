package scanner

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

// TestNecessaryRun: the run worked out of a regex, and windows that hold
// it or not. A window the filter turns down must be one the regex cannot
// match; each case checks that against the regex itself.
func TestNecessaryRun(t *testing.T) {
	for _, tc := range []struct {
		re    string
		n     int      // 0: no run of minClassRun or more
		in    []string // hold the run
		notIn []string // do not
	}{
		{re: `ghp_[A-Za-z0-9]{36}`, n: 36, in: []string{"x ghp_" + strings.Repeat("a1", 18)}, notIn: []string{"ghp_" + strings.Repeat("a1", 17) + " and more"}},
		// A run may be longer than the match, and start before it.
		{re: `secret=(?P<secret>[a-f0-9]{40})\b`, n: 40, in: []string{"secret=" + strings.Repeat("f", 40)}, notIn: []string{"secret=" + strings.Repeat("f", 39) + "-"}},
		// (?i) folds the class: upper case is in the run.
		{re: `(?i)key=[a-f0-9]{10}`, n: 10, in: []string{"KEY=ABCDEF0123"}, notIn: []string{"key=ABCDEFG123"}},
		// The longest run of a sequence.
		{re: `[a-z]{8}-[0-9]{12}`, n: 12, in: []string{"abcdefgh-012345678901"}, notIn: []string{"abcdefgh-01234567890"}},
		// Alternatives: the shorter run over both sets.
		{re: `(?:[0-9]{10}|[a-z]{20})`, n: 10, in: []string{"0123456789", "abcdefghij"}, notIn: []string{"01234abcd"}},
		// A non-ASCII character in the class: its bytes are in the set.
		{re: `[^\s"]{12,}`, n: 12, in: []string{"pässwörd_1234", "日本語日本語日本語日本語"}, notIn: []string{"short words only here"}},
		{re: `.{16}`, n: 16, in: []string{strings.Repeat("x", 16)}, notIn: []string{"fifteen chars!!", "eight ch\nars ok"}},
		// A repetition of a longer pattern holds its content's run.
		{re: `(?:[A-Z]{9}_)+`, n: 9, in: []string{"ABCDEFGHI_"}, notIn: []string{"ABCDEFGH_"}},
		// No run: optional, starred, too short, or an alternative without.
		{re: `[a-z]{0,40}`},
		{re: `[a-z]*x`},
		{re: `[a-z]{7}`},
		{re: `(?:[0-9]{10}|token)`},
	} {
		l := lazyClassRun{src: tc.re}
		cr := l.get().run
		re := regexp.MustCompile(tc.re)
		if tc.n == 0 {
			if cr != nil {
				t.Errorf("%s: run of %d, want none", tc.re, cr.n)
			}
			continue
		}
		if cr == nil || cr.n != tc.n {
			t.Errorf("%s: run %v, want %d", tc.re, cr, tc.n)
			continue
		}
		for _, s := range tc.in {
			if !cr.in([]byte(s)) {
				t.Errorf("%s: %q holds no run", tc.re, s)
			}
		}
		for _, s := range tc.notIn {
			if cr.in([]byte(s)) {
				t.Errorf("%s: %q holds a run", tc.re, s)
			}
			if re.MatchString(s) {
				t.Errorf("%s: %q matches: the case is wrong", tc.re, s)
			}
		}
	}
}

// TestClassRunIn compares the skipping search with a plain count.
func TestClassRunIn(t *testing.T) {
	var cr classRun
	for _, b := range []byte("abc") {
		cr.set[b] = true
	}
	plain := func(w string, n int) bool {
		run := 0
		for i := 0; i < len(w); i++ {
			if cr.set[w[i]] {
				if run++; run >= n {
					return true
				}
			} else {
				run = 0
			}
		}
		return false
	}
	words := []string{"", "a", "ab", "abc", "x", "xx", "abcabc", "cba", "d", "abcabcabc"}
	for n := 1; n <= 7; n++ {
		cr.n = n
		for _, a := range words {
			for _, b := range words {
				for _, c := range words {
					w := a + b + c
					if got, want := cr.in([]byte(w)), plain(w, n); got != want {
						t.Fatalf("run of %d in %q: %v, want %v", n, w, got, want)
					}
				}
			}
		}
	}
}

// TestClassRunCatalogue: every match of every built-in rule in its
// examples and counterexamples holds the rule's run, so the filter never
// turns down a window the regex would match. It fails if necessaryRun
// claims more than a regex requires.
func TestClassRunCatalogue(t *testing.T) {
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	withRun, withFold, matches := 0, 0, 0
	for _, r := range rules {
		l := lazyClassRun{src: r.Source}
		lr := l.get()
		if lr.run != nil {
			withRun++
		}
		if lr.fold != nil {
			withFold++
		}
		for _, s := range append(append([]string{}, r.Examples...), r.Counterexamples...) {
			for _, m := range r.Regex().FindAllString(s, -1) {
				matches++
				if !lr.mayMatch([]byte(m)) {
					t.Errorf("%s: match %q holds no run %v or no literal %q", r.ID, m, lr.run, lr.fold)
				}
			}
		}
	}
	// Most rules have a run: a change that finds none would pass the
	// loop above by testing nothing.
	if withRun < len(rules)/2 || withFold < len(rules)/4 || matches < len(rules) {
		t.Fatalf("%d of %d rules have a run, %d a literal; %d matches checked", withRun, len(rules), withFold, matches)
	}
}

// TestFoldLiteral: the literal every match holds in some case, and the
// search for it.
func TestFoldLiteral(t *testing.T) {
	for _, tc := range []struct {
		re, lit string
		in      []string // hold it
		notIn   []string // do not
	}{
		{re: `(?i)\bname=(\w+)\s*value=(\w+)`, lit: "value=", in: []string{"NAME=x VALUE=y", "Name=x vAlUe=y"}, notIn: []string{"name=x valu=y"}},
		// Case-sensitive literals count, compared in any case.
		{re: `getConnection\(\s*\w+`, lit: "getconnection(", in: []string{"getConnection(url"}},
		// (?i)k and (?i)s match the Kelvin sign and the long s: the
		// longest piece without them.
		{re: `(?i)secret_value=\w+`, lit: "ecret_value=", in: []string{"SECRET_VALUE=1", "\u017fecret_value=1"}},
		{re: `(?i)tok=\w+`, lit: ""},
		{re: `tok=\w+`, lit: "tok="},
		// Optional or alternative literals are not required.
		{re: `(?i)(?:value)?=\w+`, lit: ""},
		{re: `(?i)(?:value|other)=\w+`, lit: ""},
	} {
		re, err := syntax.Parse(tc.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		got := foldLiteral(re)
		if len(got) < minFoldLiteral {
			got = ""
		}
		if got != tc.lit {
			t.Errorf("%s: literal %q, want %q", tc.re, got, tc.lit)
			continue
		}
		rx := regexp.MustCompile(tc.re)
		for _, s := range tc.in {
			if !containsFold([]byte(s), []byte(tc.lit)) || !rx.MatchString(s) {
				t.Errorf("%s: %q: holds %q %v, matches %v", tc.re, s, tc.lit, containsFold([]byte(s), []byte(tc.lit)), rx.MatchString(s))
			}
		}
		for _, s := range tc.notIn {
			if containsFold([]byte(s), []byte(tc.lit)) || rx.MatchString(s) {
				t.Errorf("%s: %q holds %q or matches", tc.re, s, tc.lit)
			}
		}
	}
	// (?i)k matches the Kelvin sign: a literal with k would turn this down.
	if !regexp.MustCompile(`(?i)tok=`).MatchString("to\u212a=") {
		t.Fatal("(?i)k no longer matches the Kelvin sign: the exclusion can go")
	}
	for _, w := range []string{"", "va", "xxvalux", "VALUE"[:4]} {
		if containsFold([]byte(w), []byte("value")) {
			t.Errorf("%q holds value", w)
		}
	}
}
