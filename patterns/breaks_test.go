package patterns

import (
	"regexp"
	"testing"
)

func TestBreaks(t *testing.T) {
	for _, tc := range []struct {
		re     string
		min    int
		breaks string // bytes that must be breaks
		held   string // bytes that must not be
	}{
		// generic-key's shape: a name, an operator, a quoted value.
		{`(?i:\b(?P<name>[a-z][a-z0-9_.-]*key)\s*(?:=|:)\s*["'])(?P<secret>[A-Za-z0-9+/=_-]{20,})["']`, 27, "();{}[]<&|*!", "aZ09_.-=:\"' \t\n+/"},
		// (?i) folds the literal: both cases are held.
		{`(?i)auth=(?P<secret>[0-9a-f]{8})`, 13, "();GXZ", "aAuUtThH=09afAF"},
		// . holds everything but a newline.
		{`tok_.{8}`, 12, "\n", "(;{ x"},
		// A trailing $ or \b consumes nothing.
		{`\bkey=[a-z]+$`, 5, "(;{ X", "key=a"},
	} {
		br := parseBreaksSpec(breaksSpec(tc.re))
		if br == nil {
			t.Errorf("%s: no breaks", tc.re)
			continue
		}
		if br.MinLen != tc.min {
			t.Errorf("%s: MinLen %d, want %d", tc.re, br.MinLen, tc.min)
		}
		for _, c := range []byte(tc.breaks) {
			if !br.Set[c] {
				t.Errorf("%s: %q is not a break", tc.re, c)
			}
		}
		for _, c := range []byte(tc.held) {
			if br.Set[c] {
				t.Errorf("%s: %q is a break, but a match can hold it", tc.re, c)
			}
		}
	}
	// No breaks: a class that holds every byte, or a regex that can match
	// nothing at all (an empty match has no byte to split at).
	for _, re := range []string{`[\s\S]{8}`, `(?s:.+)`, `(?:key)?`, `a*`, `\b`, `x|`} {
		if spec := breaksSpec(re); spec != "-" {
			t.Errorf("%s: breaks %q, want none", re, spec)
		}
	}
	for _, bad := range []string{"-", "", "x:30-39", "4:80-ff", "0:28-29"} {
		if parseBreaksSpec(bad) != nil {
			t.Errorf("parseBreaksSpec(%q) is not nil", bad)
		}
	}
}

// FuzzBreaks: no match of any regex holds one of its breaks or is shorter
// than MinLen (a wrong break cuts a window where a match runs and loses
// the finding silently), and the spec reads back.
func FuzzBreaks(f *testing.F) {
	f.Add(`(?i:\b(?P<name>[a-z][a-z0-9_.-]*key)\s*(?:=|:)\s*["'])(?P<secret>[A-Za-z0-9+/=_-]{20,})["']`, `x(api_key = "abcdefghij0123456789ab");`)
	f.Add(`(?i)auth=(?P<secret>[0-9a-f]{8})`, "AUTH=deadBEEF")
	f.Add(`tok_.{8}|(?m:^x+$)`, "tok_(;{}[]<>\nxx\n")
	f.Fuzz(func(t *testing.T, src, text string) {
		parseBreaksSpec(src) // any string: nil or breaks, never a panic
		re, err := regexp.Compile(src)
		if err != nil {
			return
		}
		spec := breaksSpec(src)
		if spec == "-" {
			return
		}
		br := parseBreaksSpec(spec)
		if br == nil {
			t.Fatalf("spec %q of %q does not read back", spec, src)
		}
		for _, m := range re.FindAllStringIndex(text, -1) {
			if m[1]-m[0] < br.MinLen {
				t.Fatalf("%q matches %q in %q, shorter than MinLen %d", src, text[m[0]:m[1]], text, br.MinLen)
			}
			for i := m[0]; i < m[1]; i++ {
				if br.Set[text[i]] {
					t.Fatalf("%q matches %q in %q, which holds break %q", src, text[m[0]:m[1]], text, text[i])
				}
			}
		}
	})
}
