// Package ghfake is an in-memory fake of the GitHub REST API endpoints the
// audit reads, for tests, benchmarks and documentation runs. It answers with
// JSON shaped like GitHub's documented responses, pages every list with Link
// headers, answers conditional requests with 304, hides what a non-admin
// token may not see the way GitHub does (plain 404s, omitted fields), and
// can inject primary and secondary rate-limit answers. It is not a general
// GitHub emulator.
package ghfake

import (
	"encoding/json"
	"fmt"
	"time"
)

// Org is a fake organisation.
type Org struct {
	Login string
	// ViewerIsOwner: when false, owner-only fields are omitted and
	// owner-only endpoints refuse, as GitHub does.
	ViewerIsOwner bool

	TwoFactorRequired           bool
	DefaultRepoPermission       string
	MembersCanCreatePublicRepos bool
	SecretScanningForNewRepos   bool
	PushProtectionForNewRepos   bool
	DependabotAlertsForNewRepos bool

	Members              []string
	Owners               []string
	MembersWithout2FA    []string
	OutsideCollaborators []string
	OutsideWithout2FA    []string

	AllowedActions      string // all, local_only, selected
	EnabledRepositories string // all, none, selected
	WorkflowDefault     string // read, write
	CanApprovePRs       bool

	Hooks    []Hook
	Rulesets []*Ruleset

	// Plan is the plan name GitHub shows owners (free, team, enterprise).
	Plan                       string
	MembersCanForkPrivateRepos bool
	// LegacySecurityFields makes the organisation answer as GitHub
	// Enterprise Server before 3.15: GET /orgs/{org} carries the
	// *_enabled_for_new_repositories fields, and the code security
	// configurations endpoints answer 404.
	LegacySecurityFields bool
	// CodeSecurityConfigs are the organisation's configurations;
	// CodeSecurityDefaults maps default_for_new_repos (all, public,
	// private_and_internal) to a configuration ID.
	CodeSecurityConfigs  []*CodeSecurityConfig
	CodeSecurityDefaults map[string]int64
	// Secrets are the organisation's Actions secrets.
	Secrets      []Secret
	RunnerGroups []RunnerGroup
	// SAML: the organisation uses SAML single sign-on, and
	// credential-authorizations lists CredentialAuthorizations entries;
	// otherwise it answers 404.
	SAML                     bool
	CredentialAuthorizations int
	// AuditLog maps a login to its newest audit-log event. Nil means the
	// audit log API is not available (not Enterprise Cloud): 404.
	AuditLog map[string]AuditEvent
}

// CodeSecurityConfig is a code security configuration; feature values
// are enabled, disabled or not_set.
type CodeSecurityConfig struct {
	ID                            int64
	Name, Description, TargetType string
	SecretScanning                string
	PushProtection                string
	DependabotAlerts              string
	DependabotSecurityUpdates     string
	DependencyGraph               string
	PrivateVulnerabilityReporting string
}

// Secret is an Actions secret (a name and dates; the fake has no values).
type Secret struct {
	Name       string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Visibility string // organisation secrets: all, private, selected
}

// RunnerGroup is a self-hosted runner group.
type RunnerGroup struct {
	ID                       int64
	Name                     string
	Visibility               string
	Default                  bool
	AllowsPublicRepositories bool
}

// AuditEvent is one audit-log event.
type AuditEvent struct {
	At     time.Time
	Action string
}

// Analysis is a code scanning analysis.
type Analysis struct {
	Ref       string // refs/heads/main
	Tool      string
	CreatedAt time.Time
}

// Issue is a repository issue.
type Issue struct {
	Number int
	Title  string
	Body   string
	State  string // open, closed
	Labels []string
	// Comments are the bodies of comments posted to it.
	Comments []string
}

