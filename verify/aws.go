package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rampart-sec/rampart/scanner"
)

// The AWS rules verification links. Their IDs are the catalogue's.
const (
	ruleAWSKeyID        = "aws-access-key-id"
	ruleAWSSecret       = "aws-secret-access-key"
	ruleAWSSecretPaired = "aws-secret-access-key-paired"
	ruleAWSSession      = "aws-session-token"
)

// awsProvider names AWS in rate limits and reports.
const awsProvider = "AWS"

// awsEndpoint is what `rampart rules show` prints for the AWS rules.
const awsEndpoint = "POST https://sts.us-east-1.amazonaws.com/ Action=GetCallerIdentity&Version=2011-06-15 (SigV4-signed with the key pair, by the AWS SDK's signer)"

func isAWSRule(id string) bool {
	switch id {
	case ruleAWSKeyID, ruleAWSSecret, ruleAWSSecretPaired, ruleAWSSession:
		return true
	}
	return false
}

func isAWSSecretRule(id string) bool { return id == ruleAWSSecret || id == ruleAWSSecretPaired }

// awsCred is one AWS credential to check: a key ID, its secret key and, for
// a temporary key, its session token.
type awsCred struct {
	keyID, secret, token string
}

// awsEndpointOverride returns the STS endpoint override, if any:
// AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL (the SDKs' standard names),
// and none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true, the SDKs'
// switch for ignoring them all.
func awsEndpointOverride(getenv func(string) string) string {
	if strings.EqualFold(strings.TrimSpace(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")), "true") {
		return ""
	}
	if v := getenv("AWS_ENDPOINT_URL_STS"); v != "" {
		return v
	}
	return getenv("AWS_ENDPOINT_URL")
}

// awsSigningRegion is the region a request to an overridden STS endpoint
// is signed for: the region a regional STS host names
// (sts.eu-west-1.amazonaws.com, its dual-stack twin sts.eu-west-1.api.aws,
// an interface VPC endpoint vpce-….sts.eu-west-1.vpce.amazonaws.com),
// us-east-1 for the global one, else the configured region (AWS_REGION,
// AWS_DEFAULT_REGION), as the SDKs sign for a custom endpoint, else
// us-east-1.
func awsSigningRegion(host string, getenv func(string) string) string {
	h := strings.ToLower(host)
	for _, suffix := range []string{".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".api.amazonwebservices.com.cn"} {
		name, ok := strings.CutSuffix(h, suffix)
		if !ok {
			continue
		}
		if vpce, ok := strings.CutSuffix(name, ".vpce"); ok && suffix == ".amazonaws.com" {
			// vpce-ID.sts.REGION: the endpoint's own label first.
			if _, rest, ok := strings.Cut(vpce, "."); ok {
				name = rest
			}
		}
		switch {
		case name == "sts" && suffix == ".amazonaws.com":
			return "us-east-1"
		case strings.HasPrefix(name, "sts.") || strings.HasPrefix(name, "sts-fips."):
			if r := name[strings.IndexByte(name, '.')+1:]; awsRegionPattern().MatchString(r) {
				return r
			}
		}
	}
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if r := strings.TrimSpace(getenv(k)); awsRegionPattern().MatchString(r) {
			return r
		}
	}
	return "us-east-1"
}

