package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/hardening/ghcollect/ghfake"
)

// fixFake serves an organisation "acme" with things to fix: an insecure
// organisation webhook and write token, no default code security
// configuration, and two unprotected repositories with every security
// feature off.
func fixFake(t *testing.T) (*ghfake.Server, string) {
	t.Helper()
	fake := ghfake.New()
	fake.Token = auditTestToken
	org, _ := ghfake.GenerateOrg("acme", 0)
	org.WorkflowDefault, org.CanApprovePRs = "write", true
	org.Hooks = []ghfake.Hook{{ID: 1, URL: "https://hooks.example.com/a", Secret: true, Active: true, InsecureSSL: true}}
	org.CodeSecurityDefaults = nil
	org.Rulesets = nil
	fake.AddOrg(org)
	recent := time.Now().AddDate(0, 0, -3)
	for _, name := range []string{"api", "web"} {
		fake.AddRepo(&ghfake.Repo{Owner: "acme", Name: name, OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "admin",
			WorkflowDefault: "write", CanApprovePRs: true, PushedAt: recent,
			Collaborators: []ghfake.Collaborator{{Login: "alice", Permission: "admin"}},
			DeployKeys:    []ghfake.DeployKey{{ID: 5, Title: "deploy", ReadOnly: false, CreatedAt: recent}},
			Hooks:         []ghfake.Hook{{ID: 40, URL: "https://ci.example.com/hook", Active: true, InsecureSSL: true}},
			Branches:      []string{"release/1.x"}, Tags: []string{"v1.0.0"},
			Files:        map[string]string{".github/CODEOWNERS": "* @acme/core\n", "SECURITY.md": "security@example.com\n"},
			CodeScanning: []ghfake.Analysis{{Ref: "refs/heads/main", Tool: "CodeQL", CreatedAt: recent}},
		})
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL
}

func TestAuditFixPlanThenApply(t *testing.T) {
	t.Parallel()
	fake, url := fixFake(t)
	dir := t.TempDir()
	base := []string{"audit", "fix", "--api-url", url, "--no-cache"}

	// Plan: exit 1 (things to do), nothing written.
	out, errs, code := auditRun(t, append(base, "--org", "acme")...)
	if code != exitFindings {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"acme (organization)", "acme/api (repository)", "+ POST repos/acme/api/rulesets", "fixes: repo-secret-scanning, repo-push-protection",
		"Manual:", "repo-deploy-keys", "why manual:", "Nothing was changed. Run again with --apply"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	if w := fake.Writes(); len(w) != 0 {
		t.Fatalf("planning wrote: %+v", w)
	}

	// The plan as data, for review.
	planFile := filepath.Join(dir, "plan.json")
	if _, errs, code := auditRun(t, append(base, "--org", "acme", "--format", "json", "-o", planFile)...); code != exitFindings {
		t.Fatalf("json plan: exit %d: %s", code, errs)
	}
	f, err := os.Open(planFile)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := hardening.ReadPlan(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Changes) == 0 || !strings.HasPrefix(pl.Tool, "rampart ") || pl.APIURL == "" {
		t.Fatalf("plan %+v", pl)
	}

	// A reviewed plan is shown without --apply, and refused without --yes
	// when standard input is not a terminal.
	if out, _, code := auditRun(t, "audit", "fix", "--from-plan", planFile); code != exitFindings || !strings.Contains(out, "Plan: ") {
		t.Errorf("from-plan show: exit %d\n%s", code, out)
	}
	// The API root is never taken from the file: without --api-url the
	// plan's server is refused before anything is sent, and so is a plan
	// edited to name another host.
	_, errs, code = auditRun(t, "audit", "fix", "--from-plan", planFile, "--apply", "--yes", "--no-cache")
	if code != exitError || !strings.Contains(errs, "never takes the API root from a file") {
		t.Errorf("apply without --api-url: exit %d: %s", code, errs)
	}
	evil := filepath.Join(dir, "evil.json")
	b, _ := os.ReadFile(planFile)
	if err := os.WriteFile(evil, []byte(strings.Replace(string(b), url, "https://collector.example.net/", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := auditRun(t, "audit", "fix", "--from-plan", evil, "--apply", "--yes", "--no-cache", "--api-url", url); code != exitError || !strings.Contains(errs, "collector.example.net") {
		t.Errorf("apply of a plan naming another host: exit %d: %s", code, errs)
	}
	if w := fake.Writes(); len(w) != 0 {
		t.Fatalf("refused apply wrote: %+v", w)
	}
	_, errs, code = auditRun(t, "audit", "fix", "--from-plan", planFile, "--apply", "--no-cache", "--api-url", url)
	if code != exitError || !strings.Contains(errs, "--apply needs --yes") {
		t.Errorf("apply without --yes: exit %d: %s", code, errs)
	}
	if w := fake.Writes(); len(w) != 0 {
		t.Fatalf("refused apply wrote: %+v", w)
	}

	// Apply exactly the reviewed plan: JSON log of every write.
	logFile := filepath.Join(dir, "apply.json")
	out, errs, code = auditRun(t, "audit", "fix", "--from-plan", planFile, "--apply", "--yes", "--no-cache", "--write-interval", "0",
		"--api-url", url, "--format", "json", "-o", logFile)
	if code != exitFindings { // manual items remain
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errs)
	}
	var doc struct {
		Results []hardening.ApplyResult `json:"results"`
		Summary struct{ Applied, Skipped, Failed, Writes, Manual int }
	}
	b, _ = os.ReadFile(logFile)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	writes := fake.Writes()
	if doc.Summary.Applied != len(pl.Changes) || doc.Summary.Failed != 0 || doc.Summary.Writes != len(writes) || doc.Summary.Manual == 0 {
		t.Errorf("summary %+v, %d writes seen by the fake, %d changes", doc.Summary, len(writes), len(pl.Changes))
	}
	i := 0
	for _, r := range doc.Results {
		for _, wl := range r.Writes {
			if wl.Method != writes[i].Method || wl.Path != writes[i].Path || wl.Status != writes[i].Status ||
				!bytes.Equal(hardening.Canonical(wl.Request), hardening.Canonical(writes[i].Body)) {
				t.Errorf("log entry %d %s %s %d differs from what the fake received: %+v", i, wl.Method, wl.Path, wl.Status, writes[i])
			}
			i++
		}
	}

	// A second plan is empty; the audit shows the fixed checks passing.
	out, _, code = auditRun(t, append(base, "--org", "acme")...)
	if !strings.Contains(out, "Plan: 0 changes") || code != exitFindings {
		t.Errorf("second plan (exit %d):\n%s", code, out)
	}
	out, _, _ = auditRun(t, "audit", "--org", "acme", "--api-url", url, "--no-cache", "--format", "json")
	for _, check := range []string{"branch-protected", "repo-secret-scanning", "repo-push-protection", "repo-dependabot-alerts",
		"repo-tag-protection", "org-security-defaults", "org-actions-token-permissions", "branch-release-protection"} {
		if st := statusInJSON(t, out, check); st != "pass" {
			t.Errorf("%s does not pass after apply: %q", check, st)
		}
	}
}

// statusInJSON returns the worst status of check across an audit JSON
// report's targets.
func statusInJSON(t *testing.T, out, check string) string {
	t.Helper()
	var doc struct {
		Targets []struct {
			Results []hardening.Result `json:"results"`
		} `json:"targets"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	worst := ""
	for _, tr := range doc.Targets {
		for _, r := range tr.Results {
			if r.Check == check && (worst == "" || r.Status == hardening.StatusFail) {
				worst = string(r.Status)
			}
		}
	}
	return worst
}

func TestAuditFixSelectedChecksOnOneRepository(t *testing.T) {
	t.Parallel()
	fake, url := fixFake(t)
	out, errs, code := auditRun(t, "audit", "fix", "--repo", "acme/api", "--api-url", url, "--no-cache", "--checks", "branch-protected,repo-push-protection",
		"--apply", "--yes", "--write-interval", "0")
	if code != exitClean {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	var got []string
	for _, w := range fake.Writes() {
		got = append(got, w.Method+" "+w.Path)
	}
	if strings.Join(got, "; ") != "PATCH repos/acme/api; POST repos/acme/api/rulesets" {
		t.Errorf("writes %v", got)
	}
	if !strings.Contains(out, "applied") || !strings.Contains(out, "→ HTTP 201") || !strings.Contains(out, "answer:") {
		t.Errorf("apply log:\n%s", out)
	}
	if s := statusInJSON(t, mustAudit(t, url, "acme/api"), "branch-protected"); s != "pass" {
		t.Errorf("branch-protected after apply: %s", s)
	}
}

func mustAudit(t *testing.T, url, repo string) string {
	t.Helper()
	out, _, _ := auditRun(t, "audit", "--repo", repo, "--api-url", url, "--no-cache", "--format", "json")
	return out
}

func TestAuditFixIssuesOnly(t *testing.T) {
	t.Parallel()
	fake, url := fixFake(t)
	// The fake's repositories are public: by default no issue is opened
	// (it would publish what is weak), and the plan says so.
	out, errs, code := auditRun(t, "audit", "fix", "--org", "acme", "--api-url", url, "--no-cache", "--issues-only", "--apply", "--yes", "--write-interval", "0")
	if code != exitFindings || !strings.Contains(out+errs, "public repositories") || len(fake.Writes()) != 0 {
		t.Fatalf("public repositories: exit %d, %d writes\n%s\n%s", code, len(fake.Writes()), out, errs)
	}
	if _, errs, code := auditRun(t, "audit", "fix", "--org", "acme", "--api-url", url, "--public-issues"); code != exitError || !strings.Contains(errs, "--public-issues goes with") {
		t.Errorf("--public-issues alone: exit %d: %s", code, errs)
	}
	out, errs, code = auditRun(t, "audit", "fix", "--org", "acme", "--api-url", url, "--no-cache", "--issues-only", "--public-issues", "--apply", "--yes", "--write-interval", "0")
	if code != exitFindings {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	var issues, settings int
	for _, w := range fake.Writes() {
		switch {
		case strings.HasSuffix(w.Path, "/issues"), strings.HasSuffix(w.Path, "/labels"):
			issues++
		default:
			settings++
		}
	}
	if issues != 4 || settings != 0 { // a label and an issue in each of two repositories
		t.Errorf("%d issue writes, %d setting writes", issues, settings)
	}
	out, _, _ = auditRun(t, "audit", "fix", "--org", "acme", "--api-url", url, "--no-cache", "--issues-only", "--public-issues")
	if !strings.Contains(out, "Plan: 0 changes") {
		t.Errorf("issues unchanged, yet planned again:\n%s", out)
	}
}

func TestAuditFixUsage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"audit", "fix"}, "exactly one of"},
		{[]string{"audit", "fix", "--org", "a", "--repo", "a/b"}, "exactly one of"},
		{[]string{"audit", "fix", "--org", "a", "--yes"}, "--yes only makes sense with --apply"},
		{[]string{"audit", "fix", "--org", "a", "--checks", "branch-protected,nope"}, "unknown check nope"},
		{[]string{"audit", "fix", "--org", "a", "--open-issues", "--issues-only"}, "not both"},
		{[]string{"audit", "fix", "--from-plan", "p.json", "--checks", "repo-admins"}, "exactly as reviewed"},
		{[]string{"audit", "fix", "--org", "a", "--format", "sarif"}, "want text or json"},
		{[]string{"audit", "fix", "--from-plan", "missing.json"}, "read plan"},
	}
	for _, c := range cases {
		_, errs, code := auditRun(t, c.args...)
		if code != exitError || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errs, c.want)
		}
	}
}

func TestAuditFixRefusesAHandEditedDelete(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plan := `{"version": 1, "created_at": "2025-06-01T00:00:00Z", "changes": [{"id": "x", "target": "acme/api", "scope": "repository",
 "kind": "repo-vulnerability-alerts", "checks": [], "summary": "s", "expect": {"enabled": false}, "permission": "p",
 "requests": [{"method": "DELETE", "path": "repos/acme/api"}]}], "manual": []}`
	p := auditWriteFile(t, dir, "plan.json", plan)
	_, errs, code := auditRun(t, "audit", "fix", "--from-plan", p, "--apply", "--yes")
	if code != exitError || !strings.Contains(errs, `method "DELETE" is not allowed`) {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestConfirmApply(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{"yes\n": true, "yes": true, "  yes  \n": true, "y\n": false, "YES\n": false, "": false, "no\n": false} {
		var out bytes.Buffer
		got, err := confirmApply(strings.NewReader(in), &out, "Apply? ")
		if err != nil || got != want || out.String() != "Apply? " {
			t.Errorf("%q: %v %v %q", in, got, err, out.String())
		}
	}
}

// TestAuditFixFlagsInREADME keeps the README's audit fix section true:
// every flag of the command is documented there.
func TestAuditFixFlagsInREADME(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "### Fixing what fails")
	if start < 0 {
		t.Fatal("README has no audit fix section")
	}
	section := readme[start:]
	if end := strings.Index(section[1:], "\n## "); end > 0 {
		section = section[:end]
	}
	root := newRootCmd(&streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &bytes.Buffer{}})
	fix, _, err := root.Find([]string{"audit", "fix"})
	if err != nil {
		t.Fatal(err)
	}
	fix.Flags().VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(section, "`--"+f.Name) && !strings.Contains(section, ", `--"+f.Name) && !strings.Contains(section, "--"+f.Name+" ") {
			t.Errorf("README's audit fix section does not mention --%s", f.Name)
		}
	})
}
