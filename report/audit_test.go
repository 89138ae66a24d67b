package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/rampart-sec/rampart/hardening"
)

var updateAudit = flag.Bool("update-audit", false, "rewrite the audit golden files under testdata/")

func bptr(b bool) *bool { return &b }

// auditFixture evaluates a small hand-built snapshot: an organisation with
// failures, a repository with a failure, a warning, an unknown, a workflow
// finding with a location and a waived failure, and a repository that could
// not be read.
func auditFixture(t *testing.T) *AuditReport {
	t.Helper()
	ok := hardening.Read{State: hardening.ReadOK}
	denied := hardening.Read{State: hardening.ReadDenied, Detail: "HTTP 404"}
	org := &hardening.OrgSnapshot{
		Login: "acme",
		Settings: hardening.OrgSettings{Read: ok, TwoFactorRequired: bptr(false), DefaultRepoPermission: "write",
			MembersCanCreatePublicRepos: bptr(false), SecretScanningForNewRepos: bptr(true), PushProtectionForNewRepos: bptr(true), DependabotAlertsForNewRepos: bptr(true)},
		MembersWithout2FA:    hardening.UserList{Read: ok, Logins: []string{"mallory"}},
		OutsideWithout2FA:    hardening.UserList{Read: ok},
		Owners:               hardening.UserList{Read: ok, Logins: []string{"alice"}},
		OutsideCollaborators: hardening.UserList{Read: ok},
		Actions:              hardening.ActionsPermissions{Read: denied},
		WorkflowPermissions:  hardening.WorkflowPermissions{Read: ok, Default: "read", CanApprove: bptr(false)},
		Webhooks:             hardening.Webhooks{Read: ok},
	}
	wf := "on: pull_request_target\njobs:\n  build:\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: echo \"${{ github.event.pull_request.title }}\" | tee x\n"
	repo := &hardening.RepoSnapshot{
		FullName: "acme/api", Owner: "acme", Name: "api", OwnerIsOrg: true, DefaultBranch: "main", ViewerPermission: "admin",
		Security:         hardening.SecurityAnalysis{Read: ok, SecretScanning: bptr(false), PushProtection: bptr(true)},
		DependabotAlerts: hardening.Toggle{Read: ok, Enabled: true},
		Branch: hardening.BranchSnapshot{Name: "main",
			Classic: hardening.ClassicProtection{Read: ok, Enabled: true, EnforceAdmins: true,
				RequiredReviews:      &hardening.ReviewRequirement{Approvals: 1, DismissStale: true, CodeOwners: true, LastPushApproval: true},
				RequiredStatusChecks: &hardening.StatusChecks{Strict: true, Contexts: []string{"ci"}}, RequiredConversationResolution: true},
			Rules:    hardening.ActiveRules{Read: ok},
			Rulesets: hardening.Rulesets{Read: ok}},
		Collaborators:        hardening.Collaborators{Read: ok, Users: []hardening.Collaborator{{Login: "alice", Permission: "admin"}}},
		OutsideCollaborators: hardening.Collaborators{Read: ok},
		Teams:                hardening.Teams{Read: ok},
		DeployKeys:           hardening.DeployKeys{Read: denied},
		Webhooks:             hardening.Webhooks{Read: ok},
		WorkflowPermissions:  hardening.WorkflowPermissions{Read: ok, Default: "read", CanApprove: bptr(false)},
		Workflows:            hardening.Workflows{Read: ok, Files: []hardening.WorkflowFile{{Path: ".github/workflows/pr|target.yml", Content: wf, Read: ok}}},
		CodeOwners:           hardening.CodeOwners{Read: ok, Exists: true},
		Environments:         hardening.Environments{Read: ok},
	}
	broken := &hardening.RepoSnapshot{FullName: "acme/broken", Owner: "acme", Name: "broken", Error: "GET /repos/acme/broken: HTTP 502"}
	pol, err := hardening.ParsePolicy("p", []byte(`[audit]
[[audit.waivers]]
check = "repo-secret-scanning"
repos = ["acme/api"]
reason = "enabling with the GHAS rollout"
expires = 2025-09-30
`))
	if err != nil {
		t.Fatal(err)
	}
	snap := &hardening.Snapshot{Version: hardening.SnapshotVersion, Org: org, Repos: []*hardening.RepoSnapshot{repo, broken}}
	rep := hardening.Evaluate(snap, pol, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	return &AuditReport{Version: "1.2.3", Report: rep, FailOn: hardening.SeverityHigh, Requests: 42,
		Notes: []string{"--config-from origin/main: the commit 0123456789ab has no .rampart.toml, so the built-in policy applies: the checkout's .rampart.toml (the change's own) was NOT used"}}
}

func auditGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateAudit {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -run Audit -update-audit)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./report -run Audit -update-audit to accept):\n%s", name, got)
	}
}

