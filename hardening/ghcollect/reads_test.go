package ghcollect

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/hardening/ghcollect/ghfake"
)

var (
	readsNow = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	lastWeek = readsNow.AddDate(0, 0, -7)
	longAgo  = readsNow.AddDate(-2, 0, 0)
)

const prTarget = "on: pull_request_target\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n"

// richOrg is an organisation whose every new endpoint has something to say.
func richOrg() (*ghfake.Org, *ghfake.Repo, *ghfake.Repo) {
	org, _ := ghfake.GenerateOrg("acme", 0)
	org.MembersCanForkPrivateRepos = true
	org.Secrets = []ghfake.Secret{{Name: "PROD_AWS_SECRET", CreatedAt: longAgo, UpdatedAt: longAgo, Visibility: "all"}}
	org.RunnerGroups = append(org.RunnerGroups, ghfake.RunnerGroup{ID: 4, Name: "gpu", Visibility: "all", AllowsPublicRepositories: true})
	org.AuditLog = map[string]ghfake.AuditEvent{"alice": {At: lastWeek, Action: "repo.create"}}
	api := &ghfake.Repo{
		Owner: "acme", Name: "api", OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "admin", WorkflowDefault: "read",
		PushedAt: lastWeek, AllowForking: true, Private: true,
		Collaborators: []ghfake.Collaborator{{Login: "alice", Permission: "admin"}, {Login: "dave", Permission: "admin"}},
		Protection:    &ghfake.Protection{RequirePR: true, Approvals: 1, EnforceAdmins: true, RestrictDismissals: true, DismissalTeams: []string{"core"}},
		Files: map[string]string{
			".github/workflows/ci.yml": "on: push\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n",
			".github/SECURITY.md":      "mail security@example.com\n",
		},
		Branches: []string{"release/1.x", "old", "wip", "same"},
		BranchFiles: map[string]map[string]string{
			"old": {".github/workflows/ci.yml": prTarget},
			"wip": {".github/workflows/ci.yml": prTarget},
		},
		BranchProtection: map[string]*ghfake.Protection{"release/1.x": {RequirePR: true, Approvals: 1}},
		Tags:             []string{"v1.0.0", "nightly"},
		Secrets:          []ghfake.Secret{{Name: "NPM_TOKEN", CreatedAt: lastWeek, UpdatedAt: lastWeek}},
		Environments:     []ghfake.Environment{{Name: "production", Reviewers: 1, BranchPolicy: "protected"}},
		EnvSecrets:       map[string][]ghfake.Secret{"production": {{Name: "AWS_ACCESS_KEY_ID", CreatedAt: lastWeek, UpdatedAt: lastWeek}}},
		DependabotAlerts: true, SecurityUpdates: true, SecurityUpdatesPaused: true,
		CodeScanningUnavailable: true,
	}
	web := &ghfake.Repo{
		Owner: "acme", Name: "web", OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "admin", WorkflowDefault: "read",
		PushedAt: longAgo, PrivateVulnerabilityReporting: true,
		CodeScanning: []ghfake.Analysis{{Ref: "refs/heads/main", Tool: "CodeQL", CreatedAt: lastWeek}, {Ref: "refs/heads/dev", Tool: "CodeQL", CreatedAt: lastWeek}},
	}
	return org, api, web
}

func collectOrg(t *testing.T, fake func(*ghfake.Server), org *ghfake.Org, repos ...*ghfake.Repo) (*ghfake.Server, *hardening.Snapshot) {
	t.Helper()
	srv, c, _ := setup(t, org, repos, Options{Now: func() time.Time { return readsNow }})
	if fake != nil {
		fake(srv)
	}
	snap, err := c.Org(context.Background(), org.Login)
	if err != nil {
		t.Fatal(err)
	}
	return srv, snap
}

