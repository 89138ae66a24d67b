package patterns

import (
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestProviderExpandErrors(t *testing.T) {
	t.Parallel()
	ok := RawProvider{ID: "acme-api-key", Name: "Acme", Aliases: []string{"acmecorp"}, Shape: "hex:32"}
	tests := []struct {
		name string
		edit func(*RawProvider)
		want string // substring of the error; "" means no error
	}{
		{"valid", func(*RawProvider) {}, ""},
		{"no name", func(p *RawProvider) { p.Name = "" }, "missing name"},
		{"no alias", func(p *RawProvider) { p.Aliases = nil }, "at least one alias"},
		{"short alias", func(p *RawProvider) { p.Aliases = []string{"acm"} }, "shorter than 4"},
		{"upper-case alias", func(p *RawProvider) { p.Aliases = []string{"AcmeCorp"} }, "lower-case"},
		{"credential word as alias", func(p *RawProvider) { p.Aliases = []string{"token"} }, "credential word"},
		{"no shape", func(p *RawProvider) { p.Shape = "" }, "missing shape"},
		{"shape and value", func(p *RawProvider) { p.Value = "[a-z]{9}" }, "not both"},
		{"bad alphabet", func(p *RawProvider) { p.Shape = "base62:32" }, "unknown alphabet"},
		{"bad syntax", func(p *RawProvider) { p.Shape = "hex32" }, "want uuid"},
		{"too short", func(p *RawProvider) { p.Shape = "hex:6" }, "lengths must be"},
		{"inverted range", func(p *RawProvider) { p.Shape = "alnum:40-20" }, "MIN ≤ MAX"},
		{"bad value", func(p *RawProvider) { p.Shape, p.Value = "", "[a-" }, "bad value regex"},
		{"empty value", func(p *RawProvider) { p.Shape, p.Value = "", "x*" }, "empty string"},
		{"range", func(p *RawProvider) { p.Shape = "alnum-upper:20-40" }, ""},
		{"uuid", func(p *RawProvider) { p.Shape = "uuid" }, ""},
		{"value", func(p *RawProvider) { p.Shape, p.Value = "", `ak_[a-z0-9]{20}` }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			p.Aliases = append([]string(nil), ok.Aliases...)
			tt.edit(&p)
			r, errs := p.Expand("x.toml")
			if tt.want == "" {
				if len(errs) > 0 {
					t.Fatal(errs)
				}
				if _, cerrs := r.Compile("x.toml"); len(cerrs) > 0 {
					t.Fatalf("expanded rule does not compile: %v", cerrs)
				}
				return
			}
			if len(errs) == 0 || !strings.Contains(errs.Error(), tt.want) {
				t.Fatalf("errors %v, want one containing %q", errs, tt.want)
			}
		})
	}
}

func TestProviderExpansion(t *testing.T) {
	t.Parallel()
	p := RawProvider{ID: "blocknative-api-key", Name: "Blocknative", Aliases: []string{"blocknative", "bn-native"}, Shape: "uuid",
		Examples: []string{"x"}, Counterexamples: []string{"y"}}
	r, errs := p.Expand("f.toml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if r.Description != "Blocknative API key" || r.Severity != "" || !strings.Contains(r.Remediation, "Blocknative") {
		t.Errorf("description %q severity %q remediation %q", r.Description, r.Severity, r.Remediation)
	}
	wantKW := []string{"blocknative", "bnnative", "bn_native", "bn-native", "bn.native"}
	if !reflect.DeepEqual(r.Keywords, wantKW) {
		t.Errorf("keywords %v, want %v", r.Keywords, wantKW)
	}
	if len(r.Examples) < 4 || r.Examples[0] != "x" || len(r.Counterexamples) < 4 || r.Counterexamples[0] != "y" {
		t.Errorf("own examples must come first, then ≥3 generated: %q / %q", r.Examples, r.Counterexamples)
	}
	again, _ := p.Expand("f.toml")
	if !reflect.DeepEqual(r, again) {
		t.Error("expansion is not deterministic")
	}
	other := p
	other.ID = "blocknative-other"
	o, _ := other.Expand("f.toml")
	if reflect.DeepEqual(r.Examples, o.Examples) {
		t.Error("two entries generated the same example values")
	}
}

