package patterns

import (
	"reflect"
	"slices"
	"testing"
)

// TestGeneratedAutomaton: automaton_gen.go holds exactly what building an
// automaton of its keywords gives (AutomatonFor hands it out in place of
// one), and finds the same hits. A change to how automata are built fails
// here until go generate ./patterns has run.
func TestGeneratedAutomaton(t *testing.T) {
	g := &generatedAutomaton
	if len(g.keywords) == 0 {
		t.Fatal("automaton_gen.go holds no automaton: run go generate ./patterns")
	}
	a := newAutomaton(slices.Clone(g.keywords), true)
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"flags", g.flags, a.flags},
		{"hashA", g.hashA, a.hashA},
		{"hashB", g.hashB, a.hashB},
		{"hashC", g.hashC, a.hashC},
		{"hashD", g.hashD, a.hashD},
		{"fold", g.fold, a.fold},
		{"slot", g.slot, a.slot},
		{"slot3", g.slot3, a.slot3},
		{"starts", g.starts, a.starts},
		{"entries", g.entries, a.entries},
		{"short", len(g.short), len(a.short)},
		{"simd", *g.simd, *a.simd},
		{"simdMult", g.simdMult, a.simdMult},
		{"keywords", g.keywords, a.keywords},
		{"folded", g.folded, a.folded},
		{"maxLen", g.maxLen, a.maxLen},
	} {
		if !reflect.DeepEqual(f.got, f.want) {
			t.Errorf("automaton_gen.go's %s differs from a built automaton's: run go generate ./patterns", f.name)
		}
	}
	if !hasAVX2 {
		return
	}
	data := []byte("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\ngithub_token: ghp_0123456789abcdefABCDEF0123456789abcd\n" +
		"const password = \"hunter2\" // slack xoxb- api_key Bearer sk_live_ AKIA stripe twilio\n")
	for i := 0; i < 4; i++ {
		data = append(data, data...)
	}
	if got, want := scanAll(g, data), scanAll(a, data); !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("the generated automaton finds %d hits, a built one %d", len(got), len(want))
	}
}

// TestAutomatonFor: the generated automaton is handed out for its own
// keywords only (and only where filterAVX2 runs); other keywords get one
// built for them.
func TestAutomatonFor(t *testing.T) {
	kw := slices.Clone(generatedAutomaton.keywords)
	if got := AutomatonFor(kw); (got == &generatedAutomaton) != (useAVX2 && hasAVX2 && len(kw) > 0) {
		t.Errorf("AutomatonFor(the generated keywords) = generated: %v; AVX2 %v", got == &generatedAutomaton, useAVX2 && hasAVX2)
	}
	other := append(kw[:len(kw):len(kw)], "zzzqqq")
	a := AutomatonFor(other)
	if a == &generatedAutomaton || !slices.Equal(a.Keywords(), other) {
		t.Error("AutomatonFor(other keywords) did not build their automaton")
	}
	if a := AutomatonFor(nil); a == &generatedAutomaton {
		t.Error("AutomatonFor(nil) handed out the generated automaton")
	}
}
