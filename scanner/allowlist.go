package scanner

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/rampart-sec/rampart/patterns"
)

// awsDocumentedExamples are the credentials AWS publishes in its
// documentation. They are never reported, by any mode.
var awsDocumentedExamples = []string{
	"AKIAIOSFODNN7EXAMPLE",
	"ASIAIOSFODNN7EXAMPLE",
	"AKIAI44QH8DHBEXAMPLE",
	"AKIAJQABLZS4A3QDU576",
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
}

// publicDemoCredentials are credentials their owners publish on purpose
// for anyone to use against a public demo server: MinIO's play.min.io
// keys, printed in its SDKs' READMEs and tests. Reporting them would only
// teach users to ignore findings.
var publicDemoCredentials = []string{
	"Q3AM3UQ867SPQQA43P2F",
	"zuf+tfteSlswRu7BJ86wekitnifILbZam1KYY3TG",
}

// protocolExamples are the sample values standards print, copied into
// countless test suites and docs: RFC 6749's (OAuth 2.0) access, refresh
// and authorization-code examples and client secret, RFC 5849's (OAuth
// 1.0) credentials, RFC 8555's (ACME)
// challenge token, jwt.io's sample token, Pulumi's protocol signatures and
// exporter-toolkit's timing guard hash.
var protocolExamples = map[string]string{
	"2YotnFZFEjr1zCsicMWpAA": "RFC 6749 example access token",
	"tGzv3JOkF0XG5Qx2TlKWIA": "RFC 6749 example refresh token",
	"SplxlOBeZQQYbYS6WxSbIA": "RFC 6749 example authorization code",
	"7Fjfp0ZBr1KtDRbnfVdmIw": "RFC 6749 example client secret",
	"8xLOxBtZp8":             "RFC 6749 example access token",
	// An ACME challenge token is public (the server fetches it over plain
	// HTTP); this is RFC 8555's example, reused by ACME clients' tests.
	"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA": "RFC 8555 example ACME challenge token",
	// RFC 5849's (OAuth 1.0) client, temporary and token credentials and
	// verifier (section 1.2, after OAuth Core 1.0's appendix), and those of
	// its sections 2.1 and 3.1: OAuth 1.0 signing tests reproduce them.
	"dpf43f3p2l4k3l03": "RFC 5849 example client identifier",
	"kd94hf93k423kf44": "RFC 5849 example client shared-secret",
	"hh5s93j4hdidpola": "RFC 5849 example temporary credentials",
	"hdhd0244k9j7ao03": "RFC 5849 example temporary credentials secret",
	"hfdp7dh39dks9884": "RFC 5849 example verifier",
	"nnch734d00sl2jdk": "RFC 5849 example token",
	"pfkkdhi9sl3r4s00": "RFC 5849 example token secret",
	"jd83jd92dhsh93js": "RFC 5849 example client identifier",
	"xyz4992k83j47x0b": "RFC 5849 example temporary credentials secret",
	"9djdj82h48djs9d2": "RFC 5849 example client identifier",
	"kkk9d7dh3k39sjv7": "RFC 5849 example token",
	"j49sk3j29djd":     "RFC 5849 example client shared-secret",
	"dh893hdasih9":     "RFC 5849 example token secret",
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c": "jwt.io's sample token",
	// Pulumi's wire-protocol signatures: fixed random hex every Pulumi SDK
	// (Go's resource/sig, Node.js's runtime/rpc.ts, Python, .NET, Java) and
	// every state file carries to mark a map as a secret, asset, archive or
	// reference; declared as `Secret = "…"` or `specialSigKey = "…"`.
	"4dabf18193072939515e22adb298388d": "Pulumi's special signature key (protocol constant)",
	"1b47061264138c4ac30d75fd1eb44270": "Pulumi's secret signature (protocol constant)",
	"5cf8f73096256a8f31e491e813e4eb8e": "Pulumi's resource reference signature (protocol constant)",
	"d0e6a833031e9bbcd3f4e8bde6ca49a4": "Pulumi's output value signature (protocol constant)",
	"803fd3297a5875dc03ca845dda5d2a98": "Pulumi's byte string signature (protocol constant)",
	"c44067f5952c0a294b673a41bacd8c17": "Pulumi's asset signature (protocol constant)",
	"0def7320c3a5731c473e5ecbe6d01bc7": "Pulumi's archive signature (protocol constant)",
	// Prometheus exporter-toolkit's bcrypt of "fakepassword", compared
	// against when a basic-auth user is unknown so that timing does not
	// tell users apart; vendored into every Prometheus exporter.
	"$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi": "Prometheus exporter-toolkit's dummy hash of fakepassword (a timing guard)",
}

