// Command genautomaton writes patterns/automaton_gen.go: the built-in
// detector's keyword automaton as Go data, so that start-up does not build
// it (patterns.AutomatonFor). go generate ./patterns runs it after
// gencatalogue, from the catalogue just generated; scanner's
// TestBuiltinAutomatonGenerated fails until it has run. On a merge
// conflict in automaton_gen.go take either side and run go generate
// ./patterns again. It imports patterns, so automaton_gen.go must compile:
// if a change to the Automaton's fields breaks it, replace it with
//
//	package patterns
//
//	var generatedAutomaton = Automaton{simd: &generatedSIMD}
//
//	var generatedSIMD [1 << 14]uint32
//
// (no generated automaton: every detector builds its own) and run go
// generate ./patterns.
package main

import (
	"fmt"
	"os"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "genautomaton:", err)
		os.Exit(1)
	}
}

func run() error {
	rules, err := patterns.Builtin()
	if err != nil {
		return err
	}
	// The detector's keywords, in its order: the rules' and its
	// decoders' triggers.
	src, err := patterns.GenerateAutomaton(scanner.NewDetector(rules, nil).Automaton().Keywords())
	if err != nil {
		return err
	}
	return os.WriteFile("automaton_gen.go", src, 0o644)
}
