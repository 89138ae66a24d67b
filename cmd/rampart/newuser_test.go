package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
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
	scWrite(t, dir, "sub/vendor/lib.txt", "aws_access_key_id = AKIAGMXGEDN73U55XTPL\n")
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
	scWrite(t, dir, "b/b.env", "role = AKIAGMXGEDN73U55XTPL\n")
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

// TestQuietStillSaysTheScanWasPartial: -q leaves out the summary, not the
// note that a shallow clone's history was only partly scanned (issue #15).
func TestQuietStillSaysTheScanWasPartial(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	origin := filepath.Join(dir, "origin")
	scGit(t, dir, 0, "init", "-q", origin)
	for i := 1; i <= 3; i++ {
		scWrite(t, origin, "f.txt", strings.Repeat("line\n", i))
		scGit(t, origin, i, "add", "-A")
		scGit(t, origin, i, "commit", "-q", "-m", "c")
	}
	scGit(t, dir, 4, "clone", "-q", "--depth", "1", "file://"+filepath.ToSlash(origin), "shallow")
	out, errOut, code := scRun(t, filepath.Join(dir, "shallow"), "", "scan", "--history", "-q", "--no-color")
	if code != 0 || !strings.Contains(out, "note: shallow clone: history beyond the shallow boundary was not scanned") || strings.Contains(out, "No credentials found") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, _, _ = scRun(t, filepath.Join(dir, "shallow"), "", "scan", "--history", "--format", "json")
	if !strings.Contains(out, `"incomplete": [`) {
		t.Errorf("JSON does not list the scan as incomplete:\n%s", out)
	}
}

// TestErrorsSpeakToTheUser: no package names in what the user reads, and
// the common mistakes explained (issue #15).
func TestErrorsSpeakToTheUser(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	scWrite(t, dir, "sub/x.txt", "x\n")
	scRun(t, dir, "", "scan", "--format", "json", "-o", filepath.Join(dir, "scan.json"))
	scWrite(t, dir, "bad-snapshot.json", `{"version": 0}`)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--staged"}, "rampart: not a git repository: " + dir},
		{[]string{"scan", "--history", "sub"}, "rampart: not a git repository: " + filepath.Join(dir, "sub")},
		{[]string{"scan", "--staged", "k.env"}, "rampart: --staged scans a whole repository and takes no file"},
		{[]string{"audit", "--from-snapshot", "scan.json"}, "rampart: scan.json is a scan report (rampart scan --format json), not an audit snapshot"},
		{[]string{"audit", "--from-snapshot", "bad-snapshot.json"}, "rampart: bad-snapshot.json is not an audit snapshot this rampart reads: unsupported snapshot version 0"},
		{[]string{"config", "import", "--git-secrets", "sub"}, "not a git repository: " + filepath.Join(dir, "sub")},
	} {
		_, errOut, code := scRun(t, dir, "", tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) || internalQualifier().MatchString(strings.TrimPrefix(errOut, "rampart: ")) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q, no package names", tc.args, code, errOut, tc.want)
		}
	}
	if got := userMessage(fmt.Errorf("read snapshot: %w", fmt.Errorf("hardening: read snapshot: %w", errors.New("ghcollect: x")))); got != "read snapshot: read snapshot: x" {
		t.Errorf("userMessage = %q", got)
	}
}

