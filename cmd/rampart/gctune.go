package main

import (
	"runtime"
	"runtime/debug"
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
	cur := max(percent, int(floor/(4<<20))*100)
	debug.SetGCPercent(cur)
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
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			live := liveHeap(ms.NextGC, cur)
			if live == 0 {
				// No goal to read (the collector was off at that
				// moment: heapOnHugePages turns it off and on): decide
				// at the next collection.
				arm()
				return
			}
			if p := int(floor*100/live) - 100; p > percent {
				cur = p
				debug.SetGCPercent(p)
				arm()
				return
			}
			cur = percent
			debug.SetGCPercent(percent)
		})
	}
	arm()
	return func() { stopped.Store(true) }
}

// liveHeap estimates the live heap the last collection found from the goal
// it set for the next, at percent: Go's pacer sets goal = live + (live +
// stacks + globals) × percent/100, or 4 MB × percent/100 if that is more,
// read here as live ≈ goal × 100/(100+percent). The stacks and globals'
// share makes the estimate at most a few MB high, the minimum more on a
// heap of a few MB; either way the next goal stays near floor. Under a
// memory limit (GOMEMLIMIT) that binds, the goal is the limit's and the
// live heap reads low: the percentage goes up, and the limit still holds.
// (Package runtime/metrics reads the live heap exactly, but its
// initialiser cost every run of rampart, hooks included, 0.8 ms of 20.)
// 0: no goal (none yet, or the collector off, whose goal is "never").
func liveHeap(goal uint64, percent int) uint64 {
	if goal == 0 || goal >= 1<<62 || percent < 0 {
		return 0
	}
	return max(goal/uint64(100+percent)*100, 1)
}
