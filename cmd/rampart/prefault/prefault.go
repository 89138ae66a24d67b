// Package prefault maps the executable's code and read-only data into the
// process from its initialiser, on the second core, before the rest of the
// program needs them.
//
// A fresh process faults its code in a page at a time as it first runs
// it: package initialisers, the command line's parsing and the scan's
// first use of each function. On a virtual machine a fault costs about
// 10 µs (measured here: Kingfisher's history scan took about 210 faults
// in the executable's mappings, 93 in its code, 64 in its read-only data,
// 54 in the tables behind stack traces), and each is on the path of the
// goroutine that needed the page. One madvise call maps the
// whole of them (16 MB, 4,000 pages) in about 1.4 ms on the second core,
// beside the initialisers: Go runs package initialisers on one goroutine,
// and this package, which imports only what the runtime already
// initialised, is among the first of them (15th of 131). (While it works
// it holds the process's memory map for reading: another thread's mmap or
// fork waits for it, at most that long.)
//
// With one core there is no idle one, and mapping pages the run never uses
// would cost more than the faults it saves: nothing is done then. Nothing
// is done off Linux, nor on a kernel without MADV_POPULATE_READ (5.14).
// The pages are the executable file's, shared with every other rampart
// process: they count in the resident set, not in anonymous memory.
package prefault

import "runtime"

func init() {
	if runtime.GOOS != "linux" || runtime.GOMAXPROCS(0) < 2 {
		return
	}
	go populate()
}
