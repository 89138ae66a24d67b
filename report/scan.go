// Package report writes scan findings and audit results: text (with colour
// on a terminal), JSON, SARIF 2.1.0, JUnit XML, GitHub workflow annotations
// and a Markdown job summary. Secrets are redacted unless the caller asks.
package report

import (
	"bufio"
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
	// The writers print a line at a time: unbuffered, each line was a
	// write system call, and a secret-dense history's 2,500 lines were 7
	// ms of its 80 on the scan's serial tail.
	bw := bufio.NewWriterSize(w, 64<<10)
	err := writeScan(bw, format, r, o)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

func writeScan(w io.Writer, format string, r *ScanReport, o ScanOptions) error {
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
	out, err := appendScanJSON(make([]byte, 0, 1024+len(doc.Findings)*768), &doc)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// encodeIndented writes v exactly as a json.Encoder with SetIndent("", "  ")
// does, value then newline, but indents with a loop over Marshal's compact
// output rather than encoding/json's byte-at-a-time syntax scanner: that
// pass was 80% of writing a report and, after the last blob is read, is on
// the wall clock of every scan (1.5 ms of a 60 ms history scan with 500
// findings).
func encodeIndented(w io.Writer, v any) error {
	b, err := json.Marshal(v) // escapes HTML, as an Encoder does by default
	if err != nil {
		return err
	}
	out := appendIndented(make([]byte, 0, len(b)+len(b)/2), b)
	out = append(out, '\n')
	_, err = w.Write(out)
	return err
}

// jsonPunct marks the bytes appendIndented acts on outside strings.
var jsonPunct = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true, ',': true, ':': true}

// appendIndented appends src, json.Marshal's output (valid and compact: no
// space outside strings), indented two spaces a level as json.Indent does:
// an empty object or array stays {} or [], a colon is followed by a space.
func appendIndented(dst, src []byte) []byte { return appendIndentedAt(dst, src, 0) }

// appendIndentedAt is appendIndented for a value written at depth levels
// of nesting: its inner lines are indented that much more.
func appendIndentedAt(dst, src []byte, base int) []byte {
	depth := base
	newline := func() {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, ' ', ' ')
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch c {
		case '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(src))
			dst = append(dst, src[i:j]...)
			i = j
			continue
		case '{', '[':
			dst = append(dst, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1])
				i += 2
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default:
			j := i + 1
			for j < len(src) && !jsonPunct[src[j]] {
				j++
			}
			dst = append(dst, src[i:j]...)
			i = j
			continue
		}
		i++
	}
	return dst
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
