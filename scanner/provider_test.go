package scanner

import (
	"strings"
	"testing"
)

// providerConfig is the README's [[providers]] example (renamed to a made-up
// provider: Blocknative is built in, and a built-in provider wins) plus one entry per
// alphabet, as a user would write them in .rampart.toml.
const providerConfig = `
[[providers]]
id = "nodewatch-api-key"
name = "Nodewatch"
aliases = ["nodewatch"]
shape = "uuid"
severity = "medium"
remediation = "Rotate the key in the Nodewatch dashboard and remove it from git."
examples = ['nodewatch:\n  dapp_key_nodewatch_token: "9a1c2e7f-5b3d-4e8a-9c0f-2d4b6a8e1f3c"']
counterexamples = ["nodewatch_api_key = 9a1c2e7f-5b3d-4e8a-9c0f"]

[[providers]]
id = "launchdarkly-sdk-key-ctx"
name = "LaunchDarkly"
aliases = ["launch-darkly", "ldarkly"]
shape = "hex:32"

[[providers]]
id = "acme-alnum"
name = "Acme"
aliases = ["acmecorp"]
shape = "alnum:24-40"

[[providers]]
id = "acme-lower"
name = "Acme lower"
aliases = ["acmelower"]
shape = "alnum-lower:32"

[[providers]]
id = "acme-upper"
name = "Acme upper"
aliases = ["acmeupper"]
shape = "alnum-upper:20"

[[providers]]
id = "acme-b64"
name = "Acme base64"
aliases = ["acmebase"]
shape = "base64:44"

[[providers]]
id = "acme-b64url"
name = "Acme base64url"
aliases = ["acmeurl"]
shape = "base64url:43"

[[providers]]
id = "acme-digits"
name = "Acme digits"
aliases = ["acmedigits"]
shape = "digits:16"

[[providers]]
id = "acme-token"
name = "Acme token"
aliases = ["acmetoken"]
shape = "token:40"

[[providers]]
id = "acme-hexu"
name = "Acme hex upper"
aliases = ["acmehexu"]
shape = "hex-upper:40"

[[providers]]
id = "acme-custom"
name = "Acme custom"
description = "Acme custom signing key"
aliases = ["acmecustom"]
value = '''ack_[a-z0-9]{24}'''
examples = ["ACMECUSTOM_KEY=ack_0b6f2k9q4z7x1m3n8p5r2t6v", "acmecustomToken: 'ack_9zq3x8w2e7r4t1y6u5i0o2p8'", "--acmecustom-secret ack_m3n8p5r2t6v0b6f2k9q4z7x1"]
counterexamples = ["ACMECUSTOM_KEY=ack_short", "ACMECUSTOM_KEY_ID=ack_0b6f2k9q4z7x1m3n8p5r2t6v", "other = ack_0b6f2k9q4z7x1m3n8p5r2t6v"]
`

func TestProvidersInConfig(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig(".rampart.toml", []byte(providerConfig))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]int{}
	for i, r := range cfg.Rules {
		byID[r.ID] = i
	}
	// The whole configuration runs, built-in generic rules included: a
	// user's provider must win over them on its own values.
	d := NewDetector(cfg.Rules, nil)
	for _, id := range []string{"nodewatch-api-key", "launchdarkly-sdk-key-ctx", "acme-alnum", "acme-lower", "acme-upper",
		"acme-b64", "acme-b64url", "acme-digits", "acme-token", "acme-hexu", "acme-custom"} {
		i, ok := byID[id]
		if !ok {
			t.Fatalf("provider %s did not become a rule", id)
		}
		r := cfg.Rules[i]
		if !r.Custom || len(r.Examples) < 3 || len(r.Counterexamples) < 3 {
			t.Errorf("%s: custom %v, %d examples, %d counterexamples", id, r.Custom, len(r.Examples), len(r.Counterexamples))
		}
		for _, ex := range r.Examples {
			fs := d.Detect(Chunk{Data: []byte(ex), Path: "app/.env"})
			if len(fs) != 1 || fs[0].RuleID != id {
				t.Errorf("%s: example %q gave %v, want one %s finding", id, ex, ruleIDs(fs), id)
			}
		}
		for _, ex := range r.Counterexamples {
			if fs := d.Detect(Chunk{Data: []byte(ex), Path: "app/.env"}); hasRule(fs, id) {
				t.Errorf("%s: counterexample %q reported", id, ex)
			}
		}
	}
	if r := cfg.Rules[byID["acme-custom"]]; r.Description != "Acme custom signing key" {
		t.Errorf("description %q", r.Description)
	}
	if r := cfg.Rules[byID["acme-upper"]]; r.Description != "Acme upper API key" || r.Severity.String() != "medium" {
		t.Errorf("default description %q, severity %s", r.Description, r.Severity)
	}
}

