package patterns

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestRequiredRun: the run every match holds, taken from the secret group
// when every match holds that.
func TestRequiredRun(t *testing.T) {
	for _, tc := range []struct {
		regex string
		set   string // bytes that must be in the set
		n     int    // 0: no run
	}{
		{`(?P<secret>[0-9a-f]{32})`, "0123456789abcdef", 32},
		{`(?:[0-9a-f]{32}|[0-9A-F]{32})`, "0123456789abcdefABCDEF", 32},
		{`[A-Za-z0-9+/]{20,40}={0,2}`, "ABCXYZabcxyz0189+/", 20},
		{`(?:[0-9a-f]{8}-[0-9a-f]{4}|[0-9A-F]{8}-[0-9A-F]{4})`, "0123456789abcdefABCDEF-", 13},
		{`\b(?P<secret>ak_[a-z0-9]{20})\b`, "ak_z09", 23},
		{`(?i:acme)[ =]+(?P<secret>ak_[a-z0-9]{20})`, "ak_z09", 23},
		// the keyword's letters, either case, and k's and s's folds
		{`(?i:secretkey)=[0-9]{4}`, "sSkKeE\x80\xff=09", 14},
		// a run that may hold spaces is no use
		{`(?i:secretkey)\s*=\s*"[^"]{4}"`, "", 0},
		{`ak_\w+`, "ak_AZaz09", 4},
		{`token=(?P<secret>[^"\s]{12,})`, "aZ09+/\x80\xff", 12},
		{`token=.{16}`, "", 0},
		// a secret group that not every match holds
		{`(?:(?P<secret>[0-9a-f]{40})|none)`, "", 0},
		{`x{0,3}(?P<secret>[a-z]{12})?`, "", 0},
		{`(?P<secret>[A-Z]{4}).{0,10}`, "", 0},
	} {
		spec := requiredRunSpec(tc.regex)
		br := parseRunSpec(spec)
		n := 0
		if br != nil {
			n = br.N
		}
		want := tc.n
		if want < minRun {
			want = 0
		}
		if n != want {
			t.Errorf("%s: run %q, length %d, want %d", tc.regex, spec, n, want)
			continue
		}
		for _, c := range []byte(tc.set) {
			if br != nil && !br.Set[c] {
				t.Errorf("%s: %q not in the run's set %q", tc.regex, c, spec)
			}
		}
		if br != nil && strings.Contains(tc.regex, "[0-9a-f]") && (br.Set[' '] || br.Set['"']) {
			t.Errorf("%s: the run's set %q holds a space or a quote", tc.regex, spec)
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
	t.Logf("%d of %d rules have a run", with, len(rules))
}

func TestByteRunIn(t *testing.T) {
	br := parseRunSpec("4:30-39")
	for in, want := range map[string]bool{"": false, "123": false, "1234": true, "ab12c3456d": true, "12a34b56": false, "x 0000": true} {
		if got := br.In([]byte(in)); got != want {
			t.Errorf("In(%q) = %v, want %v", in, got, want)
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
