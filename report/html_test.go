package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

const htmlSecret = "AKIAXNZMQ2P5R7TW3YKV"

func htmlFixture() *ScanReport {
	c := &scanner.Commit{Hash: "4cf1b0cda1a3a1aa776c739d7f192f38bbf9fada", Author: "Dev", Date: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}
	return &ScanReport{
		Version: "test",
		Findings: []scanner.Finding{
			{RuleID: "aws-access-key-id", Severity: patterns.SeverityHigh, Kind: scanner.KindBlob, Path: `deploy/<script>alert(1)</script> a b.sh`, Line: 3,
				Commit: c, Secret: htmlSecret, Fingerprint: "fp1",
				Attributes: map[string]string{"repository": "acme/web", "repository_url": "https://github.com/acme/web", "pull_request": "3,12"}},
			{RuleID: "github-pat", Severity: patterns.SeverityCritical, Kind: scanner.KindBlob, Path: "ci.yml", Line: 1, Commit: c,
				Secret: "ghp_liveTokenLiveTokenLiveToken000000", Fingerprint: "fp2",
				Attributes:   map[string]string{"repository": "acme/api", "repository_url": "javascript:alert(1)"},
				Verification: &scanner.Verification{Status: scanner.VerifyValid, Identity: "octocat"}},
		},
		Repositories: []RepositorySection{{Repository: "acme/web", Status: "scanned", Findings: 1}, {Repository: "acme/api", Status: "scanned", Findings: 1},
			{Repository: "acme/broken", Status: "failed", Error: `<b>500</b>`}},
	}
}

func TestScanHTML(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteScan(&buf, "html", htmlFixture(), ScanOptions{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, bad := range []string{htmlSecret, "ghp_liveTokenLiveToken", "<script>alert", "<b>500</b>", "javascript:alert", "<link", "src=\"http", "url(http", "@import"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	for _, want := range []string{
		`href="https://github.com/acme/web/blob/4cf1b0cda1a3a1aa776c739d7f192f38bbf9fada/deploy/%3Cscript%3Ealert%281%29%3C/script%3E%20a%20b.sh#L3"`,
		`href="https://github.com/acme/web/commit/4cf1b0cda1a3a1aa776c739d7f192f38bbf9fada"`,
		`href="https://github.com/acme/web/pull/12"`, "PR #3",
		"Live credentials", "octocat", "AKIA…", "Content-Security-Policy", "<svg", "acme/broken",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// The live credential comes first in the table.
	table := page[strings.Index(page, `id="findings-table"`):]
	if strings.Index(table, "github-pat") > strings.Index(table, "aws-access-key-id") {
		t.Error("the live credential is not listed first")
	}
	// --show-secrets shows them.
	buf.Reset()
	if err := WriteScan(&buf, "html", htmlFixture(), ScanOptions{ShowSecrets: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), htmlSecret) {
		t.Error("--show-secrets does not show the secret")
	}
}

func TestAuditHTMLHeatMap(t *testing.T) {
	t.Parallel()
	score := 4.5
	rep := &hardening.Report{
		Targets: []hardening.TargetResult{
			{Kind: hardening.ScopeRepo.String(), Name: "acme/api", Score: &score, Results: []hardening.Result{
				{Check: "branch-protected", Status: hardening.StatusFail, Severity: hardening.SeverityHigh, Evidence: "main <unprotected>", Remediation: "Protect main."},
				{Check: "repo-secret-scanning", Status: hardening.StatusPass, Severity: hardening.SeverityHigh},
			}},
			{Kind: hardening.ScopeRepo.String(), Name: "acme/web", Results: []hardening.Result{
				{Check: "branch-protected", Status: hardening.StatusUnknown, Severity: hardening.SeverityHigh},
			}},
		},
		Summary: hardening.Summary{Organization: "acme", Repositories: 2, Fail: 1, Pass: 1, Unknown: 1},
	}
	var buf bytes.Buffer
	if err := WriteAudit(&buf, "html", &AuditReport{Version: "test", Report: rep, Notes: []string{"the commit <c> has no .rampart.toml"}}, AuditOptions{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{`class="heat"`, `class="fail"`, `class="pass"`, `class="unknown"`, `class="none"`, "Protect main.", "main &lt;unprotected&gt;", "4.5", "audit of acme",
		`<section id="notes"><h2>Notes</h2><ul><li>the commit &lt;c&gt; has no .rampart.toml</li></ul></section>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}
