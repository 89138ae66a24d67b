package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// rtConfig adds one rule (with a missed example and a reported
// counterexample, to exercise the self-check) and disables a built-in.
const rtConfig = `disable = ["aws-account-id"]

[allowlist]
stopwords = ["sandbox"]

[[rules]]
id = "acme-token"
description = "Acme API token"
severity = "high"
keywords = ["acme_"]
regex = '''\bacme_(?P<secret>[a-z0-9]{20})\b'''
entropy = 3.0
validators = ["not-placeholder"]
remediation = "Revoke it at https://acme.test/tokens."
examples = ["ACME_TOKEN=acme_k3j9x0q2m8v7b5n4c1z6", "acme_r7t2w9q4z8x1c5v3b6n0\nsecond line"]
counterexamples = ["acme_short", "acme_sandboxq2m8v7b5n4c1z"]

[[rules]]
id = "acme-weak"
description = "Acme rule whose proof fails"
keywords = ["weak_"]
regex = '''weak_[a-z]{8}'''
examples = ["weak_12345678"]
counterexamples = ["weak_abcdefgh"]
`

func TestRulesList(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, errOut, code := scRun(t, dir, "", "rules")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !regexp.MustCompile(`(?m)^ID +SEVERITY +DESCRIPTION$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^aws-access-key-id +high +AWS access key ID$`).MatchString(out) ||
		!regexp.MustCompile(`\n[0-9]+ rules enabled: [0-9]+ built-in\. `).MatchString(out) {
		t.Errorf("unexpected listing:\n%s", out)
	}

	scWrite(t, dir, "custom.toml", rtConfig)
	out, _, code = scRun(t, dir, "", "rules", "--config", "custom.toml")
	if code != 0 ||
		!regexp.MustCompile(`(?m)^acme-token +high +Acme API token  \[custom\.toml\]$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^aws-account-id +low +.*\[disabled by custom\.toml\]$`).MatchString(out) ||
		!regexp.MustCompile(`, 2 from custom\.toml, 1 disabled\.`).MatchString(out) {
		t.Errorf("with --config: exit %d\n%s", code, out)
	}

	// .rampart.toml at the root is picked up without --config.
	scWrite(t, dir, ".rampart.toml", rtConfig)
	if out, _, _ = scRun(t, dir, "", "rules"); !strings.Contains(out, "acme-token") {
		t.Errorf(".rampart.toml not honoured:\n%s", out)
	}

	out, _, code = scRun(t, dir, "", "rules", "--format", "json", "--config", "custom.toml")
	var doc struct {
		Rules []struct {
			ID, Severity, Description, Source string
			Enabled                           bool
		} `json:"rules"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 {
		t.Fatalf("json: exit %d, %v\n%s", code, err, out)
	}
	seen := map[string]bool{}
	for _, r := range doc.Rules {
		seen[r.ID] = true
		if r.ID == "aws-account-id" && r.Enabled || r.ID == "acme-token" && (r.Source != "custom.toml" || !r.Enabled) {
			t.Errorf("json entry %+v", r)
		}
		if r.Severity == "" || r.Description == "" {
			t.Errorf("json entry lacks fields: %+v", r)
		}
	}
	if !seen["aws-access-key-id"] || !seen["acme-token"] || !seen["aws-account-id"] {
		t.Errorf("json lacks rules: %v", seen)
	}
}

func TestRulesShowGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "custom.toml", rtConfig)
	out, errOut, code := scRun(t, dir, "", "rules", "show", "acme-token", "--config", "custom.toml")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	golden(t, "rules-show-acme-token.txt", out)

	out, _, code = scRun(t, dir, "", "rules", "show", "acme-weak", "--config", "custom.toml")
	if code != 1 {
		t.Errorf("failing self-check: exit %d, want 1", code)
	}
	golden(t, "rules-show-failing.txt", out)
}

// TestRulesShowEveryBuiltin is `rules show` as a self-check over the whole
// catalogue, whatever its size: every built-in rule renders, and its
// examples are found through the live detector. One rule goes through the
// CLI; the rest use the same code without reloading the catalogue each time.
func TestRulesShowEveryBuiltin(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, _, code := scRun(t, dir, "", "rules", "show", "aws-access-key-id", "--format", "json")
	var d struct {
		ID     string `json:"id"`
		Regex  string `json:"regex"`
		Passed bool   `json:"passed"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil || code != 0 || !d.Passed || d.Regex == "" {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	cmd := newRulesCmd(&streams{})
	cmd.SetContext(context.Background())
	cat, err := loadCatalogue(cmd, &rulesOptions{format: "text"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range cat.entries {
		e := &cat.entries[i]
		rep := cat.check(e)
		var b strings.Builder
		if err := writeRuleText(&b, rep); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(b.String(), e.rule.ID+": ") || !strings.Contains(b.String(), "Self-check ") {
			t.Errorf("%s: incomplete output:\n%s", e.rule.ID, b.String())
		}
		if !rep.passed() {
			t.Errorf("%s: self-check fails through the live detector:\n%s", e.rule.ID, b.String())
		}
	}
}

func TestRulesShowErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "bad.toml", "[[rules]]\nid = 'x'\n")
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"typo", []string{"rules", "show", "aws-acess-key-id"}, `no rule "aws-acess-key-id" (did you mean "aws-access-key-id"?)`},
		{"fragment", []string{"rules", "show", "secret-access"}, `did you mean "aws-secret-access-key`},
		{"nothing close", []string{"rules", "show", "zzzzzzzzzzzzzzzzzzzz"}, `no rule "zzzzzzzzzzzzzzzzzzzz"` + "\n"},
		{"no id", []string{"rules", "show"}, "want exactly one rule ID"},
		{"list with argument", []string{"rules", "aws-access-key-id"}, "did you mean `rampart rules show aws-access-key-id`"},
		{"bad format", []string{"rules", "--format", "xml"}, "unknown format"},
		{"bad config", []string{"rules", "--config", "bad.toml"}, "missing description"},
		{"missing config", []string{"rules", "--config", "absent.toml"}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errOut, code := scRun(t, dir, "", tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.err) {
				t.Errorf("exit %d, stderr %q, want 2 and %q", code, errOut, tt.err)
			}
		})
	}
}

func TestSuggestIDs(t *testing.T) {
	t.Parallel()
	ids := []string{"aws-access-key-id", "aws-secret-access-key", "github-pat", "github-oauth"}
	tests := map[string][]string{
		"github-pta":        {"github-pat"},
		"AWS-ACCESS-KEY-ID": {"aws-access-key-id"},
		"github":            {"github-pat", "github-oauth"},
		"nothing":           nil,
	}
	for in, want := range tests {
		got := suggestIDs(in, ids)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("suggestIDs(%q) = %q, want %q", in, got, want)
		}
	}
}
