package githook

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// delegateNames are the hooks git looks up in core.hooksPath besides the three
// rampart checks. A global rampart directory holds a delegating script for
// each, so that repositories' own hooks (and tools like git-lfs that install
// post-checkout and friends) keep working. push-to-checkout and proc-receive
// are left out on purpose: their mere presence changes what git does.
var delegateNames = []string{
	"applypatch-msg", "pre-applypatch", "post-applypatch",
	"pre-merge-commit", "prepare-commit-msg", "post-commit",
	"pre-rebase", "post-checkout", "post-merge", "post-rewrite",
	"pre-auto-gc", "reference-transaction", "post-index-change", "sendemail-validate",
	"pre-receive", "update", "post-receive", "post-update",
	"p4-changelist", "p4-prepare-changelist", "p4-post-changelist", "p4-pre-submit",
}

// DefaultGlobalDir is where `install --global` puts rampart's hooks unless
// the user already has a global core.hooksPath: <user config dir>/rampart/hooks.
func DefaultGlobalDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user configuration directory: %w", err)
	}
	return filepath.Join(d, "rampart", "hooks"), nil
}

// GlobalHooksPath returns the user's global core.hooksPath, with ~ expanded
// ("" when unset).
func GlobalHooksPath(ctx context.Context, g Git) (string, error) {
	out, err := g.Git(ctx, "config", "--global", "--type=path", "--default", "", "--get", "core.hooksPath")
	if err != nil {
		return "", fmt.Errorf("read global core.hooksPath: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// GlobalTarget returns where global hooks live: rampart's directory (dir,
// unless the global core.hooksPath already names a rampart directory), or,
// when the user has a global core.hooksPath of their own, that directory,
// whose hooks are then chained like a repository's. configured reports
// whether the global core.hooksPath already points at the target.
func GlobalTarget(ctx context.Context, g Git, dir string) (t *Target, configured bool, err error) {
	cur, err := GlobalHooksPath(ctx, g)
	if err != nil {
		return nil, false, err
	}
	switch {
	case cur == "":
		return &Target{Dir: dir, Global: true, Source: "rampart's global hooks directory"}, false, nil
	case !filepath.IsAbs(cur):
		return nil, false, fmt.Errorf("githook: the global core.hooksPath %q is relative, so it names a different directory in each repository; "+
			"run `rampart hook install` in each repository instead, or make it absolute", cur)
	case IsGlobalDir(cur) || filepath.Clean(cur) == filepath.Clean(dir):
		// rampart's directory (even if someone emptied it: install rebuilds it).
		return &Target{Dir: filepath.Clean(cur), Global: true, Source: "rampart's global hooks directory"}, true, nil
	}
	return &Target{Dir: filepath.Clean(cur), Source: "your global core.hooksPath (hooks already there are chained)"}, true, nil
}

// InstallGlobal protects every repository of the user, including future
// clones, by pointing the global core.hooksPath at rampart's directory dir
// (see GlobalTarget for a core.hooksPath that is already set). The scripts
// are written before the configuration changes, so git never looks in a
// half-built directory. Every hook name git knows gets a script there: the
// checked ones run the repository's own hook and then rampart, the rest only
// delegate, so repositories with their own hooks keep them. Repositories
// that set core.hooksPath locally (husky and the like) override the global
// value and are not covered.
func InstallGlobal(ctx context.Context, g Git, dir string, o Options) (*Target, []Result, error) {
	t, configured, err := GlobalTarget(ctx, g, dir)
	if err != nil {
		return nil, nil, err
	}
	if !t.Global {
		res, err := Install(t, o)
		return t, res, err
	}
	if err := os.MkdirAll(t.Dir, 0o755); err != nil {
		return t, nil, fmt.Errorf("create global hooks directory: %w", err)
	}
	if err := os.WriteFile(filepath.Join(t.Dir, globalMarkerFile), []byte("This directory is managed by `rampart hook install --global`.\n"), 0o644); err != nil {
		return t, nil, fmt.Errorf("mark global hooks directory: %w", err)
	}
	for _, name := range append(Names(), delegateNames...) {
		path := filepath.Join(t.Dir, name)
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			if err := writeExecutable(path, DelegateScript(name)); err != nil {
				return t, nil, err
			}
		}
	}
	res, err := Install(t, o)
	if err != nil {
		return t, res, err
	}
	if !configured {
		if _, err := g.Git(ctx, "config", "--global", "core.hooksPath", t.Dir); err != nil {
			return t, res, fmt.Errorf("set global core.hooksPath: %w", err)
		}
	}
	return t, res, nil
}

// UninstallGlobal undoes InstallGlobal for names (default: all). Once no
// rampart hook is left in rampart's directory, the global core.hooksPath is
// unset first (only if it still names that directory) and the directory's
// files that rampart wrote are removed.
func UninstallGlobal(ctx context.Context, g Git, dir string, names []string) (*Target, []Result, error) {
	t, configured, err := GlobalTarget(ctx, g, dir)
	if err != nil {
		return nil, nil, err
	}
	if len(names) == 0 {
		names = Names()
	}
	if !t.Global {
		res, err := Uninstall(t, names)
		return t, res, err
	}
	if remaining(t.Dir, names) == 0 && configured {
		if _, err := g.Git(ctx, "config", "--global", "--unset", "core.hooksPath"); err != nil {
			return t, nil, fmt.Errorf("unset global core.hooksPath: %w", err)
		}
	}
	res, err := Uninstall(t, names)
	return t, res, err
}

// remaining counts the rampart hooks in dir that are not among names.
func remaining(dir string, names []string) int {
	n := 0
	for _, h := range Names() {
		if contains(names, h) {
			continue
		}
		if _, kind, err := readHook(filepath.Join(dir, h)); err == nil && kind == kindRampart {
			n++
		}
	}
	return n
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// cleanGlobalDir removes rampart's files from a global directory once it
// holds no rampart hook: the delegating scripts, the marker, and the
// directory itself if that leaves it empty. Foreign files stay.
func cleanGlobalDir(dir string) error {
	for _, h := range Names() {
		if _, kind, err := readHook(filepath.Join(dir, h)); err != nil || kind == kindRampart {
			return err
		}
	}
	for _, name := range append(Names(), delegateNames...) {
		path := filepath.Join(dir, name)
		if _, kind, err := readHook(path); err == nil && kind == kindDelegate {
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("remove %s: %w", path, err)
			}
		}
	}
	if err := os.Remove(filepath.Join(dir, globalMarkerFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove global marker: %w", err)
	}
	os.Remove(dir) // only succeeds when empty; a foreign file keeps it
	return nil
}
