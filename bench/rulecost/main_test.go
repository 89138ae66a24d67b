package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadTree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.go", "package a\nvar x = 1\n")
	write("sub/b.yaml", "key: value\n")
	write(".git/config", "[core]\n")
	write("bin", "ELF\x00\x01")
	write("empty", "")
	chunks, size, err := readTree([]string{dir}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range chunks {
		paths = append(paths, c.Path)
	}
	if len(paths) != 2 || paths[0] != "a.go" || paths[1] != "sub/b.yaml" || size != 31 {
		t.Errorf("got %q, %d bytes; want a.go and sub/b.yaml, 31 bytes (no .git, binary or empty file)", paths, size)
	}
	if chunks, _, _ := readTree([]string{dir}, 1); len(chunks) != 1 {
		t.Errorf("max 1 byte: %d chunks, want the first file only", len(chunks))
	}
	if one := oneLine(chunks); string(one[0].Data) != "package a var x = 1 " || string(chunks[0].Data) != "package a\nvar x = 1\n" {
		t.Errorf("oneLine: %q (original %q)", one[0].Data, chunks[0].Data)
	}
	if _, _, err := readTree([]string{filepath.Join(dir, "missing")}, 1<<20); err == nil {
		t.Error("a missing directory: no error")
	}
}
