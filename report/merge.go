package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/scanner"
)

// ErrMixedReports is returned when merge is given scan and audit reports together.
var ErrMixedReports = errors.New("report: cannot merge scan and audit reports together")

// Parsed is one JSON report read back: exactly one of Scan and Audit is set.
type Parsed struct {
	Scan  *JSONScan
	Audit *AuditJSON
}

// ParseJSON reads a report written by `rampart scan --format json` or
// `rampart audit --format json`, telling them apart by their keys.
func ParseJSON(data []byte) (Parsed, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return Parsed{}, fmt.Errorf("not a JSON report: %w", err)
	}
	dec := func(v any) error {
		d := json.NewDecoder(bytes.NewReader(data))
		return d.Decode(v)
	}
	switch {
	case probe["findings"] != nil:
		var s JSONScan
		if err := dec(&s); err != nil {
			return Parsed{}, fmt.Errorf("scan report: %w", err)
		}
		return Parsed{Scan: &s}, nil
	case probe["targets"] != nil:
		var a AuditJSON
		if err := dec(&a); err != nil {
			return Parsed{}, fmt.Errorf("audit report: %w", err)
		}
		return Parsed{Audit: &a}, nil
	}
	return Parsed{}, errors.New("not a rampart report: neither \"findings\" nor \"targets\"")
}

// MergeScans joins scan reports (the shards of an organisation-wide scan):
// findings are concatenated in input order, counts summed, notes kept once.
func MergeScans(docs []*JSONScan) *JSONScan {
	out := &JSONScan{Findings: []JSONFinding{}}
	for _, d := range docs {
		if out.Tool.Name == "" {
			out.Tool = d.Tool
		}
		out.Findings = append(out.Findings, d.Findings...)
		out.StaleBaseline = append(out.StaleBaseline, d.StaleBaseline...)
		out.Suppressed += d.Suppressed
		out.Repositories = append(out.Repositories, d.Repositories...)
		st := d.Stats
		out.Stats.Files += st.Files
		out.Stats.Blobs += st.Blobs
		out.Stats.Bytes += st.Bytes
		out.Stats.DurationMS += st.DurationMS
		scanner.MergeStats(&out.Stats, &st)
	}
	return out
}

// AuditFromJSON rebuilds the evaluated report a JSON audit document holds.
func AuditFromJSON(doc *AuditJSON) *hardening.Report {
	rep := &hardening.Report{}
	for _, t := range doc.Targets {
		tr := hardening.TargetResult{Kind: hardening.ScopeRepo.String(), Name: t.Repo, Score: t.Score, Error: t.Error, Results: t.Results}
		if t.Org != "" {
			tr.Kind, tr.Name = hardening.ScopeOrg.String(), t.Org
		}
		rep.Targets = append(rep.Targets, tr)
	}
	return rep
}
