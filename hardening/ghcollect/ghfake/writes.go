package ghfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Writes: the endpoints `rampart audit fix` calls. Each checks its body
// against GitHub's documented shape (422 otherwise, as GitHub answers),
// changes the fake's state so later reads see the change, and is recorded
// with its answer so tests assert exactly what was sent. The fake refuses
// DELETE: a plan never deletes.

// Write is one request the fake received that was not a GET.
type Write struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body,omitempty"`
	Status int             `json:"status"`
}

// Writes returns every write received so far, in order.
func (s *Server) Writes() []Write {
	s.state.RLock()
	defer s.state.RUnlock()
	return append([]Write(nil), s.writes...)
}

// ResetWrites forgets the writes received so far.
func (s *Server) ResetWrites() {
	s.state.Lock()
	defer s.state.Unlock()
	s.writes = nil
}

// Mutate runs f with the fake's state locked, so a test can change a
// repository or organisation between two requests (a target that drifts
// between plan and apply) without racing the server.
func (s *Server) Mutate(f func()) {
	s.state.Lock()
	defer s.state.Unlock()
	f()
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) unprocessable(w http.ResponseWriter, r *http.Request, format string, args ...any) {
	s.write(w, r, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
		"errors":            []any{map[string]any{"resource": "Request", "code": "invalid", "message": fmt.Sprintf(format, args...)}},
		"documentation_url": docs}, false)
}

// serveWrite handles every method but GET. The caller holds s.state.
func (s *Server) serveWrite(w http.ResponseWriter, r *http.Request, parts []string) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		wr := Write{Method: r.Method, Path: strings.Join(parts, "/"), Status: rec.status}
		if len(body) > 0 {
			wr.Body = append(json.RawMessage(nil), body...)
		}
		s.writes = append(s.writes, wr)
	}()
	if r.Method == http.MethodDelete {
		s.write(rec, r, http.StatusMethodNotAllowed, apiError{"The fake refuses DELETE: rampart never deletes", docs}, false)
		return
	}
	var v map[string]any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &v); err != nil {
			s.write(rec, r, http.StatusBadRequest, apiError{"Problems parsing JSON", docs}, false)
			return
		}
	}
	switch {
	case len(parts) >= 2 && parts[0] == "orgs":
		s.writeOrg(rec, r, parts[1], strings.Join(parts[2:], "/"), v)
	case len(parts) >= 3 && parts[0] == "repos":
		s.writeRepo(rec, r, parts[1], parts[2], strings.Join(parts[3:], "/"), v)
	default:
		s.notFound(rec, r)
	}
}

func (s *Server) newID() int64 {
	s.nextID++
	return 500000 + s.nextID
}

func str(v map[string]any, k string) (string, bool) {
	x, ok := v[k].(string)
	return x, ok
}

// workflowPermissions validates and applies a workflow permissions body.
func (s *Server) workflowPermissions(w http.ResponseWriter, r *http.Request, v map[string]any, def *string, approve *bool) {
	d, ok := str(v, "default_workflow_permissions")
	if ok && d != "read" && d != "write" {
		s.unprocessable(w, r, "default_workflow_permissions must be read or write, got %q", d)
		return
	}
	var a *bool
	if x, present := v["can_approve_pull_request_reviews"]; present {
		b, isBool := x.(bool)
		if !isBool {
			s.unprocessable(w, r, "can_approve_pull_request_reviews must be a boolean")
			return
		}
		a = &b
	}
	if ok {
		*def = d
	}
	if a != nil {
		*approve = *a
	}
	s.write(w, r, http.StatusNoContent, []byte{}, false)
}

