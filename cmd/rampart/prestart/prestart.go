// Package prestart begins a pre-commit hook's staged diff from a package
// initialiser, before main runs.
//
// A pre-commit scan waits on two things: the diff of the index against
// HEAD (tens of milliseconds on a large repository when git computes it)
// and rampart building its detector. They already run side by side once
// main has started; but a Go program of rampart's size spends 10–25 ms
// initialising its packages before main, and the diff need not wait for
// that. This package imports only the standard library, gitcmd and cached,
// so it is initialised before the packages that build the detector (90th
// of 131: os/exec's path/filepath and runtime/debug, whose import paths
// sort late, hold it there); its init begins the diff
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
	switch {
	case Wanted(os.Args[1:]):
		Start()
	case HeapWanted(os.Args[1:]):
		HugeHeap()
	}
}

// hugeHeapSize is the part of the heap put on huge pages
// (heapOnHugePages): twice a history scan's first collection's floor
// (cmd/rampart's smallHeap, 48 MB), which mid-size histories reach (Nosey
// Parker, gitleaks: 56–77 MB). Against 48 MB it halved their page faults
// (NP 10,704 → 4,032, gitleaks 6,344 → 3,438) for 4–8 MB more peak memory;
// a heap that outgrows it uses all of it anyway.
const hugeHeapSize = 96 << 20

var (
	hugeOnce sync.Once
	hugeDone = make(chan struct{}) // closed when heapOnHugePages returns
)

// HugeHeap puts the first part of the heap on transparent huge pages
// (heapOnHugePages), once, on its own goroutine: the collection that
// takes costs 3–20 ms of wall time (more on a loaded machine), which was
// spent on the main goroutine before the catalogue was built, on every
// tree and history scan's critical path. Begun from init, it is usually
// over before main needs the heap: the packages initialised after this
// one and the command line's parsing take longer. Allocations made before
// it ends are faulted in as usual, nothing worse.
func HugeHeap() {
	hugeOnce.Do(func() {
		go func() {
			defer close(hugeDone)
			heapOnHugePages(hugeHeapSize)
		}()
	})
}

// HeapWanted reports whether args (the command line after the program's
// name) are surely a scan of a tree or a history: `scan` without a hook's
// or standard input's flags (--staged, --pre-push, --commit-msg, --stdin),
// nor help. A hook's run lives for milliseconds and its few MB of heap
// gain less than the collection costs; a command line this does not read
// so surely is left to the scan, which asks for HugeHeap once it knows.
func HeapWanted(args []string) bool {
	if len(args) < 1 || args[0] != "scan" {
		return false
	}
	for _, a := range args[1:] {
		if a == "--" {
			return true
		}
		name, _, _ := strings.Cut(a, "=")
		switch name {
		case "--staged", "--pre-push", "--commit-msg", "--stdin", "-h", "--help":
			return false
		}
	}
	return true
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
