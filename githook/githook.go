// Package githook installs, chains and removes rampart's git hooks
// (pre-commit, commit-msg and pre-push), per repository or for every
// repository of the user, and parses git's pre-push protocol.
//
// Installing never destroys a hook that is already there: a foreign hook is
// moved aside (NAME.rampart-chained) and rampart's script runs it first with
// the same arguments and standard input, so its failure still blocks.
// Uninstalling moves it back, so the hooks directory ends byte-for-byte as it
// was. Only Options.Force replaces a foreign hook, and even then it is kept
// (NAME.rampart-replaced) for uninstall to restore.
//
// The package does not run git itself: callers pass a Git (in practice a
// *gitsource.Repo, the one place that runs the git binary).
package githook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The hooks rampart installs.
const (
	PreCommit = "pre-commit"
	CommitMsg = "commit-msg"
	PrePush   = "pre-push"
)

// Names returns the hooks rampart installs, in the order git runs them.
func Names() []string { return []string{PreCommit, CommitMsg, PrePush} }

// ParseNames parses a comma-separated list of hook names ("pre-commit,pre-push").
// An empty list means all of Names. Duplicates are dropped; unknown names are
// an error.
func ParseNames(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return Names(), nil
	}
	want := map[string]bool{}
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if _, ok := specs[n]; !ok {
			return nil, fmt.Errorf("githook: unknown hook %q (want some of %s)", n, strings.Join(Names(), ", "))
		}
		want[n] = true
	}
	var out []string
	for _, n := range Names() {
		if want[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

// Git runs the git binary with args and returns its standard output.
// *gitsource.Repo implements it.
type Git interface {
	Git(ctx context.Context, args ...string) ([]byte, error)
}

// Target is a hooks directory to install into, inspect or clean.
type Target struct {
	// Dir is the absolute path of the hooks directory.
	Dir string
	// Global is set for rampart's own global hooks directory (the value of
	// the user's global core.hooksPath): its scripts run each repository's
	// own hooks, and every other hook name holds a delegating script.
	Global bool
	// Source says how Dir was chosen, for messages.
	Source string
	// Shared is set when Dir comes from a core.hooksPath set outside the
	// repository (global or system configuration): other repositories use
	// it too, so a per-repository install there would not be one.
	Shared bool
}

// globalMarkerFile marks a directory as rampart's global hooks directory.
const globalMarkerFile = ".rampart-global"

// IsGlobalDir reports whether dir is a rampart-managed global hooks directory.
func IsGlobalDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, globalMarkerFile))
	return err == nil
}

// RepoTarget finds the hooks directory of the repository g runs in, from any
// subdirectory or linked worktree: `git rev-parse --git-path hooks`, which
// honours core.hooksPath. When that is rampart's global directory, the
// repository's own hooks directory is used instead: the global scripts run
// it, and a per-repository install then outlives `uninstall --global`.
func RepoTarget(ctx context.Context, g Git) (*Target, error) {
	out, err := g.Git(ctx, "rev-parse", "--path-format=absolute", "--git-path", "hooks")
	if err != nil {
		return nil, fmt.Errorf("find hooks directory: %w", err)
	}
	dir := filepath.Clean(strings.TrimSpace(string(out)))
	hp, err := g.Git(ctx, "config", "--show-scope", "--default", "", "--get", "core.hooksPath")
	if err != nil {
		return nil, fmt.Errorf("read core.hooksPath: %w", err)
	}
	t := &Target{Dir: dir, Source: "the repository's hooks directory"}
	if scope, val, _ := strings.Cut(strings.TrimRight(string(hp), "\n"), "\t"); val != "" {
		t.Source = "core.hooksPath"
		if scope != "local" && scope != "worktree" {
			t.Source = scope + " core.hooksPath"
			t.Shared = true
		}
	}
	if IsGlobalDir(dir) {
		common, err := g.Git(ctx, "rev-parse", "--path-format=absolute", "--git-common-dir")
		if err != nil {
			return nil, fmt.Errorf("find the repository's git directory: %w", err)
		}
		t.Dir = filepath.Join(filepath.Clean(strings.TrimSpace(string(common))), "hooks")
		t.Source = "the repository's own hooks, run by rampart's global hooks"
		t.Shared = false
	}
	return t, nil
}

