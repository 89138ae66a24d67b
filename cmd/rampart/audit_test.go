package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/hardening/ghcollect/ghfake"
)

const auditTestToken = "ghp_auditE2EtokenNeverPrinted000000000000"

// auditFake serves a fake organisation "acme" of n repositories.
func auditFake(t *testing.T, n int) (*ghfake.Server, string) {
	t.Helper()
	fake := ghfake.New()
	fake.Token = auditTestToken
	fake.Scopes = "repo, read:org"
	org, repos := ghfake.GenerateOrg("acme", n)
	fake.AddOrg(org)
	fake.AddRepo(repos...)
	// A fully hardened repository, to see exit code 0.
	fake.AddRepo(&ghfake.Repo{
		Owner: "acme", Name: "fortress", OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "admin",
		SecretScanning: true, PushProtection: true, DependabotAlerts: true, WorkflowDefault: "read",
		Protection: &ghfake.Protection{RequirePR: true, Approvals: 2, DismissStale: true, CodeOwners: true, LastPushApproval: true,
			EnforceAdmins: true, StatusChecks: []string{"ci"}, Strict: true, LinearHistory: true, Signatures: true,
			ConversationResolved: true, RestrictTeams: []string{"release"}},
		Files: map[string]string{".github/CODEOWNERS": "* @acme/core\n"},
	})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL
}

// auditRun runs rampart with GITHUB_TOKEN set and returns stdout, stderr
// and the exit code.
func auditRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	out, errs, code := cliRun(t, t.TempDir(), []string{"GITHUB_TOKEN=" + auditTestToken}, "", args...)
	if strings.Contains(out+errs, auditTestToken) {
		t.Fatal("the token was printed")
	}
	return out, errs, code
}

func auditWriteFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAuditOrgJSONAndExitCodes(t *testing.T) {
	t.Parallel()
	_, url := auditFake(t, 12)
	dir := t.TempDir()
	policy := auditWriteFile(t, dir, "policy.toml", "[audit]\nmin_approvals = 1\n")
	base := []string{"audit", "--api-url", url, "--cache-dir", filepath.Join(dir, "cache"), "--policy", policy}

	out, errs, code := auditRun(t, append(base, "--org", "acme", "--format", "json")...)
	if code != exitFindings {
		t.Fatalf("exit %d, want 1 (failures at or above low); stderr: %s", code, errs)
	}
	var doc struct {
		Tool    map[string]string `json:"tool"`
		Targets []struct {
			Repo    string `json:"repo"`
			Org     string `json:"org"`
			Results []struct {
				Check, Status, Severity, Evidence, Remediation string
			} `json:"results"`
		} `json:"targets"`
		Summary struct {
			Repositories int `json:"repositories"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if doc.Tool["name"] != "rampart" || doc.Targets[0].Org != "acme" || doc.Summary.Repositories != 11 {
		t.Errorf("tool %v, first target %+v, %d repositories (want 11: 12 generated, 2 archived, plus fortress)", doc.Tool, doc.Targets[0].Org, doc.Summary.Repositories)
	}

	// --fail-on critical: the generated organisation has a critical workflow
	// finding (svc-0009), so still 1.
	if _, _, code := auditRun(t, append(base, "--org", "acme", "--fail-on", "critical", "-q")...); code != exitFindings {
		t.Errorf("--fail-on critical: exit %d", code)
	}
	// The hardened repository alone passes at high.
	out, errs, code = auditRun(t, append(base, "--repo", "acme/fortress", "--fail-on", "high")...)
	if code != exitClean {
		t.Errorf("fortress: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "acme/fortress (repository)  score") || !strings.Contains(out, "No failed check at or above high.") {
		t.Errorf("text report:\n%s", out)
	}
}

func TestAuditSnapshotRoundTripAndFormats(t *testing.T) {
	t.Parallel()
	fake, url := auditFake(t, 6)
	dir := t.TempDir()
	snap := filepath.Join(dir, "snap.json")
	report1 := filepath.Join(dir, "r1.md")
	_, errs, code := auditRun(t, "audit", "--org", "acme", "--api-url", url, "--no-cache", "--snapshot-out", snap,
		"--format", "markdown", "--output", report1)
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errs)
	}
	before, _ := fake.Requests()
	report2 := filepath.Join(dir, "r2.md")
	_, errs, code = auditRun(t, "audit", "--from-snapshot", snap, "--format", "markdown", "--output", report2)
	if code != exitFindings {
		t.Fatalf("offline exit %d: %s", code, errs)
	}
	if after, _ := fake.Requests(); after != before {
		t.Errorf("--from-snapshot made %d requests", after-before)
	}
	a, _ := os.ReadFile(report1)
	b, _ := os.ReadFile(report2)
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("offline report differs from the live one")
	}
	if !strings.HasPrefix(string(a), "# rampart audit") {
		t.Errorf("markdown report: %.200s", a)
	}
	for _, f := range []string{"sarif", "text", "json"} {
		out, _, code := auditRun(t, "audit", "--from-snapshot", snap, "--format", f)
		if code != exitFindings || len(out) == 0 {
			t.Errorf("%s: exit %d, %d bytes", f, code, len(out))
		}
	}
	st, err := os.Stat(snap)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("snapshot mode: %v %v", st.Mode(), err)
	}
}

func TestAuditWaiverFromPolicyFile(t *testing.T) {
	t.Parallel()
	_, url := auditFake(t, 0)
	dir := t.TempDir()
	// fortress fails only the policy-required push-restriction-free checks
	// below when the policy raises min_approvals; a waiver covers it.
	policy := auditWriteFile(t, dir, "policy.toml", `[audit]
min_approvals = 3
[[audit.waivers]]
check = "branch-required-reviews"
repos = ["acme/fort*"]
reason = "two reviewers until the team grows"
expires = 2999-01-01
`)
	out, errs, code := auditRun(t, "audit", "--repo", "acme/fortress", "--api-url", url, "--no-cache", "--policy", policy, "--fail-on", "high")
	if code != exitClean || !strings.Contains(out, "waived until 2999-01-01: two reviewers until the team grows") {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
	expired := auditWriteFile(t, dir, "expired.toml", strings.Replace(auditMustRead(t, policy), "2999-01-01", "2020-01-01", 1))
	out, _, code = auditRun(t, "audit", "--repo", "acme/fortress", "--api-url", url, "--no-cache", "--policy", expired, "--fail-on", "high")
	if code != exitFindings || !strings.Contains(out, "waiver expired on 2020-01-01") {
		t.Errorf("expired waiver: exit %d\n%s", code, out)
	}
}

func auditMustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAuditUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := auditWriteFile(t, dir, "bad.toml", "[audit]\nmin_approvals = -2\ndisable = [\"nope\"]\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"audit"}, "exactly one of"},
		{[]string{"audit", "--org", "a", "--repo", "a/b"}, "exactly one of"},
		{[]string{"audit", "--repo", "nobody"}, "OWNER/NAME"},
		{[]string{"audit", "--org", "a", "--format", "xml"}, "unknown format"},
		{[]string{"audit", "--org", "a", "--fail-on", "severe"}, "--fail-on"},
		{[]string{"audit", "--org", "a", "--shard", "3/3"}, "--shard"},
		{[]string{"audit", "--repo", "a/b", "--shard", "0/2"}, "applies to --org"},
		{[]string{"audit", "--org", "a", "--workers", "0"}, "--workers"},
		{[]string{"audit", "--org", "a", "--policy", bad}, "nope"},
		{[]string{"audit", "--from-snapshot", filepath.Join(dir, "missing.json")}, "read snapshot"},
		{[]string{"audit", "--org", "a", "--api-url", "::bad"}, "--api-url"},
	} {
		_, errs, code := auditRun(t, tc.args...)
		if code != exitError || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q (want %q)", tc.args, code, errs, tc.want)
		}
	}
}

func TestAuditUnknownOrgIsAnError(t *testing.T) {
	t.Parallel()
	_, url := auditFake(t, 1)
	_, errs, code := auditRun(t, "audit", "--org", "nope", "--api-url", url, "--no-cache")
	if code != exitError || !strings.Contains(errs, "not found or not visible") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestAuditShards(t *testing.T) {
	t.Parallel()
	_, url := auditFake(t, 20)
	seen := map[string]int{}
	for _, sh := range []string{"0/2", "1/2"} {
		out, errs, code := auditRun(t, "audit", "--org", "acme", "--api-url", url, "--no-cache", "--shard", sh, "--format", "json")
		if code == exitError {
			t.Fatalf("%s: %s", sh, errs)
		}
		var doc struct {
			Targets []struct {
				Repo string `json:"repo"`
			} `json:"targets"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		for _, tg := range doc.Targets {
			if tg.Repo != "" {
				seen[tg.Repo]++
			}
		}
	}
	if len(seen) != 19 { // 20 generated - 2 archived + fortress
		t.Errorf("shards covered %d repositories, want 19", len(seen))
	}
	for r, n := range seen {
		if n != 1 {
			t.Errorf("%s audited by %d shards", r, n)
		}
	}
}

func TestAuditETagCacheAcrossRuns(t *testing.T) {
	t.Parallel()
	fake, url := auditFake(t, 4)
	cache := filepath.Join(t.TempDir(), "cache")
	args := []string{"audit", "--org", "acme", "--api-url", url, "--cache-dir", cache, "-q"}
	out1, _, _ := auditRun(t, args...)
	_, nm1 := fake.Requests()
	out2, _, _ := auditRun(t, args...)
	_, nm2 := fake.Requests()
	if nm1 != 0 || nm2 == 0 {
		t.Errorf("304s: first run %d, second run %d", nm1, nm2-nm1)
	}
	strip := func(s string) string {
		i := strings.LastIndex(s, "API request")
		if i < 0 {
			return s
		}
		return s[:strings.LastIndex(s[:i], "\n")]
	}
	if strip(out1) != strip(out2) {
		t.Error("cached run reported differently")
	}
}

func TestAuditDoctor(t *testing.T) {
	t.Parallel()
	_, url := auditFake(t, 2)
	out, errs, code := auditRun(t, "audit", "doctor", "--api-url", url, "--no-cache")
	if code != exitClean {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"classic personal access token", "acting as auditor", "scopes:     repo, read:org", "missing:    admin:org_hook", "rate limit:"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	out, errs, code = auditRun(t, "audit", "doctor", "--org", "acme", "--api-url", url, "--no-cache")
	if code != exitClean {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !regexp.MustCompile(`org-2fa-required +yes`).MatchString(out) || !strings.Contains(out, "checks can run with this token") {
		t.Errorf("doctor --org:\n%s", out)
	}
}

func TestAuditDoctorShowsWhatANonAdminCannotSee(t *testing.T) {
	t.Parallel()
	fake := ghfake.New()
	fake.Token = auditTestToken
	fake.AddRepo(&ghfake.Repo{Owner: "acme", Name: "app", OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "write"})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	out, errs, code := auditRun(t, "audit", "doctor", "--repo", "acme/app", "--api-url", srv.URL, "--no-cache")
	if code != exitClean {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "repo-deploy-keys") || !strings.Contains(out, "no       repository admin") {
		t.Errorf("doctor should list admin-only checks as not runnable:\n%s", out)
	}
	if !strings.Contains(out, "token permission: write") {
		t.Errorf("doctor should show the token's permission on the repository:\n%s", out)
	}
}

// TestAuditDoctorUnreachableIsAnError is issue #15's tenth defect: with no
// target, doctor said "note: … no such host" and exited 0 when GitHub could
// not be reached; with --repo it exited 2. Unreachable is exit 2 in both.
func TestAuditDoctorUnreachableIsAnError(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: taken, then released.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	for _, args := range [][]string{
		{"audit", "doctor", "--api-url", url, "--no-cache"},
		{"audit", "doctor", "--repo", "acme/app", "--api-url", url, "--no-cache"},
		{"audit", "doctor", "--org", "acme", "--api-url", url, "--no-cache"},
	} {
		out, errs, code := auditRun(t, args...)
		if code != exitError || !strings.Contains(errs, "cannot reach GitHub at "+url) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and why\n%s", args[2:], code, errs, out)
		}
	}
	// Reachable but answering errors (GitHub Enterprise Server without rate
	// limiting answers /rate_limit with 404) is not "unreachable".
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"Not Found"}`))
	}))
	defer fake.Close()
	if _, errs, code := auditRun(t, "audit", "doctor", "--api-url", fake.URL, "--no-cache"); code != exitClean {
		t.Errorf("a GitHub that answers 404: exit %d: %s", code, errs)
	}
}