// rfc7628Token is RFC 7628's (SASL OAUTHBEARER) example bearer token,
// without its base64 padding. SASL libraries' tests carry it as printed and
// with RFC 6750's other token characters (-._~+/) put in to test them
// (Kafka's OAuthBearerClientInitialResponseTest: "vF-9.df_t4qm~…").
const rfc7628Token = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg"

// isRFC7628Token reports whether secret is RFC 7628's example token, with
// or without characters of RFC 6750's token alphabet that are not letters
// or digits.
func isRFC7628Token(secret []byte) bool {
	if len(secret) < len(rfc7628Token) || len(secret) > 2*len(rfc7628Token) {
		return false
	}
	j := 0
	for _, c := range secret {
		switch {
		case c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=':
		case j < len(rfc7628Token) && c == rfc7628Token[j]:
			j++
		default:
			return false
		}
	}
	return j == len(rfc7628Token)
}

// jwtHeaders are the base64url encodings of the JOSE headers most JWTs
// start with: every signed token of an algorithm carries the same text.
var jwtHeaders = sync.OnceValue(func() []string {
	var hs []string
	for _, alg := range []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"} {
		for _, h := range []string{`{"alg":"` + alg + `","typ":"JWT"}`, `{"typ":"JWT","alg":"` + alg + `"}`, `{"alg":"` + alg + `"}`} {
			hs = append(hs, base64.RawURLEncoding.EncodeToString([]byte(h)))
		}
	}
	return hs
})

// jwtHeaderPiece reports a secret of twelve characters or more cut from a
// standard JWT header's encoding (a test's bearer token
// "OiJIUzI1NiIsInR5cCI6IkpXVCJ", vector's websocket test): text every
// HS256 token starts with, not a secret.
func jwtHeaderPiece(secret []byte) bool {
	// No header's encoding is longer than 40 characters: a longer secret
	// (a PEM body) is none, and is not copied into a string 39 times.
	if len(secret) < 12 || len(secret) > 40 {
		return false
	}
	s := string(secret)
	for _, h := range jwtHeaders() {
		if strings.Contains(h, s) {
			return true
		}
	}
	return false
}

// builtinAllow returns why secret is on the built-in allow list, or "".
func builtinAllow(secret []byte) string { return builtinAllowAfter(secret, false) }

// builtinAllowAfter is builtinAllow, leaving out the placeholder test when
// notPlaceholder says the secret has just passed it (a rule's
// not-placeholder validator): it was run twice on every candidate.
func builtinAllowAfter(secret []byte, notPlaceholder bool) string {
	for _, ex := range awsDocumentedExamples {
		if string(secret) == ex {
			return "AWS documented example credential"
		}
	}
	if what, ok := protocolExamples[string(secret)]; ok {
		return what
	}
	if isRFC7628Token(secret) {
		return "RFC 7628 example bearer token"
	}
	if jwtHeaderPiece(secret) {
		return "a piece of a JWT's standard header (base64 of {\"alg\":…,\"typ\":\"JWT\"}), public text"
	}
	for _, demo := range publicDemoCredentials {
		if string(secret) == demo {
			return "public demo credential (play.min.io)"
		}
	}
	// AWS's documentation marks every sample credential with EXAMPLE.
	if bytes.Contains(secret, []byte("EXAMPLE")) {
		return "documentation example"
	}
	if what := trivialDigest(secret); what != "" {
		return what
	}
	if notPlaceholder {
		return ""
	}
	if reason := patterns.Placeholder(secret); reason != "" {
		return "placeholder (" + reason + ")"
	}
	return ""
}

// trivialInputs are strings whose digests stand for "nothing" or "one"
// in code and fixtures: the digest of the empty string is a constant of
// every hashing library's tests, and Matomo's test super user's token_auth
// is md5("1"). Anyone can compute them. Words (md5("password")) are left
// out: scanners' published examples use their digests as keys of the
// right shape, and a key is what a rule's example must stay.
var trivialInputs = []string{"", "0", "1", "2", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789"}

// trivialDigests maps the lower-case hex MD5, SHA-1 and SHA-256 of each
// trivial input (and of it followed by a newline, as echo | md5sum
// gives) to what it is, built on first use.
var trivialDigests = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, in := range trivialInputs {
		for _, s := range []string{in, in + "\n"} {
			name := fmt.Sprintf("%q", s)
			m[fmt.Sprintf("%x", md5.Sum([]byte(s)))] = "MD5 of " + name
			m[fmt.Sprintf("%x", sha1.Sum([]byte(s)))] = "SHA-1 of " + name
			m[fmt.Sprintf("%x", sha256.Sum256([]byte(s)))] = "SHA-256 of " + name
		}
	}
	return m
})

