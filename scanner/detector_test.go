package scanner

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/patterns"
)

const (
	testKeyID  = "AKIAUJZDEGXDNCF32EPF"
	testSecret = "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"
)

func builtinDetector(t testing.TB) *Detector {
	t.Helper()
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return NewDetector(rules, nil)
}

func TestDetectPositions(t *testing.T) {
	d := builtinDetector(t)
	tests := []struct {
		name      string
		chunk     Chunk
		line, col int
	}{
		{"first line", Chunk{Data: []byte("id=" + testKeyID + "\n")}, 1, 4},
		{"third line", Chunk{Data: []byte("a\nb\n  key: " + testKeyID + "\n")}, 3, 8},
		{"start line offset", Chunk{Data: []byte("x\n" + testKeyID), StartLine: 10}, 11, 1},
		{"diff line map", Chunk{Data: []byte("added\nid " + testKeyID + "\n"), Lines: []int{7, 42}}, 42, 4},
		{"columns count runes", Chunk{Data: []byte("ключ: " + testKeyID)}, 1, 7},
		{"CRLF", Chunk{Data: []byte("a\r\nb\r\nid=" + testKeyID + "\r\n")}, 3, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := d.Detect(tt.chunk)
			if len(fs) != 1 {
				t.Fatalf("got %d findings, want 1", len(fs))
			}
			if fs[0].Line != tt.line || fs[0].Column != tt.col {
				t.Errorf("position = %d:%d, want %d:%d", fs[0].Line, fs[0].Column, tt.line, tt.col)
			}
			if fs[0].Secret != testKeyID {
				t.Errorf("secret = %q", fs[0].Secret)
			}
		})
	}
}

func TestInlineAllowMarkers(t *testing.T) {
	d := builtinDetector(t)
	for _, marker := range []string{"# rampart:allow", "// gitleaks:allow", "# pragma: allowlist secret", "# trufflehog:ignore"} {
		data := "id = " + testKeyID + " " + marker + "\nother = " + "ASIA3DHODZDOCIS2JHTL\n"
		fs := d.Detect(Chunk{Data: []byte(data)})
		if len(fs) != 1 || fs[0].Line != 2 {
			t.Errorf("%s: findings %v, want only line 2", marker, fs)
		}
	}
}

func TestPairingBothDirections(t *testing.T) {
	d := builtinDetector(t)
	tests := []struct {
		name string
		data string
		pair bool
	}{
		{"id then secret with context", "aws_access_key_id=" + testKeyID + "\naws_secret_access_key=" + testSecret + "\n", true},
		{"secret first, no context name", testSecret + "\n\n" + testKeyID + "\n", true},
		{"csv", "user,key,secret\nci," + testKeyID + "," + testSecret + "\n", true},
		{"too far apart", testKeyID + "\n" + strings.Repeat("filler\n", 10) + testSecret + "\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := d.Detect(Chunk{Data: []byte(tt.data)})
			if !tt.pair {
				if len(fs) != 1 || fs[0].RuleID != "aws-access-key-id" {
					t.Fatalf("findings = %+v, want the key ID alone", fs)
				}
				return
			}
			if len(fs) != 2 {
				t.Fatalf("got %d findings, want key ID and secret", len(fs))
			}
			if fs[0].Attributes["pair"] != fs[1].Fingerprint || fs[1].Attributes["pair"] != fs[0].Fingerprint {
				t.Errorf("not linked: %v %v", fs[0].Attributes, fs[1].Attributes)
			}
			for _, f := range fs {
				if f.Severity != patterns.SeverityCritical {
					t.Errorf("%s severity %v, want critical", f.RuleID, f.Severity)
				}
			}
		})
	}
}

func TestAWSAccountIDAttribute(t *testing.T) {
	fs := builtinDetector(t).Detect(Chunk{Data: []byte("AKIASP2TPHJSQH3FJRUX")})
	if len(fs) != 1 || fs[0].Attributes["aws_account_id"] != "171436882533" {
		t.Fatalf("findings = %+v, want account 171436882533", fs)
	}
}

// TestAWSAccountIDIsTwelveDigits: a key ID whose embedded account number
// has 13 digits (a made-up key; AWS accounts have 12) is still reported,
// with no account: it showed "AWS account 1049578702752", an account that
// cannot exist. Found committing a made-up AKIA key with the hooks.
func TestAWSAccountIDIsTwelveDigits(t *testing.T) {
	d := builtinDetector(t)
	for key, want := range map[string]string{
		"AKIAPIX6EA6QOM66ZJOJ": "",             // 1049578702752: no such account
		"AKIAP7777777QOM66ZJO": "",             // the 40 bits all set: 1099511627775
		"AKIAORVFFB77WWOE4IOX": "999999999999", // the largest account
		"AKIAORVFFCAACE5YF2K2": "",             // one more
		"AKIASP2TPHJSQH3FJRUX": "171436882533",
	} {
		fs := d.Detect(Chunk{Data: []byte("aws_access_key_id = " + key + "\n")})
		if len(fs) != 1 || fs[0].RuleID != "aws-access-key-id" {
			t.Errorf("%s: findings %+v, want one aws-access-key-id", key, fs)
			continue
		}
		if got := fs[0].Attributes["aws_account_id"]; got != want {
			t.Errorf("%s: aws_account_id %q, want %q", key, got, want)
		}
	}
}

