//go:build linux

// Command ab alternates commands and reports each one's median wall time,
// CPU time, system time and minor page faults, and its ratio to the first
// command's median wall time.
//
//	go run ./bench/ab [-n ROUNDS] 'CMD1' 'CMD2' ...
//
// Each round runs every command once, in the order given (each through
// sh -c, its output discarded), after one untimed round that warms the page
// cache. Alternating matters on a shared machine: the host's noise lands on
// every command alike, and a difference of a few percent between two builds
// of rampart shows in one loop where two loops run one after the other can
// differ by 20%. Put the floor first (git cat-file --batch-all-objects
// --batch --unordered for a history scan) to read the ratios against it.
// CPU and faults are the command's and the children it waited for
// (getrusage).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"syscall"
	"time"
)

func main() {
	n := flag.Int("n", 21, "timed rounds")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench/ab [-n ROUNDS] 'CMD' ...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || *n < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdout, flag.Args(), *n); err != nil {
		fmt.Fprintln(os.Stderr, "ab:", err)
		os.Exit(2)
	}
}

// sample is one run of one command.
type sample struct {
	wall, cpu, sys, faults float64 // ms, ms, ms, count
}

func run(w io.Writer, cmds []string, rounds int) error {
	// The untimed round: a command that cannot start is an error here,
	// before any timing.
	for _, c := range cmds {
		if _, err := once(c); err != nil {
			return fmt.Errorf("%s: %v", c, err)
		}
	}
	runs := make([][]sample, len(cmds))
	for r := 0; r < rounds; r++ {
		for i, c := range cmds {
			s, err := once(c)
			if err != nil {
				return fmt.Errorf("%s: %v", c, err)
			}
			runs[i] = append(runs[i], s)
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(w, "rounds %d   load %s", rounds, load)
	fmt.Fprintf(w, "%10s %7s %9s %8s %7s %9s  %s\n", "wall_ms", "ratio", "cpu_ms", "sys_ms", "faults", "min_ms", "command")
	base := median(runs[0], func(s sample) float64 { return s.wall })
	for i, c := range cmds {
		wall := median(runs[i], func(s sample) float64 { return s.wall })
		fmt.Fprintf(w, "%10.1f %7.3f %9.1f %8.1f %7.0f %9.1f  %s\n", wall, wall/base,
			median(runs[i], func(s sample) float64 { return s.cpu }),
			median(runs[i], func(s sample) float64 { return s.sys }),
			median(runs[i], func(s sample) float64 { return s.faults }),
			least(runs[i]), c)
	}
	return nil
}

// once runs c through sh -c and measures it. An exit status other than 0
// or 1 (rampart's "findings") is an error: a timed failure would pass for
// a fast run.
func once(c string) (sample, error) {
	cmd := exec.Command("sh", "-c", "exec "+c)
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		err = nil
	}
	if err != nil {
		return sample{}, err
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return sample{
		wall:   float64(wall.Nanoseconds()) / 1e6,
		cpu:    float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6,
		sys:    float64(ru.Stime.Nano()) / 1e6,
		faults: float64(ru.Minflt),
	}, nil
}

func median(ss []sample, f func(sample) float64) float64 {
	v := make([]float64, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	sort.Float64s(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func least(ss []sample) float64 {
	m := ss[0].wall
	for _, s := range ss[1:] {
		m = min(m, s.wall)
	}
	return m
}
