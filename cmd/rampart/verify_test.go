package main

import (
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

// testKeyID returns an AKIA key ID whose embedded account is account (the
// inverse of patterns.AWSAccountID), so tests can plant keys of a chosen
// account, canary accounts included, without copying anyone's key.
func testKeyID(t testing.TB, account uint64, tail uint32) string {
	t.Helper()
	var raw [10]byte
	var z [8]byte
	binary.BigEndian.PutUint64(z[:], account<<7|uint64(tail&0x7f))
	copy(raw[:6], z[2:])
	binary.BigEndian.PutUint32(raw[6:], tail*2654435761)
	id := "AKIA" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:])
	if got, _ := patterns.AWSAccountID(id); got != fmt.Sprintf("%012d", account) {
		t.Fatalf("testKeyID(%d) = %s decodes to %s", account, id, got)
	}
	return id
}

const (
	vfGitHub    = "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"
	vfNPM       = "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"
	vfTwilio    = "5a98b3fd1e6ba66707e925695220df27"
	vfAWSSecret = "kX9mPq2sT7vW1yZ3bC5dF8gH0jK4lN6pR8tU2wY5"
)

// vfProviders is one loopback server standing in for GitHub, npm and STS,
// answering as they document; it records what it was asked and fails the
// test if a canary key ever reaches it.
type vfProviders struct {
	t      *testing.T
	srv    *httptest.Server
	canary string
	live   string
	mu     sync.Mutex
	calls  []string
}

func newVFProviders(t *testing.T, live, canaryKey string) *vfProviders {
	p := &vfProviders{t: t, live: live, canary: canaryKey}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *vfProviders) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	all := fmt.Sprint(r.Header) + r.URL.String() + string(body)
	if strings.Contains(all, p.canary) {
		p.t.Errorf("the canary key reached a provider: %s %s", r.Method, r.URL)
	}
	p.mu.Lock()
	p.calls = append(p.calls, r.Method+" "+r.URL.Path)
	p.mu.Unlock()
	switch {
	case r.URL.Path == "/user":
		if r.Header.Get("Authorization") != "Bearer "+vfGitHub {
			w.WriteHeader(401)
			io.WriteString(w, `{"message":"Bad credentials"}`)
			return
		}
		w.Header().Set("X-OAuth-Scopes", "repo, workflow")
		io.WriteString(w, `{"login":"octocat","id":1}`)
	case r.URL.Path == "/-/whoami":
		w.WriteHeader(401)
		io.WriteString(w, `{"error":"Unauthorized"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/":
		form, _ := url.ParseQuery(string(body))
		if form.Get("Action") != "GetCallerIdentity" || !strings.Contains(r.Header.Get("Authorization"), "Credential="+p.live+"/") {
			w.WriteHeader(403)
			io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>`)
			return
		}
		io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/deploy</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
	default:
		p.t.Errorf("unexpected request %s %s", r.Method, r.URL)
		w.WriteHeader(404)
	}
}

func (p *vfProviders) env() []string {
	return []string{
		"RAMPART_VERIFY_URL_GITHUB_PAT=" + p.srv.URL,
		"RAMPART_VERIFY_URL_NPM_ACCESS_TOKEN=" + p.srv.URL,
		"AWS_ENDPOINT_URL_STS=" + p.srv.URL,
	}
}

func (p *vfProviders) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

// vfTree writes a work tree with a live GitHub token (twice), a revoked npm
// token, a live AWS key pair, a canary AWS key pair and a Twilio token.
func vfTree(t *testing.T) (dir, live, canaryKey string) {
	dir = t.TempDir()
	live = testKeyID(t, 123456789012, 11)
	canaryKey = testKeyID(t, 52310077262, 12)
	scWrite(t, dir, "ci/github.env", "GITHUB_TOKEN="+vfGitHub+"\n")
	scWrite(t, dir, "ci/copy.env", "GH_TOKEN="+vfGitHub+"\n")
	scWrite(t, dir, "web/.npmrc.env", "NPM_TOKEN="+vfNPM+"\n")
	scWrite(t, dir, "aws/live", "aws_access_key_id = "+live+"\naws_secret_access_key = "+vfAWSSecret+"\n")
	scWrite(t, dir, "aws/canary", "aws_access_key_id = "+canaryKey+"\naws_secret_access_key = "+vfAWSSecret[:39]+"Z\n")
	scWrite(t, dir, "docs/sms.md", "TWILIO_AUTH_TOKEN="+vfTwilio+"\n")
	return dir, live, canaryKey
}

