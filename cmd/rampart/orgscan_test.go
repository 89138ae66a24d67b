package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/spf13/pflag"

	"github.com/rampart-sec/rampart/orgscan/orgfake"
	"github.com/rampart-sec/rampart/report"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "rewrite docs/html-report.png from the browser test")

const orgTestToken = "ghs_orgCLItokenNeverPrinted00000000000000"

// The fake organisation's secrets: none may appear in plaintext in any
// report.
var orgSecrets = []string{"AKIAXNZMQ2P5R7TW3YKV", "AKIAJW4L2MRTQ6ZP7VNB", "AKIAQ3V7MZKT5WRP2NXL"}

// startOrgFake serves an empty fake GitHub (API and git) for the test.
func startOrgFake(t *testing.T) *orgfake.Server {
	t.Helper()
	fake, err := orgfake.New(t.TempDir(), orgTestToken)
	if err != nil {
		t.Skipf("no git smart-HTTP server: %v", err)
	}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	fake.URL = srv.URL
	return fake
}

// orgFake serves "acme": api (a key on main), web (a key only on pull
// request #3), old (archived, with a key), fork (a fork), broken (answers
// 500 to git) and docs (clean). Every repository is private.
func orgFake(t *testing.T) string {
	t.Helper()
	fake := startOrgFake(t)
	add := func(r *orgfake.Repo, files map[string]string) {
		r.Owner, r.Private = "acme", true
		if err := fake.AddRepo(r); err != nil {
			t.Fatal(err)
		}
		if _, err := fake.Commit(r.FullName(), "", map[string]string{"README.md": "# " + r.Name + "\n"}, "initial"); err != nil {
			t.Fatal(err)
		}
		if files != nil {
			if _, err := fake.Commit(r.FullName(), "", files, "configure"); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(&orgfake.Repo{Name: "api"}, map[string]string{"config/prod.env": "AWS_ACCESS_KEY_ID=" + orgSecrets[0] + "\n"})
	add(&orgfake.Repo{Name: "web"}, nil)
	pr, err := fake.Commit("acme/web", "refs/pull/3/head", map[string]string{"deploy/ci.sh": "export AWS_ACCESS_KEY_ID=" + orgSecrets[1] + "\n"}, "try deploy")
	if err != nil {
		t.Fatal(err)
	}
	_ = pr
	add(&orgfake.Repo{Name: "old", Archived: true}, map[string]string{"keys.txt": "aws_access_key_id = " + orgSecrets[2] + "\n"})
	add(&orgfake.Repo{Name: "fork", Fork: true}, nil)
	add(&orgfake.Repo{Name: "broken"}, nil)
	fake.Repo("acme/broken").FailGit = true
	add(&orgfake.Repo{Name: "docs"}, map[string]string{"guide.md": "nothing secret\n"})
	return fake.URL + "/api/v3/"
}

// orgRun runs rampart with the token in GITHUB_TOKEN and fails the test if
// the token shows up in the output.
func orgRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	t.Setenv("GITHUB_TOKEN", orgTestToken)
	t.Setenv("GH_TOKEN", "")
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &streams{in: strings.NewReader(""), out: &out, err: &errb})
	if strings.Contains(out.String()+errb.String(), orgTestToken) {
		t.Fatal("the token was printed")
	}
	return out.String(), errb.String(), code
}

func noPlaintext(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range orgSecrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s holds the plaintext secret %s…", what, sec[:6])
		}
	}
}

