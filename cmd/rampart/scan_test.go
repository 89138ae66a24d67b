package main

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files under testdata/golden")

const (
	scKeyID  = "AKIAUJZDEGXDNCF32EPF"
	scSecret = "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"
)

// scRun runs the CLI in dir with stdin and returns stdout, stderr and the
// exit code. It runs rampart as a process (cliRun), so tests may run in
// parallel.
func scRun(t *testing.T, dir, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return cliRun(t, dir, nil, stdin, args...)
}

// scGit runs git in dir with a fixed identity and date n hours after a fixed epoch.
func scGit(t *testing.T, dir string, n int, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	date := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour).Format(time.RFC3339)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com", "GIT_COMMITTER_DATE="+date, "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func scWrite(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

var durationRE = regexp.MustCompile(`in [0-9.]+m?s`)

// golden compares got with testdata/golden/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = durationRE.ReplaceAllString(got, "in Xms")
	p := filepath.Join(goldenDir, name)
	if *updateGolden {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update to accept):\n--- got\n%s\n--- want\n%s", p, got, want)
	}
}

var goldenDir = func() string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "testdata", "golden")
}()

func TestScanDirectoryTextGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "config/aws.ini", "[default]\naws_access_key_id = "+scKeyID+"\naws_secret_access_key = "+scSecret+"\n")
	scWrite(t, dir, "docs/setup.md", "Use AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY from the AWS docs.\n")
	scWrite(t, dir, "evil\x1b[2Jname.txt", "token: ASIA3DHODZDOCIS2JHTL\n")
	scWrite(t, dir, "ok.txt", "nothing here\n")
	out, errOut, code := scRun(t, dir, "", "scan", "--no-color")
	if code != 1 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	if strings.Contains(out, scSecret) || strings.Contains(out, "\x1b") {
		t.Fatal("plaintext secret or raw escape sequence in output")
	}
	golden(t, "scan-dir.txt", out)
}

