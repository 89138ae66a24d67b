package report

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// SARIFSchemaURI is the $schema written into every SARIF log.
const SARIFSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// SARIFFingerprintKey names the partial fingerprint that carries a finding's
// secret fingerprint. Code scanning matches alerts across uploads by it, so
// a secret that moves a few lines is one alert, not a new one per push.
const SARIFFingerprintKey = "rampartSecret/v1"

// informationURI is where users learn about the tool.
const informationURI = "https://github.com/rampart-sec/rampart"

// The SARIF 2.1.0 subset rampart writes. Field order is the JSON order, so
// output is stable for golden tests and diffs.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		// OriginalURIBaseIDs says where %SRCROOT% was: the scanned root.
		OriginalURIBaseIDs map[string]sarifBaseURI `json:"originalUriBaseIds,omitempty"`
		ColumnKind         string                  `json:"columnKind"`
		Results            []sarifResult           `json:"results"`
		Properties         *sarifRunProps          `json:"properties,omitempty"`
	}
	sarifRunProps struct {
		Stats      scanner.Stats `json:"stats"`
		Suppressed int           `json:"suppressed,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string          `json:"id"`
		Name                 string          `json:"name"`
		ShortDescription     sarifText       `json:"shortDescription"`
		FullDescription      sarifText       `json:"fullDescription"`
		Help                 sarifHelp       `json:"help"`
		DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
		Properties           sarifRuleProps  `json:"properties"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifHelp struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown"`
	}
	sarifRuleConfig struct {
		Level string `json:"level"`
	}
	sarifRuleProps struct {
		Tags             []string `json:"tags"`
		Precision        string   `json:"precision"`
		SecuritySeverity string   `json:"security-severity"`
		Severity         string   `json:"rampart-severity"`
	}
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level   string    `json:"level"`
		Message sarifText `json:"message"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Rank                *float64          `json:"rank,omitempty"`
		Message             sarifText         `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		RelatedLocations    []sarifLocation   `json:"relatedLocations,omitempty"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
		Properties          sarifResultProps  `json:"properties"`
	}
	sarifResultProps struct {
		Severity   string            `json:"severity"`
		Kind       string            `json:"kind,omitempty"`
		Secret     string            `json:"secret"`
		Commit     string            `json:"commit,omitempty"`
		Author     string            `json:"author,omitempty"`
		Date       string            `json:"date,omitempty"`
		Blob       string            `json:"blob,omitempty"`
		Attributes map[string]string `json:"attributes,omitempty"`
		// Verification is what --verify learned; rank orders by it.
		Verification *scanner.Verification `json:"verification,omitempty"`
	}
	sarifLocation struct {
		ID               *int                   `json:"id,omitempty"`
		PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
		LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
		Message          *sarifText             `json:"message,omitempty"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           *sarifRegion          `json:"region,omitempty"`
	}
	sarifBaseURI struct {
		URI string `json:"uri"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
	sarifLogicalLocation struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
)

// writeSARIF writes r as a SARIF 2.1.0 log with one run: a reporting
// descriptor per rule (the scan's rules, then any rule only a finding names),
// and a result per finding. Artifact URIs are the findings' paths, relative
// to the repository root (uriBaseId %SRCROOT%) and percent-encoded, so a
// hostile file name cannot escape its string. A finding in a commit message
// has no file: its location is the commit, as a logical location. Secrets
// are redacted unless o.ShowSecrets is set.
func writeSARIF(w io.Writer, r *ScanReport, o ScanOptions) error {
	rules, index := sarifRules(r)
	results := make([]sarifResult, 0, len(r.Findings))
	for i := range r.Findings {
		results = append(results, sarifResultFor(r.Findings, i, index, o))
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, n := range r.Stats.Notes {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{Level: "note", Message: sarifText{Text: n}})
	}
	doc := sarifLog{
		Schema:  SARIFSchemaURI,
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool:        sarifTool{Driver: sarifDriver{Name: "rampart", Version: r.Version, InformationURI: informationURI, Rules: rules}},
			Invocations: []sarifInvocation{inv},
			ColumnKind:  "unicodeCodePoints",
			Results:     results,
			Properties:  &sarifRunProps{Stats: r.Stats, Suppressed: r.Suppressed},
		}},
	}
	if r.Root != "" {
		doc.Runs[0].OriginalURIBaseIDs = map[string]sarifBaseURI{"%SRCROOT%": {URI: fileURI(r.Root)}}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

// sarifRules builds the reporting descriptors of the rules the findings
// name, in order of first use, and maps rule IDs to their index. Rules
// without results are left out: code scanning needs only the rules its
// alerts point at, and the whole catalogue made a log of three findings
// 700 KB. A descriptor comes from the scan's rule where there is one.
func sarifRules(r *ScanReport) ([]sarifRule, map[string]int) {
	index := map[string]int{}
	rules := []sarifRule{}
	add := func(id, desc string, sev patterns.Severity, remediation string) {
		if _, ok := index[id]; ok {
			return
		}
		index[id] = len(rules)
		rules = append(rules, sarifRuleFor(id, desc, sev, remediation))
	}
	byID := map[string]*patterns.Rule{}
	for _, rule := range r.Rules {
		if rule != nil {
			byID[rule.ID] = rule
		}
	}
	for _, f := range r.Findings {
		if rule := byID[f.RuleID]; rule != nil {
			add(rule.ID, rule.Description, rule.Severity, rule.Remediation)
		} else {
			add(f.RuleID, f.Description, f.Severity, f.Remediation)
		}
	}
	return rules, index
}

func sarifRuleFor(id, desc string, sev patterns.Severity, remediation string) sarifRule {
	if desc == "" {
		desc = id
	}
	full := desc + " committed to the repository."
	text := full + "\n\n"
	md := "**" + markdownText(desc) + "** committed to the repository.\n\n"
	if remediation != "" {
		text += "Fix: " + remediation + "\n\n"
		md += "**Fix:** " + markdownText(remediation) + "\n\n"
	}
	const rotate = "Removing the secret from the latest commit is not enough: it stays in git history and in every clone, so rotate it first."
	const allow = "A false positive? Add a `rampart:allow` comment on its line, list it under [allowlist] in .rampart.toml, or record it in a baseline (`rampart baseline`)."
	text += rotate + "\n\n" + allow
	md += rotate + "\n\n" + allow
	return sarifRule{
		ID:                   id,
		Name:                 ruleName(id),
		ShortDescription:     sarifText{Text: desc},
		FullDescription:      sarifText{Text: full},
		Help:                 sarifHelp{Text: text, Markdown: md},
		DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(sev)},
		Properties: sarifRuleProps{
			Tags:             []string{"security", "secret", "external/cwe/cwe-798"},
			Precision:        "high",
			SecuritySeverity: securitySeverity(sev),
			Severity:         sev.String(),
		},
	}
}

func sarifResultFor(fs []scanner.Finding, i int, index map[string]int, o ScanOptions) sarifResult {
	f := &fs[i]
	res := sarifResult{
		RuleID:              f.RuleID,
		RuleIndex:           index[f.RuleID],
		Level:               sarifLevel(f.Severity),
		Rank:                sarifRank(f.Verification),
		Message:             sarifText{Text: sarifMessage(fs, i, o)},
		Locations:           []sarifLocation{sarifLocationFor(f)},
		PartialFingerprints: map[string]string{SARIFFingerprintKey: f.Fingerprint},
		Properties: sarifResultProps{
			Severity:     f.Severity.String(),
			Kind:         string(f.Kind),
			Secret:       f.Display(o.ShowSecrets),
			Blob:         f.BlobID,
			Attributes:   f.Attributes,
			Verification: f.Verification,
		},
	}
	if c := f.Commit; c != nil {
		res.Properties.Commit, res.Properties.Author = c.Hash, c.Author
		if !c.Date.IsZero() {
			res.Properties.Date = c.Date.UTC().Format("2006-01-02T15:04:05Z")
		}
	}
	if j := Partner(fs, i); j >= 0 {
		id := 1
		loc := sarifLocationFor(&fs[j])
		loc.ID = &id
		loc.Message = &sarifText{Text: "paired " + pairedName(fs[j].RuleID)}
		res.RelatedLocations = []sarifLocation{loc}
	}
	return res
}

// sarifMessage says what was found, where it came from, and (for an AWS key
// pair) where its other half is. Secrets appear only via Display.
func sarifMessage(fs []scanner.Finding, i int, o ScanOptions) string {
	f := &fs[i]
	desc := f.Description
	if desc == "" {
		desc = f.RuleID
	}
	msg := fmt.Sprintf("%s: %s", sarifEscape(desc), sarifEscape(f.Display(o.ShowSecrets)))
	if f.Kind == scanner.KindCommitMessage {
		msg += " in the message of commit " + commitHash(f)
	} else if f.Commit != nil {
		msg += " added in commit " + shortHash(f.Commit.Hash)
	}
	if j := Partner(fs, i); j >= 0 {
		msg += fmt.Sprintf(". Paired with the [%s](1) on line %d: together they are %s", pairedName(fs[j].RuleID), fs[j].Line, pairWhat(f))
	}
	if id := f.Attributes["aws_account_id"]; id != "" {
		msg += fmt.Sprintf(" (AWS account %s)", id)
	}
	if note := canaryNote(f); note != "" {
		msg += ". " + sarifEscape(note)
	}
	if v := f.Verification; v != nil {
		msg += ". Verified " + sarifEscape(verificationText(v, true))
	}
	return msg + "."
}

// sarifEscape escapes the characters SARIF message text treats as link
// syntax (§3.11.6), so a description cannot forge a link to a location.
func sarifEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`).Replace(s)
}

