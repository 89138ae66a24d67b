package patterns

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// RawProvider is a context rule written as data: a provider whose keys have
// no distinctive shape (a 32-character hex key, a UUID) is found by its name
// in the identifier the value is assigned to. One [[providers]] entry expands
// into one rule (see Expand); the regex, keywords, entropy floor, validators,
// examples and counterexamples are generated, so the long tail of providers
// is a few lines each and every one of them behaves the same way.
type RawProvider struct {
	// ID is the id of the rule the entry expands to.
	ID string `toml:"id"`
	// Name is the provider's name ("Blocknative").
	Name string `toml:"name"`
	// Description defaults to "<Name> API key".
	Description string `toml:"description,omitempty"`
	// Aliases are lower-case words that name the provider inside an
	// identifier (blocknative in BLOCKNATIVE_API_KEY, blocknativeToken). A
	// dash, underscore or dot inside an alias matches any of them or none
	// (launch-darkly matches LAUNCH_DARKLY and launchDarkly).
	Aliases []string `toml:"aliases"`
	// Shape is the value's shape: "uuid", or ALPHABET:N or ALPHABET:MIN-MAX
	// (see ShapeAlphabets). Exactly one of Shape and Value is set.
	Shape string `toml:"shape,omitempty"`
	// Value is a custom regular expression for the value, for shapes the
	// alphabets cannot say (a prefix, two parts).
	Value       string   `toml:"value,omitempty"`
	Severity    string   `toml:"severity,omitempty"`
	Remediation string   `toml:"remediation,omitempty"`
	Examples    []string `toml:"examples,omitempty"`
	// Counterexamples are near misses that must not be reported.
	Counterexamples []string `toml:"counterexamples,omitempty"`
	// Line is the line of the entry's table header in its file, for errors.
	Line int `toml:"-"`
}

// An alphabet is one of the character sets a provider's shape names.
type alphabet struct {
	// class is the regex character class; chars are the characters values
	// are generated from (one case for the either-case alphabets).
	class, chars string
	// alt, when set, is a second class the whole value may use instead of
	// class (hex in upper case): a value is in one case or the other.
	alt string
	// pad allows base64 padding after the value.
	pad bool
}

