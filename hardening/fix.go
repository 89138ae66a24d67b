package hardening

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"
)

// This file plans fixes, Terraform-style: a Plan is a value computed from a
// snapshot and a policy, with the exact API calls that would fix what
// fails and, for everything rampart never changes, the exact steps a person
// takes. Planning is pure; hardening/ghcollect applies a plan, re-reading
// each target first and skipping what changed since the plan was made.

// PlanVersion is the version of the plan format.
const PlanVersion = 1

// Names rampart gives what it creates, so a later plan recognises them as
// its own. A ruleset or configuration with another name is never modified.
const (
	FixRulesetName            = "rampart-default-branch"
	FixTagRulesetName         = "rampart-release-tags"
	FixCodeSecurityConfigName = "rampart-baseline"
	// FixIssueLabel labels the issue rampart keeps per repository;
	// FixIssueMarker, in its body, tells it from other issues so labelled.
	FixIssueLabel  = "rampart-audit"
	FixIssueMarker = "<!-- rampart-audit: one issue per repository, kept up to date by `rampart audit fix --open-issues` -->"
	FixIssueTitle  = "rampart: security settings to fix"
	// CreatedIDPlaceholder in a request path stands for the "id" of the
	// JSON object the previous request of the same change returned.
	CreatedIDPlaceholder = "{created_id}"
)

// FixKind names what a change does; each kind has one state type (below)
// that apply re-reads and compares with the plan's.
type FixKind string

// The kinds of change.
const (
	FixRepoRuleset         FixKind = "repo-branch-ruleset"
	FixOrgRuleset          FixKind = "org-branch-ruleset"
	FixTagRuleset          FixKind = "repo-tag-ruleset"
	FixSecurityAnalysis    FixKind = "repo-security-analysis"
	FixVulnerabilityAlerts FixKind = "repo-vulnerability-alerts"
	FixSecurityUpdates     FixKind = "repo-security-updates"
	FixPrivateReporting    FixKind = "repo-private-vulnerability-reporting"
	FixRepoWorkflowToken   FixKind = "repo-workflow-token"
	FixOrgWorkflowToken    FixKind = "org-workflow-token"
	FixRepoHookTLS         FixKind = "repo-webhook-tls"
	FixOrgHookTLS          FixKind = "org-webhook-tls"
	FixCodeSecurityDefault FixKind = "org-code-security-default"
	FixIssue               FixKind = "repo-issue"
)

// kindOrder is the order changes are applied in within a target: Dependabot
// alerts before security updates, which need them.
var kindOrder = map[FixKind]int{
	FixCodeSecurityDefault: 0, FixOrgWorkflowToken: 1, FixOrgHookTLS: 2, FixOrgRuleset: 3,
	FixSecurityAnalysis: 10, FixVulnerabilityAlerts: 11, FixSecurityUpdates: 12, FixPrivateReporting: 13,
	FixRepoWorkflowToken: 14, FixRepoHookTLS: 15, FixRepoRuleset: 16, FixTagRuleset: 17, FixIssue: 99,
}

// Permissions each kind of change needs, for the plan and the README.
var fixPermissions = map[FixKind]Permission{
	FixRepoRuleset:         {Role: "repository admin", Classic: "repo", FineGrained: `"Administration" repository permission (write)`},
	FixTagRuleset:          {Role: "repository admin", Classic: "repo", FineGrained: `"Administration" repository permission (write)`},
	FixOrgRuleset:          {Role: "organisation owner", Classic: "admin:org", FineGrained: `"Administration" organisation permission (write)`},
	FixSecurityAnalysis:    {Role: "repository admin", Classic: "repo", FineGrained: `"Administration" repository permission (write)`},
	FixVulnerabilityAlerts: {Role: "repository admin", Classic: "repo", FineGrained: `"Administration" repository permission (write)`},
	FixSecurityUpdates:     {Role: "repository admin", Classic: "repo", FineGrained: `"Administration" repository permission (write)`},
	FixPrivateReporting:    {Role: "repository admin", Classic: "repo", FineGrained: `"Administration" repository permission (write)`},
	FixRepoWorkflowToken:   {Role: "repository admin", Classic: "repo", FineGrained: `"Administration" repository permission (write)`},
	FixOrgWorkflowToken:    {Role: "organisation owner", Classic: "admin:org", FineGrained: `"Administration" organisation permission (write)`},
	FixRepoHookTLS:         {Role: "repository admin", Classic: "admin:repo_hook", FineGrained: `"Webhooks" repository permission (write)`},
	FixOrgHookTLS:          {Role: "organisation owner", Classic: "admin:org_hook", FineGrained: `"Webhooks" organisation permission (write)`},
	FixCodeSecurityDefault: {Role: "organisation owner or security manager", Classic: "write:org", FineGrained: `"Administration" organisation permission (write)`},
	FixIssue:               {Role: "repository triage", Classic: "repo (public_repo for public repositories)", FineGrained: `"Issues" repository permission (write)`},
}

// FixPermission returns what a token needs to apply a kind of change.
func FixPermission(k FixKind) Permission { return fixPermissions[k] }

// Plan is what `rampart audit fix` would do: changes, as exact API calls,
// and manual items, as exact steps. It is JSON a person can review and
// apply consumes unchanged.
type Plan struct {
	Version int `json:"version"`
	// Tool names the rampart that made the plan ("rampart 1.2.3").
	Tool      string    `json:"tool,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// APIURL is the API root the plan was made against; apply refuses
	// another.
	APIURL string `json:"api_url,omitempty"`
	// Checks is the --checks selection, empty for every check.
	Checks  []string     `json:"checks,omitempty"`
	Changes []Change     `json:"changes"`
	Manual  []ManualItem `json:"manual"`
	// Notes say what the plan left out on purpose (issues in public
	// repositories).
	Notes []string `json:"notes,omitempty"`
}

// Change is one fix on one target: the requests to send, in order, and the
// state of the fields it owns as the plan saw them.
type Change struct {
	// ID is stable across runs: target, kind and object.
	ID     string  `json:"id"`
	Target string  `json:"target"`
	Scope  string  `json:"scope"`
	Kind   FixKind `json:"kind"`
	// Checks are the failing checks this change makes pass; Partly are
	// failing checks it works towards that still need a manual step (a
	// webhook's TLS is fixed, its secret is not).
	Checks  []string `json:"checks"`
	Partly  []string `json:"partly,omitempty"`
	Summary string   `json:"summary"`
	// Expect is the owned state the plan saw (one of the *State types);
	// apply re-reads it and skips the change when GitHub now says
	// something else.
	Expect   json.RawMessage `json:"expect"`
	Requests []Request       `json:"requests"`
	// Permission is what the token needs to make this change.
	Permission string `json:"permission"`
}

// Request is one API call: path relative to the API root, JSON body.
type Request struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body,omitempty"`
}

