package report

import (
	"encoding/json"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

// TestSARIFEmbedsOnlyRulesWithResults: a SARIF log describes the rules its
// results name, not the whole catalogue (issue #15: three findings made a
// 700 KB file). Code scanning needs no more: an alert's rule is looked up
// by its ruleIndex.
func TestSARIFEmbedsOnlyRulesWithResults(t *testing.T) {
	t.Parallel()
	rep := fxReport()
	all, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rep.Rules = all
	out := ciRender(t, "sarif", rep, ScanOptions{})
	var doc struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string } `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	named := map[string]bool{}
	for _, r := range run.Results {
		named[r.RuleID] = true
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s points at rule %d", r.RuleID, r.RuleIndex)
		}
	}
	if len(run.Tool.Driver.Rules) != len(named) {
		t.Errorf("%d rules embedded for results of %d rules (%d bytes)", len(run.Tool.Driver.Rules), len(named), len(out))
	}
	empty := ciRender(t, "sarif", &ScanReport{Version: "x", Rules: all}, ScanOptions{})
	if len(empty) > 4096 {
		t.Errorf("a SARIF log without results is %d bytes", len(empty))
	}
}