type vfFinding struct {
	Rule         string            `json:"rule"`
	Path         string            `json:"path"`
	Severity     string            `json:"severity"`
	Attributes   map[string]string `json:"attributes"`
	Verification *struct {
		Status, Identity, Detail string
	} `json:"verification"`
}

func vfParse(t *testing.T, out string) []vfFinding {
	t.Helper()
	var doc struct {
		Findings []vfFinding `json:"findings"`
		Stats    struct {
			Notes []string `json:"notes"`
		} `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return doc.Findings
}

func TestScanVerify(t *testing.T) {
	t.Parallel()
	dir, live, canaryKey := vfTree(t)
	p := newVFProviders(t, live, canaryKey)
	out, stderr, code := cliRun(t, dir, p.env(), "", "scan", "--verify", "--format", "json", ".")
	if code != 1 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	want := map[string]string{ // path → status
		"ci/github.env": "valid", "ci/copy.env": "valid", "web/.npmrc.env": "invalid",
		"aws/live": "valid", "aws/canary": "not-checked", "docs/sms.md": "not-checked",
	}
	for _, f := range vfParse(t, out) {
		if f.Verification == nil {
			t.Errorf("%s %s: no verification", f.Path, f.Rule)
			continue
		}
		if got := f.Verification.Status; got != want[f.Path] {
			t.Errorf("%s %s: %s (%s), want %s", f.Path, f.Rule, got, f.Verification.Detail, want[f.Path])
		}
		switch f.Path {
		case "ci/github.env":
			if f.Verification.Identity != "octocat" || !strings.Contains(f.Verification.Detail, "repo, workflow") {
				t.Errorf("github: %+v", f.Verification)
			}
		case "aws/live":
			if f.Verification.Identity != "arn:aws:iam::123456789012:user/deploy" {
				t.Errorf("aws: %+v", f.Verification)
			}
		case "aws/canary":
			if f.Attributes["canary"] != "thinkst" || f.Severity != "low" || !strings.Contains(f.Verification.Detail, "never sent") {
				t.Errorf("canary: %+v %v %s", f.Verification, f.Attributes, f.Severity)
			}
		}
	}
	// One call per distinct credential: GitHub once (two findings), npm once,
	// STS once for the live pair, nothing for the canary or Twilio.
	if n := p.count(); n != 3 {
		t.Errorf("%d requests (%v), want 3", n, p.calls)
	}

	// Text leads with the live credentials.
	out, _, _ = cliRun(t, dir, p.env(), "", "scan", "--verify", "--no-color", ".")
	blocks := strings.Split(strings.TrimSpace(out), "\n\n")
	for i, b := range blocks[:3] {
		if !strings.Contains(b, "verification: valid") {
			t.Errorf("block %d is not a valid credential:\n%s", i, b)
		}
	}
	if !strings.Contains(out, "canary: AWS canary token (Thinkst Canarytokens): a tripwire someone planted") {
		t.Errorf("text has no canary note:\n%s", out)
	}
	if !strings.Contains(out, "3 valid, 2 not-checked, 1 invalid") {
		t.Errorf("summary has no status counts:\n%s", out)
	}

	// --results keeps what it names, and the exit code counts only that.
	out, _, code = cliRun(t, dir, p.env(), "", "scan", "--verify", "--results", "invalid", "--format", "json", ".")
	if fs := vfParse(t, out); len(fs) != 1 || fs[0].Path != "web/.npmrc.env" || code != 1 {
		t.Errorf("--results invalid: %d findings, exit %d", len(fs), code)
	}
	out, _, code = cliRun(t, dir, p.env(), "", "scan", "--verify", "--results", "unknown", "--format", "json", ".")
	if fs := vfParse(t, out); len(fs) != 0 || code != 0 {
		t.Errorf("--results unknown: %d findings, exit %d, want none and 0", len(fs), code)
	}
	out, _, code = cliRun(t, dir, p.env(), "", "scan", "--verify", "--results", "not-checked", "--fail-on", "medium", "--format", "json", ".")
	if fs := vfParse(t, out); len(fs) != 3 || code != 1 {
		t.Errorf("--results not-checked --fail-on medium: %d findings, exit %d, want 3 (canary pair, Twilio) and 1", len(fs), code)
	}
	os.Remove(filepath.Join(dir, "docs/sms.md"))
	out, _, code = cliRun(t, dir, p.env(), "", "scan", "--verify", "--results", "not-checked", "--fail-on", "medium", "--format", "json", ".")
	if fs := vfParse(t, out); len(fs) != 2 || code != 0 {
		t.Errorf("--results not-checked --fail-on medium without Twilio: %d findings, exit %d, want the low canary pair and 0", len(fs), code)
	}
	out, _, code = cliRun(t, dir, p.env(), "", "scan", "--verify", "--results", "valid,unknown", "--format", "json", ".")
	if fs := vfParse(t, out); len(fs) != 4 || code != 1 {
		t.Errorf("--results valid,unknown: %d findings, exit %d", len(fs), code)
	}
}

func TestScanVerifyFormats(t *testing.T) {
	t.Parallel()
	dir, live, canaryKey := vfTree(t)
	p := newVFProviders(t, live, canaryKey)
	sarif, _, _ := cliRun(t, dir, p.env(), "", "scan", "--verify", "--format", "sarif", ".")
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID     string   `json:"ruleId"`
				Rank       *float64 `json:"rank"`
				Message    struct{ Text string }
				Properties struct {
					Verification *struct{ Status string } `json:"verification"`
				} `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(sarif), &log); err != nil {
		t.Fatal(err)
	}
	for _, r := range log.Runs[0].Results {
		if r.Rank == nil || r.Properties.Verification == nil {
			t.Errorf("SARIF result %s has no rank or verification", r.RuleID)
			continue
		}
		if r.Properties.Verification.Status == "valid" && (*r.Rank != 100 || !strings.Contains(r.Message.Text, "Verified valid")) {
			t.Errorf("SARIF valid result: rank %v, message %q", *r.Rank, r.Message.Text)
		}
	}
	md, _, _ := cliRun(t, dir, p.env(), "", "scan", "--verify", "--format", "markdown", ".")
	if !strings.Contains(md, "| Severity | Status |") || !strings.Contains(md, "**valid**") || !strings.Contains(md, "canary token (Thinkst Canarytokens)") {
		t.Errorf("markdown:\n%s", md)
	}
	gh, _, _ := cliRun(t, dir, p.env(), "", "scan", "--verify", "--format", "github", ".")
	if !strings.Contains(gh, "Verification: valid") || strings.Contains(gh, "octocat") || strings.Contains(gh, "user/deploy") {
		t.Errorf("annotations must carry the status and never the identity:\n%s", gh)
	}
	junit, _, _ := cliRun(t, dir, p.env(), "", "scan", "--verify", "--format", "junit", ".")
	if !strings.Contains(junit, "verification: valid: octocat") || !strings.Contains(junit, "canary: AWS canary token") {
		t.Errorf("junit:\n%s", junit)
	}
}

