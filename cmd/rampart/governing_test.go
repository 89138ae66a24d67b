package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// waiverPolicy is an audit policy that would let acme/fortress pass a
// stricter review rule by waiving it.
const waiverPolicy = `[audit]
min_approvals = 3
[[audit.waivers]]
check = "branch-required-reviews"
repos = ["acme/fort*"]
reason = "trust me"
expires = 2999-01-01
`

// auditNotes returns the notes an audit report in format carries, or, for
// the text and Markdown formats, the report itself to search.
func auditNotes(t *testing.T, format, out string) string {
	t.Helper()
	switch format {
	case "json":
		var doc struct {
			Notes []string `json:"notes"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		return strings.Join(doc.Notes, "\n")
	case "sarif":
		var doc struct {
			Runs []struct {
				Invocations []struct {
					Notifications []struct {
						Level   string `json:"level"`
						Message struct {
							Text string `json:"text"`
						} `json:"message"`
					} `json:"toolExecutionNotifications"`
				} `json:"invocations"`
			} `json:"runs"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		var notes []string
		for _, r := range doc.Runs {
			for _, inv := range r.Invocations {
				for _, n := range inv.Notifications {
					notes = append(notes, n.Level+": "+n.Message.Text)
				}
			}
		}
		return strings.Join(notes, "\n")
	case "markdown":
		return strings.ReplaceAll(out, `\`, "") // Markdown escapes ' and ()
	}
	return out
}

// TestAuditConfigFromSaysPolicyIsBuiltIn: with --config-from, a commit
// without .rampart.toml means the built-in policy, and the audit says so
// as scan does (on standard error unless --quiet, and in every report
// format), naming the work tree's file it did not use; an explicit --policy
// inside the repository that the commit lacks is an error, not the
// built-in policy.
func TestAuditConfigFromSaysPolicyIsBuiltIn(t *testing.T) {
	t.Parallel()
	_, url := auditFake(t, 0)
	w := newPRWorld(t, nil) // the base has no .rampart.toml
	w.pr(map[string]string{".rampart.toml": waiverPolicy, "ci/policy.toml": strings.TrimPrefix(waiverPolicy, "[audit]\n")})
	dir := w.checkout("audit-note", fmt.Sprintf("topic%d", w.next-1), 0)
	note := "--config-from " + w.base + ": the commit " + w.base[:12] + " has no .rampart.toml, so the built-in policy applies: the checkout's .rampart.toml (the change's own) was NOT used"
	audit := func(flags ...string) (string, string, int) {
		args := append([]string{"audit", "--repo", "acme/fortress", "--api-url", url, "--no-cache", "--config-from", w.base}, flags...)
		return cliRun(t, dir, []string{"GITHUB_TOKEN=" + auditTestToken}, "", args...)
	}
	for _, format := range []string{"text", "json", "sarif", "markdown"} {
		out, errs, code := audit("--format", format)
		if code == exitError {
			t.Fatalf("%s: exit %d\n%s", format, code, errs)
		}
		if !strings.Contains(errs, "rampart: "+note+"\n") {
			t.Errorf("%s: standard error does not say %q:\n%s", format, note, errs)
		}
		want := note
		if format == "sarif" {
			want = "note: " + note
		}
		if got := auditNotes(t, format, out); !strings.Contains(got, want) {
			t.Errorf("%s: the report does not say %q:\n%s", format, want, got)
		}
	}
	out, errs, _ := audit("--format", "json", "--quiet")
	if strings.Contains(errs, note) || !strings.Contains(auditNotes(t, "json", out), note) {
		t.Errorf("--quiet: want the note in the report only; standard error:\n%s\nreport notes: %s", errs, auditNotes(t, "json", out))
	}

	_, errs, code := audit("--policy", "ci/policy.toml")
	if code != exitError || !strings.Contains(errs, "the commit "+w.base[:12]+" has no ci/policy.toml") {
		t.Errorf("--policy the commit lacks: exit %d, want %d and the reason\n%s", code, exitError, errs)
	}
}

// TestConfigFromOutsideARepository: scan and audit resolve --config-from
// alike: outside a git repository both refuse it with the same words.
func TestConfigFromOutsideARepository(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, scanErr, scanCode := cliRun(t, dir, nil, "", "scan", "--config-from", "HEAD", dir)
	_, auditErr, auditCode := cliRun(t, dir, nil, "", "audit", "--repo", "acme/fortress", "--api-url", "http://127.0.0.1:1", "--no-cache", "--config-from", "HEAD")
	const want = "rampart: --config-from HEAD reads the configuration from a commit: run rampart in a git repository with a work tree\n"
	if scanCode != exitError || scanErr != want {
		t.Errorf("scan: exit %d, %q; want %d, %q", scanCode, scanErr, exitError, want)
	}
	if auditCode != exitError || auditErr != want {
		t.Errorf("audit: exit %d, %q; want %d, %q", auditCode, auditErr, exitError, want)
	}
}

// TestExplicitConfigTheBaseLacks: --config FILE inside the repository is
// read from the base commit (or --config-from's); when that commit has no
// such file, the scan stops (exit 2) and says how to fix it, rather than
// run on the built-in configuration the user did not ask for. A missing
// .rampart.toml, which nobody named, still means the built-in one.
func TestExplicitConfigTheBaseLacks(t *testing.T) {
	t.Parallel()
	w := newPRWorld(t, nil)
	n, head := w.pr(map[string]string{"k.env": keyFile("explicit"), "ci/rampart.toml": "disable = [\"aws-access-key-id\"]\n"})
	for _, c := range []struct{ event, where string }{
		{"pull_request", "the base commit"},
		{"merge_group", "the base commit"},
		{"", "the commit"},
	} {
		name := c.event
		if name == "" {
			name = "config-from"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := w.checkoutPR(t, "explicit-"+name, n, 0)
			var errs string
			var code int
			if c.event != "" {
				r := prScan(t, w.prEvent(c.event, n, head), dir, "--config", "ci/rampart.toml")
				errs, code = r.stderr, r.code
			} else {
				_, errs, code = cliRun(t, dir, nil, "", "scan", "--range", w.base+".."+head, "--config-from", w.base, "--config", "ci/rampart.toml", dir)
			}
			for _, want := range []string{c.where + " " + w.base[:12] + " has no ci/rampart.toml", "commit ci/rampart.toml to the base branch first"} {
				if code != exitError || !strings.Contains(errs, want) {
					t.Errorf("exit %d; want %d and %q\nstderr: %s", code, exitError, want, errs)
				}
			}
		})
	}
}

// TestConfigFromReplacesPullRequestBase: --config-from with a pull
// request's --github-event wins over the pull request's base, and says so
// on standard error, naming both commits; naming the base itself is no
// replacement and says nothing.
func TestConfigFromReplacesPullRequestBase(t *testing.T) {
	t.Parallel()
	w := newPRWorld(t, map[string]string{".rampart.toml": "[allowlist]\npaths = [\"fixtures/\"]\n"})
	w.git(w.dev, "checkout", "-q", "-b", "lax", w.base)
	w.write(map[string]string{".rampart.toml": "[allowlist]\npaths = [\"fixtures/\", \"leak/\"]\n"})
	w.git(w.dev, "commit", "-q", "-am", "lax")
	w.git(w.dev, "push", "-q", "origin", "lax")
	lax := w.git(w.dev, "rev-parse", "HEAD")
	w.git(w.dev, "checkout", "-q", "main")
	n, head := w.pr(map[string]string{"leak/k.env": keyFile("leak")})
	dir := w.checkoutPR(t, "replaced", n, 0)
	ev := w.prEvent("pull_request", n, head)

	r := prScan(t, ev, dir, "--config-from", "origin/lax")
	want := fmt.Sprintf("rampart: warning: --config-from origin/lax (commit %s) replaces pull_request #%d's base commit %s: the configuration and baseline are read from %s", lax[:12], n, w.base[:12], lax[:12])
	if r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, want 0 (the lax commit's allow list) and %q\nstderr: %s", r.code, want, r.stderr)
	}
	if r := prScan(t, ev, dir, "--config-from", "origin/lax", "--quiet"); !strings.Contains(r.stderr, want) {
		t.Errorf("--quiet: the warning is gone\nstderr: %s", r.stderr)
	}
	if r := prScan(t, ev, dir, "--config-from", "origin/main"); r.code != 1 || strings.Contains(r.stderr, "warning") {
		t.Errorf("--config-from the base itself: exit %d, want 1 and no warning\nstderr: %s", r.code, r.stderr)
	}
}

// TestPullRequestBaseSymlinkedConfig: a .rampart.toml that the base commit
// holds as a symbolic link is not followed, neither in the commit nor in
// the checkout (where its target is the pull request's to edit): the scan
// stops (exit 2), saying why and what to do, and passing the link's target
// as --config reads that file from the base commit.
func TestPullRequestBaseSymlinkedConfig(t *testing.T) {
	t.Parallel()
	w := newPRWorld(t, map[string]string{"ci/rampart.toml": "[allowlist]\npaths = [\"fixtures/\"]\n"})
	if err := os.Symlink("ci/rampart.toml", filepath.Join(w.dev, ".rampart.toml")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	w.git(w.dev, "add", "-A")
	w.git(w.dev, "commit", "-q", "-m", "link")
	w.git(w.dev, "push", "-q", "origin", "main")
	w.base = w.git(w.dev, "rev-parse", "HEAD")
	// The pull request edits the link's target to allow-list its key.
	n, head := w.pr(map[string]string{"leak/k.env": keyFile("leak"), "ci/rampart.toml": "[allowlist]\npaths = [\"fixtures/\", \"leak/\"]\n"})
	ev := w.prEvent("pull_request", n, head)
	dir := w.checkoutPR(t, "symlinked", n, 1)

	r := prScan(t, ev, dir)
	for _, want := range []string{
		"the base commit " + w.base[:12] + " holds .rampart.toml as a symbolic link (to ci/rampart.toml), which rampart does not follow",
		"commit the file itself as .rampart.toml, or pass --config ci/rampart.toml",
	} {
		if r.code != exitError || !strings.Contains(r.stderr, want) {
			t.Errorf("exit %d; want %d and %q\nstderr: %s", r.code, exitError, want, r.stderr)
		}
	}
	if r := prScan(t, ev, dir, "--config", "ci/rampart.toml"); r.code != 1 || !slices.Contains(r.found, "leak/k.env") {
		t.Errorf("--config the link's target: exit %d, findings in %q; want 1 and the key (the base's allow list)\nstderr: %s", r.code, r.found, r.stderr)
	}
}

// TestPullRequestAbsolutePaths: --config and --baseline given as absolute
// paths into the checkout are files inside the repository like relative
// ones, read from the base commit.
func TestPullRequestAbsolutePaths(t *testing.T) {
	t.Parallel()
	w := newPRWorld(t, map[string]string{
		".rampart.toml":          "[allowlist]\npaths = [\"fixtures/\"]\n",
		".rampart-baseline.json": baselineOf(t, "accepted"),
	})
	n, head := w.pr(map[string]string{
		"accepted.env": keyFile("accepted"), "sneaky.env": keyFile("sneaky"), "leak/k.env": keyFile("leak"),
		".rampart-baseline.json": baselineOf(t, "accepted", "sneaky"),
		".rampart.toml":          "[allowlist]\npaths = [\"fixtures/\", \"leak/\"]\n",
	})
	dir := w.checkoutPR(t, "absolute", n, 1)
	r := prScan(t, w.prEvent("pull_request", n, head), dir,
		"--config", filepath.Join(dir, ".rampart.toml"), "--baseline", filepath.Join(dir, ".rampart-baseline.json"))
	slices.Sort(r.found)
	if r.code != 1 || !slices.Equal(r.found, []string{"leak/k.env", "sneaky.env"}) {
		t.Errorf("exit %d, findings in %q; want 1 with leak/k.env and sneaky.env (the base's allow list and baseline)\nstderr: %s", r.code, r.found, r.stderr)
	}
	if !strings.Contains(r.stderr, "baseline read from .rampart-baseline.json in the base commit "+w.base[:12]) {
		t.Errorf("no word that the baseline came from the base commit\nstderr: %s", r.stderr)
	}
}
