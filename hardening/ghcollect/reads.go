package ghcollect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/rampart-sec/rampart/hardening"
)

// The reads added for the checks of issue 14: code security
// configurations, Actions secrets (names and dates only), runner groups,
// SAML single sign-on, the audit log, branches and tags, workflows on
// other branches, security policy and vulnerability intake, and the issue
// rampart keeps per repository. Every list is paged; every GET goes through
// the shared client's ETag cache.

func esc(s string) string { return url.PathEscape(s) }

func asErrorResponse(err error, target **github.ErrorResponse) bool { return errors.As(err, target) }

// getJSON GETs path into v.
func (c *Collector) getJSON(ctx context.Context, path string, v any) (*github.Response, error) {
	req, err := c.gh.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return nil, fmt.Errorf("ghcollect: %s: %w", path, err)
	}
	return c.gh.Do(ctx, req, v)
}

// getPagedField GETs a list endpoint whose pages are objects holding the
// items under one field ({"total_count": n, "secrets": [...]}), following
// Link headers.
func getPagedField[T any](ctx context.Context, c *Collector, p, field string) ([]T, error) {
	var out []T
	page := 0
	for {
		q := url.Values{"per_page": {fmt.Sprint(c.opt.PerPage)}}
		if page > 0 {
			q.Set("page", fmt.Sprint(page))
		}
		var body map[string]json.RawMessage
		resp, err := c.getJSON(ctx, p+"?"+q.Encode(), &body)
		if err != nil {
			return nil, err
		}
		var items []T
		if raw, ok := body[field]; ok {
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, fmt.Errorf("ghcollect: %s: decode %s: %w", p, field, err)
			}
		}
		out = append(out, items...)
		if resp.NextPage == 0 {
			return out, nil
		}
		page = resp.NextPage
	}
}

// isEnterpriseServer reports whether a response came from GitHub
// Enterprise Server, which names its version in every response.
func isEnterpriseServer(resp *github.Response) bool {
	return resp != nil && resp.Header.Get("X-GitHub-Enterprise-Version") != ""
}

// codeSecurityJSON is a configuration as the configurations endpoints
// return it.
type codeSecurityJSON struct {
	ID                            int64  `json:"id"`
	Name                          string `json:"name"`
	TargetType                    string `json:"target_type"`
	SecretScanning                string `json:"secret_scanning"`
	PushProtection                string `json:"secret_scanning_push_protection"`
	DependabotAlerts              string `json:"dependabot_alerts"`
	DependabotSecurityUpdates     string `json:"dependabot_security_updates"`
	DependencyGraph               string `json:"dependency_graph"`
	PrivateVulnerabilityReporting string `json:"private_vulnerability_reporting"`
	CodeScanningDefaultSetup      string `json:"code_scanning_default_setup"`
	Enforcement                   string `json:"enforcement"`
}

func (j codeSecurityJSON) config() hardening.CodeSecurityConfig {
	return hardening.CodeSecurityConfig{ID: j.ID, Name: j.Name, TargetType: j.TargetType, SecretScanning: j.SecretScanning,
		PushProtection: j.PushProtection, DependabotAlerts: j.DependabotAlerts, DependabotSecurityUpdates: j.DependabotSecurityUpdates,
		DependencyGraph: j.DependencyGraph, PrivateVulnerabilityReporting: j.PrivateVulnerabilityReporting,
		CodeScanningDefaultSetup: j.CodeScanningDefaultSetup, Enforcement: j.Enforcement}
}

