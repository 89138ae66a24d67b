package hardening

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Issue mode, Allstar's idea done once per repository: one issue lists a
// repository's failing checks with their fixes, is updated when they
// change and closed when they all pass.

// planIssues plans the issue changes for every repository of rep.
// A public repository gets no new or updated issue unless public is set
// (the issue would publish its weaknesses); an existing one is still
// closed when everything passes.
func planIssues(s *Snapshot, rep *Report, selected func(string) bool, public bool) (out []Change, skipped []string) {
	for _, t := range rep.Targets {
		if t.Kind != ScopeRepo.String() || t.Error != "" {
			continue
		}
		r := repoByName(s, t.Name)
		if r == nil || !r.AuditIssue.OK() {
			continue // cannot tell whether an issue exists: never open a second
		}
		var failing []Result
		for _, res := range t.Results {
			if res.Failing() && selected(res.Check) {
				failing = append(failing, res)
			}
		}
		if !r.Private && !public && len(failing) > 0 {
			skipped = append(skipped, r.FullName)
			continue
		}
		if c, ok := issueChange(r, failing); ok {
			out = append(out, c)
		}
	}
	return out, skipped
}

func issueChange(r *RepoSnapshot, failing []Result) (Change, bool) {
	ai := r.AuditIssue
	base := "repos/" + url.PathEscape(r.Owner) + "/" + url.PathEscape(r.Name)
	st := IssueState{Number: ai.Number, LabelExists: ai.LabelExists}
	if ai.Number != 0 {
		st.BodySHA = BodySHA(ai.Body)
	}
	c := Change{ID: r.FullName + "/issue", Target: r.FullName, Scope: ScopeRepo.String(), Kind: FixIssue, Expect: MarshalState(st),
		Permission: fixPermissions[FixIssue].String()}
	for _, f := range failing {
		c.Checks = append(c.Checks, f.Check)
	}
	switch {
	case len(failing) == 0 && ai.Number == 0:
		return Change{}, false
	case len(failing) == 0:
		c.Summary = fmt.Sprintf("close issue #%d: every audited check passes", ai.Number)
		c.Requests = []Request{
			{Method: "POST", Path: fmt.Sprintf("%s/issues/%d/comments", base, ai.Number), Body: MarshalState(map[string]string{
				"body": "Every check rampart audits here passes now, so this issue is closed. A later audit reopens a new one if something fails again."})},
			{Method: "PATCH", Path: fmt.Sprintf("%s/issues/%d", base, ai.Number), Body: MarshalState(map[string]string{"state": "closed", "state_reason": "completed"})},
		}
		return c, true
	}
	body := IssueBody(r.FullName, failing)
	if ai.Number != 0 {
		if ai.Body == body && ai.Title == FixIssueTitle {
			return Change{}, false
		}
		c.Summary = fmt.Sprintf("update issue #%d: %d failing %s", ai.Number, len(failing), pluralWord(len(failing), "check", "checks"))
		c.Requests = []Request{{Method: "PATCH", Path: fmt.Sprintf("%s/issues/%d", base, ai.Number),
			Body: MarshalState(map[string]string{"title": FixIssueTitle, "body": body})}}
		return c, true
	}
	c.Summary = fmt.Sprintf("open an issue listing %d failing %s", len(failing), pluralWord(len(failing), "check", "checks"))
	if !ai.LabelExists {
		c.Requests = append(c.Requests, Request{Method: "POST", Path: base + "/labels", Body: MarshalState(map[string]string{
			"name": FixIssueLabel, "color": "b60205", "description": "Security settings rampart's audit found failing"})})
	}
	c.Requests = append(c.Requests, Request{Method: "POST", Path: base + "/issues", Body: MarshalState(map[string]any{
		"title": FixIssueTitle, "body": body, "labels": []string{FixIssueLabel}})})
	return c, true
}

// IssueBody renders the issue for a repository's failing checks: a table,
// then each fix. It carries no date, so an unchanged audit leaves the issue
// unchanged.
func IssueBody(repo string, failing []Result) string {
	rs := append([]Result(nil), failing...)
	pos := map[string]int{}
	for i, c := range Checks() {
		pos[c.ID] = i
	}
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Severity != rs[j].Severity {
			return rs[i].Severity > rs[j].Severity
		}
		return pos[rs[i].Check] < pos[rs[j].Check]
	})
	var b strings.Builder
	b.WriteString(FixIssueMarker + "\n")
	fmt.Fprintf(&b, "rampart's audit of `%s` found %d failing %s. This issue is kept up to date by `rampart audit fix --open-issues` "+
		"and closed when every check passes.\n\n", repo, len(rs), pluralWord(len(rs), "check", "checks"))
	b.WriteString("| Severity | Check | What was seen |\n|---|---|---|\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "| %s | `%s` %s | %s |\n", r.Severity, r.Check, mdEscape(r.Title), mdEscape(r.Evidence))
	}
	b.WriteString("\n## How to fix\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "\n### `%s`: %s\n\n%s\n", r.Check, mdEscape(r.Title), r.Remediation)
		if fixable(r.Check) {
			fmt.Fprintf(&b, "\nrampart can make this change: `rampart audit fix --repo %s --checks %s --apply`.\n", repo, r.Check)
		} else {
			fmt.Fprintf(&b, "\nLeft to a person: %s.\n", manualWhy(r.Check))
		}
	}
	return b.String()
}

func fixable(check string) bool {
	for _, ids := range kindChecks {
		for _, id := range ids {
			if id == check {
				return true
			}
		}
	}
	return false
}

// mdEscape keeps text inside one Markdown table cell and out of HTML.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
