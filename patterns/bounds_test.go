package patterns

import (
	"math"
	"reflect"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
)

func TestRelaxText(t *testing.T) {
	for _, c := range []struct {
		src, want string
		limit     int // 0: nothing relaxed
	}{
		{`\b(?P<secret>sl\.[A-Za-z0-9_-]{130,1000})(?:[^A-Za-z0-9_-]|$)`, `\b(?P<secret>sl\.[A-Za-z0-9_-]{130,})(?:[^A-Za-z0-9_-]|$)`, 3 + 130 + 870},
		// Lazy, escaped and dotted operands; the least slack sets the limit.
		{`a\S{4,256}?b.{0,40}c`, `a\S{4,}?b.{0,}c`, 7 + 40},
		{`x\x41{1,100}\p{Greek}{2,80}\pL{0,50}`, `x\x41{1,}\p{Greek}{2,}\pL{0,}`, 4 + 50},
		// Under relaxSpan, a group, an exact count: as written.
		{`[a-z]{1,32}`, `[a-z]{1,32}`, 0},
		{`(?:ab){1,100}`, `(?:ab){1,100}`, 0},
		{`[a-z]{100}`, `[a-z]{100}`, 0},
		// Braces that are not a count: escaped, in a class, a literal.
		{`\{1,100}[{]{1,100}`, `\{1,100}[{]{1,}`, 7 + 1 + 99},
		{`[]{]{0,64}x{,64}`, `[]{]{0,}x{,64}`, 6 + 64},
		{`\Qab\E{1,100}`, `\Qab\E{1,100}`, 0},
		{`(?i:key)[ \t]{0,40}(?P<v>[^\s"']{8,256})`, `(?i:key)[ \t]{0,}(?P<v>[^\s"']{8,})`, 11 + 40},
	} {
		if got := relaxText(c.src); got != c.want {
			t.Errorf("relaxText(%q) = %q, want %q", c.src, got, c.want)
		}
		if got := relaxLimit(c.src); got != c.limit {
			t.Errorf("relaxLimit(%q) = %d, want %d", c.src, got, c.limit)
		}
	}
}

// liftable reports whether src holds a repetition Finder would relax.
func liftable(src string) bool {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return false
	}
	var walk func(re *syntax.Regexp) bool
	walk = func(re *syntax.Regexp) bool {
		if re.Op == syntax.OpRepeat && re.Max-re.Min >= relaxSpan && singleChar(re.Sub[0]) {
			return true
		}
		for _, sub := range re.Sub {
			if walk(sub) {
				return true
			}
		}
		return false
	}
	return walk(re)
}

// TestCatalogueRelaxed checks that every built-in rule with a repetition
// to relax is relaxed (relaxText reads every regex of the catalogue as
// Go's parser does), and that its Finders find what its exact regexes
// find: in its examples and counterexamples, and in each example with the
// secret's last byte repeated past any bound, where the relaxed match runs
// past its limit and the exact regex is asked again.
func TestCatalogueRelaxed(t *testing.T) {
	rules, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	relaxed := 0
	for _, r := range rules {
		if liftable(r.Source) != (r.relax > 0) {
			t.Errorf("%s: liftable %v but Relax %d", r.ID, liftable(r.Source), r.relax)
		}
		if r.relax == 0 {
			continue
		}
		relaxed++
		exact := regexp.MustCompile(r.Source)
		anchored := regexp.MustCompile(`^[\s\S]?(?:` + r.Source + `)`)
		plain, anch := r.Finder(), newFinder(`^[\s\S]?(?:`+r.Source+`)`, r.relax)
		inputs := append(append([]string{}, r.Examples...), r.Counterexamples...)
		for _, ex := range r.Examples {
			m := exact.FindStringSubmatchIndex(ex)
			if m == nil {
				continue
			}
			g := 2 * r.SecretGroupIn(m)
			if end := m[g+1]; end > m[g] {
				last := ex[end-1 : end]
				inputs = append(inputs, ex[:end]+strings.Repeat(last, r.relax)+ex[end:])
			}
		}
		for _, in := range inputs {
			b := []byte(in)
			if got, want := plain.FindAllSubmatchIndex(b, -1), exact.FindAllSubmatchIndex(b, -1); !reflect.DeepEqual(got, want) {
				t.Errorf("%s in %.60q: Finder %v, exact %v", r.ID, in, got, want)
			}
			for at := 0; at < len(b); at += max(1, len(b)/8) {
				if got, want := anch.FindSubmatchIndex(b[at:]), anchored.FindSubmatchIndex(b[at:]); !reflect.DeepEqual(got, want) {
					t.Errorf("%s anchored at %d of %.60q: Finder %v, exact %v", r.ID, at, in, got, want)
				}
			}
		}
	}
	if relaxed < 100 {
		t.Errorf("only %d rules relaxed", relaxed)
	}
}

// TestFinderFallsBack: past its limit a relaxed match may not be the
// regex's, and the exact regex decides.
func TestFinderFallsBack(t *testing.T) {
	src := `[a-z]{1,40}`
	f := newFinder(src, relaxLimit(src))
	in := []byte(strings.Repeat("k", 60) + " " + strings.Repeat("q", 40))
	want := [][]int{{0, 40}, {40, 60}, {61, 101}}
	if got := f.FindAllSubmatchIndex(in, -1); !reflect.DeepEqual(got, want) {
		t.Errorf("FindAllSubmatchIndex = %v, want %v", got, want)
	}
	if got := f.FindSubmatchIndex(in); !reflect.DeepEqual(got, want[0]) {
		t.Errorf("FindSubmatchIndex = %v, want %v", got, want[0])
	}
	if got := f.FindSubmatchIndex(in[61:]); !reflect.DeepEqual(got, []int{0, 40}) {
		t.Errorf("FindSubmatchIndex at 61 = %v, want [0 40]", got)
	}
}

// TestFinderLongMatchWithinBounds: a match longer than the limit whose
// lifted class never runs past its bound is the exact regex's, found
// without compiling the exact regex; one that runs past it is decided by
// the exact regex.
func TestFinderLongMatchWithinBounds(t *testing.T) {
	src := `\$k(?P<secret>[a-z]{1,40}\$[0-9a-f]*)`
	f := newFinder(src, relaxLimit(src))
	if f.limit <= 0 || f.limit == math.MaxInt {
		t.Fatalf("limit %d: %q is not relaxed", f.limit, src)
	}
	exact := regexp.MustCompile(src)
	long := []byte("x $k" + strings.Repeat("a", 30) + "$" + strings.Repeat("0f", 60) + " y")
	if got, want := f.FindSubmatchIndex(long), exact.FindSubmatchIndex(long); !reflect.DeepEqual(got, want) || got[1]-got[0] <= f.limit {
		t.Fatalf("FindSubmatchIndex = %v, exact %v (limit %d)", got, want, f.limit)
	}
	if got, want := f.FindAllSubmatchIndex(long, -1), exact.FindAllSubmatchIndex(long, -1); !reflect.DeepEqual(got, want) {
		t.Fatalf("FindAllSubmatchIndex = %v, exact %v", got, want)
	}
	if f.exact != nil {
		t.Error("the exact regex was compiled for a match within its bounds")
	}
	past := []byte("$k" + strings.Repeat("a", 45) + "$00")
	if got, want := f.FindSubmatchIndex(past), exact.FindSubmatchIndex(past); !reflect.DeepEqual(got, want) {
		t.Errorf("past the bound: FindSubmatchIndex = %v, exact %v", got, want)
	}
	if f.exact == nil {
		t.Error("a match past a lifted bound did not go to the exact regex")
	}
}
