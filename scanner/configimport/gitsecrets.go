package configimport

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rampart-sec/rampart/patterns"
)

// GitSecretsInput is what git-secrets keeps in git config: prohibited
// patterns, allowed patterns and provider commands (`git config --get-all
// secrets.patterns`, `secrets.allowed`, `secrets.providers`).
type GitSecretsInput struct {
	Patterns  []string
	Allowed   []string
	Providers []string
}

// Empty reports whether in holds nothing.
func (in GitSecretsInput) Empty() bool {
	return len(in.Patterns)+len(in.Allowed)+len(in.Providers) == 0
}

// ParseGitConfig reads the [secrets] section of a git config file (the
// format of .git/config and ~/.gitconfig): `patterns`, `allowed` and
// `providers` values, in order, with git's quoting, escapes, comments and
// line continuations. Other sections are skipped. It fails on a value git
// itself would reject (an unterminated quote, a bad escape).
func ParseGitConfig(data []byte) (GitSecretsInput, error) {
	var in GitSecretsInput
	section := ""
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		line := strings.TrimLeft(lines[i], " \t")
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return in, fmt.Errorf("configimport: git config line %d: unterminated section header", lineNo)
			}
			hdr := strings.TrimSpace(line[1:end])
			if sp := strings.IndexAny(hdr, " \t"); sp >= 0 {
				section = strings.ToLower(hdr[:sp]) + " sub" // subsections are not [secrets]
			} else {
				section = strings.ToLower(hdr)
			}
			line = strings.TrimLeft(line[end+1:], " \t")
			if line == "" || line[0] == '#' || line[0] == ';' {
				continue
			}
		}
		eq := strings.IndexByte(line, '=')
		var key, rest string
		if eq < 0 {
			key, rest = strings.TrimSpace(line), ""
		} else {
			key, rest = strings.TrimSpace(line[:eq]), line[eq+1:]
		}
		// A value continues onto the next line after a trailing backslash.
		for strings.HasSuffix(rest, "\\") && !strings.HasSuffix(rest, "\\\\") && i+1 < len(lines) {
			i++
			rest = rest[:len(rest)-1] + lines[i]
		}
		val, err := gitConfigValue(rest)
		if err != nil {
			return in, fmt.Errorf("configimport: git config line %d: %w", lineNo, err)
		}
		if section != "secrets" {
			continue
		}
		switch strings.ToLower(key) {
		case "patterns":
			in.Patterns = append(in.Patterns, val)
		case "allowed":
			in.Allowed = append(in.Allowed, val)
		case "providers":
			in.Providers = append(in.Providers, val)
		}
	}
	return in, nil
}

// gitConfigValue decodes a raw git config value: double quotes group,
// backslash escapes \\ \" \n \t \b, and # or ; outside quotes start a
// comment. Unquoted trailing whitespace is dropped.
func gitConfigValue(raw string) (string, error) {
	var b strings.Builder
	quoted := false
	pending := "" // unquoted whitespace, kept only if more value follows
	raw = strings.TrimLeft(raw, " \t")
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '"':
			b.WriteString(pending)
			pending = ""
			quoted = !quoted
		case c == '\\':
			if i+1 >= len(raw) {
				return "", fmt.Errorf("value ends in a backslash")
			}
			i++
			b.WriteString(pending)
			pending = ""
			switch raw[i] {
			case '\\', '"':
				b.WriteByte(raw[i])
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'b':
				b.WriteByte('\b')
			default:
				return "", fmt.Errorf("bad escape \\%c in value", raw[i])
			}
		case !quoted && (c == '#' || c == ';'):
			return b.String(), nil
		case !quoted && (c == ' ' || c == '\t'):
			pending += string(c)
		default:
			b.WriteString(pending)
			pending = ""
			b.WriteByte(c)
		}
	}
	if quoted {
		return "", fmt.Errorf("unterminated quote")
	}
	return b.String(), nil
}

// ParsePatternLines reads prohibited patterns one per line, as printed by
// `git config --get-all secrets.patterns`. Blank lines are skipped.
func ParsePatternLines(data []byte) GitSecretsInput {
	var in GitSecretsInput
	for _, l := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			in.Patterns = append(in.Patterns, l)
		}
	}
	return in
}

// awsProvider is the provider `git secrets --register-aws` installs; the
// built-in AWS rules cover what it prints.
const awsProvider = "git secrets --aws-provider"