func pairedName(ruleID string) string {
	if strings.HasPrefix(ruleID, "aws-secret-access-key") {
		return "AWS secret access key"
	}
	if ruleID == "aws-access-key-id" {
		return "AWS access key ID"
	}
	return ruleID
}

func commitHash(f *scanner.Finding) string {
	if f.Commit == nil || f.Commit.Hash == "" {
		return "(not yet committed)"
	}
	return f.Commit.Hash
}

// sarifLocationFor locates a finding: a file region, or for a commit message
// the commit itself as a logical location.
func sarifLocationFor(f *scanner.Finding) sarifLocation {
	if f.Kind == scanner.KindCommitMessage {
		h := commitHash(f)
		return sarifLocation{
			LogicalLocations: []sarifLogicalLocation{{Name: h, FullyQualifiedName: "commit/" + h + "/message", Kind: "object"}},
			Message:          &sarifText{Text: "message of commit " + h},
		}
	}
	pl := &sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: PathURI(f.Path), URIBaseID: "%SRCROOT%"}}
	if f.Line > 0 {
		reg := &sarifRegion{StartLine: f.Line}
		if f.Column > 0 {
			reg.StartColumn = f.Column
			reg.EndColumn = f.Column + utf8.RuneCountInString(f.Secret)
		}
		pl.Region = reg
	}
	return sarifLocation{PhysicalLocation: pl}
}

