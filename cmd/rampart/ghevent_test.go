package main

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const geZero = "0000000000000000000000000000000000000000"

// geEnv is the environment of every git command the tests run: a fixed
// identity and no system or global configuration.
func geEnv(home string, n int) []string {
	date := time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute).Format(time.RFC3339)
	return append(os.Environ(),
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com", "GIT_COMMITTER_DATE="+date,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(home, "gitconfig"), "GIT_TERMINAL_PROMPT=0")
}

// geWorld is an "origin" on the local file system, a developer's clone that
// pushes to it, and the runner clones that play actions/checkout.
type geWorld struct {
	t      *testing.T
	root   string
	origin string
	dev    string
	mu     sync.Mutex // guards tick: the Action's subtests clone in parallel
	tick   int
}

func newGeWorld(t *testing.T) *geWorld {
	t.Helper()
	root := t.TempDir()
	w := &geWorld{t: t, root: root, origin: filepath.Join(root, "origin.git"), dev: filepath.Join(root, "dev")}
	w.git(root, "-c", "init.defaultBranch=main", "init", "-q", "--bare", w.origin)
	w.git(root, "-c", "init.defaultBranch=main", "init", "-q", w.dev)
	w.git(w.dev, "remote", "add", "origin", w.url())
	return w
}

func (w *geWorld) url() string { return "file://" + filepath.ToSlash(w.origin) }

func (w *geWorld) git(dir string, args ...string) string {
	w.t.Helper()
	return w.gitT(w.t, dir, args...)
}

// gitT is git for a subtest running in parallel: failures go to t.
func (w *geWorld) gitT(t testing.TB, dir string, args ...string) string {
	t.Helper()
	w.mu.Lock()
	w.tick++
	tick := w.tick
	w.mu.Unlock()
	cmd := exec.Command("git", append([]string{"-c", "commit.gpgsign=false", "-c", "core.hooksPath=" + os.DevNull, "-c", "protocol.file.allow=always"}, args...)...)
	cmd.Dir = dir
	cmd.Env = geEnv(w.root, tick)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// geKey is a well-formed AWS access key ID unique to name, so every commit's
// finding names the commit that added it.
func geKey(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "AKIA" + base32.StdEncoding.EncodeToString(sum[:])[:16]
}

// commit adds a file holding a key named after the commit, and returns the commit's hash.
func (w *geWorld) commit(name string) string {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dev, name+".env"), []byte("AWS_ACCESS_KEY_ID="+geKey(name)+"\n"), 0o644); err != nil {
		w.t.Fatal(err)
	}
	w.git(w.dev, "add", "-A")
	w.git(w.dev, "commit", "-q", "-m", name)
	return w.git(w.dev, "rev-parse", "HEAD")
}

// checkout clones origin as actions/checkout would: one branch, shallow
// unless depth is 0.
func (w *geWorld) checkout(name, branch string, depth int) string {
	w.t.Helper()
	return w.checkoutT(w.t, name, branch, depth)
}

// checkoutT is checkout for a subtest running in parallel.
func (w *geWorld) checkoutT(t testing.TB, name, branch string, depth int) string {
	t.Helper()
	dir := filepath.Join(w.root, name)
	args := []string{"clone", "-q", "--no-tags", "--branch", branch}
	if depth > 0 {
		args = append(args, "--depth", "1")
	}
	w.gitT(t, w.root, append(args, w.url(), dir)...)
	return dir
}

// event writes a payload and returns the GITHUB_EVENT_* environment that
// points at it.
func (w *geWorld) event(name string, payload any) []string {
	w.t.Helper()
	data, err := json.Marshal(payload)
	if err != nil {
		w.t.Fatal(err)
	}
	p := filepath.Join(w.root, "event-"+name+".json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		w.t.Fatal(err)
	}
	return []string{"GITHUB_EVENT_NAME=" + name, "GITHUB_EVENT_PATH=" + p}
}

// geResult is what a --github-event scan reported.
type geResult struct {
	code    int
	stderr  string
	commits int
	found   []string // commits of the findings, sorted, deduplicated
	notes   []string
}

