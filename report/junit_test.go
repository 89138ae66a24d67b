package report

import (
	"bytes"
	"encoding/xml"
	"testing"
)

func TestJUnitGolden(t *testing.T) {
	ciGolden(t, "scan.junit.xml", ciRender(t, "junit", fxReport(), ScanOptions{}))
	ciGolden(t, "scan-empty.junit.xml", ciRender(t, "junit", fxEmpty(), ScanOptions{}))
}

// TestJUnitWellFormed parses the output as a CI system would.
func TestJUnitWellFormed(t *testing.T) {
	for name, r := range map[string]*ScanReport{"findings": fxReport(), "empty": fxEmpty()} {
		var doc junitSuites
		out := ciRender(t, "junit", r, ScanOptions{})
		if err := xml.NewDecoder(bytes.NewReader(out)).Decode(&doc); err != nil {
			t.Fatalf("%s: not well-formed XML: %v\n%s", name, err, out)
		}
		s := doc.Suites[0]
		if s.Failures != len(r.Findings) || doc.Failures != len(r.Findings) {
			t.Errorf("%s: %d failures, want %d", name, s.Failures, len(r.Findings))
		}
		if s.Tests != len(s.Cases) || s.Tests == 0 {
			t.Errorf("%s: tests=%d with %d cases", name, s.Tests, len(s.Cases))
		}
	}
}
