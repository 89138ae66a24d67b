package history

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestLooseObjects lists what git would read as a loose object: a
// two-digit fan-out folder (or a link to one) holding a 38-digit file
// name.
func TestLooseObjects(t *testing.T) {
	objects := t.TempDir()
	const rest = "0123456789abcdef0123456789abcdef012345"
	for _, f := range []string{
		"0a/" + rest,               // an object
		"ff/" + rest,               // another
		"ff/" + rest[:37],          // too short
		"ff/tmp_obj_XXXX",          // git's temporary file
		"zz/" + rest,               // not hexadecimal
		"abc/" + rest,              // not a fan-out folder
		"pack/pack-" + rest + ".x", // packs are read elsewhere
		"info/packs",
	} {
		p := filepath.Join(objects, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(objects, "ab"), nil, 0o644); err != nil { // a file, not a folder
		t.Fatal(err)
	}
	// A fan-out folder kept elsewhere, linked: git follows the link.
	elsewhere := filepath.Join(t.TempDir(), "c3")
	if err := os.MkdirAll(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(elsewhere, rest), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(objects, "c3")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	got, err := looseObjects(objects)
	if err != nil {
		t.Fatal(err)
	}
	var want [][20]byte
	for _, fan := range []byte{0x0a, 0xc3, 0xff} {
		var id [20]byte
		id[0] = fan
		copy(id[1:], []byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45})
		want = append(want, id)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("looseObjects = %x, want %x", got, want)
	}

	if ids, err := looseObjects(filepath.Join(objects, "missing")); err != nil || ids != nil {
		t.Errorf("looseObjects(missing) = %x, %v; want nothing and no error", ids, err)
	}
}
