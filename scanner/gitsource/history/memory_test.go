package history

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// sampledSource passes History's chunks through, reading the live heap
// before each.
type sampledSource struct {
	h      *History
	sample func()
	blobs  int
}

func (s *sampledSource) Chunks(ctx context.Context, yield func(scanner.Chunk) error) error {
	return s.h.Chunks(ctx, func(c scanner.Chunk) error {
		s.sample()
		if c.Kind == scanner.KindBlob {
			s.blobs++
		}
		return yield(c)
	})
}

// TestHistoryHeapBounded reads a delta chain of 48 versions of a 1 MB file
// and requires the live heap to stay within a few versions of where it
// started: the reader holds the path from a delta tree's root to the version
// it builds, and lets each base go once its last delta is built, so peak
// memory grows with the placement tables, never with the bytes of history.
// A reader that kept every version of the chain (a base not let go, a chunk
// retained after detection) holds 48 MB here.
func TestHistoryHeapBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 48 MB of history")
	}
	r := newRepo(t)
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa")
	lines := make([]string, 0, 1<<15)
	for n := 0; n < 1<<20; {
		var b strings.Builder
		for range 6 {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		lines = append(lines, b.String())
		n += b.Len() + 1
	}
	// One git fast-import rather than 48 commits' worth of processes.
	const versions = 48
	var stream bytes.Buffer
	for v := range versions {
		lines[rng.IntN(len(lines))] = fmt.Sprintf("version %d", v)
		content := strings.Join(lines, "\n")
		msg := fmt.Sprintf("version %d", v)
		fmt.Fprintf(&stream, "commit refs/heads/main\ncommitter Alice <alice@example.com> %d +0000\ndata %d\n%s\n", 1700000000+v, len(msg), msg)
		fmt.Fprintf(&stream, "M 100644 inline big.txt\ndata %d\n%s\n", len(content), content)
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir, cmd.Stdin = r.dir, &stream
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	r.git("repack", "-adq")
	lines = nil

	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	d := scanner.NewDetector(rules, nil)
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	read := func() uint64 { metrics.Read(live); return live[0].Value.Uint64() }
	runtime.GC()
	runtime.GC() // the second empties the pools of earlier tests
	base := read()
	var peak uint64
	src := &sampledSource{h: &History{Repo: r.open()}, sample: func() { peak = max(peak, read()) }}
	if _, err := scanner.Scan(context.Background(), src, d, scanner.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	if src.blobs != versions {
		t.Fatalf("read %d blobs, want %d", src.blobs, versions)
	}
	// Two workers, each holding a version and building the next, and the
	// pools' spare buffers (2 MB each: a 1 MB blob's size class).
	const bound = 16 << 20
	if peak > base+bound {
		t.Errorf("live heap reached %d MB over the %d MB before the scan, reading %d versions of 1 MB: want at most %d MB", (peak-base)>>20, base>>20, versions, bound>>20)
	}
	t.Logf("live heap: %d MB before, at most %d MB over while reading", base>>20, (peak-base)>>20)
}
