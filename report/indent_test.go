package report

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/scanner"
)

// encodeIndented writes what json.Encoder with SetIndent("", "  ") writes,
// byte for byte: strings holding the bytes it acts on, escapes, empty and
// nested objects and arrays, HTML escaping, numbers and literals.
func TestEncodeIndentedMatchesEncoder(t *testing.T) {
	t.Parallel()
	type inner struct {
		A []int          `json:"a"`
		M map[string]any `json:"m,omitempty"`
	}
	values := []any{
		nil, 1, -2.5e-7, "plain", true,
		map[string]any{},
		[]any{},
		[]any{map[string]any{}, []any{}, []any{[]any{}}},
		map[string]any{"k": `a "quoted" {x: [1, 2]}, \ backslash \" end\`, "e": []int{}, "o": map[string]int{}},
		map[string]string{`key:with,{punct}[]"`: "<script>&amp;</script> \u2028 é \x01 \t\n"},
		inner{A: []int{1, 2, 3}, M: map[string]any{"n": nil, "f": false, "deep": []any{map[string]any{"x": []any{1, "]", "}"}}}}},
		[]inner{{}, {A: []int{}}},
	}
	r := rand.New(rand.NewSource(1))
	for range 200 {
		values = append(values, randomJSON(r, 4))
	}
	for i, v := range values {
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if err := encodeIndented(&got, v); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("value %d:\n got %q\nwant %q", i, got.String(), want.String())
		}
	}
}

// randomJSON builds a random value of maps, slices, strings made of JSON's
// punctuation, quotes and backslashes, numbers and literals.
func randomJSON(r *rand.Rand, depth int) any {
	const alphabet = `{}[],:"\ az09<>&` + "\n\t\u00e9"
	str := func() string {
		var b strings.Builder
		for range r.Intn(8) {
			runes := []rune(alphabet)
			b.WriteRune(runes[r.Intn(len(runes))])
		}
		return b.String()
	}
	k := r.Intn(6)
	if depth == 0 {
		k = 2 + r.Intn(4)
	}
	switch k {
	case 0:
		m := map[string]any{}
		for range r.Intn(4) {
			m[str()] = randomJSON(r, depth-1)
		}
		return m
	case 1:
		s := []any{}
		for range r.Intn(4) {
			s = append(s, randomJSON(r, depth-1))
		}
		return s
	case 2:
		return str()
	case 3:
		return r.NormFloat64() * 1e6
	case 4:
		return r.Intn(2) == 0
	}
	return nil
}

// BenchmarkWriteJSON writes a report of 500 findings, as a secret-dense
// history scan ends.
func BenchmarkWriteJSON(b *testing.B) {
	rep := &ScanReport{Version: "dev", Root: "/repo"}
	for i := range 500 {
		rep.Findings = append(rep.Findings, scanner.Finding{
			RuleID: "aws-access-key-id", Description: "AWS access key ID", Kind: scanner.KindBlob,
			Path: "data/rules/aws.yml", Line: i + 1, Column: 12, BlobID: strings.Repeat("ab", 20),
			Secret: "AKIA…", Fingerprint: strings.Repeat("f0", 32),
			Attributes: map[string]string{"pair": strings.Repeat("0f", 32), "also_in": "a.yml, b.yml"},
			Commit:     &scanner.Commit{Hash: strings.Repeat("c1", 20), Author: "A. Person", Email: "a@example.com"},
		})
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := writeJSON(&buf, rep, ScanOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
