package configimport

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// fixedBuiltin stands in for the catalogue in golden tests, so they do not
// change as the catalogue grows.
var fixedBuiltin = Options{Builtin: []string{"aws-access-key-id", "aws-secret-access-key"}}

func realBuiltin(t testing.TB) Options {
	t.Helper()
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.ID)
	}
	return Options{Builtin: ids}
}

func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(got) != string(want) {
		t.Errorf("output differs from %s (run with -update to accept):\n--- got\n%s\n--- want\n%s", p, got, want)
	}
}

// mustParse checks that a document is a configuration rampart accepts.
func mustParse(t testing.TB, doc []byte) *scanner.Config {
	t.Helper()
	cfg, err := scanner.ParseConfig(".rampart.toml", doc)
	if err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, doc)
	}
	return cfg
}

func TestGitleaksGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/gitleaks.toml")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Gitleaks(data, fixedBuiltin)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Document(res, "Converted from gitleaks.toml by rampart config import.")
	if err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "gitleaks.golden.toml", doc)

	real, err := Gitleaks(data, realBuiltin(t))
	if err != nil {
		t.Fatal(err)
	}
	doc, err = Document(real, "")
	if err != nil {
		t.Fatal(err)
	}
	mustParse(t, doc)
}

func TestGitSecretsGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/gitsecrets.gitconfig")
	if err != nil {
		t.Fatal(err)
	}
	in, err := ParseGitConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := GitSecrets(in, fixedBuiltin)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Document(res, "Converted from git-secrets by rampart config import.")
	if err != nil {
		t.Fatal(err)
	}
	goldenFile(t, "gitsecrets.golden.toml", doc)
	mustParse(t, doc)
}

// TestImportedRulesDetect runs the converted rules over text their source
// tool flags: the conversion keeps what the rules find, and the secret
// group is the one gitleaks reported.
func TestImportedRulesDetect(t *testing.T) {
	data, _ := os.ReadFile("testdata/gitleaks.toml")
	res, err := Gitleaks(data, fixedBuiltin)
	if err != nil {
		t.Fatal(err)
	}
	gs, _ := os.ReadFile("testdata/gitsecrets.gitconfig")
	in, _ := ParseGitConfig(gs)
	gres, err := GitSecrets(in, fixedBuiltin)
	if err != nil {
		t.Fatal(err)
	}
	var rules []*patterns.Rule
	for _, raw := range append(res.Config.Rules, gres.Config.Rules...) {
		r, errs := raw.Compile("test")
		if errs != nil {
			t.Fatal(errs)
		}
		rules = append(rules, r)
	}
	d := scanner.NewDetector(rules, nil)
	tests := []struct {
		text, rule, secret string
	}{
		{`TOKEN = "acme_live_9fK2mQ7xLp4Rt8Vz1Nc6Bw3Hy5Dj0Gs2"`, "acme-internal-token", "acme_live_9fK2mQ7xLp4Rt8Vz1Nc6Bw3Hy5Dj0Gs2"},
		{`deploy_key = "3f786850e387550fdab836ed7e6dc881de23001b"`, "acme-deploy-key", "3f786850e387550fdab836ed7e6dc881de23001b"},
		{`url: https://hooks.slack.com/services/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`, "slack-webhook", "q8Kx2Lm4Np6Rs8Tv0Wx2Yz4A"},
		{`key = glsa_NqVwYS81VP7Hb1DX8pPd5khxE3pyIgKp_0a1b2c3d`, "grafana-service-account", "glsa_NqVwYS81VP7Hb1DX8pPd5khxE3pyIgKp_0a1b2c3d"},
		{`token: acme_prod_7c41e09b3a5f28d6e1b94c07a2d853f6;`, "git-secrets-3", "acme_prod_7c41e09b3a5f28d6e1b94c07a2d853f6"},
		{`"aws_secret_access_key": "hFyJfm5di4PzJ59FHz5r1pY4OjE2jBMptUsGr7Cm"`, "git-secrets-2", `"aws_secret_access_key": "hFyJfm5di4PzJ59FHz5r1pY4OjE2jBMptUsGr7Cm"`},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			var got []string
			for _, f := range d.Detect(scanner.Chunk{Data: []byte(tt.text), Path: "x.txt"}) {
				if f.RuleID == tt.rule {
					got = append(got, f.Secret)
				}
			}
			if len(got) != 1 || got[0] != tt.secret {
				t.Errorf("findings of %s in %q = %q, want [%q]", tt.rule, tt.text, got, tt.secret)
			}
		})
	}
	// git grep -w: a pattern inside a longer word is not a match.
	if fs := d.Detect(scanner.Chunk{Data: []byte("xacme_prod_7c41e09b3a5f28d6e1b94c07a2d853f6x"), Path: "x"}); len(fs) != 0 {
		t.Errorf("whole-word rule matched inside a word: %+v", fs)
	}
}

