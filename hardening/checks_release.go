package hardening

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Checks about the refs releases come from: who may dismiss the reviews
// that guard the default branch, release branches protected like it, and
// release tags that cannot be deleted or moved.

// releaseControls are the controls a release branch must have whenever the
// default branch has them.
var releaseControls = []struct {
	what    string
	classic classicRule
	rule    rulesetRule
}{
	{"protection", classicAny, ruleAny},
	{"blocking force pushes", classicNoForcePush, typeRule("non_fast_forward")},
	{"blocking deletion", classicNoDeletion, typeRule("deletion")},
	{"required approving reviews", classicApprovals, rulesetApprovals},
}

// releaseBranchNames returns the repository's branches that match the
// policy's release patterns, the default branch excepted.
func releaseBranchNames(r *RepoSnapshot, p *Policy) []string {
	var out []string
	for _, b := range r.Branches.Branches {
		if b.Name == r.DefaultBranch {
			continue
		}
		for _, g := range p.ReleaseBranches {
			if globMatch(strings.TrimPrefix(g, "refs/heads/"), b.Name) {
				out = append(out, b.Name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// releaseTagNames returns the tags that match the policy's release tag
// patterns.
func releaseTagNames(r *RepoSnapshot, p *Policy) []string {
	var out []string
	for _, t := range r.Tags.Names {
		for _, g := range p.ReleaseTags {
			if globMatch(strings.TrimPrefix(g, "refs/tags/"), t) {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// tagRefMatches reports whether a tag ruleset's ref_name pattern matches tag.
func tagRefMatches(pattern, tag string) bool {
	if pattern == "~ALL" {
		return true
	}
	return globMatch(strings.TrimPrefix(pattern, "refs/tags/"), tag)
}

var releaseBranchChecks = sync.OnceValue(func() []*Check {
	return []*Check{
		{
			ID: "branch-dismissal-restrictions", Title: "Only named people may dismiss approving reviews",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermRepoAdmin,
			Remediation: "Restrict who can dismiss pull request reviews in the default branch's classic protection: " +
				"`gh api -X PATCH repos/{repo}/branches/{branch}/protection/required_pull_request_reviews --input -` with " +
				"`{\"dismissal_restrictions\": {\"users\": [], \"teams\": [\"maintainers\"]}}` (organisation repositories only). " +
				"Rulesets cannot restrict dismissal; with a ruleset, also require approval of the most recent push (require_last_push_approval).",
			Run: func(in Input, _ *Policy) Outcome {
				b := &in.Repo.Branch
				cKnown, cEnabled := classicState(b)
				var rulesetReviews []string
				if b.Rules.OK() {
					idx := rulesetIndex(b)
					seen := map[int64]bool{}
					for _, r := range b.Rules.Rules {
						if r.Type == "pull_request" && !seen[r.RulesetID] {
							seen[r.RulesetID] = true
							rulesetReviews = append(rulesetReviews, rulesetLabel(r.RulesetID, r.RulesetSourceType, r.RulesetSource, idx))
						}
					}
				}
				if cKnown && cEnabled && b.Classic.OK() && b.Classic.RequiredReviews != nil {
					rr := b.Classic.RequiredReviews
					switch {
					case rr.DismissalRestricted && len(rr.DismissalAllowed) == 0:
						return pass("classic branch protection: only administrators may dismiss reviews on %s", b.Name)
					case rr.DismissalRestricted:
						return pass("classic branch protection: only %s may dismiss reviews on %s", listSome(rr.DismissalAllowed, 8), b.Name)
					case !in.Repo.OwnerIsOrg:
						return warn("anyone with write access may dismiss approving reviews on %s; personal repositories cannot restrict it", b.Name)
					}
					return fail("classic branch protection requires reviews on %s, but anyone with write access may dismiss them (no dismissal restrictions)", b.Name)
				}
				if !cKnown {
					return unknown(fmt.Sprintf("who may dismiss reviews on %s: classic branch protection", b.Name), b.Classic.Read)
				}
				if len(rulesetReviews) > 0 {
					return warn("reviews on %s are required by %s, and rulesets cannot restrict who dismisses them: anyone with write access may",
						b.Name, strings.Join(rulesetReviews, ", "))
				}
				if !b.Rules.OK() {
					return unknown("rules for "+b.Name, b.Rules.Read)
				}
				return pass("no review is required on %s (see branch-required-reviews), so there is nothing to dismiss", b.Name)
			},
		},
		{
			ID: "branch-release-protection", Title: "Release branches protected like the default branch",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermRepoAdmin,
			Remediation: "Extend the default branch's protection to the release branches: add their pattern (e.g. `refs/heads/release/**`) to the ref_name include " +
				"of the default branch's ruleset (Settings → Rules → Rulesets; `rampart audit fix` does this in the ruleset it manages), " +
				"or protect each one: `gh api -X PUT repos/{repo}/branches/BRANCH/protection --input protection.json`.",
			Run: func(in Input, p *Policy) Outcome {
				r := in.Repo
				if !r.Branches.OK() {
					return unknown("the branch list", r.Branches.Read)
				}
				names := releaseBranchNames(r, p)
				if len(names) == 0 {
					if r.Branches.Truncated {
						return Outcome{Status: StatusUnknown, Evidence: fmt.Sprintf("no release branch among the first %d branches read (the list was cut)", len(r.Branches.Branches))}
					}
					return pass("no branch matches release_branches (%s)", strings.Join(p.ReleaseBranches, ", "))
				}
				// Only controls the default branch has are asked of release
				// branches; the default-branch checks report the rest.
				var wanted []int
				for i, c := range releaseControls {
					if judgeControl(&r.Branch, p, c.what, c.classic, c.rule).Status == StatusPass {
						wanted = append(wanted, i)
					}
				}
				if len(wanted) == 0 {
					return pass("%s itself is not protected (see branch-protected); %d release %s: %s", r.DefaultBranch, len(names),
						pluralWord(len(names), "branch", "branches"), listSome(names, 10))
				}
				byName := map[string]*BranchSnapshot{}
				for i := range r.ReleaseBranches {
					byName[r.ReleaseBranches[i].Name] = &r.ReleaseBranches[i]
				}
				var weak, unseen, good []string
				for _, n := range names {
					snap := byName[n]
					if snap == nil {
						unseen = append(unseen, n+" (not collected)")
						continue
					}
					b := *snap
					b.Rulesets = r.Branch.Rulesets // rulesets are the repository's, whatever the branch
					var lacks, hidden []string
					for _, i := range wanted {
						c := releaseControls[i]
						switch judgeControlOn(&b, r.DefaultBranch, p, c.what, c.classic, c.rule).Status {
						case StatusPass:
						case StatusFail:
							lacks = append(lacks, c.what)
						default:
							hidden = append(hidden, c.what)
						}
					}
					switch {
					case len(lacks) > 0:
						weak = append(weak, n+" lacks "+strings.Join(lacks, ", "))
					case len(hidden) > 0:
						unseen = append(unseen, n+": "+strings.Join(hidden, ", ")+" not visible")
					default:
						good = append(good, n)
					}
				}
				var wantNames []string
				for _, i := range wanted {
					wantNames = append(wantNames, releaseControls[i].what)
				}
				if len(weak) > 0 {
					return fail("release branches not protected like %s (%s): %s", r.DefaultBranch, strings.Join(wantNames, ", "), listSome(weak, 10))
				}
				if len(unseen) > 0 {
					return Outcome{Status: StatusUnknown, Evidence: "release branches: " + listSome(unseen, 10)}
				}
				return pass("%d release %s protected like %s (%s): %s", len(good), pluralWord(len(good), "branch", "branches"), r.DefaultBranch,
					strings.Join(wantNames, ", "), listSome(good, 10))
			},
		},
	}
})

var releaseRepoChecks = sync.OnceValue(func() []*Check {
	return []*Check{
		{
			ID: "repo-tag-protection", Title: "Release tags protected from deletion and rewrite",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermRepoAdmin,
			Remediation: "Create a tag ruleset for the release tags with \"Restrict deletions\", \"Restrict updates\" and \"Block force pushes\" and no bypass: " +
				"Settings → Rules → Rulesets → New tag ruleset, or `gh api -X POST repos/{repo}/rulesets --input tags.json` with `\"target\": \"tag\"`, " +
				"`\"conditions\": {\"ref_name\": {\"include\": [\"refs/tags/v*\"], \"exclude\": []}}` and rules deletion, update and non_fast_forward " +
				"(`rampart audit fix` creates one named " + FixTagRulesetName + ").",
			Run: func(in Input, p *Policy) Outcome {
				r := in.Repo
				if !r.Tags.OK() {
					return unknown("tags", r.Tags.Read)
				}
				tags := releaseTagNames(r, p)
				if len(tags) == 0 {
					return pass("no tag matches release_tags (%s)", strings.Join(p.ReleaseTags, ", "))
				}
				rs := r.Branch.Rulesets
				if !rs.OK() {
					return unknown("rulesets", rs.Read)
				}
				var maybe, notes, by []string
				noDelete, noRewrite := map[string]bool{}, map[string]bool{}
				for i := range rs.Rulesets {
					set := &rs.Rulesets[i]
					if set.Target != "tag" {
						continue
					}
					label := fmt.Sprintf("ruleset %q (%s, id %d)", set.Name, sourceLabel(set.SourceType, set.Source), set.ID)
					if !set.Detailed {
						if set.Enforcement == "active" {
							maybe = append(maybe, label+": conditions and rules not visible")
						}
						continue
					}
					var del, rew bool
					for _, ru := range set.Rules {
						switch ru.Type {
						case "deletion":
							del = true
						case "non_fast_forward", "update":
							rew = true
						}
					}
					if !del && !rew {
						continue
					}
					var covered int
					for _, t := range tags {
						in := false
						for _, g := range set.RefInclude {
							if tagRefMatches(g, t) {
								in = true
							}
						}
						for _, g := range set.RefExclude {
							if tagRefMatches(g, t) {
								in = false
							}
						}
						if !in {
							continue
						}
						covered++
						if set.Enforcement == "active" {
							noDelete[t] = noDelete[t] || del
							noRewrite[t] = noRewrite[t] || rew
						}
					}
					switch {
					case covered == 0:
					case set.Enforcement == "evaluate":
						notes = append(notes, label+" is in evaluate mode and enforces nothing")
					case set.Enforcement == "active":
						by = append(by, label+", "+bypassNote(set))
					}
				}
				var open []string
				for _, t := range tags {
					var why []string
					if !noDelete[t] {
						why = append(why, "deleted")
					}
					if !noRewrite[t] {
						why = append(why, "moved")
					}
					if len(why) > 0 {
						open = append(open, t+" can be "+strings.Join(why, " or "))
					}
				}
				tail := ""
				if len(notes) > 0 {
					tail = "; " + strings.Join(notes, "; ")
				}
				if len(open) == 0 {
					return pass("%d release %s (%s) protected by %s%s", len(tags), pluralWord(len(tags), "tag", "tags"), listSome(tags, 5), strings.Join(by, "; "), tail)
				}
				if len(maybe) > 0 {
					return Outcome{Status: StatusUnknown, Evidence: listSome(open, 5) + "; but " + strings.Join(maybe, "; ") + tail}
				}
				return fail("%d of %d release %s unprotected: %s%s", len(open), len(tags), pluralWord(len(tags), "tag", "tags"), listSome(open, 5), tail)
			},
		},
	}
})
