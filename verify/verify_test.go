package verify

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/verify/canary"
)

// countingServer answers every request with handler and counts them.
func countingServer(t *testing.T, handler http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func githubUser(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") == "" {
		w.WriteHeader(401)
		return
	}
	w.Header().Set("X-OAuth-Scopes", "repo")
	w.Write([]byte(`{"login":"octocat"}`))
}

// TestCanaryNeverSent: a canary key, with its secret and whatever overrides
// are set, reaches no provider; every half is marked and not-checked.
func TestCanaryNeverSent(t *testing.T) {
	t.Parallel()
	const secret = "kX9mPq2sT7vW1yZ3bC5dF8gH0jK4lN6pR8tU2wY5"
	for _, acct := range []uint64{52310077262, 595918472158, 44858866125, 111122223333} {
		keyID := awsKeyIDFor(t, "AKIA", acct, 9)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t.Errorf("a request reached the fake STS for canary account %012d", acct)
		}))
		defer srv.Close()
		canaries, err := canary.New([]string{"111122223333"})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := New(Options{Canaries: canaries, Transport: failTransport{t}, Getenv: func(k string) string {
			if strings.HasPrefix(k, "AWS_ENDPOINT_URL") {
				return srv.URL
			}
			return ""
		}})
		fs := pairFindings(keyID, secret)
		sum := v.Verify(context.Background(), fs)
		for _, f := range fs {
			if f.Verification.Status != scanner.VerifyNotChecked || !strings.Contains(f.Verification.Detail, "canary") {
				t.Errorf("%012d %s: %+v", acct, f.RuleID, f.Verification)
			}
			if f.Attributes[canary.Attr] == "" || f.Remediation != canary.Remediation || f.Severity > patterns.SeverityLow {
				t.Errorf("%012d %s: not marked: %v %q %s", acct, f.RuleID, f.Attributes, f.Remediation, f.Severity)
			}
		}
		if sum.Requests != 0 {
			t.Errorf("%d requests for a canary", sum.Requests)
		}
	}
}

func TestMarkCanaries(t *testing.T) {
	t.Parallel()
	c := canary.Default()
	cases := []struct {
		acct uint64
		want string
	}{{52310077262, canary.Thinkst}, {266735846894, canary.Thinkst}, {982842642351, canary.Knockoff}, {123456789012, ""}}
	for _, tc := range cases {
		fs := pairFindings(awsKeyIDFor(t, "AKIA", tc.acct, 5), "kX9mPq2sT7vW1yZ3bC5dF8gH0jK4lN6pR8tU2wY5")
		fs[0].Severity, fs[1].Severity = patterns.SeverityCritical, patterns.SeverityCritical
		n := canary.Mark(fs, c)
		if got := fs[0].Attributes[canary.Attr]; got != tc.want || fs[1].Attributes[canary.Attr] != tc.want {
			t.Errorf("%012d: marked %q/%q, want %q", tc.acct, got, fs[1].Attributes[canary.Attr], tc.want)
		}
		if tc.want == "" && (n != 0 || fs[0].Severity != patterns.SeverityCritical) {
			t.Errorf("%012d: a real key was changed", tc.acct)
		}
		if tc.want != "" && n != 2 {
			t.Errorf("%012d: marked %d findings, want 2", tc.acct, n)
		}
	}
	if _, err := canary.New([]string{"12345", "abc123456789", "123456789012"}); err == nil || !strings.Contains(err.Error(), `"12345"`) || !strings.Contains(err.Error(), `"abc123456789"`) {
		t.Errorf("bad canary accounts: %v", err)
	}
}

// TestRedirectToAnotherHostRefused: a provider answering with a redirect to
// another host does not get the secret forwarded there.
func TestRedirectToAnotherHostRefused(t *testing.T) {
	t.Parallel()
	other, otherHits := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the redirect was followed to another host, with headers %v", r.Header)
	})
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/user", http.StatusFound)
	})
	secret := exampleSecret(t, "github-pat")
	got := runOne(t, "github-pat", secret, overrideEnv("github-pat", srv.URL))
	if got.Status != scanner.VerifyUnknown || !strings.Contains(got.Detail, "redirect") || otherHits.Load() != 0 {
		t.Errorf("got %+v, want unknown (redirect refused)", got)
	}
	// A redirect within the same host is followed.
	same, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/user" {
			http.Redirect(w, r, "/v2/user", http.StatusTemporaryRedirect)
			return
		}
		githubUser(w, r)
	})
	if got := runOne(t, "github-pat", secret, overrideEnv("github-pat", same.URL)); got.Status != scanner.VerifyValid {
		t.Errorf("same-host redirect: %+v", got)
	}
}

