package pack

import (
	"bytes"
	"compress/zlib"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	kzlib "github.com/klauspost/compress/zlib"
)

// stdInflate decodes a zlib stream as Go's compress/zlib does: the
// reference the whole-buffer decoder is held to.
func stdInflate(src []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// zlibOf compresses data at level with compress/zlib.
func zlibOf(t testing.TB, data []byte, level int) []byte {
	var b bytes.Buffer
	zw, err := zlib.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// TestInflateWholeDecodesGitsPacks: every entry of packs git wrote (its
// zlib, every level git uses for them, deltas and whole objects) is
// decoded by the whole-buffer decoder itself, not handed to the streaming
// one, and decodes to what the streaming one gives.
func TestInflateWholeDecodesGitsPacks(t *testing.T) {
	dir := historyRepo(t)
	packDir := filepath.Join(dir, ".git", "objects", "pack")
	for _, level := range []string{"0", "1", "6", "9"} {
		git(t, dir, "-c", "pack.compression="+level, "repack", "-adfq", "--depth=50", "--window=10")
		p, err := Open(onlyPack(t, packDir))
		if err != nil {
			t.Fatal(err)
		}
		var f inflater
		var stream Inflater
		for i := range p.Entries {
			e := &p.Entries[i]
			got := make([]byte, e.Size)
			if err := f.inflateZlib(got, p.data[e.Data():p.End(i)], true); err != nil {
				t.Fatalf("level %s, entry %d (%d bytes): %v", level, i, e.Size, err)
			}
			want, err := stream.inflate(p, i, nil, int(e.Size))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("level %s, entry %d: whole-buffer decoding differs", level, i)
			}
			if n := int(e.Size) / 3; n > 0 {
				head := make([]byte, n)
				if err := f.inflateZlib(head, p.data[e.Data():p.End(i)], false); err != nil || !bytes.Equal(head, want[:n]) {
					t.Fatalf("level %s, entry %d: the first %d bytes: %v", level, i, n, err)
				}
			}
		}
		p.Close()
	}
}

// FuzzInflateZlib: data compressed by compress/zlib at any level decodes
// whole and by its first bytes to data; and any bytes taken as a stream
// either decode to what compress/zlib decodes them to, or are refused
// (errInflate, for the streaming decoder to judge), never wrongly, never
// with a panic.
func FuzzInflateZlib(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	random := make([]byte, 3000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	for _, s := range [][]byte{nil, []byte("a"), []byte("hello hello hello hello"), bytes.Repeat([]byte("ab"), 5000), random, []byte("\x78\x9c\x03\x00\x00\x00\x00\x01")} {
		f.Add(s, uint8(6), uint16(7))
		// Streams as seeds too, so that mutations of the first branch
		// are near-valid streams (stored, fixed and dynamic blocks).
		for _, lv := range []int{0, 1, 6, 9, -2} {
			f.Add(zlibOf(f, s, lv), uint8(6), uint16(7))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, level uint8, cut uint16) {
		var dec inflater
		// As a stream of its own.
		if want, err := stdInflate(data); err == nil {
			got := make([]byte, len(want))
			if dec.inflateZlib(got, data, true) == nil && !bytes.Equal(got, want) {
				t.Fatalf("decoded %q, compress/zlib %q", got, want)
			}
		} else {
			for _, n := range []int{0, 1, len(data), 4 * len(data)} {
				if dec.inflateZlib(make([]byte, n), data, true) == nil {
					t.Fatalf("decoded %d bytes of a stream compress/zlib refuses (%v)", n, err)
				}
			}
		}
		// Compressed.
		lv := int(level)%11 - 1 // -1 (default) to 9
		if level == 255 {
			lv = -2 // Huffman only
		}
		src := zlibOf(t, data, lv)
		got := make([]byte, len(data))
		if err := dec.inflateZlib(got, src, true); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("level %d: %v", lv, err)
		}
		if len(data) > 0 {
			n := int(cut) % len(data)
			head := make([]byte, n)
			if err := dec.inflateZlib(head, src, false); err != nil || !bytes.Equal(head, data[:n]) {
				t.Fatalf("level %d, first %d bytes: %v", lv, n, err)
			}
		}
		// A declared size one off either way is refused.
		if dec.inflateZlib(make([]byte, len(data)+1), src, true) == nil {
			t.Fatal("decoded past the stream's end")
		}
		if len(data) > 0 && dec.inflateZlib(make([]byte, len(data)-1), src, true) == nil {
			t.Fatal("decoded a stream longer than the size")
		}
	})
}

// BenchmarkInflate decodes object-sized zlib streams of source text (this
// package's files, in 6 KB pieces, at git's default level) with the
// whole-buffer decoder and with the streaming one it stands in front of.
func BenchmarkInflate(b *testing.B) {
	files, _ := filepath.Glob("*.go")
	var text []byte
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		text = append(text, data...)
	}
	var pieces, streams [][]byte
	for len(text) > 0 {
		n := min(len(text), 6<<10)
		pieces = append(pieces, text[:n])
		streams = append(streams, zlibOf(b, text[:n], 6))
		text = text[n:]
	}
	total := 0
	for _, p := range pieces {
		total += len(p)
	}
	b.Run("whole", func(b *testing.B) {
		b.SetBytes(int64(total))
		var f inflater
		buf := make([]byte, 6<<10)
		for b.Loop() {
			for i, s := range streams {
				if err := f.inflateZlib(buf[:len(pieces[i])], s, true); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("streaming", func(b *testing.B) {
		b.SetBytes(int64(total))
		var br bytes.Reader
		var zr io.ReadCloser
		buf := make([]byte, 6<<10)
		for b.Loop() {
			for i, s := range streams {
				br.Reset(s)
				var err error
				if zr == nil {
					zr, err = kzlib.NewReader(&br)
				} else {
					err = zr.(kzlib.Resetter).Reset(&br, nil)
				}
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(zr, buf[:len(pieces[i])]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