// TestUsageInWords: the rough edges of issue #15 around arguments and
// flags each get a usage error (exit 2) that says what to do.
func TestUsageInWords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "a/x.txt", "x\n")
	scWrite(t, dir, "b/y.txt", "y\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "a", "b"}, "scan takes one PATH, got 2 (a, b): scan a folder that holds them all, or run rampart scan once per path"},
		{[]string{"baseline", "a", "b"}, "baseline takes one PATH, got 2"},
		{[]string{"scan", "--workers", "0", "a"}, "--workers must be at least 1"},
		{[]string{"scan", "--workers", "-3", "a"}, "--workers must be at least 1"},
		{[]string{"baseline", "--workers", "0", "a"}, "--workers must be at least 1"},
		{[]string{"report"}, "report: want a subcommand (merge)"},
		{[]string{"hook"}, "hook: choose install, uninstall or status"},
		{[]string{"config"}, "config: want a subcommand (import)"},
		{[]string{"report", "merge"}, "report merge: want the JSON reports to join"},
		{[]string{"baseline", "--org", "acme"}, "--org and --repos-from apply to rampart scan"},
	} {
		_, errOut, code := scRun(t, dir, "", tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
	if _, errOut, code := scRun(t, dir, "", "scan", "--workers", "1", "a"); code != 0 {
		t.Errorf("--workers 1: exit %d %s", code, errOut)
	}
}

// TestFailOnSaysWhenFindingsAreBelowIt: findings below --fail-on exit 0,
// and the run says why after telling the user to rotate (issue #15).
func TestFailOnSaysWhenFindingsAreBelowIt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	out, errOut, code := scRun(t, dir, "", "scan", "--fail-on", "critical")
	if code != 0 || !strings.Contains(out, "HIGH") || !strings.Contains(errOut, "rampart: 1 finding, none at or above --fail-on critical: exit status 0") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	if _, errOut, code := scRun(t, dir, "", "scan", "--fail-on", "high"); code != 1 || strings.Contains(errOut, "none at or above") {
		t.Errorf("at the threshold: exit %d, %s", code, errOut)
	}
}

// TestSymlinkNamedAsPathIsFollowed: a symbolic link named as PATH is
// followed, folder or file (as grep -r and find -H do: it is what was
// asked for); links met inside are never followed. Issue #15: a linked
// folder was skipped in silence ("No credentials found") while a linked
// file was read.
func TestSymlinkNamedAsPathIsFollowed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "real/k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	scWrite(t, dir, "outside/o.env", "role AKIAGMXGEDN73U55XTPL\n")
	for _, l := range [][2]string{{"real", "link"}, {filepath.Join("real", "k.env"), "klink.env"}, {filepath.Join("..", "outside"), filepath.Join("real", "inner")}} {
		if err := os.Symlink(l[0], filepath.Join(dir, l[1])); err != nil {
			t.Skipf("symlinks: %v", err)
		}
	}
	for _, path := range []string{"link", "klink.env", "real"} {
		got, errOut, code := nuFindings(t, dir, path)
		if code != 1 || len(got) != 1 || !strings.HasPrefix(got[0], "aws-access-key-id ") {
			t.Errorf("scan %s: exit %d, findings %q (want only k.env's key: inner/ is a link inside)\n%s", path, code, got, errOut)
		}
	}
	out, _, _ := scRun(t, dir, "", "scan", "link", "--format", "json")
	if !strings.Contains(out, `"symlink": 1`) {
		t.Errorf("the link inside was not counted as skipped:\n%s", out)
	}
}

// TestOutputPathsCheckedBeforeTheScan: a report that cannot be written is
// refused before any work, not after a long scan (issue #15).
func TestOutputPathsCheckedBeforeTheScan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	scWrite(t, dir, "keep.json", "previous report\n")
	missing := filepath.Join(dir, "nonexistent", "x.json")
	for _, args := range [][]string{
		{"scan", "--report", "json=" + missing},
		{"scan", "-o", missing},
		{"scan", "-o", "keep.json", "--report", "sarif=" + dir},
		{"baseline", "-o", missing},
		{"report", "merge", "-o", missing, "keep.json"},
		{"audit", "--from-snapshot", "keep.json", "-o", missing},
		{"audit", "--repo", "a/b", "--api-url", "http://127.0.0.1:1", "--snapshot-out", missing},
	} {
		out, errOut, code := scRun(t, dir, "", args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "cannot write") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2, nothing written, and why", args, code, out, errOut)
		}
	}
	if got := mustRead(t, filepath.Join(dir, "keep.json")); got != "previous report\n" {
		t.Errorf("a refused run changed an existing output file: %q", got)
	}
}

