package githook

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cmGit runs git in dir with a sandboxed environment (no user or system
// configuration, a fixed identity) plus env, and stdin.
func cmGit(t testing.TB, dir string, env []string, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("git %q: %v: %s", args, err, errb.String())
	}
	return out.String(), nil
}

func cmNeedGit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
}

// TestStripSpaceMatchesGit compares stripSpace with `git stripspace`, with
// and without comment stripping, over inputs that exercise its rules.
func TestStripSpaceMatchesGit(t *testing.T) {
	t.Parallel()
	cmNeedGit(t)
	dir := t.TempDir()
	inputs := []string{
		"",
		"\n\n\n",
		"  \t \n",
		"subject",
		"subject\n",
		"subject  \t\n\n\n\nbody\n\n\n",
		"\n\nsubject\r\n\r\nbody\r\n",
		"# comment\nsubject\n# another\n\nbody\n#\n",
		" # indented is not a comment\n#not spaced\n",
		"; semicolon\n;; double\n# hash\n",
		"subject\n\n# only a comment between\n\nbody\n",
		"trailing vertical tab\v\nform feed\f\n",
		"no final newline\n\nbody",
		"\x00nul\x00\n",
		"ünïcödé  \n\n\n\n#ü\n",
	}
	for _, in := range inputs {
		for _, comment := range []string{"", "#", ";"} {
			args := []string{"-c", "core.commentChar=" + comment, "stripspace"}
			if comment == "" {
				args = []string{"stripspace"}
			} else {
				args = append(args, "--strip-comments")
			}
			want, err := cmGit(t, dir, nil, in, args...)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(stripSpace([]byte(in), comment)); got != want {
				t.Errorf("stripSpace(%q, %q) = %q; git stripspace gives %q", in, comment, got, want)
			}
		}
	}
}

// FuzzStripSpace checks stripSpace against git itself on arbitrary input
// (when git is installed): what git records is what rampart scans.
func FuzzStripSpace(f *testing.F) {
	for _, s := range []string{"", "a\n\n\nb", "# c\nx  \n", "\r\n\t\n;x\n", "#", "a\x00b\n"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	_, gitErr := exec.LookPath("git")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, in string, strip bool) {
		comment := ""
		if strip {
			comment = "#"
		}
		got := stripSpace([]byte(in), comment)
		if again := stripSpace(got, comment); !bytes.Equal(again, got) {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, got, again)
		}
		if gitErr != nil {
			return
		}
		args := []string{"stripspace"}
		if strip {
			args = append(args, "--strip-comments")
		}
		want, err := cmGit(t, dir, nil, in, args...)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Fatalf("stripSpace(%q, %q) = %q; git stripspace gives %q", in, comment, got, want)
		}
	})
}

