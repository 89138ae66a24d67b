package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
)

// nuConfig is a repository root's .rampart.toml: a custom rule, an
// accepted secret and an allow-listed folder.
const nuConfig = `[allowlist]
paths = ["sub/vendor/"]
secrets = ["AKIAUJZDEGXDNCF32EPF"]

[[rules]]
id = "internal-service-token"
description = "Internal service token"
severity = "high"
keywords = ["itk_"]
regex = '''\bitk_(?P<secret>[a-z0-9]{24})\b'''
examples = ["itk_a8f3k2l9m4n7b1v6c5x8z2q0"]
`

// nuFindings runs a JSON scan and returns "rule path" for each finding, sorted.
func nuFindings(t *testing.T, dir string, args ...string) ([]string, string, int) {
	t.Helper()
	out, errOut, code := scRun(t, dir, "", append([]string{"scan", "--format", "json"}, args...)...)
	if code == 2 {
		return nil, errOut, code
	}
	var doc struct {
		Findings []struct{ Rule, Path string } `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("scan %q: exit %d, not JSON: %v\n%s\n%s", args, code, err, out, errOut)
	}
	var got []string
	for _, f := range doc.Findings {
		got = append(got, f.Rule+" "+f.Path)
	}
	sort.Strings(got)
	return got, errOut, code
}

// TestScanEveryPathUsesTheRootConfig is issue #15's first defect: a file
// or folder below the repository root resolves the root's .rampart.toml
// (custom rules, accepted secrets, path allow list) whether it is a folder
// or a single file, whether rampart runs at the root or below it, and
// with --config too; paths are matched relative to the repository root.
func TestScanEveryPathUsesTheRootConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, ".rampart.toml", nuConfig)
	scWrite(t, dir, "sub/k.txt", "deploy with itk_q7w3e9r5t1y8u2i6o4p0a3s7 today\n")
	scWrite(t, dir, "sub/accepted.txt", "aws_access_key_id = AKIAUJZDEGXDNCF32EPF\n")
	scWrite(t, dir, "sub/vendor/lib.txt", "aws_access_key_id = AROAGMXGEDN73U55XTPL\n")
	custom := "internal-service-token sub/k.txt"
	sub := filepath.Join(dir, "sub")
	for _, tc := range []struct {
		dir  string
		args []string
		want []string
	}{
		{dir, []string{"sub"}, []string{custom}},
		{dir, []string{"sub/k.txt"}, []string{custom}},
		{dir, []string{"sub/accepted.txt"}, nil},
		{dir, []string{"sub/vendor/lib.txt"}, nil},
		{dir, []string{"sub/vendor"}, nil},
		{sub, []string{"."}, []string{custom}},
		{sub, []string{"k.txt"}, []string{custom}},
		{sub, []string{"accepted.txt"}, nil},
		{sub, []string{"vendor/lib.txt"}, nil},
		{dir, []string{"--config", ".rampart.toml", "sub/vendor/lib.txt"}, nil},
		{sub, []string{"--config", "../.rampart.toml", "vendor/lib.txt"}, nil},
		{sub, []string{"--config", "../.rampart.toml", "k.txt"}, []string{custom}},
	} {
		got, errOut, code := nuFindings(t, tc.dir, tc.args...)
		wantCode := 0
		if len(tc.want) > 0 {
			wantCode = 1
		}
		if code != wantCode || strings.Join(got, ", ") != strings.Join(tc.want, ", ") {
			rel, _ := filepath.Rel(dir, tc.dir)
			t.Errorf("in %s: scan %q: exit %d, findings %q; want exit %d, %q\n%s", rel, tc.args, code, got, wantCode, tc.want, errOut)
		}
	}

	// Outside git, a file's own directory holds the configuration.
	plain := t.TempDir()
	scWrite(t, plain, "conf/.rampart.toml", nuConfig)
	scWrite(t, plain, "conf/k.txt", "deploy with itk_q7w3e9r5t1y8u2i6o4p0a3s7 today\n")
	if got, errOut, _ := nuFindings(t, plain, "conf/k.txt"); strings.Join(got, "") != "internal-service-token k.txt" {
		t.Errorf("outside git: scan conf/k.txt: %q\n%s", got, errOut)
	}
}

// readmeConfigExample returns the example .rampart.toml of README.md's
// Configuration section.
func readmeConfigExample(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no Configuration section")
	}
	_, rest, ok = strings.Cut(rest, "```toml\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md's Configuration section has no toml block")
	}
	return block
}

