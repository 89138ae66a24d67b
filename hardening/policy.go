package hardening

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Policy is the compiled, immutable audit policy: thresholds, checks turned
// off, severity overrides and waivers. Build it with DefaultPolicy or
// ParsePolicy; the zero value is not useful.
type Policy struct {
	// MinApprovals is the number of approving reviews the default branch
	// must require.
	MinApprovals int
	// MaxOwners is the most organisation owners allowed.
	MaxOwners int
	// MaxAdmins is the most users plus teams with admin on a repository.
	MaxAdmins int
	// MaxDeployKeyAge is how old a deploy key may grow before it must be
	// rotated.
	MaxDeployKeyAge time.Duration
	// RequireSignedCommits, RequireLinearHistory and RequirePushRestrictions
	// turn the matching branch checks from warn into fail when the control
	// is missing.
	RequireSignedCommits    bool
	RequireLinearHistory    bool
	RequirePushRestrictions bool
	// ProductionEnvironments matches the names of environments that must
	// be protected.
	ProductionEnvironments *regexp.Regexp
	// TrustedActionOwners are action owners whose actions need not be
	// pinned to a commit SHA.
	TrustedActionOwners []string
	// FailOn is the lowest severity of a failed check that makes the audit
	// exit 1.
	FailOn Severity
	// MaxSecretAge is how old an Actions secret may grow before
	// org-actions-secrets and repo-actions-secrets warn that it was never
	// rotated.
	MaxSecretAge time.Duration
	// MaxInactive is how long an owner or repository admin may go without
	// an audit-log event before org-dormant-admins calls the account
	// dormant.
	MaxInactive time.Duration
	// StaleAfter is how long a repository may go without a push before
	// repo-stale asks for it to be archived.
	StaleAfter time.Duration
	// RequireSelectedActionsRepositories turns org-actions-repositories
	// from warn into fail when Actions are enabled for every repository.
	RequireSelectedActionsRepositories bool
	// ReleaseBranches are ruleset-style globs (fnmatch, ** across
	// slashes) naming the branches releases are cut from.
	ReleaseBranches []string
	// ReleaseTags are globs naming release tags.
	ReleaseTags []string
	// RequiredStatusChecks are the check names `audit fix` puts in the
	// ruleset it creates; empty means the ruleset requires none (and
	// branch-status-checks stays a manual item) unless classic protection
	// already names some.
	RequiredStatusChecks []string
	// FixRuleset is where `audit fix` puts branch protection: "repository"
	// (one ruleset per repository) or "organization" (one organisation
	// ruleset for every repository's default branch).
	FixRuleset string

	disabled map[string]bool
	severity map[string]Severity
	waivers  []Waiver
}

// Waiver exempts a check on matching targets until it expires.
type Waiver struct {
	Check string
	// Targets are globs (path.Match) over "owner/name" for repositories
	// and the organisation's login for organisation checks.
	Targets []string
	Reason  string
	// Expires is the last day the waiver applies (UTC).
	Expires time.Time
}

// The places `audit fix` may put branch protection (Policy.FixRuleset).
const (
	FixRulesetRepository   = "repository"
	FixRulesetOrganization = "organization"
)

// DefaultPolicy returns the built-in policy.
func DefaultPolicy() *Policy {
	return &Policy{
		MinApprovals:           1,
		MaxOwners:              3,
		MaxAdmins:              3,
		MaxDeployKeyAge:        365 * 24 * time.Hour,
		ProductionEnvironments: regexp.MustCompile(`(?i)prod|live`),
		TrustedActionOwners:    []string{"actions", "github"},
		FailOn:                 SeverityLow,
		MaxSecretAge:           365 * 24 * time.Hour,
		MaxInactive:            90 * 24 * time.Hour,
		StaleAfter:             365 * 24 * time.Hour,
		ReleaseBranches:        []string{"release/**", "release-*", "releases/**", "stable/**"},
		ReleaseTags:            []string{"v*"},
		FixRuleset:             FixRulesetRepository,
		disabled:               map[string]bool{},
		severity:               map[string]Severity{},
	}
}

