// Package hardening judges GitHub organisation and repository settings. It
// owns the snapshot (plain, JSON-serialisable structs describing what a
// collector read from GitHub, and what it could not read), the checks (pure
// functions over a snapshot, identified by stable IDs), the policy with its
// waivers, and the results with their score. It does no I/O: collecting is
// hardening/ghcollect's job, writing is report's.
package hardening

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// SnapshotVersion is the version of the snapshot format this package writes
// and reads.
const SnapshotVersion = 1

// Snapshot is everything a collector read about one audit target: an
// organisation and some of its repositories, or a single repository.
type Snapshot struct {
	Version     int             `json:"version"`
	CollectedAt time.Time       `json:"collected_at"`
	APIURL      string          `json:"api_url,omitempty"`
	Org         *OrgSnapshot    `json:"org,omitempty"`
	Repos       []*RepoSnapshot `json:"repos"`
	// Shard records the --shard selection that produced Repos ("I/N"), if any.
	Shard string `json:"shard,omitempty"`
}

// ReadState says whether one piece of GitHub state could be read. The zero
// value means the collector did not try.
type ReadState string

// The read states.
const (
	NotCollected ReadState = ""
	ReadOK       ReadState = "ok"
	// ReadDenied: the token lacks the permission (403, a plain 404 on an
	// endpoint that needs admin, or a field GitHub leaves out without it).
	ReadDenied ReadState = "denied"
	// ReadFailed: a network or server error, or the rate limit ran out.
	ReadFailed ReadState = "error"
)

