package patterns

import "testing"

// TestAnchorAtKeyword: a rule's anchoring is decided from its examples
// (at generation for the built-ins, on first use for a user's rule), and
// the anchored regex reports the same capture groups as the plain one.
func TestAnchorAtKeyword(t *testing.T) {
	for _, tc := range []struct {
		raw  RawRule
		want bool
	}{
		{RawRule{ID: "t-prefix", Description: "d", Severity: "high", Keywords: []string{"tok_"}, Regex: `\b(?P<secret>tok_[a-z0-9]{12})\b`,
			Examples: []string{"x = tok_abcdef123456", "tok_zzzzzz999999"}}, true},
		{RawRule{ID: "t-named", Description: "d", Severity: "high", Keywords: []string{"secret"}, Regex: `(?i:secret)\s*=\s*"(?P<secret>[a-z0-9]{12})"`,
			Examples: []string{`my_secret = "abcdef123456"`}}, true},
		{RawRule{ID: "t-before", Description: "d", Severity: "high", Keywords: []string{"secret"}, Regex: `[a-z_]*secret\s*=\s*"(?P<secret>[a-z0-9]{12})"`,
			Examples: []string{`my_secret = "abcdef123456"`}}, false},
	} {
		for _, decided := range []bool{false, true} {
			raw := tc.raw
			if decided {
				raw = raw.Precomputed()
			}
			r, errs := raw.compile("t.toml", false)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if got := r.AnchoredRegex() != nil; got != tc.want {
				t.Errorf("%s (decided at generation: %v): anchored %v, want %v", raw.ID, decided, got, tc.want)
			}
			if g := r.SecretGroup(); g != 1 {
				t.Errorf("%s: secret group %d, want 1", raw.ID, g)
			}
		}
	}
}

// TestRequiredLiteral: the string every match must contain, case for case,
// or none.
func TestRequiredLiteral(t *testing.T) {
	for src, want := range map[string]string{
		`(?i:(?:checkout|cko)[a-z0-9_.\-]{0,25}\s*=\s*)(?P<secret>sk_[a-z2-7]{26,27})`: "sk_",
		`\b(?P<secret>ghp_[A-Za-z0-9]{36})\b`:                                          "ghp_",
		`(?P<secret>xox[bp]-[0-9]{10,13}-[A-Za-z0-9-]{20,})`:                           "xox",
		`(?i:password)\s*=\s*"(?P<secret>[^"]{8,})"`:                                   "",
		`(?:AKIA|ASIA)[A-Z2-7]{16}`:                                                    "",
		`(?:sk_live_)?[a-z]{20}`:                                                       "",
		`(?:abc)+-[0-9]+\.eyJ[a-z]+`:                                                   ".eyJ",
	} {
		if got := requiredLiteral(src); got != want {
			t.Errorf("requiredLiteral(%q) = %q, want %q", src, got, want)
		}
	}
}
