package pack

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// git runs the git binary in dir with a fixed identity and date and no
// system or global configuration, so a developer's settings (signing,
// hooks, pack options) cannot change what the tests see.
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{
		"-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null",
		"-c", "gc.auto=0", "-c", "core.autocrlf=false",
	}, args...)...)
	cmd.Dir = dir
	date := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=Alice", "GIT_AUTHOR_EMAIL=alice@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=Alice", "GIT_COMMITTER_EMAIL=alice@example.com", "GIT_COMMITTER_DATE="+date,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v\n%s%s", strings.Join(args, " "), err, out.Bytes(), stderr.Bytes())
	}
	return strings.TrimSpace(out.String())
}

// needGit skips when the git binary is missing: the tests that compare with
// git have nothing to compare with.
func needGit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not found")
	}
}

func writeFile(t testing.TB, name string, content []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

// onlyPack returns the single .pack file in dir.
func onlyPack(t testing.TB, dir string) string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.pack"))
	if err != nil || len(names) != 1 {
		t.Fatalf("want one pack in %s, got %v (%v)", dir, names, err)
	}
	return names[0]
}

// smallPack builds a repository of a few commits and an annotated tag, so
// its pack holds all four base types and some deltas, and returns the .pack
// and .idx bytes.
func smallPack(t testing.TB) (packData, idxData []byte) {
	t.Helper()
	needGit(t)
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	text := strings.Repeat("the quick brown fox jumps over the lazy dog\n", 20)
	for i := range 3 {
		writeFile(t, filepath.Join(dir, "a.txt"), []byte(text+strconv.Itoa(i)+"\n"))
		git(t, dir, "add", "-A")
		git(t, dir, "commit", "-q", "-m", "c"+strconv.Itoa(i))
	}
	git(t, dir, "tag", "-a", "-m", "release", "v1")
	git(t, dir, "repack", "-adfq")
	p := onlyPack(t, filepath.Join(dir, ".git", "objects", "pack"))
	packData, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	idxData, err = os.ReadFile(strings.TrimSuffix(p, ".pack") + ".idx")
	if err != nil {
		t.Fatal(err)
	}
	return packData, idxData
}

// writePack writes pack and idx bytes as dir/test.pack and dir/test.idx and
// returns the .pack path.
func writePack(t testing.TB, dir string, packData, idxData []byte) string {
	t.Helper()
	p := filepath.Join(dir, "test.pack")
	writeFile(t, p, packData)
	writeFile(t, filepath.Join(dir, "test.idx"), idxData)
	return p
}

// catFile is one object as `git cat-file --batch` prints it.
type catFile struct {
	typ  string
	data []byte
}

// catFiles reads every object in ids through one `git cat-file --batch`.
func catFiles(t testing.TB, gitDir string, ids [][20]byte) map[[20]byte]catFile {
	t.Helper()
	var in bytes.Buffer
	for _, id := range ids {
		fmt.Fprintf(&in, "%x\n", id)
	}
	cmd := exec.Command("git", "--git-dir="+gitDir, "cat-file", "--batch")
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git cat-file --batch: %v", err)
	}
	r := bufio.NewReader(bytes.NewReader(out))
	objs := make(map[[20]byte]catFile, len(ids))
	for _, id := range ids {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("cat-file output for %x: %v", id, err)
		}
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != hex.EncodeToString(id[:]) {
			t.Fatalf("cat-file header for %x: %q", id, line)
		}
		n, err := strconv.Atoi(f[2])
		if err != nil {
			t.Fatal(err)
		}
		data := make([]byte, n+1)
		if _, err := io.ReadFull(r, data); err != nil || data[n] != '\n' {
			t.Fatalf("cat-file body for %x: %v", id, err)
		}
		objs[id] = catFile{typ: f[1], data: data[:n]}
	}
	return objs
}

var typeNames = map[Type]string{Commit: "commit", Tree: "tree", Blob: "blob", Tag: "tag"}

// objectID is the SHA-1 git names an object by.
func objectID(typ Type, data []byte) [20]byte {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typeNames[typ], len(data))
	h.Write(data)
	var id [20]byte
	h.Sum(id[:0])
	return id
}

