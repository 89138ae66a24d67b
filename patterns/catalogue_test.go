package patterns

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// TestGeneratedCatalogue keeps catalogue_gen.go in step with rules/*.toml:
// after editing a rule file, run `go generate ./patterns`.
func TestGeneratedCatalogue(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("rules", "*.toml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule files: %v", err)
	}
	sort.Strings(files)
	if len(files) != len(generatedCatalogue) {
		t.Fatalf("%d rule files but %d in catalogue_gen.go: run go generate ./patterns", len(files), len(generatedCatalogue))
	}
	for i, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, errs := ParseFile(filepath.Base(name), data)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", name, errs)
		}
		rules, errs := f.Expanded(filepath.Base(name))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", name, errs)
		}
		for j := range rules {
			rules[j] = rules[j].Precomputed()
		}
		g := generatedCatalogue[i]
		if g.Name != filepath.Base(name) || !reflect.DeepEqual(rules, g.Rules) {
			t.Errorf("%s differs from catalogue_gen.go: run go generate ./patterns", name)
		}
	}
}

// TestBuiltinCompilesStrictly compiles every built-in rule the way a user's
// rule is compiled, regex included: built-ins compile lazily at run time, so
// this is where a bad built-in regex is caught.
func TestBuiltinCompilesStrictly(t *testing.T) {
	n := 0
	for _, f := range generatedCatalogue {
		for _, raw := range f.Rules {
			if _, errs := raw.Compile(f.Name); len(errs) > 0 {
				t.Error(errs)
			}
			n++
		}
	}
	rules, err := Builtin()
	if err != nil || len(rules) != n {
		t.Fatalf("Builtin: %d rules, err %v; want %d", len(rules), err, n)
	}
}

// TestBuiltinKeywordsNotCopied: every built-in rule's keywords are the
// generated catalogue's own slice (normalised when generated), not a copy
// made at start-up; and a user's keywords are still lower-cased, sorted
// and deduplicated by Compile.
func TestBuiltinKeywordsNotCopied(t *testing.T) {
	rules, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for _, f := range generatedCatalogue {
		for _, raw := range f.Rules {
			r := rules[i]
			i++
			if r.ID != raw.ID {
				t.Fatalf("rule %d is %s, generated %s", i, r.ID, raw.ID)
			}
			if len(r.Keywords) > 0 && (len(raw.Keywords) == 0 || &r.Keywords[0] != &raw.Keywords[0]) {
				t.Errorf("%s: keywords %q copied from the generated %q", r.ID, r.Keywords, raw.Keywords)
			}
		}
	}
	r, errs := RawRule{ID: "t-kw", Description: "d", Keywords: []string{"Tok_", "abc", "TOK_", "aBc"}, Regex: `tok_[a-z]{8}`}.Compile("t.toml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if want := []string{"abc", "tok_"}; !slices.Equal(r.Keywords, want) {
		t.Errorf("keywords %q, want %q", r.Keywords, want)
	}
}
