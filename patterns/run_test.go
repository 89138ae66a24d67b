package patterns

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestRequiredRun: the run worked out of a regex, and texts that hold it
// or not. A text the filter turns down must be one the regex cannot
// match; each case checks that against the regex itself.
func TestRequiredRun(t *testing.T) {
	for _, tc := range []struct {
		re    string
		n     int      // 0: no run of minRun or more
		set   string   // bytes that must be in the set
		in    []string // hold the run
		notIn []string // do not
	}{
		{re: `ghp_[A-Za-z0-9]{36}`, n: 40, in: []string{"x ghp_" + strings.Repeat("a1", 18)}, notIn: []string{"ghp_" + strings.Repeat("a1", 17) + " and more"}},
		// The secret group's run, which may be longer than the match and
		// start before it.
		{re: `secret=(?P<secret>[a-f0-9]{40})\b`, n: 40, set: "0123456789abcdef", in: []string{"secret=" + strings.Repeat("f", 40)}, notIn: []string{"secret=" + strings.Repeat("f", 39) + "-"}},
		{re: `(?i:acme)[ =]+(?P<secret>ak_[a-z0-9]{20})`, n: 23, set: "ak_z09"},
		// A secret group whose run is too short: the whole regex's.
		{re: `[A-Z0-9]{20}:(?P<secret>[a-z]{6})`, n: 21, set: "AZ09:"},
		// (?i) folds the class and the literal: upper case, and the
		// Kelvin sign's bytes for k, are in the run. The run is the
		// whole sequence: every byte of it is in the union.
		{re: `(?i)key=[a-f0-9]{10}`, n: 14, set: "kKeEyY=aAfF09\xe2\x84\xaa", in: []string{"KEY=ABCDEF0123"}, notIn: []string{"key=ABCDEFG123"}},
		// Of the runs of a sequence, the one text holds least often:
		// twelve digits after a dash, rather than that and the eight
		// letters before.
		{re: `[a-z]{8}-[0-9]{12}`, n: 13, set: "-0123456789", in: []string{"abcdefgh-012345678901"}, notIn: []string{"abcdefgh-01234567890"}},
		{re: `[a-z]{8}\.\s*[0-9]{12}`, n: 12, in: []string{"abcdefgh. 012345678901"}, notIn: []string{"abcdefgh. 01234567890"}},
		// Alternatives: the shorter run over both sets.
		{re: `(?:[0-9]{10}|[a-z]{20})`, n: 10, in: []string{"0123456789", "abcdefghij"}, notIn: []string{"01234abcd"}},
		{re: `(?:[0-9a-f]{32}|[0-9A-F]{32})`, n: 32, set: "0123456789abcdefABCDEF"},
		{re: `(?:[0-9a-f]{8}-[0-9a-f]{4}|[0-9A-F]{8}-[0-9A-F]{4})`, n: 13, set: "0123456789abcdefABCDEF-"},
		{re: `[A-Za-z0-9+/]{20,40}={0,2}`, n: 20, set: "ABCXYZabcxyz0189+/"},
		// A non-ASCII character in the class: its bytes are in the set.
		{re: `token=(?P<secret>[^"\s]{12,})`, n: 12, set: "aZ09+/\x80\xff", in: []string{"pässwörd_1234", "日本語日本語日本語日本語"}, notIn: []string{"short words only here"}},
		// A run of nearly any byte is in every window: no use.
		{re: `.{16}`},
		{re: `[^"]{20}`},
		// A repetition of a longer pattern holds its content's run.
		{re: `(?:[A-Z]{9}_)+`, n: 10, in: []string{"ABCDEFGHI_"}, notIn: []string{"ABCDEFGH_"}},
		{re: `(?:[A-Z]{9}_|x)+`, n: 0},
		// No run: optional, starred, too short, or an alternative without.
		{re: `[a-z]{0,40}`},
		{re: `[a-z]*x`},
		{re: `[a-z]{7}`},
		{re: `(?:[0-9]{10}|token)`},
		{re: `(?:(?P<secret>[0-9a-f]{40})|none)`},
		{re: `x{0,3}(?P<secret>[a-z]{12})?`},
	} {
		br := (&Rule{Source: tc.re}).RequiredRun()
		re := regexp.MustCompile(tc.re)
		if tc.n == 0 {
			if br != nil {
				t.Errorf("%s: run of %d, want none", tc.re, br.N)
			}
			continue
		}
		if br == nil || br.N != tc.n {
			t.Errorf("%s: run %q, want %d", tc.re, requiredRunSpec(tc.re), tc.n)
			continue
		}
		for _, c := range []byte(tc.set) {
			if !br.Set[c] {
				t.Errorf("%s: %q not in the run's set %q", tc.re, c, requiredRunSpec(tc.re))
			}
		}
		for _, s := range tc.in {
			if !br.In([]byte(s)) {
				t.Errorf("%s: %q holds no run", tc.re, s)
			}
		}
		for _, s := range tc.notIn {
			if br.In([]byte(s)) {
				t.Errorf("%s: %q holds a run", tc.re, s)
			}
			if re.MatchString(s) {
				t.Errorf("%s: %q matches: the case is wrong", tc.re, s)
			}
		}
	}
}