func readScanJSON(t *testing.T, name string) *report.JSONScan {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	noPlaintext(t, name, string(b))
	var doc report.JSONScan
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

func findingKeys(doc *report.JSONScan) []string {
	var out []string
	for _, f := range doc.Findings {
		out = append(out, fmt.Sprintf("%s %s:%d pr=%s", f.Attributes["repository"], f.Path, f.Line, f.Attributes["pull_request"]))
	}
	slices.Sort(out)
	return out
}

func TestScanOrgCLI(t *testing.T) {
	api := orgFake(t)
	dir := t.TempDir()
	mirrors := filepath.Join(dir, "mirrors")
	base := []string{"scan", "--org", "acme", "--api-url", api, "--mirror-dir", mirrors}

	_, stderr, code := orgRun(t, append(base, "--format", "json", "-o", filepath.Join(dir, "all.json"))...)
	if code != exitFindings {
		t.Fatalf("exit %d, want 1 (findings); stderr: %s", code, stderr)
	}
	if !strings.Contains(stderr, "left out 1 archived and 1 forked") {
		t.Errorf("stderr does not say what was left out: %s", stderr)
	}
	doc := readScanJSON(t, filepath.Join(dir, "all.json"))
	want := []string{"acme/api config/prod.env:1 pr=", "acme/web deploy/ci.sh:1 pr=3"}
	if got := findingKeys(doc); !slices.Equal(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	status := map[string]string{}
	for _, r := range doc.Repositories {
		status[r.Repository] = r.Status
	}
	if fmt.Sprint(status) != "map[acme/api:scanned acme/broken:failed acme/docs:scanned acme/web:scanned]" {
		t.Errorf("repositories: %v", status)
	}

	// The second run carries everything forward and reads nothing.
	out, _, code := orgRun(t, append(base, "--format", "text")...)
	if code != exitFindings || !strings.Contains(out, "== acme/api: unchanged since the last run, 1 finding (0 new, 1 carried forward)") ||
		!strings.Contains(out, "== acme/broken: failed: git clone:") {
		t.Errorf("second run (exit %d):\n%s", code, out)
	}
	noPlaintext(t, "text output", out)

	// --verify runs once over the organisation's findings, carried ones
	// included: a key ID without its secret key is not checked (nothing is
	// sent), and --results keeps what it names.
	out, stderr, code = orgRun(t, append(base, "--verify", "--results", "not-checked", "--format", "json")...)
	var verified report.JSONScan
	if err := json.Unmarshal([]byte(out), &verified); err != nil || code != exitFindings {
		t.Fatalf("--verify: exit %d, %v: %s", code, err, stderr)
	}
	if len(verified.Findings) != 2 {
		t.Errorf("--verify --results not-checked kept %d findings", len(verified.Findings))
	}
	for _, f := range verified.Findings {
		if f.Verification == nil || f.Verification.Status != "not-checked" || f.Attributes["carried_forward"] != "true" {
			t.Errorf("%s: verification %+v, carried %q", f.Path, f.Verification, f.Attributes["carried_forward"])
		}
	}

	// Shards: their union, merged, is the unsharded run, in every format.
	var shards []string
	for i := range 2 {
		name := filepath.Join(dir, fmt.Sprintf("shard%d.json", i))
		if _, stderr, code := orgRun(t, append(base, "--shard", fmt.Sprintf("%d/2", i), "--format", "json", "-o", name)...); code == exitError && !strings.Contains(stderr, "could not be scanned") {
			t.Fatalf("shard %d: exit %d: %s", i, code, stderr)
		}
		shards = append(shards, name)
	}
	merged := filepath.Join(dir, "merged.json")
	if _, stderr, code := orgRun(t, append([]string{"report", "merge", "-o", merged}, shards...)...); code != exitFindings {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	if got := findingKeys(readScanJSON(t, merged)); !slices.Equal(got, want) {
		t.Errorf("merged shards %v, want %v", got, want)
	}
	for _, format := range []string{"sarif", "markdown", "html", "text", "junit"} {
		out, stderr, code := orgRun(t, append([]string{"report", "merge", "--format", format}, shards...)...)
		if code != exitFindings || !strings.Contains(out, "acme/web") {
			t.Errorf("merge --format %s: exit %d: %s\n%s", format, code, stderr, out)
		}
		noPlaintext(t, "merged "+format, out)
	}

	// Usage errors.
	for _, args := range [][]string{
		{"scan", "--org", "acme", "--repos-from", "x"},
		{"scan", "--org", "acme", "--history"},
		{"scan", "--repos-from", "x", "--include-forks"},
		{"scan", "--org", "acme", "--shard", "2/2"},
		{"baseline", "--org", "acme"},
	} {
		if _, _, code := orgRun(t, args...); code != exitError {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestScanReposFromCLI(t *testing.T) {
	api := orgFake(t)
	dir := t.TempDir()
	list := filepath.Join(dir, "repos.txt")
	// OWNER/NAME is resolved through the API; a name GitHub does not know
	// is a failed repository, not a failed run.
	if err := os.WriteFile(list, []byte("# scanned nightly\nacme/api\nacme/gone\nacme/old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := orgRun(t, "scan", "--repos-from", list, "--api-url", api, "--mirror-dir", filepath.Join(dir, "m"), "--format", "json")
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc report.JSONScan
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range doc.Repositories {
		got = append(got, r.Repository+":"+r.Status)
	}
	if strings.Join(got, " ") != "acme/gone:failed acme/api:scanned acme/old:scanned" {
		t.Errorf("repositories %v", got)
	}
}

// chromium finds Debian's chromium. Without it the browser test fails in
// CI (CI installs it) and is skipped only on a developer's machine.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed: CI must install it (apt-get install -y chromium); the HTML report is tested in a real browser")
	}
	t.Skip("chromium not installed (apt-get install -y chromium); CI runs this test")
	return ""
}

// browse opens a local file in headless chromium and returns what
// JavaScript saw: console errors and uncaught exceptions, plus the results
// of the checks.
type browsed struct {
	errors            []string
	totals, table     string
	rows              int
	html              string
	sortedFirstColumn string
}

func browse(t *testing.T, exe, file, screenshot string) browsed {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	var b browsed
	var mu sync.Mutex
	// Listen starts the browser: no timeout on this first call, or it
	// would stop the browser; the steps below get one.
	err := chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value))
				}
				b.errors = append(b.errors, fmt.Sprintf("console.%s %s", e.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			b.errors = append(b.errors, fmt.Sprintf("exception: %s %v", e.ExceptionDetails.Text, e.ExceptionDetails.Exception))
		}
	})
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("chromium on %s: %s: %v", file, what, err)
		}
	}
	step("navigate", chromedp.Do(ctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible("#totals")))
	var err2 error
	b.totals, err2 = chromedp.Run(ctx, chromedp.Text("#totals"))
	step("totals", err2)
	b.html, err2 = chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	step("html", err2)
	b.rows, err2 = chromedp.Run(ctx, chromedp.Evaluate[int](`(function(){var t=document.querySelector("table.sortable"); return t ? t.tBodies[0].rows.length : 0})()`))
	step("rows", err2)
	b.sortedFirstColumn, err2 = chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){var t=document.querySelector("table.sortable"); if(!t) return ""; var th=t.querySelectorAll("thead th"); th[1].click(); th[1].click(); return t.tBodies[0].rows[0].cells[1].textContent.trim()})()`))
	step("sort", err2)
	if screenshot != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		step("screenshot", err)
		if err := os.WriteFile(screenshot, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return b
}

// TestHTMLReportsInABrowser renders an organisation scan and an
// organisation audit as HTML and opens both in headless chromium: no
// console error, the totals and the table are shown, no plaintext secret
// anywhere in the page, and the table sorts. -update-screenshot rewrites
// the README's picture.
func TestHTMLReportsInABrowser(t *testing.T) {
	exe := chromium(t)
	api := orgFake(t)
	dir := t.TempDir()
	scanHTML := filepath.Join(dir, "secrets.html")
	if _, stderr, code := orgRun(t, "scan", "--org", "acme", "--api-url", api, "--mirror-dir", filepath.Join(dir, "m"), "--format", "html", "-o", scanHTML); code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	raw, err := os.ReadFile(scanHTML)
	if err != nil {
		t.Fatal(err)
	}
	for _, external := range []string{"http://", "https://fonts", "<link", "src=\"http", "@import"} {
		if external == "http://" {
			continue // links to the fake's commits are http://127.0.0.1…; they are anchors, not loads
		}
		if strings.Contains(string(raw), external) {
			t.Errorf("the report loads something from outside: %q", external)
		}
	}
	shot := ""
	if *updateScreenshot {
		shot, _ = filepath.Abs(filepath.Join("..", "..", "docs", "html-report.png"))
	}
	b := browse(t, exe, scanHTML, shot)
	if len(b.errors) > 0 {
		t.Errorf("console: %v", b.errors)
	}
	if !strings.Contains(strings.ToLower(b.totals), "2\nfindings") {
		t.Errorf("totals shown: %q", b.totals)
	}
	if b.rows != 2 {
		t.Errorf("the findings table shows %d rows, want 2", b.rows)
	}
	if b.sortedFirstColumn == "" {
		t.Error("sorting the table by repository emptied it")
	}
	noPlaintext(t, "the page in the browser", b.html)
	if !strings.Contains(b.html, "PR #3") || !strings.Contains(b.html, "/acme/api/blob/") {
		t.Error("the page has no pull-request or file links")
	}

	// The audit report, through the same writer.
	_, auditURL := auditFake(t, 4)
	auditHTML := filepath.Join(dir, "audit.html")
	if _, stderr, code := auditRun(t, "audit", "--org", "acme", "--api-url", auditURL, "--no-cache", "--format", "html", "-o", auditHTML); code == exitError {
		t.Fatalf("audit: exit %d: %s", code, stderr)
	}
	a := browse(t, exe, auditHTML, "")
	if len(a.errors) > 0 {
		t.Errorf("audit page console: %v", a.errors)
	}
	if !strings.Contains(strings.ToLower(a.totals), "repositories") || a.rows == 0 || !strings.Contains(a.html, `class="heat"`) {
		t.Errorf("audit page: totals %q, %d rows", a.totals, a.rows)
	}
}

// TestOrgScanFlagsDocumented: every flag of the organisation scan is in
// the README.
func TestOrgScanFlagsDocumented(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	fs := pflag.NewFlagSet("scan", pflag.ContinueOnError)
	(&orgScanOptions{}).bind(fs)
	n := 0
	fs.VisitAll(func(f *pflag.Flag) {
		n++
		if !bytes.Contains(readme, []byte("`--"+f.Name)) {
			t.Errorf("--%s is not in README.md", f.Name)
		}
	})
	if n < 8 {
		t.Errorf("only %d flags bound", n)
	}
}

