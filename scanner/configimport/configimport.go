// Package configimport converts other secret scanners' configuration into
// rampart's .rampart.toml schema (scanner.RawConfig): gitleaks' .gitleaks.toml
// and git-secrets' secrets.patterns / secrets.allowed / secrets.providers git
// config. Everything here is a pure function over bytes; reading files and
// running git is the caller's business. A conversion never drops anything
// silently: whatever cannot be expressed in rampart is reported as a Warning.
package configimport

import (
	"bytes"
	"fmt"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// Options tunes a conversion.
type Options struct {
	// Builtin lists the IDs of rampart's built-in rules. An imported rule whose
	// normalised ID is one of them gets a prefix ("gitleaks-", "git-secrets-")
	// so the output does not clash with the catalogue.
	Builtin []string
}

// Warning is one thing a conversion could not carry over faithfully.
type Warning struct {
	// Rule is the source rule's ID ("" for configuration-wide warnings).
	Rule string
	Msg  string
}

// String formats w for a terminal: `rule "id": msg` or just msg.
func (w Warning) String() string {
	if w.Rule == "" {
		return w.Msg
	}
	return fmt.Sprintf("rule %q: %s", w.Rule, w.Msg)
}

// Result is a converted configuration and what did not convert.
type Result struct {
	Config   scanner.RawConfig
	Warnings []Warning
}

func (r *Result) warn(rule, format string, args ...any) {
	r.Warnings = append(r.Warnings, Warning{Rule: rule, Msg: fmt.Sprintf(format, args...)})
}

// ids hands out unique rule IDs matching rampart's id pattern.
type ids struct {
	prefix  string
	builtin map[string]bool
	used    map[string]bool
}

func newIDs(prefix string, builtin []string) *ids {
	b := make(map[string]bool, len(builtin))
	for _, id := range builtin {
		b[id] = true
	}
	return &ids{prefix: prefix, builtin: b, used: map[string]bool{}}
}

// NormaliseID turns an arbitrary rule name into rampart's id form: lower
// case, runs of anything but letters and digits become one dash, no dash at
// either end, at least two characters. It returns "" when nothing is left.
func NormaliseID(id string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(id) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(c)
			continue
		}
		dash = true
	}
	s := b.String()
	if len(s) > 64 {
		s = strings.TrimRight(s[:64], "-")
	}
	if len(s) == 1 {
		s += "-rule"
	}
	return s
}

