package ghcollect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ghclient "github.com/rampart-sec/rampart/github"
	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/hardening/ghcollect/ghfake"
)

// waits records the collector's waits instead of sleeping.
type waits struct {
	mu  sync.Mutex
	got []wait
}

type wait struct {
	d   time.Duration
	why ghclient.WaitReason
}

func (w *waits) sleep(_ context.Context, d time.Duration, why ghclient.WaitReason) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got = append(w.got, wait{d, why})
	return nil
}

func (w *waits) list() []wait {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]wait(nil), w.got...)
}

const testToken = "ghp_testtokentesttokentesttokentest0000"

// setup starts a fake with the given organisation and repositories and a
// collector pointed at it.
func setup(t testing.TB, org *ghfake.Org, repos []*ghfake.Repo, opt Options) (*ghfake.Server, *Collector, *waits) {
	t.Helper()
	fake := ghfake.New()
	fake.Token = testToken
	if org != nil {
		fake.AddOrg(org)
	}
	fake.AddRepo(repos...)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	w := &waits{}
	opt.APIURL = srv.URL
	opt.Token = testToken
	if opt.Sleep == nil {
		opt.Sleep = w.sleep
	}
	c, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, w
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// helloWorld is a repository whose protection and rules are served from
// recorded JSON shaped like GitHub's documented responses.
func helloWorld(t *testing.T) *ghfake.Repo {
	return &ghfake.Repo{
		Owner: "octo-org", Name: "hello-world", OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "admin",
		SecretScanning: true, PushProtection: true, DependabotAlerts: true, WorkflowDefault: "read",
		Files: map[string]string{".github/CODEOWNERS": "* @octo-org/core\n"},
		Raw: map[string]string{
			"branches/main/protection": readTestdata(t, "branch-protection.json"),
			"rules/branches/main":      readTestdata(t, "rules-for-branch.json"),
			"rulesets":                 readTestdata(t, "rulesets-list.json"),
			"rulesets/42":              readTestdata(t, "ruleset-repo-42.json"),
			"rulesets/73":              readTestdata(t, "ruleset-org-73.json"),
			"rulesets/74":              readTestdata(t, "ruleset-org-74-evaluate.json"),
		},
	}
}

func collectOne(t *testing.T, c *Collector, full string) *hardening.RepoSnapshot {
	t.Helper()
	owner, name, _ := strings.Cut(full, "/")
	snap, err := c.Repo(context.Background(), owner, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Repos) != 1 {
		t.Fatalf("want one repository, got %d", len(snap.Repos))
	}
	return snap.Repos[0]
}

func result(t *testing.T, snap *hardening.Snapshot, repo, check string) hardening.Result {
	t.Helper()
	rep := hardening.Evaluate(snap, hardening.DefaultPolicy(), time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	for _, tr := range rep.Targets {
		if tr.Name != repo {
			continue
		}
		for _, r := range tr.Results {
			if r.Check == check {
				return r
			}
		}
	}
	t.Fatalf("no %s result for %s", check, repo)
	return hardening.Result{}
}

func TestClassicProtectionFromRecordedJSON(t *testing.T) {
	_, c, _ := setup(t, nil, []*ghfake.Repo{helloWorld(t)}, Options{})
	r := collectOne(t, c, "octo-org/hello-world")
	cp := r.Branch.Classic
	if !cp.OK() || !cp.Enabled {
		t.Fatalf("classic protection not read: %+v", cp.Read)
	}
	rr := cp.RequiredReviews
	if rr == nil || rr.Approvals != 2 || !rr.DismissStale || !rr.CodeOwners || !rr.LastPushApproval {
		t.Errorf("reviews: %+v", rr)
	}
	if len(rr.BypassAllowed) != 1 || rr.BypassAllowed[0] != "release-bot" {
		t.Errorf("bypass allowances: %v", rr.BypassAllowed)
	}
	if !cp.EnforceAdmins || cp.AllowForcePushes || cp.AllowDeletions || !cp.RequireLinearHistory || !cp.RequiredSignatures || !cp.RequiredConversationResolution {
		t.Errorf("flags: %+v", cp)
	}
	if sc := cp.RequiredStatusChecks; sc == nil || !sc.Strict || len(sc.Contexts) != 1 || sc.Contexts[0] != "continuous-integration/travis-ci" {
		t.Errorf("status checks: %+v", sc)
	}
	if pr := cp.Restrictions; pr == nil || pr.Users[0] != "octocat" || pr.Teams[0] != "justice-league" || pr.Apps[0] != "octoapp" {
		t.Errorf("restrictions: %+v", pr)
	}
	if r.Branch.Protected != nil {
		t.Error("GET branches/{b} should be skipped when classic protection was readable")
	}
}

func TestRulesForBranchKeepSourceAndTolerateUnknownTypes(t *testing.T) {
	_, c, _ := setup(t, nil, []*ghfake.Repo{helloWorld(t)}, Options{})
	r := collectOne(t, c, "octo-org/hello-world")
	rules := r.Branch.Rules
	if !rules.OK() {
		t.Fatalf("rules for the branch not read (an unknown rule type must not fail the decode): %+v", rules.Read)
	}
	types := map[string]hardening.ActiveRule{}
	for _, ru := range rules.Rules {
		types[ru.Type] = ru
	}
	for _, want := range []string{"merge_queue", "code_scanning", "file_path_restriction", "pull_request", "non_fast_forward", "deletion"} {
		if _, ok := types[want]; !ok {
			t.Errorf("rule %s lost", want)
		}
	}
	if pr := types["pull_request"]; pr.RulesetID != 42 || pr.RulesetSource != "octo-org/hello-world" || pr.RulesetSourceType != "Repository" {
		t.Errorf("pull_request rule lost its ruleset: %+v", pr)
	}
	if nf := types["non_fast_forward"]; nf.RulesetID != 73 || nf.RulesetSourceType != "Organization" {
		t.Errorf("non_fast_forward rule lost its ruleset: %+v", nf)
	}
}

func TestRulesetsRepoAndOrgLevelEvaluateModeAndBypass(t *testing.T) {
	_, c, _ := setup(t, nil, []*ghfake.Repo{helloWorld(t)}, Options{})
	r := collectOne(t, c, "octo-org/hello-world")
	rs := r.Branch.Rulesets
	if !rs.OK() || len(rs.Rulesets) != 3 {
		t.Fatalf("rulesets: %+v", rs)
	}
	byID := map[int64]hardening.Ruleset{}
	for _, x := range rs.Rulesets {
		byID[x.ID] = x
	}
	repo42, org73, org74 := byID[42], byID[73], byID[74]
	if !repo42.Detailed || !repo42.BypassKnown || repo42.BypassActors[0].ActorType != "Team" || repo42.BypassActors[0].BypassMode != "pull_request" {
		t.Errorf("repository ruleset 42: %+v", repo42)
	}
	if len(repo42.Rules) != 2 || repo42.Rules[0].Type != "merge_queue" || repo42.RefExclude[0] != "refs/heads/dev*" {
		t.Errorf("repository ruleset 42 rules or conditions: %+v", repo42)
	}
	if org73.SourceType != "Organization" || org73.BypassActors[0].ActorType != "OrganizationAdmin" {
		t.Errorf("organisation ruleset 73: %+v", org73)
	}
	if org74.Enforcement != "evaluate" || org74.BypassKnown {
		t.Errorf("evaluate ruleset 74 (no bypass_actors in the response means not visible): %+v", org74)
	}

	snap := &hardening.Snapshot{Version: hardening.SnapshotVersion, Repos: []*hardening.RepoSnapshot{r}}
	// The organisation ruleset's "always" bypass fails admin enforcement.
	if got := result(t, snap, "octo-org/hello-world", "branch-admin-enforced"); got.Status != hardening.StatusFail ||
		!strings.Contains(got.Evidence, "OrganizationAdmin 1 (always)") || !strings.Contains(got.Evidence, "release-bot") {
		t.Errorf("branch-admin-enforced: %+v", got)
	}
	// Reviews come from classic protection and ruleset 42, named.
	if got := result(t, snap, "octo-org/hello-world", "branch-required-reviews"); got.Status != hardening.StatusPass ||
		!strings.Contains(got.Evidence, `ruleset "main protection" (repository octo-org/hello-world, id 42)`) {
		t.Errorf("branch-required-reviews: %+v", got)
	}
	// Classic requires signatures; ruleset 74 would too but is only evaluating.
	if got := result(t, snap, "octo-org/hello-world", "branch-signed-commits"); got.Status != hardening.StatusPass ||
		!strings.Contains(got.Evidence, "evaluate mode") {
		t.Errorf("branch-signed-commits: %+v", got)
	}
}

func TestOrgRulesetDetailsFetchedOncePerRun(t *testing.T) {
	org, repos := ghfake.GenerateOrg("acme", 6)
	org.Rulesets[0].BypassActors = []ghfake.BypassActor{{ActorID: 1, ActorType: "OrganizationAdmin", BypassMode: "always"}}
	fake, c, _ := setup(t, org, repos, Options{IncludeArchived: true})
	snap, err := c.Org(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if n := fake.Hits("/orgs/acme/rulesets/9000"); n != 1 {
		t.Errorf("organisation ruleset fetched %d times, want once", n)
	}
	for _, r := range snap.Repos {
		if n := fake.Hits("/repos/" + r.FullName + "/rulesets/9000"); n != 0 {
			t.Errorf("%s fetched the organisation ruleset again", r.FullName)
		}
		found := false
		for _, rs := range r.Branch.Rulesets.Rulesets {
			if rs.ID == 9000 {
				found = rs.Detailed && rs.BypassKnown && len(rs.BypassActors) == 1
			}
		}
		if !found {
			t.Errorf("%s: organisation ruleset missing or without details", r.FullName)
		}
	}
	if !snap.Org.Rulesets.OK() || len(snap.Org.Rulesets.Rulesets) != 1 {
		t.Errorf("organisation rulesets: %+v", snap.Org.Rulesets)
	}
}

func TestMoreThanThirtyRulesetsArePaged(t *testing.T) {
	repo := &ghfake.Repo{Owner: "acme", Name: "many", OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "admin"}
	for i := range 35 {
		repo.Rulesets = append(repo.Rulesets, &ghfake.Ruleset{ID: int64(1000 + i), Name: fmt.Sprintf("rs-%d", i), Target: "branch",
			Enforcement: "active", Include: []string{"~DEFAULT_BRANCH"}, Rules: []ghfake.Rule{{Type: "deletion"}}})
	}
	fake, c, _ := setup(t, nil, []*ghfake.Repo{repo}, Options{})
	fake.MaxPerPage = 30 // GitHub's default page; go-github v60's GetAllRulesets would stop here
	r := collectOne(t, c, "acme/many")
	if got := len(r.Branch.Rulesets.Rulesets); got != 35 {
		t.Fatalf("collected %d rulesets, want 35", got)
	}
	if got := len(r.Branch.Rules.Rules); got != 35 {
		t.Errorf("collected %d active rules, want 35", got)
	}
	if n := fake.Hits("/repos/acme/many/rulesets"); n != 2 {
		t.Errorf("ruleset list fetched in %d pages, want 2", n)
	}
	if n := fake.Hits("/repos/acme/many/rules/branches/main"); n != 2 {
		t.Errorf("rules for the branch fetched in %d pages, want 2", n)
	}
}

func TestPaginationOnEveryList(t *testing.T) {
	org := &ghfake.Org{Login: "acme", ViewerIsOwner: true, DefaultRepoPermission: "read", AllowedActions: "all", EnabledRepositories: "all",
		WorkflowDefault: "read",
		Members:         []string{"a", "b", "c"}, Owners: []string{"a", "b", "c"}, MembersWithout2FA: []string{"b", "c"},
		OutsideCollaborators: []string{"x", "y", "z"}, OutsideWithout2FA: []string{"x", "y"},
		Hooks: []ghfake.Hook{{ID: 1, Secret: true}, {ID: 2, Secret: true}, {ID: 3}},
		Rulesets: []*ghfake.Ruleset{{ID: 1, Name: "a", Target: "branch", Enforcement: "active", Include: []string{"~ALL"}, Rules: []ghfake.Rule{{Type: "deletion"}}},
			{ID: 2, Name: "b", Target: "branch", Enforcement: "active", Include: []string{"~ALL"}, Rules: []ghfake.Rule{{Type: "non_fast_forward"}}}},
	}
	var repos []*ghfake.Repo
	for i := range 3 {
		repos = append(repos, &ghfake.Repo{
			Owner: "acme", Name: fmt.Sprintf("r%d", i), OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "admin",
			Collaborators: []ghfake.Collaborator{{Login: "a", Permission: "admin"}, {Login: "x", Permission: "write", Outside: true}, {Login: "y", Permission: "read", Outside: true}},
			Teams:         []ghfake.Team{{Slug: "t1", Permission: "push"}, {Slug: "t2", Permission: "admin"}},
			DeployKeys:    []ghfake.DeployKey{{ID: 1, ReadOnly: true}, {ID: 2}},
			Hooks:         []ghfake.Hook{{ID: 1, Secret: true}, {ID: 2}},
			Environments:  []ghfake.Environment{{Name: "production"}, {Name: "staging"}, {Name: "dev"}},
		})
	}
	fake, c, _ := setup(t, org, repos, Options{PerPage: 1})
	fake.MaxPerPage = 1
	snap, err := c.Org(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	o := snap.Org
	counts := map[string][2]int{
		"members without 2fa":   {len(o.MembersWithout2FA.Logins), 2},
		"outside without 2fa":   {len(o.OutsideWithout2FA.Logins), 2},
		"owners":                {len(o.Owners.Logins), 3},
		"outside collaborators": {len(o.OutsideCollaborators.Logins), 3},
		"org hooks":             {len(o.Webhooks.Hooks), 3},
		"org rulesets":          {len(o.Rulesets.Rulesets), 2},
		"repositories":          {len(snap.Repos), 3},
	}
	for _, r := range snap.Repos {
		counts[r.Name+" collaborators"] = [2]int{len(r.Collaborators.Users), 3}
		counts[r.Name+" outside collaborators"] = [2]int{len(r.OutsideCollaborators.Users), 2}
		counts[r.Name+" teams"] = [2]int{len(r.Teams.Teams), 2}
		counts[r.Name+" deploy keys"] = [2]int{len(r.DeployKeys.Keys), 2}
		counts[r.Name+" hooks"] = [2]int{len(r.Webhooks.Hooks), 2}
		counts[r.Name+" environments"] = [2]int{len(r.Environments.Environments), 3}
		counts[r.Name+" rulesets"] = [2]int{len(r.Branch.Rulesets.Rulesets), 2}
		counts[r.Name+" active rules"] = [2]int{len(r.Branch.Rules.Rules), 2}
	}
	for what, c := range counts {
		if c[0] != c[1] {
			t.Errorf("%s: collected %d, want %d", what, c[0], c[1])
		}
	}
	for _, p := range []string{"/orgs/acme/repos", "/orgs/acme/members", "/orgs/acme/outside_collaborators", "/orgs/acme/hooks",
		"/orgs/acme/rulesets", "/repos/acme/r0/collaborators", "/repos/acme/r0/teams", "/repos/acme/r0/keys", "/repos/acme/r0/hooks",
		"/repos/acme/r0/environments", "/repos/acme/r0/rulesets", "/repos/acme/r0/rules/branches/main"} {
		if fake.Hits(p) < 2 {
			t.Errorf("%s was not paged (%d requests)", p, fake.Hits(p))
		}
	}
	if got := result(t, snap, "acme", "org-outside-collaborators"); got.Status != hardening.StatusFail || !strings.Contains(got.Evidence, "x (") {
		t.Errorf("org-outside-collaborators: %+v", got)
	}
}

func TestTwoKindsOf404(t *testing.T) {
	unprotected := &ghfake.Repo{Owner: "acme", Name: "open", OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "admin"}
	hidden := &ghfake.Repo{Owner: "acme", Name: "hidden", OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "write",
		Protection: &ghfake.Protection{RequirePR: true, Approvals: 1}, DependabotAlerts: true}
	_, c, _ := setup(t, nil, []*ghfake.Repo{unprotected, hidden}, Options{})

	// "Branch not protected" is an answer.
	r := collectOne(t, c, "acme/open")
	if !r.Branch.Classic.OK() || r.Branch.Classic.Enabled {
		t.Errorf("unprotected branch: %+v", r.Branch.Classic)
	}
	snap := &hardening.Snapshot{Version: 1, Repos: []*hardening.RepoSnapshot{r}}
	if got := result(t, snap, "acme/open", "branch-protected"); got.Status != hardening.StatusFail {
		t.Errorf("branch-protected on an unprotected branch: %+v", got)
	}
	// Admin, alerts off: a 404 on vulnerability-alerts means disabled.
	if !r.DependabotAlerts.OK() || r.DependabotAlerts.Enabled {
		t.Errorf("admin dependabot: %+v", r.DependabotAlerts)
	}

	// A plain 404 on an admin endpoint means "not allowed to see".
	r = collectOne(t, c, "acme/hidden")
	if r.Branch.Classic.State != hardening.ReadDenied {
		t.Errorf("hidden protection should be denied: %+v", r.Branch.Classic)
	}
	if r.Branch.Protected == nil || !*r.Branch.Protected {
		t.Errorf("GET branches/{b} fallback not used: %v", r.Branch.Protected)
	}
	for what, rd := range map[string]hardening.Read{"deploy keys": r.DeployKeys.Read, "hooks": r.Webhooks.Read,
		"workflow permissions": r.WorkflowPermissions.Read, "security": r.Security.Read, "dependabot": r.DependabotAlerts.Read} {
		if rd.State != hardening.ReadDenied {
			t.Errorf("%s: %+v, want denied", what, rd)
		}
	}
	snap = &hardening.Snapshot{Version: 1, Repos: []*hardening.RepoSnapshot{r}}
	if got := result(t, snap, "acme/hidden", "branch-protected"); got.Status != hardening.StatusPass {
		t.Errorf("branch-protected from the branch's protected flag: %+v", got)
	}
	if got := result(t, snap, "acme/hidden", "branch-force-push"); got.Status != hardening.StatusUnknown || !strings.Contains(got.Permission, "Administration") {
		t.Errorf("branch-force-push without admin: %+v", got)
	}
	if got := result(t, snap, "acme/hidden", "repo-dependabot-alerts"); got.Status != hardening.StatusUnknown {
		t.Errorf("dependabot without admin must be unknown (404 is ambiguous): %+v", got)
	}
}

func TestOrgSeenByNonOwner(t *testing.T) {
	org, repos := ghfake.GenerateOrg("acme", 2)
	org.ViewerIsOwner = false
	_, c, _ := setup(t, org, repos, Options{})
	snap, err := c.Org(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Org.MembersWithout2FA.State != hardening.ReadDenied {
		t.Errorf("422 on filter=2fa_disabled should be denied: %+v", snap.Org.MembersWithout2FA)
	}
	for _, id := range []string{"org-2fa-required", "org-members-without-2fa", "org-base-permission", "org-security-defaults",
		"org-actions-allowed", "org-actions-token-permissions", "org-webhook-security"} {
		if got := result(t, snap, "acme", id); got.Status != hardening.StatusUnknown || got.Permission == "" {
			t.Errorf("%s for a non-owner: %+v", id, got)
		}
	}
}

func TestPrimaryRateLimitWaitsUntilReset(t *testing.T) {
	fake, c, w := setup(t, nil, []*ghfake.Repo{helloWorld(t)}, Options{})
	fake.Inject(ghfake.Fault{PathContains: "/keys", Kind: ghfake.PrimaryLimit, Times: 1, RetryAfter: 120})
	r := collectOne(t, c, "octo-org/hello-world")
	if !r.DeployKeys.OK() {
		t.Fatalf("deploy keys after waiting: %+v", r.DeployKeys.Read)
	}
	got := w.list()
	if len(got) != 1 || got[0].why != ghclient.WaitPrimary || got[0].d < 100*time.Second || got[0].d > 125*time.Second {
		t.Fatalf("waits: %+v, want one primary wait of about 121s", got)
	}
	if st := c.Stats(); st.Retries != 1 || st.Waits != 1 {
		t.Errorf("stats: %+v", st)
	}
}

func TestSecondaryRateLimitHonoursRetryAfter(t *testing.T) {
	fake, c, w := setup(t, nil, []*ghfake.Repo{helloWorld(t)}, Options{})
	fake.Inject(ghfake.Fault{PathContains: "/hooks", Kind: ghfake.SecondaryLimit, Times: 2, RetryAfter: 7})
	fake.Inject(ghfake.Fault{PathContains: "/teams", Kind: ghfake.SecondaryNoRetryAfter, Times: 1})
	r := collectOne(t, c, "octo-org/hello-world")
	if !r.Webhooks.OK() || !r.Teams.OK() {
		t.Fatalf("after secondary limits: hooks %+v teams %+v", r.Webhooks.Read, r.Teams.Read)
	}
	var sevens, minutes int
	for _, x := range w.list() {
		if x.why != ghclient.WaitSecondary {
			t.Errorf("unexpected wait %+v", x)
		}
		switch x.d {
		case 7 * time.Second:
			sevens++
		case time.Minute:
			minutes++
		}
	}
	if sevens != 2 || minutes != 1 {
		t.Errorf("waits %+v: want two of 7s (Retry-After) and one of 1m (no Retry-After)", w.list())
	}
}

func TestRateLimitExhaustedIsAnErrorNotADenial(t *testing.T) {
	fake, c, _ := setup(t, nil, []*ghfake.Repo{helloWorld(t)}, Options{MaxRetries: 2})
	fake.Inject(ghfake.Fault{PathContains: "/keys", Kind: ghfake.PrimaryLimit, Times: 100, RetryAfter: 60})
	r := collectOne(t, c, "octo-org/hello-world")
	if r.DeployKeys.State != hardening.ReadFailed || !strings.Contains(r.DeployKeys.Detail, "rate limit") {
		t.Fatalf("deploy keys: %+v, want an error naming the rate limit", r.DeployKeys.Read)
	}
	if !r.Webhooks.OK() {
		t.Error("other sections should still be read")
	}
}

func TestETagCacheAnswers304(t *testing.T) {
	for _, kind := range []string{"memory", "disk"} {
		t.Run(kind, func(t *testing.T) {
			var cache ghclient.Cache = ghclient.NewMemoryCache()
			if kind == "disk" {
				dc, err := ghclient.NewDiskCache(filepath.Join(t.TempDir(), "etags"))
				if err != nil {
					t.Fatal(err)
				}
				cache = dc
			}
			org, repos := ghfake.GenerateOrg("acme", 5)
			fake, c1, _ := setup(t, org, repos, Options{Cache: cache})
			fake.MaxPerPage = 2 // lists span pages: a 304 must replay the cached Link header
			first, err := c1.Org(context.Background(), "acme")
			if err != nil {
				t.Fatal(err)
			}
			s1 := c1.Stats()
			if s1.NotModified != 0 {
				t.Fatalf("cold run had %d 304s", s1.NotModified)
			}
			srvTotal, _ := fake.Requests()
			if srvTotal != int(s1.Requests) {
				t.Errorf("collector counted %d requests, server saw %d", s1.Requests, srvTotal)
			}

			c2, err := New(Options{APIURL: c1.opt.APIURL, Token: testToken, Cache: cache})
			if err != nil {
				t.Fatal(err)
			}
			second, err := c2.Org(context.Background(), "acme")
			if err != nil {
				t.Fatal(err)
			}
			s2 := c2.Stats()
			if s2.NotModified == 0 || s2.Counted() >= s1.Counted() {
				t.Fatalf("warm run: %+v; cold: %+v", s2, s1)
			}
			_, nm := fake.Requests()
			if int64(nm) != s2.NotModified {
				t.Errorf("server sent %d 304s, collector counted %d", nm, s2.NotModified)
			}
			second.CollectedAt = first.CollectedAt
			a, _ := json.Marshal(first)
			b, _ := json.Marshal(second)
			if string(a) != string(b) {
				t.Error("a snapshot rebuilt from 304s differs from the original")
			}
			// A different token does not reuse the cache.
			c3, _ := New(Options{APIURL: c1.opt.APIURL, Token: "other", Cache: cache})
			c3.Token(context.Background())
			if c3.Stats().NotModified != 0 {
				t.Error("cache entries leaked across tokens")
			}
		})
	}
}

func TestDiskCacheNeverStoresTheToken(t *testing.T) {
	dir := t.TempDir()
	dc, err := ghclient.NewDiskCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, c, _ := setup(t, nil, []*ghfake.Repo{helloWorld(t)}, Options{Cache: dc})
	collectOne(t, c, "octo-org/hello-world")
	n := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		n++
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), testToken) {
			t.Errorf("%s contains the token", p)
		}
		return nil
	})
	if n == 0 {
		t.Fatal("nothing cached")
	}
}

func TestOneRepositoryFailingDoesNotAbortTheOrg(t *testing.T) {
	org, repos := ghfake.GenerateOrg("acme", 6)
	fake, c, _ := setup(t, org, repos, Options{MaxRetries: 1})
	fake.Inject(ghfake.Fault{PathContains: "/repos/acme/svc-0002/", Kind: ghfake.ServerError, Times: 1000})
	snap, err := c.Org(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Repos) != 5 { // svc-0000 is archived
		t.Fatalf("%d repositories", len(snap.Repos))
	}
	for _, r := range snap.Repos {
		failed := r.Branch.Classic.State == hardening.ReadFailed && r.DeployKeys.State == hardening.ReadFailed
		if (r.Name == "svc-0002") != failed {
			t.Errorf("%s: classic %+v, keys %+v", r.Name, r.Branch.Classic.Read, r.DeployKeys.Read)
		}
	}
	if got := result(t, snap, "acme/svc-0002", "repo-deploy-keys"); got.Status != hardening.StatusUnknown {
		t.Errorf("a failed read must be unknown: %+v", got)
	}
}

func TestShardsAndArchived(t *testing.T) {
	org, repos := ghfake.GenerateOrg("acme", 40)
	_, c, _ := setup(t, org, repos, Options{})
	all, err := c.Org(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Repos) != 36 {
		t.Fatalf("want 36 unarchived repositories, got %d", len(all.Repos))
	}
	seen := map[string]int{}
	for i := range 3 {
		_, sc, _ := setup(t, org, repos, Options{Shard: hardening.Shard{Index: i, Count: 3}})
		snap, err := sc.Org(context.Background(), "acme")
		if err != nil {
			t.Fatal(err)
		}
		if snap.Shard != fmt.Sprintf("%d/3", i) {
			t.Errorf("shard not recorded: %q", snap.Shard)
		}
		for _, r := range snap.Repos {
			seen[r.FullName]++
		}
	}
	if len(seen) != 36 {
		t.Errorf("shards cover %d repositories, want 36", len(seen))
	}
	for n, k := range seen {
		if k != 1 {
			t.Errorf("%s in %d shards", n, k)
		}
	}
	_, ac, _ := setup(t, org, repos, Options{IncludeArchived: true})
	withArchived, _ := ac.Org(context.Background(), "acme")
	if len(withArchived.Repos) != 40 {
		t.Errorf("IncludeArchived: %d repositories", len(withArchived.Repos))
	}
}

func TestBadTokenAndMissingTargets(t *testing.T) {
	fake, c, _ := setup(t, &ghfake.Org{Login: "acme", ViewerIsOwner: true}, nil, Options{})
	_ = fake
	if _, err := c.Repo(context.Background(), "acme", "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing repository: %v", err)
	}
	if _, err := c.Org(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing organisation: %v", err)
	}
	bad, _ := New(Options{APIURL: c.opt.APIURL, Token: "wrong"})
	_, err := bad.Org(context.Background(), "acme")
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad credentials: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Error("error mentions the token")
	}
}