// resolver rebuilds objects from a pack the way a reader of the package
// would: base types are inflated, deltas applied to their resolved base.
type resolver struct {
	t    testing.TB
	p    *Pack
	objs map[int]resolved
	// other resolves a RefDelta base stored outside p.
	other func(id [20]byte) (Type, []byte, bool)
}

type resolved struct {
	typ  Type
	data []byte
	ops  []Op // for a delta, Apply's instructions
	base []byte
}

func newResolver(t testing.TB, p *Pack) *resolver {
	return &resolver{t: t, p: p, objs: make(map[int]resolved)}
}

func (r *resolver) resolve(i int) resolved {
	r.t.Helper()
	if o, ok := r.objs[i]; ok {
		return o
	}
	e := r.p.Entries[i]
	stored, err := r.p.Inflate(i, nil)
	if err != nil {
		r.t.Fatalf("Inflate(%d) %x: %v", i, r.p.ID(i), err)
	}
	if int64(len(stored)) != e.Size {
		r.t.Fatalf("Inflate(%d) returned %d bytes, entry says %d", i, len(stored), e.Size)
	}
	var o resolved
	switch e.Kind {
	case OfsDelta, RefDelta:
		var base resolved
		if e.Base >= 0 {
			base = r.resolve(e.Base)
		} else if r.other != nil {
			typ, data, ok := r.other(r.p.BaseID(i))
			if !ok {
				r.t.Fatalf("entry %x: base %x not found", r.p.ID(i), r.p.BaseID(i))
			}
			base = resolved{typ: typ, data: data}
		} else {
			r.t.Fatalf("entry %x: base %x outside the pack", r.p.ID(i), r.p.BaseID(i))
		}
		data, ops, err := Apply(base.data, stored, nil, nil)
		if err != nil {
			r.t.Fatalf("Apply for %x: %v", r.p.ID(i), err)
		}
		o = resolved{typ: base.typ, data: data, ops: ops, base: base.data}
	default:
		o = resolved{typ: e.Kind, data: stored}
	}
	r.objs[i] = o
	return o
}

// checkOps verifies that ops, as Apply documents them, rebuild target from
// base: they tile the target from 0 without gaps, every copy matches the
// base, and no two neighbours are left that Apply promises to merge.
func checkOps(base, target []byte, ops []Op) error {
	var rebuilt []byte
	for k, op := range ops {
		if op.Dst != len(rebuilt) {
			return fmt.Errorf("op %d %+v starts at %d, previous ops end at %d", k, op, op.Dst, len(rebuilt))
		}
		if op.Len <= 0 || op.Dst+op.Len > len(target) {
			return fmt.Errorf("op %d %+v outside target of %d bytes", k, op, len(target))
		}
		if op.Insert {
			rebuilt = append(rebuilt, target[op.Dst:op.Dst+op.Len]...)
		} else {
			if op.Src < 0 || op.Src+op.Len > len(base) {
				return fmt.Errorf("op %d %+v outside base of %d bytes", k, op, len(base))
			}
			rebuilt = append(rebuilt, base[op.Src:op.Src+op.Len]...)
		}
		if k > 0 {
			prev := ops[k-1]
			if prev.Insert && op.Insert {
				return fmt.Errorf("ops %d and %d are adjacent inserts", k-1, k)
			}
			if !prev.Insert && !op.Insert && prev.Src+prev.Len == op.Src {
				return fmt.Errorf("ops %d and %d are contiguous copies", k-1, k)
			}
		}
	}
	if !bytes.Equal(rebuilt, target) {
		return fmt.Errorf("ops rebuild %d bytes that differ from the %d-byte target", len(rebuilt), len(target))
	}
	return nil
}

// rawEntry is one object of a pack built by buildPack. For a base type,
// data is the object and the ID is git's; for a delta, data is the delta
// instructions, and the ID is made up unless id is set.
type rawEntry struct {
	kind Type
	data []byte
	// ofs is, for an OfsDelta, the index of its base in the entries given.
	ofs int
	// skew is added to an OfsDelta's distance back to its base, to build
	// distances that point somewhere else.
	skew   int64
	baseID [20]byte
	id     *[20]byte
	// lie is added to the size the entry's header declares.
	lie int
	// stored writes the data as uncompressed deflate blocks.
	stored bool
}