// codeSecurity reads the default configurations, each configuration they
// name, and the list of every configuration (so a fix finds rampart's).
func (c *Collector) codeSecurity(ctx context.Context, org string) hardening.CodeSecurityConfigs {
	base := "orgs/" + esc(org) + "/code-security/configurations"
	var defs []struct {
		ForNew string           `json:"default_for_new_repos"`
		Config codeSecurityJSON `json:"configuration"`
	}
	if _, err := c.getJSON(ctx, base+"/defaults", &defs); err != nil {
		return hardening.CodeSecurityConfigs{Read: readOf(err)}
	}
	out := hardening.CodeSecurityConfigs{Read: readOf(nil)}
	for _, d := range defs {
		cfg := d.Config.config()
		// The default names a configuration; read it whole, as the
		// defaults endpoint may abbreviate it.
		var full codeSecurityJSON
		if d.Config.ID != 0 {
			if _, err := c.getJSON(ctx, fmt.Sprintf("%s/%d", base, d.Config.ID), &full); err == nil {
				cfg = full.config()
			}
		}
		out.Defaults = append(out.Defaults, hardening.DefaultCodeSecurityConfig{ForNewRepos: d.ForNew, Config: cfg})
	}
	all, err := getPaged[codeSecurityJSON](ctx, c, base, nil)
	out.AllRead = readOf(err)
	for _, j := range all {
		out.All = append(out.All, j.config())
	}
	return out
}

func secretsOf(list []*github.Secret, env string) []hardening.ActionsSecret {
	var out []hardening.ActionsSecret
	for _, s := range list {
		out = append(out, hardening.ActionsSecret{Name: s.Name, Environment: env, CreatedAt: s.CreatedAt.Time, UpdatedAt: s.UpdatedAt.Time, Visibility: s.Visibility})
	}
	return out
}

// orgSecrets lists the organisation's Actions secrets: names and dates.
func (c *Collector) orgSecrets(ctx context.Context, org string) hardening.ActionsSecrets {
	var all []*github.Secret
	err := paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
		page, resp, err := c.gh.Actions.ListOrgSecrets(ctx, org, &opt)
		if page != nil {
			all = append(all, page.Secrets...)
		}
		return resp, err
	})
	if err != nil {
		return hardening.ActionsSecrets{Read: readOf(err)}
	}
	return hardening.ActionsSecrets{Read: readOf(nil), Secrets: secretsOf(all, "")}
}

// repoSecrets lists the repository's and each environment's Actions
// secrets. Environment secrets use the documented
// /repos/{owner}/{repo}/environments/{name}/secrets path.
func (c *Collector) repoSecrets(ctx context.Context, owner, name string, envs hardening.Environments) hardening.ActionsSecrets {
	var all []*github.Secret
	err := paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
		page, resp, err := c.gh.Actions.ListRepoSecrets(ctx, owner, name, &opt)
		if page != nil {
			all = append(all, page.Secrets...)
		}
		return resp, err
	})
	if err != nil {
		return hardening.ActionsSecrets{Read: readOf(err)}
	}
	out := hardening.ActionsSecrets{Read: readOf(nil), Secrets: secretsOf(all, "")}
	if !envs.OK() {
		return hardening.ActionsSecrets{Read: hardening.Read{State: envs.State, Detail: "environments " + envs.Why()}, Secrets: out.Secrets}
	}
	for _, e := range envs.Environments {
		list, err := getPagedField[*github.Secret](ctx, c, "repos/"+esc(owner)+"/"+esc(name)+"/environments/"+esc(e.Name)+"/secrets", "secrets")
		if err != nil {
			r := readOf(err)
			r.Detail = "environment " + e.Name + ": " + r.Detail
			return hardening.ActionsSecrets{Read: r, Secrets: out.Secrets}
		}
		out.Secrets = append(out.Secrets, secretsOf(list, e.Name)...)
	}
	return out
}

// runnerGroups lists the organisation's self-hosted runner groups.
func (c *Collector) runnerGroups(ctx context.Context, org string) hardening.RunnerGroups {
	var groups []hardening.RunnerGroup
	err := paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
		page, resp, err := c.gh.Actions.ListOrganizationRunnerGroups(ctx, org, &github.ListOrgRunnerGroupOptions{ListOptions: opt})
		if page != nil {
			for _, g := range page.RunnerGroups {
				groups = append(groups, hardening.RunnerGroup{ID: g.GetID(), Name: g.GetName(), Visibility: g.GetVisibility(),
					AllowsPublicRepositories: g.GetAllowsPublicRepositories(), Default: g.GetDefault()})
			}
		}
		return resp, err
	})
	if err != nil {
		return hardening.RunnerGroups{Read: readOf(err)}
	}
	return hardening.RunnerGroups{Read: readOf(nil), Groups: groups}
}

