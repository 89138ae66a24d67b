package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// ciUpdateFlag is -update: rewrite golden files instead of comparing. The
// flag is shared with other golden tests in this package, so it is defined
// only if nobody defined it first.
var ciUpdateFlag = ciDefineUpdateFlag()

func ciDefineUpdateFlag() *bool {
	if flag.Lookup("update") != nil {
		return nil
	}
	return flag.Bool("update", false, "rewrite golden files under testdata/")
}

// ciUpdating reports whether -update was given, whoever defined it.
func ciUpdating() bool {
	if ciUpdateFlag != nil {
		return *ciUpdateFlag
	}
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// ciGolden compares got with testdata/name, or rewrites it under -update.
func ciGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if ciUpdating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// Plaintext secrets of the fixture; no redacted output may contain them.
const (
	fxKeyID     = "AKIAUJZDEGXDNCF32EPF"
	fxSecretKey = "dJ8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7Zkuvqdt7"
	fxToken     = "ghp_R4mP4rTt3sTt0k3nV4lu3xXyYzZ0123456789"
	fxMsgKey    = "AKIA3DHODZDOCIS2JHTL"
	fxSlack     = "xoxb-1234567890-abcdefghijKLMNOPQR"
)

// fxHostilePath breaks every format that forgets to escape: a newline that
// would start a new workflow command, table pipes, percent signs that look
// like escapes, a terminal escape sequence and a bidirectional override.
const fxHostilePath = "evil\n::error file=x::pwned|%0A%25,a:b\x1b[31mred\x1b[0m\u202e.txt"

func fxReport() *ScanReport {
	date := time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC)
	c1 := &scanner.Commit{Hash: "94aaad9c1b2e3f405162738495a6b7c8d9e0f1a2", Author: "Alice Example", Email: "alice@example.com", Date: date}
	c2 := &scanner.Commit{Hash: "0123456789abcdef0123456789abcdef01234567", Author: "Mallory <script>\x1b[2J", Email: "m@example.com", Date: date.Add(time.Hour)}
	c3 := &scanner.Commit{Hash: "fedcba9876543210fedcba9876543210fedcba98", Author: "Bob", Email: "bob@example.com", Date: date.Add(2 * time.Hour)}
	keyFP := scanner.Fingerprint("aws-access-key-id", fxKeyID)
	secFP := scanner.Fingerprint("aws-secret-access-key", fxSecretKey)
	awsFix := "Deactivate the key in IAM (aws iam update-access-key --status Inactive), create a replacement, then remove it from git history."
	fs := []scanner.Finding{
		{RuleID: "aws-access-key-id", Description: "AWS access key ID", Severity: patterns.SeverityCritical, Remediation: awsFix,
			Kind: scanner.KindDiff, Path: "config/aws credentials.ini", Line: 2, Column: 21, Commit: c1,
			Secret: fxKeyID, Fingerprint: keyFP, Attributes: map[string]string{"aws_account_id": "581039954779", "pair": secFP}},
		{RuleID: "aws-secret-access-key", Description: "AWS secret access key", Severity: patterns.SeverityCritical, Remediation: awsFix,
			Kind: scanner.KindDiff, Path: "config/aws credentials.ini", Line: 3, Column: 25, Commit: c1,
			Secret: fxSecretKey, Fingerprint: secFP, Attributes: map[string]string{"pair": keyFP}},
		{RuleID: "github-pat", Description: "GitHub personal access token", Severity: patterns.SeverityHigh,
			Remediation: "Revoke the token at https://github.com/settings/tokens.",
			Kind:        scanner.KindDiff, Path: fxHostilePath, Line: 7, Column: 5, Commit: c2,
			Secret: fxToken, Fingerprint: scanner.Fingerprint("github-pat", fxToken)},
		{RuleID: "aws-access-key-id", Description: "AWS access key ID", Severity: patterns.SeverityHigh, Remediation: awsFix,
			Kind: scanner.KindCommitMessage, Path: "(commit message)", Line: 3, Column: 12, Commit: c3,
			Secret: fxMsgKey, Fingerprint: scanner.Fingerprint("aws-access-key-id", fxMsgKey)},
		{RuleID: "slack-bot-token", Description: "Slack bot token", Severity: patterns.SeverityMedium,
			Kind: scanner.KindFile, Path: "docs/a|b %20c, d:e [x](y) <b>*_é_*</b>.md", Line: 1, Column: 1,
			Secret: fxSlack, Fingerprint: scanner.Fingerprint("slack-bot-token", fxSlack)},
	}
	rules := []*patterns.Rule{
		{ID: "aws-access-key-id", Description: "AWS access key ID", Severity: patterns.SeverityCritical, Remediation: awsFix},
		{ID: "aws-secret-access-key", Description: "AWS secret access key", Severity: patterns.SeverityCritical, Remediation: awsFix},
		{ID: "github-pat", Description: "GitHub personal access token", Severity: patterns.SeverityHigh},
		{ID: "private-key", Description: "Private key (PEM)", Severity: patterns.SeverityHigh, Remediation: "Revoke the key pair [and issue a new one]."},
	}
	return &ScanReport{
		Version:    "1.2.3",
		Findings:   fs,
		Stats:      scanner.Stats{Commits: 3, Files: 4, Bytes: 2345, DurationMS: 42, Notes: []string{"shallow clone: commits beyond the shallow boundary were not scanned"}},
		Rules:      rules,
		Suppressed: 1,
	}
}

