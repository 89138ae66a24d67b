package ghcollect

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/hardening/ghcollect/ghfake"
)

// weakFakeOrg is an organisation with everything rampart can fix left
// undone: a write token that approves pull requests, an organisation
// webhook without TLS verification, no default code security
// configuration, and repositories without protection or security features.
func weakFakeOrg() (*ghfake.Org, []*ghfake.Repo) {
	org, _ := ghfake.GenerateOrg("acme", 0)
	org.WorkflowDefault, org.CanApprovePRs = "write", true
	org.Hooks = []ghfake.Hook{{ID: 1, URL: "https://hooks.example.com/a", Secret: true, Active: true, InsecureSSL: true}}
	org.CodeSecurityDefaults = nil
	org.Rulesets = nil
	weak := func(name string, private bool) *ghfake.Repo {
		return &ghfake.Repo{Owner: "acme", Name: name, OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "admin", Private: private,
			WorkflowDefault: "write", CanApprovePRs: true, PushedAt: lastWeek,
			Collaborators: []ghfake.Collaborator{{Login: "alice", Permission: "admin"}},
			Hooks:         []ghfake.Hook{{ID: 40, URL: "https://ci.example.com/hook", Secret: true, Active: true, InsecureSSL: true}},
			DeployKeys:    []ghfake.DeployKey{{ID: 5, Title: "deploy", ReadOnly: false, CreatedAt: lastWeek}},
			Branches:      []string{"release/2.x"},
			Tags:          []string{"v2.0.0"},
			Files:         map[string]string{".github/CODEOWNERS": "* @acme/core\n"},
		}
	}
	return org, []*ghfake.Repo{weak("api", false), weak("billing", true)}
}

type recordedSleep struct{ waits []time.Duration }

func (r *recordedSleep) sleep(_ context.Context, d time.Duration) error {
	r.waits = append(r.waits, d)
	return nil
}