// TestConfigImportMissingInputIsTheError: with a .rampart.toml present,
// importing a file that does not exist says the file does not exist (issue
// #15: it said .rampart.toml exists).
func TestConfigImportMissingInputIsTheError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, ".rampart.toml", "# mine\n")
	_, errOut, code := scRun(t, dir, "", "config", "import", "nope.toml")
	if code != 2 || !strings.Contains(errOut, "nope.toml: no such file") || strings.Contains(errOut, "exists") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	scWrite(t, dir, ".gitleaks.toml", ciGitleaks)
	if _, errOut, code := scRun(t, dir, "", "config", "import", ".gitleaks.toml"); code != 2 || !strings.Contains(errOut, ".rampart.toml exists; use --force") {
		t.Errorf("existing output: exit %d, stderr %q", code, errOut)
	}
}

// TestRuleSourcesAreShortPaths: rules from the repository root's
// configuration are tagged with the file's path relative to where rampart
// runs, not an absolute path (issue #15).
func TestRuleSourcesAreShortPaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, ".rampart.toml", nuConfig)
	scWrite(t, dir, "sub/x.txt", "x\n")
	for sub, want := range map[string]string{"": "[.rampart.toml]", "sub": "[../.rampart.toml]"} {
		out, errOut, code := scRun(t, filepath.Join(dir, sub), "", "rules")
		if code != 0 || !strings.Contains(out, "internal-service-token") || !strings.Contains(out, want) || strings.Contains(out, dir) {
			t.Errorf("rules in %q: exit %d, want the source %s\n%s%s", sub, code, want, out, errOut)
		}
	}
}

// TestFlagsOfAnotherModeAreRefused: a flag that only means something with
// another (--remote with --pre-push, --shard with --org, --verify-workers
// with --verify) is a usage error without it, as --since without --history
// already was: ignored in silence, `rampart scan --shard 1/2` would scan
// everything and `--include-forks` would look like it took effect. The scan
// the user meant runs as soon as the flag is dropped or its mode given.
func TestFlagsOfAnotherModeAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--remote", "origin"}, "--remote applies to --pre-push"},
		{[]string{"scan", "--verify-workers", "3"}, "--verify-workers applies to --verify"},
		{[]string{"scan", "--verify-cache-ttl", "1h"}, "--verify-cache-ttl applies to --verify-cache"},
		{[]string{"scan", "--verify", "--verify-cache-ttl", "1h"}, "--verify-cache-ttl applies to --verify-cache"},
		{[]string{"scan", "--include-archived"}, "--include-archived applies to --org"},
		{[]string{"scan", "--include-forks"}, "--include-forks applies to --org"},
		{[]string{"scan", "--shard", "1/2"}, "--shard applies to --org or --repos-from"},
		{[]string{"scan", "--mirror-dir", dir}, "--mirror-dir applies to --org or --repos-from"},
		{[]string{"scan", "--api-url", "https://ghe.example.com/api/v3"}, "--api-url applies to --org or --repos-from"},
		{[]string{"scan", "--max-repo-size", "1GB"}, "--max-repo-size applies to --org or --repos-from"},
		{[]string{"scan", "--repo-timeout", "1m"}, "--repo-timeout applies to --org or --repos-from"},
		{[]string{"baseline", "--shard", "1/2"}, "--shard applies to --org or --repos-from"},
		{[]string{"baseline", "--remote", "origin"}, "--remote applies to --pre-push"},
		// An unset variable in a script: a folder scan or an empty range
		// instead of what was asked would pass in silence.
		{[]string{"scan", "--commit-msg", ""}, "--commit-msg was given an empty value (an unset variable?)"},
		{[]string{"scan", "--range", ""}, "--range was given an empty value (an unset variable?)"},
		{[]string{"scan", "--org", ""}, "--org was given an empty value (an unset variable?)"},
		{[]string{"baseline", "--range", ""}, "--range was given an empty value (an unset variable?)"},
		{[]string{"scan", "--range", ".."}, `--range ".." has no start (an unset variable?): write HEAD.. if that is what you mean`},
		{[]string{"scan", "--range", "..main"}, `--range "..main" has no start`},
		{[]string{"scan", "--range", "...main"}, `--range "...main" has no start`},
	} {
		out, errOut, code := scRun(t, dir, "", tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) || out != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want 2 and %q", tc.args, code, errOut, out, tc.want)
		}
	}
	// Where the mode is given, the flag is accepted (nothing is pushed:
	// the pre-push input is empty).
	scGit(t, dir, 0, "init", "-q")
	if _, errOut, code := scRun(t, dir, "", "scan", "--pre-push", "--remote", "origin"); code != 0 {
		t.Errorf("--pre-push --remote: exit %d %s", code, errOut)
	}
	if _, errOut, code := scRun(t, dir, "", "scan", "--verify", "--verify-workers", "2", "--results", "valid"); code != 0 {
		t.Errorf("--verify --verify-workers: exit %d %s", code, errOut)
	}
	if _, _, code := scRun(t, dir, "", "baseline", "-o", "-"); code != 0 {
		t.Errorf("baseline: exit %d", code)
	}
	// A range with its end left out is git's own shorthand for A..HEAD.
	scGit(t, dir, 0, "add", "k.env")
	scGit(t, dir, 0, "commit", "-qm", "key")
	if out, errOut, code := scRun(t, dir, "", "scan", "--range", "HEAD~0.."); code != 0 || !strings.Contains(out+errOut, "note: the range HEAD~0.. selects no commits: nothing was scanned") {
		t.Errorf("--range HEAD~0..: exit %d %s%s", code, out, errOut)
	}
}

