package hardening

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

var orgChecks = sync.OnceValue(func() []*Check {
	return []*Check{
		{
			ID: "org-2fa-required", Title: "Two-factor authentication required for members",
			Scope: ScopeOrg, Severity: SeverityHigh, Permission: PermOrgOwner,
			Remediation: "Organization settings → Authentication security → Require two-factor authentication for everyone " +
				"(https://github.com/organizations/{org}/settings/security; the REST API cannot set it). " +
				"Members without 2FA are removed when it is turned on: warn them first.",
			Run: func(in Input, _ *Policy) Outcome {
				s := in.Org.Settings
				if !s.OK() {
					return unknown("organisation settings", s.Read)
				}
				if s.TwoFactorRequired == nil {
					return unknown("two_factor_requirement_enabled", Read{State: ReadDenied, Detail: "GitHub shows it to owners only"})
				}
				if *s.TwoFactorRequired {
					return pass("two-factor authentication is required")
				}
				return fail("two-factor authentication is not required (two_factor_requirement_enabled: false)")
			},
		},
		{
			ID: "org-members-without-2fa", Title: "Members and outside collaborators without 2FA",
			Scope: ScopeOrg, Severity: SeverityHigh, Permission: PermOrgMember,
			Remediation: "Ask each listed account to enable two-factor authentication, or remove it: " +
				"`gh api orgs/{org}/members?filter=2fa_disabled` and `gh api orgs/{org}/outside_collaborators?filter=2fa_disabled` list them.",
			Run: func(in Input, _ *Policy) Outcome {
				m, o := in.Org.MembersWithout2FA, in.Org.OutsideWithout2FA
				if !m.OK() {
					return unknown("members without 2FA (filter=2fa_disabled)", m.Read)
				}
				if !o.OK() {
					return unknown("outside collaborators without 2FA (filter=2fa_disabled)", o.Read)
				}
				if len(m.Logins)+len(o.Logins) == 0 {
					return pass("every member and outside collaborator has two-factor authentication")
				}
				var parts []string
				if len(m.Logins) > 0 {
					parts = append(parts, fmt.Sprintf("%d %s without 2FA: %s", len(m.Logins), pluralWord(len(m.Logins), "member", "members"), listSome(m.Logins, 10)))
				}
				if len(o.Logins) > 0 {
					parts = append(parts, fmt.Sprintf("%d outside %s without 2FA: %s", len(o.Logins), pluralWord(len(o.Logins), "collaborator", "collaborators"), listSome(o.Logins, 10)))
				}
				return fail("%s", strings.Join(parts, "; "))
			},
		},
		{
			ID: "org-owner-count", Title: "Number of organisation owners",
			Scope: ScopeOrg, Severity: SeverityMedium, Permission: PermOrgRead,
			Remediation: "Demote owners who do not need to administer the organisation to members " +
				"(`gh api -X PUT orgs/{org}/memberships/USER -f role=member`).",
			Run: func(in Input, p *Policy) Outcome {
				o := in.Org.Owners
				if !o.OK() {
					return unknown("organisation owners (members?role=admin)", o.Read)
				}
				n := len(o.Logins)
				if n > p.MaxOwners {
					return fail("%d owners, policy allows at most %d: %s", n, p.MaxOwners, listSome(o.Logins, 10))
				}
				if n == 0 {
					return warn("no owner is visible to this token")
				}
				return pass("%d %s (policy allows at most %d): %s", n, pluralWord(n, "owner", "owners"), p.MaxOwners, listSome(o.Logins, 10))
			},
		},
		{
			ID: "org-base-permission", Title: "Default repository permission is none or read",
			Scope: ScopeOrg, Severity: SeverityMedium, Permission: PermOrgOwner,
			Remediation: "Set the base permission to read or none: `gh api -X PATCH orgs/{org} -f default_repository_permission=read`.",
			Run: func(in Input, _ *Policy) Outcome {
				s := in.Org.Settings
				if !s.OK() {
					return unknown("organisation settings", s.Read)
				}
				switch s.DefaultRepoPermission {
				case "":
					return unknown("default_repository_permission", Read{State: ReadDenied, Detail: "GitHub shows it to owners only"})
				case "none", "read":
					return pass("default repository permission is %s", s.DefaultRepoPermission)
				}
				return fail("default repository permission is %s: every member can push to every repository", s.DefaultRepoPermission)
			},
		},
		{
			ID: "org-public-repo-creation", Title: "Members cannot create public repositories",
			Scope: ScopeOrg, Severity: SeverityLow, Permission: PermOrgOwner,
			Remediation: "`gh api -X PATCH orgs/{org} -F members_can_create_public_repositories=false` " +
				"(Organization settings → Member privileges → Repository creation).",
			Run: func(in Input, _ *Policy) Outcome {
				s := in.Org.Settings
				if !s.OK() {
					return unknown("organisation settings", s.Read)
				}
				if s.MembersCanCreatePublicRepos == nil {
					return unknown("members_can_create_public_repositories", Read{State: ReadDenied, Detail: "GitHub shows it to owners only"})
				}
				if *s.MembersCanCreatePublicRepos {
					return fail("members can create public repositories")
				}
				return pass("members cannot create public repositories")
			},
		},
		{
			ID: "org-outside-collaborators", Title: "Outside collaborators with write or admin access",
			Scope: ScopeOrg, Severity: SeverityMedium, Permission: PermOrgRead,
			Remediation: "Lower outside collaborators to read, or make them members bound by the organisation's policies: " +
				"`gh api -X PUT repos/OWNER/REPO/collaborators/USER -f permission=pull`.",
			Run: func(in Input, _ *Policy) Outcome {
				o := in.Org.OutsideCollaborators
				if !o.OK() {
					return unknown("outside collaborators", o.Read)
				}
				// Which outside collaborators hold write or admin anywhere, from
				// the collected repositories.
				writers := map[string][]string{}
				unseen := 0
				for _, r := range in.Snapshot.Repos {
					if r.Error != "" || !r.OutsideCollaborators.OK() {
						unseen++
						continue
					}
					for _, c := range r.OutsideCollaborators.Users {
						if canWrite(c.Permission) {
							writers[c.Login] = append(writers[c.Login], r.Name+":"+c.Permission)
						}
					}
				}
				if len(writers) > 0 {
					logins := make([]string, 0, len(writers))
					for l := range writers {
						logins = append(logins, l)
					}
					sort.Strings(logins)
					parts := make([]string, 0, len(logins))
					for _, l := range logins {
						parts = append(parts, l+" ("+listSome(writers[l], 5)+")")
					}
					return fail("%d outside %s; %d with write or admin: %s",
						len(o.Logins), pluralWord(len(o.Logins), "collaborator", "collaborators"), len(logins), listSome(parts, 10))
				}
				if len(o.Logins) > 0 && unseen > 0 {
					return Outcome{Status: StatusUnknown, Evidence: fmt.Sprintf(
						"%d outside %s; their access to %d of %d repositories could not be read",
						len(o.Logins), pluralWord(len(o.Logins), "collaborator", "collaborators"), unseen, len(in.Snapshot.Repos))}
				}
				return pass("%d outside %s, none with write or admin on the audited repositories",
					len(o.Logins), pluralWord(len(o.Logins), "collaborator", "collaborators"))
			},
		},
		{
			ID: "org-security-defaults", Title: "Security features enabled for new repositories",
			Scope: ScopeOrg, Severity: SeverityMedium, Permission: PermCodeSecurity,
			Remediation: "Make a code security configuration with secret scanning, push protection and Dependabot alerts enabled the default for every new repository: " +
				"Organization settings → Code security → Configurations, or `gh api -X PUT orgs/{org}/code-security/configurations/CONFIG_ID/defaults -f default_for_new_repos=all` " +
				"(GitHub's recommended configuration qualifies; `rampart audit fix` creates one named " + FixCodeSecurityConfigName + "). " +
				"On GitHub Enterprise Server before 3.15: `gh api -X PATCH orgs/{org} -F secret_scanning_enabled_for_new_repositories=true " +
				"-F secret_scanning_push_protection_enabled_for_new_repositories=true -F dependabot_alerts_enabled_for_new_repositories=true`.",
			Run: func(in Input, _ *Policy) Outcome {
				cs, s := in.Org.CodeSecurity, in.Org.Settings
				if cs.OK() {
					return judgeCodeSecurityDefaults(cs)
				}
				// Older GitHub Enterprise Server has no configurations API but
				// still returns the legacy fields.
				if s.OK() && (s.SecretScanningForNewRepos != nil || s.PushProtectionForNewRepos != nil || s.DependabotAlertsForNewRepos != nil) {
					return judgeLegacySecurityDefaults(s)
				}
				return unknown("the default code security configuration", cs.Read)
			},
		},
		{
			ID: "org-actions-allowed", Title: "Actions limited to local or selected actions",
			Scope: ScopeOrg, Severity: SeverityMedium, Permission: PermOrgOwner,
			Remediation: "Allow only local and selected actions: `gh api -X PUT orgs/{org}/actions/permissions " +
				"-f enabled_repositories=all -f allowed_actions=selected`, then list the allowed actions in orgs/{org}/actions/permissions/selected-actions.",
			Run: func(in Input, _ *Policy) Outcome {
				a := in.Org.Actions
				if !a.OK() {
					return unknown("Actions permissions", a.Read)
				}
				if a.EnabledRepositories == "none" {
					return pass("Actions are disabled for every repository")
				}
				switch a.AllowedActions {
				case "local_only", "selected":
					return pass("allowed actions: %s", a.AllowedActions)
				case "all":
					return fail("any action from any repository may run (allowed_actions: all)")
				}
				return unknown("allowed_actions", Read{State: ReadDenied, Detail: "not in the response"})
			},
		},
		{
			ID: "org-actions-token-permissions", Title: "Workflow token is read-only and cannot approve pull requests",
			Scope: ScopeOrg, Severity: SeverityMedium, Permission: PermOrgOwner,
			Remediation: "`gh api -X PUT orgs/{org}/actions/permissions/workflow -f default_workflow_permissions=read " +
				"-F can_approve_pull_request_reviews=false`.",
			Run: func(in Input, _ *Policy) Outcome {
				return judgeWorkflowPermissions(in.Org.WorkflowPermissions, "organisation")
			},
		},
		{
			ID: "org-webhook-security", Title: "Organisation webhooks use a secret and verify TLS",
			Scope: ScopeOrg, Severity: SeverityMedium, Permission: PermOrgHooks,
			Remediation: "Give each webhook a secret and turn SSL verification on: " +
				"`gh api -X PATCH orgs/{org}/hooks/HOOK_ID/config -f secret=… -f insecure_ssl=0`.",
			Run: func(in Input, _ *Policy) Outcome {
				return judgeWebhooks(in.Org.Webhooks, "organisation")
			},
		},
	}
})

