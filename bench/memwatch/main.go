//go:build linux

// Command memwatch runs a command and reports what it and every process it
// starts cost together: wall time, CPU time (user and system) and the peak of
// their summed anonymous memory.
//
//	go run ./bench/memwatch [-interval 20ms] [-o FILE] -- CMD [ARG...]
//
// It prints one line, "wall_s cpu_s anon_peak_MB rss_peak_MB exit", to FILE
// (default standard error). anon_peak_MB is the largest sum over the process
// tree of RssAnon (Linux: heap, stacks, anonymous mappings; not the pages of
// mapped files such as git's packs, which the page cache holds anyway),
// sampled every interval; rss_peak_MB is the largest resident set of a single
// process, what GNU time's %M reports. CPU time comes from the kernel's
// accounting of the command and the descendants it waited for. The command's
// own standard streams are passed through, and its exit status is memwatch's.
//
// The process tree is found through /proc/PID/task/TID/children, so sampling
// reads a few small files rather than all of /proc: on a 2-core machine a
// sampler must not take the time it measures.

package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

func main() {
	interval := flag.Duration("interval", 20*time.Millisecond, "sampling interval")
	out := flag.String("o", "", "write the result line to this file (default: standard error)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: memwatch [-interval D] [-o FILE] -- CMD [ARG...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	code, err := run(flag.Args(), *interval, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "memwatch:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

func run(args []string, interval time.Duration, outPath string) (int, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	signal.Ignore(syscall.SIGINT, syscall.SIGQUIT) // the command decides; memwatch reports
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan struct{})
	peak := make(chan [2]int64, 1)
	go func() {
		var anonPeak, rssPeak int64
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			anon, rss := sample(cmd.Process.Pid)
			anonPeak, rssPeak = max(anonPeak, anon), max(rssPeak, rss)
			select {
			case <-done:
				peak <- [2]int64{anonPeak, rssPeak}
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)
	close(done)
	p := <-peak
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
		if code < 0 {
			code = 128 + int(exit.Sys().(syscall.WaitStatus).Signal())
		}
	case err != nil:
		return 0, err
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	// Peak RSS of the largest process, as the kernel recorded it (finer
	// than sampling); anonymous memory has no such record.
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p[1] = max(p[1], ru.Maxrss)
	}
	line := fmt.Sprintf("%.3f %.3f %.1f %.1f %d\n", wall.Seconds(), cpu.Seconds(), float64(p[0])/1024, float64(p[1])/1024, code)
	var w io.Writer = os.Stderr
	if outPath != "" {
		f, err := os.OpenFile(outPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return code, err
		}
		defer f.Close()
		w = f
	}
	_, err = io.WriteString(w, line)
	return code, err
}

// sample returns the summed RssAnon of pid and its descendants, and the
// largest VmRSS among them, in KiB.
func sample(pid int) (anon, rss int64) {
	seen := map[int]bool{}
	stack := []int{pid}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[p] {
			continue
		}
		seen[p] = true
		a, r := status(p)
		anon += a
		rss = max(rss, r)
		stack = append(stack, children(p)...)
	}
	return anon, rss
}

// status reads RssAnon and VmRSS (KiB) from /proc/PID/status.
func status(pid int) (anon, rss int64) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for _, l := range bytes.Split(data, []byte("\n")) {
		switch {
		case bytes.HasPrefix(l, []byte("RssAnon:")):
			anon = kib(l)
		case bytes.HasPrefix(l, []byte("VmRSS:")):
			rss = kib(l)
		}
	}
	return anon, rss
}

func kib(l []byte) int64 {
	f := bytes.Fields(l)
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseInt(string(f[1]), 10, 64)
	return n
}

// children lists the processes whose parent is pid, from every thread's
// children file (a child belongs to the thread that forked it).
func children(pid int) []int {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	var out []int
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range bytes.Fields(data) {
			if n, err := strconv.Atoi(string(f)); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
