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
// and through short reads.
func TestReadSized(t *testing.T) {
	content := strings.Repeat("line of text 0123456789\n", 500)
	for _, size := range []int64{int64(len(content)), 10, int64(len(content)) + 4096, 0, -1} {
		for _, half := range []bool{false, true} {
			r := bytes.NewReader([]byte(content))
			var rd io.Reader = r
			if half {
				rd = iotest.HalfReader(r)
			}
			got, err := readSized(rd, size)
			if err != nil || string(got) != content {
				t.Errorf("size %d, half reads %v: got %d bytes, err %v; want %d bytes", size, half, len(got), err, len(content))
			}
		}
	}
}
