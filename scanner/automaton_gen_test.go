//go:build !purego

package scanner

import (
	"slices"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
	"golang.org/x/sys/cpu"
)

// TestBuiltinAutomatonGenerated: the built-in detector's keyword automaton
// is the one generated with the catalogue (patterns.AutomatonFor), not one
// built at start-up: a rule or decoder keyword changed since
// automaton_gen.go was written fails here until go generate ./patterns has
// run.
func TestBuiltinAutomatonGenerated(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("the generated automaton is for CPUs with AVX2")
	}
	a := builtinDetector(t).Automaton()
	if a != patterns.AutomatonFor(slices.Clone(a.Keywords())) {
		t.Fatal("the built-in detector built its keyword automaton at start-up: run go generate ./patterns")
	}
}
