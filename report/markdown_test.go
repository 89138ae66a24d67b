package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

func TestMarkdownGolden(t *testing.T) {
	ciGolden(t, "scan.md", ciRender(t, "markdown", fxReport(), ScanOptions{}))
	ciGolden(t, "scan-empty.md", ciRender(t, "markdown", fxEmpty(), ScanOptions{}))
}

// TestMarkdownTable checks that every table row has exactly the header's
// cells, whatever the paths hold.
func TestMarkdownTable(t *testing.T) {
	out := string(ciRender(t, "markdown", fxReport(), ScanOptions{}))
	rows := 0
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "|") {
			continue
		}
		rows++
		if n := mdCells(l); n != 4 {
			t.Errorf("row has %d cells, want 4: %q", n, l)
		}
	}
	// Header, separator, and four credentials (the AWS pair is one row).
	if rows != 6 {
		t.Errorf("got %d table lines, want 6:\n%s", rows, out)
	}
	for _, bad := range []string{"<b>", "<script>", "](", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown contains live %q", bad)
		}
	}
}

// mdCells counts a GFM table row's cells: pipes not escaped by a backslash.
func mdCells(row string) int {
	n := 0
	for i := 0; i < len(row); i++ {
		switch row[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n - 1
}

func manyFindings(n int) *ScanReport {
	r := &ScanReport{Version: "1.2.3"}
	long := strings.Repeat("deep/", 100)
	for i := range n {
		secret := fmt.Sprintf("AKIA%016d", i)
		r.Findings = append(r.Findings, scanner.Finding{
			RuleID: "aws-access-key-id", Description: "AWS access key ID", Severity: patterns.SeverityCritical,
			Kind: scanner.KindFile, Path: fmt.Sprintf("%s|file-%d.txt", long, i), Line: i + 1, Column: 1,
			Secret: secret, Fingerprint: scanner.Fingerprint("aws-access-key-id", secret),
		})
	}
	return r
}

// TestMarkdownTruncation: large result sets stop before the limit with a
// count of what was left out.
func TestMarkdownTruncation(t *testing.T) {
	t.Run("under GitHub's 1 MiB", func(t *testing.T) {
		r := manyFindings(20000)
		out := ciRender(t, "markdown", r, ScanOptions{})
		if len(out) > MarkdownLimit || len(out) > 1<<20 {
			t.Fatalf("summary is %d bytes, over the limit %d", len(out), MarkdownLimit)
		}
		if !strings.Contains(string(out), fmt.Sprintf("and %d more credentials not shown", 20000-MarkdownMaxRows)) {
			t.Errorf("row cap not reported: %s", out[len(out)-600:])
		}
	})
	t.Run("byte limit", func(t *testing.T) {
		r := manyFindings(50)
		var b bytes.Buffer
		const limit = 4000
		if err := writeMarkdownLimit(&b, r, limit, MarkdownMaxRows); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if len(out) > limit {
			t.Fatalf("%d bytes, limit %d", len(out), limit)
		}
		shown := strings.Count(out, "| aws")
		if shown == 0 || shown == 50 {
			t.Fatalf("%d rows shown", shown)
		}
		if !strings.Contains(out, fmt.Sprintf("and %d more credentials not shown", 50-shown)) {
			t.Errorf("omission count wrong:\n%s", out)
		}
	})
	t.Run("row cap", func(t *testing.T) {
		var b bytes.Buffer
		if err := writeMarkdownLimit(&b, manyFindings(5), MarkdownLimit, 2); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "and 3 more credentials not shown") {
			t.Errorf("got:\n%s", b.String())
		}
	})
}

func TestMdText(t *testing.T) {
	cases := map[string]string{
		"a|b":           `a\|b`,
		"<b>x</b>":      `\<b\>x\</b\>`,
		"line\nbreak":   `line\\nbreak`,
		"[l](http://x)": `\[l\]\(http://x\)`,
		"@user":         `\@user`,
	}
	for in, want := range cases {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOrgScanSummaryCountsRepositories: a rerun of an organisation scan
// that reads nothing new says how many repositories it covered, not
// "scanned 0 files", in every summary line.
func TestOrgScanSummaryCountsRepositories(t *testing.T) {
	r := &ScanReport{Repositories: []RepositorySection{
		{Repository: "acme/api", Status: "unchanged"},
		{Repository: "acme/web", Status: "unchanged"},
		{Repository: "acme/broken", Status: "failed"},
	}}
	var md bytes.Buffer
	if err := writeMarkdownLimit(&md, r, MarkdownLimit, MarkdownMaxRows); err != nil {
		t.Fatal(err)
	}
	want := `Scanned 3 repositories \(2 unchanged, 1 failed\), 0 B`
	if !strings.Contains(md.String(), want) || strings.Contains(md.String(), "0 files") {
		t.Errorf("markdown head:\n%s\nwant %q", md.String(), want)
	}
	if got := scannedSummary(r.Stats, r.Repositories); strings.Contains(got, "file") {
		t.Errorf("summary %q", got)
	}
}
