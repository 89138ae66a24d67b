package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// collectLater sets the collector to early percent (a large one) while the
// live heap is small, and to late percent from the first collection that
// finds more than threshold bytes live. A history scan collects at 1.5×
// its live heap (GOGC 50) to bound peak memory on large histories, but on a
// small one the live heap is the detector and a few blobs, 10–25 MB: at
// 1.5× of that it collected 14 times in Kingfisher's 80 ms history (12% of
// its CPU, and every collection preempts both workers), for memory nobody
// would miss.
func collectLater(early, late int, threshold uint64) {
	debug.SetGCPercent(early)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		// A finalizer runs after the collection that found its object
		// unreachable: once per cycle, re-armed until the switch. The
		// pointer field keeps the sentinel out of the tiny allocator,
		// whose blocks are freed (and finalized) together.
		type sentinel struct{ _ *int }
		runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > threshold {
				debug.SetGCPercent(late)
				return
			}
			arm()
		})
	}
	arm()
}
