package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// gcPercent reads the collector's percentage (setting it is the only way).
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestCollectAbove: while the live heap is far below the floor the
// percentage aims the next collection at the floor, collection after
// collection; once 1.5× the live heap passes the floor, percent takes over.
func TestCollectAbove(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	// settle runs collections until ok accepts the percentage, or gives up.
	settle := func(ok func(int) bool) bool {
		for i := 0; i < 50; i++ {
			runtime.GC()
			time.Sleep(2 * time.Millisecond) // finalizers run on their own goroutine
			if ok(gcPercent()) {
				return true
			}
		}
		return false
	}

	stop := collectAbove(50, 1<<40)
	if settle(func(p int) bool { return p <= 50 }) {
		t.Fatal("fell to percent 50 with the live heap far under the floor")
	}
	// The test binary's live heap is a few MB: a 1 TB floor is thousands
	// of times that.
	if p := gcPercent(); p < 10000 {
		t.Fatalf("GC percent %d with a 1 TB floor, want the next collection aimed at it", p)
	}
	stop()

	live := make([][]byte, 16)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	collectAbove(50, 4<<20)
	if !settle(func(p int) bool { return p == 50 }) {
		t.Fatalf("GC percent %d with 16 MB live and a 4 MB floor, want 50", gcPercent())
	}
	runtime.KeepAlive(live)
}

// TestLiveHeap: liveHeap reads the live heap back from the goal Go's pacer
// sets, for the percentages collectAbove uses: with 64 MB held, within
// the few MB of stacks, globals and the test binary's own heap.
func TestLiveHeap(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	held := make([][]byte, 64)
	for i := range held {
		held[i] = make([]byte, 1<<20)
	}
	for _, percent := range []int{50, 100, 400, 1200} {
		debug.SetGCPercent(percent)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		live := liveHeap(ms.NextGC, percent)
		t.Logf("percent %d: goal %.1f MB, live read as %.1f MB", percent, float64(ms.NextGC)/(1<<20), float64(live)/(1<<20))
		if live < 64<<20 || live > 80<<20 {
			t.Errorf("percent %d: goal %d MB read as %d MB live, want 64-80 MB", percent, ms.NextGC>>20, live>>20)
		}
	}
	runtime.KeepAlive(held)
	// With the collector off the goal is "never".
	debug.SetGCPercent(-1)
	var off runtime.MemStats
	runtime.ReadMemStats(&off)
	if live := liveHeap(off.NextGC, 50); live != 0 {
		t.Errorf("with the collector off (goal %d) the live heap reads %d, want 0 (no goal)", off.NextGC, live)
	}
	if liveHeap(0, 50) != 0 || liveHeap(1<<20, -1) != 0 {
		t.Error("liveHeap without a goal or with the collector off is not 0")
	}
}
