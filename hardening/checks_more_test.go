package hardening

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// moreCheckCases cover the checks added with the audit-fix work: secrets,
// runners, single sign-on, dormant accounts, forking, ownerless and stale
// repositories, vulnerability intake, release refs and the new workflow
// checks. Each check has a pass, a fail and an unknown case.
var moreCheckCases = []checkCase{
	// Actions secrets.
	{name: "org secrets fine", check: "org-actions-secrets", want: StatusPass, evidence: "1 organisation Actions secret"},
	{name: "org secret holds aws key", check: "org-actions-secrets", org: func(o *OrgSnapshot) {
		o.Secrets.Secrets = append(o.Secrets.Secrets, ActionsSecret{Name: "AWS_SECRET_ACCESS_KEY", UpdatedAt: testNow.AddDate(0, -1, 0)})
	}, want: StatusFail, evidence: "AWS_SECRET_ACCESS_KEY: AWS access key"},
	{name: "org secret old", check: "org-actions-secrets", org: func(o *OrgSnapshot) {
		o.Secrets.Secrets[0].UpdatedAt = testNow.AddDate(-2, 0, 0)
	}, want: StatusWarn, evidence: "not rotated in 365 days"},
	{name: "org secret age policy", check: "org-actions-secrets", org: func(o *OrgSnapshot) {
		o.Secrets.Secrets[0].UpdatedAt = testNow.AddDate(0, 0, -40)
	}, policy: func(p *Policy) { p.MaxSecretAge = 30 * 24 * time.Hour }, want: StatusWarn, evidence: "40 days ago"},
	{name: "org secrets refused", check: "org-actions-secrets", org: func(o *OrgSnapshot) { o.Secrets = ActionsSecrets{Read: denied()} }, want: StatusUnknown},
	{name: "repo secrets fine", check: "repo-actions-secrets", want: StatusPass},
	{name: "environment secret holds gcp key", check: "repo-actions-secrets", repo: func(r *RepoSnapshot) {
		r.Secrets.Secrets = append(r.Secrets.Secrets, ActionsSecret{Name: "GCP_SA_KEY", Environment: "production"})
	}, want: StatusFail, evidence: "GCP_SA_KEY (environment production): Google Cloud service-account key"},
	{name: "repo secret aws plus old", check: "repo-actions-secrets", repo: func(r *RepoSnapshot) {
		r.Secrets.Secrets = []ActionsSecret{{Name: "AWS_ACCESS_KEY_ID", CreatedAt: testNow.AddDate(-3, 0, 0)}}
	}, want: StatusFail, evidence: "not rotated"},
	{name: "repo secrets refused", check: "repo-actions-secrets", repo: func(r *RepoSnapshot) { r.Secrets = ActionsSecrets{Read: denied()} }, want: StatusUnknown},

	// Runner groups and Actions scope.
	{name: "runner groups closed", check: "org-runner-groups", want: StatusPass},
	{name: "runner group open to public", check: "org-runner-groups", org: func(o *OrgSnapshot) {
		o.RunnerGroups.Groups = append(o.RunnerGroups.Groups, RunnerGroup{ID: 4, Name: "gpu", Visibility: "all", AllowsPublicRepositories: true})
	}, want: StatusFail, evidence: `"gpu" (id 4`},
	{name: "runner groups refused", check: "org-runner-groups", org: func(o *OrgSnapshot) { o.RunnerGroups = RunnerGroups{Read: denied()} }, want: StatusUnknown},
	{name: "actions for all, recommended", check: "org-actions-repositories", want: StatusWarn, evidence: "require_selected_actions_repositories"},
	{name: "actions for all, required selected", check: "org-actions-repositories", policy: func(p *Policy) { p.RequireSelectedActionsRepositories = true }, want: StatusFail},
	{name: "actions for selected", check: "org-actions-repositories", org: func(o *OrgSnapshot) { o.Actions.EnabledRepositories = "selected" }, want: StatusPass},
	{name: "actions scope refused", check: "org-actions-repositories", org: func(o *OrgSnapshot) { o.Actions = ActionsPermissions{Read: denied()} }, want: StatusUnknown},

	// Single sign-on.
	{name: "saml set up", check: "org-saml-sso", want: StatusPass, evidence: "4 credential authorizations"},
	{name: "saml missing on enterprise", check: "org-saml-sso", org: func(o *OrgSnapshot) { o.SAML = SAMLSSO{Read: ok(), Configured: bp(false)} }, want: StatusFail},
	{name: "saml on team plan", check: "org-saml-sso", org: func(o *OrgSnapshot) {
		o.SAML = SAMLSSO{Read: ok(), Configured: bp(false)}
		o.Settings.Plan = "team"
	}, want: StatusUnknown, evidence: "needs GitHub Enterprise Cloud; this organisation's plan is team"},
	{name: "saml on server", check: "org-saml-sso", org: func(o *OrgSnapshot) { o.Settings.Server = true }, want: StatusUnknown, evidence: "Enterprise Server"},
	{name: "saml refused", check: "org-saml-sso", org: func(o *OrgSnapshot) { o.SAML = SAMLSSO{Read: denied()} }, want: StatusUnknown},

	// Dormant privileged accounts.
	{name: "admins active", check: "org-dormant-admins", want: StatusPass},
	{name: "owner dormant", check: "org-dormant-admins", org: func(o *OrgSnapshot) {
		o.Activity.Accounts[1].LastEvent = testNow.AddDate(0, 0, -120)
	}, want: StatusFail, evidence: "bob (owner, admin of acme/api; last event"},
	{name: "admin never seen", check: "org-dormant-admins", org: func(o *OrgSnapshot) {
		o.Activity.Accounts = append(o.Activity.Accounts, AccountSeen{Login: "carol", Roles: []string{"admin of acme/web"}, Read: ok()})
	}, want: StatusFail, evidence: "carol (admin of acme/web; no event in 180 days)"},
	{name: "audit log not on plan", check: "org-dormant-admins", org: func(o *OrgSnapshot) {
		o.Activity = AccountActivity{Read: Read{State: ReadDenied, Detail: "GET /orgs/acme/audit-log: HTTP 404 (the audit log API needs GitHub Enterprise Cloud; plan: team)"}}
	}, want: StatusUnknown, evidence: "GitHub Enterprise Cloud"},
	{name: "window shorter than policy", check: "org-dormant-admins", policy: func(p *Policy) { p.MaxInactive = 365 * 24 * time.Hour }, want: StatusUnknown, evidence: "fewer than max_inactive_days"},
	{name: "one account unreadable", check: "org-dormant-admins", org: func(o *OrgSnapshot) {
		o.Activity.Accounts[0].Read = Read{State: ReadFailed, Detail: "HTTP 502"}
	}, want: StatusUnknown},

	// Forking.
	{name: "forking off", check: "org-private-forking", want: StatusPass},
	{name: "forking on, a private repo allows", check: "org-private-forking", org: func(o *OrgSnapshot) { o.Settings.MembersCanForkPrivateRepos = bp(true) },
		repo: func(r *RepoSnapshot) { r.Private, r.AllowForking = true, bp(true) }, want: StatusFail, evidence: "api"},
	{name: "forking on, no repo allows", check: "org-private-forking", org: func(o *OrgSnapshot) { o.Settings.MembersCanForkPrivateRepos = bp(true) },
		repo: func(r *RepoSnapshot) { r.Private = true }, want: StatusWarn},
	{name: "forking hidden", check: "org-private-forking", org: func(o *OrgSnapshot) { o.Settings.MembersCanForkPrivateRepos = nil }, want: StatusUnknown},

	// Ownerless and stale.
	{name: "has admin", check: "repo-ownerless", want: StatusPass, evidence: "alice"},
	{name: "ownerless", check: "repo-ownerless", repo: func(r *RepoSnapshot) {
		r.Collaborators.Users = []Collaborator{{Login: "dev", Permission: "write"}}
		r.Teams.Teams = nil
	}, want: StatusFail, evidence: "no user or team"},
	{name: "team admin", check: "repo-ownerless", repo: func(r *RepoSnapshot) {
		r.Collaborators.Users = nil
		r.Teams.Teams = []TeamAccess{{Slug: "core", Permission: "admin"}}
	}, want: StatusPass, evidence: "team core"},
	{name: "ownerless teams hidden", check: "repo-ownerless", repo: func(r *RepoSnapshot) { r.Teams = Teams{Read: denied()} }, want: StatusUnknown},
	{name: "personal repository owned", check: "repo-ownerless", repo: func(r *RepoSnapshot) { r.OwnerIsOrg = false; r.Collaborators = Collaborators{Read: denied()} }, want: StatusPass},
	{name: "recent push", check: "repo-stale", want: StatusPass},
	{name: "stale", check: "repo-stale", repo: func(r *RepoSnapshot) { r.PushedAt = testNow.AddDate(-2, 0, 0) }, want: StatusFail, evidence: "no push for 731 days"},
	{name: "stale but archived", check: "repo-stale", repo: func(r *RepoSnapshot) { r.PushedAt = testNow.AddDate(-2, 0, 0); r.Archived = true }, want: StatusPass},
	{name: "push time unknown", check: "repo-stale", repo: func(r *RepoSnapshot) { r.PushedAt = time.Time{} }, want: StatusUnknown},

	// Vulnerability intake.
	{name: "security policy", check: "repo-security-policy", want: StatusPass, evidence: ".github/SECURITY.md"},
	{name: "security policy inherited", check: "repo-security-policy", repo: func(r *RepoSnapshot) {
		r.SecurityPolicy = SecurityPolicy{Read: ok(), InheritedRead: ok(), Inherited: "acme/.github:SECURITY.md"}
	}, want: StatusPass, evidence: "acme/.github"},
	{name: "no security policy", check: "repo-security-policy", repo: func(r *RepoSnapshot) { r.SecurityPolicy = SecurityPolicy{Read: ok(), InheritedRead: ok()} }, want: StatusFail},
	{name: "security policy unreadable", check: "repo-security-policy", repo: func(r *RepoSnapshot) { r.SecurityPolicy = SecurityPolicy{Read: denied()} }, want: StatusUnknown},
	{name: "org .github unreadable", check: "repo-security-policy", repo: func(r *RepoSnapshot) {
		r.SecurityPolicy = SecurityPolicy{Read: ok(), InheritedRead: Read{State: ReadFailed, Detail: "HTTP 500"}}
	}, want: StatusUnknown},
	{name: "pvr on", check: "repo-private-vulnerability-reporting", want: StatusPass},
	{name: "pvr off", check: "repo-private-vulnerability-reporting", repo: func(r *RepoSnapshot) { r.PrivateVulnerabilityReporting.Enabled = false }, want: StatusFail},
	{name: "pvr private repo", check: "repo-private-vulnerability-reporting", repo: func(r *RepoSnapshot) {
		r.Private = true
		r.PrivateVulnerabilityReporting = Toggle{Read: denied()}
	}, want: StatusPass, evidence: "private repository"},
	{name: "pvr hidden", check: "repo-private-vulnerability-reporting", repo: func(r *RepoSnapshot) { r.PrivateVulnerabilityReporting = Toggle{Read: denied()} }, want: StatusUnknown},
	{name: "security updates on", check: "repo-dependabot-security-updates", want: StatusPass},
	{name: "security updates off", check: "repo-dependabot-security-updates", repo: func(r *RepoSnapshot) { r.DependabotSecurityUpdates.Enabled = false }, want: StatusFail},
	{name: "security updates paused", check: "repo-dependabot-security-updates", repo: func(r *RepoSnapshot) { r.DependabotSecurityUpdates.Paused = true }, want: StatusFail, evidence: "paused"},
	{name: "security updates hidden", check: "repo-dependabot-security-updates", repo: func(r *RepoSnapshot) { r.DependabotSecurityUpdates = SecurityUpdates{Read: denied()} }, want: StatusUnknown},
	{name: "code scanning recent", check: "repo-code-scanning", want: StatusPass, evidence: "CodeQL"},
	{name: "no analyses", check: "repo-code-scanning", repo: func(r *RepoSnapshot) { r.CodeScanning = CodeScanning{Read: ok()} }, want: StatusFail, evidence: "no code scanning analysis of main"},
	{name: "code scanning unavailable", check: "repo-code-scanning", repo: func(r *RepoSnapshot) {
		r.CodeScanning = CodeScanning{Read: Read{State: ReadOK, Detail: "Advanced Security must be enabled for this repository to use code scanning."}, Unavailable: true}
	}, want: StatusFail, evidence: "Advanced Security"},
	{name: "code scanning stopped", check: "repo-code-scanning", repo: func(r *RepoSnapshot) { r.CodeScanning.LastCreated = testNow.AddDate(0, -6, 0) }, want: StatusWarn},
	{name: "code scanning hidden", check: "repo-code-scanning", repo: func(r *RepoSnapshot) { r.CodeScanning = CodeScanning{Read: denied()} }, want: StatusUnknown},

	// Dismissal restrictions.
	{name: "dismissal restricted", check: "branch-dismissal-restrictions", want: StatusPass, evidence: "team maintainers"},
	{name: "dismissal open", check: "branch-dismissal-restrictions", repo: func(r *RepoSnapshot) {
		r.Branch.Classic.RequiredReviews.DismissalRestricted = false
	}, want: StatusFail, evidence: "anyone with write access"},
	{name: "dismissal admins only", check: "branch-dismissal-restrictions", repo: func(r *RepoSnapshot) {
		r.Branch.Classic.RequiredReviews.DismissalAllowed = nil
	}, want: StatusPass, evidence: "only administrators"},
	{name: "reviews from ruleset only", check: "branch-dismissal-restrictions", repo: func(r *RepoSnapshot) {
		noClassic(r)
		r.Branch.Rules.Rules = append(r.Branch.Rules.Rules, rule("pull_request", PullRequestParams{RequiredApprovingReviewCount: 1}))
	}, want: StatusWarn, evidence: "rulesets cannot restrict"},
	{name: "no reviews at all", check: "branch-dismissal-restrictions", repo: noClassic, want: StatusPass, evidence: "nothing to dismiss"},
	{name: "dismissal hidden", check: "branch-dismissal-restrictions", repo: func(r *RepoSnapshot) { r.Branch.Classic = ClassicProtection{Read: denied()} }, want: StatusUnknown},

	// Release branches.
	{name: "release branch like main", check: "branch-release-protection", want: StatusPass, evidence: "release/1.x"},
	{name: "release branch unprotected", check: "branch-release-protection", repo: func(r *RepoSnapshot) {
		r.ReleaseBranches[0].Classic = ClassicProtection{Read: ok()}
	}, want: StatusFail, evidence: "release/1.x lacks protection, blocking force pushes, blocking deletion, required approving reviews"},
	{name: "release branch covered by ruleset", check: "branch-release-protection", repo: func(r *RepoSnapshot) {
		r.ReleaseBranches[0].Classic = ClassicProtection{Read: ok()}
		r.ReleaseBranches[0].Rules.Rules = []ActiveRule{rule("deletion", nil), rule("non_fast_forward", nil),
			rule("pull_request", PullRequestParams{RequiredApprovingReviewCount: 1})}
	}, want: StatusPass},
	{name: "no release branches", check: "branch-release-protection", repo: func(r *RepoSnapshot) {
		r.Branches.Branches = []BranchInfo{{Name: "main"}}
	}, want: StatusPass, evidence: "no branch matches"},
	{name: "release branch not collected", check: "branch-release-protection", repo: func(r *RepoSnapshot) { r.ReleaseBranches = nil }, want: StatusUnknown},
	{name: "release branch protection hidden", check: "branch-release-protection", repo: func(r *RepoSnapshot) {
		r.ReleaseBranches[0].Classic = ClassicProtection{Read: denied()}
		r.ReleaseBranches[0].Rules = ActiveRules{Read: denied()}
	}, want: StatusUnknown},
	{name: "branch list refused", check: "branch-release-protection", repo: func(r *RepoSnapshot) { r.Branches = BranchList{Read: denied()} }, want: StatusUnknown},

	// Release tags.
	{name: "tags protected", check: "repo-tag-protection", want: StatusPass, evidence: `"release tags"`},
	{name: "tags unprotected", check: "repo-tag-protection", repo: func(r *RepoSnapshot) {
		r.Branch.Rulesets.Rulesets = r.Branch.Rulesets.Rulesets[:1]
	}, want: StatusFail, evidence: "v1.0.0 can be deleted or moved"},
	{name: "tag ruleset only deletion", check: "repo-tag-protection", repo: func(r *RepoSnapshot) {
		r.Branch.Rulesets.Rulesets[1].Rules = []RulesetRule{{Type: "deletion"}}
	}, want: StatusFail, evidence: "can be moved"},
	{name: "tag ruleset evaluating", check: "repo-tag-protection", repo: func(r *RepoSnapshot) {
		r.Branch.Rulesets.Rulesets[1].Enforcement = "evaluate"
	}, want: StatusFail, evidence: "evaluate mode"},
	{name: "no release tags", check: "repo-tag-protection", repo: func(r *RepoSnapshot) { r.Tags.Names = []string{"nightly"} }, want: StatusPass},
	{name: "tag ruleset hidden", check: "repo-tag-protection", repo: func(r *RepoSnapshot) { r.Branch.Rulesets.Rulesets[1].Detailed = false }, want: StatusUnknown},
	{name: "tags refused", check: "repo-tag-protection", repo: func(r *RepoSnapshot) { r.Tags = TagList{Read: denied()} }, want: StatusUnknown},

	// Self-hosted runners.
	{name: "github-hosted", check: "workflow-self-hosted-runners", want: StatusPass},
	{name: "public on self-hosted", check: "workflow-self-hosted-runners", repo: withWorkflow("on: pull_request\npermissions: {}\njobs:\n  build:\n    runs-on: [self-hosted, linux]\n    steps:\n      - run: make\n"),
		want: StatusFail, evidence: "w.yml:5: job build runs on self-hosted (self-hosted, linux)"},
	{name: "labels map form", check: "workflow-self-hosted-runners", repo: withWorkflow("on: push\njobs:\n  build:\n    runs-on:\n      group: ci\n      labels: [Self-Hosted]\n    steps:\n      - run: make\n"),
		want: StatusFail},
	{name: "private on self-hosted", check: "workflow-self-hosted-runners", repo: func(r *RepoSnapshot) {
		withWorkflow("on: push\njobs:\n  build:\n    runs-on: self-hosted\n")(r)
		r.Private = true
	}, want: StatusPass},
	{name: "self-hosted unreadable", check: "workflow-self-hosted-runners", repo: func(r *RepoSnapshot) { r.Workflows = Workflows{Read: denied()} }, want: StatusUnknown},

	// Top-level permissions.
	{name: "top level read", check: "workflow-top-level-permissions", want: StatusPass, evidence: "read-only"},
	{name: "top level contents write", check: "workflow-top-level-permissions", repo: withWorkflow("on: push\npermissions:\n  contents: write\n  packages: write\n  id-token: read\njobs:\n  j:\n    steps:\n      - run: true\n"),
		want: StatusFail, evidence: "w.yml:3: top-level permissions grant contents: write, packages: write to every job"},
	{name: "top level write-all", check: "workflow-top-level-permissions", repo: withWorkflow("on: push\npermissions: write-all\njobs:\n  j:\n    steps:\n      - run: true\n"),
		want: StatusFail, evidence: "write-all"},
	{name: "no top level block, write default", check: "workflow-top-level-permissions", repo: func(r *RepoSnapshot) {
		withWorkflow("on: push\njobs:\n  j:\n    permissions:\n      contents: write\n    steps:\n      - run: true\n")(r)
		r.WorkflowPermissions.Default = "write"
	}, want: StatusFail, evidence: "default token can write"},
	{name: "no top level block, read default", check: "workflow-top-level-permissions", repo: withWorkflow("on: push\njobs:\n  j:\n    steps:\n      - run: true\n"),
		want: StatusPass, evidence: "default token is read-only"},
	{name: "no top level block, default hidden", check: "workflow-top-level-permissions", repo: func(r *RepoSnapshot) {
		withWorkflow("on: push\njobs:\n  j:\n    steps:\n      - run: true\n")(r)
		r.WorkflowPermissions = WorkflowPermissions{Read: denied()}
	}, org: func(o *OrgSnapshot) { o.WorkflowPermissions.Default = "write" }, want: StatusUnknown},

	// Workflows on other branches, and toJSON(github.event).
	{name: "tojson event", check: "workflow-script-injection", repo: withWorkflow("on: issue_comment\njobs:\n  j:\n    steps:\n      - run: echo '${{ toJSON(github.event) }}' > event.json\n"),
		want: StatusFail, evidence: "toJSON(github.event)"},
	{name: "tojson whole github context", check: "workflow-script-injection", repo: withWorkflow("on: issues\njobs:\n  j:\n    steps:\n      - run: echo '${{ toJson(github) }}'\n"),
		want: StatusFail, evidence: "toJson(github)"},
	{name: "tojson in env is fine", check: "workflow-script-injection", repo: withWorkflow("on: issues\njobs:\n  j:\n    steps:\n      - env:\n          EVENT: ${{ toJSON(github.event) }}\n        run: echo \"$EVENT\"\n"),
		want: StatusPass},
	{name: "vulnerable workflow on an old branch", check: "workflow-untrusted-checkout", repo: func(r *RepoSnapshot) {
		r.BranchWorkflows.Files = []BranchWorkflowFile{{WorkflowFile: WorkflowFile{Path: ".github/workflows/pr.yml", Read: ok(), SHA: "abc", Content: pwnRequest},
			Branches: []string{"release/0.9", "old"}}}
	}, want: StatusFail, evidence: ".github/workflows/pr.yml:8 on branch release/0.9, old: job build checks out"},
	{name: "push-only workflow on an old branch is not judged", check: "workflow-untrusted-checkout", repo: func(r *RepoSnapshot) {
		r.BranchWorkflows.Files = []BranchWorkflowFile{{WorkflowFile: WorkflowFile{Path: ".github/workflows/pr.yml", Read: ok(),
			Content: strings.Replace(pwnRequest, "on: pull_request_target", "on: push", 1)}, Branches: []string{"old"}}}
	}, want: StatusPass, evidence: "2 other branches"},
	{name: "injection on an old branch", check: "workflow-script-injection", repo: func(r *RepoSnapshot) {
		r.BranchWorkflows.Files = []BranchWorkflowFile{{WorkflowFile: WorkflowFile{Path: ".github/workflows/pr.yml", Read: ok(), Content: pwnRequest},
			Branches: []string{"old"}}}
	}, want: StatusFail, evidence: "on branch old: job build interpolates ${{ github.event.pull_request.title }}"},
	{name: "other branches unreadable", check: "workflow-untrusted-checkout", repo: func(r *RepoSnapshot) {
		r.BranchWorkflows = BranchWorkflows{Read: ok(), Branches: 3, Unread: []string{"wip"}}
	}, want: StatusUnknown, evidence: "wip"},
	{name: "branch listing refused", check: "workflow-script-injection", repo: func(r *RepoSnapshot) { r.BranchWorkflows = BranchWorkflows{Read: denied()} }, want: StatusUnknown},
}

