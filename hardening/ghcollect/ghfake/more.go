package ghfake

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The endpoints the audit's later checks read: code security
// configurations, Actions secrets, runner groups, credential
// authorizations, the audit log, branches and tags, contents on any branch,
// blobs, private vulnerability reporting, automated security fixes, code
// scanning analyses, labels and issues. Shapes follow GitHub's REST
// documentation; what a token may not see answers 403 or 404 as GitHub does.

// gitBlobSHA is the blob ID git (and so GitHub) gives content.
func gitBlobSHA(content string) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write([]byte(content))
	return hex.EncodeToString(h.Sum(nil))
}

func timeJSON(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func secretJSON(s Secret) any {
	// GitHub always dates a secret; a test that gives none gets a fixed day.
	created, updated := s.CreatedAt, s.UpdatedAt
	if created.IsZero() {
		created = time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	}
	if updated.IsZero() {
		updated = created
	}
	v := map[string]any{"name": s.Name, "created_at": timeJSON(created), "updated_at": timeJSON(updated)}
	if s.Visibility != "" {
		v["visibility"] = s.Visibility
	}
	return v
}

func codeSecurityJSON(c *CodeSecurityConfig) map[string]any {
	or := func(v string) string {
		if v == "" {
			return "not_set"
		}
		return v
	}
	tt := c.TargetType
	if tt == "" {
		tt = "organization"
	}
	return map[string]any{
		"id": c.ID, "name": c.Name, "description": c.Description, "target_type": tt,
		"advanced_security": "disabled", "dependency_graph": or(c.DependencyGraph), "dependabot_alerts": or(c.DependabotAlerts),
		"dependabot_security_updates": or(c.DependabotSecurityUpdates), "code_scanning_default_setup": "not_set",
		"secret_scanning": or(c.SecretScanning), "secret_scanning_push_protection": or(c.PushProtection),
		"secret_scanning_validity_checks": "not_set", "private_vulnerability_reporting": or(c.PrivateVulnerabilityReporting),
		"enforcement": "enforced", "url": fmt.Sprintf("https://api.github.com/orgs/x/code-security/configurations/%d", c.ID),
		"created_at": "2024-05-01T00:00:00Z", "updated_at": "2024-05-01T00:00:00Z",
	}
}

func (o *Org) codeSecurityConfig(id int64) *CodeSecurityConfig {
	for _, c := range o.CodeSecurityConfigs {
		if c.ID == id {
			return c
		}
	}
	return nil
}

var actorRE = regexp.MustCompile(`actor:(\S+)`)
var createdRE = regexp.MustCompile(`created:>=(\d{4}-\d{2}-\d{2})`)

// serveOrgMore serves the organisation endpoints beyond the original set;
// it reports whether it answered.
func (s *Server) serveOrgMore(w http.ResponseWriter, r *http.Request, o *Org, path string) bool {
	ownerOnly := func() bool {
		if !o.ViewerIsOwner {
			s.write(w, r, http.StatusForbidden, apiError{"You must be an organization owner or security manager to access this resource.", docs}, false)
			return false
		}
		return true
	}
	const csBase = "code-security/configurations"
	switch {
	case strings.HasPrefix(path, csBase):
		if o.LegacySecurityFields {
			s.notFound(w, r) // no configurations API on this (older) server
			return true
		}
		if !ownerOnly() {
			return true
		}
		rest := strings.TrimPrefix(strings.TrimPrefix(path, csBase), "/")
		switch {
		case rest == "":
			s.page(w, r, anys(o.CodeSecurityConfigs, func(c *CodeSecurityConfig) any { return codeSecurityJSON(c) }), nil)
		case rest == "defaults":
			var keys []string
			for k := range o.CodeSecurityDefaults {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			out := []any{}
			for _, k := range keys {
				if c := o.codeSecurityConfig(o.CodeSecurityDefaults[k]); c != nil {
					out = append(out, map[string]any{"default_for_new_repos": k, "configuration": codeSecurityJSON(c)})
				}
			}
			s.write(w, r, 200, out, true)
		default:
			id, err := strconv.ParseInt(rest, 10, 64)
			c := o.codeSecurityConfig(id)
			if err != nil || c == nil {
				s.notFound(w, r)
				return true
			}
			s.write(w, r, 200, codeSecurityJSON(c), true)
		}
	case strings.HasPrefix(path, "hooks/") && strings.HasSuffix(path, "/config"):
		if !o.ViewerIsOwner {
			s.notFound(w, r)
			return true
		}
		s.hookConfigGet(w, r, o.Hooks, strings.TrimSuffix(strings.TrimPrefix(path, "hooks/"), "/config"))
	case path == "actions/secrets":
		if ownerOnly() {
			s.page(w, r, anys(o.Secrets, secretJSON), func(page []any) any {
				return map[string]any{"total_count": len(o.Secrets), "secrets": page}
			})
		}
	case path == "actions/runner-groups":
		if ownerOnly() {
			s.page(w, r, anys(o.RunnerGroups, func(g RunnerGroup) any {
				return map[string]any{"id": g.ID, "name": g.Name, "visibility": g.Visibility, "default": g.Default,
					"allows_public_repositories": g.AllowsPublicRepositories, "restricted_to_workflows": false, "inherited": false,
					"runners_url": fmt.Sprintf("https://api.github.com/orgs/%s/actions/runner-groups/%d/runners", o.Login, g.ID)}
			}), func(page []any) any { return map[string]any{"total_count": len(o.RunnerGroups), "runner_groups": page} })
		}
	case path == "credential-authorizations":
		if !o.SAML || !o.ViewerIsOwner {
			s.notFound(w, r)
			return true
		}
		var items []any
		for i := range o.CredentialAuthorizations {
			items = append(items, map[string]any{"login": fmt.Sprintf("member%d", i), "credential_id": 100 + i,
				"credential_type": "personal access token", "token_last_eight": "12345678", "credential_authorized_at": "2025-01-02T03:04:05Z",
				"scopes": []string{"repo"}})
		}
		s.page(w, r, items, nil)
	case path == "audit-log":
		if o.AuditLog == nil || !o.ViewerIsOwner {
			s.notFound(w, r)
			return true
		}
		phrase := r.URL.Query().Get("phrase")
		out := []any{}
		if m := actorRE.FindStringSubmatch(phrase); m != nil {
			if ev, ok := o.AuditLog[m[1]]; ok {
				after := time.Time{}
				if c := createdRE.FindStringSubmatch(phrase); c != nil {
					after, _ = time.Parse("2006-01-02", c[1])
				}
				if !ev.At.Before(after) {
					out = append(out, map[string]any{"@timestamp": ev.At.UnixMilli(), "action": ev.Action, "actor": m[1],
						"_document_id": "doc-" + m[1], "org": o.Login})
				}
			}
		}
		s.write(w, r, 200, out, true)
	default:
		return false
	}
	return true
}

// filesOn returns the files of a branch: its own, or the default branch's.
// ok is false when the branch does not exist.
func (rp *Repo) filesOn(ref string) (map[string]string, bool) {
	ref = strings.TrimPrefix(ref, "refs/heads/")
	if ref == "" || ref == rp.DefaultBranch {
		return rp.Files, true
	}
	if !contains(rp.Branches, ref) {
		return nil, false
	}
	if f, ok := rp.BranchFiles[ref]; ok {
		return f, true
	}
	return rp.Files, true
}

func (rp *Repo) protectionOf(branch string) *Protection {
	if branch == rp.DefaultBranch {
		return rp.Protection
	}
	return rp.BranchProtection[branch]
}

func (rp *Repo) hasBranch(b string) bool { return b == rp.DefaultBranch || contains(rp.Branches, b) }

func contentsFileJSON(p, c string) map[string]any {
	enc := base64.StdEncoding.EncodeToString([]byte(c))
	var lines []string
	for len(enc) > 60 {
		lines = append(lines, enc[:60])
		enc = enc[60:]
	}
	lines = append(lines, enc)
	return map[string]any{"type": "file", "encoding": "base64", "size": len(c), "name": p[strings.LastIndex(p, "/")+1:],
		"path": p, "content": strings.Join(lines, "\n") + "\n", "sha": gitBlobSHA(c)}
}

// serveContents answers GET contents/{path}?ref=: a file, or a directory
// listing (files and subdirectories), of the branch named by ref.
func (s *Server) serveContents(w http.ResponseWriter, r *http.Request, rp *Repo, p string) {
	files, ok := rp.filesOn(r.URL.Query().Get("ref"))
	if !ok {
		s.write(w, r, http.StatusNotFound, apiError{"No commit found for the ref " + r.URL.Query().Get("ref"), docs}, false)
		return
	}
	p = strings.Trim(p, "/")
	if c, ok := files[p]; ok {
		s.write(w, r, 200, contentsFileJSON(p, c), true)
		return
	}
	prefix := ""
	if p != "" {
		prefix = p + "/"
	}
	seen := map[string]bool{}
	var names []string
	for fp := range files {
		if !strings.HasPrefix(fp, prefix) {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(fp, prefix), "/")
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		s.notFound(w, r)
		return
	}
	sort.Strings(names)
	entries := []any{}
	for _, n := range names {
		fp := prefix + n
		if c, ok := files[fp]; ok {
			entries = append(entries, map[string]any{"type": "file", "size": len(c), "name": n, "path": fp, "sha": gitBlobSHA(c)})
		} else {
			entries = append(entries, map[string]any{"type": "dir", "size": 0, "name": n, "path": fp, "sha": gitBlobSHA("tree:" + fp)})
		}
	}
	s.write(w, r, 200, entries, true)
}

func issueJSON(rp *Repo, is *Issue) any {
	labels := anys(is.Labels, func(l string) any { return map[string]any{"name": l} })
	return map[string]any{"number": is.Number, "title": is.Title, "body": is.Body, "state": is.State, "labels": labels,
		"comments": len(is.Comments), "html_url": fmt.Sprintf("https://github.com/%s/issues/%d", rp.FullName(), is.Number)}
}

// serveRepoMore serves the repository endpoints beyond the original set,
// and every branch-scoped endpoint for any branch; it reports whether it
// answered.
func (s *Server) serveRepoMore(w http.ResponseWriter, r *http.Request, rp *Repo, path string, admin bool) bool {
	adminOnly := func() bool {
		if !admin {
			s.notFound(w, r)
			return false
		}
		return true
	}
	switch {
	case path == "branches":
		all := append([]string{rp.DefaultBranch}, rp.Branches...)
		sort.Strings(all)
		s.page(w, r, anys(all, func(b string) any {
			protected := rp.protectionOf(b) != nil || len(s.activeRulesFor(rp, b)) > 0
			return map[string]any{"name": b, "protected": protected, "commit": map[string]any{"sha": gitBlobSHA("commit:" + b)}}
		}), nil)
	case strings.HasPrefix(path, "branches/") && strings.HasSuffix(path, "/protection"):
		b := strings.TrimSuffix(strings.TrimPrefix(path, "branches/"), "/protection")
		if !adminOnly() {
			return true
		}
		p := rp.protectionOf(b)
		if p == nil || !rp.hasBranch(b) {
			s.write(w, r, http.StatusNotFound, apiError{"Branch not protected", docs + "/branches/branch-protection#get-branch-protection"}, false)
			return true
		}
		s.write(w, r, 200, protectionJSON(rp, b, p), true)
	case strings.HasPrefix(path, "branches/"):
		b := strings.TrimPrefix(path, "branches/")
		if !rp.hasBranch(b) {
			s.write(w, r, http.StatusNotFound, apiError{"Branch not found", docs}, false)
			return true
		}
		protected := rp.protectionOf(b) != nil || len(s.activeRulesFor(rp, b)) > 0
		s.write(w, r, 200, map[string]any{"name": b, "protected": protected, "commit": map[string]any{"sha": gitBlobSHA("commit:" + b)}}, true)
	case strings.HasPrefix(path, "rules/branches/"):
		b := strings.TrimPrefix(path, "rules/branches/")
		if b == rp.DefaultBranch && rp.BranchRules != nil {
			s.page(w, r, anys(rp.BranchRules, func(m json.RawMessage) any { return m }), nil)
			return true
		}
		s.page(w, r, s.activeRulesFor(rp, b), nil)
	case path == "contents" || strings.HasPrefix(path, "contents/"):
		s.serveContents(w, r, rp, strings.TrimPrefix(path, "contents"))
	case strings.HasPrefix(path, "git/blobs/"):
		sha := strings.TrimPrefix(path, "git/blobs/")
		for _, files := range append([]map[string]string{rp.Files}, mapsOf(rp.BranchFiles)...) {
			for _, c := range files {
				if gitBlobSHA(c) == sha {
					s.write(w, r, 200, map[string]any{"sha": sha, "size": len(c), "encoding": "base64",
						"content": base64.StdEncoding.EncodeToString([]byte(c)), "node_id": "B_" + sha[:8]}, true)
					return true
				}
			}
		}
		s.notFound(w, r)
	case strings.HasPrefix(path, "hooks/") && strings.HasSuffix(path, "/config"):
		if adminOnly() {
			s.hookConfigGet(w, r, rp.Hooks, strings.TrimSuffix(strings.TrimPrefix(path, "hooks/"), "/config"))
		}
	case path == "tags":
		s.page(w, r, anys(rp.Tags, func(t string) any {
			return map[string]any{"name": t, "commit": map[string]any{"sha": gitBlobSHA("tag:" + t)}}
		}), nil)
	case path == "actions/secrets":
		if !admin {
			s.write(w, r, http.StatusForbidden, apiError{"Resource not accessible by personal access token", docs}, false)
			return true
		}
		s.page(w, r, anys(rp.Secrets, secretJSON), func(page []any) any {
			return map[string]any{"total_count": len(rp.Secrets), "secrets": page}
		})
	case strings.HasPrefix(path, "environments/") && strings.HasSuffix(path, "/secrets"):
		env := strings.TrimSuffix(strings.TrimPrefix(path, "environments/"), "/secrets")
		if !admin {
			s.write(w, r, http.StatusForbidden, apiError{"Resource not accessible by personal access token", docs}, false)
			return true
		}
		found := false
		for _, e := range rp.Environments {
			found = found || e.Name == env
		}
		if !found {
			s.notFound(w, r)
			return true
		}
		list := rp.EnvSecrets[env]
		s.page(w, r, anys(list, secretJSON), func(page []any) any {
			return map[string]any{"total_count": len(list), "secrets": page}
		})
	case path == "private-vulnerability-reporting":
		if adminOnly() {
			s.write(w, r, 200, map[string]any{"enabled": rp.PrivateVulnerabilityReporting}, true)
		}
	case path == "automated-security-fixes":
		if adminOnly() {
			s.write(w, r, 200, map[string]any{"enabled": rp.SecurityUpdates, "paused": rp.SecurityUpdatesPaused}, true)
		}
	case path == "code-scanning/analyses":
		if rp.ViewerPermission == "read" && rp.Private {
			s.notFound(w, r)
			return true
		}
		if rp.CodeScanningUnavailable {
			s.write(w, r, http.StatusForbidden, apiError{"Advanced Security must be enabled for this repository to use code scanning.", docs}, false)
			return true
		}
		ref := r.URL.Query().Get("ref")
		var items []any
		for i, a := range rp.CodeScanning {
			if ref != "" && a.Ref != ref {
				continue
			}
			items = append(items, map[string]any{"id": 1000 + i, "ref": a.Ref, "commit_sha": gitBlobSHA("commit:" + a.Ref),
				"analysis_key": ".github/workflows/codeql.yml:analyze", "environment": "{}", "category": "/language:go", "error": "",
				"created_at": a.CreatedAt.UTC().Format(time.RFC3339), "results_count": 0, "rules_count": 150,
				"tool": map[string]any{"name": a.Tool, "guid": nil, "version": "2.20.0"}, "deletable": i == 0, "warning": ""})
		}
		if len(items) == 0 {
			s.write(w, r, http.StatusNotFound, apiError{"no analysis found", docs + "/code-scanning/code-scanning#list-code-scanning-analyses-for-a-repository"}, false)
			return true
		}
		s.page(w, r, items, nil)
	case strings.HasPrefix(path, "labels/"):
		name := strings.TrimPrefix(path, "labels/")
		if !contains(rp.Labels, name) {
			s.notFound(w, r)
			return true
		}
		s.write(w, r, 200, map[string]any{"name": name, "color": "b60205", "default": false}, true)
	case path == "issues":
		q := r.URL.Query()
		state, label := q.Get("state"), q.Get("labels")
		if state == "" {
			state = "open"
		}
		var items []any
		for _, is := range rp.Issues {
			if state != "all" && is.State != state || label != "" && !contains(is.Labels, label) {
				continue
			}
			items = append(items, issueJSON(rp, is))
		}
		s.page(w, r, items, nil)
	default:
		return false
	}
	return true
}

// hookConfigGet answers GET hooks/{id}/config.
func (s *Server) hookConfigGet(w http.ResponseWriter, r *http.Request, hooks []Hook, idText string) {
	id, _ := strconv.ParseInt(idText, 10, 64)
	for _, h := range hooks {
		if h.ID == id {
			s.write(w, r, 200, hookJSON(h).(map[string]any)["config"], true)
			return
		}
	}
	s.notFound(w, r)
}

func mapsOf(m map[string]map[string]string) []map[string]string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]map[string]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}
