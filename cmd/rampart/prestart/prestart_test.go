package prestart

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWanted: only a staged scan of the current directory starts git
// before main; a path, a "--", help, or another command does not.
func TestWanted(t *testing.T) {
	for _, tc := range []struct {
		args string
		want bool
	}{
		{"scan --staged", true},
		{"scan --staged -q", true},
		{"scan -q --staged --format=json --no-color", true},
		{"scan --staged=true", true},
		// Every spelling of true that rampart's flag parser (pflag,
		// strconv.ParseBool) accepts, and the last value wins.
		{"scan --staged=1", true},
		{"scan --staged=t", true},
		{"scan --staged=T", true},
		{"scan --staged=TRUE", true},
		{"scan --staged=True", true},
		{"scan --staged=false --staged", true},
		{"scan --staged --staged=false", false},
		{"scan --staged --staged=0", false},
		{"scan --staged --staged=F", false},
		// Refused by the parser, so the scan exits 2 and must not wait
		// for git: pflag reads one dash as shorthand flags (-s -t -a …),
		// unlike Go's flag package; yes and an empty value are no bools.
		{"scan -staged", false},
		{"scan -staged=true", false},
		{"scan --staged=yes", false},
		{"scan --staged=", false},
		{"scan --staged --staged=yes", false},
		{"scan --Staged", false},
		{"scan --staged --format -", true}, // a value that looks like a flag: still no path
		{"scan", false},
		{"scan -q", false},
		{"scan --staged=false", false},
		{"scan --staged sub/dir", false},
		{"scan --staged --format json", false}, // "json" could be a path: let the scan decide
		{"scan --staged -- -dir", false},
		{"scan --staged -h", false},
		{"scan --staged --help", false},
		{"scan --history", false},
		{"audit --staged", false},
		{"--staged scan", false},
		{"", false},
	} {
		if got := Wanted(strings.Fields(tc.args)); got != tc.want {
			t.Errorf("Wanted(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

// TestStartTakeAbandon: a started diff is handed over once; Abandon stops
// one nobody took, and is a no-op when there is none.
func TestStartTakeAbandon(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Skipf("git init: %v\n%s", err, out)
	}
	t.Chdir(dir)
	Start()
	st := TakeStaged()
	if st == nil {
		t.Fatal("Start started nothing")
	}
	if TakeStaged() != nil {
		t.Error("the diff was handed over twice")
	}
	st.Stop()
	// A repository without an index is git's to diff (cached falls back).
	if _, g, _ := st.Wait(); g == nil || g.Cmd.ProcessState == nil {
		t.Error("Stop did not wait for git")
	}
	Start()
	mu.Lock()
	left := staged
	mu.Unlock()
	Abandon()
	if left == nil {
		t.Fatal("Start began nothing")
	}
	if _, g, _ := left.Wait(); g == nil || g.Cmd.ProcessState == nil {
		t.Error("Abandon did not stop the diff nobody took")
	}
	if TakeStaged() != nil {
		t.Error("a diff is still held after Abandon")
	}
	Abandon()
}

// TestHeapWanted: only command lines that are surely a tree or history
// scan put the heap on huge pages before main; a hook's never does.
func TestHeapWanted(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"scan"}, true},
		{[]string{"scan", "."}, true},
		{[]string{"scan", "--history", "/repo"}, true},
		{[]string{"scan", "--format", "json", "-q", "src"}, true},
		{[]string{"scan", "--github-event"}, true},
		{[]string{"scan", "--", "--staged"}, true},
		{[]string{"scan", "--staged"}, false},
		{[]string{"scan", "--staged=false"}, false},
		{[]string{"scan", "--pre-push"}, false},
		{[]string{"scan", "--commit-msg", ".git/COMMIT_EDITMSG"}, false},
		{[]string{"scan", "--commit-msg=.git/COMMIT_EDITMSG"}, false},
		{[]string{"scan", "--stdin"}, false},
		{[]string{"scan", "--help"}, false},
		{[]string{"scan", "-h"}, false},
		{[]string{"version"}, false},
		{[]string{"hook", "install"}, false},
		{nil, false},
	} {
		if got := HeapWanted(tc.args); got != tc.want {
			t.Errorf("HeapWanted(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}
