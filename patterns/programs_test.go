package patterns

import (
	"bytes"
	"testing"
)

// TestGeneratedPrograms: programs.bin is what GeneratePrograms writes from
// the catalogue as it stands, so every form the detector compiles for a
// built-in rule is read back rather than compiled (a stale table is not
// wrong, only slower: its missing forms are compiled).
func TestGeneratedPrograms(t *testing.T) {
	want, err := GeneratePrograms()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal([]byte(programsData), want) {
		// Also after a Go release whose regexp/syntax compiles some
		// regex differently: the old table still matches correctly.
		t.Fatalf("programs.bin (%d bytes) differs from GeneratePrograms' table (%d bytes): run go generate ./patterns", len(programsData), len(want))
	}
	// Every program, read back, is the Regexp compiling its source makes.
	forms, err := programForms()
	if err != nil {
		t.Fatal(err)
	}
	if err := programs.Check(forms); err != nil {
		t.Error(err)
	}
}

// TestBuiltinFormsPrecompiled: the forms the detector runs for built-in
// rules are in the table, in each kind of rule (anchored at a keyword, a
// provider entry, a line rule, a windowed rule tried at its starts).
func TestBuiltinFormsPrecompiled(t *testing.T) {
	rules, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, r := range rules {
		var forms []*Finder
		kind := ""
		switch {
		case r.Anchored() && r.providerForm() != nil:
			kind, forms = "provider", []*Finder{r.providerForm().rest.regex()}
		case r.Anchored():
			kind, forms = "anchored", []*Finder{r.anchoredFinder()}
		case r.LineFinder() != nil:
			kind, forms = "line", []*Finder{r.LineFinder()}
		case r.Starts() != nil:
			atStart, afterByte, _ := r.StartFinders()
			kind, forms = "starts", []*Finder{r.Finder(), atStart, afterByte}
		default:
			kind, forms = "window", []*Finder{r.Finder()}
		}
		kinds[kind]++
		for _, f := range forms {
			if !programs.Holds(f.fast.String()) {
				t.Errorf("%s (%s): %q is not in programs.bin", r.ID, kind, f.fast.String())
			}
		}
	}
	for _, k := range []string{"provider", "anchored", "line", "starts", "window"} {
		if kinds[k] == 0 {
			t.Errorf("no built-in rule of kind %s", k)
		}
	}
}