// Read records the outcome of reading one section. Every section of a
// snapshot embeds one, so "could not read" is explicit, never false or empty.
type Read struct {
	State  ReadState `json:"state,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// OK reports whether the section was read successfully.
func (r Read) OK() bool { return r.State == ReadOK }

// Why describes why the section is not known.
func (r Read) Why() string {
	switch r.State {
	case ReadOK:
		return "read"
	case ReadDenied:
		if r.Detail != "" {
			return "not visible to this token (" + r.Detail + ")"
		}
		return "not visible to this token"
	case ReadFailed:
		return "could not be read: " + r.Detail
	}
	return "not collected"
}

// OrgSnapshot is what was read about an organisation.
type OrgSnapshot struct {
	Login    string      `json:"login"`
	Settings OrgSettings `json:"settings"`
	// MembersWithout2FA lists members without two-factor authentication
	// (filter=2fa_disabled; owners only).
	MembersWithout2FA UserList `json:"members_without_2fa"`
	// OutsideWithout2FA lists outside collaborators without 2FA.
	OutsideWithout2FA UserList `json:"outside_without_2fa"`
	// Owners lists members with the admin (owner) role.
	Owners UserList `json:"owners"`
	// OutsideCollaborators lists every outside collaborator of the
	// organisation.
	OutsideCollaborators UserList            `json:"outside_collaborators"`
	Actions              ActionsPermissions  `json:"actions"`
	WorkflowPermissions  WorkflowPermissions `json:"workflow_permissions"`
	Webhooks             Webhooks            `json:"webhooks"`
	Rulesets             Rulesets            `json:"rulesets"`

	// CodeSecurity is the organisation's code security configurations:
	// the defaults for new repositories and every configuration listed.
	CodeSecurity CodeSecurityConfigs `json:"code_security"`
	// Secrets are the organisation's Actions secrets (names and dates).
	Secrets ActionsSecrets `json:"secrets"`
	// RunnerGroups are the organisation's self-hosted runner groups.
	RunnerGroups RunnerGroups `json:"runner_groups"`
	// SAML is what the credential-authorizations endpoint said about SAML
	// single sign-on.
	SAML SAMLSSO `json:"saml"`
	// Activity is the last audit-log event of each privileged account.
	Activity AccountActivity `json:"activity"`
}

// OrgSettings are the organisation's own settings. Pointer fields are nil
// when GitHub left them out (most are shown to owners only).
type OrgSettings struct {
	Read
	TwoFactorRequired           *bool  `json:"two_factor_required,omitempty"`
	DefaultRepoPermission       string `json:"default_repository_permission,omitempty"`
	MembersCanCreatePublicRepos *bool  `json:"members_can_create_public_repositories,omitempty"`
	// MembersCanForkPrivateRepos is members_can_fork_private_repositories.
	MembersCanForkPrivateRepos *bool `json:"members_can_fork_private_repositories,omitempty"`
	// Plan is the organisation's plan name (free, team, enterprise, …),
	// shown to owners only; empty when GitHub did not say.
	Plan string `json:"plan,omitempty"`
	// Server is true when the API root is not api.github.com: GitHub
	// Enterprise Server, where SAML is configured for the whole instance.
	Server bool `json:"server,omitempty"`
	// The *ForNewRepos fields are the legacy new-repository defaults that
	// GitHub removed from GET /orgs/{org} on 2026-04-21; older GitHub
	// Enterprise Server releases still return them.
	SecretScanningForNewRepos   *bool `json:"secret_scanning_for_new_repositories,omitempty"`
	PushProtectionForNewRepos   *bool `json:"push_protection_for_new_repositories,omitempty"`
	DependabotAlertsForNewRepos *bool `json:"dependabot_alerts_for_new_repositories,omitempty"`
}

// CodeSecurityConfigs are an organisation's code security configurations.
type CodeSecurityConfigs struct {
	// Read is the state of GET /orgs/{org}/code-security/configurations/defaults.
	Read
	// Defaults are the configurations applied to new repositories.
	Defaults []DefaultCodeSecurityConfig `json:"defaults,omitempty"`
	// All lists every configuration of the organisation (the list
	// endpoint), so a fix can find one rampart created earlier.
	All     []CodeSecurityConfig `json:"all,omitempty"`
	AllRead Read                 `json:"all_read"`
}

// DefaultCodeSecurityConfig is one default: which new repositories get
// which configuration.
type DefaultCodeSecurityConfig struct {
	// ForNewRepos is all, none, private_and_internal or public.
	ForNewRepos string             `json:"default_for_new_repos"`
	Config      CodeSecurityConfig `json:"configuration"`
}

// CodeSecurityConfig is one code security configuration. Each feature is
// enabled, disabled or not_set (empty when GitHub left it out).
type CodeSecurityConfig struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// TargetType is global (GitHub's recommended configuration),
	// organization or enterprise.
	TargetType                    string `json:"target_type,omitempty"`
	SecretScanning                string `json:"secret_scanning,omitempty"`
	PushProtection                string `json:"secret_scanning_push_protection,omitempty"`
	DependabotAlerts              string `json:"dependabot_alerts,omitempty"`
	DependabotSecurityUpdates     string `json:"dependabot_security_updates,omitempty"`
	DependencyGraph               string `json:"dependency_graph,omitempty"`
	PrivateVulnerabilityReporting string `json:"private_vulnerability_reporting,omitempty"`
	CodeScanningDefaultSetup      string `json:"code_scanning_default_setup,omitempty"`
	// Enforcement is enforced or unenforced.
	Enforcement string `json:"enforcement,omitempty"`
}

// ActionsSecrets lists Actions secrets: names and dates, never values
// (GitHub never returns them, and rampart never asks).
type ActionsSecrets struct {
	Read
	Secrets []ActionsSecret `json:"secrets,omitempty"`
}

// ActionsSecret is one Actions secret.
type ActionsSecret struct {
	Name string `json:"name"`
	// Environment names the deployment environment of an environment
	// secret; empty for repository and organisation secrets.
	Environment string    `json:"environment,omitempty"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
	// Visibility is all, private or selected (organisation secrets).
	Visibility string `json:"visibility,omitempty"`
}

// RunnerGroups lists self-hosted runner groups.
type RunnerGroups struct {
	Read
	Groups []RunnerGroup `json:"groups,omitempty"`
}

// RunnerGroup is one runner group.
type RunnerGroup struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Visibility is all, selected or private.
	Visibility               string `json:"visibility,omitempty"`
	AllowsPublicRepositories bool   `json:"allows_public_repositories"`
	Default                  bool   `json:"default,omitempty"`
}

// SAMLSSO records what GitHub said about the organisation's SAML single
// sign-on. Read is the state of GET /orgs/{org}/credential-authorizations,
// which answers only for organisations that use SAML SSO (GitHub
// Enterprise Cloud).
type SAMLSSO struct {
	Read
	// Configured is true when the endpoint answered (SAML SSO is set up),
	// false when an owner's token got a 404, nil when unknown.
	Configured *bool `json:"configured,omitempty"`
	// Credentials counts the credential authorizations listed.
	Credentials int `json:"credentials,omitempty"`
}