// hookConfig validates and applies a webhook configuration body.
func (s *Server) hookConfig(w http.ResponseWriter, r *http.Request, hooks []Hook, idText string, v map[string]any) {
	id, _ := strconv.ParseInt(idText, 10, 64)
	for i := range hooks {
		h := &hooks[i]
		if h.ID != id {
			continue
		}
		if x, present := v["insecure_ssl"]; present {
			var val string
			switch t := x.(type) {
			case string:
				val = t
			case float64:
				val = strconv.Itoa(int(t))
			}
			if val != "0" && val != "1" {
				s.unprocessable(w, r, "insecure_ssl must be \"0\" or \"1\"")
				return
			}
			h.InsecureSSL = val == "1"
		}
		if sec, ok := str(v, "secret"); ok {
			h.Secret = sec != ""
		}
		if u, ok := str(v, "url"); ok {
			h.URL = u
		}
		cfg := hookJSON(*h).(map[string]any)["config"]
		s.write(w, r, 200, cfg, false)
		return
	}
	s.notFound(w, r)
}

func (s *Server) writeOrg(w http.ResponseWriter, r *http.Request, login, path string, v map[string]any) {
	s.mu.Lock()
	o := s.orgs[strings.ToLower(login)]
	s.mu.Unlock()
	if o == nil {
		s.notFound(w, r)
		return
	}
	if !o.ViewerIsOwner {
		s.write(w, r, http.StatusForbidden, apiError{"You must be an organization owner to access this resource.", docs}, false)
		return
	}
	parts := strings.Split(path, "/")
	const cs = "code-security/configurations"
	switch {
	case path == "actions/permissions/workflow" && r.Method == http.MethodPut:
		s.workflowPermissions(w, r, v, &o.WorkflowDefault, &o.CanApprovePRs)
	case len(parts) == 3 && parts[0] == "hooks" && parts[2] == "config" && r.Method == http.MethodPatch:
		s.hookConfig(w, r, o.Hooks, parts[1], v)
	case path == "rulesets" && r.Method == http.MethodPost:
		rs, ok := s.rulesetFromBody(w, r, v, true)
		if !ok {
			return
		}
		for _, x := range o.Rulesets {
			if x.Name == rs.Name {
				s.unprocessable(w, r, "Name must be unique")
				return
			}
		}
		rs.ID = s.newID()
		o.Rulesets = append(o.Rulesets, rs)
		s.write(w, r, http.StatusCreated, rulesetDetail(rs, "Organization", o.Login, true), false)
	case len(parts) == 2 && parts[0] == "rulesets" && r.Method == http.MethodPut:
		id, _ := strconv.ParseInt(parts[1], 10, 64)
		for i, x := range o.Rulesets {
			if x.ID == id {
				rs, ok := s.rulesetFromBody(w, r, v, true)
				if !ok {
					return
				}
				rs.ID = id
				o.Rulesets[i] = rs
				s.write(w, r, 200, rulesetDetail(rs, "Organization", o.Login, true), false)
				return
			}
		}
		s.notFound(w, r)
	case path == cs && r.Method == http.MethodPost:
		name, _ := str(v, "name")
		if name == "" {
			s.unprocessable(w, r, "name is required")
			return
		}
		for _, c := range o.CodeSecurityConfigs {
			if c.Name == name {
				s.unprocessable(w, r, "Name has already been taken")
				return
			}
		}
		c := &CodeSecurityConfig{ID: s.newID(), Name: name, TargetType: "organization"}
		if d, ok := str(v, "description"); ok {
			c.Description = d
		}
		if !applyFeatures(c, v) {
			s.unprocessable(w, r, "feature values must be enabled, disabled or not_set")
			return
		}
		o.CodeSecurityConfigs = append(o.CodeSecurityConfigs, c)
		s.write(w, r, http.StatusCreated, codeSecurityJSON(c), false)
	case strings.HasPrefix(path, cs+"/"):
		rest := strings.Split(strings.TrimPrefix(path, cs+"/"), "/")
		id, _ := strconv.ParseInt(rest[0], 10, 64)
		c := o.codeSecurityConfig(id)
		if c == nil {
			s.notFound(w, r)
			return
		}
		switch {
		case len(rest) == 1 && r.Method == http.MethodPatch:
			if c.TargetType == "global" {
				s.unprocessable(w, r, "GitHub's configurations cannot be changed")
				return
			}
			if !applyFeatures(c, v) {
				s.unprocessable(w, r, "feature values must be enabled, disabled or not_set")
				return
			}
			s.write(w, r, 200, codeSecurityJSON(c), false)
		case len(rest) == 2 && rest[1] == "defaults" && r.Method == http.MethodPut:
			forNew, _ := str(v, "default_for_new_repos")
			switch forNew {
			case "all", "none", "private_and_internal", "public":
			default:
				s.unprocessable(w, r, "default_for_new_repos must be all, none, private_and_internal or public")
				return
			}
			if o.CodeSecurityDefaults == nil {
				o.CodeSecurityDefaults = map[string]int64{}
			}
			if forNew == "all" {
				o.CodeSecurityDefaults = map[string]int64{}
			}
			for k, x := range o.CodeSecurityDefaults {
				if x == id {
					delete(o.CodeSecurityDefaults, k)
				}
			}
			if forNew != "none" {
				o.CodeSecurityDefaults[forNew] = id
			}
			s.write(w, r, 200, map[string]any{"default_for_new_repos": forNew, "configuration": codeSecurityJSON(c)}, false)
		default:
			s.notFound(w, r)
		}
	default:
		s.notFound(w, r)
	}
}

