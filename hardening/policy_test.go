package hardening

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

const samplePolicy = `
[allowlist]
paths = ["testdata/"]   # the scanner's table: ignored here

[audit]
min_approvals = 2
max_owners = 4
max_admins = 1
max_deploy_key_age_days = 90
require_signed_commits = true
production_environments = "^(prod|production)$"
trusted_action_owners = ["actions", "acme"]
fail_on = "high"
disable = ["org-public-repo-creation"]

[audit.severity]
"repo-deploy-keys" = "critical"

[[audit.waivers]]
check = "repo-secret-scanning"
repos = ["acme/legacy-*"]
reason = "archived next quarter"
expires = 2025-12-31

[[audit.waivers]]
check = "branch-signed-commits"
repo = "acme/api"
reason = "bots cannot sign yet"
expires = "2025-01-31"
`

func TestParsePolicy(t *testing.T) {
	p, err := ParsePolicy(".rampart.toml", []byte(samplePolicy))
	if err != nil {
		t.Fatal(err)
	}
	if p.MinApprovals != 2 || p.MaxOwners != 4 || p.MaxAdmins != 1 || p.MaxDeployKeyAge != 90*24*time.Hour {
		t.Errorf("thresholds not applied: %+v", p)
	}
	if !p.RequireSignedCommits || p.RequireLinearHistory || p.FailOn != SeverityHigh {
		t.Errorf("flags not applied: %+v", p)
	}
	if p.ProductionEnvironments.MatchString("preprod") || !p.ProductionEnvironments.MatchString("prod") {
		t.Error("production_environments not applied")
	}
	if p.Enabled("org-public-repo-creation") || !p.Enabled("org-2fa-required") {
		t.Error("disable not applied")
	}
	if got := p.SeverityOf(CheckByID("repo-deploy-keys")); got != SeverityCritical {
		t.Errorf("severity override: %s", got)
	}
	if got := p.SeverityOf(CheckByID("repo-admins")); got != SeverityMedium {
		t.Errorf("default severity: %s", got)
	}
	ws := p.Waivers()
	if len(ws) != 2 || ws[0].Expires != time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC) || ws[1].Targets[0] != "acme/api" {
		t.Errorf("waivers: %+v", ws)
	}
}

