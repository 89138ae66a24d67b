package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchema finds the SARIF 2.1.0 schema in shared/schemas beside the
// repository (walking up from the test's directory); it skips the test when
// the file is absent, as in a clone without the shared directory.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	var path string
	for {
		p := filepath.Join(dir, "shared", "schemas", "sarif-schema-2.1.0.json")
		if _, err := os.Stat(p); err == nil {
			path = p
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("SARIF schema not found: no shared/schemas/sarif-schema-2.1.0.json beside the repository or above it; schema validation skipped")
		}
		dir = parent
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return sch
}

func TestSARIFGolden(t *testing.T) {
	ciGolden(t, "scan.sarif", ciRender(t, "sarif", fxReport(), ScanOptions{}))
	ciGolden(t, "scan-empty.sarif", ciRender(t, "sarif", fxEmpty(), ScanOptions{}))
}

// TestSARIFSchema validates the golden files (what users get) and a fresh
// rendering against the SARIF 2.1.0 schema.
func TestSARIFSchema(t *testing.T) {
	sch := sarifSchema(t)
	docs := map[string][]byte{
		"fresh": ciRender(t, "sarif", fxReport(), ScanOptions{ShowSecrets: true}),
	}
	for _, name := range []string{"scan.sarif", "scan-empty.sarif"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		docs[name] = b
	}
	for name, b := range docs {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s does not validate against SARIF 2.1.0: %v", name, err)
		}
	}
}

// TestSARIFContent checks what code scanning relies on.
func TestSARIFContent(t *testing.T) {
	r := fxReport()
	var doc struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string `json:"id"`
						Help struct {
							Text string `json:"text"`
						} `json:"help"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				RuleIndex           int               `json:"ruleIndex"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Locations           []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
					LogicalLocations []struct {
						Name string `json:"name"`
					} `json:"logicalLocations"`
				} `json:"locations"`
				RelatedLocations []json.RawMessage `json:"relatedLocations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(ciRender(t, "sarif", r, ScanOptions{}), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	ids := map[string]bool{}
	for _, rule := range run.Tool.Driver.Rules {
		if ids[rule.ID] {
			t.Errorf("rule %s described twice", rule.ID)
		}
		ids[rule.ID] = true
		if rule.Help.Text == "" {
			t.Errorf("rule %s has no help text", rule.ID)
		}
	}
	// The rules the findings name (private-key has no finding), including
	// slack-bot-token, which is not among the scan's rules.
	if len(ids) != 4 || ids["private-key"] || !ids["slack-bot-token"] {
		t.Errorf("rules = %v", ids)
	}
	for i, res := range run.Results {
		f := r.Findings[i]
		if got := run.Tool.Driver.Rules[res.RuleIndex].ID; got != res.RuleID {
			t.Errorf("result %d: ruleIndex points at %s, ruleId is %s", i, got, res.RuleID)
		}
		if res.PartialFingerprints[SARIFFingerprintKey] != f.Fingerprint {
			t.Errorf("result %d: partial fingerprint %v, want %s", i, res.PartialFingerprints, f.Fingerprint)
		}
		loc := res.Locations[0]
		if f.Kind == "commit-message" {
			if loc.PhysicalLocation != nil || len(loc.LogicalLocations) != 1 || loc.LogicalLocations[0].Name != f.Commit.Hash {
				t.Errorf("commit-message result %d: location %+v", i, loc)
			}
			continue
		}
		uri := loc.PhysicalLocation.ArtifactLocation.URI
		if strings.HasPrefix(uri, "/") || strings.Contains(uri, "://") || strings.ContainsAny(uri, " \n|:,\x1b") {
			t.Errorf("result %d: uri %q is not a clean relative reference", i, uri)
		}
	}
	if len(run.Results[0].RelatedLocations) != 1 || len(run.Results[1].RelatedLocations) != 1 || len(run.Results[2].RelatedLocations) != 0 {
		t.Errorf("the AWS key pair should relate to each other, and nothing else")
	}
}

func TestPathURI(t *testing.T) {
	cases := map[string]string{
		"src/main.go":       "src/main.go",
		"a b/c%d.txt":       "a%20b/c%25d.txt",
		"c:/x":              "c%3A/x",
		"é.txt":             "%C3%A9.txt",
		"x\ny?z#w":          "x%0Ay%3Fz%23w",
		"config/aws creds!": "config/aws%20creds%21",
	}
	for in, want := range cases {
		if got := PathURI(in); got != want {
			t.Errorf("PathURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSARIFSchemaRejects makes sure the validator is really checking.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := sarifSchema(t)
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(`{"version":"2.1.0","runs":[{"tool":{"driver":{}},"results":[{"message":{"text":"x"},"locations":[{"physicalLocation":{"region":{"startLine":0}}}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if sch.Validate(inst) == nil {
		t.Fatal("an invalid SARIF log validated")
	}
}
