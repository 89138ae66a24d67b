package hardening

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// This file combines classic branch protection and rulesets into the
// effective protection of one branch, naming for each control where it
// comes from and who may bypass it.

// PullRequestParams are the parameters of a pull_request rule.
type PullRequestParams struct {
	RequiredApprovingReviewCount   int  `json:"required_approving_review_count"`
	DismissStaleReviewsOnPush      bool `json:"dismiss_stale_reviews_on_push"`
	RequireCodeOwnerReview         bool `json:"require_code_owner_review"`
	RequireLastPushApproval        bool `json:"require_last_push_approval"`
	RequiredReviewThreadResolution bool `json:"required_review_thread_resolution"`
}

// StatusChecksParams are the parameters of a required_status_checks rule.
type StatusChecksParams struct {
	RequiredStatusChecks []struct {
		Context       string `json:"context"`
		IntegrationID *int64 `json:"integration_id,omitempty"`
	} `json:"required_status_checks"`
	StrictRequiredStatusChecksPolicy bool `json:"strict_required_status_checks_policy"`
}

func decodeParams[T any](raw json.RawMessage) (T, bool) {
	var v T
	if len(raw) == 0 {
		return v, false
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, false
	}
	return v, true
}

// classicRule judges a control in classic protection (only called when it
// is enabled): on, and a detail for the evidence.
type classicRule func(c *ClassicProtection, p *Policy) (on bool, detail string)

// rulesetRule judges a control in one ruleset rule; ok false means the rule
// is not about this control.
type rulesetRule func(typ string, params json.RawMessage, p *Policy) (ok, on bool, detail string)

// classicState says whether classic protection is known, and on.
func classicState(b *BranchSnapshot) (known, enabled bool) {
	switch {
	case b.Classic.OK():
		return true, b.Classic.Enabled
	case b.Protected != nil && !*b.Protected:
		// GET branches/{b} (no admin needed) says nothing protects it.
		return true, false
	}
	return false, false
}

func rulesetIndex(b *BranchSnapshot) map[int64]*Ruleset {
	idx := map[int64]*Ruleset{}
	for i := range b.Rulesets.Rulesets {
		rs := &b.Rulesets.Rulesets[i]
		idx[rs.ID] = rs
	}
	return idx
}

func rulesetLabel(id int64, sourceType, source string, idx map[int64]*Ruleset) string {
	if rs := idx[id]; rs != nil {
		if rs.SourceType != "" {
			sourceType, source = rs.SourceType, rs.Source
		}
		return fmt.Sprintf("ruleset %q (%s, id %d)", rs.Name, sourceLabel(sourceType, source), id)
	}
	return fmt.Sprintf("ruleset %d (%s)", id, sourceLabel(sourceType, source))
}

func sourceLabel(sourceType, source string) string {
	switch strings.ToLower(sourceType) {
	case "organization":
		return "organisation " + source
	case "repository":
		return "repository " + source
	case "enterprise":
		return "enterprise " + source
	}
	if source != "" {
		return source
	}
	return "unknown source"
}

// bypassNote describes who may bypass a ruleset.
func bypassNote(rs *Ruleset) string {
	if rs == nil || !rs.Detailed || !rs.BypassKnown {
		return "bypass actors not visible"
	}
	if len(rs.BypassActors) == 0 {
		return "no bypass"
	}
	return "bypass: " + describeActors(rs.BypassActors)
}

func describeActors(as []BypassActor) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		name := a.ActorType
		if a.ActorID != 0 {
			name += fmt.Sprintf(" %d", a.ActorID)
		}
		mode := a.BypassMode
		if mode == "" {
			mode = "always"
		}
		parts = append(parts, name+" ("+mode+")")
	}
	return strings.Join(parts, ", ")
}

// refMatches reports whether a ruleset ref_name pattern matches branch.
func refMatches(pattern, branch, defaultBranch string) bool {
	switch pattern {
	case "~ALL":
		return true
	case "~DEFAULT_BRANCH":
		return branch == defaultBranch
	}
	return globMatch(strings.TrimPrefix(pattern, "refs/heads/"), branch)
}

