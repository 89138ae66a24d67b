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

// TestCollectLater: the early percentage holds while the live heap stays
// under the threshold, collection after collection, and the late one takes
// over after the first collection that finds more live.
func TestCollectLater(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	// settled runs collections until the percentage is want, or gives up.
	settled := func(want int) bool {
		for i := 0; i < 50; i++ {
			runtime.GC()
			time.Sleep(2 * time.Millisecond) // finalizers run on their own goroutine
			if gcPercent() == want {
				return true
			}
		}
		return false
	}

	collectLater(400, 50, 1<<40)
	if settled(50) {
		t.Fatal("switched to the late percentage with the live heap far under the threshold")
	}
	if p := gcPercent(); p != 400 {
		t.Fatalf("GC percent %d, want the early 400", p)
	}

	live := make([][]byte, 16)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	collectLater(400, 50, 4<<20)
	if !settled(50) {
		t.Fatalf("GC percent %d with 16 MB live and a 4 MB threshold, want the late 50", gcPercent())
	}
	runtime.KeepAlive(live)
}
