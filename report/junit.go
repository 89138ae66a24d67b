package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/rampart-sec/rampart/scanner"
)

type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Cases      []junitCase     `xml:"testcase"`
		SystemOut  string          `xml:"system-out,omitempty"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		File      string        `xml:"file,attr,omitempty"`
		Line      int           `xml:"line,attr,omitempty"`
		Time      string        `xml:"time,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

// writeJUnit writes JUnit XML for CI systems that read test reports: one
// test suite, one failed test case per finding (class "rampart.<rule>",
// name "<path>:<line>"), or a single passing case when nothing was found.
// Text is passed through Safe, so control characters (which XML 1.0 cannot
// carry) arrive as visible escapes. Secrets are redacted unless
// o.ShowSecrets is set.
func writeJUnit(w io.Writer, r *ScanReport, o ScanOptions) error {
	secs := fmt.Sprintf("%.3f", float64(r.Stats.DurationMS)/1000)
	suite := junitSuite{Name: "rampart scan", Time: secs}
	suite.Properties = []junitProperty{
		{Name: "rampart.version", Value: r.Version},
		{Name: "rampart.commits", Value: fmt.Sprint(r.Stats.Commits)},
		{Name: "rampart.files", Value: fmt.Sprint(r.Stats.Files)},
		{Name: "rampart.blobs", Value: fmt.Sprint(r.Stats.Blobs)},
		{Name: "rampart.bytes", Value: fmt.Sprint(r.Stats.Bytes)},
	}
	if r.Suppressed > 0 {
		suite.Properties = append(suite.Properties, junitProperty{Name: "rampart.suppressed", Value: fmt.Sprint(r.Suppressed)})
	}
	fs := r.Findings
	for i := range fs {
		suite.Cases = append(suite.Cases, junitCaseFor(fs, i, o))
	}
	if len(fs) == 0 {
		suite.Cases = []junitCase{{Name: "no credentials committed", Classname: "rampart", Time: secs}}
	}
	var out strings.Builder
	for _, n := range r.Stats.Notes {
		out.WriteString("note: " + Safe(n) + "\n")
	}
	suite.SystemOut = out.String()
	suite.Tests, suite.Failures = len(suite.Cases), len(fs)
	doc := junitSuites{Name: "rampart", Tests: suite.Tests, Failures: suite.Failures, Time: secs, Suites: []junitSuite{suite}}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

func junitCaseFor(fs []scanner.Finding, i int, o ScanOptions) junitCase {
	f := &fs[i]
	desc := f.Description
	if desc == "" {
		desc = f.RuleID
	}
	c := junitCase{Classname: "rampart." + Safe(f.RuleID), Time: "0.000"}
	var text strings.Builder
	if f.Kind == scanner.KindCommitMessage {
		c.Name = "commit message " + commitHash(f)
		fmt.Fprintf(&text, "%s in the message of commit %s\n", Safe(desc), commitHash(f))
	} else {
		c.Name = fmt.Sprintf("%s:%d", Safe(f.Path), f.Line)
		c.File, c.Line = Safe(f.Path), f.Line
		fmt.Fprintf(&text, "%s at %s:%d:%d\n", Safe(desc), Safe(f.Path), f.Line, f.Column)
	}
	fmt.Fprintf(&text, "rule: %s\nseverity: %s\nsecret: %s\nfingerprint: %s\n", Safe(f.RuleID), f.Severity, Safe(f.Display(o.ShowSecrets)), f.Fingerprint)
	if cm := f.Commit; cm != nil && cm.Hash != "" {
		fmt.Fprintf(&text, "commit: %s", cm.Hash)
		if cm.Author != "" {
			fmt.Fprintf(&text, " by %s", Safe(cm.Author))
		}
		if !cm.Date.IsZero() {
			fmt.Fprintf(&text, " on %s", cm.Date.UTC().Format("2006-01-02"))
		}
		text.WriteString("\n")
	}
	if j := Partner(fs, i); j >= 0 {
		fmt.Fprintf(&text, "paired with the %s at %s:%d: together they are %s\n", pairedName(fs[j].RuleID), Safe(fs[j].Path), fs[j].Line, pairWhat(f))
	}
	if id := f.Attributes["aws_account_id"]; id != "" {
		fmt.Fprintf(&text, "AWS account: %s\n", id)
	}
	if note := canaryNote(f); note != "" {
		fmt.Fprintf(&text, "canary: %s\n", note)
	}
	if v := f.Verification; v != nil {
		fmt.Fprintf(&text, "verification: %s\n", verificationText(v, true))
	}
	if f.Remediation != "" {
		fmt.Fprintf(&text, "fix: %s\n", Safe(f.Remediation))
	}
	c.Failure = &junitFailure{Message: Safe(desc), Type: Safe(f.RuleID), Text: text.String()}
	return c
}
