package pack

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// TestIndexCountOverflow: a 1,112-byte .idx whose object count is
// 0xa4924926 would make int arithmetic wrap on 32-bit platforms (n*28 == 40
// mod 2^32, n negative) and pass every length check; the count is checked
// as an unsigned 64-bit value first. Run with GOARCH=386 to cover that.
func TestIndexCountOverflow(t *testing.T) {
	dir := t.TempDir()
	idx := make([]byte, 8+256*4+40+40)
	copy(idx, []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2})
	binary.BigEndian.PutUint32(idx[8+4*255:], 0xa4924926)
	packData := append([]byte("PACK\x00\x00\x00\x02\x00\x00\x00\x00"), make([]byte, 20)...)
	if err := os.WriteFile(filepath.Join(dir, "pack-x.idx"), idx, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pack-x.pack"), packData, 0o644); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("pack.Open panicked on a hostile index: %v", r)
		}
	}()
	if p, err := Open(filepath.Join(dir, "pack-x.pack")); err == nil {
		p.Close()
		t.Fatal("hostile index accepted")
	}
}
