// Package gitsource reads git: staged changes, commit ranges, pushed commits
// and commit messages, each as a scanner.Source, and the repository itself
// (Repo: opening it, running git in it). Its subpackages read the rest:
// history (the full history by unique blob) and pack (the pack file format).
// Together they are the only packages that run the git binary or use go-git.
//
// The git binary does most of the reading: `git diff`/`git log -p` produce
// exactly the added lines a hook must judge.
package gitsource

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/rampart-sec/rampart/scanner/gitsource/cached"
	"github.com/rampart-sec/rampart/scanner/gitsource/gitcmd"
)

// ErrNotRepository is returned when a directory is not inside a git repository.
var ErrNotRepository = errors.New("gitsource: not a git repository")

// ErrGitMissing is returned when the git binary cannot be found.
var ErrGitMissing = errors.New("gitsource: git binary not found on PATH")

// Repo is an opened repository: a work tree, a bare repository or a mirror.
type Repo struct {
	// Dir is the directory git commands run in: the work tree's top level, or
	// the git directory of a bare repository.
	Dir string
	// GitDir is the repository's git directory.
	GitDir  string
	Bare    bool
	Shallow bool
	// ObjectFormat is how the repository names objects ("sha1",
	// "sha256"), as Open learnt it; empty when not known (a git before
	// 2.25, which only has SHA-1, or a Repo not made by Open).
	ObjectFormat string
}

// Open finds the repository containing dir (any subdirectory of a work
// tree, a linked worktree, or a bare repository).
func Open(ctx context.Context, dir string) (*Repo, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, ErrGitMissing
	}
	if r, err, ok := discover(dir, os.LookupEnv); ok {
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrNotRepository, dir)
		}
		return r, nil
	}
	return openWithGit(ctx, dir)
}

