package scanner

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Made-up values: an auth token and account SIDs shaped as Twilio documents
// them, and a Shopify Admin API token.
const (
	twilioToken  = "5a98b3fd1e6ba66707e925695220df27"
	twilioSID    = "AC4f0c2e9b7d13a8e6c5b24f9107d3e8a2"
	twilioSIDFar = "AC0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"
	shopifyToken = "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"
	// legacyAtlassian is a 24-character legacy Atlassian API token.
	legacyAtlassian = "sYOAyTQ1oYNWCjxzS1ekTQcx"
	azureKey        = "5LlJtXZJwaMuitHKrdP/0oXUatIEcp8s4bK5PmfgSfYGluLF/kXypiMxEWF4jn757trKqZ8aqAUavXy3HW8/cA=="
)

func lines(n int) string { return strings.Repeat("# filler\n", n) }

// TestLinkCompanions: the detector records on a finding the nearest
// companion value within CompanionLines lines of it, in the same chunk;
// one further away, a placeholder, or a value of another shape is not
// linked.
func TestLinkCompanions(t *testing.T) {
	d := builtinDetector(t)
	tests := []struct {
		name, rule, attr, src, want string
	}{
		{"SID on the line above", "twilio-auth-token", "twilio_account_sid",
			"TWILIO_ACCOUNT_SID=" + twilioSID + "\nTWILIO_AUTH_TOKEN=" + twilioToken + "\n", twilioSID},
		{"SID below, in YAML", "twilio-auth-token", "twilio_account_sid",
			"sms:\n  twilio_auth_token: " + twilioToken + "\n  # the account\n  twilio_account_sid: " + twilioSID + "\n", twilioSID},
		{"SID on the same line", "twilio-auth-token", "twilio_account_sid",
			`client = Client("` + twilioSID + `", twilio_auth_token="` + twilioToken + `")` + "\n", twilioSID},
		{"the nearer of two SIDs", "twilio-auth-token", "twilio_account_sid",
			"OLD_SID=" + twilioSIDFar + "\n" + lines(2) + "TWILIO_ACCOUNT_SID=" + twilioSID + "\nTWILIO_AUTH_TOKEN=" + twilioToken + "\n", twilioSID},
		{"the nearer of two SIDs, below", "twilio-auth-token", "twilio_account_sid",
			"SID_A=" + twilioSIDFar + "\n" + lines(3) + "TWILIO_AUTH_TOKEN=" + twilioToken + "\nSID_B=" + twilioSID + "\n", twilioSID},
		{"SID five lines above", "twilio-auth-token", "twilio_account_sid",
			"TWILIO_ACCOUNT_SID=" + twilioSID + "\n" + lines(4) + "TWILIO_AUTH_TOKEN=" + twilioToken + "\n", twilioSID},
		{"SID six lines above: too far", "twilio-auth-token", "twilio_account_sid",
			"TWILIO_ACCOUNT_SID=" + twilioSID + "\n" + lines(5) + "TWILIO_AUTH_TOKEN=" + twilioToken + "\n", ""},
		{"SID six lines below: too far", "twilio-auth-token", "twilio_account_sid",
			"TWILIO_AUTH_TOKEN=" + twilioToken + "\n" + lines(5) + "TWILIO_ACCOUNT_SID=" + twilioSID + "\n", ""},
		{"not a SID: too long", "twilio-auth-token", "twilio_account_sid",
			"TWILIO_ACCOUNT_SID=" + twilioSID + "ff\nTWILIO_AUTH_TOKEN=" + twilioToken + "\n", ""},
		{"not a SID: inside a word", "twilio-auth-token", "twilio_account_sid",
			"REF=xAC" + twilioSID[2:] + "\nTWILIO_AUTH_TOKEN=" + twilioToken + "\n", ""},
		{"shop domain above", "shopify-access-token", "shopify_domain",
			"SHOPIFY_STORE_DOMAIN=Acme-Outdoor.myshopify.com\nSHOPIFY_TOKEN=" + shopifyToken + "\n", "acme-outdoor.myshopify.com"},
		{"shop URL in code", "shopify-access-token", "shopify_domain",
			`const shop = "https://acme.myshopify.com/admin";` + "\n" + `const token = "` + shopifyToken + `";` + "\n", "acme.myshopify.com"},
		{"placeholder shop ignored", "shopify-access-token", "shopify_domain",
			"SHOPIFY_STORE_DOMAIN=your-store.myshopify.com\nSHOPIFY_TOKEN=" + shopifyToken + "\n", ""},
		{"placeholder skipped for the real shop further away", "shopify-access-token", "shopify_domain",
			"SHOP=acme.myshopify.com\n" + lines(1) + "# e.g. your-shop-name.myshopify.com\nSHOPIFY_TOKEN=" + shopifyToken + "\n", "acme.myshopify.com"},
		{"a subdomain of a shop is not a shop", "shopify-access-token", "shopify_domain",
			"SHOP=cdn.acme.myshopify.com\nSHOPIFY_TOKEN=" + shopifyToken + "\n", ""},
		{"another provider's domain", "shopify-access-token", "shopify_domain",
			"SHOP=acme.myshopify.com.example.net\nSHOPIFY_TOKEN=" + shopifyToken + "\n", ""},
		{"Atlassian site from a URL", "atlassian-legacy-api-token", "atlassian_site",
			"JIRA_URL=https://Acme-Eng.atlassian.net/browse\nJIRA_EMAIL=dev.lead@acme.io\nJIRA_API_TOKEN=" + legacyAtlassian + "\n", "acme-eng.atlassian.net"},
		{"Atlassian email", "atlassian-legacy-api-token", "email",
			"JIRA_URL=https://acme-eng.atlassian.net\nJIRA_EMAIL=Dev.Lead@acme.io\nJIRA_API_TOKEN=" + legacyAtlassian + "\n", "dev.lead@acme.io"},
		{"the nearer email", "atlassian-legacy-api-token", "email",
			"OWNER=ops@acme.io\nJIRA_EMAIL=dev.lead@acme.io\nJIRA_API_TOKEN=" + legacyAtlassian + "\nNOTIFY=alerts@acme.io\n", "dev.lead@acme.io"},
		{"placeholder email ignored", "atlassian-legacy-api-token", "email",
			"JIRA_EMAIL=you@example.com\nJIRA_API_TOKEN=" + legacyAtlassian + "\n", ""},
		{"Cloudflare account email", "cloudflare-global-api-key", "email",
			"CF_API_EMAIL=ops@acme.io\nCLOUDFLARE_API_KEY=eb8af6ec621af52b3a0a53e43a245e8280d1f\n", "ops@acme.io"},
		{"an address with a plus, in a comment", "cloudflare-global-api-key", "email",
			"# contact: ops+cf@acme.io\nCLOUDFLARE_API_KEY=eb8af6ec621af52b3a0a53e43a245e8280d1f\n", "ops+cf@acme.io"},
		{"Azure account next to its key", "azure-storage-account-key", "azure_storage_account",
			"AZURE_STORAGE_ACCOUNT=Media01\nAZURE_STORAGE_KEY=" + azureKey + "\n", "media01"},
		{"Azure account from its blob endpoint", "azure-storage-account-key", "azure_storage_account",
			"endpoint: https://media01.blob.core.windows.net/\nstorage_account_key: " + azureKey + "\n", "media01"},
		{"Azure: the key's own name is not an account name", "azure-storage-account-key", "azure_storage_account",
			"STORAGE_ACCOUNT_KEY=" + azureKey + "\n", ""},
		{"Azure emulator account ignored", "azure-storage-account-key", "azure_storage_account",
			"AccountName: devstoreaccount1\nAZURE_STORAGE_KEY=" + azureKey + "\n", ""},
		{"placeholder site ignored", "atlassian-legacy-api-token", "atlassian_site",
			"JIRA_URL=https://your-domain.atlassian.net\nJIRA_API_TOKEN=" + legacyAtlassian + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *Finding
			fs := d.Detect(Chunk{Data: []byte(tt.src), Kind: KindFile, Path: "app.env"})
			for i := range fs {
				if fs[i].RuleID == tt.rule {
					got = &fs[i]
				}
			}
			if got == nil {
				t.Fatalf("no %s finding in %q (got %v)", tt.rule, tt.src, fs)
			}
			if v := got.Attributes[tt.attr]; v != tt.want {
				t.Errorf("%s = %q, want %q", tt.attr, v, tt.want)
			}
		})
	}
}

