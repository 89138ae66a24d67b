package verify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

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
const awsEndpoint = "POST https://sts.us-east-1.amazonaws.com/ Action=GetCallerIdentity (SigV4-signed with the key pair, through the AWS SDK)"

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
// AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL (the SDKs' standard names).
func awsEndpointOverride(getenv func(string) string) string {
	if v := getenv("AWS_ENDPOINT_URL_STS"); v != "" {
		return v
	}
	return getenv("AWS_ENDPOINT_URL")
}

// checkAWS calls STS GetCallerIdentity with the credential, signed by the
// AWS SDK. The call needs no IAM permission (an explicit deny cannot block
// it), so a refusal means the key is dead.
func (v *Verifier) checkAWS(ctx context.Context, c awsCred) answer {
	opts := sts.Options{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(c.keyID, c.secret, c.token),
		HTTPClient:  v.client,
		Retryer:     aws.NopRetryer{},
		AppID:       "rampart-verify",
	}
	if ep := awsEndpointOverride(v.getenv); ep != "" {
		u, err := url.Parse(ep)
		if err != nil || u.Host == "" {
			return answer{status: scanner.VerifyUnknown, detail: "bad STS endpoint override"}
		}
		if err := CheckEndpoint(u); err != nil {
			return networkAnswer(err)
		}
		opts.BaseEndpoint = aws.String(ep)
	}
	client := sts.New(opts)
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil {
		arn, acct := aws.ToString(out.Arn), aws.ToString(out.Account)
		return answer{status: scanner.VerifyValid, identity: arn, detail: "AWS account " + acct + " (STS GetCallerIdentity)"}
	}
	if errors.Is(err, ErrInsecureEndpoint) || errors.Is(err, ErrRedirect) || errors.Is(err, context.DeadlineExceeded) {
		return networkAnswer(err)
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.ErrorCode()
		switch code {
		case "InvalidClientTokenId":
			d := "AWS does not know this access key ID (InvalidClientTokenId): deleted or never real"
			if c.token != "" {
				d = "AWS rejected the temporary credential (InvalidClientTokenId)"
			}
			return answer{status: scanner.VerifyInvalid, detail: d}
		case "SignatureDoesNotMatch":
			return answer{status: scanner.VerifyInvalid, detail: "the secret key does not belong to this access key ID (SignatureDoesNotMatch)"}
		case "ExpiredToken", "ExpiredTokenException":
			return answer{status: scanner.VerifyInvalid, detail: "the session token has expired (ExpiredToken)"}
		case "Throttling", "ThrottlingException", "RequestLimitExceeded":
			return answer{status: scanner.VerifyUnknown, detail: "rate limited by AWS (" + code + ")", retry: true, limited: true, wait: awsRetryAfter(err)}
		}
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
			return answer{status: scanner.VerifyUnknown, detail: fmt.Sprintf("AWS error: HTTP %d (%s)", re.HTTPStatusCode(), code), retry: true}
		}
		return answer{status: scanner.VerifyUnknown, detail: "unexpected AWS answer: " + code}
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() > 0 {
		a := answer{status: scanner.VerifyUnknown, detail: fmt.Sprintf("unexpected AWS answer: HTTP %d", re.HTTPStatusCode())}
		if re.HTTPStatusCode() >= 500 {
			a.retry = true
			a.detail = fmt.Sprintf("AWS error: HTTP %d", re.HTTPStatusCode())
		}
		return a
	}
	return networkAnswer(err)
}

func awsRetryAfter(err error) time.Duration {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return retryAfter(re.Response.Header.Get("Retry-After"))
	}
	return retryAfter("")
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
