package github

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// WaitReason says why the collector is waiting.
type WaitReason string

// The reasons to wait.
const (
	// WaitPrimary: the primary rate limit is spent; wait until it resets.
	WaitPrimary WaitReason = "primary rate limit"
	// WaitSecondary: GitHub asked to slow down (Retry-After, or a
	// secondary-limit message without one).
	WaitSecondary WaitReason = "secondary rate limit"
	// WaitServer: a 502/503/504, retried with back-off.
	WaitServer WaitReason = "server error"
)

// Sleeper waits d, or until ctx is done. Tests inject one that records the
// wait and returns at once.
type Sleeper func(ctx context.Context, d time.Duration, why WaitReason) error

// RealSleep is the default Sleeper.
func RealSleep(ctx context.Context, d time.Duration, _ WaitReason) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ErrRateLimited is returned when the rate limit stays exhausted after the
// allowed retries.
var ErrRateLimited = errors.New("github: rate limit still exceeded after retries")

// Stats counts HTTP traffic. Counted requests are the ones GitHub charges
// against the rate limit: every request except a 304 Not Modified answer to
// a conditional request.
type Stats struct {
	Requests    int64         `json:"requests"`
	NotModified int64         `json:"not_modified"`
	Retries     int64         `json:"retries"`
	Waits       int64         `json:"waits"`
	Waited      time.Duration `json:"waited_ns"`
	// RateRemaining and RateLimit are the last values GitHub reported
	// (-1 if none yet).
	RateRemaining int64     `json:"rate_remaining"`
	RateLimit     int64     `json:"rate_limit"`
	RateReset     time.Time `json:"rate_reset,omitzero"`
}

// Counted returns the requests that cost rate limit.
func (s Stats) Counted() int64 { return s.Requests - s.NotModified }

// limitTransport sends requests with the token, counts them, and owns rate
// limiting: it waits out a spent primary limit (until X-RateLimit-Reset),
// honours Retry-After on secondary limits, backs off on 5xx, and removes
// the X-RateLimit-* headers before go-github sees them, so go-github's own
// client-side refusal ("rate limit still exceeded, not making remote
// request") never short-circuits the waiting done here.
type limitTransport struct {
	base       http.RoundTripper
	token      string
	userAgent  string
	sleep      Sleeper
	now        func() time.Time
	maxRetries int

	requests, notModified, retries, waits, waitedNS atomic.Int64

	mu        sync.Mutex
	remaining int64
	limit     int64
	reset     time.Time
}

var _ http.RoundTripper = (*limitTransport)(nil)

func (t *limitTransport) stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Stats{
		Requests: t.requests.Load(), NotModified: t.notModified.Load(), Retries: t.retries.Load(),
		Waits: t.waits.Load(), Waited: time.Duration(t.waitedNS.Load()),
		RateRemaining: t.remaining, RateLimit: t.limit, RateReset: t.reset,
	}
}

func (t *limitTransport) wait(ctx context.Context, d time.Duration, why WaitReason) error {
	if d < 0 {
		d = 0
	}
	t.waits.Add(1)
	t.waitedNS.Add(int64(d))
	return t.sleep(ctx, d, why)
}

// waitIfSpent blocks while the last response said the primary limit is
// spent and its reset is still ahead.
func (t *limitTransport) waitIfSpent(ctx context.Context) error {
	t.mu.Lock()
	spent := t.remaining == 0 && t.now().Before(t.reset)
	reset := t.reset
	t.mu.Unlock()
	if !spent {
		return nil
	}
	if err := t.wait(ctx, reset.Sub(t.now())+time.Second, WaitPrimary); err != nil {
		return err
	}
	t.mu.Lock()
	if t.reset.Equal(reset) {
		t.remaining = -1 // the window has turned over; find out afresh
	}
	t.mu.Unlock()
	return nil
}