// Repo is a fake repository.
type Repo struct {
	Owner, Name   string
	OwnerIsOrg    bool
	Private       bool
	Archived      bool
	DefaultBranch string
	// ViewerPermission is the token's permission: admin, maintain, write,
	// read.
	ViewerPermission string

	SecretScanning   bool
	PushProtection   bool
	DependabotAlerts bool

	// Protection is classic protection of the default branch; nil means
	// "Branch not protected".
	Protection *Protection
	// Rulesets are the repository's own rulesets.
	Rulesets []*Ruleset
	// BranchRules, if set, is served as the rules-for-a-branch response
	// verbatim; otherwise it is derived from the active rulesets.
	BranchRules []json.RawMessage

	Collaborators []Collaborator
	Teams         []Team
	DeployKeys    []DeployKey
	Hooks         []Hook

	WorkflowDefault string
	CanApprovePRs   bool

	// Files maps repository paths to contents (workflows, CODEOWNERS).
	Files map[string]string
	// CodeownersErrors counts syntax errors reported for CODEOWNERS.
	CodeownersErrors int

	Environments []Environment

	// Raw overrides a response body by path suffix after the repository,
	// e.g. "branches/main/protection": recorded JSON served verbatim.
	Raw map[string]string

	AllowForking bool
	PushedAt     time.Time
	// Secrets are repository secrets; EnvSecrets environment secrets by
	// environment name.
	Secrets    []Secret
	EnvSecrets map[string][]Secret
	// Branches are the branches besides the default one. BranchFiles
	// gives a branch its own files; a branch without an entry has the
	// default branch's. BranchProtection is classic protection of other
	// branches (nil: not protected).
	Branches         []string
	BranchFiles      map[string]map[string]string
	BranchProtection map[string]*Protection
	Tags             []string

	PrivateVulnerabilityReporting bool
	SecurityUpdates               bool
	SecurityUpdatesPaused         bool
	// CodeScanning lists analyses, newest first. CodeScanningUnavailable
	// answers as a private repository without GitHub Code Security.
	CodeScanning            []Analysis
	CodeScanningUnavailable bool

	Labels []string
	Issues []*Issue
}

// FullName returns "owner/name".
func (r *Repo) FullName() string { return r.Owner + "/" + r.Name }

// Protection is classic branch protection.
type Protection struct {
	Approvals            int
	DismissStale         bool
	CodeOwners           bool
	LastPushApproval     bool
	RequirePR            bool
	EnforceAdmins        bool
	AllowForcePushes     bool
	AllowDeletions       bool
	StatusChecks         []string
	Strict               bool
	LinearHistory        bool
	Signatures           bool
	ConversationResolved bool
	RestrictUsers        []string
	RestrictTeams        []string
	BypassUsers          []string
	// RestrictDismissals limits who may dismiss reviews to DismissalUsers
	// and DismissalTeams (administrators only when both are empty).
	RestrictDismissals bool
	DismissalUsers     []string
	DismissalTeams     []string
}

// Ruleset is a repository or organisation ruleset.
type Ruleset struct {
	ID          int64
	Name        string
	Target      string // branch
	Enforcement string // active, evaluate, disabled
	// SourceType/Source are filled in by the server.
	SourceType, Source string
	BypassActors       []BypassActor
	Include, Exclude   []string // ref_name conditions
	// Repos limits an organisation ruleset to these repository names
	// (repository_name condition); empty means all.
	Repos []string
	Rules []Rule
}

// BypassActor may bypass a ruleset.
type BypassActor struct {
	ActorID    int64
	ActorType  string // OrganizationAdmin, RepositoryRole, Team, Integration, DeployKey
	BypassMode string // always, pull_request
}

// Rule is one ruleset rule; Parameters is marshalled as JSON.
type Rule struct {
	Type       string
	Parameters any
}

// Collaborator is a user with access to a repository.
type Collaborator struct {
	Login      string
	Permission string // admin, maintain, write, triage, read
	Outside    bool
}

// Team is a team with access to a repository.
type Team struct {
	Slug       string
	Permission string // admin, maintain, push, triage, pull
}

// DeployKey is a deploy key.
type DeployKey struct {
	ID        int64
	Title     string
	ReadOnly  bool
	CreatedAt time.Time
}

// Hook is a webhook.
type Hook struct {
	ID          int64
	URL         string
	Secret      bool
	InsecureSSL bool
	Active      bool
}

// Environment is a deployment environment.
type Environment struct {
	Name      string
	Reviewers int
	// BranchPolicy is "", "protected" or "custom".
	BranchPolicy string
}

