package configimport

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// gitleaksConfig is the subset of gitleaks' v8 configuration schema that
// carries meaning for rampart. Unknown keys are reported, not ignored.
type gitleaksConfig struct {
	Title       string              `toml:"title"`
	Description string              `toml:"description"`
	MinVersion  string              `toml:"minVersion"`
	Extend      gitleaksExtend      `toml:"extend"`
	Rules       []gitleaksRule      `toml:"rules"`
	Allowlist   *gitleaksAllowlist  `toml:"allowlist"`
	Allowlists  []gitleaksAllowlist `toml:"allowlists"`
}

type gitleaksExtend struct {
	UseDefault    bool     `toml:"useDefault"`
	Path          string   `toml:"path"`
	URL           string   `toml:"url"`
	DisabledRules []string `toml:"disabledRules"`
}

type gitleaksRule struct {
	ID          string              `toml:"id"`
	Description string              `toml:"description"`
	Regex       string              `toml:"regex"`
	SecretGroup int                 `toml:"secretGroup"`
	Entropy     float64             `toml:"entropy"`
	Keywords    []string            `toml:"keywords"`
	Path        string              `toml:"path"`
	Tags        []string            `toml:"tags"`
	Allowlist   *gitleaksAllowlist  `toml:"allowlist"`
	Allowlists  []gitleaksAllowlist `toml:"allowlists"`
	SkipReport  bool                `toml:"skipReport"`
	Required    []toml.Primitive    `toml:"required"`
}

