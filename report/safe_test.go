package report

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzSafeAlready: the byte-by-byte test for ASCII agrees with the rune
// test it stands for, on any input.
func FuzzSafeAlready(f *testing.F) {
	for _, s := range []string{"", "plain/path.go", "a\\b", "tab\there", "esc\x1b[31m", "del\x7f", "é", "bidi\u202e", "soft\u00ad", "bad\xff", "\u0085next", "x\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := true
		for _, r := range s {
			if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\\' {
				want = false
				break
			}
		}
		if got := safeAlready(s); got != want {
			t.Fatalf("safeAlready(%q) = %v, want %v", s, got, want)
		}
		if want && Safe(s) != s {
			t.Fatalf("Safe(%q) changed a clean string: %q", s, Safe(s))
		}
	})
}
