package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/scanner"
)

// prWorld is an origin whose main branch is a pull request's base, and the
// pull requests opened against it, each published as GitHub does:
// refs/pull/N/head (the head commit) and refs/pull/N/merge (the head merged
// into the base), which actions/checkout checks out.
type prWorld struct {
	*geWorld
	base string // main's tip: every pull request's base commit
	next int
}

// newPRWorld makes the base commit on main from files (path → content).
func newPRWorld(t *testing.T, files map[string]string) *prWorld {
	t.Helper()
	w := &prWorld{geWorld: newGeWorld(t), next: 1}
	w.write(map[string]string{"README.md": "# app\n"})
	w.write(files)
	w.git(w.dev, "add", "-A")
	w.git(w.dev, "commit", "-q", "-m", "base")
	w.git(w.dev, "push", "-q", "origin", "main")
	w.base = w.git(w.dev, "rev-parse", "HEAD")
	return w
}

func (w *prWorld) write(files map[string]string) {
	w.t.Helper()
	for name, content := range files {
		p := filepath.Join(w.dev, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
}

// pr opens a pull request against main whose one commit writes files, and
// returns its number and head commit.
func (w *prWorld) pr(files map[string]string) (int, string) {
	w.t.Helper()
	n := w.next
	w.next++
	w.git(w.dev, "checkout", "-q", "-b", fmt.Sprintf("topic%d", n), w.base)
	w.write(files)
	w.git(w.dev, "add", "-A")
	w.git(w.dev, "commit", "-q", "-m", fmt.Sprintf("pull request %d", n))
	head := w.git(w.dev, "rev-parse", "HEAD")
	// GitHub's test merge: a merge commit of the head into the base.
	w.git(w.dev, "checkout", "-q", "--detach", w.base)
	w.git(w.dev, "merge", "-q", "--no-ff", "-m", "merge", head)
	merge := w.git(w.dev, "rev-parse", "HEAD")
	w.git(w.dev, "push", "-q", "origin", fmt.Sprintf("topic%d", n), fmt.Sprintf("%s:refs/pull/%d/head", head, n), fmt.Sprintf("%s:refs/pull/%d/merge", merge, n))
	w.git(w.dev, "checkout", "-q", "main")
	return n, head
}

// checkoutPR checks out refs/pull/N/merge as actions/checkout does for a
// pull_request event: that commit alone (depth 1, its default) or with
// every branch's history (fetch-depth: 0).
func (w *prWorld) checkoutPR(t *testing.T, name string, n, depth int) string {
	t.Helper()
	dir := filepath.Join(w.root, name)
	w.gitT(t, w.root, "init", "-q", dir)
	w.gitT(t, dir, "remote", "add", "origin", w.url())
	merge := fmt.Sprintf("+refs/pull/%d/merge:refs/remotes/pull/%d/merge", n, n)
	if depth > 0 {
		w.gitT(t, dir, "fetch", "-q", "--no-tags", fmt.Sprintf("--depth=%d", depth), "origin", merge)
	} else {
		w.gitT(t, dir, "fetch", "-q", "--no-tags", "origin", "+refs/heads/*:refs/remotes/origin/*", merge)
	}
	w.gitT(t, dir, "checkout", "-q", "--detach", fmt.Sprintf("refs/remotes/pull/%d/merge", n))
	return dir
}

// prEvent is the payload of a pull_request (or pull_request_target) event
// for pull request n, as GitHub documents it.
func (w *prWorld) prEvent(name string, n int, head string) []string {
	w.t.Helper()
	pr := map[string]any{
		"number": n, "state": "open",
		"base": map[string]any{"ref": "main", "sha": w.base, "repo": map[string]any{"full_name": "o/r"}},
		"head": map[string]any{"ref": fmt.Sprintf("topic%d", n), "sha": head, "repo": map[string]any{"full_name": "fork/r"}},
	}
	payload := map[string]any{"action": "synchronize", "number": n, "pull_request": pr,
		"repository": map[string]any{"full_name": "o/r", "default_branch": "main"}}
	if name == "merge_group" {
		payload = map[string]any{"action": "checks_requested",
			"merge_group": map[string]any{"base_sha": w.base, "head_sha": head, "base_ref": "refs/heads/main", "head_ref": "refs/heads/gh-readonly-queue/main/pr-1"},
			"repository":  map[string]any{"full_name": "o/r", "default_branch": "main"}}
	}
	return w.eventFile(name, fmt.Sprintf("%s-%d", name, n), payload)
}

// eventFile writes the payload of an event named name to a file of its own
// and returns the GITHUB_EVENT_* environment that points at it.
func (w *prWorld) eventFile(name, file string, payload any) []string {
	w.t.Helper()
	data, err := json.Marshal(payload)
	if err != nil {
		w.t.Fatal(err)
	}
	p := filepath.Join(w.root, "event-"+file+".json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		w.t.Fatal(err)
	}
	return []string{"GITHUB_EVENT_NAME=" + name, "GITHUB_EVENT_PATH=" + p}
}

// prScan runs rampart scan --github-event in dir with extra flags.
func prScan(t *testing.T, env []string, dir string, flags ...string) geResult {
	t.Helper()
	args := append([]string{"scan", "--github-event", "--format", "json"}, flags...)
	stdout, stderr, code := cliRun(t, dir, env, "", append(args, dir)...)
	res := geResult{code: code, stderr: stderr}
	if code == 2 {
		return res
	}
	var doc struct {
		Findings []struct {
			Path string `json:"path"`
		} `json:"findings"`
		Stats struct {
			Commits int      `json:"commits"`
			Notes   []string `json:"notes"`
		} `json:"stats"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("exit %d, output is not JSON: %v\n%s\nstderr: %s", code, err, stdout, stderr)
	}
	res.commits, res.notes = doc.Stats.Commits, doc.Stats.Notes
	for _, f := range doc.Findings {
		res.found = append(res.found, f.Path)
	}
	return res
}

func (r geResult) hasNote(sub string) bool {
	for _, n := range r.notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

// keyFile is an env file committing the key named name.
func keyFile(name string) string { return "AWS_ACCESS_KEY_ID=" + geKey(name) + "\n" }

// baselineOf is a baseline accepting the keys named.
func baselineOf(t *testing.T, names ...string) string {
	t.Helper()
	b := scanner.Baseline{Version: 1}
	for _, n := range names {
		b.Entries = append(b.Entries, scanner.BaselineEntry{Fingerprint: scanner.Fingerprint("aws-access-key-id", geKey(n)), Rule: "aws-access-key-id", Path: n + ".env", Line: 1})
	}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestPullRequestCannotAllowListItsOwnSecret: a pull request's
// configuration and baseline are its base commit's. One that adds a
// secret and, in the same change, allow-lists it, accepts it in the
// baseline or turns its rule off still fails (exit 1, the secret reported),
// in actions/checkout's default shallow checkout of the test merge commit,
// in a full one, and for pull_request_target and merge_group; the report
// says the change's edit was not used. What the base holds applies.
func TestPullRequestCannotAllowListItsOwnSecret(t *testing.T) {
	t.Parallel()
	w := newPRWorld(t, nil) // the base has no .rampart.toml

	type attempt struct {
		name  string
		files map[string]string
		flags []string
		note  string // a note the report must have
	}
	attempts := []attempt{
		{"allow-listed path", map[string]string{"leak/k.env": keyFile("path"), ".rampart.toml": "[allowlist]\npaths = [\"leak/\"]\n"}, nil,
			"has no .rampart.toml, so the built-in configuration applies: the checkout's .rampart.toml (the change's own) was NOT used"},
		{"allow-listed secret", map[string]string{"k.env": keyFile("secret"), ".rampart.toml": "[allowlist]\nsecrets = [\"" + geKey("secret") + "\"]\n"}, nil,
			"the scanned change edits .rampart.toml, which decides what rampart reports (allow list, disabled rules, accepted findings): this scan did NOT use the change's version of it; the base commit " + w.base[:12] + " has none, so the defaults applied"},
		{"disabled rule", map[string]string{"k.env": keyFile("disabled"), ".rampart.toml": "disable = [\"aws-access-key-id\"]\n"}, nil, "was NOT used"},
		{"baseline", map[string]string{"k.env": keyFile("baseline"), ".rampart-baseline.json": baselineOf(t, "baseline")}, []string{"--baseline", ".rampart-baseline.json"},
			"has no baseline .rampart-baseline.json: no finding is accepted as known; the checkout's .rampart-baseline.json (the change's own) was NOT used"},
		// An explicit --config the base lacks: TestExplicitConfigTheBaseLacks.
		{"baseline under another name", map[string]string{"k.env": keyFile("other"), "ci/accepted.json": baselineOf(t, "other")}, []string{"--baseline", "ci/accepted.json"},
			"the scanned change edits ci/accepted.json"},
	}
	for _, a := range attempts {
		n, head := w.pr(a.files)
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range []struct {
				event string
				depth int
			}{{"pull_request", 1}, {"pull_request", 0}, {"pull_request_target", 1}, {"merge_group", 1}} {
				dir := w.checkoutPR(t, fmt.Sprintf("%s-%s-%d", strings.ReplaceAll(a.name, " ", "-"), c.event, c.depth), n, c.depth)
				// Flags name files as the workflow does: relative to the workspace.
				r := prScan(t, w.prEvent(c.event, n, head), dir, a.flags...)
				// The allow-listed secret is reported twice: a secret
				// written into .rampart.toml is a leak there too.
				if r.code != 1 || !slices.Contains(r.found, "k.env") && !slices.Contains(r.found, "leak/k.env") || r.commits != 1 {
					t.Errorf("%s (depth %d): exit %d, findings in %q, %d commits; want exit 1 and the added key reported\nstderr: %s",
						c.event, c.depth, r.code, r.found, r.commits, r.stderr)
				}
				if !r.hasNote(a.note) {
					t.Errorf("%s (depth %d): no note %q in %q", c.event, c.depth, a.note, r.notes)
				}
			}
		})
	}

	// A push has landed on its branch: its own configuration governs (the
	// pull request into main is the gate). The control for the cases
	// above: the allow list itself works.
	pn, phead := w.pr(map[string]string{"leak/k.env": keyFile("pushed"), ".rampart.toml": "[allowlist]\npaths = [\"leak/\"]\n"})
	pev := w.eventFile("push", "push-pushed", pushPayload(fmt.Sprintf("refs/heads/topic%d", pn), w.base, phead, []string{phead}, nil))
	t.Run("push of the same change", func(t *testing.T) {
		t.Parallel()
		dir := w.checkoutT(t, "pushed", fmt.Sprintf("topic%d", pn), 1)
		r := prScan(t, pev, dir)
		if r.code != 0 || len(r.found) != 0 || !r.hasNote("review that edit as you would code") {
			t.Errorf("exit %d, findings in %q, notes %q; want exit 0 under the pushed allow list, and the note\nstderr: %s", r.code, r.found, r.notes, r.stderr)
		}
	})
}

// TestPullRequestObeysBaseConfiguration: the configuration and baseline the
// base commit holds apply to a pull request, and the pull request's edits
// of them do not; a configuration outside the repository (the workflow's
// own file) is read as given.
func TestPullRequestObeysBaseConfiguration(t *testing.T) {
	t.Parallel()
	w := newPRWorld(t, map[string]string{
		".rampart.toml":          "[allowlist]\npaths = [\"fixtures/\"]\n",
		".rampart-baseline.json": baselineOf(t, "accepted"),
	})
	outside := filepath.Join(t.TempDir(), "rampart.toml")
	if err := os.WriteFile(outside, []byte("[allowlist]\npaths = [\"vendor/\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		files map[string]string
		flags []string
		found int
		note  string // a note the report must have
	}{
		{"path the base allow-lists", map[string]string{"fixtures/k.env": keyFile("fixture")}, nil, 0, ""},
		{"secret the base baseline accepts", map[string]string{"k.env": keyFile("accepted")}, []string{"--baseline", ".rampart-baseline.json"}, 0, ""},
		{"path the change allow-lists", map[string]string{"fixtures/k.env": keyFile("fixture2"), "leak/k.env": keyFile("leak"),
			".rampart.toml": "[allowlist]\npaths = [\"fixtures/\", \"leak/\"]\n"}, nil, 1,
			"this scan did NOT use the change's version of it but the one in the base commit " + w.base[:12]},
		{"secret the change accepts", map[string]string{"k.env": keyFile("sneaky"), ".rampart-baseline.json": baselineOf(t, "accepted", "sneaky")},
			[]string{"--baseline", ".rampart-baseline.json"}, 1, ""},
		{"configuration outside the repository", map[string]string{"vendor/k.env": keyFile("vendored"), "fixtures/k.env": keyFile("fixture3")},
			[]string{"--config", outside}, 1, ""},
	}
	for _, c := range cases {
		n, head := w.pr(c.files)
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := w.checkoutPR(t, strings.ReplaceAll(c.name, " ", "-"), n, 1)
			r := prScan(t, w.prEvent("pull_request", n, head), dir, c.flags...)
			want := 0
			if c.found > 0 {
				want = 1
			}
			if r.code != want || len(r.found) != c.found {
				t.Errorf("exit %d, findings in %q; want exit %d and %d findings\nstderr: %s", r.code, r.found, want, c.found, r.stderr)
			}
			if c.note != "" && !r.hasNote(c.note) {
				t.Errorf("no note %q in %q", c.note, r.notes)
			}
		})
	}

	// The base commit is gone from the remote and not in the clone: the
	// scan fails (exit 2) rather than obey the checkout.
	on, ohead := w.pr(map[string]string{"k.env": keyFile("orphan"), ".rampart.toml": "disable = [\"aws-access-key-id\"]\n"})
	oev := w.eventFile("pull_request", "orphan", map[string]any{"number": on, "pull_request": map[string]any{"number": on,
		"base": map[string]any{"sha": strings.Repeat("e", 40)}, "head": map[string]any{"sha": ohead}}})
	t.Run("base that cannot be read", func(t *testing.T) {
		t.Parallel()
		dir := w.checkoutPR(t, "orphan", on, 1)
		ev := oev
		if r := prScan(t, ev, dir); r.code != 2 || !strings.Contains(r.stderr, "fetch-depth: 0") {
			t.Errorf("exit %d; want 2 and advice to set fetch-depth: 0\nstderr: %s", r.code, r.stderr)
		}
	})
}

// TestConfigFrom: --config-from REV reads the configuration and an
// in-repository baseline from REV in every mode (a merge request's base in
// another CI); a REV the clone lacks is an error, not a fallback.
func TestConfigFrom(t *testing.T) {
	t.Parallel()
	w := newPRWorld(t, map[string]string{".rampart.toml": "[allowlist]\npaths = [\"fixtures/\"]\n"})
	_, head := w.pr(map[string]string{"fixtures/k.env": keyFile("fixture"), "leak/k.env": keyFile("leak"),
		".rampart.toml": "[allowlist]\npaths = [\"fixtures/\", \"leak/\"]\n", "ci/accepted.json": baselineOf(t, "leak")})
	dir := w.checkout("config-from", fmt.Sprintf("topic%d", w.next-1), 0)
	outside := filepath.Join(t.TempDir(), "rampart.toml")
	if err := os.WriteFile(outside, []byte("[allowlist]\npaths = [\"fixtures/\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		args  []string
		code  int
		found string
	}{
		{"range, the change's configuration", []string{"--range", w.base + ".." + head}, 0, ""},
		{"range, the base's", []string{"--range", w.base + ".." + head, "--config-from", w.base}, 1, "leak/k.env"},
		{"range, the base's by branch name", []string{"--range", w.base + ".." + head, "--config-from", "origin/main"}, 1, "leak/k.env"},
		{"folder, the base's", []string{"--config-from", w.base}, 1, "leak/k.env"},
		{"baseline the base lacks", []string{"--range", w.base + ".." + head, "--config-from", w.base, "--baseline", "ci/accepted.json"}, 1, "leak/k.env"},
		{"baseline the base lacks, configuration outside", []string{"--range", w.base + ".." + head, "--config-from", w.base, "--config", outside, "--baseline", "ci/accepted.json"}, 1, "leak/k.env"},
		{"baseline the commit has, configuration outside", []string{"--range", w.base + ".." + head, "--config-from", head, "--config", outside, "--baseline", "ci/accepted.json"}, 0, ""},
		{"commit the clone lacks", []string{"--range", w.base + ".." + head, "--config-from", strings.Repeat("e", 40)}, 2, ""},
		{"option look-alike", []string{"--config-from", "--output=x"}, 2, ""},
	} {
		stdout, stderr, code := cliRun(t, dir, nil, "", append(append([]string{"scan", "--format", "json"}, c.args...), dir)...)
		if code != c.code || c.found != "" && !strings.Contains(stdout, `"path": "`+c.found+`"`) {
			t.Errorf("%s: exit %d; want %d with a finding in %q\n%s\nstderr: %s", c.name, code, c.code, c.found, stdout, stderr)
		}
	}
	if _, stderr, code := cliRun(t, dir, nil, "", "scan", "--repos-from", "-", "--config-from", w.base); code != 2 || !strings.Contains(stderr, "never a scanned repository's") {
		t.Errorf("--config-from with an organisation scan: exit %d, %s", code, stderr)
	}
}

// TestAuditConfigFrom: with --config-from, the audit's policy is the
// commit's .rampart.toml, not the work tree's: a pull request that waives
// the check its repository fails does not pass its own audit.
func TestAuditConfigFrom(t *testing.T) {
	t.Parallel()
	_, url := auditFake(t, 0)
	policy := "[audit]\nmin_approvals = 3\n"
	w := newPRWorld(t, map[string]string{".rampart.toml": policy})
	_, head := w.pr(map[string]string{".rampart.toml": policy + `[[audit.waivers]]
check = "branch-required-reviews"
repos = ["acme/fort*"]
reason = "trust me"
expires = 2999-01-01
`})
	dir := w.checkout("audit", fmt.Sprintf("topic%d", w.next-1), 0)
	for _, c := range []struct {
		from string
		code int
	}{{"", exitClean}, {w.base, exitFindings}, {head, exitClean}, {strings.Repeat("e", 40), exitError}} {
		args := []string{"audit", "--repo", "acme/fortress", "--api-url", url, "--no-cache", "--fail-on", "high"}
		if c.from != "" {
			args = append(args, "--config-from", c.from)
		}
		out, errs, code := cliRun(t, dir, []string{"GITHUB_TOKEN=" + auditTestToken}, "", args...)
		if code != c.code {
			t.Errorf("--config-from %q: exit %d, want %d\n%s%s", c.from, code, c.code, out, errs)
		}
	}
}

// TestAuditConfigFromSearchesUp: audit --config-from finds the policy as a
// plain audit does, the nearest .rampart.toml from the current directory up
// to the repository root, but in the commit: run in svc/ (or below it), the
// commit's svc/.rampart.toml governs, not its root one.
func TestAuditConfigFromSearchesUp(t *testing.T) {
	t.Parallel()
	_, url := auditFake(t, 0)
	w := newPRWorld(t, map[string]string{
		".rampart.toml":     waiverPolicy,                   // lenient: waives the failing check
		"svc/.rampart.toml": "[audit]\nmin_approvals = 3\n", // strict
		"svc/deep/main.go":  "package main\n",
		"web/index.html":    "<html></html>\n",
	})
	_, head := w.pr(map[string]string{"svc/.rampart.toml": waiverPolicy}) // the change waives its own failure
	dir := w.checkout("audit-up", fmt.Sprintf("topic%d", w.next-1), 0)
	for _, c := range []struct {
		cwd, from string
		code      int
	}{
		{"svc", "", exitClean}, // the work tree: the change's own svc/.rampart.toml
		{"svc", w.base, exitFindings},
		{"svc/deep", w.base, exitFindings},
		{"svc", head, exitClean},
		{".", w.base, exitClean},
		{"web", w.base, exitClean},
	} {
		args := []string{"audit", "--repo", "acme/fortress", "--api-url", url, "--no-cache", "--fail-on", "high"}
		if c.from != "" {
			args = append(args, "--config-from", c.from)
		}
		out, errs, code := cliRun(t, filepath.Join(dir, c.cwd), []string{"GITHUB_TOKEN=" + auditTestToken}, "", args...)
		if code != c.code {
			t.Errorf("in %s, --config-from %q: exit %d, want %d\n%s%s", c.cwd, c.from, code, c.code, out, errs)
		}
	}
}

// TestAuditFixConfigFrom: audit fix reads its policy from --config-from's
// commit as audit does: the plan asks for the base's three approvals, not
// the one of the work tree's (the pull request's) policy; a commit without
// .rampart.toml plans for the built-in policy and says so in the plan; and
// a reviewed plan (--from-plan) takes no policy at all.
func TestAuditFixConfigFrom(t *testing.T) {
	t.Parallel()
	_, url := fixFake(t)
	w := newPRWorld(t, map[string]string{"svc/.rampart.toml": "[audit]\nmin_approvals = 3\n", "svc/main.go": "package main\n"})
	w.pr(map[string]string{"svc/.rampart.toml": "[audit]\nmin_approvals = 1\n"})
	dir := w.checkout("audit-fix", fmt.Sprintf("topic%d", w.next-1), 0)
	fix := func(cwd string, flags ...string) (string, string, int) {
		args := append([]string{"audit", "fix", "--repo", "acme/api", "--api-url", url, "--no-cache", "--format", "json"}, flags...)
		return cliRun(t, filepath.Join(dir, cwd), []string{"GITHUB_TOKEN=" + auditTestToken}, "", args...)
	}
	for _, c := range []struct {
		cwd, from string
		approvals string
	}{
		{"svc", "", `"required_approving_review_count": 1`},
		{"svc", w.base, `"required_approving_review_count": 3`},
		{"svc", "HEAD", `"required_approving_review_count": 1`},
	} {
		var flags []string
		if c.from != "" {
			flags = []string{"--config-from", c.from}
		}
		out, errs, code := fix(c.cwd, flags...)
		if code == exitError || !strings.Contains(out, c.approvals) {
			t.Errorf("in %s, --config-from %q: exit %d, want a plan with %s\n%s%s", c.cwd, c.from, code, c.approvals, out, errs)
		}
	}

	// A commit without the file: the built-in policy, said in the plan.
	other := newPRWorld(t, nil)
	other.pr(map[string]string{".rampart.toml": "[audit]\nmin_approvals = 3\n"})
	odir := other.checkout("audit-fix-none", fmt.Sprintf("topic%d", other.next-1), 0)
	out, errs, code := cliRun(t, odir, []string{"GITHUB_TOKEN=" + auditTestToken}, "", "audit", "fix", "--repo", "acme/api", "--api-url", url, "--no-cache", "--format", "json", "--config-from", other.base)
	note := "has no .rampart.toml, so the built-in policy applies: the checkout's .rampart.toml (the change's own) was NOT used"
	if code == exitError || !strings.Contains(out, note) || strings.Contains(out, `"required_approving_review_count": 3`) {
		t.Errorf("base without .rampart.toml: exit %d, want the built-in policy and the note in the plan\n%s%s", code, out, errs)
	}

	if _, errs, code := cliRun(t, dir, nil, "", "audit", "fix", "--from-plan", "plan.json", "--config-from", w.base); code != exitError || !strings.Contains(errs, "exactly as reviewed") {
		t.Errorf("--from-plan with --config-from: exit %d: %s", code, errs)
	}
}
