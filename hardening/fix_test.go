package hardening

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// weakRepo is a public organisation repository with nothing turned on: no
// protection at all, every security feature off, a write token, an
// unverified webhook and unprotected release tags.
func weakRepo() *RepoSnapshot {
	r := goodRepo()
	r.Branch.Classic = ClassicProtection{Read: ok()}
	r.Branch.Rules = ActiveRules{Read: ok()}
	r.Branch.Rulesets = Rulesets{Read: ok()}
	r.ReleaseBranches = []BranchSnapshot{{Name: "release/1.x", Classic: ClassicProtection{Read: ok()}, Rules: ActiveRules{Read: ok()}}}
	r.Security = SecurityAnalysis{Read: ok(), SecretScanning: bp(false), PushProtection: bp(false)}
	r.DependabotAlerts = Toggle{Read: ok()}
	r.DependabotSecurityUpdates = SecurityUpdates{Read: ok()}
	r.PrivateVulnerabilityReporting = Toggle{Read: ok()}
	r.WorkflowPermissions = WorkflowPermissions{Read: ok(), Default: "write", CanApprove: bp(true)}
	r.Webhooks = Webhooks{Read: ok(), Hooks: []Webhook{{ID: 31, Host: "ci.example.com", Active: true, HasSecret: true, InsecureSSL: true},
		{ID: 32, Host: "chat.example.com", Active: true}}}
	r.DeployKeys.Keys[0].ReadOnly = false
	return r
}

func planFor(t *testing.T, s *Snapshot, p *Policy, o PlanOptions) *Plan {
	t.Helper()
	if p == nil {
		p = DefaultPolicy()
	}
	if o.Now.IsZero() {
		o.Now = testNow
	}
	return PlanFixes(s, p, o)
}

func changesByKind(pl *Plan) map[FixKind]Change {
	out := map[FixKind]Change{}
	for _, c := range pl.Changes {
		out[c.Kind] = c
	}
	return out
}

func manualChecks(pl *Plan) map[string]bool {
	out := map[string]bool{}
	for _, m := range pl.Manual {
		out[m.Check] = true
	}
	return out
}