// TestDecoys scans testdata/decoys (git SHAs, UUIDs, digests, integrity
// strings, base64 images, public keys, AWS's documented examples): nothing
// there is a credential.
func TestDecoys(t *testing.T) {
	d := builtinDetector(t)
	src := &DirSource{Root: "testdata/decoys"}
	res, err := Scan(context.Background(), src, d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Files < 10 {
		t.Fatalf("decoy suite read %d files; is testdata missing?", res.Stats.Files)
	}
	for _, f := range res.Findings {
		t.Errorf("decoy reported: %s %s:%d %s", f.RuleID, f.Path, f.Line, Redact(f.Secret))
	}
}

func TestMinifiedLineStaysLocal(t *testing.T) {
	d := builtinDetector(t)
	var b bytes.Buffer
	for b.Len() < 2<<20 {
		b.WriteString(`var a=function(){return"secret_key"};`)
	}
	b.WriteString(`x="` + testKeyID + `";`)
	for b.Len() < 4<<20 {
		b.WriteString(`c.key=d.token+e;`)
	}
	fs := d.Detect(Chunk{Data: b.Bytes()})
	if len(fs) != 1 || fs[0].Line != 1 || fs[0].Secret != testKeyID {
		t.Fatalf("findings = %+v", fs)
	}
}

func TestWindowNeverStartsInsideToken(t *testing.T) {
	// A long base64 run next to a keyword: the window is clamped, and a
	// clamped edge must not turn the middle of the run into a 40-char "secret".
	long := strings.Repeat("Ab3dE5gH7jK9mN1pQ3sT5vW7yZ", 200)
	data := long + " akia " + long
	if fs := builtinDetector(t).Detect(Chunk{Data: []byte(data)}); len(fs) != 0 {
		t.Fatalf("findings = %+v", fs)
	}
}

func TestConfigAllowlistAndRules(t *testing.T) {
	cfg, err := ParseConfig("test.toml", []byte(`
max_file_size = "1MB"
disable = ["aws-account-id"]

[allowlist]
paths = ["vendor/**", "*.lock"]
regexes = ['^AKIAUJZ']
secrets = ["ASIA3DHODZDOCIS2JHTL"]

[[rules]]
id = "internal-token"
description = "Internal service token"
severity = "high"
keywords = ["itk_"]
regex = '''\bitk_(?P<secret>[a-z0-9]{24})\b'''
examples = ["itk_a8f3k2l9m4n7b1v6c5x8z2q0"]
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxFileSize != 1<<20 {
		t.Errorf("max_file_size = %d", cfg.MaxFileSize)
	}
	d := NewDetector(cfg.Rules, cfg.Allow)
	data := "a " + testKeyID + "\nb ASIA3DHODZDOCIS2JHTL\nc AKIAGMXGEDN73U55XTPL\nt itk_a8f3k2l9m4n7b1v6c5x8z2q0\naws_account_id = 492375816234\n"
	var got []string
	for _, f := range d.Detect(Chunk{Data: []byte(data)}) {
		got = append(got, f.RuleID+":"+f.Secret)
	}
	want := []string{"aws-access-key-id:AKIAGMXGEDN73U55XTPL", "internal-token:a8f3k2l9m4n7b1v6c5x8z2q0"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
	for path, allowed := range map[string]bool{"vendor/a/b.go": true, "x/yarn.lock": true, "src/vendor.go": false, "main.go": false} {
		if cfg.Allow.AllowsPath(path) != allowed {
			t.Errorf("AllowsPath(%q) = %v, want %v", path, !allowed, allowed)
		}
	}
}

func TestConfigErrorsReportedAtOnce(t *testing.T) {
	_, err := ParseConfig(".rampart.toml", []byte(`max_file_size = "lots"
disable = ["no-such-rule"]
colour = true

[[rules]]
id = "Bad ID"
description = "x"
regex = "("

[[rules]]
id = "ok-rule"
regex = "a+"
validators = ["nope"]

[[rules]]
id = "examples-nowhere"
description = "x"
regex = "b+"
example_path = "a.txt"

[[rules]]
id = "examples-elsewhere"
description = "x"
regex = "c+"
path = '''\.netrc$'''
example_path = "a.txt"
`))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		`max_file_size: bad size "lots"`,
		`no built-in rule "no-such-rule"`,
		`unknown key "colour"`,
		`.rampart.toml:5: rule "Bad ID": id must be lower-case`,
		`.rampart.toml:5: rule "Bad ID": bad regex`,
		`.rampart.toml:10: rule "ok-rule": missing description`,
		`unknown validator "nope"`,
		`rule "examples-nowhere": example_path without a path`,
		`rule "examples-elsewhere": example_path "a.txt" does not match the rule's path`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

func TestConfigSyntaxErrorHasLine(t *testing.T) {
	_, err := ParseConfig("c.toml", []byte("a = 1\nb = = 2\n"))
	if err == nil || !strings.Contains(err.Error(), "c.toml:2:") {
		t.Fatalf("err = %v, want c.toml:2", err)
	}
}

func TestBaselineSuppressesAndReportsStale(t *testing.T) {
	d := builtinDetector(t)
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", "id "+testKeyID+"\n")
	write("b.txt", "id AKIAGMXGEDN73U55XTPL\n")
	res, err := Scan(context.Background(), &DirSource{Root: dir}, d, Options{})
	if err != nil || len(res.Findings) != 2 {
		t.Fatalf("first scan: %v %v", res, err)
	}
	var buf bytes.Buffer
	if err := NewBaseline(res.Findings, time.Now()).Write(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), testKeyID) {
		t.Fatal("baseline holds a plaintext secret")
	}
	write("base.json", buf.String())
	b, err := LoadBaseline(filepath.Join(dir, "base.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "b.txt"))
	os.Remove(filepath.Join(dir, "base.json"))
	write("c.txt", "id ASIA3DHODZDOCIS2JHTL\n")
	res, err = Scan(context.Background(), &DirSource{Root: dir}, d, Options{Baseline: b})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Path != "c.txt" {
		t.Errorf("findings = %+v, want only the new c.txt", res.Findings)
	}
	if res.Suppressed != 1 || len(res.Stale) != 1 || res.Stale[0].Path != "b.txt" {
		t.Errorf("suppressed %d, stale %+v", res.Suppressed, res.Stale)
	}
}

func TestDirSourceSkips(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, ".git"), 0o755))
	must(os.WriteFile(filepath.Join(dir, ".git", "config"), []byte(testKeyID), 0o644))
	must(os.WriteFile(filepath.Join(dir, "bin"), append([]byte{0, 1, 2}, testKeyID...), 0o644))
	// Over MaxFileSize and binary: left as a binary file is (a text file
	// that large is read in windows: TestDirSourceStreamsLargeFiles).
	must(os.WriteFile(filepath.Join(dir, "big"), append([]byte{0}, bytes.Repeat([]byte(testKeyID+"\n"), 1000)...), 0o644))
	must(os.WriteFile(filepath.Join(dir, "ok"), []byte(testKeyID), 0o644))
	must(os.Symlink(filepath.Join(dir, "ok"), filepath.Join(dir, "link")))
	res, err := Scan(context.Background(), &DirSource{Root: dir, MaxFileSize: 1000}, builtinDetector(t), Options{})
	must(err)
	if len(res.Findings) != 1 || res.Findings[0].Path != "ok" {
		t.Errorf("findings = %+v", res.Findings)
	}
	want := map[string]int{"binary": 2, "too-large": 0, "symlink": 1}
	for k, v := range want {
		if res.Stats.Skipped[k] != v {
			t.Errorf("skipped[%s] = %d, want %d (all: %v)", k, res.Stats.Skipped[k], v, res.Stats.Skipped)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		testKeyID:             "AKIA…",
		"hunter2!":            "hu…",
		"abc":                 "…",
		"ключ-секрет-длинный": "ключ…",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGlobRegexp(t *testing.T) {
	tests := []struct {
		glob, path string
		match      bool
	}{
		{"*.min.js", "static/app.min.js", true},
		{"docs/", "docs/a/b.md", true},
		{"docs/", "src/docs.go", false},
		{"/testdata/**/*.json", "testdata/a/b/c.json", true},
		{"/testdata/**/*.json", "x/testdata/c.json", false},
		{"a?c", "abc", true},
		{"a?c", "a/c", false},
	}
	for _, tt := range tests {
		re, err := GlobRegexp(tt.glob)
		if err != nil {
			t.Fatal(err)
		}
		if re.MatchString(tt.path) != tt.match {
			t.Errorf("glob %q vs %q: got %v", tt.glob, tt.path, !tt.match)
		}
	}
}

func FuzzDetect(f *testing.F) {
	d := builtinDetector(f)
	f.Add([]byte("aws_access_key_id=" + testKeyID + "\naws_secret_access_key=" + testSecret))
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAt8wy2GIZmRnEwpOVbbuYQyLHJ9DOuZQ/9XbRJ3Blu7AKq8tT\n"))
	f.Add([]byte("\xff\xfe akia \x00 secret_key"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fd := range d.Detect(Chunk{Data: data, Lines: []int{3}}) {
			if fd.Line < 1 || fd.Column < 1 || fd.Secret == "" || !bytes.Contains(data, []byte(fd.Secret)) {
				t.Fatalf("bad finding %+v", fd)
			}
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("max_file_size = 10\n[allowlist]\npaths=[\"a/**\"]\n[[rules]]\nid=\"x-y\"\ndescription=\"d\"\nregex=\"a(?P<secret>b+)\"\n"))
	f.Add([]byte("disable = [1]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig("fuzz.toml", data)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
	})
}

func TestMostSpecificRuleWinsTies(t *testing.T) {
	fs := builtinDetector(t).Detect(Chunk{Data: []byte(`recaptcha_secret_key = "6LdT3xQUAAAAAKx5sOoFHRmEfUSJtKuJe3pZ1Vwa"` + "\n")})
	if len(fs) != 1 || fs[0].RuleID != "recaptcha-secret-key" {
		var ids []string
		for _, f := range fs {
			ids = append(ids, f.RuleID)
		}
		t.Fatalf("rules = %v, want recaptcha-secret-key alone", ids)
	}
}

// TestOpenSSHKeysHaveTheirOwnFingerprints: unencrypted OpenSSH keys of one
// type share their first body line; a baseline entry (a fingerprint) for
// one key must not hide another, however the key is written.
func TestOpenSSHKeysHaveTheirOwnFingerprints(t *testing.T) {
	d := builtinDetector(t)
	const first = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
	key := func(second string) string {
		return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + first + "\n" + second + "\nAAAEAbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n"
	}
	a := "QyNTUxOQAAACDt8wy2GIZmRnEwpOVbbuYQyLHJ9DOuZQ9XbRJ3Blu7AAAAAJgrbmLq"
	b := "QyNTUxOQAAACB9hVq3XkLmP2wZrT8yN4cJdF6sGvE1uHiKoR7tQpW0AAAAAJh5xLzK"
	fp := func(data string) string {
		t.Helper()
		for _, f := range d.Detect(Chunk{Data: []byte(data)}) {
			if f.RuleID == "openssh-private-key" {
				if f.Secret != first {
					t.Errorf("secret %q, want the first body line", f.Secret)
				}
				return f.Fingerprint
			}
		}
		t.Fatalf("no openssh-private-key finding in %q", data)
		return ""
	}
	tests := []struct {
		name string
		x, y string
		same bool
	}{
		{"two keys", key(a), key(b), false},
		{"same key twice", key(a), key(a), true},
		{"same key, escaped in a string", key(a), `k = "` + strings.ReplaceAll(strings.TrimSuffix(key(a), "\n"), "\n", `\n`) + `"`, true},
		{"two keys, concatenated lines", `"-----BEGIN OPENSSH PRIVATE KEY-----\n" + "` + first + `\n" + "` + a + `"`, `"-----BEGIN OPENSSH PRIVATE KEY-----\n" + "` + first + `\n" + "` + b + `"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fp(tt.x) == fp(tt.y); got != tt.same {
				t.Errorf("same fingerprint = %v, want %v", got, tt.same)
			}
		})
	}
}

// TestGenericValueJudgedDecoded: a generic rule's base64 value is judged by
// the rule's validators as the text it decodes to (a Kubernetes Secret's
// password that is the product's name), while a real encoded password
// stays a finding.
func TestGenericValueJudgedDecoded(t *testing.T) {
	d := builtinDetector(t)
	secret := func(pw string) string {
		return "apiVersion: v1\nkind: Secret\ndata:\n  apiPassword: " + pw + "\n"
	}
	for _, tt := range []struct {
		name, data string
		want       bool
	}{
		{"product name", secret("c3RvcmFnZW9z"), false},                         // storageos
		{"not a real value", secret("dGhpcyBpcyBub3QgYSByZWFsIHZhbHVl"), false}, // this is not a real value
		{"real password", secret("VHE4IXZaM21MOXhSazJXcA=="), true},             // Tq8!vZ3mL9xRk2Wp
	} {
		got := false
		for _, f := range d.Detect(Chunk{Data: []byte(tt.data), Path: "secret.yaml"}) {
			if strings.HasPrefix(f.RuleID, "generic-password") || strings.HasPrefix(f.RuleID, "generic-secret") {
				got = true
			}
		}
		if got != tt.want {
			t.Errorf("%s: reported %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestPublicDemoCredentialsNotReported: MinIO's play.min.io keys are
// published for anyone to use; they are never reported.
func TestPublicDemoCredentialsNotReported(t *testing.T) {
	d := builtinDetector(t)
	data := "accessKeyID := \"Q3AM3UQ867SPQQA43P2F\"\nsecretAccessKey := \"zuf+tfteSlswRu7BJ86wekitnifILbZam1KYY3TG\"\n"
	if fs := d.Detect(Chunk{Data: []byte(data), Path: "README.md"}); len(fs) != 0 {
		t.Errorf("findings: %v", fs)
	}
	// A real-shaped pair next to it still is.
	data = "aws_access_key_id = " + testKeyID + "\naws_secret_access_key = " + testSecret + "\n"
	if fs := d.Detect(Chunk{Data: []byte(data), Path: "README.md"}); len(fs) == 0 {
		t.Error("a real-shaped pair was not reported")
	}
}

// TestProtocolExamplesNotReported: RFC 6749's sample tokens appear in every
// OAuth test suite, RFC 8555's challenge token in ACME clients' tests; they
// are documentation, not credentials.
func TestProtocolExamplesNotReported(t *testing.T) {
	d := builtinDetector(t)
	data := `{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}` + "\n"
	data += "\t\ttoken = \"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA\"\n"
	// RFC 5849's token credentials in an OAuth 1.0 signing test (CakePHP's OauthTest).
	oauth1 := "            'tokenSecret' => 'pfkkdhi9sl3r4s00',\n            'token' => 'nnch734d00sl2jdk',\n"
	data += oauth1
	if fs := d.Detect(Chunk{Data: []byte(data), Path: "token_test.json"}); len(fs) != 0 {
		t.Errorf("findings: %v", fs)
	}
	// A test's bearer token cut from the standard HS256 header's encoding.
	data = "        let auth = Some(Auth::Bearer {\n            token: \"OiJIUzI1NiIsInR5cCI6IkpXVCJ\".to_string().into(),\n"
	if fs := d.Detect(Chunk{Data: []byte(data), Path: "src/sinks/websocket/sink.rs"}); len(fs) != 0 {
		t.Errorf("a JWT header's piece: %v", fs)
	}
	if fs := d.Detect(Chunk{Data: []byte(strings.Replace(data, "OiJIUzI1NiIsInR5cCI6IkpXVCJ", "OiJIUzI1NiIsInR5cCI6IkpXVCK", 1)), Path: "src/sinks/websocket/sink.rs"}); len(fs) != 1 {
		t.Errorf("a token one character off a JWT header's piece: %d findings, want 1", len(fs))
	}
	// RFC 7628's OAUTHBEARER example, as printed and with RFC 6750's token
	// characters put in (Kafka's OAuthBearerClientInitialResponseTest).
	rfc7628 := "        \"auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg\\u0001\\u0001\";\n" +
		"        \"auth=Bearer vF-9.df_t4qm~Tc2Nvb3RlckBhbHR+hdmlzdGEuY29/tCg==\\u0001\\u0001\";\n"
	if fs := d.Detect(Chunk{Data: []byte(rfc7628), Path: "OAuthBearerClientInitialResponseTest.java"}); len(fs) != 0 {
		t.Errorf("RFC 7628's example token: %v", fs)
	}
	if fs := d.Detect(Chunk{Data: []byte(strings.ReplaceAll(rfc7628, "tCg", "tCh")), Path: "OAuthBearerClientInitialResponseTest.java"}); len(fs) != 2 {
		t.Errorf("tokens one letter off RFC 7628's: %d findings, want 2: %v", len(fs), fs)
	}
	// exporter-toolkit's dummy hash for unknown users, vendored by Loki.
	guard := "\t\t\thashedPassword = \"$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\"\n"
	if fs := d.Detect(Chunk{Data: []byte(guard), Path: "vendor/github.com/prometheus/exporter-toolkit/web/handler.go"}); len(fs) != 0 {
		t.Errorf("exporter-toolkit's timing guard hash: %v", fs)
	}
	if fs := d.Detect(Chunk{Data: []byte(strings.Replace(guard, "LDeSi", "LDeSj", 1)), Path: "web/handler.go"}); len(fs) != 1 {
		t.Errorf("a hash one letter off exporter-toolkit's: %d findings, want 1: %v", len(fs), fs)
	}
	// Pulumi's protocol signatures, declared under secret-sounding names in
	// every Pulumi SDK (sdk/go/common/resource/sig, sdk/nodejs/runtime/rpc.ts).
	sig := "\tKey = \"4dabf18193072939515e22adb298388d\"\n\tSecret = \"1b47061264138c4ac30d75fd1eb44270\"\n" +
		"export const specialSigKey = \"4dabf18193072939515e22adb298388d\";\n"
	if fs := d.Detect(Chunk{Data: []byte(sig), Path: "sdk/go/common/resource/sig/sig.go"}); len(fs) != 0 {
		t.Errorf("Pulumi's signatures: %v", fs)
	}
	if fs := d.Detect(Chunk{Data: []byte(strings.NewReplacer("4dabf18193072939515e22adb298388d", "4dabf18193072939515e22adb298388e", "1b47061264138c4ac30d75fd1eb44270", "1b47061264138c4ac30d75fd1eb44271").Replace(sig)), Path: "sdk/go/common/resource/sig/sig.go"}); len(fs) != 2 {
		t.Errorf("values one digit off Pulumi's signatures: %d findings, want 2: %v", len(fs), fs)
	}
	// The same lines with values of the same shape that no document prints.
	other := strings.NewReplacer("pfkkdhi9sl3r4s00", "q7kx2lm9vrz4tw8p", "nnch734d00sl2jdk", "zr8kq3vn6pw2ylt5").Replace(oauth1)
	if fs := d.Detect(Chunk{Data: []byte(other), Path: "OauthTest.php"}); len(fs) != 2 {
		t.Errorf("undocumented token credentials: %d findings, want 2: %v", len(fs), fs)
	}
}

// TestTestCodeKeptAsData: a password hash in a test's code that a dataset
// keeps as a JSON string (Anthropic's cookbook holds Password4j's tests as
// code chunks) is left alone as it is in the test file; the same hash in a
// users fixture that no test surrounds is reported.
func TestTestCodeKeptAsData(t *testing.T) {
	d := builtinDetector(t)
	hash := "$argon2id$v=19$m=16384,t=2,p=1$nlm7oNI5zquzSYkyby6oVw$JOkJAYrDB0i2gmiJrXC6o2r+u1rszCm/RO9gIQtnxlY"
	chunk := `{"chunk_id": "c1", "content": "    @Test\n    public void issue92()\n    {\n        String hash = \"` + hash + `\";\n"}` + "\n"
	if fs := d.Detect(Chunk{Data: []byte(chunk), Path: "data/codebase_chunks.json"}); len(fs) != 0 {
		t.Errorf("a test's hash kept as data: %v", fs)
	}
	users := `{"users": [{"name": "ops", "password": "` + hash + `"}]}` + "\n"
	if fs := d.Detect(Chunk{Data: []byte(users), Path: "data/users.json"}); len(fs) != 1 {
		t.Errorf("a users fixture's hash: %d findings, want 1", len(fs))
	}
}

// TestTestVectorsNotReported: a known-answer test file lists dozens of hex
// values under secret-sounding names; a generic rule reports none of them,
// while the same values in a configuration file, or a handful in a test,
// stay findings.
func TestTestVectorsNotReported(t *testing.T) {
	d := builtinDetector(t)
	var b strings.Builder
	b.WriteString("[\n")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "  {\"shared_secret\": \"%x\",\n   \"exporter_secret\": \"%x\"},\n", sha256.Sum256([]byte{byte(i)}), sha256.Sum256([]byte{byte(i), 1}))
	}
	b.WriteString("]\n")
	kat := b.String()
	count := func(path, data string) int { return len(d.Detect(Chunk{Data: []byte(data), Path: path})) }
	if n := count("crypto/hpke/testdata/hpke-pq.json", kat); n != 0 {
		t.Errorf("test vector file: %d findings, want 0", n)
	}
	if n := count("deploy/secrets.json", kat); n == 0 {
		t.Error("the same values in a configuration file: no finding")
	}
	few := "client_secret = \"9f3c7a1e5b2d8f4a6c0e9b7d3a1f5c8e\"\n"
	if n := count("app/config_test.go", few); n != 1 {
		t.Errorf("one hex secret in a test: %d findings, want 1", n)
	}
}

// TestSkipTestFiles: a password hash is a finding in seed data and a shadow
// file, not in a password library's tests or docs.
func TestSkipTestFiles(t *testing.T) {
	d := builtinDetector(t)
	const line = "admin:$2b$12$WZhxGPjLO/YnpDk/f58uw3woZVmWZz.GKayvWkdqz2F/OJVhhjyD/\n"
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"deploy/htpasswd", true},
		{"db/seeds.sql", true},
		{"captures/hashes.txt", true},
		{"crypto/bcrypt/bcrypt_test.go", false},
		{"tests/fixtures/users.sql", false},
		{"docs/auth.md", false},
		{"README.adoc", false},
		{"t/t9400-git-cvsserver-server.sh", false},
	} {
		got := false
		for _, f := range d.Detect(Chunk{Data: []byte(line), Path: tt.path}) {
			if f.RuleID == "password-hash-bcrypt" {
				got = true
			}
		}
		if got != tt.want {
			t.Errorf("%s: reported %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestSkipTestFilesComments(t *testing.T) {
	d := builtinDetector(t)
	for _, tt := range []struct {
		line string
		want bool
	}{
		{"admin:$2b$12$WZhxGPjLO/YnpDk/f58uw3woZVmWZz.GKayvWkdqz2F/OJVhhjyD/", true},
		{" * {bcrypt}$2a$10$WZhxGPjLO/YnpDk/f58uw3woZVmWZz.GKayvWkdqz2F/OJVhhjyD/", false},
		{"  # password_digest: \"$2a$10$WZhxGPjLO/YnpDk/f58uw3woZVmWZz.GKayvWkdqz2F/OJVhhjyD/\"", false},
	} {
		got := false
		for _, f := range d.Detect(Chunk{Data: []byte(tt.line + "\n"), Path: "app/models/user.rb"}) {
			got = got || f.RuleID == "password-hash-bcrypt"
		}
		if got != tt.want {
			t.Errorf("%q: reported %v, want %v", tt.line, got, tt.want)
		}
	}
}

// TestUniformKeywordRuns: a run of thousands of A's (base64 of zeros) is a
// hit of the Twitter bearer token's keyword at every position; only the
// run's first counts, and a real token after it is still found.
func TestUniformKeywordRuns(t *testing.T) {
	d := builtinDetector(t)
	token := "AAAAAAAAAAAAAAAAAAAAAlibp21jSe7vcwC6faUYRX%3DI7fLdu4XybNgirNrZrlbsYhTFeHhJYVQkiAYZvzkanlHZ0LsHJKKYoqjXQKogvDU"
	for _, tc := range []struct {
		name string
		data string
		want int
	}{
		{"run alone", "blob: \"" + strings.Repeat("A", 20000) + "\"\n", 0},
		{"run then token", "blob: \"" + strings.Repeat("A", 20000) + "\"\nTWITTER_BEARER_TOKEN=" + token + "\n", 1},
		{"token in a run's line", "x=" + strings.Repeat("A", 3000) + " bearer=" + token + "\n", 1},
	} {
		n := 0
		for _, f := range d.Detect(Chunk{Data: []byte(tc.data), Path: "blob.txt"}) {
			if f.RuleID == "twitter-bearer-token" {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("%s: %d twitter-bearer-token findings, want %d", tc.name, n, tc.want)
		}
	}
}

// TestRequiredRuleGatesHits: the paired AWS secret rule runs only near an
// access key ID; "Asia/Tokyo" in a time-zone table is a hit of its keyword
// and reads nothing, while a key pair lines apart is still found.
func TestRequiredRuleGatesHits(t *testing.T) {
	d := builtinDetector(t)
	zones := strings.Repeat("\"Asia/Tokyo\": \"dJ8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7Zkuvqdt7\",\n", 3)
	pair := "key_id = AKIAUJZDEGXDNCF32EPF\nregion = eu-west-1\nsecret = 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\n"
	has := func(fs []Finding, id string) bool {
		for _, f := range fs {
			if f.RuleID == id {
				return true
			}
		}
		return false
	}
	if fs := d.Detect(Chunk{Data: []byte(zones), Path: "zones.json"}); has(fs, "aws-secret-access-key-paired") {
		t.Errorf("a paired secret without a key ID: %v", fs)
	}
	if fs := d.Detect(Chunk{Data: []byte(zones + pair), Path: "creds.txt"}); !has(fs, "aws-secret-access-key-paired") {
		t.Errorf("the key pair was not found: %v", fs)
	}
}

// TestJudgePaths: findings whose path was learnt after detection (history
// blobs read before the walk placed them) are judged by path again:
// skip_test_files rules in tests and docs, and a test file's hex vectors.
func TestJudgePaths(t *testing.T) {
	d := builtinDetector(t)
	hash := "$2b$12$KIXqgZlYmE3m3SxvJwJpOeXJ4Rz8s9tQvUu6Yb1n2WcDf7Ga8Hh9K"
	var fs []Finding
	add := func(rule, path, blob, secret string) {
		fs = append(fs, Finding{RuleID: rule, Path: path, BlobID: blob, Secret: secret, Kind: KindBlob})
	}
	add("password-hash-bcrypt", "app/seed.sql", "b1", hash)
	add("password-hash-bcrypt", "tests/fixtures/users.sql", "b2", hash)
	add("password-hash-bcrypt", "docs/guide.md", "b3", hash)
	for i := 0; i < 8; i++ {
		add("generic-secret", "crypto/hpke_test.go", "b4", fmt.Sprintf("%064x", i+1))
		add("generic-secret", "crypto/hpke.go", "b5", fmt.Sprintf("%064x", i+1))
	}
	add("generic-secret", "app/config_test.go", "b6", "9f8e7d6c5b4a39281706f5e4d3c2b1a0")
	// An SQLite blob read before its name was known: a gcloud credential
	// database only where the walk placed it as credentials.db.
	add("gcloud-credentials-db", "home/.config/gcloud/credentials.db", "b7", "")
	add("gcloud-credentials-db", "app/data/app.db", "b7", "")
	d.SetFileRules(patterns.FileRules())
	got := map[string]int{}
	for _, f := range d.judgePaths(fs) {
		got[f.Path]++
	}
	want := map[string]int{"app/seed.sql": 1, "crypto/hpke.go": 8, "app/config_test.go": 1, "home/.config/gcloud/credentials.db": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("kept %v, want %v", got, want)
	}
}

// TestLongTokenAfterItsName: a value longer than a window's reach, after
// the name that is its keyword (a 2048-bit RSA key as hex DER is 2,400
// characters), is found whole. The window clamped inside the line used to
// end at the last separator before the clamp — the quote opening the
// value — and the regex never saw it.
func TestLongTokenAfterItsName(t *testing.T) {
	t.Parallel()
	d := builtinDetector(t)
	for _, bits := range []int{1024, 2048} {
		key, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		der := hex.EncodeToString(x509.MarshalPKCS1PrivateKey(key))
		for _, line := range []string{
			`private_key_hex = "` + der + `"`,
			`signingKey: ` + der,
			`{"private_key": "` + der + `", "kid": "k1"}`,
		} {
			fs := d.Detect(Chunk{Path: "keys.py", Data: []byte("x = 1\n" + line + "\n")})
			if len(fs) != 1 || fs[0].RuleID != "private-key-hex" || fs[0].Secret != der {
				var got []string
				for _, f := range fs {
					got = append(got, fmt.Sprintf("%s (%d chars)", f.RuleID, len(f.Secret)))
				}
				t.Errorf("%d-bit key, %q…: %v, want private-key-hex of the whole %d characters", bits, line[:20], got, len(der))
			}
		}
	}
}

// TestDERKeyHoldingPlaceholderRuns: a hex DER private key whose random
// numbers hold a run the placeholder test reads as made up (123456, 000000,
// abcdef: in about one 2048-bit key in a thousand) is still reported, by
// the rule that checked its structure. TestLongTokenAfterItsName failed
// now and then on such keys.
func TestDERKeyHoldingPlaceholderRuns(t *testing.T) {
	t.Parallel()
	d := builtinDetector(t)
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der := hex.EncodeToString(x509.MarshalPKCS1PrivateKey(key))
	for _, run := range []string{"123456", "000000", "abcdef", "deadbeef"} {
		// Inside the modulus (it starts 30 hex digits in): the DER
		// structure, all the rule checks, is untouched.
		v := der[:100] + run + der[100+len(run):]
		fs := d.Detect(Chunk{Path: "keys.py", Data: []byte("private_key_hex = \"" + v + "\"\n")})
		if len(fs) != 1 || fs[0].RuleID != "private-key-hex" || fs[0].Secret != v {
			var got []string
			for _, f := range fs {
				got = append(got, f.RuleID)
			}
			t.Errorf("key holding %s: %v, want private-key-hex", run, got)
		}
	}
}

// TestNameValuePairsOnlyInDataFiles: the name/value rules read data and
// configuration files (a Kubernetes manifest, a Postman environment, text
// without an extension) and not code or scripts, where `value` is too common
// a word to run their regex at each one.
func TestNameValuePairsOnlyInDataFiles(t *testing.T) {
	t.Parallel()
	d := builtinDetector(t)
	const pair = "        - name: DB_PASSWORD\n          value: Hq8v-Lz3Wk2xR7tq\n"
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"deploy/db.yaml", true},
		{"postman/env.json", true},
		{"stdin", true},
		{"Dockerfile", true},
		{"web/app.min.js", false},
		{"cmd/main.go", false},
	} {
		got := false
		for _, f := range d.Detect(Chunk{Data: []byte(pair), Path: tt.path, Kind: KindFile}) {
			if f.RuleID == "generic-name-value-password" {
				got = true
			}
		}
		if got != tt.want {
			t.Errorf("%s: generic-name-value-password found %v, want %v", tt.path, got, tt.want)
		}
	}
}

// TestMemoShared: a history window one scratch has run is not run again by
// another (the memo was per scratch, and 40% of gitleaks' history regex
// runs repeated another scratch's). The second scratch is handed a regex
// that would not match: it must get the first run's match back.
func TestMemoShared(t *testing.T) {
	d := NewDetector(nil, nil)
	a, b := &scratch{}, &scratch{}
	for _, sc := range []*scratch{a, b} {
		fresh := d.scratchMu.New().(*scratch)
		*sc = *fresh
		sc.remember = true
	}
	w := []byte(`token = "abc123"`)
	if got := a.find(regexp.MustCompile(`abc\d+`), 7, false, w); len(got) != 1 {
		t.Fatalf("first run: %v, want one match", got)
	}
	got := b.find(regexp.MustCompile(`xyz`), 7, false, w)
	if len(got) != 1 || string(w[got[0][0]:got[0][1]]) != "abc123" {
		t.Fatalf("second scratch ran the window again (%v): the memo is not shared", got)
	}
	// A different rule or the anchored form is another key.
	if got := b.find(regexp.MustCompile(`xyz`), 8, false, w); got != nil {
		t.Fatalf("rule 8 got rule 7's memo: %v", got)
	}
	if got := b.find(regexp.MustCompile(`xyz`), 7, true, w); got != nil {
		t.Fatalf("the anchored form got the unanchored one's memo: %v", got)
	}
}

// TestMemoTableBound: a shard is cleared when full, so the memo stays
// bounded on a long history.
func TestMemoTableBound(t *testing.T) {
	var m memoTable[int]
	key := func(k int) uint64 { return uint64(k) * 0x9E3779B97F4A7C15 }
	for k := 0; k < 4*memoMax; k++ {
		m.put(key(k), k)
	}
	n := 0
	for i := range m.shards {
		n += m.shards[i].n
		if slots := len(m.shards[i].keys); slots > 2*memoMax/memoShards {
			t.Fatalf("shard %d has %d slots, bound %d", i, slots, 2*memoMax/memoShards)
		}
	}
	if n > memoMax {
		t.Fatalf("memo holds %d entries, bound %d", n, memoMax)
	}
	if v, ok := m.get(key(4*memoMax - 1)); !ok || v != 4*memoMax-1 {
		t.Fatalf("last entry put: %v %v", v, ok)
	}
}

// TestMemoTableAnswers: below its bound the memo answers every key put,
// the latest value for a key put twice, and nothing for a key not put,
// through its shards' growth; key 0, the empty slot's mark, included.
func TestMemoTableAnswers(t *testing.T) {
	var m memoTable[int]
	rng := mrand.New(mrand.NewPCG(1, 2))
	want := map[uint64]int{0: -1}
	m.put(0, -1)
	for i := range memoMax / 2 {
		k := rng.Uint64()
		if i%7 == 0 && i > 0 && i < 7000 {
			k = uint64(i) // small keys: long probe runs in shard 0
		}
		want[k] = i
		m.put(k, i)
	}
	for k, v := range want {
		if got, ok := m.get(k); !ok || got != v {
			t.Fatalf("key %#x: %d %v, want %d", k, got, ok, v)
		}
	}
	for range 10000 {
		k := rng.Uint64()
		if _, put := want[k]; !put {
			if got, ok := m.get(k); ok {
				t.Fatalf("key %#x never put: %d", k, got)
			}
		}
	}
}

// TestPathOKByView: a path's view records which rules' path filters take
// it, one bit per distinct filter, so two rules with different filters keep
// their own answers and two with the same filter share one.
func TestPathOKByView(t *testing.T) {
	yaml := &patterns.Rule{ID: "only-yaml", Path: patterns.MustCompilePathPattern(`\.ya?ml$`)}
	code := &patterns.Rule{ID: "only-go", Path: patterns.MustCompilePathPattern(`\.go$`)}
	yaml2 := &patterns.Rule{ID: "only-yaml-too", Path: patterns.MustCompilePathPattern(`\.ya?ml$`)}
	free := &patterns.Rule{ID: "anywhere"}
	d := NewDetector([]*patterns.Rule{yaml, code, yaml2, free}, nil)
	if len(d.pathGroups) != 2 {
		t.Fatalf("%d path groups, want 2", len(d.pathGroups))
	}
	for _, tc := range []struct {
		path string
		want [4]bool
	}{
		{"deploy/values.yaml", [4]bool{true, false, true, true}},
		{"main.go", [4]bool{false, true, false, true}},
		{"README", [4]bool{false, false, false, true}},
	} {
		c := Chunk{Path: tc.path, view: d.viewUnder(tc.path, d.allGroups)}
		for ri, want := range tc.want {
			if got := d.pathOK(ri, &c); got != want {
				t.Errorf("%s on %s = %v, want %v", d.rules[ri].ID, tc.path, got, want)
			}
		}
	}
}

// TestExplainTellsEachDropOnce: a match that several keyword hits' windows
// hold (aws_secret_access_key holds the keywords of several rules, and one
// rule's twice) is judged once per window; --explain must tell its drop
// once, as the candidates it keeps are merged once.
func TestExplainTellsEachDropOnce(t *testing.T) {
	d := builtinDetector(t)
	line := "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
	seen := map[string]int{}
	d.DetectExplain(Chunk{Data: []byte(line), Path: "a.py"}, func(dr Drop) {
		seen[fmt.Sprintf("%s %d %s", dr.RuleID, dr.Line, dr.Reason)]++
	})
	if len(seen) == 0 {
		t.Fatal("no drop told: the example key is a placeholder every rule drops")
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s told %d times", k, n)
		}
	}
}

// TestGenericNotJudgedUnderProvider: a generic rule's match that a
// built-in provider rule's candidate overlaps is not judged (settle would
// drop it), while one elsewhere is, and when drops are explained every
// match is judged; the findings are the same either way.
func TestGenericNotJudgedUnderProvider(t *testing.T) {
	provider, errs := patterns.RawRule{ID: "acme-key", Description: "Acme key", Keywords: []string{"acme_"},
		Regex: `\b(?P<secret>acme_[a-z0-9]{16})\b`}.Compile("test")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	generic, errs := patterns.RawRule{ID: "any-token", Description: "A token", Keywords: []string{"token="}, Generic: true,
		Regex: `token=(?P<secret>[A-Za-z0-9_]{16,})`}.Compile("test")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var judged []string
	generic.Validators = []patterns.Validator{{Name: "count", Check: func(c *patterns.Candidate) (bool, string) {
		judged = append(judged, string(c.Secret))
		return true, ""
	}}}
	// A second generic rule on the same span loses the tie to the first
	// (the lower index): it is not judged either.
	second, errs := patterns.RawRule{ID: "any-token-too", Description: "A token", Keywords: []string{"token="}, Generic: true,
		Regex: `token=(?P<secret>[A-Za-z0-9_]{16,})`}.Compile("test")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	second.Validators = []patterns.Validator{{Name: "count", Check: func(c *patterns.Candidate) (bool, string) {
		judged = append(judged, "second "+string(c.Secret))
		return true, ""
	}}}
	d := NewDetector([]*patterns.Rule{provider, generic, second}, nil)
	data := []byte("token=acme_q7w2k9x4m1z8p3v6\ntoken=Zq8x0Lw3Rt6Yp1Nb\n")
	var ids []string
	for _, f := range d.Detect(Chunk{Path: "a.env", Data: data}) {
		ids = append(ids, f.RuleID+" "+f.Secret)
	}
	if want := []string{"any-token", "acme-key"}; len(judged) != 1 || judged[0] != "Zq8x0Lw3Rt6Yp1Nb" || len(ids) != 2 {
		t.Fatalf("judged %q, found %q; want one judgement (the token alone) and both secrets (%q)", judged, ids, want)
	}
	judged = nil
	var drops int
	explained := d.DetectExplain(Chunk{Path: "a.env", Data: data}, func(Drop) { drops++ })
	if len(judged) != 4 || len(explained) != 2 {
		t.Fatalf("explaining: judged %q, %d findings; want both matches judged by both generic rules", judged, len(explained))
	}
}
