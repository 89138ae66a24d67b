package pack

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// FuzzApply: no delta, however malformed, makes Apply panic, and what it
// accepts it rebuilds completely: the declared number of bytes, tiled by
// the ops it reports.
func FuzzApply(f *testing.F) {
	base := []byte(strings.Repeat("0123456789abcdef", 8))
	f.Add(base, delta(len(base), 9, cp(10, 4), ins("xyz"), cp(0, 2)))
	f.Add(base, delta(len(base), 40, cp(0, 20), cp(20, 20)))
	f.Add(base, delta(len(base), 1, []byte{0}))
	f.Add(base, delta(len(base), 0x10000, []byte{0x80}))
	f.Add(base, delta(len(base), 3, []byte{0xff, 1, 0, 0, 0, 3, 0, 0}))
	f.Add([]byte{}, []byte{0, 0})
	f.Add([]byte{}, []byte{})
	if _, err := exec.LookPath("git"); err == nil {
		// Real deltas, as git's delta search writes them.
		packData, idxData := smallPack(f)
		p, err := Open(writePack(f, f.TempDir(), packData, idxData))
		if err != nil {
			f.Fatal(err)
		}
		r := newResolver(f, p)
		for i, e := range p.Entries {
			if e.Kind == OfsDelta {
				d, err := p.Inflate(i, nil)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(r.resolve(e.Base).data, d)
			}
		}
		p.Close()
	}

	f.Fuzz(func(t *testing.T, base, d []byte) {
		if _, target, _, err := DeltaSizes(d); err == nil && target > fuzzMaxSize {
			// Apply allocates the declared target first, as git's
			// patch_delta does; five bytes can declare a gigabyte,
			// which exhausts a 32-bit worker in a few inputs.
			return
		}
		got, ops, err := Apply(base, d, nil, nil)
		if err != nil {
			return
		}
		_, target, _, err := DeltaSizes(d)
		if err != nil {
			t.Fatalf("Apply accepted a delta whose sizes DeltaSizes rejects: %v", err)
		}
		if len(got) != target {
			t.Fatalf("Apply returned %d bytes, the delta declares %d", len(got), target)
		}
		if err := checkOps(base, got, ops); err != nil {
			t.Fatal(err)
		}
		// A reused dst full of other bytes must give the same result:
		// nothing may rely on a fresh, zeroed buffer.
		dirty := bytes.Repeat([]byte{0xa5}, target+1)
		again, _, err := Apply(base, d, dirty[:0], nil)
		if err != nil || !bytes.Equal(again, got) {
			t.Fatalf("Apply over a used buffer: %v, equal %v", err, bytes.Equal(again, got))
		}
	})
}

// FuzzOpen: no .pack and .idx pair makes Open panic, and in a pack Open
// accepts, every entry can be inflated and found, and every delta applied
// to a base-type base, without a panic.
func FuzzOpen(f *testing.F) {
	base := []byte(strings.Repeat("0123456789", 20))
	d := delta(len(base), 105, cp(100, 100), ins("hello"))
	seeds := [][2][]byte{
		pair(buildPack([]rawEntry{
			{kind: Blob, data: base},
			{kind: OfsDelta, data: d, ofs: 0},
			{kind: RefDelta, data: d, baseID: objectID(Blob, base)},
			{kind: Tree, data: nil},
		}, 40)),
		pair(buildPack(nil, 0)),
	}
	if _, err := exec.LookPath("git"); err == nil {
		seeds = append(seeds, pair(smallPack(f)))
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}

	// One directory for all inputs: a worker runs them one at a time, and
	// a fresh t.TempDir per input costs more than the rest of the work.
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, packData, idxData []byte) {
		p, err := Open(writePack(t, dir, packData, idxData))
		if err != nil {
			return
		}
		defer p.Close()
		var buf, out []byte
		for i, e := range p.Entries {
			// A damaged index need not be sorted, so Find may miss; it
			// must never answer with another object.
			if k, ok := p.Find(p.ID(i)); ok && p.ID(k) != p.ID(i) {
				t.Errorf("Find(%x) = entry %d, %x", p.ID(i), k, p.ID(k))
			}
			if e.Size > fuzzMaxSize {
				continue // see fuzzMaxSize
			}
			stored, err := p.Inflate(i, buf)
			if err != nil {
				continue
			}
			buf = stored
			if int64(len(stored)) != e.Size {
				t.Fatalf("Inflate(%d) returned %d bytes, entry says %d", i, len(stored), e.Size)
			}
			if e.Kind < OfsDelta || e.Base < 0 || p.Entries[e.Base].Kind >= OfsDelta || p.Entries[e.Base].Size > fuzzMaxSize {
				continue
			}
			stored = bytes.Clone(stored)
			b, err := p.Inflate(e.Base, nil)
			if err != nil {
				continue
			}
			out, _, _ = Apply(b, stored, out, nil)
		}
		if len(p.Entries) > 0 {
			p.Release(p.Entries[len(p.Entries)/2].Offset)
		}
	})
}

func pair(a, b []byte) [2][]byte { return [2][]byte{a, b} }

// fuzzMaxSize bounds the declared sizes FuzzOpen inflates. A header may
// declare up to 2 GiB over a few compressed bytes, and Inflate allocates
// all of it before finding the stream short (TestInflateImpossibleSize):
// seconds per input, which would starve the fuzzer. Inputs with real
// objects this large are not what fuzzing the parser is about.
const fuzzMaxSize = 64 << 20
