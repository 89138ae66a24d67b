package scanner

import (
	"strings"
	"testing"
)

// TestConfigErrorsHaveLines: every problem in a configuration file names
// its line, as the README promises (issue #15: max_file_size, disable and
// the allow list's keys had none).
func TestConfigErrorsHaveLines(t *testing.T) {
	t.Parallel()
	const cfg = `# a comment
max_file_size = "huge"
disable = ["aws-access-key-id", "no-such-rule"]
surprise = 1

[allowlist]
paths = ["ok/", "bad[glob"]
regexes = [
  '^fine$',
  '(',
]
colour = "blue"

[[rules]]
id = "x"
`
	_, err := ParseConfig("c.toml", []byte(cfg))
	if err == nil {
		t.Fatal("no error")
	}
	got := err.Error()
	for _, want := range []string{
		`c.toml:2: max_file_size: bad size "huge"`,
		`c.toml:3: disable: no built-in rule "no-such-rule"`,
		`c.toml:4: unknown key "surprise"`,
		`c.toml:10: allowlist.regexes: bad regex "("`,
		`c.toml:12: unknown key "allowlist.colour"`,
		`c.toml:14: rule "x": `,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("errors lack %q:\n%s", want, got)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !strings.HasPrefix(l, "c.toml:") || strings.HasPrefix(l, "c.toml: ") {
			t.Errorf("no line number: %q", l)
		}
	}
}

func TestTOMLLines(t *testing.T) {
	t.Parallel()
	doc := tomlLines([]byte("a = 1\n[t]\n b = [\n  \"x\",\n  'y' ]\n\"quoted key\" = 2\n[u . v]\nw=3\n[[r]]\nid='q'\n[[r]]\nid='z'\ndotted.key = 4\n"))
	for _, tc := range []struct {
		key, value string
		want       int
	}{
		{"a", "", 1}, {"t.b", "", 3}, {"t.b", "y", 5}, {"t.b", "x", 4}, {"t.quoted key", "", 6},
		{"u.v.w", "", 8}, {"r.id", "z", 12}, {"r.dotted.key", "", 13}, {"nope", "", 0},
	} {
		if got := doc.line(tc.key, tc.value); got != tc.want {
			t.Errorf("line(%q, %q) = %d, want %d", tc.key, tc.value, got, tc.want)
		}
	}
}

// FuzzTOMLLines: any text, any key: no panic, and a line that exists.
func FuzzTOMLLines(f *testing.F) {
	f.Add("a = 1\n[t]\nb = ['x',\n'y']\n", "t.b", "y")
	f.Add("x = '''\nk = 1\n'''\nk = 2\n", "k", "")
	f.Add("[[r]]\n\"q.k\" = 1\n", "r.q.k", "1")
	f.Fuzz(func(t *testing.T, doc, key, value string) {
		n := tomlLines(doc).line(key, value)
		if n < 0 || n > strings.Count(doc, "\n")+1 {
			t.Fatalf("line %d of a %d-line document", n, strings.Count(doc, "\n")+1)
		}
	})
}

// TestConfigTypeErrorsInWords: a value of the wrong type is reported as
// file:line: key: want …, got …, like every other problem, not in the TOML
// decoder's own words and form ("toml: line 1 (last key …): incompatible
// types: TOML value has type string; destination has type slice").
func TestConfigTypeErrorsInWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ cfg, want string }{
		{"disable = \"aws-account-id\"\n", "c.toml:1: disable: want a list, got a string"},
		{"# x\n[allowlist]\npaths = [1]\n", "c.toml:3: allowlist.paths: want a string, got a number"},
		{"[verify]\nin_hooks = \"yes\"\n", "c.toml:2: verify.in_hooks: want true or false, got a string"},
		{"[[rules]]\nid = 5\n", "c.toml:2: rules.id: want a string, got a number"},
	} {
		_, err := ParseConfig("c.toml", []byte(tc.cfg))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: got %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// TestConfigRuleIDRuleInFull: a one-letter id breaks no rule the old
// message named ("lower-case letters, digits and dashes"); the message says
// every rule an id must keep.
func TestConfigRuleIDRuleInFull(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"x", "-ab", "ab-", "Ab"} {
		_, err := ParseConfig("c.toml", []byte("[[rules]]\nid = \""+id+"\"\ndescription = \"d\"\nregex = 'abc'\n"))
		if err == nil || !strings.Contains(err.Error(), "id must be lower-case letters, digits and dashes, at least two, starting and ending with a letter or digit") {
			t.Errorf("id %q: %v", id, err)
		}
	}
}

// TestUnknownKeySuggestsTheNearest: a misspelt key names the key it was
// probably meant to be, at any depth (a rule's field, [verify]); a key far
// from every known one gets no guess.
func TestUnknownKeySuggestsTheNearest(t *testing.T) {
	t.Parallel()
	const cfg = `max_filesize = "1MB"
[allowlist]
pathz = ["a/"]
colour = "blue"
[verify]
in_hook = true
[[rules]]
id = "ab-cd"
description = "x"
regex = 'abc[0-9]{20}'
keywords = ["abc"]
sevirity = "high"
`
	_, err := ParseConfig("c.toml", []byte(cfg))
	if err == nil {
		t.Fatal("no error")
	}
	got := err.Error()
	for _, want := range []string{
		`unknown key "max_filesize" (did you mean "max_file_size"?)`,
		`unknown key "allowlist.pathz" (did you mean "allowlist.paths"?)`,
		`unknown key "verify.in_hook" (did you mean "verify.in_hooks"?)`,
		`unknown key "rules.sevirity" (did you mean "rules.severity"?)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("errors lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, `"allowlist.colour" (did you mean`) {
		t.Errorf("a guess for a key near nothing:\n%s", got)
	}
}

// TestEditDistance: the one Levenshtein distance both hints (config keys
// here, rule ids in cmd/rampart) rank by; each edit, including a swap of two
// neighbours (two substitutions), counts as the CLI's hint expects.
func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"paths", "pathz", 1},
		{"in_hooks", "in_hook", 1},
		{"max_file_size", "max_filesize", 1},
		{"aws-access-key", "aws-acess-key", 1},
		{"severity", "sevirity", 1},
		{"ab", "ba", 2},
		{"kitten", "sitting", 3},
	} {
		if got := EditDistance(c.a, c.b); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