type gitleaksAllowlist struct {
	Description string   `toml:"description"`
	Condition   string   `toml:"condition"`
	Commits     []string `toml:"commits"`
	Paths       []string `toml:"paths"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	StopWords   []string `toml:"stopwords"`
	TargetRules []string `toml:"targetRules"`
}

// ErrEmpty is returned when an input holds nothing to convert.
var ErrEmpty = errors.New("configimport: nothing to convert")

// Gitleaks converts a gitleaks v8 configuration (.gitleaks.toml) into a
// rampart configuration. Rules keep their regex (gitleaks also uses Go's
// RE2), with the secretGroup rewritten as a named `secret` group; IDs are
// normalised; the global allow list keeps regexes and stopwords and turns
// path regexes into globs where an exact or narrower glob exists.
// Everything else is reported in Result.Warnings. Malformed TOML is an error.
func Gitleaks(data []byte, opts Options) (*Result, error) {
	var gc gitleaksConfig
	md, err := toml.Decode(string(data), &gc)
	if err != nil {
		return nil, fmt.Errorf("configimport: parse gitleaks config: %w", err)
	}
	res := &Result{}
	for _, k := range md.Undecoded() {
		if len(k) >= 2 && k[0] == "rules" && k[1] == "required" {
			continue
		}
		res.warn("", "unknown gitleaks key %q ignored", k.String())
	}
	if len(gc.Rules) == 0 && gc.Allowlist == nil && len(gc.Allowlists) == 0 && !gc.Extend.UseDefault && gc.Extend.Path == "" {
		return nil, ErrEmpty
	}
	convertExtend(gc.Extend, opts, res)
	ids := newIDs("gitleaks-", opts.Builtin)
	for i, gr := range gc.Rules {
		convertGitleaksRule(i, gr, ids, res)
	}
	if gc.Allowlist != nil {
		convertAllowlist("", "[allowlist]", *gc.Allowlist, res)
	}
	for i, al := range gc.Allowlists {
		where := fmt.Sprintf("[[allowlists]] #%d", i+1)
		if len(al.TargetRules) > 0 {
			res.warn("", "%s applies only to rules %s; rampart has no per-rule allow lists, so it was left out (move its entries to [allowlist] if they should apply to every rule)",
				where, strings.Join(al.TargetRules, ", "))
			continue
		}
		convertAllowlist("", where, al, res)
	}
	a := &res.Config.Allowlist
	a.Paths, a.Regexes, a.Stopwords = dedup(a.Paths), dedup(a.Regexes), dedup(a.Stopwords)
	return res, nil
}

func convertExtend(ext gitleaksExtend, opts Options, res *Result) {
	if ext.UseDefault {
		res.warn("", "extend.useDefault: gitleaks' default rules are not imported; rampart's built-in catalogue takes their place")
	} else {
		res.warn("", "this gitleaks config does not extend the defaults, but rampart's built-in rules stay enabled (list their IDs under `disable` to turn them off)")
	}
	if ext.Path != "" || ext.URL != "" {
		res.warn("", "extend.path/url %q not followed: import that file separately", ext.Path+ext.URL)
	}
	builtin := map[string]bool{}
	for _, id := range opts.Builtin {
		builtin[id] = true
	}
	for _, id := range ext.DisabledRules {
		if n := NormaliseID(id); builtin[n] {
			res.Config.Disable = append(res.Config.Disable, n)
			continue
		}
		res.warn("", "extend.disabledRules: %q is not a rampart rule ID; see `rampart rules` for the built-in catalogue", id)
	}
	res.Config.Disable = dedup(res.Config.Disable)
}

func convertGitleaksRule(i int, gr gitleaksRule, ids *ids, res *Result) {
	src := gr.ID
	if src == "" {
		src = fmt.Sprintf("#%d", i+1)
	}
	if gr.Regex == "" {
		res.warn(src, "has no regex (a path-only rule); rampart rules need a regex, so it was left out")
		return
	}
	if gr.SkipReport {
		res.warn(src, "skipReport is not supported; the rule reports its findings in rampart")
	}
	if len(gr.Required) > 0 {
		res.warn(src, "composite rule: its required rules are not imported; only the primary regex is kept")
	}
	regex, err := secretGroupRegex(gr.Regex, gr.SecretGroup)
	if err != nil {
		res.warn(src, "left out: %v", err)
		return
	}
	if gr.SecretGroup == 0 && captureCount(gr.Regex) > 1 {
		res.warn(src, "no secretGroup and several capture groups: gitleaks takes the first non-empty group, rampart takes group 1")
	}
	id := ids.assign(gr.ID, fmt.Sprintf("gitleaks-rule-%d", i+1))
	if NormaliseID(gr.ID) != id {
		res.warn(src, "renamed to %q (rampart IDs are lower-case letters, digits and dashes, and must not clash with built-in rules)", id)
	}
	desc := strings.TrimSpace(gr.Description)
	if desc == "" {
		desc = "Imported from gitleaks rule " + src
	}
	raw := patterns.RawRule{
		ID:          id,
		Description: desc,
		Severity:    "high",
		Regex:       regex,
		Entropy:     gr.Entropy,
		Path:        gr.Path,
	}
	// gitleaks runs a rule only where one of its keywords occurs, so the
	// keywords stay only if every one of them is usable: dropping one would
	// make rampart skip text gitleaks scans.
	for _, k := range gr.Keywords {
		k = strings.ToLower(strings.TrimSpace(k))
		if len(k) < minKeywordLen || len(k) > 64 {
			res.warn(src, "keyword %q is not between %d and 64 bytes long, so the rule's keywords were replaced by ones derived from its regex", k, minKeywordLen)
			raw.Keywords = nil
			break
		}
		raw.Keywords = append(raw.Keywords, k)
	}
	raw.Keywords = dedup(raw.Keywords)
	if len(raw.Keywords) == 0 {
		raw.Keywords = DeriveKeywords(regex)
		if raw.Keywords == nil {
			res.warn(src, "has no keywords, so its regex runs over every file (slower); add keywords if the secret has a fixed prefix")
		}
	}
	if len(gr.Tags) > 0 {
		raw.Remediation = "gitleaks tags: " + strings.Join(gr.Tags, ", ")
	}
	if msg := checkRule(raw); msg != "" {
		res.warn(src, "left out: %s", msg)
		return
	}
	var als []gitleaksAllowlist
	if gr.Allowlist != nil {
		als = append(als, *gr.Allowlist)
	}
	als = append(als, gr.Allowlists...)
	for _, al := range als {
		var parts []string
		for _, x := range [][]string{al.Paths, al.Regexes, al.StopWords, al.Commits} {
			parts = append(parts, x...)
		}
		if len(parts) > 0 {
			res.warn(src, "its allow list (%s) was left out: rampart has no per-rule allow lists; move entries to [allowlist] if they should apply to every rule",
				quoteList(parts, 5))
		}
	}
	res.Config.Rules = append(res.Config.Rules, raw)
}

// convertAllowlist merges a global gitleaks allow list into res.
func convertAllowlist(rule, where string, al gitleaksAllowlist, res *Result) {
	nonEmpty := 0
	for _, n := range []int{len(al.Paths), len(al.Regexes), len(al.StopWords), len(al.Commits)} {
		if n > 0 {
			nonEmpty++
		}
	}
	if strings.EqualFold(al.Condition, "AND") && nonEmpty > 1 {
		res.warn(rule, "%s uses condition = \"AND\"; rampart allow lists match any entry, so it was left out rather than allow more than it did", where)
		return
	}
	a := &res.Config.Allowlist
	for _, p := range al.Paths {
		globs, err := PathRegexGlobs(p)
		if err != nil {
			res.warn(rule, "%s: path %q left out: %v", where, p, err)
			continue
		}
		a.Paths = append(a.Paths, globs...)
	}
	target := strings.ToLower(al.RegexTarget)
	for _, r := range al.Regexes {
		if _, err := regexp.Compile(r); err != nil {
			res.warn(rule, "%s: regex %q left out: %v", where, r, err)
			continue
		}
		if target == "match" || target == "line" {
			res.warn(rule, "%s: regex %q targeted the %s; rampart applies allow-list regexes to the secret only", where, r, target)
		}
		a.Regexes = append(a.Regexes, r)
	}
	for _, w := range al.StopWords {
		if w = strings.TrimSpace(w); w != "" {
			a.Stopwords = append(a.Stopwords, strings.ToLower(w))
		}
	}
	if len(al.Commits) > 0 {
		res.warn(rule, "%s: commits (%s) left out: rampart has no commit allow list; use a baseline (`rampart baseline`) instead",
			where, quoteList(al.Commits, 5))
	}
}

func quoteList(list []string, max int) string {
	var q []string
	for i, s := range list {
		if i == max {
			q = append(q, fmt.Sprintf("and %d more", len(list)-max))
			break
		}
		q = append(q, fmt.Sprintf("%q", s))
	}
	return strings.Join(q, ", ")
}

// captureCount returns the number of capture groups in re (0 if it does not parse).
func captureCount(re string) int {
	p, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return 0
	}
	return p.MaxCap()
}

// secretGroupRegex rewrites re so that gitleaks' secret group becomes the
// named group `secret`: group n when n > 0, else group 1 if there is one
// (gitleaks' own fallback), else the whole match. It fails when re does
// not compile or names a group it does not have.
func secretGroupRegex(re string, n int) (string, error) {
	compiled, err := regexp.Compile(re)
	if err != nil {
		return "", fmt.Errorf("bad regex: %w", err)
	}
	caps := compiled.NumSubexp()
	if n < 0 || n > caps {
		return "", fmt.Errorf("secretGroup %d but the regex has %d capture groups", n, caps)
	}
	if n == 0 {
		if caps == 0 {
			return re, nil
		}
		n = 1
	}
	out, ok := renameGroup(re, n)
	if !ok {
		return "", fmt.Errorf("could not locate capture group %d in the regex", n)
	}
	c, err := regexp.Compile(out)
	if err != nil || c.SubexpIndex("secret") != n {
		return "", fmt.Errorf("could not name capture group %d `secret`", n)
	}
	return out, nil
}

// renameGroup names the nth capture group of re `secret`, renaming any
// other group already called secret. It scans the pattern text, skipping
// escapes, \Q…\E quoting and character classes.
func renameGroup(re string, n int) (string, bool) {
	var b strings.Builder
	count := 0
	found := false
	for i := 0; i < len(re); i++ {
		c := re[i]
		switch {
		case c == '\\' && i+1 < len(re) && re[i+1] == 'Q':
			end := strings.Index(re[i+2:], `\E`)
			if end < 0 {
				b.WriteString(re[i:])
				i = len(re)
				continue
			}
			b.WriteString(re[i : i+2+end+2])
			i += 2 + end + 1
			continue
		case c == '\\' && i+1 < len(re):
			b.WriteString(re[i : i+2])
			i++
			continue
		case c == '[':
			j := classEnd(re, i)
			b.WriteString(re[i:j])
			i = j - 1
			continue
		case c == '(':
			rest := re[i+1:]
			var name string
			var hdr int // bytes of the group header after '('
			switch {
			case strings.HasPrefix(rest, "?P<"), strings.HasPrefix(rest, "?<"):
				open := strings.IndexByte(rest, '<')
				close := strings.IndexByte(rest, '>')
				if close < open {
					return "", false
				}
				name, hdr = rest[open+1:close], close+1
			case strings.HasPrefix(rest, "?"):
				b.WriteByte(c)
				continue
			}
			count++
			switch {
			case count == n:
				b.WriteString("(?P<secret>")
				found = true
			case name == "secret":
				b.WriteString("(?P<secret_orig>")
			default:
				b.WriteString(re[i : i+1+hdr])
			}
			i += hdr
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), found
}

// classEnd returns the index just past the character class starting at
// re[i] == '['. A ']' right after '[' or '[^' is a literal; [:name:] is a
// POSIX class inside it.
func classEnd(re string, i int) int {
	j := i + 1
	if j < len(re) && re[j] == '^' {
		j++
	}
	if j < len(re) && re[j] == ']' {
		j++
	}
	for j < len(re) {
		switch {
		case re[j] == '\\' && j+1 < len(re):
			j += 2
		case re[j] == '[' && j+1 < len(re) && re[j+1] == ':':
			if k := strings.Index(re[j+2:], ":]"); k >= 0 {
				j += 2 + k + 2
			} else {
				j++
			}
		case re[j] == ']':
			return j + 1
		default:
			j++
		}
	}
	return len(re)
}

// PathRegexGlobs converts a gitleaks path regex (matched anywhere in a
// slash-separated path) into rampart allow-list globs matching the same
// paths or fewer — never more, bar the directory-contents rule every glob
// has — so an allow list does not silently grow. Literals, `.`, `.*`,
// alternations, optional parts and ^/$ anchors convert; anything else is
// an error.
func PathRegexGlobs(re string) ([]string, error) {
	p, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("bad regex: %w", err)
	}
	p = p.Simplify()
	var subs []*syntax.Regexp
	if p.Op == syntax.OpConcat {
		subs = p.Sub
	} else {
		subs = []*syntax.Regexp{p}
	}
	anchorStart, anchorEnd := false, false
	if len(subs) > 0 && (subs[0].Op == syntax.OpBeginText || subs[0].Op == syntax.OpBeginLine) {
		anchorStart, subs = true, subs[1:]
	}
	if len(subs) > 0 && (subs[len(subs)-1].Op == syntax.OpEndText || subs[len(subs)-1].Op == syntax.OpEndLine) {
		anchorEnd, subs = true, subs[:len(subs)-1]
	}
	frags := []string{""}
	for _, s := range subs {
		f, err := globFrags(s)
		if err != nil {
			return nil, err
		}
		frags = cross(frags, f)
		if len(frags) > 64 {
			return nil, errors.New("too many alternatives for globs")
		}
	}
	var out []string
	for _, f := range frags {
		if strings.Trim(f, "*") == "" {
			return nil, errors.New("would allow every path")
		}
		g := f
		if !anchorStart && !strings.HasPrefix(g, "**") {
			g = "**" + g
		}
		if !anchorEnd && !strings.HasSuffix(g, "**") {
			g += "**"
		}
		if anchorStart {
			g = "/" + strings.TrimPrefix(g, "/")
		}
		g = tidyGlob(g)
		if _, err := scanner.GlobRegexp(g); err != nil {
			return nil, fmt.Errorf("glob %q: %w", g, err)
		}
		out = append(out, g)
	}
	sort.Strings(out)
	return dedup(out), nil
}

// tidyGlob collapses runs of stars and turns `**X**` around a slash-free
// X into the equivalent `*X*`, and a leading `**` before a slash-free tail
// into `*`: both match the same paths and read better.
func tidyGlob(g string) string {
	for strings.Contains(g, "***") {
		g = strings.ReplaceAll(g, "***", "**")
	}
	if strings.HasPrefix(g, "**") && !strings.Contains(g[2:], "/") && !strings.Contains(g[2:], "*") {
		return "*" + g[2:]
	}
	if strings.HasPrefix(g, "**") && strings.HasSuffix(g, "**") && len(g) > 4 {
		mid := g[2 : len(g)-2]
		if !strings.Contains(mid, "/") && !strings.Contains(mid, "*") {
			return "*" + mid + "*"
		}
	}
	return g
}

// globFrags returns glob fragments for one regex node.
func globFrags(n *syntax.Regexp) ([]string, error) {
	switch n.Op {
	case syntax.OpLiteral:
		if n.Flags&syntax.FoldCase != 0 {
			return nil, errors.New("case-insensitive path regexes have no glob equivalent")
		}
		s := string(n.Rune)
		if strings.ContainsAny(s, "*?[") {
			return nil, fmt.Errorf("literal %q holds glob metacharacters", s)
		}
		return []string{s}, nil
	case syntax.OpCharClass:
		if len(n.Rune) == 2 && n.Rune[0] == n.Rune[1] {
			return globFrags(&syntax.Regexp{Op: syntax.OpLiteral, Rune: n.Rune[:1]})
		}
		return nil, errors.New("character classes have no glob equivalent")
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return []string{"?"}, nil
	case syntax.OpStar:
		if s := n.Sub[0].Op; s == syntax.OpAnyChar || s == syntax.OpAnyCharNotNL {
			return []string{"**"}, nil
		}
	case syntax.OpEmptyMatch:
		return []string{""}, nil
	case syntax.OpCapture:
		return globFrags(n.Sub[0])
	case syntax.OpQuest:
		f, err := globFrags(n.Sub[0])
		if err != nil {
			return nil, err
		}
		return append(f, ""), nil
	case syntax.OpAlternate:
		var out []string
		for _, s := range n.Sub {
			f, err := globFrags(s)
			if err != nil {
				return nil, err
			}
			out = append(out, f...)
		}
		return out, nil
	case syntax.OpConcat:
		out := []string{""}
		for _, s := range n.Sub {
			f, err := globFrags(s)
			if err != nil {
				return nil, err
			}
			out = cross(out, f)
			if len(out) > 64 {
				return nil, errors.New("too many alternatives for globs")
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s has no glob equivalent", n)
}