func (t *limitTransport) track(h http.Header) {
	rem, err1 := strconv.ParseInt(h.Get("X-RateLimit-Remaining"), 10, 64)
	if err1 != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.remaining = rem
	if l, err := strconv.ParseInt(h.Get("X-RateLimit-Limit"), 10, 64); err == nil {
		t.limit = l
	}
	if r, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		t.reset = time.Unix(r, 0)
	}
}

// RoundTrip implements http.RoundTripper.
func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("github: read request body: %w", err)
		}
		body = b
	}
	for attempt := 0; ; attempt++ {
		if err := t.waitIfSpent(ctx); err != nil {
			return nil, err
		}
		r := req.Clone(ctx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		if t.token != "" {
			r.Header.Set("Authorization", "Bearer "+t.token)
		}
		if t.userAgent != "" {
			r.Header.Set("User-Agent", t.userAgent)
		}
		// GitHub documents application/vnd.github+json for every REST
		// call, with the API version header; go-github sends the older
		// v3+json and long-retired preview types (mercy, nebula, …, all
		// now part of the API). Other media types (raw, diff) stay.
		if jsonMediaType(r.Header.Get("Accept")) {
			r.Header.Set("Accept", "application/vnd.github+json")
		}
		if r.Header.Get("X-GitHub-Api-Version") == "" {
			r.Header.Set("X-GitHub-Api-Version", "2022-11-28")
		}
		resp, err := t.base.RoundTrip(r)
		t.requests.Add(1)
		if err != nil {
			return nil, err
		}
		t.track(resp.Header)
		if resp.StatusCode == http.StatusNotModified {
			t.notModified.Add(1)
		}
		d, why, retry := t.retryAfter(resp, attempt)
		if !retry {
			stripRateHeaders(resp.Header)
			return resp, nil
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if attempt >= t.maxRetries {
			if why == WaitServer {
				return nil, fmt.Errorf("github: %s %s: HTTP %d after %d attempts", req.Method, req.URL.Path, resp.StatusCode, attempt+1)
			}
			return nil, fmt.Errorf("%w (%s, %s %s, %d attempts)", ErrRateLimited, why, req.Method, req.URL.Path, attempt+1)
		}
		t.retries.Add(1)
		if err := t.wait(ctx, d, why); err != nil {
			return nil, err
		}
		if why == WaitPrimary {
			t.mu.Lock()
			t.remaining = -1 // waited for the reset: do not wait for it again
			t.mu.Unlock()
		}
	}
}

// retryAfter decides whether resp asks for a retry, and after how long. A
// 403 that is neither kind of rate limit is a permission answer and is
// passed through.
func (t *limitTransport) retryAfter(resp *http.Response, attempt int) (time.Duration, WaitReason, bool) {
	switch resp.StatusCode {
	case http.StatusForbidden, http.StatusTooManyRequests:
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if resp.Request != nil && resp.Request.Method != http.MethodGet {
			return 0, "", false
		}
		return time.Duration(1<<attempt) * time.Second, WaitServer, true
	default:
		return 0, "", false
	}
	h := resp.Header
	if ra := h.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second, WaitSecondary, true
		}
		if when, err := http.ParseTime(ra); err == nil {
			return when.Sub(t.now()), WaitSecondary, true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if r, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return time.Unix(r, 0).Sub(t.now()) + time.Second, WaitPrimary, true
		}
		return time.Minute, WaitPrimary, true
	}
	// A secondary limit without Retry-After: the message says so. Peek at
	// the body and put it back.
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	msg := strings.ToLower(string(b))
	if strings.Contains(msg, "secondary rate limit") || strings.Contains(msg, "abuse detection") {
		// GitHub: wait at least a minute, then back off exponentially.
		return time.Duration(1<<attempt) * time.Minute, WaitSecondary, true
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return time.Duration(1<<attempt) * time.Minute, WaitSecondary, true
	}
	return 0, "", false
}

