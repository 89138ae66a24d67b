package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the owner of this command within this session.
func newHookCmd(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:    "hook",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return &exitErr{code: exitError, err: errors.New("hook: not available in this build")}
		},
	}
}
