package canary

import (
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// keyIDFor builds an AKIA key ID embedding account (the inverse of
// patterns.AWSAccountID).
func keyIDFor(t *testing.T, account uint64) string {
	t.Helper()
	var raw [10]byte
	var z [8]byte
	binary.BigEndian.PutUint64(z[:], account<<7|0x55)
	copy(raw[:6], z[2:])
	binary.BigEndian.PutUint32(raw[6:], 0x9e3779b9)
	id := "AKIA" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:])
	if got, _ := patterns.AWSAccountID(id); got != fmt.Sprintf("%012d", account) {
		t.Fatalf("keyIDFor(%d) decodes to %s", account, got)
	}
	return id
}

func f(rule, secret, path string, line int) scanner.Finding {
	return scanner.Finding{RuleID: rule, Secret: secret, Fingerprint: scanner.Fingerprint(rule, secret), Path: path, Line: line, Severity: patterns.SeverityCritical}
}

func TestMark(t *testing.T) {
	t.Parallel()
	list, err := New([]string{"111122223333"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		account uint64
		vendor  string
	}{
		{52310077262, Thinkst}, {893192397702, Thinkst}, {44858866125, Knockoff}, {982842642351, Knockoff},
		{111122223333, Configured}, {123456789012, ""},
	} {
		key := f("aws-access-key-id", keyIDFor(t, tc.account), "creds", 1)
		sec := f("aws-secret-access-key", "kX9mPq2sT7vW1yZ3bC5dF8gH0jK4lN6pR8tU2wY5", "creds", 2)
		key.Attributes = map[string]string{"pair": sec.Fingerprint}
		sec.Attributes = map[string]string{"pair": key.Fingerprint}
		tok := f("aws-session-token", strings.Repeat("IQoJb3JpZ2luX2Vj", 8), "creds", 3)
		far := f("aws-session-token", strings.Repeat("FwoGZXIvYXdzEBYa", 8), "creds", 30)
		other := f("github-pat", "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", "creds", 4)
		fs := []scanner.Finding{key, sec, tok, far, other}
		n := Mark(fs, list)
		for i, want := range []string{tc.vendor, tc.vendor, tc.vendor, "", ""} {
			if got := fs[i].Attributes[Attr]; got != want {
				t.Errorf("%012d %s line %d: canary %q, want %q", tc.account, fs[i].RuleID, fs[i].Line, got, want)
			}
			if want != "" && (fs[i].Severity != patterns.SeverityLow || fs[i].Remediation != Remediation) {
				t.Errorf("%012d %s: severity %s, remediation %q", tc.account, fs[i].RuleID, fs[i].Severity, fs[i].Remediation)
			}
		}
		if want := map[bool]int{true: 3, false: 0}[tc.vendor != ""]; n != want {
			t.Errorf("%012d: marked %d, want %d", tc.account, n, want)
		}
		if tc.vendor == "" && fs[0].Severity != patterns.SeverityCritical {
			t.Errorf("a real key changed severity")
		}
	}
}

func TestNewRejectsMalformed(t *testing.T) {
	t.Parallel()
	_, err := New([]string{"12345", " 123456789012 ", "12345678901x"})
	if err == nil || !strings.Contains(err.Error(), `"12345"`) || !strings.Contains(err.Error(), `"12345678901x"`) || strings.Contains(err.Error(), "123456789012\"") {
		t.Errorf("got %v", err)
	}
	if got := Default().Accounts(Thinkst); len(got) != 10 || got[0] != "052310077262" {
		t.Errorf("Thinkst accounts %v", got)
	}
	if !strings.Contains(Describe(Thinkst), Text) || !strings.Contains(Describe(Thinkst), "Thinkst Canarytokens") {
		t.Errorf("Describe: %q", Describe(Thinkst))
	}
}
