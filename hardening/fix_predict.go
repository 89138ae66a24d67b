package hardening

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Predict returns a copy of s as it would be after the changes were
// applied. The planner uses it to keep only changes that fix something, to
// name the checks each one fixes, and to list what stays manual; tests use
// it to hold the plan to its word. s is not modified.
func Predict(s *Snapshot, changes []Change) *Snapshot {
	out := cloneSnapshot(s)
	nextID := int64(-1)
	for _, c := range changes {
		predictOne(out, c, &nextID)
	}
	return out
}

func cloneSnapshot(s *Snapshot) *Snapshot {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(s); err != nil {
		panic(fmt.Sprintf("hardening: clone snapshot: %v", err)) // snapshots always marshal
	}
	var out Snapshot
	if err := json.NewDecoder(&buf).Decode(&out); err != nil {
		panic(fmt.Sprintf("hardening: clone snapshot: %v", err))
	}
	return &out
}

func repoByName(s *Snapshot, full string) *RepoSnapshot {
	for _, r := range s.Repos {
		if strings.EqualFold(r.FullName, full) {
			return r
		}
	}
	return nil
}

func lastBody[T any](c Change) (T, bool) {
	var v T
	if len(c.Requests) == 0 {
		return v, false
	}
	// The body that states the final form is the first one with content
	// for create-then-configure pairs, the only one otherwise.
	for _, rq := range c.Requests {
		if len(rq.Body) > 0 && json.Unmarshal(rq.Body, &v) == nil {
			return v, true
		}
	}
	return v, false
}

func predictOne(s *Snapshot, c Change, nextID *int64) {
	ok := Read{State: ReadOK}
	r := repoByName(s, c.Target)
	switch c.Kind {
	case FixRepoRuleset, FixTagRuleset:
		body, good := lastBody[RulesetBody](c)
		if r == nil || !good {
			return
		}
		id := rulesetIDOf(c, nextID)
		rs := rulesetFromBody(body, id, "Repository", r.FullName)
		placeRuleset(r, rs)
	case FixOrgRuleset:
		body, good := lastBody[RulesetBody](c)
		if s.Org == nil || !good {
			return
		}
		id := rulesetIDOf(c, nextID)
		rs := rulesetFromBody(body, id, "Organization", s.Org.Login)
		s.Org.Rulesets.Rulesets = replaceRuleset(s.Org.Rulesets.Rulesets, rs)
		for _, repo := range s.Repos {
			if repo.Error == "" {
				placeRuleset(repo, rs)
			}
		}
	case FixSecurityAnalysis:
		var st SecurityAnalysisState
		if r == nil || json.Unmarshal(c.Expect, &st) != nil {
			return
		}
		on := true
		if st.SecretScanning != "" {
			r.Security.SecretScanning = &on
		}
		if st.PushProtection != "" {
			r.Security.PushProtection = &on
		}
	case FixVulnerabilityAlerts:
		if r != nil {
			r.DependabotAlerts = Toggle{Read: ok, Enabled: true}
		}
	case FixSecurityUpdates:
		if r != nil {
			r.DependabotSecurityUpdates = SecurityUpdates{Read: ok, Enabled: true}
		}
	case FixPrivateReporting:
		if r != nil {
			r.PrivateVulnerabilityReporting = Toggle{Read: ok, Enabled: true}
		}
	case FixRepoWorkflowToken:
		if r != nil {
			no := false
			r.WorkflowPermissions = WorkflowPermissions{Read: ok, Default: "read", CanApprove: &no}
		}
	case FixOrgWorkflowToken:
		if s.Org != nil {
			no := false
			s.Org.WorkflowPermissions = WorkflowPermissions{Read: ok, Default: "read", CanApprove: &no}
		}
	case FixRepoHookTLS, FixOrgHookTLS:
		id := hookIDOf(c)
		var hooks *Webhooks
		switch {
		case c.Kind == FixRepoHookTLS && r != nil:
			hooks = &r.Webhooks
		case c.Kind == FixOrgHookTLS && s.Org != nil:
			hooks = &s.Org.Webhooks
		default:
			return
		}
		for i := range hooks.Hooks {
			if hooks.Hooks[i].ID == id {
				hooks.Hooks[i].InsecureSSL = false
			}
		}
	case FixCodeSecurityDefault:
		if s.Org != nil {
			predictCodeSecurity(s.Org, c, nextID)
		}
	}
}

// rulesetIDOf is the ID an update keeps, or a new negative ID for a
// ruleset the change creates.
func rulesetIDOf(c Change, nextID *int64) int64 {
	var st RulesetState
	if json.Unmarshal(c.Expect, &st) == nil && st.Exists {
		return st.ID
	}
	id := *nextID
	*nextID--
	return id
}

