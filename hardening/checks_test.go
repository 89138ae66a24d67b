package hardening

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func ok() Read                  { return Read{State: ReadOK} }
func denied() Read              { return Read{State: ReadDenied, Detail: "HTTP 404"} }
func bp(b bool) *bool           { return &b }
func raw(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
func rule(t string, p any) ActiveRule {
	r := ActiveRule{Type: t, RulesetID: 7, RulesetSource: "acme", RulesetSourceType: "Organization"}
	if p != nil {
		r.Parameters = raw(p)
	}
	return r
}

// goodOrg is an organisation on which every organisation check passes.
func goodOrg() *OrgSnapshot {
	return &OrgSnapshot{
		Login: "acme",
		Settings: OrgSettings{Read: ok(), TwoFactorRequired: bp(true), DefaultRepoPermission: "read",
			MembersCanCreatePublicRepos: bp(false), MembersCanForkPrivateRepos: bp(false), Plan: "enterprise"},
		MembersWithout2FA:    UserList{Read: ok()},
		OutsideWithout2FA:    UserList{Read: ok()},
		Owners:               UserList{Read: ok(), Logins: []string{"alice", "bob"}},
		OutsideCollaborators: UserList{Read: ok(), Logins: []string{"vendor"}},
		Actions:              ActionsPermissions{Read: ok(), EnabledRepositories: "all", AllowedActions: "selected"},
		WorkflowPermissions:  WorkflowPermissions{Read: ok(), Default: "read", CanApprove: bp(false)},
		Webhooks:             Webhooks{Read: ok(), Hooks: []Webhook{{ID: 1, Host: "hooks.example.com", Active: true, HasSecret: true}}},
		Rulesets:             Rulesets{Read: ok()},
		CodeSecurity: CodeSecurityConfigs{Read: ok(), AllRead: ok(), Defaults: []DefaultCodeSecurityConfig{{ForNewRepos: "all", Config: recommended}},
			All: []CodeSecurityConfig{recommended}},
		Secrets:      ActionsSecrets{Read: ok(), Secrets: []ActionsSecret{{Name: "NPM_TOKEN", Visibility: "private", UpdatedAt: testNow.AddDate(0, -1, 0)}}},
		RunnerGroups: RunnerGroups{Read: ok(), Groups: []RunnerGroup{{ID: 1, Name: "Default", Visibility: "all", Default: true}}},
		SAML:         SAMLSSO{Read: ok(), Configured: bp(true), Credentials: 4},
		Activity: AccountActivity{Read: ok(), WindowDays: 180, Since: testNow.AddDate(0, 0, -180), Accounts: []AccountSeen{
			{Login: "alice", Roles: []string{"owner"}, LastEvent: testNow.AddDate(0, 0, -3), LastAction: "repo.create", Read: ok()},
			{Login: "bob", Roles: []string{"owner", "admin of acme/api"}, LastEvent: testNow.AddDate(0, 0, -40), LastAction: "git.push", Read: ok()}}},
	}
}

var recommended = CodeSecurityConfig{ID: 17, Name: "GitHub recommended", TargetType: "global", SecretScanning: "enabled",
	PushProtection: "enabled", DependabotAlerts: "enabled", DependabotSecurityUpdates: "enabled", PrivateVulnerabilityReporting: "enabled"}

// goodClassic is classic protection with every control on.
func goodClassic() ClassicProtection {
	return ClassicProtection{Read: ok(), Enabled: true, EnforceAdmins: true,
		RequiredReviews: &ReviewRequirement{Approvals: 2, DismissStale: true, CodeOwners: true, LastPushApproval: true,
			DismissalRestricted: true, DismissalAllowed: []string{"team maintainers"}},
		RequiredStatusChecks: &StatusChecks{Strict: true, Contexts: []string{"ci"}},
		RequireLinearHistory: true, RequiredSignatures: true, RequiredConversationResolution: true,
		Restrictions: &PushRestrictions{Teams: []string{"release"}}}
}

const goodWorkflow = `name: ci
on: [push, pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/setup-buildx-action@4fd812986e6c8c2a69e18311145f9371337f27d4
      - run: echo "${{ github.event.pull_request.number }}"
`

// goodRepo is a repository on which every repository check passes: classic
// protection with everything on and enforced for admins, plus an
// organisation ruleset without bypass.
func goodRepo() *RepoSnapshot {
	return &RepoSnapshot{
		FullName: "acme/api", Owner: "acme", Name: "api", OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "admin",
		Security:         SecurityAnalysis{Read: ok(), SecretScanning: bp(true), PushProtection: bp(true)},
		DependabotAlerts: Toggle{Read: ok(), Enabled: true},
		Branch: BranchSnapshot{
			Name:    "main",
			Classic: goodClassic(),
			Rules:   ActiveRules{Read: ok(), Rules: []ActiveRule{rule("deletion", nil), rule("non_fast_forward", nil)}},
			Rulesets: Rulesets{Read: ok(), Rulesets: []Ruleset{{ID: 7, Name: "org-baseline", Target: "branch", SourceType: "Organization",
				Source: "acme", Enforcement: "active", Detailed: true, BypassKnown: true, RefInclude: []string{"~DEFAULT_BRANCH"},
				Rules: []RulesetRule{{Type: "deletion"}, {Type: "non_fast_forward"}}},
				{ID: 8, Name: "release tags", Target: "tag", SourceType: "Organization", Source: "acme", Enforcement: "active", Detailed: true,
					BypassKnown: true, RefInclude: []string{"refs/tags/v*"}, Rules: []RulesetRule{{Type: "deletion"}, {Type: "update"}}}}},
		},
		AllowForking: bp(false), PushedAt: testNow.AddDate(0, 0, -5),
		Secrets:  ActionsSecrets{Read: ok(), Secrets: []ActionsSecret{{Name: "DEPLOY_TOKEN", Environment: "production", UpdatedAt: testNow.AddDate(0, -2, 0)}}},
		Branches: BranchList{Read: ok(), Branches: []BranchInfo{{Name: "main", Protected: true}, {Name: "release/1.x", Protected: true}, {Name: "feature/x"}}},
		ReleaseBranches: []BranchSnapshot{{Name: "release/1.x", Classic: goodClassic(),
			Rules: ActiveRules{Read: ok()}}},
		Tags:                          TagList{Read: ok(), Names: []string{"v1.0.0", "v1.1.0", "nightly"}},
		BranchWorkflows:               BranchWorkflows{Read: ok(), Branches: 2},
		SecurityPolicy:                SecurityPolicy{Read: ok(), Path: ".github/SECURITY.md", InheritedRead: ok()},
		PrivateVulnerabilityReporting: Toggle{Read: ok(), Enabled: true},
		DependabotSecurityUpdates:     SecurityUpdates{Read: ok(), Enabled: true},
		CodeScanning:                  CodeScanning{Read: ok(), Analyses: true, LastTool: "CodeQL", LastCreated: testNow.AddDate(0, 0, -2)},
		Collaborators:                 Collaborators{Read: ok(), Users: []Collaborator{{Login: "alice", Permission: "admin"}, {Login: "vendor", Permission: "read"}}},
		OutsideCollaborators:          Collaborators{Read: ok(), Users: []Collaborator{{Login: "vendor", Permission: "read"}}},
		Teams:                         Teams{Read: ok(), Teams: []TeamAccess{{Slug: "platform", Permission: "maintain"}}},
		DeployKeys:                    DeployKeys{Read: ok(), Keys: []DeployKey{{ID: 1, Title: "ci", ReadOnly: true, CreatedAt: testNow.AddDate(0, -2, 0)}}},
		Webhooks:                      Webhooks{Read: ok()},
		WorkflowPermissions:           WorkflowPermissions{Read: ok(), Default: "read", CanApprove: bp(false)},
		Workflows:                     Workflows{Read: ok(), Files: []WorkflowFile{{Path: ".github/workflows/ci.yml", Content: goodWorkflow, Read: ok()}}},
		CodeOwners:                    CodeOwners{Read: ok(), Exists: true},
		Environments: Environments{Read: ok(), Environments: []Environment{
			{Name: "production", Reviewers: 2, BranchPolicy: "protected"}, {Name: "staging"}}},
	}
}

func withWorkflow(content string) func(*RepoSnapshot) {
	return func(r *RepoSnapshot) {
		r.Workflows.Files = []WorkflowFile{{Path: ".github/workflows/w.yml", Content: content, Read: ok()}}
	}
}

func noClassic(r *RepoSnapshot) { r.Branch.Classic = ClassicProtection{Read: ok()} }

type checkCase struct {
	name   string
	check  string
	org    func(*OrgSnapshot)
	repo   func(*RepoSnapshot)
	policy func(*Policy)
	want   Status
	// evidence must appear in the result's evidence.
	evidence string
}

var checkCases = []checkCase{
	// Organisation.
	{name: "2fa required", check: "org-2fa-required", want: StatusPass},
	{name: "2fa off", check: "org-2fa-required", org: func(o *OrgSnapshot) { o.Settings.TwoFactorRequired = bp(false) }, want: StatusFail},
	{name: "2fa hidden from non-owner", check: "org-2fa-required", org: func(o *OrgSnapshot) { o.Settings.TwoFactorRequired = nil }, want: StatusUnknown, evidence: "owners only"},
	{name: "nobody without 2fa", check: "org-members-without-2fa", want: StatusPass},
	{name: "members without 2fa", check: "org-members-without-2fa", org: func(o *OrgSnapshot) {
		o.MembersWithout2FA.Logins = []string{"mallory"}
		o.OutsideWithout2FA.Logins = []string{"vendor"}
	}, want: StatusFail, evidence: "mallory"},
	{name: "2fa filter refused", check: "org-members-without-2fa", org: func(o *OrgSnapshot) { o.MembersWithout2FA = UserList{Read: denied()} }, want: StatusUnknown},
	{name: "two owners", check: "org-owner-count", want: StatusPass},
	{name: "too many owners", check: "org-owner-count", org: func(o *OrgSnapshot) { o.Owners.Logins = []string{"a", "b", "c", "d"} }, want: StatusFail, evidence: "4 owners"},
	{name: "owners policy raised", check: "org-owner-count", org: func(o *OrgSnapshot) { o.Owners.Logins = []string{"a", "b", "c", "d"} },
		policy: func(p *Policy) { p.MaxOwners = 5 }, want: StatusPass},
	{name: "owners unreadable", check: "org-owner-count", org: func(o *OrgSnapshot) { o.Owners = UserList{Read: Read{State: ReadFailed, Detail: "timeout"}} }, want: StatusUnknown},
	{name: "base read", check: "org-base-permission", want: StatusPass},
	{name: "base write", check: "org-base-permission", org: func(o *OrgSnapshot) { o.Settings.DefaultRepoPermission = "write" }, want: StatusFail},
	{name: "base hidden", check: "org-base-permission", org: func(o *OrgSnapshot) { o.Settings.DefaultRepoPermission = "" }, want: StatusUnknown},
	{name: "no public creation", check: "org-public-repo-creation", want: StatusPass},
	{name: "public creation", check: "org-public-repo-creation", org: func(o *OrgSnapshot) { o.Settings.MembersCanCreatePublicRepos = bp(true) }, want: StatusFail},
	{name: "public creation hidden", check: "org-public-repo-creation", org: func(o *OrgSnapshot) { o.Settings.MembersCanCreatePublicRepos = nil }, want: StatusUnknown},
	{name: "outside read only", check: "org-outside-collaborators", want: StatusPass},
	{name: "outside with write", check: "org-outside-collaborators", repo: func(r *RepoSnapshot) {
		r.OutsideCollaborators.Users = []Collaborator{{Login: "vendor", Permission: "write"}}
	}, want: StatusFail, evidence: "vendor (api:write)"},
	{name: "outside list refused", check: "org-outside-collaborators", org: func(o *OrgSnapshot) { o.OutsideCollaborators = UserList{Read: denied()} }, want: StatusUnknown},
	{name: "outside access unseen", check: "org-outside-collaborators", repo: func(r *RepoSnapshot) { r.OutsideCollaborators = Collaborators{Read: denied()} }, want: StatusUnknown},
	{name: "security defaults on", check: "org-security-defaults", want: StatusPass, evidence: "every new repository gets"},
	{name: "default config lacks push protection", check: "org-security-defaults", org: func(o *OrgSnapshot) {
		o.CodeSecurity.Defaults = []DefaultCodeSecurityConfig{{ForNewRepos: "all", Config: CodeSecurityConfig{ID: 3, Name: "custom",
			SecretScanning: "enabled", PushProtection: "disabled", DependabotAlerts: "enabled"}}}
	}, want: StatusFail, evidence: "push protection disabled"},
	{name: "no default for private repositories", check: "org-security-defaults", org: func(o *OrgSnapshot) {
		o.CodeSecurity.Defaults[0].ForNewRepos = "public"
	}, want: StatusFail, evidence: "new private and internal repositories get no default configuration"},
	{name: "no default at all", check: "org-security-defaults", org: func(o *OrgSnapshot) { o.CodeSecurity.Defaults = nil }, want: StatusFail},
	{name: "split defaults both complete", check: "org-security-defaults", org: func(o *OrgSnapshot) {
		o.CodeSecurity.Defaults = []DefaultCodeSecurityConfig{{ForNewRepos: "public", Config: recommended},
			{ForNewRepos: "private_and_internal", Config: CodeSecurityConfig{ID: 4, Name: "private", SecretScanning: "enabled", PushProtection: "enabled", DependabotAlerts: "enabled"}}}
	}, want: StatusPass, evidence: `new private and internal repositories get "private"`},
	{name: "configurations refused, no legacy fields", check: "org-security-defaults", org: func(o *OrgSnapshot) {
		o.CodeSecurity = CodeSecurityConfigs{Read: denied()}
	}, want: StatusUnknown, evidence: "default code security configuration not visible"},
	{name: "older GHES legacy fields on", check: "org-security-defaults", org: func(o *OrgSnapshot) {
		o.CodeSecurity = CodeSecurityConfigs{Read: Read{State: ReadDenied, Detail: "GET /api/v3/orgs/acme/code-security/configurations/defaults: HTTP 404"}}
		o.Settings.SecretScanningForNewRepos, o.Settings.PushProtectionForNewRepos, o.Settings.DependabotAlertsForNewRepos = bp(true), bp(true), bp(true)
	}, want: StatusPass, evidence: "legacy"},
	{name: "older GHES legacy push protection off", check: "org-security-defaults", org: func(o *OrgSnapshot) {
		o.CodeSecurity = CodeSecurityConfigs{Read: denied()}
		o.Settings.SecretScanningForNewRepos, o.Settings.PushProtectionForNewRepos, o.Settings.DependabotAlertsForNewRepos = bp(true), bp(false), bp(true)
	}, want: StatusFail, evidence: "push protection"},
	{name: "older GHES legacy fields partly hidden", check: "org-security-defaults", org: func(o *OrgSnapshot) {
		o.CodeSecurity = CodeSecurityConfigs{Read: denied()}
		o.Settings.SecretScanningForNewRepos = bp(true)
	}, want: StatusUnknown},
	{name: "selected actions", check: "org-actions-allowed", want: StatusPass},
	{name: "all actions", check: "org-actions-allowed", org: func(o *OrgSnapshot) { o.Actions.AllowedActions = "all" }, want: StatusFail},
	{name: "actions policy refused", check: "org-actions-allowed", org: func(o *OrgSnapshot) { o.Actions = ActionsPermissions{Read: denied()} }, want: StatusUnknown},
	{name: "org token read", check: "org-actions-token-permissions", want: StatusPass},
	{name: "org token write", check: "org-actions-token-permissions", org: func(o *OrgSnapshot) { o.WorkflowPermissions.Default = "write" }, want: StatusFail},
	{name: "org workflows approve", check: "org-actions-token-permissions", org: func(o *OrgSnapshot) { o.WorkflowPermissions.CanApprove = bp(true) }, want: StatusFail, evidence: "approve"},
	{name: "org token refused", check: "org-actions-token-permissions", org: func(o *OrgSnapshot) { o.WorkflowPermissions = WorkflowPermissions{Read: denied()} }, want: StatusUnknown},
	{name: "org hooks good", check: "org-webhook-security", want: StatusPass},
	{name: "org hook without secret", check: "org-webhook-security", org: func(o *OrgSnapshot) {
		o.Webhooks.Hooks = append(o.Webhooks.Hooks, Webhook{ID: 2, Host: "ci.example.net", InsecureSSL: true})
	}, want: StatusFail, evidence: "no secret, SSL verification off"},
	{name: "org hooks refused", check: "org-webhook-security", org: func(o *OrgSnapshot) { o.Webhooks = Webhooks{Read: denied()} }, want: StatusUnknown},

	// Branch protection.
	{name: "protected", check: "branch-protected", want: StatusPass},
	{name: "protected by ruleset only", check: "branch-protected", repo: noClassic, want: StatusPass, evidence: `ruleset "org-baseline"`},
	{name: "not protected", check: "branch-protected", repo: func(r *RepoSnapshot) { noClassic(r); r.Branch.Rules.Rules = nil }, want: StatusFail},
	{name: "classic hidden, rules empty", check: "branch-protected", repo: func(r *RepoSnapshot) {
		r.Branch.Classic = ClassicProtection{Read: denied()}
		r.Branch.Rules.Rules = nil
	}, want: StatusUnknown, evidence: "classic branch protection not visible"},
	{name: "classic hidden but branch says unprotected", check: "branch-protected", repo: func(r *RepoSnapshot) {
		r.Branch.Classic = ClassicProtection{Read: denied()}
		r.Branch.Protected = bp(false)
		r.Branch.Rules.Rules = nil
	}, want: StatusFail},
	{name: "force push blocked", check: "branch-force-push", want: StatusPass},
	{name: "force push allowed", check: "branch-force-push", repo: func(r *RepoSnapshot) {
		r.Branch.Classic.AllowForcePushes = true
		r.Branch.Rules.Rules = nil
	}, want: StatusFail, evidence: "allows force pushes"},
	{name: "force push only in evaluate ruleset", check: "branch-force-push", repo: func(r *RepoSnapshot) {
		r.Branch.Classic.AllowForcePushes = true
		r.Branch.Rules.Rules = nil // evaluate-mode rules are not active
		r.Branch.Rulesets.Rulesets[0].Enforcement = "evaluate"
	}, want: StatusFail, evidence: "evaluate mode"},
	{name: "force push hidden", check: "branch-force-push", repo: func(r *RepoSnapshot) {
		r.Branch.Classic = ClassicProtection{Read: denied()}
		r.Branch.Rules = ActiveRules{Read: denied()}
	}, want: StatusUnknown},
	{name: "deletion blocked", check: "branch-deletion", want: StatusPass},
	{name: "deletion allowed", check: "branch-deletion", repo: func(r *RepoSnapshot) {
		r.Branch.Classic.AllowDeletions = true
		r.Branch.Rules.Rules = nil
	}, want: StatusFail},
	{name: "deletion hidden", check: "branch-deletion", repo: func(r *RepoSnapshot) {
		r.Branch.Classic = ClassicProtection{Read: denied()}
		r.Branch.Rules.Rules = []ActiveRule{rule("non_fast_forward", nil)}
	}, want: StatusUnknown},
	{name: "reviews enough", check: "branch-required-reviews", want: StatusPass},
	{name: "reviews from ruleset", check: "branch-required-reviews", repo: func(r *RepoSnapshot) {
		noClassic(r)
		r.Branch.Rules.Rules = append(r.Branch.Rules.Rules, rule("pull_request", PullRequestParams{RequiredApprovingReviewCount: 2}))
	}, policy: func(p *Policy) { p.MinApprovals = 2 }, want: StatusPass, evidence: "2 approvals"},
	{name: "reviews too few", check: "branch-required-reviews", policy: func(p *Policy) { p.MinApprovals = 3 }, want: StatusFail, evidence: "policy wants 3"},
	{name: "reviews hidden", check: "branch-required-reviews", repo: func(r *RepoSnapshot) { r.Branch.Classic = ClassicProtection{Read: denied()} }, want: StatusUnknown},
	{name: "stale dismissed", check: "branch-dismiss-stale", want: StatusPass},
	{name: "stale kept", check: "branch-dismiss-stale", repo: func(r *RepoSnapshot) { r.Branch.Classic.RequiredReviews.DismissStale = false }, want: StatusFail},
	{name: "stale hidden", check: "branch-dismiss-stale", repo: func(r *RepoSnapshot) { r.Branch.Classic = ClassicProtection{Read: denied()} }, want: StatusUnknown},
	{name: "code owners", check: "branch-code-owners", want: StatusPass},
	{name: "code owners without file", check: "branch-code-owners", repo: func(r *RepoSnapshot) { r.CodeOwners.Exists = false }, want: StatusFail, evidence: "no CODEOWNERS"},
	{name: "code owners not required", check: "branch-code-owners", repo: func(r *RepoSnapshot) { r.Branch.Classic.RequiredReviews.CodeOwners = false }, want: StatusFail},
	{name: "code owners file unknown", check: "branch-code-owners", repo: func(r *RepoSnapshot) { r.CodeOwners = CodeOwners{Read: denied()} }, want: StatusUnknown},
	{name: "code owners file broken", check: "branch-code-owners", repo: func(r *RepoSnapshot) { r.CodeOwners.Errors = 2 }, want: StatusWarn},
	{name: "last push approval", check: "branch-last-push-approval", want: StatusPass},
	{name: "last push not approved", check: "branch-last-push-approval", repo: func(r *RepoSnapshot) { r.Branch.Classic.RequiredReviews.LastPushApproval = false }, want: StatusFail},
	{name: "last push hidden", check: "branch-last-push-approval", repo: func(r *RepoSnapshot) { r.Branch.Classic = ClassicProtection{Read: denied()} }, want: StatusUnknown},
	{name: "status checks", check: "branch-status-checks", want: StatusPass, evidence: "ci"},
	{name: "status checks empty", check: "branch-status-checks", repo: func(r *RepoSnapshot) { r.Branch.Classic.RequiredStatusChecks.Contexts = nil }, want: StatusFail, evidence: "no check names"},
	{name: "status checks from ruleset", check: "branch-status-checks", repo: func(r *RepoSnapshot) {
		noClassic(r)
		r.Branch.Rules.Rules = append(r.Branch.Rules.Rules, rule("required_status_checks",
			map[string]any{"required_status_checks": []map[string]any{{"context": "build"}}, "strict_required_status_checks_policy": true}))
	}, want: StatusPass, evidence: "build"},
	{name: "status checks hidden", check: "branch-status-checks", repo: func(r *RepoSnapshot) { r.Branch.Classic = ClassicProtection{Read: denied()} }, want: StatusUnknown},
	{name: "up to date", check: "branch-up-to-date", want: StatusPass},
	{name: "not strict", check: "branch-up-to-date", repo: func(r *RepoSnapshot) { r.Branch.Classic.RequiredStatusChecks.Strict = false }, want: StatusFail},
	{name: "strict hidden", check: "branch-up-to-date", repo: func(r *RepoSnapshot) { r.Branch.Classic = ClassicProtection{Read: denied()} }, want: StatusUnknown},
	{name: "admins enforced", check: "branch-admin-enforced", want: StatusPass},
	{name: "admins exempt", check: "branch-admin-enforced", repo: func(r *RepoSnapshot) { r.Branch.Classic.EnforceAdmins = false }, want: StatusFail, evidence: "enforce_admins off"},
	{name: "ruleset bypass always", check: "branch-admin-enforced", repo: func(r *RepoSnapshot) {
		r.Branch.Rulesets.Rulesets[0].BypassActors = []BypassActor{{ActorID: 1, ActorType: "OrganizationAdmin", BypassMode: "always"}}
	}, want: StatusFail, evidence: "OrganizationAdmin 1 (always)"},
	{name: "ruleset bypass via pull request", check: "branch-admin-enforced", repo: func(r *RepoSnapshot) {
		r.Branch.Rulesets.Rulesets[0].BypassActors = []BypassActor{{ActorID: 3, ActorType: "Team", BypassMode: "pull_request"}}
	}, want: StatusWarn},
	{name: "ruleset bypass invisible", check: "branch-admin-enforced", repo: func(r *RepoSnapshot) { r.Branch.Rulesets.Rulesets[0].BypassKnown = false }, want: StatusUnknown},
	{name: "classic pr bypass allowance", check: "branch-admin-enforced", repo: func(r *RepoSnapshot) {
		r.Branch.Classic.RequiredReviews.BypassAllowed = []string{"release-bot"}
	}, want: StatusFail, evidence: "release-bot"},
	{name: "signed commits", check: "branch-signed-commits", want: StatusPass},
	{name: "unsigned allowed, not required", check: "branch-signed-commits", repo: func(r *RepoSnapshot) { r.Branch.Classic.RequiredSignatures = false }, want: StatusWarn},
	{name: "unsigned allowed, required", check: "branch-signed-commits", repo: func(r *RepoSnapshot) { r.Branch.Classic.RequiredSignatures = false },
		policy: func(p *Policy) { p.RequireSignedCommits = true }, want: StatusFail},
	{name: "signatures hidden", check: "branch-signed-commits", repo: func(r *RepoSnapshot) { r.Branch.Classic = ClassicProtection{Read: denied()} }, want: StatusUnknown},
	{name: "linear", check: "branch-linear-history", want: StatusPass},
	{name: "merge commits, required", check: "branch-linear-history", repo: func(r *RepoSnapshot) { r.Branch.Classic.RequireLinearHistory = false },
		policy: func(p *Policy) { p.RequireLinearHistory = true }, want: StatusFail},
	{name: "linear from ruleset", check: "branch-linear-history", repo: func(r *RepoSnapshot) {
		r.Branch.Classic.RequireLinearHistory = false
		r.Branch.Rules.Rules = append(r.Branch.Rules.Rules, rule("required_linear_history", nil))
	}, want: StatusPass},
	{name: "linear hidden", check: "branch-linear-history", repo: func(r *RepoSnapshot) { r.Branch.Classic = ClassicProtection{Read: denied()} }, want: StatusUnknown},
	{name: "conversations", check: "branch-conversation-resolution", want: StatusPass},
	{name: "conversations open", check: "branch-conversation-resolution", repo: func(r *RepoSnapshot) { r.Branch.Classic.RequiredConversationResolution = false }, want: StatusFail},
	{name: "conversations hidden", check: "branch-conversation-resolution", repo: func(r *RepoSnapshot) { r.Branch.Classic = ClassicProtection{Read: denied()} }, want: StatusUnknown},
	{name: "push restricted", check: "branch-push-restrictions", want: StatusPass, evidence: "team release"},
	{name: "push unrestricted, required", check: "branch-push-restrictions", repo: func(r *RepoSnapshot) { r.Branch.Classic.Restrictions = nil },
		policy: func(p *Policy) { p.RequirePushRestrictions = true }, want: StatusFail},
	{name: "push restricted by update rule", check: "branch-push-restrictions", repo: func(r *RepoSnapshot) {
		r.Branch.Classic.Restrictions = nil
		r.Branch.Rules.Rules = append(r.Branch.Rules.Rules, rule("update", nil))
	}, want: StatusPass},
	{name: "push restrictions hidden", check: "branch-push-restrictions", repo: func(r *RepoSnapshot) { r.Branch.Classic = ClassicProtection{Read: denied()} }, want: StatusUnknown},

	// Repository.
	{name: "one admin", check: "repo-admins", want: StatusPass},
	{name: "too many admins", check: "repo-admins", repo: func(r *RepoSnapshot) {
		r.Teams.Teams = append(r.Teams.Teams, TeamAccess{"a", "admin"}, TeamAccess{"b", "admin"}, TeamAccess{"c", "admin"})
	}, want: StatusFail, evidence: "4 direct admins"},
	{name: "collaborators hidden", check: "repo-admins", repo: func(r *RepoSnapshot) { r.Collaborators = Collaborators{Read: denied()} }, want: StatusUnknown},
	{name: "outside read", check: "repo-outside-collaborators", want: StatusPass},
	{name: "outside admin", check: "repo-outside-collaborators", repo: func(r *RepoSnapshot) {
		r.OutsideCollaborators.Users = []Collaborator{{Login: "vendor", Permission: "admin"}}
	}, want: StatusFail, evidence: "vendor (admin)"},
	{name: "outside hidden", check: "repo-outside-collaborators", repo: func(r *RepoSnapshot) { r.OutsideCollaborators = Collaborators{Read: denied()} }, want: StatusUnknown},
	{name: "young read-only key", check: "repo-deploy-keys", want: StatusPass},
	{name: "write key", check: "repo-deploy-keys", repo: func(r *RepoSnapshot) { r.DeployKeys.Keys[0].ReadOnly = false }, want: StatusFail, evidence: "write access"},
	{name: "old key", check: "repo-deploy-keys", repo: func(r *RepoSnapshot) { r.DeployKeys.Keys[0].CreatedAt = testNow.AddDate(-2, 0, 0) }, want: StatusFail, evidence: "days old"},
	{name: "keys hidden", check: "repo-deploy-keys", repo: func(r *RepoSnapshot) { r.DeployKeys = DeployKeys{Read: denied()} }, want: StatusUnknown},
	{name: "no repo hooks", check: "repo-webhook-security", want: StatusPass},
	{name: "repo hook insecure", check: "repo-webhook-security", repo: func(r *RepoSnapshot) {
		r.Webhooks.Hooks = []Webhook{{ID: 5, Host: "x.example", HasSecret: true, InsecureSSL: true, Active: true}}
	}, want: StatusFail},
	{name: "repo hooks hidden", check: "repo-webhook-security", repo: func(r *RepoSnapshot) { r.Webhooks = Webhooks{Read: denied()} }, want: StatusUnknown},
	{name: "secret scanning on", check: "repo-secret-scanning", want: StatusPass},
	{name: "secret scanning off", check: "repo-secret-scanning", repo: func(r *RepoSnapshot) { r.Security.SecretScanning = bp(false) }, want: StatusFail},
	{name: "secret scanning hidden", check: "repo-secret-scanning", repo: func(r *RepoSnapshot) { r.Security = SecurityAnalysis{Read: denied()} }, want: StatusUnknown},
	{name: "push protection on", check: "repo-push-protection", want: StatusPass},
	{name: "push protection off", check: "repo-push-protection", repo: func(r *RepoSnapshot) { r.Security.PushProtection = bp(false) }, want: StatusFail},
	{name: "push protection field missing", check: "repo-push-protection", repo: func(r *RepoSnapshot) { r.Security.PushProtection = nil }, want: StatusUnknown},
	{name: "dependabot on", check: "repo-dependabot-alerts", want: StatusPass},
	{name: "dependabot off", check: "repo-dependabot-alerts", repo: func(r *RepoSnapshot) { r.DependabotAlerts.Enabled = false }, want: StatusFail},
	{name: "dependabot ambiguous", check: "repo-dependabot-alerts", repo: func(r *RepoSnapshot) { r.DependabotAlerts = Toggle{Read: denied()} }, want: StatusUnknown},
	{name: "repo token read", check: "repo-actions-token-permissions", want: StatusPass},
	{name: "repo token write", check: "repo-actions-token-permissions", repo: func(r *RepoSnapshot) { r.WorkflowPermissions.Default = "write" }, want: StatusFail},
	{name: "repo token hidden", check: "repo-actions-token-permissions", repo: func(r *RepoSnapshot) { r.WorkflowPermissions = WorkflowPermissions{Read: denied()} }, want: StatusUnknown},
	{name: "production protected", check: "environment-protection", want: StatusPass, evidence: "production"},
	{name: "production open", check: "environment-protection", repo: func(r *RepoSnapshot) {
		r.Environments.Environments = []Environment{{Name: "prod-eu"}}
	}, want: StatusFail, evidence: "no required reviewers, any branch may deploy"},
	{name: "no production", check: "environment-protection", repo: func(r *RepoSnapshot) { r.Environments.Environments = []Environment{{Name: "dev"}} }, want: StatusPass},
	{name: "environments hidden", check: "environment-protection", repo: func(r *RepoSnapshot) { r.Environments = Environments{Read: denied()} }, want: StatusUnknown},

	// Workflows.
	{name: "safe checkout", check: "workflow-untrusted-checkout", want: StatusPass},
	{name: "pwn request", check: "workflow-untrusted-checkout", repo: withWorkflow(`on: pull_request_target
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: make
`), want: StatusFail, evidence: "w.yml:8"},
	{name: "workflow_run with gh pr checkout", check: "workflow-untrusted-checkout", repo: withWorkflow(`on:
  workflow_run:
    workflows: [ci]
jobs:
  j:
    steps:
      - run: gh pr checkout ${{ github.event.workflow_run.pull_requests[0].number }}
`), want: StatusFail},
	{name: "pull_request_target without checkout of head", check: "workflow-untrusted-checkout", repo: withWorkflow(`on: pull_request_target
jobs:
  label:
    steps:
      - uses: actions/labeler@v5
`), want: StatusPass},
	{name: "workflows unreadable", check: "workflow-untrusted-checkout", repo: func(r *RepoSnapshot) { r.Workflows = Workflows{Read: denied()} }, want: StatusUnknown},
	{name: "no injection", check: "workflow-script-injection", want: StatusPass},
	{name: "title injection", check: "workflow-script-injection", repo: withWorkflow(`on: issues
jobs:
  triage:
    steps:
      - run: |
          echo "new issue"
          echo "${{ github.event.issue.title }}"
`), want: StatusFail, evidence: "github.event.issue.title"},
	{name: "github-script injection", check: "workflow-script-injection", repo: withWorkflow(`on: pull_request
jobs:
  j:
    steps:
      - uses: actions/github-script@v7
        with:
          script: console.log("${{ github.head_ref }}")
`), want: StatusFail, evidence: "github.head_ref"},
	{name: "one file unreadable", check: "workflow-script-injection", repo: func(r *RepoSnapshot) {
		r.Workflows.Files = append(r.Workflows.Files, WorkflowFile{Path: ".github/workflows/big.yml", Read: Read{State: ReadFailed, Detail: "too large"}})
	}, want: StatusUnknown, evidence: "big.yml"},
	{name: "pinned", check: "workflow-unpinned-actions", want: StatusPass},
	{name: "unpinned third party", check: "workflow-unpinned-actions", repo: withWorkflow(`on: push
jobs:
  j:
    steps:
      - uses: actions/checkout@v4
      - uses: tj-actions/changed-files@v45
      - uses: docker://alpine:3
  reuse:
    uses: other-org/workflows/.github/workflows/build.yml@main
`), want: StatusFail, evidence: "tj-actions/changed-files at v45"},
	{name: "trusted owner policy", check: "workflow-unpinned-actions", repo: withWorkflow(`on: push
jobs:
  j:
    steps:
      - uses: acme/setup@v1
`), policy: func(p *Policy) { p.TrustedActionOwners = append(p.TrustedActionOwners, "acme") }, want: StatusPass},
	{name: "pins unreadable", check: "workflow-unpinned-actions", repo: func(r *RepoSnapshot) { r.Workflows = Workflows{Read: Read{State: ReadFailed, Detail: "HTTP 500"}} }, want: StatusUnknown},
	{name: "permissions declared", check: "workflow-excessive-permissions", want: StatusPass},
	{name: "write-all", check: "workflow-excessive-permissions", repo: withWorkflow("on: push\npermissions: write-all\njobs:\n  j:\n    steps:\n      - run: true\n"), want: StatusFail, evidence: "write-all"},
	{name: "no block, read-only default", check: "workflow-excessive-permissions", repo: withWorkflow("on: push\njobs:\n  j:\n    steps:\n      - run: true\n"), want: StatusPass, evidence: "read-only"},
	{name: "no block, write default", check: "workflow-excessive-permissions", repo: func(r *RepoSnapshot) {
		withWorkflow("on: push\njobs:\n  j:\n    steps:\n      - run: true\n")(r)
		r.WorkflowPermissions.Default = "write"
	}, want: StatusFail, evidence: "job j has no permissions"},
	{name: "no block, default unknown", check: "workflow-excessive-permissions", repo: func(r *RepoSnapshot) {
		withWorkflow("on: push\njobs:\n  j:\n    steps:\n      - run: true\n")(r)
		r.WorkflowPermissions = WorkflowPermissions{Read: denied()}
	}, org: func(o *OrgSnapshot) { o.WorkflowPermissions.Default = "write" }, want: StatusUnknown},
	{name: "no block, repo hidden, organisation restricts", check: "workflow-excessive-permissions", repo: func(r *RepoSnapshot) {
		withWorkflow("on: push\njobs:\n  j:\n    steps:\n      - run: true\n")(r)
		r.WorkflowPermissions = WorkflowPermissions{Read: denied()}
	}, want: StatusPass, evidence: "read-only"},
	{name: "oidc", check: "workflow-static-aws-keys", want: StatusPass},
	{name: "static aws keys", check: "workflow-static-aws-keys", repo: withWorkflow(`on: push
jobs:
  deploy:
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
`), want: StatusFail, evidence: "static access key"},
	{name: "aws keys unreadable", check: "workflow-static-aws-keys", repo: func(r *RepoSnapshot) { r.Workflows = Workflows{Read: denied()} }, want: StatusUnknown},
}

func allCheckCases() []checkCase {
	return append(append([]checkCase(nil), checkCases...), moreCheckCases...)
}

func TestChecks(t *testing.T) {
	t.Parallel()
	for _, tc := range allCheckCases() {
		t.Run(tc.check+"/"+tc.name, func(t *testing.T) {
			c := CheckByID(tc.check)
			if c == nil {
				t.Fatalf("no check %q", tc.check)
			}
			org, repo := goodOrg(), goodRepo()
			if tc.org != nil {
				tc.org(org)
			}
			if tc.repo != nil {
				tc.repo(repo)
			}
			p := DefaultPolicy()
			if tc.policy != nil {
				tc.policy(p)
			}
			snap := &Snapshot{Version: SnapshotVersion, Org: org, Repos: []*RepoSnapshot{repo}}
			in := Input{Snapshot: snap, Org: org, Repo: repo, Now: testNow}
			got := c.Run(in, p)
			if got.Status != tc.want {
				t.Fatalf("status %s, want %s; evidence: %s", got.Status, tc.want, got.Evidence)
			}
			if tc.evidence != "" && !strings.Contains(got.Evidence, tc.evidence) {
				t.Errorf("evidence %q lacks %q", got.Evidence, tc.evidence)
			}
			if got.Evidence == "" {
				t.Error("empty evidence")
			}
		})
	}
}

// TestEveryCheckCoveredPassFailUnknown keeps the table honest: every check
// has a pass, a fail and an unknown case.
func TestEveryCheckCoveredPassFailUnknown(t *testing.T) {
	seen := map[string]map[Status]bool{}
	for _, tc := range allCheckCases() {
		if seen[tc.check] == nil {
			seen[tc.check] = map[Status]bool{}
		}
		seen[tc.check][tc.want] = true
	}
	for _, c := range Checks() {
		for _, st := range []Status{StatusPass, StatusFail, StatusUnknown} {
			if !seen[c.ID][st] {
				t.Errorf("%s: no %s case", c.ID, st)
			}
		}
	}
}

func TestCheckCatalogue(t *testing.T) {
	want := []string{"org-2fa-required", "org-members-without-2fa", "org-owner-count", "org-base-permission",
		"org-public-repo-creation", "org-outside-collaborators", "org-security-defaults", "org-actions-allowed",
		"org-actions-token-permissions", "org-webhook-security", "branch-protected", "branch-force-push",
		"branch-deletion", "branch-required-reviews", "branch-dismiss-stale", "branch-code-owners",
		"branch-last-push-approval", "branch-status-checks", "branch-up-to-date", "branch-admin-enforced",
		"branch-signed-commits", "branch-linear-history", "branch-conversation-resolution", "branch-push-restrictions",
		"repo-admins", "repo-outside-collaborators", "repo-deploy-keys", "repo-webhook-security",
		"repo-secret-scanning", "repo-push-protection", "repo-dependabot-alerts", "repo-actions-token-permissions",
		"workflow-untrusted-checkout", "workflow-script-injection", "workflow-unpinned-actions",
		"workflow-excessive-permissions", "workflow-static-aws-keys", "environment-protection",
		// Added with audit fix (issue 14).
		"org-runner-groups", "org-actions-repositories", "org-saml-sso", "org-dormant-admins", "org-private-forking",
		"org-actions-secrets", "repo-actions-secrets", "repo-ownerless", "repo-stale", "repo-security-policy",
		"repo-private-vulnerability-reporting", "repo-dependabot-security-updates", "repo-code-scanning",
		"branch-dismissal-restrictions", "branch-release-protection", "repo-tag-protection",
		"workflow-self-hosted-runners", "workflow-top-level-permissions"}
	if len(Checks()) != len(want) {
		t.Errorf("%d checks, want %d: a new check needs its ID here and a row in the README", len(Checks()), len(want))
	}
	ids := map[string]bool{}
	for _, c := range Checks() {
		if ids[c.ID] {
			t.Errorf("duplicate check ID %s", c.ID)
		}
		ids[c.ID] = true
		if c.Title == "" || c.Remediation == "" || c.Permission == (Permission{}) || c.Run == nil {
			t.Errorf("%s: title, remediation, permission and Run are required", c.ID)
		}
	}
	for _, id := range want {
		if !ids[id] {
			t.Errorf("stable check ID %s is missing", id)
		}
	}
}

func TestUnknownNamesPermission(t *testing.T) {
	repo := goodRepo()
	repo.DeployKeys = DeployKeys{Read: denied()}
	rep := Evaluate(&Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{repo}}, DefaultPolicy(), testNow)
	for _, r := range rep.Targets[0].Results {
		if r.Check == "repo-deploy-keys" {
			if r.Status != StatusUnknown || !strings.Contains(r.Permission, "Administration") || !strings.Contains(r.Permission, "repo") {
				t.Fatalf("unknown result %+v should name the permission", r)
			}
			return
		}
	}
	t.Fatal("no repo-deploy-keys result")
}
