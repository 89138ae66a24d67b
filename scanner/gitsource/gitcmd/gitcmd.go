// Package gitcmd is how rampart runs git: the arguments every command takes,
// the staged diff's, and its pipes. It imports nothing of rampart's, so that
// cmd/rampart/prestart can start a pre-commit hook's `git diff --cached`
// from a package initialiser, while the rest of the program is still
// initialising; gitsource runs every other git command with the same
// arguments.
package gitcmd

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
)

// BaseArgs are prepended to every git command: quoted paths in a form we
// parse, and no pager, colour or external helpers, whatever the user's
// config; and the objects as stored, not as `git replace` would show them
// (a replacement must not hide a committed secret, and the in-process pack
// reader sees stored objects too).
var BaseArgs = []string{"--no-replace-objects", "-c", "core.quotePath=true", "-c", "color.ui=false", "-c", "diff.noprefix=false", "-c", "log.showSignature=false", "--no-pager"}

// DiffArgs make `git diff` and `git log -p` print exactly what the parser
// expects, whatever the user's configuration says.
// --full-index names blobs in full on "index" lines: a UTF-16 file's blobs
// are read by them.
var DiffArgs = []string{"-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--full-index", "--src-prefix=a/", "--dst-prefix=b/", "--ignore-submodules=none"}

// StagedArgs is the command a staged scan reads. diff.relative is turned
// off: git may run in a subdirectory, and paths must stay relative to the
// top of the work tree whatever the user's configuration says.
var StagedArgs = append([]string{"-c", "diff.relative=false", "diff", "--cached", "-M", "--diff-filter=d"}, DiffArgs...)

// Command is git run in dir with BaseArgs, then args.
func Command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "git", append(append([]string{"-C", dir}, BaseArgs...), args...)...)
}

// Stream is a started git command whose standard output is read as it
// runs; its standard error is kept for the error message.
type Stream struct {
	Cmd    *exec.Cmd
	Stdout io.ReadCloser
	Stderr *bytes.Buffer
	Args   []string // the command's own arguments (after BaseArgs), for messages
}

// Start starts git in dir with args, its output on a pipe (GrowPipe'd).
// Cancelling ctx kills it.
func Start(ctx context.Context, dir string, stdin io.Reader, args ...string) (*Stream, error) {
	return StartEnv(ctx, dir, nil, stdin, args...)
}

// StartEnv is Start with git's environment env (nil: this process's).
func StartEnv(ctx context.Context, dir string, env []string, stdin io.Reader, args ...string) (*Stream, error) {
	cmd := Command(ctx, dir, args...)
	cmd.Env = env
	if stdin != nil {
		cmd.Stdin = stdin
	}
	st := &Stream{Cmd: cmd, Stderr: &bytes.Buffer{}, Args: args}
	cmd.Stderr = st.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	st.Stdout = out
	// A long stream (the history walk) is read by a goroutine competing
	// with the scan for CPU; a larger pipe lets git run on while it waits.
	GrowPipe(out)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return st, nil
}

// Stop kills git if it still runs and waits for it: for a stream nobody
// read.
func (st *Stream) Stop() {
	if st.Cmd.Process != nil {
		st.Cmd.Process.Kill()
	}
	st.Stdout.Close()
	st.Cmd.Wait()
}

// StartPiped starts cmd writing to a pipe and reading from another, and
// leaves no descriptor open when it fails: exec's StdinPipe keeps both ends
// of its pipe (the child's in the Cmd, till the garbage collector closes
// it) when StdoutPipe or Start fails after it, so the input pipe is made
// here, and its read end closed once the child holds it.
func StartPiped(cmd *exec.Cmd) (stdin io.WriteCloser, stdout io.ReadCloser, err error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	cmd.Stdin = pr
	out, err := cmd.StdoutPipe()
	if err == nil {
		// Start closes the output pipe itself when it fails.
		err = cmd.Start()
	}
	pr.Close()
	if err != nil {
		pw.Close()
		return nil, nil, err
	}
	return pw, out, nil
}
