package main

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

func TestLoadDir(t *testing.T) {
	t.Parallel()
	rules, errs := loadDir(filepath.Join("testdata", "rules"), "")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	type brief struct {
		Source, Provider, ID, Name string
		Examples, Negatives        int
		Hidden                     bool
	}
	var got []brief
	for _, r := range rules {
		got = append(got, brief{r.Source, r.Provider, r.ID, r.Name, len(r.Examples), len(r.Negatives), r.Hidden})
	}
	want := []brief{
		{"peer", "acme", "peer.acme.1", "Acme Deploy Token", 2, 1, false},
		{"peer", "acme", "peer.acme.2", "Acme Account ID", 1, 0, true},
		{"other", "widget", "other.widget.1", "Widget Key", 1, 1, false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("loadDir:\n got  %+v\n want %+v", got, want)
	}
	if ex := rules[0].Examples[1]; !strings.Contains(ex, "\n  token: acme_dt_") {
		t.Errorf("a block-scalar example lost its lines: %q", ex)
	}
}

func TestParseRulesLabelAndErrors(t *testing.T) {
	t.Parallel()
	rs, err := parseRules("x/acme.yaml", "np", []byte("rules:\n- id: peer.acme.1\n  examples: ['a']\n"))
	if err != nil || len(rs) != 1 || rs[0].Source != "np" || rs[0].Provider != "acme" {
		t.Fatalf("label override: %+v, %v", rs, err)
	}
	if _, err := parseRules("bad.yml", "", []byte("rules: [\n")); err == nil || !strings.Contains(err.Error(), "bad.yml") {
		t.Fatalf("malformed YAML: err %v, want one naming the file", err)
	}
}

func TestCompilePeer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, pattern, example, want string // want: the captured text, "" for no match
	}{
		{"extended with comment", "(?x)\n\\b\n(acme_dt_[a-z0-9]{20})  # token\n\\b\n", "t=acme_dt_q7k2m9x4p1w8r3t6y5u0;", "acme_dt_q7k2m9x4p1w8r3t6y5u0"},
		{"extended and case-insensitive", `(?xi) widget [_-] key \s* = \s* ([a-f0-9]{8})`, "WIDGET-KEY = 4f1c9a0e", "4f1c9a0e"},
		{"escaped space and hash stay", `(?x) a\ b\#(c)`, "a b#c", "c"},
		{"space and hash in a class", `(?x) ([ #]x)`, "#x", "#x"},
		{"bracket right after [", `(?x) ([]a]+)`, "]a]", "]a]"},
		{"plain pattern untouched", `key=(\d+) end`, "key=42 end", "42"},
		{"inline comment removed", "(?x) (tok_[0-9]{3}) (?# a comment ) \\b", "tok_123", "tok_123"},
		{"repeat count capped", `(t[0-9]{2,1024})`, "t12", "t12"},
		{"u flag dropped", `(?-u:\b)(tok_[0-9]{3})`, "tok_123", "tok_123"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			re := compilePeer(c.pattern)
			if re == nil {
				t.Fatalf("%q did not compile", c.pattern)
			}
			spans := peerSpans(re, c.example)
			got := ""
			if len(spans) > 0 {
				got = c.example[spans[0][0]:spans[0][1]]
			}
			if got != c.want {
				t.Errorf("captured %q, want %q (compiled as %s)", got, c.want, re)
			}
		})
	}
	if re := compilePeer(`(?x) (?<=a)b`); re != nil {
		t.Errorf("a look-behind compiled: %s", re)
	}
}

func TestOverlapsSpans(t *testing.T) {
	t.Parallel()
	ex := "user=alice key=q7k2m9x4p1"
	spans := [][2]int{{15, 25}}
	for _, c := range []struct {
		secret string
		want   bool
	}{
		{"q7k2m9x4p1", true},
		{"m9x4", true},
		{"alice", false},
		{"decoded-elsewhere", true}, // not in the example: found in a decoded view
	} {
		if got := overlapsSpans(ex, c.secret, spans); got != c.want {
			t.Errorf("overlapsSpans(%q) = %v, want %v", c.secret, got, c.want)
		}
	}
	if !overlapsSpans(ex, "alice", nil) {
		t.Error("without peer spans any finding must count")
	}
}

