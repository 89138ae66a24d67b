package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rampart-sec/rampart/report"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// location is what a scan's PATH resolves to. Every way of naming the same
// content (a folder, a file in it, from the root or from below, with or
// without --config) resolves the same configuration and reports the same
// paths, relative to the repository root.
type location struct {
	// repo is the repository that holds PATH (for --stdin and --commit-msg,
	// the current directory), or nil outside git; repoErr says why not.
	repo    *gitsource.Repo
	repoErr error
	// file is set when PATH names a file rather than a directory.
	file bool
	// configDir is where .rampart.toml is looked for: the root of the work
	// tree holding PATH, else PATH's directory (a file's own directory).
	configDir string
	// prefix is PATH relative to the work tree's root, slash-separated:
	// "app/conf/" for a folder, "app/conf/a.ini" for a file, "" at the
	// root or outside git.
	prefix string
	// root is the absolute directory the reported paths are relative to:
	// the work tree's root (a bare repository's git directory), else PATH
	// (a file's directory); scanned is PATH itself, absolute. Both have
	// symbolic links resolved, and are "" for --stdin and --commit-msg.
	root, scanned string
}

// locate resolves PATH (dir) for the mode o selects. Only the repository
// lookup may run git (gitsource.Open: git rev-parse, for the layouts it
// does not read itself), once.
func locate(ctx context.Context, o *scanOptions, dir string) (*location, error) {
	loc := &location{}
	at := dir
	switch {
	case o.stdin || o.commitMsg != "":
		at = "."
	default:
		st, err := os.Stat(dir)
		if err != nil {
			return nil, usageErr("scan %s: %v", dir, errors.Unwrap(err))
		}
		if !st.IsDir() {
			if !st.Mode().IsRegular() {
				// A pipe with no writer blocks rampart before it reads a
				// byte, and a device such as /dev/zero never ends: neither
				// is a file to scan (inside a folder they are skipped).
				return nil, usageErr("scan %s: not a regular file (a pipe, device or socket): give its content on standard input with --stdin (rampart scan --stdin < %s)", report.Safe(dir), report.Safe(dir))
			}
			loc.file = true
			at = filepath.Dir(dir)
		}
	}
	loc.repo, loc.repoErr = gitsource.Open(ctx, at)
	loc.configDir = at
	if loc.repo != nil && !loc.repo.Bare {
		loc.configDir = loc.repo.Dir
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	if phys, err := filepath.EvalSymlinks(abs); err == nil {
		abs = phys
	}
	if o.stdin || o.commitMsg != "" {
		return loc, nil
	}
	loc.scanned, loc.root = abs, abs
	if loc.file {
		loc.root = filepath.Dir(abs)
	}
	switch {
	case loc.repo == nil:
	case loc.repo.Bare:
		loc.root = loc.repo.GitDir
	default:
		if rel, err := filepath.Rel(loc.repo.Dir, abs); err == nil && !strings.HasPrefix(rel, "..") {
			loc.root = loc.repo.Dir
			if rel != "." {
				loc.prefix = filepath.ToSlash(rel)
				if !loc.file {
					loc.prefix += "/"
				}
			}
		}
	}
	return loc, nil
}

// locateAsync starts locate in the background; the function it returns
// waits for locate's answer.
func locateAsync(ctx context.Context, o *scanOptions, dir string) func() (*location, error) {
	var loc *location
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		loc, err = locate(ctx, o, dir)
	}()
	return func() (*location, error) {
		<-done
		return loc, err
	}
}

// gitModeFlag names the git mode o selects, for messages.
func gitModeFlag(o *scanOptions) string {
	switch {
	case o.staged:
		return "--staged"
	case o.prePush:
		return "--pre-push"
	case o.rangeSpec != "":
		return "--range"
	case o.githubEvent:
		return "--github-event"
	}
	return "--history"
}

// repoError says in the user's words why dir cannot be scanned as a
// repository.
func repoError(err error, dir, mode string) error {
	abs, aerr := filepath.Abs(dir)
	if aerr != nil {
		abs = dir
	}
	switch {
	case errors.Is(err, gitsource.ErrNotRepository):
		return fmt.Errorf("not a git repository: %s (%s reads git; run it inside a repository or give the repository's directory)", abs, mode)
	case errors.Is(err, gitsource.ErrGitMissing):
		return fmt.Errorf("%s needs git, and git is not on PATH", mode)
	}
	return err
}
