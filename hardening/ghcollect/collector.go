// Package ghcollect reads GitHub organisations and repositories into
// hardening snapshots: the audit's reads, through the shared client in
// package github (transport, rate limits, ETag cache, pagination). It owns
// what the audit reads and telling "not protected" from "not allowed to
// see". A repository that cannot be read is recorded as such in the
// snapshot; it never aborts an organisation's audit.
package ghcollect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"

	ghclient "github.com/rampart-sec/rampart/github"
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
	Cache ghclient.Cache
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
	Sleep ghclient.Sleeper
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnRepo, if set, is called after each repository is collected, from
	// worker goroutines.
	OnRepo func(done, total int, fullName string)
	// UserAgent is sent with every request.
	UserAgent string
	// ReleaseBranches are the policy's release-branch globs: matching
	// branches get their protection read (default: the built-in policy's).
	ReleaseBranches []string
	// MaxBranches bounds the branch list read per repository (default
	// 1000); MaxReleaseBranches the release branches whose protection is
	// read (default 20); MaxWorkflowBranches the other branches whose
	// workflow files are read (default 200).
	MaxBranches, MaxReleaseBranches, MaxWorkflowBranches int
	// AuditLogDays is how far back the audit log is searched for each
	// privileged account (default 180, about what GitHub keeps).
	AuditLogDays int
	// ReadAuditIssues reads each repository's open rampart issue, for
	// `audit fix --open-issues`.
	ReadAuditIssues bool
}

// Collector reads GitHub state into snapshots. It is safe for concurrent
// use.
type Collector struct {
	api *ghclient.Client
	gh  *github.Client // api.REST
	opt Options

	// rulesets caches ruleset details by source and ID for one run: an
	// organisation ruleset is the same for every repository.
	rsMu     sync.Mutex
	rulesets map[string]*hardening.Ruleset

	// inherited caches, per owner, the SECURITY.md of the owner's public
	// .github repository.
	inhMu     sync.Mutex
	inherited map[string]*inheritedPolicy
}

// New returns a Collector.
func New(opt Options) (*Collector, error) {
	if opt.Workers <= 0 {
		opt.Workers = 8
	}
	if opt.PerPage <= 0 || opt.PerPage > 100 {
		opt.PerPage = 100
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.UserAgent == "" {
		opt.UserAgent = "rampart-audit"
	}
	if opt.ReleaseBranches == nil {
		opt.ReleaseBranches = hardening.DefaultPolicy().ReleaseBranches
	}
	if opt.MaxBranches <= 0 {
		opt.MaxBranches = 1000
	}
	if opt.MaxReleaseBranches <= 0 {
		opt.MaxReleaseBranches = 20
	}
	if opt.MaxWorkflowBranches <= 0 {
		opt.MaxWorkflowBranches = 200
	}
	if opt.AuditLogDays <= 0 {
		opt.AuditLogDays = 180
	}
	api, err := ghclient.New(ghclient.Options{
		Token: opt.Token, APIURL: opt.APIURL, Transport: opt.Transport, Cache: opt.Cache, PerPage: opt.PerPage,
		MaxRetries: opt.MaxRetries, Sleep: opt.Sleep, Now: opt.Now, UserAgent: opt.UserAgent,
	})
	if err != nil {
		return nil, err
	}
	return &Collector{api: api, gh: api.REST, opt: opt, rulesets: map[string]*hardening.Ruleset{}, inherited: map[string]*inheritedPolicy{}}, nil
}

// Stats returns the HTTP traffic so far.
func (c *Collector) Stats() ghclient.Stats { return c.api.Stats() }

// APIURL returns the API root in use.
func (c *Collector) APIURL() string { return c.api.APIURL() }

// ErrNotFound is returned when the organisation or repository to audit does
// not exist or is not visible to the token. It is the shared client's
// sentinel, so errors.Is holds whichever layer noticed.
var ErrNotFound = ghclient.ErrNotFound

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
	o, resp, err := c.gh.Organizations.Get(ctx, org)
	if err != nil {
		if isStatus(err, http.StatusNotFound) {
			return nil, fmt.Errorf("organisation %s: %w", org, ErrNotFound)
		}
		return nil, fmt.Errorf("ghcollect: get organisation %s: %w", org, err)
	}
	snap := c.newSnapshot()
	snap.Org = c.collectOrg(ctx, o, isEnterpriseServer(resp))
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
	snap.Org.Activity = c.activity(ctx, org, snap)
	return snap, nil
}

// listOrgRepos lists the organisation's repositories to audit.
func (c *Collector) listOrgRepos(ctx context.Context, org string) ([]*github.Repository, error) {
	all, err := c.api.ListOrgRepos(ctx, org)
	if err != nil {
		return nil, err
	}
	var out []*github.Repository
	for _, r := range all {
		if r.GetArchived() && !c.opt.IncludeArchived {
			continue
		}
		if !c.opt.Shard.Contains(r.GetFullName()) {
			continue
		}
		out = append(out, r)
	}
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

// isStatus, paginate and getPaged are the shared client's helpers under
// the names this package's reads use.
func isStatus(err error, code int) bool { return ghclient.IsStatus(err, code) }

func paginate(perPage int, fetch func(opt github.ListOptions) (*github.Response, error)) error {
	return ghclient.Paginate(perPage, fetch)
}

func getPaged[T any](ctx context.Context, c *Collector, path string, query url.Values) ([]T, error) {
	return ghclient.GetPaged[T](ctx, c.api, path, query)
}

func ptrBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	v := *b
	return &v
}