// saml asks credential-authorizations, which answers only for
// organisations that use SAML single sign-on. A 404 means "no SAML" only to
// an owner (ownerSees); to anyone else it means "may not look".
func (c *Collector) saml(ctx context.Context, org string, ownerSees bool) hardening.SAMLSSO {
	n := 0
	err := paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
		page, resp, err := c.gh.Organizations.ListCredentialAuthorizations(ctx, org, &opt)
		n += len(page)
		return resp, err
	})
	switch {
	case err == nil:
		yes := true
		return hardening.SAMLSSO{Read: readOf(nil), Configured: &yes, Credentials: n}
	case isStatus(err, http.StatusNotFound) && ownerSees:
		no := false
		return hardening.SAMLSSO{Read: readOf(nil), Configured: &no}
	}
	return hardening.SAMLSSO{Read: readOf(err)}
}

// auditEventJSON is the part of an audit-log event rampart reads.
type auditEventJSON struct {
	Timestamp int64  `json:"@timestamp"`
	Action    string `json:"action"`
}

// activity finds each privileged account's most recent audit-log event in
// the last AuditLogDays: organisation owners and repositories' direct
// admins. One request per account (phrase=actor:LOGIN, one result).
func (c *Collector) activity(ctx context.Context, org string, snap *hardening.Snapshot) hardening.AccountActivity {
	o := snap.Org
	if !o.Owners.OK() {
		return hardening.AccountActivity{Read: hardening.Read{State: o.Owners.State, Detail: "organisation owners " + o.Owners.Why()}}
	}
	roles := map[string][]string{}
	var order []string
	add := func(login, role string) {
		key := strings.ToLower(login)
		if _, ok := roles[key]; !ok {
			order = append(order, login)
		}
		roles[key] = append(roles[key], role)
	}
	for _, l := range o.Owners.Logins {
		add(l, "owner")
	}
	for _, r := range snap.Repos {
		for _, u := range r.Collaborators.Users {
			if u.Permission == "admin" {
				add(u.Login, "admin of "+r.FullName)
			}
		}
	}
	// The search is by date, so the window starts at midnight UTC.
	now := c.opt.Now().UTC()
	since := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -c.opt.AuditLogDays)
	out := hardening.AccountActivity{Read: readOf(nil), WindowDays: c.opt.AuditLogDays, Since: since}
	for i, login := range order {
		q := url.Values{
			"phrase":   {fmt.Sprintf("actor:%s created:>=%s", login, since.Format("2006-01-02"))},
			"include":  {"all"},
			"per_page": {"1"},
		}
		var events []auditEventJSON
		_, err := c.getJSON(ctx, "orgs/"+esc(org)+"/audit-log?"+q.Encode(), &events)
		if err != nil && i == 0 && (isStatus(err, http.StatusNotFound) || isStatus(err, http.StatusForbidden)) {
			// The first answer speaks for the endpoint: not on this plan,
			// or not for this token.
			r := readOf(err)
			plan := o.Settings.Plan
			if plan == "" {
				plan = "not visible"
			}
			r.Detail += fmt.Sprintf(" (the audit log API needs GitHub Enterprise Cloud and an owner's token; plan: %s)", plan)
			return hardening.AccountActivity{Read: r}
		}
		seen := hardening.AccountSeen{Login: login, Roles: roles[strings.ToLower(login)], Read: readOf(err)}
		if err == nil && len(events) > 0 {
			seen.LastEvent = time.UnixMilli(events[0].Timestamp).UTC()
			seen.LastAction = events[0].Action
		}
		out.Accounts = append(out.Accounts, seen)
	}
	return out
}

// branches lists the repository's branches, up to MaxBranches.
func (c *Collector) branches(ctx context.Context, owner, name string) hardening.BranchList {
	var out hardening.BranchList
	err := paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
		page, resp, err := c.gh.Repositories.ListBranches(ctx, owner, name, &github.BranchListOptions{ListOptions: opt})
		for _, b := range page {
			out.Branches = append(out.Branches, hardening.BranchInfo{Name: b.GetName(), Protected: b.GetProtected()})
		}
		if len(out.Branches) >= c.opt.MaxBranches && resp != nil && resp.NextPage != 0 {
			out.Truncated = true
			resp.NextPage = 0
		}
		return resp, err
	})
	if err != nil {
		return hardening.BranchList{Read: readOf(err)}
	}
	out.Read = readOf(nil)
	return out
}

