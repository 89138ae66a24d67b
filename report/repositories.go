package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// RepositorySection is one repository of an organisation-wide scan
// (`rampart scan --org`): the "repositories" array of the JSON report, a
// section of the text report, a row of the Markdown and HTML ones. Its
// findings are the report's findings whose attributes.repository is its
// name.
type RepositorySection struct {
	Repository string `json:"repository"`
	CloneURL   string `json:"clone_url,omitempty"`
	HTMLURL    string `json:"html_url,omitempty"`
	// Status is "scanned", "unchanged" (no ref moved; findings carried
	// forward) or "failed" (Error says why).
	Status   string `json:"status"`
	Error    string `json:"error,omitempty"`
	FullScan bool   `json:"full_scan"`
	Findings int    `json:"findings"`
	New      int    `json:"new"`
	Carried  int    `json:"carried_forward"`
	Dropped  int    `json:"dropped"`
	Refs     int    `json:"refs"`
	// PullRequests counts the mirror's refs/pull/N/head.
	PullRequests int   `json:"pull_requests"`
	FetchedBytes int64 `json:"fetched_bytes"`
	Commits      int   `json:"commits"`
	Blobs        int   `json:"blobs"`
	Bytes        int64 `json:"bytes"`
	DurationMS   int64 `json:"duration_ms"`
	// Shard is the --shard that scanned it ("I/N"), if any.
	Shard string   `json:"shard,omitempty"`
	Notes []string `json:"notes,omitempty"`
}

// repositoryOf returns a finding's repository (organisation-wide scans).
func repositoryOf(f *scanner.Finding) string { return f.Attributes["repository"] }

// qualified returns the findings with each path prefixed by its
// repository ("acme/api/config/aws.env"), for formats that have one list
// of locations (SARIF, JUnit, annotations, Markdown).
func qualified(fs []scanner.Finding) []scanner.Finding {
	out := make([]scanner.Finding, len(fs))
	for i, f := range fs {
		if repo := repositoryOf(&f); repo != "" {
			f.Path = repo + "/" + f.Path
		}
		out[i] = f
	}
	return out
}

// writeSections writes an organisation-wide scan: text as a section per
// repository, then a summary; the list formats with qualified paths
// (Markdown with a table of repositories after the findings).
func writeSections(w io.Writer, format string, r *ScanReport, o ScanOptions) error {
	flat := *r
	flat.Repositories = nil
	switch format {
	case "text", "":
		return writeTextSections(w, r, o)
	case "markdown":
		flat.Findings = qualified(r.Findings)
		var buf bytes.Buffer
		if err := writeScan(&buf, format, &flat, o); err != nil {
			return err
		}
		buf.WriteString("\n### Repositories\n\n| Repository | Status | Findings | New | Carried forward |\n| --- | --- | ---: | ---: | ---: |\n")
		for _, s := range r.Repositories {
			status := s.Status
			if s.Error != "" {
				status += ": " + s.Error
			}
			fmt.Fprintf(&buf, "| %s | %s | %d | %d | %d |\n", mdText(s.Repository), mdText(status), s.Findings, s.New, s.Carried)
		}
		_, err := w.Write(buf.Bytes())
		return err
	default:
		flat.Findings = qualified(r.Findings)
		return writeScan(w, format, &flat, o)
	}
}

func writeTextSections(w io.Writer, r *ScanReport, o ScanOptions) error {
	byRepo := map[string][]scanner.Finding{}
	for _, f := range r.Findings {
		byRepo[repositoryOf(&f)] = append(byRepo[repositoryOf(&f)], f)
	}
	counts := map[string]int{}
	newTotal, carried := 0, 0
	for _, s := range r.Repositories {
		counts[s.Status]++
		fs := byRepo[s.Repository]
		if s.Status == "failed" {
			fmt.Fprintf(w, "== %s: failed: %s\n\n", Safe(s.Repository), Safe(s.Error))
			continue
		}
		newTotal += s.New
		carried += s.Carried
		if len(fs) == 0 && o.Quiet {
			continue
		}
		how := "incremental scan"
		switch {
		case s.Status == "unchanged":
			how = "unchanged since the last run"
		case s.FullScan:
			how = "full history"
		}
		fmt.Fprintf(w, "== %s: %s, %s (%d new, %d carried forward)\n", Safe(s.Repository), how, plural(len(fs), "finding"), s.New, s.Carried)
		if len(fs) == 0 {
			fmt.Fprintln(w)
			continue
		}
		sub := *r
		sub.Repositories, sub.Findings = nil, fs
		if err := writeText(w, &sub, ScanOptions{ShowSecrets: o.ShowSecrets, Color: o.Color, Quiet: true}); err != nil {
			return err
		}
	}
	if o.Quiet {
		return nil
	}
	parts := []string{}
	for _, st := range []string{"scanned", "unchanged", "failed"} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	fmt.Fprintf(w, "%s (%s): %s (%d new, %d carried forward); read %s, %s, %s in %s\n",
		fmt.Sprintf("%d %s", len(r.Repositories), pluralWord(len(r.Repositories), "repository", "repositories")), strings.Join(parts, ", "), plural(len(r.Findings), "finding"), newTotal, carried,
		plural(r.Stats.Commits, "commit"), plural(r.Stats.Blobs, "blob"), HumanBytes(r.Stats.Bytes), humanMS(r.Stats.DurationMS))
	for _, n := range r.Stats.Notes {
		fmt.Fprintf(w, "note: %s\n", Safe(n))
	}
	return nil
}

// ScanFromJSON rebuilds a scan report from its JSON document (the merge
// of shard reports) so that every writer can render it. Secrets stay as
// the document holds them (redacted unless it was written with
// --show-secrets): render the result with ShowSecrets set, so they are
// shown as they are and never redacted twice.
func ScanFromJSON(doc *JSONScan, rules []*patterns.Rule) *ScanReport {
	r := &ScanReport{Version: doc.Tool.Version, Stats: doc.Stats, Rules: rules, Stale: doc.StaleBaseline,
		Suppressed: doc.Suppressed, Repositories: doc.Repositories}
	for _, j := range doc.Findings {
		sev, _ := patterns.ParseSeverity(j.Severity)
		f := scanner.Finding{RuleID: j.Rule, Description: j.Description, Severity: sev, Kind: scanner.Kind(j.Kind),
			Path: j.Path, Line: j.Line, Column: j.Column, BlobID: j.Blob, Secret: j.Secret, Fingerprint: j.Fingerprint,
			Attributes: j.Attributes, Verification: j.Verification}
		if j.Commit != "" {
			f.Commit = &scanner.Commit{Hash: j.Commit, Author: j.Author, Email: j.Email}
			if t, err := time.Parse(time.RFC3339, j.Date); err == nil {
				f.Commit.Date = t
			}
		}
		for _, rule := range rules {
			if rule.ID == f.RuleID {
				f.Remediation = rule.Remediation
				break
			}
		}
		r.Findings = append(r.Findings, f)
	}
	return r
}