// TestCleanupMatchesWhatGitRecords makes real commits, in every cleanup
// mode, with and without an editor, with and without -v and with the
// comment character unset, ";" and "auto": a commit-msg hook keeps the file
// git hands it, and Cleanup (read from the repository's configuration and
// the hook's GIT_EDITOR, as rampart's hook does) must turn that file into
// exactly the message git then records.
func TestCleanupMatchesWhatGitRecords(t *testing.T) {
	t.Parallel()
	cmNeedGit(t)
	typed := "Subject typed in the editor  \n\n\n# a hash line\n; a semicolon line\nbody\t\n\n"
	for _, comment := range []string{"", ";", "auto"} {
		for _, mode := range []string{"", "strip", "whitespace", "scissors", "verbatim"} {
			if comment != "" && (mode == "whitespace" || mode == "verbatim") {
				continue // these modes keep comment lines: the character only marks the scissors line, found by the same code the other modes test with it
			}
			name := fmt.Sprintf("commentChar=%q cleanup=%q", comment, mode)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				run := func(env []string, stdin string, args ...string) string {
					t.Helper()
					out, err := cmGit(t, dir, env, stdin, args...)
					if err != nil {
						t.Fatal(err)
					}
					return out
				}
				run(nil, "", "init", "-q")
				if comment != "" {
					run(nil, "", "config", "core.commentChar", comment)
				}
				if mode != "" {
					run(nil, "", "config", "commit.cleanup", mode)
				}
				// Hooks run at the top of the work tree.
				hook := "#!/bin/sh\ncp \"$1\" .git/recorded\nprintf %s \"${GIT_EDITOR-}\" > .git/editor\n"
				writeFile(t, filepath.Join(dir, ".git", "hooks", "commit-msg"), hook, 0o755)
				editor := filepath.Join(dir, ".git", "editor.sh")
				writeFile(t, editor, "{ printf '%s' \"$TYPED\"; cat \"$1\"; } > \"$1.new\" && mv \"$1.new\" \"$1\"\n", 0o755)
				msgFile := filepath.Join(dir, ".git", "msg.txt")
				if err := os.WriteFile(msgFile, []byte("From a file  \n\n\n# kept or not\n; semi\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				edit := []string{"GIT_EDITOR=sh " + editor, "TYPED=" + typed}
				for i, c := range []struct {
					env  []string
					args []string
				}{
					{edit, nil},
					{edit, []string{"-v"}},
					{edit, []string{"-v", "-e", "-m", "# initial message with a hash"}},
					{edit, []string{"-e", "-m", "# initial\n; and a semicolon"}},
					{nil, []string{"-F", msgFile}},
					{nil, []string{"-v", "-F", msgFile}},
					{edit, []string{"-c", "commit.verbose=true"}}, // placeholder, replaced below
				} {
					args := append([]string{"commit", "-q"}, c.args...)
					if c.args != nil && c.args[0] == "-c" {
						// commit.verbose in the configuration rather than -v.
						run(nil, "", "config", "commit.verbose", "true")
						args = []string{"commit", "-q"}
					}
					if err := os.WriteFile(filepath.Join(dir, "f.txt"), []byte(fmt.Sprintf("version %d\nAKIAUJZDEGXDNCF32EPF\n", i)), 0o644); err != nil {
						t.Fatal(err)
					}
					run(nil, "", "add", "f.txt")
					if _, err := cmGit(t, dir, c.env, "", args...); err != nil {
						// git refused (an empty message after cleanup): nothing recorded.
						continue
					}
					recorded, _ := os.ReadFile(filepath.Join(dir, ".git", "recorded"))
					ed, _ := os.ReadFile(filepath.Join(dir, ".git", "editor"))
					raw := run(nil, "", "cat-file", "commit", "HEAD")
					_, want, _ := strings.Cut(raw, "\n\n")
					cl := ReadCleanup(context.Background(), execGit{dir}, func(k string) string {
						if k == "GIT_EDITOR" {
							return string(ed)
						}
						return ""
					})
					if got := string(cl.Apply(recorded)); got != want {
						t.Errorf("git commit %q: Cleanup %+v gives\n%q\nbut git recorded\n%q\n(the hook was given %q)", args[2:], cl, got, want, recorded)
					}
				}
			})
		}
	}
}

func TestReadCleanupResolvesLikeGit(t *testing.T) {
	t.Parallel()
	cmNeedGit(t)
	tests := []struct {
		config []string // key value pairs
		editor string
		want   Cleanup
	}{
		{nil, "", Cleanup{Mode: "strip", Comment: "#", Editor: true}},
		{nil, ":", Cleanup{Mode: "whitespace", Comment: "#"}},
		{[]string{"commit.cleanup", "default"}, "vi", Cleanup{Mode: "strip", Comment: "#", Editor: true}},
		{[]string{"commit.cleanup", "default"}, ":", Cleanup{Mode: "whitespace", Comment: "#"}},
		{[]string{"commit.cleanup", "scissors"}, "vi", Cleanup{Mode: "scissors", Comment: "#", Editor: true}},
		{[]string{"commit.cleanup", "scissors"}, ":", Cleanup{Mode: "whitespace", Comment: "#"}},
		{[]string{"commit.cleanup", "bogus"}, "", Cleanup{Mode: "verbatim", Comment: "#", Editor: true}},
		{[]string{"core.commentChar", "AUTO", "commit.verbose", "2"}, "", Cleanup{Mode: "strip", Comment: "auto", Verbose: true, Editor: true}},
		{[]string{"core.commentChar", ";", "core.commentChar", "%"}, "", Cleanup{Mode: "strip", Comment: "%", Editor: true}},
		{[]string{"commit.verbose", "false"}, "", Cleanup{Mode: "strip", Comment: "#", Editor: true}},
	}
	for i, tt := range tests {
		dir := t.TempDir()
		if _, err := cmGit(t, dir, nil, "", "init", "-q"); err != nil {
			t.Fatal(err)
		}
		for j := 0; j < len(tt.config); j += 2 {
			if _, err := cmGit(t, dir, nil, "", "config", "--add", tt.config[j], tt.config[j+1]); err != nil {
				t.Fatal(err)
			}
		}
		got := ReadCleanup(context.Background(), execGit{dir}, func(string) string { return tt.editor })
		if got != tt.want {
			t.Errorf("%d: config %q, GIT_EDITOR=%q: %+v, want %+v", i, tt.config, tt.editor, got, tt.want)
		}
	}
	if got := ReadCleanup(context.Background(), nil, func(string) string { return "" }); got != (Cleanup{Mode: "strip", Comment: "#", Editor: true}) {
		t.Errorf("outside a repository: %+v", got)
	}
}