func fxEmpty() *ScanReport {
	return &ScanReport{Version: "1.2.3", Stats: scanner.Stats{Commits: 2, Files: 3, Bytes: 100, DurationMS: 7},
		Rules: []*patterns.Rule{{ID: "aws-access-key-id", Description: "AWS access key ID", Severity: patterns.SeverityCritical}}}
}

func ciRender(t *testing.T, format string, r *ScanReport, o ScanOptions) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteScan(&b, format, r, o); err != nil {
		t.Fatalf("WriteScan %s: %v", format, err)
	}
	return b.Bytes()
}

// TestWritersNeverLeakSecrets checks every CI format, redacted, for the
// fixture's plaintext secrets; github and markdown must redact even when
// asked to show secrets, since workflow logs and summaries are public.
func TestWritersNeverLeakSecrets(t *testing.T) {
	secrets := []string{fxKeyID, fxSecretKey, fxToken, fxMsgKey, fxSlack}
	cases := []struct {
		format string
		show   bool
	}{
		{"sarif", false}, {"junit", false}, {"github", false}, {"markdown", false},
		{"github", true}, {"markdown", true},
	}
	for _, c := range cases {
		out := string(ciRender(t, c.format, fxReport(), ScanOptions{ShowSecrets: c.show}))
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s (show=%v) prints the plaintext secret %s", c.format, c.show, s)
			}
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("%s prints a raw terminal escape", c.format)
		}
	}
	// Asked to, the file formats do show them.
	for _, f := range []string{"sarif", "junit"} {
		if out := string(ciRender(t, f, fxReport(), ScanOptions{ShowSecrets: true})); !strings.Contains(out, fxSecretKey) {
			t.Errorf("%s with ShowSecrets does not show the secret", f)
		}
	}
}

func TestGitHubGolden(t *testing.T) {
	ciGolden(t, "scan.github.txt", ciRender(t, "github", fxReport(), ScanOptions{}))
	ciGolden(t, "scan-empty.github.txt", ciRender(t, "github", fxEmpty(), ScanOptions{}))
}

var ghCommandLine = regexp.MustCompile(`^::(error|warning|notice)( [^:]*)?::(.*)$`)