// openWithGit is Open asking git (discover did not take the layout).
func openWithGit(ctx context.Context, dir string) (*Repo, error) {
	// One git call: --show-cdup (the way up to the work tree's top) prints
	// nothing in a bare repository, where --show-toplevel would fail. A git
	// without --show-object-format (before 2.25) prints the option back.
	out, err := runGit(ctx, dir, "rev-parse", "--is-bare-repository", "--is-shallow-repository", "--absolute-git-dir", "--show-object-format", "--show-cdup")
	if err != nil {
		if strings.Contains(err.Error(), "not a git repository") {
			return nil, fmt.Errorf("%w: %s", ErrNotRepository, dir)
		}
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	f := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(f) < 4 {
		return nil, fmt.Errorf("open repository %s: unexpected rev-parse output %q", dir, out)
	}
	// The git directory's path may hold newlines (git prints it as it
	// is): it runs up to the object format's line, found from the end;
	// --show-cdup's lines follow that.
	at := 3
	for i := len(f) - 1; i > 3; i-- {
		if f[i] == "sha1" || f[i] == "sha256" || f[i] == "--show-object-format" {
			at = i
			break
		}
	}
	gitDir := strings.Join(f[2:at], "\n")
	r := &Repo{Bare: f[0] == "true", Shallow: f[1] == "true", GitDir: gitDir, Dir: gitDir}
	if !strings.HasPrefix(f[at], "-") {
		r.ObjectFormat = f[at]
	}
	if !r.Bare {
		// git resolved dir physically before walking up (git -C
		// link/.. is the link target's parent); do the same.
		abs, err := cached.Physical("", dir)
		if err != nil {
			return nil, fmt.Errorf("open repository %s: %w", dir, err)
		}
		cdup := strings.Join(f[at+1:], "\n")
		if filepath.IsAbs(cdup) {
			// Outside the work tree (GIT_WORK_TREE, core.worktree),
			// --show-cdup prints the work tree itself.
			r.Dir = cdup
		} else {
			r.Dir = filepath.Clean(filepath.Join(abs, cdup))
		}
	}
	return r, nil
}

// Git runs git with args in the repository and returns its standard output.
func (r *Repo) Git(ctx context.Context, args ...string) ([]byte, error) {
	return runGit(ctx, r.Dir, args...)
}

// HasCommit reports whether rev names a commit present in the repository
// (false for commits beyond a shallow clone's boundary).
func (r *Repo) HasCommit(ctx context.Context, rev string) bool {
	_, err := r.Git(ctx, "cat-file", "-e", rev+"^{commit}")
	return err == nil
}

// baseArgs are prepended to every git command (gitcmd.BaseArgs).
var baseArgs = gitcmd.BaseArgs

func gitCmd(ctx context.Context, dir string, args ...string) *exec.Cmd {
	return gitcmd.Command(ctx, dir, args...)
}

func runGit(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := gitCmd(ctx, dir, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, gitError(args, err, stderr.String())
	}
	return out, nil
}

func gitError(args []string, err error, stderr string) error {
	msg := strings.TrimSpace(stderr)
	if msg == "" {
		msg = err.Error()
	}
	if i := strings.IndexByte(msg, '\n'); i > 0 && len(msg) > 400 {
		msg = msg[:i]
	}
	hint := ""
	switch {
	case strings.Contains(msg, "bad object"), strings.Contains(msg, "unable to read"), strings.Contains(msg, "corrupt"),
		strings.Contains(msg, "invalid object"), strings.Contains(msg, "missing blob"), strings.Contains(msg, "missing tree"):
		hint = " (the repository may be corrupt or incomplete: run git fsck)"
	case strings.Contains(msg, "unknown revision"), strings.Contains(msg, "bad revision"), strings.Contains(msg, "Invalid revision range"):
		// A mistyped branch is as likely as a commit a shallow clone lacks.
		hint = " (no branch, tag or commit of that name in this repository: check the spelling; a commit beyond a shallow clone's boundary needs `git fetch --unshallow`, or actions/checkout with fetch-depth: 0)"
	}
	name := "git"
	if len(args) > 0 {
		name += " " + args[0]
	}
	return fmt.Errorf("%s: %s%s", name, msg, hint)
}

// stream runs git and hands its standard output to read; git's failure (after
// read returns) is reported with its stderr.
func (r *Repo) stream(ctx context.Context, read func(io.Reader) error, args ...string) error {
	return r.streamIn(ctx, nil, read, args...)
}

// streamIn is stream with git reading stdin (nil: none), the read end of
// a pipe: it is closed here once git holds it, so the writer sees a broken
// pipe rather than blocking if git dies.
func (r *Repo) streamIn(ctx context.Context, stdin *os.File, read func(io.Reader) error, args ...string) error {
	st, err := r.startStream(ctx, stdin, args...)
	if err != nil {
		return err
	}
	return st.finish(read)
}

// started is a git process whose standard output has not been read yet.
type started struct {
	*gitcmd.Stream
	cancel context.CancelFunc
	ctx    context.Context
}

// startStream starts git; finish reads its output.
func (r *Repo) startStream(ctx context.Context, stdin *os.File, args ...string) (*started, error) {
	ctx, cancel := context.WithCancel(ctx)
	var in io.Reader
	if stdin != nil {
		in = stdin
		defer stdin.Close()
	}
	st, err := gitcmd.Start(ctx, r.Dir, in, args...)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("start git: %w", err)
	}
	return &started{Stream: st, cancel: cancel, ctx: ctx}, nil
}

// adopt takes a git process started elsewhere (gitcmd.Start, from
// cmd/rampart/prestart) as startStream's own: cancelling ctx kills it.
func adopt(ctx context.Context, st *gitcmd.Stream) *started {
	ctx, cancel := context.WithCancel(ctx)
	context.AfterFunc(ctx, func() { st.Cmd.Process.Kill() })
	return &started{Stream: st, cancel: cancel, ctx: ctx}
}

