package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestReportMergeScans(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, content := range []string{"id " + scKeyID + "\n", "nothing\n", "role AKIAGMXGEDN73U55XTPL\n"} {
		sub := filepath.Join(dir, "repo"+itoaTest(i))
		scWrite(t, sub, "f.txt", content)
		scRun(t, sub, "", "scan", "--format", "json", "-o", filepath.Join(dir, "r"+itoaTest(i)+".json"))
	}
	out, errOut, code := scRun(t, dir, "", "report", "merge", "r0.json", "r1.json", "r2.json")
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Findings []map[string]any    `json:"findings"`
		Stats    struct{ Files int } `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 2 || doc.Stats.Files != 3 {
		t.Errorf("merged %d findings over %d files, want 2 over 3:\n%s", len(doc.Findings), doc.Stats.Files, out)
	}
	if strings.Contains(out, scKeyID) {
		t.Error("merge revealed a secret")
	}
}

// TestReportMergeOfPlaintextShardsIsOwnerOnly: shards written with
// --show-secrets are 0600; their merge holds the same secrets and is 0600
// too (an existing file narrowed), while a merge of redacted shards keeps
// the usual mode.
func TestReportMergeOfPlaintextShardsIsOwnerOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sub := filepath.Join(dir, "repo")
	scWrite(t, sub, "f.txt", "id "+scKeyID+"\n")
	scRun(t, sub, "", "scan", "--show-secrets", "--format", "json", "-o", filepath.Join(dir, "plain.json"))
	scRun(t, sub, "", "scan", "--format", "json", "-o", filepath.Join(dir, "redacted.json"))
	merged := filepath.Join(dir, "merged.json")
	scWrite(t, dir, "merged.json", "{}")
	if err := os.Chmod(merged, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := scRun(t, dir, "", "report", "merge", "-o", merged, "plain.json"); code != exitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(merged)
	if err != nil || !strings.Contains(string(data), scKeyID) {
		t.Fatalf("merged report: %v, plaintext %v", err, strings.Contains(string(data), scKeyID))
	}
	if fi, err := os.Stat(merged); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("merge of --show-secrets shards: mode %v, want 0600 (%v)", fi.Mode().Perm(), err)
	}
	redacted := filepath.Join(dir, "merged-redacted.json")
	if _, errOut, code := scRun(t, dir, "", "report", "merge", "-o", redacted, "redacted.json"); code != exitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if fi, err := os.Stat(redacted); err != nil || fi.Mode().Perm()&0o044 == 0 {
		t.Errorf("merge of redacted shards: mode %v, want the usual (group/other readable under the umask) (%v)", fi.Mode().Perm(), err)
	}
}

func TestReportMergeAuditShards(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	shard := func(name, repo, status string, score float64) {
		doc := `{"tool":{"name":"rampart","version":"t"},"targets":[
 {"org":"acme","results":[{"check":"org-2fa-required","status":"pass","severity":"high","evidence":"required","remediation":"-"}]},
 {"repo":"` + repo + `","score":` + strconv.FormatFloat(score, 'f', -1, 64) + `,"results":[{"check":"branch-protected","status":"` + status + `","severity":"high","evidence":"e","remediation":"r"}]}],
 "summary":{"repositories":1,"pass":1,"fail":0,"warn":0,"unknown":0,"checks":[]},
 "notes":["the policy note", "` + name + `"]}`
		scWrite(t, dir, name, doc)
	}
	shard("s0.json", "acme/api", "fail", 4)
	shard("s1.json", "acme/web", "pass", 10)
	out, errOut, code := scRun(t, dir, "", "report", "merge", "s0.json", "s1.json")
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Targets []struct{ Org, Repo string } `json:"targets"`
		Summary struct {
			Repositories, Pass, Fail int
			Average                  float64 `json:"average_score"`
		} `json:"summary"`
		Notes []string `json:"notes"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Targets) != 3 || doc.Targets[0].Org != "acme" || doc.Summary.Repositories != 2 || doc.Summary.Fail != 1 || doc.Summary.Pass != 2 || doc.Summary.Average != 7 ||
		!slices.Equal(doc.Notes, []string{"the policy note", "s0.json", "s1.json"}) {
		t.Errorf("merged audit:\n%s", out)
	}
	if _, errOut, code := scRun(t, dir, "", "report", "merge", "s0.json", filepath.Join(dir, "..", filepath.Base(dir), "s1.json"), "--format", "markdown"); code != exitFindings {
		t.Errorf("markdown: exit %d %s", code, errOut)
	}
	scWrite(t, dir, "scan.json", `{"tool":{"name":"rampart"},"findings":[],"stats":{}}`)
	if _, errOut, code := scRun(t, dir, "", "report", "merge", "s0.json", "scan.json"); code != 2 || !strings.Contains(errOut, "cannot merge scan and audit") {
		t.Errorf("mixed: exit %d %s", code, errOut)
	}
	scWrite(t, dir, "bad.json", `[1,2]`)
	if _, errOut, code := scRun(t, dir, "", "report", "merge", "bad.json"); code != 2 || !strings.Contains(errOut, "bad.json") {
		t.Errorf("bad input: exit %d %s", code, errOut)
	}
}

func itoaTest(i int) string { return string(rune('0' + i)) }

