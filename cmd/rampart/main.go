// Command rampart keeps cloud credentials out of git and audits the GitHub
// settings that keep repositories locked down. See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
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
	if code != 0 {
		pprof.StopCPUProfile()
		os.Exit(code)
	}
}
