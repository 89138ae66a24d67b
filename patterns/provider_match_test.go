package patterns

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// providerRule is a built-in provider entry's rule with the regex its
// shared matcher must agree with.
type providerRule struct {
	rule *Rule
	pm   *providerMatcher
	want *regexp.Regexp
}

var builtinProviderRules = sync.OnceValues(func() ([]providerRule, error) {
	rules, err := Builtin()
	if err != nil {
		return nil, err
	}
	var out []providerRule
	for _, r := range rules {
		if pm := r.providerForm(); pm != nil {
			out = append(out, providerRule{r, pm, regexp.MustCompile(`^[\s\S]?(?:` + r.Source + `)`)})
		}
	}
	return out, nil
})

// TestProviderMatcherCoversCatalogue: every [[providers]] entry of the
// built-in catalogue runs through the shared matcher, and no other rule
// does. A change to Expand's template that parseProviderRegex does not
// follow would leave each entry compiling its own regex again (correct,
// but a quarter of a secret-dense history's CPU): this fails instead.
func TestProviderMatcherCoversCatalogue(t *testing.T) {
	files, err := filepath.Glob("rules/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("rule files: %v", err)
	}
	want := map[string]bool{}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, errs := ParseFile(name, data)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		for _, p := range f.Providers {
			want[p.ID] = true
		}
	}
	prs, err := builtinProviderRules()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, pr := range prs {
		got[pr.rule.ID] = true
		if !want[pr.rule.ID] {
			t.Errorf("%s: not a [[providers]] entry, yet taken for one", pr.rule.ID)
		}
		if m := pr.rule.AnchoredMatcher(); m != Matcher(pr.pm) {
			t.Errorf("%s: AnchoredMatcher is %T, want the shared provider matcher", pr.rule.ID, m)
		}
		// Taken at run time without being rebuilt (RawRule.expanded):
		// the rebuilding check takes it too, with the same aliases and
		// rest.
		if !pr.rule.expanded {
			t.Errorf("%s: not marked as checked when the catalogue was generated", pr.rule.ID)
		}
		if full := parseProviderRegex(pr.rule.Source, 0, false); full == nil || !slices.Equal(full.aliases, pr.pm.aliases) || full.rest != pr.pm.rest {
			t.Errorf("%s: the checked parse gives %+v, the one at run time %+v", pr.rule.ID, full, pr.pm)
		}
	}
	for id := range want {
		if !got[id] {
			t.Errorf("%s: a [[providers]] entry whose regex the shared matcher does not recognise", id)
		}
	}
	if len(want) < 100 {
		t.Fatalf("only %d provider entries found", len(want))
	}
}

// TestProviderMatcherAgrees: over every provider entry's examples and
// counterexamples, cut at each of its keyword hits as the detector cuts
// them and varied around the provider's name (case, a Unicode fold, the
// byte before it), the shared matcher finds exactly the match and groups
// the entry's own anchored regex finds.
func TestProviderMatcherAgrees(t *testing.T) {
	prs, err := builtinProviderRules()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, pr := range prs {
		if got, want := pr.pm.rest.regex().Groups().SubexpNames(), pr.want.SubexpNames(); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: shared regex groups %q, the entry's %q", pr.rule.ID, got, want)
		}
		for _, in := range providerInputs(pr.rule) {
			n++
			checkProviderMatch(t, pr, in)
		}
	}
	t.Logf("%d inputs over %d provider entries", n, len(prs))
}

// providerInputs are the texts TestProviderMatcherAgrees tries for r.
func providerInputs(r *Rule) []string {
	var texts []string
	for _, s := range append(append([]string(nil), r.Examples...), r.Counterexamples...) {
		texts = append(texts, s, strings.ToUpper(s), strings.ToLower(s),
			// the name spelt with the Kelvin sign and long s, which
			// (?i:k) and (?i:s) match
			strings.NewReplacer("k", "\u212a", "s", "\u017f").Replace(s),
			"x"+s, "X"+s, "é"+s, "\xff"+s, "\n"+s, "a-"+s, s+"\n"+s)
	}
	var out []string
	for _, s := range texts {
		out = append(out, s)
		low := strings.ToLower(s)
		for _, k := range r.Keywords {
			for i := 0; ; {
				j := strings.Index(low[i:], k)
				if j < 0 {
					break
				}
				h := i + j
				out = append(out, s[h:])
				if h > 0 {
					out = append(out, s[h-1:])
				}
				if h > 1 {
					out = append(out, s[h-2:])
				}
				i = h + 1
			}
		}
	}
	return out
}

func checkProviderMatch(t *testing.T, pr providerRule, in string) {
	t.Helper()
	want := pr.want.FindSubmatchIndex([]byte(in))
	got := pr.pm.FindSubmatchIndex([]byte(in))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s on %q:\nshared matcher %v\nentry's regex  %v", pr.rule.ID, in, got, want)
	}
}

