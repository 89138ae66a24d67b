package scanner

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"time"
)

// BaselineFileName is the conventional baseline location at the repository root.
const BaselineFileName = ".rampart-baseline.json"

// Baseline is a set of accepted findings, identified by fingerprint. It holds
// locations for humans and never the secret itself, so it survives history
// rewrites and is safe to commit.
type Baseline struct {
	Version int             `json:"version"`
	Created time.Time       `json:"created"`
	Entries []BaselineEntry `json:"entries"`
}

// BaselineEntry is one accepted finding.
type BaselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	Path        string `json:"path"`
	Line        int    `json:"line"`
	Commit      string `json:"commit,omitempty"`
}

// NewBaseline builds a baseline from findings.
func NewBaseline(fs []Finding, now time.Time) *Baseline {
	b := &Baseline{Version: 1, Created: now.UTC().Truncate(time.Second), Entries: []BaselineEntry{}}
	seen := map[string]bool{}
	for _, f := range fs {
		k := f.Fingerprint + "\x00" + f.Path
		if seen[k] {
			continue
		}
		seen[k] = true
		e := BaselineEntry{Fingerprint: f.Fingerprint, Rule: f.RuleID, Path: f.Path, Line: f.Line}
		if f.Commit != nil {
			e.Commit = f.Commit.Hash
		}
		b.Entries = append(b.Entries, e)
	}
	sort.Slice(b.Entries, func(i, j int) bool {
		x, y := b.Entries[i], b.Entries[j]
		if x.Path != y.Path {
			return x.Path < y.Path
		}
		if x.Line != y.Line {
			return x.Line < y.Line
		}
		return x.Fingerprint < y.Fingerprint
	})
	return b
}

// Write encodes the baseline as indented JSON.
func (b *Baseline) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(b)
}

// LoadBaseline reads a baseline file.
func LoadBaseline(name string) (*Baseline, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	return ParseBaseline(name, data)
}

// ParseBaseline reads a baseline from data; name says where it came from,
// for errors.
func ParseBaseline(name string, data []byte) (*Baseline, error) {
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("parse baseline %s: %w", name, err)
	}
	// A scan report is the file a user most easily takes for a baseline:
	// read as one it has no entries, and would suppress nothing in silence.
	var keys map[string]json.RawMessage
	if json.Unmarshal(data, &keys) == nil && keys["entries"] == nil && (keys["findings"] != nil || keys["tool"] != nil) {
		return nil, fmt.Errorf("%s is a scan report (rampart scan --format json), not a baseline: write one with `rampart baseline`", name)
	}
	if b.Version != 1 {
		return nil, fmt.Errorf("%s is not a baseline this rampart reads: version %d (want 1, as `rampart baseline` writes)", name, b.Version)
	}
	for i, e := range b.Entries {
		if len(e.Fingerprint) != 64 {
			return nil, fmt.Errorf("parse baseline %s: entry %d: fingerprint must be 64 hex characters", name, i+1)
		}
	}
	return &b, nil
}

// Filter removes findings whose fingerprint the baseline lists, and returns
// the kept findings, how many were suppressed, and the entries that matched
// nothing although covers says the scan read their whole location (stale:
// the secret is gone, or the baseline is out of date). With covers nil no
// entry is stale: a scan of a staged change, of some commits or of part of
// the history cannot tell that a secret is gone.
func (b *Baseline) Filter(fs []Finding, covers func(BaselineEntry) bool) (kept []Finding, suppressed int, stale []BaselineEntry) {
	known := make(map[string]bool, len(b.Entries))
	for _, e := range b.Entries {
		known[e.Fingerprint] = true
	}
	used := map[string]bool{}
	for _, f := range fs {
		if known[f.Fingerprint] {
			used[f.Fingerprint] = true
			suppressed++
			continue
		}
		kept = append(kept, f)
	}
	for _, e := range b.Entries {
		if !used[e.Fingerprint] && covers != nil && covers(e) {
			stale = append(stale, e)
		}
	}
	return kept, suppressed, stale
}
