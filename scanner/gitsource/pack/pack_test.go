package pack

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// historyRepo builds a repository whose history gives git's delta search
// something to do: 30 commits editing five text files line by line, a
// binary file, a file of more than 64 KiB (so a copy of its unchanged part
// exceeds the 0x10000 bytes one copy instruction can carry), an empty file
// and an annotated tag. The edits come from a fixed seed, so the history
// is the same on every run.
func historyRepo(t *testing.T) string {
	t.Helper()
	needGit(t)
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"}
		return words[rng.IntN(len(words))]
	}
	line := func() string {
		return fmt.Sprintf("%s %s %s %d\n", word(), word(), word(), rng.IntN(1e6))
	}
	texts := make([][]string, 5)
	for f := range texts {
		for range 40 + 20*f {
			texts[f] = append(texts[f], line())
		}
	}
	bin := make([]byte, 8<<10)
	for i := range bin {
		bin[i] = byte(rng.Uint32())
	}
	var big []string
	for n := 0; n < 150<<10; n += len(big[len(big)-1]) {
		big = append(big, line())
	}
	writeFile(t, filepath.Join(dir, "empty"), nil)

	for c := range 30 {
		for f := range texts {
			if rng.IntN(3) == 0 {
				continue // not every file changes in every commit
			}
			for range 1 + rng.IntN(4) {
				at := rng.IntN(len(texts[f]) + 1)
				texts[f] = append(texts[f][:at], append([]string{line()}, texts[f][at:]...)...)
			}
			if c%5 == f {
				// A paragraph replaced by one unlike anything else: more
				// new bytes, whichever version git makes the base, than
				// one insert instruction carries (127), so git splits it.
				at := rng.IntN(len(texts[f]) - 8)
				for k := range 8 {
					texts[f][at+k] = fmt.Sprintf("%016x%016x\n", rng.Uint64(), rng.Uint64())
				}
			}
			for range rng.IntN(3) {
				at := rng.IntN(len(texts[f]))
				texts[f] = append(texts[f][:at], texts[f][at+1:]...)
			}
			writeFile(t, filepath.Join(dir, "src", fmt.Sprintf("file%d.txt", f)), []byte(strings.Join(texts[f], "")))
		}
		for range 1 + rng.IntN(8) {
			bin[rng.IntN(len(bin))] ^= byte(1 + rng.IntN(255))
		}
		if c%4 == 0 {
			at := rng.IntN(len(bin))
			bin = append(bin[:at], append([]byte{0, 1, 2, 3, 0xff}, bin[at:]...)...)
		}
		writeFile(t, filepath.Join(dir, "blob.bin"), bin)
		big[rng.IntN(len(big))] = line()
		writeFile(t, filepath.Join(dir, "big.txt"), []byte(strings.Join(big, "")))
		git(t, dir, "add", "-A")
		git(t, dir, "commit", "-q", "-m", fmt.Sprintf("commit %d\n\nedits %s", c, line()))
	}
	git(t, dir, "tag", "-a", "-m", "release one", "v1")
	return dir
}

// packStats counts what a test expects to have exercised, so that a pack
// that happens to hold no deltas fails instead of passing vacuously.
type packStats struct {
	kinds     map[Type]int // stored kinds
	types     map[Type]int // object types after resolving deltas
	maxDepth  int          // longest delta chain
	longCopy  int          // copies of more than 0x10000 bytes
	longIns   int          // inserts of more than 127 bytes
	emptyBlob bool
}

