package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/rampart-sec/rampart/report"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// trustedRev is a commit whose configuration and baseline govern a scan
// instead of the checkout's: a pull request's base, which holds what the
// target branch holds, as reviewed and merged. Read from the checkout, a
// pull request's own .rampart.toml could allow-list the secret it adds.
type trustedRev struct {
	repo *gitsource.Repo
	rev  string
	// why names what made the commit the trusted one ("pull_request #42",
	// "--config-from origin/main").
	why string
	// kind is what the commit is to the scan: "base commit", "commit".
	kind string
	logf func(string, ...any) // nil with --quiet
}

// where names the commit in notes: "the base commit 0123456789ab".
func (t *trustedRev) where() string {
	return "the " + t.kind + " " + shortRev(t.rev)
}

// resolveConfigFrom resolves --config-from REV for scan and audit alike:
// the commit of repo (the repository the command runs in; nil outside one)
// whose configuration governs instead of the work tree's. REV must name a
// commit the clone holds: one it lacks is an error, never a fallback.
func resolveConfigFrom(ctx context.Context, repo *gitsource.Repo, rev string, s *streams, quiet bool) (*trustedRev, error) {
	if repo == nil || repo.Bare {
		return nil, usageErr("--config-from %s reads the configuration from a commit: run rampart in a git repository with a work tree", report.Safe(rev))
	}
	id, err := repo.ResolveCommit(ctx, rev)
	if err != nil {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("--config-from: %w", err)}
	}
	t := &trustedRev{repo: repo, rev: id, why: "--config-from " + report.Safe(rev), kind: "commit"}
	if !quiet {
		t.logf = func(format string, args ...any) {
			fmt.Fprintf(s.err, "rampart: %s\n", report.Safe(fmt.Sprintf(format, args...)))
		}
	}
	return t, nil
}

func shortRev(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// governed is a file that decides what a scan reports (the configuration,
// the baseline), as the scan will read it.
type governed struct {
	// rel is the file's path from the top of the work tree, slash-separated,
	// or "" when it lies outside the repository (a file the workflow
	// provides, which no change to the repository can edit).
	rel string
	// data is the file's content at the trusted commit, when read there;
	// absent says that commit has no such file.
	data   []byte
	absent bool
	// name is how errors and notes call it.
	name string
}

// readGoverned reads file from t's commit when it lies inside t's
// repository (wherever the checkout's copy came from), and says it is to be
// read from disk otherwise. Without t (no trusted commit) only rel is set.
// A file that cannot be read at the commit for any other reason than its
// absence is an error: the scan must not fall back to the checkout's copy.
// flag is the option that names such a file (--config, --baseline,
// --policy), for advice.
func readGoverned(ctx context.Context, repo *gitsource.Repo, t *trustedRev, file, flag string) (*governed, error) {
	g := &governed{name: file}
	if repo == nil || repo.Bare {
		return g, nil
	}
	g.rel = repoRel(repo, file)
	if t == nil || g.rel == "" {
		return g, nil
	}
	g.name = shortRev(t.rev) + ":" + g.rel
	data, err := t.repo.FileAt(ctx, t.rev, g.rel)
	var link *gitsource.SymlinkError
	switch {
	case errors.Is(err, gitsource.ErrNotInCommit):
		g.absent = true
	case errors.As(err, &link):
		// Followed on disk, the link would lead to the checkout's file:
		// the change's own copy, which is what reading the commit avoids.
		fix := "commit the file itself as " + g.rel
		if target := path.Join(path.Dir(g.rel), link.Target); !path.IsAbs(link.Target) && target != ".." && !strings.HasPrefix(target, "../") {
			fix += fmt.Sprintf(", or pass %s %s (the file it points to, from the top of the repository, read from that commit too)", flag, report.Safe(target))
		}
		return nil, fmt.Errorf("%s: %s holds %s as a symbolic link (to %s), which rampart does not follow: on disk it leads to the checkout's file, which the change could edit, and %s is read from %s alone; %s",
			t.why, t.where(), g.rel, report.Safe(link.Target), g.rel, t.where(), fix)
	case err != nil:
		return nil, fmt.Errorf("%s: %s is read from %s, not from the checkout, and cannot be read there: %w", t.why, g.rel, t.where(), err)
	default:
		g.data = data
	}
	return g, nil
}

// readGovernedConfig reads the configuration file a command obeys under t
// (which is not nil): explicit, named by flag (--config, --policy), else
// def, .rampart.toml at the repository root; what names it in notes
// ("configuration", "policy"). When g.rel is "" the file lies outside the
// repository and is read from disk as without t; when g.absent, the
// built-in configuration applies, and a note (also logged) says that the
// checkout's copy was not used; otherwise g.data is the commit's file. An
// explicit file the commit lacks is an error: the built-in configuration is
// not what its user asked for, and a file named in every run is a typo or
// a configuration not yet merged.
func readGovernedConfig(ctx context.Context, t *trustedRev, flag, explicit, def, what string) (*governed, []string, error) {
	file := explicit
	if file == "" {
		file = def
	}
	g, err := readGoverned(ctx, t.repo, t, file, flag)
	switch {
	case err != nil:
		return nil, nil, err
	case g.rel == "":
		return g, nil, nil
	case g.absent && explicit != "":
		return nil, nil, fmt.Errorf("%s: %s has no %s (%s %s): a file inside the repository is read from the %s, never from the checkout, which the change could edit; commit %s to the base branch first (on its own, before the change that uses it), or pass %s a file outside the repository",
			t.why, t.where(), g.rel, flag, explicit, t.kind, g.rel, flag)
	case g.absent:
		var notes []string
		if _, err := os.Stat(file); err == nil {
			// Loud: the checkout has a configuration, and it is ignored.
			msg := fmt.Sprintf("%s: %s has no %s, so the built-in %s applies: the checkout's %s (the change's own) was NOT used", t.why, t.where(), g.rel, what, g.rel)
			notes = append(notes, msg)
			if t.logf != nil {
				t.logf("%s", msg)
			}
		}
		return g, notes, nil
	}
	if t.logf != nil {
		t.logf("%s: %s read from %s in %s, not from the checkout", t.why, what, g.rel, t.where())
	}
	return g, nil, nil
}

// repoRel returns file's path from the top of repo's work tree,
// slash-separated, or "" when it lies outside it (or inside .git). A path
// inside the work tree by its name is inside, whatever symbolic links in
// the checkout say: the checkout is what is not trusted.
func repoRel(repo *gitsource.Repo, file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return ""
	}
	roots := []string{repo.Dir}
	if r, err := filepath.EvalSymlinks(repo.Dir); err == nil && r != repo.Dir {
		roots = append(roots, r)
	}
	paths := []string{abs}
	// The working directory may be reached through a link (/tmp on macOS):
	// resolve the folders above the file, never the file itself first.
	if d, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		paths = append(paths, filepath.Join(d, filepath.Base(abs)))
	}
	if p, err := filepath.EvalSymlinks(abs); err == nil {
		paths = append(paths, p)
	}
	for _, p := range paths {
		for _, root := range roots {
			rel, err := filepath.Rel(root, p)
			if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				continue
			}
			rel = filepath.ToSlash(rel)
			if rel == ".git" || strings.HasPrefix(rel, ".git/") {
				return ""
			}
			return rel
		}
	}
	return ""
}

