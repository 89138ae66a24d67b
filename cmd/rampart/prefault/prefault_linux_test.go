package prefault

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func TestParseMaps(t *testing.T) {
	in := "00400000-00a8e000 r-xp 00000000 fe:00 123 /usr/bin/ramp art\n" +
		"013a1000-015b0000 rw-p 00fa1000 fe:00 123 /usr/bin/ramp art\n" +
		"c000000000-c004000000 rw-p 00000000 00:00 0 \n" +
		"7ffd1000-7ffd2000 r--p 00000000 00:00 0                          [vvar]\n" +
		"garbage line\n" +
		"zz-10 r-xp 0 0 0 /x\n" +
		"20-10 r-xp 0 0 0 /x\n" +
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]"
	want := []mapping{
		{0x400000, 0xa8e000, false, "/usr/bin/ramp art"},
		{0x13a1000, 0x15b0000, true, "/usr/bin/ramp art"},
		{0x7ffd1000, 0x7ffd2000, false, "[vvar]"},
	}
	// An address past 32 bits is read where a uintptr holds it, and
	// the line skipped where it does not.
	if unsafe.Sizeof(uintptr(0)) == 8 {
		lo, hi := uint64(0xffffffffff600000), uint64(0xffffffffff601000)
		want = append(want, mapping{uintptr(lo), uintptr(hi), false, "[vsyscall]"})
	}
	if got := parseMaps([]byte(in)); !reflect.DeepEqual(got, want) {
		t.Errorf("parseMaps:\n got %+v\nwant %+v", got, want)
	}
}

// FuzzParseMaps: no input makes parseMaps panic, and what it returns is
// well formed.
func FuzzParseMaps(f *testing.F) {
	f.Add([]byte("00400000-00a8e000 r-xp 00000000 fe:00 123 /bin/x\n"))
	f.Add([]byte("1-2 rw 0 0 0 p\n\n\t \n-1 r 0 0 0 x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, m := range parseMaps(b) {
			if m.start >= m.end || m.path == "" {
				t.Errorf("%q: %+v", b, m)
			}
		}
	})
}

// TestExecutableMappings: the mappings found are the test binary's, its
// code among them.
func TestExecutableMappings(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	ms := executableMappings()
	code := false
	for _, m := range ms {
		if m.path != exe {
			t.Errorf("mapping %+v is not of %s", m, exe)
		}
		code = code || !m.writable && m.end-m.start >= 1<<20
	}
	if !code {
		t.Errorf("no read-only mapping of a megabyte or more among %+v", ms)
	}
}

// TestPopulateMapsPagesIn: a file mapped read-only is resident whole
// after populateMappings, not before; a writable mapping is left alone.
func TestPopulateMapsPagesIn(t *testing.T) {
	const size = 4 << 20
	path := t.TempDir() + "/data"
	if err := os.WriteFile(path, make([]byte, size), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ro, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(ro)
	rw, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(rw)
	ms := mappingsOf(readMaps(), path)
	if len(ms) != 2 {
		t.Fatalf("%d mappings of %s, want 2: %+v", len(ms), path, ms)
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, ms[0].start, 4096, madvPopulateRead); errno == syscall.EINVAL {
		t.Skip("MADV_POPULATE_READ is not supported by this kernel")
	}
	for _, m := range ms {
		if r := resident(t, m); r > 0.5 {
			t.Fatalf("%.0f%% of %+v is resident before populating", 100*r, m)
		}
	}
	populateMappings(ms)
	for _, m := range ms {
		r := resident(t, m)
		if !m.writable && r < 0.99 {
			t.Errorf("%.0f%% of the read-only mapping is resident after populating", 100*r)
		}
		if m.writable && r > 0.5 {
			t.Errorf("%.0f%% of the writable mapping is resident after populating: it was populated", 100*r)
		}
	}
}

// resident returns the share of m that /proc/self/smaps says is resident.
func resident(t *testing.T, m mapping) float64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.Contains(f[0], "-") {
			start, _, ok := parseRange([]byte(f[0]))
			in = ok && start == m.start
			continue
		}
		if in && strings.HasPrefix(line, "Rss:") {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(line, "Rss:")), " kB"), 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb * 1024 / float64(m.end-m.start)
		}
	}
	t.Fatalf("no smaps entry for %x", m.start)
	return 0
}