func TestPlanWeakRepository(t *testing.T) {
	t.Parallel()
	snap := &Snapshot{Version: SnapshotVersion, APIURL: "https://api.github.com/", Org: goodOrg(), Repos: []*RepoSnapshot{weakRepo()}}
	p := DefaultPolicy()
	p.RequiredStatusChecks = []string{"build"}
	pl := planFor(t, snap, p, PlanOptions{})
	got := changesByKind(pl)
	want := map[FixKind]struct {
		method, path string
		checks       []string
	}{
		FixSecurityAnalysis:    {"PATCH", "repos/acme/api", []string{"repo-secret-scanning", "repo-push-protection"}},
		FixVulnerabilityAlerts: {"PUT", "repos/acme/api/vulnerability-alerts", []string{"repo-dependabot-alerts"}},
		FixSecurityUpdates:     {"PUT", "repos/acme/api/automated-security-fixes", []string{"repo-dependabot-security-updates"}},
		FixPrivateReporting:    {"PUT", "repos/acme/api/private-vulnerability-reporting", []string{"repo-private-vulnerability-reporting"}},
		FixRepoWorkflowToken:   {"PUT", "repos/acme/api/actions/permissions/workflow", []string{"repo-actions-token-permissions"}},
		FixRepoHookTLS:         {"PATCH", "repos/acme/api/hooks/31/config", []string{}},
		FixRepoRuleset:         {"POST", "repos/acme/api/rulesets", nil},
		FixTagRuleset:          {"POST", "repos/acme/api/rulesets", []string{"repo-tag-protection"}},
	}
	if len(got) != len(want) || len(pl.Changes) != len(want) {
		t.Errorf("%d changes of %d kinds, want %d: %+v", len(pl.Changes), len(got), len(want), pl.Changes)
	}
	for k, w := range want {
		c, ok := got[k]
		if !ok {
			t.Errorf("no %s change", k)
			continue
		}
		if len(c.Requests) != 1 || c.Requests[0].Method != w.method || c.Requests[0].Path != w.path {
			t.Errorf("%s: requests %+v, want %s %s", k, c.Requests, w.method, w.path)
		}
		if w.checks != nil && strings.Join(c.Checks, ",") != strings.Join(w.checks, ",") {
			t.Errorf("%s fixes %v, want %v", k, c.Checks, w.checks)
		}
		if c.Permission == "" || c.Summary == "" || len(c.Expect) == 0 {
			t.Errorf("%s: permission, summary and expected state are required: %+v", k, c)
		}
	}
	// The webhook change touches only insecure_ssl and only the hook that
	// needs it; the check still fails for the hook without a secret, which
	// is manual.
	if b := string(got[FixRepoHookTLS].Requests[0].Body); b != `{"insecure_ssl":"0"}` {
		t.Errorf("hook body %s", b)
	}
	if strings.Join(got[FixRepoHookTLS].Partly, ",") != "repo-webhook-security" {
		t.Errorf("hook change should work towards repo-webhook-security: %+v", got[FixRepoHookTLS])
	}
	// The branch ruleset is rampart's, covers release branches, has no
	// bypass, and fixes the branch checks.
	var rs RulesetBody
	if err := json.Unmarshal(got[FixRepoRuleset].Requests[0].Body, &rs); err != nil {
		t.Fatal(err)
	}
	if rs.Name != FixRulesetName || rs.Enforcement != "active" || len(rs.BypassActors) != 0 ||
		strings.Join(rs.Conditions.RefName.Include, " ") != "~DEFAULT_BRANCH refs/heads/release/** refs/heads/release-* refs/heads/releases/** refs/heads/stable/**" {
		t.Errorf("ruleset body %+v", rs)
	}
	fixed := strings.Join(got[FixRepoRuleset].Checks, ",")
	for _, id := range []string{"branch-protected", "branch-force-push", "branch-deletion", "branch-required-reviews", "branch-status-checks"} {
		if !strings.Contains(fixed, id) {
			t.Errorf("ruleset should fix %s; fixes %s", id, fixed)
		}
	}
	if !strings.Contains(string(got[FixRepoRuleset].Requests[0].Body), `{"context":"build"}`) {
		t.Errorf("ruleset lacks the status check the policy names: %s", got[FixRepoRuleset].Requests[0].Body)
	}
	// What rampart never changes is listed with steps and a reason.
	m := manualChecks(pl)
	for _, id := range []string{"repo-deploy-keys", "repo-webhook-security"} {
		if !m[id] {
			t.Errorf("%s should be a manual item; manual: %v", id, m)
		}
	}
	for _, it := range pl.Manual {
		if it.Steps == "" || it.Why == "" || it.Target == "" {
			t.Errorf("manual item without steps or reason: %+v", it)
		}
		if strings.Contains(it.Steps, "{repo}") || strings.Contains(it.Steps, "{org}") {
			t.Errorf("manual steps not expanded: %s", it.Steps)
		}
	}
	// The prediction of the plan passes every check it claims.
	after := Evaluate(Predict(snap, pl.Changes), p, testNow)
	for _, c := range pl.Changes {
		for _, id := range c.Checks {
			if st := statusOf(after, c.Target, id); st != StatusPass && st != StatusWarn {
				t.Errorf("%s claims to fix %s on %s, prediction says %s", c.ID, id, c.Target, st)
			}
		}
	}
	// Planning again over the predicted state changes nothing.
	if again := planFor(t, Predict(snap, pl.Changes), p, PlanOptions{}); len(again.Changes) != 0 {
		t.Errorf("second plan not empty: %+v", again.Changes)
	}
}

