package history

import (
	"strings"
	"testing"
)

func TestParseRaw(t *testing.T) {
	t.Parallel()
	id := "0123456789abcdef0123456789abcdef01234567"
	zero := strings.Repeat("0", 40)
	tests := []struct {
		line string
		ok   bool
		path string
		kind rawKind
	}{
		{":100644 100644 " + zero + " " + id + " M\tsrc/a.go", true, "src/a.go", rawBlob},
		{":000000 100644 " + zero + " " + id + " A\t\"tab\\there\"", true, "tab\there", rawBlob},
		{":100644 000000 " + id + " " + zero + " D\tgone", false, "", 0},
		{":000000 160000 " + zero + " " + id + " A\tvendor/sub", true, "vendor/sub", rawSubmodule},
		{"::100644 100644 100644 " + zero + " " + zero + " " + id + " MM\tmerged.txt", true, "merged.txt", rawBlob},
		{"not raw", false, "", 0},
		{":100644 100644 abc def M\tshort", false, "", 0},
	}
	for _, tt := range tests {
		_, path, kind, ok := parseRaw([]byte(tt.line))
		if ok != tt.ok || path != tt.path || kind != tt.kind {
			t.Errorf("parseRaw(%q) = %q %v %v", tt.line, path, kind, ok)
		}
	}
}
