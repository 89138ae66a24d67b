package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/rampart-sec/rampart/githook"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// prePushSource reads git's pre-push protocol from s.in and returns a source
// over exactly the commits the remote does not have yet, or nil when the push
// only deletes refs. Malformed input is an exit-2 error.
func prePushSource(ctx context.Context, o *scanOptions, s *streams, repo *gitsource.Repo, gopts gitsource.Options) (scanner.Source, error) {
	in := s.in
	if in == nil {
		in = strings.NewReader("")
	}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return nil, usageErr("--pre-push reads git's pre-push protocol on standard input; it is meant to run from the pre-push hook (rampart hook install)")
	}
	updates, err := githook.ParsePrePush(in)
	if err != nil {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("--pre-push: %w", err)}
	}
	revs, err := prePushRevs(ctx, repo, o.remote, updates)
	if err != nil {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("--pre-push: %w", err)}
	}
	if revs == nil {
		return nil, nil
	}
	return &gitsource.Commits{Repo: repo, Revs: revs, Opts: gopts}, nil
}

// prePushRevs builds the `git rev-list` arguments for a push: every pushed
// commit (annotated tags peeled), excluded by everything the remote is known
// to have: its remote-tracking refs when remote names a remote, and each
// remote object being updated that exists locally (a fast-forward's old tip,
// a force push's discarded tip). A new branch thus scans only commits on no
// remote-tracking ref of that remote; a deletion scans nothing. It returns
// nil when there is nothing to scan.
func prePushRevs(ctx context.Context, repo *gitsource.Repo, remote string, updates []githook.Update) ([]string, error) {
	var include, exclude []string
	included, excluded := map[string]bool{}, map[string]bool{}
	for _, u := range updates {
		if u.IsDelete() {
			continue
		}
		if !repo.HasCommit(ctx, u.LocalOID) {
			if _, err := repo.Git(ctx, "cat-file", "-e", u.LocalOID); err == nil {
				// A tag of a tree or a blob: it introduces no commits.
				continue
			}
			return nil, fmt.Errorf("%s (pushed as %s) is not in this repository", u.LocalOID, u.RemoteRef)
		}
		if rev := u.LocalOID + "^{commit}"; !included[rev] {
			included[rev] = true
			include = append(include, rev)
		}
		// An object both pushed and already on the remote stays excluded:
		// the remote has it.
		if rev := u.RemoteOID + "^{commit}"; !u.IsCreate() && !excluded[rev] && repo.HasCommit(ctx, u.RemoteOID) {
			excluded[rev] = true
			exclude = append(exclude, rev)
		}
	}
	if len(include) == 0 {
		return nil, nil
	}
	if name := remoteName(ctx, repo, remote); name != "" {
		exclude = append([]string{"--remotes=" + name}, exclude...)
	}
	if len(exclude) == 0 {
		return include, nil
	}
	return append(append(include, "--not"), exclude...), nil
}

// remoteName returns the configured remote the hook's first argument names:
// itself, or, when git was given a URL, the remote with that URL. It returns
// "" for a remote that is not configured: nothing is known about what it has
// beyond the objects the protocol names, so a new branch is scanned whole.
func remoteName(ctx context.Context, repo *gitsource.Repo, arg string) string {
	if arg == "" {
		return ""
	}
	out, err := repo.Git(ctx, "config", "--get-regexp", `^remote\..*\.(url|pushurl)$`)
	if err != nil {
		return "" // exit 1: no remotes configured
	}
	byURL := ""
	for _, line := range strings.Split(string(out), "\n") {
		key, url, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		name := strings.TrimPrefix(key, "remote.")
		if i := strings.LastIndexByte(name, '.'); i > 0 {
			name = name[:i]
		}
		switch {
		case name == arg && validRemoteName(name):
			return name
		case url == arg && byURL == "" && validRemoteName(name):
			byURL = name
		}
	}
	return byURL
}

// validRemoteName reports whether name can be a configured remote's name
// (the hook's first argument is a URL when the push names no remote), and is
// safe as a --remotes glob.
func validRemoteName(name string) bool {
	if name == "" || strings.HasPrefix(name, "-") || strings.Contains(name, "..") || strings.ContainsAny(name, "*?[\\:~^") {
		return false
	}
	for _, c := range name {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}