// globMatch is fnmatch as rulesets use it: * matches within a path segment,
// ** across segments, ? one character.
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch {
	case strings.HasPrefix(pattern, "**"):
		rest := strings.TrimPrefix(pattern, "**")
		for i := 0; i <= len(s); i++ {
			if globMatch(rest, s[i:]) {
				return true
			}
		}
		return false
	case pattern[0] == '*':
		rest := pattern[1:]
		for i := 0; i <= len(s); i++ {
			if globMatch(rest, s[i:]) {
				return true
			}
			if i < len(s) && s[i] == '/' {
				return false
			}
		}
		return false
	case s == "":
		return false
	case pattern[0] == '?':
		return s[0] != '/' && globMatch(pattern[1:], s[1:])
	case pattern[0] == s[0]:
		return globMatch(pattern[1:], s[1:])
	}
	return false
}

// rulesetApplies reports whether a detailed ruleset's conditions select the
// branch; maybe is true when they are not known.
func rulesetApplies(rs *Ruleset, branch, defaultBranch string) (applies, maybe bool) {
	if !rs.Detailed {
		return false, true
	}
	if rs.Target != "" && rs.Target != "branch" {
		return false, false
	}
	in := false
	for _, p := range rs.RefInclude {
		if refMatches(p, branch, defaultBranch) {
			in = true
			break
		}
	}
	for _, p := range rs.RefExclude {
		if refMatches(p, branch, defaultBranch) {
			return false, false
		}
	}
	return in, false
}

// judgeControl decides one control of the default branch b.
func judgeControl(b *BranchSnapshot, p *Policy, what string, classic classicRule, rule rulesetRule) Outcome {
	return judgeControlOn(b, b.Name, p, what, classic, rule)
}

// judgeControlOn decides one branch control from classic protection and the
// active rules, noting rulesets in evaluate mode that would enforce it.
// defaultBranch resolves ~DEFAULT_BRANCH in ruleset conditions.
func judgeControlOn(b *BranchSnapshot, defaultBranch string, p *Policy, what string, classic classicRule, rule rulesetRule) Outcome {
	idx := rulesetIndex(b)
	var on, weakRules, notes []string
	weakClassic := ""
	cKnown, cEnabled := classicState(b)
	if cKnown && cEnabled && b.Classic.OK() {
		ok, detail := classic(&b.Classic, p)
		label := "classic branch protection"
		if detail != "" {
			label += " (" + detail + ")"
		}
		if !b.Classic.EnforceAdmins {
			label += ", administrators exempt"
		}
		if ok {
			on = append(on, label)
		} else if detail != "" {
			weakClassic = label
		}
	}
	if b.Rules.OK() {
		seen := map[string]bool{}
		for _, r := range b.Rules.Rules {
			ok, isOn, detail := rule(r.Type, r.Parameters, p)
			if !ok {
				continue
			}
			label := rulesetLabel(r.RulesetID, r.RulesetSourceType, r.RulesetSource, idx)
			if detail != "" {
				label += " (" + detail + ")"
			}
			label += ", " + bypassNote(idx[r.RulesetID])
			if seen[label] {
				continue
			}
			seen[label] = true
			if isOn {
				on = append(on, label)
			} else if detail != "" {
				weakRules = append(weakRules, label)
			}
		}
	}
	if b.Rulesets.OK() {
		for i := range b.Rulesets.Rulesets {
			rs := &b.Rulesets.Rulesets[i]
			if rs.Enforcement != "evaluate" {
				continue
			}
			applies, maybe := rulesetApplies(rs, b.Name, defaultBranch)
			if !applies && !maybe {
				continue
			}
			would := maybe
			for _, rr := range rs.Rules {
				if ok, isOn, _ := rule(rr.Type, rr.Parameters, p); ok && isOn {
					would = true
				}
			}
			if would {
				notes = append(notes, fmt.Sprintf("ruleset %q (%s, id %d) is in evaluate mode and enforces nothing",
					rs.Name, sourceLabel(rs.SourceType, rs.Source), rs.ID))
			}
		}
	}
	tail := ""
	if len(notes) > 0 {
		tail = "; " + strings.Join(notes, "; ")
	}
	if len(on) > 0 {
		return pass("%s: %s%s", what, strings.Join(on, "; "), tail)
	}
	var why []string
	if cKnown {
		switch {
		case !cEnabled:
			why = append(why, "no classic branch protection")
		case weakClassic != "":
			why = append(why, weakClassic)
		default:
			why = append(why, "classic branch protection does not enforce it")
		}
	}
	if b.Rules.OK() {
		if len(weakRules) > 0 {
			why = append(why, weakRules...)
		} else {
			why = append(why, "no active ruleset rule enforces it")
		}
	}
	if cKnown && b.Rules.OK() {
		return fail("%s not enforced on %s: %s%s", what, b.Name, strings.Join(why, "; "), tail)
	}
	var unseen []string
	if !cKnown {
		unseen = append(unseen, "classic branch protection "+b.Classic.Why())
	}
	if !b.Rules.OK() {
		unseen = append(unseen, "rules for the branch "+b.Rules.Why())
	}
	ev := fmt.Sprintf("%s on %s: %s", what, b.Name, strings.Join(unseen, "; "))
	if len(why) > 0 {
		ev += "; seen: " + strings.Join(why, "; ")
	}
	return Outcome{Status: StatusUnknown, Evidence: ev + tail}
}