// TestInsecureEndpointRefused: an override to plain HTTP on a host that is
// not loopback is refused before anything leaves the machine.
func TestInsecureEndpointRefused(t *testing.T) {
	t.Parallel()
	secret := exampleSecret(t, "github-pat")
	for _, base := range []string{"http://api.example.com", "http://10.0.0.1:8080", "ftp://127.0.0.1"} {
		v, _ := New(Options{Transport: failTransport{t}, Getenv: overrideEnv("github-pat", base)})
		fs := []scanner.Finding{finding("github-pat", secret)}
		v.Verify(context.Background(), fs)
		if fs[0].Verification.Status != scanner.VerifyUnknown {
			t.Errorf("%s: %+v, want unknown (refused)", base, fs[0].Verification)
		}
		if strings.Contains(fs[0].Verification.Detail, secret) {
			t.Errorf("%s: the detail holds the secret", base)
		}
	}
	for _, u := range []string{"http://127.0.0.1:1", "http://[::1]:1", "http://localhost:1", "https://api.github.com"} {
		if err := CheckEndpoint(mustURL(t, u)); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
}

// TestWebhookHostChecked: a webhook verifier sends only to its provider's
// hosts, whatever URL the secret holds.
func TestWebhookHostChecked(t *testing.T) {
	t.Parallel()
	v, _ := New(Options{Transport: failTransport{t}, Getenv: func(string) string { return "" }})
	fs := []scanner.Finding{finding("slack-webhook-url", "https://evil.example.com/services/T000/B000/XXXX")}
	v.Verify(context.Background(), fs)
	if fs[0].Verification.Status != scanner.VerifyUnknown || !strings.Contains(fs[0].Verification.Detail, "not one of") {
		t.Errorf("got %+v", fs[0].Verification)
	}
}

// TestOneCallPerSecret: ten thousand findings of one secret make one call.
func TestOneCallPerSecret(t *testing.T) {
	t.Parallel()
	srv, n := countingServer(t, githubUser)
	secret := exampleSecret(t, "github-pat")
	fs := make([]scanner.Finding, 10000)
	for i := range fs {
		fs[i] = finding("github-pat", secret)
		fs[i].Line = i + 1
	}
	v, _ := New(Options{Getenv: overrideEnv("github-pat", srv.URL)})
	sum := v.Verify(context.Background(), fs)
	if n.Load() != 1 || sum.Requests != 1 || sum.Credentials != 1 {
		t.Errorf("%d requests (summary %+v), want 1", n.Load(), sum)
	}
	for i := range fs {
		if fs[i].Verification.Status != scanner.VerifyValid || fs[i].Verification.Identity != "octocat" {
			t.Fatalf("finding %d: %+v", i, fs[i].Verification)
		}
	}
}

// TestGitHubEnterpriseURL: GITHUB_API_URL sends GitHub tokens to a GitHub
// Enterprise Server API, path prefix kept, with or without a trailing
// slash; RAMPART_VERIFY_URL_<RULE> joins the same way and wins over it.
func TestGitHubEnterpriseURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rule, env, suffix, want string
	}{
		{"github-pat", "GITHUB_API_URL", "/api/v3", "/api/v3/user"},
		{"github-pat", "GITHUB_API_URL", "/api/v3/", "/api/v3/user"},
		{"github-fine-grained-pat", "GITHUB_API_URL", "/api/v3/", "/api/v3/user"},
		{"github-app-installation-token", "GITHUB_API_URL", "/api/v3", "/api/v3/installation/repositories"},
		{"github-app-installation-token", "GITHUB_API_URL", "/api/v3/", "/api/v3/installation/repositories"},
		{"github-pat", "GITHUB_API_URL", "", "/user"},
		{"github-pat", "GITHUB_API_URL", "/", "/user"},
		{"github-pat", "RAMPART_VERIFY_URL_GITHUB_PAT", "/prefix/", "/prefix/user"},
		{"gitlab-pat", "RAMPART_VERIFY_URL_GITLAB_PAT", "/", "/api/v4/user"},
		{"gitlab-pat", "RAMPART_VERIFY_URL_GITLAB_PAT", "/gitlab", "/gitlab/api/v4/user"},
	} {
		srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != c.want {
				t.Errorf("%s %s=…%s: path %s, want %s", c.rule, c.env, c.suffix, r.URL.Path, c.want)
			}
			switch {
			case strings.HasPrefix(c.rule, "gitlab"):
				io.WriteString(w, `{"id":3,"username":"ci-bot","name":"CI","state":"active"}`)
			case strings.HasSuffix(c.want, "repositories"):
				io.WriteString(w, `{"total_count":1,"repositories":[{"owner":{"login":"octo-org"}}]}`)
			default:
				githubUser(w, r)
			}
		})
		getenv := func(k string) string {
			switch k {
			case c.env:
				return srv.URL + c.suffix
			case "GITHUB_API_URL":
				return "https://ghe.invalid/api/v3" // loses to the rule's own override
			}
			return ""
		}
		got := runOne(t, c.rule, exampleSecret(t, c.rule), getenv)
		if got.Status != scanner.VerifyValid || n.Load() != 1 {
			t.Errorf("%s %s=…%s: %+v after %d requests", c.rule, c.env, c.suffix, got, n.Load())
		}
	}
}