// testDetector compiles one made-up rule the way a user's rule is compiled,
// so the judgement is tested independently of the built-in catalogue.
func testDetector(t *testing.T) (*scanner.Detector, map[string]*patterns.Rule) {
	t.Helper()
	raw := patterns.RawRule{
		ID: "acme-deploy-token", Description: "Acme deploy token", Keywords: []string{"acme_dt_"},
		Regex:   `\b(?P<secret>acme_dt_[a-z0-9]{20})\b`,
		Entropy: 3, Validators: []string{"not-placeholder"},
	}
	r, errs := raw.Compile("test")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return scanner.NewDetector([]*patterns.Rule{r}, nil), map[string]*patterns.Rule{r.ID: r}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	det, rules := testDetector(t)
	re := compilePeer(`(?x) \b (acme_dt_[a-z0-9]{20}) \b`)
	cases := []struct {
		name, example string
		want          outcome
		reason        string
	}{
		{"found", "ACME_TOKEN=acme_dt_q7k2m9x4p1w8r3t6y5u0", found, ""},
		{"placeholder rejected", "ACME_TOKEN=acme_dt_xxxxxxxxxxxxxxxxxxxx", rejected, "entropy below floor, a placeholder"},
		{"word placeholder rejected", "ACME_TOKEN=acme_dt_example0example0abcd", rejected, "not-placeholder"},
		{"no rule matches", "ACME_TOKEN=acme_dt_TOOSHORT", missed, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := judge(det, rules, re, c.example)
			if v.Outcome != c.want || !strings.HasPrefix(v.Reason, c.reason) {
				t.Errorf("judge = %s %q, want %s %q…", outcomeName(v.Outcome), v.Reason, outcomeName(c.want), c.reason)
			}
		})
	}
	// A finding elsewhere on the line is not the peer's secret.
	other := compilePeer(`user=(\w+)`)
	if v := judge(det, rules, other, "user=alice acme_dt_q7k2m9x4p1w8r3t6y5u0"); v.Outcome != missed {
		t.Errorf("a finding outside the peer's capture counted as %s", outcomeName(v.Outcome))
	}
}

func TestRunReport(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	o := options{listMissed: true, listRejected: true, providers: true, width: 80, format: "text"}
	if err := run(&out, &errOut, []string{filepath.Join("testdata", "rules")}, o); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"1 helper rules without secrets and 0 identifier rules skipped",
		"providers: 2",
		"Missed examples, by provider",
		"other.widget.1 \"Widget Key\"",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
	if err := run(&out, &errOut, []string{t.TempDir()}, o); err == nil {
		t.Error("a directory without rules must be an error")
	}
}

func FuzzParseRules(f *testing.F) {
	f.Add([]byte("rules:\n- id: a.b.1\n  pattern: '(?x) (a) # c'\n  examples: ['a']\n"))
	f.Add([]byte("rules: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, _ := parseRules("f.yml", "", data)
		for _, r := range rs {
			if re := compilePeer(r.Pattern); re != nil {
				for _, ex := range r.Examples {
					for _, s := range peerSpans(re, ex) {
						if s[0] < 0 || s[1] > len(ex) || s[0] > s[1] {
							t.Fatalf("span %v outside %q", s, ex)
						}
					}
				}
			}
		}
	})
}

func FuzzParseGoRules(f *testing.F) {
	f.Add([]byte("package r\nfunc A() *config.Rule {\n\tr := config.Rule{RuleID: \"a-b\", SkipReport: true}\n\ttps := []string{\"x\" + \"y\"}\n\tfps := append(fps, `z`)\n\treturn nil\n}\n"))
	f.Add([]byte("package r\nfunc A() { var tps, fps = []string{fmt.Sprintf(\"%s\", 1)}, nil }\n"))
	f.Add([]byte("package r\nfunc A() { _ = config.Rule{RuleID: \"e\"}; tps := []string{\" \"} }\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := parseGoRules("f.go", "", data)
		for _, r := range rs {
			if err != nil || r.Provider == "" || r.ID != "gitleaks."+r.Provider {
				t.Fatalf("rule %+v with err %v: every rule has its id", r, err)
			}
			for _, ex := range append(r.Examples, r.Negatives...) {
				if strings.TrimSpace(ex) == "" {
					t.Fatalf("rule %+v: a blank example", r)
				}
			}
		}
	})
}

func FuzzCompilePeer(f *testing.F) {
	f.Add("(?x) [ #] \\# (a) # comment\n b")
	f.Add("(?xi-u) []]")
	f.Fuzz(func(t *testing.T, p string) {
		compilePeer(p)
		stripExtended(p)
	})
}

