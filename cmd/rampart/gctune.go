package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// smallHeap is the heap a history scan grows to before its first
// collection (collectAbove's floor): the detector and a few blobs fit in it.
const smallHeap = 48 << 20

// collectAbove makes the collector run when the heap reaches floor bytes or
// percent more than its live part, whichever is larger. A history scan
// collects at 1.5× its live heap (percent 50) to bound peak memory on large
// histories, but on a small one the live heap is the detector and a few
// blobs, 10–30 MB: at 1.5× of that it collected 14 times in Kingfisher's
// 80 ms history (12% of its CPU, and every collection preempts the
// workers). Below floor, the collector's percentage is set after each
// collection so that the next one comes at floor; once 1.5× the live heap
// passes floor, percent stays. stop ends the adjustments early (tests).
func collectAbove(percent int, floor uint64) (stop func()) {
	var stopped atomic.Bool
	// Before the first collection the goal is 4 MB scaled by the
	// percentage.
	debug.SetGCPercent(max(percent, int(floor/(4<<20))*100))
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		// A finalizer runs after the collection that found its object
		// unreachable: once per cycle, re-armed until percent takes
		// over. The pointer field keeps the sentinel out of the tiny
		// allocator, whose blocks are freed (and finalized) together.
		type sentinel struct{ _ *int }
		runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
			if stopped.Load() {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				debug.SetGCPercent(percent)
				return
			}
			live := max(sample[0].Value.Uint64(), 1)
			if p := int(floor*100/live) - 100; p > percent {
				debug.SetGCPercent(p)
				arm()
				return
			}
			debug.SetGCPercent(percent)
		})
	}
	arm()
	return func() { stopped.Store(true) }
}
