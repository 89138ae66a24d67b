package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestOrgScanFormatsGolden: an organisation scan in every format but HTML
// (dated; see html_test.go), against golden files: text with a section per
// repository, the list formats with owner/name/ paths, JSON with its
// repositories array. -update rewrites them.
func TestOrgScanFormatsGolden(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"text", "json", "markdown", "sarif", "junit", "github"} {
		var buf bytes.Buffer
		if err := WriteScan(&buf, format, htmlFixture(), ScanOptions{}); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if strings.Contains(buf.String(), htmlSecret) {
			t.Errorf("%s holds the plaintext secret", format)
		}
		ciGolden(t, "org-scan."+format, buf.Bytes())
	}
}

// TestScanFromJSONRoundTrip: a JSON organisation report read back renders
// like the original, with its secrets shown as stored (never redacted
// twice) and its repositories kept.
func TestScanFromJSONRoundTrip(t *testing.T) {
	t.Parallel()
	var first bytes.Buffer
	if err := WriteScan(&first, "json", htmlFixture(), ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc JSONScan
	if err := json.Unmarshal(first.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	merged := MergeScans([]*JSONScan{&doc})
	var again bytes.Buffer
	if err := WriteScan(&again, "json", ScanFromJSON(merged, nil), ScanOptions{ShowSecrets: true}); err != nil {
		t.Fatal(err)
	}
	if first.String() != again.String() {
		t.Errorf("round trip changed the report:\n%s\n---\n%s", first.String(), again.String())
	}
}
