// Package report writes scan findings and audit results: text (with colour
// on a terminal), JSON, SARIF 2.1.0, JUnit XML, GitHub workflow annotations
// and a Markdown job summary. Secrets are redacted unless the caller asks.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// ScanReport is everything a scan writer needs.
type ScanReport struct {
	Version string
	// Root is the absolute directory findings' paths are relative to: the
	// repository's work tree (a bare repository's git directory), else the
	// scanned folder; "" for standard input and a commit message. It says
	// which repository a report of `rampart scan r1` is about.
	Root string
	// Scanned is the absolute path scanned when it is not Root itself (a
	// folder or file inside the repository).
	Scanned  string
	Findings []scanner.Finding
	Stats    scanner.Stats
	// Rules are the rules the scan ran, for writers that describe them (SARIF).
	Rules []*patterns.Rule
	// Stale lists baseline entries that matched nothing.
	Stale []scanner.BaselineEntry
	// Suppressed counts findings hidden by the baseline.
	Suppressed int
	// Repositories, for an organisation-wide scan, has a section per
	// repository (repositories.go).
	Repositories []RepositorySection
}

// ScanOptions say how to write.
type ScanOptions struct {
	// ShowSecrets prints secrets in plaintext; otherwise they are redacted.
	ShowSecrets bool
	// Color enables ANSI colour in the text format.
	Color bool
	// Quiet drops the summary and notes from the text format.
	Quiet bool
	// Hook, for a git hook's scan, names what it scanned ("the staged
	// change"): a clean result is then one short line, since a commit runs
	// two hooks and a push one more.
	Hook string
}

// ScanFormats lists the formats WriteScan accepts.
var ScanFormats = []string{"text", "json", "sarif", "junit", "github", "markdown", "html"}

// WriteScan writes r in format to w.
func WriteScan(w io.Writer, format string, r *ScanReport, o ScanOptions) error {
	if len(r.Repositories) > 0 && format != "json" && format != "html" {
		return writeSections(w, format, r, o)
	}
	switch format {
	case "text", "":
		return writeText(w, r, o)
	case "json":
		return writeJSON(w, r, o)
	case "sarif":
		return writeSARIF(w, r, o)
	case "github":
		return writeGitHub(w, r, o)
	case "markdown":
		return writeMarkdown(w, r, o)
	case "junit":
		return writeJUnit(w, r, o)
	case "html":
		return writeScanHTML(w, r, o)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(ScanFormats, ", "))
}

// JSONFinding is one finding in the JSON format (DESIGN.md).
type JSONFinding struct {
	Rule        string            `json:"rule"`
	Description string            `json:"description"`
	Severity    string            `json:"severity"`
	Kind        string            `json:"kind,omitempty"`
	Path        string            `json:"path"`
	Line        int               `json:"line"`
	Column      int               `json:"column"`
	Commit      string            `json:"commit,omitempty"`
	Author      string            `json:"author,omitempty"`
	Email       string            `json:"email,omitempty"`
	Date        string            `json:"date,omitempty"`
	Blob        string            `json:"blob,omitempty"`
	Secret      string            `json:"secret"`
	Fingerprint string            `json:"fingerprint"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	// Root is set in merged reports only: the root of the scan the finding
	// came from (each single report has one, at the top).
	Root string `json:"root,omitempty"`
	// Verification is set when the scan verified (--verify).
	Verification *scanner.Verification `json:"verification,omitempty"`
}

// JSONScan is the top-level JSON document.
type JSONScan struct {
	Tool JSONTool `json:"tool"`
	// Root is what was scanned (ScanReport.Root); a merged report lists its
	// inputs' roots in Roots instead, and each finding names its own.
	Root          string                  `json:"root,omitempty"`
	Scanned       string                  `json:"scanned,omitempty"`
	Roots         []string                `json:"roots,omitempty"`
	Findings      []JSONFinding           `json:"findings"`
	Stats         scanner.Stats           `json:"stats"`
	StaleBaseline []scanner.BaselineEntry `json:"stale_baseline,omitempty"`
	Suppressed    int                     `json:"suppressed,omitempty"`
	// Repositories: one section per repository of an organisation-wide scan.
	Repositories []RepositorySection `json:"repositories,omitempty"`
}

// JSONTool names the tool that wrote a report.
type JSONTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// ToJSON converts findings to their JSON shape, redacting unless show is set.
func ToJSON(fs []scanner.Finding, show bool) []JSONFinding {
	out := make([]JSONFinding, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		j := JSONFinding{
			Rule: f.RuleID, Description: f.Description, Severity: f.Severity.String(), Kind: string(f.Kind),
			Path: f.Path, Line: f.Line, Column: f.Column, Blob: f.BlobID,
			Secret: f.Display(show), Fingerprint: f.Fingerprint, Attributes: f.Attributes,
			Verification: f.Verification,
		}
		if c := f.Commit; c != nil {
			j.Commit, j.Author, j.Email = c.Hash, c.Author, c.Email
			if !c.Date.IsZero() {
				j.Date = c.Date.Format(time.RFC3339)
			}
		}
		out = append(out, j)
	}
	return out
}

func writeJSON(w io.Writer, r *ScanReport, o ScanOptions) error {
	doc := JSONScan{
		Tool:          JSONTool{Name: "rampart", Version: r.Version},
		Root:          r.Root,
		Scanned:       r.Scanned,
		Findings:      ToJSON(r.Findings, o.ShowSecrets),
		Stats:         r.Stats,
		StaleBaseline: r.Stale,
		Suppressed:    r.Suppressed,
		Repositories:  r.Repositories,
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// Partner returns the index of the finding paired with fs[i]: each names
// the other's fingerprint in attributes.pair and both are in the same file.
// It returns -1 when fs[i] has no partner in fs.
func Partner(fs []scanner.Finding, i int) int {
	fp := fs[i].Attributes["pair"]
	if fp == "" {
		return -1
	}
	for j := range fs {
		if j != i && fs[j].Fingerprint == fp && fs[j].Path == fs[i].Path && fs[j].Attributes["pair"] == fs[i].Fingerprint {
			return j
		}
	}
	return -1
}

// SortedSkips renders skip counts as "binary: 3, too-large: 1" in a stable order.
func SortedSkips(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
