package verify

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// Canary vendors, the values of attributes.canary.
const (
	// CanaryThinkst marks a key of Thinkst Canarytokens (canarytokens.org and
	// Thinkst Canary consoles).
	CanaryThinkst = "thinkst"
	// CanaryKnockoff marks a key of one of the accounts public lists name as
	// running canarytokens look-alikes.
	CanaryKnockoff = "knockoff"
	// CanaryConfigured marks a key of an account listed under [verify]
	// canary_accounts in .rampart.toml.
	CanaryConfigured = "configured"
)

// CanaryAttr is the attribute that marks a finding as a canary token.
const CanaryAttr = "canary"

// thinkstAccounts are the AWS accounts Thinkst Canarytokens issues its AWS
// API key tokens from (the list the issue gives, plus 893192397702, which
// public scanners list beside them).
var thinkstAccounts = []string{
	"052310077262", "171436882533", "266735846894", "534261010715", "595918472158",
	"717712589309", "730335385048", "819147034852", "893192397702", "992382622183",
}

// knockoffAccounts are accounts that public canary lists name as issuing
// canarytokens look-alikes (off-brand tripwire keys).
var knockoffAccounts = []string{
	"044858866125", "251535659677", "344043088457", "351906852752", "390477818340",
	"426127672474", "427150556519", "439872796651", "445142720921", "465867158099",
	"637958123769", "693412236332", "732624840810", "735421457923", "959235150393",
	"982842642351",
}

var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// Canaries maps AWS account IDs to the canary vendor that owns them. The
// zero value knows no account; DefaultCanaries knows the public lists.
type Canaries struct {
	accounts map[string]string
}

// DefaultCanaries returns the built-in canary accounts (Thinkst and the
// well-known look-alikes).
func DefaultCanaries() *Canaries {
	c := &Canaries{accounts: map[string]string{}}
	for _, a := range thinkstAccounts {
		c.accounts[a] = CanaryThinkst
	}
	for _, a := range knockoffAccounts {
		c.accounts[a] = CanaryKnockoff
	}
	return c
}

// NewCanaries returns the built-in canary accounts plus extra (from
// [verify] canary_accounts). Every malformed account is reported at once.
func NewCanaries(extra []string) (*Canaries, error) {
	c := DefaultCanaries()
	var bad []string
	for _, a := range extra {
		a = strings.TrimSpace(a)
		if !accountPattern.MatchString(a) {
			bad = append(bad, fmt.Sprintf("%q", a))
			continue
		}
		if _, known := c.accounts[a]; !known {
			c.accounts[a] = CanaryConfigured
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("canary_accounts: not a 12-digit AWS account ID: %s", strings.Join(bad, ", "))
	}
	return c, nil
}

// Vendor returns the canary vendor owning account, or "".
func (c *Canaries) Vendor(account string) string {
	if c == nil {
		return ""
	}
	return c.accounts[account]
}

// Accounts lists the known canary accounts of vendor, sorted.
func (c *Canaries) Accounts(vendor string) []string {
	var out []string
	for a, v := range c.accounts {
		if v == vendor {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// CanaryText is the wording every report uses for a canary token.
const CanaryText = "a tripwire someone planted: using it alerts its owner; it is not a key of your account"

// CanaryRemediation replaces a canary finding's remediation: there is no key
// of the user's to deactivate, and trying the key is exactly what must not
// happen.
const CanaryRemediation = "Do not use or test this key: it is a canary token, and any use alerts whoever planted it. " +
	"There is nothing to deactivate in your AWS account. If your team planted it, leave it (or baseline it); otherwise remove it and find out who put it there."

// VendorName is how reports name a canary vendor.
func VendorName(vendor string) string {
	switch vendor {
	case CanaryThinkst:
		return "Thinkst Canarytokens"
	case CanaryKnockoff:
		return "a canarytokens look-alike"
	case CanaryConfigured:
		return "an account in your [verify] canary_accounts"
	}
	return vendor
}

// Describe is the one-line canary note reports print for a vendor:
// "AWS canary token (Thinkst Canarytokens): a tripwire someone planted: …".
func Describe(vendor string) string {
	return "AWS canary token (" + VendorName(vendor) + "): " + CanaryText
}

// MarkCanaries marks every AWS finding whose key ID belongs to a canary
// account: attributes.canary names the vendor, the remediation says not to
// touch it, and the severity drops to low (it grants nothing and is nobody's
// key to rotate). The secret key paired with a canary key ID, and a session
// token standing with it, are marked too. It runs offline, in every mode, and
// returns how many findings it marked. A marked finding is never sent
// anywhere by Verify.
func MarkCanaries(fs []scanner.Finding, c *Canaries) int {
	vendorOf := map[string]string{} // fingerprint → vendor
	for i := range fs {
		if fs[i].RuleID != ruleAWSKeyID {
			continue
		}
		acct := fs[i].Attributes["aws_account_id"]
		if acct == "" {
			if id, ok := patterns.AWSAccountID(fs[i].Secret); ok {
				acct = id
			}
		}
		if v := c.Vendor(acct); v != "" {
			vendorOf[fs[i].Fingerprint] = v
		}
	}
	if len(vendorOf) == 0 {
		return 0
	}
	// The other halves: a secret paired with a canary key ID, a session token
	// linked to or standing next to one.
	for i := range fs {
		f := &fs[i]
		if f.RuleID != ruleAWSKeyID {
			continue
		}
		v := vendorOf[f.Fingerprint]
		if v == "" {
			continue
		}
		if p := f.Attributes["pair"]; p != "" {
			vendorOf[p] = v
		}
		for _, j := range sessionTokensFor(fs, i) {
			vendorOf[fs[j].Fingerprint] = v
		}
	}
	n := 0
	for i := range fs {
		f := &fs[i]
		v := vendorOf[f.Fingerprint]
		if v == "" || !isAWSRule(f.RuleID) {
			continue
		}
		m := make(map[string]string, len(f.Attributes)+1)
		for k, x := range f.Attributes {
			m[k] = x
		}
		m[CanaryAttr] = v
		f.Attributes = m
		f.Remediation = CanaryRemediation
		if f.Severity > patterns.SeverityLow {
			f.Severity = patterns.SeverityLow
		}
		n++
	}
	return n
}

// IsCanary reports whether f was marked by MarkCanaries.
func IsCanary(f *scanner.Finding) bool { return f.Attributes[CanaryAttr] != "" }
