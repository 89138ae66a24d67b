// Command rampart keeps cloud credentials out of git and audits the GitHub
// settings that keep repositories locked down. See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"

	// Maps the executable's code in on the second core during start-up.
	_ "github.com/rampart-sec/rampart/cmd/rampart/prefault"
	"github.com/rampart-sec/rampart/cmd/rampart/prestart"
	// Begins the detector before main for a scan of a tree or a history.
	_ "github.com/rampart-sec/rampart/cmd/rampart/prewarm"
)

// signalContext is cancelled by Ctrl-C or SIGTERM: a Kubernetes Job or a CI
// runner stops a step with SIGTERM at its deadline, and an organisation scan
// must then still write its report (what it scanned, what it did not) and
// exit non-zero, rather than die with nothing written.
//
// The first signal asks the run to stop cleanly (an organisation scan
// writes the report of what it scanned). From then on the signals do what
// they do by default, so a second Ctrl-C ends a run that cannot notice the
// first: one blocked reading an input that never ends.
//
// The handlers are installed on a goroutine of their own, not on main's
// way: the runtime enables each signal through a goroutine locked to a
// thread of its own, a round trip main waited on, and main, made runnable
// again while both cores ran the detector's build and the collector, then
// waited up to a scheduler's time slice for one. Measured on Kingfisher's
// history: 0.8 to 13 ms between main's start and the command's parsing.
// A signal in the first milliseconds, before they are installed, ends the
// process as one before main does.
func signalContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		select {
		case <-c:
		case <-ctx.Done():
		}
		signal.Stop(c)
		cancel()
	}()
	return ctx, cancel
}

func main() {
	// The runtime samples one allocation per 512 KB for a heap profile
	// nobody asked for: each new call stack it samples is a bucket of
	// fresh memory, ~70 page faults of a small history's scan (10 µs each
	// on a VM). RAMPART_MEMPROFILE (below) keeps the sampling.
	if os.Getenv("RAMPART_MEMPROFILE") == "" {
		runtime.MemProfileRate = 0
	}
	ctx, stop := signalContext()
	// RAMPART_CPUPROFILE=FILE writes a CPU profile of the run, for
	// bench/README.md's "where the time goes" (go tool pprof FILE).
	if path := os.Getenv("RAMPART_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if err := pprof.StartCPUProfile(f); err == nil {
				defer pprof.StopCPUProfile()
			}
		} else {
			fmt.Fprintln(os.Stderr, "rampart: RAMPART_CPUPROFILE:", err)
		}
	}
	code := run(ctx, os.Args[1:], &streams{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	// A pre-commit diff started before main that no scan took.
	prestart.Abandon()
	// RAMPART_MEMPROFILE=FILE writes a heap profile at the end of the run:
	// what was live at the last collection, and everything allocated (go
	// tool pprof -sample_index=inuse_space|alloc_space FILE).
	if path := os.Getenv("RAMPART_MEMPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
		} else {
			fmt.Fprintln(os.Stderr, "rampart: RAMPART_MEMPROFILE:", err)
		}
	}
	if code != 0 {
		pprof.StopCPUProfile()
		os.Exit(code)
	}
}
