package main

import (
	"context"
	"errors"

	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// PLACEHOLDER: replaced by the owner of the git hooks within this session.
func prePushSource(ctx context.Context, o *scanOptions, s *streams, repo *gitsource.Repo, gopts gitsource.Options) (scanner.Source, error) {
	return nil, &exitErr{code: exitError, err: errors.New("--pre-push: not available in this build")}
}
