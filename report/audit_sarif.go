package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/rampart-sec/rampart/hardening"
)

// auditSARIFSchema is the $schema of audit SARIF logs.
const auditSARIFSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// AuditSARIFFingerprintKey names the partial fingerprint of an audit
// result: target, check and location, so re-runs match the same alert.
const AuditSARIFFingerprintKey = "rampartAudit/v1"

// The SARIF 2.1.0 subset audit logs use (prefixed: the scan writer has its
// own types in this package).
type (
	auditSarifLog struct {
		Schema  string          `json:"$schema"`
		Version string          `json:"version"`
		Runs    []auditSarifRun `json:"runs"`
	}
	auditSarifRun struct {
		Tool auditSarifTool `json:"tool"`
		// Invocations carry the run's notes, as a scan's SARIF does.
		Invocations []sarifInvocation  `json:"invocations,omitempty"`
		Results     []auditSarifResult `json:"results"`
		Properties  map[string]any     `json:"properties,omitempty"`
	}
	auditSarifTool struct {
		Driver auditSarifDriver `json:"driver"`
	}
	auditSarifDriver struct {
		Name           string           `json:"name"`
		Version        string           `json:"version,omitempty"`
		InformationURI string           `json:"informationUri"`
		Rules          []auditSarifRule `json:"rules"`
	}
	auditSarifRule struct {
		ID                   string               `json:"id"`
		Name                 string               `json:"name"`
		ShortDescription     auditSarifText       `json:"shortDescription"`
		FullDescription      auditSarifText       `json:"fullDescription"`
		Help                 auditSarifText       `json:"help"`
		DefaultConfiguration auditSarifRuleConfig `json:"defaultConfiguration"`
		Properties           auditSarifRuleProps  `json:"properties"`
	}
	auditSarifText struct {
		Text string `json:"text"`
	}
	auditSarifRuleConfig struct {
		Level string `json:"level"`
	}
	auditSarifRuleProps struct {
		Tags             []string `json:"tags"`
		SecuritySeverity string   `json:"security-severity"`
		Scope            string   `json:"scope"`
		Permission       string   `json:"permission,omitempty"`
	}
	auditSarifResult struct {
		RuleID              string                  `json:"ruleId"`
		RuleIndex           int                     `json:"ruleIndex"`
		Kind                string                  `json:"kind"`
		Level               string                  `json:"level"`
		Message             auditSarifText          `json:"message"`
		Locations           []auditSarifLocation    `json:"locations"`
		PartialFingerprints map[string]string       `json:"partialFingerprints"`
		Suppressions        []auditSarifSuppression `json:"suppressions,omitempty"`
		Properties          map[string]any          `json:"properties"`
	}
	auditSarifLocation struct {
		PhysicalLocation *auditSarifPhysical      `json:"physicalLocation,omitempty"`
		LogicalLocations []auditSarifLogicalPlace `json:"logicalLocations"`
	}
	auditSarifPhysical struct {
		ArtifactLocation auditSarifArtifact `json:"artifactLocation"`
		Region           *auditSarifRegion  `json:"region,omitempty"`
	}
	auditSarifArtifact struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	auditSarifRegion struct {
		StartLine int `json:"startLine"`
	}
	auditSarifLogicalPlace struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
	auditSarifSuppression struct {
		Kind          string `json:"kind"`
		Status        string `json:"status"`
		Justification string `json:"justification"`
	}
)

// auditLevel maps a severity to a SARIF level for failures.
func auditLevel(s hardening.Severity) string {
	switch {
	case s >= hardening.SeverityHigh:
		return "error"
	case s >= hardening.SeverityMedium:
		return "warning"
	}
	return "note"
}

// auditSecuritySeverity is GitHub code scanning's numeric severity.
func auditSecuritySeverity(s hardening.Severity) string {
	return map[hardening.Severity]string{
		hardening.SeverityCritical: "9.5", hardening.SeverityHigh: "8.0", hardening.SeverityMedium: "5.5",
		hardening.SeverityLow: "3.0", hardening.SeverityInfo: "0.0",
	}[s]
}