func TestDeliberate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		reason, secret string
		want           bool
	}{
		{"not-placeholder: contains \"example\"", "x", true},
		{"checksum: CRC32 does not match (not a live-format token)", "x", true},
		{"url-password: weak or fixture password (secret)", "secret", true},
		{"password: default password hunter2", "hunter2", true},
		{"not-code: template variable", "${X}", true},
		{"entropy below floor", "aaaaaaaaaaaaaaaa", true},
		{"entropy below floor", "q7k2m9", false},
		{"base64-json: payload is not a JSON object", "eyJrIjoiWHZi", true},
		{"jwt: not a JWT (header must decode to JSON with alg, payload to a JSON object)", "eyJhbGci", true},
		{"not-code: member access", "s.Z4bTMtngfLeQ18Aq", false},
		{"not-hex: secret is a hex string (a hash or ID)", "4f1c9a0e", false},
	} {
		if got := deliberate(c.reason, c.secret) != ""; got != c.want {
			t.Errorf("deliberate(%q, %q) = %v, want %v", c.reason, c.secret, got, c.want)
		}
	}
}

// TestPeerSecretJudged: an example whose own secret (what the peer's
// pattern captures) is a placeholder or a variable reference is rejected on
// purpose even when no rampart rule looked at it; a real-looking value that
// rampart misses stays a miss.
func TestPeerSecretJudged(t *testing.T) {
	t.Parallel()
	det, rules := testDetector(t)
	re := compilePeer(`(?x) psexec .* -p \s+ (\S+)`)
	for _, tt := range []struct {
		example string
		want    outcome
	}{
		{`psexec \\host -u User -p $Password -i calc.exe`, rejected},
		{`psexec \\host -u User -p %nothing% -i calc.exe`, rejected},
		{`psexec \\host -u User -p abcdef123456 -i calc.exe`, rejected},
		{`psexec \\host -u User -p Vq7!rT2mL9x -i calc.exe`, missed},
	} {
		if v := judge(det, rules, re, tt.example); v.Outcome != tt.want && !(tt.want == missed && v.Outcome == found) {
			t.Errorf("%q: %s (%s), want %s", tt.example, outcomeName(v.Outcome), v.Reason, outcomeName(tt.want))
		}
	}
}

