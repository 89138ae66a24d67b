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
}

// OrgSettings are the organisation's own settings. Pointer fields are nil
// when GitHub left them out (most are shown to owners only).
type OrgSettings struct {
	Read
	TwoFactorRequired           *bool  `json:"two_factor_required,omitempty"`
	DefaultRepoPermission       string `json:"default_repository_permission,omitempty"`
	MembersCanCreatePublicRepos *bool  `json:"members_can_create_public_repositories,omitempty"`
	SecretScanningForNewRepos   *bool  `json:"secret_scanning_for_new_repositories,omitempty"`
	PushProtectionForNewRepos   *bool  `json:"push_protection_for_new_repositories,omitempty"`
	DependabotAlertsForNewRepos *bool  `json:"dependabot_alerts_for_new_repositories,omitempty"`
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
	Detailed   bool          `json:"detailed"`
	RefInclude []string      `json:"ref_include,omitempty"`
	RefExclude []string      `json:"ref_exclude,omitempty"`
	Rules      []RulesetRule `json:"rules,omitempty"`
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
