package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// PLACEHOLDER: replaced by the owner of this command within this session.
func newRulesCmd(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:    "rules",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return &exitErr{code: exitError, err: errors.New("rules: not available in this build")}
		},
	}
}