func TestIdentifierName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"React App Username":           true,
		"AWS Account ID":               true,
		"Auth0 Client ID":              true,
		"Shopify Domain":               true,
		"Auth0 Client Secret":          false,
		"Slack Webhook":                false,
		"GitHub Personal Access Token": false,
		"CodeClimate Reporter ID":      false,
		"Twilio API Key":               false,
	} {
		if got := identifierName(name); got != want {
			t.Errorf("identifierName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestParseGoRules reads a rule file written the way gitleaks writes its
// rules (a function building a config.Rule, tps and fps string lists) and
// takes only the literal examples: concatenations are joined, appended
// literals are kept, generated examples and other variables are ignored.
func TestParseGoRules(t *testing.T) {
	t.Parallel()
	src := `package rules

func AcmeToken() *config.Rule {
	r := config.Rule{
		RuleID:      "acme-deploy-token",
		Description: "Acme deploy token",
		Regex:       build("acme"),
	}
	tps := utils.GenerateSampleSecrets("acme", "x")
	tps = append(tps, "token = acme_dt_1", "token = " + "acme_dt_2")
	fps := []string{"acme_dt_EXAMPLE", helper()}
	other := []string{"not an example"}
	_ = other
	return utils.Validate(r, tps, fps)
}

func AcmeClientID() *config.Rule {
	r := config.Rule{RuleID: "acme-client-id"}
	tps := []string{"client_id = 1234"}
	return utils.Validate(r, tps, nil)
}

func AcmeRegion() *config.Rule {
	r := config.Rule{RuleID: "acme-tenant-host", SkipReport: true}
	tps := []string{"ACME_HOST=eu1.acme.example"}
	return utils.Validate(r, tps, nil)
}

func AcmeSecret() *config.Rule {
	r := config.Rule{RuleID: "acme-secret", SkipReport: false}
	tps := []string{"ACME_SECRET=acme_s_3"}
	return utils.Validate(r, tps, nil)
}

func helperOnly() string { return "no rule here" }
`
	rs, err := parseGoRules("rules/acme.go", "", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 4 {
		t.Fatalf("got %d rules, want 4: %+v", len(rs), rs)
	}
	r := rs[0]
	if r.Source != "gitleaks" || r.ID != "gitleaks.acme-deploy-token" || r.Provider != "acme-deploy-token" || r.Name != "Acme deploy token" || r.Pattern != "" {
		t.Errorf("rule: %+v", r)
	}
	if want := []string{"token = acme_dt_1", "token = acme_dt_2"}; !reflect.DeepEqual(r.Examples, want) {
		t.Errorf("examples %q, want %q", r.Examples, want)
	}
	if want := []string{"acme_dt_EXAMPLE"}; !reflect.DeepEqual(r.Negatives, want) {
		t.Errorf("negatives %q, want %q", r.Negatives, want)
	}
	if r.Identifier || !rs[1].Identifier {
		t.Errorf("identifier: %v %v, want false true", r.Identifier, rs[1].Identifier)
	}
	// Betterleaks' SkipReport parts are helpers, as Nosey Parker's
	// visible: false rules are; SkipReport: false is an ordinary rule.
	if r.Hidden || !rs[2].Hidden || rs[3].Hidden {
		t.Errorf("hidden: %v %v %v, want false true false", r.Hidden, rs[2].Hidden, rs[3].Hidden)
	}
	if _, err := parseGoRules("bad.go", "", []byte("package (")); err == nil || !strings.Contains(err.Error(), "bad.go") {
		t.Errorf("malformed Go: err %v, want one naming the file", err)
	}
	if re := compilePeer(""); re != nil {
		t.Error("an empty pattern must be unknown (nil), not a regex matching everywhere")
	}
}

func TestParseTrufflehogTests(t *testing.T) {
	t.Parallel()
	src := "package acme\n\n" + `
var (
	validPattern   = "acme_Zq8rT2vX9mKp4Lw7"
	invalidPattern = "acme_Zq8rT2vX9mKp4Lw?"
	keyword        = "acme"
)

const prefix = "token: "

func TestAcme_Pattern(t *testing.T) {
	secret := "acme_" + "Hh3kLm9pQr7sTv2w"
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{name: "valid", input: fmt.Sprintf("%s token = '%s'", keyword, validPattern), want: []string{validPattern}},
		{name: "local", input: prefix + secret, want: []string{secret}},
		{name: "invalid", input: fmt.Sprintf("%s = '%s'", keyword, invalidPattern), want: nil},
		{name: "empty", input: keyword + " nothing", want: []string{}},
		{name: "generated", input: generate(), want: []string{validPattern}},
		{name: "bad verb", input: fmt.Sprintf("%d", keyword), want: []string{validPattern}},
	}
	_ = tests
}

func TestAcme_Pattern_Locals(t *testing.T) {
	input := "ACME_KEY=" + validPattern + "\nACME_ID=42"
	want := []string{validPattern + ":42"}
	_, _ = input, want
}

func TestAcme_FromData(t *testing.T) {
	tests := []struct{ input string; want []string }{{input: "not a pattern test", want: []string{"x"}}}
	_ = tests
}
`
	rs, err := parseTrufflehogTests("detectors/acme/v2/acme_test.go", "", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("got %d rules, want 1: %+v", len(rs), rs)
	}
	r := rs[0]
	if r.Source != "trufflehog" || r.Provider != "acme_v2" || r.ID != "trufflehog.acme_v2" || r.Name != "TestAcme_Pattern, TestAcme_Pattern_Locals" {
		t.Errorf("rule: %+v", r)
	}
	wantEx := []string{"acme token = 'acme_Zq8rT2vX9mKp4Lw7'", "token: acme_Hh3kLm9pQr7sTv2w", "ACME_KEY=acme_Zq8rT2vX9mKp4Lw7\nACME_ID=42"}
	if !reflect.DeepEqual(r.Examples, wantEx) {
		t.Errorf("examples %q, want %q", r.Examples, wantEx)
	}
	if want := []string{"acme = 'acme_Zq8rT2vX9mKp4Lw?'", "acme nothing"}; !reflect.DeepEqual(r.Negatives, want) {
		t.Errorf("negatives %q, want %q", r.Negatives, want)
	}
	// The wanted secrets that occur literally are the peer's pattern; the
	// joined one does not occur and is left out.
	if want := `acme_Zq8rT2vX9mKp4Lw7|acme_Hh3kLm9pQr7sTv2w`; r.Pattern != want {
		t.Errorf("pattern %q, want %q", r.Pattern, want)
	}
	if _, err := parseTrufflehogTests("bad_test.go", "", []byte("package (")); err == nil || !strings.Contains(err.Error(), "bad_test.go") {
		t.Errorf("malformed Go: err %v, want one naming the file", err)
	}
}

func FuzzParseTrufflehogTests(f *testing.F) {
	f.Add([]byte("package a\nvar k = \"x\"\nfunc TestA_Pattern(t *testing.T) { _ = []struct{input string; want []string}{{input: fmt.Sprintf(\"%s %d\", k, 3), want: []string{k}}} }\n"))
	f.Add([]byte("package a\nfunc TestA_Pattern(t *testing.T) { input := \"a\" + b; want := nil }\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, _ := parseTrufflehogTests("a/a_test.go", "", data)
		for _, r := range rs {
			if len(r.Examples)+len(r.Negatives) == 0 {
				t.Fatalf("a rule without examples: %+v", r)
			}
			if r.Pattern != "" && compilePeer(r.Pattern) == nil {
				t.Fatalf("literal alternation %q does not compile", r.Pattern)
			}
		}
	})
}