func TestAuditGolden(t *testing.T) {
	for _, tc := range []struct{ format, file string }{
		{"text", "audit-golden.txt"}, {"json", "audit-golden.json"}, {"markdown", "audit-golden.md"}, {"sarif", "audit-golden.sarif"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteAudit(&buf, tc.format, auditFixture(t), AuditOptions{}); err != nil {
				t.Fatal(err)
			}
			auditGolden(t, tc.file, buf.String())
		})
	}
}

func TestAuditJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteAudit(&buf, "json", auditFixture(t), AuditOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tool struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"tool"`
		Targets []struct {
			Repo    string           `json:"repo"`
			Org     string           `json:"org"`
			Error   string           `json:"error"`
			Results []map[string]any `json:"results"`
		} `json:"targets"`
		Summary map[string]any `json:"summary"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tool.Name != "rampart" || doc.Tool.Version != "1.2.3" {
		t.Errorf("tool: %+v", doc.Tool)
	}
	if len(doc.Targets) != 3 || doc.Targets[0].Org != "acme" || doc.Targets[1].Repo != "acme/api" || doc.Targets[2].Error == "" {
		t.Fatalf("targets: %+v", doc.Targets)
	}
	for _, r := range doc.Targets[1].Results {
		for _, k := range []string{"check", "status", "severity", "evidence", "remediation"} {
			if _, ok := r[k]; !ok {
				t.Errorf("result lacks %q: %v", k, r)
			}
		}
	}
	if doc.Targets[2].Results == nil {
		t.Error("results must be [] for an unreadable repository, not null")
	}
	for _, k := range []string{"repositories", "pass", "fail", "warn", "unknown", "checks"} {
		if _, ok := doc.Summary[k]; !ok {
			t.Errorf("summary lacks %q", k)
		}
	}
}

func TestAuditSARIFValidatesAgainstSchema(t *testing.T) {
	schemaPath := "/work/shared/schemas/sarif-schema-2.1.0.json"
	if _, err := os.Stat(schemaPath); err != nil {
		schemaPath = filepath.Join("..", "..", "shared", "schemas", "sarif-schema-2.1.0.json")
	}
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Skipf("SARIF schema not available: %v", err)
	}
	schemaDoc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema-2.1.0.json", schemaDoc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteAudit(&buf, "sarif", auditFixture(t), AuditOptions{}); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("audit SARIF does not validate: %v", err)
	}
	// And the schema is not vacuous: a broken log fails.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"version": "2.1.0", "runs": [{"tool": {}}]}`))
	if err := sch.Validate(bad); err == nil {
		t.Fatal("the schema accepted a run without a driver")
	}

	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID       string `json:"ruleId"`
				RuleIndex    int    `json:"ruleIndex"`
				Kind         string `json:"kind"`
				Suppressions []any  `json:"suppressions"`
				Locations    []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(hardening.Checks()) {
		t.Errorf("%d rules, want one per check", len(run.Tool.Driver.Rules))
	}
	var sawWaived, sawUnknown, sawFile bool
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex of %s points at %s", r.RuleID, run.Tool.Driver.Rules[r.RuleIndex].ID)
		}
		if r.RuleID == "repo-secret-scanning" && len(r.Suppressions) == 1 {
			sawWaived = true
		}
		if r.Kind == "review" {
			sawUnknown = true
		}
		for _, l := range r.Locations {
			if l.PhysicalLocation != nil && l.PhysicalLocation.ArtifactLocation.URI == ".github/workflows/pr%7Ctarget.yml" {
				sawFile = true
			}
		}
	}
	if !sawWaived || !sawUnknown || !sawFile {
		t.Errorf("waived %v, unknown %v, escaped file location %v", sawWaived, sawUnknown, sawFile)
	}
}

func TestAuditTextColourOnlyWhenAsked(t *testing.T) {
	var plain, coloured bytes.Buffer
	rep := auditFixture(t)
	if err := WriteAudit(&plain, "text", rep, AuditOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteAudit(&coloured, "text", rep, AuditOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("escape sequences without colour")
	}
	if !strings.Contains(coloured.String(), "\x1b[") {
		t.Error("no escape sequences with colour")
	}
	var quiet bytes.Buffer
	if err := WriteAudit(&quiet, "text", rep, AuditOptions{Quiet: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(quiet.String(), "pass     ") {
		t.Error("quiet output lists passed checks")
	}
	if err := WriteAudit(&quiet, "yaml", rep, AuditOptions{}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestAuditMarkdownEscapesCells(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteAudit(&buf, "markdown", auditFixture(t), AuditOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.Contains(line, "pr|target") {
			t.Errorf("unescaped pipe breaks the table: %s", line)
		}
	}
}