// writeAuditSARIF writes a SARIF 2.1.0 log: a rule per check, and a result
// per failed, warned or unknown check (passes are left out). Unknown results
// are kind "review" with level "none": nothing was found, someone with more
// permission must look. Waived results carry an external suppression. Each
// result's logical location is the repository or organisation; workflow
// findings add the file and line, relative to the repository root.
func writeAuditSARIF(w io.Writer, r *AuditReport) error {
	checks := hardening.Checks()
	index := map[string]int{}
	rules := make([]auditSarifRule, 0, len(checks))
	for i, c := range checks {
		index[c.ID] = i
		rules = append(rules, auditSarifRule{
			ID: c.ID, Name: ruleNameFromID(c.ID),
			ShortDescription:     auditSarifText{Text: c.Title},
			FullDescription:      auditSarifText{Text: fmt.Sprintf("%s (%s check). Needs: %s.", c.Title, c.Scope, c.Permission)},
			Help:                 auditSarifText{Text: c.Remediation},
			DefaultConfiguration: auditSarifRuleConfig{Level: auditLevel(c.Severity)},
			Properties: auditSarifRuleProps{Tags: []string{"security", "github", "hardening"},
				SecuritySeverity: auditSecuritySeverity(c.Severity), Scope: c.Scope.String(), Permission: c.Permission.String()},
		})
	}
	results := []auditSarifResult{}
	for _, t := range r.Report.Targets {
		place := auditSarifLogicalPlace{Name: t.Name, FullyQualifiedName: t.Name, Kind: t.Kind}
		if t.Error != "" {
			continue
		}
		for i := range t.Results {
			res := &t.Results[i]
			if res.Status == hardening.StatusPass {
				continue
			}
			idx, ok := index[res.Check]
			if !ok {
				continue
			}
			sr := auditSarifResult{
				RuleID: res.Check, RuleIndex: idx, Kind: "fail", Level: auditLevel(res.Severity),
				Message:    auditSarifText{Text: t.Name + ": " + res.Evidence},
				Properties: map[string]any{"target": t.Name, "status": string(res.Status), "severity": res.Severity.String()},
			}
			switch res.Status {
			case hardening.StatusWarn:
				sr.Level = "note"
			case hardening.StatusUnknown:
				sr.Kind, sr.Level = "review", "none"
				sr.Properties["permission"] = res.Permission
			}
			if res.Waiver != nil {
				sr.Properties["waiver"] = res.Waiver
				if !res.Waiver.Expired {
					sr.Suppressions = []auditSarifSuppression{{Kind: "external", Status: "accepted",
						Justification: fmt.Sprintf("%s (until %s)", res.Waiver.Reason, res.Waiver.Expires)}}
				}
			}
			if len(res.Locations) == 0 {
				sr.Locations = []auditSarifLocation{{LogicalLocations: []auditSarifLogicalPlace{place}}}
			}
			for _, l := range res.Locations {
				loc := auditSarifLocation{
					PhysicalLocation: &auditSarifPhysical{ArtifactLocation: auditSarifArtifact{URI: auditPathURI(l.Path), URIBaseID: "%SRCROOT%"}},
					LogicalLocations: []auditSarifLogicalPlace{place},
				}
				if l.Line > 0 {
					loc.PhysicalLocation.Region = &auditSarifRegion{StartLine: l.Line}
				}
				sr.Locations = append(sr.Locations, loc)
			}
			path := ""
			if len(res.Locations) > 0 {
				path = res.Locations[0].Path
			}
			sum := sha256.Sum256([]byte(t.Name + "\x00" + res.Check + "\x00" + path))
			sr.PartialFingerprints = map[string]string{AuditSARIFFingerprintKey: hex.EncodeToString(sum[:16])}
			results = append(results, sr)
		}
	}
	doc := auditSarifLog{
		Schema: auditSARIFSchema, Version: "2.1.0",
		Runs: []auditSarifRun{{
			Tool:       auditSarifTool{Driver: auditSarifDriver{Name: "rampart", Version: r.Version, InformationURI: "https://github.com/rampart-sec/rampart", Rules: rules}},
			Results:    results,
			Properties: map[string]any{"summary": r.Report.Summary},
		}},
	}
	if len(r.Notes) > 0 {
		inv := sarifInvocation{ExecutionSuccessful: true}
		for _, n := range r.Notes {
			inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{Level: "note", Message: sarifText{Text: n}})
		}
		doc.Runs[0].Invocations = []sarifInvocation{inv}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// auditPathURI percent-encodes a repository-relative path segment by
// segment, so a hostile file name cannot escape its URI.
func auditPathURI(p string) string {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// ruleNameFromID turns "branch-force-push" into "BranchForcePush".
func ruleNameFromID(id string) string {
	out := make([]byte, 0, len(id))
	up := true
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c == '-' || c == '_' {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		out = append(out, c)
	}
	return string(out)
}