// ManualItem is a failing check rampart does not fix, with the steps to
// fix it and why it is left to a person.
type ManualItem struct {
	Target   string   `json:"target"`
	Scope    string   `json:"scope"`
	Check    string   `json:"check"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	Evidence string   `json:"evidence"`
	Steps    string   `json:"steps"`
	Why      string   `json:"why"`
}

// ApplyStatus is what became of one change.
type ApplyStatus string

// The apply statuses.
const (
	// Applied: every request of the change succeeded.
	Applied ApplyStatus = "applied"
	// Drifted: the target changed since the plan; nothing was written.
	Drifted ApplyStatus = "skipped"
	// Failed: the re-read or a request failed; what was sent is logged.
	Failed ApplyStatus = "failed"
	// NotRun: the run stopped (cancelled) before this change.
	NotRun ApplyStatus = "not-run"
)

// ApplyResult is what applying one change did, with every write and
// GitHub's answer to it.
type ApplyResult struct {
	Change  string      `json:"change"`
	Target  string      `json:"target"`
	Kind    FixKind     `json:"kind"`
	Summary string      `json:"summary"`
	Status  ApplyStatus `json:"status"`
	Detail  string      `json:"detail,omitempty"`
	// Seen is the owned state apply re-read, when it differed from the
	// plan's (Drifted).
	Seen   json.RawMessage `json:"seen,omitempty"`
	Writes []WriteLog      `json:"writes"`
}

// WriteLog is one write and GitHub's answer.
type WriteLog struct {
	Method  string          `json:"method"`
	Path    string          `json:"path"`
	Request json.RawMessage `json:"request,omitempty"`
	Status  int             `json:"status"`
	// Response is the answer's JSON (or its text, quoted), cut at 64 KiB.
	Response json.RawMessage `json:"response,omitempty"`
}

// The owned state of each kind of change, as apply compares it.

// RulesetState is a ruleset rampart manages: whether it exists, and its
// body when it does.
type RulesetState struct {
	Exists bool         `json:"exists"`
	ID     int64        `json:"id,omitempty"`
	Body   *RulesetBody `json:"body,omitempty"`
}

// RulesetBody is a ruleset as the create and update endpoints take it.
type RulesetBody struct {
	Name         string            `json:"name"`
	Target       string            `json:"target"`
	Enforcement  string            `json:"enforcement"`
	BypassActors []BypassActorBody `json:"bypass_actors"`
	Conditions   RulesetConditions `json:"conditions"`
	Rules        []RuleBody        `json:"rules"`
}

// BypassActorBody is a bypass actor in a ruleset body.
type BypassActorBody struct {
	ActorID    int64  `json:"actor_id,omitempty"`
	ActorType  string `json:"actor_type"`
	BypassMode string `json:"bypass_mode,omitempty"`
}

// RulesetConditions are a ruleset's conditions.
type RulesetConditions struct {
	RefName        RefCondition  `json:"ref_name"`
	RepositoryName *RefCondition `json:"repository_name,omitempty"`
}

// RefCondition includes and excludes names.
type RefCondition struct {
	Include []string `json:"include"`
	Exclude []string `json:"exclude"`
}

// RuleBody is one rule; parameters are kept canonical (sorted keys).
type RuleBody struct {
	Type       string          `json:"type"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
}

// ToggleState is an on/off setting.
type ToggleState struct {
	Enabled bool `json:"enabled"`
}

// SecurityAnalysisState is the security_and_analysis statuses a change
// writes; fields it does not write are empty.
type SecurityAnalysisState struct {
	SecretScanning string `json:"secret_scanning,omitempty"`
	PushProtection string `json:"secret_scanning_push_protection,omitempty"`
}

// WorkflowTokenState is the default workflow token setting.
type WorkflowTokenState struct {
	Default    string `json:"default_workflow_permissions"`
	CanApprove bool   `json:"can_approve_pull_request_reviews"`
}

// HookState is the field of a webhook's configuration a change writes.
type HookState struct {
	InsecureSSL string `json:"insecure_ssl"`
}

// CodeSecurityState is the organisation's defaults and rampart's own
// configuration.
type CodeSecurityState struct {
	Defaults []CodeSecurityDefaultRef `json:"defaults"`
	Rampart  *CodeSecurityConfig      `json:"rampart,omitempty"`
}

// CodeSecurityDefaultRef is one default: for which new repositories, which
// configuration.
type CodeSecurityDefaultRef struct {
	ForNewRepos string `json:"default_for_new_repos"`
	ID          int64  `json:"id"`
}

// IssueState is rampart's open issue in a repository.
type IssueState struct {
	Number      int    `json:"number"`
	BodySHA     string `json:"body_sha256,omitempty"`
	LabelExists bool   `json:"label_exists"`
}

// MarshalState renders a state the way plans store it, so the applier's
// re-read compares byte for byte.
func MarshalState(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("hardening: marshal state %T: %v", v, err)) // the state types always marshal
	}
	return b
}

// BodySHA is the hex SHA-256 of an issue body, as IssueState holds it.
func BodySHA(body string) string {
	s := sha256.Sum256([]byte(body))
	return hex.EncodeToString(s[:])
}

// Canonical re-encodes JSON with sorted object keys and no insignificant
// space, so two renderings of the same value compare equal.
func Canonical(raw json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return raw
	}
	b, _ := json.Marshal(v)
	return b
}

