package gitsource

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/scanner"
)

func parseAll(t testing.TB, diff string) ([]*FileDiff, error) {
	var out []*FileDiff
	p := &diffParser{emit: func(f *FileDiff) error { out = append(out, f); return nil }}
	err := eachLine(strings.NewReader(diff), p.line)
	if err == nil {
		err = p.flush()
	}
	return out, err
}

func TestDiffParser(t *testing.T) {
	tests := []struct {
		name string
		diff string
		want []string // "path|line:text|line:text"
	}{
		{"plain", "diff --git a/f.txt b/f.txt\nindex 1..2 100644\n--- a/f.txt\n+++ b/f.txt\n@@ -1,0 +2,2 @@\n+two\n+three\n@@ -9 +11 @@\n-old\n+new\n",
			[]string{"f.txt|2:two|3:three|11:new"}},
		{"new file with spaces", "diff --git a/my file.txt b/my file.txt\nnew file mode 100644\n--- /dev/null\n+++ b/my file.txt\t\n@@ -0,0 +1 @@\n+x\n",
			[]string{"my file.txt|1:x"}},
		{"quoted path", "diff --git \"a/new\\nline\" \"b/new\\nline\"\n--- /dev/null\n+++ \"b/new\\nline\"\n@@ -0,0 +1 @@\n+x\n",
			[]string{"new\nline|1:x"}},
		{"octal utf8", "diff --git \"a/\\303\\274.txt\" \"b/\\303\\274.txt\"\n--- a/x\n+++ \"b/\\303\\274.txt\"\n@@ -1 +1 @@\n-a\n+b\n",
			[]string{"ü.txt|1:b"}},
		{"deleted file", "diff --git a/d b/d\ndeleted file mode 100644\n--- a/d\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n", nil},
		{"binary", "diff --git a/img.png b/img.png\nnew file mode 100644\nBinary files /dev/null and b/img.png differ\n",
			[]string{"img.png|binary"}},
		{"submodule", "diff --git a/sub b/sub\nnew file mode 160000\n--- /dev/null\n+++ b/sub\n@@ -0,0 +1 @@\n+Subproject commit 0123456789012345678901234567890123456789\n",
			[]string{"sub|submodule"}},
		{"added line that looks like a header", "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -0,0 +1,2 @@\n+++ not a header\n+diff --git fake\n",
			[]string{"x|1:++ not a header|2:diff --git fake"}},
		{"combined merge", "diff --cc a.txt\nindex 1,2..3\n--- a/a.txt\n+++ b/a.txt\n@@@ -1,1 -1,1 +1,3 @@@\n  same\n+ from first parent\n++evil\n",
			[]string{"a.txt|3:evil"}},
		{"no newline marker", "diff --git a/n b/n\n--- a/n\n+++ b/n\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n",
			[]string{"n|1:b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := parseAll(t, tt.diff)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range files {
				s := f.Path
				switch {
				case f.Binary:
					s += "|binary"
				case f.Submodule:
					s += "|submodule"
				default:
					for i, l := range bytes.Split(bytes.TrimSuffix(f.Data, []byte("\n")), []byte("\n")) {
						s += "|" + itoa(f.Lines[i]) + ":" + string(l)
					}
				}
				got = append(got, s)
			}
			if !equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestDiffParserSizeLimit(t *testing.T) {
	var out []*FileDiff
	p := &diffParser{maxBytes: 10, emit: func(f *FileDiff) error { out = append(out, f); return nil }}
	for _, l := range []string{"diff --git a/big b/big", "--- a/big", "+++ b/big", "@@ -0,0 +1,3 @@", "+aaaa", "+bbbb", "+cccc"} {
		if err := p.line([]byte(l)); err != nil {
			t.Fatal(err)
		}
	}
	p.flush()
	if len(out) != 1 || !out[0].TooLarge || len(out[0].Data) != 0 {
		t.Fatalf("got %+v", out)
	}
}

func FuzzDiffParser(f *testing.F) {
	f.Add([]byte("diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,0 +2,2 @@\n+two\n+three\n"))
	f.Add([]byte("diff --cc a\n--- a/a\n+++ b/a\n@@@ -1 -1 +1,2 @@@\n++x\n"))
	f.Add([]byte("diff --git \"a/\\303\" \"b/\\303\"\n+++ \"b/\\303\\n\"\n@@ -0,0 +1 @@\n+x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := parseAll(t, string(data))
		if err != nil {
			return
		}
		for _, fd := range files {
			if n := bytes.Count(fd.Data, []byte("\n")); n != len(fd.Lines) {
				t.Fatalf("%d lines of data but %d line numbers", n, len(fd.Lines))
			}
		}
	})
}

func FuzzReadLog(f *testing.F) {
	f.Add([]byte("\x00abc\x00Alice\x00a@b\x002024-01-01T00:00:00Z\x00msg\x00\n\ndiff --git a/x b/x\n"))
	f.Add([]byte("\x00abc\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		readLog(bytes.NewReader(data), func(c *scanner.Commit, msg []byte) error { return nil }, func([]byte) error { return nil }, func() error { return nil })
	})
}
