package verify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// AWSKeyIDFor returns an AKIA key ID whose embedded account is account: the
// inverse of patterns.AWSAccountID, for test keys of chosen accounts.
func awsKeyIDFor(t testing.TB, prefix string, account uint64, tail uint32) string {
	var raw [10]byte
	var z [8]byte
	binary.BigEndian.PutUint64(z[:], account<<7|uint64(tail&0x7f))
	copy(raw[:6], z[2:])
	binary.BigEndian.PutUint32(raw[6:], tail*2654435761)
	id := prefix + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:])
	if got, ok := patterns.AWSAccountID(id); !ok || got != fmt.Sprintf("%012d", account) {
		t.Fatalf("awsKeyIDFor(%d) = %s decodes to %s", account, id, got)
	}
	return id
}

// fakeSTS is an STS endpoint that knows some credentials and checks each
// request's SigV4 signature with the secret it knows, by the documented
// algorithm (implemented here, independently of the SDK that signed it).
type fakeSTS struct {
	t        *testing.T
	creds    map[string]fakeCred // key ID → secret, token, ARN
	status   int                 // when set, answer this status instead
	errCode  string              // when set, answer 400 with this STS error code
	requests atomic.Int32
}

type fakeCred struct{ secret, token, arn, account string }

func (f *fakeSTS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	for _, c := range f.creds {
		if strings.Contains(string(body), c.secret) || strings.Contains(fmt.Sprint(r.Header), c.secret) || strings.Contains(r.URL.String(), c.secret) {
			f.t.Errorf("the secret key itself was sent to STS")
		}
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		io.WriteString(w, `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>internal</Message></Error></ErrorResponse>`)
		return
	}
	if f.errCode != "" {
		w.Header().Set("Retry-After", "0") // a throttled call is retried at once
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>no</Message></Error></ErrorResponse>`, f.errCode)
		return
	}
	form, _ := url.ParseQuery(string(body))
	if r.Method != http.MethodPost || form.Get("Action") != "GetCallerIdentity" {
		f.t.Errorf("STS got %s %s %q, want POST Action=GetCallerIdentity", r.Method, r.URL.Path, body)
	}
	keyID, err := f.checkSignature(r, body)
	if err != nil {
		stsError(w, "SignatureDoesNotMatch", err.Error())
		return
	}
	c, ok := f.creds[keyID]
	if !ok {
		stsError(w, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	if c.token != r.Header.Get("X-Amz-Security-Token") {
		stsError(w, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>%s</Arn>
    <UserId>AIDAJQABLZS4A3QDU576Q</UserId>
    <Account>%s</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`, c.arn, c.account)
}

func stsError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>
  <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