const pwnRequest = `on: pull_request_target
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}"
`

func TestCloudKeyNames(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, want string
	}{
		{"AWS_ACCESS_KEY_ID", "AWS access key"},
		{"AWS_SECRET_ACCESS_KEY", "AWS access key"},
		{"PROD_AWS_SECRET", "AWS access key"},
		{"prod-aws-secret-key", "AWS access key"},
		{"DEPLOY_AWS_ACCESS_KEY", "AWS access key"},
		{"MY_AWS_KEY", "AWS access key"},
		{"AWS_KEY_ID", "AWS access key"},
		{"GCP_SA_KEY", "Google Cloud service-account key"},
		{"GOOGLE_APPLICATION_CREDENTIALS", "Google Cloud service-account key"},
		{"GCLOUD_SERVICE_KEY", "Google Cloud service-account key"},
		{"AZURE_CREDENTIALS", "Azure client secret"},
		{"ARM_CLIENT_SECRET", "Azure client secret"},
		// Near misses: identifiers, not keys.
		{"AWS_REGION", ""},
		{"AWS_ROLE_ARN", ""},
		{"AWS_ACCOUNT_ID", ""},
		{"AWS_SESSION_NAME", ""},
		{"AWS_SECRETS_MANAGER_ARN", ""},
		{"GCP_PROJECT_ID", ""},
		{"GOOGLE_API_KEY", ""},
		{"AZURE_CLIENT_ID", ""},
		{"AZURE_TENANT_ID", ""},
		{"NPM_TOKEN", ""},
		{"LAWS_SECRET", ""},
	}
	for _, c := range cases {
		got := ""
		if k := cloudKeyOf(c.name); k != nil {
			got = k.provider
		}
		if got != c.want {
			t.Errorf("cloudKeyOf(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestNewSnapshotSectionsRoundTrip keeps the new sections serialisable:
// --snapshot-out then --from-snapshot judges the same.
func TestNewSnapshotSectionsRoundTrip(t *testing.T) {
	t.Parallel()
	snap := &Snapshot{Version: SnapshotVersion, Org: goodOrg(), Repos: []*RepoSnapshot{goodRepo()}}
	back := cloneSnapshot(snap)
	a := Evaluate(snap, DefaultPolicy(), testNow)
	b := Evaluate(back, DefaultPolicy(), testNow)
	for i := range a.Targets {
		for j := range a.Targets[i].Results {
			ra, rb := a.Targets[i].Results[j], b.Targets[i].Results[j]
			if ra.Status != rb.Status || ra.Evidence != rb.Evidence {
				t.Errorf("%s: %s %q became %s %q", ra.Check, ra.Status, ra.Evidence, rb.Status, rb.Evidence)
			}
		}
	}
	if a.Summary.Fail != 0 || a.Summary.Unknown != 0 {
		for _, tr := range a.Targets {
			for _, r := range tr.Results {
				if r.Status == StatusFail || r.Status == StatusUnknown {
					t.Errorf("good fixtures: %s is %s: %s", r.Check, r.Status, r.Evidence)
				}
			}
		}
	}
}

// TestEveryCheckInTheREADME keeps the README's check table true: every
// check has a row with its scope, severity and title.
func TestEveryCheckInTheREADME(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Skipf("no README: %v", err)
	}
	readme := string(b)
	for _, c := range Checks() {
		row := fmt.Sprintf("| `%s` | %s | %s | %s |", c.ID, c.Scope, c.Severity, c.Title)
		if !strings.Contains(readme, row) {
			t.Errorf("README lacks the row %s", row)
		}
	}
}
