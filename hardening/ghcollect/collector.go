// Package ghcollect reads GitHub organisations and repositories into
// hardening snapshots. It is the only importer of go-github. It owns
// pagination (every list, including the ruleset lists go-github v60 cannot
// page), rate limits (waiting out a spent primary limit, honouring
// Retry-After on secondary limits), conditional requests with an ETag cache,
// and telling "not protected" from "not allowed to see". A repository that
// cannot be read is recorded as such in the snapshot; it never aborts an
// organisation's audit.
package ghcollect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/rampart-sec/rampart/hardening"
)

// Options configure a Collector.
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
	// Workers bounds how many repositories are collected at once
	// (default 8, far below GitHub's limit of 100 concurrent requests).
	Workers int
	// IncludeArchived audits archived repositories too.
	IncludeArchived bool
	// Shard restricts an organisation audit to one shard of its
	// repositories.
	Shard hardening.Shard
	// MaxRepos, if positive, stops after that many repositories (doctor
	// probes with one).
	MaxRepos int
	// PerPage is the page size for lists (default 100, GitHub's maximum).
	PerPage int
	// MaxRetries bounds retries per request on rate limits and 5xx
	// (default 5).
	MaxRetries int
	// Sleep waits on rate limits (default RealSleep); inject one in tests.
	Sleep Sleeper
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnRepo, if set, is called after each repository is collected, from
	// worker goroutines.
	OnRepo func(done, total int, fullName string)
	// UserAgent is sent with every request.
	UserAgent string
}

// Collector reads GitHub state into snapshots. It is safe for concurrent
// use.
type Collector struct {
	gh      *github.Client
	opt     Options
	limiter *limitTransport

	// rulesets caches ruleset details by source and ID for one run: an
	// organisation ruleset is the same for every repository.
	rsMu     sync.Mutex
	rulesets map[string]*hardening.Ruleset
}

// New returns a Collector.
func New(opt Options) (*Collector, error) {
	if opt.Workers <= 0 {
		opt.Workers = 8
	}
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
		opt.UserAgent = "rampart-audit"
	}
	lim := &limitTransport{
		base: opt.Transport, token: opt.Token, userAgent: opt.UserAgent, sleep: opt.Sleep, now: opt.Now,
		maxRetries: opt.MaxRetries, remaining: -1, limit: -1,
	}
	var rt http.RoundTripper = lim
	if opt.Cache != nil {
		rt = &etagTransport{next: lim, cache: opt.Cache, identity: tokenIdentity(opt.Token)}
	}
	gh := github.NewClient(&http.Client{Transport: rt})
	if opt.APIURL != "" {
		u, err := url.Parse(opt.APIURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("ghcollect: bad API URL %q: want e.g. https://github.example.com/api/v3/", opt.APIURL)
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		gh.BaseURL = u
	}
	return &Collector{gh: gh, opt: opt, limiter: lim, rulesets: map[string]*hardening.Ruleset{}}, nil
}

// Stats returns the HTTP traffic so far.
func (c *Collector) Stats() Stats { return c.limiter.stats() }

// APIURL returns the API root in use.
func (c *Collector) APIURL() string { return c.gh.BaseURL.String() }

// ErrNotFound is returned when the organisation or repository to audit does
// not exist or is not visible to the token.
var ErrNotFound = errors.New("ghcollect: not found or not visible to this token")

func (c *Collector) newSnapshot() *hardening.Snapshot {
	s := &hardening.Snapshot{Version: hardening.SnapshotVersion, CollectedAt: c.opt.Now().UTC(), APIURL: c.APIURL()}
	if c.opt.Shard.Count > 1 {
		s.Shard = c.opt.Shard.String()
	}
	return s
}

// Repo collects one repository (and nothing about its organisation).
func (c *Collector) Repo(ctx context.Context, owner, name string) (*hardening.Snapshot, error) {
	r, _, err := c.gh.Repositories.Get(ctx, owner, name)
	if err != nil {
		if isStatus(err, http.StatusNotFound) {
			return nil, fmt.Errorf("repository %s/%s: %w", owner, name, ErrNotFound)
		}
		return nil, fmt.Errorf("ghcollect: get repository %s/%s: %w", owner, name, err)
	}
	snap := c.newSnapshot()
	snap.Repos = []*hardening.RepoSnapshot{c.collectRepo(ctx, r, nil)}
	return snap, nil
}

