package hardening

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// The remediation for branch controls points at both mechanisms: a ruleset
// (preferred, visible to non-admins, can cover many repositories) or classic
// protection.
const rulesetHint = "Enforce it with an active ruleset on the default branch (Settings → Rules → Rulesets; " +
	"`gh api -X POST repos/{repo}/rulesets`, or orgs/{org}/rulesets for every repository) or with classic protection: "

func prRule(f func(pr PullRequestParams, p *Policy) (bool, string)) rulesetRule {
	return func(typ string, raw json.RawMessage, p *Policy) (bool, bool, string) {
		if typ != "pull_request" {
			return false, false, ""
		}
		pr, _ := decodeParams[PullRequestParams](raw)
		on, d := f(pr, p)
		return true, on, d
	}
}

func typeRule(want string) rulesetRule {
	return func(typ string, _ json.RawMessage, _ *Policy) (bool, bool, string) {
		return typ == want, typ == want, ""
	}
}

func classicReviews(f func(r *ReviewRequirement, p *Policy) (bool, string)) classicRule {
	return func(c *ClassicProtection, p *Policy) (bool, string) {
		if c.RequiredReviews == nil {
			return false, ""
		}
		return f(c.RequiredReviews, p)
	}
}

// policyControlled turns a missing control into a warning unless the
// policy requires it.
func policyControlled(o Outcome, required bool, key string) Outcome {
	if o.Status == StatusFail && !required {
		o.Status = StatusWarn
		o.Evidence += fmt.Sprintf(" (recommended; set %s = true in [audit] to require it)", key)
	}
	return o
}

func branchControl(id, title string, sev Severity, what, remediation string, classic classicRule, rule rulesetRule) *Check {
	return &Check{
		ID: id, Title: title, Scope: ScopeRepo, Severity: sev, Permission: PermRepoAdmin,
		Remediation: rulesetHint + remediation,
		Run: func(in Input, p *Policy) Outcome {
			return judgeControl(&in.Repo.Branch, p, what, classic, rule)
		},
	}
}

// The controls shared by the default-branch checks and
// branch-release-protection.
var (
	classicAny = func(*ClassicProtection, *Policy) (bool, string) { return true, "" }
	ruleAny    = func(string, json.RawMessage, *Policy) (bool, bool, string) { return true, true, "" }

	classicNoForcePush classicRule = func(c *ClassicProtection, _ *Policy) (bool, string) {
		if c.AllowForcePushes {
			return false, "allows force pushes"
		}
		return true, ""
	}
	classicNoDeletion classicRule = func(c *ClassicProtection, _ *Policy) (bool, string) {
		if c.AllowDeletions {
			return false, "allows deletion"
		}
		return true, ""
	}
	classicApprovals = classicReviews(func(r *ReviewRequirement, p *Policy) (bool, string) {
		return r.Approvals >= p.MinApprovals && r.Approvals > 0 || p.MinApprovals == 0,
			fmt.Sprintf("%d %s, policy wants %d", r.Approvals, pluralWord(r.Approvals, "approval", "approvals"), p.MinApprovals)
	})
	rulesetApprovals = prRule(func(pr PullRequestParams, p *Policy) (bool, string) {
		n := pr.RequiredApprovingReviewCount
		return n >= p.MinApprovals && n > 0 || p.MinApprovals == 0,
			fmt.Sprintf("%d %s, policy wants %d", n, pluralWord(n, "approval", "approvals"), p.MinApprovals)
	})
)

