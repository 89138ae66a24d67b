package githook

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGlobalInstallDelegatesAndUninstallCleansUp(t *testing.T) {
	home := sandbox(t)
	ctx := context.Background()
	g := execGit{home}
	dir := filepath.Join(home, ".config", "rampart", "hooks")

	tg, res, err := InstallGlobal(ctx, g, dir, Options{Binary: "/opt/rampart", Hooks: []string{PreCommit, PrePush}})
	if err != nil {
		t.Fatal(err)
	}
	if !tg.Global || tg.Dir != dir || len(res) != 2 {
		t.Fatalf("target %+v results %+v", tg, res)
	}
	if got, _ := GlobalHooksPath(ctx, g); got != dir {
		t.Errorf("core.hooksPath = %q, want %q", got, dir)
	}
	sts, _ := Status(tg, nil)
	if sts[0].State != StateRampart || !sts[0].Global || sts[1].State != StateDelegate {
		t.Errorf("status: %+v", sts)
	}
	for _, n := range []string{"post-checkout", "prepare-commit-msg", "pre-receive"} {
		if _, kind, _ := readHook(filepath.Join(dir, n)); kind != kindDelegate {
			t.Errorf("%s: no delegating script", n)
		}
	}
	for _, n := range []string{"push-to-checkout", "proc-receive"} {
		if exists(filepath.Join(dir, n)) {
			t.Errorf("%s must not exist: its presence changes git's behaviour", n)
		}
	}

	// A repository with its own post-checkout hook keeps it.
	repo := newRepo(t)
	writeFile(t, filepath.Join(repo, ".git", "hooks", "post-checkout"), "#!/bin/sh\ntouch ran-own-hook\n", 0o755)
	gitT(t, repo, "commit", "-q", "--allow-empty", "--no-verify", "-m", "x")
	gitT(t, repo, "checkout", "-q", "-b", "other")
	if !exists(filepath.Join(repo, "ran-own-hook")) {
		t.Error("the repository's own post-checkout hook did not run through the global directory")
	}

	// Per-repository install under an active global install goes to the
	// repository's own hooks directory.
	rt, err := RepoTarget(ctx, execGit{repo})
	if err != nil {
		t.Fatal(err)
	}
	if rt.Global || !strings.HasSuffix(rt.Dir, filepath.Join(".git", "hooks")) {
		t.Errorf("repo target under global: %+v", rt)
	}

	// Idempotent.
	if _, res, err = InstallGlobal(ctx, g, dir, Options{Binary: "/opt/rampart", Hooks: []string{PreCommit, PrePush}}); err != nil || res[0].Action != "already installed" {
		t.Errorf("reinstall: %+v %v", res, err)
	}

	// If the directory disappears while the setting stays, install rebuilds it
	// as rampart's (with delegation), not as a foreign directory.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if tg, _, err := InstallGlobal(ctx, g, dir, Options{Binary: "/opt/rampart", Hooks: []string{PreCommit, PrePush}}); err != nil || !tg.Global || !IsGlobalDir(dir) {
		t.Errorf("rebuild: %+v %v", tg, err)
	}

	// Removing one hook leaves a delegating script in its place.
	if _, _, err := UninstallGlobal(ctx, g, dir, []string{PrePush}); err != nil {
		t.Fatal(err)
	}
	if _, kind, _ := readHook(filepath.Join(dir, PrePush)); kind != kindDelegate {
		t.Error("pre-push not delegating after partial uninstall")
	}
	if got, _ := GlobalHooksPath(ctx, g); got != dir {
		t.Error("partial uninstall unset core.hooksPath")
	}
	if _, _, err := UninstallGlobal(ctx, g, dir, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := GlobalHooksPath(ctx, g); got != "" {
		t.Errorf("core.hooksPath still %q", got)
	}
	if exists(dir) {
		ents, _ := os.ReadDir(dir)
		t.Errorf("global directory left behind: %v", ents)
	}
}

func TestGlobalInstallIntoUsersOwnHooksPath(t *testing.T) {
	home := sandbox(t)
	ctx := context.Background()
	g := execGit{home}
	own := filepath.Join(home, "my-hooks")
	writeFile(t, filepath.Join(own, PreCommit), "#!/bin/sh\nexit 0\n", 0o700)
	gitT(t, home, "config", "--global", "core.hooksPath", "~/my-hooks")
	before := snapshot(t, own)

	tg, res, err := InstallGlobal(ctx, g, filepath.Join(home, "unused"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tg.Global || tg.Dir != own || !strings.Contains(res[0].Action, "chaining") {
		t.Errorf("target %+v results %+v", tg, res)
	}
	if exists(filepath.Join(home, "unused")) {
		t.Error("created rampart's directory although the user has one")
	}
	if _, _, err := UninstallGlobal(ctx, g, filepath.Join(home, "unused"), nil); err != nil {
		t.Fatal(err)
	}
	if !equalMaps(before, snapshot(t, own)) {
		t.Error("user's global hooks not restored")
	}
	if got, _ := GlobalHooksPath(ctx, g); got != own {
		t.Errorf("user's core.hooksPath changed to %q", got)
	}

	gitT(t, home, "config", "--global", "core.hooksPath", ".githooks")
	if _, _, err := InstallGlobal(ctx, g, filepath.Join(home, "unused"), Options{}); err == nil || !strings.Contains(err.Error(), "relative") {
		t.Errorf("relative global core.hooksPath: %v", err)
	}
}