// Options control Install.
type Options struct {
	// Hooks to install (default: Names()).
	Hooks []string
	// Binary is the absolute path of the rampart binary the scripts try
	// first; "" leaves them to find rampart on PATH.
	Binary string
	// Force replaces foreign hooks instead of chaining them. The replaced
	// hook is kept (ReplacedSuffix) and restored by Uninstall.
	Force bool
}

// Result says what happened to one hook file.
type Result struct {
	Hook   string // hook name
	Path   string // the hook file
	Action string // what was done, for people ("installed", "already installed", …)
}

// ErrConflict is wrapped when a foreign hook cannot be chained because a file
// rampart would move it to already exists.
var ErrConflict = errors.New("githook: conflicting hook files")

// Install writes rampart's scripts for o.Hooks into t.Dir (created if
// missing). It is idempotent: rampart's own scripts are rewritten in place
// (picking up a new binary path), foreign hooks are chained or, with
// o.Force, replaced. Every hook is attempted; the first error is returned
// along with the results so far.
func Install(t *Target, o Options) ([]Result, error) {
	names := o.Hooks
	if len(names) == 0 {
		names = Names()
	}
	if err := os.MkdirAll(t.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create hooks directory: %w", err)
	}
	var res []Result
	for _, name := range names {
		r, err := installOne(t, name, o)
		if err != nil {
			return res, err
		}
		res = append(res, r)
	}
	return res, nil
}

func installOne(t *Target, name string, o Options) (Result, error) {
	path := filepath.Join(t.Dir, name)
	r := Result{Hook: name, Path: path}
	script, err := Script(name, o.Binary, t.Global)
	if err != nil {
		return r, err
	}
	chained, replaced := path+ChainedSuffix, path+ReplacedSuffix
	cur, kind, err := readHook(path)
	if err != nil {
		return r, err
	}
	switch kind {
	case kindAbsent:
		r.Action = "installed"
		if exists(chained) {
			r.Action = "installed (chaining " + filepath.Base(chained) + ", left from an earlier install)"
		}
	case kindRampart:
		r.Action = "updated"
		if bytes.Equal(cur, script) {
			r.Action = "already installed"
		}
		if o.Force && exists(chained) {
			if exists(replaced) {
				return r, fmt.Errorf("%w: %s and %s both exist; remove one by hand", ErrConflict, chained, replaced)
			}
			if err := os.Rename(chained, replaced); err != nil {
				return r, fmt.Errorf("stop chaining %s: %w", chained, err)
			}
			r.Action = "replaced the chained hook (kept as " + filepath.Base(replaced) + "; uninstall restores it)"
		}
		if r.Action == "already installed" {
			return r, nil
		}
	case kindDelegate:
		// rampart's own delegating script in a global directory: take its place.
		r.Action = "installed"
	case kindForeign:
		aside, action := chained, "installed, chaining the existing hook (now "+filepath.Base(chained)+", run first)"
		if o.Force {
			aside, action = replaced, "replaced the existing hook (kept as "+filepath.Base(replaced)+"; uninstall restores it)"
		}
		if exists(chained) || exists(replaced) {
			return r, fmt.Errorf("%w: %s is not rampart's, but %s already holds a hook rampart moved aside; "+
				"move one of them away by hand, then install again", ErrConflict, path, existing(chained, replaced))
		}
		if err := os.Rename(path, aside); err != nil {
			return r, fmt.Errorf("move existing hook aside: %w", err)
		}
		r.Action = action
	}
	if err := writeExecutable(path, script); err != nil {
		return r, err
	}
	return r, nil
}

