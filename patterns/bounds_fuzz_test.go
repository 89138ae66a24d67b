package patterns

import (
	"reflect"
	"regexp"
	"testing"
)

// FuzzRelax: for any regex relaxText can lift a bound of, the Finder built
// on it finds in any input exactly what the regex as written finds, first
// match and all matches; and relaxText never panics on what it is given.
// Seeds are the shapes that make relaxing subtle: lazy and greedy counts,
// two lifted counts of different slack, counts inside alternations and
// groups, escapes and classes holding braces, and non-ASCII operands.
func FuzzRelax(f *testing.F) {
	for _, s := range []struct{ src, in string }{
		{`\b(?P<secret>sl\.[A-Za-z0-9_-]{130,1000})(?:[^A-Za-z0-9_-]|$)`, "x sl.abcdefghij"},
		{`[a-z]{1,40}`, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk qqqq"},
		{`a\S{4,256}?b.{0,40}c`, "a1234bzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzc"},
		{`(?:x[0-9]{2,60}|y[a-f]{1,30})z`, "x0123456789z y" + "abcdefabcdefabcdefabcdefabcdefabcdefz"},
		{`(?i)k[é\pL]{3,50}$`, "Kééééééééééééééééééééééééééééééééééééééééééééééééééééé"},
		{`[]{]{0,64}x{1,64}?`, "{{{{{}}}}}xxxxxxxxxxxxxxxxxxx"},
		{`^[\s\S]?(?:key=(?P<secret>[A-Za-z0-9+/]{20,200}={0,2}))`, "xkey=QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=="},
	} {
		f.Add(s.src, s.in)
	}
	f.Fuzz(func(t *testing.T, src, in string) {
		if len(src) > 200 || len(in) > 4096 {
			return
		}
		relaxed := relaxText(src) // must not panic, whatever src is
		limit := relaxLimit(src)
		if limit == 0 {
			return
		}
		exact, err := regexp.Compile(src)
		if err != nil {
			t.Fatalf("relaxLimit(%q) = %d for a regex that does not compile: %v", src, limit, err)
		}
		if _, err := regexp.Compile(relaxed); err != nil {
			t.Fatalf("relaxText(%q) = %q does not compile: %v", src, relaxed, err)
		}
		fd := newFinder(src, limit)
		b := []byte(in)
		if got, want := fd.FindSubmatchIndex(b), exact.FindSubmatchIndex(b); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q (relaxed %q, limit %d) in %q: Finder %v, exact %v", src, relaxed, limit, in, got, want)
		}
		if got, want := fd.FindAllSubmatchIndex(b, -1), exact.FindAllSubmatchIndex(b, -1); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q (relaxed %q, limit %d) in %q: all Finder %v, exact %v", src, relaxed, limit, in, got, want)
		}
	})
}
