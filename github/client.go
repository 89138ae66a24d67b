// Package github is rampart's GitHub REST client, shared by everything that
// talks to GitHub (the audit's collector, the organisation-wide secret
// scan) so that neither imports the other. It owns go-github behind one
// transport that sends the token, counts requests, waits out spent primary
// rate limits, honours Retry-After on secondary limits, backs off on 5xx
// and makes GETs conditional through an ETag cache; pagination (go-github's
// Link parsing, and lists go-github cannot page); the API root (github.com
// or GitHub Enterprise Server); and token discovery. What a caller reads
// with it, and what a reading means, is the caller's business.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// Options configure a Client.
type Options struct {
	// Token authenticates every request; it is sent in the Authorization
	// header and never logged or stored (the ETag cache keys on a hash).
	Token string
	// APIURL is the REST API root: https://api.github.com/ (default) or,
	// for GitHub Enterprise Server, https://HOST/api/v3/.
	APIURL string
	// Transport is the base HTTP transport (default http.DefaultTransport).
	Transport http.RoundTripper
	// Cache enables conditional requests; nil disables them.
	Cache Cache
	// PerPage is the page size for lists (default 100, GitHub's maximum).
	PerPage int
	// MaxRetries bounds retries per request on rate limits and 5xx
	// (default 5).
	MaxRetries int
	// Sleep waits on rate limits (default RealSleep); inject one in tests.
	Sleep Sleeper
	// Now is the clock (default time.Now).
	Now func() time.Time
	// UserAgent is sent with every request (default "rampart").
	UserAgent string
}

// Client is a go-github client behind rampart's transport. It is safe for
// concurrent use.
type Client struct {
	// REST is the go-github client; every request it makes goes through the
	// token, rate-limit and ETag transport.
	REST *gh.Client

	perPage int
	limiter *limitTransport
}

// New returns a Client. The only error is a malformed APIURL.
func New(opt Options) (*Client, error) {
	if opt.PerPage <= 0 || opt.PerPage > 100 {
		opt.PerPage = 100
	}
	if opt.MaxRetries <= 0 {
		opt.MaxRetries = 5
	}
	if opt.Sleep == nil {
		opt.Sleep = RealSleep
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Transport == nil {
		opt.Transport = http.DefaultTransport
	}
	if opt.UserAgent == "" {
		opt.UserAgent = "rampart"
	}
	lim := &limitTransport{
		base: opt.Transport, token: opt.Token, userAgent: opt.UserAgent, sleep: opt.Sleep, now: opt.Now,
		maxRetries: opt.MaxRetries, remaining: -1, limit: -1,
	}
	var rt http.RoundTripper = lim
	if opt.Cache != nil {
		rt = &etagTransport{next: lim, cache: opt.Cache, identity: tokenIdentity(opt.Token)}
	}
	rest := gh.NewClient(&http.Client{Transport: rt})
	if opt.APIURL != "" {
		u, err := ParseAPIURL(opt.APIURL)
		if err != nil {
			return nil, err
		}
		rest.BaseURL = u
	}
	return &Client{REST: rest, perPage: opt.PerPage, limiter: lim}, nil
}

// ParseAPIURL checks a REST API root and gives it the trailing slash
// go-github needs.
func ParseAPIURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("github: bad API URL %q: want e.g. https://github.example.com/api/v3/", s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// Stats returns the HTTP traffic so far.
func (c *Client) Stats() Stats { return c.limiter.stats() }

// APIURL returns the API root in use.
func (c *Client) APIURL() string { return c.REST.BaseURL.String() }

// PerPage is the page size lists use.
func (c *Client) PerPage() int { return c.perPage }

// IsStatus reports whether err is a GitHub API answer with the HTTP status
// code.
func IsStatus(err error, code int) bool {
	var er *gh.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == code
}

// Paginate calls fetch for page 1, 2, … until the Link header has no next
// page.
func Paginate(perPage int, fetch func(opt gh.ListOptions) (*gh.Response, error)) error {
	opt := gh.ListOptions{PerPage: perPage}
	for {
		resp, err := fetch(opt)
		if err != nil {
			return err
		}
		if resp == nil || resp.NextPage == 0 {
			return nil
		}
		opt.Page = resp.NextPage
	}
}

// GetPaged GETs a list endpoint go-github cannot page (or cannot decode)
// into T, page by page, following Link headers. path is relative to the API
// root.
func GetPaged[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	var out []T
	page := 0
	for {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("per_page", fmt.Sprint(c.perPage))
		if page > 0 {
			q.Set("page", fmt.Sprint(page))
		}
		req, err := c.REST.NewRequest(http.MethodGet, path+"?"+q.Encode(), nil)
		if err != nil {
			return nil, fmt.Errorf("github: %s: %w", path, err)
		}
		var items []T
		resp, err := c.REST.Do(ctx, req, &items)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if resp.NextPage == 0 {
			return out, nil
		}
		page = resp.NextPage
	}
}

// ErrNotFound is returned when an organisation or repository does not exist
// or is not visible to the token (GitHub does not tell the two apart).
var ErrNotFound = errors.New("github: not found or not visible to this token")

// ListOrgRepos lists every repository of an organisation (type=all, every
// page), sorted by lower-cased full name so that callers see a stable order
// however GitHub pages. Filtering (archived, forks, shards) is the caller's.
func (c *Client) ListOrgRepos(ctx context.Context, org string) ([]*gh.Repository, error) {
	var out []*gh.Repository
	opt := &gh.RepositoryListByOrgOptions{Type: "all", Sort: "full_name", ListOptions: gh.ListOptions{PerPage: c.perPage}}
	for {
		page, resp, err := c.REST.Repositories.ListByOrg(ctx, org, opt)
		if err != nil {
			if IsStatus(err, http.StatusNotFound) {
				return nil, fmt.Errorf("organisation %s: %w", org, ErrNotFound)
			}
			return nil, fmt.Errorf("github: list repositories of %s: %w", org, err)
		}
		out = append(out, page...)
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.ToLower(out[i].GetFullName()) < strings.ToLower(out[j].GetFullName())
	})
	return out, nil
}

// Repo reads one repository.
func (c *Client) Repo(ctx context.Context, owner, name string) (*gh.Repository, error) {
	r, _, err := c.REST.Repositories.Get(ctx, owner, name)
	if err != nil {
		if IsStatus(err, http.StatusNotFound) {
			return nil, fmt.Errorf("repository %s/%s: %w", owner, name, ErrNotFound)
		}
		return nil, fmt.Errorf("github: get repository %s/%s: %w", owner, name, err)
	}
	return r, nil
}