func TestPlanRulesetProtectsReleaseBranches(t *testing.T) {
	t.Parallel()
	r := goodRepo()
	r.ReleaseBranches[0].Classic = ClassicProtection{Read: ok()}
	snap := &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{r}}
	pl := planFor(t, snap, nil, PlanOptions{})
	c, ok := changesByKind(pl)[FixRepoRuleset]
	if !ok || strings.Join(c.Checks, ",") != "branch-release-protection" {
		t.Fatalf("want a ruleset fixing branch-release-protection, got %+v", pl.Changes)
	}
}

func TestPlanRulesetReusesClassicStatusChecks(t *testing.T) {
	t.Parallel()
	r := weakRepo()
	r.Branch.Classic = ClassicProtection{Read: ok(), Enabled: true, RequiredStatusChecks: &StatusChecks{Contexts: []string{"ci/test"}}}
	c := changesByKind(planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{r}}, nil, PlanOptions{}))[FixRepoRuleset]
	if len(c.Requests) == 0 || !strings.Contains(string(c.Requests[0].Body), `{"context":"ci/test"}`) {
		t.Errorf("ruleset should require the checks classic protection names: %+v", c)
	}
}

func statusOf(rep *Report, target, check string) Status {
	for _, t := range rep.Targets {
		if t.Name != target {
			continue
		}
		for _, r := range t.Results {
			if r.Check == check {
				return r.Status
			}
		}
	}
	return ""
}

func TestPlanGoodOrganisationIsEmpty(t *testing.T) {
	t.Parallel()
	snap := &Snapshot{Version: SnapshotVersion, Org: goodOrg(), Repos: []*RepoSnapshot{goodRepo()}}
	pl := planFor(t, snap, nil, PlanOptions{})
	if len(pl.Changes) != 0 || len(pl.Manual) != 0 {
		t.Fatalf("plan for a passing organisation: %+v / %+v", pl.Changes, pl.Manual)
	}
}

func TestPlanLeavesToAnAdminWhatTheTokenCannotChange(t *testing.T) {
	t.Parallel()
	r := weakRepo()
	r.ViewerPermission = "write"
	pl := planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{r}}, nil, PlanOptions{})
	if len(pl.Changes) != 0 {
		t.Fatalf("planned changes a write token cannot make: %+v", pl.Changes)
	}
	for _, m := range pl.Manual {
		if fixable(m.Check) && !strings.Contains(m.Why, "needs an administrator's token") {
			t.Errorf("%s: why %q", m.Check, m.Why)
		}
	}
}

func TestPlanNeverWritesBlind(t *testing.T) {
	t.Parallel()
	r := weakRepo()
	// What the token cannot see is unknown, and unknown is never planned.
	r.Security = SecurityAnalysis{Read: denied()}
	r.Branch.Rulesets = Rulesets{Read: denied()}
	r.Branch.Classic = ClassicProtection{Read: denied()}
	snap := &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{r}}
	got := changesByKind(planFor(t, snap, nil, PlanOptions{}))
	for _, k := range []FixKind{FixSecurityAnalysis, FixRepoRuleset, FixTagRuleset} {
		if _, ok := got[k]; ok {
			t.Errorf("planned %s over state the token cannot see", k)
		}
	}
}