// releaseBranches reads the protection of the branches matching the
// release patterns (classic protection and the active rules; the
// repository's rulesets are read once, with the default branch).
func (c *Collector) releaseBranches(ctx context.Context, owner, name, def string, list hardening.BranchList) []hardening.BranchSnapshot {
	var out []hardening.BranchSnapshot
	for _, b := range list.Branches {
		if b.Name == def || !matchesAny(c.opt.ReleaseBranches, b.Name) {
			continue
		}
		if len(out) >= c.opt.MaxReleaseBranches {
			break
		}
		out = append(out, c.branchProtection(ctx, owner, name, b.Name))
	}
	return out
}

func matchesAny(globs []string, branch string) bool {
	for _, g := range globs {
		if hardening.GlobMatch(strings.TrimPrefix(g, "refs/heads/"), branch) {
			return true
		}
	}
	return false
}

// tags reads the first page of tag names (enough to know whether release
// tags exist).
func (c *Collector) tags(ctx context.Context, owner, name string) hardening.TagList {
	page, _, err := c.gh.Repositories.ListTags(ctx, owner, name, &github.ListOptions{PerPage: c.opt.PerPage})
	if err != nil {
		return hardening.TagList{Read: readOf(err)}
	}
	out := hardening.TagList{Read: readOf(nil)}
	for _, t := range page {
		out.Names = append(out.Names, t.GetName())
	}
	return out
}

// branchWorkflows reads .github/workflows on every other branch (up to
// MaxWorkflowBranches) and keeps the files whose content differs from the
// default branch's, each distinct blob fetched once.
func (c *Collector) branchWorkflows(ctx context.Context, owner, name, def string, list hardening.BranchList, onDefault hardening.Workflows) hardening.BranchWorkflows {
	if !list.OK() {
		return hardening.BranchWorkflows{Read: list.Read}
	}
	if !onDefault.OK() {
		return hardening.BranchWorkflows{Read: onDefault.Read}
	}
	known := map[string]bool{}
	for _, f := range onDefault.Files {
		if f.SHA != "" {
			known[f.Path+"\x00"+f.SHA] = true
		}
	}
	out := hardening.BranchWorkflows{Read: readOf(nil)}
	byBlob := map[string]int{} // path+sha → index in out.Files
	read := 0
	for _, b := range list.Branches {
		if b.Name == def {
			continue
		}
		if read >= c.opt.MaxWorkflowBranches {
			out.Unread = append(out.Unread, b.Name)
			continue
		}
		read++
		_, dir, _, err := c.gh.Repositories.GetContents(ctx, owner, name, ".github/workflows", &github.RepositoryContentGetOptions{Ref: b.Name})
		if err != nil {
			if !isStatus(err, http.StatusNotFound) {
				out.Unread = append(out.Unread, b.Name)
			}
			continue
		}
		for _, e := range dir {
			ext := strings.ToLower(path.Ext(e.GetName()))
			if e.GetType() != "file" || (ext != ".yml" && ext != ".yaml") {
				continue
			}
			key := e.GetPath() + "\x00" + e.GetSHA()
			if known[key] {
				continue
			}
			if i, ok := byBlob[key]; ok {
				out.Files[i].Branches = append(out.Files[i].Branches, b.Name)
				continue
			}
			f := hardening.BranchWorkflowFile{WorkflowFile: hardening.WorkflowFile{Path: e.GetPath(), SHA: e.GetSHA()}, Branches: []string{b.Name}}
			blob, _, err := c.gh.Git.GetBlob(ctx, owner, name, e.GetSHA())
			switch {
			case err != nil:
				f.Read = readOf(err)
			default:
				content, err := decodeBlob(blob)
				if err != nil {
					f.Read = hardening.Read{State: hardening.ReadFailed, Detail: err.Error()}
				} else {
					f.Read, f.Content = readOf(nil), content
				}
			}
			byBlob[key] = len(out.Files)
			out.Files = append(out.Files, f)
		}
	}
	out.Branches = read
	sort.Slice(out.Files, func(i, j int) bool { return out.Files[i].Path < out.Files[j].Path })
	return out
}

