package main

import (
	"context"
	"errors"

	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// PLACEHOLDER: replaced by the owner of the GitHub Action within this session.
func githubEventSource(ctx context.Context, o *scanOptions, s *streams, repo *gitsource.Repo, gopts gitsource.Options) (scanner.Source, error) {
	return nil, &exitErr{code: exitError, err: errors.New("--github-event: not available in this build")}
}
