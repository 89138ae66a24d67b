package main

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sync"

	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/report"
)

// internalQualifier matches the package names library errors start with
// (STYLE.md: sentinels carry their package's name), at the start of a
// message or of a wrapped part of it. They tell a developer where an error
// came from and tell a user nothing, so the CLI leaves them out. (report
// is not among them: "report: …" is also how the report command speaks.)
var internalQualifier = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(^|: |\()(?:gitsource|ghcollect|github|hardening|githook|scanner|patterns|configimport|pack|history|orgscan|verify): `)
})

// userMessage is err as the user reads it: without package qualifiers.
func userMessage(err error) string {
	return internalQualifier().ReplaceAllString(err.Error(), "$1")
}

// snapshotError explains a --from-snapshot FILE that is not a snapshot:
// most often it is one of rampart's reports, given by mistake.
func snapshotError(name string, err error) error {
	if !errors.Is(err, hardening.ErrSnapshotVersion) {
		return fmt.Errorf("%s is not an audit snapshot (written by rampart audit --snapshot-out): %w", name, err)
	}
	if data, rerr := os.ReadFile(name); rerr == nil {
		if p, perr := report.ParseJSON(data); perr == nil {
			if p.Scan != nil {
				return fmt.Errorf("%s is a scan report (rampart scan --format json), not an audit snapshot (rampart audit --snapshot-out FILE)", name)
			}
			return fmt.Errorf("%s is an audit report (rampart audit --format json), not the snapshot it was made from (rampart audit --snapshot-out FILE); to join reports use rampart report merge", name)
		}
	}
	return fmt.Errorf("%s is not an audit snapshot this rampart reads: %w", name, err)
}
