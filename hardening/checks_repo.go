package hardening

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

var repoChecks = sync.OnceValue(func() []*Check {
	return []*Check{
		{
			ID: "repo-admins", Title: "Few administrators",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermCollab,
			Remediation: "Lower direct collaborators and teams to maintain or write: `gh api -X PUT repos/{repo}/collaborators/USER -f permission=maintain`, " +
				"`gh api -X PUT orgs/{org}/teams/TEAM/repos/{repo} -f permission=maintain`.",
			Run: func(in Input, p *Policy) Outcome {
				r := in.Repo
				if !r.Collaborators.OK() {
					return unknown("direct collaborators", r.Collaborators.Read)
				}
				var admins []string
				for _, c := range r.Collaborators.Users {
					if c.Permission == "admin" {
						admins = append(admins, c.Login)
					}
				}
				teamsKnown := r.Teams.OK() || !r.OwnerIsOrg
				for _, t := range r.Teams.Teams {
					if t.Permission == "admin" {
						admins = append(admins, "team "+t.Slug)
					}
				}
				n := len(admins)
				if n > p.MaxAdmins {
					return fail("%d direct admins (users and teams), policy allows at most %d: %s", n, p.MaxAdmins, listSome(admins, 10))
				}
				if !teamsKnown {
					return unknown(fmt.Sprintf("%d direct admin %s; teams", n, pluralWord(n, "user", "users")), r.Teams.Read)
				}
				if n == 0 {
					return pass("no direct admins (organisation owners are admins everywhere; see org-owner-count)")
				}
				return pass("%d direct %s (policy allows at most %d): %s", n, pluralWord(n, "admin", "admins"), p.MaxAdmins, listSome(admins, 10))
			},
		},
		{
			ID: "repo-outside-collaborators", Title: "No outside collaborator with write or admin",
			Scope: ScopeRepo, Severity: SeverityHigh, Permission: PermCollab,
			Remediation: "Lower each listed outside collaborator to read, or remove them: `gh api -X PUT repos/{repo}/collaborators/USER -f permission=pull` " +
				"or `gh api -X DELETE repos/{repo}/collaborators/USER`.",
			Run: func(in Input, _ *Policy) Outcome {
				r := in.Repo
				if !r.OwnerIsOrg {
					return pass("personal repository: every collaborator is an outside collaborator by definition; see repo-admins")
				}
				oc := r.OutsideCollaborators
				if !oc.OK() {
					return unknown("outside collaborators", oc.Read)
				}
				var writers []string
				for _, c := range oc.Users {
					if canWrite(c.Permission) {
						writers = append(writers, c.Login+" ("+c.Permission+")")
					}
				}
				sort.Strings(writers)
				if len(writers) > 0 {
					return fail("%d outside %s with write or admin: %s", len(writers), pluralWord(len(writers), "collaborator", "collaborators"), listSome(writers, 10))
				}
				return pass("%d outside %s, none with write or admin", len(oc.Users), pluralWord(len(oc.Users), "collaborator", "collaborators"))
			},
		},
		{
			ID: "repo-deploy-keys", Title: "Deploy keys read-only and recent",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermRepoAdmin,
			Remediation: "Replace write deploy keys with read-only ones (or a GitHub App), and rotate old keys: " +
				"`gh api -X DELETE repos/{repo}/keys/KEY_ID`, then `gh repo deploy-key add --repo {repo} key.pub` (read-only by default).",
			Run: func(in Input, p *Policy) Outcome {
				k := in.Repo.DeployKeys
				if !k.OK() {
					return unknown("deploy keys", k.Read)
				}
				if len(k.Keys) == 0 {
					return pass("no deploy keys")
				}
				var bad []string
				for _, key := range k.Keys {
					var why []string
					if !key.ReadOnly {
						why = append(why, "write access")
					}
					if !key.CreatedAt.IsZero() {
						if age := in.Now.Sub(key.CreatedAt); age > p.MaxDeployKeyAge {
							why = append(why, fmt.Sprintf("%d days old (policy: %d)", int(age/(24*time.Hour)), int(p.MaxDeployKeyAge/(24*time.Hour))))
						}
					}
					if len(why) > 0 {
						bad = append(bad, fmt.Sprintf("%q (id %d): %s", key.Title, key.ID, strings.Join(why, ", ")))
					}
				}
				if len(bad) > 0 {
					return fail("%d of %d deploy %s: %s", len(bad), len(k.Keys), pluralWord(len(k.Keys), "key", "keys"), listSome(bad, 10))
				}
				return pass("%d deploy %s, all read-only and younger than %d days", len(k.Keys), pluralWord(len(k.Keys), "key", "keys"), int(p.MaxDeployKeyAge/(24*time.Hour)))
			},
		},
		{
			ID: "repo-webhook-security", Title: "Repository webhooks use a secret and verify TLS",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermRepoHooks,
			Remediation: "Give each webhook a secret and turn SSL verification on: `gh api -X PATCH repos/{repo}/hooks/HOOK_ID/config -f secret=… -f insecure_ssl=0`.",
			Run:         func(in Input, _ *Policy) Outcome { return judgeWebhooks(in.Repo.Webhooks, "repository") },
		},
		{
			ID: "repo-secret-scanning", Title: "Secret scanning enabled",
			Scope: ScopeRepo, Severity: SeverityHigh, Permission: PermRepoAdmin,
			Remediation: "`gh api -X PATCH repos/{repo} --input - <<< '{\"security_and_analysis\":{\"secret_scanning\":{\"status\":\"enabled\"}}}'` " +
				"(Settings → Code security; private repositories need GitHub Advanced Security / Secret Protection).",
			Run: func(in Input, _ *Policy) Outcome {
				s := in.Repo.Security
				if !s.OK() {
					return unknown("security_and_analysis", s.Read)
				}
				if s.SecretScanning == nil {
					return unknown("secret_scanning status", Read{State: ReadDenied, Detail: "security_and_analysis is shown to administrators only"})
				}
				if *s.SecretScanning {
					return pass("secret scanning is enabled")
				}
				return fail("secret scanning is disabled")
			},
		},
		{
			ID: "repo-push-protection", Title: "Secret scanning push protection enabled",
			Scope: ScopeRepo, Severity: SeverityHigh, Permission: PermRepoAdmin,
			Remediation: "`gh api -X PATCH repos/{repo} --input - <<< '{\"security_and_analysis\":{\"secret_scanning_push_protection\":{\"status\":\"enabled\"}}}'`.",
			Run: func(in Input, _ *Policy) Outcome {
				s := in.Repo.Security
				if !s.OK() {
					return unknown("security_and_analysis", s.Read)
				}
				if s.PushProtection == nil {
					return unknown("secret_scanning_push_protection status", Read{State: ReadDenied, Detail: "security_and_analysis is shown to administrators only"})
				}
				if *s.PushProtection {
					return pass("push protection is enabled")
				}
				return fail("push protection is disabled: pushes containing known secrets are accepted")
			},
		},
		{
			ID: "repo-dependabot-alerts", Title: "Dependabot alerts enabled",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermRepoAdmin,
			Remediation: "`gh api -X PUT repos/{repo}/vulnerability-alerts`.",
			Run: func(in Input, _ *Policy) Outcome {
				d := in.Repo.DependabotAlerts
				if !d.OK() {
					return unknown("Dependabot alerts (vulnerability-alerts)", d.Read)
				}
				if d.Enabled {
					return pass("Dependabot alerts are enabled")
				}
				return fail("Dependabot alerts are disabled")
			},
		},
		{
			ID: "repo-actions-token-permissions", Title: "Workflow token is read-only and cannot approve pull requests",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermRepoAdmin,
			Remediation: "`gh api -X PUT repos/{repo}/actions/permissions/workflow -f default_workflow_permissions=read -F can_approve_pull_request_reviews=false`.",
			Run: func(in Input, _ *Policy) Outcome {
				return judgeWorkflowPermissions(in.Repo.WorkflowPermissions, "repository")
			},
		},
		{
			ID: "environment-protection", Title: "Production environments need reviewers and a branch policy",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermEnv,
			Remediation: "For each listed environment: Settings → Environments → add required reviewers and limit deployments to protected or selected branches " +
				"(`gh api -X PUT repos/{repo}/environments/NAME --input env.json` with reviewers and deployment_branch_policy).",
			Run: func(in Input, p *Policy) Outcome {
				e := in.Repo.Environments
				if !e.OK() {
					return unknown("deployment environments", e.Read)
				}
				var prod, bad []string
				for _, env := range e.Environments {
					if p.ProductionEnvironments == nil || !p.ProductionEnvironments.MatchString(env.Name) {
						continue
					}
					prod = append(prod, env.Name)
					var why []string
					if env.Reviewers == 0 {
						why = append(why, "no required reviewers")
					}
					if env.BranchPolicy == "" {
						why = append(why, "any branch may deploy")
					}
					if len(why) > 0 {
						bad = append(bad, fmt.Sprintf("%q: %s", env.Name, strings.Join(why, ", ")))
					}
				}
				if len(prod) == 0 {
					return pass("no production-like environments (of %d)", len(e.Environments))
				}
				if len(bad) > 0 {
					return fail("%s", listSome(bad, 10))
				}
				return pass("production-like environments protected: %s", strings.Join(prod, ", "))
			},
		},
	}
})
