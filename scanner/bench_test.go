package scanner

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

// typicalSource returns about n bytes of real Go source from GOROOT: the
// engine's target is measured on code people actually commit.
func typicalSource(b testing.TB, n int) []byte {
	b.Helper()
	root := goroot()
	files, _ := filepath.Glob(filepath.Join(root, "src", "net", "http", "*.go"))
	more, _ := filepath.Glob(filepath.Join(root, "src", "encoding", "json", "*.go"))
	files = append(files, more...)
	sort.Strings(files)
	var buf bytes.Buffer
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		buf.Write(data)
		if buf.Len() >= n {
			break
		}
	}
	if buf.Len() < n/2 {
		b.Skip("GOROOT sources not available")
	}
	return buf.Bytes()[:min(n, buf.Len())]
}

// goroot asks the go command where the standard library's sources are.
func goroot() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// minified squeezes source onto one line, like a bundled JavaScript file.
func minified(src []byte) []byte {
	out := make([]byte, 0, len(src))
	space := false
	for _, c := range src {
		if c == '\n' || c == '\t' || c == ' ' || c == '\r' {
			space = true
			continue
		}
		if space && len(out) > 0 {
			out = append(out, ' ')
		}
		space = false
		out = append(out, c)
	}
	for len(out) < len(src) {
		out = append(out, out[:min(len(out), len(src)-len(out))]...)
	}
	return out
}

func benchDetect(b *testing.B, data []byte) {
	d := builtinDetector(b)
	c := Chunk{Data: data, Path: "bench.go"}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Detect(c)
	}
	b.StopTimer()
	// Allocations per MB, the unit.
	if b.N > 0 {
		b.ReportMetric(float64(testing.AllocsPerRun(3, func() { d.Detect(c) }))/(float64(len(data))/(1<<20)), "allocs/MB")
	}
}

// BenchmarkDetectSource measures one core over 1 MB of typical source code
// with the full built-in catalogue.
func BenchmarkDetectSource(b *testing.B) { benchDetect(b, typicalSource(b, 1<<20)) }

// BenchmarkDetectMinified measures one core over a 1 MB single-line file.
func BenchmarkDetectMinified(b *testing.B) { benchDetect(b, minified(typicalSource(b, 1<<20))) }

// BenchmarkStartup measures what every hook run pays before reading
// anything: parsing and compiling the catalogue and building the automaton.
func BenchmarkStartup(b *testing.B) {
	for i := 0; i < b.N; i++ {
		rules, err := patterns.Builtin()
		if err != nil {
			b.Fatal(err)
		}
		NewDetector(rules, nil)
	}
}

// BenchmarkPrefilter measures the keyword automaton alone over 1 MB of
// typical source with the whole catalogue's keywords: the pass every byte of
// every blob goes through, whatever rules follow.
func BenchmarkPrefilter(b *testing.B) {
	d := builtinDetector(b)
	data := typicalSource(b, 1<<20)
	hits := 0
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Automaton().Scan(data, func(int, int) { hits++ })
	}
	b.StopTimer()
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}

// BenchmarkScanDir scans a folder of real Go sources (GOROOT's net/http,
// encoding/json, go/... and strings packages, every .go file) the way
// `rampart scan DIR` does: "parallel" reads with DirSource.ChunksParallel
// (the workers read the files they detect), "walker" hides it so one
// goroutine reads every file and hands it to the workers. MB/s of file
// bytes; compare the two with -cpu 2.
func BenchmarkScanDir(b *testing.B) {
	root := goroot()
	var dirs []string
	for _, d := range []string{"net/http", "encoding/json", "go", "strings"} {
		dirs = append(dirs, filepath.Join(root, "src", d))
	}
	var size int64
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				if info, err := e.Info(); err == nil {
					size += info.Size()
				}
			}
			return nil
		})
	}
	if size == 0 {
		b.Skip("GOROOT sources not available")
	}
	det := builtinDetector(b)
	for _, mode := range []string{"parallel", "walker"} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(size)
			for i := 0; i < b.N; i++ {
				for _, d := range dirs {
					var src Source = &DirSource{Root: d}
					if mode == "walker" {
						src = serialDir{src.(*DirSource)}
					}
					if _, err := Scan(context.Background(), src, det, Options{}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
