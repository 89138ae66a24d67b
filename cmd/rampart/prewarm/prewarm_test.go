package prewarm

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/scanner"
)

// TestMain, in a child run with PREWARM_CHILD set, reports through its exit
// status whether the package's init began the detector for the child's
// command line: 10 if it did, 11 if not.
func TestMain(m *testing.M) {
	if os.Getenv("PREWARM_CHILD") != "" {
		if scanner.Preparing() {
			os.Exit(10)
		}
		os.Exit(11)
	}
	os.Exit(m.Run())
}

// TestInitBeginsDetector: the detector is begun before main for the
// command lines that surely scan a tree or a history, and only for them
// (a hook's run, standard input, help and other commands build their own
// when they need one).
func TestInitBeginsDetector(t *testing.T) {
	for _, tc := range []struct {
		args string
		want bool
	}{
		{"scan --history", true},
		{"scan --history --format json -q /repo", true},
		{"scan", true},
		{"scan some/dir", true},
		{"scan --staged", false},
		{"scan --pre-push", false},
		{"scan --commit-msg .git/COMMIT_EDITMSG", false},
		{"scan --stdin", false},
		{"scan --help", false},
		{"audit --org acme", false},
		{"version", false},
	} {
		cmd := exec.Command(os.Args[0], strings.Fields(tc.args)...)
		cmd.Env = append(os.Environ(), "PREWARM_CHILD=1")
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 10 && exit.ExitCode() != 11 {
			t.Fatalf("%q: child ended with %v", tc.args, err)
		}
		if got := exit.ExitCode() == 10; got != tc.want {
			t.Errorf("%q: detector begun before main = %v, want %v", tc.args, got, tc.want)
		}
	}
}
