package scanner

import (
	"regexp"
	"strings"
	"sync"
)

// tomlLines finds the line where a key of a TOML document, or one value of
// it, is written, for error messages: the toml decoder reports positions
// only for syntax errors. It reads the text line by line (table headers,
// key lines, the lines of a multi-line array, multi-line strings skipped),
// which is all a configuration file needs.
type tomlLines []byte

var (
	tomlKeyPart = `(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')`
	tomlKeyLine = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(` + tomlKeyPart + `(?:\s*\.\s*` + tomlKeyPart + `)*)\s*=`)
	})
	tomlHeader = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\[\[?\s*(` + tomlKeyPart + `(?:\s*\.\s*` + tomlKeyPart + `)*)\s*\]\]?`)
	})
	tomlDot = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s*\.\s*`) })
)

// tomlKey normalises a dotted key as written: parts unquoted, no spaces.
func tomlKey(s string) string {
	var parts []string
	for _, p := range splitKey(s) {
		parts = append(parts, strings.Trim(p, `"'`))
	}
	return strings.Join(parts, ".")
}

// splitKey splits a dotted key on the dots outside quotes.
func splitKey(s string) []string {
	var parts []string
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '.':
			parts = append(parts, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(parts, strings.TrimSpace(s[start:]))
}

// line returns the 1-based line of the dotted key (table names included:
// "allowlist.regexes"), or with value set, of the line in that key's value
// that holds it (an element of a multi-line array); the key's line if the
// value is not found; 0 if the key is not found. A key of an array of
// tables ("rules.id") matches in any of its tables.
func (d tomlLines) line(key, value string) int {
	table := ""
	first := 0
	inKey := 0 // line of the key whose value is being read, 0 when none
	multi := ""
	for i, raw := range strings.Split(string(d), "\n") {
		n := i + 1
		l := strings.TrimSpace(raw)
		if multi != "" {
			if strings.Count(l, multi)%2 == 1 {
				multi = ""
			}
			continue
		}
		for _, q := range []string{"'''", `"""`} {
			if strings.Count(l, q)%2 == 1 {
				multi = q
			}
		}
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
			continue
		case tomlHeader().MatchString(l) && !tomlKeyLine().MatchString(l):
			table = tomlKey(tomlHeader().FindStringSubmatch(l)[1])
			inKey = 0
			continue
		}
		if m := tomlKeyLine().FindStringSubmatch(l); m != nil {
			full := tomlKey(m[1])
			if table != "" {
				full = table + "." + full
			}
			inKey = 0
			if full == key {
				if first == 0 {
					first = n
				}
				if value == "" {
					return n
				}
				inKey = n
			}
		}
		if inKey != 0 && value != "" && (strings.Contains(raw, `"`+value+`"`) || strings.Contains(raw, `'`+value+`'`)) {
			return n
		}
	}
	return first
}
