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
