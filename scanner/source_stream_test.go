package scanner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// bigText is a text file of about 1 MB with AWS key IDs at known lines and
// columns: some where windows of 64 KB end and the next begin, and one in
// the middle of a 200 KB line that a window must cut.
func bigText() (data []byte, want []string) {
	keys := []string{testKeyID, "AKIAGMXGEDN73U55XTPL", "ASIA3DHODZDOCIS2JHTL"}
	var b bytes.Buffer
	line := 1
	for i := 0; i < 24000; i++ {
		if i%1013 == 7 {
			// A weak password: a dropped candidate, explained once.
			b.WriteString("password = \"changeme\"\n")
		} else if i%1009 == 0 {
			pad := strings.Repeat(" ", i%37)
			fmt.Fprintf(&b, "%sid %s\n", pad, keys[i%3])
			want = append(want, fmt.Sprintf("%d:%d", line, len(pad)+4))
		} else {
			b.WriteString("some ordinary line of text, nothing to see here\n")
		}
		line++
		if i == 12000 {
			fmt.Fprintf(&b, "%s %s %s\n", strings.Repeat("x", 100000), keys[1], strings.Repeat("y", 100000))
			want = append(want, fmt.Sprintf("%d:%d", line, 100002))
			line++
		}
	}
	return b.Bytes(), want
}

// TestDirSourceStreamsLargeFiles: a text file larger than MaxFileSize is
// read in overlapping windows rather than skipped, and reported as if read
// whole: every key once, at its line and column, the file counted once
// and its bytes once, nothing skipped, read by one worker or several.
func TestDirSourceStreamsLargeFiles(t *testing.T) {
	data, want := bigText()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dump.sql"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "small.env"), []byte("id "+testKeyID+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	det := builtinDetector(t)
	for _, tc := range []struct {
		name string
		src  func() Source
	}{
		{"serial", func() Source { return serialDir{&DirSource{Root: dir, MaxFileSize: 64 << 10}} }},
		{"parallel", func() Source { return &DirSource{Root: dir, MaxFileSize: 64 << 10} }},
		{"file", func() Source { return &DirSource{Root: filepath.Join(dir, "dump.sql"), MaxFileSize: 64 << 10} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			drops := map[string]int{}
			explain := func(d Drop) {
				mu.Lock()
				defer mu.Unlock()
				drops[fmt.Sprintf("%s %s:%d", d.RuleID, d.Path, d.Line)]++
			}
			res, err := Scan(context.Background(), tc.src(), det, Options{Workers: 4, Explain: explain})
			if err != nil {
				t.Fatal(err)
			}
			if len(drops) < 20 {
				t.Errorf("%d dropped candidates explained, want the weak passwords", len(drops))
			}
			for k, n := range drops {
				if n > 1 {
					t.Errorf("%s explained %d times", k, n)
				}
			}
			var got []string
			for _, f := range res.Findings {
				if f.Path == "dump.sql" {
					got = append(got, fmt.Sprintf("%d:%d", f.Line, f.Column))
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("findings in the large file:\n got %q\nwant %q", got, want)
			}
			wantFiles, wantBytes := 2, int64(len(data))+int64(len("id "+testKeyID+"\n"))
			if tc.name == "file" {
				wantFiles, wantBytes = 1, int64(len(data))
			}
			if res.Stats.Files != wantFiles || res.Stats.Bytes != wantBytes || len(res.Stats.Skipped) != 0 {
				t.Errorf("stats: %d files, %d bytes, skipped %v; want %d files, %d bytes, nothing skipped",
					res.Stats.Files, res.Stats.Bytes, res.Stats.Skipped, wantFiles, wantBytes)
			}
		})
	}
}

// TestReaderSourceStreamsLargeInput: standard input larger than MaxSize is
// read in windows too, not refused.
func TestReaderSourceStreamsLargeInput(t *testing.T) {
	data, want := bigText()
	res, err := Scan(context.Background(), &ReaderSource{R: bytes.NewReader(data), Path: "stdin", MaxSize: 64 << 10}, builtinDetector(t), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, fmt.Sprintf("%d:%d", f.Line, f.Column))
	}
	if !slices.Equal(got, want) || res.Stats.Bytes != int64(len(data)) || res.Stats.Files != 1 {
		t.Errorf("findings:\n got %q\nwant %q\nstats %+v", got, want, res.Stats)
	}
}

// TestLargeBinaryInputSkipped: binary input larger than the size limit,
// without a byte-order mark, is skipped on standard input as in a folder
// scan (README, Large files): neither scans its bytes as text, both count
// it as a skipped binary, and standard input, the scan's only input, says
// the scan is incomplete.
func TestLargeBinaryInputSkipped(t *testing.T) {
	data := append([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0}, bytes.Repeat([]byte("id "+testKeyID+"\n"), 8000)...)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "core"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, src := range []Source{
		&DirSource{Root: dir, MaxFileSize: 64 << 10},
		&ReaderSource{R: bytes.NewReader(data), Path: "stdin", MaxSize: 64 << 10},
	} {
		res, err := Scan(context.Background(), src, builtinDetector(t), Options{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) != 0 || res.Stats.Skipped["binary"] != 1 {
			t.Errorf("%T: %d findings, skipped %v; want none, one binary skipped", src, len(res.Findings), res.Stats.Skipped)
		}
		if _, stdin := src.(*ReaderSource); stdin && len(res.Stats.Incomplete) != 1 {
			t.Errorf("stdin: incomplete %q, want it said", res.Stats.Incomplete)
		}
	}
}