func TestEnterpriseAPIURL(t *testing.T) {
	fake := ghfake.New()
	fake.AddRepo(helloWorld(t))
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, err := New(Options{APIURL: srv.URL + "/api/v3", Sleep: (&waits{}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	r := collectOne(t, c, "octo-org/hello-world")
	if !r.Branch.Classic.OK() {
		t.Fatalf("GHES path: %+v", r.Branch.Classic.Read)
	}
	if fake.Hits("/api/v3/repos/octo-org/hello-world") != 1 {
		t.Error("requests did not go under /api/v3")
	}
	if _, err := New(Options{APIURL: "not a url"}); err == nil {
		t.Error("bad API URL accepted")
	}
}

func TestWorkflowsAndCodeownersCollected(t *testing.T) {
	org, repos := ghfake.GenerateOrg("acme", 10)
	_, c, _ := setup(t, org, repos, Options{})
	r := collectOne(t, c, "acme/svc-0009")
	if !r.Workflows.OK() || len(r.Workflows.Files) != 2 || !strings.Contains(r.Workflows.Files[1].Content, "pull_request_target") {
		t.Fatalf("workflows: %+v", r.Workflows)
	}
	if !r.CodeOwners.OK() || !r.CodeOwners.Exists {
		t.Errorf("codeowners: %+v", r.CodeOwners)
	}
	snap := &hardening.Snapshot{Version: 1, Repos: []*hardening.RepoSnapshot{r}}
	for _, id := range []string{"workflow-untrusted-checkout", "workflow-script-injection", "workflow-unpinned-actions"} {
		if got := result(t, snap, "acme/svc-0009", id); got.Status != hardening.StatusFail || len(got.Locations) == 0 {
			t.Errorf("%s: %+v", id, got)
		}
	}
	r = collectOne(t, c, "acme/svc-0001")
	if !r.Workflows.OK() || len(r.Workflows.Files) != 0 {
		t.Errorf("no workflows directory should read as none: %+v", r.Workflows)
	}
}

func TestTokenInfo(t *testing.T) {
	fake, c, _ := setup(t, nil, nil, Options{})
	fake.Scopes = "repo, read:org"
	ti := c.Token(context.Background())
	if ti.Kind != "classic personal access token" || ti.Login != "auditor" || !ti.ScopesKnown || len(ti.Scopes) != 2 || ti.RateLimit != 5000 {
		t.Errorf("token info: %+v", ti)
	}
	for tok, want := range map[string]string{"github_pat_x": "fine-grained", "ghs_x": "installation", "": "anonymous", "abc": "unrecognised"} {
		if got := ghclient.TokenKind(tok); !strings.Contains(got, want) {
			t.Errorf("TokenKind(%q) = %q", tok, got)
		}
	}
}