// Enabled reports whether the check with id runs.
func (p *Policy) Enabled(id string) bool { return !p.disabled[id] }

// SeverityOf returns the severity for check c: the policy's override, else
// the check's own.
func (p *Policy) SeverityOf(c *Check) Severity {
	if s, ok := p.severity[c.ID]; ok {
		return s
	}
	return c.Severity
}

// Waivers returns the policy's waivers.
func (p *Policy) Waivers() []Waiver { return append([]Waiver(nil), p.waivers...) }

// waiverFor returns the first waiver for check id that matches target.
func (p *Policy) waiverFor(id, target string) *Waiver {
	for i := range p.waivers {
		w := &p.waivers[i]
		if w.Check != id && w.Check != "*" {
			continue
		}
		for _, g := range w.Targets {
			if ok, _ := path.Match(strings.ToLower(g), strings.ToLower(target)); ok {
				return w
			}
		}
	}
	return nil
}

// Expired reports whether the waiver has stopped applying at now: it
// applies through the whole of its expiry day, in UTC.
func (w *Waiver) Expired(now time.Time) bool {
	return !now.UTC().Before(w.Expires.AddDate(0, 0, 1))
}

// rawPolicy is the [audit] table as written.
type rawPolicy struct {
	MinApprovals            *int              `toml:"min_approvals"`
	MaxOwners               *int              `toml:"max_owners"`
	MaxAdmins               *int              `toml:"max_admins"`
	MaxDeployKeyAgeDays     *int              `toml:"max_deploy_key_age_days"`
	RequireSignedCommits    *bool             `toml:"require_signed_commits"`
	RequireLinearHistory    *bool             `toml:"require_linear_history"`
	RequirePushRestrictions *bool             `toml:"require_push_restrictions"`
	ProductionEnvironments  *string           `toml:"production_environments"`
	TrustedActionOwners     []string          `toml:"trusted_action_owners"`
	FailOn                  *string           `toml:"fail_on"`
	MaxSecretAgeDays        *int              `toml:"max_secret_age_days"`
	MaxInactiveDays         *int              `toml:"max_inactive_days"`
	StaleRepoDays           *int              `toml:"stale_repo_days"`
	RequireSelectedActions  *bool             `toml:"require_selected_actions_repositories"`
	ReleaseBranches         []string          `toml:"release_branches"`
	ReleaseTags             []string          `toml:"release_tags"`
	RequiredStatusChecks    []string          `toml:"required_status_checks"`
	FixRuleset              *string           `toml:"fix_ruleset"`
	Disable                 []string          `toml:"disable"`
	Severity                map[string]string `toml:"severity"`
	Waivers                 []rawWaiver       `toml:"waivers"`
}

type rawWaiver struct {
	Check   string   `toml:"check"`
	Repos   []string `toml:"repos"`
	Repo    string   `toml:"repo"`
	Reason  string   `toml:"reason"`
	Expires rawDate  `toml:"expires"`
}

// rawDate accepts a TOML local date (2025-12-31) or a string of one.
type rawDate struct {
	t   time.Time
	set bool
	bad string
}

// UnmarshalTOML implements toml.Unmarshaler.
func (d *rawDate) UnmarshalTOML(v any) error {
	d.set = true
	switch x := v.(type) {
	case time.Time:
		d.t = time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
	case string:
		t, err := time.Parse("2006-01-02", strings.TrimSpace(x))
		if err != nil {
			d.bad = x
			return nil
		}
		d.t = t
	default:
		d.bad = fmt.Sprint(v)
	}
	return nil
}

// PolicyError lists every problem found in a policy file at once.
type PolicyError struct {
	File     string
	Problems []string
}

