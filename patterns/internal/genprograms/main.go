// Command genprograms writes patterns/programs.bin: the built-in rules'
// regexes compiled ahead of time (patterns.GeneratePrograms). go generate
// ./patterns runs it after gencatalogue and genautomaton, from the
// catalogue just generated; TestGeneratedPrograms fails until it has run.
// On a merge conflict in programs.bin take either side and run go
// generate ./patterns again: a stale table only compiles more at run time.
package main

import (
	"fmt"
	"os"

	"github.com/rampart-sec/rampart/patterns"
)

func main() {
	data, err := patterns.GeneratePrograms()
	if err != nil {
		fmt.Fprintln(os.Stderr, "genprograms:", err)
		os.Exit(1)
	}
	if err := os.WriteFile("programs.bin", data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genprograms:", err)
		os.Exit(1)
	}
}