// governedPath is where a file that governs a scan lies in the repository
// (rel, "" outside it), and whether the trusted commit it was read from
// lacks it (absent: the built-in defaults, or an empty baseline, applied).
type governedPath struct {
	rel    string
	absent bool
}

// loadGovernedConfig loads the scan's configuration: --config, else
// .rampart.toml at the repository root (loc's configuration directory),
// else the built-in defaults; with t, a file inside the repository is read
// from t's commit (readGovernedConfig): a .rampart.toml that commit lacks
// means the built-in defaults whatever the checkout holds, and a --config
// it lacks is an error. It returns the file's path in the repository (""
// outside it) and notes for the report.
func loadGovernedConfig(ctx context.Context, o *scanOptions, loc *location, t *trustedRev) (*scanner.Config, governedPath, []string, error) {
	if t == nil {
		cfg, err := loadScanConfig(o, loc)
		if err != nil {
			return nil, governedPath{}, nil, err
		}
		rel := ""
		if o.config != "" && loc.repo != nil && !loc.repo.Bare {
			rel = repoRel(loc.repo, o.config)
		}
		return cfg, governedPath{rel: rel}, nil, nil
	}
	g, notes, err := readGovernedConfig(ctx, t, "--config", o.config, filepath.Join(loc.configDir, scanner.ConfigFileName), "configuration")
	switch {
	case err != nil:
		return nil, governedPath{}, nil, err
	case g.rel == "":
		// Outside the work tree: the workflow's own file, which no change
		// to the repository edits.
		cfg, err := loadScanConfig(o, loc)
		return cfg, governedPath{}, nil, err
	case g.absent:
		cfg, err := scanner.DefaultConfig()
		return cfg, governedPath{g.rel, true}, notes, err
	}
	cfg, err := scanner.ParseConfig(g.name, g.data)
	return cfg, governedPath{rel: g.rel}, nil, err
}

// loadGovernedBaseline loads --baseline FILE; with t, a file inside the
// repository is read from t's commit, and one that commit lacks accepts
// nothing whatever the checkout holds. It returns the file's path in the
// repository ("" outside it) and notes for the report.
func loadGovernedBaseline(ctx context.Context, repo *gitsource.Repo, t *trustedRev, file string) (*scanner.Baseline, governedPath, []string, error) {
	g, err := readGoverned(ctx, repo, t, file, "--baseline")
	if err != nil {
		return nil, governedPath{}, nil, err
	}
	switch {
	case t == nil || g.rel == "":
		b, err := scanner.LoadBaseline(file)
		if errors.Is(err, fs.ErrNotExist) {
			// "open x: no such file" alone does not say how a baseline comes to be.
			err = fmt.Errorf("baseline %s does not exist: write it with `rampart baseline -o %s` (the scan's own flags), or drop --baseline", report.Safe(file), report.Safe(file))
		}
		return b, governedPath{rel: g.rel}, nil, err
	case g.absent:
		msg := fmt.Sprintf("%s: %s has no baseline %s: no finding is accepted as known; the checkout's %s (the change's own) was NOT used", t.why, t.where(), g.rel, g.rel)
		if t.logf != nil {
			t.logf("%s", msg)
		}
		return &scanner.Baseline{Version: 1}, governedPath{g.rel, true}, []string{msg}, nil
	}
	if t.logf != nil {
		t.logf("%s: baseline read from %s in %s, not from the checkout", t.why, g.rel, t.where())
	}
	b, err := scanner.ParseBaseline(g.name, g.data)
	return b, governedPath{rel: g.rel}, nil, err
}
