package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart/scanner"
)

// companionSet is what a finding brings to a check that needs companion
// values (spec.Needs): the values by attribute, the part of the job key
// they add (fingerprints only), the second secrets among them, and the
// findings of those secrets, which share the answer.
type companionSet struct {
	attrs   map[string]string
	key     string
	secrets []string
	paired  []string // fingerprints of the second secrets' findings
}

// companionValues reads the companion values s needs from f. why, when not
// empty, is the not-checked reason: a value was not found near the secret
// (nothing is sent).
func companionValues(s *spec, f *scanner.Finding, secretOf map[string]string) (cs companionSet, why string) {
	for _, n := range s.Needs {
		c := companionNamed(n)
		v := f.Attributes[n]
		if v != "" && c.Rule != "" {
			// A second secret: the attribute holds its finding's
			// fingerprint.
			fp := v
			if v = secretOf[fp]; v != "" {
				cs.secrets = append(cs.secrets, v)
				cs.paired = append(cs.paired, fp)
			}
		}
		if v == "" {
			what := c.What
			if what == "" {
				what = n
			}
			return companionSet{}, what + " was not found near it, so it cannot be checked"
		}
		if cs.attrs == nil {
			cs.attrs = map[string]string{}
		}
		cs.attrs[n] = v
		cs.key += ":" + scanner.Fingerprint(n, v)
	}
	return cs, ""
}

// attach adds to j the findings of the second secrets: the secret of a
// Twilio API key is live or dead with its key.
func (cs companionSet) attach(j *job, fs []scanner.Finding) {
	for _, fp := range cs.paired {
		for k := range fs {
			if fs[k].Fingerprint == fp && !slices.Contains(j.findings, k) {
				j.findings = append(j.findings, k)
			}
		}
	}
}

func companionNamed(attr string) scanner.Companion {
	for _, c := range scanner.Companions() {
		if c.Attr == attr {
			return c
		}
	}
	return scanner.Companion{}
}

// note is what `rules show` says about a verifier beyond its endpoint: why
// the call is safe, and the companion values it needs.
func (s *spec) note() string {
	var needs []string
	for _, n := range s.Needs {
		what := companionNamed(n).What
		if what == "" {
			what = n
		}
		needs = append(needs, what)
	}
	if len(needs) == 0 {
		return s.Why
	}
	note := fmt.Sprintf("checked with %s written within %d lines of it in the same file; without it nothing is sent",
		strings.Join(needs, " and "), scanner.CompanionLines)
	if s.Why != "" {
		note = s.Why + "; " + note
	}
	return note
}

// shareCompanionAnswers gives a secret found without its companion value
// (waiting) the valid answer the same secret had where its companion stood
// next to it: the same token is the same credential. Only valid is shared:
// a refusal elsewhere may be about the value next to it there.
func (v *Verifier) shareCompanionAnswers(fs []scanner.Finding, waiting []int) {
	if len(waiting) == 0 {
		return
	}
	// By verifier and secret (the three Shopify token rules are one check).
	key := func(f *scanner.Finding) string { return v.specs[f.RuleID].Rules[0] + "\x00" + f.Secret }
	valid := map[string]*scanner.Verification{}
	for k := range fs {
		if r := fs[k].Verification; r != nil && r.Status == scanner.VerifyValid && v.specs[fs[k].RuleID] != nil {
			valid[key(&fs[k])] = r
		}
	}
	for _, i := range waiting {
		if r := valid[key(&fs[i])]; r != nil {
			c := *r
			c.Detail = strings.TrimSpace(c.Detail + " (checked with the value next to it elsewhere in this scan)")
			fs[i].Verification = &c
		}
	}
}