// TestScanCanaryWithoutVerify: canaries are recognised offline in every
// mode, and nothing is sent without --verify.
func TestScanCanaryWithoutVerify(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	canaryKey := testKeyID(t, 595918472158, 21)
	scWrite(t, dir, "keys", "[default]\naws_access_key_id = "+canaryKey+"\naws_secret_access_key = "+vfAWSSecret+"\n")
	out, _, code := cliRun(t, dir, []string{"AWS_ENDPOINT_URL_STS=http://127.0.0.1:1"}, "", "scan", "--no-color", ".")
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	golden(t, "scan-canary.txt", strings.ReplaceAll(strings.ReplaceAll(out, canaryKey[:4], "AKIA"), dir, "DIR"))
	for _, bad := range []string{"Deactivate", "CRITICAL", "verification:"} {
		if strings.Contains(out, bad) {
			t.Errorf("canary scan says %q:\n%s", bad, out)
		}
	}
	// A configured canary account.
	dir2 := t.TempDir()
	mine := testKeyID(t, 111122223333, 22)
	scWrite(t, dir2, "keys", "aws_access_key_id = "+mine+"\naws_secret_access_key = "+vfAWSSecret+"\n")
	scWrite(t, dir2, ".rampart.toml", "[verify]\ncanary_accounts = [\"111122223333\"]\n")
	out, _, _ = cliRun(t, dir2, nil, "", "scan", "--format", "json", ".")
	if fs := vfParse(t, out); len(fs) != 2 || fs[0].Attributes["canary"] != "configured" {
		t.Errorf("configured canary: %s", out)
	}
}