// judgeBypass decides whether anyone can bypass the branch's protection.
func judgeBypass(b *BranchSnapshot) Outcome {
	idx := rulesetIndex(b)
	cKnown, cEnabled := classicState(b)
	var bad, soft, unseen, good []string
	if !cKnown {
		unseen = append(unseen, "classic branch protection "+b.Classic.Why())
	}
	if cKnown && cEnabled && b.Classic.OK() {
		if b.Classic.EnforceAdmins {
			good = append(good, "classic branch protection applies to administrators")
		} else {
			bad = append(bad, "classic branch protection exempts administrators (enforce_admins off)")
		}
		if rr := b.Classic.RequiredReviews; rr != nil && len(rr.BypassAllowed) > 0 {
			bad = append(bad, "may merge without the required reviews: "+strings.Join(rr.BypassAllowed, ", "))
		}
	}
	if !b.Rules.OK() {
		unseen = append(unseen, "rules for the branch "+b.Rules.Why())
	}
	ids := map[int64]ActiveRule{}
	for _, r := range b.Rules.Rules {
		ids[r.RulesetID] = r
	}
	keys := make([]int64, 0, len(ids))
	for id := range ids {
		keys = append(keys, id)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, id := range keys {
		r := ids[id]
		rs := idx[id]
		label := rulesetLabel(id, r.RulesetSourceType, r.RulesetSource, idx)
		if rs == nil || !rs.Detailed || !rs.BypassKnown {
			unseen = append(unseen, label+": bypass actors not visible")
			continue
		}
		var always, pr []BypassActor
		for _, a := range rs.BypassActors {
			if a.BypassMode == "pull_request" {
				pr = append(pr, a)
			} else {
				always = append(always, a)
			}
		}
		switch {
		case len(always) > 0:
			bad = append(bad, label+" may be bypassed by "+describeActors(always))
		case len(pr) > 0:
			soft = append(soft, label+" may be bypassed through pull requests by "+describeActors(pr))
		default:
			good = append(good, label+" has no bypass actors")
		}
	}
	if cKnown && !cEnabled && b.Rules.OK() && len(ids) == 0 {
		return fail("nothing protects %s, so nothing is enforced for anyone", b.Name)
	}
	all := func() string {
		return strings.Join(append(append(append(append([]string(nil), bad...), soft...), unseen...), good...), "; ")
	}
	switch {
	case len(bad) > 0:
		return fail("%s", all())
	case len(unseen) > 0:
		return Outcome{Status: StatusUnknown, Evidence: all()}
	case len(soft) > 0:
		return warn("%s", all())
	}
	return pass("%s", all())
}

// GlobMatch matches a ruleset-style ref pattern (fnmatch: * within a path
// segment, ** across segments, ? one character) against a branch or tag
// name without its refs/heads/ or refs/tags/ prefix.
func GlobMatch(pattern, name string) bool { return globMatch(pattern, name) }
