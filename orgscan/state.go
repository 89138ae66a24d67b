package orgscan

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// stateVersion changes when the state format does; a state of another
// version is ignored (the repository is scanned in full once more).
const stateVersion = 1

// stateFile is the name of a mirror's incremental state, inside the mirror
// (git ignores it), so that a cached mirror directory carries its state.
const stateFile = "rampart-state.json"

// repoState is what rampart remembers of a repository between runs: the
// ref tips its last scan covered and the findings that scan reported.
//
// Why tips and not blob IDs: the commit walk, not reading blobs, is what a
// second run must avoid. With the tips, `git rev-list --all --not TIPS`
// names only the new commits, the walk diffs only those, and only the
// blobs they introduce are read; its size is one line per ref. A set of
// blob IDs (20 bytes a blob) would still need the full walk on every run
// to learn which blobs are new and where they were introduced, and grows
// with history. (README, "How the cost grows", has the measurements.)
type repoState struct {
	Version    int               `json:"version"`
	Repository string            `json:"repository"`
	ScannedAt  time.Time         `json:"scanned_at"`
	Tips       map[string]string `json:"tips"`
	// Rules is a digest of the rule set and allow list the findings came
	// from: when it changes, the repository is scanned in full again.
	Rules    string         `json:"rules"`
	Findings []stateFinding `json:"findings"`
}

// stateFinding is a finding as stored: everything but the secret, which
// is never written to disk (it is read back from the mirror when a carried
// finding is reported).
type stateFinding struct {
	Rule        string            `json:"rule"`
	Description string            `json:"description"`
	Severity    string            `json:"severity"`
	Remediation string            `json:"remediation,omitempty"`
	Kind        string            `json:"kind"`
	Path        string            `json:"path"`
	Line        int               `json:"line"`
	Column      int               `json:"column"`
	Commit      string            `json:"commit,omitempty"`
	Author      string            `json:"author,omitempty"`
	Email       string            `json:"email,omitempty"`
	Date        time.Time         `json:"date,omitzero"`
	Blob        string            `json:"blob,omitempty"`
	Fingerprint string            `json:"fingerprint"`
	Attributes  map[string]string `json:"attributes,omitempty"`
}

func toState(f scanner.Finding) stateFinding {
	s := stateFinding{
		Rule: f.RuleID, Description: f.Description, Severity: f.Severity.String(), Remediation: f.Remediation,
		Kind: string(f.Kind), Path: f.Path, Line: f.Line, Column: f.Column, Blob: f.BlobID,
		Fingerprint: f.Fingerprint,
	}
	if len(f.Attributes) > 0 {
		s.Attributes = make(map[string]string, len(f.Attributes))
		for k, v := range f.Attributes {
			s.Attributes[k] = v
		}
	}
	if c := f.Commit; c != nil {
		s.Commit, s.Author, s.Email, s.Date = c.Hash, c.Author, c.Email, c.Date
	}
	return s
}

// finding rebuilds a scanner.Finding without its secret.
func (s stateFinding) finding() scanner.Finding {
	sev, _ := patterns.ParseSeverity(s.Severity)
	f := scanner.Finding{
		RuleID: s.Rule, Description: s.Description, Severity: sev, Remediation: s.Remediation,
		Kind: scanner.Kind(s.Kind), Path: s.Path, Line: s.Line, Column: s.Column, BlobID: s.Blob,
		Fingerprint: s.Fingerprint, Attributes: map[string]string{},
	}
	for k, v := range s.Attributes {
		f.Attributes[k] = v
	}
	if s.Commit != "" {
		f.Commit = &scanner.Commit{Hash: s.Commit, Author: s.Author, Email: s.Email, Date: s.Date}
	}
	return f
}

// loadState reads a mirror's state; a missing, unreadable or foreign
// state is no state (a full scan).
func loadState(mirror string) *repoState {
	b, err := os.ReadFile(filepath.Join(mirror, stateFile))
	if err != nil {
		return nil
	}
	var s repoState
	if json.Unmarshal(b, &s) != nil || s.Version != stateVersion || s.Tips == nil {
		return nil
	}
	return &s
}

// save writes the state atomically (a temporary file renamed into place),
// mode 0600: an interrupted run leaves the old state or the new, never half.
func (s *repoState) save(mirror string) error {
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return fmt.Errorf("orgscan: state: %w", err)
	}
	f, err := os.CreateTemp(mirror, ".state-*")
	if err != nil {
		return fmt.Errorf("orgscan: state: %w", err)
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(f.Name())
		return fmt.Errorf("orgscan: write state: %v %v", werr, cerr)
	}
	if err := os.Rename(f.Name(), filepath.Join(mirror, stateFile)); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("orgscan: state: %w", err)
	}
	return nil
}