// TestShapeRecall generates random values of every alphabet at several
// lengths and checks that the shape's regex takes them whole and its entropy
// floor and validators drop fewer than 0.5% of them (1% below 12
// characters, where placeholder filters such as "123456" bite more often):
// the shape must not cost recall on real keys.
func TestShapeRecall(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	shapes := []string{"uuid"}
	for _, a := range ShapeAlphabets() {
		for _, n := range []string{"8", "12", "16", "20-24", "32", "40", "64"} {
			shapes = append(shapes, a+":"+n)
		}
	}
	for _, s := range shapes {
		sh, err := parseShape(s)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`^` + sh.regex() + `$`)
		var vals []Validator
		for _, name := range sh.validators() {
			v, ok := LookupValidator(name)
			if !ok {
				t.Fatalf("%s: unknown validator %s", s, name)
			}
			vals = append(vals, v)
		}
		floor := sh.entropyFloor()
		const n = 2000
		dropped := 0
		for i := 0; i < n; i++ {
			var v string
			if sh.uuid {
				v = genUUID(rng)
			} else {
				b := make([]byte, sh.min)
				for j := range b {
					b[j] = sh.alpha.chars[rng.IntN(len(sh.alpha.chars))]
				}
				v = string(b)
			}
			if !re.MatchString(v) {
				t.Fatalf("%s: regex rejects %q", s, v)
			}
			ok := Entropy([]byte(v)) >= floor
			c := &Candidate{Secret: []byte(v)}
			for _, val := range vals {
				if pass, _ := val.Check(c); !pass {
					ok = false
				}
			}
			if !ok {
				dropped++
			}
		}
		limit := n / 200
		if sh.min < 12 {
			limit = n / 100
		}
		if dropped > limit {
			t.Errorf("%s: %d of %d random values dropped (entropy floor %.2f)", s, dropped, n, floor)
		}
	}
}

func TestIdentifierWords(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"BLOCKNATIVE_API_KEY": "blocknative api key",
		"blocknativeApiKey":   "blocknative api key",
		"BlocknativeAPIKey":   "blocknative api key",
		"x-api-key":           "x api key",
		"client.secret":       "client secret",
		"apiKey2":             "api key2",
		"_Key":                "key",
		"S3Key":               "s3 key",
	}
	for in, want := range tests {
		if got := strings.Join(identifierWords([]byte(in)), " "); got != want {
			t.Errorf("identifierWords(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCredentialName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, line string
		want       bool
	}{
		{"_API_KEY", "", true},
		{"Token", "", true},
		{"apikey", "", true},
		{"_client_secret_prod", "", true},
		{".api.key", "", true},
		{"Key", "", true},
		{"monkey", "", false},
		{"_URL", "", false},
		{"_KEY_ID", "", false},
		{"TokenUrl", "", false},
		{"_public_key", "", false},
		{"PublishableKey", "", false},
		{"_secret_name", "", false},
		{"_partition_key", "", false},
		{"OrganizationKey", "", false},
		{"_project_key", "", false},
		{"-blob-key", "", false},
		{"_example_key", "", false},
		{"_hashed_key", "", false},
		{"_org_token", "", true},
		{"_project_secret", "", true},
		{"_KEY", "NEXT_PUBLIC_ACME_KEY=", false},
		{"_KEY", "MY_ACME_KEY=", true},
	}
	for _, tt := range tests {
		c := &Candidate{Name: []byte(tt.name), Line: []byte(tt.line), Match: []byte("_ACME" + tt.name)}
		if tt.line == "" {
			c.Line = c.Match
		}
		if ok, reason := checkCredentialName(c); ok != tt.want {
			t.Errorf("credential-name(%q in %q) = %v (%s), want %v", tt.name, tt.line, ok, reason, tt.want)
		}
	}
}

func TestNotWords(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"BlocknativeApiKeyValue":       false,
		"SOME_CONFIG_KEY":              false,
		"my-service-name":              false,
		"rTkqZbWwPxjNmLvQsDfHgYcBn":    true,
		"aB3dE5fG7hJ9kL1mN3pQ5rS7tU9v": true,
		"productionenvironment":        true, // one long word: could be a value
		"Xq8LnP2vRt":                   true,
		// Identifiers carry digits where words do (ec2, s3, v1).
		"ec2_metadata_service_endpoint_mode": false,
		"S3ExpressCredentialsProvider":       false,
		"aws_s3_bucket_name_v2":              false,
		"a1B2c3D4e5F6g7H8":                   true,
		"a1B2C3D4":                           true,
		"k8sT0kenX9v":                        true,
		// Random values (TestAccuracy seeds 1-20): a digit before a letter
		// twice, or base64 of binary or of id:key, not of a name.
		"UjnlJA46Jpu3Vupm":                 true,
		"YjdjaLZ81En6OQJOSPij":             true,
		"67drhRS8NPAJUndv":                 true,
		"zcdFWFC88vBcGroYGyfxcWV5":         true,
		"bXdpYWZvOlBjYW5XYzdEZTFBVlBPRz8=": true,
		"YWNjZXNzX3Rva2Vu":                 false, // base64 of access_token
		"DMS_YWNjZXNzX3Rva2Vu":             false,
		// A note verifier key: a name in words, '+', hash, '+', key.
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW": false,
		// Base64 with a '+' after a random run of letters is still a value.
		"HedmnKhKDehKK+FlI9ahUc8WfaNZ4gulbrtN2ouV":                         true,
		"uRsfsZ2Ts1rach4Zv3hhwcx6wa5fuIo2u3w7sa+7j81=":                     true,
		"LTGVEXyf+kWhckpTejvfC2zw8JjvAZpOhSAHsIXBleyvVciuRkAG8fHl0yOUb6/F": true,
	} {
		if ok, _ := checkNotWords(&Candidate{Secret: []byte(s)}); ok != want {
			t.Errorf("not-words(%q) = %v, want %v", s, ok, want)
		}
	}
}