var branchChecks = sync.OnceValue(func() []*Check {
	return []*Check{
		{
			ID: "branch-protected", Title: "Default branch is protected",
			Scope: ScopeRepo, Severity: SeverityHigh, Permission: PermRepoAdmin,
			Remediation: rulesetHint + "`gh api -X PUT repos/{repo}/branches/{branch}/protection` with a JSON body (see the branch-* checks for what to require).",
			Run: func(in Input, p *Policy) Outcome {
				b := &in.Repo.Branch
				if b.Protected != nil && *b.Protected && !b.Classic.OK() && !(b.Rules.OK() && len(b.Rules.Rules) > 0) {
					return pass("%s is protected (the branch reports protected: true)", b.Name)
				}
				return judgeControl(b, p, "protection", classicAny, ruleAny)
			},
		},
		branchControl("branch-force-push", "Force pushes blocked", SeverityHigh, "blocking force pushes",
			"`gh api -X PUT repos/{repo}/branches/{branch}/protection` with \"allow_force_pushes\": false (ruleset rule: non_fast_forward).",
			classicNoForcePush, typeRule("non_fast_forward")),
		branchControl("branch-deletion", "Branch deletion blocked", SeverityHigh, "blocking deletion",
			"\"allow_deletions\": false in classic protection (ruleset rule: deletion).",
			classicNoDeletion, typeRule("deletion")),
		branchControl("branch-required-reviews", "Pull request with enough approvals required", SeverityHigh, "required approving reviews",
			"\"required_pull_request_reviews\": {\"required_approving_review_count\": N} with N at least the policy's min_approvals (ruleset rule: pull_request).",
			classicApprovals, rulesetApprovals),
		branchControl("branch-dismiss-stale", "Stale approvals dismissed on push", SeverityMedium, "dismissing stale approvals",
			"\"dismiss_stale_reviews\": true under required_pull_request_reviews (ruleset: pull_request.dismiss_stale_reviews_on_push).",
			classicReviews(func(r *ReviewRequirement, _ *Policy) (bool, string) { return r.DismissStale, "" }),
			prRule(func(pr PullRequestParams, _ *Policy) (bool, string) { return pr.DismissStaleReviewsOnPush, "" })),
		{
			ID: "branch-code-owners", Title: "Code-owner review required and a CODEOWNERS file exists",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermRepoAdmin,
			Remediation: rulesetHint + "\"require_code_owner_reviews\": true (ruleset: pull_request.require_code_owner_review), " +
				"and commit a CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS).",
			Run: func(in Input, p *Policy) Outcome {
				o := judgeControl(&in.Repo.Branch, p, "code-owner review",
					classicReviews(func(r *ReviewRequirement, _ *Policy) (bool, string) { return r.CodeOwners, "" }),
					prRule(func(pr PullRequestParams, _ *Policy) (bool, string) { return pr.RequireCodeOwnerReview, "" }))
				if o.Status != StatusPass {
					return o
				}
				co := in.Repo.CodeOwners
				switch {
				case !co.OK():
					return unknown(o.Evidence+"; but whether a CODEOWNERS file exists", co.Read)
				case !co.Exists:
					return fail("%s; but the repository has no CODEOWNERS file, so no review is requested from code owners", o.Evidence)
				case co.Errors > 0:
					return warn("%s; CODEOWNERS has %d %s (see repos/%s/codeowners/errors)", o.Evidence, co.Errors, pluralWord(co.Errors, "error", "errors"), in.Repo.FullName)
				}
				return pass("%s; CODEOWNERS present", o.Evidence)
			},
		},
		branchControl("branch-last-push-approval", "Most recent push must be approved by someone else", SeverityMedium, "approval of the most recent push",
			"\"require_last_push_approval\": true under required_pull_request_reviews (ruleset: pull_request.require_last_push_approval).",
			classicReviews(func(r *ReviewRequirement, _ *Policy) (bool, string) { return r.LastPushApproval, "" }),
			prRule(func(pr PullRequestParams, _ *Policy) (bool, string) { return pr.RequireLastPushApproval, "" })),
		branchControl("branch-status-checks", "Status checks required", SeverityMedium, "required status checks",
			"\"required_status_checks\": {\"contexts\": [\"ci\"]} (ruleset rule: required_status_checks).",
			func(c *ClassicProtection, _ *Policy) (bool, string) {
				if c.RequiredStatusChecks == nil {
					return false, ""
				}
				n := len(c.RequiredStatusChecks.Contexts)
				if n == 0 {
					return false, "no check names listed"
				}
				return true, strings.Join(c.RequiredStatusChecks.Contexts, ", ")
			},
			func(typ string, raw json.RawMessage, _ *Policy) (bool, bool, string) {
				if typ != "required_status_checks" {
					return false, false, ""
				}
				sc, _ := decodeParams[StatusChecksParams](raw)
				names := make([]string, 0, len(sc.RequiredStatusChecks))
				for _, c := range sc.RequiredStatusChecks {
					names = append(names, c.Context)
				}
				if len(names) == 0 {
					return true, false, "no check names listed"
				}
				return true, true, strings.Join(names, ", ")
			}),
		branchControl("branch-up-to-date", "Branch must be up to date before merging", SeverityLow, "requiring branches to be up to date",
			"\"required_status_checks\": {\"strict\": true, …} (ruleset: required_status_checks.strict_required_status_checks_policy).",
			func(c *ClassicProtection, _ *Policy) (bool, string) {
				return c.RequiredStatusChecks != nil && c.RequiredStatusChecks.Strict, ""
			},
			func(typ string, raw json.RawMessage, _ *Policy) (bool, bool, string) {
				if typ != "required_status_checks" {
					return false, false, ""
				}
				sc, _ := decodeParams[StatusChecksParams](raw)
				return true, sc.StrictRequiredStatusChecksPolicy, ""
			}),
		{
			ID: "branch-admin-enforced", Title: "Rules enforced for administrators, no bypass",
			Scope: ScopeRepo, Severity: SeverityHigh, Permission: PermRepoAdmin,
			Remediation: "Classic: `gh api -X POST repos/{repo}/branches/{branch}/protection/enforce_admins`; rulesets: remove bypass actors " +
				"(or limit them to bypass_mode pull_request) in Settings → Rules → Rulesets.",
			Run: func(in Input, _ *Policy) Outcome { return judgeBypass(&in.Repo.Branch) },
		},
		{
			ID: "branch-signed-commits", Title: "Signed commits required (policy)",
			Scope: ScopeRepo, Severity: SeverityLow, Permission: PermRepoAdmin,
			Remediation: rulesetHint + "`gh api -X POST repos/{repo}/branches/{branch}/protection/required_signatures` (ruleset rule: required_signatures).",
			Run: func(in Input, p *Policy) Outcome {
				o := judgeControl(&in.Repo.Branch, p, "signed commits",
					func(c *ClassicProtection, _ *Policy) (bool, string) { return c.RequiredSignatures, "" }, typeRule("required_signatures"))
				return policyControlled(o, p.RequireSignedCommits, "require_signed_commits")
			},
		},
		{
			ID: "branch-linear-history", Title: "Linear history required (policy)",
			Scope: ScopeRepo, Severity: SeverityLow, Permission: PermRepoAdmin,
			Remediation: rulesetHint + "\"required_linear_history\": true (ruleset rule: required_linear_history).",
			Run: func(in Input, p *Policy) Outcome {
				o := judgeControl(&in.Repo.Branch, p, "linear history",
					func(c *ClassicProtection, _ *Policy) (bool, string) { return c.RequireLinearHistory, "" }, typeRule("required_linear_history"))
				return policyControlled(o, p.RequireLinearHistory, "require_linear_history")
			},
		},
		branchControl("branch-conversation-resolution", "Conversations resolved before merging", SeverityLow, "conversation resolution",
			"\"required_conversation_resolution\": true (ruleset: pull_request.required_review_thread_resolution).",
			func(c *ClassicProtection, _ *Policy) (bool, string) { return c.RequiredConversationResolution, "" },
			prRule(func(pr PullRequestParams, _ *Policy) (bool, string) { return pr.RequiredReviewThreadResolution, "" })),
		{
			ID: "branch-push-restrictions", Title: "Push restricted to named people or teams (policy)",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermRepoAdmin,
			Remediation: rulesetHint + "\"restrictions\": {\"users\": […], \"teams\": […]} (organisation repositories only; ruleset rule: update, with the allowed pushers as bypass actors).",
			Run: func(in Input, p *Policy) Outcome {
				o := judgeControl(&in.Repo.Branch, p, "push restrictions",
					func(c *ClassicProtection, _ *Policy) (bool, string) {
						if c.LockBranch {
							return true, "branch locked"
						}
						r := c.Restrictions
						if r == nil {
							return false, ""
						}
						var who []string
						who = append(who, r.Users...)
						for _, t := range r.Teams {
							who = append(who, "team "+t)
						}
						for _, a := range r.Apps {
							who = append(who, "app "+a)
						}
						if len(who) == 0 {
							return true, "nobody may push"
						}
						return true, "only " + listSome(who, 8)
					},
					typeRule("update"))
				return policyControlled(o, p.RequirePushRestrictions, "require_push_restrictions")
			},
		},
	}
})