// AccountActivity is the most recent audit-log event of each privileged
// account (organisation owners and repository admins). The organisation
// audit log is a GitHub Enterprise Cloud feature.
type AccountActivity struct {
	Read
	// WindowDays is how far back the audit log was searched.
	WindowDays int `json:"window_days,omitempty"`
	// Since is the start of the searched window.
	Since    time.Time     `json:"since,omitzero"`
	Accounts []AccountSeen `json:"accounts,omitempty"`
}

// AccountSeen is one privileged account and its last audit-log event.
type AccountSeen struct {
	Login string `json:"login"`
	// Roles says why the account is privileged: "owner", "admin of acme/api", …
	Roles []string `json:"roles,omitempty"`
	// LastEvent is the time of the most recent event in the window; zero
	// when there was none. LastAction names it.
	LastEvent  time.Time `json:"last_event,omitzero"`
	LastAction string    `json:"last_action,omitempty"`
	Read
}

// SecurityPolicy records where a SECURITY.md was found: in the repository
// itself, or in its owner's public .github repository, which GitHub shows
// for every repository without its own.
type SecurityPolicy struct {
	Read
	// Path is the file found in the repository (SECURITY.md,
	// .github/SECURITY.md or docs/SECURITY.md); empty when there is none.
	Path string `json:"path,omitempty"`
	// Inherited names the owner's file ("acme/.github:SECURITY.md"); empty
	// when there is none. InheritedRead is the state of that lookup.
	Inherited     string `json:"inherited,omitempty"`
	InheritedRead Read   `json:"inherited_read"`
}

// UserList is a list of logins.
type UserList struct {
	Read
	Logins []string `json:"logins,omitempty"`
}

// ActionsPermissions is the Actions policy: which repositories may run
// Actions and which actions they may use.
type ActionsPermissions struct {
	Read
	// EnabledRepositories is all, none or selected.
	EnabledRepositories string `json:"enabled_repositories,omitempty"`
	// AllowedActions is all, local_only or selected.
	AllowedActions string `json:"allowed_actions,omitempty"`
}

// WorkflowPermissions is the default GITHUB_TOKEN permission and whether
// workflows may approve pull requests.
type WorkflowPermissions struct {
	Read
	// Default is "read" or "write".
	Default    string `json:"default_workflow_permissions,omitempty"`
	CanApprove *bool  `json:"can_approve_pull_request_reviews,omitempty"`
}

// Webhooks lists webhooks.
type Webhooks struct {
	Read
	Hooks []Webhook `json:"hooks,omitempty"`
}

// Webhook is one webhook. The URL is kept as host only: webhook URLs often
// carry credentials in their path or query.
type Webhook struct {
	ID          int64  `json:"id"`
	Host        string `json:"host,omitempty"`
	Active      bool   `json:"active"`
	HasSecret   bool   `json:"has_secret"`
	InsecureSSL bool   `json:"insecure_ssl"`
}