func TestPlanRulesetOwnership(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	want := desiredBranchRuleset(p, weakRepo(), false)
	mine := rulesetFromBody(want, 55, "Repository", "acme/api")

	t.Run("rampart's ruleset up to date: nothing to do", func(t *testing.T) {
		r := weakRepo()
		placeRuleset(r, mine)
		// GitHub adds parameters of its own; they do not count as drift.
		for i, ru := range r.Branch.Rulesets.Rulesets[0].Rules {
			if ru.Type == "pull_request" {
				var m map[string]any
				json.Unmarshal(ru.Parameters, &m)
				m["allowed_merge_methods"] = []string{"merge", "squash", "rebase"}
				b, _ := json.Marshal(m)
				r.Branch.Rulesets.Rulesets[0].Rules[i].Parameters = b
			}
		}
		pl := planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{r}}, p, PlanOptions{})
		if _, ok := changesByKind(pl)[FixRepoRuleset]; ok {
			t.Errorf("updated an up-to-date ruleset: %+v", pl.Changes)
		}
	})
	t.Run("rampart's ruleset weaker than the policy: updated in place", func(t *testing.T) {
		r := weakRepo()
		weak := mine
		weak.Rules = weak.Rules[:2] // deletion and non_fast_forward only
		placeRuleset(r, weak)
		c, ok := changesByKind(planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{r}}, p, PlanOptions{}))[FixRepoRuleset]
		if !ok {
			t.Fatal("no update planned")
		}
		if c.Requests[0].Method != "PUT" || c.Requests[0].Path != "repos/acme/api/rulesets/55" {
			t.Errorf("update request %+v", c.Requests[0])
		}
		var st RulesetState
		json.Unmarshal(c.Expect, &st)
		if !st.Exists || st.ID != 55 || st.Body == nil || len(st.Body.Rules) != 2 {
			t.Errorf("expected state %s", c.Expect)
		}
	})
	t.Run("a foreign ruleset is never touched", func(t *testing.T) {
		r := weakRepo()
		foreign := mine
		foreign.Name, foreign.ID = "team-rules", 77
		foreign.Rules = foreign.Rules[:1]
		placeRuleset(r, foreign)
		pl := planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{r}}, p, PlanOptions{})
		for _, c := range pl.Changes {
			for _, rq := range c.Requests {
				if strings.Contains(rq.Path, "/77") {
					t.Errorf("wrote to a foreign ruleset: %+v", rq)
				}
			}
		}
		if c := changesByKind(pl)[FixRepoRuleset]; c.Requests[0].Method != "POST" {
			t.Errorf("want rampart's own ruleset created beside it, got %+v", c.Requests)
		}
	})
	t.Run("the organisation's rampart ruleset is not the repository's", func(t *testing.T) {
		r := weakRepo()
		orgs := mine
		orgs.SourceType, orgs.Source, orgs.ID = "Organization", "acme", 88
		orgs.Rules = orgs.Rules[:1]
		placeRuleset(r, orgs)
		c := changesByKind(planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{r}}, p, PlanOptions{}))[FixRepoRuleset]
		if len(c.Requests) == 0 || c.Requests[0].Method != "POST" || c.Requests[0].Path != "repos/acme/api/rulesets" {
			t.Errorf("want a repository ruleset created, got %+v", c.Requests)
		}
	})
	t.Run("a ruleset rampart cannot read is never overwritten", func(t *testing.T) {
		r := weakRepo()
		hidden := mine
		hidden.Detailed, hidden.Rules = false, nil
		r.Branch.Rulesets.Rulesets = []Ruleset{hidden}
		if _, ok := changesByKind(planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{r}}, p, PlanOptions{}))[FixRepoRuleset]; ok {
			t.Error("planned a write over a ruleset whose content is not visible")
		}
	})
}

func TestPlanOrganisationRuleset(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.FixRuleset = FixRulesetOrganization
	a, b := weakRepo(), weakRepo()
	b.FullName, b.Name = "acme/web", "web"
	org := goodOrg()
	snap := &Snapshot{Version: SnapshotVersion, Org: org, Repos: []*RepoSnapshot{a, b}}
	pl := planFor(t, snap, p, PlanOptions{})
	var orgChanges, repoRulesets int
	for _, c := range pl.Changes {
		switch c.Kind {
		case FixOrgRuleset:
			orgChanges++
			if c.Requests[0].Path != "orgs/acme/rulesets" || !strings.Contains(string(c.Requests[0].Body), `"repository_name":{"exclude":[],"include":["~ALL"]}`) &&
				!strings.Contains(string(c.Requests[0].Body), `"repository_name":{"include":["~ALL"],"exclude":[]}`) {
				t.Errorf("organisation ruleset request %s %s", c.Requests[0].Path, c.Requests[0].Body)
			}
		case FixRepoRuleset:
			repoRulesets++
		}
	}
	if orgChanges != 1 || repoRulesets != 0 {
		t.Errorf("%d organisation rulesets and %d repository rulesets planned, want 1 and 0", orgChanges, repoRulesets)
	}
	if again := planFor(t, Predict(snap, pl.Changes), p, PlanOptions{}); len(again.Changes) != 0 {
		t.Errorf("second plan not empty: %+v", again.Changes)
	}
}