// TestREADMERulesShowIsARealRun: every `$ rampart rules show ID` example in
// README.md is what that command prints today: each of its lines, but the
// "…" lines that mark a cut, is a line of the real output, in the same
// order. The example had drifted (keywords and counterexamples the rule
// no longer has) while promising to be the command's output.
func TestREADMERulesShowIsARealRun(t *testing.T) {
	t.Parallel()
	readme, _ := readmeSections(t)
	blocks := strings.Split(readme, "```\n$ rampart rules show ")
	if len(blocks) < 2 {
		t.Fatal("README.md has no `$ rampart rules show` example")
	}
	dir := t.TempDir()
	for _, b := range blocks[1:] {
		b = b[:strings.Index(b, "\n```")]
		id, example, _ := strings.Cut(b, "\n")
		out, errOut, code := scRun(t, dir, "", "rules", "show", id)
		if code != 0 {
			t.Errorf("rules show %s: exit %d %s", id, code, errOut)
			continue
		}
		real := strings.Split(out, "\n")
		at := 0
		for _, want := range strings.Split(example, "\n") {
			if strings.TrimSpace(want) == "…" {
				continue
			}
			for at < len(real) && real[at] != want {
				at++
			}
			if at == len(real) {
				t.Errorf("README's `rampart rules show %s` shows %q, which the command does not print there; it prints:\n%s", id, want, out)
				break
			}
			at++
		}
	}
}

// TestConfigImportSummaryCounts: the closing line of `config import` counts
// in words that agree with the numbers ("1 rule", "1 regex", not "1 rules").
func TestConfigImportSummaryCounts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, ".gitleaks.toml", "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"acme-deploy-key\"\ndescription = \"Acme deploy key\"\n"+
		"regex = '''acme_dk_[a-z0-9]{32}'''\n\n[allowlist]\npaths = ['''^vendor/''']\nregexes = ['''EXAMPLE$''']\nstopwords = [\"dummy\"]\n")
	_, errOut, code := scRun(t, dir, "", "config", "import", ".gitleaks.toml")
	want := "rampart: converted .gitleaks.toml: 1 rule, 0 disabled built-in rules, allow list of 1 path, 1 regex, 1 stopword; 1 warning; wrote .rampart.toml\n"
	if code != 0 || !strings.HasSuffix(errOut, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to end with:\n%s", code, errOut, want)
	}
}

