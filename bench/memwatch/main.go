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
// With -split FILE it also writes, for every process of the tree, its own
// peak RssAnon and its command line, and the tree's composition at the moment
// of the summed peak (when it came, and each process's share): which of
// rampart and its git children the peak is made of.
//
// The process tree is found through /proc/PID/task/TID/children, so sampling
// reads a few small files rather than all of /proc: on a 2-core machine a
// sampler must not take the time it measures. A child that still shares its
// parent's address space (started with vfork, not yet past exec) is not
// counted again: sampled in that window, the parent's whole heap would be
// counted twice (on git/git, rampart's 213 MB twice: a 426 MB "peak").

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
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	interval := flag.Duration("interval", 20*time.Millisecond, "sampling interval")
	out := flag.String("o", "", "write the result line to this file (default: standard error)")
	split := flag.String("split", "", "write each process's peak anonymous memory, and the tree at the summed peak, to this file")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: memwatch [-interval D] [-o FILE] -- CMD [ARG...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	code, err := run(flag.Args(), *interval, *out, *split)
	if err != nil {
		fmt.Fprintln(os.Stderr, "memwatch:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

func run(args []string, interval time.Duration, outPath, splitPath string) (int, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	signal.Ignore(syscall.SIGINT, syscall.SIGQUIT) // the command decides; memwatch reports
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan struct{})
	peak := make(chan [2]int64, 1)
	var sp *splitter
	if splitPath != "" {
		sp = &splitter{procs: map[int]*proc{}}
	}
	go func() {
		var anonPeak, rssPeak int64
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			anon, rss := sample(cmd.Process.Pid, sp)
			if sp != nil && anon > anonPeak {
				sp.atPeak(time.Since(start))
			}
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
	if err == nil && sp != nil {
		err = sp.write(splitPath, wall)
	}
	return code, err
}

// A splitter records each process's own peak, and the tree at the summed
// peak.
type splitter struct {
	procs   map[int]*proc
	now     map[int]int64 // this sample: pid → RssAnon
	peakAt  time.Duration
	peakNow map[int]int64
}

type proc struct {
	cmd   string
	first time.Duration
	peak  int64
}

func (s *splitter) add(pid int, anon int64) {
	s.now[pid] = anon
	p := s.procs[pid]
	if p == nil {
		p = &proc{cmd: cmdline(pid)}
		s.procs[pid] = p
	}
	p.peak = max(p.peak, anon)
}

// atPeak records the sample just taken as the tree at the summed peak.
func (s *splitter) atPeak(at time.Duration) {
	s.peakAt, s.peakNow = at, s.now
}

func (s *splitter) write(path string, wall time.Duration) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	pids := make([]int, 0, len(s.procs))
	for pid := range s.procs {
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	var total int64
	for _, v := range s.peakNow {
		total += v
	}
	fmt.Fprintf(f, "summed peak %.1f MB at %.2f s of %.2f s\n", float64(total)/1024, s.peakAt.Seconds(), wall.Seconds())
	fmt.Fprintf(f, "%8s %10s %10s  %s\n", "pid", "peak_MB", "at_peak_MB", "command")
	for _, pid := range pids {
		p := s.procs[pid]
		fmt.Fprintf(f, "%8d %10.1f %10.1f  %s\n", pid, float64(p.peak)/1024, float64(s.peakNow[pid])/1024, p.cmd)
	}
	return nil
}

// cmdline returns a process's command line, shortened: git's global
// options (-C DIR, -c NAME=VALUE, --no-pager, …) are left out, so that what
// remains names the git command.
func cmdline(pid int) string {
	data, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	args := strings.Split(strings.TrimRight(string(data), "\x00"), "\x00")
	if len(args) > 1 && filepath.Base(args[0]) == "git" {
		i := 1
		for i < len(args) && strings.HasPrefix(args[i], "-") {
			if args[i] == "-C" || args[i] == "-c" {
				i++
			}
			i++
		}
		args = append([]string{"git"}, args[min(i, len(args)):]...)
	}
	c := strings.Join(args, " ")
	if len(c) > 120 {
		c = c[:120] + "…"
	}
	return c
}

// sample returns the summed RssAnon of pid and its descendants, and the
// largest VmRSS among them, in KiB.
func sample(pid int, sp *splitter) (anon, rss int64) {
	seen := map[int]bool{}
	stack := []int{pid}
	if sp != nil {
		sp.now = map[int]int64{}
	}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[p] {
			continue
		}
		seen[p] = true
		a, r := status(p)
		if sp != nil {
			sp.add(p, a)
		}
		anon += a
		rss = max(rss, r)
		for _, c := range children(p) {
			if sharesMemory(p, c) {
				// A child between fork and exec (Go and git
				// start commands with vfork) is the parent's
				// memory under another process ID: counting it
				// would count the parent twice.
				seen[c] = true
				continue
			}
			stack = append(stack, c)
		}
	}
	return anon, rss
}

// sharesMemory reports whether two processes share one address space
// (kcmp(2) KCMP_VM). Where the kernel cannot tell (no kcmp, no permission),
// it reports false: the child is counted.
func sharesMemory(a, b int) bool {
	const kcmpVM = 1
	r, _, errno := unix.Syscall6(unix.SYS_KCMP, uintptr(a), uintptr(b), kcmpVM, 0, 0, 0)
	return errno == 0 && r == 0
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