// assign returns a unique, valid ID for a source rule named name (fallback
// when the name normalises to nothing).
func (g *ids) assign(name, fallback string) string {
	id := NormaliseID(name)
	if id == "" {
		id = fallback
	}
	if g.builtin[id] {
		id = g.prefix + id
	}
	base := id
	for n := 2; g.used[id] || g.builtin[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	g.used[id] = true
	return id
}

// minKeywordLen is the shortest keyword rampart's automaton accepts.
const minKeywordLen = 3

// maxKeywords bounds derived keyword sets: more alternatives than this and
// the prefilter buys little.
const maxKeywords = 16

// DeriveKeywords returns lower-case literals at least one of which occurs
// in every match of re, for the keyword prefilter, or nil when there is no
// useful set (each keyword at least three bytes, at most 16 of them).
func DeriveKeywords(re string) []string {
	p, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return nil
	}
	_, req, _ := literalSets(p.Simplify())
	if req == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, k := range req {
		k = strings.ToLower(k)
		if len(k) < minKeywordLen || len(k) > 64 {
			return nil
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	if len(out) == 0 || len(out) > maxKeywords {
		return nil
	}
	sort.Strings(out)
	return out
}

// literalSets returns, for regex node n: exact, every string n can match
// when that set is small and finite (nil otherwise); required, strings at
// least one of which occurs in every match of n (nil when unknown); and
// prefix, strings one of which starts every match ({""} when unknown).
func literalSets(n *syntax.Regexp) (exact, required, prefix []string) {
	const limit = 64
	unknown := []string{""}
	switch n.Op {
	case syntax.OpLiteral:
		s := string(n.Rune)
		return []string{s}, []string{s}, []string{s}
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return unknown, nil, unknown
	case syntax.OpCharClass:
		var set []string
		for i := 0; i+1 < len(n.Rune); i += 2 {
			for r := n.Rune[i]; r <= n.Rune[i+1]; r++ {
				if len(set) >= 10 {
					return nil, nil, unknown
				}
				set = append(set, string(r))
			}
		}
		return set, nil, set
	case syntax.OpCapture:
		return literalSets(n.Sub[0])
	case syntax.OpQuest:
		if e, _, _ := literalSets(n.Sub[0]); e != nil {
			e = append(e, "")
			return e, nil, e
		}
		return nil, nil, unknown
	case syntax.OpPlus:
		_, r, p := literalSets(n.Sub[0])
		return nil, r, p
	case syntax.OpRepeat:
		if n.Min >= 1 {
			e, r, p := literalSets(n.Sub[0])
			if n.Min == 1 && n.Max == 1 {
				return e, r, p
			}
			return nil, best(r, e), p
		}
		return nil, nil, unknown
	case syntax.OpAlternate:
		var ex, rq, px []string
		exactOK, reqOK := true, true
		for _, s := range n.Sub {
			e, r, p := literalSets(s)
			if e == nil {
				exactOK = false
			}
			if r = best(r, e); r == nil {
				reqOK = false
			}
			ex, rq, px = append(ex, e...), append(rq, r...), append(px, p...)
		}
		if !exactOK || len(ex) > limit {
			ex = nil
		}
		if !reqOK || len(rq) > limit {
			rq = nil
		}
		if len(px) > limit {
			px = unknown
		}
		return ex, rq, px
	case syntax.OpConcat:
		var req []string
		run := []string{""}
		prefix := []string(nil)
		for _, s := range n.Sub {
			e, r, p := literalSets(s)
			req = best(req, r)
			if e != nil && len(run)*len(e) <= limit {
				run = cross(run, e)
				continue
			}
			// run is followed directly by one of s's prefixes.
			if len(run)*len(p) <= limit {
				req = best(req, cross(run, p))
				if prefix == nil {
					prefix = cross(run, p)
				}
			} else {
				req = best(req, run)
				if prefix == nil {
					prefix = run
				}
			}
			if e != nil {
				run = e
			} else {
				run = []string{""}
			}
		}
		req = best(req, run)
		if prefix == nil {
			return run, req, run
		}
		return nil, req, prefix
	}
	return nil, nil, unknown
}

func cross(a, b []string) []string {
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

// best picks the more useful of two required sets: a set usable as
// keywords (every member at least minKeywordLen bytes, at most maxKeywords
// members) beats one that is not; then the longer shortest member wins,
// then fewer members.
func best(a, b []string) []string {
	ma, mb := minLen(a), minLen(b)
	ua := ma >= minKeywordLen && len(a) <= maxKeywords
	ub := mb >= minKeywordLen && len(b) <= maxKeywords
	switch {
	case ua && !ub:
		return a
	case ub && !ua:
		return b
	case mb > ma:
		return b
	case mb == ma && len(b) > 0 && len(b) < len(a):
		return b
	}
	return a
}

func minLen(set []string) int {
	if len(set) == 0 {
		return -1
	}
	m := len(set[0])
	for _, s := range set[1:] {
		if len(s) < m {
			m = len(s)
		}
	}
	return m
}

// fileConfig is scanner.RawConfig without the [audit] table, with
// omitempty everywhere, so the encoded file holds only what was set.
type fileConfig struct {
	MaxFileSize any                   `toml:"max_file_size,omitempty"`
	Disable     []string              `toml:"disable,omitempty"`
	Allowlist   *scanner.RawAllowlist `toml:"allowlist,omitempty"`
	Rules       []patterns.RawRule    `toml:"rules,omitempty"`
}

// Encode writes cfg as .rampart.toml, holding only the keys that are set.
// The [audit] table is not written.
func Encode(cfg scanner.RawConfig) ([]byte, error) {
	f := fileConfig{MaxFileSize: cfg.MaxFileSize, Disable: cfg.Disable, Rules: cfg.Rules}
	if a := cfg.Allowlist; len(a.Paths)+len(a.Regexes)+len(a.Secrets)+len(a.Stopwords) > 0 {
		f.Allowlist = &a
	}
	var buf bytes.Buffer
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("configimport: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// checkRule compiles raw the way ParseConfig will and returns the problems
// as one message ("" when it compiles).
func checkRule(raw patterns.RawRule) string {
	if _, errs := raw.Compile(""); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Msg
		}
		return strings.Join(msgs, "; ")
	}
	return ""
}

// dedup removes repeated strings, keeping the first of each.
func dedup(list []string) []string {
	seen := map[string]bool{}
	out := list[:0]
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Document renders res as a complete .rampart.toml: a comment header (each
// line of header, then every warning, so the file records what did not
// convert) followed by Encode's TOML.
func Document(res *Result, header string) ([]byte, error) {
	body, err := Encode(res.Config)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, l := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		if l != "" {
			b.WriteString("# " + commentSafe(l) + "\n")
		}
	}
	if len(res.Warnings) > 0 {
		b.WriteString("#\n# Not converted or changed on the way (review these):\n")
		for _, w := range res.Warnings {
			b.WriteString("#   - " + commentSafe(w.String()) + "\n")
		}
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	b.Write(body)
	return b.Bytes(), nil
}

// commentSafe makes s fit in a TOML comment: valid UTF-8, control
// characters (newlines included) escaped.
func commentSafe(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