// TestHookSaysWhatItSkipped: a staged file over --max-file-size is not
// "nothing new to scan": the hook line says nothing was found in what it
// read, and the skipped line says a file was left unread.
func TestHookSaysWhatItSkipped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "big.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n"+strings.Repeat("x", 4096)+"\n")
	scGit(t, dir, 0, "add", "big.env")
	out, errOut, code := scRun(t, dir, "", "scan", "--staged", "--max-file-size", "1KB")
	all := out + errOut
	if code != 0 || strings.Contains(all, "nothing new to scan") || !strings.Contains(all, "rampart: no credentials in the staged change") ||
		!strings.Contains(all, "skipped: too-large: 1") {
		t.Errorf("exit %d\n%s", code, all)
	}
	// With nothing staged at all, it is nothing new.
	scGit(t, dir, 0, "reset", "-q")
	if out, errOut, _ := scRun(t, dir, "", "scan", "--staged"); !strings.Contains(out+errOut, "rampart: nothing new to scan in the staged change") {
		t.Errorf("nothing staged:\n%s%s", out, errOut)
	}
}

// TestHookInstallWarnsOfGoRunBuilds: `go run ./cmd/rampart hook install`,
// the README's quick start carried on, records a binary in Go's build cache,
// which Go trims and replaces: install warns and says what to do, and an
// installed binary gets no warning.
func TestHookInstallWarnsOfGoRunBuilds(t *testing.T) {
	t.Parallel()
	for bin, want := range map[string]bool{
		"/root/.cache/go-build/a1/a1eb-d/rampart":  true,
		"/tmp/go-build2871/b001/exe/rampart":       true,
		"/home/me/go/bin/rampart":                  false,
		"/usr/local/bin/rampart":                   false,
		"/home/me/src/go-builders/bin/rampart-dev": true, // a look-alike folder name: a warning, never a refusal
	} {
		if got := goRunBuild(bin); got != want {
			t.Errorf("goRunBuild(%q) = %v, want %v", bin, got, want)
		}
	}
	// The real CLI: a copy of this binary in a go-build folder, named with
	// --binary, is warned about; the same binary elsewhere is not.
	data := thisBinary(t)
	for _, dir := range []string{filepath.Join(t.TempDir(), "go-build42", "b001", "exe"), filepath.Join(t.TempDir(), "bin")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		bin := filepath.Join(dir, "rampart")
		writeExecutable(t, bin, data)
		repo := t.TempDir()
		scGit(t, repo, 0, "init", "-q")
		out, errOut, code := cliRun(t, repo, []string{"GOCACHE="}, "", "hook", "install", "--hooks", "pre-commit", "--binary", bin)
		warned := strings.Contains(errOut, "is a `go run` build")
		if code != 0 || warned != strings.Contains(dir, "go-build") {
			t.Errorf("%s: exit %d, warned %v\n%s%s", bin, code, warned, out, errOut)
		}
	}
}

// TestScanRefusesPipesAndDevices: a named pipe given as PATH blocked rampart
// before it read a byte (with no writer, for ever), and /dev/zero never
// ended; both are refused with the way to scan such input (--stdin). Inside
// a folder they are skipped, as before.
func TestScanRefusesPipesAndDevices(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	for _, path := range []string{filepath.Join(dir, "pipe"), "/dev/zero"} {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		out, errOut, code := scRun(t, dir, "", "scan", path)
		if code != 2 || !strings.Contains(errOut, "not a regular file (a pipe, device or socket): give its content on standard input with --stdin") || out != "" {
			t.Errorf("scan %s: exit %d\n%s%s", path, code, out, errOut)
		}
	}
	if out, _, code := scRun(t, dir, "", "scan", dir); code != 1 || !strings.Contains(out, "skipped: special-file: 1") {
		t.Errorf("folder holding a pipe: exit %d\n%s", code, out)
	}
}

// TestSecondSignalEndsTheRun: the first Ctrl-C asks a run to stop cleanly;
// one that cannot notice it (here, pre-push input that never ends) ends at
// the second, as programs do, where before it could only be killed.
func TestSecondSignalEndsTheRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cmd := &exec.Cmd{Path: exe, Args: []string{"rampart", "scan", "--pre-push"}, Dir: dir, Env: cliCleanEnv(), Stdin: r}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(500 * time.Millisecond) // past start-up, into the read
	for i := 0; i < 2; i++ {
		if err := cmd.Process.Signal(os.Interrupt); errors.Is(err, os.ErrProcessDone) {
			// The first interrupt already ended it (on a loaded
			// machine it can land before the read begins, where the
			// cancelled context stops the run).
			break
		} else if err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("rampart still running 10 s after a second interrupt")
	}
}