func repoOf(t *testing.T, snap *hardening.Snapshot, name string) *hardening.RepoSnapshot {
	t.Helper()
	for _, r := range snap.Repos {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no repository %s in the snapshot", name)
	return nil
}

func statusIn(t *testing.T, snap *hardening.Snapshot, target, check string) hardening.Result {
	t.Helper()
	rep := hardening.Evaluate(snap, hardening.DefaultPolicy(), readsNow)
	for _, tr := range rep.Targets {
		if tr.Name != target {
			continue
		}
		for _, r := range tr.Results {
			if r.Check == check {
				return r
			}
		}
	}
	t.Fatalf("no %s result for %s", check, target)
	return hardening.Result{}
}

func TestNewReads(t *testing.T) {
	t.Parallel()
	org, api, web := richOrg()
	_, snap := collectOrg(t, nil, org, api, web)
	o := snap.Org
	if o.Settings.Plan != "enterprise" || o.Settings.MembersCanForkPrivateRepos == nil || !*o.Settings.MembersCanForkPrivateRepos || o.Settings.Server {
		t.Errorf("organisation settings %+v", o.Settings)
	}
	if !o.CodeSecurity.OK() || len(o.CodeSecurity.Defaults) != 1 || o.CodeSecurity.Defaults[0].Config.Name != "GitHub recommended" || !o.CodeSecurity.AllRead.OK() {
		t.Errorf("code security %+v", o.CodeSecurity)
	}
	if !o.Secrets.OK() || len(o.Secrets.Secrets) != 1 || o.Secrets.Secrets[0].Name != "PROD_AWS_SECRET" || !o.Secrets.Secrets[0].UpdatedAt.Equal(longAgo) {
		t.Errorf("organisation secrets %+v", o.Secrets)
	}
	if !o.SAML.OK() || o.SAML.Configured == nil || !*o.SAML.Configured || o.SAML.Credentials != 3 {
		t.Errorf("SAML %+v", o.SAML)
	}
	if !o.Activity.OK() || len(o.Activity.Accounts) != 3 {
		t.Fatalf("activity %+v", o.Activity)
	}
	for _, a := range o.Activity.Accounts {
		switch a.Login {
		case "alice":
			if !a.LastEvent.Equal(lastWeek) || a.LastAction != "repo.create" || strings.Join(a.Roles, ",") != "owner,admin of acme/api" {
				t.Errorf("alice %+v", a)
			}
		case "dave":
			if !a.LastEvent.IsZero() || strings.Join(a.Roles, ",") != "admin of acme/api" {
				t.Errorf("dave %+v", a)
			}
		}
	}

	r := repoOf(t, snap, "api")
	if r.AllowForking == nil || !*r.AllowForking || !r.PushedAt.Equal(lastWeek) {
		t.Errorf("repository fields: forking %v pushed %v", r.AllowForking, r.PushedAt)
	}
	if rr := r.Branch.Classic.RequiredReviews; rr == nil || !rr.DismissalRestricted || strings.Join(rr.DismissalAllowed, ",") != "team core" {
		t.Errorf("dismissal restrictions %+v", rr)
	}
	var names []string
	for _, s := range r.Secrets.Secrets {
		names = append(names, s.Name+"@"+s.Environment)
	}
	if !r.Secrets.OK() || strings.Join(names, ",") != "NPM_TOKEN@,AWS_ACCESS_KEY_ID@production" {
		t.Errorf("repository secrets %v (%+v)", names, r.Secrets.Read)
	}
	if !r.Branches.OK() || len(r.Branches.Branches) != 5 || len(r.ReleaseBranches) != 1 || r.ReleaseBranches[0].Name != "release/1.x" ||
		!r.ReleaseBranches[0].Classic.Enabled {
		t.Errorf("branches %+v release %+v", r.Branches, r.ReleaseBranches)
	}
	if strings.Join(r.Tags.Names, ",") != "v1.0.0,nightly" {
		t.Errorf("tags %+v", r.Tags)
	}
	bw := r.BranchWorkflows
	if !bw.OK() || bw.Branches != 4 || len(bw.Files) != 1 || strings.Join(bw.Files[0].Branches, ",") != "old,wip" || bw.Files[0].Content != prTarget {
		t.Errorf("branch workflows %+v", bw)
	}
	if r.SecurityPolicy.Path != ".github/SECURITY.md" {
		t.Errorf("security policy %+v", r.SecurityPolicy)
	}
	if r.PrivateVulnerabilityReporting.State != hardening.NotCollected {
		t.Error("private vulnerability reporting was read for a private repository")
	}
	if d := r.DependabotSecurityUpdates; !d.OK() || !d.Enabled || !d.Paused {
		t.Errorf("security updates %+v", d)
	}
	if cs := r.CodeScanning; !cs.Unavailable || !strings.Contains(cs.Detail, "Advanced Security") {
		t.Errorf("code scanning %+v", cs)
	}
	w := repoOf(t, snap, "web")
	if cs := w.CodeScanning; !cs.OK() || !cs.Analyses || cs.LastTool != "CodeQL" || !cs.LastCreated.Equal(lastWeek) {
		t.Errorf("web code scanning %+v", cs)
	}
	if p := w.PrivateVulnerabilityReporting; !p.OK() || !p.Enabled {
		t.Errorf("web private vulnerability reporting %+v", p)
	}

	// The checks judge what was read.
	want := []struct {
		target, check string
		status        hardening.Status
		evidence      string
	}{
		{"acme", "org-actions-secrets", hardening.StatusFail, "PROD_AWS_SECRET"},
		{"acme", "org-runner-groups", hardening.StatusFail, `"gpu"`},
		{"acme", "org-saml-sso", hardening.StatusPass, "3 credential authorizations"},
		{"acme", "org-dormant-admins", hardening.StatusFail, "dave (admin of acme/api; no event in 180 days)"},
		{"acme", "org-private-forking", hardening.StatusFail, "api"},
		{"acme", "org-security-defaults", hardening.StatusPass, "GitHub recommended"},
		{"acme/api", "repo-actions-secrets", hardening.StatusFail, "AWS_ACCESS_KEY_ID (environment production)"},
		{"acme/api", "workflow-untrusted-checkout", hardening.StatusFail, "on branch old, wip"},
		{"acme/api", "branch-dismissal-restrictions", hardening.StatusPass, "team core"},
		{"acme/api", "branch-release-protection", hardening.StatusPass, "release/1.x"},
		{"acme/api", "repo-tag-protection", hardening.StatusFail, "v1.0.0 can be deleted or moved"},
		{"acme/api", "repo-dependabot-security-updates", hardening.StatusFail, "paused"},
		{"acme/api", "repo-code-scanning", hardening.StatusFail, "Advanced Security"},
		{"acme/api", "repo-security-policy", hardening.StatusPass, ".github/SECURITY.md"},
		{"acme/api", "repo-private-vulnerability-reporting", hardening.StatusPass, "private repository"},
		{"acme/web", "repo-stale", hardening.StatusFail, "no push for 731 days"},
		{"acme/web", "repo-code-scanning", hardening.StatusPass, "CodeQL"},
		{"acme/web", "repo-ownerless", hardening.StatusFail, "no user or team"},
		{"acme/web", "repo-security-policy", hardening.StatusFail, "no SECURITY.md"},
	}
	for _, w := range want {
		r := statusIn(t, snap, w.target, w.check)
		if r.Status != w.status || !strings.Contains(r.Evidence, w.evidence) {
			t.Errorf("%s %s: %s %q, want %s containing %q", w.target, w.check, r.Status, r.Evidence, w.status, w.evidence)
		}
	}
}

func TestBranchWorkflowBlobsReadOnce(t *testing.T) {
	t.Parallel()
	org, api, _ := richOrg()
	fake, snap := collectOrg(t, nil, org, api)
	sha := repoOf(t, snap, "api").BranchWorkflows.Files[0].SHA
	if n := fake.Hits("/repos/acme/api/git/blobs/" + sha); n != 1 {
		t.Errorf("the blob shared by two branches was read %d times", n)
	}
	if n := fake.Hits("/repos/acme/api/contents/.github/workflows"); n != 5 {
		t.Errorf("workflow directory read %d times, want once per branch (5)", n)
	}
}

func TestWhatANonOwnerCannotSee(t *testing.T) {
	t.Parallel()
	org, api, _ := richOrg()
	org.ViewerIsOwner = false
	api.ViewerPermission = "write"
	api.Private = false
	_, snap := collectOrg(t, nil, org, api)
	for check, needs := range map[string]string{
		"org-actions-secrets":   "HTTP 403",
		"org-runner-groups":     "HTTP 403",
		"org-security-defaults": "HTTP 403",
		"org-saml-sso":          "HTTP 404",
		"org-private-forking":   "owners only",
	} {
		if r := statusIn(t, snap, "acme", check); r.Status != hardening.StatusUnknown || !strings.Contains(r.Evidence, needs) {
			t.Errorf("%s: %s %q, want unknown naming %q", check, r.Status, r.Evidence, needs)
		}
	}
	for _, check := range []string{"repo-actions-secrets", "repo-private-vulnerability-reporting", "repo-dependabot-security-updates", "branch-release-protection"} {
		if r := statusIn(t, snap, "acme/api", check); r.Status != hardening.StatusUnknown {
			t.Errorf("%s: %s %q, want unknown for a non-admin", check, r.Status, r.Evidence)
		}
	}
}

func TestAuditLogAndSAMLOffEnterpriseCloud(t *testing.T) {
	t.Parallel()
	org, api, _ := richOrg()
	org.Plan, org.AuditLog, org.SAML = "team", nil, false
	_, snap := collectOrg(t, nil, org, api)
	if r := statusIn(t, snap, "acme", "org-dormant-admins"); r.Status != hardening.StatusUnknown || !strings.Contains(r.Evidence, "plan: team") {
		t.Errorf("dormant admins on a team plan: %s %q", r.Status, r.Evidence)
	}
	if r := statusIn(t, snap, "acme", "org-saml-sso"); r.Status != hardening.StatusUnknown || !strings.Contains(r.Evidence, "plan is team") {
		t.Errorf("SAML on a team plan: %s %q", r.Status, r.Evidence)
	}
	org2, api2, _ := richOrg()
	org2.SAML = false
	_, snap = collectOrg(t, nil, org2, api2)
	if r := statusIn(t, snap, "acme", "org-saml-sso"); r.Status != hardening.StatusFail {
		t.Errorf("an Enterprise Cloud organisation without SAML: %s %q", r.Status, r.Evidence)
	}
}

func TestOlderEnterpriseServerLegacyFields(t *testing.T) {
	t.Parallel()
	org, api, _ := richOrg()
	org.LegacySecurityFields = true
	org.SecretScanningForNewRepos, org.PushProtectionForNewRepos, org.DependabotAlertsForNewRepos = true, false, true
	_, snap := collectOrg(t, func(s *ghfake.Server) { s.Enterprise = "3.14.2" }, org, api)
	if !snap.Org.Settings.Server {
		t.Error("X-GitHub-Enterprise-Version not recognised")
	}
	if snap.Org.CodeSecurity.OK() {
		t.Error("the configurations API should be missing on this server")
	}
	if r := statusIn(t, snap, "acme", "org-security-defaults"); r.Status != hardening.StatusFail || !strings.Contains(r.Evidence, "push protection") ||
		!strings.Contains(r.Evidence, "legacy") {
		t.Errorf("legacy fields: %s %q", r.Status, r.Evidence)
	}
	if r := statusIn(t, snap, "acme", "org-saml-sso"); r.Status != hardening.StatusUnknown || !strings.Contains(r.Evidence, "Enterprise Server") {
		t.Errorf("SAML on a server: %s %q", r.Status, r.Evidence)
	}
}

func TestSecurityPolicyInheritedFromOrgDotGitHub(t *testing.T) {
	t.Parallel()
	org, _, web := richOrg()
	dotgithub := &ghfake.Repo{Owner: "acme", Name: ".github", OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "read",
		Files: map[string]string{"SECURITY.md": "report to security@example.com\n", "profile/README.md": "hi\n"}}
	fake, snap := collectOrg(t, nil, org, web, dotgithub)
	if r := statusIn(t, snap, "acme/web", "repo-security-policy"); r.Status != hardening.StatusPass || !strings.Contains(r.Evidence, "acme/.github:SECURITY.md") {
		t.Errorf("inherited policy: %s %q", r.Status, r.Evidence)
	}
	if n := fake.Hits("/repos/acme/.github"); n != 1 {
		t.Errorf("the owner's .github repository was read %d times, want once per run", n)
	}
	// A private .github repository gives no defaults.
	org2, _, web2 := richOrg()
	dot2 := *dotgithub
	dot2.Private = true
	_, snap = collectOrg(t, nil, org2, web2, &dot2)
	if r := statusIn(t, snap, "acme/web", "repo-security-policy"); r.Status != hardening.StatusFail {
		t.Errorf("private .github: %s %q", r.Status, r.Evidence)
	}
}

func TestSecretsAndRunnerGroupsArePaged(t *testing.T) {
	t.Parallel()
	org, api, _ := richOrg()
	for i := range 5 {
		org.Secrets = append(org.Secrets, ghfake.Secret{Name: "S" + string(rune('A'+i)), CreatedAt: lastWeek, UpdatedAt: lastWeek})
		api.EnvSecrets["production"] = append(api.EnvSecrets["production"], ghfake.Secret{Name: "E" + string(rune('A'+i))})
	}
	_, snap := collectOrg(t, func(s *ghfake.Server) { s.MaxPerPage = 2 }, org, api)
	if n := len(snap.Org.Secrets.Secrets); n != 6 {
		t.Errorf("%d organisation secrets, want 6 across pages", n)
	}
	if n := len(repoOf(t, snap, "api").Secrets.Secrets); n != 7 {
		t.Errorf("%d repository and environment secrets, want 7 across pages", n)
	}
	if n := len(snap.Org.RunnerGroups.Groups); n != 2 {
		t.Errorf("%d runner groups", n)
	}
}

func TestAuditIssueRead(t *testing.T) {
	t.Parallel()
	org, api, _ := richOrg()
	api.Labels = []string{hardening.FixIssueLabel, "bug"}
	api.Issues = []*ghfake.Issue{
		{Number: 3, Title: "unrelated", Body: "no marker", State: "open", Labels: []string{hardening.FixIssueLabel}},
		{Number: 7, Title: hardening.FixIssueTitle, Body: hardening.FixIssueMarker + "\nold", State: "open", Labels: []string{hardening.FixIssueLabel}},
		{Number: 9, Title: hardening.FixIssueTitle, Body: hardening.FixIssueMarker + "\nolder", State: "closed", Labels: []string{hardening.FixIssueLabel}},
	}
	srv, c, _ := setup(t, org, []*ghfake.Repo{api}, Options{ReadAuditIssues: true})
	_ = srv
	r := collectOne(t, c, "acme/api")
	if ai := r.AuditIssue; !ai.OK() || !ai.LabelExists || ai.Number != 7 || !strings.HasSuffix(ai.Body, "old") {
		t.Errorf("audit issue %+v", ai)
	}
	// Without the flag nothing is read.
	_, c2, _ := setup(t, org, []*ghfake.Repo{api}, Options{})
	if ai := collectOne(t, c2, "acme/api").AuditIssue; ai.State != hardening.NotCollected {
		t.Errorf("issue read without being asked: %+v", ai)
	}
}