func TestNormaliseID(t *testing.T) {
	tests := map[string]string{
		"aws-access-token":      "aws-access-token",
		"Acme Deploy Key":       "acme-deploy-key",
		"__weird__ID__":         "weird-id",
		"x":                     "x-rule",
		"日本":                    "",
		"slack_webhook.url":     "slack-webhook-url",
		strings.Repeat("a", 90): strings.Repeat("a", 64),
	}
	for in, want := range tests {
		if got := NormaliseID(in); got != want {
			t.Errorf("NormaliseID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIDsClashAndDuplicates(t *testing.T) {
	g := newIDs("gitleaks-", []string{"aws-access-key-id"})
	got := []string{g.assign("aws-access-key-id", ""), g.assign("My Rule", ""), g.assign("my_rule", ""), g.assign("", "gitleaks-rule-4")}
	want := []string{"gitleaks-aws-access-key-id", "my-rule", "my-rule-2", "gitleaks-rule-4"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ids = %q, want %q", got, want)
	}
}

func TestSecretGroupRegex(t *testing.T) {
	tests := []struct {
		name, re string
		group    int
		want     string
		err      string
	}{
		{"no groups: whole match", `ghp_[A-Za-z0-9]{36}`, 0, `ghp_[A-Za-z0-9]{36}`, ""},
		{"no secretGroup: first group", `key=([a-z]+)`, 0, `key=(?P<secret>[a-z]+)`, ""},
		{"second group", `(a)(b+)`, 2, `(a)(?P<secret>b+)`, ""},
		{"skips non-capturing and flags", `(?i)(?:x)(y)`, 1, `(?i)(?:x)(?P<secret>y)`, ""},
		{"skips escaped parens and classes", `\((a)[(](b)`, 2, `\((a)[(](?P<secret>b)`, ""},
		{"class with leading bracket", `[]()](c)`, 1, `[]()](?P<secret>c)`, ""},
		{"quoted literal", `\Q(x)\E(d)`, 1, `\Q(x)\E(?P<secret>d)`, ""},
		{"named group renamed", `(?P<key>k+)`, 1, `(?P<secret>k+)`, ""},
		{"short named group", `(?<key>k+)(s)`, 2, `(?<key>k+)(?P<secret>s)`, ""},
		{"existing secret elsewhere", `(?P<secret>a)(b)`, 2, `(?P<secret_orig>a)(?P<secret>b)`, ""},
		{"group out of range", `(a)`, 3, "", "secretGroup 3 but the regex has 1"},
		{"bad regex", `(a`, 1, "", "bad regex"},
		{"look-ahead", `(?=a)(b)`, 1, "", "bad regex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := secretGroupRegex(tt.re, tt.group)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestPathRegexGlobs(t *testing.T) {
	tests := []struct {
		re   string
		want []string
		err  string
	}{
		{`gitleaks\.toml`, []string{"*gitleaks.toml*"}, ""},
		{`(go.mod|go.sum)$`, []string{"*go?mod", "*go?sum"}, ""},
		{`node_modules`, []string{"*node_modules*"}, ""},
		{`^vendor/`, []string{"/vendor/**"}, ""},
		{`^go\.mod$`, []string{"/go.mod"}, ""},
		{`(.*?)(jpg|png)$`, []string{"*jpg", "*png"}, ""},
		{`^docs/.*\.md$`, []string{"/docs/**.md"}, ""},
		{`^docs/[a-z]+\.md$`, nil, "no glob equivalent"},
		{`.*`, nil, "every path"},
		{`(?i)readme`, nil, "case-insensitive"},
		{`(`, nil, "bad regex"},
	}
	for _, tt := range tests {
		t.Run(tt.re, func(t *testing.T) {
			got, err := PathRegexGlobs(tt.re)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %q, err = %v, want %q", got, err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestPathGlobsNeverWiden checks the promise that converted globs allow no
// path the gitleaks regex did not (bar a directory's contents).
func TestPathGlobsNeverWiden(t *testing.T) {
	paths := []string{"go.mod", "a/go.sum", "gomod", "vendor/x/y.go", "src/vendor/z.go", "docs/a.md", "docs/a/b.md",
		"node_modules/x.js", "a/my_node_modules_b/c", "img/a.jpg", "a.jpgx", "gitleaks.toml", "x/gitleaks.toml.bak"}
	for _, re := range []string{`gitleaks\.toml`, `(go.mod|go.sum)$`, `node_modules`, `^vendor/`, `^go\.mod$`, `(.*?)(jpg|png)$`, `^docs/.*\.md$`} {
		globs, err := PathRegexGlobs(re)
		if err != nil {
			t.Fatal(err)
		}
		src := regexpMust(t, re)
		for _, g := range globs {
			gre, err := scanner.GlobRegexp(g)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range paths {
				if gre.MatchString(p) && !src.MatchString(p) && !parentMatches(src, p) {
					t.Errorf("glob %q (from %q) allows %q, which the regex does not", g, re, p)
				}
			}
		}
	}
}

func parentMatches(re interface{ MatchString(string) bool }, p string) bool {
	for i := len(p) - 1; i > 0; i-- {
		if p[i] == '/' && re.MatchString(p[:i]) {
			return true
		}
	}
	return false
}

func TestDeriveKeywords(t *testing.T) {
	tests := []struct {
		re   string
		want []string
	}{
		{`(A3T[A-Z0-9]|AKIA|AGPA|ASIA)[A-Z0-9]{16}`, []string{"a3t", "agpa", "akia", "asia"}},
		{`ghp_[A-Za-z0-9]{36}`, []string{"ghp_"}},
		{`(?i)token\s*=\s*\S+`, []string{"token"}},
		{`xox[baprs]-[0-9a-z]+`, []string{"xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"}},
		{`[0-9]{12}`, nil},
		{`ab|cd`, nil},
		{`(foo)?bar[0-9]+`, []string{"bar"}},
	}
	for _, tt := range tests {
		if got := DeriveKeywords(tt.re); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("DeriveKeywords(%q) = %q, want %q", tt.re, got, tt.want)
		}
	}
}

func TestParseGitConfig(t *testing.T) {
	tests := []struct {
		name, in string
		want     GitSecretsInput
		err      string
	}{
		{"quoting and escapes", "[secrets]\n\tpatterns = \"a\\\\sb\" # comment\n\tallowed = x ; y\n", GitSecretsInput{Patterns: []string{`a\sb`}, Allowed: []string{"x"}}, ""},
		{"case-insensitive section and key", "[Secrets]\nPatterns = p1\n", GitSecretsInput{Patterns: []string{"p1"}}, ""},
		{"subsection is another section", "[secrets \"x\"]\npatterns = no\n[secrets]\npatterns=yes\n", GitSecretsInput{Patterns: []string{"yes"}}, ""},
		{"continuation", "[secrets]\npatterns = ab\\\ncd\n", GitSecretsInput{Patterns: []string{"abcd"}}, ""},
		{"hash inside quotes", "[secrets]\npatterns = \"a#b\"\n", GitSecretsInput{Patterns: []string{"a#b"}}, ""},
		{"unterminated quote", "[secrets]\npatterns = \"abc\n", GitSecretsInput{}, "unterminated quote"},
		{"bad escape", "[secrets]\npatterns = \\d\n", GitSecretsInput{}, "bad escape"},
		{"bad header", "[secrets\n", GitSecretsInput{}, "section header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseGitConfig([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
}

func TestEREToRE2(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{`\<word\>`, `\bword\b`, ""},
		{`[<>]x`, `[<>]x`, ""},
		{`[0-9]{4}\-?`, `[0-9]{4}\-?`, ""},
		{`(a)\1`, "", "back-reference"},
		{`pass(?!word)`, "", "not valid in Go's RE2"},
		{`(?<=x)y`, "", "not valid in Go's RE2"},
	}
	for _, tt := range tests {
		got, err := EREToRE2(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("EREToRE2(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("EREToRE2(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestEmptyAndMalformedInput(t *testing.T) {
	if _, err := Gitleaks([]byte("title = 'x'\n"), fixedBuiltin); err != ErrEmpty {
		t.Errorf("empty gitleaks config: err = %v", err)
	}
	if _, err := Gitleaks([]byte("[[rules]\n"), fixedBuiltin); err == nil || !strings.Contains(err.Error(), "parse gitleaks config") {
		t.Errorf("malformed gitleaks config: err = %v", err)
	}
	if _, err := GitSecrets(GitSecretsInput{}, fixedBuiltin); err != ErrEmpty {
		t.Errorf("empty git-secrets input: err = %v", err)
	}
	res, err := Gitleaks([]byte("[[rules]]\nid='a'\nregex='''(?=x)'''\n"), fixedBuiltin)
	if err != nil || len(res.Config.Rules) != 0 || !hasWarning(res, "left out") {
		t.Errorf("unsupported regex: %v %+v", err, res)
	}
}

func hasWarning(res *Result, sub string) bool {
	for _, w := range res.Warnings {
		if strings.Contains(w.String(), sub) {
			return true
		}
	}
	return false
}

// FuzzGitleaks: any input either fails cleanly or yields a configuration
// rampart accepts.
func FuzzGitleaks(f *testing.F) {
	seed, _ := os.ReadFile("testdata/gitleaks.toml")
	f.Add(seed)
	f.Add([]byte("[[rules]]\nid = 'x'\nregex = '''(a)(b)'''\nsecretGroup = 2\n"))
	f.Add([]byte("[allowlist]\npaths = ['''^a/(b|c)$''']\n"))
	opts := realBuiltin(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Gitleaks(data, opts)
		if err != nil {
			return
		}
		doc, err := Document(res, "fuzz")
		if err != nil {
			t.Fatal(err)
		}
		quickParse(t, doc, opts)
	})
}

// FuzzGitSecrets: any git config either fails cleanly or yields a
// configuration rampart accepts.
func FuzzGitSecrets(f *testing.F) {
	seed, _ := os.ReadFile("testdata/gitsecrets.gitconfig")
	f.Add(seed)
	f.Add([]byte("[secrets]\npatterns = \"\\\\<x\\\\>\"\nallowed = y\n"))
	opts := realBuiltin(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range []GitSecretsInput{ParsePatternLines(data), func() GitSecretsInput { in, _ := ParseGitConfig(data); return in }()} {
			res, err := GitSecrets(in, opts)
			if err != nil {
				continue
			}
			doc, err := Document(res, "fuzz")
			if err != nil {
				t.Fatal(err)
			}
			quickParse(t, doc, opts)
		}
	})
}

func regexpMust(t *testing.T, re string) *regexp.Regexp {
	t.Helper()
	r, err := regexp.Compile(re)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParseGitConfigList(t *testing.T) {
	data := "core.bare\nfalse\x00secrets.patterns\na\\sb\x00user.name\nDev\x00secrets.allowed\nx\ny\x00secrets.providers\ngit secrets --aws-provider\x00flag\x00"
	want := GitSecretsInput{Patterns: []string{`a\sb`}, Allowed: []string{"x\ny"}, Providers: []string{"git secrets --aws-provider"}}
	if got := ParseGitConfigList([]byte(data)); !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

// quickParse checks doc the way scanner.ParseConfig does, without
// recompiling the built-in catalogue on every fuzz input: it decodes with
// no unknown keys, compiles every rule, allow-list glob and regex, and
// checks IDs against the built-in ones.
func quickParse(t *testing.T, doc []byte, opts Options) {
	t.Helper()
	var raw scanner.RawConfig
	md, err := toml.Decode(string(doc), &raw)
	if err != nil {
		t.Fatalf("output does not decode: %v\n%s", err, doc)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("unknown keys %v\n%s", u, doc)
	}
	builtin := map[string]bool{}
	for _, id := range opts.Builtin {
		builtin[id] = true
	}
	for _, id := range raw.Disable {
		if !builtin[id] {
			t.Fatalf("disables unknown rule %q", id)
		}
	}
	seen := map[string]bool{}
	for _, r := range raw.Rules {
		if _, errs := r.Compile("fuzz"); errs != nil {
			t.Fatalf("rule does not compile: %v\n%s", errs, doc)
		}
		if builtin[r.ID] || seen[r.ID] {
			t.Fatalf("rule ID %q clashes\n%s", r.ID, doc)
		}
		seen[r.ID] = true
	}
	for _, g := range raw.Allowlist.Paths {
		if _, err := scanner.GlobRegexp(g); err != nil {
			t.Fatalf("bad glob %q: %v", g, err)
		}
	}
	for _, r := range raw.Allowlist.Regexes {
		if _, err := regexp.Compile(r); err != nil {
			t.Fatalf("bad regex %q: %v", r, err)
		}
	}
}
