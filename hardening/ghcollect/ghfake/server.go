package ghfake

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind is an error the server can inject.
type FaultKind int

// The injectable faults.
const (
	// PrimaryLimit answers 403 with X-RateLimit-Remaining: 0.
	PrimaryLimit FaultKind = iota
	// SecondaryLimit answers 403 with Retry-After and GitHub's message.
	SecondaryLimit
	// SecondaryNoRetryAfter answers 403 with the message only.
	SecondaryNoRetryAfter
	// ServerError answers 502.
	ServerError
)

// Fault is an injected failure: the next Times requests whose path
// contains PathContains get it.
type Fault struct {
	PathContains string
	// Method, if set, limits the fault to requests with that method.
	Method string
	Kind   FaultKind
	Times  int
	// RetryAfter is the Retry-After (SecondaryLimit) or the seconds to
	// reset (PrimaryLimit).
	RetryAfter int
}

// Server is the fake API. It implements http.Handler; serve it with
// httptest.NewServer.
type Server struct {
	// Token, if set, must be sent as "Bearer <Token>" or "token <Token>".
	Token string
	// MaxPerPage caps per_page (GitHub caps at 100); lower it to make
	// tests page.
	MaxPerPage int
	// Scopes is sent as X-OAuth-Scopes on /user ("" sends none, as for
	// fine-grained tokens).
	Scopes string
	// Now is the clock for rate-limit reset times.
	Now func() time.Time

	// Enterprise, if set, is sent as X-GitHub-Enterprise-Version on every
	// answer, as GitHub Enterprise Server does.
	Enterprise string

	// state guards the organisations' and repositories' fields: reads
	// share it, writes (which change them) hold it alone.
	state sync.RWMutex
	// writes records every request that is not a GET, in order.
	writes []Write
	nextID int64

	mu          sync.Mutex
	orgs        map[string]*Org
	repos       map[string]*Repo
	faults      []*Fault
	requests    int
	notModified int
	hits        map[string]int
	remaining   int
}

var _ http.Handler = (*Server)(nil)

// New returns an empty server.
func New() *Server {
	return &Server{MaxPerPage: 100, Now: time.Now, orgs: map[string]*Org{}, repos: map[string]*Repo{}, hits: map[string]int{}, remaining: 5000}
}

// AddOrg adds an organisation.
func (s *Server) AddOrg(o *Org) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs[strings.ToLower(o.Login)] = o
}

// AddRepo adds repositories.
func (s *Server) AddRepo(rs ...*Repo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rs {
		s.repos[strings.ToLower(r.FullName())] = r
	}
}

// Inject queues a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// Requests returns how many requests the server answered, and how many of
// those were 304 Not Modified.
func (s *Server) Requests() (total, notModified int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.notModified
}

// Hits returns how many requests had exactly this path (no query).
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// ResetCounts zeroes the request counters.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests, s.notModified, s.hits = 0, 0, map[string]int{}
}

type apiError struct {
	Message          string `json:"message"`
	DocumentationURL string `json:"documentation_url,omitempty"`
}

