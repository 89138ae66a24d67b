package report

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"reflect"
	"testing"

	"github.com/rampart-sec/rampart/scanner"
)

// TestScanJSONMatchesEncoder: the findings written field by field come out
// byte for byte as encoding/json writes the whole document, indented, for
// documents with every field set or left empty, strings that need escaping
// (quotes, HTML, control characters, U+2028, invalid UTF-8) and none.
func TestScanJSONMatchesEncoder(t *testing.T) {
	t.Parallel()
	// A field added to either type must be written by appendScanJSON (and
	// set below): this count changes with it.
	if n, m := reflect.TypeOf(JSONScan{}).NumField(), reflect.TypeOf(JSONFinding{}).NumField(); n != 9 || m != 17 {
		t.Fatalf("JSONScan has %d fields, JSONFinding %d: write the new ones in appendScanJSON and set them here", n, m)
	}
	r := rand.New(rand.NewSource(7))
	strs := []string{"", "plain", "a&b", "caf\u00e9\u2029", "\x7f del", "data/rules/aws.yml", `q"uote`, `back\slash`, "<script>&</script>", "tab\tnew\nline\x01",
		"é ünïcode", "line\u2028sep", "bad\xffutf8", "AKIA…"}
	str := func() string { return strs[r.Intn(len(strs))] }
	for i := range 400 {
		doc := JSONScan{Tool: JSONTool{Name: "rampart", Version: str()}}
		if r.Intn(2) == 0 {
			doc.Root, doc.Scanned = str(), str()
		}
		if r.Intn(3) == 0 {
			doc.Roots = []string{str(), str()}
		}
		switch r.Intn(4) {
		case 0:
			doc.Findings = nil
		case 1:
			doc.Findings = []JSONFinding{}
		default:
			for range 1 + r.Intn(4) {
				f := JSONFinding{Rule: str(), Description: str(), Severity: str(), Kind: str(), Path: str(),
					Line: r.Intn(1000) - 1, Column: r.Intn(80), Commit: str(), Author: str(), Email: str(), Date: str(),
					Blob: str(), Secret: str(), Fingerprint: str(), Root: str()}
				if r.Intn(2) == 0 {
					f.Attributes = map[string]string{}
					for range r.Intn(4) {
						f.Attributes[str()] = str()
					}
				}
				if r.Intn(3) == 0 {
					f.Verification = &scanner.Verification{Status: scanner.VerifyStatus(str()), Identity: str(), Detail: str()}
				}
				doc.Findings = append(doc.Findings, f)
			}
		}
		doc.Stats = scanner.Stats{Files: r.Intn(5), Commits: r.Intn(5)}
		if r.Intn(3) == 0 {
			doc.StaleBaseline = []scanner.BaselineEntry{{Fingerprint: str(), Path: str()}}
		}
		doc.Suppressed = r.Intn(2) * r.Intn(5)
		if r.Intn(4) == 0 {
			doc.Repositories = []RepositorySection{{Repository: str(), Status: "scanned", Findings: r.Intn(3)}}
		}
		var want bytes.Buffer
		if err := encodeIndented(&want, doc); err != nil {
			t.Fatal(err)
		}
		got, err := appendScanJSON(nil, &doc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("document %d:\n got %q\nwant %q", i, got, want.Bytes())
		}
	}
}

// FuzzAppendString: any string is quoted as encoding/json quotes it.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "a&b", "<>", "\u2028", "\xff", "é…", "\x00\x1f\x7f", `"\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString([]byte("x"), s); !bytes.Equal(got[1:], want) {
			t.Fatalf("%q: got %s, want %s", s, got[1:], want)
		}
	})
}
