package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rampart-sec/rampart/githook"
	"github.com/rampart-sec/rampart/report"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// The hooks package runs git only through gitsource, the one place that does.
var _ githook.Git = (*gitsource.Repo)(nil)

// hookOptions are the flags of `rampart hook install|uninstall|status`.
type hookOptions struct {
	global bool
	hooks  string
	force  bool
	binary string
}

func (o *hookOptions) bind(cmd *cobra.Command, install bool) {
	f := cmd.Flags()
	f.BoolVar(&o.global, "global", false, "every repository of the user, including future clones (global core.hooksPath)")
	f.StringVar(&o.hooks, "hooks", "", "comma-separated subset of "+strings.Join(githook.Names(), ",")+" (default: all)")
	if install {
		f.BoolVar(&o.force, "force", false, "replace existing hooks instead of chaining them (uninstall still restores them)")
		f.StringVar(&o.binary, "binary", "", "rampart binary the hooks run, as an absolute `PATH` (default: this binary; PATH when it is gone)")
	}
}

func newHookCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hook",
		Short: "Install, remove or inspect rampart's git hooks (pre-commit, commit-msg, pre-push)",
		Long: `Install, remove or inspect rampart's git hooks: pre-commit (rampart scan --staged),
commit-msg (rampart scan --commit-msg) and pre-push (rampart scan --pre-push).

Hooks already in place are chained, not replaced: each is kept as NAME.rampart-chained and runs
first, with the same arguments and input; its failure still blocks. uninstall puts back exactly
what was there. --global installs for every repository of the user (see README.md, "For every
repository: --global").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErr("hook: choose install, uninstall or status")
		},
	}
	cmd.AddCommand(newHookActionCmd(s, "install"), newHookActionCmd(s, "uninstall"), newHookActionCmd(s, "status"))
	return cmd
}

func newHookActionCmd(s *streams, action string) *cobra.Command {
	o := &hookOptions{}
	short := map[string]string{
		"install":   "Install the hooks in this repository (or, with --global, for every repository)",
		"uninstall": "Remove rampart's hooks and restore the hooks they chained",
		"status":    "Show which hooks are installed where, and whether each is rampart's, chained or foreign",
	}[action]
	cmd := &cobra.Command{
		Use:   action,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// --hooks "$HOOKS" with HOOKS unset must not mean every hook.
			if cmd.Flags().Changed("hooks") && strings.TrimSpace(o.hooks) == "" {
				return usageErr("--hooks: empty: name the hooks, comma-separated (%s), or leave the flag out for all of them", strings.Join(githook.Names(), ","))
			}
			return runHook(cmd.Context(), action, o, s)
		},
	}
	o.bind(cmd, action == "install")
	return cmd
}

func runHook(ctx context.Context, action string, o *hookOptions, s *streams) error {
	names, err := githook.ParseNames(o.hooks)
	if err != nil {
		return usageErr("--hooks: %v", err)
	}
	if o.global {
		return runGlobalHook(ctx, action, o, s, names)
	}
	repo, err := gitsource.Open(ctx, ".")
	if errors.Is(err, gitsource.ErrNotRepository) {
		// hook takes no directory: the way out is cd, or --global.
		abs, _ := filepath.Abs(".")
		return &exitErr{code: exitError, err: fmt.Errorf("not a git repository: %s (hook %s works on the repository it runs in: cd into one, or use --global for all of yours)", abs, action)}
	}
	if err != nil {
		return &exitErr{code: exitError, err: repoError(err, ".", "hook "+action)}
	}
	t, err := githook.RepoTarget(ctx, repo)
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	switch action {
	case "install":
		if t.Shared {
			return usageErr("hooks for this repository come from the %s %s, which other repositories share: "+
				"use `rampart hook install --global` to install there deliberately, or set core.hooksPath for this repository", t.Source, t.Dir)
		}
		bin, err := hookBinary(ctx, o.binary)
		if err != nil {
			return usageErr("%v", err)
		}
		res, err := githook.Install(t, githook.Options{Hooks: names, Binary: bin, Force: o.force})
		printHookResults(s, t, res)
		if err != nil {
			return hookErr(err)
		}
		printBinary(s, bin)
		if repo.Bare {
			// Installed, and mostly idle: a server's bare repository is
			// where people expect pushes to be checked, and they are not.
			fmt.Fprintf(s.err, "rampart: warning: %s is a bare repository: git runs no pre-commit or commit-msg hook in it (nothing is committed there), "+
				"and pre-push only for pushes made from it. The pushes it receives are not checked (rampart has no pre-receive hook): "+
				"install the hooks in the clones people commit in, and scan what reaches the server in CI (rampart scan --range or --github-event).\n", report.Safe(repo.GitDir))
		}
	case "uninstall":
		res, err := githook.Uninstall(t, names)
		printHookResults(s, t, res)
		if err != nil {
			return hookErr(err)
		}
	case "status":
		if gt, active := globalActive(ctx, repo); active {
			fmt.Fprintf(s.out, "global: rampart's global hooks in %s run for this repository\n", gt)
		}
		return printHookStatus(s, t, names)
	}
	return nil
}

func runGlobalHook(ctx context.Context, action string, o *hookOptions, s *streams, names []string) error {
	home, err := os.UserHomeDir()
	if err != nil {
		return &exitErr{code: exitError, err: fmt.Errorf("--global: %w", err)}
	}
	g := &gitsource.Repo{Dir: home} // global configuration only: no repository involved
	dir, err := githook.DefaultGlobalDir()
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	switch action {
	case "install":
		bin, err := hookBinary(ctx, o.binary)
		if err != nil {
			return usageErr("%v", err)
		}
		t, res, err := githook.InstallGlobal(ctx, g, dir, githook.Options{Hooks: names, Binary: bin, Force: o.force})
		if t != nil {
			printHookResults(s, t, res)
		}
		if err != nil {
			return hookErr(err)
		}
		printBinary(s, bin)
		if t.Global {
			fmt.Fprintf(s.out, "global core.hooksPath = %s: every repository of yours runs these hooks, and each repository's own\n"+
				".git/hooks still run first. Repositories that set core.hooksPath themselves are not covered:\n"+
				"run `rampart hook install` in those.\n", t.Dir)
		}
	case "uninstall":
		t, res, err := githook.UninstallGlobal(ctx, g, dir, names)
		if t != nil {
			printHookResults(s, t, res)
		}
		if err != nil {
			return hookErr(err)
		}
	case "status":
		t, configured, err := githook.GlobalTarget(ctx, g, dir)
		if err != nil {
			return &exitErr{code: exitError, err: err}
		}
		if !configured {
			fmt.Fprintf(s.out, "global: not installed (no global core.hooksPath)\n")
			return nil
		}
		return printHookStatus(s, t, names)
	}
	return nil
}

// globalActive reports whether the repository's effective hooks directory is
// rampart's global one.
func globalActive(ctx context.Context, repo *gitsource.Repo) (string, bool) {
	out, err := repo.Git(ctx, "rev-parse", "--path-format=absolute", "--git-path", "hooks")
	if err != nil {
		return "", false
	}
	dir := strings.TrimSpace(string(out))
	return dir, githook.IsGlobalDir(dir)
}

func hookErr(err error) error {
	if errors.Is(err, githook.ErrConflict) {
		return &exitErr{code: exitError, err: fmt.Errorf("%w (or use --force to replace the hook, keeping it for uninstall)", err)}
	}
	return &exitErr{code: exitError, err: err}
}

// hookBinary returns the absolute path the hooks record: --binary, else the
// path this binary was started by (a PATH entry stays a PATH entry, so a
// package manager's symlink survives upgrades), else the executable itself.
func hookBinary(ctx context.Context, flag string) (string, error) {
	if flag != "" {
		return checkHookBinary(ctx, flag)
	}
	arg0 := os.Args[0]
	if strings.ContainsRune(arg0, filepath.Separator) {
		if abs, err := filepath.Abs(arg0); err == nil && isExecutableFile(abs) {
			return abs, nil
		}
	} else if p, err := exec.LookPath(arg0); err == nil {
		if abs, err := filepath.Abs(p); err == nil && isExecutableFile(abs) {
			return abs, nil
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return "", nil // the hooks fall back to PATH
	}
	return exe, nil
}

// checkHookBinary refuses a --binary every later commit would depend on
// unless it is an absolute path (the hooks run from any directory) to an
// executable that answers `--version` as rampart does, within 10 seconds.
func checkHookBinary(ctx context.Context, bin string) (string, error) {
	if !filepath.IsAbs(bin) {
		return "", fmt.Errorf("--binary %s: must be an absolute path (the hooks run in any directory)", bin)
	}
	st, err := os.Stat(bin)
	if err != nil {
		return "", fmt.Errorf("--binary %s: %v", bin, errors.Unwrap(err))
	}
	if !st.Mode().IsRegular() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("--binary %s: not an executable file", bin)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--version")
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.Output()
	first, _, _ := strings.Cut(string(out), "\n")
	if err != nil || !strings.HasPrefix(first, "rampart ") {
		why := fmt.Sprintf("printed %q", first)
		if err != nil {
			why = err.Error()
		}
		return "", fmt.Errorf("--binary %s: `%s --version` %s: it is not rampart (or a rampart too old to say), and the hooks would block every commit", bin, bin, report.Safe(why))
	}
	return bin, nil
}

func isExecutableFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

func printHookResults(s *streams, t *githook.Target, res []githook.Result) {
	fmt.Fprintf(s.out, "hooks directory: %s (%s)\n", t.Dir, t.Source)
	for _, r := range res {
		fmt.Fprintf(s.out, "  %-11s %s\n", r.Hook, r.Action)
	}
}

func printBinary(s *streams, bin string) {
	if bin == "" {
		fmt.Fprintf(s.out, "the hooks run rampart from PATH\n")
		return
	}
	fmt.Fprintf(s.out, "the hooks run %s (or rampart on PATH if it moves)\n", bin)
	if goRunBuild(bin) {
		fmt.Fprintf(s.err, "rampart: warning: %s is a `go run` build, kept in Go's build cache only until Go trims it or the code changes: "+
			"install rampart (go install ./cmd/rampart, or go install github.com/rampart-sec/rampart/cmd/rampart@latest) and run `rampart hook install` again, or give --binary\n", bin)
	}
}

// goRunBuild reports whether bin is an executable `go run` or `go test`
// built: in Go's build cache ($GOCACHE, …/go-build/…) or its temporary
// work directory ($TMPDIR/go-build…/). Hooks that record it work today and
// fall back to PATH once Go removes it.
func goRunBuild(bin string) bool {
	if c := os.Getenv("GOCACHE"); c != "" && strings.HasPrefix(bin, filepath.Clean(c)+string(filepath.Separator)) {
		return true
	}
	for _, part := range strings.Split(filepath.ToSlash(bin), "/") {
		if strings.HasPrefix(part, "go-build") {
			return true
		}
	}
	return false
}

func printHookStatus(s *streams, t *githook.Target, names []string) error {
	sts, err := githook.Status(t, names)
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	fmt.Fprintf(s.out, "hooks directory: %s (%s)\n", t.Dir, t.Source)
	for _, st := range sts {
		fmt.Fprintf(s.out, "  %-11s %s\n", st.Hook, st.State)
		if st.Aside != "" {
			fmt.Fprintf(s.out, "  %-11s   previous hook kept as %s\n", "", filepath.Base(st.Aside))
		}
		if st.BinaryMissing {
			fmt.Fprintf(s.out, "  %-11s   binary %s is missing: the hook finds rampart on PATH or blocks (reinstall to fix)\n", "", st.Binary)
		}
	}
	return nil
}
