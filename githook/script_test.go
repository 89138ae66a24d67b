package githook

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRampart writes a stand-in for the rampart binary that logs its
// arguments and standard input to log and exits with code.
func fakeRampart(t *testing.T, dir, log string, code int) string {
	t.Helper()
	p := filepath.Join(dir, "rampart")
	writeFile(t, p, "#!/bin/sh\n{ echo \"args: $*\"; cat; } >> '"+log+"'\necho 'report line'\nexit "+string(rune('0'+code))+"\n", 0o755)
	return p
}

type hookRun struct {
	stdout, stderr string
	code           int
}

// runHook executes the hook at path like git does, with PATH limited to the
// system directories plus extraPath.
func runHook(t *testing.T, path, stdin, extraPath string, args ...string) hookRun {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	pathEnv := "/usr/bin:/bin"
	if extraPath != "" {
		pathEnv = extraPath + ":" + pathEnv
	}
	cmd.Env = append(os.Environ(), "PATH="+pathEnv)
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return hookRun{out.String(), errb.String(), code}
}

func TestScriptsAreValidSh(t *testing.T) {
	for _, name := range Names() {
		for _, global := range []bool{false, true} {
			s, err := Script(name, "/it's/rampart", global)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("sh", "-n")
			cmd.Stdin = bytes.NewReader(s)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s global=%v: %v\n%s", name, global, err, out)
			}
			if got := recordedBinary(s); got != "/it's/rampart" {
				t.Errorf("recorded binary %q", got)
			}
		}
	}
	if _, err := Script("post-commit", "", false); err == nil {
		t.Error("unknown hook accepted")
	}
}

func TestScriptBehaviour(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	const pushIn = "refs/heads/main " + sha1A + " refs/heads/main " + sha1B + "\n"
	tests := []struct {
		name      string
		hook      string
		args      []string
		stdin     string
		scanExit  int // -1: binary missing
		chained   string
		wantCode  int
		wantErr   []string
		wantLog   []string
		notInLogs []string
	}{
		{name: "clean commit passes", hook: PreCommit, scanExit: 0, wantCode: 0,
			wantLog: []string{"args: scan --staged"}},
		{name: "findings block with advice and the bypass", hook: PreCommit, scanExit: 1, wantCode: 1,
			wantErr: []string{"report line", "Commit blocked by the pre-commit hook", "git commit --no-verify"}},
		{name: "scan error blocks", hook: PreCommit, scanExit: 2, wantCode: 1,
			wantErr: []string{"exited with status 2", "blocked rather than let through unchecked", "git commit --no-verify"}},
		{name: "missing binary blocks", hook: PrePush, args: []string{"origin", "url"}, stdin: pushIn, scanExit: -1, wantCode: 1,
			wantErr: []string{"rampart binary is missing", "install rampart", "git push --no-verify"}},
		{name: "commit-msg passes the file", hook: CommitMsg, args: []string{".git/COMMIT_EDITMSG"}, scanExit: 0,
			wantLog: []string{"args: scan --commit-msg .git/COMMIT_EDITMSG"}},
		{name: "pre-push replays stdin to the chained hook and to rampart", hook: PrePush, args: []string{"origin", "/srv/x.git"},
			stdin: pushIn, scanExit: 0, chained: "#!/bin/sh\n{ echo \"chained: $*\"; cat; } >> \"$LOG\"\n",
			wantLog: []string{"chained: origin /srv/x.git\n" + pushIn + "args: scan --pre-push --remote origin\n" + pushIn}},
		{name: "a failing chained hook blocks before rampart runs", hook: PreCommit, scanExit: 0,
			chained: "#!/bin/sh\necho lint failed >&2\nexit 3\n", wantCode: 3,
			wantErr: []string{"lint failed", "failed (exit 3)"}, notInLogs: []string{"args:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			hooks := filepath.Join(dir, "hooks")
			log := filepath.Join(dir, "log")
			t.Setenv("LOG", log)
			bin := filepath.Join(dir, "missing", "rampart")
			if tt.scanExit >= 0 {
				bin = fakeRampart(t, dir, log, tt.scanExit)
			}
			if tt.chained != "" {
				writeFile(t, filepath.Join(hooks, tt.hook), tt.chained, 0o755)
			}
			if _, err := Install(&Target{Dir: hooks}, Options{Hooks: []string{tt.hook}, Binary: bin}); err != nil {
				t.Fatal(err)
			}
			r := runHook(t, filepath.Join(hooks, tt.hook), tt.stdin, "", tt.args...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstderr: %s", r.code, tt.wantCode, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("hook wrote to stdout: %q", r.stdout)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			logged, _ := os.ReadFile(log)
			for _, w := range tt.wantLog {
				if !strings.Contains(string(logged), w) {
					t.Errorf("log lacks %q:\n%s", w, logged)
				}
			}
			for _, w := range tt.notInLogs {
				if strings.Contains(string(logged), w) {
					t.Errorf("log has %q:\n%s", w, logged)
				}
			}
		})
	}
}

func TestScriptFallsBackToPATH(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	binDir := filepath.Join(dir, "bin")
	fakeRampart(t, binDir, log, 0)
	hooks := filepath.Join(dir, "hooks")
	if _, err := Install(&Target{Dir: hooks}, Options{Hooks: []string{PreCommit}, Binary: filepath.Join(dir, "gone")}); err != nil {
		t.Fatal(err)
	}
	if r := runHook(t, filepath.Join(hooks, PreCommit), "", binDir); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(log); !strings.Contains(string(b), "scan --staged") {
		t.Errorf("PATH binary not run: %q", b)
	}
}
