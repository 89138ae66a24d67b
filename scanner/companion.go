package scanner

import (
	"bytes"
	"cmp"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// CompanionLines is how far from a secret, in lines, a companion value may
// stand: the account SID or shop domain a provider checks the secret with is
// written in the same block of configuration (the AWS pair uses the same
// window, pairLines).
const CompanionLines = 5

// A Companion is a value that a provider needs besides the secret to check
// it: Twilio's account SID, a Shopify shop's myshopify.com domain, the
// secret of a Twilio API key. The detector records the nearest one within
// CompanionLines lines of a finding of one of Rules, in the same chunk
// (one file, or one version of it in history, where Dedup carries a later
// version's value to the finding kept; never across files), as
// attributes[Attr]; the verifier reads it there and sends nothing when it
// is missing.
type Companion struct {
	// Attr is the attribute the value is recorded under.
	Attr string
	// Rules are the rules whose findings it is looked for near.
	Rules []string
	// Shape is the value's shape, its first group that matched the value
	// recorded: an identifier, shown in reports like aws_account_id.
	Shape string
	// Rule, instead of Shape, makes the companion a second secret: a
	// finding of this rule, whose fingerprint is recorded (never the
	// secret; the verifier looks it up among the findings).
	Rule string
	// Lower records the value in lower case (a DNS name).
	Lower bool
	// Placeholders are values written in documentation and templates, never
	// a real account's: a companion whose value, first label, or (for an
	// email address) local part or domain is one of them is ignored.
	Placeholders []string
	// What names the value in a not-checked reason ("the account SID").
	What string
}

// companions is the table of companion values. A Shape value is only an
// identifier (it is shown in the report as an attribute, like
// aws_account_id), never a secret: a second secret is a finding of its own
// rule, linked by fingerprint.
var companions = []Companion{
	{
		Attr:  "twilio_api_key_secret",
		Rules: []string{"twilio-api-key"},
		Rule:  "twilio-api-key-secret",
		What:  "the API key's secret",
	},
	{
		Attr:  "twilio_account_sid",
		Rules: []string{"twilio-auth-token"},
		// Twilio documents an account SID as ^AC[0-9a-fA-F]{32}$.
		Shape: `(?:^|[^A-Za-z0-9_])(AC[0-9a-fA-F]{32})(?:[^A-Za-z0-9_]|$)`,
		What:  "the account SID (AC…)",
	},
	{
		Attr:  "shopify_domain",
		Rules: []string{"shopify-access-token", "shopify-custom-app-token", "shopify-private-app-token"},
		// One DNS label before .myshopify.com: a shop's own address.
		Shape: `(?i)(?:^|[^A-Za-z0-9_.-])((?:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])\.myshopify\.com)(?:[^A-Za-z0-9_.-]|$)`,
		Lower: true,
		Placeholders: []string{"your-store", "your-shop", "your-shop-name", "your-store-name", "yourstore", "yourshop",
			"my-store", "my-shop", "mystore", "myshop", "store", "shop", "example", "example-shop", "example-store",
			"shop-name", "store-name", "test-store", "test-shop", "xxx", "xxxx", "demo-store"},
		What: "the shop's myshopify.com domain",
	},
	{
		// The name a connection string's validator records for the whole
		// string; for a key found alone, the account written next to it
		// (AZURE_STORAGE_ACCOUNT=…, AccountName=…, ….blob.core.windows.net).
		Attr:         "azure_storage_account",
		Rules:        []string{"azure-storage-account-key"},
		Shape:        azureAccountShape,
		Lower:        true,
		Placeholders: []string{"mystorageaccount", "yourstorageaccount", "storageaccount", "accountname", "youraccount", "myaccount", "devstoreaccount1", "xxx"},
		What:         "the storage account's name",
	},
	{
		Attr:  "atlassian_site",
		Rules: atlassianTokenRules,
		// One label before .atlassian.net: a Jira or Confluence Cloud site.
		Shape: `(?i)(?:^|[^A-Za-z0-9_.-])((?:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])\.atlassian\.net)(?:[^A-Za-z0-9_.-]|$)`,
		Lower: true,
		Placeholders: []string{"your-domain", "your-site", "yourdomain", "yoursite", "your-company", "yourcompany",
			"your-org", "your-instance", "your-team", "company", "mycompany", "my-company", "example", "domain", "site",
			"instance", "tenant", "xxx", "xxxx", "acme-example"},
		What: "the Atlassian site (….atlassian.net)",
	},
	{
		Attr:  "email",
		Rules: append(append([]string(nil), atlassianTokenRules...), "cloudflare-global-api-key", "cloudflare-global-api-key-v2"),
		// An email address: the Basic user of an Atlassian API token, the
		// X-Auth-Email of a Cloudflare global API key.
		Shape: `(?:^|[^A-Za-z0-9._%+-])([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24})(?:[^A-Za-z0-9.-]|$)`,
		Lower: true,
		Placeholders: []string{"example.com", "example.org", "example.net", "test.com", "domain.com", "email.com",
			"company.com", "yourcompany.com", "your-company.com", "yourdomain.com", "your-domain.com", "mycompany.com",
			"you", "your.email", "your_email", "youremail", "your-email", "user", "username", "email", "name", "me",
			"someone", "john.doe", "jane.doe", "jdoe", "foo", "test"},
		What: "the owner's email address",
	},
}

// Azure Storage account names: 3 to 24 lower-case letters and digits.
const azureAccountShape = `(?i)(?:(?:^|[^A-Za-z0-9_.-])([a-z0-9]{3,24})\.(?:blob|queue|table|file|dfs)\.core\.windows\.net` +
	`|(?:^|[^A-Za-z0-9])(?:account[_-]?name|storage[_-]?account(?:[_-]?name)?)["']?\s*(?:=|:)\s*["']?([a-z0-9]{3,24})(?:[^A-Za-z0-9+/=]|$))`

// atlassianTokenRules are the rules of Atlassian Cloud API tokens, checked
// with their owner's email address at their site.
var atlassianTokenRules = []string{"atlassian-api-token", "atlassian-legacy-api-token"}

// Companions lists the companion values the detector records, for the
// verifier (which names them) and `rules show`.
func Companions() []Companion { return slices.Clone(companions) }

type compiledCompanion struct {
	Companion
	placeholders map[string]bool
	reOnce       sync.Once
	re           *regexp.Regexp
}

// shape returns the compiled Shape, compiled on first use: a pre-commit
// hook that finds one AWS key compiled every companion's regex, a tenth of
// its detection's CPU.
func (cc *compiledCompanion) shape() *regexp.Regexp {
	cc.reOnce.Do(func() { cc.re = regexp.MustCompile(cc.Shape) })
	return cc.re
}

// companionsByRule is the table, by rule ID: built on first use so that
// start-up pays nothing.
var companionsByRule = sync.OnceValue(companionTable)

func companionTable() map[string][]*compiledCompanion {
	m := map[string][]*compiledCompanion{}
	for _, c := range companions {
		cc := &compiledCompanion{Companion: c, placeholders: map[string]bool{}}
		for _, p := range c.Placeholders {
			cc.placeholders[p] = true
		}
		for _, id := range c.Rules {
			m[id] = append(m[id], cc)
		}
	}
	return m
}

// linkCompanions records on each finding of a rule with companions the
// nearest companion value within CompanionLines lines of it in c (ties:
// the one above, then the one on the left). Only c is read: a value in
// another file, or in another version of this one, is never linked.
func linkCompanions(c Chunk, fs []Finding) {
	if len(fs) == 0 {
		return
	}
	// The table is looked at only once a chunk has a finding.
	byRule := companionsByRule()
	var seconds []*compiledCompanion
	for i := range fs {
		f := &fs[i]
		for _, cc := range byRule[f.RuleID] {
			if cc.Rule != "" {
				if !slices.Contains(seconds, cc) {
					seconds = append(seconds, cc)
				}
				continue
			}
			if v, ok := nearestCompanion(c.Data, f.offset, cc); ok {
				setAttr(f, cc.Attr, v)
			}
		}
	}
	for _, cc := range seconds {
		pairSecrets(fs, cc)
	}
}

// pairSecrets links findings of cc.Rules with findings of cc.Rule (a second
// secret) within CompanionLines lines, one to one and nearest pairs first,
// as AWS key IDs and secret keys are paired: of two keys around one
// secret, only the nearer gets it (ties: the secret above).
func pairSecrets(fs []Finding, cc *compiledCompanion) {
	type pair struct{ key, secret, dist int }
	var ps []pair
	for i := range fs {
		if !slices.Contains(cc.Rules, fs[i].RuleID) {
			continue
		}
		for j := range fs {
			if d := abs(fs[j].Line - fs[i].Line); fs[j].RuleID == cc.Rule && d <= CompanionLines {
				ps = append(ps, pair{i, j, d})
			}
		}
	}
	slices.SortStableFunc(ps, func(a, b pair) int { return cmp.Compare(a.dist, b.dist) })
	keyTaken, secretTaken := map[int]bool{}, map[int]bool{}
	for _, p := range ps {
		if keyTaken[p.key] || secretTaken[p.secret] {
			continue
		}
		keyTaken[p.key], secretTaken[p.secret] = true, true
		setAttr(&fs[p.key], cc.Attr, fs[p.secret].Fingerprint)
	}
}

// placeholder reports whether v is a documentation value: it, its first
// label, or an email address's local part or domain is listed.
func (cc *compiledCompanion) placeholder(v string) bool {
	v = strings.ToLower(v)
	if local, domain, isEmail := strings.Cut(v, "@"); isEmail {
		return cc.placeholders[v] || cc.placeholders[local] || cc.placeholders[domain]
	}
	label, _, _ := strings.Cut(v, ".")
	return cc.placeholders[v] || cc.placeholders[label]
}

// nearestCompanion finds cc's value nearest to off in data, within
// CompanionLines lines.
func nearestCompanion(data []byte, off int, cc *compiledCompanion) (string, bool) {
	if off < 0 || off > len(data) {
		return "", false
	}
	start := off
	for n := 0; start > 0; {
		if data[start-1] == '\n' {
			if n == CompanionLines {
				break
			}
			n++
		}
		start--
	}
	end := off
	for n := 0; end < len(data); end++ {
		if data[end] == '\n' {
			if n == CompanionLines {
				break
			}
			n++
		}
	}
	region := data[start:end]
	best, bestDist := "", -1
	for _, m := range cc.shape().FindAllSubmatchIndex(region, -1) {
		// The value is the first group that took part (a shape may list
		// several ways of writing it).
		g := 2
		for g+1 < len(m) && m[g] < 0 {
			g += 2
		}
		if g+1 >= len(m) || m[g] < 0 {
			continue
		}
		m[2], m[3] = m[g], m[g+1]
		v := string(region[m[2]:m[3]])
		if cc.Lower {
			v = strings.ToLower(v)
		}
		if cc.placeholder(v) {
			continue
		}
		at := start + m[2]
		var dist int
		if at < off {
			dist = bytes.Count(data[at:off], []byte{'\n'})
		} else {
			dist = bytes.Count(data[off:at], []byte{'\n'})
		}
		if bestDist < 0 || dist < bestDist {
			best, bestDist = v, dist
		}
	}
	return best, bestDist >= 0
}

// carryCompanions gives kept, the first finding of a secret in a file, the
// companion values that dup, a later finding of the same secret in the
// same file (another version of it in history), has and kept lacks: the
// account SID written next to a token a commit after the token.
func carryCompanions(kept, dup *Finding) {
	if len(dup.Attributes) == 0 {
		return
	}
	for _, cc := range companionsByRule()[dup.RuleID] {
		if v := dup.Attributes[cc.Attr]; v != "" && kept.Attributes[cc.Attr] == "" {
			setAttr(kept, cc.Attr, v)
		}
	}
}