// TestBaselineMustBeABaseline: a scan report given as --baseline (the JSON
// of the current findings, an easy mistake) suppressed nothing in silence,
// and so did a file of another version; both exit 2 saying what to do. A
// real baseline still suppresses.
func TestBaselineMustBeABaseline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	report := filepath.Join(t.TempDir(), "report.json")
	scRun(t, dir, "", "scan", "--format", "json", "-o", report)
	other := t.TempDir()
	scWrite(t, other, "v9.json", `{"version": 9, "entries": []}`)
	for file, want := range map[string]string{
		report:                          "report.json is a scan report (rampart scan --format json), not a baseline: write one with `rampart baseline`",
		filepath.Join(other, "v9.json"): "is not a baseline this rampart reads: version 9",
		// A missing one says how a baseline is made, not only "no such file".
		filepath.Join(other, "absent.json"): "absent.json does not exist: write it with `rampart baseline -o ",
	} {
		out, errOut, code := scRun(t, dir, "", "scan", "--baseline", file)
		if code != 2 || !strings.Contains(errOut, want) || out != "" {
			t.Errorf("--baseline %s: exit %d\n%s%s", file, code, out, errOut)
		}
	}
	base := filepath.Join(t.TempDir(), "base.json")
	scRun(t, dir, "", "baseline", "-o", base)
	if out, errOut, code := scRun(t, dir, "", "scan", "--baseline", base); code != 0 || !strings.Contains(out+errOut, "1 finding suppressed by the baseline") {
		t.Errorf("real baseline: exit %d\n%s%s", code, out, errOut)
	}
}

// TestShowSecretsReportsAreOwnerOnly: a report file written with
// --show-secrets holds every secret in plaintext; it is created 0600 (and
// an existing one narrowed to 0600), as the audit snapshot and the verify
// cache are, not 0644 for every local user to read.
func TestShowSecretsReportsAreOwnerOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	out := t.TempDir()
	existing := filepath.Join(out, "old.sarif")
	scWrite(t, out, "old.sarif", "{}")
	if err := os.Chmod(existing, 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(out, "r.json")
	if _, errOut, code := scRun(t, dir, "", "scan", "--show-secrets", "-o", report, "--report", "sarif="+existing); code != 1 {
		t.Fatalf("exit %d %s", code, errOut)
	}
	for _, f := range []string{report, existing} {
		data, err := os.ReadFile(f)
		if err != nil || !strings.Contains(string(data), scKeyID) {
			t.Errorf("%s: %v, plaintext %v", f, err, strings.Contains(string(data), scKeyID))
		}
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600 (%v)", f, fi.Mode().Perm(), err)
		}
	}
}

// TestUnknownRevisionSaysCheckTheSpelling: a mistyped --branch or --range
// end was answered only with a shallow-clone hint; the message now names
// the likelier cause first.
func TestUnknownRevisionSaysCheckTheSpelling(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "a.txt", "a\n")
	scGit(t, dir, 0, "add", "a.txt")
	scGit(t, dir, 0, "commit", "-qm", "a")
	for _, args := range [][]string{{"scan", "--history", "--branch", "mian"}, {"scan", "--range", "mian..HEAD"}} {
		_, errOut, code := scRun(t, dir, "", args...)
		if code != 2 || !strings.Contains(errOut, "no branch, tag or commit of that name in this repository: check the spelling") {
			t.Errorf("%q: exit %d %s", args, code, errOut)
		}
	}
}