func decodeBlob(b *github.Blob) (string, error) {
	switch b.GetEncoding() {
	case "base64":
		rc := &github.RepositoryContent{Encoding: b.Encoding, Content: b.Content}
		return rc.GetContent()
	case "utf-8", "":
		return b.GetContent(), nil
	}
	return "", fmt.Errorf("blob %s: unknown encoding %q", b.GetSHA(), b.GetEncoding())
}

// findSecurityMD looks for SECURITY.md (any case) in a repository's root,
// .github/ and docs/ directories, at most three listings.
func (c *Collector) findSecurityMD(ctx context.Context, owner, name string) (string, hardening.Read) {
	list := func(dir string) ([]*github.RepositoryContent, error) {
		_, entries, _, err := c.gh.Repositories.GetContents(ctx, owner, name, dir, nil)
		if isStatus(err, http.StatusNotFound) {
			return nil, nil
		}
		return entries, err
	}
	root, err := list("")
	if err != nil {
		return "", readOf(err)
	}
	// Only directories the root lists are worth a request.
	var dirs []string
	for _, e := range root {
		if e.GetType() == "file" && strings.EqualFold(e.GetName(), "SECURITY.md") {
			return e.GetPath(), readOf(nil)
		}
		if e.GetType() == "dir" && (e.GetName() == ".github" || e.GetName() == "docs") {
			dirs = append(dirs, e.GetName())
		}
	}
	sort.Strings(dirs) // .github before docs, as GitHub looks
	for _, d := range dirs {
		entries, err := list(d)
		if err != nil {
			return "", readOf(err)
		}
		for _, e := range entries {
			if e.GetType() == "file" && strings.EqualFold(e.GetName(), "SECURITY.md") {
				return e.GetPath(), readOf(nil)
			}
		}
	}
	return "", readOf(nil)
}

// inheritedPolicy is the owner's .github SECURITY.md, read once per owner.
type inheritedPolicy struct {
	done chan struct{}
	path string
	read hardening.Read
}

func (c *Collector) ownerSecurityMD(ctx context.Context, owner string) (string, hardening.Read) {
	key := strings.ToLower(owner)
	c.inhMu.Lock()
	p, ok := c.inherited[key]
	if !ok {
		p = &inheritedPolicy{done: make(chan struct{})}
		c.inherited[key] = p
	}
	c.inhMu.Unlock()
	if ok {
		<-p.done
		return p.path, p.read
	}
	defer close(p.done)
	// Only a public .github repository provides defaults.
	r, _, err := c.gh.Repositories.Get(ctx, owner, ".github")
	switch {
	case isStatus(err, http.StatusNotFound):
		p.read = readOf(nil)
	case err != nil:
		p.read = readOf(err)
	case r.GetPrivate() || r.GetVisibility() == "internal":
		p.read = readOf(nil)
	default:
		f, rd := c.findSecurityMD(ctx, owner, ".github")
		p.read = rd
		if f != "" {
			p.path = owner + "/.github:" + f
		}
	}
	return p.path, p.read
}

// securityPolicy finds SECURITY.md in the repository, else in its owner's
// public .github repository.
func (c *Collector) securityPolicy(ctx context.Context, owner, name string) hardening.SecurityPolicy {
	f, rd := c.findSecurityMD(ctx, owner, name)
	sp := hardening.SecurityPolicy{Read: rd, Path: f}
	if f != "" || !rd.OK() {
		sp.InheritedRead = readOf(nil)
		return sp
	}
	if name == ".github" {
		sp.InheritedRead = readOf(nil)
		return sp
	}
	sp.Inherited, sp.InheritedRead = c.ownerSecurityMD(ctx, owner)
	return sp
}

// toggleEndpoint reads an {"enabled": bool} endpoint.
func (c *Collector) toggleEndpoint(ctx context.Context, p string) hardening.Toggle {
	var v struct {
		Enabled bool `json:"enabled"`
	}
	if _, err := c.getJSON(ctx, p, &v); err != nil {
		return hardening.Toggle{Read: readOf(err)}
	}
	return hardening.Toggle{Read: readOf(nil), Enabled: v.Enabled}
}

