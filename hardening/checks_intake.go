package hardening

import (
	"fmt"
	"sync"
	"time"
)

// Checks about how vulnerabilities reach the maintainers and get fixed:
// a security policy, private reporting, Dependabot security updates and
// code scanning.

// codeScanningMaxAge is how old the default branch's latest code scanning
// analysis may be before repo-code-scanning warns that it stopped running.
const codeScanningMaxAge = 90 * 24 * time.Hour

var intakeRepoChecks = sync.OnceValue(func() []*Check {
	return []*Check{
		{
			ID: "repo-security-policy", Title: "A security policy (SECURITY.md) tells reporters where to go",
			Scope: ScopeRepo, Severity: SeverityLow, Permission: PermContents,
			Remediation: "Add SECURITY.md (how to report privately, what reporters can expect, which versions get fixes) to the repository's root, .github/ or docs/, " +
				"or once for every repository to the organisation's public .github repository (`{org}/.github`); point it at private vulnerability reporting.",
			Run: func(in Input, _ *Policy) Outcome {
				sp := in.Repo.SecurityPolicy
				if sp.OK() && sp.Path != "" {
					return pass("%s", sp.Path)
				}
				if sp.InheritedRead.OK() && sp.Inherited != "" {
					return pass("no file of its own; GitHub shows %s", sp.Inherited)
				}
				if !sp.OK() {
					return unknown("SECURITY.md", sp.Read)
				}
				if !sp.InheritedRead.OK() {
					return unknown("no SECURITY.md in the repository; the owner's .github repository", sp.InheritedRead)
				}
				return fail("no SECURITY.md in the repository (root, .github/ or docs/) nor in %s/.github: a reporter has no private channel and may open a public issue", in.Repo.Owner)
			},
		},
		{
			ID: "repo-private-vulnerability-reporting", Title: "Private vulnerability reporting enabled",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermRepoAdmin,
			Remediation: "`gh api -X PUT repos/{repo}/private-vulnerability-reporting` (Settings → Code security → Private vulnerability reporting).",
			Run: func(in Input, _ *Policy) Outcome {
				r := in.Repo
				if !isPublic(r) {
					return pass("%s repository: private vulnerability reporting is for public repositories", visibilityOf(r))
				}
				t := r.PrivateVulnerabilityReporting
				if !t.OK() {
					return unknown("private vulnerability reporting", t.Read)
				}
				if t.Enabled {
					return pass("private vulnerability reporting is enabled")
				}
				return fail("private vulnerability reporting is disabled: an outsider who finds a vulnerability can only report it in public")
			},
		},
		{
			ID: "repo-dependabot-security-updates", Title: "Dependabot security updates enabled",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermRepoAdmin,
			Remediation: "`gh api -X PUT repos/{repo}/vulnerability-alerts` then `gh api -X PUT repos/{repo}/automated-security-fixes` " +
				"(Settings → Code security → Dependabot security updates); paused updates resume when a Dependabot pull request is merged or the setting is turned off and on.",
			Run: func(in Input, _ *Policy) Outcome {
				d := in.Repo.DependabotSecurityUpdates
				if !d.OK() {
					return unknown("Dependabot security updates (automated-security-fixes)", d.Read)
				}
				switch {
				case d.Enabled && d.Paused:
					return fail("Dependabot security updates are enabled but paused (Dependabot pauses them when its pull requests go unanswered)")
				case d.Enabled:
					return pass("Dependabot security updates are enabled")
				}
				return fail("Dependabot security updates are disabled: known-vulnerable dependencies get alerts but no fix pull requests")
			},
		},
		{
			ID: "repo-code-scanning", Title: "Code scanning analyses the default branch",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermCodeScan,
			Remediation: "Turn on code scanning default setup (`gh api -X PATCH repos/{repo}/code-scanning/default-setup -f state=configured`) or add a CodeQL workflow; " +
				"private repositories need GitHub Code Security (Advanced Security).",
			Run: func(in Input, _ *Policy) Outcome {
				cs := in.Repo.CodeScanning
				branch := in.Repo.DefaultBranch
				if cs.Unavailable {
					return fail("code scanning cannot run here: %s", cs.Detail)
				}
				if !cs.OK() {
					return unknown("code scanning analyses", cs.Read)
				}
				if !cs.Analyses {
					return fail("no code scanning analysis of %s", branch)
				}
				age := in.Now.Sub(cs.LastCreated)
				when := fmt.Sprintf("last analysis of %s by %s on %s (%d days ago)", branch, orDash(cs.LastTool),
					cs.LastCreated.UTC().Format("2006-01-02"), daysBetween(cs.LastCreated, in.Now))
				if !cs.LastCreated.IsZero() && age > codeScanningMaxAge {
					return warn("%s: it seems to have stopped running", when)
				}
				return pass("%s", when)
			},
		},
	}
})

func visibilityOf(r *RepoSnapshot) string {
	if r.Visibility != "" {
		return r.Visibility
	}
	if r.Private {
		return "private"
	}
	return "public"
}