// TestRequiredRunHolds: over every built-in rule's examples, a text the
// rule's regex matches holds its run; so does every match of random edits
// of them. (The run is only a shortcut if it never turns a match away.)
func TestRequiredRunHolds(t *testing.T) {
	rules, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 5))
	with := 0
	for _, r := range rules {
		br := r.RequiredRun()
		if br == nil {
			continue
		}
		with++
		if fresh := parseRunSpec(requiredRunSpec(r.Source)); fresh == nil || *fresh != *br {
			t.Errorf("%s: the catalogue's run differs from the regex's (go generate ./patterns)", r.ID)
		}
		re := regexp.MustCompile(r.Source)
		for _, ex := range append(append([]string(nil), r.Examples...), r.Counterexamples...) {
			for i := range 8 {
				in := ex
				if i > 0 {
					in = editText(rng, ex)
				}
				for _, m := range re.FindAllStringIndex(in, -1) {
					if !br.In([]byte(in[m[0]:m[1]])) {
						t.Errorf("%s: match %q lacks the run %d of the set", r.ID, in[m[0]:m[1]], br.N)
					}
				}
			}
		}
	}
	// Most rules have a run: a change that finds none would pass the
	// loop above by testing nothing.
	if with < len(rules)/2 {
		t.Fatalf("only %d of %d rules have a run", with, len(rules))
	}
	t.Logf("%d of %d rules have a run", with, len(rules))
}

// TestByteRunIn compares the skipping search with a plain count.
func TestByteRunIn(t *testing.T) {
	var br ByteRun
	for _, b := range []byte("abc") {
		br.Set[b] = true
	}
	plain := func(w string, n int) bool {
		run := 0
		for i := 0; i < len(w); i++ {
			if br.Set[w[i]] {
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
		br.N = n
		for _, a := range words {
			for _, b := range words {
				for _, c := range words {
					w := a + b + c
					if got, want := br.In([]byte(w)), plain(w, n); got != want {
						t.Fatalf("run of %d in %q: %v, want %v", n, w, got, want)
					}
				}
			}
		}
	}
	var none *ByteRun
	if !none.In(nil) {
		t.Error("no run must be in everything")
	}
	for _, bad := range []string{"-", "", "x:30-39", "4", "4:39-30", "0:30-39", "4:30"} {
		if parseRunSpec(bad) != nil {
			t.Errorf("parseRunSpec(%q) is not nil", bad)
		}
	}
}

// FuzzRequiredRun: the run worked out of any regex is one every match
// holds (a run the text lacks turns a window down before its regex, so a
// wrong run loses findings silently), its spec reads back, and no spec
// string makes the reader panic.
func FuzzRequiredRun(f *testing.F) {
	f.Add(`(?P<secret>[a-f0-9]{32})`, "key = 0123456789abcdef0123456789abcdef")
	f.Add(`tok_(?P<secret>[A-Za-z0-9]{16,}|[0-9]{20})`, "tok_12345678901234567890")
	f.Add(`(?i)secret[=:](?P<secret>[\w-]{12})`, "SECRET=abc-def_ghi1")
	f.Add(`4:30-39,61-66`, "")
	f.Fuzz(func(t *testing.T, src, text string) {
		parseRunSpec(src) // any string: nil or a run, never a panic
		re, err := regexp.Compile(src)
		if err != nil {
			return
		}
		spec := requiredRunSpec(src)
		if spec == "-" {
			return
		}
		br := parseRunSpec(spec)
		if br == nil {
			t.Fatalf("spec %q of %q does not read back", spec, src)
		}
		if re.MatchString(text) && !br.In([]byte(text)) {
			t.Fatalf("%q matches %q, which lacks its required run %s", src, text, spec)
		}
	})
}