// RepoSnapshot is what was read about one repository.
type RepoSnapshot struct {
	FullName   string `json:"full_name"`
	Owner      string `json:"owner"`
	Name       string `json:"name"`
	OwnerIsOrg bool   `json:"owner_is_org,omitempty"`
	Private    bool   `json:"private,omitempty"`
	Visibility string `json:"visibility,omitempty"`
	Archived   bool   `json:"archived,omitempty"`
	Fork       bool   `json:"fork,omitempty"`
	// AllowForking is the repository's allow_forking flag; nil when GitHub
	// left it out.
	AllowForking *bool `json:"allow_forking,omitempty"`
	// PushedAt is when anything was last pushed to the repository.
	PushedAt time.Time `json:"pushed_at,omitzero"`
	// DefaultBranch is the branch the branch-* checks judge.
	DefaultBranch string `json:"default_branch"`
	// ViewerPermission is the token's own permission on the repository
	// (admin, maintain, write, triage, read), from permissions in the
	// repository object; empty if GitHub did not say.
	ViewerPermission string `json:"viewer_permission,omitempty"`
	// Error is set when the repository could not be collected at all.
	Error string `json:"error,omitempty"`

	Security             SecurityAnalysis    `json:"security"`
	DependabotAlerts     Toggle              `json:"dependabot_alerts"`
	Branch               BranchSnapshot      `json:"branch"`
	Collaborators        Collaborators       `json:"collaborators"`
	OutsideCollaborators Collaborators       `json:"outside_collaborators"`
	Teams                Teams               `json:"teams"`
	DeployKeys           DeployKeys          `json:"deploy_keys"`
	Webhooks             Webhooks            `json:"webhooks"`
	WorkflowPermissions  WorkflowPermissions `json:"workflow_permissions"`
	Workflows            Workflows           `json:"workflows"`
	CodeOwners           CodeOwners          `json:"codeowners"`
	Environments         Environments        `json:"environments"`

	// Secrets are the repository's and its environments' Actions secrets.
	Secrets ActionsSecrets `json:"secrets"`
	// Branches lists the repository's branches (names and the protected
	// flag), for release branches and workflows on every branch.
	Branches BranchList `json:"branches"`
	// ReleaseBranches is the protection of the branches that match the
	// release patterns the collector was given.
	ReleaseBranches []BranchSnapshot `json:"release_branches,omitempty"`
	// Tags lists the repository's tag names (the first page).
	Tags TagList `json:"tags"`
	// BranchWorkflows are workflow files on branches other than the
	// default one whose content differs from the default branch's.
	BranchWorkflows BranchWorkflows `json:"branch_workflows"`
	// SecurityPolicy is the repository's own SECURITY.md.
	SecurityPolicy SecurityPolicy `json:"security_policy"`
	// PrivateVulnerabilityReporting is whether outsiders can report
	// vulnerabilities privately.
	PrivateVulnerabilityReporting Toggle `json:"private_vulnerability_reporting"`
	// DependabotSecurityUpdates is automated-security-fixes.
	DependabotSecurityUpdates SecurityUpdates `json:"dependabot_security_updates"`
	// CodeScanning is the most recent code scanning analysis of the
	// default branch.
	CodeScanning CodeScanning `json:"code_scanning"`
	// AuditIssue is the open issue rampart opened earlier, when the
	// collector was asked to look (audit fix --open-issues).
	AuditIssue AuditIssue `json:"audit_issue"`
}

// BranchList lists a repository's branches.
type BranchList struct {
	Read
	Branches []BranchInfo `json:"branches,omitempty"`
	// Truncated is set when the list was cut at the collector's limit.
	Truncated bool `json:"truncated,omitempty"`
}

// BranchInfo is one branch from the branch list.
type BranchInfo struct {
	Name      string `json:"name"`
	Protected bool   `json:"protected,omitempty"`
}

// TagList lists tag names.
type TagList struct {
	Read
	Names []string `json:"names,omitempty"`
}

// BranchWorkflows holds workflow files found on other branches. Files with
// the same content as on the default branch are left out (the default
// branch's checks already judge them); identical files on several branches
// are kept once, with every branch named.
type BranchWorkflows struct {
	Read
	// Branches counts the branches read; Unread names those whose
	// workflows could not be read (or were beyond the collector's limit).
	Branches int                  `json:"branches,omitempty"`
	Unread   []string             `json:"unread,omitempty"`
	Files    []BranchWorkflowFile `json:"files,omitempty"`
}

// BranchWorkflowFile is a workflow file found on one or more non-default
// branches.
type BranchWorkflowFile struct {
	WorkflowFile
	Branches []string `json:"branches"`
}

// SecurityUpdates is the Dependabot security updates setting.
type SecurityUpdates struct {
	Read
	Enabled bool `json:"enabled"`
	Paused  bool `json:"paused,omitempty"`
}

// CodeScanning is the latest code scanning analysis on the default branch.
type CodeScanning struct {
	Read
	// Unavailable is set when GitHub said code scanning cannot run here
	// (private repository without GitHub Advanced Security / Code
	// Security); the message is in Read.Detail.
	Unavailable bool `json:"unavailable,omitempty"`
	// Analyses is true when at least one analysis exists for the branch.
	Analyses    bool      `json:"analyses"`
	LastTool    string    `json:"last_tool,omitempty"`
	LastCreated time.Time `json:"last_created,omitzero"`
}

// AuditIssue is the issue rampart keeps open in a repository, listing the
// checks that fail there.
type AuditIssue struct {
	Read
	// Number is 0 when there is no open rampart issue.
	Number int    `json:"number,omitempty"`
	Title  string `json:"title,omitempty"`
	Body   string `json:"body,omitempty"`
	// LabelExists says whether the rampart label exists in the repository.
	LabelExists bool `json:"label_exists,omitempty"`
}

// IsAdmin reports whether the token has admin rights on the repository.
func (r *RepoSnapshot) IsAdmin() bool { return r.ViewerPermission == "admin" }