// PathURI turns a slash-separated relative path into a relative URI
// reference: every byte outside the unreserved set and "/" is
// percent-encoded, so spaces, "%", ":", newlines and control characters
// survive a round trip and a path can never be read as a scheme or query.
func PathURI(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// fileURI is the file:// URI of an absolute directory path, ending in a
// slash as SARIF requires of a base URI.
func fileURI(dir string) string {
	p := filepath.ToSlash(dir)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x on Windows
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return "file://" + PathURI(p)
}

// ruleName turns "aws-access-key-id" into "AwsAccessKeyId", the form SARIF
// viewers show as a rule's name.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == ' ' }) {
		r, size := utf8.DecodeRuneInString(part)
		b.WriteString(strings.ToUpper(string(r)))
		b.WriteString(part[size:])
	}
	if b.Len() == 0 {
		return "Rule"
	}
	return b.String()
}

// sarifLevel maps a severity to a SARIF level: critical and high are errors,
// medium a warning, the rest notes.
func sarifLevel(s patterns.Severity) string {
	switch {
	case s >= patterns.SeverityHigh:
		return "error"
	case s == patterns.SeverityMedium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub code scanning's numeric severity: over 9.0 is
// critical, 7.0–8.9 high, 4.0–6.9 medium, below 4.0 low.
func securitySeverity(s patterns.Severity) string {
	switch s {
	case patterns.SeverityCritical:
		return "9.5"
	case patterns.SeverityHigh:
		return "8.0"
	case patterns.SeverityMedium:
		return "5.5"
	case patterns.SeverityLow:
		return "3.0"
	}
	return "1.0"
}
