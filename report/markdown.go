package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/verify/canary"
)

// MarkdownLimit is the most bytes the markdown format writes. GitHub
// rejects a job summary ($GITHUB_STEP_SUMMARY) over 1 MiB per step; a few
// KiB stay free for anything else the step appends.
const MarkdownLimit = 1<<20 - 8<<10

// MarkdownMaxRows is the most table rows the markdown format writes: past
// that a summary is no longer read, and the rest are counted instead.
const MarkdownMaxRows = 1000

// maxCell is the most runes of a path or rule ID shown in one table cell.
const maxCell = 200

// writeMarkdown writes a job summary: a heading with the count, a table of
// credentials (rule, file:line, commit, severity; an AWS key pair is one
// row), and what to do. Every cell is made inert (control characters
// escaped, Markdown and HTML punctuation backslash-escaped), secrets never
// appear (a summary is as public as the repository), and output stops before
// MarkdownLimit bytes or MarkdownMaxRows rows with a count of what was left out.
func writeMarkdown(w io.Writer, r *ScanReport, o ScanOptions) error {
	return writeMarkdownLimit(w, r, MarkdownLimit, MarkdownMaxRows)
}

func writeMarkdownLimit(w io.Writer, r *ScanReport, limit, maxRows int) error {
	fs := r.Findings
	groups := byStatus(fs, credentialGroups(fs))
	withStatus := verified(fs) || anyCanary(fs)
	var head strings.Builder
	switch {
	case len(fs) == 0:
		head.WriteString("## rampart: no credentials found\n\n")
	case len(groups) != len(fs):
		fmt.Fprintf(&head, "## rampart: %s found (%s)\n\n", plural(len(groups), "credential"), plural(len(fs), "finding"))
	default:
		fmt.Fprintf(&head, "## rampart: %s found\n\n", plural(len(groups), "credential"))
	}
	st := r.Stats
	head.WriteString(mdText(upperFirst(scannedSummary(st, r.Repositories))))
	fmt.Fprintf(&head, " in %s", humanMS(st.DurationMS))
	if r.Suppressed > 0 {
		fmt.Fprintf(&head, "; %s suppressed by the baseline", plural(r.Suppressed, "finding"))
	}
	head.WriteString(".\n\n")
	var foot strings.Builder
	if len(fs) > 0 {
		foot.WriteString("**Rotate every secret listed**: removing it from git is not enough, it stays in history and in every clone. " +
			"A false positive? Add a `rampart:allow` comment on its line, or list it under `[allowlist]` in `.rampart.toml`.\n")
	}
	for _, n := range st.Notes {
		fmt.Fprintf(&foot, "\n> %s\n", mdText("note: "+n))
	}

	var body strings.Builder
	if len(groups) > 0 {
		if withStatus {
			body.WriteString("| Rule | Location | Commit | Severity | Status |\n| --- | --- | --- | --- | --- |\n")
		} else {
			body.WriteString("| Rule | Location | Commit | Severity |\n| --- | --- | --- | --- |\n")
		}
	}
	// The truncation line is longest with the largest count; reserve that.
	omission := func(n int) string {
		return fmt.Sprintf("\n_…and %s not shown (the summary is limited in size): see the workflow annotations, or run with `--format sarif` or `--format json` for all of them._\n", plural(n, "more credential"))
	}
	budget := limit - head.Len() - foot.Len() - len(omission(len(groups))) - 1
	shown := 0
	for _, g := range groups {
		row := markdownRow(fs, g, withStatus)
		if shown >= maxRows || body.Len()+len(row) > budget {
			break
		}
		body.WriteString(row)
		shown++
	}
	if shown < len(groups) {
		body.WriteString(omission(len(groups) - shown))
	}
	if body.Len() > 0 {
		body.WriteString("\n")
	}
	_, err := io.WriteString(w, head.String()+body.String()+foot.String())
	if err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

// credentialGroups lists findings as credentials: an AWS key ID and its
// paired secret key form one group, every other finding its own.
func credentialGroups(fs []scanner.Finding) [][]int {
	done := make([]bool, len(fs))
	var groups [][]int
	for i := range fs {
		if done[i] {
			continue
		}
		done[i] = true
		g := []int{i}
		if j := Partner(fs, i); j >= 0 && !done[j] {
			done[j] = true
			g = append(g, j)
		}
		groups = append(groups, g)
	}
	return groups
}

func markdownRow(fs []scanner.Finding, g []int, withStatus bool) string {
	f := &fs[g[0]]
	rules := make([]string, len(g))
	locs := make([]string, len(g))
	for k, i := range g {
		x := &fs[i]
		rules[k] = mdText(clip(x.RuleID))
		if x.Kind == scanner.KindCommitMessage {
			locs[k] = "commit message"
		} else {
			locs[k] = mdText(clip(x.Path)) + fmt.Sprintf(":%d", x.Line)
		}
	}
	commit := "—"
	if f.Commit != nil && f.Commit.Hash != "" {
		commit = "`" + mdText(shortHash(f.Commit.Hash)) + "`"
	}
	loc := strings.Join(locs, "<br>")
	// An AWS key pair usually sits in one file: name it once.
	if len(g) == 2 && fs[g[0]].Path == fs[g[1]].Path && f.Kind != scanner.KindCommitMessage {
		loc = fmt.Sprintf("%s:%d and %d", mdText(clip(f.Path)), f.Line, fs[g[1]].Line)
	}
	if withStatus {
		// A summary is as public as the repository: the status, never
		// whose the credential is.
		status := "—"
		if v := f.Verification; v != nil {
			status = string(v.Status)
			if v.Status == scanner.VerifyValid {
				status = "**valid**"
			}
		}
		if canaryNote(f) != "" {
			status = "canary token (" + mdText(canary.VendorName(f.Attributes[canary.Attr])) + ")"
		}
		return fmt.Sprintf("| %s | %s | %s | %s | %s |\n", strings.Join(rules, " + "), loc, commit, f.Severity.String(), status)
	}
	return fmt.Sprintf("| %s | %s | %s | %s |\n", strings.Join(rules, " + "), loc, commit, f.Severity.String())
}

// clip shortens s to maxCell runes, keeping both ends.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxCell {
		return s
	}
	r := []rune(s)
	return string(r[:maxCell/2]) + "…" + string(r[len(r)-maxCell/2:])
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// mdText makes s inert inside Markdown (including a table cell): control
// and format characters are escaped by Safe, then every character that
// Markdown, GitHub's extensions or HTML give meaning to is backslash-escaped.
func mdText(s string) string {
	s = Safe(s)
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && strings.ContainsRune("\\`*_{}[]()<>#!|~@&$^=+\"'", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// markdownText escapes rule text for SARIF's help.markdown.
func markdownText(s string) string { return mdText(s) }