var alphabets = map[string]alphabet{
	"hex":         {class: `[0-9a-f]`, alt: `[0-9A-F]`, chars: "0123456789abcdef"},
	"hex-lower":   {class: `[0-9a-f]`, chars: "0123456789abcdef"},
	"hex-upper":   {class: `[0-9A-F]`, chars: "0123456789ABCDEF"},
	"alnum":       {class: `[A-Za-z0-9]`, chars: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"},
	"alnum-lower": {class: `[a-z0-9]`, chars: "abcdefghijklmnopqrstuvwxyz0123456789"},
	"alnum-upper": {class: `[A-Z0-9]`, chars: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"},
	"base64":      {class: `[A-Za-z0-9+/]`, chars: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", pad: true},
	"base64url":   {class: `[A-Za-z0-9_-]`, chars: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", pad: true},
	"digits":      {class: `[0-9]`, chars: "0123456789"},
	"token":       {class: `[A-Za-z0-9_-]`, chars: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"},
}

// ShapeAlphabets lists the alphabets a provider's shape may name, sorted.
func ShapeAlphabets() []string {
	out := make([]string, 0, len(alphabets))
	for k := range alphabets {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// A shape is a parsed Shape: an alphabet and a length range, or a UUID.
type shape struct {
	name     string
	alpha    alphabet
	min, max int
	uuid     bool
}

const (
	minShapeLen = 8
	maxShapeLen = 1024
)

var shapeSyntax = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-z0-9-]+):([0-9]+)(?:-([0-9]+))?$`) })

func parseShape(s string) (shape, error) {
	if s == "uuid" {
		return shape{name: "uuid", uuid: true, min: 36, max: 36, alpha: alphabets["hex"]}, nil
	}
	m := shapeSyntax().FindStringSubmatch(s)
	if m == nil {
		return shape{}, fmt.Errorf("shape %q: want uuid, ALPHABET:N or ALPHABET:MIN-MAX", s)
	}
	a, ok := alphabets[m[1]]
	if !ok {
		return shape{}, fmt.Errorf("shape %q: unknown alphabet %q (known: %s)", s, m[1], strings.Join(ShapeAlphabets(), ", "))
	}
	lo, _ := strconv.Atoi(m[2])
	hi := lo
	if m[3] != "" {
		hi, _ = strconv.Atoi(m[3])
	}
	if lo < minShapeLen || hi > maxShapeLen || hi < lo {
		return shape{}, fmt.Errorf("shape %q: lengths must be %d–%d, MIN ≤ MAX", s, minShapeLen, maxShapeLen)
	}
	return shape{name: m[1], alpha: a, min: lo, max: hi}, nil
}

func (s shape) count() string {
	if s.min == s.max {
		return "{" + strconv.Itoa(s.min) + "}"
	}
	return "{" + strconv.Itoa(s.min) + "," + strconv.Itoa(s.max) + "}"
}

// regex is the value's regular expression (no boundaries).
func (s shape) regex() string {
	if s.uuid {
		lower := `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`
		return `(?:` + lower + `|` + strings.ToUpper(strings.ReplaceAll(lower, "a-f", "A-F")) + `)`
	}
	body := s.alpha.class + s.count()
	if s.alpha.alt != "" {
		body = `(?:` + body + `|` + s.alpha.alt + s.count() + `)`
	}
	if s.alpha.pad {
		body += `={0,2}`
	}
	return body
}

// validators are the checks a value of this shape needs beyond its regex:
// character-class mixes that random values of this length all but always
// show (each test drops fewer than one random value in a thousand), and
// code and identifier filters for alphabets in which words can be spelt.
func (s shape) validators() []string {
	if s.uuid {
		return []string{"not-placeholder"}
	}
	v := []string{"not-placeholder"}
	n := s.min
	switch s.name {
	case "hex", "hex-lower", "hex-upper":
		if n >= 8 {
			v = append(v, "has-digit")
		}
		if n >= 15 {
			v = append(v, "has-letter")
		}
	case "alnum-lower", "alnum-upper":
		if n >= 6 {
			v = append(v, "has-letter")
		}
		if n >= 22 {
			v = append(v, "has-digit")
		}
		v = append(v, "not-code", "not-words", "not-vendor-token")
	case "alnum", "base64", "base64url", "token":
		if n >= 14 {
			v = append(v, "mixed-case")
		}
		if n >= 41 {
			v = append(v, "has-digit")
		}
		// A vendor's prefixed token under a provider's name (GITHUB_KEY=ghp_…)
		// belongs to the vendor's rule, which judges its checksum.
		v = append(v, "not-code", "not-words", "not-vendor-token")
	}
	return v
}

// entropyFloor is the Shannon entropy (bits per byte) below which a value of
// this shape is not random enough to be a key: the 0.2th percentile of
// random values of the shortest length, less a tenth of a bit, computed by a
// seeded simulation so that it is the same everywhere. Fewer than one random
// value in a thousand falls below it.
func (s shape) entropyFloor() float64 {
	chars := s.alpha.chars
	n := s.min
	if s.uuid {
		n = 32
	}
	rng := rand.New(rand.NewPCG(1, uint64(len(chars))<<16|uint64(n)))
	const samples = 2000
	hs := make([]float64, samples)
	b := make([]byte, n)
	for i := range hs {
		for j := range b {
			b[j] = chars[rng.IntN(len(chars))]
		}
		hs[i] = Entropy(b)
	}
	sort.Float64s(hs)
	f := hs[samples/500] - 0.1
	return math.Floor(f*20) / 20
}

// aliasWords splits an alias at its separators (. _ -). Written out, not
// a regexp: a provider entry's shared matcher rebuilds its aliases' regexes
// on the entry's first keyword hit (see parseProviderRegex).
func aliasWords(alias string) []string {
	var words []string
	for {
		i := strings.IndexAny(alias, "._-")
		if i < 0 {
			return append(words, alias)
		}
		words = append(words, alias[:i])
		alias = alias[i+1:]
	}
}

// validAlias reports whether alias is lower-case letters and digits,
// words joined by single separators: ^[a-z0-9]+(?:[._-][a-z0-9]+)*$.
func validAlias(alias string) bool {
	for _, w := range aliasWords(alias) {
		if w == "" {
			return false
		}
		for i := 0; i < len(w); i++ {
			if c := w[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
				return false
			}
		}
	}
	return true
}

// aliasRegex matches alias at the start of a word of an identifier: after
// a character that is not a letter (BLOCKNATIVE_KEY, x_blocknative_key,
// "blocknative…), or capitalised after a lower-case letter or digit
// (myBlocknativeKey). So okta is not found inside rookTable.
func aliasRegex(alias string) string {
	parts := aliasWords(alias)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	body := strings.Join(parts, `[_.\-]?`)
	first, rest := body[:1], body[1:]
	out := `(?:^|[^A-Za-z])(?i:` + body + `)`
	if up := strings.ToUpper(first); up != first {
		out = `(?:` + out + `|[a-z0-9]` + up + `(?i:` + rest + `))`
	}
	return out
}

// aliasKeywords are the literal forms of alias the keyword automaton looks
// for: the alias with each separator spelt as an underscore, a dash, a dot
// or nothing.
func aliasKeywords(alias string) []string {
	parts := aliasWords(alias)
	if len(parts) == 1 {
		return []string{alias}
	}
	var out []string
	for _, sep := range []string{"", "_", "-", "."} {
		out = append(out, strings.Join(parts, sep))
	}
	return out
}

// assignment is what comes between the name and the value in every common
// syntax: the name's closing quote or bracket (JSON, Python dict, PHP
// array), an operator (= : := => , > and a bare space for CLI flags,
// Dockerfile ENV and docker -e; Makefile's ::= :::= ?= and PHP's .=), a
// setter's parenthesis, an XML attribute pair (key="Name" value="…"), an
// XML element whose text starts on the next line, then the value's
// opening quote, doubled or tripled as YAML and Python allow. In notes and
// READMEs a spaced dash stands for the operator (Twitch token - 'k0lj…');
// Markdown has a bold label (**Acme API key:** `v`, **Acme API key**: v)
// and a table row (| Acme API key | v |).
const assignment = `(?:\\?["'\]]|\*){0,2}[ \t]*(?:[ \t]+value[ \t]*=|=>|:{1,3}=|[?.]=|=|:|\(|,|\||>(?:[ \t]*\r?\n)?|[ \t]-[ \t]|[ \t])[ \t]*(?:\*\*[ \t]*)?(?:(?:\\?["'` + "`" + `(]){1,3}[ \t]*)?`

// valueEnd ends a value: a character that cannot continue it, or a dot
// that ends a sentence rather than starting a file extension (a hash in
// app.3f2a….js is not a key).
const valueEnd = `(?:[^A-Za-z0-9_\-+/=.~%]|\.(?:[^A-Za-z0-9]|$)|$)`

// nameTail is the rest of the identifier after the alias, and up to three
// more words on the line (`clockify secret …`, `nimble api token: …`, notes
// and comments name a key in words); the credential-name validator reads
// it, so one of its words must be a credential word.
//
// The parts are unbounded (*, not {0,40}): a counted repetition is compiled
// into as many copies of its class, which made each provider rule's program
// three times larger, slower to compile on its first hit, and too large for
// Go's backtracker on a line of a few hundred bytes (its slower NFA ran
// instead). The window bounds the name anyway: one line.
//
// Or the name is a client's constructor or factory, and the credential word
// is its keyword argument or option: ClarifaiApp(api_key='…'),
// Acme::Client.new(api_key: '…'), new AcmeSDK({ apiKey: '…' }). That form
// comes second, so a setter's argument (setAcmeKey("…")) is still read as
// the value, not as the option's name.
//
// Every instruction counts: the backtracker clears a bitmap of program size
// times window length on each run, so this form costs nine instructions
// (and Ruby's :: three), not the nineteen of a stricter spelling.
const nameTail = `(?P<name>(?:[A-Za-z0-9_.\-]|::)*(?:(?:[ \t]+[A-Za-z][A-Za-z0-9_\-]*){0,3}|\([ \t{]*["']?[A-Za-z_][A-Za-z0-9_]*))`

// Expand turns a provider entry into the rule it stands for, reporting
// every problem at once. file is used only in error messages. The same
// expansion serves the built-in catalogue (go generate) and [[providers]]
// in a user's .rampart.toml.
func (p RawProvider) Expand(file string) (RawRule, ErrorList) {
	var errs ErrorList
	fail := func(format string, args ...any) {
		errs = append(errs, Error{File: file, Line: p.Line, Rule: p.ID, Msg: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(p.Name) == "" {
		fail("provider: missing name")
	}
	if len(p.Aliases) == 0 {
		fail("provider: at least one alias is required")
	}
	var alts, kws, valid []string
	seen := map[string]bool{}
	for _, a := range p.Aliases {
		switch {
		case !validAlias(a):
			fail("provider: alias %q must be lower-case letters and digits, words joined by - _ or .", a)
		case len(a) < 4:
			fail("provider: alias %q is shorter than 4 characters (too common inside other words)", a)
		case credentialWord(a) || a == "api" || a == "access":
			fail("provider: alias %q is a credential word, not a provider's name", a)
		case !seen[a]:
			seen[a] = true
			valid = append(valid, a)
			kws = append(kws, aliasKeywords(a)...)
		}
	}
	// The longest alias is tried first: the regex takes the first
	// alternative that leads to a match, so with openweather before
	// openweathermap, OPENWEATHERMAP_API_KEY matched openweather and left
	// the name MAP_API_KEY, which provider-name rightly rejects (a name that
	// runs on into another word).
	letters := func(a string) int {
		return len(a) - strings.Count(a, "-") - strings.Count(a, "_") - strings.Count(a, ".")
	}
	sort.SliceStable(valid, func(i, j int) bool { return letters(valid[i]) > letters(valid[j]) })
	for _, a := range valid {
		alts = append(alts, aliasRegex(a))
	}
	var value string
	var validators []string
	var entropy float64
	var sh shape
	switch {
	case p.Shape != "" && p.Value != "":
		fail("provider: set shape or value, not both")
	case p.Shape != "":
		var err error
		sh, err = parseShape(p.Shape)
		if err != nil {
			fail("provider: %v", err)
			break
		}
		value = sh.regex()
		validators = sh.validators()
		entropy = sh.entropyFloor()
	case p.Value != "":
		re, err := regexp.Compile(p.Value)
		switch {
		case err != nil:
			fail("provider: bad value regex: %v", err)
		case re.MatchString(""):
			fail("provider: value regex matches the empty string")
		case re.NumSubexp() > 0 && strings.Contains(p.Value, "(?P<"):
			fail("provider: value regex must not name groups")
		}
		value = `(?:` + p.Value + `)`
		validators = []string{"not-placeholder", "not-code"}
		entropy = 3.0
	default:
		fail("provider: missing shape (or value)")
	}
	desc := p.Description
	if desc == "" {
		desc = p.Name + " API key"
	}
	rem := p.Remediation
	if rem == "" {
		rem = "Revoke the " + desc + " with " + p.Name + ", issue a replacement kept in a secret manager, and remove this one from git history."
	}
	r := RawRule{
		ID:          p.ID,
		Description: desc,
		Severity:    p.Severity,
		Keywords:    kws,
		Regex:       `(?:` + strings.Join(alts, "|") + `)` + nameTail + assignment + `(?P<secret>` + value + `)` + valueEnd,
		Entropy:     entropy,
		Validators:  append([]string{"provider-name"}, validators...),
		Remediation: rem,
		Line:        p.Line,
	}
	if len(errs) > 0 {
		return r, errs
	}
	ex, cx := p.generate(sh, r)
	r.Examples = append(append([]string(nil), p.Examples...), ex...)
	r.Counterexamples = append(append([]string(nil), p.Counterexamples...), cx...)
	return r, nil
}

// identifierForms spells an alias and a credential word the ways code and
// configuration do.
func identifierForms(alias string) (upper, camel, snake, pascal, kebab string) {
	words := aliasWords(alias)
	title := func(w string) string { return strings.ToUpper(w[:1]) + w[1:] }
	var c, pc []string
	for i, w := range words {
		pc = append(pc, title(w))
		if i == 0 {
			c = append(c, w)
		} else {
			c = append(c, title(w))
		}
	}
	return strings.ToUpper(strings.Join(words, "_")), strings.Join(c, ""), strings.Join(words, "_"), strings.Join(pc, ""), strings.Join(words, "-")
}

// generate writes the entry's proof: examples in five syntaxes with fresh
// values of the shape, and near misses (a variable reference, a value one
// character short and one too long, the value under a name without the
// alias, the alias inside another word, a name that says ID or public, a
// value too regular to be a key). Values come from a generator seeded by
// the rule's id, so the catalogue is the same on every run. A custom value
// regex has no generator: its entry brings its own examples.
func (p RawProvider) generate(sh shape, r RawRule) (examples, counter []string) {
	if p.Shape == "" {
		return nil, nil
	}
	h := fnv.New64a()
	h.Write([]byte(p.ID))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x5ec7e7))
	rule, errs := r.Compile("")
	if len(errs) > 0 {
		return nil, nil
	}
	good := func(v string) bool {
		if len(v) < sh.min || Entropy([]byte(v)) < r.Entropy+0.15 || Placeholder([]byte(v)) != "" {
			return false
		}
		low := strings.ToLower(v)
		for _, w := range []string{"example", "test", "xxx", "fake", "dummy", "sample", "key", "token", "secret", "pass"} {
			if strings.Contains(low, w) {
				return false
			}
		}
		c := &Candidate{Secret: []byte(v), Name: []byte("_key")}
		for _, v := range rule.Validators {
			if ok, _ := v.Check(c); !ok {
				return false
			}
		}
		return true
	}
	gen := func(n int) string {
		for {
			var v string
			if sh.uuid {
				v = genUUID(rng)
			} else {
				b := make([]byte, n)
				for i := range b {
					b[i] = sh.alpha.chars[rng.IntN(len(sh.alpha.chars))]
				}
				v = string(b)
			}
			if good(v) {
				return v
			}
		}
	}
	n := sh.min
	if sh.max > sh.min {
		n = sh.min + (sh.max-sh.min)/2
	}
	up, camel, snake, pascal, kebab := identifierForms(p.Aliases[0])
	v := func() string { return gen(n) }
	examples = []string{
		up + "_API_KEY=" + v(),
		`"` + camel + `Token": "` + v() + `",`,
		snake + `_secret: '` + v() + `'`,
		`<add key="` + pascal + `ApiKey" value="` + v() + `" />`,
		`--` + kebab + `-key ` + v(),
	}
	short := gen(sh.min)
	short = short[:len(short)-1]
	long := gen(sh.max) + string(sh.alpha.chars[rng.IntN(len(sh.alpha.chars))])
	if sh.uuid {
		long = gen(0) + "0"
	}
	regular := strings.Repeat(sh.alpha.chars[len(sh.alpha.chars)-2:], sh.min)[:sh.min]
	if sh.uuid {
		regular = "00000000-0000-0000-0000-000000000000"
	}
	counter = []string{
		up + "_API_KEY=${" + up + "_API_KEY}",
		snake + `_api_key = "` + short + `"`,
		snake + `_api_key = "` + long + `"`,
		`build_ref = "` + v() + `"`,
		`"nota` + snake + `Key": "` + v() + `",`,
		up + "_KEY_ID=" + v(),
		"NEXT_PUBLIC_" + up + "_KEY=" + v(),
		snake + `_token: "` + regular + `"`,
	}
	return examples, counter
}

func genUUID(rng *rand.Rand) string {
	const hexd = "0123456789abcdef"
	b := make([]byte, 32)
	for i := range b {
		b[i] = hexd[rng.IntN(16)]
	}
	s := string(b)
	return s[:8] + "-" + s[8:12] + "-4" + s[13:16] + "-" + string("89ab"[rng.IntN(4)]) + s[17:20] + "-" + s[20:]
}