// TestRetryAfter: a 429 is retried once after the wait the provider asks for.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	var first atomic.Bool
	var at [2]time.Time
	srv, n := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if !first.Swap(true) {
			at[0] = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		at[1] = time.Now()
		githubUser(w, r)
	})
	got := runOne(t, "github-pat", exampleSecret(t, "github-pat"), overrideEnv("github-pat", srv.URL))
	if got.Status != scanner.VerifyValid || n.Load() != 2 {
		t.Fatalf("got %+v after %d requests", got, n.Load())
	}
	if d := at[1].Sub(at[0]); d < 900*time.Millisecond {
		t.Errorf("retried after %s, want the 1 s Retry-After", d)
	}
	// A wait longer than the limit is not honoured: unknown at once.
	srv, n = countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	got = runOne(t, "github-pat", exampleSecret(t, "github-pat"), overrideEnv("github-pat", srv.URL))
	if got.Status != scanner.VerifyUnknown || n.Load() != 1 || !strings.Contains(got.Detail, "rate limited") {
		t.Errorf("long Retry-After: %+v after %d requests", got, n.Load())
	}
}

// TestTimeoutAndBudget: a provider that never answers is unknown after the
// request timeout; a run with a budget ends on time.
func TestTimeoutAndBudget(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	secret := exampleSecret(t, "github-pat")
	v, _ := New(Options{Getenv: overrideEnv("github-pat", srv.URL), Timeout: 100 * time.Millisecond})
	fs := []scanner.Finding{finding("github-pat", secret)}
	start := time.Now()
	v.Verify(context.Background(), fs)
	if fs[0].Verification.Status != scanner.VerifyUnknown || !strings.Contains(fs[0].Verification.Detail, "time limit") {
		t.Errorf("timeout: %+v", fs[0].Verification)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timeout took %s", d)
	}

	v, _ = New(Options{Getenv: func(k string) string { return srv.URL }, Budget: 200 * time.Millisecond})
	var many []scanner.Finding
	for _, rule := range []string{"github-pat", "npm-access-token", "sendgrid-api-key", "slack-bot-token"} {
		many = append(many, finding(rule, exampleSecret(t, rule)))
	}
	start = time.Now()
	v.Verify(context.Background(), many)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("budget of 200ms took %s", d)
	}
	for _, f := range many {
		if f.Verification.Status != scanner.VerifyUnknown {
			t.Errorf("%s: %+v, want unknown", f.RuleID, f.Verification)
		}
	}
}

// TestRedefinedRuleNotVerified: a configuration that disables a built-in
// rule and defines its own under the same ID does not get its matches sent
// to the built-in rule's provider.
func TestRedefinedRuleNotVerified(t *testing.T) {
	t.Parallel()
	r, errs := patterns.RawRule{ID: "github-pat", Description: "mine", Regex: `tok_[a-z]+`}.Compile("cfg")
	if errs != nil {
		t.Fatal(errs)
	}
	v, _ := New(Options{Rules: []*patterns.Rule{r}, Transport: failTransport{t}})
	fs := []scanner.Finding{finding("github-pat", "tok_abcdef")}
	v.Verify(context.Background(), fs)
	if fs[0].Verification.Status != scanner.VerifyNotChecked || !strings.Contains(fs[0].Verification.Detail, "redefines") {
		t.Errorf("got %+v", fs[0].Verification)
	}
}