func geScan(t *testing.T, env []string, dir string) geResult {
	t.Helper()
	stdout, stderr, code := cliRun(t, dir, env, "", "scan", "--github-event", "--format", "json", dir)
	out := []byte(stdout)
	res := geResult{code: code, stderr: stderr}
	if code == 2 {
		return res
	}
	var doc struct {
		Findings []struct {
			Commit string `json:"commit"`
		} `json:"findings"`
		Stats struct {
			Commits int      `json:"commits"`
			Notes   []string `json:"notes"`
		} `json:"stats"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("exit %d, output is not JSON: %v\n%s\nstderr: %s", code, err, out, stderr)
	}
	res.commits, res.notes = doc.Stats.Commits, doc.Stats.Notes
	seen := map[string]bool{}
	for _, f := range doc.Findings {
		if !seen[f.Commit] {
			seen[f.Commit] = true
			res.found = append(res.found, f.Commit)
		}
	}
	sort.Strings(res.found)
	return res
}

// expect checks that exactly the commits want were scanned (and, as each
// adds a key, reported).
func (r geResult) expect(t *testing.T, want ...string) {
	t.Helper()
	sort.Strings(want)
	wantCode := 1
	if len(want) == 0 {
		wantCode = 0
	}
	if r.code != wantCode || r.commits != len(want) || strings.Join(r.found, " ") != strings.Join(want, " ") {
		t.Errorf("exit %d, %d commits scanned, findings in %q;\nwant exit %d, %d commits, findings in %q\nstderr: %s",
			r.code, r.commits, r.found, wantCode, len(want), want, r.stderr)
	}
}

func pushPayload(ref, before, after string, commits []string, mod func(map[string]any)) map[string]any {
	list := []map[string]any{}
	for _, c := range commits {
		list = append(list, map[string]any{"id": c, "distinct": true, "message": "m"})
	}
	p := map[string]any{
		"ref": ref, "before": before, "after": after, "created": before == geZero, "deleted": after == geZero, "forced": false,
		"base_ref": nil, "compare": "https://github.com/o/r/compare/x", "commits": list,
		"repository": map[string]any{"full_name": "o/r", "default_branch": "main"},
		"pusher":     map[string]any{"name": "dev"},
	}
	if len(commits) > 0 {
		p["head_commit"] = list[len(list)-1]
	}
	if mod != nil {
		mod(p)
	}
	return p
}

// TestGitHubEventPush follows one repository through GitHub's documented
// push events (normal, new branch, forced, deleted) and a pull request,
// checking each time exactly which commits were scanned, in a full and in a
// shallow (actions/checkout's default) clone.
func TestGitHubEventPush(t *testing.T) {
	t.Parallel()
	w := newGeWorld(t)
	c1 := w.commit("c1")
	w.git(w.dev, "push", "-q", "origin", "main")
	c2 := w.commit("c2")
	c3 := w.commit("c3")
	w.git(w.dev, "push", "-q", "origin", "main")

	t.Run("push", func(t *testing.T) {
		ev := w.event("push", pushPayload("refs/heads/main", c1, c3, []string{c2, c3}, nil))
		geScan(t, ev, w.checkout("push-full", "main", 0)).expect(t, c2, c3)
		r := geScan(t, ev, w.checkout("push-shallow", "main", 1))
		r.expect(t, c2, c3)
		if !strings.Contains(r.stderr, "--depth=50") {
			t.Errorf("the shallow clone was not deepened: %s", r.stderr)
		}
		// The range was complete after deepening: no "shallow clone" caveat,
		// and a note saying what was scanned.
		notes := strings.Join(r.notes, "\n")
		if strings.Contains(notes, "shallow") || !strings.Contains(notes, "push to refs/heads/main: scanning "+c1[:12]+".."+c3[:12]) {
			t.Errorf("notes: %q", r.notes)
		}
	})

	// A new branch from main with two commits of its own.
	w.git(w.dev, "checkout", "-q", "-b", "feature")
	f1 := w.commit("f1")
	f2 := w.commit("f2")
	w.git(w.dev, "push", "-q", "origin", "feature")

	t.Run("new branch", func(t *testing.T) {
		ev := w.event("push", pushPayload("refs/heads/feature", geZero, f2, []string{f1, f2}, nil))
		// A full clone has origin/main to compare with.
		geScan(t, ev, w.checkout("new-full", "feature", 0)).expect(t, f1, f2)
		// A shallow single-branch clone has nothing to compare with: the
		// commits the payload lists are scanned, after deepening.
		geScan(t, ev, w.checkout("new-shallow", "feature", 1)).expect(t, f1, f2)
	})

	t.Run("new branch without new commits", func(t *testing.T) {
		w.git(w.dev, "push", "-q", "origin", "main:refs/heads/release")
		ev := w.event("push", pushPayload("refs/heads/release", geZero, c3, nil, nil))
		dir := w.checkout("release-full", "release", 0)
		geScan(t, ev, dir).expect(t)
	})

	// Rewrite feature: drop f2, add f3, force-push.
	w.git(w.dev, "reset", "-q", "--hard", f1)
	f3 := w.commit("f3")
	w.git(w.dev, "push", "-q", "--force", "origin", "feature")

	t.Run("forced push", func(t *testing.T) {
		ev := w.event("push", pushPayload("refs/heads/feature", f2, f3, []string{f3}, func(p map[string]any) { p["forced"] = true }))
		// The remote had f1 (on the old feature) and main: only f3 is new.
		// The old tip is fetched by ID, as GitHub still serves it.
		geScan(t, ev, w.checkout("forced-full", "feature", 0)).expect(t, f3)
		geScan(t, ev, w.checkout("forced-shallow", "feature", 1)).expect(t, f3)
	})

	t.Run("deleted branch", func(t *testing.T) {
		ev := w.event("push", pushPayload("refs/heads/feature", f3, geZero, nil, func(p map[string]any) { p["deleted"] = true }))
		geScan(t, ev, w.checkout("deleted", "main", 0)).expect(t)
	})

	// A pull request from topic into main, while main moved on.
	w.git(w.dev, "checkout", "-q", "-b", "topic", c3)
	p1 := w.commit("p1")
	p2 := w.commit("p2")
	w.git(w.dev, "checkout", "-q", "main")
	m1 := w.commit("m1")
	w.git(w.dev, "push", "-q", "origin", "main", "topic")
	pr := map[string]any{
		"action": "synchronize", "number": 42,
		"pull_request": map[string]any{
			"number": 42, "state": "open",
			"base": map[string]any{"ref": "main", "sha": m1, "repo": map[string]any{"full_name": "o/r"}},
			"head": map[string]any{"ref": "topic", "sha": p2, "repo": map[string]any{"full_name": "o/r"}},
		},
		"repository": map[string]any{"full_name": "o/r", "default_branch": "main"},
	}

	t.Run("pull request", func(t *testing.T) {
		for _, name := range []string{"pull_request", "pull_request_target"} {
			ev := w.event(name, pr)
			geScan(t, ev, w.checkout(name+"-full", "main", 0)).expect(t, p1, p2)
			// actions/checkout's default: one commit, the head not fetched at all.
			geScan(t, ev, w.checkout(name+"-shallow", "main", 1)).expect(t, p1, p2)
		}
	})

	t.Run("pull request that cannot be fetched", func(t *testing.T) {
		ev := w.event("pull_request", pr)
		dir := w.checkout("pr-orphan", "main", 1)
		w.git(dir, "remote", "set-url", "origin", "file://"+filepath.ToSlash(filepath.Join(w.root, "gone.git")))
		r := geScan(t, ev, dir)
		if r.code != 2 || !strings.Contains(r.stderr, "fetch-depth: 0") {
			t.Errorf("exit %d; want 2 and advice to set fetch-depth: 0; stderr: %s", r.code, r.stderr)
		}
	})

	t.Run("schedule", func(t *testing.T) {
		ev := w.event("schedule", map[string]any{"schedule": "0 3 * * *"})
		r := geScan(t, ev, w.checkout("nightly", "main", 0))
		// The full history: every commit any branch reaches (f2 was
		// force-pushed away before this clone).
		r.expect(t, c1, c2, c3, m1, f1, f3, p1, p2)
		shallow := geScan(t, ev, w.checkout("nightly-shallow", "main", 1))
		if shallow.code != 2 || !strings.Contains(shallow.stderr, "fetch-depth: 0") {
			t.Errorf("a shallow full-history scan: exit %d, stderr %s", shallow.code, shallow.stderr)
		}
	})

	t.Run("outside Actions", func(t *testing.T) {
		if r := geScan(t, nil, w.dev); r.code != 2 || !strings.Contains(r.stderr, "GITHUB_EVENT_NAME") {
			t.Errorf("exit %d, stderr %s", r.code, r.stderr)
		}
	})
}
