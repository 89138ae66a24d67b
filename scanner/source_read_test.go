package scanner

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadSized: a file is read whole whatever size Stat reported — exact,
// too small (it grew), too large (it shrank), zero (a /proc-like file) —
// and through short reads, into no buffer, one too small and a reused one
// larger than the file that still holds an earlier file's bytes.
func TestReadSized(t *testing.T) {
	content := strings.Repeat("line of text 0123456789\n", 500)
	for _, size := range []int64{int64(len(content)), 10, int64(len(content)) + 4096, 0, -1} {
		for _, buf := range [][]byte{nil, make([]byte, 0, 16), []byte(strings.Repeat("x", 3*len(content)))} {
			for _, half := range []bool{false, true} {
				r := bytes.NewReader([]byte(content))
				var rd io.Reader = r
				if half {
					rd = iotest.HalfReader(r)
				}
				got, err := readSized(rd, size, buf)
				if err != nil || string(got) != content {
					t.Errorf("size %d, buffer cap %d, half reads %v: got %d bytes, err %v; want %d bytes", size, cap(buf), half, len(got), err, len(content))
				}
			}
		}
	}
}