// TestProviderAssignment checks the assignment forms between a provider's
// name and its value: Makefile's ::= :::= ?=, PHP's .=, and an XML element
// whose text starts on the next line are found; comparisons and a value
// after a blank line are not.
// TestProviderLongestAlias checks that an alias that begins with another
// (openweather, openweathermap) is matched whole, whichever is listed first:
// matched by the shorter one, the rest of the name (MAP_API_KEY) reads as a
// name that runs on into another word and the finding is dropped.
func TestProviderLongestAlias(t *testing.T) {
	t.Parallel()
	p := RawProvider{ID: "acme-api-key", Name: "Acme", Aliases: []string{"acme", "acme-cloud", "acmecloudplus"}, Shape: "alnum:32",
		Examples: []string{"x"}, Counterexamples: []string{"y"}}
	raw, errs := p.Expand("f.toml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	wantKW := []string{"acme", "acmecloud", "acme_cloud", "acme-cloud", "acme.cloud", "acmecloudplus"}
	if !reflect.DeepEqual(raw.Keywords, wantKW) {
		t.Errorf("keywords %v, want %v (in the entry's order)", raw.Keywords, wantKW)
	}
	rule, cerrs := raw.Compile("f.toml")
	if len(cerrs) > 0 {
		t.Fatal(cerrs)
	}
	const v = "Qm7TzX2pLk9VwR4nB8cY1dF6hJ3sG5aE"
	for _, tc := range []struct {
		line, name string
	}{
		{"ACMECLOUDPLUS_API_KEY=" + v, "_API_KEY"},
		{"ACME_CLOUD_TOKEN=" + v, "_TOKEN"},
		{"acmeCloudSecret: " + v, "Secret"},
		{"ACME_KEY=" + v, "_KEY"},
	} {
		re := rule.Regex()
		m := re.FindStringSubmatch(tc.line)
		if m == nil {
			t.Errorf("%q: no match", tc.line)
			continue
		}
		if got := m[re.SubexpIndex("name")]; got != tc.name {
			t.Errorf("%q: name %q, want %q", tc.line, got, tc.name)
		}
	}
}

// acmeProviderRegex is the regex of a provider entry for Acme, 32
// alphanumerics under its name.
func acmeProviderRegex(t *testing.T) *regexp.Regexp {
	t.Helper()
	p := RawProvider{ID: "acme-api-key", Name: "Acme", Aliases: []string{"acme"}, Shape: "alnum:32",
		Examples: []string{"x"}, Counterexamples: []string{"y"}}
	r, errs := p.Expand("f.toml")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return regexp.MustCompile(r.Regex)
}

func TestProviderAssignment(t *testing.T) {
	t.Parallel()
	re := acmeProviderRegex(t)
	const v = "Qm7TzX2pLk9VwR4nB8cY1dF6hJ3sG5aE"
	for _, tc := range []struct {
		line  string
		found bool
	}{
		{`ACME_TOKEN ::= "` + v + `"`, true},
		{`ACME_TOKEN :::= ` + v, true},
		{`ACME_TOKEN ?= ` + v, true},
		{`$acmeToken .= "` + v + `";`, true},
		{"<acmeToken>\n    " + v + "\n</acmeToken>", true},
		{"<acmeToken>\r\n\t" + v + "\r\n</acmeToken>", true},
		{`acme_token = "` + v + `"`, true},
		{"<acmeToken>\n\n    " + v + "\n</acmeToken>", false},
		{`if acme_token != "` + v + `" {`, false},
		{`acme_token += "` + v + `"`, false},
		{`acme_token == "` + v + `"`, false},
		// Notes and READMEs put a spaced dash where code has an operator.
		{`Acme token - '` + v + `'`, true},
		{`* ACME_API_KEY - ` + v, true},
		{`acme_token -"` + v + `"`, false},
		{`acme_token - - ` + v, false},
		// A client's constructor with the credential as its option.
		{`app = AcmeApp(api_key='` + v + `')`, true},
		{`client = AcmeClient(api_key = "` + v + `", timeout=3)`, true},
		{`client = Acme::Client.new(api_key: "` + v + `")`, true},
		{`const acme = new AcmeSDK({ apiKey: '` + v + `' });`, true},
		{`acme = AcmeClient({"api_key": "` + v + `"})`, true},
		// Markdown: a bold label, a table row.
		{"**Acme API key:** `" + v + "`", true},
		{"**Acme API key**: " + v, true},
		{"| Acme API key | " + v + " |", true},
		{"| Acme API key | `" + v + "` |", true},
		// A setter's argument is the value, not an option's name.
		{`setAcmeKey("` + v + `")`, true},
		{`acmeKey("` + v + `", "Zx8RkP2mQw7LtN4vB9cY3dF6hJ1sG5aE")`, true},
	} {
		m := re.FindStringSubmatch(tc.line)
		got := m != nil && m[re.SubexpIndex("secret")] == v
		if got != tc.found {
			t.Errorf("%q: found %v, want %v", tc.line, got, tc.found)
		}
	}
}

func TestProviderOwnName(t *testing.T) {
	t.Parallel()
	re := acmeProviderRegex(t)
	const v = "Qm7TzX2pLk9VwR4nB8cY1dF6hJ3sG5aE"
	for _, tc := range []struct {
		line string
		want bool
	}{
		// The service's name alone, assigned: a variable named for it holds its key.
		{`acme = '` + v + `'`, true},
		{`  acme: "` + v + `"`, true},
		{`	acme := "` + v + `"`, true},
		{`{"acme": "` + v + `"}`, true},
		// Named, not assigned: prose, a call's arguments, a comparison.
		{`acme '` + v + `'`, false},
		{`register(acme, "` + v + `")`, false},
		{`acme == "` + v + `"`, false},
		// Another word after the name still needs a credential word.
		{`acme_region = "` + v + `"`, false},
		// The service's API glued to its name is its name; a word that
		// only begins with api is another word.
		{`acmeapi token = '` + v + `'`, true},
		{`ACMEAPI_KEY=` + v, true},
		{`acmeapi_url = "` + v + `"`, false},
		{`acmeapiary_key = "` + v + `"`, false},
	} {
		m := re.FindSubmatchIndex([]byte(tc.line))
		got := false
		if m != nil && m[2*re.SubexpIndex("secret")] >= 0 {
			ni := re.SubexpIndex("name")
			c := &Candidate{Match: []byte(tc.line[m[0]:m[1]]), Line: []byte(tc.line),
				Name: []byte(tc.line[m[2*ni]:m[2*ni+1]]), NameAt: m[2*ni] - m[0]}
			got, _ = checkProviderName(c)
		}
		if got != tc.want {
			t.Errorf("%q: accepted %v, want %v", tc.line, got, tc.want)
		}
	}
}