// TestProviderMatcherRandom: random texts built from a provider's names,
// separators, the template's operators and quotes, and values of many
// lengths, and its examples with random edits.
func TestProviderMatcherRandom(t *testing.T) {
	prs, err := builtinProviderRules()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	matched, n := 0, 0
	for _, pr := range prs {
		for range 40 {
			in := randomProviderText(rng, pr)
			if len(pr.rule.Examples) > 0 && rng.IntN(2) == 0 {
				in = editText(rng, pr.rule.Examples[rng.IntN(len(pr.rule.Examples))])
				// cut where the detector would, before a keyword hit
				if cuts := providerInputs(&Rule{Keywords: pr.rule.Keywords, Examples: []string{in}}); len(cuts) > 1 {
					in = cuts[1+rng.IntN(len(cuts)-1)]
				}
			}
			checkProviderMatch(t, pr, in)
			n++
			if pr.want.MatchString(in) {
				matched++
			}
		}
	}
	// Both sides of the comparison must be exercised.
	if matched < n/10 || matched > n*9/10 {
		t.Errorf("%d of %d random texts match: too few or too many to compare", matched, n)
	}
	t.Logf("%d of %d random texts match", matched, n)
}

// editText makes up to two random edits to s: a byte deleted, repeated
// or replaced, or a piece inserted.
func editText(rng *rand.Rand, s string) string {
	pieces := []string{"_", "-", ".", " ", "=", ":", "\"", "'", "(", "\n", "x", "X", "0", "é", "\u212a", "\xff", "API_", "Key"}
	b := []byte(s)
	for range rng.IntN(3) {
		if len(b) == 0 {
			break
		}
		i := rng.IntN(len(b))
		switch rng.IntN(4) {
		case 0:
			b = append(b[:i:i], b[i+1:]...)
		case 1:
			b = append(b[:i+1:i+1], b[i:]...)
		case 2:
			b[i] = "aZ9_-=. \"'"[rng.IntN(10)]
		default:
			b = append(b[:i:i], append([]byte(pieces[rng.IntN(len(pieces))]), b[i:]...)...)
		}
	}
	return string(b)
}