// applyFeatures copies the feature fields of a configuration body.
func applyFeatures(c *CodeSecurityConfig, v map[string]any) bool {
	fields := map[string]*string{
		"secret_scanning": &c.SecretScanning, "secret_scanning_push_protection": &c.PushProtection,
		"dependabot_alerts": &c.DependabotAlerts, "dependabot_security_updates": &c.DependabotSecurityUpdates,
		"dependency_graph": &c.DependencyGraph, "private_vulnerability_reporting": &c.PrivateVulnerabilityReporting,
	}
	for k, dst := range fields {
		x, present := v[k]
		if !present {
			continue
		}
		val, ok := x.(string)
		if !ok || val != "enabled" && val != "disabled" && val != "not_set" {
			return false
		}
		*dst = val
	}
	return true
}

// knownRuleTypes are the ruleset rule types GitHub documents.
var knownRuleTypes = map[string]bool{
	"creation": true, "update": true, "deletion": true, "required_linear_history": true, "merge_queue": true,
	"required_deployments": true, "required_signatures": true, "pull_request": true, "required_status_checks": true,
	"non_fast_forward": true, "commit_message_pattern": true, "commit_author_email_pattern": true,
	"committer_email_pattern": true, "branch_name_pattern": true, "tag_name_pattern": true, "workflows": true, "code_scanning": true,
}