// SecurityAnalysis is the repository's security_and_analysis block, which
// GitHub shows to administrators only. Nil fields were not shown.
type SecurityAnalysis struct {
	Read
	SecretScanning *bool `json:"secret_scanning,omitempty"`
	PushProtection *bool `json:"push_protection,omitempty"`
}

// Toggle is one on/off setting.
type Toggle struct {
	Read
	Enabled bool `json:"enabled"`
}

// BranchSnapshot is everything about the default branch's protection.
type BranchSnapshot struct {
	Name string `json:"name"`
	// Protected is the "protected" flag of GET /repos/{o}/{r}/branches/{b},
	// which needs no admin right; nil if not read.
	Protected *bool             `json:"protected,omitempty"`
	Classic   ClassicProtection `json:"classic"`
	// Rules are the active rules that apply to the branch, from every
	// ruleset at every level (rules-for-a-branch endpoint).
	Rules ActiveRules `json:"rules"`
	// Rulesets are the rulesets visible from the repository (its own and
	// its parents'), with their enforcement and bypass actors.
	Rulesets Rulesets `json:"rulesets"`
}

// ClassicProtection is classic branch protection. Read.State is ok and
// Enabled false when GitHub said "Branch not protected".
type ClassicProtection struct {
	Read
	Enabled                        bool               `json:"enabled"`
	RequiredReviews                *ReviewRequirement `json:"required_reviews,omitempty"`
	EnforceAdmins                  bool               `json:"enforce_admins"`
	AllowForcePushes               bool               `json:"allow_force_pushes"`
	AllowDeletions                 bool               `json:"allow_deletions"`
	RequiredStatusChecks           *StatusChecks      `json:"required_status_checks,omitempty"`
	RequireLinearHistory           bool               `json:"required_linear_history"`
	RequiredSignatures             bool               `json:"required_signatures"`
	RequiredConversationResolution bool               `json:"required_conversation_resolution"`
	Restrictions                   *PushRestrictions  `json:"restrictions,omitempty"`
	LockBranch                     bool               `json:"lock_branch,omitempty"`
}

// ReviewRequirement is a pull-request review requirement.
type ReviewRequirement struct {
	Approvals        int  `json:"approvals"`
	DismissStale     bool `json:"dismiss_stale"`
	CodeOwners       bool `json:"code_owners"`
	LastPushApproval bool `json:"last_push_approval"`
	// BypassAllowed lists who may merge without the reviews (classic
	// bypass_pull_request_allowances).
	BypassAllowed []string `json:"bypass_allowed,omitempty"`
	// DismissalRestricted is true when only DismissalAllowed may dismiss
	// reviews (classic dismissal_restrictions); otherwise anyone with write
	// access may.
	DismissalRestricted bool     `json:"dismissal_restricted,omitempty"`
	DismissalAllowed    []string `json:"dismissal_allowed,omitempty"`
}

// StatusChecks is a required-status-checks requirement.
type StatusChecks struct {
	Strict   bool     `json:"strict"`
	Contexts []string `json:"contexts,omitempty"`
}

// PushRestrictions names who may push (classic "restrict who can push").
type PushRestrictions struct {
	Users []string `json:"users,omitempty"`
	Teams []string `json:"teams,omitempty"`
	Apps  []string `json:"apps,omitempty"`
}

// ActiveRules are the rules that apply to a branch.
type ActiveRules struct {
	Read
	Rules []ActiveRule `json:"rules,omitempty"`
}

// ActiveRule is one rule from the rules-for-a-branch endpoint, with the
// ruleset it comes from. Parameters are kept raw so rule types this package
// does not know survive a snapshot round trip.
type ActiveRule struct {
	Type              string          `json:"type"`
	RulesetID         int64           `json:"ruleset_id,omitempty"`
	RulesetSource     string          `json:"ruleset_source,omitempty"`
	RulesetSourceType string          `json:"ruleset_source_type,omitempty"`
	Parameters        json.RawMessage `json:"parameters,omitempty"`
}

// Rulesets lists rulesets.
type Rulesets struct {
	Read
	Rulesets []Ruleset `json:"rulesets,omitempty"`
}