// Org collects an organisation's settings and every repository it lists
// (archived ones only with IncludeArchived; only the shard's with Shard).
func (c *Collector) Org(ctx context.Context, org string) (*hardening.Snapshot, error) {
	o, _, err := c.gh.Organizations.Get(ctx, org)
	if err != nil {
		if isStatus(err, http.StatusNotFound) {
			return nil, fmt.Errorf("organisation %s: %w", org, ErrNotFound)
		}
		return nil, fmt.Errorf("ghcollect: get organisation %s: %w", org, err)
	}
	snap := c.newSnapshot()
	snap.Org = c.collectOrg(ctx, o)
	repos, err := c.listOrgRepos(ctx, org)
	if err != nil {
		return nil, err
	}
	var outside map[string]bool
	if snap.Org.OutsideCollaborators.OK() {
		outside = map[string]bool{}
		for _, l := range snap.Org.OutsideCollaborators.Logins {
			outside[strings.ToLower(l)] = true
		}
	}
	snap.Repos = c.collectRepos(ctx, repos, outside)
	return snap, nil
}

// listOrgRepos lists the organisation's repositories to audit.
func (c *Collector) listOrgRepos(ctx context.Context, org string) ([]*github.Repository, error) {
	var out []*github.Repository
	opt := &github.RepositoryListByOrgOptions{Type: "all", Sort: "full_name", ListOptions: github.ListOptions{PerPage: c.opt.PerPage}}
	for {
		page, resp, err := c.gh.Repositories.ListByOrg(ctx, org, opt)
		if err != nil {
			return nil, fmt.Errorf("ghcollect: list repositories of %s: %w", org, err)
		}
		for _, r := range page {
			if r.GetArchived() && !c.opt.IncludeArchived {
				continue
			}
			if !c.opt.Shard.Contains(r.GetFullName()) {
				continue
			}
			out = append(out, r)
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	sort.Slice(out, func(i, j int) bool {
		return strings.ToLower(out[i].GetFullName()) < strings.ToLower(out[j].GetFullName())
	})
	if c.opt.MaxRepos > 0 && len(out) > c.opt.MaxRepos {
		out = out[:c.opt.MaxRepos]
	}
	return out, nil
}

// collectRepos collects repositories with a bounded pool of workers.
func (c *Collector) collectRepos(ctx context.Context, repos []*github.Repository, outside map[string]bool) []*hardening.RepoSnapshot {
	out := make([]*hardening.RepoSnapshot, len(repos))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	workers := min(c.opt.Workers, max(len(repos), 1))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i] = c.collectRepo(ctx, repos[i], outside)
				if c.opt.OnRepo != nil {
					mu.Lock()
					done++
					n := done
					mu.Unlock()
					c.opt.OnRepo(n, len(repos), repos[i].GetFullName())
				}
			}
		}()
	}
	for i := range repos {
		if ctx.Err() != nil {
			break
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for i, r := range out {
		if r == nil { // cancelled before it started
			out[i] = &hardening.RepoSnapshot{FullName: repos[i].GetFullName(), Owner: repos[i].GetOwner().GetLogin(),
				Name: repos[i].GetName(), Error: "not collected: " + context.Cause(ctx).Error()}
		}
	}
	return out
}

// readOf turns an API error into a read state. A 403 or 404 means the token
// may not see the resource (GitHub answers 404 rather than 403 on admin
// endpoints to hide what exists); anything else is a failure.
func readOf(err error) hardening.Read {
	if err == nil {
		return hardening.Read{State: hardening.ReadOK}
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		detail := fmt.Sprintf("HTTP %d", er.Response.StatusCode)
		if er.Response.Request != nil {
			detail = fmt.Sprintf("%s %s: HTTP %d", er.Response.Request.Method, er.Response.Request.URL.Path, er.Response.StatusCode)
		}
		if er.Message != "" {
			detail += " " + er.Message
		}
		switch er.Response.StatusCode {
		case http.StatusForbidden, http.StatusNotFound:
			return hardening.Read{State: hardening.ReadDenied, Detail: detail}
		}
		return hardening.Read{State: hardening.ReadFailed, Detail: detail}
	}
	return hardening.Read{State: hardening.ReadFailed, Detail: err.Error()}
}

func isStatus(err error, code int) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == code
}

// paginate calls fetch for page 1, 2, … until the Link header has no next
// page.
func paginate(perPage int, fetch func(opt github.ListOptions) (*github.Response, error)) error {
	opt := github.ListOptions{PerPage: perPage}
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

// getPaged GETs a list endpoint go-github cannot page (or cannot decode)
// into T, page by page, following Link headers.
func getPaged[T any](ctx context.Context, c *Collector, path string, query url.Values) ([]T, error) {
	var out []T
	page := 0
	for {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("per_page", fmt.Sprint(c.opt.PerPage))
		if page > 0 {
			q.Set("page", fmt.Sprint(page))
		}
		req, err := c.gh.NewRequest(http.MethodGet, path+"?"+q.Encode(), nil)
		if err != nil {
			return nil, fmt.Errorf("ghcollect: %s: %w", path, err)
		}
		var items []T
		resp, err := c.gh.Do(ctx, req, &items)
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

func ptrBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	v := *b
	return &v
}