// TestAgainstGit resolves every object of packs git wrote and compares
// each with what `git cat-file` prints for it.
func TestAgainstGit(t *testing.T) {
	dir := historyRepo(t)
	gitDir := filepath.Join(dir, ".git")
	packDir := filepath.Join(gitDir, "objects", "pack")

	tests := []struct {
		name string
		// pack writes the pack under test and returns its path.
		pack  func(t *testing.T) string
		check func(t *testing.T, p *Pack, s packStats)
	}{
		{
			name: "ofs-delta",
			pack: func(t *testing.T) string {
				git(t, dir, "repack", "-adfq", "--depth=50", "--window=10")
				return onlyPack(t, packDir)
			},
			check: func(t *testing.T, p *Pack, s packStats) {
				if s.kinds[OfsDelta] == 0 || s.kinds[RefDelta] != 0 {
					t.Errorf("want only OFS_DELTA deltas, got %v", s.kinds)
				}
			},
		},
		{
			name: "ref-delta",
			pack: func(t *testing.T) string {
				git(t, dir, "-c", "repack.useDeltaBaseOffset=false", "repack", "-adfq", "--depth=50", "--window=10")
				return onlyPack(t, packDir)
			},
			check: func(t *testing.T, p *Pack, s packStats) {
				if s.kinds[RefDelta] == 0 || s.kinds[OfsDelta] != 0 {
					t.Errorf("want only REF_DELTA deltas, got %v", s.kinds)
				}
				for i, e := range p.Entries {
					if e.Kind != RefDelta {
						continue
					}
					if b, ok := p.Find(p.BaseID(i)); !ok || b != e.Base {
						t.Errorf("entry %x: Find(BaseID %x) = %d, %v; Base is %d", p.ID(i), p.BaseID(i), b, ok, e.Base)
					}
				}
			},
		},
		{
			// git moves offsets to the index's 64-bit table only past 2
			// GiB, unless told a lower threshold.
			name: "large-offsets",
			pack: func(t *testing.T) string {
				git(t, dir, "repack", "-adfq", "--depth=50", "--window=10")
				out := t.TempDir()
				src, err := os.ReadFile(onlyPack(t, packDir))
				if err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(out, "large.pack")
				writeFile(t, p, src)
				git(t, dir, "index-pack", "--index-version=2,0x200", "-o", filepath.Join(out, "large.idx"), p)
				return p
			},
			check: func(t *testing.T, p *Pack, s packStats) {
				idx, err := os.ReadFile(strings.TrimSuffix(p.Path, ".pack") + ".idx")
				if err != nil {
					t.Fatal(err)
				}
				n := len(p.Entries)
				if large := len(idx) - (8 + 256*4 + n*28 + 40); large < 8*(n/2) {
					t.Errorf("index has a %d-byte large-offset table, want most of %d objects there", large, n)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.pack(t)
			p, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			s := checkPack(t, p, gitDir)
			t.Logf("%d entries, kinds %v, types %v, longest chain %d, copies over 64 KiB %d, inserts over 127 bytes %d",
				len(p.Entries), s.kinds, s.types, s.maxDepth, s.longCopy, s.longIns)
			if s.kinds[OfsDelta]+s.kinds[RefDelta] < 50 {
				t.Errorf("only %d deltas: the history no longer exercises Apply", s.kinds[OfsDelta]+s.kinds[RefDelta])
			}
			if s.maxDepth < 3 {
				t.Errorf("longest delta chain is %d: deltas of deltas are not exercised", s.maxDepth)
			}
			if s.longCopy == 0 {
				t.Error("no copy over 0x10000 bytes: the merging of git's split copies is not exercised")
			}
			if s.longIns == 0 {
				t.Error("no insert over 127 bytes: the merging of git's split inserts is not exercised")
			}
			for _, typ := range []Type{Commit, Tree, Blob, Tag} {
				if s.types[typ] == 0 {
					t.Errorf("no %s in the pack", typeNames[typ])
				}
			}
			if !s.emptyBlob {
				t.Error("the empty blob is missing")
			}
			tt.check(t, p, s)
		})
	}
}

// checkPack checks p's entry table, resolves every entry, and compares the
// result with git's.
func checkPack(t *testing.T, p *Pack, gitDir string) packStats {
	t.Helper()
	s := packStats{kinds: map[Type]int{}, types: map[Type]int{}}
	ids := make([][20]byte, len(p.Entries))
	for i, e := range p.Entries {
		ids[i] = p.ID(i)
		s.kinds[e.Kind]++
		if i > 0 && p.End(i-1) != e.Offset {
			t.Errorf("entry %d ends at %d, entry %d starts at %d", i-1, p.End(i-1), i, e.Offset)
		}
		if e.Data() <= e.Offset || e.Data() >= p.End(i) {
			t.Errorf("entry %d: data at %d outside [%d, %d)", i, e.Data(), e.Offset, p.End(i))
		}
		if k, ok := p.Find(p.ID(i)); !ok || k != i {
			t.Errorf("Find(%x) = %d, %v; want %d", p.ID(i), k, ok, i)
		}
		switch e.Kind {
		case OfsDelta:
			if e.Base < 0 || e.Base >= i || p.Entries[e.Base].Offset >= e.Offset {
				t.Errorf("entry %d: Base %d is not an earlier entry", i, e.Base)
			}
		case RefDelta:
			if e.Base < 0 || p.ID(e.Base) != p.BaseID(i) {
				t.Errorf("entry %d: Base %d is not BaseID %x", i, e.Base, p.BaseID(i))
			}
		default:
			if e.Base != -1 {
				t.Errorf("entry %d of kind %d has Base %d", i, e.Kind, e.Base)
			}
		}
	}
	if p.Entries[0].Offset != 12 {
		t.Errorf("first entry at %d, want 12, after the header", p.Entries[0].Offset)
	}
	if p.End(len(p.Entries)-1) != int64(len(p.data)-20) {
		t.Errorf("last entry ends at %d, the trailer starts at %d", p.End(len(p.Entries)-1), len(p.data)-20)
	}
	if t.Failed() {
		t.FailNow()
	}

	want := catFiles(t, gitDir, ids)
	r := newResolver(t, p)
	depth := make([]int, len(p.Entries))
	for i, e := range p.Entries {
		o := r.resolve(i)
		w := want[p.ID(i)]
		if typeNames[o.typ] != w.typ {
			t.Errorf("entry %x: type %s, git says %s", p.ID(i), typeNames[o.typ], w.typ)
		}
		if !bytes.Equal(o.data, w.data) {
			t.Errorf("entry %x: %d bytes differ from git's %d", p.ID(i), len(o.data), len(w.data))
		}
		if got := objectID(o.typ, o.data); got != p.ID(i) {
			t.Errorf("entry %x: content hashes to %x", p.ID(i), got)
		}
		s.types[o.typ]++
		if o.typ == Blob && len(o.data) == 0 {
			s.emptyBlob = true
		}
		if e.Kind >= OfsDelta {
			depth[i] = depth[e.Base] + 1 // bases come first in git's packs
			s.maxDepth = max(s.maxDepth, depth[i])
			if err := checkOps(o.base, o.data, o.ops); err != nil {
				t.Errorf("entry %x: %v", p.ID(i), err)
			}
			for _, op := range o.ops {
				if !op.Insert && op.Len > 0x10000 {
					s.longCopy++
				}
				if op.Insert && op.Len > 127 {
					s.longIns++
				}
			}
		}
	}
	return s
}

// TestCorrupt opens damaged copies of a real pack: each must be refused
// with an error, never a panic, and the ones a newer or different git
// could legitimately write must be marked ErrUnsupported so callers fall
// back to git.
func TestCorrupt(t *testing.T) {
	packData, idxData := smallPack(t)
	n := len(idxData)
	objects := u32(packData, 8)

	tests := []struct {
		name        string
		pack, idx   func() []byte
		unsupported bool // the error must wrap ErrUnsupported
	}{
		{name: "empty pack", pack: func() []byte { return nil }},
		{name: "pack shorter than a header", pack: func() []byte { return packData[:10] }},
		{name: "pack cut in half", pack: func() []byte { return packData[:len(packData)/2] }},
		{name: "bad magic", pack: func() []byte { return patch(packData, 0, []byte("PACX")) }},
		{name: "pack version 4", pack: func() []byte { return patch(packData, 4, []byte{0, 0, 0, 4}) }, unsupported: true},
		{name: "pack holds one object more", pack: func() []byte { return patch(packData, 8, be32(objects+1)) }},
		{name: "pack holds one object less", pack: func() []byte { return patch(packData, 8, be32(objects-1)) }},
		{name: "unknown object type 5", pack: func() []byte { return patch(packData, 12, []byte{packData[12]&0x8f | 5<<4}) }},
		{name: "unknown object type 0", pack: func() []byte { return patch(packData, 12, []byte{packData[12] & 0x8f}) }},
		{name: "empty index", idx: func() []byte { return nil }, unsupported: true},
		{name: "index version 1", idx: func() []byte { return idxData[8:] }, unsupported: true}, // v1 starts with its fan-out table
		{name: "index version 3", idx: func() []byte { return patch(idxData, 4, []byte{0, 0, 0, 3}) }, unsupported: true},
		{name: "index is garbage", idx: func() []byte { return bytes.Repeat([]byte("garbage!"), n/8) }, unsupported: true},
		{name: "index cut short", idx: func() []byte { return idxData[:n-41] }, unsupported: true},
		{name: "index claims more objects", idx: func() []byte { return patch(idxData, 8+255*4, be32(u32(idxData, 8+255*4)+1000)) }, unsupported: true},
		{name: "index offset past the pack", idx: func() []byte {
			return patch(idxData, 8+256*4+objects*24, be32(len(packData)+100))
		}},
		{name: "index offset inside the header", idx: func() []byte { return patch(idxData, 8+256*4+objects*24, be32(4)) }},
		{name: "index large offset without a table", idx: func() []byte { return patch(idxData, 8+256*4+objects*24, []byte{0x80, 0, 0, 0}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pd, xd := packData, idxData
			if tt.pack != nil {
				pd = tt.pack()
			}
			if tt.idx != nil {
				xd = tt.idx()
			}
			p, err := Open(writePack(t, t.TempDir(), pd, xd))
			if err == nil {
				p.Close()
				t.Fatal("Open succeeded")
			}
			t.Log(err)
			if got := errors.Is(err, ErrUnsupported); tt.unsupported && !got {
				t.Errorf("error %q does not wrap ErrUnsupported", err)
			}
		})
	}

	t.Run("index version 1 written by git", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "v1.pack")
		writeFile(t, p, packData)
		git(t, dir, "index-pack", "--index-version=1", "-o", filepath.Join(dir, "v1.idx"), p)
		if _, err := Open(p); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Open with a version-1 index: %v, want ErrUnsupported", err)
		}
	})

	t.Run("missing index", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "x.pack")
		writeFile(t, p, packData)
		if _, err := Open(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Open without an index: %v, want ErrNotExist", err)
		}
	})
}

