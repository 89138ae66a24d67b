package prestart

import (
	"errors"
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
// with 16 or 64 KB pages.) An administrator's "never" is honoured here
// because MADV_COLLAPSE, unlike the advice, ignores it.
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
// The allocation seldom starts on a 2 MB boundary, and the pages below the
// first one inside it are the first reused: the catalogue's 850 KB of
// rules landed there when built after the collection, 200 faults. The
// advice therefore covers the 2 MB pages the allocation touches, and the
// first of them, which holds older objects below the allocation (its 4 KB
// pages already faulted, so no huge page would back it at a fault), is
// collapsed into a huge page at once (MADV_COLLAPSE, Linux 6.1; 0.3–7 µs
// per 4 KB against a fault's 11): Kingfisher's history scan went from
// 1,487 to 1,146 faults (69.2 → 66.1 ms, 41 rounds), a one-file
// history's from 1,169 to 931 (27.4 → 25.3 ms). (Holding the catalogue's
// build until the collection has freed the allocation saved 60 more
// faults and no time, and would put a slow collection on the start's
// critical path.) The collection costs about 2–5 ms of CPU (starting the
// collector's workers), which a hook's run does not surely win back: on
// a pre-commit hook with the first page collapsed, 200 files gained 8%
// and 50,000 lost 3% (the collection competes with the in-process diff).
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
	// heap as it was; one without MADV_COLLAPSE leaves the first page
	// to 4 KB faults.
	if lo < hi && madvise(lo, hi-lo, syscall.MADV_HUGEPAGE) == nil && lo < p {
		collapsed, collapsedAt = collapse(lo, huge), lo
	}
	runtime.KeepAlive(b)
	b = nil
	if cur := debug.SetGCPercent(old); cur != -1 {
		// main set its collector policy meanwhile (gctune.go): keep it.
		debug.SetGCPercent(cur)
	}
	runtime.GC()
}

// madvCollapse is Linux's MADV_COLLAPSE (6.1): back a range with huge
// pages now, copying the pages it holds.
const madvCollapse = 25

// collapseTries bounds the attempts at a collapse that meets EAGAIN.
const collapseTries = 8

// collapse backs the n bytes at addr with huge pages now (MADV_COLLAPSE).
// EAGAIN means a page was in use at that moment (another thread touching
// it): it came in a third of the runs, and was usually gone at the next
// try.
func collapse(addr, n uintptr) error {
	var err error
	for range collapseTries {
		if err = madvise(addr, n, madvCollapse); !errors.Is(err, syscall.EAGAIN) {
			break
		}
	}
	return err
}

// collapsed is the result of collapsing the first huge page at
// collapsedAt (nil when it was collapsed), for the test.
var (
	collapsed   error = errNotTried
	collapsedAt uintptr
)

var errNotTried = errors.New("prestart: not tried")

// madvise is madvise(2) on a range of the heap given by address: a part
// of it lies outside any Go slice.
func madvise(addr, n uintptr, advice int) error {
	if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, addr, n, uintptr(advice)); e != 0 {
		return e
	}
	return nil
}