// RulesetBodyOf renders a collected ruleset as a create/update body, with
// canonical parameters.
func RulesetBodyOf(rs Ruleset) RulesetBody {
	b := RulesetBody{
		Name: rs.Name, Target: rs.Target, Enforcement: rs.Enforcement,
		BypassActors: []BypassActorBody{},
		Conditions:   RulesetConditions{RefName: RefCondition{Include: nonNil(rs.RefInclude), Exclude: nonNil(rs.RefExclude)}},
		Rules:        []RuleBody{},
	}
	if b.Target == "" {
		b.Target = "branch"
	}
	for _, a := range rs.BypassActors {
		b.BypassActors = append(b.BypassActors, BypassActorBody{ActorID: a.ActorID, ActorType: a.ActorType, BypassMode: a.BypassMode})
	}
	if rs.SourceType == "Organization" || len(rs.RepoInclude)+len(rs.RepoExclude) > 0 {
		b.Conditions.RepositoryName = &RefCondition{Include: nonNil(rs.RepoInclude), Exclude: nonNil(rs.RepoExclude)}
	}
	for _, r := range rs.Rules {
		b.Rules = append(b.Rules, RuleBody{Type: r.Type, Parameters: Canonical(r.Parameters)})
	}
	return b
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PlanOptions select what a plan covers.
type PlanOptions struct {
	// Checks limits the plan to these checks; empty means all.
	Checks []string
	// Issues is IssuesNone, IssuesBeside (issues for what is left after
	// the planned changes) or IssuesOnly (issues instead of changes).
	Issues IssueMode
	// Now is the time the plan is made (waivers, ages).
	Now time.Time
	// PublicIssues lets issue mode open and update issues in public
	// repositories too. Off by default: an issue there publishes the
	// repository's weaknesses (no branch protection, a self-hosted runner
	// open to forks) to everyone, attackers included.
	PublicIssues bool
}

// IssueMode says whether a plan keeps an issue per repository.
type IssueMode int

// The issue modes.
const (
	IssuesNone IssueMode = iota
	IssuesBeside
	IssuesOnly
)

// PlanFixes computes the plan for a snapshot under a policy.
func PlanFixes(s *Snapshot, p *Policy, o PlanOptions) *Plan {
	if p == nil {
		p = DefaultPolicy()
	}
	pl := &Plan{Version: PlanVersion, CreatedAt: o.Now.UTC(), APIURL: s.APIURL, Checks: o.Checks, Changes: []Change{}, Manual: []ManualItem{}}
	want := map[string]bool{}
	for _, id := range o.Checks {
		want[id] = true
	}
	selected := func(id string) bool { return len(want) == 0 || want[id] }
	before := Evaluate(s, p, o.Now)
	failing := failingByTarget(before, selected)

	var changes []Change
	var blocked map[string]string
	if o.Issues != IssuesOnly {
		changes, blocked = planSettings(s, p, failing)
	}
	// Keep only changes that turn a failing check into a pass, as the
	// prediction shows; name those checks on each change.
	after := Evaluate(Predict(s, changes), p, o.Now)
	passing := passingByTarget(after)
	for _, c := range changes {
		c.Checks = fixedBy(c, s, failing, passing)
		if len(c.Checks) == 0 {
			switch c.Kind {
			case FixRepoRuleset, FixOrgRuleset, FixTagRuleset, FixCodeSecurityDefault:
				// A ruleset or configuration that fixes nothing is noise.
				continue
			}
			// Every other kind is planned for one specific fault, which it
			// removes even when the check has another.
			for _, id := range kindChecks[c.Kind] {
				if failing[c.Target][id] {
					c.Partly = append(c.Partly, id)
				}
			}
			if len(c.Partly) == 0 {
				continue
			}
		}
		c.Permission = fixPermissions[c.Kind].String()
		pl.Changes = append(pl.Changes, c)
	}
	// Recompute the prediction over the changes kept.
	after = Evaluate(Predict(s, pl.Changes), p, o.Now)
	now := map[string]string{} // target + check → today's evidence
	for _, t := range before.Targets {
		for _, r := range t.Results {
			now[t.Name+"\x00"+r.Check] = r.Evidence
		}
	}
	for _, t := range after.Targets {
		for _, r := range t.Results {
			if !r.Failing() || !selected(r.Check) {
				continue
			}
			why := manualWhy(r.Check)
			if reason, ok := blocked[t.Name]; ok && fixable(r.Check) {
				why = reason
			}
			// Today's evidence, when the check fails today too: the
			// predicted one names rulesets that do not exist yet.
			ev := r.Evidence
			if e, ok := now[t.Name+"\x00"+r.Check]; ok {
				ev = e
			}
			pl.Manual = append(pl.Manual, ManualItem{
				Target: t.Name, Scope: t.Kind, Check: r.Check, Title: r.Title, Severity: r.Severity,
				Evidence: ev, Steps: r.Remediation, Why: why,
			})
		}
	}
	if o.Issues != IssuesNone {
		remaining := before
		if o.Issues == IssuesBeside {
			remaining = after
		}
		issues, skipped := planIssues(s, remaining, selected, o.PublicIssues)
		pl.Changes = append(pl.Changes, issues...)
		if len(skipped) > 0 {
			pl.Notes = append(pl.Notes, fmt.Sprintf("no issue opened or updated in %d public %s (%s): an issue there would publish what is weak to everyone; --public-issues opens them anyway",
				len(skipped), pluralWord(len(skipped), "repository", "repositories"), strings.Join(skipped, ", ")))
		}
	}
	sort.SliceStable(pl.Changes, func(i, j int) bool {
		a, b := pl.Changes[i], pl.Changes[j]
		if (a.Scope == ScopeOrg.String()) != (b.Scope == ScopeOrg.String()) {
			return a.Scope == ScopeOrg.String()
		}
		if a.Target != b.Target {
			return strings.ToLower(a.Target) < strings.ToLower(b.Target)
		}
		if kindOrder[a.Kind] != kindOrder[b.Kind] {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		return a.ID < b.ID
	})
	return pl
}

type targetChecks map[string]map[string]bool

func failingByTarget(rep *Report, selected func(string) bool) targetChecks {
	out := targetChecks{}
	for _, t := range rep.Targets {
		for _, r := range t.Results {
			if r.Failing() && selected(r.Check) {
				if out[t.Name] == nil {
					out[t.Name] = map[string]bool{}
				}
				out[t.Name][r.Check] = true
			}
		}
	}
	return out
}

func passingByTarget(rep *Report) targetChecks {
	out := targetChecks{}
	for _, t := range rep.Targets {
		for _, r := range t.Results {
			if r.Status == StatusPass || r.Status == StatusWarn {
				if out[t.Name] == nil {
					out[t.Name] = map[string]bool{}
				}
				out[t.Name][r.Check] = true
			}
		}
	}
	return out
}

// rulesetChecks are the checks rampart's branch ruleset can fix.
var rulesetChecks = []string{"branch-protected", "branch-force-push", "branch-deletion", "branch-required-reviews", "branch-dismiss-stale",
	"branch-code-owners", "branch-last-push-approval", "branch-status-checks", "branch-up-to-date", "branch-signed-commits",
	"branch-linear-history", "branch-conversation-resolution", "branch-release-protection"}

// kindChecks are the checks each kind of change can fix.
var kindChecks = map[FixKind][]string{
	FixRepoRuleset:         rulesetChecks,
	FixOrgRuleset:          rulesetChecks,
	FixTagRuleset:          {"repo-tag-protection"},
	FixSecurityAnalysis:    {"repo-secret-scanning", "repo-push-protection"},
	FixVulnerabilityAlerts: {"repo-dependabot-alerts"},
	FixSecurityUpdates:     {"repo-dependabot-security-updates"},
	FixPrivateReporting:    {"repo-private-vulnerability-reporting"},
	FixRepoWorkflowToken:   {"repo-actions-token-permissions", "workflow-excessive-permissions", "workflow-top-level-permissions"},
	FixOrgWorkflowToken:    {"org-actions-token-permissions"},
	FixRepoHookTLS:         {"repo-webhook-security"},
	FixOrgHookTLS:          {"org-webhook-security"},
	FixCodeSecurityDefault: {"org-security-defaults"},
}

// fixedBy lists the checks change c turns from fail into pass: on its own
// target, or, for an organisation ruleset, on any repository.
func fixedBy(c Change, s *Snapshot, failing, passing targetChecks) []string {
	var out []string
	seen := map[string]bool{}
	targets := []string{c.Target}
	if c.Kind == FixOrgRuleset {
		targets = nil
		for _, r := range s.Repos {
			targets = append(targets, r.FullName)
		}
	}
	for _, id := range kindChecks[c.Kind] {
		for _, t := range targets {
			if failing[t][id] && passing[t][id] && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// planSettings plans the setting changes for the failing checks. blocked
// names the targets the token may not change, and why: their fixable
// failures stay manual.
func planSettings(s *Snapshot, p *Policy, failing targetChecks) (out []Change, blocked map[string]string) {
	blocked = map[string]string{}
	orgRuleset := p.FixRuleset == FixRulesetOrganization && s.Org != nil
	if o := s.Org; o != nil {
		f := failing[o.Login]
		if f["org-actions-token-permissions"] && o.WorkflowPermissions.OK() {
			out = append(out, workflowTokenChange(ScopeOrg, o.Login, "orgs/"+url.PathEscape(o.Login), o.WorkflowPermissions, FixOrgWorkflowToken))
		}
		if f["org-webhook-security"] {
			out = append(out, hookChanges(ScopeOrg, o.Login, "orgs/"+url.PathEscape(o.Login), o.Webhooks, FixOrgHookTLS)...)
		}
		if f["org-security-defaults"] && o.CodeSecurity.OK() {
			if c, ok := codeSecurityChange(o); ok {
				out = append(out, c)
			}
		}
		if orgRuleset {
			anyFailing := false
			for _, r := range s.Repos {
				for _, id := range kindChecks[FixRepoRuleset] {
					anyFailing = anyFailing || failing[r.FullName][id]
				}
			}
			if anyFailing && o.Rulesets.OK() {
				if c, ok := rulesetChange(ScopeOrg, o.Login, "orgs/"+url.PathEscape(o.Login)+"/rulesets", FixOrgRuleset,
					desiredBranchRuleset(p, nil, true), ownRuleset(o.Rulesets, FixRulesetName, "branch", "Organization")); ok {
					out = append(out, c)
				}
			}
		}
	}
	for _, r := range s.Repos {
		if r.Error != "" {
			continue
		}
		f := failing[r.FullName]
		if len(f) == 0 {
			continue
		}
		if r.ViewerPermission != "" && r.ViewerPermission != "admin" {
			// Only an administrator may change these settings; a plan the
			// token cannot apply would only fail.
			blocked[r.FullName] = fmt.Sprintf("this token has %s access to the repository; changing its settings needs an administrator's token", r.ViewerPermission)
			continue
		}
		base := "repos/" + url.PathEscape(r.Owner) + "/" + url.PathEscape(r.Name)
		if f["repo-secret-scanning"] || f["repo-push-protection"] {
			var st SecurityAnalysisState
			body := map[string]any{}
			if f["repo-secret-scanning"] {
				st.SecretScanning = "disabled"
				body["secret_scanning"] = map[string]string{"status": "enabled"}
			}
			if f["repo-push-protection"] {
				st.PushProtection = "disabled"
				body["secret_scanning_push_protection"] = map[string]string{"status": "enabled"}
			}
			out = append(out, Change{ID: r.FullName + "/security-analysis", Target: r.FullName, Scope: ScopeRepo.String(), Kind: FixSecurityAnalysis,
				Summary: "enable " + strings.Join(enabledNames(st), " and "), Expect: MarshalState(st),
				Requests: []Request{{Method: "PATCH", Path: base, Body: MarshalState(map[string]any{"security_and_analysis": body})}}})
		}
		if f["repo-dependabot-alerts"] {
			out = append(out, toggleChange(r, "vulnerability-alerts", FixVulnerabilityAlerts, "enable Dependabot alerts"))
		}
		if f["repo-dependabot-security-updates"] && !r.DependabotSecurityUpdates.Enabled {
			out = append(out, toggleChange(r, "automated-security-fixes", FixSecurityUpdates, "enable Dependabot security updates"))
		}
		if f["repo-private-vulnerability-reporting"] {
			out = append(out, toggleChange(r, "private-vulnerability-reporting", FixPrivateReporting, "enable private vulnerability reporting"))
		}
		if f["repo-actions-token-permissions"] && r.WorkflowPermissions.OK() {
			out = append(out, workflowTokenChange(ScopeRepo, r.FullName, base, r.WorkflowPermissions, FixRepoWorkflowToken))
		}
		if f["repo-webhook-security"] {
			out = append(out, hookChanges(ScopeRepo, r.FullName, base, r.Webhooks, FixRepoHookTLS)...)
		}
		if !orgRuleset && r.Branch.Rulesets.OK() {
			branchFailing := false
			for _, id := range kindChecks[FixRepoRuleset] {
				branchFailing = branchFailing || f[id]
			}
			if branchFailing {
				if c, ok := rulesetChange(ScopeRepo, r.FullName, base+"/rulesets", FixRepoRuleset,
					desiredBranchRuleset(p, r, false), ownRuleset(r.Branch.Rulesets, FixRulesetName, "branch", "Repository")); ok {
					out = append(out, c)
				}
			}
		}
		if f["repo-tag-protection"] && r.Branch.Rulesets.OK() {
			if c, ok := rulesetChange(ScopeRepo, r.FullName, base+"/rulesets", FixTagRuleset,
				desiredTagRuleset(p), ownRuleset(r.Branch.Rulesets, FixTagRulesetName, "tag", "Repository")); ok {
				out = append(out, c)
			}
		}
	}
	return out, blocked
}

func enabledNames(st SecurityAnalysisState) []string {
	var out []string
	if st.SecretScanning != "" {
		out = append(out, "secret scanning")
	}
	if st.PushProtection != "" {
		out = append(out, "push protection")
	}
	return out
}

func toggleChange(r *RepoSnapshot, path string, kind FixKind, summary string) Change {
	return Change{ID: r.FullName + "/" + path, Target: r.FullName, Scope: ScopeRepo.String(), Kind: kind, Summary: summary,
		Expect:   MarshalState(ToggleState{Enabled: false}),
		Requests: []Request{{Method: "PUT", Path: "repos/" + url.PathEscape(r.Owner) + "/" + url.PathEscape(r.Name) + "/" + path}}}
}

func workflowTokenChange(scope Scope, target, base string, w WorkflowPermissions, kind FixKind) Change {
	st := WorkflowTokenState{Default: w.Default, CanApprove: w.CanApprove != nil && *w.CanApprove}
	return Change{ID: target + "/workflow-token", Target: target, Scope: scope.String(), Kind: kind,
		Summary: "make the default workflow token read-only and stop workflows approving pull requests",
		Expect:  MarshalState(st),
		Requests: []Request{{Method: "PUT", Path: base + "/actions/permissions/workflow",
			Body: MarshalState(WorkflowTokenState{Default: "read", CanApprove: false})}}}
}

func hookChanges(scope Scope, target, base string, h Webhooks, kind FixKind) []Change {
	if !h.OK() {
		return nil
	}
	var out []Change
	for _, w := range h.Hooks {
		if !w.InsecureSSL {
			continue
		}
		out = append(out, Change{ID: fmt.Sprintf("%s/hooks/%d", target, w.ID), Target: target, Scope: scope.String(), Kind: kind,
			Summary: fmt.Sprintf("turn on TLS certificate verification for webhook %d (to %s)", w.ID, orDash(w.Host)),
			Expect:  MarshalState(HookState{InsecureSSL: "1"}),
			Requests: []Request{{Method: "PATCH", Path: fmt.Sprintf("%s/hooks/%d/config", base, w.ID),
				Body: MarshalState(HookState{InsecureSSL: "0"})}}})
	}
	return out
}

// ownRuleset finds the ruleset rampart manages by its name and target
// among those defined at level (Repository or Organization): a
// repository's list also shows its organisation's rulesets, which a
// repository-level change must not mistake for its own.
func ownRuleset(rs Rulesets, name, target, level string) *Ruleset {
	for i := range rs.Rulesets {
		r := &rs.Rulesets[i]
		if r.SourceType != "" && !strings.EqualFold(r.SourceType, level) {
			continue
		}
		if r.Name == name && (r.Target == target || r.Target == "" && target == "branch") {
			return r
		}
	}
	return nil
}

// rulesetChange creates rampart's ruleset, or updates it when it no longer
// contains what the policy wants. It never touches a ruleset with another
// name. ok is false when nothing needs to change.
func rulesetChange(scope Scope, target, listPath string, kind FixKind, want RulesetBody, have *Ruleset) (Change, bool) {
	c := Change{ID: target + "/rulesets/" + want.Name, Target: target, Scope: scope.String(), Kind: kind}
	if have == nil {
		c.Summary = fmt.Sprintf("create %s ruleset %q (%s)", want.Target, want.Name, describeRuleset(want))
		c.Expect = MarshalState(RulesetState{Exists: false})
		c.Requests = []Request{{Method: "POST", Path: listPath, Body: MarshalState(want)}}
		return c, true
	}
	if !have.Detailed {
		return Change{}, false // cannot see it: never write blind
	}
	cur := RulesetBodyOf(*have)
	if rulesetContains(cur, want) {
		return Change{}, false
	}
	c.Summary = fmt.Sprintf("update rampart's %s ruleset %q (id %d) to %s", want.Target, want.Name, have.ID, describeRuleset(want))
	c.Expect = MarshalState(RulesetState{Exists: true, ID: have.ID, Body: &cur})
	c.Requests = []Request{{Method: "PUT", Path: fmt.Sprintf("%s/%d", listPath, have.ID), Body: MarshalState(want)}}
	return c, true
}

func describeRuleset(b RulesetBody) string {
	var rules []string
	for _, r := range b.Rules {
		rules = append(rules, r.Type)
	}
	return fmt.Sprintf("on %s: %s; no bypass", strings.Join(b.Conditions.RefName.Include, ", "), strings.Join(rules, ", "))
}

// rulesetContains reports whether ruleset have enforces at least what want
// asks: same target and enforcement, no bypass actor beyond want's, every
// wanted ref included, and every wanted rule present with at least the
// wanted parameters (GitHub adds defaults, such as allowed_merge_methods,
// that a plan must not fight).
func rulesetContains(have, want RulesetBody) bool {
	if have.Target != want.Target || have.Enforcement != want.Enforcement || len(have.BypassActors) > len(want.BypassActors) {
		return false
	}
	if !containsAll(have.Conditions.RefName.Include, want.Conditions.RefName.Include) || len(have.Conditions.RefName.Exclude) > 0 {
		return false
	}
	if want.Conditions.RepositoryName != nil {
		hr := have.Conditions.RepositoryName
		if hr == nil || !containsAll(hr.Include, want.Conditions.RepositoryName.Include) || len(hr.Exclude) > 0 {
			return false
		}
	}
	byType := map[string]json.RawMessage{}
	for _, r := range have.Rules {
		byType[r.Type] = r.Parameters
	}
	for _, r := range want.Rules {
		hp, ok := byType[r.Type]
		if !ok {
			return false
		}
		if len(r.Parameters) > 0 && !jsonContains(hp, r.Parameters) {
			return false
		}
	}
	return true
}

func containsAll(have, want []string) bool {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}

// jsonContains reports whether JSON value have holds every field of want
// with an equal value (objects recursively; arrays element by element).
func jsonContains(have, want json.RawMessage) bool {
	var h, w any
	if json.Unmarshal(have, &h) != nil || json.Unmarshal(want, &w) != nil {
		return false
	}
	return valueContains(h, w)
}

func valueContains(h, w any) bool {
	switch wv := w.(type) {
	case map[string]any:
		hv, ok := h.(map[string]any)
		if !ok {
			return false
		}
		for k, x := range wv {
			y, ok := hv[k]
			if !ok || !valueContains(y, x) {
				return false
			}
		}
		return true
	case []any:
		hv, ok := h.([]any)
		if !ok || len(hv) != len(wv) {
			return false
		}
		for i := range wv {
			if !valueContains(hv[i], wv[i]) {
				return false
			}
		}
		return true
	}
	return fmt.Sprint(h) == fmt.Sprint(w)
}

// desiredBranchRuleset is the branch ruleset the policy asks for: the
// default branch and the release branches, no force push, no deletion, a
// pull request with the policy's reviews, the status checks the policy (or
// the existing classic protection) names, and no bypass. org selects an
// organisation ruleset over every repository.
func desiredBranchRuleset(p *Policy, r *RepoSnapshot, org bool) RulesetBody {
	include := []string{"~DEFAULT_BRANCH"}
	for _, g := range p.ReleaseBranches {
		include = append(include, "refs/heads/"+strings.TrimPrefix(g, "refs/heads/"))
	}
	rules := []RuleBody{{Type: "deletion"}, {Type: "non_fast_forward"}}
	rules = append(rules, RuleBody{Type: "pull_request", Parameters: Canonical(MarshalState(map[string]any{
		"required_approving_review_count":   p.MinApprovals,
		"dismiss_stale_reviews_on_push":     true,
		"require_code_owner_review":         true,
		"require_last_push_approval":        true,
		"required_review_thread_resolution": true,
	}))})
	contexts := p.RequiredStatusChecks
	if len(contexts) == 0 && r != nil && r.Branch.Classic.OK() && r.Branch.Classic.RequiredStatusChecks != nil {
		contexts = r.Branch.Classic.RequiredStatusChecks.Contexts
	}
	if len(contexts) > 0 {
		var checks []map[string]string
		for _, c := range contexts {
			checks = append(checks, map[string]string{"context": c})
		}
		rules = append(rules, RuleBody{Type: "required_status_checks", Parameters: Canonical(MarshalState(map[string]any{
			"strict_required_status_checks_policy": true,
			"required_status_checks":               checks,
		}))})
	}
	if p.RequireLinearHistory {
		rules = append(rules, RuleBody{Type: "required_linear_history"})
	}
	if p.RequireSignedCommits {
		rules = append(rules, RuleBody{Type: "required_signatures"})
	}
	b := RulesetBody{Name: FixRulesetName, Target: "branch", Enforcement: "active", BypassActors: []BypassActorBody{},
		Conditions: RulesetConditions{RefName: RefCondition{Include: include, Exclude: []string{}}}, Rules: rules}
	if org {
		b.Conditions.RepositoryName = &RefCondition{Include: []string{"~ALL"}, Exclude: []string{}}
	}
	return b
}

// desiredTagRuleset protects the policy's release tags from deletion, moves
// and force pushes, with no bypass.
func desiredTagRuleset(p *Policy) RulesetBody {
	var include []string
	for _, g := range p.ReleaseTags {
		include = append(include, "refs/tags/"+strings.TrimPrefix(g, "refs/tags/"))
	}
	return RulesetBody{Name: FixTagRulesetName, Target: "tag", Enforcement: "active", BypassActors: []BypassActorBody{},
		Conditions: RulesetConditions{RefName: RefCondition{Include: include, Exclude: []string{}}},
		Rules:      []RuleBody{{Type: "deletion"}, {Type: "update"}, {Type: "non_fast_forward"}}}
}

// desiredCodeSecurityConfig is the configuration rampart creates.
func desiredCodeSecurityConfig() map[string]any {
	return map[string]any{
		"name":                            FixCodeSecurityConfigName,
		"description":                     "Created by rampart audit fix: secret scanning with push protection, Dependabot alerts and security updates, private vulnerability reporting.",
		"dependency_graph":                "enabled",
		"dependabot_alerts":               "enabled",
		"dependabot_security_updates":     "enabled",
		"secret_scanning":                 "enabled",
		"secret_scanning_push_protection": "enabled",
		"private_vulnerability_reporting": "enabled",
	}
}

// CodeSecurityStateOf is the owned state of the organisation's code
// security configurations.
func CodeSecurityStateOf(cs CodeSecurityConfigs) CodeSecurityState {
	st := CodeSecurityState{Defaults: []CodeSecurityDefaultRef{}}
	for _, d := range cs.Defaults {
		st.Defaults = append(st.Defaults, CodeSecurityDefaultRef{ForNewRepos: d.ForNewRepos, ID: d.Config.ID})
	}
	sort.Slice(st.Defaults, func(i, j int) bool { return st.Defaults[i].ForNewRepos < st.Defaults[j].ForNewRepos })
	for i := range cs.All {
		if cs.All[i].Name == FixCodeSecurityConfigName && cs.All[i].TargetType != "global" {
			c := cs.All[i]
			st.Rampart = &c
			break
		}
	}
	return st
}

// codeSecurityChange makes rampart's configuration the default where new
// repositories get no configuration, or get rampart's incomplete one. A
// default someone else chose is never replaced: that stays manual.
func codeSecurityChange(o *OrgSnapshot) (Change, bool) {
	cs := o.CodeSecurity
	if !cs.AllRead.OK() {
		return Change{}, false // cannot tell whether rampart's exists: never create a second
	}
	st := CodeSecurityStateOf(cs)
	covers := func(f string) (pub, priv bool) {
		return f == "all" || f == "public", f == "all" || f == "private_and_internal"
	}
	complete := func(c CodeSecurityConfig) bool {
		for _, f := range securityFeatures {
			if f.get(c) != "enabled" {
				return false
			}
		}
		return true
	}
	var needPub, needPriv, rampartPub, rampartPriv bool
	pubSet, privSet := false, false
	for _, d := range cs.Defaults {
		pub, priv := covers(d.ForNewRepos)
		mine := d.Config.Name == FixCodeSecurityConfigName && d.Config.TargetType != "global"
		if pub {
			pubSet = true
			rampartPub = rampartPub || mine
			if !complete(d.Config) && !mine {
				return Change{}, false // a foreign default lacks features: manual
			}
			needPub = needPub || mine && !complete(d.Config)
		}
		if priv {
			privSet = true
			rampartPriv = rampartPriv || mine
			if !complete(d.Config) && !mine {
				return Change{}, false
			}
			needPriv = needPriv || mine && !complete(d.Config)
		}
	}
	needPub = needPub || !pubSet
	needPriv = needPriv || !privSet
	if !needPub && !needPriv {
		return Change{}, false
	}
	forNew := "all"
	switch {
	case needPub && !needPriv && !rampartPriv:
		forNew = "public"
	case needPriv && !needPub && !rampartPub:
		forNew = "private_and_internal"
	}
	org := url.PathEscape(o.Login)
	c := Change{ID: o.Login + "/code-security/" + FixCodeSecurityConfigName, Target: o.Login, Scope: ScopeOrg.String(), Kind: FixCodeSecurityDefault,
		Expect: MarshalState(st)}
	want := desiredCodeSecurityConfig()
	switch {
	case st.Rampart == nil:
		c.Summary = fmt.Sprintf("create code security configuration %q and make it the default for %s new repositories", FixCodeSecurityConfigName, strings.ReplaceAll(forNew, "_", " "))
		c.Requests = []Request{
			{Method: "POST", Path: "orgs/" + org + "/code-security/configurations", Body: MarshalState(want)},
			{Method: "PUT", Path: "orgs/" + org + "/code-security/configurations/" + CreatedIDPlaceholder + "/defaults", Body: MarshalState(map[string]string{"default_for_new_repos": forNew})},
		}
	default:
		id := st.Rampart.ID
		c.Summary = fmt.Sprintf("make rampart's code security configuration %q (id %d) the default for %s new repositories", FixCodeSecurityConfigName, id, strings.ReplaceAll(forNew, "_", " "))
		if !complete(*st.Rampart) {
			delete(want, "name")
			delete(want, "description")
			c.Summary = fmt.Sprintf("enable every feature of rampart's code security configuration %q (id %d) and make it the default for %s new repositories",
				FixCodeSecurityConfigName, id, strings.ReplaceAll(forNew, "_", " "))
			c.Requests = append(c.Requests, Request{Method: "PATCH", Path: fmt.Sprintf("orgs/%s/code-security/configurations/%d", org, id), Body: MarshalState(want)})
		}
		c.Requests = append(c.Requests, Request{Method: "PUT", Path: fmt.Sprintf("orgs/%s/code-security/configurations/%d/defaults", org, id),
			Body: MarshalState(map[string]string{"default_for_new_repos": forNew})})
	}
	return c, true
}

// manualWhys says why rampart leaves a check's fix to a person.
var manualWhys = map[string]string{
	"org-2fa-required":                 "the REST API cannot require 2FA, and requiring it removes every member without it: an owner must warn them first",
	"org-members-without-2fa":          "removing people is a human decision",
	"org-owner-count":                  "changing who administers the organisation is a human decision",
	"org-base-permission":              "lowering the base permission can cut people off from repositories they work in",
	"org-public-repo-creation":         "it changes what members may do; an owner decides",
	"org-outside-collaborators":        "changing who has access is a human decision",
	"org-security-defaults":            "the default configuration was chosen by someone else, and rampart never rewrites another configuration",
	"org-actions-allowed":              "the list of allowed actions must come from the people whose workflows use them",
	"org-webhook-security":             "a webhook secret must also be set at the receiving end",
	"org-runner-groups":                "moving jobs off self-hosted runners needs the workflows' owners",
	"org-actions-repositories":         "which repositories need Actions is for their owners to say",
	"org-saml-sso":                     "single sign-on needs an identity provider and cannot be set through the REST API",
	"org-dormant-admins":               "removing a role is a human decision",
	"org-private-forking":              "it changes what members may do; an owner decides",
	"org-actions-secrets":              "replacing a cloud key with OpenID Connect needs a trust policy on the cloud side",
	"repo-actions-secrets":             "replacing a cloud key with OpenID Connect needs a trust policy on the cloud side",
	"branch-admin-enforced":            "bypass actors and classic protection belong to configurations rampart did not create, which it never rewrites",
	"branch-status-checks":             "the required checks must be named: set required_status_checks in the policy",
	"branch-up-to-date":                "requires named status checks: set required_status_checks in the policy",
	"branch-code-owners":               "it needs a CODEOWNERS file, which only the team can write",
	"branch-push-restrictions":         "it needs the people or teams allowed to push",
	"branch-dismissal-restrictions":    "dismissal restrictions live in classic branch protection, which rampart does not rewrite, and need the people allowed",
	"branch-release-protection":        "the release branches' own protection was set by someone else",
	"repo-admins":                      "changing who administers a repository is a human decision",
	"repo-outside-collaborators":       "changing who has access is a human decision",
	"repo-ownerless":                   "someone must agree to own the repository",
	"repo-deploy-keys":                 "replacing a deploy key breaks whatever uses it until the new key is installed",
	"repo-webhook-security":            "a webhook secret must also be set at the receiving end",
	"repo-stale":                       "archiving is a decision for the repository's owners",
	"repo-security-policy":             "its content (contacts, supported versions) must come from the maintainers",
	"repo-code-scanning":               "it needs a build configuration and, for private repositories, a licence",
	"repo-dependabot-security-updates": "paused updates resume when the team merges or closes Dependabot's pull requests",
	"environment-protection":           "reviewers are people the team chooses",
	"workflow-untrusted-checkout":      "workflow files are code: change them in a reviewed pull request",
	"workflow-script-injection":        "workflow files are code: change them in a reviewed pull request",
	"workflow-unpinned-actions":        "workflow files are code: change them in a reviewed pull request",
	"workflow-excessive-permissions":   "workflow files are code: change them in a reviewed pull request",
	"workflow-static-aws-keys":         "replacing a cloud key with OpenID Connect needs a trust policy on the cloud side",
	"workflow-self-hosted-runners":     "moving jobs off self-hosted runners needs the workflows' owners",
	"workflow-top-level-permissions":   "workflow files are code: change them in a reviewed pull request",
}

func manualWhy(check string) string {
	if w, ok := manualWhys[check]; ok {
		return w
	}
	return "rampart could not fix it with the settings it owns"
}

// ManualWhy says why rampart never fixes a check itself (for the README and
// reports).
func ManualWhy(check string) string { return manualWhy(check) }

// FixableChecks lists, per kind of change, the checks it can fix.
func FixableChecks() map[FixKind][]string {
	out := map[FixKind][]string{}
	for k, v := range kindChecks {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// WritePlan writes a plan as indented JSON.
func WritePlan(w io.Writer, pl *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(pl); err != nil {
		return fmt.Errorf("hardening: write plan: %w", err)
	}
	return nil
}

// ErrPlanVersion is returned for a plan written by an incompatible version
// of rampart.
var ErrPlanVersion = errors.New("hardening: unsupported plan version")

// planEndpoints are the requests each kind of change makes, as method and
// path pattern: {o} an owner, {r} a repository name, {n} a number, {id} a
// number or CreatedIDPlaceholder.
var planEndpoints = map[FixKind][]string{
	FixCodeSecurityDefault: {"POST orgs/{o}/code-security/configurations", "PUT orgs/{o}/code-security/configurations/{id}/defaults", "PATCH orgs/{o}/code-security/configurations/{id}"},
	FixOrgWorkflowToken:    {"PUT orgs/{o}/actions/permissions/workflow"},
	FixOrgHookTLS:          {"PATCH orgs/{o}/hooks/{n}/config"},
	FixOrgRuleset:          {"POST orgs/{o}/rulesets", "PUT orgs/{o}/rulesets/{n}"},
	FixSecurityAnalysis:    {"PATCH repos/{o}/{r}"},
	FixVulnerabilityAlerts: {"PUT repos/{o}/{r}/vulnerability-alerts"},
	FixSecurityUpdates:     {"PUT repos/{o}/{r}/automated-security-fixes"},
	FixPrivateReporting:    {"PUT repos/{o}/{r}/private-vulnerability-reporting"},
	FixRepoWorkflowToken:   {"PUT repos/{o}/{r}/actions/permissions/workflow"},
	FixRepoHookTLS:         {"PATCH repos/{o}/{r}/hooks/{n}/config"},
	FixRepoRuleset:         {"POST repos/{o}/{r}/rulesets", "PUT repos/{o}/{r}/rulesets/{n}"},
	FixTagRuleset:          {"POST repos/{o}/{r}/rulesets", "PUT repos/{o}/{r}/rulesets/{n}"},
	FixIssue:               {"POST repos/{o}/{r}/issues", "PATCH repos/{o}/{r}/issues/{n}", "POST repos/{o}/{r}/issues/{n}/comments", "POST repos/{o}/{r}/labels"},
}

// allowedRequest reports whether method and path are a request a change of
// kind k makes (planEndpoints).
func allowedRequest(k FixKind, method, path string) bool {
	segs := strings.Split(path, "/")
	for _, ep := range planEndpoints[k] {
		m, pattern, _ := strings.Cut(ep, " ")
		if m != method {
			continue
		}
		want := strings.Split(pattern, "/")
		if len(want) != len(segs) {
			continue
		}
		ok := true
		for i, w := range want {
			switch w {
			case "{o}", "{r}":
				ok = ok && nameSegment(segs[i])
			case "{n}":
				ok = ok && numberSegment(segs[i])
			case "{id}":
				ok = ok && (numberSegment(segs[i]) || segs[i] == CreatedIDPlaceholder)
			default:
				ok = ok && segs[i] == w
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// nameSegment is an owner or repository name as a path segment (GitHub
// allows letters, digits, -, _ and .; escaped forms are refused).
func nameSegment(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func numberSegment(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ReadPlan reads a plan written by WritePlan, rejecting one whose changes
// are not well formed (a hand-edited plan is applied exactly as written, so
// it is checked first).
func ReadPlan(r io.Reader) (*Plan, error) {
	var pl Plan
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pl); err != nil {
		return nil, fmt.Errorf("hardening: read plan: %w", err)
	}
	if pl.Version != PlanVersion {
		return nil, fmt.Errorf("%w %d (want %d)", ErrPlanVersion, pl.Version, PlanVersion)
	}
	var problems []string
	for i, c := range pl.Changes {
		where := fmt.Sprintf("change %d (%s)", i, c.ID)
		if _, ok := kindOrder[c.Kind]; !ok {
			problems = append(problems, fmt.Sprintf("%s: unknown kind %q", where, c.Kind))
		}
		if len(c.Requests) == 0 {
			problems = append(problems, where+": no requests")
		}
		if len(c.Expect) == 0 {
			problems = append(problems, where+": no expected state")
		}
		for _, rq := range c.Requests {
			switch rq.Method {
			case "POST", "PUT", "PATCH":
				if !allowedRequest(c.Kind, rq.Method, rq.Path) {
					// A plan file can come from anywhere: each kind of
					// change may only call the endpoints PlanFixes writes
					// for it (not add a collaborator, not create a deploy
					// key, whatever the file says).
					problems = append(problems, fmt.Sprintf("%s: %s %s is not a request a %s change makes", where, rq.Method, rq.Path, c.Kind))
				}
			default:
				// A plan never deletes, and a GET is not a change.
				problems = append(problems, fmt.Sprintf("%s: method %q is not allowed (POST, PUT and PATCH only)", where, rq.Method))
			}
			if strings.HasPrefix(rq.Path, "/") || strings.Contains(rq.Path, "://") || strings.Contains(rq.Path, "..") {
				problems = append(problems, fmt.Sprintf("%s: path %q must be relative to the API root", where, rq.Path))
			}
			if len(rq.Body) > 0 && !json.Valid(rq.Body) {
				problems = append(problems, fmt.Sprintf("%s: body of %s %s is not JSON", where, rq.Method, rq.Path))
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("hardening: read plan: %s", strings.Join(problems, "; "))
	}
	return &pl, nil
}