// trivialDigest returns why secret, 32, 40 or 64 hex digits in one case,
// is the digest of a trivial string, or "".
func trivialDigest(secret []byte) string {
	if n := len(secret); n != 32 && n != 40 && n != 64 {
		return ""
	}
	lower, upper := false, false
	for _, c := range secret {
		switch {
		case 'a' <= c && c <= 'f':
			lower = true
		case 'A' <= c && c <= 'F':
			upper = true
		case c < '0' || c > '9':
			return ""
		}
	}
	if lower && upper {
		return "" // no tool prints a digest in mixed case
	}
	if what, ok := trivialDigests()[strings.ToLower(string(secret))]; ok {
		return "a well-known digest (" + what + "), not a secret"
	}
	return ""
}

// inlineMarkers suppress a finding on the line that carries them. rampart's
// own marker first, then other scanners', so a repository migrating to rampart
// keeps its annotations.
var inlineMarkers = [][]byte{
	[]byte("rampart:allow"),
	[]byte("gitleaks:allow"),
	[]byte("pragma: allowlist secret"),
	[]byte("trufflehog:ignore"),
}

func inlineAllow(line []byte) string {
	for _, m := range inlineMarkers {
		if bytes.Contains(line, m) {
			return string(m)
		}
	}
	return ""
}

// Allowlist is the compiled allow list from configuration: paths never read,
// regexes and exact secrets never reported.
type Allowlist struct {
	paths     []*regexp.Regexp
	regexes   []*regexp.Regexp
	secrets   map[string]bool
	stopwords []string
}

// AllowsPath reports whether path (slash-separated, relative) is allow-listed
// and so must not be read at all.
func (a *Allowlist) AllowsPath(path string) bool {
	if a == nil {
		return false
	}
	for _, re := range a.paths {
		if re.MatchString(path) {
			return true
		}
	}
	return false
}

// WithPaths returns a copy of a that also skips paths matching globs
// (`--exclude`). The receiver is not changed.
func (a *Allowlist) WithPaths(globs []string) (*Allowlist, error) {
	c := &Allowlist{secrets: map[string]bool{}}
	if a != nil {
		*c = *a
		c.paths = append([]*regexp.Regexp(nil), a.paths...)
	}
	for _, g := range globs {
		re, err := GlobRegexp(g)
		if err != nil {
			return nil, fmt.Errorf("bad glob %q: %w", g, err)
		}
		c.paths = append(c.paths, re)
	}
	return c, nil
}

func (a *Allowlist) allows(ruleID string, secret, line []byte) string {
	if a.secrets[string(secret)] {
		return "exact secret"
	}
	for _, re := range a.regexes {
		if re.Match(secret) {
			return "regex " + re.String()
		}
	}
	if len(a.stopwords) > 0 {
		lower := strings.ToLower(string(secret))
		for _, w := range a.stopwords {
			if strings.Contains(lower, w) {
				return "stopword " + w
			}
		}
	}
	return ""
}

// GlobRegexp converts a path glob to an anchored regular expression: `*`
// matches within one path segment, `**` across segments, `?` one character.
// A glob without a slash matches the base name at any depth, as in .gitignore.
func GlobRegexp(glob string) (*regexp.Regexp, error) {
	var b strings.Builder
	g := strings.TrimPrefix(glob, "./")
	anchored := strings.Contains(strings.TrimSuffix(g, "/"), "/")
	g = strings.TrimPrefix(g, "/")
	dir := strings.HasSuffix(g, "/")
	g = strings.TrimSuffix(g, "/")
	b.WriteString("^")
	if !anchored {
		b.WriteString("(?:.*/)?")
	}
	for i := 0; i < len(g); i++ {
		switch c := g[i]; c {
		case '*':
			if i+1 < len(g) && g[i+1] == '*' {
				i++
				if i+1 < len(g) && g[i+1] == '/' {
					i++
					b.WriteString("(?:.*/)?")
				} else {
					b.WriteString(".*")
				}
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if dir {
		b.WriteString("/.*")
	} else {
		b.WriteString("(?:/.*)?")
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}