// TestOpenPathWithoutPackSuffix: Open derives the index's name from the
// pack's; a name without ".pack" must be an error, not a slice panic.
func TestOpenPathWithoutPackSuffix(t *testing.T) {
	for _, name := range []string{"", "p", "x.pa"} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("Open(%q) panicked: %v", name, r)
				}
			}()
			if p, err := Open(name); err == nil {
				p.Close()
				t.Errorf("Open(%q) succeeded", name)
			}
		})
	}
}

// TestCorruptZlib damages one entry's compressed data: Open only reads
// headers and succeeds, and Inflate of that entry must report an error
// rather than return bytes that are not the object. git checks the same
// (unpack_compressed_entry wants Z_STREAM_END, which verifies the Adler-32,
// exactly at the declared size).
func TestCorruptZlib(t *testing.T) {
	content := []byte(strings.Repeat("some blob content\n", 50))
	tests := []struct {
		name string
		// stored writes the entry as an uncompressed deflate block, in
		// which a changed byte changes the output and nothing else.
		stored bool
		lie    int // added to the size in the entry's header
		// damage changes the entry's zlib stream, which is d[data:end].
		damage func(d []byte, data, end int)
	}{
		{name: "zlib header check bits", damage: func(d []byte, data, end int) { d[data+1] ^= 1 }},
		{name: "zlib method not deflate", damage: func(d []byte, data, end int) { d[data] = 0x77 }},
		{name: "reserved deflate block type", damage: func(d []byte, data, end int) { d[data+2] = 0x07 }},
		{name: "stream ends before the declared size", lie: +1},
		{name: "stream zeroed after its start", damage: func(d []byte, data, end int) { clear(d[data+10 : end]) }},
		{name: "adler-32 trailer", damage: func(d []byte, data, end int) { d[end-1] ^= 0xff }},
		{name: "byte of a stored block", stored: true, damage: func(d []byte, data, end int) { d[data+100] ^= 0x20 }},
		{name: "stream longer than the declared size", lie: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			packData, idxData := buildPack([]rawEntry{
				{kind: Blob, data: []byte("first")},
				{kind: Blob, data: content, stored: tt.stored, lie: tt.lie},
				{kind: Blob, data: []byte("last")},
			}, 0)
			p, err := Open(writePack(t, t.TempDir(), packData, idxData))
			if err != nil {
				t.Fatal(err)
			}
			p.Close()
			if tt.damage != nil {
				tt.damage(packData, int(p.Entries[1].Data()), int(p.End(1)))
			}
			p, err = Open(writePack(t, t.TempDir(), packData, idxData))
			if err != nil {
				t.Fatalf("Open reads only headers, yet failed: %v", err)
			}
			defer p.Close()
			if got, err := p.Inflate(1, nil); err == nil {
				t.Errorf("Inflate returned %d bytes and no error (the original object: %v)", len(got), bytes.Equal(got, content))
			}
			// A failed Inflate must not break the reader it reuses.
			for _, i := range []int{0, 2} {
				if got, err := p.Inflate(i, nil); err != nil || len(got) != int(p.Entries[i].Size) {
					t.Errorf("Inflate(%d) after the failure: %q, %v", i, got, err)
				}
			}
		})
	}
}

