// Package prewarm begins building the built-in catalogue and its detector
// from a package initialiser, before main runs, for a command line that is
// surely a scan of a tree or a history (prestart.HeapWanted).
//
// A scan cannot read a byte before its detector exists: building the
// catalogue and the keyword automaton is 5–8 ms of a fresh process, on
// the critical path of every tree and history scan, and main began it
// (scanner.PrepareDefault) 2–3 ms after it started. The initialisers of
// the packages that come after scanner's (net/http, cobra, GitHub's and
// AWS's clients, …) and main's own set-up take about as long, on one core
// while the other waits: this package's init, which runs as soon as
// scanner's has (it imports little else, and its path sorts first among
// the packages then ready), starts the build on a goroutine beside them.
// The scan adopts it as it adopts one begun by main (PrepareDefault is
// idempotent); a run whose configuration is not the default builds its
// own, as before.
package prewarm

import (
	"os"

	"github.com/rampart-sec/rampart/cmd/rampart/prestart"
	"github.com/rampart-sec/rampart/scanner"
)

func init() {
	if prestart.HeapWanted(os.Args[1:]) {
		scanner.PrepareDefault()
	}
}