// TestRulesShowChecksAPathRestrictedRule is issue #15's fifth defect: the
// README's own example rule is restricted to .env files, and `rules show`
// checked its examples at a path the rule never reads, so the self-check
// failed. Examples of a rule with a path filter are checked at a path the
// filter accepts.
func TestRulesShowChecksAPathRestrictedRule(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, ".rampart.toml", readmeConfigExample(t))
	out, errOut, code := scRun(t, dir, "", "rules", "show", "internal-service-token")
	if code != 0 || !strings.Contains(out, "Self-check ok: 1/1 examples found, 1/1 counterexamples ignored.") || strings.Contains(out, "MISSED") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "checked as example.env") {
		t.Errorf("the output does not say where the examples were checked:\n%s", out)
	}
	// The filter still applies to what it does not accept: the same rule
	// with an example its regex misses still fails.
	scWrite(t, dir, "bad.toml", strings.Replace(readmeConfigExample(t), `examples = ["itk_a8f3k2l9m4n7b1v6c5x8z2q0"]`, `examples = ["itk_short"]`, 1))
	if out, _, code := scRun(t, dir, "", "rules", "show", "internal-service-token", "--config", "bad.toml"); code != 1 || !strings.Contains(out, "MISSED") {
		t.Errorf("a missed example: exit %d\n%s", code, out)
	}
}