func planOrg(t *testing.T, c *Collector, p *hardening.Policy, o hardening.PlanOptions) (*hardening.Snapshot, *hardening.Plan) {
	t.Helper()
	snap, err := c.Org(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if o.Now.IsZero() {
		o.Now = readsNow
	}
	return snap, hardening.PlanFixes(snap, p, o)
}

func TestApplyMakesExactlyThePlannedCalls(t *testing.T) {
	t.Parallel()
	org, repos := weakFakeOrg()
	fake, c, _ := setup(t, org, repos, Options{Now: func() time.Time { return readsNow }})
	p := hardening.DefaultPolicy()
	p.RequiredStatusChecks = []string{"ci"}

	_, pl := planOrg(t, c, p, hardening.PlanOptions{})
	if w := fake.Writes(); len(w) != 0 {
		t.Fatalf("collecting and planning wrote %d times: %+v", len(w), w)
	}
	perRepo := map[string]int{}
	for _, ch := range pl.Changes {
		perRepo[ch.Target] += len(ch.Requests)
	}
	// The organisation: workflow token, webhook TLS, code security
	// configuration (create + set default). Each repository: security
	// analysis, alerts, security updates, private reporting (public only),
	// workflow token, webhook TLS, branch ruleset, tag ruleset.
	if perRepo["acme"] != 4 || perRepo["acme/api"] != 8 || perRepo["acme/billing"] != 7 {
		t.Errorf("requests per target %v", perRepo)
	}

	sleep := &recordedSleep{}
	results, err := c.Apply(context.Background(), pl, ApplyOptions{Sleep: sleep.sleep})
	if err != nil {
		t.Fatal(err)
	}
	var planned []ghfake.Write
	for i, r := range results {
		if r.Status != hardening.Applied {
			t.Errorf("%s: %s: %s", r.Change, r.Status, r.Detail)
		}
		for j, wl := range r.Writes {
			rq := pl.Changes[i].Requests[j]
			if wl.Status < 200 || wl.Status > 299 || len(wl.Response) == 0 && wl.Status != 204 {
				t.Errorf("%s %s: logged answer %d %s", wl.Method, wl.Path, wl.Status, wl.Response)
			}
			planned = append(planned, ghfake.Write{Method: rq.Method, Path: strings.Replace(rq.Path, hardening.CreatedIDPlaceholder, "", 1), Body: rq.Body})
		}
	}
	got := fake.Writes()
	if len(got) != len(planned) {
		t.Fatalf("%d writes, %d planned", len(got), len(planned))
	}
	for i := range got {
		want := planned[i]
		path := got[i].Path
		if strings.Contains(want.Path, "configurations//defaults") {
			// The created configuration's id took the placeholder's place.
			path = strings.Join(append(strings.Split(path, "/")[:4], "", "defaults"), "/")
		}
		if got[i].Method != want.Method || path != want.Path || !bytes.Equal(hardening.Canonical(got[i].Body), hardening.Canonical(want.Body)) {
			t.Errorf("write %d: %s %s %s, planned %s %s %s", i, got[i].Method, got[i].Path, got[i].Body, want.Method, want.Path, want.Body)
		}
		if got[i].Method == "DELETE" {
			t.Error("a DELETE was sent")
		}
	}
	if len(sleep.waits) != len(got)-1 {
		t.Errorf("%d pauses between %d writes", len(sleep.waits), len(got))
	}

	// A re-audit shows the fixed checks passing, and a second plan is empty.
	after, pl2 := planOrg(t, c, p, hardening.PlanOptions{})
	rep := hardening.Evaluate(after, p, readsNow)
	for _, ch := range pl.Changes {
		for _, id := range ch.Checks {
			if st := statusOfTarget(rep, ch.Target, id, after); st != hardening.StatusPass && st != hardening.StatusWarn {
				t.Errorf("%s claimed to fix %s on %s; the re-audit says %s", ch.ID, id, ch.Target, st)
			}
		}
	}
	if len(pl2.Changes) != 0 {
		t.Errorf("second plan not empty: %+v", pl2.Changes)
	}
	// What stays manual is still listed, with steps.
	manual := map[string]bool{}
	for _, m := range pl2.Manual {
		manual[m.Target+" "+m.Check] = true
	}
	for _, want := range []string{"acme/api repo-deploy-keys", "acme/billing repo-code-scanning", "acme/api repo-security-policy"} {
		if !manual[want] {
			t.Errorf("manual items lack %s: %v", want, manual)
		}
	}
}

// statusOfTarget finds a check's status on a target; an organisation
// ruleset's checks are judged on every repository.
func statusOfTarget(rep *hardening.Report, target, check string, _ *hardening.Snapshot) hardening.Status {
	for _, tr := range rep.Targets {
		if tr.Name != target {
			continue
		}
		for _, r := range tr.Results {
			if r.Check == check {
				return r.Status
			}
		}
	}
	return ""
}

func TestApplySkipsWhatDrifted(t *testing.T) {
	t.Parallel()
	org, repos := weakFakeOrg()
	fake, c, _ := setup(t, org, repos, Options{Now: func() time.Time { return readsNow }})
	_, pl := planOrg(t, c, nil, hardening.PlanOptions{})

	// Between plan and apply, someone turns secret scanning on by hand in
	// api, and creates a ruleset called rampart-default-branch in billing.
	api, billing := repos[0], repos[1]
	fake.Mutate(func() {
		api.SecretScanning = true
		billing.Rulesets = append(billing.Rulesets, &ghfake.Ruleset{ID: 77, Name: hardening.FixRulesetName, Target: "branch", Enforcement: "evaluate",
			Include: []string{"~DEFAULT_BRANCH"}, Rules: []ghfake.Rule{{Type: "deletion"}}})
	})
	results, err := c.Apply(context.Background(), pl, ApplyOptions{WriteInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	drifted := map[string]bool{}
	for _, r := range results {
		switch r.Status {
		case hardening.Drifted:
			drifted[r.Change] = true
			if len(r.Writes) != 0 || len(r.Seen) == 0 || !strings.Contains(r.Detail, "plan again") {
				t.Errorf("drifted change %s: %+v", r.Change, r)
			}
		case hardening.Applied:
		default:
			t.Errorf("%s: %s %s", r.Change, r.Status, r.Detail)
		}
	}
	want := []string{"acme/api/security-analysis", "acme/billing/rulesets/" + hardening.FixRulesetName}
	if len(drifted) != len(want) {
		t.Errorf("drifted %v, want %v", drifted, want)
	}
	for _, id := range want {
		if !drifted[id] {
			t.Errorf("%s was not skipped", id)
		}
	}
	for _, w := range fake.Writes() {
		if w.Path == "repos/acme/api" || strings.HasPrefix(w.Path, "repos/acme/billing/rulesets") && strings.Contains(string(w.Body), hardening.FixRulesetName) {
			t.Errorf("wrote to a drifted target: %s %s", w.Method, w.Path)
		}
	}
	// The foreign-looking ruleset was not overwritten.
	if billing.Rulesets[0].Enforcement != "evaluate" {
		t.Error("the ruleset someone made by hand was changed")
	}
}

func TestApplyLogsFailuresAndGoesOn(t *testing.T) {
	t.Parallel()
	org, repos := weakFakeOrg()
	fake, c, _ := setup(t, org, repos[:1], Options{Now: func() time.Time { return readsNow }})
	_, pl := planOrg(t, c, nil, hardening.PlanOptions{})
	fake.Inject(ghfake.Fault{PathContains: "/repos/acme/api/vulnerability-alerts", Method: "PUT", Kind: ghfake.ServerError, Times: 1})
	results, err := c.Apply(context.Background(), pl, ApplyOptions{WriteInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	var failed, applied int
	for _, r := range results {
		switch r.Status {
		case hardening.Failed:
			failed++
		case hardening.Applied:
			applied++
		}
		switch r.Kind {
		case hardening.FixVulnerabilityAlerts:
			// A write is never retried on a 5xx: it may have happened.
			if r.Status != hardening.Failed || len(r.Writes) != 1 || r.Writes[0].Status != 502 {
				t.Errorf("vulnerability alerts: %+v", r)
			}
		case hardening.FixSecurityUpdates:
			// Security updates need alerts: GitHub refuses, and the log
			// keeps its answer.
			if r.Status != hardening.Failed || len(r.Writes) != 1 || r.Writes[0].Status != 422 || !strings.Contains(string(r.Writes[0].Response), "Dependabot alerts must be enabled") {
				t.Errorf("security updates: %+v", r)
			}
		}
	}
	if failed != 2 || applied != len(results)-2 {
		t.Errorf("%d failed, %d applied of %d", failed, applied, len(results))
	}
}

func TestApplyRefusesAnotherGitHub(t *testing.T) {
	t.Parallel()
	org, repos := weakFakeOrg()
	_, c, _ := setup(t, org, repos[:1], Options{})
	_, err := c.Apply(context.Background(), &hardening.Plan{Version: hardening.PlanVersion, APIURL: "https://github.example.com/api/v3/"}, ApplyOptions{})
	if !errors.Is(err, ErrPlanTarget) {
		t.Fatalf("err %v", err)
	}
}

func TestApplyIssuesOpenUpdateClose(t *testing.T) {
	t.Parallel()
	org, repos := weakFakeOrg()
	api := repos[0]
	fake, c, _ := setup(t, org, repos[:1], Options{Now: func() time.Time { return readsNow }, ReadAuditIssues: true})

	// Issues only: one issue per repository, listing every failure.
	_, pl := planOrg(t, c, nil, hardening.PlanOptions{Issues: hardening.IssuesOnly, PublicIssues: true})
	if len(pl.Changes) != 1 || pl.Changes[0].Kind != hardening.FixIssue {
		t.Fatalf("issues-only plan %+v", pl.Changes)
	}
	if _, err := c.Apply(context.Background(), pl, ApplyOptions{WriteInterval: -1}); err != nil {
		t.Fatal(err)
	}
	if len(api.Issues) != 1 || !strings.Contains(api.Issues[0].Body, "repo-push-protection") || api.Issues[0].Labels[0] != hardening.FixIssueLabel {
		t.Fatalf("issue %+v", api.Issues)
	}
	// Unchanged failures: nothing to do.
	if _, pl = planOrg(t, c, nil, hardening.PlanOptions{Issues: hardening.IssuesOnly, PublicIssues: true}); len(pl.Changes) != 0 {
		t.Fatalf("second issues plan %+v", pl.Changes)
	}
	// Fixing beside: the settings change and the issue keeps only the
	// manual items.
	_, pl = planOrg(t, c, nil, hardening.PlanOptions{Issues: hardening.IssuesBeside, PublicIssues: true})
	if _, err := c.Apply(context.Background(), pl, ApplyOptions{WriteInterval: -1}); err != nil {
		t.Fatal(err)
	}
	if body := api.Issues[0].Body; strings.Contains(body, "repo-push-protection") || !strings.Contains(body, "repo-deploy-keys") || len(api.Issues) != 1 {
		t.Errorf("updated issue should list only what is left:\n%s", body)
	}
	// Everything left fixed by hand: the issue is closed with a comment.
	fake.Mutate(func() {
		api.DeployKeys = nil
		api.Files["SECURITY.md"] = "x\n"
		api.CodeScanning = []ghfake.Analysis{{Ref: "refs/heads/main", Tool: "CodeQL", CreatedAt: lastWeek}}
		api.Protection = &ghfake.Protection{RequirePR: true, Approvals: 1, EnforceAdmins: true, RestrictDismissals: true,
			StatusChecks: []string{"ci"}, Strict: true}
		api.Hooks = nil
	})
	_, pl = planOrg(t, c, nil, hardening.PlanOptions{Issues: hardening.IssuesBeside, PublicIssues: true})
	var left []string
	for _, m := range pl.Manual {
		if m.Target == "acme/api" {
			left = append(left, m.Check)
		}
	}
	if len(left) != 0 {
		t.Fatalf("still failing on acme/api: %v", left)
	}
	if _, err := c.Apply(context.Background(), pl, ApplyOptions{WriteInterval: -1}); err != nil {
		t.Fatal(err)
	}
	if api.Issues[0].State != "closed" || len(api.Issues[0].Comments) != 1 {
		t.Errorf("issue not closed with a comment: %+v", api.Issues[0])
	}
}

func TestApplyOrganisationRuleset(t *testing.T) {
	t.Parallel()
	org, repos := weakFakeOrg()
	fake, c, _ := setup(t, org, repos, Options{Now: func() time.Time { return readsNow }})
	p := hardening.DefaultPolicy()
	p.FixRuleset = hardening.FixRulesetOrganization
	_, pl := planOrg(t, c, p, hardening.PlanOptions{Checks: []string{"branch-protected", "branch-release-protection"}})
	if len(pl.Changes) != 1 || pl.Changes[0].Kind != hardening.FixOrgRuleset || pl.Changes[0].Requests[0].Path != "orgs/acme/rulesets" {
		t.Fatalf("plan %+v", pl.Changes)
	}
	results, err := c.Apply(context.Background(), pl, ApplyOptions{WriteInterval: -1})
	if err != nil || results[0].Status != hardening.Applied {
		t.Fatalf("apply: %v %+v", err, results)
	}
	if w := fake.Writes(); len(w) != 1 || w[0].Status != 201 {
		t.Fatalf("writes %+v", w)
	}
	// Both repositories are protected now, release branches included, and
	// planning again finds nothing to do.
	after, pl2 := planOrg(t, c, p, hardening.PlanOptions{Checks: []string{"branch-protected", "branch-release-protection"}})
	rep := hardening.Evaluate(after, p, readsNow)
	for _, r := range []string{"acme/api", "acme/billing"} {
		for _, check := range []string{"branch-protected", "branch-force-push", "branch-release-protection"} {
			if st := statusOfTarget(rep, r, check, after); st != hardening.StatusPass {
				t.Errorf("%s %s: %s", r, check, st)
			}
		}
	}
	if len(pl2.Changes) != 0 {
		t.Errorf("second plan %+v", pl2.Changes)
	}
}
