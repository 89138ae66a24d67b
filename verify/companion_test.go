package verify

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// Made-up companion values, shaped as Twilio and Shopify document them.
const (
	testSID       = "AC4f0c2e9b7d13a8e6c5b24f9107d3e8a2"
	testShop      = "acme-outdoor.myshopify.com"
	testKeySecret = "q8Lr2VtX9bN4mK7pZ3wY6cJ1hF5dS0gA"
	testSite      = "acme-eng.atlassian.net"
	testEmail     = "dev.lead@acme-eng.example"
)

// companionCase is a verifier that needs a companion value: the request it
// must make (method, host, path, auth) and the answers its provider
// documents.
type companionCase struct {
	rule  string
	attrs map[string]string
	// pair, when set, is a second secret's rule: a finding of it (with
	// testKeySecret) stands beside the first, named by attribute pairAttr.
	pair, pairAttr string
	// host, when set, is the Host the request must name (the shop's own);
	// the fake is then reached through the transport, with no override.
	host    string
	path    string
	auth    func(r *http.Request, secret string) bool
	valid   fakeResp
	want    []string // in the valid result's identity and detail
	invalid fakeResp
	detail  string // in the invalid result's detail
}

func twilioBasic(r *http.Request, secret string) bool {
	return r.Header.Get("Authorization") == "Basic "+base64.StdEncoding.EncodeToString([]byte(testSID+":"+secret))
}

func twilioKeyBasic(r *http.Request, secret string) bool {
	return r.Header.Get("Authorization") == "Basic "+base64.StdEncoding.EncodeToString([]byte(secret+":"+testKeySecret))
}

func atlassianBasic(r *http.Request, secret string) bool {
	return r.Header.Get("Authorization") == "Basic "+base64.StdEncoding.EncodeToString([]byte(testEmail+":"+secret))
}

func cloudflareKey(r *http.Request, secret string) bool {
	return r.Header.Get("X-Auth-Email") == testEmail && r.Header.Get("X-Auth-Key") == secret && r.Header.Get("Authorization") == ""
}

func shopifyToken(r *http.Request, secret string) bool {
	return r.Header.Get("X-Shopify-Access-Token") == secret && r.Header.Get("Authorization") == ""
}

const atlassianMyself = `{"self":"https://` + testSite + `/rest/api/3/user?accountId=5b10a2844c20165700ede21g",` +
	`"accountId":"5b10a2844c20165700ede21g","accountType":"atlassian","emailAddress":"` + testEmail + `",` +
	`"displayName":"Dev Lead","active":true,"timeZone":"Europe/Paris","locale":"en_GB"}`

const cloudflareUser = `{"success":true,"errors":[],"messages":[],"result":{"id":"7c5dae5552338874e5053f2534d2767a",` +
	`"email":"` + testEmail + `","first_name":"Dev","last_name":"Lead","username":"cd7d0123e3012345da9420df9514dad0",` +
	`"telephone":null,"country":"FR","two_factor_authentication_enabled":true,"suspended":false}}`

const cloudflareUnknownKey = `{"success":false,"errors":[{"code":9103,"message":"Unknown X-Auth-Key or X-Auth-Email"}],"messages":[],"result":null}`

