package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/rampart-sec/rampart/hardening"
)

// mdCell makes s safe inside a Markdown table cell: control characters
// escaped, pipes escaped (also inside code spans, as GFM tables need), HTML
// neutralised.
func mdCell(s string) string {
	s = Safe(s)
	r := strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

var mdStatus = map[string]string{
	"pass": "✅ pass", "fail": "❌ fail", "warn": "⚠️ warn", "unknown": "❔ unknown", "waived": "💤 waived",
}

func writeAuditMarkdown(w io.Writer, r *AuditReport, o AuditOptions) error {
	ew := &errWriter{w: w}
	s := r.Report.Summary
	ew.printf("# rampart audit\n\n")
	what := fmt.Sprintf("%d %s", s.Repositories, auditPlural(s.Repositories, "repository", "repositories"))
	if s.Organization != "" {
		what += " in **" + mdCell(s.Organization) + "**"
	}
	ew.printf("Audited %s: %d pass, %d fail, %d warn, %d unknown", what, s.Pass, s.Fail, s.Warn, s.Unknown)
	if s.Waived > 0 {
		ew.printf(", %d waived", s.Waived)
	}
	if s.AverageScore != nil {
		ew.printf("; average score **%.1f/10**", *s.AverageScore)
	}
	ew.printf(".")
	if n := r.Report.Failing(r.FailOn); n > 0 {
		ew.printf(" **%d failed %s at or above %s.**\n\n", n, auditPlural(n, "check", "checks"), r.FailOn)
	} else {
		ew.printf(" No failed check at or above %s.\n\n", r.FailOn)
	}
	if s.Repositories > 1 && len(s.Checks) > 0 {
		ew.printf("| Check | Severity | Pass | Fail | Warn | Unknown |\n|---|---|---:|---:|---:|---:|\n")
		for _, c := range s.Checks {
			ew.printf("| `%s` | %s | %d | %d | %d | %d |\n", c.Check, c.Severity, c.Pass, c.Fail, c.Warn, c.Unknown)
		}
		ew.printf("\n")
	}
	for _, t := range r.Report.Targets {
		ew.printf("## %s", mdCell(t.Name))
		if t.Score != nil {
			ew.printf(" — score %.1f/10", *t.Score)
		}
		ew.printf("\n\n")
		if t.Error != "" {
			ew.printf("Could not be audited: %s\n\n", mdCell(t.Error))
			continue
		}
		ew.printf("| Status | Severity | Check | Evidence | Fix |\n|---|---|---|---|---|\n")
		for i := range t.Results {
			res := &t.Results[i]
			label := auditLabel(res)
			if o.Quiet && label == "pass" {
				continue
			}
			fix := ""
			switch {
			case res.Waived():
				fix = fmt.Sprintf("waived until %s: %s", res.Waiver.Expires, mdCell(res.Waiver.Reason))
			case res.Status == hardening.StatusFail || res.Status == hardening.StatusWarn:
				fix = mdCell(res.Remediation)
			case res.Status == hardening.StatusUnknown:
				fix = "needs " + mdCell(res.Permission)
			}
			ew.printf("| %s | %s | `%s` | %s | %s |\n", mdStatus[label], res.Severity, res.Check, mdCell(res.Evidence), fix)
		}
		ew.printf("\n")
	}
	for _, n := range r.Notes {
		ew.printf("> %s\n\n", mdText("note: "+n))
	}
	return ew.err
}
