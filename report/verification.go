package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/verify/canary"
)

// canaryNote is the tripwire wording for a canary finding, or "".
func canaryNote(f *scanner.Finding) string {
	if v := f.Attributes[canary.Attr]; v != "" {
		return canary.Describe(v)
	}
	return ""
}

// verified reports whether any finding carries a verification result.
func verified(fs []scanner.Finding) bool {
	for i := range fs {
		if fs[i].Verification != nil {
			return true
		}
	}
	return false
}

// statusRank orders findings for reports: valid first, then unknown,
// not-checked and invalid; unverified findings last.
func statusRank(f *scanner.Finding) int {
	if f.Verification == nil {
		return len(scanner.VerifyStatuses)
	}
	for i, s := range scanner.VerifyStatuses {
		if s == f.Verification.Status {
			return i
		}
	}
	return len(scanner.VerifyStatuses)
}

// groupRank is the most urgent status in a group (a pair shares one).
func groupRank(fs []scanner.Finding, g []int) int {
	r := statusRank(&fs[g[0]])
	for _, i := range g[1:] {
		r = min(r, statusRank(&fs[i]))
	}
	return r
}

// byStatus orders credential groups valid first when the scan verified;
// otherwise it keeps the scan's order.
func byStatus(fs []scanner.Finding, groups [][]int) [][]int {
	if !verified(fs) {
		return groups
	}
	sort.SliceStable(groups, func(a, b int) bool { return groupRank(fs, groups[a]) < groupRank(fs, groups[b]) })
	return groups
}

// verificationText describes a result: "valid: octocat (scopes: repo)".
// withIdentity is false for reports as public as the repository (job
// summaries, workflow annotations), which name the status only.
func verificationText(v *scanner.Verification, withIdentity bool) string {
	if v == nil {
		return ""
	}
	s := string(v.Status)
	if !withIdentity {
		return s
	}
	var rest []string
	if v.Identity != "" {
		rest = append(rest, Safe(v.Identity))
	}
	if v.Detail != "" {
		rest = append(rest, Safe(v.Detail))
	}
	if len(rest) > 0 {
		s += ": " + strings.Join(rest, "; ")
	}
	return s
}

// sarifRank is a result's SARIF rank (0–100, higher first): what a
// verified scan learned about whether the credential is live.
func sarifRank(v *scanner.Verification) *float64 {
	if v == nil {
		return nil
	}
	var r float64
	switch v.Status {
	case scanner.VerifyValid:
		r = 100
	case scanner.VerifyUnknown:
		r = 60
	case scanner.VerifyNotChecked:
		r = 50
	case scanner.VerifyInvalid:
		r = 10
	}
	return &r
}

// statusCounts renders per-credential counts by status: "1 valid, 2 invalid".
func statusCounts(fs []scanner.Finding, groups [][]int) string {
	n := map[scanner.VerifyStatus]int{}
	for _, g := range groups {
		if v := fs[g[0]].Verification; v != nil {
			n[v.Status]++
		}
	}
	var parts []string
	for _, s := range scanner.VerifyStatuses {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

// allCanaries reports whether every finding is a canary token.
func allCanaries(fs []scanner.Finding) bool {
	for i := range fs {
		if !canary.Is(&fs[i]) {
			return false
		}
	}
	return len(fs) > 0
}

// anyCanary reports whether some finding is a canary token.
func anyCanary(fs []scanner.Finding) bool {
	for i := range fs {
		if canary.Is(&fs[i]) {
			return true
		}
	}
	return false
}

// pairWhat names what an AWS key ID and its secret are together: a working
// credential, or one canary token.
func pairWhat(f *scanner.Finding) string {
	if canaryNote(f) != "" {
		return "one canary token"
	}
	return "a working AWS credential"
}