// finish hands the output to read, then waits for git.
func (st *started) finish(read func(io.Reader) error) error {
	defer st.cancel()
	rerr := read(st.Stdout)
	if rerr != nil {
		st.cancel()
		io.Copy(io.Discard, st.Stdout)
		st.Cmd.Wait()
		return rerr
	}
	io.Copy(io.Discard, st.Stdout)
	if err := st.Cmd.Wait(); err != nil {
		if st.ctx.Err() != nil {
			return st.ctx.Err()
		}
		return gitError(st.Args, err, st.Stderr.String())
	}
	return nil
}

// abandon stops a started git whose output is not wanted.
func (st *started) abandon() {
	st.cancel()
	st.Stop()
}

// gitInput runs git with stdin and returns its standard output.
func (r *Repo) gitInput(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := gitCmd(ctx, r.Dir, args...)
	cmd.Stdin = bufio.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, gitError(args, err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// ErrNotInCommit is returned (wrapped) by FileAt when the commit has no
// file at the path.
var ErrNotInCommit = errors.New("gitsource: no such file in the commit")

// A SymlinkError is FileAt's answer for a path the commit holds as a
// symbolic link. FileAt does not follow it: resolved on disk, its target is
// the work tree's file (or one outside the repository), not the commit's.
type SymlinkError struct {
	// Path and Rev are FileAt's arguments.
	Path, Rev string
	// Target is what the link points to, as the commit records it.
	Target string
}

func (e *SymlinkError) Error() string {
	return fmt.Sprintf("read %s at %s: it is a symbolic link (to %q), which rampart does not follow there", e.Path, e.Rev, e.Target)
}

// FileAt returns the content of the file at path (slash-separated, relative
// to the top of the work tree) in commit rev, as the commit holds it,
// whatever the work tree says. A path the commit does not hold is
// ErrNotInCommit; a symbolic link there is a *SymlinkError and a directory
// an error, neither followed: what a link points to is not in the commit.
func (r *Repo) FileAt(ctx context.Context, rev, path string) ([]byte, error) {
	if strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("gitsource: %q is not a revision", rev)
	}
	// --literal-pathspecs: a name holding * or ? is a name, not a pattern.
	out, err := r.Git(ctx, "--literal-pathspecs", "ls-tree", "-z", "--full-tree", rev+"^{commit}", "--", path)
	if err != nil {
		return nil, fmt.Errorf("read %s at %s: %w", path, rev, err)
	}
	for _, entry := range strings.Split(string(out), "\x00") {
		meta, name, ok := strings.Cut(entry, "\t")
		if !ok || name != path {
			continue // a directory named path/ lists its contents
		}
		f := strings.Fields(meta)
		if len(f) != 3 {
			return nil, fmt.Errorf("read %s at %s: unexpected git ls-tree output %q", path, rev, entry)
		}
		switch mode, kind, id := f[0], f[1], f[2]; {
		case kind != "blob":
			return nil, fmt.Errorf("read %s at %s: it is a %s, not a file", path, rev, kind)
		case mode == "120000":
			// A link's blob is its target.
			target, err := r.Git(ctx, "cat-file", "blob", id)
			if err != nil {
				return nil, fmt.Errorf("read %s at %s: %w", path, rev, err)
			}
			return nil, &SymlinkError{Path: path, Rev: rev, Target: string(target)}
		default:
			data, err := r.Git(ctx, "cat-file", "blob", id)
			if err != nil {
				return nil, fmt.Errorf("read %s at %s: %w", path, rev, err)
			}
			return data, nil
		}
	}
	return nil, fmt.Errorf("%w: %s at %s", ErrNotInCommit, path, rev)
}

// ResolveCommit returns the full ID of the commit rev names (a branch, a
// tag, an abbreviated or full ID, HEAD~2); rev is never read as an option.
func (r *Repo) ResolveCommit(ctx context.Context, rev string) (string, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("gitsource: %q is not a revision", rev)
	}
	out, err := r.Git(ctx, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	id := strings.TrimSpace(string(out))
	if err != nil || id == "" {
		return "", fmt.Errorf("gitsource: %s does not name a commit in this clone (fetch it first)", rev)
	}
	return id, nil
}
