package prestart

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// TestHeapOnHugePages: in a fresh process, as in main, memory the heap
// hands out once HugeHeap's goroutine is done lies in a mapping advised
// for huge pages (VmFlags "hg" in /proc/self/smaps), its start included:
// the advice reached the pages later allocations use, below the freed
// allocation's first huge-page boundary too, and was not lost to the
// runtime's next mmap of the heap; and the collapse of the first page was
// asked for at that page. (In this test binary's own process other tests
// have left free heap below the advised part.) TestCollapse checks that a
// collapse makes a huge page.
func TestHeapOnHugePages(t *testing.T) {
	if os.Getenv("RAMPART_TEST_HUGEPAGES") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHeapOnHugePages$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "RAMPART_TEST_HUGEPAGES=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if strings.Contains(string(out), "SKIP") {
			t.Skipf("%s", out)
		}
		t.Logf("%s", out)
		return
	}
	huge := hugePageSize()
	if huge != 2<<20 {
		t.Skipf("transparent huge pages of %d bytes on this kernel, not 2 MB", huge)
	}
	if strings.Contains(os.Getenv("GODEBUG"), "disablethp=1") {
		t.Skip("GODEBUG=disablethp=1")
	}
	HugeHeap()
	<-hugeDone
	// Larger than what is left of the runtime's first 4 MB chunk: it
	// comes from the grown part of the heap.
	b := make([]byte, 6<<20)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	after := advisedRanges(t)
	if len(after) == 0 {
		t.Fatal("no mapping advised for huge pages after heapOnHugePages")
	}
	// Neither its start (the advice covers the 2 MB pages the freed
	// allocation touched, the first one included) nor its end lies
	// outside.
	if end := p + uintptr(len(b)) - 1; !inRanges(after, p) || !inRanges(after, end) {
		t.Fatalf("a 6 MB allocation at %#x-%#x is outside the advised mappings %x", p, end, after)
	}
	runtime.KeepAlive(b)
	if collapsed == errNotTried {
		t.Log("the collected allocation began on a 2 MB boundary: nothing to collapse")
		return
	}
	// The page asked to be collapsed is the one holding the freed
	// allocation's start: where the heap hands out memory first.
	if collapsedAt&(huge-1) != 0 || !inRanges(after, collapsedAt) {
		t.Errorf("collapse asked at %#x: not a huge page's start in the advised mappings %x", collapsedAt, after)
	}
	t.Logf("collapse of the first page: %v", collapsed)
}

// TestCollapse: collapse turns a 2 MB page of 4 KB pages, some of them
// written, into one huge page that keeps what was written. The page is
// a mapping of its own, so its AnonHugePages in smaps is this page alone.
// A kernel without MADV_COLLAPSE (before 6.1), or without a huge page to
// spare at that moment, skips.
func TestCollapse(t *testing.T) {
	huge := hugePageSize()
	if huge != 2<<20 {
		t.Skipf("transparent huge pages of %d bytes on this kernel, not 2 MB", huge)
	}
	m, err := syscall.Mmap(-1, 0, int(2*huge), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip(err)
	}
	defer syscall.Munmap(m)
	base := uintptr(unsafe.Pointer(&m[0]))
	start := (base+huge-1)&^(huge-1) - base
	page := m[start : start+huge]
	addr := uintptr(unsafe.Pointer(&page[0]))
	// Only the aligned page stays mapped: its smaps entry is its own.
	if start > 0 {
		syscall.Munmap(m[:start])
	}
	if rest := m[start+huge:]; len(rest) > 0 {
		syscall.Munmap(rest[:len(rest):len(rest)])
	}
	for i := 0; i < len(page); i += 64 << 10 {
		page[i] = byte(i >> 16)
	}
	if kb := hugeKB(t, addr); kb != 0 {
		t.Skipf("the page was backed by a huge page before the collapse (%d kB): THP mode always?", kb)
	}
	err = collapse(addr, huge)
	switch {
	case errors.Is(err, syscall.EINVAL):
		t.Skip("no MADV_COLLAPSE on this kernel (before Linux 6.1)")
	case errors.Is(err, syscall.ENOMEM), errors.Is(err, syscall.EBUSY), errors.Is(err, syscall.EAGAIN):
		t.Skipf("no huge page to spare now: %v", err)
	case err != nil:
		t.Fatalf("collapse: %v", err)
	}
	if kb := hugeKB(t, addr); kb != int(huge>>10) {
		t.Errorf("after the collapse the page has %d kB on huge pages, want %d", kb, huge>>10)
	}
	for i := 0; i < len(page); i += 64 << 10 {
		if page[i] != byte(i>>16) {
			t.Fatalf("byte %d is %d after the collapse, want %d", i, page[i], byte(i>>16))
		}
	}
}

// hugeKB returns AnonHugePages of the mapping holding p, in kB.
func hugeKB(t *testing.T, p uintptr) int {
	t.Helper()
	data, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		if first, _, _ := strings.Cut(line, " "); !strings.HasSuffix(first, ":") {
			var lo, hi uintptr
			if n, _ := fmt.Sscanf(first, "%x-%x", &lo, &hi); n == 2 {
				in = lo <= p && p < hi
			}
			continue
		}
		var kb int
		if in && strings.HasPrefix(line, "AnonHugePages:") {
			fmt.Sscanf(strings.TrimPrefix(line, "AnonHugePages:"), "%d", &kb)
			return kb
		}
	}
	t.Fatalf("no mapping holds %#x", p)
	return 0
}

// advisedRanges lists this process's mappings whose VmFlags include hg.
func advisedRanges(t *testing.T) [][2]uintptr {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	var out [][2]uintptr
	var cur [2]uintptr
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if first, _, _ := strings.Cut(line, " "); !strings.HasSuffix(first, ":") {
			if n, _ := fmt.Sscanf(first, "%x-%x", &lo, &hi); n != 2 {
				t.Fatalf("smaps: cannot read %q", line)
			}
			cur = [2]uintptr{lo, hi}
			continue
		}
		if strings.HasPrefix(line, "VmFlags:") && strings.Contains(line, " hg") {
			out = append(out, cur)
		}
	}
	return out
}

func inRanges(rs [][2]uintptr, p uintptr) bool {
	for _, r := range rs {
		if r[0] <= p && p < r[1] {
			return true
		}
	}
	return false
}
