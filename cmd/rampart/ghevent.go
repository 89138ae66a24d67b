package main

import (
	"context"
	"fmt"
	"os"

	"github.com/rampart-sec/rampart/report"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
	"github.com/rampart-sec/rampart/scanner/gitsource/history"
)

// githubEvent is the GitHub Actions event that started the workflow,
// resolved: the commits it introduced are in the clone.
type githubEvent struct {
	ev   *gitsource.Event
	plan gitsource.Plan
	logf func(string, ...any) // nil with --quiet
}

// resolveGitHubEvent reads the event ($GITHUB_EVENT_NAME, and the payload
// at $GITHUB_EVENT_PATH), decides what it introduced and fetches what the
// clone lacks (gitsource.ResolveEvent). It runs before the configuration is
// read: a pull request's configuration is its base commit's, which a
// shallow clone holds only once this has fetched it.
func resolveGitHubEvent(ctx context.Context, o *scanOptions, s *streams, repo *gitsource.Repo) (*githubEvent, error) {
	name := os.Getenv("GITHUB_EVENT_NAME")
	path := os.Getenv("GITHUB_EVENT_PATH")
	if name == "" {
		return nil, usageErr("--github-event: GITHUB_EVENT_NAME is not set: run inside GitHub Actions, or use --range A..B or --history")
	}
	var payload []byte
	switch {
	case path != "":
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, &exitErr{code: exitError, err: fmt.Errorf("--github-event: read the event payload: %w", err)}
		}
		payload = data
	case name == "schedule" || name == "workflow_dispatch":
		payload = []byte("{}")
	default:
		return nil, usageErr("--github-event: GITHUB_EVENT_PATH is not set (the %s event's payload says what to scan)", name)
	}
	ev, err := gitsource.ParseEvent(name, payload)
	if err != nil {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("--github-event: %w", err)}
	}
	g := &githubEvent{ev: ev}
	if !o.quiet {
		g.logf = func(format string, args ...any) {
			fmt.Fprintf(s.err, "rampart: %s\n", report.Safe(fmt.Sprintf(format, args...)))
		}
	}
	g.plan, err = gitsource.ResolveEvent(ctx, repo, ev, g.logf)
	if err != nil {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("--github-event: %w", err)}
	}
	return g, nil
}

// trusted returns the commit whose configuration and baseline govern the
// scan (a pull request's base: gitsource.Event.TrustedBase), or nil when
// the checkout's do. The plan put that commit in the clone.
func (g *githubEvent) trusted(repo *gitsource.Repo) *trustedRev {
	base := g.ev.TrustedBase()
	if base == "" {
		return nil
	}
	what := g.ev.Name
	if g.ev.Number > 0 {
		what += fmt.Sprintf(" #%d", g.ev.Number)
	}
	return &trustedRev{repo: repo, rev: base, why: what, kind: "base commit", logf: g.logf}
}

// source returns the source that scans what the event introduced, or nil
// when there is nothing to scan (a deleted branch).
func (g *githubEvent) source(repo *gitsource.Repo, gopts gitsource.Options) scanner.Source {
	newHistory := func(r *gitsource.Repo, o gitsource.Options) scanner.StatsSource {
		return &history.History{Repo: r, Opts: o}
	}
	src := g.plan.Source(repo, gopts, newHistory)
	if src == nil {
		if g.logf != nil {
			g.logf("%s: nothing to scan (the push deleted %s)", g.ev.Name, g.ev.Ref)
		}
		// A nil interface, not a typed nil: runScan treats it as "nothing to scan".
		return nil
	}
	return src
}