// TestInflateImpossibleSize: an entry's header may declare any size up to
// maxObject, but deflate expands at most 1032:1, so a few compressed bytes
// cannot hold 256 MiB. Inflate must refuse such an entry without
// allocating what it declares: a damaged pack with many such entries would
// otherwise take gigabytes and seconds per entry (a 2 GiB declaration costs
// up to 10 s of zeroing when the runtime reuses memory).
func TestInflateImpossibleSize(t *testing.T) {
	const declared = 256 << 20
	packData, idxData := buildPack([]rawEntry{
		{kind: Blob, data: []byte("x"), lie: declared - 1},
	}, 0)
	p, err := Open(writePack(t, t.TempDir(), packData, idxData))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Entries[0].Size != declared {
		t.Fatalf("Size = %d, want %d", p.Entries[0].Size, declared)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = p.Inflate(0, nil)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Error("Inflate succeeded")
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("Inflate of %d compressed bytes allocated %d MiB", p.End(0)-p.Entries[0].Data(), n>>20)
	}
}

// TestSynthetic covers what git does not write on its own: a REF_DELTA
// whose base is in another pack, offsets all in the 64-bit table, a pack of
// no objects, and deltas whose bases are not earlier entries.
func TestSynthetic(t *testing.T) {
	base := []byte(strings.Repeat("0123456789", 20))
	// Copy base[100:200], then insert "hello".
	delta := append(deltaHeader(len(base), 105), 0x80|0x01|0x10, 100, 100, 5, 'h', 'e', 'l', 'l', 'o')
	want := append(bytes.Clone(base[100:200]), "hello"...)
	outside := objectID(Blob, base)

	tests := []struct {
		name      string
		entries   []rawEntry
		largeFrom int64
		wantErr   bool
		check     func(t *testing.T, p *Pack)
	}{
		{
			name: "no objects",
			check: func(t *testing.T, p *Pack) {
				if len(p.Entries) != 0 {
					t.Errorf("%d entries", len(p.Entries))
				}
				if _, ok := p.Find(outside); ok {
					t.Error("Find found an object in an empty pack")
				}
			},
		},
		{
			name:      "every offset in the 64-bit table",
			entries:   []rawEntry{{kind: Blob, data: base}, {kind: OfsDelta, data: delta, ofs: 0}},
			largeFrom: 1,
			check: func(t *testing.T, p *Pack) {
				if p.Entries[0].Offset != 12 || p.Entries[1].Base != 0 {
					t.Errorf("entries %+v", p.Entries)
				}
			},
		},
		{
			name:    "ref delta with its base in another pack",
			entries: []rawEntry{{kind: Commit, data: []byte("tree x\n")}, {kind: RefDelta, data: delta, baseID: outside}},
			check: func(t *testing.T, p *Pack) {
				e := p.Entries[1]
				if e.Base != -1 || p.BaseID(1) != outside {
					t.Errorf("Base %d, BaseID %x; want -1, %x", e.Base, p.BaseID(1), outside)
				}
				d, err := p.Inflate(1, nil)
				if err != nil {
					t.Fatal(err)
				}
				got, _, err := Apply(base, d, nil, nil)
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("Apply = %q, %v; want %q", got, err, want)
				}
			},
		},
		{
			name:    "ofs delta pointing at itself",
			entries: []rawEntry{{kind: Blob, data: base}, {kind: OfsDelta, data: delta, ofs: 1}},
			wantErr: true,
		},
		{
			name:    "ofs delta pointing into the middle of an entry",
			entries: []rawEntry{{kind: Blob, data: base}, {kind: OfsDelta, data: delta, ofs: 0, skew: -1}},
			wantErr: true,
		},
		{
			name:    "ofs delta pointing before the pack",
			entries: []rawEntry{{kind: Blob, data: base}, {kind: OfsDelta, data: delta, ofs: 0, skew: 13}},
			wantErr: true,
		},
		{
			name: "ref deltas naming each other",
			entries: []rawEntry{
				{kind: RefDelta, data: delta, id: &[20]byte{1}, baseID: [20]byte{2}},
				{kind: RefDelta, data: delta, id: &[20]byte{2}, baseID: [20]byte{1}},
			},
			// Open accepts the cycle; a reader resolving bases must bound
			// its chains.
			check: func(t *testing.T, p *Pack) {
				if p.Entries[0].Base != 1 || p.Entries[1].Base != 0 {
					t.Errorf("Bases %d, %d; want 1, 0", p.Entries[0].Base, p.Entries[1].Base)
				}
			},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pd, xd := buildPack(tt.entries, tt.largeFrom)
			p, err := Open(writePack(t, t.TempDir(), pd, xd))
			if tt.wantErr {
				if err == nil {
					p.Close()
					t.Fatal("Open succeeded")
				}
				t.Log(err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			tt.check(t, p)
		})
	}
}

