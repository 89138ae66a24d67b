package scanner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

const (
	pairKeyID  = "AKIAUJZDEGXDNCF32EPF"
	pairSecret = "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"
)

// TestGenericRulesDoNotBreakAWSPairs is #15 defect 3: in NAME=value files a
// generic rule saw the secret first and the pair was never made.
func TestGenericRulesDoNotBreakAWSPairs(t *testing.T) {
	t.Parallel()
	d := builtinDetector(t)
	for _, name := range []string{"secret", "SECRET", "token", "api_key", "password", "key", "aws_secret", "value"} {
		for _, layout := range []string{"%s=%s\n%s=%s\n", "%s: %s\n%s: %s\n", "%s = \"%s\"\n%s = \"%s\"\n"} {
			src := fmt.Sprintf(layout, "key", pairKeyID, name, pairSecret)
			t.Run(strings.TrimSpace(strings.ReplaceAll(src, "\n", ";")), func(t *testing.T) {
				fs := d.Detect(Chunk{Data: []byte(src), Path: "creds.env"})
				if len(fs) != 2 {
					t.Fatalf("got %d findings %v, want the key ID and its secret", len(fs), ruleIDs(fs))
				}
				for _, f := range fs {
					if f.Severity != patterns.SeverityCritical || f.Attributes["pair"] == "" {
						t.Errorf("%s: severity %s, pair %q; want a critical, linked pair", f.RuleID, f.Severity, f.Attributes["pair"])
					}
					if f.Secret != pairKeyID && f.Secret != pairSecret {
						t.Errorf("%s reported %q", f.RuleID, Redact(f.Secret))
					}
				}
			})
		}
	}
	// Without a key ID nearby the generic rule keeps the value: a
	// requirement that fails must not take the value with it.
	far := "key=" + pairKeyID + strings.Repeat("\n", 8) + "token=" + pairSecret + "\n"
	fs := d.Detect(Chunk{Data: []byte(far), Path: "creds.env"})
	if !hasRule(fs, "generic-secret-unquoted") {
		t.Errorf("far from its key ID the secret is lost: %v", ruleIDs(fs))
	}
}

// TestImportedRuleDoesNotDisplaceBuiltin is #15 defect 4: an imported
// gitleaks aws-access-key-id rule reported the key instead of the built-in
// rule's richer finding (account, pair, remediation).
func TestImportedRuleDoesNotDisplaceBuiltin(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig(".rampart.toml", []byte(`
[[rules]]
id = "gitleaks-aws-access-key-id"
description = "Our own AWS key rule"
severity = "high"
keywords = ["akia"]
regex = "AKIA[A-Z0-9]{16}"
`))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDetector(cfg.Rules, nil)
	src := "aws_access_key_id = " + pairKeyID + "\naws_secret_access_key = " + pairSecret + "\n"
	fs := d.Detect(Chunk{Data: []byte(src), Path: "credentials"})
	if hasRule(fs, "gitleaks-aws-access-key-id") {
		t.Errorf("imported rule reported the key: %v", ruleIDs(fs))
	}
	for _, f := range fs {
		if f.RuleID == "aws-access-key-id" {
			if f.Attributes["aws_account_id"] == "" || f.Attributes["pair"] == "" || f.Severity != patterns.SeverityCritical {
				t.Errorf("built-in finding lost its account or pair: %+v", f.Attributes)
			}
			return
		}
	}
	t.Errorf("no built-in key ID finding: %v", ruleIDs(fs))
}

// TestCustomAndGenericReportOnce is #15's "one token reported twice": a
// custom rule's secret group sits inside a generic rule's match.
func TestCustomAndGenericReportOnce(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig(".rampart.toml", []byte(`
[[rules]]
id = "internal-service-token"
description = "Internal service token"
severity = "high"
keywords = ["itk_"]
regex = '''\bitk_(?P<secret>[a-z0-9]{24})\b'''
`))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDetector(cfg.Rules, nil)
	for _, src := range []string{
		`token = "itk_a8f3k2l9m4n7b1v6c5x8z2q0"`,
		"SERVICE_TOKEN=itk_a8f3k2l9m4n7b1v6c5x8z2q0",
		`"apiKey": "itk_a8f3k2l9m4n7b1v6c5x8z2q0",`,
	} {
		fs := d.Detect(Chunk{Data: []byte(src), Path: "app.env"})
		if len(fs) != 1 || fs[0].RuleID != "internal-service-token" {
			t.Errorf("%q: got %v, want one internal-service-token finding", src, ruleIDs(fs))
		}
	}
	// Two different secrets on one line are still two findings.
	src := `token = "itk_a8f3k2l9m4n7b1v6c5x8z2q0" other_secret = "Zq9vB3nK7mLp2xR8tW4yH6jD1sF5gC0e"`
	if fs := d.Detect(Chunk{Data: []byte(src), Path: "app.env"}); len(fs) != 2 {
		t.Errorf("two secrets on a line: got %v", ruleIDs(fs))
	}
}
