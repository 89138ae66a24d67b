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

// githubEventSource reads the GitHub Actions event that started the workflow
// ($GITHUB_EVENT_NAME, and the payload at $GITHUB_EVENT_PATH) and returns a
// source for the commits it introduced, or nil when there is nothing to scan
// (a deleted branch). The decision itself lives in gitsource.Decide.
func githubEventSource(ctx context.Context, o *scanOptions, s *streams, repo *gitsource.Repo, gopts gitsource.Options) (scanner.Source, error) {
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
	var logf func(string, ...any)
	if !o.quiet {
		logf = func(format string, args ...any) {
			fmt.Fprintf(s.err, "rampart: %s\n", report.Safe(fmt.Sprintf(format, args...)))
		}
	}
	newHistory := func(r *gitsource.Repo, o gitsource.Options) scanner.StatsSource {
		return &history.History{Repo: r, Opts: o}
	}
	src, err := gitsource.EventSource(ctx, repo, ev, gopts, newHistory, logf)
	if err != nil {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("--github-event: %w", err)}
	}
	if src == nil {
		// A nil interface, not a typed nil: runScan treats it as "nothing to scan".
		if logf != nil {
			logf("%s: nothing to scan (the push deleted %s)", name, ev.Ref)
		}
		return nil, nil
	}
	return src, nil
}