func stripRateHeaders(h http.Header) {
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-ratelimit-") {
			h.Del(k)
		}
	}
}

// Cache stores conditional-request entries. Implementations must be safe
// for concurrent use.
type Cache interface {
	Get(key string) (*CacheEntry, bool)
	Put(key string, e *CacheEntry) error
}

// CacheEntry is one cached 200 response.
type CacheEntry struct {
	ETag         string              `json:"etag,omitempty"`
	LastModified string              `json:"last_modified,omitempty"`
	Header       map[string][]string `json:"header,omitempty"`
	Body         []byte              `json:"body"`
}

// etagTransport makes GETs conditional: it sends the cached ETag (or
// Last-Modified) and turns a 304 into the cached 200, so go-github decodes
// it as usual and GitHub does not charge it against the rate limit. Keys
// include a hash of the token, since what a token may see differs.
type etagTransport struct {
	next     http.RoundTripper
	cache    Cache
	identity string
}

var _ http.RoundTripper = (*etagTransport)(nil)

// keptHeaders are the response headers replayed from the cache.
var keptHeaders = []string{"Content-Type", "Link", "X-OAuth-Scopes", "X-Accepted-OAuth-Scopes", "X-GitHub-Media-Type"}

func (t *etagTransport) key(req *http.Request) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", t.identity, req.Method, req.URL.String(), req.Header.Get("Accept"))
	return hex.EncodeToString(h.Sum(nil))
}

// RoundTrip implements http.RoundTripper.
func (t *etagTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		return t.next.RoundTrip(req)
	}
	key := t.key(req)
	cached, ok := t.cache.Get(key)
	r := req
	if ok {
		r = req.Clone(req.Context())
		if cached.ETag != "" {
			r.Header.Set("If-None-Match", cached.ETag)
		} else if cached.LastModified != "" {
			r.Header.Set("If-Modified-Since", cached.LastModified)
		}
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotModified && ok {
		resp.Body.Close()
		h := http.Header{}
		for k, v := range cached.Header {
			h[k] = append([]string(nil), v...)
		}
		for k, v := range resp.Header { // fresher values from the 304 win
			if len(v) > 0 && k != "Content-Length" {
				h[k] = v
			}
		}
		h.Set("X-From-Cache", "1")
		return &http.Response{
			Status: "200 OK", StatusCode: http.StatusOK, Proto: resp.Proto, ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor,
			Header: h, Body: io.NopCloser(bytes.NewReader(cached.Body)), ContentLength: int64(len(cached.Body)), Request: req,
		}, nil
	}
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if resp.StatusCode != http.StatusOK || (etag == "" && lm == "") {
		return resp, nil
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("github: read %s: %w", req.URL.Path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	e := &CacheEntry{ETag: etag, LastModified: lm, Header: map[string][]string{}, Body: b}
	for _, k := range keptHeaders {
		if v := resp.Header.Values(k); len(v) > 0 {
			e.Header[k] = v
		}
	}
	_ = t.cache.Put(key, e) // a cache that cannot write only costs rate limit
	return resp, nil
}

// tokenIdentity is a one-way hash naming the token in cache keys; the
// token itself is never stored.
func tokenIdentity(token string) string {
	s := sha256.Sum256([]byte("rampart-etag\x00" + token))
	return hex.EncodeToString(s[:8])
}

// jsonMediaType reports whether accept asks only for GitHub's JSON (v3 or
// a preview of it), or for nothing in particular.
func jsonMediaType(accept string) bool {
	for _, t := range strings.Split(accept, ",") {
		t = strings.TrimSpace(t)
		switch {
		case t == "", t == "application/json", t == "application/vnd.github+json", t == "application/vnd.github.v3+json":
		case strings.HasPrefix(t, "application/vnd.github.") && strings.HasSuffix(t, "-preview+json"):
		default:
			return false
		}
	}
	return true
}
