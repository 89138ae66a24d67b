package scanner

import (
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

// TestCatalogueExamples runs every built-in rule alone over its own examples:
// each example must produce a finding of that rule, no counterexample may.
// They are read as example.txt, or at the rule's example_path; a rule whose
// path pattern does not match example.txt must find none of its examples
// there.
func TestCatalogueExamples(t *testing.T) {
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		t.Run(r.ID, func(t *testing.T) {
			if len(r.Examples) < 3 || len(r.Counterexamples) < 3 {
				t.Errorf("rule has %d examples and %d counterexamples; at least 3 of each are required", len(r.Examples), len(r.Counterexamples))
			}
			// A rule that requires another runs with it, as it does in the catalogue.
			set := []*patterns.Rule{r}
			for _, o := range rules {
				if o.ID == r.Requires {
					set = append(set, o)
				}
			}
			d := NewDetector(set, nil)
			path := "example.txt"
			if r.ExamplePath != "" {
				path = r.ExamplePath
			}
			for _, ex := range r.Examples {
				if !hasRule(d.Detect(Chunk{Data: []byte(ex), Path: path}), r.ID) {
					var why []string
					d.DetectExplain(Chunk{Data: []byte(ex), Path: path}, func(dr Drop) { why = append(why, dr.RuleID+": "+dr.Reason) })
					t.Errorf("example not detected at %s: %q (dropped: %v)", path, ex, why)
				}
				if r.Path != nil && !r.Path.MatchString("example.txt") && hasRule(d.Detect(Chunk{Data: []byte(ex), Path: "example.txt"}), r.ID) {
					t.Errorf("example detected at example.txt, which the rule's path does not match: %q", ex)
				}
			}
			for _, ex := range r.Counterexamples {
				if hasRule(d.Detect(Chunk{Data: []byte(ex), Path: path}), r.ID) {
					t.Errorf("counterexample detected at %s: %q", path, ex)
				}
			}
		})
	}
}

func hasRule(fs []Finding, id string) bool {
	for _, f := range fs {
		if f.RuleID == id {
			return true
		}
	}
	return false
}