func TestNotChecked(t *testing.T) {
	t.Parallel()
	v, _ := New(Options{Transport: failTransport{t}})
	fs := []scanner.Finding{
		finding("twilio-auth-token", "0123456789abcdef0123456789abcdef"),
		finding("private-key", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
		finding("okta-api-token", "00a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ12"),
	}
	v.Verify(context.Background(), fs)
	for i, want := range []string{"account SID", "no verifier", "org's domain"} {
		if got := fs[i].Verification; got.Status != scanner.VerifyNotChecked || !strings.Contains(got.Detail, want) {
			t.Errorf("%s: %+v, want not-checked mentioning %q", fs[i].RuleID, got, want)
		}
	}
}

// TestCache: a definite answer is reused within the TTL (no request), asked
// again after it, and the cache file never holds the secret.
func TestCache(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv, n := countingServer(t, githubUser)
	secret := exampleSecret(t, "github-pat")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	run := func() scanner.Verification {
		c, err := OpenCache(dir, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		c.now = func() time.Time { return now }
		v, _ := New(Options{Cache: c, Getenv: overrideEnv("github-pat", srv.URL)})
		fs := []scanner.Finding{finding("github-pat", secret)}
		v.Verify(context.Background(), fs)
		if err := c.Save(); err != nil {
			t.Fatal(err)
		}
		return *fs[0].Verification
	}
	if got := run(); got.Status != scanner.VerifyValid || n.Load() != 1 {
		t.Fatalf("first run: %+v, %d requests", got, n.Load())
	}
	if got := run(); got.Status != scanner.VerifyValid || got.Identity != "octocat" || n.Load() != 1 {
		t.Errorf("second run: %+v, %d requests, want the cached answer", got, n.Load())
	}
	now = now.Add(2 * time.Hour)
	if run(); n.Load() != 2 {
		t.Errorf("after the TTL: %d requests, want 2", n.Load())
	}
	data, err := os.ReadFile(filepath.Join(dir, CacheFileName))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), secret) || !strings.Contains(string(data), scanner.Fingerprint("github-pat", secret)) {
		t.Errorf("cache file: %s", data)
	}
	if st, _ := os.Stat(filepath.Join(dir, CacheFileName)); st.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %v", st.Mode())
	}
	os.WriteFile(filepath.Join(dir, CacheFileName), []byte("not json"), 0o600)
	if _, err := OpenCache(dir, time.Hour); err == nil {
		t.Error("a corrupt cache opened without error")
	}
}

func TestEndpointAndProviders(t *testing.T) {
	t.Parallel()
	ep, learns, ok, _ := Endpoint("github-pat")
	if !ok || ep != "GET https://api.github.com/user" || learns == "" {
		t.Errorf("github-pat: %q %q %v", ep, learns, ok)
	}
	if ep, _, ok, _ := Endpoint("aws-access-key-id"); !ok || !strings.Contains(ep, "GetCallerIdentity") {
		t.Errorf("aws: %q", ep)
	}
	if ep, _, ok, _ := Endpoint("shopify-access-token"); !ok || ep != "GET https://<shopify_domain>/admin/api/2025-10/shop.json" {
		t.Errorf("shopify: %v %q", ok, ep)
	}
	if _, _, ok, why := Endpoint("dockerhub-pat"); ok || !strings.Contains(why, "creates") {
		t.Errorf("dockerhub: %v %q", ok, why)
	}
	ps, err := Providers()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, p := range ps {
		names[p.Name] = true
	}
	if len(names) < 30 || ps[0].Name != "AWS" {
		t.Errorf("%d providers, first %q", len(names), ps[0].Name)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestWebhookUpgradedToHTTPS: a Slack webhook written down as http:// is
// called over HTTPS, never in the clear.
func TestWebhookUpgradedToHTTPS(t *testing.T) {
	t.Parallel()
	var got *http.Request
	v, _ := New(Options{Getenv: func(string) string { return "" }, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		return &http.Response{StatusCode: 400, Body: io.NopCloser(strings.NewReader("no_text")), Header: http.Header{}, Request: r}, nil
	})})
	fs := []scanner.Finding{finding("slack-webhook-url", "http://hooks.slack.com/services/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")}
	v.Verify(context.Background(), fs)
	if got == nil || got.URL.Scheme != "https" || got.URL.Host != "hooks.slack.com" {
		t.Fatalf("request %v, want https://hooks.slack.com", got)
	}
	if fs[0].Verification.Status != scanner.VerifyValid {
		t.Errorf("got %+v", fs[0].Verification)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