func TestParsePolicyWithoutAuditTableIsDefault(t *testing.T) {
	p, err := ParsePolicy(".rampart.toml", []byte("[allowlist]\npaths = [\"x\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.MinApprovals != DefaultPolicy().MinApprovals {
		t.Error("not the default policy")
	}
}

func TestParsePolicyFileTopLevel(t *testing.T) {
	p, err := ParsePolicyFile("policy.toml", []byte("min_approvals = 3\n[[waivers]]\ncheck = \"repo-admins\"\nrepos = [\"*\"]\nreason = \"r\"\nexpires = 2030-01-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.MinApprovals != 3 || len(p.Waivers()) != 1 {
		t.Errorf("top-level policy file not read: %+v", p)
	}
}

func TestParsePolicyReportsEveryProblem(t *testing.T) {
	bad := `
[audit]
min_approvals = -1
max_deploy_key_age_days = 0
production_environments = "("
fail_on = "severe"
disable = ["no-such-check"]
colour = "blue"

[audit.severity]
"repo-admins" = "huge"

[[audit.waivers]]
check = "repo-admins"
repos = ["["]

[[audit.waivers]]
check = "branch-protected"
repos = ["acme/*"]
reason = "x"
expires = "next tuesday"
`
	_, err := ParsePolicy("p.toml", []byte(bad))
	var pe *PolicyError
	if !errors.As(err, &pe) {
		t.Fatalf("want *PolicyError, got %v", err)
	}
	for _, want := range []string{"min_approvals", "max_deploy_key_age_days", "production_environments", "fail_on",
		"no-such-check", "colour", "severity.repo-admins", "bad glob", "reason is required", "expires is required", "next tuesday"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if !strings.HasPrefix(err.Error(), "p.toml: ") {
		t.Errorf("error does not name the file: %v", err)
	}
}

func TestParsePolicySyntaxErrorHasLine(t *testing.T) {
	_, err := ParsePolicy("p.toml", []byte("[audit]\nmin_approvals = = 2\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("want a line number, got %v", err)
	}
}

func TestWaivers(t *testing.T) {
	p, err := ParsePolicy("p", []byte(samplePolicy))
	if err != nil {
		t.Fatal(err)
	}
	legacy := goodRepo()
	legacy.FullName, legacy.Name = "acme/legacy-billing", "legacy-billing"
	legacy.Security.SecretScanning = bp(false)
	api := goodRepo()
	api.Branch.Classic.RequiredSignatures = false
	snap := &Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{legacy, api}}

	find := func(rep *Report, repo, check string) Result {
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
		t.Fatalf("no %s on %s", check, repo)
		return Result{}
	}

	// Before both expiries: the secret-scanning failure is waived.
	rep := Evaluate(snap, p, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	r := find(rep, "acme/legacy-billing", "repo-secret-scanning")
	if r.Status != StatusFail || !r.Waived() || r.Failing() {
		t.Errorf("live waiver not applied: %+v", r)
	}
	// The signed-commits waiver (expired 2025-01-31) no longer applies and says so.
	r = find(rep, "acme/api", "branch-signed-commits")
	if r.Status != StatusFail || r.Waived() || !r.Waiver.Expired || !strings.Contains(r.Evidence, "waiver expired on 2025-01-31") {
		t.Errorf("expired waiver: %+v", r)
	}
	if rep.Summary.Waived != 1 {
		t.Errorf("summary waived = %d", rep.Summary.Waived)
	}
	// The expiry day itself is still covered; the day after is not.
	if r := find(Evaluate(snap, p, time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)), "acme/legacy-billing", "repo-secret-scanning"); !r.Waived() {
		t.Error("waiver should cover its expiry day")
	}
	if r := find(Evaluate(snap, p, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), "acme/legacy-billing", "repo-secret-scanning"); r.Waived() {
		t.Error("waiver should have expired")
	}
	// Waivers match by glob only.
	if r := find(rep, "acme/api", "repo-secret-scanning"); r.Waiver != nil {
		t.Errorf("waiver applied to the wrong repository: %+v", r)
	}
}

func TestEvaluateFailingThresholdAndDisabled(t *testing.T) {
	repo := goodRepo()
	repo.Branch.Classic.RequiredConversationResolution = false // low
	repo.Security.PushProtection = bp(false)                   // high
	snap := &Snapshot{Version: SnapshotVersion, Org: goodOrg(), Repos: []*RepoSnapshot{repo}}
	p := DefaultPolicy()
	rep := Evaluate(snap, p, testNow)
	if got := rep.Failing(SeverityLow); got != 2 {
		t.Errorf("failing at low = %d, want 2", got)
	}
	if got := rep.Failing(SeverityHigh); got != 1 {
		t.Errorf("failing at high = %d, want 1", got)
	}
	if got := rep.Failing(SeverityCritical); got != 0 {
		t.Errorf("failing at critical = %d, want 0", got)
	}
	p2, _ := ParsePolicy("p", []byte("[audit]\ndisable = [\"repo-push-protection\"]\n"))
	rep = Evaluate(snap, p2, testNow)
	for _, tr := range rep.Targets {
		for _, r := range tr.Results {
			if r.Check == "repo-push-protection" {
				t.Error("disabled check ran")
			}
		}
	}
	if rep.Summary.Repositories != 1 || rep.Summary.Organization != "acme" || len(rep.Summary.Checks) != len(Checks())-1 {
		t.Errorf("summary: %+v", rep.Summary)
	}
}

func TestEvaluateRepoErrorIsRecorded(t *testing.T) {
	bad := &RepoSnapshot{FullName: "acme/gone", Error: "HTTP 500"}
	rep := Evaluate(&Snapshot{Version: SnapshotVersion, Repos: []*RepoSnapshot{goodRepo(), bad}}, DefaultPolicy(), testNow)
	if rep.Summary.Errors != 1 || rep.Targets[1].Error != "HTTP 500" || rep.Targets[1].Score != nil {
		t.Errorf("repository error not recorded: %+v", rep.Targets[1])
	}
	if rep.Targets[0].Score == nil || *rep.Targets[0].Score != 10 {
		t.Errorf("a fully passing repository scores 10, got %v", rep.Targets[0].Score)
	}
}

func TestScore(t *testing.T) {
	res := func(st Status, sev Severity) Result { return Result{Status: st, Severity: sev} }
	cases := []struct {
		name string
		in   []Result
		want float64
		ok   bool
	}{
		{"all pass", []Result{res(StatusPass, SeverityHigh), res(StatusPass, SeverityLow)}, 10, true},
		{"all fail", []Result{res(StatusFail, SeverityHigh)}, 0, true},
		{"unknown scores nothing", []Result{res(StatusPass, SeverityHigh), res(StatusUnknown, SeverityHigh)}, 5, true},
		{"warn is half", []Result{res(StatusWarn, SeverityMedium)}, 5, true},
		{"weights", []Result{res(StatusPass, SeverityCritical), res(StatusFail, SeverityMedium), res(StatusFail, SeverityLow)}, 7.1, true},
		{"waived left out", []Result{res(StatusPass, SeverityLow), {Status: StatusFail, Severity: SeverityHigh, Waiver: &WaiverNote{}}}, 10, true},
		{"expired waiver counts", []Result{res(StatusPass, SeverityLow), {Status: StatusFail, Severity: SeverityLow, Waiver: &WaiverNote{Expired: true}}}, 5, true},
		{"nothing weighted", []Result{res(StatusPass, SeverityInfo)}, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Score(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Score = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestShard(t *testing.T) {
	for _, bad := range []string{"", "1", "2/2", "-1/3", "a/b", "0/0"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
	const n = 4
	counts := make([]int, n)
	for i := range 1000 {
		name := "acme/repo-" + string(rune('a'+i%26)) + strings.Repeat("x", i%7) + string(rune('0'+i%10)) + string(rune('a'+i/26%26))
		hits := 0
		for k := range n {
			s, err := ParseShard(strings.Join([]string{string(rune('0' + k)), "4"}, "/"))
			if err != nil {
				t.Fatal(err)
			}
			if s.Contains(name) {
				hits++
				counts[k]++
			}
		}
		if hits != 1 {
			t.Fatalf("%s is in %d shards", name, hits)
		}
	}
	for k, c := range counts {
		if c < 150 {
			t.Errorf("shard %d has only %d of 1000", k, c)
		}
	}
	// Stable: case-insensitive, and a fixed value pins the hash.
	s := Shard{Index: 0, Count: 7}
	if s.Contains("Acme/API") != s.Contains("acme/api") {
		t.Error("shard depends on case")
	}
	if !(Shard{}).Contains("anything") {
		t.Error("the zero shard holds everything")
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	snap := &Snapshot{Version: SnapshotVersion, CollectedAt: testNow, Org: goodOrg(), Repos: []*RepoSnapshot{goodRepo()}}
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, snap); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSnapshot(&buf)
	if err != nil {
		t.Fatal(err)
	}
	a := Evaluate(snap, DefaultPolicy(), testNow)
	b := Evaluate(got, DefaultPolicy(), testNow)
	if len(a.Targets) != len(b.Targets) {
		t.Fatal("targets differ")
	}
	for i := range a.Targets {
		for j := range a.Targets[i].Results {
			if a.Targets[i].Results[j].Status != b.Targets[i].Results[j].Status || a.Targets[i].Results[j].Evidence != b.Targets[i].Results[j].Evidence {
				t.Errorf("%s differs after a round trip", a.Targets[i].Results[j].Check)
			}
		}
	}
	if _, err := ReadSnapshot(strings.NewReader(`{"version": 99}`)); !errors.Is(err, ErrSnapshotVersion) {
		t.Errorf("want ErrSnapshotVersion, got %v", err)
	}
	if _, err := ReadSnapshot(strings.NewReader(`{`)); err == nil {
		t.Error("truncated snapshot accepted")
	}
}

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		pat, s string
		want   bool
	}{
		{"main", "main", true},
		{"release/*", "release/1.0", true},
		{"release/*", "release/1.0/hotfix", false},
		{"release/**", "release/1.0/hotfix", true},
		{"v?", "v1", true},
		{"*", "feature/x", false},
		{"**", "feature/x", true},
	}
	for _, c := range cases {
		if got := globMatch(c.pat, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.pat, c.s, got)
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(samplePolicy))
	f.Add([]byte("[audit]\n[[audit.waivers]]\nexpires = 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy("f", data)
		if err == nil && p == nil {
			t.Fatal("nil policy without error")
		}
	})
}

func FuzzParseWorkflow(f *testing.F) {
	f.Add(goodWorkflow)
	f.Add("on: [push]\njobs:\n  a: [1, 2]\n")
	f.Add("jobs:\n  a:\n    steps: {x: 1}\n")
	f.Add("on: push\npermissions:\n  contents: write\n  x: [1]\njobs:\n  a:\n    runs-on: {group: g, labels: [self-hosted, {x: 1}]}\n")
	f.Fuzz(func(t *testing.T, content string) {
		w, err := parseWorkflow("f.yml", content)
		if err == nil && w == nil {
			t.Fatal("nil workflow without error")
		}
	})
}