// rulesetFromBody validates a create/update body as GitHub documents it.
func (s *Server) rulesetFromBody(w http.ResponseWriter, r *http.Request, v map[string]any, org bool) (*Ruleset, bool) {
	name, _ := str(v, "name")
	enf, _ := str(v, "enforcement")
	target, hasTarget := str(v, "target")
	if !hasTarget {
		target = "branch"
	}
	switch {
	case name == "":
		s.unprocessable(w, r, "name is required")
		return nil, false
	case enf != "active" && enf != "evaluate" && enf != "disabled":
		s.unprocessable(w, r, "enforcement must be active, evaluate or disabled")
		return nil, false
	case target != "branch" && target != "tag" && target != "push":
		s.unprocessable(w, r, "target must be branch, tag or push")
		return nil, false
	}
	rs := &Ruleset{Name: name, Target: target, Enforcement: enf}
	cond, _ := v["conditions"].(map[string]any)
	refName, _ := cond["ref_name"].(map[string]any)
	strs := func(x any) ([]string, bool) {
		list, ok := x.([]any)
		if !ok {
			return nil, x == nil
		}
		var out []string
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	var ok bool
	if rs.Include, ok = strs(refName["include"]); !ok || len(rs.Include) == 0 {
		s.unprocessable(w, r, "conditions.ref_name.include must list at least one ref pattern")
		return nil, false
	}
	if rs.Exclude, ok = strs(refName["exclude"]); !ok {
		s.unprocessable(w, r, "conditions.ref_name.exclude must be a list")
		return nil, false
	}
	if org {
		repoName, _ := cond["repository_name"].(map[string]any)
		inc, ok := strs(repoName["include"])
		if !ok || len(inc) == 0 {
			s.unprocessable(w, r, "organisation rulesets need conditions.repository_name (or repository_id / repository_property)")
			return nil, false
		}
		if !contains(inc, "~ALL") {
			rs.Repos = inc
		}
	}
	if actors, present := v["bypass_actors"]; present {
		list, ok := actors.([]any)
		if !ok {
			s.unprocessable(w, r, "bypass_actors must be a list")
			return nil, false
		}
		for _, a := range list {
			m, _ := a.(map[string]any)
			t, _ := str(m, "actor_type")
			if t == "" {
				s.unprocessable(w, r, "bypass actors need an actor_type")
				return nil, false
			}
			id, _ := m["actor_id"].(float64)
			mode, _ := str(m, "bypass_mode")
			rs.BypassActors = append(rs.BypassActors, BypassActor{ActorID: int64(id), ActorType: t, BypassMode: mode})
		}
	}
	rules, ok := v["rules"].([]any)
	if !ok {
		s.unprocessable(w, r, "rules must be a list")
		return nil, false
	}
	for _, x := range rules {
		m, _ := x.(map[string]any)
		t, _ := str(m, "type")
		if !knownRuleTypes[t] {
			s.unprocessable(w, r, "unknown rule type %q", t)
			return nil, false
		}
		ru := Rule{Type: t}
		if p, present := m["parameters"]; present {
			pm, ok := p.(map[string]any)
			if !ok {
				s.unprocessable(w, r, "parameters of %s must be an object", t)
				return nil, false
			}
			if t == "pull_request" {
				if _, ok := pm["required_approving_review_count"].(float64); !ok {
					s.unprocessable(w, r, "pull_request needs required_approving_review_count")
					return nil, false
				}
				// GitHub fills in the merge methods it allows by default.
				if _, ok := pm["allowed_merge_methods"]; !ok {
					pm["allowed_merge_methods"] = []string{"merge", "squash", "rebase"}
				}
			}
			ru.Parameters = pm
		}
		rs.Rules = append(rs.Rules, ru)
	}
	return rs, true
}

func (s *Server) writeRepo(w http.ResponseWriter, r *http.Request, owner, name, path string, v map[string]any) {
	s.mu.Lock()
	rp := s.repos[strings.ToLower(owner+"/"+name)]
	s.mu.Unlock()
	if rp == nil {
		s.notFound(w, r)
		return
	}
	admin := rp.ViewerPermission == "admin"
	parts := strings.Split(path, "/")
	// Issues need triage; everything else here needs admin, and GitHub
	// hides admin endpoints behind a 404.
	isIssue := len(parts) >= 1 && (parts[0] == "issues" || parts[0] == "labels")
	if isIssue && rp.ViewerPermission == "read" || !isIssue && !admin {
		s.write(w, r, http.StatusNotFound, apiError{"Not Found", docs}, false)
		return
	}
	switch {
	case path == "" && r.Method == http.MethodPatch:
		sa, _ := v["security_and_analysis"].(map[string]any)
		set := map[string]*bool{"secret_scanning": &rp.SecretScanning, "secret_scanning_push_protection": &rp.PushProtection}
		for k, dst := range set {
			x, present := sa[k]
			if !present {
				continue
			}
			st, _ := x.(map[string]any)
			status, _ := str(st, "status")
			if status != "enabled" && status != "disabled" {
				s.unprocessable(w, r, "security_and_analysis.%s.status must be enabled or disabled", k)
				return
			}
			*dst = status == "enabled"
		}
		s.write(w, r, 200, repoJSON(rp), false)
	case path == "vulnerability-alerts" && r.Method == http.MethodPut:
		rp.DependabotAlerts = true
		s.write(w, r, http.StatusNoContent, []byte{}, false)
	case path == "automated-security-fixes" && r.Method == http.MethodPut:
		if !rp.DependabotAlerts {
			s.unprocessable(w, r, "Dependabot alerts must be enabled before Dependabot security updates")
			return
		}
		rp.SecurityUpdates, rp.SecurityUpdatesPaused = true, false
		s.write(w, r, http.StatusNoContent, []byte{}, false)
	case path == "private-vulnerability-reporting" && r.Method == http.MethodPut:
		if rp.Private {
			s.unprocessable(w, r, "Private vulnerability reporting is only available for public repositories")
			return
		}
		rp.PrivateVulnerabilityReporting = true
		s.write(w, r, http.StatusNoContent, []byte{}, false)
	case path == "actions/permissions/workflow" && r.Method == http.MethodPut:
		s.workflowPermissions(w, r, v, &rp.WorkflowDefault, &rp.CanApprovePRs)
	case len(parts) == 3 && parts[0] == "hooks" && parts[2] == "config" && r.Method == http.MethodPatch:
		s.hookConfig(w, r, rp.Hooks, parts[1], v)
	case path == "rulesets" && r.Method == http.MethodPost:
		rs, ok := s.rulesetFromBody(w, r, v, false)
		if !ok {
			return
		}
		for _, x := range rp.Rulesets {
			if x.Name == rs.Name {
				s.unprocessable(w, r, "Name must be unique")
				return
			}
		}
		rs.ID = s.newID()
		rp.Rulesets = append(rp.Rulesets, rs)
		s.write(w, r, http.StatusCreated, rulesetDetail(rs, "Repository", rp.FullName(), true), false)
	case len(parts) == 2 && parts[0] == "rulesets" && r.Method == http.MethodPut:
		id, _ := strconv.ParseInt(parts[1], 10, 64)
		for i, x := range rp.Rulesets {
			if x.ID == id {
				rs, ok := s.rulesetFromBody(w, r, v, false)
				if !ok {
					return
				}
				rs.ID = id
				rp.Rulesets[i] = rs
				s.write(w, r, 200, rulesetDetail(rs, "Repository", rp.FullName(), true), false)
				return
			}
		}
		s.notFound(w, r)
	case path == "labels" && r.Method == http.MethodPost:
		n, _ := str(v, "name")
		if n == "" || contains(rp.Labels, n) {
			s.unprocessable(w, r, "name is missing or already exists")
			return
		}
		rp.Labels = append(rp.Labels, n)
		s.write(w, r, http.StatusCreated, map[string]any{"name": n, "color": v["color"], "description": v["description"]}, false)
	case path == "issues" && r.Method == http.MethodPost:
		title, _ := str(v, "title")
		if title == "" {
			s.unprocessable(w, r, "title is required")
			return
		}
		body, _ := str(v, "body")
		is := &Issue{Number: len(rp.Issues) + 1, Title: title, Body: body, State: "open"}
		labels, _ := v["labels"].([]any)
		for _, l := range labels {
			if ls, ok := l.(string); ok && contains(rp.Labels, ls) {
				is.Labels = append(is.Labels, ls)
			}
		}
		rp.Issues = append(rp.Issues, is)
		s.write(w, r, http.StatusCreated, issueJSON(rp, is), false)
	case len(parts) >= 2 && parts[0] == "issues":
		n, _ := strconv.Atoi(parts[1])
		var is *Issue
		for _, x := range rp.Issues {
			if x.Number == n {
				is = x
			}
		}
		if is == nil {
			s.notFound(w, r)
			return
		}
		switch {
		case len(parts) == 2 && r.Method == http.MethodPatch:
			if t, ok := str(v, "title"); ok {
				is.Title = t
			}
			if b, ok := str(v, "body"); ok {
				is.Body = b
			}
			if st, ok := str(v, "state"); ok {
				if st != "open" && st != "closed" {
					s.unprocessable(w, r, "state must be open or closed")
					return
				}
				is.State = st
			}
			s.write(w, r, 200, issueJSON(rp, is), false)
		case len(parts) == 3 && parts[2] == "comments" && r.Method == http.MethodPost:
			b, _ := str(v, "body")
			if b == "" {
				s.unprocessable(w, r, "body is required")
				return
			}
			is.Comments = append(is.Comments, b)
			s.write(w, r, http.StatusCreated, map[string]any{"id": s.newID(), "body": b}, false)
		default:
			s.notFound(w, r)
		}
	default:
		s.notFound(w, r)
	}
}