// TestReportMergeCountsEachInputOnce is issue #15's seventh defect: the same
// report given twice (or two shards that both hold a repository) must not
// count its findings or repositories twice; merge says what it dropped.
func TestReportMergeCountsEachInputOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Two repositories with the same file: the same finding, twice, but in
	// two places, so both stay.
	for _, name := range []string{"r0", "r1"} {
		scWrite(t, filepath.Join(dir, name), "f.txt", "id "+scKeyID+"\n")
		scGit(t, filepath.Join(dir, name), 0, "init", "-q")
		scRun(t, filepath.Join(dir, name), "", "scan", "--format", "json", "-o", filepath.Join(dir, name+".json"))
	}
	scWrite(t, dir, "copy.json", mustRead(t, filepath.Join(dir, "r0.json")))
	out, errOut, code := scRun(t, dir, "", "report", "merge", "r0.json", "r1.json", "r0.json", "copy.json")
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Roots    []string `json:"roots"`
		Findings []struct {
			Root, Path string
		} `json:"findings"`
		Stats struct{ Files int } `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 2 || doc.Stats.Files != 2 || len(doc.Roots) != 2 ||
		doc.Findings[0].Root == doc.Findings[1].Root || !strings.HasSuffix(doc.Findings[1].Root, "r1") {
		t.Errorf("merged %d findings over %d files from roots %q, want 2 over 2 from r0 and r1:\n%s", len(doc.Findings), doc.Stats.Files, doc.Roots, out)
	}
	for _, want := range []string{"warning: r0.json is given twice", "warning: copy.json is the same scan as r0.json"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	// Audits: a shard given twice, and two shards that both audited acme/api.
	shard := func(name string, repos ...string) {
		var targets []string
		for _, r := range repos {
			targets = append(targets, `{"repo":"`+r+`","score":5,"results":[{"check":"branch-protected","status":"fail","severity":"high","evidence":"e","remediation":"r"}]}`)
		}
		scWrite(t, dir, name, `{"tool":{"name":"rampart","version":"t"},"targets":[{"org":"acme","results":[]},`+strings.Join(targets, ",")+`],"summary":{}}`)
	}
	shard("s0.json", "acme/api")
	shard("s1.json", "acme/web", "acme/API")
	out, errOut, code = scRun(t, dir, "", "report", "merge", "s0.json", "s0.json", "s1.json")
	if code != exitFindings {
		t.Fatalf("audit merge: exit %d: %s", code, errOut)
	}
	var audit struct {
		Targets []struct{ Org, Repo string }     `json:"targets"`
		Summary struct{ Repositories, Fail int } `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &audit); err != nil {
		t.Fatal(err)
	}
	if len(audit.Targets) != 3 || audit.Summary.Repositories != 2 || audit.Summary.Fail != 2 {
		t.Errorf("merged audit: %d targets, %d repositories, %d failures; want 3, 2, 2:\n%s", len(audit.Targets), audit.Summary.Repositories, audit.Summary.Fail, out)
	}
	for _, want := range []string{"warning: s0.json is given twice", "warning: acme/API in s1.json is already in s0.json"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestReportMergeExitStatus: a merge exits as the runs it joins would, by the
// CLI's contract (0 nothing found / no check failed, 1 findings / a failed
// check at or above the threshold, 2 an error), and writes its report
// either way. It exited 0 whatever the shards held, so a matrix's merge job,
// the one place that sees every shard, gated nothing. Found running the
// README's sharded workflow and checking each command's exit status.
func TestReportMergeExitStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, filepath.Join(dir, "leaky"), "f.txt", "id "+scKeyID+"\n")
	scWrite(t, filepath.Join(dir, "clean"), "f.txt", "nothing\n")
	for _, name := range []string{"leaky", "clean"} {
		scRun(t, filepath.Join(dir, name), "", "scan", "--format", "json", "-o", filepath.Join(dir, name+".json"))
	}
	audit := func(name, status, severity string) {
		scWrite(t, dir, name, `{"tool":{"name":"rampart","version":"t"},"targets":[{"repo":"acme/`+strings.TrimSuffix(name, ".json")+`","score":5,"results":[`+
			`{"check":"branch-protected","status":"`+status+`","severity":"`+severity+`","evidence":"e","remediation":"r"}]}],"summary":{}}`)
	}
	audit("audit-fail-medium.json", "fail", "medium")
	audit("audit-fail-info.json", "fail", "info")
	audit("audit-pass.json", "pass", "high")
	merged := filepath.Join(dir, "merged.md")
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"clean.json"}, 0},
		{[]string{"clean.json", "leaky.json"}, exitFindings},
		{[]string{"clean.json", "leaky.json", "--format", "markdown", "-o", merged}, exitFindings},
		// The key ID alone is high: a higher threshold passes it, a lower one does not.
		{[]string{"leaky.json", "--fail-on", "critical"}, 0},
		{[]string{"leaky.json", "--fail-on", "medium"}, exitFindings},
		{[]string{"leaky.json", "--fail-on", "severe"}, exitError},
		{[]string{"audit-pass.json"}, 0},
		{[]string{"audit-pass.json", "audit-fail-medium.json"}, exitFindings},
		// Audits fail at or above low by default, as the built-in policy does.
		{[]string{"audit-fail-info.json"}, 0},
		{[]string{"audit-fail-info.json", "--fail-on", "info"}, exitFindings},
		{[]string{"audit-fail-medium.json", "--fail-on", "high"}, 0},
	} {
		_, errOut, code := scRun(t, dir, "", append([]string{"report", "merge"}, tc.args...)...)
		if code != tc.code {
			t.Errorf("report merge %q: exit %d, want %d\n%s", tc.args, code, tc.code, errOut)
		}
	}
	if data, err := os.ReadFile(merged); err != nil || !strings.Contains(string(data), "aws-access-key-id") {
		t.Errorf("the merge that exited 1 did not write its report: %v\n%s", err, data)
	}
}