// TestProviderSyntaxes: one provider entry finds its value in every common
// assignment syntax, and not where the name says something else.
func TestProviderSyntaxes(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig(".rampart.toml", []byte(providerConfig))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDetector(cfg.Rules, nil)
	const v = "0f8c2b7a9d4e6f1a3b5c7d9e2f4a6b8c"
	found := []string{
		"LAUNCH_DARKLY_API_KEY=" + v,
		"export LAUNCHDARKLY_SDK_KEY='" + v + "'",
		"ENV LAUNCH_DARKLY_KEY " + v,
		"docker run -e LAUNCH_DARKLY_TOKEN=" + v + " app",
		`"launchDarklyKey": "` + v + `",`,
		`launch_darkly_key: "` + v + `"`,
		`launch_darkly_key: ''` + v + `''`,
		`launch_darkly_api_key = "` + v + `"`,
		"launch.darkly.api.key=" + v,
		"[launchdarkly]\nldarkly_key = " + v,
		`  ldarkly_secret = "` + v + `"    # terraform`,
		`launchDarklyKey := "` + v + `"`,
		`const launchDarklyApiKey = "` + v + `";`,
		`LAUNCH_DARKLY_KEY = "` + v + `"`,
		`client = LD(launch_darkly_key="` + v + `")`,
		`:launch_darkly_key => "` + v + `",`,
		`'launch_darkly_key' => '` + v + `',`,
		`define('LAUNCH_DARKLY_KEY', '` + v + `');`,
		`os.environ["LAUNCH_DARKLY_KEY"] = "` + v + `"`,
		`config.setLaunchDarklyKey("` + v + `");`,
		`--launch-darkly-key=` + v,
		`--launch-darkly-key ` + v,
		`<add key="LaunchDarklyKey" value="` + v + `" />`,
		`<launchDarklyApiKey>` + v + `</launchDarklyApiKey>`,
		`{"LAUNCH_DARKLY_KEY":"` + v + `"}`,
		"LAUNCH_DARKLY_KEY=`" + v + "`",
		`myLaunchDarklyKey = "` + v + `"`,
		`launchdarkly_key_prod: ` + strings.ToUpper(v),
	}
	for _, s := range found {
		fs := d.Detect(Chunk{Data: []byte(s), Path: "x"})
		if len(fs) != 1 || fs[0].RuleID != "launchdarkly-sdk-key-ctx" || fs[0].Secret != v && fs[0].Secret != strings.ToUpper(v) {
			var why []string
			d.DetectExplain(Chunk{Data: []byte(s), Path: "x"}, func(dr Drop) { why = append(why, dr.RuleID+": "+dr.Reason) })
			t.Errorf("%q: got %v, want the provider's finding (dropped: %v)", s, ruleIDs(fs), why)
		}
	}
	notFound := []string{
		"LAUNCH_DARKLY_KEY_ID=" + v,
		"LAUNCH_DARKLY_TOKEN_URL=" + v,
		"NEXT_PUBLIC_LAUNCH_DARKLY_KEY=" + v,
		"launchDarklyPublicKey: " + v,
		"LAUNCH_DARKLY_PROJECT=" + v,
		"LAUNCH_DARKLY_KEY=" + v + "0",
		"LAUNCH_DARKLY_KEY=" + v[:31],
		"LAUNCH_DARKLY_KEY=" + v[:16] + strings.ToUpper(v[16:]),
		"launch_darkly_key: " + v + ".js",
		"launch_darkly_key: app-" + v,
		"launch_darkly_key:\n" + v,
		"unlaunch_darkly_key = " + v,
		"flaunchDarklyKey = " + v,
		"ldarklyness_key: " + v,
		"LAUNCH_DARKLY_KEY=${LAUNCH_DARKLY_KEY}",
		"LAUNCH_DARKLY_KEY=0000000000000000000000000000000a",
	}
	for _, s := range notFound {
		if fs := d.Detect(Chunk{Data: []byte(s), Path: "x"}); hasRule(fs, "launchdarkly-sdk-key-ctx") {
			t.Errorf("%q: reported", s)
		}
	}
}

func TestProviderConfigErrors(t *testing.T) {
	t.Parallel()
	src := `
[[providers]]
id = "ok-provider"
name = "Fine"
aliases = ["finecorp"]
shape = "hex:32"

[[providers]]
id = "bad-provider"
name = "Bad"
aliases = ["ab"]
shape = "hex:99999"
`
	_, err := ParseConfig(".rampart.toml", []byte(src))
	if err == nil {
		t.Fatal("bad provider accepted")
	}
	msg := err.Error()
	for _, want := range []string{`.rampart.toml:8: rule "bad-provider": provider: alias "ab"`, `.rampart.toml:8: rule "bad-provider": provider: shape "hex:99999"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func ruleIDs(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID)
	}
	return out
}
