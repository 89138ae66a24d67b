// Package prestart begins a pre-commit hook's staged diff from a package
// initialiser, before main runs.
//
// A pre-commit scan waits on two things: the diff of the index against
// HEAD (tens of milliseconds on a large repository when git computes it)
// and rampart building its detector. They already run side by side once
// main has started; but a Go program of rampart's size spends 10–25 ms
// initialising its packages before main, and the diff need not wait for
// that. This package imports only the standard library, gitcmd and cached,
// so it is initialised among the first; its init begins the diff
// (cached.Start: in process on another goroutine, or git where it must)
// when the command line is a staged scan of the current directory, and
// cmd/rampart's scan adopts it (gitsource.Staged.AdoptPending). Anything
// else on the command line, and the scan begins the diff itself.
package prestart

import (
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart/scanner/gitsource/cached"
)

var (
	mu     sync.Mutex
	staged *cached.Pending
)

func init() {
	if Wanted(os.Args[1:]) {
		Start()
	}
}

// Start begins the staged diff in the current directory, as init does for
// a staged scan's command line, replacing (and stopping) one not taken. A
// failure is left for the scan to meet again and report.
func Start() {
	st := cached.Start(".")
	mu.Lock()
	old := staged
	staged = st
	mu.Unlock()
	if old != nil {
		old.Stop()
	}
}

// Wanted reports whether args (the command line after the program's name)
// ask for a staged scan of the current directory: `scan` with --staged,
// and nothing but flags. With no positional argument the scan reads ".",
// whatever the flags are and whichever of them take values; a bare "--"
// could introduce one, and -h/--help scan nothing. --staged is read as
// rampart's flag parser (pflag) reads a boolean: --staged, or --staged=V
// with V any spelling strconv.ParseBool knows (1, t, T, TRUE, true, True
// and their false counterparts), the last one winning; a value it refuses
// fails the scan, which must then not wait for git. One dash (-staged) is
// not --staged to pflag, unlike Go's flag package: it is the shorthand
// flags -s -t -a …, which rampart refuses.
func Wanted(args []string) bool {
	if len(args) < 2 || args[0] != "scan" {
		return false
	}
	staged := false
	for _, a := range args[1:] {
		switch {
		case a == "--staged":
			staged = true
		case strings.HasPrefix(a, "--staged="):
			v, err := strconv.ParseBool(strings.TrimPrefix(a, "--staged="))
			if err != nil {
				return false
			}
			staged = v
		case a == "--" || a == "-h" || a == "--help" || strings.HasPrefix(a, "--help="):
			return false
		case !strings.HasPrefix(a, "-"):
			return false
		}
	}
	return staged
}

// TakeStaged hands over the diff begun for a staged scan of ".", once;
// nil if none was begun.
func TakeStaged() *cached.Pending {
	mu.Lock()
	defer mu.Unlock()
	st := staged
	staged = nil
	return st
}

// Abandon stops a diff that no scan took (the run ended in a usage error,
// say): it waits for the diff, and for git to exit if it ran.
func Abandon() {
	if st := TakeStaged(); st != nil {
		st.Stop()
	}
}