</ErrorResponse>`, code, msg)
}

// checkSignature recomputes the SigV4 signature of r with the secret the
// fake knows for its key ID and returns the key ID, or why it does not match.
func (f *fakeSTS) checkSignature(r *http.Request, body []byte) (string, error) {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return "", fmt.Errorf("not SigV4: %q", auth)
	}
	fields := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		fields[k] = v
	}
	scope := strings.SplitN(fields["Credential"], "/", 2)
	if len(scope) != 2 {
		return "", fmt.Errorf("bad credential %q", fields["Credential"])
	}
	keyID, credScope := scope[0], scope[1]
	parts := strings.Split(credScope, "/")
	if len(parts) != 4 || parts[2] != "sts" || parts[3] != "aws4_request" {
		return keyID, fmt.Errorf("bad scope %q", credScope)
	}
	c, known := f.creds[keyID]
	if !known {
		return keyID, nil // InvalidClientTokenId comes first for an unknown key
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	var canonHeaders strings.Builder
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		canonHeaders.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var cq []string
	for _, k := range keys {
		cq = append(cq, url.QueryEscape(k)+"="+url.QueryEscape(q.Get(k)))
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	bodyHash := sha256.Sum256(body)
	canonical := strings.Join([]string{r.Method, path, strings.Join(cq, "&"), canonHeaders.String(), fields["SignedHeaders"], hex.EncodeToString(bodyHash[:])}, "\n")
	ch := sha256.Sum256([]byte(canonical))
	amzDate := r.Header.Get("X-Amz-Date")
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + credScope + "\n" + hex.EncodeToString(ch[:])
	mac := func(key []byte, data string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(data))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+c.secret), parts[0])
	k = mac(k, parts[1])
	k = mac(k, parts[2])
	k = mac(k, "aws4_request")
	want := hex.EncodeToString(mac(k, toSign))
	if !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return keyID, fmt.Errorf("signature mismatch")
	}
	if c.token != "" && !contains(signed, "x-amz-security-token") {
		return keyID, fmt.Errorf("session token not signed")
	}
	return keyID, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func newFakeSTS(t *testing.T, creds map[string]fakeCred) (*fakeSTS, func(string) string) {
	f := &fakeSTS{t: t, creds: creds}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, func(k string) string {
		if k == "AWS_ENDPOINT_URL_STS" {
			return srv.URL
		}
		return ""
	}
}

// pairFindings returns a key ID and secret key found next to each other, as
// the detector links them.
func pairFindings(keyID, secret string) []scanner.Finding {
	k := finding(ruleAWSKeyID, keyID)
	s := finding(ruleAWSSecret, secret)
	s.Line = 2
	k.Attributes = map[string]string{"pair": s.Fingerprint}
	if acct, ok := patterns.AWSAccountID(keyID); ok {
		k.Attributes["aws_account_id"] = acct
	}
	s.Attributes = map[string]string{"pair": k.Fingerprint}
	return []scanner.Finding{k, s}
}

func TestAWS(t *testing.T) {
	t.Parallel()
	live := awsKeyIDFor(t, "AKIA", 123456789012, 1)
	temp := awsKeyIDFor(t, "ASIA", 123456789012, 2)
	const secret = "kX9mPq2sT7vW1yZ3bC5dF8gH0jK4lN6pR8tU2wY5"
	const token = "IQoJb3JpZ2luX2VjEHMaCXVzLWVhc3QtMSJHMEUCIQD4pX0Rnm2XQCrwyrzjmZAi6HLUnMFckLmZt3K0Hpv1MkUoW20cIdSsPFUS4NcDnGQl9ocB6SMvIfKBJod4aXbrMMn9ZMXZSdLqYKbRAb2HiJMm6lJLt7u48Zp8r8giU6ifmicZrayYuSIa4Q485unb"
	creds := map[string]fakeCred{
		live: {secret: secret, arn: "arn:aws:iam::123456789012:user/deploy", account: "123456789012"},
		temp: {secret: secret, token: token, arn: "arn:aws:sts::123456789012:assumed-role/ci/session", account: "123456789012"},
	}
	cases := []struct {
		name     string
		fs       func() []scanner.Finding
		status   scanner.VerifyStatus
		want     string
		requests int32
	}{
		{"valid pair", func() []scanner.Finding { return pairFindings(live, secret) }, scanner.VerifyValid, "arn:aws:iam::123456789012:user/deploy", 1},
		{"wrong secret", func() []scanner.Finding { return pairFindings(live, "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7d") }, scanner.VerifyInvalid, "SignatureDoesNotMatch", 1},
		{"unknown key", func() []scanner.Finding { return pairFindings(awsKeyIDFor(t, "AKIA", 210987654321, 3), secret) }, scanner.VerifyInvalid, "InvalidClientTokenId", 1},
		{"temporary key with its session token", func() []scanner.Finding {
			fs := pairFindings(temp, secret)
			tok := finding(ruleAWSSession, token)
			tok.Line = 3
			return append(fs, tok)
		}, scanner.VerifyValid, "assumed-role/ci", 1},
		{"temporary key linked to a token far away", func() []scanner.Finding {
			fs := pairFindings(temp, secret)
			// As the detector links them: the key and secret name the
			// token, the token names both.
			tok := finding(ruleAWSSession, token)
			tok.Line = 40
			tok.Attributes = map[string]string{"session_key_id": fs[0].Fingerprint, "session_secret": fs[1].Fingerprint}
			fs[0].Attributes["session_token"] = tok.Fingerprint
			fs[1].Attributes["session_token"] = tok.Fingerprint
			return append(fs, tok)
		}, scanner.VerifyValid, "assumed-role/ci", 1},
		{"temporary key without a token", func() []scanner.Finding { return pairFindings(temp, secret) }, scanner.VerifyNotChecked, "session token", 0},
		{"key ID alone", func() []scanner.Finding { return []scanner.Finding{finding(ruleAWSKeyID, live)} }, scanner.VerifyNotChecked, "key ID alone", 0},
		{"secret alone", func() []scanner.Finding { return []scanner.Finding{finding(ruleAWSSecret, secret)} }, scanner.VerifyNotChecked, "secret key alone", 0},
	}
	for _, c := range cases {
		c := c
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f, getenv := newFakeSTS(t, creds)
			v, err := New(Options{Getenv: getenv, RetryDelay: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			fs := c.fs()
			sum := v.Verify(context.Background(), fs)
			for _, x := range fs {
				got := x.Verification
				if got.Status != c.status || !strings.Contains(got.Identity+" "+got.Detail, c.want) {
					t.Errorf("%s: got %+v, want %s mentioning %q", x.RuleID, got, c.status, c.want)
				}
				if strings.Contains(got.Identity+got.Detail, secret) {
					t.Errorf("result holds the secret: %+v", got)
				}
			}
			if n := f.requests.Load(); n != c.requests || int32(sum.Requests) != c.requests {
				t.Errorf("%d requests (summary %d), want %d", n, sum.Requests, c.requests)
			}
		})
	}
	t.Run("STS 500 is unknown after one retry", func(t *testing.T) {
		t.Parallel()
		f, getenv := newFakeSTS(t, creds)
		f.status = http.StatusInternalServerError
		v, _ := New(Options{Getenv: getenv, RetryDelay: time.Millisecond})
		fs := pairFindings(live, secret)
		v.Verify(context.Background(), fs)
		if fs[0].Verification.Status != scanner.VerifyUnknown || f.requests.Load() != 2 {
			t.Errorf("got %+v after %d requests, want unknown after 2", fs[0].Verification, f.requests.Load())
		}
	})
	for _, e := range []struct {
		code   string
		status scanner.VerifyStatus
		want   string
	}{
		{"ExpiredToken", scanner.VerifyInvalid, "expired"},
		{"SignatureDoesNotMatch", scanner.VerifyInvalid, "does not belong"},
		{"Throttling", scanner.VerifyUnknown, "rate limited by AWS (Throttling)"},
		{"AccessDenied", scanner.VerifyUnknown, "unexpected AWS answer: AccessDenied"},
	} {
		t.Run("STS error "+e.code, func(t *testing.T) {
			t.Parallel()
			f, getenv := newFakeSTS(t, creds)
			f.errCode = e.code
			v, _ := New(Options{Getenv: getenv, RetryDelay: time.Millisecond})
			fs := pairFindings(live, secret)
			v.Verify(context.Background(), fs)
			if got := fs[0].Verification; got.Status != e.status || !strings.Contains(got.Detail, e.want) {
				t.Errorf("got %+v, want %s mentioning %q", got, e.status, e.want)
			}
		})
	}
	t.Run("the same key elsewhere without its secret shares the answer", func(t *testing.T) {
		t.Parallel()
		f, getenv := newFakeSTS(t, creds)
		v, _ := New(Options{Getenv: getenv})
		lone := finding(ruleAWSKeyID, live)
		lone.Path = "README.md"
		fs := append(pairFindings(live, secret), lone)
		v.Verify(context.Background(), fs)
		if fs[2].Verification.Status != scanner.VerifyValid || f.requests.Load() != 1 {
			t.Errorf("lone copy: %+v after %d requests", fs[2].Verification, f.requests.Load())
		}
	})
}

// TestAWSEndpointOverride: AWS_ENDPOINT_URL is honoured when the STS-specific
// variable is unset, and a plain-HTTP endpoint that is not loopback is
// refused before anything is sent.
func TestAWSEndpointOverride(t *testing.T) {
	t.Parallel()
	live := awsKeyIDFor(t, "AKIA", 123456789012, 1)
	const secret = "kX9mPq2sT7vW1yZ3bC5dF8gH0jK4lN6pR8tU2wY5"
	f := &fakeSTS{t: t, creds: map[string]fakeCred{live: {secret: secret, arn: "arn:aws:iam::123456789012:user/x", account: "123456789012"}}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	v, _ := New(Options{Getenv: func(k string) string {
		if k == "AWS_ENDPOINT_URL" {
			return srv.URL
		}
		return ""
	}})
	fs := pairFindings(live, secret)
	v.Verify(context.Background(), fs)
	if fs[0].Verification.Status != scanner.VerifyValid {
		t.Errorf("AWS_ENDPOINT_URL: %+v", fs[0].Verification)
	}

	v, _ = New(Options{
		Getenv:    func(k string) string { return map[string]string{"AWS_ENDPOINT_URL_STS": "http://sts.example.com"}[k] },
		Transport: failTransport{t},
	})
	fs = pairFindings(live, secret)
	v.Verify(context.Background(), fs)
	if got := fs[0].Verification; got.Status != scanner.VerifyUnknown || !strings.Contains(got.Detail, "plain HTTP") {
		t.Errorf("http:// STS endpoint: %+v, want unknown (refused)", got)
	}
}

// TestAWSIgnoreConfiguredEndpointURLs: AWS_IGNORE_CONFIGURED_ENDPOINT_URLS,
// the SDKs' switch for ignoring every configured endpoint, sends the check
// to STS itself, not to the endpoint the environment names for other tools
// (a LocalStack that calls every key live).
func TestAWSIgnoreConfiguredEndpointURLs(t *testing.T) {
	t.Parallel()
	live := awsKeyIDFor(t, "AKIA", 123456789012, 1)
	const secret = "kX9mPq2sT7vW1yZ3bC5dF8gH0jK4lN6pR8tU2wY5"
	for _, on := range []string{"true", "TRUE", "false", ""} {
		var host atomic.Value
		env := map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": on}
		v, _ := New(Options{
			Getenv: func(k string) string { return env[k] },
			Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				host.Store(r.URL.Host)
				return nil, fmt.Errorf("test: no network")
			}),
			RetryDelay: time.Millisecond,
		})
		v.Verify(context.Background(), pairFindings(live, secret))
		want := "127.0.0.1:4566"
		if strings.EqualFold(on, "true") {
			want = "sts.us-east-1.amazonaws.com"
		}
		if got, _ := host.Load().(string); got != want {
			t.Errorf("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=%q: request to %q, want %q", on, got, want)
		}
	}
}

// failTransport fails the test on any request that reaches the network.
type failTransport struct{ t *testing.T }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("a request reached the network: %s %s", r.Method, r.URL.Host)
	return nil, fmt.Errorf("test: no network")
}

// TestAWSSigningRegion: a request to an overridden STS endpoint is signed
// for the region that endpoint serves (a regional STS host, else the
// configured AWS_REGION, as the SDKs do), and STS refusing the signing
// region is unknown, not a dead key.
func TestAWSSigningRegion(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		host string
		env  map[string]string
		want string
	}{
		{"sts.eu-west-1.amazonaws.com", nil, "eu-west-1"},
		{"sts.amazonaws.com", map[string]string{"AWS_REGION": "eu-west-1"}, "us-east-1"},
		{"sts-fips.us-gov-west-1.amazonaws.com", nil, "us-gov-west-1"},
		{"sts.cn-north-1.amazonaws.com.cn", nil, "cn-north-1"},
		// Dual-stack (IPv6) regional endpoints, and an interface VPC
		// endpoint's DNS name, as the STS documentation names them.
		{"sts.eu-west-1.api.aws", map[string]string{"AWS_REGION": "us-west-2"}, "eu-west-1"},
		{"sts-fips.us-east-2.api.aws", nil, "us-east-2"},
		{"sts.us-gov-west-1.api.aws", nil, "us-gov-west-1"},
		{"sts.cn-northwest-1.api.amazonwebservices.com.cn", nil, "cn-northwest-1"},
		{"vpce-1a2b3c4d-5e6f.sts.ap-south-1.vpce.amazonaws.com", nil, "ap-south-1"},
		{"STS.EU-WEST-1.API.AWS", nil, "eu-west-1"},
		{"127.0.0.1", map[string]string{"AWS_REGION": "ap-southeast-2"}, "ap-southeast-2"},
		{"127.0.0.1", map[string]string{"AWS_DEFAULT_REGION": "eu-central-1"}, "eu-central-1"},
		{"127.0.0.1", map[string]string{"AWS_REGION": "not a region/x"}, "us-east-1"},
		{"localstack.internal", nil, "us-east-1"},
	} {
		if got := awsSigningRegion(c.host, func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%s %v: %s, want %s", c.host, c.env, got, c.want)
		}
	}

	live := awsKeyIDFor(t, "AKIA", 123456789012, 1)
	const secret = "kX9mPq2sT7vW1yZ3bC5dF8gH0jK4lN6pR8tU2wY5"
	f := &fakeSTS{t: t, creds: map[string]fakeCred{live: {secret: secret, arn: "arn:aws:iam::123456789012:user/x", account: "123456789012"}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Authorization"), "/eu-west-1/sts/aws4_request") {
			stsError(w, "SignatureDoesNotMatch", "Credential should be scoped to a valid region.")
			return
		}
		f.ServeHTTP(w, r)
	}))
	defer srv.Close()
	env := map[string]string{"AWS_ENDPOINT_URL_STS": srv.URL, "AWS_REGION": "eu-west-1"}
	v, _ := New(Options{Getenv: func(k string) string { return env[k] }})
	fs := pairFindings(live, secret)
	v.Verify(context.Background(), fs)
	if got := fs[0].Verification; got.Status != scanner.VerifyValid {
		t.Errorf("signed for AWS_REGION: %+v", got)
	}
	delete(env, "AWS_REGION")
	v, _ = New(Options{Getenv: func(k string) string { return env[k] }})
	fs = pairFindings(live, secret)
	v.Verify(context.Background(), fs)
	if got := fs[0].Verification; got.Status != scanner.VerifyUnknown || !strings.Contains(got.Detail, "region") {
		t.Errorf("refused signing region: %+v, want unknown", got)
	}
}

// TestAWSOneCallPerCredential: one key pair found twice, its secret key
// reported by the paired rule in one place and the plain rule in another,
// is one credential: one STS call, the answer on all four findings.
func TestAWSOneCallPerCredential(t *testing.T) {
	t.Parallel()
	live := awsKeyIDFor(t, "AKIA", 123456789012, 1)
	const secret = "kX9mPq2sT7vW1yZ3bC5dF8gH0jK4lN6pR8tU2wY5"
	f, getenv := newFakeSTS(t, map[string]fakeCred{live: {secret: secret, arn: "arn:aws:iam::123456789012:user/x", account: "123456789012"}})
	a := pairFindings(live, secret)
	b := pairFindings(live, secret)
	b[1].RuleID = ruleAWSSecretPaired
	b[1].Fingerprint = scanner.Fingerprint(ruleAWSSecretPaired, secret)
	b[0].Attributes["pair"] = b[1].Fingerprint
	b[0].Path, b[1].Path = "other.env", "other.env"
	fs := append(a, b...)
	v, _ := New(Options{Getenv: getenv})
	v.Verify(context.Background(), fs)
	if n := f.requests.Load(); n != 1 {
		t.Errorf("%d STS calls for one credential, want 1", n)
	}
	for _, x := range fs {
		if x.Verification.Status != scanner.VerifyValid {
			t.Errorf("%s in %s: %+v", x.RuleID, x.Path, x.Verification)
		}
	}
}

// TestAWSRequestIsWhatSTSDocuments: the GetCallerIdentity request is the
// one STS documents (POST of the form Action=GetCallerIdentity&
// Version=2011-06-15 to the endpoint's root, form-encoded), signed for
// sts in us-east-1 at the moment it is sent, and every header it carries
// but User-Agent (which the SDK never signs) is covered by the signature:
// a fake STS that re-signs the request it received with the AWS SDK's own
// signer, over every header received, gets the same Authorization header.
func TestAWSRequestIsWhatSTSDocuments(t *testing.T) {
	t.Parallel()
	live := awsKeyIDFor(t, "AKIA", 123456789012, 1)
	temp := awsKeyIDFor(t, "ASIA", 123456789012, 2)
	const secret = "kX9mPq2sT7vW1yZ3bC5dF8gH0jK4lN6pR8tU2wY5"
	const token = "IQoJb3JpZ2luX2VjEHMaCXVzLWVhc3QtMSJHMEUCIQD4pX0Rnm2XQCrwyrzjmZAi6HLUnMFckLmZt3K0Hpv1MkUoW20cIdSsPFUS4NcDnGQl9ocB6SMvIfKBJod4aXbrMMn9ZMXZSdLqYKbRAb2HiJMm6lJLt7u48Zp8r8giU6ifmicZrayYuSIa4Q485unb"
	for _, c := range []struct {
		name, keyID, token, path string
	}{
		{"long-term key", live, "", ""},
		{"temporary key with its session token", temp, token, ""},
		{"endpoint with a path", live, "", "/sts/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				body, _ := io.ReadAll(r.Body)
				wantPath := c.path
				if wantPath == "" {
					wantPath = "/"
				}
				if r.Method != http.MethodPost || r.URL.Path != wantPath || r.URL.RawQuery != "" {
					t.Errorf("STS got %s %s?%s, want POST %s", r.Method, r.URL.Path, r.URL.RawQuery, wantPath)
				}
				if string(body) != awsSTSBody {
					t.Errorf("body %q, want %q", body, awsSTSBody)
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded; charset=utf-8" {
					t.Errorf("Content-Type %q", ct)
				}
				if got := r.Header.Get("X-Amz-Security-Token"); got != c.token {
					t.Errorf("X-Amz-Security-Token %q, want %q", got, c.token)
				}
				when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
				if err != nil || time.Since(when).Abs() > 5*time.Minute {
					t.Errorf("X-Amz-Date %q is not now", r.Header.Get("X-Amz-Date"))
				}
				auth := r.Header.Get("Authorization")
				scope := c.keyID + "/" + when.Format("20060102") + "/us-east-1/sts/aws4_request"
				if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+scope+", ") {
					t.Errorf("Authorization %q, want the scope %s", auth, scope)
				}
				// Re-sign what was received, every header but the two the
				// signer never covers, with the SDK's signer.
				again := r.Clone(context.Background())
				again.Header.Del("Authorization")
				sum := sha256.Sum256(body)
				creds := aws.Credentials{AccessKeyID: c.keyID, SecretAccessKey: secret, SessionToken: c.token}
				if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), "sts", "us-east-1", when); err != nil {
					t.Fatal(err)
				}
				if want := again.Header.Get("Authorization"); auth != want {
					t.Errorf("the signature does not cover the request received:\n got %s\nwant %s", auth, want)
					stsError(w, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
					return
				}
				w.Header().Set("Content-Type", "text/xml")
				io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/deploy</Arn><UserId>AIDAJQABLZS4A3QDU576Q</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
			}))
			defer srv.Close()
			v, _ := New(Options{Getenv: func(k string) string {
				if k == "AWS_ENDPOINT_URL_STS" {
					return srv.URL + c.path
				}
				return ""
			}})
			fs := pairFindings(c.keyID, secret)
			if c.token != "" {
				tok := finding(ruleAWSSession, c.token)
				tok.Line = 3
				fs = append(fs, tok)
			}
			v.Verify(context.Background(), fs)
			if got := fs[0].Verification; got.Status != scanner.VerifyValid || requests.Load() != 1 {
				t.Errorf("got %+v after %d requests, want valid after 1", got, requests.Load())
			}
		})
	}
}
