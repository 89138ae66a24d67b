package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// Safe escapes control characters (including ESC, so no terminal escape
// sequence passes through), invalid UTF-8 and Unicode format characters such
// as bidirectional overrides, so hostile file names and commit messages
// print as inert text.
func Safe(s string) string {
	if safeAlready(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

type palette struct {
	on     bool // colours are written
	sev    map[patterns.Severity]*color.Color
	valid  *color.Color
	bold   *color.Color
	dim    *color.Color
	secret *color.Color
}

func newPalette(on bool) palette {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return palette{
		on: on,
		sev: map[patterns.Severity]*color.Color{
			patterns.SeverityCritical: mk(color.FgRed, color.Bold),
			patterns.SeverityHigh:     mk(color.FgRed),
			patterns.SeverityMedium:   mk(color.FgYellow),
			patterns.SeverityLow:      mk(color.FgCyan),
			patterns.SeverityInfo:     mk(color.FgBlue),
			patterns.SeverityUnknown:  mk(),
		},
		valid:  mk(color.FgRed, color.Bold),
		bold:   mk(color.Bold),
		dim:    mk(color.Faint),
		secret: mk(color.FgMagenta),
	}
}

func writeText(w io.Writer, r *ScanReport, o ScanOptions) error {
	p := newPalette(o.Color)
	ew := &errWriter{w: w}
	fs := r.Findings
	// A verified scan leads with the credentials that work.
	groups := byStatus(fs, credentialGroups(fs))
	for _, g := range groups {
		writeTextBlock(ew, p, fs, g, o)
	}
	if !o.Quiet {
		writeTextSummary(ew, p, r, len(groups), o)
	} else {
		// Quiet leaves out the summary, never that the scan was partial.
		for _, n := range r.Stats.Incomplete {
			ew.printf("%s\n", p.dim.Sprint("note: "+Safe(n)))
		}
	}
	return ew.err
}

func writeTextBlock(w *errWriter, p palette, fs []scanner.Finding, group []int, o ScanOptions) {
	// Written with string concatenation rather than fmt: a secret-dense
	// history's 500 findings took 1.2 ms of fmt on the scan's serial tail.
	f := &fs[group[0]]
	sev := f.Severity
	title := f.Description
	if len(group) == 2 {
		title = "AWS access key pair (key ID and secret key)"
		if canaryNote(f) != "" {
			title = "AWS canary token (key ID and secret key)"
		}
	}
	w.write(p.paint(p.sev[sev], padRight(strings.ToUpper(sev.String()), 8)), " ", p.paint(p.bold, Safe(title)), " ", p.paint(p.dim, "["+ruleList(fs, group)+"]"), "\n")
	for _, g := range group {
		x := &fs[g]
		w.write("  ", p.paint(p.bold, Safe(x.Path)+":"+strconv.Itoa(x.Line)+":"+strconv.Itoa(x.Column)), "  ", p.paint(p.secret, Safe(x.Display(o.ShowSecrets))))
		if len(group) == 2 {
			w.write("  ", p.paint(p.dim, x.RuleID))
		}
		w.write("\n")
	}
	if c := f.Commit; c != nil {
		line := "  commit " + shortHash(c.Hash)
		if c.Author != "" {
			line += " by " + Safe(c.Author)
			if c.Email != "" {
				line += " <" + Safe(c.Email) + ">"
			}
		}
		if !c.Date.IsZero() {
			line += " on " + c.Date.Format("2006-01-02")
		}
		w.write(line, "\n")
	}
	for _, g := range group {
		if id := fs[g].Attributes["aws_account_id"]; id != "" {
			w.write("  AWS account ", id, "\n")
		}
	}
	if note := canaryNote(f); note != "" {
		w.write("  ", p.paint(p.bold, "canary:"), " ", note, "\n")
	}
	if v := f.Verification; v != nil {
		w.write("  ", p.paint(p.bold, "verification:"), " ", p.paint(p.status(v.Status), verificationText(v, true)), "\n")
	}
	if f.Remediation != "" {
		w.write("  ", p.paint(p.bold, "fix:"), " ", f.Remediation, "\n")
	}
	w.write("\n")
}

// padRight pads s with spaces to n bytes, as fmt's %-Ns does for ASCII.
func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

// safeAlready reports whether Safe would return s as it is. ASCII is
// tested byte by byte (its controls are below 0x20 and 0x7f; no format
// character is ASCII), the rest rune by rune: a report's every path, line
// and message goes through Safe, and the table searches of unicode.Is for
// each ASCII byte were a sixth of writing a secret-dense history's report.
func safeAlready(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			for _, r := range s[i:] {
				if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\\' {
					return false
				}
			}
			return true
		}
		if c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

func ruleList(fs []scanner.Finding, group []int) string {
	ids := make([]string, len(group))
	for i, g := range group {
		ids[i] = fs[g].RuleID
	}
	return strings.Join(ids, " + ")
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// status colours a verification status: a live credential stands out.
func (p palette) status(s scanner.VerifyStatus) *color.Color {
	switch s {
	case scanner.VerifyValid:
		return p.valid
	case scanner.VerifyUnknown:
		return p.sev[patterns.SeverityMedium]
	}
	return p.dim
}

// scannedCounts says what a scan read: "3 commits, 12 blobs", "2 files",
// "1 commit message".
func scannedCounts(st scanner.Stats, repos []RepositorySection) string {
	var what []string
	if len(repos) > 0 {
		// An organisation scan: its unit is the repository, and a rerun
		// that finds nothing new reads no file at all.
		unchanged, failed := 0, 0
		for _, r := range repos {
			switch r.Status {
			case "unchanged":
				unchanged++
			case "failed":
				failed++
			}
		}
		rs := plural(len(repos), "repository")
		if len(repos) != 1 {
			rs = fmt.Sprintf("%d repositories", len(repos))
		}
		var parts []string
		if unchanged > 0 {
			parts = append(parts, fmt.Sprintf("%d unchanged", unchanged))
		}
		if failed > 0 {
			parts = append(parts, fmt.Sprintf("%d failed", failed))
		}
		if len(parts) > 0 {
			rs += " (" + strings.Join(parts, ", ") + ")"
		}
		what = append(what, rs)
	}
	if st.Commits > 0 {
		what = append(what, plural(st.Commits, "commit"))
	}
	if st.Blobs > 0 {
		what = append(what, plural(st.Blobs, "blob"))
	}
	if st.Messages > 0 && st.Commits == 0 {
		what = append(what, plural(st.Messages, "commit message"))
	}
	if st.Files > 0 || len(what) == 0 {
		what = append(what, plural(st.Files, "file"))
	}
	return strings.Join(what, ", ")
}

func writeTextSummary(w *errWriter, p palette, r *ScanReport, credentials int, o ScanOptions) {
	st := r.Stats
	scanned := fmt.Sprintf("scanned %s, %s in %s", scannedCounts(st, r.Repositories), HumanBytes(st.Bytes), humanMS(st.DurationMS))
	if st.Bytes >= 1<<20 && st.DurationMS > 0 {
		scanned += fmt.Sprintf(" (%.1f MB/s)", float64(st.Bytes)/(1<<20)/(float64(st.DurationMS)/1000))
	}
	switch n := len(r.Findings); {
	case n == 0 && o.Hook != "" && st.Files+st.Commits+st.Messages+st.Blobs == 0 && len(st.Skipped) == 0:
		// Only when there was nothing at all: a staged file over
		// --max-file-size is something new, left unread, and the skipped
		// line below says so.
		w.printf("rampart: nothing new to scan in %s\n", o.Hook)
	case n == 0 && o.Hook != "":
		w.printf("rampart: no credentials in %s (%s, %s)\n", o.Hook, scannedCounts(st, r.Repositories), HumanBytes(st.Bytes))
	case n == 0:
		w.printf("%s %s\n", p.bold.Sprint("No credentials found:"), scanned)
	default:
		msg := plural(n, "finding")
		var extra []string
		if credentials != n {
			extra = append(extra, plural(credentials, "credential"))
		}
		if counts := statusCounts(r.Findings, credentialGroups(r.Findings)); counts != "" {
			extra = append(extra, counts)
		}
		if len(extra) > 0 {
			msg += " (" + strings.Join(extra, "; ") + ")"
		}
		w.printf("%s %s\n", p.sev[patterns.SeverityCritical].Sprint(msg+":"), scanned)
		if allCanaries(r.Findings) {
			w.printf("Every finding is a canary token: a tripwire, not a key of yours. Do not use or test it; if your team did not plant it, remove it and find out who did.\n")
		} else {
			w.printf("%s\n", fixAdvice(o.Hook))
			w.printf("A false positive? Add a `rampart:allow` comment on its line, or list it under [allowlist] in .rampart.toml.\n")
		}
	}
	if len(st.Skipped) > 0 {
		w.printf("%s\n", p.dim.Sprintf("skipped: %s", SortedSkips(st.Skipped)))
	}
	if r.Suppressed > 0 {
		w.printf("%s\n", p.dim.Sprintf("%s suppressed by the baseline", plural(r.Suppressed, "finding")))
	}
	if len(r.Stale) > 0 {
		w.printf("%d baseline %s matched nothing (stale):\n", len(r.Stale), pluralWord(len(r.Stale), "entry", "entries"))
		for _, e := range r.Stale {
			w.printf("  %s %s:%d\n", e.Rule, Safe(e.Path), e.Line)
		}
	}
	for _, n := range st.Notes {
		w.printf("%s\n", p.dim.Sprint("note: "+Safe(n)))
	}
}

// fixAdvice says how to fix what was found. Before a commit nothing is in
// history yet: the fix is to take the secret out and commit again, and
// telling the user to rewrite a history that does not hold it sends them
// the wrong way. Once committed (a push, a range, a history scan), removing
// it is not enough.
func fixAdvice(hook string) string {
	switch hook {
	case "the staged change":
		return "Nothing is committed yet: take each secret out of the file (read it from the environment or a secret manager), `git add` the file again and commit. Rotate any secret that was already committed, pushed or shared elsewhere."
	case "the commit message":
		return "Nothing is committed yet: commit again with the secret taken out of the message (git keeps what you wrote in COMMIT_EDITMSG in the git directory). Rotate it if it was shared elsewhere."
	}
	return "Remove each secret, rotate it (removing it from git is not enough: it is in history and in every clone), and rewrite history if the repository is shared."
}

func plural(n int, word string) string {
	return fmt.Sprintf("%d %s", n, pluralWord(n, word, word+"s"))
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// HumanBytes renders a byte count as "12.3 MB".
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func humanMS(ms int64) string {
	if ms >= 10000 {
		return fmt.Sprintf("%.1fs", float64(ms)/1000)
	}
	return fmt.Sprintf("%dms", ms)
}

// errWriter remembers the first write error so writers can print freely and
// check once.
type errWriter struct {
	w   io.Writer
	err error
}

// paint is c.Sprint(s): s in c's colour, or s itself when colours are off
// (without fmt's formatting of one string).
func (p palette) paint(c *color.Color, s string) string {
	if !p.on {
		return s
	}
	return c.Sprint(s)
}

// write writes ss in order, until a write fails.
func (e *errWriter) write(ss ...string) {
	for _, s := range ss {
		if e.err != nil {
			return
		}
		_, e.err = io.WriteString(e.w, s)
	}
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}
