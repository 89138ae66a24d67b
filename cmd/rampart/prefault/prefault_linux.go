package prefault

import (
	"runtime"
	"syscall"
	"unsafe"
)

// madvPopulateRead asks the kernel to map a range's pages in, as reading
// them would (Linux 5.14).
const madvPopulateRead = 22

// maxMapping bounds what is mapped in: an executable's read-only mappings
// are tens of megabytes, and a bigger one is not what this expects.
const maxMapping = 256 << 20

// populate maps in the executable's read-only mappings (code, read-only
// data, the tables behind stack traces and the collector's stack scans):
// every mapping of the file that holds this function's code, but the
// writable ones (writing to one copies its pages; a read would only map
// pages that are soon copied). It reads /proc/self/maps rather than the
// linker's section symbols, which a position-independent build moves.
func populate() { populateMappings(executableMappings()) }

// populateMappings maps in the read-only mappings of ms.
func populateMappings(ms []mapping) {
	for _, m := range ms {
		if m.writable || m.end-m.start > maxMapping {
			continue
		}
		// An old kernel answers EINVAL; nothing is lost.
		syscall.Syscall(syscall.SYS_MADVISE, m.start, m.end-m.start, madvPopulateRead)
	}
}

// mapping is one line of /proc/self/maps.
type mapping struct {
	start, end uintptr
	writable   bool
	path       string
}

// executableMappings returns the mappings of the file that holds this
// package's code, in the order the kernel lists them; none if
// /proc/self/maps cannot be read.
func executableMappings() []mapping {
	all := readMaps()
	var pc [1]uintptr
	if runtime.Callers(1, pc[:]) == 0 {
		return nil
	}
	exe := ""
	for _, m := range all {
		if m.start <= pc[0] && pc[0] < m.end {
			exe = m.path
		}
	}
	if exe == "" {
		return nil
	}
	return mappingsOf(all, exe)
}

// mappingsOf returns the mappings of the file at path.
func mappingsOf(all []mapping, path string) []mapping {
	var out []mapping
	for _, m := range all {
		if m.path == path {
			out = append(out, m)
		}
	}
	return out
}

// readMaps reads and parses /proc/self/maps with system calls alone (this
// package imports nothing that initialises late).
func readMaps() []mapping {
	fd, err := syscall.Open("/proc/self/maps", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer syscall.Close(fd)
	var buf []byte
	chunk := make([]byte, 16<<10)
	for len(buf) < 4<<20 {
		n, err := syscall.Read(fd, chunk)
		if err == syscall.EINTR {
			continue
		}
		if n <= 0 || err != nil {
			break
		}
		buf = append(buf, chunk[:n]...)
	}
	return parseMaps(buf)
}

// parseMaps parses the lines of /proc/self/maps it understands
// ("start-end perms offset dev inode path") and skips the rest. (By hand:
// bytes and strconv would bring in unicode, which initialises later.)
func parseMaps(b []byte) []mapping {
	var out []mapping
	for len(b) > 0 {
		line := b
		b = nil
		for i, c := range line {
			if c == '\n' {
				line, b = line[:i], line[i+1:]
				break
			}
		}
		var f [6][]byte
		rest := line
		n := 0
		for ; n < 5; n++ {
			rest = trimBlank(rest)
			i := 0
			for i < len(rest) && rest[i] != ' ' && rest[i] != '\t' {
				i++
			}
			if i == 0 {
				break
			}
			f[n], rest = rest[:i], rest[i:]
		}
		// The path is the rest of the line: it may hold spaces.
		f[5] = trimBlank(rest)
		if n < 5 || len(f[5]) == 0 || len(f[1]) < 2 {
			continue
		}
		start, end, ok := parseRange(f[0])
		if !ok {
			continue
		}
		out = append(out, mapping{start: start, end: end, writable: f[1][1] == 'w', path: string(f[5])})
	}
	return out
}

// trimBlank drops leading spaces and tabs.
func trimBlank(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// parseRange parses "start-end" in hex; ok is false unless start < end.
func parseRange(b []byte) (start, end uintptr, ok bool) {
	dash := -1
	for i, c := range b {
		if c == '-' {
			dash = i
			break
		}
	}
	if dash <= 0 {
		return 0, 0, false
	}
	start, ok1 := parseHex(b[:dash])
	end, ok2 := parseHex(b[dash+1:])
	return start, end, ok1 && ok2 && start < end
}

// parseHex parses a hex number that fits a uintptr (16 digits, or 8 on
// a 32-bit platform).
func parseHex(b []byte) (uintptr, bool) {
	if len(b) == 0 || len(b) > 2*int(unsafe.Sizeof(uintptr(0))) {
		return 0, false
	}
	var x uint64
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		x = x<<4 | uint64(c)
	}
	return uintptr(x), true
}