// Error lists the problems, one a line, prefixed with the file name.
func (e *PolicyError) Error() string {
	name := e.File
	if name == "" {
		name = "policy"
	}
	if len(e.Problems) == 1 {
		return name + ": " + e.Problems[0]
	}
	return fmt.Sprintf("%s: %d problems:\n  %s", name, len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// ParsePolicy decodes the [audit] table of a .rampart.toml (or of a
// dedicated policy file, where the table may also be the whole file) and
// compiles it over DefaultPolicy. A file without an [audit] table yields the
// default policy. Every problem is reported at once; name prefixes them.
func ParsePolicy(name string, data []byte) (*Policy, error) {
	var doc struct {
		Audit *rawPolicy `toml:"audit"`
	}
	md, err := toml.Decode(string(data), &doc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &PolicyError{File: name, Problems: []string{fmt.Sprintf("line %d: %s", pe.Position.Line, pe.Message)}}
		}
		return nil, &PolicyError{File: name, Problems: []string{err.Error()}}
	}
	var problems []string
	for _, k := range md.Undecoded() {
		if len(k) > 0 && k[0] == "audit" {
			problems = append(problems, fmt.Sprintf("unknown key %s", k.String()))
		}
	}
	if doc.Audit == nil {
		if len(problems) > 0 {
			return nil, &PolicyError{File: name, Problems: problems}
		}
		return DefaultPolicy(), nil
	}
	p, more := doc.Audit.compile()
	problems = append(problems, more...)
	if len(problems) > 0 {
		return nil, &PolicyError{File: name, Problems: problems}
	}
	return p, nil
}

// ParsePolicyFile is ParsePolicy for a dedicated --policy file: the policy
// may be an [audit] table or the file's top level.
func ParsePolicyFile(name string, data []byte) (*Policy, error) {
	var probe map[string]any
	if _, err := toml.Decode(string(data), &probe); err == nil {
		if _, ok := probe["audit"]; !ok && len(probe) > 0 {
			var raw rawPolicy
			md, err := toml.Decode(string(data), &raw)
			if err != nil {
				return nil, &PolicyError{File: name, Problems: []string{err.Error()}}
			}
			var problems []string
			for _, k := range md.Undecoded() {
				problems = append(problems, fmt.Sprintf("unknown key %s", k.String()))
			}
			p, more := raw.compile()
			problems = append(problems, more...)
			if len(problems) > 0 {
				return nil, &PolicyError{File: name, Problems: problems}
			}
			return p, nil
		}
	}
	return ParsePolicy(name, data)
}

func (r *rawPolicy) compile() (*Policy, []string) {
	p := DefaultPolicy()
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	nonNeg := func(key string, v *int, dst *int) {
		if v == nil {
			return
		}
		if *v < 0 {
			bad("audit.%s: must not be negative, got %d", key, *v)
			return
		}
		*dst = *v
	}
	nonNeg("min_approvals", r.MinApprovals, &p.MinApprovals)
	nonNeg("max_owners", r.MaxOwners, &p.MaxOwners)
	nonNeg("max_admins", r.MaxAdmins, &p.MaxAdmins)
	if r.MinApprovals != nil && *r.MinApprovals > 6 {
		bad("audit.min_approvals: GitHub allows at most 6 required approvals, got %d", *r.MinApprovals)
	}
	if r.MaxDeployKeyAgeDays != nil {
		if *r.MaxDeployKeyAgeDays <= 0 {
			bad("audit.max_deploy_key_age_days: must be positive, got %d", *r.MaxDeployKeyAgeDays)
		} else {
			p.MaxDeployKeyAge = time.Duration(*r.MaxDeployKeyAgeDays) * 24 * time.Hour
		}
	}
	days := func(key string, v *int, dst *time.Duration) {
		if v == nil {
			return
		}
		if *v <= 0 {
			bad("audit.%s: must be positive, got %d", key, *v)
			return
		}
		*dst = time.Duration(*v) * 24 * time.Hour
	}
	days("max_secret_age_days", r.MaxSecretAgeDays, &p.MaxSecretAge)
	days("max_inactive_days", r.MaxInactiveDays, &p.MaxInactive)
	days("stale_repo_days", r.StaleRepoDays, &p.StaleAfter)
	globs := func(key string, v []string, dst *[]string) {
		if v == nil {
			return
		}
		for _, g := range v {
			if strings.TrimSpace(g) == "" {
				bad("audit.%s: empty pattern", key)
			}
		}
		*dst = append([]string(nil), v...)
	}
	globs("release_branches", r.ReleaseBranches, &p.ReleaseBranches)
	globs("release_tags", r.ReleaseTags, &p.ReleaseTags)
	if r.RequiredStatusChecks != nil {
		for _, c := range r.RequiredStatusChecks {
			if strings.TrimSpace(c) == "" {
				bad("audit.required_status_checks: empty check name")
			}
		}
		p.RequiredStatusChecks = append([]string(nil), r.RequiredStatusChecks...)
	}
	if r.FixRuleset != nil {
		switch *r.FixRuleset {
		case FixRulesetRepository, FixRulesetOrganization:
			p.FixRuleset = *r.FixRuleset
		default:
			bad("audit.fix_ruleset: want %q or %q, got %q", FixRulesetRepository, FixRulesetOrganization, *r.FixRuleset)
		}
	}
	setBool := func(v *bool, dst *bool) {
		if v != nil {
			*dst = *v
		}
	}
	setBool(r.RequireSignedCommits, &p.RequireSignedCommits)
	setBool(r.RequireLinearHistory, &p.RequireLinearHistory)
	setBool(r.RequirePushRestrictions, &p.RequirePushRestrictions)
	setBool(r.RequireSelectedActions, &p.RequireSelectedActionsRepositories)
	if r.ProductionEnvironments != nil {
		re, err := regexp.Compile(*r.ProductionEnvironments)
		if err != nil {
			bad("audit.production_environments: %v", err)
		} else {
			p.ProductionEnvironments = re
		}
	}
	if r.TrustedActionOwners != nil {
		p.TrustedActionOwners = append([]string(nil), r.TrustedActionOwners...)
	}
	if r.FailOn != nil {
		s, err := ParseSeverity(*r.FailOn)
		if err != nil {
			bad("audit.fail_on: %v", err)
		} else {
			p.FailOn = s
		}
	}
	for _, id := range r.Disable {
		if CheckByID(id) == nil {
			bad("audit.disable: unknown check %q", id)
			continue
		}
		p.disabled[id] = true
	}
	ids := make([]string, 0, len(r.Severity))
	for id := range r.Severity {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if CheckByID(id) == nil {
			bad("audit.severity: unknown check %q", id)
			continue
		}
		s, err := ParseSeverity(r.Severity[id])
		if err != nil {
			bad("audit.severity.%s: %v", id, err)
			continue
		}
		p.severity[id] = s
	}
	for i, w := range r.Waivers {
		where := fmt.Sprintf("audit.waivers[%d]", i)
		if w.Check == "" {
			bad("%s: check is required", where)
		} else if w.Check != "*" && CheckByID(w.Check) == nil {
			bad("%s: unknown check %q", where, w.Check)
		}
		targets := append([]string(nil), w.Repos...)
		if w.Repo != "" {
			targets = append(targets, w.Repo)
		}
		if len(targets) == 0 {
			bad("%s: repos is required (globs over owner/name, or the organisation's login)", where)
		}
		for _, g := range targets {
			if _, err := path.Match(g, ""); err != nil {
				bad("%s: bad glob %q: %v", where, g, err)
			}
		}
		if strings.TrimSpace(w.Reason) == "" {
			bad("%s: reason is required", where)
		}
		switch {
		case !w.Expires.set:
			bad("%s: expires is required (a date such as 2026-06-30)", where)
		case w.Expires.bad != "":
			bad("%s: expires %q is not a date (YYYY-MM-DD)", where, w.Expires.bad)
		}
		p.waivers = append(p.waivers, Waiver{Check: w.Check, Targets: targets, Reason: w.Reason, Expires: w.Expires.t})
	}
	return p, problems
}
