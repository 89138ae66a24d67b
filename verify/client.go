package verify

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// RequestTimeout bounds one request to a provider.
const RequestTimeout = 10 * time.Second

// maxBody is the most of a provider's answer read: identity calls answer in
// a few KB, and nothing more is needed to judge them.
const maxBody = 1 << 20

// ErrInsecureEndpoint is returned for an endpoint a secret must not be sent
// to: anything but HTTPS, except plain HTTP to a loopback address (tests).
var ErrInsecureEndpoint = errors.New("verify: refusing to send a secret over plain HTTP to a non-loopback host")

// ErrRedirect is returned when a provider redirects to another host: the
// secret would follow the request to a host it does not belong to.
var ErrRedirect = errors.New("verify: refusing a redirect to another host")

// CheckEndpoint reports whether a secret may be sent to u: HTTPS anywhere,
// plain HTTP only to a loopback address.
func CheckEndpoint(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "https":
		if u.Host == "" {
			return fmt.Errorf("verify: endpoint %q has no host", u.Redacted())
		}
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%w (%s)", ErrInsecureEndpoint, u.Host)
	}
	return fmt.Errorf("verify: endpoint scheme %q is not https", u.Scheme)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// guard refuses, at the transport, every request CheckEndpoint refuses, so
// no code path (the AWS SDK's included) can send a secret in the clear.
type guard struct{ next http.RoundTripper }

func (g guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := CheckEndpoint(req.URL); err != nil {
		return nil, err
	}
	return g.next.RoundTrip(req)
}

// newHTTPClient returns the only client verification uses: HTTPS (or
// loopback HTTP), a timeout (10 s unless a test says otherwise), and redirects followed only within the
// same host (and scheme), at most three.
func newHTTPClient(base http.RoundTripper, timeout time.Duration) *http.Client {
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 8
		base = t
	}
	return &http.Client{
		Transport: guard{next: base},
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			first := via[0].URL
			if !strings.EqualFold(req.URL.Host, first.Host) || !strings.EqualFold(req.URL.Scheme, first.Scheme) {
				return fmt.Errorf("%w (%s to %s)", ErrRedirect, first.Host, req.URL.Host)
			}
			if len(via) >= 3 {
				return errors.New("verify: too many redirects")
			}
			return CheckEndpoint(req.URL)
		},
	}
}
