package patterns

import (
	"net/url"
	"testing"
)

var escapes = []string{
	"", "plain", "p%40ss", "%41%42", "%4", "%", "%%", "%zz", "a%2", "a%2F", "%2f%2F", "+", "a+b%20c", "%E2%82%AC",
	"%ff%FE", "100%", "%-1", "%0g", "%25", "x%41y%", "%c3%28",
}

// TestPathUnescapeIsNetURLs: pathUnescape decodes and refuses what
// url.PathUnescape does.
func TestPathUnescapeIsNetURLs(t *testing.T) {
	for _, s := range escapes {
		checkUnescape(t, s)
	}
}

func checkUnescape(t *testing.T, s string) {
	t.Helper()
	got, gerr := pathUnescape(s)
	want, werr := url.PathUnescape(s)
	if got != want || (gerr == nil) != (werr == nil) {
		t.Errorf("pathUnescape(%q) = %q, %v; url.PathUnescape: %q, %v", s, got, gerr, want, werr)
	}
}

// FuzzPathUnescape: on any input, pathUnescape is url.PathUnescape.
func FuzzPathUnescape(f *testing.F) {
	for _, s := range escapes {
		f.Add(s)
	}
	f.Fuzz(checkUnescape)
}