// securityFeatures are the features org-security-defaults requires of new
// repositories, in the order evidence names them.
var securityFeatures = []struct {
	name string
	get  func(CodeSecurityConfig) string
}{
	{"secret scanning", func(c CodeSecurityConfig) string { return c.SecretScanning }},
	{"push protection", func(c CodeSecurityConfig) string { return c.PushProtection }},
	{"Dependabot alerts", func(c CodeSecurityConfig) string { return c.DependabotAlerts }},
}

// judgeCodeSecurityDefaults decides whether every new repository, public
// and private, gets a configuration that enables the required features.
func judgeCodeSecurityDefaults(cs CodeSecurityConfigs) Outcome {
	classes := []struct {
		name    string
		applies func(forNew string) bool
	}{
		{"public", func(f string) bool { return f == "all" || f == "public" }},
		{"private and internal", func(f string) bool { return f == "all" || f == "private_and_internal" }},
	}
	var bad, good []string
	var ids []int64
	for _, cl := range classes {
		var cfg *CodeSecurityConfig
		for i := range cs.Defaults {
			if cl.applies(cs.Defaults[i].ForNewRepos) {
				cfg = &cs.Defaults[i].Config
				break
			}
		}
		if cfg == nil {
			bad = append(bad, fmt.Sprintf("new %s repositories get no default configuration", cl.name))
			continue
		}
		var off []string
		for _, f := range securityFeatures {
			if f.get(*cfg) != "enabled" {
				state := f.get(*cfg)
				if state == "" {
					state = "not in the response"
				}
				off = append(off, f.name+" "+state)
			}
		}
		ids = append(ids, cfg.ID)
		label := fmt.Sprintf("new %s repositories get %q (id %d)", cl.name, cfg.Name, cfg.ID)
		if len(off) > 0 {
			bad = append(bad, label+": "+strings.Join(off, ", "))
		} else {
			good = append(good, label)
		}
	}
	if len(bad) > 0 {
		return fail("%s", strings.Join(append(bad, good...), "; "))
	}
	if ids[0] == ids[1] {
		for _, d := range cs.Defaults {
			if d.Config.ID == ids[0] {
				return pass("every new repository gets %q (id %d), which enables secret scanning, push protection and Dependabot alerts", d.Config.Name, d.Config.ID)
			}
		}
	}
	return pass("%s, each enabling secret scanning, push protection and Dependabot alerts", strings.Join(good, "; "))
}