func randomProviderText(rng *rand.Rand, pr providerRule) string {
	pieces := []string{"_", "-", ".", " ", "\t", "=", ":", "::", "=>", ":=", "\"", "'", "`", "(", ")", "{", "[", "]", ",", "|", "*", "**",
		" - ", ">", "\n", "\\", "API", "Key", "_KEY", "token", "Secret", " value=", "é", "\u212a", "\xff", "0", "A", "z"}
	alphabet := "ABCDEFabcdef0123456789+/=_-.~%xyzXYZ"
	var b strings.Builder
	for range 1 + rng.IntN(6) {
		switch rng.IntN(4) {
		case 0:
			a := pr.pm.aliases[rng.IntN(len(pr.pm.aliases))]
			a = strings.ReplaceAll(a, "-", []string{"", "_", "-", ".", "__"}[rng.IntN(5)])
			switch rng.IntN(4) {
			case 0:
				a = strings.ToUpper(a)
			case 1:
				a = strings.ToUpper(a[:1]) + a[1:]
			}
			b.WriteString(a)
		case 1:
			n := rng.IntN(70)
			for range n {
				b.WriteByte(alphabet[rng.IntN(len(alphabet))])
			}
		default:
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
	}
	return b.String()
}

// FuzzProviderMatcher: the shared matcher agrees with the entry's own
// regex on any input.
func FuzzProviderMatcher(f *testing.F) {
	prs, err := builtinProviderRules()
	if err != nil {
		f.Fatal(err)
	}
	for i, pr := range prs {
		if i%25 == 0 {
			for _, s := range pr.rule.Examples {
				f.Add(uint16(i), s)
			}
		}
	}
	f.Fuzz(func(t *testing.T, i uint16, in string) {
		checkProviderMatch(t, prs[int(i)%len(prs)], in)
	})
}

// TestParseProviderRegexRejects: a regex that only resembles an
// expansion gets no shared matcher (the rule runs its own regex).
func TestParseProviderRegexRejects(t *testing.T) {
	p := RawProvider{ID: "acme-api-key", Name: "Acme", Aliases: []string{"acmecorp", "acme-io"}, Shape: "hex:32"}
	r, errs := p.Expand("x.toml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if parseProviderRegex(r.Regex, 0, false) == nil {
		t.Fatal("the expansion itself is not recognised")
	}
	for name, src := range map[string]string{
		"alias edited":        strings.Replace(r.Regex, "acmecorp", "acme(corp)", 1),
		"extra alternative":   strings.Replace(r.Regex, "(?:", "(?:x|", 1),
		"end changed":         strings.TrimSuffix(r.Regex, "$)") + "\\b)",
		"value with boundary": strings.Replace(r.Regex, "(?P<secret>", "(?P<secret>\\b", 1),
		"value with ^":        strings.Replace(r.Regex, "(?P<secret>", "(?P<secret>^", 1),
		"not a provider":      `\b(?P<secret>tok_[a-z0-9]{12})\b`,
	} {
		if parseProviderRegex(src, 0, false) != nil {
			t.Errorf("%s: recognised as a provider entry: %s", name, src)
		}
	}
}

// TestValidAlias: validAlias is ^[a-z0-9]+(?:[._-][a-z0-9]+)*$ written out.
func TestValidAlias(t *testing.T) {
	re := regexp.MustCompile(`^[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
	for _, a := range []string{"acme", "launch-darkly", "x.ai", "a_b-c.d", "", "-acme", "acme-", "a--b", "Acme", "ac me", "acmé", "a.", "1password", "a..b"} {
		if got, want := validAlias(a), re.MatchString(a); got != want {
			t.Errorf("validAlias(%q) = %v, want %v", a, got, want)
		}
	}
}

// TestValueRun: the maximal run a value's regex makes it, or none.
func TestValueRun(t *testing.T) {
	for _, tc := range []struct {
		value  string
		lo, hi int // lo 0: no check
		in     []string
		notIn  []string
	}{
		{`[0-9a-f]{32}`, 32, 32, []string{"k = " + strings.Repeat("ab12", 8) + `"`}, []string{strings.Repeat("ab12", 10), "k=" + strings.Repeat("ab12", 7)}},
		{`(?:[0-9a-f]{40}|[0-9A-F]{40})`, 40, 40, []string{strings.Repeat("aB3", 13) + "c"}, []string{strings.Repeat("a", 39)}},
		{`[A-Za-z0-9_-]{20,40}`, 20, 40, []string{"x: " + strings.Repeat("a-", 15)}, []string{strings.Repeat("a-", 21), "short_one"}},
		{`ak_[a-z0-9]{20}`, 23, 23, []string{"=ak_" + strings.Repeat("z", 20)}, []string{"ak_" + strings.Repeat("z", 21)}},
		{`ak_[a-z0-9]{20,}`, 23, 0, []string{"ak_" + strings.Repeat("z", 90)}, []string{"ak_" + strings.Repeat("z", 19)}},
		// '=' may end the assignment, '.' may follow a value, a space is
		// neither: no check.
		{`[A-Za-z0-9+/]{20}={0,2}`, 0, 0, nil, nil},
		{`[a-z.]{20}`, 0, 0, nil, nil},
		{`[a-z ]{20}`, 0, 0, nil, nil},
		{`(?i:ak_[a-z]{20})`, 0, 0, nil, nil},
	} {
		sr := newSharedRest("", tc.value)
		if tc.lo == 0 {
			if sr.value != nil {
				t.Errorf("%s: run %d-%d, want none", tc.value, sr.value.lo, sr.value.hi)
			}
			continue
		}
		if sr.value == nil || sr.value.lo != tc.lo || sr.value.hi != tc.hi {
			t.Errorf("%s: run %+v, want %d-%d", tc.value, sr.value, tc.lo, tc.hi)
			continue
		}
		for _, s := range tc.in {
			if !sr.value.in([]byte(s)) {
				t.Errorf("%s: %q holds no run", tc.value, s)
			}
		}
		for _, s := range tc.notIn {
			if sr.value.in([]byte(s)) {
				t.Errorf("%s: %q holds a run", tc.value, s)
			}
		}
	}
}

// TestProviderRestRelaxed: the generator's RestRelax is what relaxLimit
// gives the shared part after the names, the shared part is compiled
// relaxed where that is safe, and the shared matcher still agrees with
// the entry's exact regex on examples whose value is stretched to, and
// past, the lifted bound (where the exact regex must decide).
func TestProviderRestRelaxed(t *testing.T) {
	prs, err := builtinProviderRules()
	if err != nil {
		t.Fatal(err)
	}
	relaxed := map[*sharedRest]bool{}
	for _, pr := range prs {
		rest := pr.pm.rest
		if want := relaxLimit(rest.anchoredSrc()); pr.rule.restRelax != want {
			t.Errorf("%s: RestRelax %d, want %d (go generate ./patterns)", pr.rule.ID, pr.rule.restRelax, want)
		}
		if pr.rule.restRelax == 0 {
			continue
		}
		if f := rest.regex(); f.limit != pr.rule.restRelax || f.fast.String() == rest.anchoredSrc() {
			t.Errorf("%s: shared part compiled with limit %d as %.80q, want it relaxed to %d", pr.rule.ID, f.limit, f.fast.String(), pr.rule.restRelax)
		}
		relaxed[rest] = true
		for _, ex := range pr.rule.Examples {
			m := pr.want.FindStringSubmatchIndex(ex)
			if m == nil {
				continue
			}
			g := 2 * pr.rule.SecretGroupIn(m)
			end := m[g+1]
			if end <= m[g] {
				continue
			}
			last := ex[end-1 : end]
			for _, n := range []int{1, pr.rule.restRelax / 2, pr.rule.restRelax} {
				checkProviderMatch(t, pr, ex[:end]+strings.Repeat(last, n)+ex[end:])
			}
		}
	}
	if len(relaxed) < 10 {
		t.Errorf("only %d shared parts relaxed", len(relaxed))
	}
}