// awsRegionPattern is the shape of a region name (us-east-1, us-gov-west-1,
// cn-north-1): nothing else goes into a signing scope.
var awsRegionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`) })

// awsSTSBody is the whole GetCallerIdentity request: STS speaks the AWS
// query protocol, a form-encoded POST.
const awsSTSBody = "Action=GetCallerIdentity&Version=2011-06-15"

// checkAWS calls STS GetCallerIdentity with the credential, signed (SigV4)
// by the AWS SDK's signer. The call needs no IAM permission (an explicit deny
// cannot block it), so a refusal means the key is dead.
//
// Only the signer comes from the SDK: the request is one fixed form and the
// answer one of two small XML documents, while the SDK's generated STS client
// brought 32 more packages into every build of rampart for nothing rampart
// uses.
func (v *Verifier) checkAWS(ctx context.Context, c awsCred) answer {
	endpoint, region := "https://sts.us-east-1.amazonaws.com/", "us-east-1"
	if ep := awsEndpointOverride(v.getenv); ep != "" {
		u, err := url.Parse(ep)
		if err != nil || u.Host == "" {
			return answer{status: scanner.VerifyUnknown, detail: "bad STS endpoint override"}
		}
		if err := CheckEndpoint(u); err != nil {
			return networkAnswer(err)
		}
		if u.Path == "" {
			u.Path = "/"
		}
		endpoint = u.String()
		region = awsSigningRegion(u.Hostname(), v.getenv)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(awsSTSBody))
	if err != nil {
		return answer{status: scanner.VerifyUnknown, detail: "bad STS endpoint override"}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	// Set before signing, so that the transport adds no header of its own
	// (it would add Accept-Encoding: gzip) that the signature does not
	// cover: every header sent but User-Agent, which the SDK never signs,
	// is signed, and whoever recomputes the signature over the request it
	// received agrees with it.
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", v.userAgent)
	sum := sha256.Sum256([]byte(awsSTSBody))
	creds := aws.Credentials{AccessKeyID: c.keyID, SecretAccessKey: c.secret, SessionToken: c.token}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "sts", region, time.Now().UTC()); err != nil {
		return answer{status: scanner.VerifyUnknown, detail: "could not sign the STS request"}
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return networkAnswer(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return networkAnswer(err)
	}
	status := resp.StatusCode
	if status == http.StatusOK {
		var ok struct {
			Arn     string `xml:"GetCallerIdentityResult>Arn"`
			Account string `xml:"GetCallerIdentityResult>Account"`
		}
		if xml.Unmarshal(body, &ok) != nil || ok.Arn == "" {
			return answer{status: scanner.VerifyUnknown, detail: "unexpected AWS answer: HTTP 200 without a caller identity"}
		}
		return answer{status: scanner.VerifyValid, identity: ok.Arn, detail: "AWS account " + ok.Account + " (STS GetCallerIdentity)"}
	}
	var fail struct {
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
	}
	_ = xml.Unmarshal(body, &fail) // no code: judged by the status alone, below
	switch code := fail.Code; code {
	case "":
	case "InvalidClientTokenId":
		d := "AWS does not know this access key ID (InvalidClientTokenId): deleted or never real"
		if awsEndpointOverride(v.getenv) == "" {
			d += " (a key of the China or GovCloud partitions is checked only at its partition's STS: set AWS_ENDPOINT_URL_STS)"
		}
		if c.token != "" {
			d = "AWS rejected the temporary credential (InvalidClientTokenId)"
		}
		return answer{status: scanner.VerifyInvalid, detail: d}
	case "SignatureDoesNotMatch":
		if strings.Contains(strings.ToLower(fail.Message), "region") {
			// "Credential should be scoped to a valid region": the request
			// was signed for another region than the endpoint's, which says
			// nothing about the key.
			return answer{status: scanner.VerifyUnknown, detail: "STS refused the signing region " + region + " (set AWS_REGION to the endpoint's region)"}
		}
		return answer{status: scanner.VerifyInvalid, detail: "the secret key does not belong to this access key ID (SignatureDoesNotMatch)"}
	case "ExpiredToken", "ExpiredTokenException":
		return answer{status: scanner.VerifyInvalid, detail: "the session token has expired (ExpiredToken)"}
	case "Throttling", "ThrottlingException", "RequestLimitExceeded":
		return answer{status: scanner.VerifyUnknown, detail: "rate limited by AWS (" + code + ")", retry: true, limited: true, wait: retryAfter(resp.Header.Get("Retry-After"))}
	default:
		if status >= 500 {
			return answer{status: scanner.VerifyUnknown, detail: fmt.Sprintf("AWS error: HTTP %d (%s)", status, code), retry: true}
		}
		return answer{status: scanner.VerifyUnknown, detail: "unexpected AWS answer: " + code}
	}
	if status >= 500 {
		return answer{status: scanner.VerifyUnknown, detail: fmt.Sprintf("AWS error: HTTP %d", status), retry: true}
	}
	return answer{status: scanner.VerifyUnknown, detail: fmt.Sprintf("unexpected AWS answer: HTTP %d", status)}
}

// networkAnswer describes a failure to get any answer: unknown, worth one
// retry unless the endpoint itself was refused. The text never holds the
// request URL (which may hold the secret).
func networkAnswer(err error) answer {
	switch {
	case errors.Is(err, ErrRedirect):
		return answer{status: scanner.VerifyUnknown, detail: "the provider redirected to another host; refused"}
	case errors.Is(err, ErrInsecureEndpoint):
		return answer{status: scanner.VerifyUnknown, detail: "endpoint refused: plain HTTP to a non-loopback host"}
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return answer{status: scanner.VerifyUnknown, detail: "no answer within the time limit"}
	case errors.Is(err, context.Canceled):
		return answer{status: scanner.VerifyUnknown, detail: "cancelled"}
	}
	return answer{status: scanner.VerifyUnknown, detail: "network error: " + innermost(err), retry: true}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// innermost returns the message of the deepest wrapped error: a url.Error's
// inner error, without the URL.
func innermost(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			break
		}
		err = u
	}
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		return "request failed"
	}
	return msg
}