var companionCases = []companionCase{
	{rule: "cloudflare-global-api-key", attrs: map[string]string{"email": testEmail},
		path: "/client/v4/user", auth: cloudflareKey,
		valid: ok(cloudflareUser), want: []string{testEmail, "7c5dae5552338874e5053f2534d2767a"},
		invalid: st(403, cloudflareUnknownKey), detail: "Unknown X-Auth-Key"},
	{rule: "cloudflare-global-api-key-v2", attrs: map[string]string{"email": testEmail},
		path: "/client/v4/user", auth: cloudflareKey,
		valid: ok(cloudflareUser), want: []string{testEmail},
		invalid: st(403, cloudflareUnknownKey), detail: "Unknown X-Auth-Key"},
	{rule: "atlassian-api-token", attrs: map[string]string{"atlassian_site": testSite, "email": testEmail},
		host: testSite, path: "/rest/api/3/myself", auth: atlassianBasic,
		valid: ok(atlassianMyself), want: []string{testEmail, "Dev Lead", testSite},
		invalid: st(401, "Basic authentication with passwords is deprecated.  For more information, see: https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/\n"),
		detail:  "HTTP 401"},
	{rule: "atlassian-legacy-api-token", attrs: map[string]string{"atlassian_site": testSite, "email": testEmail},
		host: testSite, path: "/rest/api/3/myself", auth: atlassianBasic,
		valid: ok(atlassianMyself), want: []string{testEmail},
		invalid: st(401, `{"errorMessages":["Client must be authenticated to access this resource."],"errors":{}}`),
		detail:  testSite},
	{rule: "twilio-auth-token", attrs: map[string]string{"twilio_account_sid": testSID},
		path: "/2010-04-01/Accounts/" + testSID + ".json", auth: twilioBasic,
		valid: ok(`{"auth_token":"","date_created":"Thu, 30 Jul 2015 20:00:00 +0000","date_updated":"Thu, 30 Jul 2015 20:00:00 +0000",` +
			`"friendly_name":"Acme SMS alerts","owner_account_sid":"` + testSID + `","sid":"` + testSID + `","status":"active",` +
			`"subresource_uris":{},"type":"Full","uri":"/2010-04-01/Accounts/` + testSID + `.json"}`),
		want:    []string{"Acme SMS alerts", testSID, "active", "Full"},
		invalid: st(401, `{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}`),
		detail:  "20003"},
	{rule: "twilio-api-key", pair: "twilio-api-key-secret", pairAttr: "twilio_api_key_secret",
		path: "/v2/Services", auth: twilioKeyBasic,
		valid: ok(`{"services":[{"sid":"VA1f2e3d4c5b6a79880f1e2d3c4b5a6978","account_sid":"` + testSID + `","friendly_name":"Acme login",` +
			`"code_length":6,"url":"https://verify.twilio.com/v2/Services/VA1f2e3d4c5b6a79880f1e2d3c4b5a6978"}],` +
			`"meta":{"page":0,"page_size":1,"first_page_url":"https://verify.twilio.com/v2/Services?PageSize=1&Page=0","previous_page_url":null,` +
			`"url":"https://verify.twilio.com/v2/Services?PageSize=1&Page=0","next_page_url":null,"key":"services"}}`),
		want:    []string{testSID, "Acme login"},
		invalid: st(401, `{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}`),
		detail:  "20003"},
	{rule: "shopify-access-token", attrs: map[string]string{"shopify_domain": testShop},
		host: testShop, path: "/admin/api/2025-10/shop.json", auth: shopifyToken,
		valid: ok(`{"shop":{"id":548380009,"name":"Acme Outdoor","email":"owner@acme.example","domain":"shop.acme.example",` +
			`"myshopify_domain":"` + testShop + `","plan_name":"basic","currency":"USD"}}`),
		want:    []string{"Acme Outdoor", testShop, "basic"},
		invalid: st(401, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`),
		detail:  "Invalid API key"},
	{rule: "shopify-custom-app-token", attrs: map[string]string{"shopify_domain": testShop},
		host: testShop, path: "/admin/api/2025-10/shop.json", auth: shopifyToken,
		valid:   ok(`{"shop":{"id":548380009,"name":"Acme Outdoor","myshopify_domain":"` + testShop + `","plan_name":"shopify_plus"}}`),
		want:    []string{"Acme Outdoor"},
		invalid: st(401, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`),
		detail:  "Invalid API key"},
	{rule: "shopify-private-app-token", attrs: map[string]string{"shopify_domain": testShop},
		host: testShop, path: "/admin/api/2025-10/shop.json", auth: shopifyToken,
		valid:   ok(`{"shop":{"id":548380009,"name":"Acme Outdoor","myshopify_domain":"` + testShop + `"}}`),
		want:    []string{"Acme Outdoor", "plan not named"},
		invalid: st(401, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`),
		detail:  "Invalid API key"},
}

func companionCaseFor(t *testing.T, rule string) companionCase {
	for _, c := range companionCases {
		if c.rule == rule {
			return c
		}
	}
	t.Fatalf("no companion case for %s", rule)
	return companionCase{}
}

// companionFake serves resp, failing the test when a request is not the
// documented one: GET, the path with the companion in it, the shop's own
// Host, the secret in the documented header.
func companionFake(t *testing.T, c companionCase, secret string, resp fakeResp) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Method != http.MethodGet {
			t.Errorf("%s: method %s, want GET", c.rule, r.Method)
		}
		if r.URL.Path != c.path {
			t.Errorf("%s: path %s, want %s", c.rule, r.URL.Path, c.path)
		}
		if c.host != "" && r.Host != c.host {
			t.Errorf("%s: host %s, want %s", c.rule, r.Host, c.host)
		}
		if !c.auth(r, secret) {
			t.Errorf("%s: the request does not carry the credential as documented", c.rule)
		}
		for i := 0; i+1 < len(resp.header); i += 2 {
			w.Header().Set(resp.header[i], resp.header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.status)
		io.WriteString(w, resp.body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// viaFake sends every request to srv, keeping its Host: the verifier
// builds the real address (https://acme.myshopify.com/…), passes it through
// the endpoint guard, and the fake sees which shop was asked.
type viaFake struct {
	srv *httptest.Server
}

func (v viaFake) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Host = req.URL.Host
	r.URL.Scheme, r.URL.Host = "https", strings.TrimPrefix(v.srv.URL, "https://")
	resp, err := v.srv.Client().Transport.RoundTrip(r)
	if resp != nil {
		resp.Request = req // as a real transport answers
	}
	return resp, err
}

// companionOptions reach srv: through the transport, keeping the real
// host, when the case names one; else through the rule's override.
func companionOptions(c companionCase, srv *httptest.Server) Options {
	o := Options{RetryDelay: time.Millisecond, Timeout: 2 * time.Second, Transport: viaFake{srv}, Getenv: func(string) string { return "" }}
	if c.host == "" {
		o.Transport = srv.Client().Transport
		o.Getenv = overrideEnv(c.rule, srv.URL)
	}
	return o
}

// verifyCompanion verifies one finding of c.rule carrying c.attrs against srv.
func verifyCompanion(t *testing.T, c companionCase, secret string, srv *httptest.Server) scanner.Verification {
	t.Helper()
	v, err := New(companionOptions(c, srv))
	if err != nil {
		t.Fatal(err)
	}
	f := finding(c.rule, secret)
	f.Attributes = c.attrs
	fs := []scanner.Finding{f}
	if c.pair != "" {
		p := finding(c.pair, testKeySecret)
		p.Line = 2
		fs[0].Attributes = map[string]string{c.pairAttr: p.Fingerprint}
		fs = append(fs, p)
	}
	v.Verify(context.Background(), fs)
	if c.pair != "" && *fs[1].Verification != *fs[0].Verification {
		t.Errorf("the second secret's result %+v differs from its key's %+v", fs[1].Verification, fs[0].Verification)
	}
	return *fs[0].Verification
}

// TestCompanionVerifiers: each verifier that needs a companion value makes
// exactly the documented request, with the companion where its provider
// wants it, and reads valid, invalid, 5xx and 429 answers as documented.
func TestCompanionVerifiers(t *testing.T) {
	t.Parallel()
	f, err := loadSpecs(verifiersTOML)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, c := range companionCases {
		c := c
		covered[c.rule] = true
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			secret := exampleSecret(t, c.rule)
			srv, n := companionFake(t, c, secret, c.valid)
			got := verifyCompanion(t, c, secret, srv)
			for _, w := range c.want {
				if got.Status != scanner.VerifyValid || !strings.Contains(got.Identity+" "+got.Detail, w) {
					t.Errorf("valid answer: got %+v, want valid mentioning %q", got, w)
				}
			}
			if strings.Contains(got.Identity+got.Detail, secret) || strings.Contains(got.Identity+got.Detail, testKeySecret) || n.Load() != 1 {
				t.Errorf("valid answer: %+v after %d requests (want 1, and no secret)", got, n.Load())
			}

			srv, _ = companionFake(t, c, secret, c.invalid)
			if got := verifyCompanion(t, c, secret, srv); got.Status != scanner.VerifyInvalid || !strings.Contains(got.Detail, c.detail) {
				t.Errorf("invalid answer: got %+v, want invalid mentioning %q", got, c.detail)
			}

			srv, n = companionFake(t, c, secret, st(503, `{"message":"Service Unavailable"}`))
			if got := verifyCompanion(t, c, secret, srv); got.Status != scanner.VerifyUnknown || n.Load() != 2 {
				t.Errorf("503: got %+v after %d requests, want unknown after 2", got, n.Load())
			}
			srv, n = companionFake(t, c, secret, st(429, `{"code":20429,"message":"Too Many Requests"}`, "Retry-After", "0"))
			if got := verifyCompanion(t, c, secret, srv); got.Status != scanner.VerifyUnknown || n.Load() != 2 {
				t.Errorf("429: got %+v after %d requests, want unknown after 2", got, n.Load())
			}
		})
	}
	for _, s := range f.Verifiers {
		for _, id := range s.Rules {
			if len(s.Needs) > 0 && !covered[id] {
				t.Errorf("%s needs %v and has no companion case", id, s.Needs)
			}
		}
	}
}

// TestCompanionAnswers: answers that are neither the plain valid nor the
// plain invalid one, read as each provider documents them. A refusal that
// may be about the companion value rather than the secret is unknown.
func TestCompanionAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, rule string
		resp       fakeResp
		want       scanner.VerifyStatus
		detail     string
	}{
		{"Shopify: no shop at that address", "shopify-access-token", st(404, `{"errors":"Not Found"}`),
			scanner.VerifyUnknown, testShop},
		{"Cloudflare: a key of the wrong format", "cloudflare-global-api-key",
			st(400, `{"success":false,"errors":[{"code":6003,"message":"Invalid request headers","error_chain":[{"code":6103,"message":"Invalid format for X-Auth-Key header"}]}],"messages":[],"result":null}`),
			scanner.VerifyInvalid, "Invalid format for X-Auth-Key"},
		{"Cloudflare: an email address of the wrong format", "cloudflare-global-api-key",
			st(400, `{"success":false,"errors":[{"code":6003,"message":"Invalid request headers","error_chain":[{"code":6102,"message":"Invalid format for X-Auth-Email header"}]}],"messages":[],"result":null}`),
			scanner.VerifyUnknown, "400"},
		{"Atlassian: CAPTCHA or no Jira access", "atlassian-api-token", st(403, ""),
			scanner.VerifyUnknown, "CAPTCHA"},
		{"Atlassian: no Jira on the site", "atlassian-api-token", st(404, ""),
			scanner.VerifyUnknown, testSite},
		{"Twilio: a Restricted key without Verify", "twilio-api-key",
			st(403, `{"code":20403,"message":"Forbidden","more_info":"https://www.twilio.com/docs/errors/20403","status":403}`),
			scanner.VerifyUnknown, "Restricted"},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := companionCaseFor(t, tc.rule)
			secret := exampleSecret(t, c.rule)
			srv, n := companionFake(t, c, secret, tc.resp)
			if got := verifyCompanion(t, c, secret, srv); got.Status != tc.want || !strings.Contains(got.Detail, tc.detail) || n.Load() != 1 {
				t.Errorf("got %+v after %d requests, want %s mentioning %q after 1", got, n.Load(), tc.want, tc.detail)
			}
		})
	}
}

// TestShopifyOverride: RAMPART_VERIFY_URL_<RULE_ID> redirects the check
// (tests, a proxy) like every other verifier's, keeping the path.
func TestShopifyOverride(t *testing.T) {
	t.Parallel()
	c := companionCaseFor(t, "shopify-access-token")
	c.host = ""
	secret := exampleSecret(t, c.rule)
	srv, n := companionFake(t, c, secret, c.valid)
	if got := verifyCompanion(t, c, secret, srv); got.Status != scanner.VerifyValid || n.Load() != 1 {
		t.Errorf("got %+v after %d requests", got, n.Load())
	}
}

// TestCompanionMissingNothingSent: without its companion value a secret is
// not-checked, saying which value is missing, and nothing is sent; a
// companion that is not the provider's own address is refused.
func TestCompanionMissingNothingSent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule  string
		attrs map[string]string
		want  scanner.VerifyStatus
		why   string
	}{
		{"twilio-auth-token", nil, scanner.VerifyNotChecked, "the account SID (AC…) was not found near it"},
		{"twilio-auth-token", map[string]string{"shopify_domain": testShop}, scanner.VerifyNotChecked, "account SID"},
		{"shopify-access-token", nil, scanner.VerifyNotChecked, "the shop's myshopify.com domain was not found near it"},
		{"twilio-api-key", nil, scanner.VerifyNotChecked, "the API key's secret was not found near it"},
		// A fingerprint naming no finding of this scan (a baselined or
		// allowed secret) is as good as none.
		{"twilio-api-key", map[string]string{"twilio_api_key_secret": scanner.Fingerprint("twilio-api-key-secret", testKeySecret)},
			scanner.VerifyNotChecked, "the API key's secret was not found near it"},
		{"twilio-api-key-secret", nil, scanner.VerifyNotChecked, "key SID (SK…), and none was found near it"},
		{"cloudflare-global-api-key", nil, scanner.VerifyNotChecked, "the owner's email address was not found near it"},
		{"atlassian-api-token", map[string]string{"email": testEmail}, scanner.VerifyNotChecked, "the Atlassian site (….atlassian.net) was not found near it"},
		{"atlassian-api-token", map[string]string{"atlassian_site": testSite}, scanner.VerifyNotChecked, "the owner's email address was not found near it"},
		{"atlassian-api-token", map[string]string{"atlassian_site": "acme.atlassian.net.evil.example", "email": testEmail}, scanner.VerifyUnknown, "not an address of Atlassian"},
		{"shopify-access-token", map[string]string{"shopify_domain": "acme.example.com"}, scanner.VerifyUnknown, "not an address of Shopify"},
		{"shopify-access-token", map[string]string{"shopify_domain": "acme.myshopify.com.evil.example"}, scanner.VerifyUnknown, "not an address of Shopify"},
		{"shopify-access-token", map[string]string{"shopify_domain": "a.b.myshopify.com"}, scanner.VerifyUnknown, "not an address of Shopify"},
		{"shopify-access-token", map[string]string{"shopify_domain": "evil.example/x?.myshopify.com"}, scanner.VerifyUnknown, "not an address of Shopify"},
		{"shopify-access-token", map[string]string{"shopify_domain": "evil.example:443#.myshopify.com"}, scanner.VerifyUnknown, "not an address of Shopify"},
	}
	for _, c := range cases {
		c := c
		t.Run(c.rule+" "+c.attrs["shopify_domain"], func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				t.Errorf("a request was sent: %s %s%s", r.Method, r.Host, r.URL.Path)
			}))
			defer srv.Close()
			v, err := New(Options{Transport: viaFake{srv}, Getenv: func(string) string { return "" }})
			if err != nil {
				t.Fatal(err)
			}
			secret := exampleSecret(t, c.rule)
			f := finding(c.rule, secret)
			f.Attributes = c.attrs
			fs := []scanner.Finding{f}
			sum := v.Verify(context.Background(), fs)
			got := fs[0].Verification
			if got.Status != c.want || !strings.Contains(got.Detail, c.why) || sum.Requests != 0 {
				t.Errorf("got %+v after %d requests, want %s saying %q and none sent", got, sum.Requests, c.want, c.why)
			}
			if strings.Contains(got.Detail, secret) {
				t.Errorf("the detail holds the secret: %q", got.Detail)
			}
		})
	}
}

// TestCompanionOneCallPerCredential: a credential is the secret with its
// companion: the same pair found three times is one call, the same token
// next to another account SID is another.
func TestCompanionOneCallPerCredential(t *testing.T) {
	t.Parallel()
	c := companionCaseFor(t, "twilio-auth-token")
	secret := exampleSecret(t, c.rule)
	const otherSID = "AC0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path == "/2010-04-01/Accounts/"+testSID+".json" && twilioBasic(r, secret) {
			io.WriteString(w, `{"sid":"`+testSID+`","friendly_name":"Acme","status":"active","type":"Full"}`)
			return
		}
		w.WriteHeader(401)
		io.WriteString(w, `{"code":20003,"message":"Authenticate","status":401}`)
	}))
	defer srv.Close()
	v, err := New(Options{Transport: srv.Client().Transport, Getenv: overrideEnv(c.rule, srv.URL)})
	if err != nil {
		t.Fatal(err)
	}
	var fs []scanner.Finding
	for i, sid := range []string{testSID, testSID, otherSID, testSID} {
		f := finding(c.rule, secret)
		f.Line = i + 1
		f.Attributes = map[string]string{"twilio_account_sid": sid}
		fs = append(fs, f)
	}
	sum := v.Verify(context.Background(), fs)
	if sum.Requests != 2 || n.Load() != 2 {
		t.Fatalf("%d requests (%d at the fake), want 2", sum.Requests, n.Load())
	}
	for i, want := range []scanner.VerifyStatus{scanner.VerifyValid, scanner.VerifyValid, scanner.VerifyInvalid, scanner.VerifyValid} {
		if fs[i].Verification.Status != want {
			t.Errorf("finding %d: %+v, want %s", i, fs[i].Verification, want)
		}
	}
}

// TestCompanionFromScan: what the detector records is what the verifier
// reads: a scanned .env file with the SID above the token is checked with
// that SID, and an API key with the secret below it (both findings share
// the one answer).
func TestCompanionFromScan(t *testing.T) {
	t.Parallel()
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	det := scanner.NewDetector(rules, nil)
	for _, tc := range []struct {
		rule, data string
		rules      []string // the findings that must be valid
	}{
		{"twilio-auth-token", "# sms alerts\nTWILIO_ACCOUNT_SID=" + testSID + "\nTWILIO_AUTH_TOKEN={secret}\n", []string{"twilio-auth-token"}},
		{"twilio-api-key", "TWILIO_API_KEY={secret}\nTWILIO_API_SECRET=" + testKeySecret + "\n", []string{"twilio-api-key", "twilio-api-key-secret"}},
		{"atlassian-api-token", "JIRA_URL=https://" + testSite + "/\nJIRA_EMAIL=" + testEmail + "\nJIRA_API_TOKEN={secret}\n", []string{"atlassian-api-token"}},
		{"shopify-access-token", "SHOPIFY_STORE_DOMAIN=" + testShop + "\nSHOPIFY_ACCESS_TOKEN={secret}\n", []string{"shopify-access-token"}},
		{"cloudflare-global-api-key", "CLOUDFLARE_EMAIL=" + testEmail + "\nCLOUDFLARE_API_KEY={secret}\n", []string{"cloudflare-global-api-key"}},
	} {
		tc := tc
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			c := companionCaseFor(t, tc.rule)
			secret := exampleSecret(t, c.rule)
			data := strings.ReplaceAll(tc.data, "{secret}", secret)
			fs := det.Detect(scanner.Chunk{Data: []byte(data), Kind: scanner.KindFile, Path: "app.env"})
			srv, n := companionFake(t, c, secret, c.valid)
			v, err := New(companionOptions(c, srv))
			if err != nil {
				t.Fatal(err)
			}
			v.Verify(context.Background(), fs)
			valid := map[string]bool{}
			for _, f := range fs {
				if f.Verification.Status == scanner.VerifyValid {
					valid[f.RuleID] = true
				}
			}
			for _, r := range tc.rules {
				if !valid[r] {
					t.Errorf("%s is not valid: findings %v", r, fs)
				}
			}
			if n.Load() != 1 {
				t.Errorf("%d requests, want 1", n.Load())
			}
		})
	}
}

// TestCompanionAnswerShared: the same token found alone in another file
// shares the valid answer it had next to its SID (it is the same
// credential), with no request of its own; a refusal is not shared, since
// it may be about the SID next to it there.
func TestCompanionAnswerShared(t *testing.T) {
	t.Parallel()
	c := companionCaseFor(t, "twilio-auth-token")
	secret := exampleSecret(t, c.rule)
	for _, tc := range []struct {
		resp fakeResp
		want scanner.VerifyStatus
	}{
		{c.valid, scanner.VerifyValid},
		{c.invalid, scanner.VerifyNotChecked},
	} {
		srv, n := companionFake(t, c, secret, tc.resp)
		v, err := New(companionOptions(c, srv))
		if err != nil {
			t.Fatal(err)
		}
		alone := finding(c.rule, secret)
		alone.Path = "backup.env"
		paired := finding(c.rule, secret)
		paired.Attributes = c.attrs
		fs := []scanner.Finding{alone, paired}
		v.Verify(context.Background(), fs)
		got := fs[0].Verification
		if got.Status != tc.want || n.Load() != 1 {
			t.Errorf("answer %d elsewhere: the lone token is %+v after %d requests, want %s after 1", tc.resp.status, got, n.Load(), tc.want)
		}
		if tc.want == scanner.VerifyValid && !strings.Contains(got.Detail, "elsewhere in this scan") {
			t.Errorf("the shared answer does not say where it comes from: %+v", got)
		}
	}
}

// TestCompanionManyFindingsOneCall: a key and its secret found a thousand
// times over are one credential and one request, and every finding of
// either gets the answer.
func TestCompanionManyFindingsOneCall(t *testing.T) {
	t.Parallel()
	c := companionCaseFor(t, "twilio-api-key")
	secret := exampleSecret(t, c.rule)
	srv, n := companionFake(t, c, secret, c.valid)
	v, err := New(companionOptions(c, srv))
	if err != nil {
		t.Fatal(err)
	}
	var fs []scanner.Finding
	for i := 0; i < 1000; i++ {
		p := finding(c.pair, testKeySecret)
		k := finding(c.rule, secret)
		k.Attributes = map[string]string{c.pairAttr: p.Fingerprint}
		fs = append(fs, k, p)
	}
	v.Verify(context.Background(), fs)
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1", n.Load())
	}
	for i := range fs {
		if fs[i].Verification.Status != scanner.VerifyValid {
			t.Fatalf("finding %d (%s): %+v", i, fs[i].RuleID, fs[i].Verification)
		}
	}
}