// TestBaselineStaleOnlyWhereTheScanLooked is issue #15's sixth defect: a
// baseline entry is stale only when the scan covered its location and did
// not find it. A staged change, a range of commits or a folder scan says
// nothing about the files it did not read.
func TestBaselineStaleOnlyWhereTheScanLooked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "a/a.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	scWrite(t, dir, "b/b.env", "role = AROAGMXGEDN73U55XTPL\n")
	scGit(t, dir, 1, "add", "-A")
	scGit(t, dir, 1, "commit", "-q", "-m", "accepted keys")
	if _, errOut, code := scRun(t, dir, "", "baseline", "."); code != 0 || !strings.Contains(errOut, "wrote 2 entries to .rampart-baseline.json") {
		t.Fatalf("baseline: exit %d: %s", code, errOut)
	}
	stale := func(args ...string) []string {
		t.Helper()
		out, errOut, code := scRun(t, dir, "", append([]string{"scan", "--format", "json", "--baseline", ".rampart-baseline.json"}, args...)...)
		var doc struct {
			Stale []struct{ Path string } `json:"stale_baseline"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || code == 2 {
			t.Fatalf("scan %q: exit %d, %v\n%s", args, code, err, errOut)
		}
		var paths []string
		for _, e := range doc.Stale {
			paths = append(paths, e.Path)
		}
		sort.Strings(paths)
		return paths
	}
	// A staged change elsewhere, and one to a baselined file that leaves
	// its secret alone: nothing is known to be gone.
	scWrite(t, dir, "c.txt", "clean\n")
	scWrite(t, dir, "a/a.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\nREGION=eu-west-1\n")
	scGit(t, dir, 2, "add", "-A")
	if got := stale("--staged"); len(got) != 0 {
		t.Errorf("--staged: stale %q, want none", got)
	}
	scGit(t, dir, 2, "commit", "-q", "-m", "more")
	if got := stale("--range", "HEAD~1..HEAD"); len(got) != 0 {
		t.Errorf("--range: stale %q, want none", got)
	}
	// A folder scan covers that folder only.
	if got := stale("a"); len(got) != 0 {
		t.Errorf("scan a: stale %q, want none", got)
	}
	// Gone from a folder the scan read: stale, there and in a full scan.
	if err := os.Remove(filepath.Join(dir, "b", "b.env")); err != nil {
		t.Fatal(err)
	}
	if got := stale("b"); strings.Join(got, ",") != "b/b.env" {
		t.Errorf("scan b after removing b.env: stale %q, want b/b.env", got)
	}
	if got := stale("."); strings.Join(got, ",") != "b/b.env" {
		t.Errorf("scan . after removing b.env: stale %q, want b/b.env", got)
	}
	if got := stale("a/a.env"); len(got) != 0 {
		t.Errorf("scan a/a.env: stale %q, want none", got)
	}
	// A path the scan was told to skip is not covered either.
	if got := stale(".", "--exclude", "b/"); len(got) != 0 {
		t.Errorf("scan . --exclude b/: stale %q, want none", got)
	}
	// History still holds b.env's secret: nothing is stale there.
	if got := stale("--history"); len(got) != 0 {
		t.Errorf("--history: stale %q, want none", got)
	}
	// --history from one branch alone does not cover the others.
	scGit(t, dir, 3, "checkout", "-q", "--orphan", "empty")
	scGit(t, dir, 3, "rm", "-rq", "--cached", ".")
	scGit(t, dir, 3, "commit", "-q", "--allow-empty", "-m", "orphan")
	if got := stale("--history", "--branch", "empty"); len(got) != 0 {
		t.Errorf("--history --branch empty: stale %q, want none", got)
	}
}

// TestScanReportNamesItsRoot: a report says which directory its paths are
// relative to (the repository's root, wherever the scan started) and what
// was scanned, so reports of several repositories can be told apart and
// merged (issue #15).
func TestScanReportNamesItsRoot(t *testing.T) {
	t.Parallel()
	tmp, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(tmp, "r1")
	scGit(t, tmp, 0, "init", "-q", repo)
	scWrite(t, repo, "app/k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	scGit(t, repo, 1, "add", "-A")
	plain := filepath.Join(tmp, "plain")
	scWrite(t, plain, "k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	for _, tc := range []struct {
		dir           string
		args          []string
		root, scanned string
	}{
		{repo, []string{"."}, repo, ""},
		{repo, []string{"app"}, repo, filepath.Join(repo, "app")},
		{filepath.Join(repo, "app"), []string{"k.env"}, repo, filepath.Join(repo, "app", "k.env")},
		{filepath.Join(repo, "app"), []string{"--staged"}, repo, ""},
		{tmp, []string{"plain"}, plain, ""},
		{tmp, []string{"plain/k.env"}, plain, filepath.Join(plain, "k.env")},
	} {
		out, errOut, code := scRun(t, tc.dir, "", append([]string{"scan", "--format", "json"}, tc.args...)...)
		var doc struct{ Root, Scanned string }
		if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 || doc.Root != tc.root || doc.Scanned != tc.scanned {
			t.Errorf("scan %q in %s: exit %d, root %q, scanned %q; want %q, %q (%v)\n%s", tc.args, tc.dir, code, doc.Root, doc.Scanned, tc.root, tc.scanned, err, errOut)
		}
	}
	out, _, _ := scRun(t, repo, "", "scan", "--format", "sarif")
	if !strings.Contains(out, `"originalUriBaseIds": {
        "%SRCROOT%": {
          "uri": "file://`+filepath.ToSlash(repo)+`/"`) {
		t.Errorf("SARIF does not say where %%SRCROOT%% is:\n%.1500s", out)
	}
}

// TestVersion: `rampart --version` (cobra's convention) prints what
// `rampart version` does, and the line uses the module's build information
// when the link-time variables are not set (issue #15).
func TestVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, _, code1 := scRun(t, dir, "", "--version")
	b, _, code2 := scRun(t, dir, "", "version")
	if code1 != 0 || code2 != 0 || a != b || !strings.HasPrefix(a, "rampart ") {
		t.Errorf("--version: exit %d %q; version: exit %d %q", code1, a, code2, b)
	}
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v1.4.2"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-11-23T12:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	want := "rampart v1.4.2 (commit 0123456789ab, modified, built 2026-11-23T12:00:00Z, " + runtime.Version()
	if got := readBuildInfo(bi, true).String(); !strings.HasPrefix(got, want) {
		t.Errorf("with build information: %q, want %q…", got, want)
	}
	devel := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}
	if got := readBuildInfo(devel, true).String(); !strings.HasPrefix(got, "rampart dev ("+runtime.Version()) {
		t.Errorf("a development build without VCS information: %q", got)
	}
}

// TestBaselineRefusesReportFlags is issue #15's ninth defect: baseline
// writes one thing, its own JSON of fingerprints; scan's report flags were
// accepted and silently ignored. They are refused (exit 2) and nothing is
// written.
func TestBaselineRefusesReportFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	for _, args := range [][]string{
		{"--format", "sarif"},
		{"--report", "sarif=" + filepath.Join(dir, "r.sarif")},
		{"--show-secrets"},
		{"--fail-on", "high"},
		{"--baseline", "old.json"},
	} {
		_, errOut, code := scRun(t, dir, "", append([]string{"baseline"}, args...)...)
		if code != 2 || !strings.Contains(errOut, "baseline: "+args[0]+" does not apply") {
			t.Errorf("baseline %q: exit %d, stderr %q; want 2 and why", args, code, errOut)
		}
		for _, f := range []string{".rampart-baseline.json", "r.sarif"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				t.Fatalf("baseline %q wrote %s", args, f)
			}
		}
	}
	if out, _, _ := scRun(t, dir, "", "baseline", "--help"); strings.Contains(out, "--format") || strings.Contains(out, "--show-secrets") {
		t.Errorf("baseline --help offers report flags:\n%s", out)
	}
	// What baseline does take still works, -o - included.
	out, errOut, code := scRun(t, dir, "", "baseline", "-o", "-")
	if code != 0 || !strings.Contains(out, `"fingerprint"`) || !strings.Contains(errOut, "wrote 1 entry to standard output") {
		t.Errorf("baseline -o -: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestScanSinceRefusesNonsense is issue #15's eleventh defect: git's date
// parser reads almost anything as some date (garbage as now, 2024-13-45 as
// a day in 2024), so --since garbage scanned nothing and said "No
// credentials found". What is not a date is refused (exit 2); the odd but
// valid forms git documents are accepted.
func TestScanSinceRefusesNonsense(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	scGit(t, dir, 1, "add", "-A")
	scGit(t, dir, 1, "commit", "-q", "-m", "k") // 2024-03-01
	for _, since := range []string{"garbage", "2024-13-45", "2024-02-30", "an hour ago", "3 dayz ago", "friday", "", "2024-01-31T25:00", "tomorrow"} {
		_, errOut, code := scRun(t, dir, "", "scan", "--history", "--since", since)
		if code != 2 || !strings.Contains(errOut, "--since") || !strings.Contains(errOut, "2 weeks ago") {
			t.Errorf("--since %q: exit %d, stderr %q; want 2 and the accepted forms", since, code, errOut)
		}
	}
	for since, code := range map[string]int{
		"2.weeks.ago": 0, "yesterday": 0, "3 days ago": 0, "last friday": 0, "1 year 2 months ago": 0,
		"2024-01-31": 1, "2024-01-31 10:00": 1, "2024-01-31T10:00:00+05:30": 1, "2024.01.31": 1, "01/31/2024": 1, "31.01.2024": 1,
		"Wed, 31 Jan 2024 10:00:00 +0100": 1, "31 Jan 2024": 1, "Jan 31, 2024": 1, "@1700000000": 1, "1700000000 +0100": 1,
		"2024-03-02": 0,
	} {
		if _, errOut, got := scRun(t, dir, "", "scan", "--history", "--since", since); got != code {
			t.Errorf("--since %q: exit %d, want %d: %s", since, got, code, errOut)
		}
	}
}