const docs = "https://docs.github.com/rest"

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.hits[r.URL.Path]++
	var fault *Fault
	for _, f := range s.faults {
		if f.Times > 0 && strings.Contains(r.URL.Path, f.PathContains) && (f.Method == "" || f.Method == r.Method) {
			f.Times--
			fault = f
			break
		}
	}
	s.mu.Unlock()

	if s.Token != "" {
		a := r.Header.Get("Authorization")
		if a != "Bearer "+s.Token && a != "token "+s.Token {
			s.write(w, r, http.StatusUnauthorized, apiError{"Bad credentials", docs}, false)
			return
		}
	}
	if fault != nil {
		s.fault(w, fault)
		return
	}
	// Stricter than GitHub, which tolerates older media types: the client
	// must send what the REST documentation asks of every call.
	if a, v := r.Header.Get("Accept"), r.Header.Get("X-GitHub-Api-Version"); a != "application/vnd.github+json" || v != "2022-11-28" {
		s.write(w, r, http.StatusBadRequest, apiError{"fake: want Accept: application/vnd.github+json and X-GitHub-Api-Version: 2022-11-28, got " + a + " / " + v, docs}, false)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	// GitHub Enterprise Server serves the same API under /api/v3.
	if len(parts) >= 2 && parts[0] == "api" && parts[1] == "v3" {
		parts = parts[2:]
	}
	if r.Method != http.MethodGet {
		s.state.Lock()
		defer s.state.Unlock()
		s.serveWrite(w, r, parts)
		return
	}
	s.state.RLock()
	defer s.state.RUnlock()
	switch {
	case len(parts) == 1 && parts[0] == "user":
		if s.Scopes != "" {
			w.Header().Set("X-OAuth-Scopes", s.Scopes)
		}
		s.write(w, r, 200, map[string]any{"login": "auditor", "id": 1, "type": "User"}, true)
	case len(parts) == 1 && parts[0] == "rate_limit":
		s.mu.Lock()
		core := map[string]any{"limit": 5000, "remaining": s.remaining, "reset": s.Now().Add(time.Hour).Unix(), "used": 5000 - s.remaining}
		s.mu.Unlock()
		s.write(w, r, 200, map[string]any{"resources": map[string]any{"core": core}, "rate": core}, false)
	case len(parts) >= 2 && parts[0] == "orgs":
		s.serveOrg(w, r, parts[1], parts[2:])
	case len(parts) >= 3 && parts[0] == "repos":
		s.serveRepo(w, r, parts[1], parts[2], parts[3:])
	default:
		s.notFound(w, r)
	}
}

func (s *Server) fault(w http.ResponseWriter, f *Fault) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	switch f.Kind {
	case PrimaryLimit:
		h.Set("X-RateLimit-Limit", "5000")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(s.Now().Add(time.Duration(f.RetryAfter)*time.Second).Unix(), 10))
		h.Set("X-RateLimit-Resource", "core")
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(apiError{"API rate limit exceeded for user ID 1.", docs + "/overview/rate-limits-for-the-rest-api"})
	case SecondaryLimit, SecondaryNoRetryAfter:
		if f.Kind == SecondaryLimit {
			h.Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		w.WriteHeader(http.StatusForbidden)
		json.NewEncoder(w).Encode(apiError{"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			docs + "/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"})
	default:
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, `{"message":"Server Error"}`)
	}
}

