package hardening

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Checks about who can act in an organisation and on its machines:
// runner groups, which repositories run Actions, single sign-on, dormant
// privileged accounts and forks of private code.

var governanceOrgChecks = sync.OnceValue(func() []*Check {
	return []*Check{
		{
			ID: "org-runner-groups", Title: "Self-hosted runner groups are closed to public repositories",
			Scope: ScopeOrg, Severity: SeverityHigh, Permission: PermRunners,
			Remediation: "Turn off \"Allow public repositories\" for each listed group " +
				"(`gh api -X PATCH orgs/{org}/actions/runner-groups/GROUP_ID -F allows_public_repositories=false`) and run public repositories' jobs on GitHub-hosted runners: " +
				"anyone who can open a pull request could otherwise run code on those machines and keep it there.",
			Run: func(in Input, _ *Policy) Outcome {
				rg := in.Org.RunnerGroups
				if !rg.OK() {
					return unknown("runner groups", rg.Read)
				}
				var open []string
				for _, g := range rg.Groups {
					if g.AllowsPublicRepositories {
						open = append(open, fmt.Sprintf("%q (id %d, visibility %s)", g.Name, g.ID, orDash(g.Visibility)))
					}
				}
				if len(open) > 0 {
					return fail("%d of %d runner %s accept jobs from public repositories: %s", len(open), len(rg.Groups),
						pluralWord(len(rg.Groups), "group", "groups"), listSome(open, 10))
				}
				return pass("%d runner %s, none open to public repositories", len(rg.Groups), pluralWord(len(rg.Groups), "group", "groups"))
			},
		},
		{
			ID: "org-actions-repositories", Title: "Actions enabled only for selected repositories (policy)",
			Scope: ScopeOrg, Severity: SeverityLow, Permission: PermOrgOwner,
			Remediation: "Enable Actions only where they are needed: `gh api -X PUT orgs/{org}/actions/permissions -f enabled_repositories=selected`, " +
				"then add each repository: `gh api -X PUT orgs/{org}/actions/permissions/repositories/REPOSITORY_ID`.",
			Run: func(in Input, p *Policy) Outcome {
				a := in.Org.Actions
				if !a.OK() {
					return unknown("Actions permissions", a.Read)
				}
				switch a.EnabledRepositories {
				case "none":
					return pass("Actions are disabled for every repository")
				case "selected":
					return pass("Actions are enabled for selected repositories only")
				case "all":
					return policyControlled(fail("Actions are enabled for every repository (enabled_repositories: all), including ones that never need them"),
						p.RequireSelectedActionsRepositories, "require_selected_actions_repositories")
				}
				return unknown("enabled_repositories", Read{State: ReadDenied, Detail: "not in the response"})
			},
		},
		{
			ID: "org-saml-sso", Title: "SAML single sign-on set up for the organisation",
			Scope: ScopeOrg, Severity: SeverityHigh, Permission: PermSAML,
			Remediation: "Organization settings → Authentication security → Enable SAML authentication, test it, then Require SAML SSO authentication " +
				"(https://github.com/organizations/{org}/settings/security; the REST API cannot set it). Members without a linked identity are removed when it is required: " +
				"have them link first. Or use an enterprise-level identity provider.",
			Run: func(in Input, _ *Policy) Outcome {
				s := in.Org.Settings
				if s.Server {
					return Outcome{Status: StatusUnknown, Evidence: "GitHub Enterprise Server configures SAML for the whole instance (Management Console), not per organisation; " +
						"check the instance's authentication settings"}
				}
				sso := in.Org.SAML
				if sso.Configured != nil && *sso.Configured {
					return pass("SAML SSO is set up (%d credential %s listed); the API does not say whether it is required: "+
						"check Settings → Authentication security → Require SAML SSO authentication", sso.Credentials, pluralWord(sso.Credentials, "authorization", "authorizations"))
				}
				if sso.Configured != nil && !*sso.Configured {
					switch {
					case s.Plan == "enterprise":
						return fail("SAML single sign-on is not set up: members sign in with GitHub passwords alone, and leavers keep access until someone removes them")
					case s.Plan != "":
						return Outcome{Status: StatusUnknown, Evidence: fmt.Sprintf(
							"SAML single sign-on needs GitHub Enterprise Cloud; this organisation's plan is %s (GET /orgs/%s/credential-authorizations: HTTP 404)", s.Plan, in.Org.Login)}
					}
					return Outcome{Status: StatusUnknown, Evidence: "SAML single sign-on is not set up, or the plan does not offer it (GitHub Enterprise Cloud only); " +
						"the organisation's plan is not visible to this token"}
				}
				return unknown("SAML single sign-on (credential authorizations)", sso.Read)
			},
		},
		{
			ID: "org-dormant-admins", Title: "No dormant owners or repository admins",
			Scope: ScopeOrg, Severity: SeverityMedium, Permission: PermAuditLog,
			Remediation: "Demote or remove each listed account, or confirm it still needs the role: owners with " +
				"`gh api -X PUT orgs/{org}/memberships/USER -f role=member`, repository admins with `gh api -X PUT repos/OWNER/REPO/collaborators/USER -f permission=push`. " +
				"A dormant privileged account is a takeover waiting to happen: nobody notices when it is used.",
			Run: func(in Input, p *Policy) Outcome {
				act := in.Org.Activity
				if !act.OK() {
					return unknown("the audit log", act.Read)
				}
				maxDays := int(p.MaxInactive / (24 * time.Hour))
				if act.WindowDays < maxDays {
					return Outcome{Status: StatusUnknown, Evidence: fmt.Sprintf(
						"the audit log was searched for %d days, fewer than max_inactive_days (%d): GitHub keeps web events for about 180 days", act.WindowDays, maxDays)}
				}
				if len(act.Accounts) == 0 {
					// Every organisation has an owner: seeing none is not seeing.
					return Outcome{Status: StatusUnknown, Evidence: "no owner or repository admin is visible to this token"}
				}
				var dormant, unseen []string
				for _, a := range act.Accounts {
					roles := strings.Join(a.Roles, ", ")
					if !a.OK() {
						unseen = append(unseen, a.Login+" ("+a.Why()+")")
						continue
					}
					switch {
					case a.LastEvent.IsZero():
						dormant = append(dormant, fmt.Sprintf("%s (%s; no event in %d days)", a.Login, roles, act.WindowDays))
					case in.Now.Sub(a.LastEvent) > p.MaxInactive:
						dormant = append(dormant, fmt.Sprintf("%s (%s; last event %s, %d days ago: %s)", a.Login, roles,
							a.LastEvent.UTC().Format("2006-01-02"), daysBetween(a.LastEvent, in.Now), orDash(a.LastAction)))
					}
				}
				if len(dormant) > 0 {
					return fail("%d privileged %s without an audit-log event in %d days: %s", len(dormant), pluralWord(len(dormant), "account", "accounts"),
						maxDays, listSome(dormant, 10))
				}
				if len(unseen) > 0 {
					return Outcome{Status: StatusUnknown, Evidence: "audit log not readable for " + listSome(unseen, 10)}
				}
				return pass("%d owners and repository admins, each with an audit-log event in the last %d days", len(act.Accounts), maxDays)
			},
		},
		{
			ID: "org-private-forking", Title: "Private repositories cannot be forked",
			Scope: ScopeOrg, Severity: SeverityMedium, Permission: PermOrgOwner,
			Remediation: "`gh api -X PATCH orgs/{org} -F members_can_fork_private_repositories=false` (Organization settings → Member privileges → Repository forking): " +
				"a fork of a private repository lives in someone's personal account, outside the organisation's policies, and survives their leaving.",
			Run: func(in Input, _ *Policy) Outcome {
				s := in.Org.Settings
				if !s.OK() {
					return unknown("organisation settings", s.Read)
				}
				if s.MembersCanForkPrivateRepos == nil {
					return unknown("members_can_fork_private_repositories", Read{State: ReadDenied, Detail: "GitHub shows it to owners only"})
				}
				if !*s.MembersCanForkPrivateRepos {
					return pass("members cannot fork private or internal repositories")
				}
				var allowing []string
				for _, r := range in.Snapshot.Repos {
					if r.Error == "" && !isPublic(r) && r.AllowForking != nil && *r.AllowForking {
						allowing = append(allowing, r.Name)
					}
				}
				sort.Strings(allowing)
				if len(allowing) > 0 {
					return fail("members may fork private repositories, and %d %s allow it: %s", len(allowing),
						pluralWord(len(allowing), "repository does", "repositories do"), listSome(allowing, 10))
				}
				return warn("members may fork private repositories (each repository's admins decide); no audited private repository allows it today")
			},
		},
	}
})

