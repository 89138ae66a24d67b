package scanner

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

// fakeSessionToken is a token of real length: one of STS's fixed headers and
// a random body, as `aws sts assume-role` prints them (1,000+ characters).
func fakeSessionToken(prefix string, n int) string {
	rng := rand.New(rand.NewPCG(uint64(n), 3))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return prefix + "E" + strings.TrimRight(base64.StdEncoding.EncodeToString(b), "=")
}

const tempKeyID = "ASIA3DHODZDOCIS2JHTL"

func TestSessionTokensOfRealLength(t *testing.T) {
	t.Parallel()
	d := builtinDetector(t)
	long := fakeSessionToken("IQoJb3JpZ2luX2Vj", 792) // 1,073 characters
	if len(long) < 1000 {
		t.Fatalf("token of %d characters", len(long))
	}
	old := fakeSessionToken("FwoGZXIvYXdz", 280)
	for name, src := range map[string]string{
		"ini":            "[default]\naws_session_token = " + long + "\n",
		"no name":        long + "\n",
		"backticks":      "token := `" + long + "`\n",
		"heredoc":        "cat <<EOF > creds\n" + long + "\nEOF\n",
		"dotted name":    "session.token=" + long + "\n",
		"camel":          `{"SessionToken": "` + long + `"}`,
		"header":         "x-amz-security-token: " + long + "\n",
		"older format":   "AWS_SESSION_TOKEN=" + old + "\n",
		"long line":      strings.Repeat("x", 3000) + " " + long + " " + strings.Repeat("y", 3000),
		"presigned URL":  "https://b.s3.amazonaws.com/k?X-Amz-Security-Token=" + strings.NewReplacer("/", "%2F", "+", "%2B").Replace(long) + "&X-Amz-Signature=ab",
		"in a JSON list": `["` + long + `", "` + old + `"]`,
	} {
		fs := d.Detect(Chunk{Data: []byte(src), Path: "creds"})
		ok := false
		for _, f := range fs {
			if strings.HasPrefix(f.RuleID, "aws-session-token") && (f.Secret == long || f.Secret == old) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s: the whole token was not reported: %v", name, ruleIDs(fs))
		}
	}
	for name, src := range map[string]string{
		"documentation's shortened token": "aws_session_token = FwoGZXIvYXdzEBYaD...",
		"documented example":              "SessionToken: AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==",
		"inside a longer base64 run":      "QUJD" + long,
	} {
		for _, f := range d.Detect(Chunk{Data: []byte(src), Path: "creds"}) {
			if strings.HasPrefix(f.RuleID, "aws-session-token") {
				t.Errorf("%s: reported %s", name, Redact(f.Secret))
			}
		}
	}
}

// TestTemporaryCredentialLinked: an ASIA key ID, its secret and its session
// token are one credential, linked through attributes for verification.
func TestTemporaryCredentialLinked(t *testing.T) {
	t.Parallel()
	d := builtinDetector(t)
	tok := fakeSessionToken("IQoJb3JpZ2luX2Vj", 800)
	for name, src := range map[string]string{
		"credentials file": "[tmp]\naws_access_key_id = " + tempKeyID + "\naws_secret_access_key = " + pairSecret + "\naws_session_token = " + tok + "\n",
		"sts output": `{
    "Credentials": {
        "AccessKeyId": "` + tempKeyID + `",
        "SecretAccessKey": "` + pairSecret + `",
        "SessionToken": "` + tok + `",
        "Expiration": "2026-11-23T12:00:00+00:00"
    }
}`,
		"exports": "export AWS_SESSION_TOKEN=" + tok + "\nexport AWS_ACCESS_KEY_ID=" + tempKeyID + "\nexport AWS_SECRET_ACCESS_KEY=" + pairSecret + "\n",
		"code":    `sess := credentials.NewStaticCredentials("` + tempKeyID + `", "` + pairSecret + `", "` + tok + `")`,
	} {
		fs := d.Detect(Chunk{Data: []byte(src), Path: "creds"})
		var key, secret, token *Finding
		for i := range fs {
			switch f := &fs[i]; {
			case f.RuleID == "aws-access-key-id":
				key = f
			case strings.HasPrefix(f.RuleID, "aws-secret-access-key"):
				secret = f
			case strings.HasPrefix(f.RuleID, "aws-session-token"):
				token = f
			}
		}
		if key == nil || secret == nil || token == nil {
			t.Errorf("%s: got %v, want key ID, secret and token", name, ruleIDs(fs))
			continue
		}
		if key.Attributes["pair"] != secret.Fingerprint || secret.Attributes["pair"] != key.Fingerprint {
			t.Errorf("%s: key ID and secret not paired", name)
		}
		if key.Attributes["session_token"] != token.Fingerprint || secret.Attributes["session_token"] != token.Fingerprint {
			t.Errorf("%s: key ID or secret does not name the token: %v / %v", name, key.Attributes, secret.Attributes)
		}
		if token.Attributes["session_key_id"] != key.Fingerprint || token.Attributes["session_secret"] != secret.Fingerprint {
			t.Errorf("%s: token does not name its key ID and secret: %v", name, token.Attributes)
		}
		if token.Severity != patterns.SeverityCritical {
			t.Errorf("%s: token severity %s, want the pair's (critical)", name, token.Severity)
		}
	}
	// A long-term key (AKIA) has no session token to link.
	src := "aws_access_key_id = " + pairKeyID + "\naws_secret_access_key = " + pairSecret + "\naws_session_token = " + tok + "\n"
	for _, f := range d.Detect(Chunk{Data: []byte(src), Path: "creds"}) {
		if f.Attributes["session_token"] != "" || f.Attributes["session_key_id"] != "" {
			t.Errorf("AKIA key linked to a session token: %s %v", f.RuleID, f.Attributes)
		}
	}
}

// TestSecretIntroducedByWords: a 40-character secret with no name of its
// own, next to its key ID in code and logs.
func TestSecretIntroducedByWords(t *testing.T) {
	t.Parallel()
	d := builtinDetector(t)
	for _, src := range []string{
		`creds := credentials.NewStaticCredentials("` + pairKeyID + `", "` + pairSecret + `", "")`,
		"2026-11-23T10:00:00Z INFO using credentials " + pairKeyID + "/" + pairSecret,
		"2026-11-23T10:00:00Z INFO using credentials " + pairKeyID + ":" + pairSecret,
		"new BasicAWSCredentials(\"" + pairKeyID + "\",\n    \"" + pairSecret + "\");",
		"aws configure set aws_access_key_id " + pairKeyID + "; aws configure set aws_secret_access_key " + pairSecret,
	} {
		fs := d.Detect(Chunk{Data: []byte(src), Path: "main.go"})
		paired := 0
		for _, f := range fs {
			if f.Attributes["pair"] != "" && f.Severity == patterns.SeverityCritical {
				paired++
			}
		}
		if paired != 2 {
			t.Errorf("%q: %v, want the critical pair", src, ruleIDs(fs))
		}
	}
}
