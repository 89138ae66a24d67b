package verify

import (
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

// TestSpecsNameBuiltinRules: every verifier serves rules of the built-in
// catalogue, and no rule has two verifiers.
func TestSpecsNameBuiltinRules(t *testing.T) {
	t.Parallel()
	f, err := loadSpecs(verifiersTOML)
	if err != nil {
		t.Fatal(err)
	}
	known := builtinIDs(t)
	seen := map[string]string{}
	check := func(who, id string) {
		if !known[id] {
			t.Errorf("%s names %q, which is not a built-in rule", who, id)
		}
		if isAWSRule(id) {
			t.Errorf("%s names the AWS rule %q, which aws.go verifies", who, id)
		}
		if prev, dup := seen[id]; dup {
			t.Errorf("%q is named by %s and %s", id, prev, who)
		}
		seen[id] = who
	}
	for _, s := range f.Verifiers {
		for _, id := range s.Rules {
			check("verifier "+s.Provider, id)
		}
	}
	for _, n := range f.NotChecked {
		for _, id := range n.Rules {
			check("not_checked "+n.Provider, id)
		}
	}
}

// TestAWSRulesAreBuiltin: aws.go links findings by rule ID; an ID the
// catalogue no longer has would silently never be verified.
func TestAWSRulesAreBuiltin(t *testing.T) {
	t.Parallel()
	known := builtinIDs(t)
	for _, id := range []string{ruleAWSKeyID, ruleAWSSecret, ruleAWSSecretPaired, ruleAWSSession} {
		if !known[id] {
			t.Errorf("aws.go names %q, which is not a built-in rule", id)
		}
	}
}

// builtinIDs is the set of the built-in catalogue's rule IDs.
func builtinIDs(t *testing.T) map[string]bool {
	t.Helper()
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range rules {
		known[r.ID] = true
	}
	return known
}