func TestPlanChecksSelection(t *testing.T) {
	t.Parallel()
	snap := &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{weakRepo()}}
	pl := planFor(t, snap, nil, PlanOptions{Checks: []string{"repo-push-protection", "repo-deploy-keys"}})
	if len(pl.Changes) != 1 || pl.Changes[0].Kind != FixSecurityAnalysis {
		t.Fatalf("changes %+v", pl.Changes)
	}
	if b := string(pl.Changes[0].Requests[0].Body); b != `{"security_and_analysis":{"secret_scanning_push_protection":{"status":"enabled"}}}` {
		t.Errorf("only the selected field may be written: %s", b)
	}
	if len(pl.Manual) != 1 || pl.Manual[0].Check != "repo-deploy-keys" {
		t.Errorf("manual %+v", pl.Manual)
	}
}

func TestPlanWaivedFailuresAreLeftAlone(t *testing.T) {
	t.Parallel()
	p, err := ParsePolicy("p.toml", []byte(`[audit]
[[audit.waivers]]
check = "repo-secret-scanning"
repos = ["acme/*"]
reason = "licence pending"
expires = 2099-01-01
`))
	if err != nil {
		t.Fatal(err)
	}
	pl := planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{weakRepo()}}, p, PlanOptions{})
	c := changesByKind(pl)[FixSecurityAnalysis]
	if strings.Contains(string(c.Requests[0].Body), `"secret_scanning":`) {
		t.Errorf("a waived check was fixed: %s", c.Requests[0].Body)
	}
}

func TestPlanCodeSecurityDefault(t *testing.T) {
	t.Parallel()
	mine := CodeSecurityConfig{ID: 41, Name: FixCodeSecurityConfigName, TargetType: "organization", SecretScanning: "enabled",
		PushProtection: "disabled", DependabotAlerts: "enabled"}
	foreign := CodeSecurityConfig{ID: 9, Name: "legacy", TargetType: "organization", SecretScanning: "enabled", PushProtection: "disabled", DependabotAlerts: "enabled"}
	cases := []struct {
		name     string
		defaults []DefaultCodeSecurityConfig
		all      []CodeSecurityConfig
		requests []string // "METHOD path"
		manual   bool
	}{
		{name: "no default: create rampart's and make it the default", all: []CodeSecurityConfig{recommended},
			requests: []string{"POST orgs/acme/code-security/configurations", "PUT orgs/acme/code-security/configurations/{created_id}/defaults"}},
		{name: "rampart's exists but incomplete and not default", all: []CodeSecurityConfig{recommended, mine},
			requests: []string{"PATCH orgs/acme/code-security/configurations/41", "PUT orgs/acme/code-security/configurations/41/defaults"}},
		{name: "only public covered: rampart's for the rest", defaults: []DefaultCodeSecurityConfig{{ForNewRepos: "public", Config: recommended}},
			all: []CodeSecurityConfig{recommended}, requests: []string{"POST orgs/acme/code-security/configurations", "PUT orgs/acme/code-security/configurations/{created_id}/defaults"}},
		{name: "a foreign default lacks features: manual", defaults: []DefaultCodeSecurityConfig{{ForNewRepos: "all", Config: foreign}},
			all: []CodeSecurityConfig{foreign}, manual: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			org := goodOrg()
			org.CodeSecurity = CodeSecurityConfigs{Read: ok(), AllRead: ok(), Defaults: tc.defaults, All: tc.all}
			snap := &Snapshot{Version: SnapshotVersion, Org: org, Repos: []*RepoSnapshot{goodRepo()}}
			pl := planFor(t, snap, nil, PlanOptions{})
			c, ok := changesByKind(pl)[FixCodeSecurityDefault]
			if tc.manual {
				if ok || !manualChecks(pl)["org-security-defaults"] {
					t.Fatalf("want manual only: changes %+v manual %+v", pl.Changes, pl.Manual)
				}
				return
			}
			if !ok {
				t.Fatalf("no change: manual %+v", pl.Manual)
			}
			var got []string
			for _, rq := range c.Requests {
				got = append(got, rq.Method+" "+rq.Path)
			}
			if strings.Join(got, "; ") != strings.Join(tc.requests, "; ") {
				t.Errorf("requests %v, want %v", got, tc.requests)
			}
			if strings.Contains(tc.name, "only public") && !strings.Contains(string(c.Requests[1].Body), "private_and_internal") {
				t.Errorf("default should cover only private and internal: %s", c.Requests[1].Body)
			}
			if again := planFor(t, Predict(snap, pl.Changes), nil, PlanOptions{}); len(again.Changes) != 0 {
				t.Errorf("second plan not empty: %+v", again.Changes)
			}
		})
	}
}

