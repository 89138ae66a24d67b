package scanner

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"github.com/rampart-sec/rampart/patterns"
)

// ConfigFileName is the configuration file looked for at the repository root.
const ConfigFileName = ".rampart.toml"

// DefaultMaxFileSize is the most read at once: a larger text file is read in
// windows of this size, a larger blob or change in the git modes skipped.
const DefaultMaxFileSize = 10 << 20

// RawConfig is .rampart.toml as written: plain values, not yet checked.
type RawConfig struct {
	// MaxFileSize is bytes as an integer, or a string such as "10MB".
	MaxFileSize any                `toml:"max_file_size"`
	Disable     []string           `toml:"disable"`
	Rules       []patterns.RawRule `toml:"rules"`
	// Providers are context rules as data, expanded as the built-in
	// catalogue's are (patterns.RawProvider).
	Providers []patterns.RawProvider `toml:"providers"`
	Allowlist RawAllowlist           `toml:"allowlist"`
	// Audit is the hardening policy, decoded by the hardening package.
	Audit toml.Primitive `toml:"audit"`
	// Verify configures live verification and canary accounts.
	Verify RawVerify `toml:"verify"`
}

// RawAllowlist is the [allowlist] table.
type RawAllowlist struct {
	Paths     []string `toml:"paths,omitempty"`
	Regexes   []string `toml:"regexes,omitempty"`
	Secrets   []string `toml:"secrets,omitempty"`
	Stopwords []string `toml:"stopwords,omitempty"`
}

// Config is the compiled, immutable scan configuration.
type Config struct {
	// File is where the configuration came from ("" for built-in defaults).
	File  string
	Rules []*patterns.Rule
	// FileRules are the enabled credential-file rules (keystores, PKCS#12
	// bundles, password databases, a Rails master key: judged by name and
	// content).
	FileRules   []*patterns.FileRule
	Allow       *Allowlist
	MaxFileSize int64
	// Verify is the [verify] table.
	Verify VerifyConfig
}

// DefaultConfig returns the built-in catalogue with no allow list.
func DefaultConfig() (*Config, error) {
	rules, err := builtinRules(true)
	if err != nil {
		return nil, err
	}
	return &Config{Rules: rules, FileRules: patterns.FileRules(), Allow: &Allowlist{}, MaxFileSize: DefaultMaxFileSize, Verify: VerifyConfig{HookBudget: DefaultHookBudget}}, nil
}

// LoadConfig reads and compiles a configuration file. A missing file is an
// error; callers that want "use the file if present" check first.
func LoadConfig(name string) (*Config, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return ParseConfig(name, data)
}

// tomlDecodeErr is how the TOML decoder words a value of the wrong type:
// a plain error, not a ParseError, with the line and key inside its text.
var tomlDecodeErr = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)
})

