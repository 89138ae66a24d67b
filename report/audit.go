package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/rampart-sec/rampart/hardening"
)

// AuditReport is everything an audit writer needs.
type AuditReport struct {
	// Version is rampart's version.
	Version string
	// Report is the evaluated audit.
	Report *hardening.Report
	// FailOn is the exit-code threshold, shown in summaries.
	FailOn hardening.Severity
	// Requests, if positive, is how many API requests collecting cost
	// (rate-limited ones; conditional 304s excluded), for the text summary.
	Requests int64
	// Notes are human-readable remarks on the run (where the policy came
	// from), shown in every format as a scan's are.
	Notes []string
}

// AuditOptions say how to write an audit report.
type AuditOptions struct {
	// Color enables ANSI colour in the text format.
	Color bool
	// Quiet leaves passed checks out of the text and Markdown tables.
	Quiet bool
}

// AuditFormats lists the formats WriteAudit accepts.
var AuditFormats = []string{"text", "json", "markdown", "sarif", "html"}

// WriteAudit writes r in format to w.
func WriteAudit(w io.Writer, format string, r *AuditReport, o AuditOptions) error {
	switch format {
	case "text", "":
		return writeAuditText(w, r, o)
	case "json":
		return writeAuditJSON(w, r)
	case "markdown":
		return writeAuditMarkdown(w, r, o)
	case "sarif":
		return writeAuditSARIF(w, r)
	case "html":
		return writeAuditHTML(w, r)
	}
	return fmt.Errorf("unknown audit format %q (want %s)", format, strings.Join(AuditFormats, ", "))
}

// AuditJSON is the top-level audit JSON document (DESIGN.md).
type AuditJSON struct {
	Tool    JSONTool          `json:"tool"`
	Targets []AuditJSONTarget `json:"targets"`
	Summary hardening.Summary `json:"summary"`
	// Notes are the run's remarks (AuditReport.Notes).
	Notes []string `json:"notes,omitempty"`
}

// AuditJSONTarget is one audited repository (repo) or organisation (org).
type AuditJSONTarget struct {
	Repo    string             `json:"repo,omitempty"`
	Org     string             `json:"org,omitempty"`
	Score   *float64           `json:"score,omitempty"`
	Error   string             `json:"error,omitempty"`
	Results []hardening.Result `json:"results"`
}

// ToAuditJSON converts an audit report to its JSON document.
func ToAuditJSON(r *AuditReport) AuditJSON {
	doc := AuditJSON{Tool: JSONTool{Name: "rampart", Version: r.Version}, Targets: []AuditJSONTarget{}, Summary: r.Report.Summary, Notes: r.Notes}
	for _, t := range r.Report.Targets {
		jt := AuditJSONTarget{Score: t.Score, Error: t.Error, Results: t.Results}
		if jt.Results == nil {
			jt.Results = []hardening.Result{}
		}
		if t.Kind == hardening.ScopeOrg.String() {
			jt.Org = t.Name
		} else {
			jt.Repo = t.Name
		}
		doc.Targets = append(doc.Targets, jt)
	}
	if doc.Summary.Checks == nil {
		doc.Summary.Checks = []hardening.CheckSummary{}
	}
	return doc
}

func writeAuditJSON(w io.Writer, r *AuditReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ToAuditJSON(r))
}

// auditLabel renders a status for humans, waivers included.
func auditLabel(r *hardening.Result) string {
	if r.Waived() {
		return "waived"
	}
	return string(r.Status)
}

// auditPlural picks the singular or plural form for n.
func auditPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