func TestPlanIssues(t *testing.T) {
	t.Parallel()
	existingBody := func() string {
		r := weakRepo()
		r.Private = true
		rep := Evaluate(&Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{r}}, DefaultPolicy(), testNow)
		var f []Result
		for _, r := range rep.Targets[0].Results {
			if r.Failing() {
				f = append(f, r)
			}
		}
		return IssueBody("acme/api", f)
	}
	cases := []struct {
		name     string
		repo     func() *RepoSnapshot
		mode     IssueMode
		requests []string
	}{
		{name: "open, creating the label", mode: IssuesOnly, repo: func() *RepoSnapshot {
			r := weakRepo()
			r.AuditIssue = AuditIssue{Read: ok()}
			return r
		}, requests: []string{"POST repos/acme/api/labels", "POST repos/acme/api/issues"}},
		{name: "open, label exists", mode: IssuesOnly, repo: func() *RepoSnapshot {
			r := weakRepo()
			r.AuditIssue = AuditIssue{Read: ok(), LabelExists: true}
			return r
		}, requests: []string{"POST repos/acme/api/issues"}},
		{name: "unchanged issue is left alone", mode: IssuesOnly, repo: func() *RepoSnapshot {
			r := weakRepo()
			r.AuditIssue = AuditIssue{Read: ok(), LabelExists: true, Number: 12, Title: FixIssueTitle, Body: existingBody()}
			return r
		}},
		{name: "changed issue is updated", mode: IssuesOnly, repo: func() *RepoSnapshot {
			r := weakRepo()
			r.AuditIssue = AuditIssue{Read: ok(), LabelExists: true, Number: 12, Title: FixIssueTitle, Body: "old"}
			return r
		}, requests: []string{"PATCH repos/acme/api/issues/12"}},
		{name: "everything passes: closed with a comment", mode: IssuesOnly, repo: func() *RepoSnapshot {
			r := goodRepo()
			r.AuditIssue = AuditIssue{Read: ok(), LabelExists: true, Number: 12, Title: FixIssueTitle, Body: "old"}
			return r
		}, requests: []string{"POST repos/acme/api/issues/12/comments", "PATCH repos/acme/api/issues/12"}},
		{name: "issue state unknown: nothing", mode: IssuesOnly, repo: func() *RepoSnapshot {
			r := weakRepo()
			r.AuditIssue = AuditIssue{Read: denied()}
			return r
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.repo()
			r.Private = true // public repositories: TestPlanIssuesPublic
			pl := planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{r}}, nil, PlanOptions{Issues: tc.mode})
			var got []string
			for _, c := range pl.Changes {
				if c.Kind != FixIssue {
					t.Errorf("issues-only plan changes settings: %+v", c)
				}
				for _, rq := range c.Requests {
					got = append(got, rq.Method+" "+rq.Path)
				}
			}
			if strings.Join(got, "; ") != strings.Join(tc.requests, "; ") {
				t.Errorf("requests %v, want %v", got, tc.requests)
			}
		})
	}
	t.Run("beside fixes, the issue lists only what stays manual", func(t *testing.T) {
		r := weakRepo()
		r.Private = true
		r.AuditIssue = AuditIssue{Read: ok(), LabelExists: true}
		pl := planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{r}}, nil, PlanOptions{Issues: IssuesBeside})
		var issue *Change
		for i := range pl.Changes {
			if pl.Changes[i].Kind == FixIssue {
				issue = &pl.Changes[i]
			}
		}
		if issue == nil {
			t.Fatal("no issue planned")
		}
		var body struct{ Body string }
		json.Unmarshal(issue.Requests[0].Body, &body)
		if !strings.Contains(body.Body, "repo-deploy-keys") || strings.Contains(body.Body, "repo-push-protection") {
			t.Errorf("issue body should list the manual items only:\n%s", body.Body)
		}
		if !strings.HasPrefix(body.Body, FixIssueMarker) {
			t.Error("issue body lacks the marker rampart finds it by")
		}
	})
}

