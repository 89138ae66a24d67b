package prestart

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// thpDir holds the kernel's transparent huge page settings.
const thpDir = "/sys/kernel/mm/transparent_hugepage/"

// hugePageSize returns the size of a transparent huge page, or 0 when the
// kernel gives none: its THP mode is "never", or it says no size. (2 MB
// with 4 KB base pages, amd64 and most arm64; 32 MB or 512 MB on arm64
// with 16 or 64 KB pages.) Under "never" the advice does nothing, and
// the collection it needs would be spent for nothing.
func hugePageSize() uintptr {
	mode, err := os.ReadFile(thpDir + "enabled")
	if err != nil || strings.Contains(string(mode), "[never]") {
		return 0
	}
	size, err := os.ReadFile(thpDir + "hpage_pmd_size")
	if err != nil {
		if os.Getpagesize() == 4096 {
			return 2 << 20 // a kernel before 4.14 has no hpage_pmd_size
		}
		return 0
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(size)), 10, 64)
	if err != nil || n == 0 || n&(n-1) != 0 {
		return 0
	}
	return uintptr(n)
}

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
// page. Memory beyond n is faulted as before.
//
// The allocation starts on a 2 MB boundary in about half the runs. When it
// does not, the pages below its first boundary, in a 2 MB page that holds
// older objects (its 4 KB pages already faulted, so no fault there gets a
// huge page), are the first reused: the catalogue's 850 KB of rules lands
// there, about 240 faults. The advice covers the 2 MB pages the
// allocation touches, that one too (khugepaged may collapse it later, in
// a long scan). Collapsing it at once (MADV_COLLAPSE) saved those faults
// but cost more: the call took 2.4–3.9 ms, sometimes twice (EAGAIN), and
// held one of the two cores' Ps through the initialisers, so the
// catalogue's build, begun then, waited for a P (3.9 ms in a traced run).
// Without it, Kingfisher's history took less CPU (125.4 against 129.5 ms,
// 41 alternated runs) and less time in five alternated loops (by 0.7 to
// 3.3 ms, 64.1 against 65.0 ms in the quietest). (Holding the catalogue's
// build until the collection has freed the allocation saved 60 faults and
// no time, and would put a slow collection on the start's critical path.)
// The collection costs about 2–5 ms of CPU (starting the collector's
// workers), which a hook's run does not surely win back: on a pre-commit
// hook, 200 files gained 8% and 50,000 lost 3% (the collection competes
// with the in-process diff).
// Scans of trees and histories only (HugeHeap).
// GODEBUG=disablethp=1 (the runtime's own switch for the opposite wish)
// turns this off.
func heapOnHugePages(n int) {
	if strings.Contains(os.Getenv("GODEBUG"), "disablethp=1") {
		return
	}
	huge := hugePageSize()
	if huge == 0 || uintptr(n) < 2*huge {
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
	// The runtime maps the heap in 4 MB-aligned chunks inside 64 MB
	// arenas, so the huge pages at either end of the allocation are
	// mapped too (a larger huge page is advised only where it lies
	// whole inside the allocation).
	lo := p &^ (huge - 1)
	hi := (p + uintptr(n) + huge - 1) &^ (huge - 1)
	if huge > 2<<20 {
		lo, hi = (p+huge-1)&^(huge-1), (p+uintptr(n))&^(huge-1)
	}
	// An error (a kernel without transparent huge pages) leaves the
	// heap as it was.
	if lo < hi {
		_ = madvise(lo, hi-lo, syscall.MADV_HUGEPAGE)
	}
	runtime.KeepAlive(b)
	b = nil
	if cur := debug.SetGCPercent(old); cur != -1 {
		// main set its collector policy meanwhile (gctune.go): keep it.
		debug.SetGCPercent(cur)
	}
	runtime.GC()
}

// madvise is madvise(2) on a range of the heap given by address: a part
// of it lies outside any Go slice.
func madvise(addr, n uintptr, advice int) error {
	if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, addr, n, uintptr(advice)); e != 0 {
		return e
	}
	return nil
}
