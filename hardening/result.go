package hardening

import (
	"fmt"
	"strings"
)

// Severity ranks how much a failed check matters.
type Severity int

// The severities, lowest first.
const (
	SeverityInfo Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// String returns the lower-case name.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity parses info, low, medium, high or critical (any case).
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("hardening: unknown severity %q (want %s)", s, strings.Join(severityNames[:], ", "))
}

// Status is a check's verdict.
type Status string

// The statuses. Unknown is never a pass: it means the token could not see
// what the check needs.
const (
	StatusPass    Status = "pass"
	StatusFail    Status = "fail"
	StatusWarn    Status = "warn"
	StatusUnknown Status = "unknown"
)

// Result is one check's verdict on one target.
type Result struct {
	Check       string   `json:"check"`
	Title       string   `json:"title,omitempty"`
	Status      Status   `json:"status"`
	Severity    Severity `json:"severity"`
	Evidence    string   `json:"evidence"`
	Remediation string   `json:"remediation"`
	// Permission names, for an unknown result, what would let rampart see.
	Permission string `json:"permission,omitempty"`
	// Locations point at files (workflow findings), relative to the
	// repository root.
	Locations []Location `json:"locations,omitempty"`
	// Waiver is set when a policy waiver matched: applied, or expired.
	Waiver *WaiverNote `json:"waiver,omitempty"`
}

// Waived reports whether an unexpired waiver covers this result.
func (r *Result) Waived() bool { return r.Waiver != nil && !r.Waiver.Expired }

// Failing reports whether the result is a failure that counts: a fail not
// covered by a live waiver.
func (r *Result) Failing() bool { return r.Status == StatusFail && !r.Waived() }

// Location is a place in a repository's files.
type Location struct {
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
}

// WaiverNote records the waiver that matched a result.
type WaiverNote struct {
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
	// Expired waivers no longer apply; the result says so.
	Expired bool `json:"expired,omitempty"`
}

// Permission is what a token needs to read the state a check judges.
type Permission struct {
	// Role is the role on GitHub: "repository admin", "organisation owner".
	Role string
	// Classic is the classic personal access token scope.
	Classic string
	// FineGrained is the fine-grained token (or GitHub App) permission.
	FineGrained string
}

// String renders the permission for humans.
func (p Permission) String() string {
	if p == (Permission{}) {
		return ""
	}
	var parts []string
	if p.Role != "" {
		parts = append(parts, p.Role)
	}
	if p.Classic != "" {
		parts = append(parts, "classic token scope "+p.Classic)
	}
	if p.FineGrained != "" {
		parts = append(parts, "fine-grained permission "+p.FineGrained)
	}
	return strings.Join(parts, "; ")
}

// The permissions checks need.
var (
	PermRepoAdmin = Permission{Role: "repository admin", Classic: "repo", FineGrained: `"Administration" repository permission (read)`}
	PermRepoRead  = Permission{Role: "repository read", Classic: "repo (public_repo for public repositories)", FineGrained: `"Metadata" repository permission (read)`}
	PermContents  = Permission{Role: "repository read", Classic: "repo (none for public repositories)", FineGrained: `"Contents" repository permission (read)`}
	PermRepoHooks = Permission{Role: "repository admin", Classic: "read:repo_hook", FineGrained: `"Webhooks" repository permission (read)`}
	PermCollab    = Permission{Role: "repository write", Classic: "repo", FineGrained: `"Metadata" repository permission (read)`}
	PermEnv       = Permission{Role: "repository read", Classic: "repo", FineGrained: `"Environments" repository permission (read)`}
	PermOrgOwner  = Permission{Role: "organisation owner", Classic: "read:org", FineGrained: `"Administration" organisation permission (read)`}
	PermOrgMember = Permission{Role: "organisation owner", Classic: "read:org", FineGrained: `"Members" organisation permission (read)`}
	PermOrgRead   = Permission{Role: "organisation member", Classic: "read:org", FineGrained: `"Members" organisation permission (read)`}
	PermOrgHooks  = Permission{Role: "organisation owner", Classic: "admin:org_hook", FineGrained: `"Webhooks" organisation permission (read)`}
	// PermCodeSecurity reads code security configurations (and, on older
	// GitHub Enterprise Server, the legacy new-repository fields of
	// GET /orgs/{org}, which need only read:org).
	PermCodeSecurity = Permission{Role: "organisation owner or security manager", Classic: "write:org (read:org on older GitHub Enterprise Server)",
		FineGrained: `"Administration" organisation permission (write)`}
	PermOrgSecrets  = Permission{Role: "organisation owner", Classic: "admin:org", FineGrained: `"Secrets" organisation permission (read)`}
	PermRepoSecrets = Permission{Role: "repository admin", Classic: "repo", FineGrained: `"Secrets" repository permission (read)`}
	PermRunners     = Permission{Role: "organisation owner", Classic: "admin:org", FineGrained: `"Self-hosted runners" organisation permission (read)`}
	PermSAML        = Permission{Role: "organisation owner (GitHub Enterprise Cloud)", Classic: "read:org", FineGrained: `"Administration" organisation permission (read)`}
	PermAuditLog    = Permission{Role: "organisation owner (GitHub Enterprise Cloud)", Classic: "read:audit_log", FineGrained: `"Administration" organisation permission (read)`}
	PermCodeScan    = Permission{Role: "repository write (read for public repositories)", Classic: "security_events (public_repo for public repositories)",
		FineGrained: `"Code scanning alerts" repository permission (read)`}
)
