// Command rulecost shows which rules of the built-in catalogue cost the most
// detection time on real files, as written and with every file joined into
// one line (how a minified script reads). One expensive rule can take the
// whole engine below its targets while the catalogue's tests and recall stay
// green; this is the tool to find it, before or after it lands.
//
//	go run ./bench/rulecost [-top 20] [-max 16] [-runs 5] DIR...
//
// It reads up to -max MB of text files under the DIRs, then times the
// detector with the whole catalogue and with each rule alone (best of -runs),
// and prints the rules whose time alone is largest, less what a detector
// with no rule pays (the keyword automaton and the walk over the chunks).
// The per-rule times do not add up to the whole (they overlap on shared
// work), but an outlier stands out: a rule at a tenth of the whole is one.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

func main() {
	top := flag.Int("top", 20, "print this many rules per shape")
	maxMB := flag.Int("max", 16, "read at most this many MB of files")
	runs := flag.Int("runs", 5, "time each detector this many times and keep the best")
	profile := flag.String("cpuprofile", "", "write a CPU profile of -runs detections (as written) with the rules -only names, or the whole catalogue, to this file, and time nothing else")
	only := flag.String("only", "", "with -cpuprofile: a comma-separated list of rule IDs to profile alone")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench/rulecost [flags] DIR...\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || *top < 1 || *runs < 1 || *maxMB < 1 {
		flag.Usage()
		os.Exit(2)
	}
	chunks, size, err := readTree(flag.Args(), int64(*maxMB)<<20)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rulecost:", err)
		os.Exit(2)
	}
	if len(chunks) == 0 {
		fmt.Fprintln(os.Stderr, "rulecost: no text files found")
		os.Exit(2)
	}
	rules, err := patterns.Builtin()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rulecost:", err)
		os.Exit(2)
	}
	fmt.Printf("%d files, %.1f MB, %d rules, best of %d\n", len(chunks), float64(size)/(1<<20), len(rules), *runs)
	if *profile != "" {
		if err := profileDetect(*profile, *only, rules, chunks, size, *runs); err != nil {
			fmt.Fprintln(os.Stderr, "rulecost:", err)
			os.Exit(2)
		}
		return
	}
	for _, shape := range []struct {
		name   string
		chunks []scanner.Chunk
	}{{"as written", chunks}, {"one line a file", oneLine(chunks)}} {
		report(shape.name, shape.chunks, size, rules, *top, *runs)
	}
}

// report prints the whole catalogue's time over chunks and the top rules
// by their time alone.
func report(name string, chunks []scanner.Chunk, size int64, rules []*patterns.Rule, top, runs int) {
	whole := timeDetect(scanner.NewDetector(rules, nil), chunks, runs)
	floor := timeDetect(scanner.NewDetector(nil, nil), chunks, runs)
	fmt.Printf("\n%s: whole catalogue %v (%.0f MB/s), no rule %v\n", name, whole.Round(time.Microsecond), mbps(size, whole), floor.Round(time.Microsecond))
	type cost struct {
		id string
		d  time.Duration
	}
	costs := make([]cost, 0, len(rules))
	for _, r := range rules {
		d := timeDetect(scanner.NewDetector([]*patterns.Rule{r}, nil), chunks, runs) - floor
		costs = append(costs, cost{r.ID, d})
	}
	sort.Slice(costs, func(i, j int) bool { return costs[i].d > costs[j].d })
	for _, c := range costs[:min(top, len(costs))] {
		fmt.Printf("  %9v  %5.1f%% of the whole  %s\n", c.d.Round(time.Microsecond), 100*float64(c.d)/float64(whole), c.id)
	}
}

// timeDetect returns the best of runs timings of d over chunks, after one
// run that compiles what the chunks need (compilation is start-up, not
// detection).
func timeDetect(d *scanner.Detector, chunks []scanner.Chunk, runs int) time.Duration {
	for _, c := range chunks {
		d.Detect(c)
	}
	best := time.Duration(1<<63 - 1)
	for i := 0; i < runs; i++ {
		runtime.GC() // the previous detector's garbage is not this one's cost
		start := time.Now()
		for _, c := range chunks {
			d.Detect(c)
		}
		best = min(best, time.Since(start))
	}
	return best
}

// profileDetect writes a CPU profile of runs detections over chunks, after
// one that compiles what they need, with the rules only names (all when
// empty): where one expensive rule's time goes.
func profileDetect(path, only string, rules []*patterns.Rule, chunks []scanner.Chunk, size int64, runs int) error {
	if only != "" {
		want := map[string]bool{}
		for _, id := range strings.Split(only, ",") {
			want[strings.TrimSpace(id)] = true
		}
		var picked []*patterns.Rule
		for _, r := range rules {
			if want[r.ID] {
				picked = append(picked, r)
				delete(want, r.ID)
			}
		}
		if len(want) > 0 {
			return fmt.Errorf("-only: no such rule: %v", want)
		}
		rules = picked
	}
	d := scanner.NewDetector(rules, nil)
	for _, c := range chunks {
		d.Detect(c)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	start := time.Now()
	for i := 0; i < runs; i++ {
		for _, c := range chunks {
			d.Detect(c)
		}
	}
	pprof.StopCPUProfile()
	per := time.Since(start) / time.Duration(runs)
	fmt.Printf("%d rule(s): %v a run (%.0f MB/s), profile in %s\n", len(rules), per.Round(time.Microsecond), mbps(size, per), path)
	return nil
}

func mbps(size int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(size) / (1 << 20) / d.Seconds()
}

// readTree reads the text files under dirs (NUL-free, under 4 MB each, .git
// skipped) until max bytes.
func readTree(dirs []string, max int64) ([]scanner.Chunk, int64, error) {
	var chunks []scanner.Chunk
	var size int64
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == ".git" {
					return filepath.SkipDir
				}
				return nil
			}
			if size >= max || !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil || info.Size() == 0 || info.Size() > 4<<20 {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil || bytes.IndexByte(b, 0) >= 0 {
				return nil
			}
			rel, _ := filepath.Rel(dir, p)
			chunks = append(chunks, scanner.Chunk{Data: b, Path: filepath.ToSlash(rel), Kind: scanner.KindFile})
			size += int64(len(b))
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	return chunks, size, nil
}

// oneLine returns the chunks with their newlines turned into spaces: what a
// minified file looks like to the detector (no line ends near a keyword).
func oneLine(chunks []scanner.Chunk) []scanner.Chunk {
	out := make([]scanner.Chunk, len(chunks))
	for i, c := range chunks {
		c.Data = bytes.ReplaceAll(c.Data, []byte("\n"), []byte(" "))
		out[i] = c
	}
	return out
}