func TestPlanJSONRoundTripAndValidation(t *testing.T) {
	t.Parallel()
	pl := planFor(t, &Snapshot{Version: SnapshotVersion, APIURL: "https://api.github.com/", Repos: []*RepoSnapshot{weakRepo()}}, nil, PlanOptions{})
	var buf bytes.Buffer
	if err := WritePlan(&buf, pl); err != nil {
		t.Fatal(err)
	}
	back, err := ReadPlan(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Changes) != len(pl.Changes) || back.APIURL != pl.APIURL {
		t.Fatalf("round trip lost changes")
	}
	bad := []struct{ name, edit, want string }{
		{"delete", `"method": "PUT"`, "method \"DELETE\" is not allowed"},
		{"absolute path", `"path": "repos/acme/api/vulnerability-alerts"`, "must be relative"},
		{"unknown field", `"summary"`, "unknown field"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			s := buf.String()
			switch b.name {
			case "delete":
				s = strings.Replace(s, b.edit, `"method": "DELETE"`, 1)
			case "absolute path":
				s = strings.Replace(s, b.edit, `"path": "https://evil.example/x"`, 1)
			case "unknown field":
				s = strings.Replace(s, b.edit, `"summry"`, 1)
			}
			if _, err := ReadPlan(strings.NewReader(s)); err == nil || !strings.Contains(err.Error(), b.want) {
				t.Errorf("err %v, want %q", err, b.want)
			}
		})
	}
}

func TestEveryManualCheckHasAReason(t *testing.T) {
	t.Parallel()
	for _, c := range Checks() {
		if !fixable(c.ID) {
			if _, ok := manualWhys[c.ID]; !ok {
				t.Errorf("%s is never fixed and has no reason in manualWhys", c.ID)
			}
		}
	}
}

