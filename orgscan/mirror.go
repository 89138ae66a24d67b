package orgscan

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// gitRunner runs the git commands that keep mirrors: clone, fetch, and the
// few reads the incremental bookkeeping needs. It is the only place the
// token reaches git, and it reaches it only in the child's environment, as
// an http.<url>.extraHeader set through GIT_CONFIG_COUNT/KEY/VALUE, scoped
// to the clone URL's scheme and host (a redirect elsewhere does not get
// it). Never in a URL, an argument, a file or a message.
type gitRunner struct {
	token string
	// env is the base environment (os.Environ() outside tests).
	env []string
}

// authEnv returns the environment for a git child talking to cloneURL.
func (g *gitRunner) authEnv(cloneURL string) []string {
	env := make([]string, 0, len(g.env)+6)
	n := 0
	for _, kv := range g.env {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "GIT_CONFIG_COUNT":
			n, _ = strconv.Atoi(v) // keep the caller's own entries, add ours after
			continue
		case k == "GIT_TERMINAL_PROMPT", k == "GCM_INTERACTIVE":
			continue
		}
		env = append(env, kv)
	}
	// Never stop to ask for a password: a run is unattended.
	env = append(env, "GIT_TERMINAL_PROMPT=0", "GCM_INTERACTIVE=never")
	count := n
	if g.token != "" && cloneURL != "" {
		if u, err := url.Parse(cloneURL); err == nil && u.Host != "" {
			// GitHub takes an installation or personal token as the password
			// of Basic authentication with any user name (actions/checkout
			// sends x-access-token the same way).
			basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + g.token))
			env = append(env,
				fmt.Sprintf("GIT_CONFIG_KEY_%d=http.%s://%s/.extraHeader", count, u.Scheme, u.Host),
				fmt.Sprintf("GIT_CONFIG_VALUE_%d=Authorization: Basic %s", count, basic))
			count++
		}
	}
	if count > 0 {
		env = append(env, "GIT_CONFIG_COUNT="+strconv.Itoa(count))
	}
	return env
}

// run runs git in dir (may be "") and returns its standard output. Its
// error carries git's message, scrubbed of the token should git ever echo
// it.
func (g *gitRunner) run(ctx context.Context, dir, cloneURL string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = g.authEnv(cloneURL)
	ownGroup(cmd)
	cmd.WaitDelay = 10 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		if ctx.Err() != nil {
			return out, fmt.Errorf("git %s: %w", args[0], context.Cause(ctx))
		}
		return out, fmt.Errorf("git %s: %s", args[0], g.scrub(msg))
	}
	return out, nil
}

func (g *gitRunner) scrub(s string) string {
	if g.token == "" {
		return s
	}
	s = strings.ReplaceAll(s, g.token, "[token]")
	return strings.ReplaceAll(s, base64.StdEncoding.EncodeToString([]byte("x-access-token:"+g.token)), "[token]")
}

// mirrorPath is where a repository's mirror lives: DIR/HOST/OWNER/NAME.git,
// every segment checked, so a hostile name cannot leave DIR.
func mirrorPath(dir string, t Target) (string, error) {
	owner, name, _ := strings.Cut(t.FullName, "/")
	if !validSegment(owner) || !validSegment(name) {
		return "", fmt.Errorf("orgscan: unusable repository name %q", t.FullName)
	}
	host := "local"
	if u, err := url.Parse(t.CloneURL); err == nil && u.Host != "" {
		host = strings.ReplaceAll(strings.ToLower(u.Host), ":", "_")
	}
	if !validSegment(host) {
		return "", fmt.Errorf("orgscan: unusable host in %q", t.CloneURL)
	}
	return filepath.Join(dir, host, owner, name+".git"), nil
}

// sync brings the mirror at path up to date: `git clone --mirror` the
// first time (into a temporary directory renamed into place, so an
// interrupted clone never looks like a mirror), `git fetch --prune` after.
// A mirror fetches every ref, GitHub's refs/pull/N/head included. It
// returns whether the mirror was new.
func (g *gitRunner) sync(ctx context.Context, path string, t Target) (created bool, err error) {
	if _, err := os.Stat(filepath.Join(path, "HEAD")); err == nil {
		// The URL GitHub gives now (a renamed or transferred repository
		// moves) and the mirror's refspec, in one process: what `git fetch
		// --prune origin` does in a mirror, without trusting its config.
		_, err := g.run(ctx, path, t.CloneURL, "fetch", "--prune", "--quiet", "--", t.CloneURL, "+refs/*:refs/*")
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("orgscan: mirror directory: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(path), "."+filepath.Base(path)+".clone-*")
	if err != nil {
		return false, fmt.Errorf("orgscan: mirror directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	if _, err := g.run(ctx, "", t.CloneURL, "clone", "--mirror", "--quiet", "--", t.CloneURL, tmp); err != nil {
		return false, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return false, fmt.Errorf("orgscan: mirror: %w", err)
	}
	return true, nil
}

// objectBytes is the size of a mirror's object store: what fetching added
// is the difference before and after.
func objectBytes(path string) int64 {
	var n int64
	filepath.WalkDir(filepath.Join(path, "objects"), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// refTips lists every ref of the mirror and the object it names.
func (g *gitRunner) refTips(ctx context.Context, path string) (map[string]string, error) {
	out, err := g.run(ctx, path, "", "for-each-ref", "--format=%(objectname) %(refname)")
	if err != nil {
		return nil, err
	}
	tips := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		id, ref, ok := strings.Cut(l, " ")
		if ok {
			tips[ref] = id
		}
	}
	return tips, nil
}

// present keeps the object IDs the mirror still holds (a gc may have
// removed what no ref reaches any more).
func (g *gitRunner) present(ctx context.Context, path string, ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	cmd := exec.CommandContext(ctx, "git", "cat-file", "--batch-check=%(objectname)")
	cmd.Dir = path
	cmd.Env = g.authEnv("")
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	var kept []string
	for _, l := range strings.Split(string(out), "\n") {
		if len(l) == 40 {
			kept = append(kept, l)
		}
	}
	return kept
}

// unreachable returns the commits reachable from the old tips that no ref
// reaches now: what a force-push or a deleted branch took out of history.
func (g *gitRunner) unreachable(ctx context.Context, path string, oldTips []string) (map[string]bool, error) {
	gone := map[string]bool{}
	if len(oldTips) == 0 {
		return gone, nil
	}
	args := append([]string{"rev-list"}, oldTips...)
	args = append(args, "--not", "--all", "--")
	out, err := g.run(ctx, path, "", args...)
	if err != nil {
		return nil, err
	}
	for _, l := range strings.Fields(string(out)) {
		gone[l] = true
	}
	return gone, nil
}

// pullRequests returns, for a commit, the numbers of the pull requests
// whose head contains it, and whether any branch or tag contains it.
func (g *gitRunner) pullRequests(ctx context.Context, path, commit string) (prs []string, onBranch bool, err error) {
	out, err := g.run(ctx, path, "", "for-each-ref", "--contains", commit, "--format=%(refname)", "refs/heads", "refs/tags", "refs/pull")
	if err != nil {
		return nil, false, err
	}
	for _, ref := range strings.Fields(string(out)) {
		switch {
		case strings.HasPrefix(ref, "refs/pull/") && strings.HasSuffix(ref, "/head"):
			prs = append(prs, strings.TrimSuffix(strings.TrimPrefix(ref, "refs/pull/"), "/head"))
		case strings.HasPrefix(ref, "refs/heads/"), strings.HasPrefix(ref, "refs/tags/"):
			onBranch = true
		}
	}
	return prs, onBranch, nil
}