var governanceRepoChecks = sync.OnceValue(func() []*Check {
	return []*Check{
		{
			ID: "repo-ownerless", Title: "Repository has a named administrator",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermCollab,
			Remediation: "Give a team (or a person) admin rights and make them answerable for it: `gh api -X PUT orgs/{org}/teams/TEAM/repos/{repo} -f permission=admin` " +
				"(or `gh api -X PUT repos/{repo}/collaborators/USER -f permission=admin`), or archive it: `gh repo archive {repo}`.",
			Run: func(in Input, _ *Policy) Outcome {
				r := in.Repo
				if !r.OwnerIsOrg {
					return pass("personal repository: %s administers it", r.Owner)
				}
				if !r.Collaborators.OK() {
					return unknown("direct collaborators", r.Collaborators.Read)
				}
				if !r.Teams.OK() {
					return unknown("teams", r.Teams.Read)
				}
				var admins []string
				for _, c := range r.Collaborators.Users {
					if c.Permission == "admin" {
						admins = append(admins, c.Login)
					}
				}
				for _, t := range r.Teams.Teams {
					if t.Permission == "admin" {
						admins = append(admins, "team "+t.Slug)
					}
				}
				if len(admins) == 0 {
					return fail("no user or team administers it directly: only organisation owners can change its settings, and nobody is answerable for it")
				}
				return pass("administered by %s", listSome(admins, 10))
			},
		},
		{
			ID: "repo-stale", Title: "Repository is in use or archived",
			Scope: ScopeRepo, Severity: SeverityLow, Permission: PermRepoRead,
			Remediation: "Archive it if it is finished (`gh repo archive {repo}`: read-only, and skipped by the audit), or delete it; " +
				"an abandoned repository keeps its secrets, deploy keys, webhooks and collaborators with nobody watching them.",
			Run: func(in Input, p *Policy) Outcome {
				r := in.Repo
				if r.Archived {
					return pass("archived")
				}
				if r.PushedAt.IsZero() {
					return unknown("the time of the last push", Read{State: ReadFailed, Detail: "pushed_at not in the repository object"})
				}
				days := daysBetween(r.PushedAt, in.Now)
				limit := int(p.StaleAfter / (24 * time.Hour))
				if in.Now.Sub(r.PushedAt) > p.StaleAfter {
					return fail("no push for %d days (last on %s; stale_repo_days is %d), and it is not archived", days, r.PushedAt.UTC().Format("2006-01-02"), limit)
				}
				return pass("last push %d %s ago", days, pluralWord(days, "day", "days"))
			},
		},
	}
})

// isPublic reports whether a repository is public (not private, not
// internal).
func isPublic(r *RepoSnapshot) bool {
	return !r.Private && r.Visibility != "internal" && r.Visibility != "private"
}

func daysBetween(a, b time.Time) int {
	return int(b.Sub(a) / (24 * time.Hour))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