// Ruleset is one repository or organisation ruleset.
type Ruleset struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Target is branch, tag or push.
	Target string `json:"target,omitempty"`
	// SourceType is Repository or Organization; Source names it.
	SourceType string `json:"source_type,omitempty"`
	Source     string `json:"source,omitempty"`
	// Enforcement is active, evaluate or disabled.
	Enforcement string `json:"enforcement"`
	// BypassActors is only meaningful when BypassKnown: GitHub shows it
	// only to those who can edit the ruleset.
	BypassActors []BypassActor `json:"bypass_actors,omitempty"`
	BypassKnown  bool          `json:"bypass_known"`
	// Detailed is false when only the list entry (no conditions, rules or
	// bypass actors) could be read.
	Detailed   bool     `json:"detailed"`
	RefInclude []string `json:"ref_include,omitempty"`
	RefExclude []string `json:"ref_exclude,omitempty"`
	// RepoInclude and RepoExclude are an organisation ruleset's
	// repository_name condition.
	RepoInclude []string      `json:"repo_include,omitempty"`
	RepoExclude []string      `json:"repo_exclude,omitempty"`
	Rules       []RulesetRule `json:"rules,omitempty"`
}

// BypassActor may bypass a ruleset.
type BypassActor struct {
	ActorID   int64  `json:"actor_id,omitempty"`
	ActorType string `json:"actor_type"`
	// BypassMode is always or pull_request.
	BypassMode string `json:"bypass_mode,omitempty"`
}

// RulesetRule is one rule of a ruleset.
type RulesetRule struct {
	Type       string          `json:"type"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
}

// Collaborators lists users with access to a repository.
type Collaborators struct {
	Read
	Users []Collaborator `json:"users,omitempty"`
}

// Collaborator is a user and their permission on the repository.
type Collaborator struct {
	Login string `json:"login"`
	// Permission is admin, maintain, write, triage or read.
	Permission string `json:"permission"`
}

// Teams lists teams with access to a repository.
type Teams struct {
	Read
	Teams []TeamAccess `json:"teams,omitempty"`
}

// TeamAccess is a team and its permission on the repository.
type TeamAccess struct {
	Slug       string `json:"slug"`
	Permission string `json:"permission"`
}

// DeployKeys lists a repository's deploy keys.
type DeployKeys struct {
	Read
	Keys []DeployKey `json:"keys,omitempty"`
}

// DeployKey is one deploy key (never the key material).
type DeployKey struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	ReadOnly  bool      `json:"read_only"`
	CreatedAt time.Time `json:"created_at"`
	// LastUsed is zero when GitHub did not say.
	LastUsed time.Time `json:"last_used,omitzero"`
}

// Workflows holds the files under .github/workflows/ on the default branch.
type Workflows struct {
	Read
	Files []WorkflowFile `json:"files,omitempty"`
}

// WorkflowFile is one workflow file. When Read is not ok the content could
// not be fetched.
type WorkflowFile struct {
	Path    string `json:"path"`
	Content string `json:"content,omitempty"`
	// SHA is the blob ID, when the collector read it.
	SHA string `json:"blob_sha,omitempty"`
	Read
}

// CodeOwners records whether the repository has a CODEOWNERS file.
type CodeOwners struct {
	Read
	Exists bool `json:"exists"`
	// Errors counts the syntax errors GitHub found in it.
	Errors int `json:"errors,omitempty"`
}

// Environments lists deployment environments.
type Environments struct {
	Read
	Environments []Environment `json:"environments,omitempty"`
}

// Environment is one deployment environment and its protection.
type Environment struct {
	Name string `json:"name"`
	// Reviewers counts required reviewers (users and teams).
	Reviewers int `json:"reviewers"`
	WaitTimer int `json:"wait_timer,omitempty"`
	// BranchPolicy is "protected", "custom" or "" (any branch may deploy).
	BranchPolicy string `json:"branch_policy,omitempty"`
}

// WriteSnapshot writes s as indented JSON.
func WriteSnapshot(w io.Writer, s *Snapshot) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("hardening: write snapshot: %w", err)
	}
	return nil
}

// ErrSnapshotVersion is returned for a snapshot written by an incompatible
// version of rampart.
var ErrSnapshotVersion = errors.New("hardening: unsupported snapshot version")

// ReadSnapshot reads a snapshot written by WriteSnapshot.
func ReadSnapshot(r io.Reader) (*Snapshot, error) {
	var s Snapshot
	dec := json.NewDecoder(r)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("hardening: read snapshot: %w", err)
	}
	if s.Version != SnapshotVersion {
		return nil, fmt.Errorf("%w %d (want %d)", ErrSnapshotVersion, s.Version, SnapshotVersion)
	}
	return &s, nil
}
