package report

import (
	"testing"

	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/verify/canary"
)

// fxTextReport is fxReport with what only the text format prints besides:
// a verification verdict, a canary mark and a partial scan's note.
func fxTextReport() *ScanReport {
	r := fxReport()
	fs := r.Findings
	fs[2].Verification = &scanner.Verification{Status: scanner.VerifyValid, Identity: "octocat", Detail: "scopes: repo"}
	fs[3].Attributes = map[string]string{canary.Attr: canary.Thinkst}
	r.Stats.Incomplete = append(r.Stats.Incomplete, "1 blob(s) could not be read: \\x1b[2J")
	return r
}

// TestTextGolden: the text format, plain, coloured, with secrets shown,
// quiet and for a hook, byte for byte (the verified credential leads).
func TestTextGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    ScanOptions
	}{
		{"scan.text", ScanOptions{}},
		{"scan-color.text", ScanOptions{Color: true}},
		{"scan-show.text", ScanOptions{ShowSecrets: true}},
		{"scan-quiet.text", ScanOptions{Quiet: true}},
		{"scan-hook.text", ScanOptions{Hook: "the staged change"}},
	} {
		ciGolden(t, tc.name, ciRender(t, "text", fxTextReport(), tc.o))
	}
}
