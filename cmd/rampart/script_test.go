package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rampart-sec/rampart/cmd/rampart/prestart"
)

// TestMain lets testscript run this test binary as the `rampart` command,
// so the scripts (and the git hooks they install) exercise the real CLI.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"rampart": func() {
			// As main does: signals cancel the run's context.
			ctx, stop := signalContext()
			code := run(ctx, os.Args[1:], &streams{in: os.Stdin, out: os.Stdout, err: os.Stderr})
			stop()
			prestart.Abandon()
			os.Exit(code)
		},
	})
}

// TestScripts runs the end-to-end scenarios in testdata/script with the real
// git binary. Each script gets its own HOME (so --global writes a sandboxed
// ~/.gitconfig), a fixed identity, and $GIT_BIN_DIR, the directory holding
// git, for scripts that take rampart off PATH.
func TestScripts(t *testing.T) {
	t.Parallel()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			home := env.WorkDir
			for k, v := range map[string]string{
				"HOME":                home,
				"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
				"GIT_CONFIG_NOSYSTEM": "1",
				"GIT_AUTHOR_NAME":     "Dev",
				"GIT_AUTHOR_EMAIL":    "dev@example.com",
				"GIT_COMMITTER_NAME":  "Dev",
				"GIT_COMMITTER_EMAIL": "dev@example.com",
				"GIT_BIN_DIR":         filepath.Dir(gitPath),
				"NO_COLOR":            "1",
			} {
				env.Setenv(k, v)
			}
			cfg := "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n[advice]\n\tdetachedHead = false\n"
			return os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(cfg), 0o644)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mode": cmdMode,
		},
	})
}

// cmdMode asserts a file's permission bits: mode FILE 0750.
func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mode FILE OCTAL")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	if err != nil {
		ts.Fatalf("mode: %v", err)
	}
	fi, err := os.Lstat(ts.MkAbs(args[0]))
	ts.Check(err)
	got := uint64(fi.Mode().Perm())
	if (got == want) == neg {
		ts.Fatalf("%s has mode %s, want %s%s", args[0], fmt.Sprintf("%04o", got), map[bool]string{true: "not ", false: ""}[neg], args[1])
	}
}
