package main

import (
	"bytes"
	"testing"
	"time"
)

// TestProgressWaitsASecond: a scan shorter than a second never draws a
// bar (issue #15: it flashed for one-file scans); a longer one does, and
// finish clears it.
func TestProgressWaitsASecond(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	p := newProgress(&out, nil, func() time.Time { return clock })
	for i := 1; i <= 10; i++ {
		clock = clock.Add(90 * time.Millisecond)
		p.update(i, int64(i)<<20)
	}
	p.finish()
	if out.Len() != 0 {
		t.Fatalf("a 0.9 s scan drew %q", out.String())
	}
	clock = clock.Add(200 * time.Millisecond)
	p.update(11, 11<<20)
	if !bytes.Contains(out.Bytes(), []byte("MB/s")) {
		t.Fatalf("a 1.1 s scan drew nothing: %q", out.String())
	}
	p.finish()
}
