package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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

// MergeScans joins scan reports (one per repository, or the shards of an
// organisation-wide scan): findings in input order, each naming the root of
// the report it came from, the roots listed once, counts summed, notes kept
// once. A finding met again (same root, fingerprint, path, line, column and
// commit) is counted once; DuplicateScans drops whole repeated reports
// first, so their counts are not summed twice.
func MergeScans(docs []*JSONScan) *JSONScan {
	out := &JSONScan{Findings: []JSONFinding{}}
	type key struct {
		root, fp, path, commit string
		line, col              int
	}
	seen := map[key]bool{}
	roots := map[string]bool{}
	for _, d := range docs {
		if out.Tool.Name == "" {
			out.Tool = d.Tool
		}
		if d.Root != "" && !roots[d.Root] {
			roots[d.Root] = true
			out.Roots = append(out.Roots, d.Root)
		}
		for _, f := range d.Findings {
			if f.Root == "" {
				f.Root = d.Root
			}
			k := key{f.Root, f.Fingerprint, f.Path, f.Commit, f.Line, f.Column}
			if seen[k] {
				continue
			}
			seen[k] = true
			out.Findings = append(out.Findings, f)
		}
		for _, r := range d.Roots {
			if !roots[r] {
				roots[r] = true
				out.Roots = append(out.Roots, r)
			}
		}
		out.StaleBaseline = append(out.StaleBaseline, d.StaleBaseline...)
		out.Suppressed += d.Suppressed
		out.Repositories = append(out.Repositories, d.Repositories...)
		st := d.Stats
		out.Stats.Files += st.Files
		out.Stats.Blobs += st.Blobs
		out.Stats.Messages += st.Messages
		out.Stats.Bytes += st.Bytes
		out.Stats.DurationMS += st.DurationMS
		scanner.MergeStats(&out.Stats, &st)
	}
	return out
}

// DuplicateScans returns docs without the reports that repeat an earlier
// one exactly (a file copied or given twice), so their counts are not
// summed twice, and a warning for each it left out. Two different runs
// over the same root are both kept, with a warning: MergeScans counts each
// of their findings once. names[i] names docs[i] in the warnings.
func DuplicateScans(docs []*JSONScan, names []string) ([]*JSONScan, []string) {
	var kept []*JSONScan
	var warnings []string
	byContent := map[string]string{}
	byRoot := map[string]string{}
	for i, d := range docs {
		data, _ := json.Marshal(d)
		if prev, ok := byContent[string(data)]; ok {
			warnings = append(warnings, fmt.Sprintf("%s is the same scan as %s: merged once", names[i], prev))
			continue
		}
		byContent[string(data)] = names[i]
		if d.Root != "" {
			id := d.Root + "\x00" + d.Scanned
			if prev, ok := byRoot[id]; ok {
				warnings = append(warnings, fmt.Sprintf("%s and %s are two scans of %s: each finding is counted once, their statistics are added", prev, names[i], d.Root))
			} else {
				byRoot[id] = names[i]
			}
		}
		kept = append(kept, d)
	}
	return kept, warnings
}

// DuplicateAudits returns docs with every repository target that an
// earlier document already holds left out (repository names compare
// without case, as GitHub's do), and a warning for each. Organisation
// targets repeat in every shard by design and are joined by
// hardening.Merge. The documents given are not changed.
func DuplicateAudits(docs []*AuditJSON, names []string) ([]*AuditJSON, []string) {
	var warnings []string
	first := map[string]string{}
	out := make([]*AuditJSON, 0, len(docs))
	for i, d := range docs {
		c := *d
		c.Targets = nil
		for _, t := range d.Targets {
			if t.Repo != "" {
				k := strings.ToLower(t.Repo)
				if prev, ok := first[k]; ok {
					warnings = append(warnings, fmt.Sprintf("%s in %s is already in %s: counted once", t.Repo, names[i], prev))
					continue
				}
				first[k] = names[i]
			}
			c.Targets = append(c.Targets, t)
		}
		out = append(out, &c)
	}
	return out, warnings
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
