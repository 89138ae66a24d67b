package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportsToOneFileAreRefused: -o and --report, or two --report flags,
// naming one file (by the same path, another spelling of it, or a link to
// it) exit 2 before the scan, leaving the file as it was. The second
// report overwrote the first in silence, so `-o findings.json --report
// sarif=findings.json` left no JSON report. Found writing reports by hand.
func TestReportsToOneFileAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "src/f.txt", "id "+scKeyID+"\n")
	scWrite(t, dir, "out/keep.json", "keep\n")
	if err := os.Symlink(filepath.Join(dir, "out", "keep.json"), filepath.Join(dir, "out", "link.json")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--format", "json", "-o", "out/keep.json", "--report", "sarif=out/keep.json"},
		{"-o", "out/new.txt", "--report", "sarif=out/../out/new.txt"},
		{"--report", "json=out/r.json", "--report", "sarif=" + filepath.Join(dir, "out", "r.json")},
		{"-o", "out/keep.json", "--report", "sarif=out/link.json"},
	} {
		_, errOut, code := cliRun(t, dir, nil, "", append([]string{"scan", "src"}, args...)...)
		if code != exitError || !strings.Contains(errOut, "writes to the same file as") {
			t.Errorf("scan %q: exit %d, want 2 naming the clash\n%s", args, code, errOut)
		}
	}
	if got := mustRead(t, filepath.Join(dir, "out", "keep.json")); got != "keep\n" {
		t.Errorf("out/keep.json was written: %q", got)
	}
	for _, name := range []string{"new.txt", "r.json"} {
		if _, err := os.Stat(filepath.Join(dir, "out", name)); err == nil {
			t.Errorf("out/%s was written by a refused scan", name)
		}
	}
	// Different files are fine: both reports written, exit 1 for the key.
	if _, errOut, code := cliRun(t, dir, nil, "", "scan", "src", "--format", "json", "-o", "out/a.json", "--report", "sarif=out/a.sarif"); code != exitFindings {
		t.Fatalf("two files: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(mustRead(t, filepath.Join(dir, "out", "a.json")), `"findings"`) || !strings.Contains(mustRead(t, filepath.Join(dir, "out", "a.sarif")), `"runs"`) {
		t.Error("two files: a report is missing")
	}
}