// GitSecrets converts git-secrets configuration into rampart rules and
// allow-list regexes. git-secrets runs `git grep -E -w` (POSIX extended
// regexes, whole words), so each pattern becomes a rule whose regex
// requires a non-word character or line edge on both sides. Patterns RE2
// cannot compile (back-references, look-arounds) are left out with a
// warning. Provider commands are never run.
func GitSecrets(in GitSecretsInput, opts Options) (*Result, error) {
	if in.Empty() {
		return nil, ErrEmpty
	}
	res := &Result{}
	ids := newIDs("git-secrets-", opts.Builtin)
	n := 0
	for _, p := range in.Patterns {
		if strings.TrimSpace(p) == "" {
			continue
		}
		n++
		src := fmt.Sprintf("git-secrets pattern %d", n)
		re, err := EREToRE2(p)
		if err != nil {
			res.warn(src, "pattern %q left out: %v", p, err)
			continue
		}
		raw := patterns.RawRule{
			ID:          ids.assign(fmt.Sprintf("git-secrets-%d", n), ""),
			Description: "git-secrets pattern " + truncate(p, 60),
			Severity:    "high",
			Regex:       `(?m)(?:^|[^0-9A-Za-z_])(?P<secret>` + re + `)(?:[^0-9A-Za-z_]|$)`,
			Keywords:    DeriveKeywords(re),
			Remediation: "Imported from git-secrets (secrets.patterns).",
		}
		if raw.Keywords == nil {
			res.warn(src, "pattern %q has no literal to prefilter on, so it runs over every file (slower)", p)
		}
		if msg := checkRule(raw); msg != "" {
			res.warn(src, "pattern %q left out: %s", p, msg)
			continue
		}
		res.Config.Rules = append(res.Config.Rules, raw)
	}
	if len(in.Allowed) > 0 {
		res.warn("", "secrets.allowed: git-secrets matches allowed patterns against `path:line:text`; rampart applies them to the secret alone, so review patterns that name paths")
	}
	for _, a := range in.Allowed {
		if strings.TrimSpace(a) == "" {
			continue
		}
		re, err := EREToRE2(a)
		if err != nil {
			res.warn("", "secrets.allowed %q left out: %v", a, err)
			continue
		}
		res.Config.Allowlist.Regexes = append(res.Config.Allowlist.Regexes, re)
	}
	res.Config.Allowlist.Regexes = dedup(res.Config.Allowlist.Regexes)
	for _, p := range in.Providers {
		if strings.TrimSpace(p) == awsProvider {
			res.warn("", "secrets.providers %q not run: rampart's built-in AWS rules cover it", p)
			continue
		}
		res.warn("", "secrets.providers %q not run (rampart never executes commands from configuration); run it yourself and import its output with `rampart config import -` ", p)
	}
	return res, nil
}

// EREToRE2 translates a POSIX extended regex as GNU grep -E reads it into
// Go's RE2 syntax: \< and \> become \b. It fails, with RE2's reason, for
// what RE2 cannot run (back-references, look-arounds).
func EREToRE2(ere string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(ere); i++ {
		c := ere[i]
		switch {
		case c == '\\' && i+1 < len(ere):
			switch ere[i+1] {
			case '<', '>':
				b.WriteString(`\b`)
			case '1', '2', '3', '4', '5', '6', '7', '8', '9':
				return "", fmt.Errorf("back-reference \\%c is not supported by Go's RE2", ere[i+1])
			default:
				b.WriteString(ere[i : i+2])
			}
			i++
		case c == '[':
			j := classEnd(ere, i)
			b.WriteString(ere[i:j])
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	if _, err := regexp.Compile(out); err != nil {
		return "", fmt.Errorf("not valid in Go's RE2: %w", err)
	}
	return out, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// ParseGitConfigList reads the output of `git config --list -z` (entries
// separated by NUL, each `key\nvalue`) and keeps the secrets.* keys git-secrets
// uses, in order. This is every scope git reads (system, global, repository),
// as `git config --get-all` would return them.
func ParseGitConfigList(data []byte) GitSecretsInput {
	var in GitSecretsInput
	for _, entry := range strings.Split(string(data), "\x00") {
		key, val, ok := strings.Cut(entry, "\n")
		if !ok {
			continue
		}
		switch strings.ToLower(key) {
		case "secrets.patterns":
			in.Patterns = append(in.Patterns, val)
		case "secrets.allowed":
			in.Allowed = append(in.Allowed, val)
		case "secrets.providers":
			in.Providers = append(in.Providers, val)
		}
	}
	return in
}