// TestCompanionNotAcrossFiles: a folder scan never links a token in one
// file with an account SID in another, however close their lines.
func TestCompanionNotAcrossFiles(t *testing.T) {
	root := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a.env", "TWILIO_AUTH_TOKEN="+twilioToken+"\n")
	write("b.env", "TWILIO_ACCOUNT_SID="+twilioSID+"\n")
	write("c.env", "TWILIO_ACCOUNT_SID="+twilioSIDFar+"\nTWILIO_AUTH_TOKEN=7f611915884ddc29b1d09d25ef641236\n")
	res, err := Scan(context.Background(), &DirSource{Root: root}, builtinDetector(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, f := range res.Findings {
		if f.RuleID == "twilio-auth-token" {
			seen[f.Path] = f.Attributes["twilio_account_sid"]
		}
	}
	if _, ok := seen["a.env"]; !ok {
		t.Fatalf("no finding in a.env: %v", seen)
	}
	if seen["a.env"] != "" || seen["c.env"] != twilioSIDFar {
		t.Errorf("account SIDs by file: %v; want none for a.env, c.env's own for c.env", seen)
	}
}

// TestLinkSecondSecret: a Twilio API key SID names, by fingerprint, the
// nearest API key secret within CompanionLines lines; never the secret
// itself, never one further away.
func TestLinkSecondSecret(t *testing.T) {
	d := builtinDetector(t)
	const (
		key     = "SK4c7ddc02c7f4a9e7c851a7ea3ea65b6d"
		key2    = "SKd2d8ad3b427798dc24411b1dccc6b9f2"
		secret  = "q8Lr2VtX9bN4mK7pZ3wY6cJ1hF5dS0gA"
		secret2 = "Wm3Kd9Pq2Lx7Tz4Rb8Nc6Vf1Hj5Gs0Ay"
	)
	tests := []struct {
		name, src, want string
	}{
		{"secret below", "TWILIO_API_KEY=" + key + "\nTWILIO_API_SECRET=" + secret + "\n", secret},
		{"secret above, in JSON", `{"twilioApiKeySecret": "` + secret + `",` + "\n" + `"twilioApiKey": "` + key + `"}`, secret},
		{"the nearer of two", "TWILIO_API_SECRET=" + secret2 + "\n" + lines(2) + "TWILIO_API_KEY=" + key + "\nTWILIO_API_SECRET=" + secret + "\n", secret},
		{"one secret, two keys: the nearer key gets it", "TWILIO_API_KEY=" + key2 + "\n" + lines(1) + "TWILIO_API_SECRET=" + secret + "\nTWILIO_API_KEY=" + key + "\n", secret},
		{"one secret, two keys: the further key does not", "TWILIO_API_KEY=" + key + "\n" + lines(1) + "TWILIO_API_SECRET=" + secret + "\nTWILIO_API_KEY=" + key2 + "\n", ""},
		{"six lines away", "TWILIO_API_KEY=" + key + "\n" + lines(5) + "TWILIO_API_SECRET=" + secret + "\n", ""},
		{"an auth token is not a key's secret", "TWILIO_API_KEY=" + key + "\nTWILIO_AUTH_TOKEN=" + twilioToken + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := d.Detect(Chunk{Data: []byte(tt.src), Kind: KindFile, Path: "app.env"})
			var got string
			found := false
			for _, f := range fs {
				if f.RuleID == "twilio-api-key" && f.Secret == key {
					found = true
					got = f.Attributes["twilio_api_key_secret"]
				}
				for k, v := range f.Attributes {
					if strings.Contains(v, secret) || strings.Contains(v, secret2) {
						t.Errorf("attribute %s holds a secret", k)
					}
				}
			}
			if !found {
				t.Fatalf("no twilio-api-key finding in %q", tt.src)
			}
			want := ""
			if tt.want != "" {
				want = Fingerprint("twilio-api-key-secret", tt.want)
			}
			if got != want {
				t.Errorf("twilio_api_key_secret = %q, want %q", got, want)
			}
		})
	}
}

// TestDedupCarriesCompanions: in history, the finding kept for a secret is
// its first version's; an account SID that only a later version of the same
// file has next to it is carried to it, never one from another file.
func TestDedupCarriesCompanions(t *testing.T) {
	tok := func(path, commit, sid string) Finding {
		f := Finding{RuleID: "twilio-auth-token", Path: path, Secret: twilioToken, Fingerprint: Fingerprint("twilio-auth-token", twilioToken),
			Kind: KindBlob, Commit: &Commit{Hash: commit}, Line: 1}
		if sid != "" {
			f.Attributes = map[string]string{"twilio_account_sid": sid}
		}
		return f
	}
	fs := Dedup([]Finding{
		tok("app.env", "c1", ""),
		tok("other.env", "c1", ""),
		tok("app.env", "c2", twilioSID),
		tok("app.env", "c3", twilioSIDFar), // the first SID found stays
		tok("third.env", "c2", twilioSIDFar),
	}, nil)
	got := map[string]string{}
	for _, f := range fs {
		got[f.Path+"@"+f.Commit.Hash] = f.Attributes["twilio_account_sid"]
	}
	want := map[string]string{"app.env@c1": twilioSID, "other.env@c1": "", "third.env@c2": twilioSIDFar}
	if len(got) != len(want) {
		t.Fatalf("kept %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: SID %q, want %q", k, got[k], v)
		}
	}
}