// TestVerifyInHooks: a hook scan does not verify unless the configuration
// says in_hooks, and then it does.
func TestVerifyInHooks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "ci.env", "GITHUB_TOKEN="+vfGitHub+"\n")
	scGit(t, dir, 0, "add", "ci.env")
	p := newVFProviders(t, "AKIANONE", "AKIANEVER")
	out, stderr, code := cliRun(t, dir, p.env(), "", "scan", "--staged", "--verify", "--no-color")
	if code != 1 || p.count() != 0 || strings.Contains(out, "verification:") || !strings.Contains(stderr, "in_hooks") {
		t.Errorf("hook without in_hooks: exit %d, %d requests\n%s\n%s", code, p.count(), out, stderr)
	}
	scWrite(t, dir, ".rampart.toml", "[verify]\nin_hooks = true\nhook_budget = \"2s\"\n")
	out, _, code = cliRun(t, dir, p.env(), "", "scan", "--staged", "--no-color")
	if code != 1 || p.count() != 1 || !strings.Contains(out, "verification: valid: octocat") {
		t.Errorf("hook with in_hooks: exit %d, %d requests\n%s", code, p.count(), out)
	}
}

func TestVerifyUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"scan", "--results", "valid", "."},
		{"scan", "--verify", "--results", "alive", "."},
		{"scan", "--verify", "--verify-workers", "0", "."},
		{"scan", "--verify-cache", dir, "."},
	} {
		if _, stderr, code := cliRun(t, dir, nil, "", args...); code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

// TestScanVerifyTemporaryKey: an ASIA key, its secret and its session token
// are one credential: one STS call carrying the token, one answer on all
// three findings.
func TestScanVerifyTemporaryKey(t *testing.T) {
	t.Parallel()
	asia := "ASIA" + testKeyID(t, 123456789012, 31)[4:]
	r := rand.New(rand.NewSource(7))
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	tok := []byte("IQoJb3JpZ2luX2VjE")
	for len(tok) < 1000 {
		tok = append(tok, b64[r.Intn(len(b64))])
	}
	token := string(tok)
	var calls atomic.Int32
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if !strings.Contains(r.Header.Get("Authorization"), "Credential="+asia+"/") || r.Header.Get("X-Amz-Security-Token") != token {
			w.WriteHeader(403)
			io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>`)
			return
		}
		io.WriteString(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/ci/build-42</Arn><UserId>AROAEXAMPLE:build-42</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
	}))
	t.Cleanup(sts.Close)
	dir := t.TempDir()
	scWrite(t, dir, "creds", "[default]\naws_access_key_id = "+asia+"\naws_secret_access_key = "+vfAWSSecret+"\naws_session_token = "+token+"\n")
	out, stderr, _ := cliRun(t, dir, []string{"AWS_ENDPOINT_URL_STS=" + sts.URL}, "", "scan", "--verify", "--format", "json", ".")
	fs := vfParse(t, out)
	if len(fs) != 3 || calls.Load() != 1 {
		t.Fatalf("%d findings, %d STS calls, want 3 and 1\n%s\n%s", len(fs), calls.Load(), out, stderr)
	}
	for _, f := range fs {
		if f.Verification == nil || f.Verification.Status != "valid" || !strings.Contains(f.Verification.Identity, "assumed-role/ci/build-42") {
			t.Errorf("%s: %+v", f.Rule, f.Verification)
		}
	}
}
