package scanner

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

func TestDecodedFindings(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		want     []string // rule@line:col decoding
		noSecret string   // must not appear as a finding's location text
	}{
		{
			name: "kubernetes secret data",
			data: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws\ndata:\n  AWS_ACCESS_KEY_ID: QUtJQVVKWkRFR1hETkNGMzJFUEY=\n  AWS_SECRET_ACCESS_KEY: ZEo4SHlTNVNVa0NuRDh6UkE5YTlTa3BYejl3M1FsWTdaa3V2cWR0Nw==\n",
			want: []string{"aws-access-key-id@6:22 base64", "aws-secret-access-key@7:26 base64"},
		},
		{
			name: "url-encoded secret",
			data: "https://s3.example.com/?aws_secret_access_key=dJ8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7Zkuvqdt%2B&x=1\n",
			want: []string{"aws-secret-access-key@1:47 url"},
		},
		{
			name: "url-encoded slash",
			data: "redirect=aws_secret_access_key%3DdJ8HyS5SUkCnD8zRA9%2Fa9SkpXz9w3QlY7Zkuvqdt\n",
			want: []string{"aws-secret-access-key@1:34 url"},
		},
		{
			name: "json escaped slash",
			data: `{"aws_secret_access_key": "dJ8HyS5SUkCnD8zRA9a9Skp\/z9w3QlY7Zkuvqdt7"}` + "\n",
			want: []string{"aws-secret-access-key@1:28 json-escape"},
		},
		{
			name: "plain finding is not repeated as decoded",
			data: "echo QUtJQVVKWkRFR1hETkNGMzJFUEY= | base64 -d # " + testKeyID + "\n",
			want: []string{"aws-access-key-id@1:49 "},
		},
		{
			name: "short password in a Secret's data is judged decoded",
			data: "apiVersion: v1\nkind: Secret\ndata:\n  password: " + base64.StdEncoding.EncodeToString([]byte("grafana")) + "\n  api_password: " + base64.StdEncoding.EncodeToString([]byte("Qz7!rW2k")) + "\n",
			want: []string{"generic-password-unquoted@5:17 "},
		},
		{
			name: "echo's newline in a Secret's base64 password",
			data: "data:\n  postgresql-password: \"" + base64.StdEncoding.EncodeToString([]byte("postgres\n")) + "\"\n  airflow-password: \"" + base64.StdEncoding.EncodeToString([]byte("Qz7!rW2kLp\n")) + "\"\n",
			want: []string{"generic-password@3:22 "},
		},
		{
			name: "base64 image is not decoded into findings",
			data: "img: data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\n",
			want: []string{},
		},
	}
	d := builtinDetector(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []string{}
			for _, f := range d.Detect(Chunk{Data: []byte(tt.data)}) {
				got = append(got, f.RuleID+"@"+itoa(f.Line)+":"+itoa(f.Column)+" "+f.Attributes["decoding"])
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func itoa(n int) string {
	b := []byte{}
	if n == 0 {
		return "0"
	}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestDecodedSecretIsDecodedValue(t *testing.T) {
	d := builtinDetector(t)
	fs := d.Detect(Chunk{Data: []byte("kind: Secret\ndata:\n  AWS_SECRET_ACCESS_KEY: ZEo4SHlTNVNVa0NuRDh6UkE5YTlTa3BYejl3M1FsWTdaa3V2cWR0Nw==\n  id: QUtJQVVKWkRFR1hETkNGMzJFUEY=\n")})
	if len(fs) != 2 {
		t.Fatalf("findings = %+v", fs)
	}
	for _, f := range fs {
		if f.Secret != testSecret && f.Secret != testKeyID {
			t.Errorf("secret = %q, want the decoded value", f.Secret)
		}
		if f.Fingerprint != Fingerprint(f.RuleID, f.Secret) {
			t.Error("fingerprint not of the decoded secret")
		}
	}
	if fs[0].Attributes["pair"] == "" {
		t.Error("decoded key ID and secret not paired")
	}
}

func FuzzSubstitute(f *testing.F) {
	f.Add([]byte("a QUtJQVVKWkRFR1hETkNGMzJFUEY= %2F%zz \\u00e9\\/\\"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, sub := range []func([]byte) ([]byte, []int32, bool){substituteBase64, substitutePercent, substituteJSON} {
			view, from, changed := sub(data)
			if !changed {
				continue
			}
			if len(view) != len(from) {
				t.Fatalf("view %d bytes, map %d", len(view), len(from))
			}
			for _, o := range from {
				if o < 0 {
					o = -o - 1
				}
				if int(o) >= len(data) {
					t.Fatalf("offset %d outside input of %d", o, len(data))
				}
			}
		}
	})
}

func TestBase64Anywhere(t *testing.T) {
	t.Parallel()
	d := builtinDetector(t)
	b64 := base64.StdEncoding.EncodeToString
	body := "bmQpCI5lEQotQ7gbIbX7TTEEIUseY0"
	ghp := "ghp_" + body + patterns.Base62CRC32([]byte(body))
	// {"alg":"HS256","typ":"JWT"} and {"typ":"JWT","alg":"HS256"}, each with a payload and a signature.
	jwtAlg := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvcmRlcnMtc3ZjIiwiaWF0IjoxNzI0MDAwMDAwLCJzY29wZSI6ImFkbWluIn0.q3Wv8XlK2mN9pR4tY7uB0cE5fH1jD6gS3aZ8xV2nM0k"
	jwtTyp := "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiaWxsaW5nIiwiZXhwIjoxOTAwMDAwMDAwfQ.Zk3r9QpL2xV8mT5wN1cH7bY4dJ6sA0gE2uK9fR3tW8q"
	found := []struct{ name, src, rule, decoding string }{
		{"key ID alone", "value: " + b64([]byte(testKeyID)), "aws-access-key-id", "base64"},
		{"key ID inside text, each alignment", "x " + b64([]byte("id="+testKeyID)) + "\n" + b64([]byte("i="+testKeyID)) + "\n" + b64([]byte("="+testKeyID)), "aws-access-key-id", "base64"},
		{"GitHub token", `"cfg": "` + b64([]byte(ghp)) + `"`, "github-pat", "base64"},
		{"url-safe alphabet", "t=" + base64.RawURLEncoding.EncodeToString([]byte("token "+ghp+"??>")), "github-pat", "base64"},
		{"base64 inside a Kubernetes Secret", "kind: Secret\ndata:\n  config: " + b64([]byte("inner: "+b64([]byte(testKeyID)))), "aws-access-key-id", "base64+base64"},
		{"JWT, alg first", "token_b64: " + b64([]byte(jwtAlg)), "jwt", "base64"},
		{"JWT, typ first", `"session": "` + b64([]byte(jwtTyp)) + `"`, "jwt", "base64"},
	}
	for _, tt := range found {
		fs := d.Detect(Chunk{Data: []byte(tt.src), Path: "x"})
		ok := false
		for _, f := range fs {
			if f.RuleID == tt.rule && f.Attributes["decoding"] == tt.decoding {
				ok = true
			}
		}
		if !ok {
			var got []string
			for _, f := range fs {
				got = append(got, f.RuleID+"/"+f.Attributes["decoding"])
			}
			t.Errorf("%s: got %v, want %s decoded as %s", tt.name, got, tt.rule, tt.decoding)
		}
	}
	// A decoded value is judged as decoded: placeholders, references and
	// documented examples are not reported, encoded or not.
	for name, src := range map[string]string{
		"placeholder":          "awsAccessKey: PFlPVVJfQUNDRVNTX0tFWT4=",
		"actions secret":       "api_token: " + b64([]byte("${{ secrets.API_TOKEN }}")),
		"documented example":   "aws_access_key_id: " + b64([]byte("AKIAIOSFODNN7EXAMPLE")),
		"documented secret":    "secret_key: " + b64([]byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")),
		"environment variable": "client_secret: " + b64([]byte("process.env.CLIENT_SECRET")),
		"image":                "logo: iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
	} {
		if fs := d.Detect(Chunk{Data: []byte(src), Path: "x"}); len(fs) > 0 {
			t.Errorf("%s: reported %v", name, ruleIDs(fs))
		}
	}
}

// TestASCIIEscape: a \u00 escape starts decoding only when it stands for an
// ASCII character; escaped slashes always do.
func TestASCIIEscape(t *testing.T) {
	for in, want := range map[string]bool{
		`"https:\u002F\u002Fhooks"`: true,
		`"caf\u00e9 cr\u00e8me"`:    false,
		`key: "\u0041KIA"`:          true,
		`"\u00`:                     false,
		`https:\/\/hooks`:           true,
	} {
		end := strings.Index(in, `\u00`) + 4
		if end < 4 {
			end = strings.Index(in, `\/`) + 3
		}
		if got := asciiEscape([]byte(in), end); got != want {
			t.Errorf("asciiEscape(%q, %d) = %v, want %v", in, end, got, want)
		}
	}
}
