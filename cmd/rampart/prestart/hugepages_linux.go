package prestart

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"unsafe"
)

// hugePageSize is the size of a transparent huge page on amd64 and arm64
// (4 KB base pages).
const hugePageSize = 2 << 20

// heapOnHugePages asks the kernel to back the first n bytes the heap grows
// into with transparent huge pages. Linux faults fresh anonymous memory in
// one 4 KB page at a time; on virtual machines a fault costs 10–12 µs, so
// the 9,000 faults of a 36 MB heap were a third of the CPU of a history
// scan of a small repository (Kingfisher: 0.29 s → 0.19 s of CPU with this,
// peak memory 32 → 34 MB). Go's runtime no longer advises huge pages
// itself, and with the kernel's default THP mode ("madvise") only advised
// memory gets them.
//
// The runtime maps heap with a fresh mmap per 4 MB chunk, which would not
// inherit advice given ahead of it, so the heap is first grown by one n-byte
// allocation (fresh pages: never touched, never zeroed), the advice is
// given on its range, and a collection frees it: later allocations reuse
// those pages, lowest addresses first, each 2 MB fault backed by one huge
// page. Memory beyond n is faulted as before. The collection costs about
// 5 ms of CPU (starting the collector's workers), which a hook's run does
// not win back: scans of trees and histories only (HugeHeap).
// GODEBUG=disablethp=1 (the runtime's own switch for the opposite wish)
// turns this off.
func heapOnHugePages(n int) {
	if strings.Contains(os.Getenv("GODEBUG"), "disablethp=1") || n < 2*hugePageSize {
		return
	}
	// The allocation would start a collection of its own (it is far past
	// the first goal, 4 MB), which runtime.GC below waits for and then
	// repeats: two collections, the first with the initialisers' goroutine
	// assisting it (4 ms of CPU, 1 ms of it on that critical path). None
	// starts while the percentage is off.
	old := debug.SetGCPercent(-1)
	b := make([]byte, n)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := (p+hugePageSize-1)&^(hugePageSize-1) - p
	hi := (p+uintptr(n))&^(hugePageSize-1) - p
	// An error (a kernel without transparent huge pages) leaves the
	// heap as it was.
	_ = syscall.Madvise(b[lo:hi], syscall.MADV_HUGEPAGE)
	b = nil
	if cur := debug.SetGCPercent(old); cur != -1 {
		// main set its collector policy meanwhile (gctune.go): keep it.
		debug.SetGCPercent(cur)
	}
	runtime.GC()
}