// buildPack writes a version-2 pack and a version-2 index holding entries
// in the order given. Offsets at or above largeFrom go to the index's
// 64-bit table (git's --index-version=2,<offset>); 0 means never.
func buildPack(entries []rawEntry, largeFrom int64) (packData, idxData []byte) {
	var p bytes.Buffer
	p.WriteString("PACK")
	binary.Write(&p, binary.BigEndian, uint32(2))
	binary.Write(&p, binary.BigEndian, uint32(len(entries)))
	offsets := make([]int64, len(entries))
	ids := make([][20]byte, len(entries))
	for i, e := range entries {
		offsets[i] = int64(p.Len())
		switch {
		case e.id != nil:
			ids[i] = *e.id
		case e.kind < OfsDelta:
			ids[i] = objectID(e.kind, e.data)
		default:
			ids[i] = sha1.Sum(append([]byte(fmt.Sprintf("delta %d ", i)), e.data...))
		}
		size := uint64(len(e.data) + e.lie)
		c := byte(e.kind)<<4 | byte(size&15)
		size >>= 4
		for size != 0 {
			p.WriteByte(c | 0x80)
			c = byte(size & 0x7f)
			size >>= 7
		}
		p.WriteByte(c)
		switch e.kind {
		case OfsDelta:
			var base int64 // a later entry's offset is not known yet: point at this one
			if e.ofs < i {
				base = offsets[e.ofs]
			} else {
				base = offsets[i]
			}
			p.Write(ofsDeltaOffset(offsets[i] - base + e.skew))
		case RefDelta:
			p.Write(e.baseID[:])
		}
		level := zlib.DefaultCompression
		if e.stored {
			level = zlib.NoCompression
		}
		zw, _ := zlib.NewWriterLevel(&p, level)
		zw.Write(e.data)
		zw.Close()
	}
	sum := sha1.Sum(p.Bytes())
	p.Write(sum[:])

	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return bytes.Compare(ids[order[a]][:], ids[order[b]][:]) < 0 })
	var x bytes.Buffer
	x.Write([]byte{0xff, 't', 'O', 'c', 0, 0, 0, 2})
	for b := range 256 {
		n := 0
		for _, id := range ids {
			if int(id[0]) <= b {
				n++
			}
		}
		binary.Write(&x, binary.BigEndian, uint32(n))
	}
	for _, k := range order {
		x.Write(ids[k][:])
	}
	for range order {
		x.Write([]byte{0, 0, 0, 0}) // CRC-32, which the reader does not check
	}
	var large []int64
	for _, k := range order {
		o := offsets[k]
		if largeFrom > 0 && o >= largeFrom {
			binary.Write(&x, binary.BigEndian, 0x80000000|uint32(len(large)))
			large = append(large, o)
		} else {
			binary.Write(&x, binary.BigEndian, uint32(o))
		}
	}
	for _, o := range large {
		binary.Write(&x, binary.BigEndian, uint64(o))
	}
	x.Write(sum[:])
	isum := sha1.Sum(x.Bytes())
	x.Write(isum[:])
	return p.Bytes(), x.Bytes()
}

// ofsDeltaOffset encodes an OFS_DELTA's distance back to its base the way
// git does: big-endian base-128 where each continuation adds one, so no
// value has two encodings.
func ofsDeltaOffset(rel int64) []byte {
	buf := []byte{byte(rel & 0x7f)}
	for rel >>= 7; rel != 0; rel >>= 7 {
		rel--
		buf = append([]byte{byte(0x80 | rel&0x7f)}, buf...)
	}
	return buf
}

// deltaHeader encodes a delta's base and target sizes. It takes uint64 too,
// for sizes past what a 32-bit int holds.
func deltaHeader[T int | uint64](base, target T) []byte {
	var b []byte
	for _, v := range []T{base, target} {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return b
}
