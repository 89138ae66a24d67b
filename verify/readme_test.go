package verify

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestREADMEProviderTable keeps the README's provider tables true: every
// verifier's endpoint and rules, and every not-checked reason, appear in
// the "Verifying findings" section.
func TestREADMEProviderTable(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Skip(err)
	}
	doc := string(data)
	start := strings.Index(doc, "## Verifying findings")
	if start < 0 {
		t.Fatal("README has no Verifying findings section")
	}
	sec := doc[start:]
	if end := strings.Index(sec[3:], "\n## "); end >= 0 {
		sec = sec[:end+3]
	}
	ps, err := Providers()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		row := "| " + p.Name + " | `" + strings.Join(p.Rules, "`, `") + "` | `" + p.Endpoint + "` | " + p.Learns + " |"
		if !strings.Contains(sec, row) {
			t.Errorf("README lacks the row:\n%s", row)
		}
	}
	f, _ := loadSpecs(verifiersTOML)
	for _, n := range f.NotChecked {
		row := "| " + n.Provider + " | `" + strings.Join(n.Rules, "`, `") + "` | " + n.Reason + " |"
		if !strings.Contains(sec, row) {
			t.Errorf("README lacks the not-checked row:\n%s", row)
		}
	}
	names := map[string]bool{}
	for _, p := range ps {
		names[p.Name] = true
	}
	if want := strings.Join([]string{strconv.Itoa(len(names)), "providers,", strconv.Itoa(len(ps)), "verifiers"}, " "); !strings.Contains(sec, want) {
		t.Errorf("README does not say %q", want)
	}
}
