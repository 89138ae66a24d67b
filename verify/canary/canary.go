// Package canary recognises canary tokens offline: AWS keys whose embedded
// account belongs to a canary service (Thinkst Canarytokens and its
// look-alikes) or to an account the user lists. It sends nothing anywhere;
// package verify relies on it to never send a canary, and reports use its
// wording.
package canary

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// Canary vendors, the values of attributes.canary.
const (
	// Thinkst marks a key of Thinkst Canarytokens (canarytokens.org and
	// Thinkst Canary consoles).
	Thinkst = "thinkst"
	// Knockoff marks a key of one of the accounts public lists name as
	// running canarytokens look-alikes.
	Knockoff = "knockoff"
	// Configured marks a key of an account listed under [verify]
	// canary_accounts in .rampart.toml.
	Configured = "configured"
)

// Attr is the attribute that marks a finding as a canary token.
const Attr = "canary"

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

var accountPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })

// List maps AWS account IDs to the canary vendor that owns them. The
// zero value knows no account; DefaultCanaries knows the public lists.
type List struct {
	accounts map[string]string
}

// Default returns the built-in canary accounts (Thinkst and the
// well-known look-alikes).
func Default() *List {
	c := &List{accounts: map[string]string{}}
	for _, a := range thinkstAccounts {
		c.accounts[a] = Thinkst
	}
	for _, a := range knockoffAccounts {
		c.accounts[a] = Knockoff
	}
	return c
}

// New returns the built-in canary accounts plus extra (from
// [verify] canary_accounts). Every malformed account is reported at once.
func New(extra []string) (*List, error) {
	c := Default()
	var bad []string
	for _, a := range extra {
		a = strings.TrimSpace(a)
		if !accountPattern().MatchString(a) {
			bad = append(bad, fmt.Sprintf("%q", a))
			continue
		}
		if _, known := c.accounts[a]; !known {
			c.accounts[a] = Configured
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("canary_accounts: not a 12-digit AWS account ID: %s", strings.Join(bad, ", "))
	}
	return c, nil
}

// Vendor returns the canary vendor owning account, or "".
func (c *List) Vendor(account string) string {
	if c == nil {
		return ""
	}
	return c.accounts[account]
}

// Accounts lists the known canary accounts of vendor, sorted.
func (c *List) Accounts(vendor string) []string {
	var out []string
	for a, v := range c.accounts {
		if v == vendor {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// Text is the wording every report uses for a canary token.
const Text = "a tripwire someone planted: using it alerts its owner; it is not a key of your account"

// Remediation replaces a canary finding's remediation: there is no key
// of the user's to deactivate, and trying the key is exactly what must not
// happen.
const Remediation = "Do not use or test this key: it is a canary token, and any use alerts whoever planted it. " +
	"There is nothing to deactivate in your AWS account. If your team planted it, leave it (or baseline it); otherwise remove it and find out who put it there."

// VendorName is how reports name a canary vendor.
func VendorName(vendor string) string {
	switch vendor {
	case Thinkst:
		return "Thinkst Canarytokens"
	case Knockoff:
		return "a canarytokens look-alike"
	case Configured:
		return "an account in your [verify] canary_accounts"
	}
	return vendor
}

// Describe is the one-line canary note reports print for a vendor:
// "AWS canary token (Thinkst Canarytokens): a tripwire someone planted: …".
func Describe(vendor string) string {
	return "AWS canary token (" + VendorName(vendor) + "): " + Text
}

// Mark marks every AWS finding whose key ID belongs to a canary
// account: attributes.canary names the vendor, the remediation says not to
// touch it, and the severity drops to low (it grants nothing and is nobody's
// key to rotate). The secret key paired with a canary key ID, and a session
// token standing with it, are marked too. It runs offline, in every mode, and
// returns how many findings it marked. A marked finding is never sent
// anywhere by Verify.
func Mark(fs []scanner.Finding, c *List) int {
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
		for _, j := range SessionTokensFor(fs, i) {
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
		m[Attr] = v
		f.Attributes = m
		f.Remediation = Remediation
		if f.Severity > patterns.SeverityLow {
			f.Severity = patterns.SeverityLow
		}
		n++
	}
	return n
}

// Is reports whether f was marked by Mark.
func Is(f *scanner.Finding) bool { return f.Attributes[Attr] != "" }

// The AWS rules a canary mark spreads to.
const (
	ruleAWSKeyID   = "aws-access-key-id"
	ruleAWSSession = "aws-session-token"
)

// IsSessionRule reports whether id is a rule that finds AWS session tokens.
func IsSessionRule(id string) bool { return id == ruleAWSSession }

func isAWSRule(id string) bool {
	switch id {
	case ruleAWSKeyID, "aws-secret-access-key", "aws-secret-access-key-paired", ruleAWSSession:
		return true
	}
	return false
}

// SessionTokensFor returns the session tokens that belong with the key ID
// fs[i]: those the detector linked to it (any attribute of one naming the
// other's fingerprint, or naming its secret's: the detector writes
// attributes.session_token on the key and secret, session_key_id and
// session_secret on the token), else those in the same file and commit
// within LinkLines lines, nearest first.
func SessionTokensFor(fs []scanner.Finding, i int) []int {
	key := &fs[i]
	names := map[string]bool{key.Fingerprint: true}
	if p := key.Attributes["pair"]; p != "" {
		names[p] = true
	}
	var linked, near []int
	for j := range fs {
		t := &fs[j]
		if !IsSessionRule(t.RuleID) {
			continue
		}
		if refersTo(t.Attributes, names) || refersTo(key.Attributes, map[string]bool{t.Fingerprint: true}) {
			linked = append(linked, j)
			continue
		}
		if sameBlock(key, t) && abs(t.Line-key.Line) <= LinkLines {
			near = append(near, j)
		}
	}
	if len(linked) > 0 {
		return linked
	}
	sort.SliceStable(near, func(a, b int) bool { return abs(fs[near[a]].Line-key.Line) < abs(fs[near[b]].Line-key.Line) })
	return near
}

// LinkLines is how close a session token must stand to its key ID to be
// taken as the same credential, when the detector did not link them.
const LinkLines = 5

func refersTo(attrs map[string]string, names map[string]bool) bool {
	for _, v := range attrs {
		if names[v] {
			return true
		}
	}
	return false
}

// sameBlock reports whether two findings come from the same content: the
// same path in the same commit (or both outside git).
func sameBlock(a, b *scanner.Finding) bool {
	if a.Path != b.Path || a.Kind != b.Kind {
		return false
	}
	ha, hb := "", ""
	if a.Commit != nil {
		ha = a.Commit.Hash
	}
	if b.Commit != nil {
		hb = b.Commit.Hash
	}
	return ha == hb && a.BlobID == b.BlobID
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