// Uninstall removes rampart's scripts for names (default: all) from t.Dir
// and puts back any hook they chained or replaced, by renaming, so content,
// mode and even the inode are exactly what was there. Foreign hooks are left
// alone. In a global directory a removed hook is replaced by a delegating
// script while other rampart hooks remain, and the directory is emptied of
// rampart's files once none do.
func Uninstall(t *Target, names []string) ([]Result, error) {
	if len(names) == 0 {
		names = Names()
	}
	var res []Result
	for _, name := range names {
		path := filepath.Join(t.Dir, name)
		r := Result{Hook: name, Path: path}
		_, kind, err := readHook(path)
		if err != nil {
			return res, err
		}
		switch kind {
		case kindForeign:
			r.Action = "left alone (not rampart's)"
			res = append(res, r)
			continue
		case kindDelegate, kindAbsent:
			r.Action = "not installed"
		case kindRampart:
			if err := os.Remove(path); err != nil {
				return res, fmt.Errorf("remove hook: %w", err)
			}
			r.Action = "removed"
		}
		for _, aside := range []string{path + ChainedSuffix, path + ReplacedSuffix} {
			if exists(aside) {
				if err := os.Rename(aside, path); err != nil {
					return res, fmt.Errorf("restore %s: %w", aside, err)
				}
				r.Action = "removed; restored the previous hook from " + filepath.Base(aside)
				break
			}
		}
		if t.Global && kind == kindRampart && !exists(path) {
			if err := writeExecutable(path, DelegateScript(name)); err != nil {
				return res, err
			}
		}
		res = append(res, r)
	}
	if t.Global {
		if err := cleanGlobalDir(t.Dir); err != nil {
			return res, err
		}
	}
	return res, nil
}

// State is what a hook file is, as Status reports it.
type State string

// The states of a hook file.
const (
	StateAbsent   State = "absent"
	StateRampart  State = "rampart"
	StateChained  State = "rampart, chaining the previous hook"
	StateReplaced State = "rampart, replacing the previous hook (--force)"
	StateDelegate State = "delegates to the repository's own hook"
	StateForeign  State = "foreign (not rampart's)"
)

// HookStatus describes one hook file.
type HookStatus struct {
	Hook  string
	Path  string
	State State
	// Aside is the moved-aside hook (chained or replaced), if any.
	Aside string
	// Binary is the rampart binary the script recorded ("" for PATH only);
	// BinaryMissing is set when that file no longer exists.
	Binary        string
	BinaryMissing bool
	// Global is set for a global script (runs the repository's own hook first).
	Global bool
}

// Status reports the state of each of names (default: all) in t.Dir.
func Status(t *Target, names []string) ([]HookStatus, error) {
	if len(names) == 0 {
		names = Names()
	}
	var out []HookStatus
	for _, name := range names {
		path := filepath.Join(t.Dir, name)
		data, kind, err := readHook(path)
		if err != nil {
			return out, err
		}
		st := HookStatus{Hook: name, Path: path}
		switch kind {
		case kindAbsent:
			st.State = StateAbsent
		case kindForeign:
			st.State = StateForeign
		case kindDelegate:
			st.State, st.Global = StateDelegate, true
		case kindRampart:
			st.State = StateRampart
			_, st.Global, _ = scriptKind(data)
			if exists(path + ChainedSuffix) {
				st.State, st.Aside = StateChained, path+ChainedSuffix
			} else if exists(path + ReplacedSuffix) {
				st.State, st.Aside = StateReplaced, path+ReplacedSuffix
			}
			st.Binary = recordedBinary(data)
			if st.Binary != "" {
				if _, err := os.Stat(st.Binary); err != nil {
					st.BinaryMissing = true
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}

type hookKind int

const (
	kindAbsent hookKind = iota
	kindRampart
	kindDelegate
	kindForeign
)

// readHook classifies the file at path. Only a regular file carrying
// rampart's marker is rampart's; a symlink is always foreign, whatever it
// points to.
func readHook(path string) ([]byte, hookKind, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, kindAbsent, nil
	}
	if err != nil {
		return nil, kindAbsent, fmt.Errorf("inspect hook: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, kindForeign, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, kindAbsent, fmt.Errorf("read hook: %w", err)
	}
	switch rampart, _, delegate := scriptKind(data); {
	case rampart:
		return data, kindRampart, nil
	case delegate:
		return data, kindDelegate, nil
	}
	return data, kindForeign, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func existing(paths ...string) string {
	for _, p := range paths {
		if exists(p) {
			return p
		}
	}
	return ""
}

// writeExecutable replaces path atomically with an executable file holding
// data, so a git process running the hook meanwhile sees the old or the new
// script, never half of one.
func writeExecutable(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".rampart-tmp-*")
	if err != nil {
		return fmt.Errorf("write hook: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp, 0o755)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write hook %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write hook %s: %w", path, err)
	}
	return nil
}