// judgeLegacySecurityDefaults judges the *_enabled_for_new_repositories
// fields that older GitHub Enterprise Server still returns.
func judgeLegacySecurityDefaults(s OrgSettings) Outcome {
	flags := []struct {
		name string
		v    *bool
	}{
		{"secret scanning", s.SecretScanningForNewRepos},
		{"push protection", s.PushProtectionForNewRepos},
		{"Dependabot alerts", s.DependabotAlertsForNewRepos},
	}
	var off, hidden, on []string
	for _, f := range flags {
		switch {
		case f.v == nil:
			hidden = append(hidden, f.name)
		case *f.v:
			on = append(on, f.name)
		default:
			off = append(off, f.name)
		}
	}
	const src = " (legacy organisation fields; this server has no code security configurations)"
	if len(off) > 0 {
		return fail("not enabled for new repositories: %s%s", strings.Join(off, ", "), src)
	}
	if len(hidden) > 0 {
		return unknown("new-repository defaults for "+strings.Join(hidden, ", "), Read{State: ReadDenied, Detail: "GitHub shows them to owners only"})
	}
	return pass("enabled for new repositories: %s%s", strings.Join(on, ", "), src)
}

func judgeWorkflowPermissions(w WorkflowPermissions, level string) Outcome {
	if !w.OK() {
		return unknown("default workflow permissions", w.Read)
	}
	var bad []string
	switch w.Default {
	case "read":
	case "write":
		bad = append(bad, "the default GITHUB_TOKEN can write (default_workflow_permissions: write)")
	default:
		return unknown("default_workflow_permissions", Read{State: ReadDenied, Detail: "not in the response"})
	}
	if w.CanApprove == nil {
		if len(bad) > 0 {
			return fail("%s", strings.Join(bad, "; "))
		}
		return unknown("can_approve_pull_request_reviews", Read{State: ReadDenied, Detail: "not in the response"})
	}
	if *w.CanApprove {
		bad = append(bad, "workflows can approve pull requests")
	}
	if len(bad) > 0 {
		return fail("%s level: %s", level, strings.Join(bad, "; "))
	}
	return pass("%s level: the default token is read-only and workflows cannot approve pull requests", level)
}