// TestCompanionTable: every companion names built-in rules, a second
// secret names a rule of its own, and every shape compiles with a group.
func TestCompanionTable(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range builtinDetector(t).Rules() {
		ids[r.ID] = true
	}
	attrs := map[string]bool{}
	for _, c := range Companions() {
		if attrs[c.Attr] || c.Attr == "" || c.What == "" {
			t.Errorf("%q: needs a unique attribute and a description", c.Attr)
		}
		attrs[c.Attr] = true
		for _, id := range append([]string{c.Rule}, c.Rules...) {
			if id != "" && !ids[id] {
				t.Errorf("%s: rule %s is not built in", c.Attr, id)
			}
		}
		if (c.Shape == "") == (c.Rule == "") {
			t.Errorf("%s: needs exactly one of Shape and Rule", c.Attr)
			continue
		}
		if c.Shape != "" {
			re, err := regexp.Compile(c.Shape)
			if err != nil || re.NumSubexp() < 1 {
				t.Errorf("%s: shape does not compile with a group: %v", c.Attr, err)
			}
		}
	}
}

// TestCompanionShapesCompiledOnUse: a companion's regex is compiled when a
// finding of one of its rules looks for its value, and no other's is.
func TestCompanionShapesCompiledOnUse(t *testing.T) {
	table := companionTable()
	var used *compiledCompanion
	for _, ccs := range table {
		for _, cc := range ccs {
			if cc.Shape != "" && used == nil {
				used = cc
			}
		}
	}
	if used == nil {
		t.Fatal("no companion has a shape")
	}
	nearestCompanion([]byte("nothing here\n"), 0, used)
	n := 0
	for _, ccs := range table {
		for _, cc := range ccs {
			switch {
			case cc == used && cc.re == nil:
				t.Errorf("%s: looked for, not compiled", cc.Attr)
			case cc != used && cc.re != nil:
				t.Errorf("%s: compiled, never looked for", cc.Attr)
			}
			n++
		}
	}
	if n < 2 {
		t.Fatal("the table has one companion: the test proves nothing")
	}
}