// TestChangedConfigIsNoted: a range (a pull request, a push) that edits
// .rampart.toml is scanned under that edit, so a change can allow-list its
// own secret; the report says the change edits the file that decides what
// is reported, in every format's notes.
func TestChangedConfigIsNoted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "a.txt", "a\n")
	scGit(t, dir, 0, "add", "a.txt")
	scGit(t, dir, 0, "commit", "-qm", "a")
	scWrite(t, dir, ".rampart.toml", "[allowlist]\npaths = [\"*.env\"]\n")
	scWrite(t, dir, "k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	scGit(t, dir, 1, "add", ".")
	scGit(t, dir, 1, "commit", "-qm", "b")
	const note = "the scanned change edits .rampart.toml, which decides what rampart reports"
	out, errOut, code := scRun(t, dir, "", "scan", "--range", "HEAD~1..HEAD")
	if code != 0 || !strings.Contains(out+errOut, "note: "+note) {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	if out, _, _ := scRun(t, dir, "", "scan", "--range", "HEAD~1..HEAD", "--format", "github"); !strings.Contains(out, note) {
		t.Errorf("github annotations leave the note out:\n%s", out)
	}
	// A range that leaves the file alone says nothing about it.
	if out, errOut, _ := scRun(t, dir, "", "scan", "--range", "HEAD~1"); strings.Contains(out+errOut, note) {
		t.Errorf("first commit:\n%s%s", out, errOut)
	}
}

// TestInterruptedInWords: a run stopped by a signal said only "rampart:
// context canceled"; it says it was interrupted and that nothing was
// reported. Other messages, and a cancel that was no signal's, are kept.
func TestInterruptedInWords(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	if got := interrupted(ctx, "history: context canceled"); got != "history: context canceled" {
		t.Errorf("before the signal: %q", got)
	}
	cancel()
	if got := interrupted(ctx, "history: context canceled"); !strings.HasPrefix(got, "interrupted (Ctrl-C or SIGTERM)") {
		t.Errorf("after it: %q", got)
	}
	if got := interrupted(ctx, "git log: fatal: bad revision"); got != "git log: fatal: bad revision" {
		t.Errorf("another error: %q", got)
	}
}

// TestFailOnIncomplete: a scan that did not read all it was asked to (here
// a blob over --max-file-size) exits 0 with a note, as before, so that
// existing pipelines keep passing; --fail-on-incomplete makes it exit 2,
// after writing the report, and says why. Findings still exit 1, and a
// complete scan with the flag exits 0.
func TestFailOnIncomplete(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "big.txt", strings.Repeat("x", 4096)+"\n")
	scWrite(t, dir, "app.py", "print(1)\n")
	scGit(t, dir, 0, "add", ".")
	scGit(t, dir, 0, "commit", "-q", "-m", "first")

	out, errOut, code := scRun(t, dir, "", "scan", "--history", "--max-file-size", "1KB")
	if code != 0 || !strings.Contains(out+errOut, "larger than --max-file-size were not scanned") {
		t.Errorf("without the flag: exit %d, want 0 with the note\n%s%s", code, out, errOut)
	}
	out, errOut, code = scRun(t, dir, "", "scan", "--history", "--max-file-size", "1KB", "--fail-on-incomplete", "--format", "json")
	if code != 2 || !strings.Contains(errOut, "--fail-on-incomplete") || !strings.Contains(errOut, "larger than --max-file-size") || !json.Valid([]byte(out)) {
		t.Errorf("with the flag: exit %d, want 2, the reason and the report\n%s%s", code, out, errOut)
	}
	if _, errOut, code := scRun(t, dir, "", "scan", "--history", "--fail-on-incomplete"); code != 0 {
		t.Errorf("complete scan with the flag: exit %d, want 0\n%s", code, errOut)
	}
	scWrite(t, dir, "key.py", "aws_access_key_id = \""+scKeyID+"\"\naws_secret_access_key = \""+scSecret+"\"\n")
	scGit(t, dir, 0, "add", ".")
	scGit(t, dir, 0, "commit", "-q", "-m", "key")
	if _, errOut, code := scRun(t, dir, "", "scan", "--history", "--max-file-size", "1KB", "--fail-on-incomplete", "-q"); code != 1 {
		t.Errorf("findings and incomplete: exit %d, want 1\n%s", code, errOut)
	}
	// A flag meant for scans is refused where no scan report is made.
	if _, errOut, code := scRun(t, dir, "", "baseline", "--fail-on-incomplete", "-o", "-"); code != 2 || !strings.Contains(errOut, "fail-on-incomplete") {
		t.Errorf("baseline --fail-on-incomplete: exit %d, want 2\n%s", code, errOut)
	}
}
