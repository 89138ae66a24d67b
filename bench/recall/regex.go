package main

import (
	"regexp"
	"strings"
)

// flagGroup matches an inline flag group such as (?x), (?xi), (?-u) or the
// opening of a group with flags, (?i:.
var flagGroup = regexp.MustCompile(`\(\?[a-zA-Z-]+[):]`)

// compilePeer compiles a peer's pattern with Go's regexp, so the harness can
// tell which part of an example the peer calls the secret. Both peers write
// Rust-dialect patterns in extended mode ((?x): whitespace and #-comments are
// not part of the pattern), which Go's RE2 does not support; compilePeer
// removes what extended mode ignores and drops the x flag. Patterns that
// still do not compile return nil: their examples are credited on any
// finding.
func compilePeer(pattern string) *regexp.Regexp {
	if strings.TrimSpace(pattern) == "" {
		// No pattern (gitleaks' Go rules): an empty regex would match
		// everywhere at zero width; unknown credits any finding instead.
		return nil
	}
	re, err := regexp.Compile(goPattern(pattern))
	if err != nil {
		return nil
	}
	return re
}

// inlineComment is Rust's (?# …) comment group.
var inlineComment = regexp.MustCompile(`\(\?#[^)]*\)`)

// bigRepeat is a counted repetition above Go's limit of 1000.
var bigRepeat = regexp.MustCompile(`\{(\d+),(\d{4,})\}`)

// goPattern rewrites a peer's pattern into Go's dialect as far as it can:
// extended mode resolved, (?# …) comments removed, repetition counts above
// Go's limit of 1000 capped.
func goPattern(pattern string) string {
	p := inlineComment.ReplaceAllString(strings.TrimSpace(pattern), "")
	p = bigRepeat.ReplaceAllStringFunc(p, func(m string) string {
		lo := bigRepeat.FindStringSubmatch(m)[1]
		if len(lo) > 3 {
			return m
		}
		return "{" + lo + ",1000}"
	})
	extended := false
	p = flagGroup.ReplaceAllStringFunc(p, func(g string) string {
		flags, end := g[2:len(g)-1], g[len(g)-1:]
		on, off, _ := strings.Cut(flags, "-")
		if strings.ContainsRune(on, 'x') {
			extended = true
			on = strings.ReplaceAll(on, "x", "")
		}
		// Go has no u flag (it is always Unicode-aware); drop it both ways.
		on = strings.ReplaceAll(on, "u", "")
		off = strings.ReplaceAll(strings.ReplaceAll(off, "x", ""), "u", "")
		switch {
		case on == "" && off == "" && end == ")":
			return ""
		case on == "" && off == "":
			return "(?:"
		case off == "":
			return "(?" + on + end
		default:
			return "(?" + on + "-" + off + end
		}
	})
	if extended {
		p = stripExtended(p)
	}
	return p
}

// stripExtended removes the whitespace and #-comments that extended mode
// ignores. An escaped character (`\ `, `\#`) is kept; inside a bracketed
// class whitespace is dropped (as the Rust regex crate does) and # is a
// literal.
func stripExtended(p string) string {
	var b strings.Builder
	class := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
		case c == '[':
			class++
			b.WriteByte(c)
			// A ] right after [ or [^ is a literal, not the end of the class.
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
		case c == ']' && class > 0:
			class--
			b.WriteByte(c)
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			// ignored in extended mode, inside classes too
		case c == '#' && class == 0:
			for i < len(p) && p[i] != '\n' {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// peerSpans returns the byte spans of example that the peer's pattern calls
// the secret: the capture groups of every match (the whole match for a
// pattern without groups). Nil means the pattern is unknown or did not match.
func peerSpans(re *regexp.Regexp, example string) [][2]int {
	if re == nil {
		return nil
	}
	var spans [][2]int
	for _, m := range re.FindAllStringSubmatchIndex(example, -1) {
		groups := 0
		for g := 1; g < len(m)/2; g++ {
			if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
				spans = append(spans, [2]int{m[2*g], m[2*g+1]})
				groups++
			}
		}
		if groups == 0 {
			spans = append(spans, [2]int{m[0], m[1]})
		}
	}
	return spans
}

// overlapsSpans reports whether secret, wherever it occurs in example,
// overlaps one of spans. A secret that does not occur literally (found in a
// decoded view of the example) overlaps by definition: the harness cannot
// place it, and a decoded finding is a real one.
func overlapsSpans(example, secret string, spans [][2]int) bool {
	if len(spans) == 0 || secret == "" {
		return true
	}
	found := false
	for from := 0; from <= len(example); {
		i := strings.Index(example[from:], secret)
		if i < 0 {
			break
		}
		found = true
		start, end := from+i, from+i+len(secret)
		for _, s := range spans {
			if start < s[1] && s[0] < end {
				return true
			}
		}
		from = start + 1
	}
	return !found
}
