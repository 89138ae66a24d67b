// Package patterns owns the detection catalogue: the rules (embedded TOML, one
// file per provider family), the validators rules name, and the keyword
// automaton the engine uses as a prefilter. It knows nothing about git.
package patterns

import (
	"bytes"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/rampart-sec/rampart/patterns/internal/rx"
)

// Severity ranks how bad a finding is. The zero value is SeverityUnknown.
type Severity int

// Severities, from least to most severe.
const (
	SeverityUnknown Severity = iota
	SeverityInfo
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"unknown", "info", "low", "medium", "high", "critical"}

// String returns the lower-case name of s ("critical", "high", …).
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "unknown"
	}
	return severityNames[s]
}

// ParseSeverity parses a severity name case-insensitively.
func ParseSeverity(name string) (Severity, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for i, s := range severityNames {
		if i > 0 && s == n {
			return Severity(i), nil
		}
	}
	return SeverityUnknown, fmt.Errorf("unknown severity %q (want info, low, medium, high or critical)", name)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// RawRule is a rule as written in TOML: plain strings, not yet checked.
// The omitempty tags make an encoded rule hold only what is set.
type RawRule struct {
	ID              string   `toml:"id"`
	Description     string   `toml:"description"`
	Severity        string   `toml:"severity,omitempty"`
	Keywords        []string `toml:"keywords,omitempty"`
	Regex           string   `toml:"regex"`
	Entropy         float64  `toml:"entropy,omitzero"`
	Validators      []string `toml:"validators,omitempty"`
	ContextLines    int      `toml:"context_lines,omitzero"`
	Requires        string   `toml:"requires,omitempty"`
	Generic         bool     `toml:"generic,omitempty"`
	SkipTestFiles   bool     `toml:"skip_test_files,omitempty"`
	MaxLength       int      `toml:"max_length,omitzero"`
	Remediation     string   `toml:"remediation,omitempty"`
	Path            string   `toml:"path,omitempty"`
	ExamplePath     string   `toml:"example_path,omitempty"` // see Rule.ExamplePath
	Examples        []string `toml:"examples,omitempty"`
	Counterexamples []string `toml:"counterexamples,omitempty"`
	// Line is the line of the rule's table header in its file, for errors.
	Line int `toml:"-"`
	// AnchorAtKeyword is Rule.AnchorAtKeyword, decided when the built-in
	// catalogue is generated (Precomputed) so that start-up need not run
	// each rule's regex over its examples.
	AnchorAtKeyword int8 `toml:"-"`
	// Required is Rule.Required, worked out when the catalogue is
	// generated; "-" means none.
	Required string `toml:"-"`
	// Run is Rule.RequiredRun, worked out when the catalogue is
	// generated (see requiredRunSpec); "-" means none.
	Run string `toml:"-"`
	// Fold is Rule.RequiredFold, worked out when the catalogue is
	// generated; "-" means none.
	Fold string `toml:"-"`
	// Relax is the longest match of the regex with its widest bounds
	// lifted that is known to be the regex's own (see Finder), worked
	// out when the catalogue is generated; 0: run the regex as written.
	Relax int `toml:"-"`
	// RestRelax is Relax for the shared part of a provider entry's regex
	// after its names (see sharedRest), worked out when the catalogue is
	// generated; 0: run that part as written.
	RestRelax int `toml:"-"`
	// Breaks is Rule.Breaks, worked out when the catalogue is generated
	// (see breaksSpec); "-" means none.
	Breaks string `toml:"-"`
	// Starts is Rule.Starts, worked out when the catalogue is generated
	// (see startsSpec); "-" means none.
	Starts string `toml:"-"`
	// Prefix is Rule.SecretPrefixLen plus one, worked out when the
	// catalogue is generated; 0: not worked out.
	Prefix int `toml:"-"`
	// expanded marks a regex parseProviderRegex took, rebuilding it to
	// check it, in Precomputed (RawProvider.Expand's): at run time its
	// aliases are read without that check, two thirds of the parse.
	// Unexported: a user's rule cannot claim it; the generated catalogue
	// carries Precomputed's.
	expanded bool
}

// RawFile is one TOML file of rules and provider context rules.
type RawFile struct {
	Rules     []RawRule     `toml:"rules"`
	Providers []RawProvider `toml:"providers"`
}

// Expanded returns the file's rules followed by the rules its [[providers]]
// entries expand to, reporting every problem at once. name is used only in
// error messages.
func (f RawFile) Expanded(name string) ([]RawRule, ErrorList) {
	return ExpandProviders(name, f.Rules, f.Providers)
}

// ExpandProviders appends to rules the rules that providers expand to (see
// RawProvider.Expand), reporting every problem at once.
func ExpandProviders(name string, rules []RawRule, providers []RawProvider) ([]RawRule, ErrorList) {
	out := append([]RawRule(nil), rules...)
	var errs ErrorList
	for _, p := range providers {
		r, perrs := p.Expand(name)
		errs = append(errs, perrs...)
		if len(perrs) == 0 {
			out = append(out, r)
		}
	}
	return out, errs
}

// Rule is a compiled, immutable detection rule.
type Rule struct {
	ID          string
	Description string
	Severity    Severity
	// Keywords are lower-case literals; a rule's regex runs only near one of them.
	// A rule without keywords runs over every chunk and must justify its cost.
	Keywords []string
	// Source is the regular expression as written; Regex compiles it.
	Source string
	// Entropy is the minimum Shannon entropy (bits per byte) of the secret; 0 disables the check.
	Entropy float64
	// Validators run in order after the regex; each may drop the match or add attributes.
	Validators []Validator
	// ContextLines widens the regex window to this many lines either side of a
	// keyword hit, for credentials that span lines or pair across lines.
	ContextLines int
	// Requires names another rule that must have a finding within ContextLines
	// lines of this one, or this one is dropped (an AWS secret with no context
	// name is only a secret when a key ID stands next to it).
	Requires string
	// Generic marks a rule that finds secrets by a name alone (password =,
	// token:) rather than by a provider's format. Where its match overlaps
	// another rule's, the other rule's finding is the one reported.
	Generic bool
	// SkipTestFiles leaves the rule's matches in test files and
	// documentation unreported: formats (password hashes) whose copies
	// there are nearly always the fixtures and examples of the code that
	// makes them.
	SkipTestFiles bool
	// MaxLength, when set, drops a secret longer than this many bytes. A
	// regex says `{16,}` and the rule `max_length = 256` rather than
	// `{16,256}`: a counted repetition compiles into as many copies of its
	// class, and past 500 instructions Go's regexp gives up its backtracker
	// for its several times slower NFA.
	MaxLength int
	// Custom marks a rule from the user's configuration (or one imported
	// from another scanner's) rather than the built-in catalogue. It yields
	// to a built-in provider rule that finds the same secret, and prevails
	// over a generic rule.
	Custom bool
	// Path, when set, limits the rule to paths matching this regex.
	Path *PathPattern
	// ExamplePath is where a rule with a path pattern is proven: its
	// examples and counterexamples are read as a file at this path, which
	// Path matches. Without it they are read as example.txt.
	ExamplePath string
	Remediation string
	// Examples and Counterexamples are the rule's proof: every example must
	// produce a finding of this rule, no counterexample may.
	Examples        []string
	Counterexamples []string

	// AnchorAtKeyword says whether every match of the regex in the rule's
	// examples starts at one of its keywords (give or take the byte
	// before, for a leading boundary): such a rule is tried once at each
	// keyword hit (AnchoredRegex) instead of over a window around it. The
	// built-in catalogue decides it when generated; 0 means not yet decided.
	AnchorAtKeyword int8

	// The regexes are compiled on first use: a hook run touches a handful
	// of the catalogue's rules, and compiling all of them is most of
	// start-up. The capture groups' indexes come from whichever is
	// compiled first (the anchored form has the same groups).
	once          sync.Once
	re            *rx.Regexp // compiled by Compile (a user's rule)
	plain         *Finder
	anchorOnce    sync.Once
	decideOnce    sync.Once
	anchored      *Finder
	groupOnce     sync.Once
	requiredOnce  sync.Once
	required      string
	providerOnce  sync.Once
	provider      *providerMatcher
	runOnce       sync.Once
	runSpec       string
	run           *ByteRun
	foldOnce      sync.Once
	fold          string
	breaksOnce    sync.Once
	breaksSpec    string
	breaks        *Breaks
	startsOnce    sync.Once
	startsSpec    string
	starts        [][]byte
	startFindOnce sync.Once
	startAt       *Finder
	startAfter    *Finder
	startMost     int
	relax         int
	restRelax     int
	lineOnce      sync.Once
	line          *Finder
	prefixOnce    sync.Once
	prefix        int  // SecretPrefixLen + 1; 0 until worked out
	expanded      bool // RawRule.expanded
	secretGroup   int
	secretGroups  []int
	nameGroup     int
	identGroup    int
}

// Regex returns the rule's compiled regular expression, as Go's regexp
// package compiles it, anew at each call (the detector runs its own
// compiled form, Finder; tests and bench/recall call this).
// Rules from Compile were checked when compiled; built-in rules are
// checked by the package's tests, so compilation cannot fail at run time.
func (r *Rule) Regex() *regexp.Regexp { return regexp.MustCompile(r.Source) }

// Finder returns what finds the rule's matches: Regex's, compiled more
// cheaply (see Finder).
func (r *Rule) Finder() *Finder {
	r.once.Do(func() {
		if r.re != nil {
			r.plain = exactFinder(r.re)
		} else {
			r.plain = newFinder(r.Source, r.relax)
		}
	})
	r.groupOnce.Do(func() { r.setGroups(r.plain.Groups()) })
	return r.plain
}

// LineFinder returns, for a rule whose regex starts at the start of a line
// ((?m:^…) in a .env or YAML rule) and reads one line, the same regex with
// ^ meaning the start of the input, compiled as Finder compiles the
// regex: run on a keyword hit's line it is tried at one position, where
// the multi-line one is tried at every byte. It returns nil for any other
// rule. Its capture groups are the regex's, so a rule run in this form
// compiles no other.
func (r *Rule) LineFinder() *Finder {
	r.lineOnce.Do(func() {
		if r.Anchored() || r.ContextLines != 0 {
			return
		}
		if m := lineStart().FindStringSubmatch(r.Source); m != nil {
			// Dropping the m flag adds no counted repetition and leaves
			// the shortest match as it was: relax holds for it.
			r.line = newFinder(`(?`+m[1]+m[2]+`:^`+r.Source[len(m[0]):], r.relax)
			r.groupOnce.Do(func() { r.setGroups(r.line.Groups()) })
		}
	})
	return r.line
}

// lineStart matches a regex that opens with a flag group holding m and ^.
var lineStart = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\(\?([a-z]*)m([a-z]*):\^`) })

// AnchoredRegex returns, compiled anew at each call by Go's regexp
// package, the rule's regex anchored at the start of its
// input, after one optional byte (which keeps \b and similar assertions
// honest: the byte before a keyword hit is part of the input), or nil when
// the rule's matches do not start at its keywords.
func (r *Rule) AnchoredRegex() *regexp.Regexp {
	if !r.Anchored() {
		return nil
	}
	return regexp.MustCompile(anchoredSource(r.Source))
}

// anchoredSource is AnchoredRegex's source.
func anchoredSource(src string) string { return `^[\s\S]?(?:` + src + `)` }

// anchoredFinder is AnchoredRegex's Finder.
func (r *Rule) anchoredFinder() *Finder {
	r.anchorOnce.Do(func() {
		// The wrapping adds no counted repetition and leaves the
		// shortest match as it was: relax holds for it.
		r.anchored = newFinder(anchoredSource(r.Source), r.relax)
		r.groupOnce.Do(func() { r.setGroups(r.anchored.Groups()) })
	})
	return r.anchored
}

// Anchored reports whether the rule runs anchored at its keyword hits
// (AnchorAtKeyword), deciding it from the examples the first time for a
// rule the catalogue generator did not see. It compiles nothing for a
// built-in rule, so a hit that cannot match costs no compilation.
func (r *Rule) Anchored() bool {
	r.decideOnce.Do(func() {
		if r.AnchorAtKeyword == 0 {
			r.AnchorAtKeyword = -1
			if r.startsAtKeyword() {
				r.AnchorAtKeyword = 1
			}
		}
	})
	return r.AnchorAtKeyword > 0
}

func (r *Rule) setGroups(re *rx.Regexp) {
	r.secretGroup = max(re.SubexpIndex("secret"), 0)
	for i, n := range re.SubexpNames() {
		if n == "secret" {
			r.secretGroups = append(r.secretGroups, i)
		}
	}
	r.nameGroup = re.SubexpIndex("name")
	r.identGroup = re.SubexpIndex("identity")
}

// groups makes sure the capture groups' indexes are known: from what the
// rule runs anchored when it can be (so it need not compile the plain
// regex; a provider entry's shared regex has the same groups), else from
// the plain one.
func (r *Rule) groups() {
	switch {
	case !r.Anchored():
		if r.LineFinder() == nil {
			r.Finder()
		}
	case r.providerForm() != nil:
		re := r.providerForm().rest.regex().Groups()
		r.groupOnce.Do(func() { r.setGroups(re) })
	default:
		r.anchoredFinder()
	}
}

// Precomputed returns raw with what start-up would otherwise work out
// from its regex decided: AnchorAtKeyword (1 or -1), Required, Run, Fold,
// Relax, RestRelax, Breaks, Starts, Prefix and expanded. The catalogue
// generator stores them. They describe raw.Regex as it is now: a regex
// changed afterwards needs Precomputed again. A rule that does not
// compile is returned as is.
func (raw RawRule) Precomputed() RawRule {
	r, errs := raw.compile("", true)
	if r == nil || len(errs) > 0 {
		return raw
	}
	raw.AnchorAtKeyword = -1
	if r.startsAtKeyword() {
		raw.AnchorAtKeyword = 1
	}
	raw.Required = requiredLiteral(raw.Regex)
	if raw.Required == "" {
		raw.Required = "-"
	}
	raw.Run = requiredRunSpec(raw.Regex)
	raw.Fold = requiredFoldLiteral(raw.Regex)
	if raw.Fold == "" {
		raw.Fold = "-"
	}
	raw.Relax = relaxLimit(raw.Regex)
	if pm := parseProviderRegex(raw.Regex, 0, false); pm != nil {
		raw.RestRelax = relaxLimit(pm.rest.anchoredSrc())
		raw.expanded = true
	}
	raw.Breaks = breaksSpec(raw.Regex)
	raw.Starts = startsSpec(raw.Regex)
	raw.Prefix = secretPrefixLen(raw.Regex) + 1
	raw.Keywords = compiledKeywords(raw.Keywords)
	return raw
}

// compiledKeywords returns keywords as compile makes them (lower case,
// sorted, without repeats), so that compile can take them as they are, or
// keywords unchanged if any is of a length compile rejects (compile
// reports it).
func compiledKeywords(keywords []string) []string {
	out := make([]string, 0, len(keywords))
	for _, k := range keywords {
		k = strings.ToLower(k)
		if len(k) < MinKeywordLen || len(k) > maxKeywordLen {
			return keywords
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return keywords
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Required returns a string every match of the rule's regex contains,
// case for case ("sk_" in checkout-com-secret-key), or "" when there is
// none of at least three bytes: a window without it cannot match, and
// looking for it costs a fraction of running the regex.
func (r *Rule) Required() string {
	r.requiredOnce.Do(func() {
		if r.required == "" {
			r.required = requiredLiteral(r.Source)
		}
		if r.required == "-" {
			r.required = ""
		}
	})
	return r.required
}

// requiredLiteral finds the longest case-sensitive literal that every
// match of the regex src contains: one that stands in the regex's top-level
// sequence (or inside a group, a capture or a repetition of at least one).
func requiredLiteral(src string) string {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return ""
	}
	if l := mustContain(re.Simplify()); len(l) >= 3 {
		return l
	}
	return ""
}

func mustContain(re *syntax.Regexp) string {
	return requiredPiece(re, func(lit *syntax.Regexp) string {
		if lit.Flags&syntax.FoldCase != 0 {
			return ""
		}
		return string(lit.Rune)
	})
}

// requiredPiece returns the longest string piece gives for a literal that
// every match of re passes through: one in re's top-level sequence, or
// inside a group, a capture or a repetition of at least one. mustContain
// and foldLiteral differ only in what they take from a literal.
func requiredPiece(re *syntax.Regexp, piece func(lit *syntax.Regexp) string) string {
	switch re.Op {
	case syntax.OpLiteral:
		return piece(re)
	case syntax.OpCapture, syntax.OpPlus:
		return requiredPiece(re.Sub[0], piece)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredPiece(re.Sub[0], piece)
		}
	case syntax.OpConcat:
		best := ""
		for _, sub := range re.Sub {
			if l := requiredPiece(sub, piece); len(l) > len(best) {
				best = l
			}
		}
		return best
	}
	return ""
}

// startsAtKeyword reports whether every match of the rule's regex in its
// own examples begins at one of its keywords (or one byte before one).
func (r *Rule) startsAtKeyword() bool {
	if len(r.Keywords) == 0 || r.ContextLines > 0 || len(r.Examples) == 0 || r.Source == "" {
		return false
	}
	for _, ex := range r.Examples {
		ms := r.Finder().Exact().FindAllStringIndex(ex, -1)
		if len(ms) == 0 {
			return false
		}
		for _, m := range ms {
			if !keywordAt(ex, m[0], r.Keywords) && !(m[0]+1 < len(ex) && keywordAt(ex, m[0]+1, r.Keywords)) {
				return false
			}
		}
	}
	return true
}

// keywordAt reports whether one of keywords (lower case) starts at s[i],
// ASCII case-insensitively.
func keywordAt(s string, i int, keywords []string) bool {
	for _, k := range keywords {
		if i+len(k) <= len(s) && strings.EqualFold(s[i:i+len(k)], k) {
			return true
		}
	}
	return false
}

// SecretGroupIn returns the index of the `secret` group that took part in
// match m (a FindSubmatchIndex result): a regex whose alternatives each
// name their own `secret` group reports the one that matched. It returns
// 0 (the whole match) when the rule has no `secret` group.
func (r *Rule) SecretGroupIn(m []int) int {
	r.groups()
	for _, g := range r.secretGroups {
		if 2*g+1 < len(m) && m[2*g] >= 0 {
			return g
		}
	}
	return r.secretGroup
}

// NameGroup returns the index of the `name` capture group (the identifier
// the secret is assigned to, read by the credential-name validator), or -1.
func (r *Rule) NameGroup() int {
	r.groups()
	return r.nameGroup
}

// IdentityGroup returns the index of the `identity` capture group, or -1.
// It captures material that tells one secret from another when the
// secret's reported part does not: every unencrypted ed25519 OpenSSH key
// has the same first body line, so the line after it joins the
// fingerprint (without it, a baseline entry for one key hides them all).
func (r *Rule) IdentityGroup() int {
	r.groups()
	return r.identGroup
}

// SecretGroup returns the index of the `secret` capture group, or 0 when
// the whole match is the secret.
func (r *Rule) SecretGroup() int {
	r.groups()
	return r.secretGroup
}

// Error is one problem found while compiling rules, with where it was found.
type Error struct {
	File string
	Line int
	Rule string
	Msg  string
}

// Error implements the error interface.
func (e Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Rule != "" {
		fmt.Fprintf(&b, "rule %q: ", e.Rule)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in one compilation, reported at once.
type ErrorList []Error

// Error implements the error interface, one problem per line.
func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Err returns l as an error, or nil when l is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// validID reports whether id is lower-case letters, digits and dashes, not
// starting or ending with a dash (^[a-z0-9][a-z0-9-]*[a-z0-9]$). Written
// out: start-up checks a thousand ids, and a regexp costs a microsecond each.
func validID(id string) bool {
	if len(id) < 2 || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// maxKeywordLen bounds keywords so the automaton stays small and matches stay local.
const maxKeywordLen = 64

// Compile checks raw and returns the compiled rule, or every problem found.
// file is used only in error messages.
func (raw RawRule) Compile(file string) (*Rule, ErrorList) {
	return raw.compile(file, true)
}

// compile checks raw; with eager unset (built-in rules, already proven by
// the tests) the regex is only compiled on first use.
func (raw RawRule) compile(file string, eager bool) (*Rule, ErrorList) {
	r := &Rule{}
	if errs := raw.compileInto(r, file, eager, nil); len(errs) > 0 {
		return nil, errs
	}
	return r, nil
}

// pathRegexes holds the path regexes compiled, by source: the built-in
// rules that have one share it (a regexp is safe for concurrent use), and
// it is compiled once a process rather than at every Builtin.
var pathRegexes sync.Map

// pathRegex compiles src, or returns it compiled already.
func pathRegex(src string) (*PathPattern, error) {
	if re, ok := pathRegexes.Load(src); ok {
		return re.(*PathPattern), nil
	}
	re, err := CompilePathPattern(src)
	if err == nil {
		pathRegexes.Store(src, re)
	}
	return re, err
}

// compileInto is compile, filling r (Builtin allocates the catalogue's
// rules in one block); r is not to be used when it returns errors. vals,
// when set, is room for the rule's validators (Builtin hands every rule a
// piece of one array).
func (raw RawRule) compileInto(r *Rule, file string, eager bool, vals *[]Validator) ErrorList {
	var errs ErrorList
	fail := func(format string, args ...any) {
		errs = append(errs, Error{File: file, Line: raw.Line, Rule: raw.ID, Msg: fmt.Sprintf(format, args...)})
	}
	if raw.ID == "" {
		fail("missing id")
	} else if !validID(raw.ID) {
		fail("id must be lower-case letters, digits and dashes, at least two, starting and ending with a letter or digit")
	}
	if strings.TrimSpace(raw.Description) == "" {
		fail("missing description")
	}
	*r = Rule{
		ID:              raw.ID,
		Description:     raw.Description,
		Entropy:         raw.Entropy,
		ContextLines:    raw.ContextLines,
		Requires:        raw.Requires,
		Generic:         raw.Generic,
		SkipTestFiles:   raw.SkipTestFiles,
		MaxLength:       raw.MaxLength,
		AnchorAtKeyword: raw.AnchorAtKeyword,
		required:        raw.Required,
		runSpec:         raw.Run,
		fold:            raw.Fold,
		relax:           raw.Relax,
		restRelax:       raw.RestRelax,
		breaksSpec:      raw.Breaks,
		startsSpec:      raw.Starts,
		prefix:          raw.Prefix,
		expanded:        raw.expanded,
		Remediation:     raw.Remediation,
		ExamplePath:     raw.ExamplePath,
		Examples:        raw.Examples,
		Counterexamples: raw.Counterexamples,
	}
	if raw.Severity == "" {
		r.Severity = SeverityMedium
	} else if sev, err := ParseSeverity(raw.Severity); err != nil {
		fail("%v", err)
	} else {
		r.Severity = sev
	}
	// Lower-cased, sorted and without repeats (compacted after sorting
	// rather than through a map per rule: this runs for every rule at
	// every start). Keywords already so (every built-in rule's: the
	// catalogue's TOML writes them lower case, in order) are used as
	// they are, without a copy.
	if normalKeywords(raw.Keywords) {
		r.Keywords = raw.Keywords
	} else {
		if len(raw.Keywords) > 0 {
			r.Keywords = make([]string, 0, len(raw.Keywords))
		}
		for _, k := range raw.Keywords {
			k = strings.ToLower(k)
			switch {
			case len(k) < MinKeywordLen:
				fail("keyword %q is shorter than %d bytes", k, MinKeywordLen)
			case len(k) > maxKeywordLen:
				fail("keyword %q is longer than %d bytes", k, maxKeywordLen)
			default:
				r.Keywords = append(r.Keywords, k)
			}
		}
		sort.Strings(r.Keywords)
		r.Keywords = slices.Compact(r.Keywords)
	}
	r.Source = raw.Regex
	if raw.Regex == "" {
		fail("missing regex")
	} else if eager {
		if re, err := rx.Compile(raw.Regex); err != nil {
			fail("bad regex: %v", err)
		} else if re.MatchString("") {
			fail("regex matches the empty string")
		} else {
			r.re = re
		}
	}
	if raw.Entropy < 0 || raw.Entropy > 8 {
		fail("entropy %v out of range 0–8 bits per byte", raw.Entropy)
	}
	if raw.MaxLength < 0 {
		fail("max_length %d is negative", raw.MaxLength)
	}
	if raw.ContextLines < 0 || raw.ContextLines > 50 {
		fail("context_lines %d out of range 0–50", raw.ContextLines)
	}
	if raw.Path != "" {
		if re, err := pathRegex(raw.Path); err != nil {
			fail("bad path regex: %v", err)
		} else {
			r.Path = re
		}
	}
	switch {
	case raw.ExamplePath != "" && raw.Path == "":
		fail("example_path without a path: the examples are read as example.txt")
	case raw.ExamplePath != "" && r.Path != nil && !r.Path.MatchString(raw.ExamplePath):
		fail("example_path %q does not match the rule's path", raw.ExamplePath)
	}
	if n := len(raw.Validators); n > 0 && vals != nil && cap(*vals)-len(*vals) >= n {
		r.Validators = (*vals)[len(*vals) : len(*vals) : len(*vals)+n]
		*vals = (*vals)[:len(*vals)+n]
	} else if n > 0 {
		r.Validators = make([]Validator, 0, n)
	}
	for _, name := range raw.Validators {
		v, ok := LookupValidator(name)
		if !ok {
			fail("unknown validator %q (known: %s)", name, strings.Join(ValidatorNames(), ", "))
			continue
		}
		r.Validators = append(r.Validators, v)
	}
	return errs
}

// normalKeywords reports whether keywords are what compile makes of them:
// ASCII without upper case, each of an accepted length, in strictly
// increasing order.
func normalKeywords(keywords []string) bool {
	for i, k := range keywords {
		if len(k) < MinKeywordLen || len(k) > maxKeywordLen || i > 0 && keywords[i-1] >= k {
			return false
		}
		for j := 0; j < len(k); j++ {
			if c := k[j]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
				return false
			}
		}
	}
	return true
}

// ParseFile decodes one TOML file of rules (without compiling them), noting
// the line of each [[rules]] header so later errors can point at it.
func ParseFile(name string, data []byte) (RawFile, ErrorList) {
	var f RawFile
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return f, ErrorList{tomlError(name, err)}
	}
	lines := TableLines(data, "rules")
	for i := range f.Rules {
		if i < len(lines) {
			f.Rules[i].Line = lines[i]
		}
	}
	plines := TableLines(data, "providers")
	for i := range f.Providers {
		if i < len(plines) {
			f.Providers[i].Line = plines[i]
		}
	}
	var errs ErrorList
	for _, k := range md.Undecoded() {
		errs = append(errs, Error{File: name, Msg: fmt.Sprintf("unknown key %q", k.String())})
	}
	return f, errs
}

// tomlError turns a TOML decode error into an Error with its line.
func tomlError(name string, err error) Error {
	var pe toml.ParseError
	if ok := asParseError(err, &pe); ok {
		return Error{File: name, Line: pe.Position.Line, Msg: pe.Message}
	}
	return Error{File: name, Msg: err.Error()}
}

func asParseError(err error, pe *toml.ParseError) bool {
	switch e := err.(type) {
	case toml.ParseError:
		*pe = e
		return true
	case *toml.ParseError:
		*pe = *e
		return true
	}
	return false
}

// TableLines returns the 1-based line of each `[[name]]` header in data, in
// order. BurntSushi/toml does not expose key positions, and a rule's errors are
// only useful with a line number.
func TableLines(data []byte, name string) []int {
	var out []int
	header := "[[" + name + "]]"
	line := 0
	for len(data) > 0 {
		line++
		i := bytes.IndexByte(data, '\n')
		var l []byte
		if i < 0 {
			l, data = data, nil
		} else {
			l, data = data[:i], data[i+1:]
		}
		t := strings.ReplaceAll(string(bytes.TrimSpace(l)), " ", "")
		if strings.HasPrefix(t, header) {
			out = append(out, line)
		}
	}
	return out
}