// FuzzReadPlan: a hand-edited plan is applied as written, so the reader
// must never panic and must never let a method other than POST, PUT or
// PATCH through.
func FuzzReadPlan(f *testing.F) {
	var buf bytes.Buffer
	WritePlan(&buf, PlanFixes(&Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{weakRepo()}}, DefaultPolicy(), PlanOptions{Now: testNow}))
	f.Add(buf.Bytes())
	f.Add([]byte(`{"version":1,"changes":[{"id":"x","kind":"repo-issue","expect":{},"requests":[{"method":"DELETE","path":"a"}]}],"manual":[]}`))
	f.Add([]byte(`{"version":1,"changes":[{"id":"x","kind":"repo-issue","expect":{},"requests":[{"method":"POST","path":"/a","body":"{"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pl, err := ReadPlan(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, c := range pl.Changes {
			for _, rq := range c.Requests {
				if rq.Method != "POST" && rq.Method != "PUT" && rq.Method != "PATCH" {
					t.Fatalf("method %q got through", rq.Method)
				}
				if strings.HasPrefix(rq.Path, "/") || strings.Contains(rq.Path, "://") {
					t.Fatalf("path %q got through", rq.Path)
				}
			}
		}
	})
}

// TestReadPlanOnlyTheRequestsPlansMake: every request PlanFixes writes
// passes the reader, and a plan edited to call anything else — add a
// collaborator, create a deploy key, point a change at another kind's
// endpoint, smuggle a path through escapes — is refused as a whole.
func TestReadPlanOnlyTheRequestsPlansMake(t *testing.T) {
	for _, mode := range []IssueMode{IssuesNone, IssuesBeside} {
		pl := planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{weakRepo()}}, nil, PlanOptions{Issues: mode})
		if len(pl.Changes) == 0 {
			t.Fatal("the weak repository needs no change?")
		}
		var buf bytes.Buffer
		if err := WritePlan(&buf, pl); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadPlan(&buf); err != nil {
			t.Fatalf("mode %v: a plan PlanFixes wrote is refused: %v", mode, err)
		}
	}
	tampered := []struct{ kind, method, path string }{
		{"repo-vulnerability-alerts", "PUT", "repos/acme/api/collaborators/evil"},
		{"repo-branch-ruleset", "POST", "repos/acme/api/keys"},
		{"repo-issue", "PATCH", "repos/acme/api"},
		{"org-branch-ruleset", "PUT", "orgs/acme/memberships/evil"},
		{"repo-security-analysis", "PATCH", "repos/acme/api%2F..%2Fother"},
		{"repo-webhook-tls", "PATCH", "repos/acme/api/hooks/31"},
		{"repo-webhook-tls", "PATCH", "repos/acme/api/hooks/x/config"},
	}
	for _, tt := range tampered {
		doc := fmt.Sprintf(`{"version":%d,"changes":[{"id":"x","kind":%q,"expect":{},"requests":[{"method":%q,"path":%q}]}],"manual":[]}`, PlanVersion, tt.kind, tt.method, tt.path)
		if _, err := ReadPlan(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), "is not a request") {
			t.Errorf("%s %s as %s: %v, want refused", tt.method, tt.path, tt.kind, err)
		}
	}
}

// TestPlanIssuesPublic: a public repository gets no issue listing its
// weaknesses unless PublicIssues is set, and the plan says why; an
// existing issue is still closed once everything passes.
func TestPlanIssuesPublic(t *testing.T) {
	weak := weakRepo()
	weak.AuditIssue = AuditIssue{Read: ok(), LabelExists: true}
	pl := planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{weak}}, nil, PlanOptions{Issues: IssuesOnly})
	if len(pl.Changes) != 0 || len(pl.Notes) != 1 || !strings.Contains(pl.Notes[0], "acme/api") {
		t.Errorf("public repository: changes %+v, notes %q", pl.Changes, pl.Notes)
	}
	pl = planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{weak}}, nil, PlanOptions{Issues: IssuesOnly, PublicIssues: true})
	if len(pl.Changes) != 1 || len(pl.Notes) != 0 {
		t.Errorf("with PublicIssues: changes %+v, notes %q", pl.Changes, pl.Notes)
	}
	good := goodRepo()
	good.AuditIssue = AuditIssue{Read: ok(), LabelExists: true, Number: 12, Title: FixIssueTitle, Body: "old"}
	pl = planFor(t, &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{good}}, nil, PlanOptions{Issues: IssuesOnly})
	if len(pl.Changes) != 1 || !strings.HasPrefix(pl.Changes[0].Summary, "close issue #12") {
		t.Errorf("closing in a public repository: %+v", pl.Changes)
	}
}
