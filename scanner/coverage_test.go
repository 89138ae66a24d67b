package scanner

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestDirSourceCovers: a folder or file scan covers what it read, under its
// prefix, and nothing it skipped.
func TestDirSourceCovers(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", "text\n")
	write("big.txt", "0123456789abcdef\n")
	write("bin.dat", "a\x00b")
	write("vendor/v.txt", "text\n")
	allow, err := (&Allowlist{}).WithPaths([]string{"vendor/"})
	if err != nil {
		t.Fatal(err)
	}
	src := &DirSource{Root: root, Prefix: "app/", MaxFileSize: 10, Allow: allow}
	if err := src.Chunks(context.Background(), func(Chunk) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"app/a.txt":        true,
		"app/gone.txt":     true, // under the folder, not found: its entry is stale
		"app/deep/x.txt":   true,
		"app/big.txt":      true, // too large to hold whole: read in windows
		"app/bin.dat":      false,
		"app/vendor/v.txt": false,
		"other/a.txt":      false,
		"a.txt":            false,
	} {
		if got := src.Covers(path); got != want {
			t.Errorf("Covers(%q) = %v, want %v", path, got, want)
		}
	}
	one := &DirSource{Root: filepath.Join(root, "a.txt"), Prefix: "app/a.txt"}
	if !one.Covers("app/a.txt") || one.Covers("app/b.txt") {
		t.Error("a file scan covers exactly its file")
	}
}