func hookIDOf(c Change) int64 {
	for _, rq := range c.Requests {
		parts := strings.Split(rq.Path, "/")
		for i := 0; i+1 < len(parts); i++ {
			if parts[i] == "hooks" {
				if id, err := strconv.ParseInt(parts[i+1], 10, 64); err == nil {
					return id
				}
			}
		}
	}
	return 0
}

func rulesetFromBody(b RulesetBody, id int64, sourceType, source string) Ruleset {
	rs := Ruleset{ID: id, Name: b.Name, Target: b.Target, SourceType: sourceType, Source: source, Enforcement: b.Enforcement,
		BypassKnown: true, Detailed: true, RefInclude: b.Conditions.RefName.Include, RefExclude: b.Conditions.RefName.Exclude}
	if rn := b.Conditions.RepositoryName; rn != nil {
		rs.RepoInclude, rs.RepoExclude = rn.Include, rn.Exclude
	}
	for _, a := range b.BypassActors {
		rs.BypassActors = append(rs.BypassActors, BypassActor{ActorID: a.ActorID, ActorType: a.ActorType, BypassMode: a.BypassMode})
	}
	for _, ru := range b.Rules {
		rs.Rules = append(rs.Rules, RulesetRule{Type: ru.Type, Parameters: ru.Parameters})
	}
	return rs
}

func replaceRuleset(list []Ruleset, rs Ruleset) []Ruleset {
	for i := range list {
		if list[i].ID == rs.ID {
			list[i] = rs
			return list
		}
	}
	return append(list, rs)
}

// placeRuleset adds (or replaces) a ruleset in a repository's view and
// updates the active rules of the default and release branches it applies
// to, as the rules-for-a-branch endpoint would answer.
func placeRuleset(r *RepoSnapshot, rs Ruleset) {
	r.Branch.Rulesets.Rulesets = replaceRuleset(r.Branch.Rulesets.Rulesets, rs)
	if rs.Target != "branch" {
		return
	}
	apply := func(b *BranchSnapshot) {
		if !b.Rules.OK() {
			return
		}
		kept := b.Rules.Rules[:0:0]
		for _, ar := range b.Rules.Rules {
			if ar.RulesetID != rs.ID {
				kept = append(kept, ar)
			}
		}
		b.Rules.Rules = kept
		if applies, _ := rulesetApplies(&rs, b.Name, r.DefaultBranch); !applies || rs.Enforcement != "active" {
			return
		}
		for _, ru := range rs.Rules {
			b.Rules.Rules = append(b.Rules.Rules, ActiveRule{Type: ru.Type, RulesetID: rs.ID, RulesetSource: rs.Source,
				RulesetSourceType: rs.SourceType, Parameters: ru.Parameters})
		}
	}
	apply(&r.Branch)
	for i := range r.ReleaseBranches {
		apply(&r.ReleaseBranches[i])
	}
}

func predictCodeSecurity(o *OrgSnapshot, c Change, nextID *int64) {
	var st CodeSecurityState
	if json.Unmarshal(c.Expect, &st) != nil {
		return
	}
	cfg := CodeSecurityConfig{ID: *nextID, Name: FixCodeSecurityConfigName, TargetType: "organization"}
	if st.Rampart != nil {
		cfg = *st.Rampart
	} else {
		*nextID--
	}
	cfg.SecretScanning, cfg.PushProtection, cfg.DependabotAlerts = "enabled", "enabled", "enabled"
	cfg.DependabotSecurityUpdates, cfg.DependencyGraph, cfg.PrivateVulnerabilityReporting = "enabled", "enabled", "enabled"
	forNew := "all"
	for _, rq := range c.Requests {
		var d struct {
			ForNew string `json:"default_for_new_repos"`
		}
		if strings.HasSuffix(rq.Path, "/defaults") && json.Unmarshal(rq.Body, &d) == nil && d.ForNew != "" {
			forNew = d.ForNew
		}
	}
	cs := &o.CodeSecurity
	cs.All = append(cs.All[:0:0], cs.All...)
	found := false
	for i := range cs.All {
		if cs.All[i].ID == cfg.ID {
			cs.All[i], found = cfg, true
		}
	}
	if !found {
		cs.All = append(cs.All, cfg)
	}
	var kept []DefaultCodeSecurityConfig
	for _, d := range cs.Defaults {
		if forNew == "all" || d.ForNewRepos == forNew || d.Config.ID == cfg.ID {
			continue
		}
		kept = append(kept, d)
	}
	cs.Defaults = append(kept, DefaultCodeSecurityConfig{ForNewRepos: forNew, Config: cfg})
}