// TestGitHubCommands parses the output as the runner does: exactly one
// command per finding, every other line plain text, and properties that
// unescape to the original path.
func TestGitHubCommands(t *testing.T) {
	r := fxReport()
	out := string(ciRender(t, "github", r, ScanOptions{}))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var cmds [][]string
	for _, l := range lines {
		if strings.HasPrefix(l, "::") {
			m := ghCommandLine.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("malformed workflow command: %q", l)
			}
			cmds = append(cmds, m)
		}
		if strings.ContainsAny(l, "\r") {
			t.Errorf("raw CR in output line %q", l)
		}
	}
	if len(cmds) != len(r.Findings) {
		t.Fatalf("got %d workflow commands for %d findings:\n%s", len(cmds), len(r.Findings), out)
	}
	props := func(m []string) map[string]string {
		p := map[string]string{}
		for _, kv := range strings.Split(strings.TrimSpace(m[2]), ",") {
			k, v, _ := strings.Cut(kv, "=")
			p[k] = ghUnescapeProperty(v)
		}
		return p
	}
	for i, m := range cmds {
		f := r.Findings[i]
		p := props(m)
		switch {
		case f.Kind == scanner.KindCommitMessage:
			if _, ok := p["file"]; ok {
				t.Errorf("commit-message finding annotated with file=%q", p["file"])
			}
			if !strings.Contains(m[3], f.Commit.Hash) {
				t.Errorf("commit-message annotation does not name the commit: %q", m[3])
			}
		case f.Path == fxHostilePath:
			if _, ok := p["file"]; ok {
				t.Errorf("hostile path given as file=: %q", m[0])
			}
			if !strings.Contains(m[3], Safe(ghUnescape(fxHostilePath))) && !strings.Contains(ghUnescape(m[3]), Safe(fxHostilePath)) {
				t.Errorf("hostile path not named in the message: %q", m[3])
			}
		default:
			if p["file"] != f.Path {
				t.Errorf("file= unescapes to %q, want %q", p["file"], f.Path)
			}
		}
	}
	if m := cmds[0]; m[1] != "error" || props(m)["line"] != "2" || props(m)["col"] != "21" {
		t.Errorf("first command %q: want error at line 2 col 21", m[0])
	}
	if m := cmds[4]; m[1] != "warning" {
		t.Errorf("medium finding gives %q, want warning", m[1])
	}
}

func ghUnescape(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(s)
}

func ghUnescapeProperty(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

func TestGitHubEscaping(t *testing.T) {
	cases := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"k:v,w", "k:v,w", "k%3Av%2Cw"},
		{"%0A", "%250A", "%250A"},
	}
	for _, c := range cases {
		if got := ghData(c.in); got != c.data {
			t.Errorf("ghData(%q) = %q, want %q", c.in, got, c.data)
		}
		if got := ghProperty(c.in); got != c.prop {
			t.Errorf("ghProperty(%q) = %q, want %q", c.in, got, c.prop)
		}
		if got := ghUnescapeProperty(ghProperty(c.in)); got != c.in {
			t.Errorf("round trip of %q gives %q", c.in, got)
		}
	}
}

// FuzzGitHubWriter: whatever a path or description holds, each finding is
// one workflow command and nothing else in the output starts a command.
func FuzzGitHubWriter(f *testing.F) {
	f.Add(fxHostilePath, "desc", "author")
	f.Add("a\r\n::warning::x", "%0A::error::", "\x1b]8;;http://x\x07")
	f.Fuzz(func(t *testing.T, path, desc, author string) {
		secret := "AKIAUJZDEGXDNCF32EPF"
		r := &ScanReport{Findings: []scanner.Finding{{
			RuleID: "r", Description: desc, Severity: patterns.SeverityHigh, Remediation: desc, Kind: scanner.KindDiff,
			Path: path, Line: 1, Column: 1, Secret: secret, Fingerprint: "f",
			Commit: &scanner.Commit{Hash: "0123456789abcdef0123456789abcdef01234567", Author: author},
		}}, Stats: scanner.Stats{Notes: []string{desc}}}
		var b bytes.Buffer
		if err := WriteScan(&b, "github", r, ScanOptions{ShowSecrets: true}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if strings.Contains(out, secret) || strings.ContainsAny(out, "\r\x1b") {
			t.Fatalf("secret or raw control character in output: %q", out)
		}
		cmds := 0
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "::") {
				cmds++
			}
		}
		if cmds != 1 {
			t.Fatalf("%d workflow commands for one finding:\n%s", cmds, out)
		}
	})
}