// write sends v as JSON with rate-limit headers, and with an ETag when
// etag is set (answering a matching If-None-Match with 304).
func (s *Server) write(w http.ResponseWriter, r *http.Request, status int, v any, etag bool) {
	var body []byte
	switch x := v.(type) {
	case json.RawMessage:
		body = x
	case []byte:
		body = x
	default:
		b, err := json.Marshal(v)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		body = b
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if s.Enterprise != "" {
		h.Set("X-GitHub-Enterprise-Version", s.Enterprise)
	}
	if etag && status == 200 {
		sum := sha256.Sum256(body)
		tag := `W/"` + hex.EncodeToString(sum[:12]) + `"`
		h.Set("ETag", tag)
		if r.Header.Get("If-None-Match") == tag {
			s.mu.Lock()
			s.notModified++
			s.mu.Unlock()
			s.rateHeaders(h, false)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	s.rateHeaders(h, true)
	w.WriteHeader(status)
	if status != http.StatusNoContent {
		w.Write(body)
	}
}

func (s *Server) rateHeaders(h http.Header, charge bool) {
	s.mu.Lock()
	if charge && s.remaining > 1 {
		s.remaining--
	}
	rem := s.remaining
	s.mu.Unlock()
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", strconv.Itoa(rem))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(s.Now().Add(time.Hour).Unix(), 10))
	h.Set("X-RateLimit-Used", strconv.Itoa(5000-rem))
	h.Set("X-RateLimit-Resource", "core")
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.write(w, r, http.StatusNotFound, apiError{"Not Found", docs}, false)
}

// page serves one page of items with Link headers, as GitHub does:
// per_page defaults to 30 and is capped (100 on GitHub, MaxPerPage here).
func (s *Server) page(w http.ResponseWriter, r *http.Request, items []any, wrap func(page []any) any) {
	q := r.URL.Query()
	per := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		per = v
	}
	if per > 100 {
		per = 100
	}
	if s.MaxPerPage > 0 && per > s.MaxPerPage {
		per = s.MaxPerPage
	}
	pg := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		pg = v
	}
	last := (len(items) + per - 1) / per
	if last == 0 {
		last = 1
	}
	lo := min((pg-1)*per, len(items))
	hi := min(lo+per, len(items))
	link := func(n int, rel string) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		qq := r.URL.Query()
		qq.Set("page", strconv.Itoa(n))
		u.RawQuery = qq.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if pg < last {
		links = append(links, link(pg+1, "next"), link(last, "last"))
	}
	if pg > 1 {
		links = append(links, link(1, "first"), link(pg-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	page := items[lo:hi]
	if page == nil {
		page = []any{}
	}
	var v any = page
	if wrap != nil {
		v = wrap(page)
	}
	s.write(w, r, 200, v, true)
}

func anys[T any](xs []T, f func(T) any) []any {
	out := make([]any, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func (s *Server) serveOrg(w http.ResponseWriter, r *http.Request, login string, rest []string) {
	s.mu.Lock()
	o := s.orgs[strings.ToLower(login)]
	s.mu.Unlock()
	if o == nil {
		s.notFound(w, r)
		return
	}
	path := strings.Join(rest, "/")
	ownerOnly := func() bool {
		if !o.ViewerIsOwner {
			s.write(w, r, http.StatusForbidden, apiError{"You must be an organization owner to access this resource.", docs}, false)
			return false
		}
		return true
	}
	switch {
	case path == "":
		v := map[string]any{"login": o.Login, "id": 1, "type": "Organization", "name": o.Login}
		if o.ViewerIsOwner {
			v["two_factor_requirement_enabled"] = o.TwoFactorRequired
			v["default_repository_permission"] = o.DefaultRepoPermission
			v["members_can_create_public_repositories"] = o.MembersCanCreatePublicRepos
			v["members_can_fork_private_repositories"] = o.MembersCanForkPrivateRepos
			if o.Plan != "" {
				v["plan"] = map[string]any{"name": o.Plan, "space": 976562499, "private_repos": 999999}
			}
			if o.LegacySecurityFields {
				// Removed from GitHub.com on 2026-04-21; older GitHub
				// Enterprise Server still sends them.
				v["secret_scanning_enabled_for_new_repositories"] = o.SecretScanningForNewRepos
				v["secret_scanning_push_protection_enabled_for_new_repositories"] = o.PushProtectionForNewRepos
				v["dependabot_alerts_enabled_for_new_repositories"] = o.DependabotAlertsForNewRepos
			}
		}
		s.write(w, r, 200, v, true)
	case path == "repos":
		s.mu.Lock()
		var repos []*Repo
		for _, rp := range s.repos {
			if strings.EqualFold(rp.Owner, o.Login) {
				repos = append(repos, rp)
			}
		}
		s.mu.Unlock()
		sort.Slice(repos, func(i, j int) bool { return repos[i].Name < repos[j].Name })
		s.page(w, r, anys(repos, func(rp *Repo) any { return repoJSON(rp) }), nil)
	case path == "members":
		q := r.URL.Query()
		logins := o.Members
		if q.Get("filter") == "2fa_disabled" {
			if !o.ViewerIsOwner {
				s.write(w, r, http.StatusUnprocessableEntity, apiError{"Only owners can use this filter.", docs}, false)
				return
			}
			logins = o.MembersWithout2FA
		}
		if q.Get("role") == "admin" {
			logins = o.Owners
		}
		s.page(w, r, anys(logins, userJSON), nil)
	case path == "outside_collaborators":
		logins := o.OutsideCollaborators
		if r.URL.Query().Get("filter") == "2fa_disabled" {
			if !o.ViewerIsOwner {
				s.write(w, r, http.StatusUnprocessableEntity, apiError{"Only owners can use this filter.", docs}, false)
				return
			}
			logins = o.OutsideWithout2FA
		}
		s.page(w, r, anys(logins, userJSON), nil)
	case path == "actions/permissions":
		if ownerOnly() {
			s.write(w, r, 200, map[string]any{"enabled_repositories": o.EnabledRepositories, "allowed_actions": o.AllowedActions}, true)
		}
	case path == "actions/permissions/workflow":
		if ownerOnly() {
			s.write(w, r, 200, map[string]any{"default_workflow_permissions": o.WorkflowDefault, "can_approve_pull_request_reviews": o.CanApprovePRs}, true)
		}
	case path == "hooks":
		if !o.ViewerIsOwner {
			s.notFound(w, r)
			return
		}
		s.page(w, r, anys(o.Hooks, hookJSON), nil)
	case path == "rulesets":
		if !o.ViewerIsOwner {
			s.notFound(w, r)
			return
		}
		s.page(w, r, anys(o.Rulesets, func(rs *Ruleset) any { return rulesetSummary(rs, "Organization", o.Login) }), nil)
	case len(rest) == 2 && rest[0] == "rulesets":
		if !o.ViewerIsOwner {
			s.notFound(w, r)
			return
		}
		id, _ := strconv.ParseInt(rest[1], 10, 64)
		for _, rs := range o.Rulesets {
			if rs.ID == id {
				s.write(w, r, 200, rulesetDetail(rs, "Organization", o.Login, true), true)
				return
			}
		}
		s.notFound(w, r)
	default:
		if !s.serveOrgMore(w, r, o, path) {
			s.notFound(w, r)
		}
	}
}

func userJSON(login string) any {
	return map[string]any{"login": login, "id": len(login), "type": "User", "site_admin": false}
}

func hookJSON(h Hook) any {
	cfg := map[string]any{"url": h.URL, "content_type": "json", "insecure_ssl": "0"}
	if h.InsecureSSL {
		cfg["insecure_ssl"] = "1"
	}
	if h.Secret {
		cfg["secret"] = "********"
	}
	return map[string]any{"id": h.ID, "type": "Repository", "name": "web", "active": h.Active, "events": []string{"push"}, "config": cfg}
}

func permissionsJSON(p string) map[string]bool {
	rank := map[string]int{"read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}[p]
	return map[string]bool{"pull": rank >= 1, "triage": rank >= 2, "push": rank >= 3, "maintain": rank >= 4, "admin": rank >= 5}
}

func repoJSON(r *Repo) map[string]any {
	ownerType := "User"
	if r.OwnerIsOrg {
		ownerType = "Organization"
	}
	vis := "public"
	if r.Private {
		vis = "private"
	}
	v := map[string]any{
		"id": len(r.FullName()), "name": r.Name, "full_name": r.FullName(), "private": r.Private, "visibility": vis,
		"owner":    map[string]any{"login": r.Owner, "type": ownerType},
		"archived": r.Archived, "fork": false, "default_branch": r.DefaultBranch,
		"permissions": permissionsJSON(r.ViewerPermission), "allow_forking": r.AllowForking,
		"pushed_at": timeJSON(r.PushedAt), "has_issues": true,
	}
	if r.ViewerPermission == "admin" {
		st := func(b bool) map[string]string {
			if b {
				return map[string]string{"status": "enabled"}
			}
			return map[string]string{"status": "disabled"}
		}
		v["security_and_analysis"] = map[string]any{
			"secret_scanning": st(r.SecretScanning), "secret_scanning_push_protection": st(r.PushProtection),
		}
	}
	return v
}

func rulesetSummary(rs *Ruleset, sourceType, source string) map[string]any {
	return map[string]any{"id": rs.ID, "name": rs.Name, "target": rs.Target, "source_type": sourceType, "source": source,
		"enforcement": rs.Enforcement, "node_id": fmt.Sprintf("RRS_%d", rs.ID)}
}

func rulesetDetail(rs *Ruleset, sourceType, source string, canEdit bool) map[string]any {
	v := rulesetSummary(rs, sourceType, source)
	include, exclude := rs.Include, rs.Exclude
	if include == nil {
		include = []string{}
	}
	if exclude == nil {
		exclude = []string{}
	}
	cond := map[string]any{"ref_name": map[string]any{"include": include, "exclude": exclude}}
	if sourceType == "Organization" {
		repos := rs.Repos
		if len(repos) == 0 {
			repos = []string{"~ALL"}
		}
		cond["repository_name"] = map[string]any{"include": repos, "exclude": []string{}}
	}
	v["conditions"] = cond
	rules := make([]any, 0, len(rs.Rules))
	for _, ru := range rs.Rules {
		m := map[string]any{"type": ru.Type}
		if ru.Parameters != nil {
			m["parameters"] = ru.Parameters
		}
		rules = append(rules, m)
	}
	v["rules"] = rules
	if canEdit {
		actors := make([]any, 0, len(rs.BypassActors))
		for _, a := range rs.BypassActors {
			actors = append(actors, map[string]any{"actor_id": a.ActorID, "actor_type": a.ActorType, "bypass_mode": a.BypassMode})
		}
		v["bypass_actors"] = actors
		v["current_user_can_bypass"] = "never"
	}
	return v
}

func refMatches(patterns []string, branch, def string) bool {
	for _, p := range patterns {
		switch {
		case p == "~ALL", p == "~DEFAULT_BRANCH" && branch == def, p == "refs/heads/"+branch:
			return true
		case strings.HasPrefix(p, "refs/heads/") && globMatch(strings.TrimPrefix(p, "refs/heads/"), branch):
			return true
		}
	}
	return false
}

// globMatch is fnmatch as rulesets use it: * within a path segment, **
// across segments, ? one character.
func globMatch(pattern, s string) bool {
	switch {
	case pattern == "":
		return s == ""
	case strings.HasPrefix(pattern, "**"):
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[2:], s[i:]) {
				return true
			}
		}
		return false
	case pattern[0] == '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
			if i < len(s) && s[i] == '/' {
				return false
			}
		}
		return false
	case s == "":
		return false
	case pattern[0] == '?':
		return s[0] != '/' && globMatch(pattern[1:], s[1:])
	}
	return pattern[0] == s[0] && globMatch(pattern[1:], s[1:])
}

// parentRulesets returns the organisation rulesets that target the repo.
func (s *Server) parentRulesets(rp *Repo) []*Ruleset {
	s.mu.Lock()
	o := s.orgs[strings.ToLower(rp.Owner)]
	s.mu.Unlock()
	if o == nil {
		return nil
	}
	var out []*Ruleset
	for _, rs := range o.Rulesets {
		if len(rs.Repos) == 0 || contains(rs.Repos, rp.Name) {
			out = append(out, rs)
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (s *Server) serveRepo(w http.ResponseWriter, r *http.Request, owner, name string, rest []string) {
	s.mu.Lock()
	rp := s.repos[strings.ToLower(owner+"/"+name)]
	s.mu.Unlock()
	if rp == nil {
		s.notFound(w, r)
		return
	}
	path := strings.Join(rest, "/")
	if raw, ok := rp.Raw[path]; ok {
		if strings.HasPrefix(raw, "404:") {
			s.write(w, r, http.StatusNotFound, json.RawMessage(strings.TrimPrefix(raw, "404:")), false)
			return
		}
		s.write(w, r, 200, json.RawMessage(raw), true)
		return
	}
	admin := rp.ViewerPermission == "admin"
	adminOnly := func() bool {
		if !admin {
			s.notFound(w, r) // GitHub hides admin endpoints behind a plain 404
			return false
		}
		return true
	}
	if s.serveRepoMore(w, r, rp, path, admin) {
		return
	}
	switch {
	case path == "":
		s.write(w, r, 200, repoJSON(rp), true)
	case path == "vulnerability-alerts":
		if adminOnly() {
			if rp.DependabotAlerts {
				s.write(w, r, http.StatusNoContent, []byte{}, false)
			} else {
				s.notFound(w, r)
			}
		}
	case path == "rulesets":
		// GitHub includes the parents' rulesets unless told not to.
		var items []any
		for _, rs := range rp.Rulesets {
			items = append(items, rulesetSummary(rs, "Repository", rp.FullName()))
		}
		if r.URL.Query().Get("includes_parents") != "false" {
			for _, rs := range s.parentRulesets(rp) {
				items = append(items, rulesetSummary(rs, "Organization", rp.Owner))
			}
		}
		s.page(w, r, items, nil)
	case len(rest) == 2 && rest[0] == "rulesets":
		id, _ := strconv.ParseInt(rest[1], 10, 64)
		for _, rs := range rp.Rulesets {
			if rs.ID == id {
				s.write(w, r, 200, rulesetDetail(rs, "Repository", rp.FullName(), admin), true)
				return
			}
		}
		if r.URL.Query().Get("includes_parents") != "false" {
			for _, rs := range s.parentRulesets(rp) {
				if rs.ID == id {
					s.write(w, r, 200, rulesetDetail(rs, "Organization", rp.Owner, false), true)
					return
				}
			}
		}
		s.notFound(w, r)
	case path == "collaborators":
		if rp.ViewerPermission == "read" || rp.ViewerPermission == "triage" {
			s.write(w, r, http.StatusForbidden, apiError{"Must have push access to view repository collaborators.", docs}, false)
			return
		}
		aff := r.URL.Query().Get("affiliation")
		var cs []Collaborator
		for _, c := range rp.Collaborators {
			if aff == "outside" && !c.Outside {
				continue
			}
			cs = append(cs, c)
		}
		s.page(w, r, anys(cs, func(c Collaborator) any {
			return map[string]any{"login": c.Login, "id": len(c.Login), "type": "User", "permissions": permissionsJSON(c.Permission), "role_name": c.Permission}
		}), nil)
	case path == "teams":
		s.page(w, r, anys(rp.Teams, func(t Team) any {
			return map[string]any{"id": len(t.Slug), "slug": t.Slug, "name": t.Slug, "permission": t.Permission}
		}), nil)
	case path == "keys":
		if adminOnly() {
			s.page(w, r, anys(rp.DeployKeys, func(k DeployKey) any {
				return map[string]any{"id": k.ID, "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKE", "title": k.Title, "read_only": k.ReadOnly,
					"verified": true, "created_at": k.CreatedAt.Format(time.RFC3339), "added_by": "alice"}
			}), nil)
		}
	case path == "hooks":
		if adminOnly() {
			s.page(w, r, anys(rp.Hooks, hookJSON), nil)
		}
	case path == "actions/permissions/workflow":
		if adminOnly() {
			s.write(w, r, 200, map[string]any{"default_workflow_permissions": rp.WorkflowDefault, "can_approve_pull_request_reviews": rp.CanApprovePRs}, true)
		}
	case path == "codeowners/errors":
		for _, p := range []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"} {
			if _, ok := rp.Files[p]; ok {
				errs := make([]any, 0, rp.CodeownersErrors)
				for i := range rp.CodeownersErrors {
					errs = append(errs, map[string]any{"line": i + 1, "column": 1, "kind": "Unknown owner", "source": "* @nobody", "path": p,
						"message": "Unknown owner on line 1: make sure @nobody exists"})
				}
				s.write(w, r, 200, map[string]any{"errors": errs}, true)
				return
			}
		}
		s.notFound(w, r)
	case path == "environments":
		s.page(w, r, anys(rp.Environments, environmentJSON), func(page []any) any {
			return map[string]any{"total_count": len(rp.Environments), "environments": page}
		})
	default:
		s.notFound(w, r)
	}
}

func environmentJSON(e Environment) any {
	rules := []any{}
	if e.Reviewers > 0 {
		var revs []any
		for i := range e.Reviewers {
			revs = append(revs, map[string]any{"type": "User", "reviewer": map[string]any{"login": fmt.Sprintf("reviewer%d", i), "id": i + 1}})
		}
		rules = append(rules, map[string]any{"id": 1, "type": "required_reviewers", "prevent_self_review": true, "reviewers": revs})
	}
	var bp any
	switch e.BranchPolicy {
	case "protected":
		bp = map[string]bool{"protected_branches": true, "custom_branch_policies": false}
	case "custom":
		bp = map[string]bool{"protected_branches": false, "custom_branch_policies": true}
	}
	return map[string]any{"id": len(e.Name), "name": e.Name, "protection_rules": rules, "deployment_branch_policy": bp}
}

// activeRules derives rules-for-a-branch from the active rulesets, for
// the default branch.
func (s *Server) activeRules(rp *Repo) []any { return s.activeRulesFor(rp, rp.DefaultBranch) }

// activeRulesFor derives rules-for-a-branch for any branch.
func (s *Server) activeRulesFor(rp *Repo, branch string) []any {
	var out []any
	add := func(rs *Ruleset, st, src string) {
		if rs.Target != "" && rs.Target != "branch" {
			return
		}
		if rs.Enforcement != "active" || !refMatches(rs.Include, branch, rp.DefaultBranch) || refMatches(rs.Exclude, branch, rp.DefaultBranch) {
			return
		}
		for _, ru := range rs.Rules {
			m := map[string]any{"type": ru.Type, "ruleset_source_type": st, "ruleset_source": src, "ruleset_id": rs.ID}
			if ru.Parameters != nil {
				m["parameters"] = ru.Parameters
			}
			out = append(out, m)
		}
	}
	for _, rs := range rp.Rulesets {
		add(rs, "Repository", rp.FullName())
	}
	for _, rs := range s.parentRulesets(rp) {
		add(rs, "Organization", rp.Owner)
	}
	return out
}

func protectionJSON(rp *Repo, branch string, p *Protection) map[string]any {
	base := "https://api.github.com/repos/" + rp.FullName() + "/branches/" + branch + "/protection"
	en := func(b bool) map[string]bool { return map[string]bool{"enabled": b} }
	v := map[string]any{
		"url":                              base,
		"enforce_admins":                   map[string]any{"url": base + "/enforce_admins", "enabled": p.EnforceAdmins},
		"required_linear_history":          en(p.LinearHistory),
		"allow_force_pushes":               en(p.AllowForcePushes),
		"allow_deletions":                  en(p.AllowDeletions),
		"block_creations":                  en(false),
		"required_conversation_resolution": en(p.ConversationResolved),
		"lock_branch":                      en(false),
		"allow_fork_syncing":               en(false),
		"required_signatures":              map[string]any{"url": base + "/required_signatures", "enabled": p.Signatures},
	}
	if p.RequirePR || p.Approvals > 0 {
		rr := map[string]any{
			"url": base + "/required_pull_request_reviews", "dismiss_stale_reviews": p.DismissStale,
			"require_code_owner_reviews": p.CodeOwners, "required_approving_review_count": p.Approvals,
			"require_last_push_approval": p.LastPushApproval,
		}
		if p.RestrictDismissals {
			rr["dismissal_restrictions"] = map[string]any{"users": anys(p.DismissalUsers, userJSON),
				"teams": anys(p.DismissalTeams, func(t string) any { return map[string]any{"slug": t, "name": t} }), "apps": []any{}}
		}
		if len(p.BypassUsers) > 0 {
			rr["bypass_pull_request_allowances"] = map[string]any{"users": anys(p.BypassUsers, userJSON), "teams": []any{}, "apps": []any{}}
		}
		v["required_pull_request_reviews"] = rr
	}
	if len(p.StatusChecks) > 0 || p.Strict {
		checks := anys(p.StatusChecks, func(c string) any { return map[string]any{"context": c, "app_id": nil} })
		v["required_status_checks"] = map[string]any{"url": base + "/required_status_checks", "strict": p.Strict,
			"contexts": p.StatusChecks, "checks": checks}
	}
	if len(p.RestrictUsers)+len(p.RestrictTeams) > 0 {
		v["restrictions"] = map[string]any{
			"users": anys(p.RestrictUsers, userJSON),
			"teams": anys(p.RestrictTeams, func(t string) any { return map[string]any{"slug": t, "name": t} }),
			"apps":  []any{},
		}
	}
	return v
}