// TestOrgScanProgressSilentWithoutTerminal: with standard error not a
// terminal, no progress bar is drawn.
func TestOrgScanProgressSilentWithoutTerminal(t *testing.T) {
	api := orgFake(t)
	_, stderr, _ := orgRun(t, "scan", "--org", "acme", "--api-url", api, "--mirror-dir", t.TempDir(), "--format", "json")
	if strings.Contains(stderr, "scanned,") || strings.Contains(stderr, "\r") {
		t.Errorf("progress drawn without a terminal: %q", stderr)
	}
}

// TestOrgScanSIGTERMWritesTheReport: a Kubernetes Job or CI runner stops a
// shard with SIGTERM at its deadline. rampart, a process of its own here,
// stops the repository it is stuck on, writes the report of what it did
// scan (the others marked not scanned, the scan marked incomplete) and
// exits 2.
func TestOrgScanSIGTERMWritesTheReport(t *testing.T) {
	if os.PathSeparator == '\\' {
		t.Skip("no SIGTERM on Windows")
	}
	fake := startOrgFake(t)
	for _, r := range []*orgfake.Repo{{Name: "api"}, {Name: "stuck", Hang: time.Minute}} {
		r.Owner = "acme"
		if err := fake.AddRepo(r); err != nil {
			t.Fatal(err)
		}
		if _, err := fake.Commit(r.FullName(), "", map[string]string{"prod.env": "AWS_ACCESS_KEY_ID=" + orgSecrets[0] + "\n"}, "initial"); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "shard.json")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := &exec.Cmd{Path: exe, Dir: dir, Args: []string{"rampart", "scan", "--org", "acme", "--api-url", fake.URL + "/api/v3/",
		"--mirror-dir", filepath.Join(dir, "mirrors"), "--workers", "2", "--format", "json", "-o", out}}
	cmd.Env = append(cliCleanEnv(), "GITHUB_TOKEN="+orgTestToken)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until api is scanned (its mirror holds a pack) and stuck hangs.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var packs []string
		_ = filepath.WalkDir(filepath.Join(dir, "mirrors"), func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.Contains(p, "api") && strings.HasSuffix(p, ".pack") {
				packs = append(packs, p)
			}
			return nil
		})
		if len(packs) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second)
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError {
		t.Fatalf("exit: %v, want status 2; stderr: %s", err, stderr.String())
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %v to stop after SIGTERM", d)
	}
	if !strings.Contains(stderr.String(), "interrupted") || strings.Contains(stderr.String(), orgTestToken) {
		t.Errorf("stderr: %s", stderr.String())
	}
	doc := readScanJSON(t, out)
	status := map[string]string{}
	for _, r := range doc.Repositories {
		status[r.Repository] = r.Status
	}
	if status["acme/api"] != "scanned" || status["acme/stuck"] != "failed" {
		t.Errorf("repositories: %v", status)
	}
	if got := findingKeys(doc); !slices.Equal(got, []string{"acme/api prod.env:1 pr="}) {
		t.Errorf("findings %v", got)
	}
	if !strings.Contains(strings.Join(doc.Stats.Incomplete, "\n"), "interrupted") {
		t.Errorf("incomplete: %q", doc.Stats.Incomplete)
	}
}