func judgeWebhooks(h Webhooks, level string) Outcome {
	if !h.OK() {
		return unknown(level+" webhooks", h.Read)
	}
	if len(h.Hooks) == 0 {
		return pass("no %s webhooks", level)
	}
	var bad []string
	for _, w := range h.Hooks {
		var why []string
		if !w.HasSecret {
			why = append(why, "no secret")
		}
		if w.InsecureSSL {
			why = append(why, "SSL verification off")
		}
		if len(why) > 0 {
			name := w.Host
			if name == "" {
				name = "(no URL)"
			}
			state := ""
			if !w.Active {
				state = ", inactive"
			}
			bad = append(bad, fmt.Sprintf("hook %d to %s (%s%s)", w.ID, name, strings.Join(why, ", "), state))
		}
	}
	if len(bad) > 0 {
		return fail("%d of %d %s: %s", len(bad), len(h.Hooks), pluralWord(len(h.Hooks), "webhook", "webhooks"), listSome(bad, 10))
	}
	return pass("%d %s, each with a secret and SSL verification", len(h.Hooks), pluralWord(len(h.Hooks), "webhook", "webhooks"))
}

func canWrite(perm string) bool {
	switch perm {
	case "write", "push", "maintain", "admin":
		return true
	}
	return false
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// listSome joins up to max items, then says how many more.
func listSome(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:max], ", ") + fmt.Sprintf(" and %d more", len(items)-max)
}
