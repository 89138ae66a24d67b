package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/fatih/color"

	"github.com/rampart-sec/rampart/hardening"
)

type auditPalette struct {
	status map[string]*color.Color
	sev    map[hardening.Severity]*color.Color
	bold   *color.Color
	dim    *color.Color
}

func newAuditPalette(on bool) auditPalette {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return auditPalette{
		status: map[string]*color.Color{
			"pass": mk(color.FgGreen), "fail": mk(color.FgRed, color.Bold), "warn": mk(color.FgYellow),
			"unknown": mk(color.FgMagenta), "waived": mk(color.FgCyan),
		},
		sev: map[hardening.Severity]*color.Color{
			hardening.SeverityCritical: mk(color.FgRed, color.Bold), hardening.SeverityHigh: mk(color.FgRed),
			hardening.SeverityMedium: mk(color.FgYellow), hardening.SeverityLow: mk(color.FgCyan), hardening.SeverityInfo: mk(color.FgBlue),
		},
		bold: mk(color.Bold),
		dim:  mk(color.Faint),
	}
}

// checkWidth is the width of the check column: the longest check ID.
func checkWidth() int {
	n := 0
	for _, c := range hardening.Checks() {
		n = max(n, len(c.ID))
	}
	return n
}

func writeAuditText(w io.Writer, r *AuditReport, o AuditOptions) error {
	p := newAuditPalette(o.Color)
	ew := &errWriter{w: w}
	cw := checkWidth()
	indent := strings.Repeat(" ", 2+8+1+9+1+cw+2)
	for _, t := range r.Report.Targets {
		head := p.bold.Sprint(Safe(t.Name)) + p.dim.Sprintf(" (%s)", t.Kind)
		if t.Score != nil {
			head += fmt.Sprintf("  score %.1f/10", *t.Score)
		}
		ew.printf("%s\n", head)
		if t.Error != "" {
			ew.printf("  %s %s\n\n", p.status["fail"].Sprint("error:"), Safe(t.Error))
			continue
		}
		ew.printf("  %s\n", p.dim.Sprintf("%-8s %-9s %-*s  %s", "STATUS", "SEVERITY", cw, "CHECK", "EVIDENCE"))
		shown := 0
		for i := range t.Results {
			res := &t.Results[i]
			label := auditLabel(res)
			if o.Quiet && label == "pass" {
				continue
			}
			shown++
			st := label
			if label == "fail" {
				st = "FAIL"
			}
			ew.printf("  %s %s %-*s  %s\n",
				p.status[label].Sprintf("%-8s", st), p.sev[res.Severity].Sprintf("%-9s", res.Severity), cw, res.Check, Safe(res.Evidence))
			switch {
			case res.Waiver != nil && !res.Waiver.Expired:
				ew.printf("%s%s\n", indent, p.dim.Sprintf("waived until %s: %s", res.Waiver.Expires, Safe(res.Waiver.Reason)))
			case res.Status == hardening.StatusFail || res.Status == hardening.StatusWarn:
				ew.printf("%s%s %s\n", indent, p.bold.Sprint("fix:"), Safe(res.Remediation))
			case res.Status == hardening.StatusUnknown && res.Permission != "":
				ew.printf("%s%s %s\n", indent, p.bold.Sprint("needs:"), Safe(res.Permission))
			}
		}
		if shown == 0 {
			ew.printf("  %s\n", p.dim.Sprint("every check passed"))
		}
		ew.printf("\n")
	}
	writeAuditTextSummary(ew, p, r, cw)
	return ew.err
}

func writeAuditTextSummary(w *errWriter, p auditPalette, r *AuditReport, cw int) {
	s := r.Report.Summary
	line := fmt.Sprintf("%s: %d %s", p.bold.Sprint("Summary"), s.Repositories, auditPlural(s.Repositories, "repository", "repositories"))
	if s.Organization != "" {
		line += " in " + Safe(s.Organization)
	}
	if s.AverageScore != nil {
		line += fmt.Sprintf(", average score %.1f/10", *s.AverageScore)
	}
	line += fmt.Sprintf("; %d pass, %d fail, %d warn, %d unknown", s.Pass, s.Fail, s.Warn, s.Unknown)
	if s.Waived > 0 {
		line += fmt.Sprintf(", %d waived", s.Waived)
	}
	if s.Errors > 0 {
		line += fmt.Sprintf("; %d %s could not be read", s.Errors, auditPlural(s.Errors, "repository", "repositories"))
	}
	w.printf("%s\n", line)
	if s.Repositories > 1 && len(s.Checks) > 0 {
		w.printf("  %s\n", p.dim.Sprintf("%-*s  %5s %5s %5s %7s", cw, "CHECK", "PASS", "FAIL", "WARN", "UNKNOWN"))
		for _, c := range s.Checks {
			fails := fmt.Sprintf("%5d", c.Fail)
			if c.Fail > 0 {
				fails = p.status["fail"].Sprint(fails)
			}
			w.printf("  %-*s  %5d %s %5d %7d\n", cw, c.Check, c.Pass, fails, c.Warn, c.Unknown)
		}
	}
	if n := r.Report.Failing(r.FailOn); n > 0 {
		w.printf("%s\n", p.status["fail"].Sprintf("%d failed %s at or above %s.", n, auditPlural(n, "check", "checks"), r.FailOn))
	} else {
		w.printf("%s\n", p.status["pass"].Sprintf("No failed check at or above %s.", r.FailOn))
	}
	if r.Requests > 0 {
		w.printf("%s\n", p.dim.Sprintf("%d API %s counted against the rate limit.", r.Requests, auditPlural(int(r.Requests), "request", "requests")))
	}
	for _, n := range r.Notes {
		w.printf("%s\n", p.dim.Sprint("note: "+Safe(n)))
	}
}
