package report

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// writeGitHub writes one GitHub Actions workflow command per finding
// (`::error file=…,line=…,col=…,title=…::message`), which the runner turns
// into an annotation on the offending line, then one plain summary line.
//
// Workflow logs are readable by everyone who can read the repository, so
// secrets are always redacted here, whatever o.ShowSecrets says. Every value
// is escaped as the runner expects (data: %, \r, \n; properties also : and
// ,), so a hostile path or commit message cannot end the command early or
// start another one: each finding is exactly one line starting with "::",
// and no other line does. A path holding control or format characters is
// not given as file= (no annotation could match it anyway): it is named,
// made inert with Safe, in the message instead.
func writeGitHub(w io.Writer, r *ScanReport, o ScanOptions) error {
	ew := &errWriter{w: w}
	fs := r.Findings
	for i := range fs {
		f := &fs[i]
		var props []string
		hostile := !printablePath(f.Path)
		if f.Kind != scanner.KindCommitMessage && !hostile && f.Path != "" {
			props = append(props, "file="+ghProperty(f.Path))
			if f.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Line))
				if f.Column > 0 {
					props = append(props, fmt.Sprintf("col=%d", f.Column))
					props = append(props, fmt.Sprintf("endColumn=%d", f.Column+utf8.RuneCountInString(f.Secret)))
				}
			}
		}
		title := f.Description
		if title == "" {
			title = f.RuleID
		}
		label := fmt.Sprintf("%s (%s)", Safe(title), Safe(f.RuleID))
		if v := f.Verification; v != nil && v.Status == scanner.VerifyValid {
			label = "LIVE " + label
		}
		props = append(props, "title="+ghProperty(label))

		msg := fmt.Sprintf("rampart found %s %s", article(title), Safe(title))
		switch {
		case f.Kind == scanner.KindCommitMessage:
			msg += " in the message of commit " + commitHash(f)
		case hostile:
			msg += fmt.Sprintf(" in %s:%d", Safe(f.Path), f.Line)
		}
		if f.Kind != scanner.KindCommitMessage && f.Commit != nil && f.Commit.Hash != "" {
			msg += " added in commit " + shortHash(f.Commit.Hash)
		}
		msg += ": " + f.Display(false)
		if j := Partner(fs, i); j >= 0 {
			msg += fmt.Sprintf(". Paired with the %s on line %d: together they are %s", pairedName(fs[j].RuleID), fs[j].Line, pairWhat(f))
		}
		if id := f.Attributes["aws_account_id"]; id != "" {
			msg += " (AWS account " + id + ")"
		}
		if note := canaryNote(f); note != "" {
			msg += ". " + note
		}
		if v := f.Verification; v != nil {
			// Workflow logs are public: the status, never whose it is.
			msg += ". Verification: " + verificationText(v, false)
		}
		msg += "."
		if f.Remediation != "" {
			msg += "\nFix: " + Safe(f.Remediation)
		}
		msg += "\nRotate the secret: removing it from git is not enough. A false positive? Add a rampart:allow comment on its line."
		ew.printf("::%s %s::%s\n", ghLevel(f.Severity), strings.Join(props, ","), ghData(msg))
	}
	credentials := 0
	done := make([]bool, len(fs))
	for i := range fs {
		if done[i] {
			continue
		}
		credentials++
		if j := Partner(fs, i); j >= 0 {
			done[j] = true
		}
	}
	switch n := len(fs); {
	case n == 0:
		ew.printf("rampart: no credentials found (%s)\n", scannedSummary(r.Stats, r.Repositories))
	case credentials != n:
		ew.printf("rampart: %s (%s) (%s)\n", plural(n, "finding"), plural(credentials, "credential"), scannedSummary(r.Stats, r.Repositories))
	default:
		ew.printf("rampart: %s (%s)\n", plural(n, "finding"), scannedSummary(r.Stats, r.Repositories))
	}
	if r.Suppressed > 0 {
		ew.printf("rampart: %s suppressed by the baseline\n", plural(r.Suppressed, "finding"))
	}
	for _, n := range r.Stats.Notes {
		ew.printf("rampart: note: %s\n", Safe(n))
	}
	return ew.err
}

// scannedSummary is "scanned 3 commits, 2 files, 1.2 KB".
func scannedSummary(st scanner.Stats, repos []RepositorySection) string {
	return "scanned " + scannedCounts(st, repos) + ", " + HumanBytes(st.Bytes)
}

func article(s string) string {
	if s != "" && strings.ContainsRune("AEIOUaeiou", rune(s[0])) {
		return "an"
	}
	return "a"
}

// ghLevel maps severity to a workflow command: critical and high are
// errors, medium warnings, the rest notices.
func ghLevel(s patterns.Severity) string {
	switch {
	case s >= patterns.SeverityHigh:
		return "error"
	case s == patterns.SeverityMedium:
		return "warning"
	}
	return "notice"
}

// ghData escapes a workflow command's message the way the runner unescapes
// it: % first, then CR and LF.
func ghData(s string) string {
	s = strings.ReplaceAll(s, "%", "%25")
	s = strings.ReplaceAll(s, "\r", "%0D")
	return strings.ReplaceAll(s, "\n", "%0A")
}

// ghProperty escapes a workflow command property value: as data, plus the
// ":" and "," that separate properties.
func ghProperty(s string) string {
	s = ghData(s)
	s = strings.ReplaceAll(s, ":", "%3A")
	return strings.ReplaceAll(s, ",", "%2C")
}

// printablePath reports whether p is valid UTF-8 free of control and
// format characters: a name GitHub can match to a file in the diff.
func printablePath(p string) bool {
	if !utf8.ValidString(p) {
		return false
	}
	for _, r := range p {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}