// securityUpdates reads automated-security-fixes (Dependabot security
// updates).
func (c *Collector) securityUpdates(ctx context.Context, owner, name string) hardening.SecurityUpdates {
	var v struct {
		Enabled bool `json:"enabled"`
		Paused  bool `json:"paused"`
	}
	if _, err := c.getJSON(ctx, "repos/"+esc(owner)+"/"+esc(name)+"/automated-security-fixes", &v); err != nil {
		return hardening.SecurityUpdates{Read: readOf(err)}
	}
	return hardening.SecurityUpdates{Read: readOf(nil), Enabled: v.Enabled, Paused: v.Paused}
}

// codeScanning reads the newest code scanning analysis of the default
// branch. GitHub answers 404 "no analysis found" when there is none, and
// 403 naming Advanced Security (or Code Security) when code scanning cannot
// run on the repository; other 403s and 404s are permission answers.
func (c *Collector) codeScanning(ctx context.Context, owner, name, branch string) hardening.CodeScanning {
	q := url.Values{"ref": {"refs/heads/" + branch}, "per_page": {"1"}}
	var list []struct {
		CreatedAt time.Time `json:"created_at"`
		Tool      struct {
			Name string `json:"name"`
		} `json:"tool"`
	}
	_, err := c.getJSON(ctx, "repos/"+esc(owner)+"/"+esc(name)+"/code-scanning/analyses?"+q.Encode(), &list)
	if err != nil {
		var er *github.ErrorResponse
		msg := ""
		if asErrorResponse(err, &er) {
			msg = er.Message
		}
		low := strings.ToLower(msg)
		switch {
		case isStatus(err, http.StatusNotFound) && strings.Contains(low, "no analysis found"):
			return hardening.CodeScanning{Read: readOf(nil)}
		case isStatus(err, http.StatusForbidden) && (strings.Contains(low, "advanced security must be enabled") ||
			strings.Contains(low, "code security must be enabled") || strings.Contains(low, "code scanning is not enabled")):
			return hardening.CodeScanning{Read: hardening.Read{State: hardening.ReadOK, Detail: msg}, Unavailable: true}
		}
		return hardening.CodeScanning{Read: readOf(err)}
	}
	out := hardening.CodeScanning{Read: readOf(nil), Analyses: len(list) > 0}
	if len(list) > 0 {
		out.LastCreated, out.LastTool = list[0].CreatedAt, list[0].Tool.Name
	}
	return out
}

// auditIssue finds the open issue rampart keeps in the repository: labelled
// FixIssueLabel and carrying FixIssueMarker.
func (c *Collector) auditIssue(ctx context.Context, owner, name string) hardening.AuditIssue {
	base := "repos/" + esc(owner) + "/" + esc(name)
	var label struct {
		Name string `json:"name"`
	}
	_, err := c.getJSON(ctx, base+"/labels/"+esc(hardening.FixIssueLabel), &label)
	switch {
	case isStatus(err, http.StatusNotFound):
		// No label, so no labelled issue either.
		return hardening.AuditIssue{Read: readOf(nil)}
	case err != nil:
		return hardening.AuditIssue{Read: readOf(err)}
	}
	issues, err := getPaged[issueJSON](ctx, c, base+"/issues", url.Values{"state": {"open"}, "labels": {hardening.FixIssueLabel}})
	if err != nil {
		return hardening.AuditIssue{Read: readOf(err), LabelExists: true}
	}
	out := hardening.AuditIssue{Read: readOf(nil), LabelExists: true}
	for _, is := range issues {
		if is.PullRequest != nil || !strings.Contains(is.Body, hardening.FixIssueMarker) {
			continue
		}
		if out.Number == 0 || is.Number < out.Number {
			out.Number, out.Title, out.Body = is.Number, is.Title, is.Body
		}
	}
	return out
}

type issueJSON struct {
	Number      int             `json:"number"`
	Title       string          `json:"title"`
	Body        string          `json:"body"`
	State       string          `json:"state"`
	PullRequest json.RawMessage `json:"pull_request,omitempty"`
}
