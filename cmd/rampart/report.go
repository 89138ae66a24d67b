package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/report"
)

// reportOptions are the flags of `rampart report merge`.
type reportOptions struct {
	format string
	output string
	failOn string
}

func newReportCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Work with JSON reports written by scan and audit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErr("report: want a subcommand (merge)")
		},
	}
	o := &reportOptions{}
	merge := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Join the JSON reports of sharded runs into one report",
		Long: `Join the JSON reports of sharded runs (rampart audit --shard I/N, or one scan per repository)
into one report. Scan reports merge into one scan report, written in any scan format; audit reports merge
into one audit with the summary and scores recomputed, written in any audit format. "-" reads standard input.

Exit status, as the runs merged would give it: 0 nothing found / no check failed, 1 the merged report holds
a finding (at or above --fail-on) or a failed check at or above --fail-on (default low), 2 usage or runtime
error. The report is written whatever the status.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr("report merge: want the JSON reports to join (rampart scan or rampart audit with --format json; - reads standard input)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReportMerge(o, s, args)
		},
	}
	merge.Flags().StringVar(&o.format, "format", "json", "output format (scan reports: "+strings.Join(report.ScanFormats, ", ")+"; audit reports: "+strings.Join(report.AuditFormats, ", ")+")")
	merge.Flags().StringVarP(&o.output, "output", "o", "", "write to `FILE` instead of standard output")
	merge.Flags().StringVar(&o.failOn, "fail-on", "", "exit 1 only for findings, or failed checks, at or above `SEVERITY` (info, low, medium, high, critical; default: any finding, a failed check at or above low)")
	cmd.AddCommand(merge)
	return cmd
}

func runReportMerge(o *reportOptions, s *streams, files []string) error {
	if err := checkOutput("merged report", o.output); err != nil {
		return err
	}
	if o.failOn != "" {
		if _, err := patterns.ParseSeverity(o.failOn); err != nil {
			return usageErr("--fail-on: %v", err)
		}
	}
	var scans []*report.JSONScan
	var audits []*report.AuditJSON
	var scanNames, auditNames []string
	version := ""
	var read []os.FileInfo
	warn := func(msg string) { fmt.Fprintf(s.err, "rampart: warning: %s\n", report.Safe(msg)) }
	for _, name := range files {
		var data []byte
		var err error
		if name == "-" {
			data, err = io.ReadAll(s.in)
		} else {
			// The same file named twice (a shell glob and a name, a path
			// and a relative path) is read once.
			if st, serr := os.Stat(name); serr == nil {
				dup := false
				for _, prev := range read {
					dup = dup || os.SameFile(prev, st)
				}
				if dup {
					warn(name + " is given twice: read once")
					continue
				}
				read = append(read, st)
			}
			data, err = os.ReadFile(name)
		}
		if err != nil {
			return &exitErr{code: exitError, err: fmt.Errorf("read %s: %w", name, err)}
		}
		p, err := report.ParseJSON(data)
		if err != nil {
			return &exitErr{code: exitError, err: fmt.Errorf("%s: %w", name, err)}
		}
		if p.Scan != nil {
			scans, scanNames = append(scans, p.Scan), append(scanNames, name)
			version = p.Scan.Tool.Version
		} else {
			audits, auditNames = append(audits, p.Audit), append(auditNames, name)
			version = p.Audit.Tool.Version
		}
	}
	if len(scans) > 0 && len(audits) > 0 {
		return usageErr("report merge: cannot merge scan and audit reports together (%s is a scan report, %s an audit report)", scanNames[0], auditNames[0])
	}
	if len(scans) > 0 && !validFormat(o.format) {
		return usageErr("unknown format %q (want %s)", o.format, strings.Join(report.ScanFormats, ", "))
	}
	var w io.Writer = s.out
	if o.output != "" && o.output != "-" {
		f, err := createReport(o.output, holdsPlaintext(scans))
		if err != nil {
			return &exitErr{code: exitError, err: fmt.Errorf("write report: %w", err)}
		}
		defer f.Close()
		w = f
	}
	if len(scans) > 0 {
		kept, warnings := report.DuplicateScans(scans, scanNames)
		for _, m := range warnings {
			warn(m)
		}
		merged := report.MergeScans(kept)
		if err := writeMergedScan(w, o.format, merged); err != nil {
			return err
		}
		// The merged report is the verdict of the runs it joins: a gate on
		// it (a matrix's merge job) fails as the scan of one repository does.
		if mergedFailing(merged.Findings, o.failOn) {
			return findingsExit()
		}
		return nil
	}
	kept, warnings := report.DuplicateAudits(audits, auditNames)
	for _, m := range warnings {
		warn(m)
	}
	var reps []*hardening.Report
	var notes []string
	for _, a := range kept {
		reps = append(reps, report.AuditFromJSON(a))
		// Shards of one audit say the same about the policy: once.
		for _, n := range a.Notes {
			if !slices.Contains(notes, n) {
				notes = append(notes, n)
			}
		}
	}
	// The shards' policies are not in their reports: the built-in policy's
	// threshold, unless --fail-on says otherwise.
	failOn := hardening.SeverityLow
	if o.failOn != "" {
		failOn, _ = hardening.ParseSeverity(o.failOn)
	}
	rep := &report.AuditReport{Version: version, Report: hardening.Merge(reps...), FailOn: failOn, Notes: notes}
	if err := report.WriteAudit(w, o.format, rep, report.AuditOptions{}); err != nil {
		return &exitErr{code: exitError, err: err}
	}
	if rep.Report.Failing(failOn) > 0 {
		return findingsExit()
	}
	return nil
}

// mergedFailing reports whether any merged finding is at or above the
// --fail-on threshold (any finding at all when none is set). A severity the
// report does not name counts: a merge never passes what it cannot judge.
func mergedFailing(fs []report.JSONFinding, failOn string) bool {
	if failOn == "" {
		return len(fs) > 0
	}
	min, _ := patterns.ParseSeverity(failOn)
	for _, f := range fs {
		if sev, err := patterns.ParseSeverity(f.Severity); err != nil || sev >= min {
			return true
		}
	}
	return false
}

// holdsPlaintext reports whether any finding of the scan reports carries
// its secret in full: shards written with --show-secrets. Their merge holds
// the same plaintext and is written owner-only, as the shards were. A
// redacted secret always ends in an ellipsis (scanner.Redact).
func holdsPlaintext(scans []*report.JSONScan) bool {
	for _, sc := range scans {
		for _, f := range sc.Findings {
			if f.Secret != "" && !strings.HasSuffix(f.Secret, "…") {
				return true
			}
		}
	}
	return false
}