// GenerateOrg builds an organisation of n repositories with varied,
// deterministic settings: some protected by classic rules, some by
// rulesets, some with workflows, some archived.
func GenerateOrg(login string, n int) (*Org, []*Repo) {
	recent := time.Date(2025, 5, 20, 9, 0, 0, 0, time.UTC)
	org := &Org{
		Login: login, ViewerIsOwner: true, TwoFactorRequired: true, DefaultRepoPermission: "read", Plan: "enterprise",
		Members: []string{"alice", "bob", "carol"}, Owners: []string{"alice", "bob"},
		OutsideCollaborators: []string{"vendor-dev"}, AllowedActions: "selected", EnabledRepositories: "all",
		WorkflowDefault: "read",
		Hooks:           []Hook{{ID: 1, URL: "https://hooks.example.com/github", Secret: true, Active: true}},
		Rulesets: []*Ruleset{{
			ID: 9000, Name: "org-default-branch", Target: "branch", Enforcement: "active",
			Include: []string{"~DEFAULT_BRANCH"},
			Rules:   []Rule{{Type: "deletion"}, {Type: "non_fast_forward"}},
		}},
		CodeSecurityConfigs: []*CodeSecurityConfig{{ID: 17, Name: "GitHub recommended", TargetType: "global", SecretScanning: "enabled",
			PushProtection: "enabled", DependabotAlerts: "enabled", DependabotSecurityUpdates: "enabled", DependencyGraph: "enabled",
			PrivateVulnerabilityReporting: "enabled"}},
		CodeSecurityDefaults:     map[string]int64{"all": 17},
		Secrets:                  []Secret{{Name: "NPM_TOKEN", Visibility: "private", CreatedAt: recent, UpdatedAt: recent}},
		RunnerGroups:             []RunnerGroup{{ID: 1, Name: "Default", Visibility: "all", Default: true}},
		SAML:                     true,
		CredentialAuthorizations: 3,
		AuditLog:                 map[string]AuditEvent{"alice": {At: recent, Action: "repo.create"}, "bob": {At: recent, Action: "git.push"}},
	}
	repos := make([]*Repo, 0, n)
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range n {
		r := &Repo{
			Owner: login, Name: fmt.Sprintf("svc-%04d", i), OwnerIsOrg: true, Private: i%3 != 0,
			DefaultBranch: "main", ViewerPermission: "admin",
			SecretScanning: i%2 == 0, PushProtection: i%4 == 0, DependabotAlerts: i%5 != 0,
			WorkflowDefault: "read",
			Collaborators: []Collaborator{
				{Login: "alice", Permission: "admin"},
				{Login: "dev" + fmt.Sprint(i%7), Permission: "write"},
			},
			Teams:      []Team{{Slug: "platform", Permission: "maintain"}},
			DeployKeys: []DeployKey{{ID: int64(i + 1), Title: "ci", ReadOnly: i%6 != 0, CreatedAt: created}},
			Files:      map[string]string{"CODEOWNERS": "* @" + login + "/platform\n"},
			PushedAt:   recent, SecurityUpdates: i%5 != 0 && i%3 != 2, PrivateVulnerabilityReporting: i%2 == 0,
		}
		if i%13 == 12 {
			r.PushedAt = created.AddDate(-1, 0, 0)
		}
		if i%3 == 0 {
			r.Files["SECURITY.md"] = "Report vulnerabilities privately: https://github.com/" + login + "/" + r.Name + "/security/advisories/new\n"
		}
		if i%4 == 0 {
			r.CodeScanning = []Analysis{{Ref: "refs/heads/main", Tool: "CodeQL", CreatedAt: recent}}
		}
		if i%7 == 3 {
			r.Secrets = []Secret{{Name: "AWS_ACCESS_KEY_ID", CreatedAt: created, UpdatedAt: created}, {Name: "AWS_SECRET_ACCESS_KEY", CreatedAt: created, UpdatedAt: created}}
		}
		if i%6 == 0 {
			r.Tags = []string{"v1.0.0", "v1.1.0"}
		}
		if i%10 == 0 {
			r.Archived = true
		}
		if i%4 != 3 {
			r.Protection = &Protection{RequirePR: true, Approvals: 1 + i%2, DismissStale: i%3 == 0, EnforceAdmins: i%2 == 0,
				StatusChecks: []string{"ci"}, Strict: true, CodeOwners: i%5 == 0}
		}
		if i%8 == 1 {
			r.Rulesets = []*Ruleset{{ID: int64(100000 + i), Name: "main", Target: "branch", Enforcement: "active",
				Include: []string{"~DEFAULT_BRANCH"}, BypassActors: []BypassActor{{ActorID: 5, ActorType: "RepositoryRole", BypassMode: "always"}},
				Rules: []Rule{{Type: "pull_request", Parameters: map[string]any{"required_approving_review_count": 2,
					"dismiss_stale_reviews_on_push": true, "require_code_owner_review": false, "require_last_push_approval": true,
					"required_review_thread_resolution": true}}}}}
		}
		if i%3 == 0 {
			r.Files[".github/workflows/ci.yml"] = "on: [push, pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n"
		}
		if i%9 == 0 {
			r.Files[".github/workflows/release.yml"] = "on:\n  pull_request_target:\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - uses: someone/deploy@v1\n      - run: echo \"${{ github.event.pull_request.title }}\"\n"
		}
		if i%11 == 0 {
			r.Environments = []Environment{{Name: "production", Reviewers: i % 2, BranchPolicy: "protected"}}
		}
		repos = append(repos, r)
	}
	return org, repos
}