// TestReleaseKeepsDataReadable: Release only drops pages from the resident
// set; the mapping still reads the same bytes afterwards.
func TestReleaseKeepsDataReadable(t *testing.T) {
	packData, idxData := smallPack(t)
	p, err := Open(writePack(t, t.TempDir(), packData, idxData))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	before := make([][]byte, len(p.Entries))
	for i := range p.Entries {
		if before[i], err = p.Inflate(i, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, off := range []int64{-1, 0, 1, int64(len(packData)), 1 << 40} {
		p.Release(off)
	}
	for i := range p.Entries {
		got, err := p.Inflate(i, make([]byte, 0, 4))
		if err != nil || !bytes.Equal(got, before[i]) {
			t.Errorf("Inflate(%d) after Release: %v, equal %v", i, err, bytes.Equal(got, before[i]))
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	p.Release(1 << 20) // after Close: nothing mapped, nothing to do
}

func patch(b []byte, at int, with []byte) []byte {
	c := bytes.Clone(b)
	copy(c[at:], with)
	return c
}

func u32(b []byte, at int) int { return int(binary.BigEndian.Uint32(b[at:])) }

func be32(v int) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

// TestSHA256Repository: a SHA-256 repository's index has 32-byte names,
// which this reader does not handle; Open must say so with ErrUnsupported
// whatever the number of objects (the layout arithmetic differs with its
// parity), so that callers read through git.
func TestSHA256Repository(t *testing.T) {
	needGit(t)
	for commits := 1; commits <= 4; commits++ {
		t.Run(fmt.Sprintf("%d commits", commits), func(t *testing.T) {
			dir := t.TempDir()
			git(t, dir, "init", "-q", "-b", "main", "--object-format=sha256")
			for c := range commits {
				writeFile(t, filepath.Join(dir, fmt.Sprintf("f%d", c)), []byte(strings.Repeat("x", c)))
				git(t, dir, "add", "-A")
				git(t, dir, "commit", "-q", "-m", "c")
			}
			git(t, dir, "repack", "-adq")
			path := onlyPack(t, filepath.Join(dir, ".git", "objects", "pack"))
			p, err := Open(path)
			if err == nil {
				t.Fatalf("Open succeeded with %d entries", len(p.Entries))
			}
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("error %q does not wrap ErrUnsupported", err)
			}
		})
	}
}
