package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Set at build time with -ldflags "-X main.version=… -X main.commit=… -X main.date=…"
// (goreleaser, the GitHub Action). Without them, the module's build
// information says what it can: the module version for `go install …@v1.2.3`,
// the commit and its time for a build in a git checkout.
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

// buildInfo is what the binary knows about itself.
type buildInfo struct {
	version, commit, date string
	modified              bool
}

// readBuildInfo combines the link-time variables with the module's build
// information (debug.ReadBuildInfo), the variables winning where set.
func readBuildInfo(bi *debug.BuildInfo, ok bool) buildInfo {
	b := buildInfo{version: version, commit: commit, date: date}
	if !ok || bi == nil {
		return b
	}
	if b.version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if b.commit == "none" {
				b.commit = s.Value
			}
		case "vcs.time":
			if b.date == "unknown" {
				b.date = s.Value
			}
		case "vcs.modified":
			b.modified = s.Value == "true"
		}
	}
	return b
}

// String is the line `rampart version` and `rampart --version` print.
func (b buildInfo) String() string {
	var parts []string
	if b.commit != "none" && b.commit != "" {
		c := b.commit
		if len(c) > 12 {
			c = c[:12]
		}
		if b.modified {
			c += ", modified"
		}
		parts = append(parts, "commit "+c)
	}
	if b.date != "unknown" && b.date != "" {
		parts = append(parts, "built "+b.date)
	}
	parts = append(parts, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH)
	return fmt.Sprintf("rampart %s (%s)", b.version, strings.Join(parts, ", "))
}

// toolVersion is the version reports name.
func toolVersion() string { return readBuildInfo(debug.ReadBuildInfo()).version }

func newVersionCmd(s *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit and build date (also: rampart --version)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(s.out, readBuildInfo(debug.ReadBuildInfo()))
			return nil
		},
	}
}
