package scanner

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// serialDir hides DirSource's ChunksParallel, so Scan reads the folder
// through Chunks on one goroutine.
type serialDir struct{ d *DirSource }

func (s serialDir) Chunks(ctx context.Context, yield func(Chunk) error) error {
	return s.d.Chunks(ctx, yield)
}

func (s serialDir) AddStats(st *Stats) { s.d.AddStats(st) }

// TestDirSourceParallelMatchesSerial: reading a folder on several workers
// gives the same findings, in the same (walk) order, and the same skip
// counts as reading it file by file: keys in files of every size (a
// reused buffer larger than the next file must not leak the earlier
// file's bytes), a file too large to read whole, binary, unreadable and
// symlinked files.
func TestDirSourceParallelMatchesSerial(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	keys := []string{testKeyID, "AKIAGMXGEDN73U55XTPL", "ASIA3DHODZDOCIS2JHTL"}
	for i := 0; i < 300; i++ {
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", i%17))
		must(os.MkdirAll(sub, 0o755))
		var b bytes.Buffer
		// Sizes from a few bytes to ~200 KB, large and small interleaved.
		for j := 0; j < (i*7919)%4000; j++ {
			b.WriteString("some ordinary line of text, nothing to see\n")
		}
		if i%5 == 0 {
			fmt.Fprintf(&b, "id %s\n", keys[i%len(keys)])
		}
		must(os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%03d.txt", i)), b.Bytes(), 0o644))
	}
	must(os.WriteFile(filepath.Join(dir, "bin"), append([]byte{0, 1, 2}, testKeyID...), 0o644))
	// Over MaxFileSize: read in windows, by one worker as by the walk.
	var big bytes.Buffer
	for i := 0; i < 60000; i++ {
		if i%10000 == 5 {
			fmt.Fprintf(&big, "id %s\n", keys[i%len(keys)])
		} else {
			big.WriteString("some ordinary line of text, nothing to see\n")
		}
	}
	must(os.WriteFile(filepath.Join(dir, "big"), big.Bytes(), 0o644))
	must(os.Symlink(filepath.Join(dir, "d00", "f000.txt"), filepath.Join(dir, "link")))
	// Files that cannot be opened, in several folders (a permission
	// denied that root would not meet): their notes must come out in walk
	// order, as a serial scan writes them.
	locked := []string{"d03/locked.txt", "d11/locked.txt", "d16/zz-locked.txt", "locked.txt"}
	for _, name := range locked {
		must(os.WriteFile(filepath.Join(dir, name), []byte("id "+testKeyID+"\n"), 0o644))
	}
	open := func(p string) (dirFile, error) {
		if strings.Contains(filepath.Base(p), "locked") {
			if strings.Contains(p, "d03") {
				// The first failure is the slowest: the other workers
				// meet theirs first.
				time.Sleep(50 * time.Millisecond)
			}
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
		}
		return openFile(p)
	}
	wantFindings, unreadable := 66, len(locked)

	det := builtinDetector(t)
	scan := func(src Source) *Result {
		t.Helper()
		res, err := Scan(context.Background(), src, det, Options{Workers: 4})
		must(err)
		res.Stats.DurationMS = 0
		for i := range res.Findings {
			res.Findings[i].seq = 0 // numbered differently; the order is what counts
		}
		return res
	}
	serial := scan(serialDir{&DirSource{Root: dir, MaxFileSize: 1 << 20, open: open}})
	if n := len(serial.Findings); n != wantFindings {
		t.Fatalf("serial scan: %d findings, want %d", n, wantFindings)
	}
	if serial.Stats.Skipped["binary"] != 1 || serial.Stats.Skipped["too-large"] != 0 || serial.Stats.Skipped["symlink"] != 1 ||
		serial.Stats.Skipped["unreadable"] != unreadable {
		t.Fatalf("serial scan skipped %v", serial.Stats.Skipped)
	}
	for run := 0; run < 5; run++ {
		src := &DirSource{Root: dir, MaxFileSize: 1 << 20, open: open}
		par := scan(src)
		if !reflect.DeepEqual(par.Findings, serial.Findings) {
			t.Fatalf("run %d: parallel findings differ from serial:\n%+v\nwant\n%+v", run, par.Findings, serial.Findings)
		}
		if len(par.Stats.Incomplete) != unreadable {
			t.Fatalf("run %d: notes %q, want %d", run, par.Stats.Incomplete, unreadable)
		}
		if want := "could not read d03/locked.txt: permission denied"; par.Stats.Incomplete[0] != want {
			t.Fatalf("run %d: first note %q, want %q (walk order)", run, par.Stats.Incomplete[0], want)
		}
		if !reflect.DeepEqual(par.Stats, serial.Stats) {
			t.Fatalf("run %d: parallel stats %+v, want %+v", run, par.Stats, serial.Stats)
		}
		if src.Covers("bin") || !src.Covers("big") || !src.Covers("d03/f003.txt") {
			t.Errorf("run %d: Covers(bin) = %v, Covers(big) = %v, Covers(d03/f003.txt) = %v", run, src.Covers("bin"), src.Covers("big"), src.Covers("d03/f003.txt"))
		}
	}
}

// TestDirSourceNotesInWalkOrder: read one file at a time, a folder's "could
// not read" notes come out in walk order, files and folders alike: a file
// that cannot be opened, a folder gone before it could be listed (removed
// while the walk was at the first file), a second file.
func TestDirSourceNotesInWalkOrder(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a/locked.txt", "b/gone.txt", "c/locked.txt"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("text\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	open := func(p string) (dirFile, error) {
		if strings.Contains(p, "locked") {
			if strings.Contains(p, filepath.FromSlash("a/")) {
				// The walk has listed the root: b is met, not listed.
				if err := os.RemoveAll(filepath.Join(dir, "b")); err != nil {
					t.Error(err)
				}
			}
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
		}
		return openFile(p)
	}
	want := []string{
		"could not read a/locked.txt: permission denied",
		"could not read b: no such file or directory",
		"could not read c/locked.txt: permission denied",
	}
	for _, tc := range []struct {
		name string
		src  func(*DirSource) Source
	}{
		{"Chunks", func(d *DirSource) Source { return serialDir{d} }},
		{"one worker", func(d *DirSource) Source { return d }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.MkdirAll(filepath.Join(dir, "b"), 0o755); err != nil {
				t.Fatal(err)
			}
			res, err := Scan(context.Background(), tc.src(&DirSource{Root: dir, open: open}), builtinDetector(t), Options{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res.Stats.Incomplete, want) {
				t.Errorf("notes:\n%q\nwant (walk order)\n%q", res.Stats.Incomplete, want)
			}
		})
	}
}
