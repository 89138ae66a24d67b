package gitsource

import (
	"context"
	"io"
	"os"
	"os/exec"

	"github.com/rampart-sec/rampart/scanner"

	"github.com/rampart-sec/rampart/scanner/gitsource/gitcmd"
)

// Git plumbing for package history, which reads whole histories: the
// commands, pipes and output formats other git sources use too, exported
// once here so that how git is run is decided in one place.

// Command returns git with args, set to run in the repository with the
// options every rampart git command gets (no pager, colour, replace objects
// or external helpers).
func (r *Repo) Command(ctx context.Context, args ...string) *exec.Cmd {
	return gitCmd(ctx, r.Dir, args...)
}

// Stream runs git with args and hands its standard output to read; git's
// failure (after read returns) is reported with its standard error.
func (r *Repo) Stream(ctx context.Context, read func(io.Reader) error, args ...string) error {
	return r.stream(ctx, read, args...)
}

// StreamIn is Stream with git reading stdin, the read end of a pipe (closed
// here once git holds it, so its writer sees a broken pipe rather than
// blocking if git dies).
func (r *Repo) StreamIn(ctx context.Context, stdin *os.File, read func(io.Reader) error, args ...string) error {
	return r.streamIn(ctx, stdin, read, args...)
}

// Input runs git with args reading stdin and returns its standard output.
func (r *Repo) Input(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	return r.gitInput(ctx, stdin, args...)
}

// StartPiped starts cmd with a pipe to its standard input and one from its
// standard output, and leaves no descriptor open when it fails.
func StartPiped(cmd *exec.Cmd) (io.WriteCloser, io.ReadCloser, error) { return gitcmd.StartPiped(cmd) }

// GitError describes a failed git command: its first words, what it printed
// on standard error, and a hint when the message points at a corrupt
// repository or a missing revision.
func GitError(args []string, err error, stderr string) error { return gitError(args, err, stderr) }

// GrowPipe enlarges the kernel buffer of a pipe git writes to (where the
// platform allows), so a long stream is read in fewer, larger pieces.
func GrowPipe(r io.Reader) { gitcmd.GrowPipe(r) }

// EachLine calls fn for each line of r without its newline; lines of any
// length are handled.
func EachLine(r io.Reader, fn func([]byte) error) error { return eachLine(r, fn) }

// LogFormat is the --format that ReadLog parses: each commit framed by NULs,
// which appear in neither diffs nor commit metadata.
const LogFormat = logFormat

// ReadLog splits `git log` or `git diff-tree --stdin` output printed with
// LogFormat: for each commit it calls commit with its metadata and message,
// then line for each line up to the next commit, and done at the end.
func ReadLog(r io.Reader, commit func(*scanner.Commit, []byte) error, line func([]byte) error, done func() error) error {
	return readLog(r, commit, line, done)
}

// UnquotePath decodes git's C-style quoting of a path name.
func UnquotePath(b []byte) string { return unquotePath(b) }