// tomlTypeErr is the message of such an error, with the two types.
var tomlTypeErr = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^incompatible types: TOML value has type (\S+); destination has type (\S+)$`)
})

// tomlTypeWords says a decoder type the way the configuration is written.
var tomlTypeWords = map[string]string{
	"string": "a string", "int64": "a number", "float64": "a number", "bool": "true or false", "boolean": "true or false",
	"slice": "a list", "map": "a table", "struct": "a table", "time.Time": "a date",
}

// decodeError rewrites a decoder error as file:line: key: problem, the form
// of every other configuration error, in the configuration's words
// (`disable: want a list, got a string`).
func decodeError(name string, err error) patterns.Error {
	m := tomlDecodeErr().FindStringSubmatch(err.Error())
	if m == nil {
		return patterns.Error{File: name, Msg: err.Error()}
	}
	line, _ := strconv.Atoi(m[1])
	msg := m[3]
	if t := tomlTypeErr().FindStringSubmatch(msg); t != nil && tomlTypeWords[t[1]] != "" && tomlTypeWords[t[2]] != "" {
		msg = fmt.Sprintf("want %s, got %s", tomlTypeWords[t[2]], tomlTypeWords[t[1]])
	}
	return patterns.Error{File: name, Line: line, Msg: m[2] + ": " + msg}
}

// ParseConfig compiles configuration from data, reporting every problem at
// once with file and line.
func ParseConfig(name string, data []byte) (*Config, error) {
	var raw RawConfig
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, patterns.ErrorList{{File: name, Line: pe.Position.Line, Msg: pe.Message}}
		}
		return nil, patterns.ErrorList{decodeError(name, err)}
	}
	var errs patterns.ErrorList
	lines := tomlLines(data)
	// failAt reports a problem at the line of key (and of value in it).
	failAt := func(key, value, format string, args ...any) {
		errs = append(errs, patterns.Error{File: name, Line: lines.line(key, value), Msg: fmt.Sprintf(format, args...)})
	}
	for _, k := range md.Undecoded() {
		if len(k) > 0 && k[0] == "audit" {
			continue
		}
		msg := fmt.Sprintf("unknown key %q", k.String())
		if near := nearKey(reflect.TypeOf(raw), k); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
		failAt(k.String(), "", "%s", msg)
	}
	base, err := builtinRules(false)
	if err != nil {
		return nil, err
	}
	cfg := &Config{File: name, MaxFileSize: DefaultMaxFileSize}
	if raw.MaxFileSize != nil {
		n, err := parseSize(raw.MaxFileSize)
		if err != nil {
			failAt("max_file_size", "", "max_file_size: %v", err)
		}
		cfg.MaxFileSize = n
	}
	disabled := map[string]bool{}
	known := map[string]bool{}
	for _, r := range base {
		known[r.ID] = true
	}
	fileRules := patterns.FileRules()
	for _, r := range fileRules {
		known[r.ID] = true
	}
	for _, id := range raw.Disable {
		if !known[id] {
			failAt("disable", id, "disable: no built-in rule %q", id)
		}
		disabled[id] = true
	}
	for _, r := range base {
		if !disabled[r.ID] {
			cfg.Rules = append(cfg.Rules, r)
		}
	}
	for _, r := range fileRules {
		if !disabled[r.ID] {
			cfg.FileRules = append(cfg.FileRules, r)
		}
	}
	ruleLines := patterns.TableLines(data, "rules")
	for i := range raw.Rules {
		if i < len(ruleLines) {
			raw.Rules[i].Line = ruleLines[i]
		}
	}
	plines := patterns.TableLines(data, "providers")
	for i := range raw.Providers {
		if i < len(plines) {
			raw.Providers[i].Line = plines[i]
		}
	}
	all, xerrs := patterns.ExpandProviders(name, raw.Rules, raw.Providers)
	errs = append(errs, xerrs...)
	for _, rr := range all {
		r, rerrs := rr.Compile(name)
		errs = append(errs, rerrs...)
		if r == nil {
			continue
		}
		if known[r.ID] && !disabled[r.ID] {
			errs = append(errs, patterns.Error{File: name, Line: rr.Line, Rule: r.ID, Msg: "id clashes with a built-in rule; disable the built-in first"})
			continue
		}
		known[r.ID] = true
		r.Custom = true
		cfg.Rules = append(cfg.Rules, r)
	}
	allow, aerrs := raw.Allowlist.compile(name, lines)
	errs = append(errs, aerrs...)
	cfg.Allow = allow
	var verrs patterns.ErrorList
	cfg.Verify, verrs = raw.Verify.compile(name)
	errs = append(errs, verrs...)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

func (raw RawAllowlist) compile(name string, lines tomlLines) (*Allowlist, patterns.ErrorList) {
	var errs patterns.ErrorList
	a := &Allowlist{secrets: map[string]bool{}}
	for _, g := range raw.Paths {
		re, err := GlobRegexp(g)
		if err != nil {
			errs = append(errs, patterns.Error{File: name, Line: lines.line("allowlist.paths", g), Msg: fmt.Sprintf("allowlist.paths: bad glob %q: %v", g, err)})
			continue
		}
		a.paths = append(a.paths, re)
	}
	for _, r := range raw.Regexes {
		re, err := regexp.Compile(r)
		if err != nil {
			errs = append(errs, patterns.Error{File: name, Line: lines.line("allowlist.regexes", r), Msg: fmt.Sprintf("allowlist.regexes: bad regex %q: %v", r, err)})
			continue
		}
		a.regexes = append(a.regexes, re)
	}
	for _, s := range raw.Secrets {
		a.secrets[s] = true
	}
	for _, w := range raw.Stopwords {
		a.stopwords = append(a.stopwords, strings.ToLower(w))
	}
	return a, errs
}

// parseSize accepts an integer byte count or a string like "512KB", "10MB", "1GB".
func parseSize(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		if x <= 0 {
			return 0, fmt.Errorf("must be positive, got %d", x)
		}
		return x, nil
	case string:
		return ParseSize(x)
	}
	return 0, fmt.Errorf("want an integer or a string like \"10MB\", got %T", v)
}

// ParseSize parses a byte size such as "10MB", "512k", "1GiB" or "4096".
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q (want e.g. 10MB)", s)
	}
	return n * mult, nil
}

// nearKey names the key the configuration knows, beside an unknown key k,
// that is at most two edits from it ("allowlist.paths" for
// "allowlist.pathz"), or "" when none is: a typo should not cost the user a
// trip through the README. t is the struct that holds k's table.
func nearKey(t reflect.Type, k toml.Key) string {
	for _, part := range k[:len(k)-1] {
		for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return ""
		}
		f, ok := tomlField(t, part)
		if !ok {
			return ""
		}
		t = f.Type
	}
	for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return ""
	}
	last := k[len(k)-1]
	best, bestD := "", 3
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		if d := EditDistance(strings.ToLower(last), name); d < bestD {
			best, bestD = name, d
		}
	}
	if best == "" {
		return ""
	}
	return strings.Join(append(append([]string{}, k[:len(k)-1]...), best), ".")
}

// tomlField is t's field whose toml tag is name.
func tomlField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); tag == name {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// EditDistance is the Levenshtein distance between a and b, counted in bytes
// (insertions, deletions and substitutions each cost one). Both the config's
// unknown-key hint and the CLI's unknown-rule hint rank candidates with it;
// callers pass ASCII names, for which bytes and characters agree.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