func TestScanJSONShapeAndShowSecrets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "a.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	out, _, code := scRun(t, dir, "", "scan", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Tool     map[string]string `json:"tool"`
		Findings []map[string]any  `json:"findings"`
		Stats    map[string]any    `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tool["name"] != "rampart" || len(doc.Findings) != 1 {
		t.Fatalf("doc = %s", out)
	}
	f := doc.Findings[0]
	for _, k := range []string{"rule", "description", "severity", "path", "line", "column", "secret", "fingerprint", "attributes"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding lacks %q", k)
		}
	}
	for _, k := range []string{"files", "commits", "blobs", "bytes", "duration_ms"} {
		if _, ok := doc.Stats[k]; !ok {
			t.Errorf("stats lack %q", k)
		}
	}
	if f["secret"] != "AKIA…" {
		t.Errorf("secret = %v, want redacted", f["secret"])
	}
	out, _, _ = scRun(t, dir, "", "scan", "--format", "json", "--show-secrets")
	if !strings.Contains(out, scKeyID) {
		t.Error("--show-secrets did not show the secret")
	}
}

func TestScanStdinAndCommitMsg(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, _, code := scRun(t, dir, "deploy key "+scKeyID+"\n", "scan", "--stdin", "--format", "json")
	if code != 1 || !strings.Contains(out, `"path": "stdin"`) {
		t.Errorf("stdin: exit %d\n%s", code, out)
	}
	_, _, code = scRun(t, dir, "nothing to see\n", "scan", "--stdin")
	if code != 0 {
		t.Errorf("clean stdin: exit %d", code)
	}
	scWrite(t, dir, "MSG", "Fix deploy\n\nuse "+scKeyID+"\n")
	out, _, code = scRun(t, dir, "", "scan", "--commit-msg", filepath.Join(dir, "MSG"), "--no-color")
	if code != 1 || !strings.Contains(out, "(commit message):3:5") {
		t.Errorf("commit-msg: exit %d\n%s", code, out)
	}
}

// TestScanCommitMsgCleansUpAsGit: --commit-msg scans the message git will
// record, cleaned up by the repository's own settings (read while the
// detector is built): with an editor, lines starting with its comment
// character (here ";") are dropped, and "#" is then text; without one
// (GIT_EDITOR=":"), nothing is dropped.
func TestScanCommitMsgCleansUpAsGit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scGit(t, dir, 0, "config", "core.commentChar", ";")
	scWrite(t, dir, "COMMENTED", "Fix deploy\n\n; was "+scKeyID+"\n")
	scWrite(t, dir, "HASHED", "Fix deploy\n\n# use "+scKeyID+"\n")
	for _, tc := range []struct {
		msg, editor string
		code        int
	}{
		{"COMMENTED", "vi", 0},
		{"COMMENTED", ":", 1},
		{"HASHED", "vi", 1},
	} {
		_, errOut, code := cliRun(t, dir, []string{"GIT_EDITOR=" + tc.editor}, "", "scan", "--commit-msg", filepath.Join(dir, tc.msg), "--no-color")
		if code != tc.code {
			t.Errorf("%s with GIT_EDITOR=%s: exit %d, want %d\n%s", tc.msg, tc.editor, code, tc.code, errOut)
		}
	}
}

func TestScanExitCodesAndUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"clean directory", []string{"scan", dir}, 0, ""},
		{"two modes", []string{"scan", "--staged", "--history"}, 2, "choose one of"},
		{"bad format", []string{"scan", "--format", "xml", dir}, 2, "unknown format"},
		{"bad flag", []string{"scan", "--nope"}, 2, "unknown flag"},
		{"missing path", []string{"scan", filepath.Join(dir, "absent")}, 2, "no such file"},
		{"staged outside git", []string{"scan", "--staged", dir}, 2, "not a git repository"},
		{"bad size", []string{"scan", "--max-file-size", "big", dir}, 2, "bad size"},
		{"bad severity", []string{"scan", "--fail-on", "urgent", dir}, 2, "unknown severity"},
		{"option injection in range", []string{"scan", "--range", "--output=/tmp/x"}, 2, "not a revision range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, errOut, code := scRun(t, dir, "", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tt.code, errOut, tt.msg)
			}
		})
	}
}

func TestScanMalformedConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, ".rampart.toml", "[allowlist]\nregexes = ['(']\n[[rules]]\nid = \"x\"\n")
	_, errOut, code := scRun(t, dir, "", "scan")
	if code != 2 || !strings.Contains(errOut, ".rampart.toml") || !strings.Contains(errOut, "bad regex") || !strings.Contains(errOut, "missing description") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
	// A history scan has begun its walk before the configuration is read
	// (History.Start): the same error, and the walk given up, not waited on.
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "a.txt", "hello\n")
	scGit(t, dir, 0, "add", "a.txt")
	scGit(t, dir, 0, "commit", "-qm", "one")
	scGit(t, dir, 0, "repack", "-adq")
	_, errOut, code = scRun(t, dir, "", "scan", "--history")
	if code != 2 || !strings.Contains(errOut, ".rampart.toml") || !strings.Contains(errOut, "bad regex") {
		t.Errorf("--history: exit %d, stderr:\n%s", code, errOut)
	}
}

func TestScanFailOnThreshold(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "a.txt", "AWS_ACCOUNT_ID=492375816234\n")
	if _, _, code := scRun(t, dir, "", "scan", "--fail-on", "high"); code != 0 {
		t.Errorf("low finding with --fail-on high: exit %d", code)
	}
	if _, _, code := scRun(t, dir, "", "scan"); code != 1 {
		t.Errorf("without threshold: exit %d", code)
	}
}

func TestScanGitModesEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "app/settings.py", "DEBUG = True\nAWS_KEY = '"+scKeyID+"'\n")
	scGit(t, dir, 1, "add", "-A")
	scGit(t, dir, 1, "commit", "-q", "-m", "settings")
	first := scGit(t, dir, 1, "rev-parse", "HEAD")
	scWrite(t, dir, "app/settings.py", "DEBUG = True\nAWS_KEY = '"+scKeyID+"'\nOTHER = 'AKIAGMXGEDN73U55XTPL'\n")
	scGit(t, dir, 2, "add", "-A")

	app := filepath.Join(dir, "app")
	out, _, code := scRun(t, app, "", "scan", "--staged", "--format", "json")
	if code != 1 || strings.Count(out, `"rule"`) != 1 || !strings.Contains(out, `"line": 3`) {
		t.Errorf("staged: exit %d\n%s", code, out)
	}
	scGit(t, dir, 2, "commit", "-q", "-m", "more")
	out, _, code = scRun(t, app, "", "scan", "--range", first+"..HEAD", "--format", "json")
	if code != 1 || strings.Count(out, `"rule"`) != 1 || !strings.Contains(out, `"line": 3`) {
		t.Errorf("range: exit %d\n%s", code, out)
	}
	out, _, code = scRun(t, app, "", "scan", "--history", "--no-color")
	if code != 1 {
		t.Errorf("history: exit %d", code)
	}
	golden(t, "scan-history.txt", out)

	// A baseline written now suppresses everything, and holds no secret.
	_, errOut, code := scRun(t, app, "", "baseline", "--history")
	if code != 0 || !strings.Contains(errOut, "wrote 2 entries") {
		t.Fatalf("baseline: exit %d, %s", code, errOut)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "app", ".rampart-baseline.json"))
	if strings.Contains(string(data), scKeyID) || !strings.Contains(string(data), "fingerprint") {
		t.Fatalf("baseline content: %s", data)
	}
	out, _, code = scRun(t, app, "", "scan", "--history", "--baseline", ".rampart-baseline.json", "--no-color")
	if code != 0 || !strings.Contains(out, "2 findings suppressed by the baseline") {
		t.Errorf("with baseline: exit %d\n%s", code, out)
	}
}

// TestDocumentedExamplesNeverReported runs every mode over AWS's documented
// example credentials.
func TestDocumentedExamplesNeverReported(t *testing.T) {
	t.Parallel()
	docs := "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n" +
		"aws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n"
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "README.md", docs)
	scGit(t, dir, 1, "add", "-A")
	scWrite(t, dir, "MSG", docs)
	modes := [][]string{{"scan", "."}, {"scan", "--staged"}, {"scan", "--stdin"}, {"scan", "--commit-msg", "MSG"}}
	for _, m := range modes {
		if out, _, code := scRun(t, dir, docs, m...); code != 0 {
			t.Errorf("%v: exit %d\n%s", m, code, out)
		}
	}
	scGit(t, dir, 1, "commit", "-q", "-m", "docs\n\n"+docs)
	for _, m := range [][]string{{"scan", "--history"}, {"scan", "--range", "HEAD"}} {
		if out, _, code := scRun(t, dir, "", m...); code != 0 {
			t.Errorf("%v: exit %d\n%s", m, code, out)
		}
	}
}

// TestHistoryJSONSideBranchPair is the scanner core's acceptance scenario: a
// key pair added on a side branch, renamed, deleted two commits later, the
// branch merged and deleted; the JSON report links the pair and names the
// introducing commit and the original path.
func TestHistoryJSONSideBranchPair(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "README.md", "app\n")
	scGit(t, dir, 0, "add", "-A")
	scGit(t, dir, 0, "commit", "-q", "-m", "init")
	scGit(t, dir, 1, "checkout", "-q", "-b", "feature")
	scWrite(t, dir, "deploy/aws.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\nAWS_SECRET_ACCESS_KEY="+scSecret+"\n")
	scGit(t, dir, 1, "add", "-A")
	scGit(t, dir, 1, "commit", "-q", "-m", "deploy credentials")
	intro := scGit(t, dir, 1, "rev-parse", "HEAD")
	scGit(t, dir, 2, "mv", "deploy/aws.env", "deploy/prod.env")
	scGit(t, dir, 2, "commit", "-q", "-m", "rename")
	scWrite(t, dir, "other.txt", "x\n")
	scGit(t, dir, 3, "add", "-A")
	scGit(t, dir, 3, "commit", "-q", "-m", "unrelated")
	scGit(t, dir, 4, "rm", "-q", "deploy/prod.env")
	scGit(t, dir, 4, "commit", "-q", "-m", "remove credentials")
	scGit(t, dir, 5, "checkout", "-q", "main")
	scGit(t, dir, 5, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
	scGit(t, dir, 5, "branch", "-D", "feature")

	out, _, code := scRun(t, dir, "", "scan", "--history", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var doc struct {
		Findings []struct {
			Rule, Path, Commit, Author, Fingerprint, Severity string
			Line                                              int
			Attributes                                        map[string]string
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 2 {
		t.Fatalf("want the key ID and the secret, got %d findings:\n%s", len(doc.Findings), out)
	}
	id, sec := doc.Findings[0], doc.Findings[1]
	if id.Rule != "aws-access-key-id" || sec.Rule != "aws-secret-access-key" {
		t.Fatalf("rules = %s, %s", id.Rule, sec.Rule)
	}
	for _, f := range doc.Findings {
		if f.Commit != intro || f.Path != "deploy/aws.env" || f.Author != "Dev" || f.Severity != "critical" {
			t.Errorf("%s: commit %s path %s author %s severity %s; want %s deploy/aws.env Dev critical", f.Rule, f.Commit, f.Path, f.Author, f.Severity, intro)
		}
	}
	if id.Attributes["pair"] != sec.Fingerprint || sec.Attributes["pair"] != id.Fingerprint {
		t.Errorf("pair not linked: %v / %v", id.Attributes, sec.Attributes)
	}
	if id.Line != 1 || sec.Line != 2 {
		t.Errorf("lines %d, %d", id.Line, sec.Line)
	}
}

func TestScanSubdirectoryPathsFromRepoRoot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "app/conf/a.ini", "aws_access_key_id = "+scKeyID+"\n")
	scWrite(t, dir, ".rampart.toml", "[allowlist]\npaths = [\"app/vendor/\"]\n")
	scWrite(t, dir, "app/vendor/b.ini", "aws_access_key_id = "+scKeyID+"\n")
	for _, arg := range []string{"app", "app/conf", "app/conf/a.ini"} {
		out, _, code := scRun(t, dir, "", "scan", arg, "--format", "json")
		if code != 1 || !strings.Contains(out, `"path": "app/conf/a.ini"`) || strings.Contains(out, "vendor") {
			t.Errorf("scan %s: exit %d\n%s", arg, code, out)
		}
	}
}

func TestScanBareRepositoryScansHistory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	scGit(t, dir, 0, "init", "-q", work)
	scWrite(t, work, "k.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	scGit(t, work, 1, "add", "-A")
	scGit(t, work, 1, "commit", "-q", "-m", "k")
	scGit(t, dir, 1, "clone", "-q", "--mirror", work, filepath.Join(dir, "m.git"))
	out, errOut, code := scRun(t, dir, "", "scan", "m.git", "--format", "json")
	if code != 1 || !strings.Contains(errOut, "bare repository") || !strings.Contains(out, `"path": "k.env"`) {
		t.Errorf("exit %d, stderr %q\n%s", code, errOut, out)
	}
}

func TestScanExtraReportsFromOneScan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, "a.env", "AWS_ACCESS_KEY_ID="+scKeyID+"\n")
	out, errOut, code := scRun(t, dir, "", "scan", ".", "--format", "github", "--report", "sarif="+filepath.Join(dir, "r.sarif"), "--report", "markdown="+filepath.Join(dir, "s.md"))
	if code != 1 || !strings.HasPrefix(out, "::") {
		t.Fatalf("exit %d, stderr %s\n%s", code, errOut, out)
	}
	sarif, _ := os.ReadFile(filepath.Join(dir, "r.sarif"))
	md, _ := os.ReadFile(filepath.Join(dir, "s.md"))
	if !strings.Contains(string(sarif), `"version": "2.1.0"`) || !strings.Contains(string(md), "aws-access-key-id") {
		t.Errorf("extra reports:\n%s\n%s", sarif, md)
	}
	if strings.Contains(string(sarif)+string(md), scKeyID) {
		t.Error("an extra report holds the plaintext secret")
	}
	if _, errOut, code := scRun(t, dir, "", "scan", ".", "--report", "xml=x"); code != 2 || !strings.Contains(errOut, "FORMAT=FILE") {
		t.Errorf("bad --report: exit %d %s", code, errOut)
	}
}

// TestOwnRepositoryScansClean runs the README's first command on rampart's
// own checkout: its examples and fixtures are allow-listed by its
// .rampart.toml, and nothing else in its source may look like a credential
// (a comment quoting a hash once did).
func TestOwnRepositoryScansClean(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".rampart.toml")); err != nil {
		t.Skipf("not rampart's checkout: %v", err)
	}
	stdout, stderr, code := scRun(t, root, "", "scan")
	if code != 0 {
		t.Errorf("exit %d scanning rampart's own checkout:\n%s\n%s", code, stdout, stderr)
	}
}

// TestExplainNamesCommitAndPath: --explain names a dropped candidate's path
// and line in every mode, and in the git modes its commit, as a finding there
// would be named (a history blob is detected before the walk places it).
func TestExplainNamesCommitAndPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "config/app.env", "password = \"changeme\"\n")
	scGit(t, dir, 1, "add", "-A")
	scGit(t, dir, 1, "commit", "-q", "-m", "add config")
	head := scGit(t, dir, 1, "rev-parse", "HEAD")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--explain", "."}, "dropped generic-password at config/app.env:1 (ch…): "},
		{[]string{"scan", "--explain", "--history"}, "dropped generic-password at config/app.env:1 in commit " + head[:12] + " (ch…): "},
	} {
		_, errOut, code := scRun(t, dir, "", tc.args...)
		if code != 0 {
			t.Errorf("%q: exit %d\n%s", tc.args, code, errOut)
		}
		if !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: stderr lacks %q:\n%s", tc.args, tc.want, errOut)
		}
		if strings.Contains(errOut, " at :") {
			t.Errorf("%q: a dropped candidate without its path:\n%s", tc.args, errOut)
		}
	}
}

// TestOwnReportsScanClean: a JSON or SARIF report rampart wrote holds no
// finding when scanned in turn (a report written into the tree it scanned is
// read by the next scan): its secrets are redacted, and the AWS account it
// decoded from a key ID is its own attribute, not an account ID written in
// the code. A report written with --show-secrets still gives the key itself.
func TestOwnReportsScanClean(t *testing.T) {
	t.Parallel()
	src, out := t.TempDir(), t.TempDir()
	scWrite(t, src, "creds.txt", "aws_access_key_id = "+scKeyID+"\naws_secret_access_key = "+scSecret+"\n")
	_, errOut, code := scRun(t, src, "", "scan", "-q", "--format", "json", "-o", filepath.Join(out, "report.json"),
		"--report", "sarif="+filepath.Join(out, "report.sarif"), ".")
	if code != 1 {
		t.Fatalf("scan of the credentials: exit %d, want 1\n%s", code, errOut)
	}
	stdout, errOut, code := scRun(t, out, "", "scan", "--format", "json", ".")
	if code != 0 {
		t.Errorf("scan of rampart's own reports: exit %d, want 0\n%s%s", code, stdout, errOut)
	}

	plain := t.TempDir()
	scRun(t, src, "", "scan", "-q", "--show-secrets", "--format", "json", "-o", filepath.Join(plain, "report.json"), ".")
	stdout, _, _ = scRun(t, plain, "", "scan", "--format", "json", ".")
	var rep struct{ Findings []struct{ Rule string } }
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, f := range rep.Findings {
		rules = append(rules, f.Rule)
	}
	if !strings.Contains(strings.Join(rules, " "), "aws-access-key-id") || strings.Contains(strings.Join(rules, " "), "aws-account-id") {
		t.Errorf("a report with plaintext secrets: rules %q, want the key ID and no account ID", rules)
	}
}

// TestLargeFilesNotLostQuietly: a text file over --max-file-size is scanned
// (in windows), not skipped; a blob over it in history, which is skipped,
// says so even with -q, on stderr and in the JSON report's incomplete notes.
func TestLargeFilesNotLostQuietly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	big := strings.Repeat("INSERT INTO log VALUES (1, 'ordinary row');\n", 4000) + "aws_access_key_id = " + scKeyID + "\n"
	scWrite(t, dir, "dump.sql", big)
	scGit(t, dir, 1, "add", "-A")
	scGit(t, dir, 1, "commit", "-q", "-m", "dump")

	out, errOut, code := scRun(t, dir, "", "scan", "-q", "--max-file-size", "64KB", "--format", "json", ".")
	if code != 1 || !strings.Contains(out, `"path": "dump.sql"`) || !strings.Contains(out, `"line": 4001`) {
		t.Errorf("folder scan of a file over --max-file-size: exit %d, want its key at dump.sql:4001\n%s%s", code, out, errOut)
	}

	out, errOut, code = scRun(t, dir, "", "scan", "--history", "-q", "--max-file-size", "64KB")
	if code != 0 || !strings.Contains(out, "note: 1 file(s) or blob(s) larger than --max-file-size were not scanned") {
		t.Errorf("history with a blob over --max-file-size, -q: exit %d, want 0 and a note\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	out, errOut, _ = scRun(t, dir, "", "scan", "--history", "-q", "--max-file-size", "64KB", "--format", "json")
	if !strings.Contains(errOut, "rampart: warning: 1 file(s) or blob(s) larger than --max-file-size") {
		t.Errorf("JSON on standard output, -q: stderr lacks the warning:\n%s", errOut)
	}
	var rep struct {
		Stats struct{ Incomplete []string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Stats.Incomplete, "\n"), "larger than --max-file-size") {
		t.Errorf("JSON report: incomplete = %q, want the skipped blob", rep.Stats.Incomplete)
	}
}
