package prestart

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// TestHeapOnHugePages: in a fresh process, as in main, memory the heap
// hands out once HugeHeap's goroutine is done lies in a mapping advised
// for huge pages (VmFlags "hg" in /proc/self/smaps), its start included:
// the advice reached the pages later allocations use, below the freed
// allocation's first huge-page boundary too, and was not lost to the
// runtime's next mmap of the heap. (In this test binary's own process
// other tests have left free heap below the advised part.)
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
