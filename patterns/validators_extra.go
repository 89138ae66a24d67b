package patterns

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/crc32"
	"html"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// extraValidators holds validators for provider families beyond AWS (checksums
// and structure checks). Kept apart from validators.go so the catalogue can
// grow without touching the core registry.
func extraValidators() []Validator {
	return []Validator{
		{"github-checksum", checkBase62CRC32},
		{"not-own-report", checkNotOwnReport},
		{"npm-checksum", checkBase62CRC32},
		{"grafana-checksum", checkGrafanaChecksum},
		{"jwt", checkJWT},
		{"base64-json", checkBase64JSON},
		{"base64-userpass", checkBase64UserPass},
		{"base64-password", checkBase64Password},
		{"jetbrains-password", checkJetBrainsPassword},
		{"stored-password", checkStoredPassword},
		{"stored-userpass", checkStoredUserPass},
		{"cisco-type7", checkCiscoType7},
		{"base64-private-key", checkBase64PrivateKey},
		{"base64-key-file-key", checkBase64KeyFileKey},
		{"base64-64-bytes", checkBase64Len64},
		{"atlassian-dc-pat", checkAtlassianDCPAT},
		{"crc32-hex-checksum", checkCRC32HexSuffix},
		{"azure-storage-account", checkAzureStorageAccount},
		{"url-password", checkURLPassword},
		{"command-password", checkCommandPassword},
		{"password", checkPassword},
		{"not-elided", checkNotElided},
		{"short-password-entropy", checkShortPasswordEntropy},
		{"not-code", checkNotCode},
		{"not-object-key", checkNotObjectKey},
		{"not-documented", checkNotDocumented},
		{"not-vendor-token", checkNotVendorToken},
		{"not-stopword", checkNotStopword},
		{"not-badge", checkNotBadge},
		{"token-kind", checkTokenKind},
		{"key-ulid", checkKeyULID},
		{"not-key-ulid", checkNotKeyULID},
	}
}

// keyULIDRE is the decoded body of a WorkOS or Highnote secret key: "key_",
// the key's ULID (Crockford base32), a comma and the secret itself.
var keyULIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^key_[0-9A-HJKMNP-TV-Z]{26},[\x21-\x7e]{16,}$`) })

// keyULIDBody returns the base64 body of an sk_live_/sk_test_ key that
// encodes "key_…" (it starts a2V5X), or nil.
func keyULIDBody(secret []byte) []byte {
	i := bytes.Index(secret, []byte("_a2V5X"))
	if i < 0 {
		return nil
	}
	return secret[i+1:]
}

// checkKeyULID accepts an sk_live_/sk_test_ key whose body is the base64 of
// "key_<ULID>,<secret>", the shape WorkOS and Highnote issue.
func checkKeyULID(c *Candidate) (bool, string) {
	body := keyULIDBody(c.Secret)
	if body == nil {
		return false, "key-ulid: the body does not encode key_"
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(string(body), "="))
	if err != nil || !keyULIDRE().Match(raw) {
		return false, "key-ulid: the body does not decode to key_<ULID>,<secret>"
	}
	return true, ""
}

// checkNotKeyULID drops a Stripe-prefixed match whose body encodes "key_":
// WorkOS and Highnote keys start sk_live_ too, and sending one to Stripe's
// API would only report it invalid.
func checkNotKeyULID(c *Candidate) (bool, string) {
	if keyULIDBody(c.Secret) != nil {
		return false, "not-key-ulid: the body encodes key_…: a WorkOS or Highnote key, not Stripe's"
	}
	return true, ""
}

// badgeExts are the images a status badge URL points at.
var badgeExts = []string{".svg", ".png", ".gif", ".jpg", ".jpeg", ".webp", ".ico"}

// checkNotBadge drops a query-string token on an image URL: a CI status
// badge (`build.svg?token=…`) carries a read-only token its service hands
// out to be published in READMEs.
func checkNotBadge(c *Candidate) (bool, string) {
	i := bytes.Index(c.Line, c.Match)
	if i < 0 || len(c.Match) == 0 {
		return true, ""
	}
	// The match starts at the ? or & before the parameter.
	q := bytes.LastIndexByte(c.Line[:i+1], '?')
	if q < 0 {
		return true, ""
	}
	path := bytes.ToLower(c.Line[:q])
	for _, ext := range badgeExts {
		if bytes.HasSuffix(path, []byte(ext)) {
			return false, "not-badge: a token in an image URL (a status badge's read-only token)"
		}
	}
	return true, ""
}

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Base62CRC32 returns the six-character checksum GitHub and npm append to
// their tokens: the IEEE CRC32 of the token's random body, base62-encoded
// (digits, upper case, lower case) and left-padded with zeros.
func Base62CRC32(body []byte) string {
	n := crc32.ChecksumIEEE(body)
	var out [6]byte
	for i := 5; i >= 0; i-- {
		out[i] = base62Alphabet[n%62]
		n /= 62
	}
	return string(out[:])
}

// checkBase62CRC32 verifies prefix_BODY+CHECKSUM tokens (ghp_, gho_, ghu_,
// ghs_, ghr_, npm_): the last six characters are the base62 CRC32 of the
// characters between the first underscore and the checksum.
func checkBase62CRC32(c *Candidate) (bool, string) {
	s := c.Secret
	i := bytes.IndexByte(s, '_')
	if i < 0 || len(s)-i-1 < 7 {
		return false, "checksum: token too short for a checksum"
	}
	body, sum := s[i+1:len(s)-6], s[len(s)-6:]
	if Base62CRC32(body) != string(sum) {
		return false, "checksum: CRC32 does not match (not a live-format token)"
	}
	return true, ""
}

// checkGrafanaChecksum verifies Grafana service account tokens,
// glsa_SECRET_CHECKSUM, where CHECKSUM is the little-endian hex CRC32 of
// "glsa_SECRET".
func checkGrafanaChecksum(c *Candidate) (bool, string) {
	s := c.Secret
	i := bytes.LastIndexByte(s, '_')
	if i < 0 || len(s)-i-1 != 8 {
		return false, "grafana-checksum: no 8-character checksum"
	}
	n := crc32.ChecksumIEEE(s[:i])
	want := hex.EncodeToString([]byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)})
	if !strings.EqualFold(want, string(s[i+1:])) {
		return false, "grafana-checksum: CRC32 does not match"
	}
	return true, ""
}

// decodeBase64 decodes s in any of the four common base64 alphabets and
// paddings, or reports false.
func decodeBase64(s []byte) ([]byte, bool) {
	str := string(s)
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(str); err == nil {
			return b, true
		}
	}
	return nil, false
}

// ParseJWT splits a JSON Web Token into its decoded header and payload. It
// reports false unless the token has three dot-separated base64url parts, the
// header is a JSON object naming a string "alg" and the payload is a JSON
// object.
func ParseJWT(token []byte) (header, payload map[string]any, ok bool) {
	parts := bytes.Split(token, []byte("."))
	if len(parts) != 3 || len(parts[0]) == 0 || len(parts[1]) == 0 {
		return nil, nil, false
	}
	hb, ok1 := decodeBase64(parts[0])
	pb, ok2 := decodeBase64(parts[1])
	if !ok1 || !ok2 {
		return nil, nil, false
	}
	if json.Unmarshal(hb, &header) != nil || json.Unmarshal(pb, &payload) != nil || header == nil || payload == nil {
		return nil, nil, false
	}
	if alg, isStr := header["alg"].(string); !isStr || alg == "" {
		return nil, nil, false
	}
	return header, payload, true
}

func checkJWT(c *Candidate) (bool, string) {
	h, p, ok := ParseJWT(c.Secret)
	if !ok {
		return false, "jwt: not a JWT (header must decode to JSON with alg, payload to a JSON object)"
	}
	if alg, _ := h["alg"].(string); strings.EqualFold(alg, "none") {
		return false, "jwt: unsigned token (alg none)"
	}
	if p["sub"] == "1234567890" && p["name"] == "John Doe" {
		// jwt.io's sample claims, signed with some other secret by a test
		// or a tutorial: a documentation token however it was signed.
		return false, "jwt: jwt.io's sample claims (John Doe), a documentation token"
	}
	if iss, isStr := p["iss"].(string); isStr {
		c.SetAttr("jwt_issuer", iss)
	}
	return true, ""
}

// checkBase64JSON accepts tokens whose payload is base64 of a JSON object:
// the whole secret when it starts with "eyJ", else the part between the first
// and the next underscore (glc_…, sntrys_…_…).
func checkBase64JSON(c *Candidate) (bool, string) {
	s := c.Secret
	if !bytes.HasPrefix(s, []byte("eyJ")) {
		i := bytes.IndexByte(s, '_')
		if i < 0 {
			return false, "base64-json: no payload"
		}
		s = s[i+1:]
	}
	// The payload is standard base64, which has no underscore: anything after
	// one is the token's secret half.
	if j := bytes.IndexByte(s, '_'); j >= 0 {
		s = s[:j]
	}
	b, ok := decodeBase64(s)
	if !ok {
		return false, "base64-json: payload is not base64"
	}
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '{' || !json.Valid(b) {
		return false, "base64-json: payload is not a JSON object"
	}
	return true, ""
}

// DecodeUserPass decodes base64 "user:password" (HTTP basic auth, Docker
// config auths, .npmrc _auth) and reports false unless both halves are
// non-empty printable text.
func DecodeUserPass(s []byte) (user, pass string, ok bool) {
	b, ok := decodeBase64(bytes.TrimSpace(s))
	if !ok {
		return "", "", false
	}
	for _, r := range b {
		if r < 0x20 || r == 0x7f {
			return "", "", false
		}
	}
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		// JSON ({"alg":"HS256",…}: a JWT's header sent as Basic) has colons
		// too, but no user name starts a JSON document.
		return "", "", false
	}
	u, p, found := strings.Cut(string(b), ":")
	if !found || u == "" || p == "" {
		return "", "", false
	}
	return u, p, true
}

func checkBase64UserPass(c *Candidate) (bool, string) {
	u, p, ok := DecodeUserPass(c.Secret)
	if !ok {
		return false, "base64-userpass: does not decode to user:password"
	}
	if reason := weakPassword(u, p); reason != "" {
		return false, "base64-userpass: " + reason
	}
	c.SetAttr("decoded", "base64")
	return true, ""
}

// checkBase64Password keeps a password a program stores in base64 only to
// escape it (FileZilla's <Pass encoding="base64">): base64 hides nothing, so
// the value must decode to printable text, which is judged as a password.
func checkBase64Password(c *Candidate) (bool, string) {
	b, ok := decodeBase64(bytes.TrimSpace(c.Secret))
	if !ok {
		return false, "base64-password: not base64"
	}
	// FileZilla encodes what the user typed, a trailing newline included
	// when it was pasted.
	p, ok := printablePassword(bytes.TrimRight(b, "\r\n"))
	if !ok {
		return false, "base64-password: does not decode to printable text"
	}
	if reason := weakPassword("", p); reason != "" {
		return false, "base64-password: " + reason
	}
	c.SetAttr("decoded", "base64")
	return true, ""
}

// jetBrainsMask is what IntelliJ-based IDEs XOR each character of a saved
// deployment password with before writing it as four hex digits
// (.idea/WebServers.xml, <fileTransfer … password="dff9dfdf…">): an
// encoding, not encryption, so the value is the password.
const jetBrainsMask = 0xdfaa

// checkJetBrainsPassword decodes an IntelliJ-encoded password (groups of four
// hex digits, each a character XOR 0xdfaa) and judges the text as a password;
// hex that does not decode to printable ASCII is something else.
func checkJetBrainsPassword(c *Candidate) (bool, string) {
	const why = "jetbrains-password: not four hex digits per printable character XOR 0xdfaa"
	s := c.Secret
	if len(s) == 0 || len(s)%4 != 0 {
		return false, why
	}
	out := make([]byte, 0, len(s)/4)
	for i := 0; i < len(s); i += 4 {
		v, err := strconv.ParseUint(string(s[i:i+4]), 16, 16)
		if err != nil {
			return false, why
		}
		r := v ^ jetBrainsMask
		if r < 0x20 || r > 0x7e {
			return false, why
		}
		out = append(out, byte(r))
	}
	if reason := weakPassword("", string(out)); reason != "" {
		return false, "jetbrains-password: " + reason
	}
	c.SetAttr("decoded", "jetbrains-xor")
	return true, ""
}

// ciscoType7Key is the fixed string Cisco IOS XORs a "type 7" password with
// (service password-encryption): public since 1995, so a type 7 value is the
// password, spelt in hex.
const ciscoType7Key = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87"

// checkCiscoType7 decodes a Cisco type 7 value (two decimal digits giving the
// key offset, then hex pairs) and judges the text as a password.
func checkCiscoType7(c *Candidate) (bool, string) {
	const why = "cisco-type7: not an offset and hex pairs that decode to printable text"
	s := string(c.Secret)
	if len(s) < 4 || len(s)%2 != 0 {
		return false, why
	}
	off, err := strconv.Atoi(s[:2])
	if err != nil || off >= len(ciscoType7Key) {
		return false, why
	}
	out := make([]byte, 0, len(s)/2-1)
	for i := 2; i < len(s); i += 2 {
		v, err := strconv.ParseUint(s[i:i+2], 16, 8)
		if err != nil {
			return false, why
		}
		out = append(out, byte(v)^ciscoType7Key[(off+len(out))%len(ciscoType7Key)])
	}
	p, ok := printablePassword(out)
	if !ok {
		return false, why
	}
	if reason := weakPassword("", p); reason != "" {
		return false, "cisco-type7: " + reason
	}
	c.SetAttr("decoded", "cisco-type7")
	return true, ""
}

// printablePassword returns b as a string when every byte is printable
// ASCII, as a typed password is.
func printablePassword(b []byte) (string, bool) {
	if len(b) == 0 {
		return "", false
	}
	for _, r := range b {
		if r < 0x20 || r > 0x7e {
			return "", false
		}
	}
	return string(b), true
}

func checkBase64PrivateKey(c *Candidate) (bool, string) {
	s := c.Secret
	s = s[:len(s)-len(s)%4]
	b, err := base64.StdEncoding.DecodeString(string(s))
	if err != nil || !bytes.Contains(b, []byte("PRIVATE KEY-----")) {
		return false, "base64-private-key: does not decode to a PEM private key"
	}
	c.SetAttr("decoded", "base64")
	return true, ""
}

// checkBase64KeyFileKey drops a base64-encoded key file (a Google service
// account's JSON) whose decoded "private_key" holds no key: a test's
// "-----BEGIN PRIVATE KEY-----\nXYZ\n-----END PRIVATE KEY-----" or an empty
// string. A real key's PEM body is hundreds of base64 characters; fewer than
// 64 is a stand-in. Text that does not decode to such a field (binary after
// the file's opening, a truncated copy) is kept: nothing there says it is not
// a key.
func checkBase64KeyFileKey(c *Candidate) (bool, string) {
	s := c.Secret
	s = s[:len(s)-len(s)%4]
	b, err := base64.StdEncoding.DecodeString(string(s))
	if err != nil {
		return true, ""
	}
	i := bytes.Index(b, []byte(`"private_key"`))
	if i < 0 {
		return true, ""
	}
	v := bytes.TrimLeft(b[i+len(`"private_key"`):], " \t\r\n")
	if len(v) == 0 || v[0] != ':' {
		return true, ""
	}
	v = bytes.TrimLeft(v[1:], " \t\r\n")
	if len(v) == 0 || v[0] != '"' {
		return true, ""
	}
	v = v[1:]
	end := bytes.IndexByte(v, '"')
	if end < 0 {
		return true, "" // cut off inside the value: the rest is not here to judge
	}
	v = v[:end]
	if j := bytes.Index(v, []byte("PRIVATE KEY-----")); j >= 0 {
		v = v[j+len("PRIVATE KEY-----"):]
	}
	if j := bytes.Index(v, []byte("-----END")); j >= 0 {
		v = v[:j]
	}
	v = bytes.ReplaceAll(v, []byte(`\n`), nil)
	n := 0
	for _, x := range v {
		if x >= 'A' && x <= 'Z' || x >= 'a' && x <= 'z' || x >= '0' && x <= '9' || x == '+' || x == '/' {
			n++
		}
	}
	if n < 64 {
		return false, "base64-key-file-key: the decoded private_key holds no key"
	}
	return true, ""
}

func checkBase64Len64(c *Candidate) (bool, string) {
	b, err := base64.StdEncoding.DecodeString(string(c.Secret))
	if err != nil || len(b) != 64 {
		return false, "base64-64-bytes: not base64 of a 64-byte key"
	}
	return true, ""
}

// checkAtlassianDCPAT keeps a personal access token of Jira, Confluence or
// Bitbucket Data Center (the last behind BBDC-): 44 base64 characters of 33
// bytes, the token's numeric ID in ASCII digits, a colon, then random bytes.
// Base64 of text that happens to start with digits and a colon (a
// timestamp:note pair) is printable throughout, and is not a token.
func checkAtlassianDCPAT(c *Candidate) (bool, string) {
	const why = "atlassian-dc-pat: not base64 of a numeric ID, a colon and random bytes"
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(string(c.Secret), "BBDC-"))
	if err != nil || len(b) != 33 {
		return false, why
	}
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i < 6 || i >= len(b) || b[i] != ':' || len(b)-i-1 < 16 {
		return false, why
	}
	for _, x := range b[i+1:] {
		if x < 0x20 || x > 0x7e {
			return true, ""
		}
	}
	return false, why
}

// checkCRC32HexSuffix checks a token that ends in the CRC32 (IEEE) of its
// body as 8 lower-case hex digits, the body being what lies between the
// prefix's underscore and those digits (Cloudflare's cfut_/cfat_/cfk_).
// Hand-made and truncated examples fail it; one in four billion random
// strings passes.
func checkCRC32HexSuffix(c *Candidate) (bool, string) {
	s := c.Secret
	i := bytes.IndexByte(s, '_')
	if i < 0 || len(s)-i-1 <= 8 {
		return false, "crc32-hex-checksum: no body before the checksum"
	}
	body, sum := s[i+1:len(s)-8], s[len(s)-8:]
	n := crc32.ChecksumIEEE(body)
	if hex.EncodeToString([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}) != string(sum) {
		return false, "crc32-hex-checksum: the last 8 hex digits are not the CRC32 of the token"
	}
	return true, ""
}

// passwordHashRE matches a stored password hash: Django's algorithm$…$…
// form, legacy salted digests included (md5$salt$hex, sha1$salt$hex),
// PostgreSQL's md5<32 hex> and SCRAM-SHA-256$…, and MySQL's *<40 hex>.
var passwordHashRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:(?:md5|sha1|unsalted_md5|unsalted_sha1|crypt|bcrypt|bcrypt_sha256|pbkdf2_sha1|pbkdf2_sha256|argon2|scrypt)\$[^$\s]*\$[A-Za-z0-9+/=$.]{16,}|md5[0-9a-f]{32}|\*[0-9A-Fa-f]{40}|SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+)$`)
})

// upperPlaceholder reports a value spelt as a constant's name: capitals and
// underscores only, at least three (DOMAIN, ACCESS_KEY, DB_PASS), the way
// documentation writes the part the reader fills in.
func upperPlaceholder(s string) bool {
	if len(s) < 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isUpper(s[i]) && s[i] != '_' {
			return false
		}
	}
	return true
}

// cjkText reports a value holding four or more Han, kana or Hangul
// characters: a translated message (密码长度必须大于…), which no password
// policy or keyboard layout makes a password.
func cjkText(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			n++
		}
	}
	return n >= 4
}

// propertiesUnescaped decodes a .properties value's escapes (\uXXXX, and
// \: \= \\ for the character itself); ok says there was one to decode.
func propertiesUnescaped(s string) (string, bool) {
	if !strings.Contains(s, "\\") {
		return s, false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		if s[i+1] == 'u' && i+6 <= len(s) {
			if r, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(r))
				i += 5
				continue
			}
		}
		if !strings.ContainsRune(":=\\ ", rune(s[i+1])) {
			// \n, \t, \d: not one of the escapes decoded here.
			return s, false
		}
		i++
		b.WriteByte(s[i])
	}
	// (A lone \ at the end is left as it is: then nothing was decoded.)
	return b.String(), b.Len() < len(s)
}

// foreignWord reports words of letters, joined by hyphens if at all, with
// at least one letter beyond ASCII (Lösenord, Contraseña, Şifreyi,
// Backup-Verschlüsselungscode, Wi-Fiパスワード): the translated label a
// localised file gives after a password's key.
func foreignWord(s string) bool {
	wide := false
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '-' {
			return false
		}
		if r >= 0x80 {
			wide = true
		}
	}
	return wide
}

// commonPasswords are values people leave in configuration as defaults or
// test fixtures; reporting them would bury real findings.
var commonPasswords = []string{
	"password", "passwd", "pass", "secret", "admin", "root", "guest", "user", "test", "testing",
	"postgres", "mysql", "redis", "mongo", "rabbitmq", "default", "demo", "letmein", "qwerty",
	"welcome", "hunter2", "foobar", "pa55word", "p@ssw0rd", "p@ssword", "passw0rd", "s3cret",
	"s3cr3t", "changeit", "secret123", "password1", "password123", "admin123", "root123", "toor",
	"null", "none", "nil", "true", "false", "undefined", "empty", "string", "value", "pw",
	"pwd", "pswd", "passw", "token", "apikey", "api_key", "mypassword", "mysecret", "supersecret", "localhost",
	"tiger", "manager", "oracle", "sa", "guest123", "foobared", "vagrant", "ubuntu", "raspberry", "abc",
	// Cisco's documented and factory default (cisco, cisco123).
	"cisco",
	// Bitnami's documented default (its virtual machines' user/bitnami; its
	// charts' READMEs and values write bitnami1234).
	"bitnami",
	"a1b2c3d4", "abcd1234",
	// MinIO's default root password and its documentation's minio123.
	"minio", "minioadmin",
}

// weakPasswordDigests maps the hex MD5, SHA-1 and SHA-256 of each common
// password to it: password encoder tests and seed data hold these.
var weakPasswordDigests = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	// Tests hash the metasyntactic names too (Symfony's in-memory users:
	// sha1("foo")).
	for _, w := range append(append([]string{}, commonPasswords...), "123456", "12345678", "111111", "abc123",
		"foo", "bar", "baz", "qux", "hello", "world", "abc", "1234", "12345") {
		m5, s1, s256 := md5.Sum([]byte(w)), sha1.Sum([]byte(w)), sha256.Sum256([]byte(w))
		m[hex.EncodeToString(m5[:])] = w
		m[hex.EncodeToString(s1[:])] = w
		m[hex.EncodeToString(s256[:])] = w
	}
	return m
})

// foldedWeak are matched anywhere in a folded password (see foldPassword).
var foldedWeak = []string{"password", "passwd", "opensesame", "mypass", "letmein", "changeme", "secret",
	// The hunter2 meme and its variants (hunter42). Keyboard walks
	// (Zxcvbnm@12345) are left in: people use them as real passwords.
	"hunter",
	// The word password in the languages of localisation files ("promosmsPassword":
	// "API-Passwort", "RabbitMQ-passord"): a translated label. Folded, so
	// lösenord, contraseña and hasło lose their accents.
	"passwort", "passord", "wachtwoord", "motdepasse", "contrasena", "senha", "losenord", "haslo", "parola",
	"salasana", "adgangskode", "jelszo", "wagwoord", "pasvorto", "lykilord", "heslo", "geslo",
	// Bosnian, Croatian and Serbian (ZAP's Messages_bs_BA: Lozinka\:), German's other word.
	"lozinka", "kennwort"}

// oneEditApart reports whether a becomes b by inserting, deleting or
// replacing at most one letter.
func oneEditApart(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}

// foldPassword lower-cases pass, decodes percent-escapes, drops everything
// that is not a letter or digit and, with leet set, first undoes common digit
// and symbol substitutions ("p@ssw0rd"); without it a trailing number
// ("pwd3") survives to be recognised.
func foldPassword(pass string, leet bool) string {
	if u, err := pathUnescape(pass); err == nil {
		pass = u
	}
	var b strings.Builder
	for _, r := range strings.ToLower(pass) {
		r = foldAccent(r)
		if !leet {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
			continue
		}
		if r == '1' || r == '!' {
			r = 'i'
		} else {
			r = unleet(r)
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unescaped is s with its percent-escapes decoded, or s.
func unescaped(s string) string {
	if u, err := pathUnescape(s); err == nil {
		return u
	}
	return s
}

// alnumLower is s lower-cased with everything but ASCII letters and digits
// dropped, no escape decoded.
func alnumLower(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldAccent maps the accented Latin letters of translated labels to their
// base letter (ö → o, ñ → n, ł → l, ð → d), so that Passwörter and hasło fold
// to words the lists hold.
func foldAccent(r rune) rune {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ą':
		return 'a'
	case 'ç', 'ć', 'č':
		return 'c'
	case 'ð', 'ď':
		return 'd'
	case 'è', 'é', 'ê', 'ë', 'ę', 'ě':
		return 'e'
	case 'ì', 'í', 'î', 'ï', 'ı':
		return 'i'
	case 'ł':
		return 'l'
	case 'ñ', 'ń', 'ň':
		return 'n'
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ő':
		return 'o'
	case 'ś', 'š', 'ş':
		return 's'
	case 'ù', 'ú', 'û', 'ü', 'ű', 'ů':
		return 'u'
	case 'ý', 'ÿ':
		return 'y'
	case 'ź', 'ż', 'ž':
		return 'z'
	}
	return r
}

// passwordStopwords disqualify a value when they appear anywhere in it.
var passwordStopwords = []string{
	"password", "passwd", "changeme", "changeit", "example", "sample", "dummy", "placeholder",
	"redacted", "secret", "test", "mock", "fixture", "lorem", "foobar", "default", "your",
	"xxx", "***", "...", "<", ">", "qwerty", "letmein", "hunter2", "p@ss", "passw0rd",
	// ChangeThisToSomethingDifferent!, change_this_password: an instruction.
	"changethis", "change_this", "change-this",
}

// weakPassword returns why a user/password pair is a default, a placeholder
// or a stopword rather than a real credential, or "".
func weakPassword(user, pass string) string {
	return judgePassword(user, pass, false)
}

// judgePassword is weakPassword; with loginWord set, a single lower-case
// word of six letters or more that no list names is a password (see
// checkCommandPassword).
func judgePassword(user, pass string, loginWord bool) string {
	lp := strings.ToLower(pass)
	if len(pass) < 4 {
		return "password too short"
	}
	if d, ok := propertiesUnescaped(pass); ok {
		// A .properties file spells a label's letters beyond Latin-1 in
		// \uXXXX escapes and escapes its colon (ZAP's Messages_pl_PL:
		// options.cert.label.password = Has\u0142o, Contrase\u00f1a\:):
		// judge the text the program reads, without the label's colon.
		if r := judgePassword(user, strings.TrimRight(d, ":"), loginWord); r != "" {
			return r + " (read as a .properties value)"
		}
	}
	// Test fixtures spell their fake passwords with escapes and digits
	// ("pa%2Fssword", "p@ssw0rd", "My%20Pass", "pwd3"): compare a folded form.
	if folded := foldPassword(pass, true); folded != "" {
		// p@ss!word/123: the ! that stands for an i elsewhere is a
		// separator here; fold both readings.
		spaced := foldPassword(strings.ReplaceAll(unescaped(pass), "!", ""), true)
		for _, w := range foldedWeak {
			if strings.Contains(folded, w) || strings.Contains(spaced, w) {
				return "weak or fixture password (" + w + ")"
			}
		}
		// URL-parsing tests misspell it on purpose ("pa%3Fsword").
		if oneEditApart(folded, "password") {
			return "fixture password (the word password, one letter changed)"
		}
	}
	if plain := foldPassword(pass, false); plain != "" {
		if trimmed := strings.TrimRight(plain, "0123456789"); len(trimmed) < len(plain) {
			for _, w := range commonPasswords {
				if trimmed == w {
					return "default password " + w + " with a number"
				}
			}
		}
	}
	if len(pass) <= 6 && strings.Trim(pass, "0123456789") == "" {
		return "a short number (1234), a fixture's"
	}
	if passwordHashRE().MatchString(pass) {
		// Django's stored form (md5$seasalt$1e9b…, pbkdf2_sha256$…): what a
		// password hashes to, in a users fixture.
		return "a password hash (algorithm$salt$hash), not the password"
	}
	if upperPlaceholder(pass) {
		return "placeholder in capitals (KEY:DOMAIN@, api:ACCESS_KEY)"
	}
	if cjkText(pass) {
		return "text in a CJK script (a translated message), not a password"
	}
	if foreignWord(pass) {
		return "a word in letters beyond ASCII (a translation: Password=Lösenord), not a password"
	}
	if w, ok := weakPasswordDigests()[lp]; ok {
		// An encoder test's expected hash: matches(PASSWORD, <its MD5>).
		return "the MD5/SHA digest of a default password (" + w + ")"
	}
	if strings.EqualFold(user, pass) {
		return "password equals user name"
	}
	if emailRE().MatchString(pass) {
		return "an email address (the anonymous-login convention), not a password"
	}
	if strings.HasSuffix(pass, "@") && lettersOnlyString(pass[:len(pass)-1]) {
		// busybox@, mozilla@: what FTP clients send as an anonymous login's
		// password, an email address cut at the @.
		return "an anonymous FTP password (name@), not a password"
	}
	if len(pass) <= 12 && lowerLettersOnly(pass) && (!loginWord || len(pass) < 6) {
		return "a single lower-case word (ignored, anonymous): a fixture's placeholder"
	}
	if len(pass) <= 12 && !loginWord && twoLowerWords(pass) {
		// pass@host, open-sesame, my_secret: a test's label for a password,
		// held to the single word's standard.
		return "two lower-case words (pass@host): a fixture's placeholder"
	}
	if loginWord && lowerLettersOnly(pass) {
		// The word a command's documentation puts after -p: adminpwd,
		// userlogin, domainpass, mypw.
		for _, w := range []string{"pwd", "pass", "admin", "user", "login", "word", "mypw"} {
			if strings.Contains(pass, w) {
				return "a placeholder word for a password (" + w + ")"
			}
		}
	}
	if plain := foldPassword(pass, false); plain != "" && (metasyntactic(plain) || metasyntactic(alnumLower(pass))) {
		// (bar%bar, a URL's bar%25bar decoded once, is no escape to undo.)
		return "fixture password (foo, bar, baz)"
	}
	if plain := foldPassword(pass, false); plain != "" {
		// abc123FOO: a default password with a metasyntactic word added.
		rest := plain
		for _, w := range []string{"quux", "foo", "bar", "baz", "qux"} {
			rest = strings.ReplaceAll(rest, w, "")
		}
		if rest != plain && rest != "" {
			trimmed := strings.TrimRight(rest, "0123456789")
			for _, w := range commonPasswords {
				if rest == w || trimmed == w {
					return "fixture password (" + w + " and foo, bar, baz)"
				}
			}
		}
	}
	if len(user) >= 3 && strings.Contains(lp, strings.ToLower(user)) {
		return "fixture password (it spells the user name)"
	}
	// baduser:badpass, cacheuser:cachepass, pass%20pass: a fixture spells
	// its password as a word ending in pass, in leetspeak too (new-pa$s).
	for _, leet := range []bool{false, true} {
		if plain := foldPassword(pass, leet); plain != "" && len(plain) <= 12 && lettersOnlyString(plain) && strings.HasSuffix(plain, "pass") {
			return "fixture password (a word ending in pass)"
		}
	}
	for _, w := range commonPasswords {
		if lp == w {
			return "default password " + w
		}
	}
	for _, w := range passwordStopwords {
		if strings.Contains(lp, w) {
			return "stopword " + w
		}
	}
	if r := Placeholder([]byte(pass)); r != "" {
		return "placeholder (" + r + ")"
	}
	if u, err := pathUnescape(pass); err == nil && u != pass {
		// abc123%2Fdef456%2Fghi789 in a URL: the escapes hide the order.
		if r := Placeholder([]byte(u)); r != "" {
			return "placeholder (" + r + ")"
		}
	}
	for _, t := range []string{"%(", "%{", "%s", "{", "$"} {
		if strings.HasPrefix(pass, t) {
			return "template variable"
		}
	}
	if batchVariableRE().MatchString(pass) {
		return "template variable (a batch file's %VARIABLE%)"
	}
	return ""
}

// afterEquals reports a secret that follows '=' in its match: a query
// parameter's or a connection string's value, not a URL's userinfo.
func afterEquals(c *Candidate) bool {
	i := bytes.Index(c.Match, c.Secret)
	return i > 0 && c.Match[i-1] == '='
}

// checkURLPassword judges the password of scheme://user:password@host. The
// secret is the password; the user is read from the whole match.
func checkURLPassword(c *Candidate) (bool, string) {
	user := ""
	m := string(c.Match)
	if i := strings.Index(m, "://"); i >= 0 {
		rest := m[i+3:]
		if j := strings.IndexByte(rest, ':'); j >= 0 {
			user = rest[:j]
		}
	} else if u := connStringUserRE().FindStringSubmatch(m); u != nil {
		// An ADO.NET or ODBC connection string: User Id=…;Password=….
		user = u[1]
	} else if f := strings.Fields(m); len(f) > 0 {
		// A .netrc entry: machine HOST login USER password PASS.
		for i := 0; i+1 < len(f); i++ {
			if f[i] == "login" || f[i] == "account" {
				user = f[i+1]
			}
		}
	}
	if b := c.Secret; len(b) > 0 && (b[0] == '?' || b[0] == '&') && bytes.Contains(c.Match, []byte("://")) && !afterEquals(c) {
		// mongodb://user:?collection=a@host: a query string where the
		// password would be, in a URL-parsing test. (A parameter's value,
		// ?user=app&password=?Eqp?_lVjvyATjuX5D, may start with '?'.)
		return false, "url-password: a query string, not a password"
	}
	if strings.Count(user, "-") >= 1 && strings.Count(string(c.Secret), "-") >= 1 &&
		wordsIdentifier([]byte(user)) && wordsIdentifier(c.Secret) {
		// https://login-user-name:personal-access-token@github.com/…: both
		// halves name what goes there.
		return false, "url-password: placeholder (a user and a password spelt as names of words)"
	}
	if afterTemplateOpen(c) {
		return false, "url-password: a template expression ({{ var }}), not a password"
	}
	if hostPortThenFields(user, c.Secret) {
		// url=http://amqp.example.org:15672,queue=telegraf,node=rabbit@amqp…
		// (InfluxDB line protocol): a URL with no user ends at the comma,
		// and the @ is a later field's.
		return false, "url-password: a host and its port, then other fields (host:15672,queue=…@), not a user and a password"
	}
	pass := string(c.Secret)
	if strings.EqualFold(pass, "x-oauth-basic") {
		// GitHub's fixed password for a token given as the URL's user
		// name. The token is the secret: a name for one (TOKEN,
		// YOUR_GITHUB_TOKEN: shorter than any GitHub token, or no digit)
		// or a made-up one (ghp_1234567890abcdef…) makes the URL a
		// document's or a test's.
		if len(user) < 20 || !strings.ContainsAny(user, "0123456789") {
			return false, "url-password: x-oauth-basic after a name for a token, not a token"
		}
		if r := Placeholder([]byte(user)); r != "" {
			return false, "url-password: x-oauth-basic after a made-up token as the user name (" + r + ")"
		}
	}
	if bytes.Contains(c.Match, []byte("://")) {
		decoded, reason := urlUserinfoPassword(pass)
		if reason != "" {
			return false, "url-password: " + reason
		}
		if decoded != pass {
			// Judge what the URL's parser would hand the server: c%20d is
			// "c d", pa%24s is "pa$s".
			if reason := weakPassword(user, decoded); reason != "" {
				return false, "url-password: " + reason + " (percent-decoded)"
			}
		}
	}
	if reason := weakPassword(user, pass); reason != "" {
		if hostedWeakPassword(user, pass, c.Match) {
			c.SetAttr("weak_password", "true")
			return true, ""
		}
		return false, "url-password: " + reason
	}
	return true, ""
}

// hostedWeakPassword reports whether a URL's default credentials, its
// password the user name (admin:admin, root:root), are still a credential
// because of where the URL points: a hosted database's or application
// platform's own domain (herokuapp.com, mongodb.net, rds.amazonaws.com). A
// test or a tutorial writes localhost, a compose service or example.com;
// a URL at a real hosted instance is one somebody connected to, and an
// instance left on its defaults is the worst kind to leak (trufflehog's
// test_keys holds one that logs in). Weaker evidence of a real password
// (hunter2, contoso, passw0rd at cluster0.something.mongodb.net) is what
// tutorials write, and stays dropped; so do a stand-in pair
// (user:user), an anonymous login, a host under an example label, and what
// the placeholder test or stored-password refuses.
func hostedWeakPassword(user, pass string, match []byte) bool {
	if !strings.EqualFold(user, pass) {
		return false
	}
	host := urlHost(match)
	if host == "" || strings.Contains(host, "example") {
		return false
	}
	hosted := false
	for _, s := range hostedServiceDomains {
		if host == s || strings.HasSuffix(host, "."+s) {
			hosted = true
			break
		}
	}
	if !hosted {
		return false
	}
	// (The user is the password: one list for both.)
	switch strings.ToLower(pass) {
	case "pass", "password", "passwd", "pwd", "secret", "token", "changeme",
		"anonymous", "ftp", "guest", "user", "username", "name", "login":
		return false
	}
	if Placeholder([]byte(pass)) != "" {
		return false
	}
	ok, _ := checkStoredPassword(&Candidate{Secret: []byte(pass)})
	return ok
}

// urlHost returns the lower-cased host of the first URL in m, after its
// userinfo's last @, or "".
func urlHost(m []byte) string {
	i := bytes.Index(m, []byte("://"))
	if i < 0 {
		return ""
	}
	rest := m[i+3:]
	if end := bytes.IndexAny(rest, "/?#\"'<> \t\r\n"); end >= 0 {
		rest = rest[:end]
	}
	at := bytes.LastIndexByte(rest, '@')
	if at < 0 {
		return ""
	}
	host := rest[at+1:]
	if c := bytes.IndexByte(host, ':'); c >= 0 {
		host = host[:c]
	}
	return strings.ToLower(string(host))
}

// hostedServiceDomains are domains under which only hosted databases,
// message brokers and application platforms live (a host there is a real
// instance): hostedWeakPassword.
var hostedServiceDomains = []string{
	"herokuapp.com", "mongolab.com", "mlab.com", "mongodb.net", "rds.amazonaws.com",
	"cache.amazonaws.com", "compute.amazonaws.com", "compute-1.amazonaws.com",
	"database.windows.net", "database.azure.com", "cosmos.azure.com", "redis.cache.windows.net",
	"servicebus.windows.net", "azurewebsites.net", "cloudapp.net", "cloudapp.azure.com",
	"redislabs.com", "redis-cloud.com", "redns.redis-cloud.com", "elephantsql.com", "cleardb.net",
	"compose.io", "composedb.com", "aivencloud.com", "db.ondigitalocean.com", "render.com",
	"rlwy.net", "railway.app", "supabase.co", "supabase.com", "neon.tech", "psdb.cloud",
	"upstash.io", "cockroachlabs.cloud", "tsdb.cloud.timescale.com", "cloudamqp.com",
	"firebaseio.com", "fly.dev",
}

// urlUserinfoPassword percent-decodes the password of a URL's userinfo and
// says why it is a URL parser's test input rather than a password, or "".
// URL-parsing tests (WHATWG's urltestdata, okhttp's and Symfony's own) fill
// the userinfo with what a parser must escape or reject: a bracket, a
// backslash escape (\uD83D), an invalid escape (nota%hex), escaped control
// characters (c%0D%0A%09d), or only escaped delimiters and symbols
// (%3D%5B%5D%3A…, an emoji). A password someone logs in with holds letters
// or digits, and a URL that carries it is one a parser accepts.
func urlUserinfoPassword(pass string) (string, string) {
	if strings.ContainsAny(pass, "[]\\") {
		return "", "a bracket or backslash in the userinfo (a URL parser's test input), not a password"
	}
	decoded := pass
	if strings.IndexByte(pass, '%') >= 0 {
		u, err := pathUnescape(pass)
		if err != nil {
			return "", "an invalid percent escape (a URL parser's test input), not a password"
		}
		decoded = u
	}
	alnum := 0
	for i := 0; i < len(decoded); i++ {
		b := decoded[i]
		if b < 0x20 || b == 0x7f {
			return "", "escaped control characters (a URL parser's test input), not a password"
		}
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' {
			alnum++
		}
	}
	if !utf8.ValidString(decoded) {
		return "", "escapes that decode to no text (a URL parser's test input), not a password"
	}
	if alnum < 4 && decoded != pass {
		return "", "fewer than four letters or digits once decoded (a URL parser's test input), not a password"
	}
	return decoded, ""
}

// connStringUserRE is a connection string's user (User Id=, UID=, User=).
var connStringUserRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(?:^|;)\s*(?:user id|userid|uid|user|username)\s*=\s*([^;"'\s]+)`)
})

// afterTemplateOpen reports a secret that the line opens a template
// expression just before ({{ subversion_server_dir + … }} in an Ansible task):
// a variable's name.
func afterTemplateOpen(c *Candidate) bool {
	i := bytes.Index(c.Line, c.Secret)
	if i < 0 {
		return false
	}
	pre := bytes.TrimRight(c.Line[:i], " \t")
	return bytes.HasSuffix(pre, []byte("{{")) || bytes.HasSuffix(pre, []byte("{%"))
}

// commandUserRE is the user a command line logs in as (-u USER, -u
// DOMAIN\USER): the password is compared with its last part.
var commandUserRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[ \t]-u[ \t]+(?:[^\s\\]*\\+)?([^\s\\]+)`) })

// checkCommandPassword judges the password of a remote-execution command
// line that names its account (psexec \\host -u Administrator -p
// braksha). It is url-password's judgement with one difference: a single
// lower-case word is a password here. In a URL such a word is the
// anonymous-login convention or a fixture's stand-in (ftp://anonymous:guest@,
// user:pass@); a command that runs a program as an account on another machine
// has neither, and people do log in with a word. Short words (pass, abc),
// the lists of defaults and stopwords, and template variables still drop.
func checkCommandPassword(c *Candidate) (bool, string) {
	user := ""
	if m := commandUserRE().FindSubmatch(c.Match); m != nil {
		user = string(m[1])
	}
	if reason := judgePassword(user, string(c.Secret), true); reason != "" {
		return false, "command-password: " + reason
	}
	return true, ""
}

// checkShortPasswordEntropy holds a password of nine characters or more to
// 2.8 bits a character and one of eight to 2.7: eight characters reach 3.0
// only when all differ, so 2.8 would drop every eight-character password
// that repeats one (4ian1234), however chosen. The rule's own entropy floor
// is the 2.7.
func checkShortPasswordEntropy(c *Candidate) (bool, string) {
	if len(c.Secret) > 8 && Entropy(c.Secret) < 2.8 {
		return false, "entropy below floor"
	}
	return true, ""
}

// bcryptInRE finds a bcrypt hash inside a value.
var bcryptInRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\$2[abxy]?\$[0-9]{2}\$[./A-Za-z0-9]{53}`)
})

// labelTranslation reports a value of letters, hyphens and spaces under a
// quoted key that holds a space ("Reset password" : "Jelszó-visszaállítás"):
// a localisation file maps UI text to UI text, and configuration keys do
// not have spaces.
func labelTranslation(c *Candidate) bool {
	for _, r := range string(c.Secret) {
		if !unicode.IsLetter(r) && r != '-' && r != ' ' {
			return false
		}
	}
	i := bytes.Index(c.Line, c.Secret)
	if i < 0 {
		return false
	}
	// The key is the last quoted string before the value's own quote.
	pre := bytes.TrimRight(c.Line[:i], " \t\"'")
	pre = bytes.TrimRight(pre, " \t:=>,")
	if len(pre) == 0 || pre[len(pre)-1] != '"' && pre[len(pre)-1] != '\'' {
		return false
	}
	q := pre[len(pre)-1]
	j := bytes.LastIndexByte(pre[:len(pre)-1], q)
	return j >= 0 && bytes.ContainsRune(pre[j+1:len(pre)-1], ' ')
}

// shellPWD reports a match on $PWD or ${PWD}: the shell's working
// directory, compared or printed, not a password.
func shellPWD(c *Candidate) bool {
	i := bytes.Index(c.Line, c.Match)
	if i < 0 {
		return false
	}
	// The match may start with the byte before the keyword.
	for k := i; k < i+2 && k+3 <= len(c.Line); k++ {
		if bytes.EqualFold(c.Line[k:k+3], []byte("pwd")) && k > 0 {
			return c.Line[k-1] == '$' || c.Line[k-1] == '{' && k >= 2 && c.Line[k-2] == '$'
		}
	}
	return false
}

// lowerWordDigits reports lower-case letters, then digits if any (user2).
func lowerWordDigits(s string) bool {
	t := strings.TrimRight(s, "0123456789")
	return t != "" && lowerLettersOnly(t)
}

// urlHostRE matches "@host" and what follows it in a URL.
var urlHostRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[a-z]{2,}(?:[:/].*)?$`)
})

// lookupPluginPair reports a match whose quoted name is the first argument
// of an Ansible lookup or query ({{ lookup('laps_password', 'WINDOWS-PC') }}):
// the name is a plugin's and the next string is its term, not a password.
func lookupPluginPair(c *Candidate) bool {
	i := bytes.Index(c.Line, c.Match)
	if i < 0 {
		return false
	}
	pre := c.Line[:i]
	// Back over the name's own characters and its opening quote.
	j := len(pre)
	for j > 0 && (isIdentByte(pre[j-1]) || pre[j-1] == '\'' || pre[j-1] == '"') {
		j--
	}
	pre = bytes.TrimRight(pre[:j], " \t")
	return bytes.HasSuffix(pre, []byte("lookup(")) || bytes.HasSuffix(pre, []byte("query("))
}

// kdfArgumentPair reports a match whose bare quoted word is the first
// argument of a key-derivation call (string2key("password",
// "ATHENA.MIT.EDUraeburn", 1200), pbkdf2("password", "saltSALT…"),
// Encryptors.standard("password", "5c0744940b5c369b")): the word is the
// password of a test vector, and the string after it is the salt, not a
// password's value.
func kdfArgumentPair(c *Candidate) bool {
	i := bytes.Index(c.Line, c.Match)
	if i < 0 {
		return false
	}
	// The match may start with the byte before the keyword (its quote).
	for k := 0; k < 2 && k < len(c.Match) && !isIdentByte(c.Match[k]); k++ {
		i++
	}
	pre := c.Line[:i]
	j := len(pre)
	for j > 0 && isIdentByte(pre[j-1]) {
		j--
	}
	if !bareQuotedWord(c.Line, j) {
		return false
	}
	pre = bytes.TrimRight(pre[:j-1], " \t")
	if len(pre) == 0 || pre[len(pre)-1] != '(' {
		return false
	}
	k := len(pre) - 1
	for k > 0 && (isIdentByte(pre[k-1]) || pre[k-1] == '.') {
		k--
	}
	return kdfCallRE().Match(bytes.ToLower(pre[k : len(pre)-1]))
}

// kdfCallRE matches the name of a call that derives a key from a password
// and a salt, as its test vectors call it.
var kdfCallRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:string2key|string_to_key|s2k|pbkdf2\w*|scrypt\w*|argon2\w*|hkdf\w*|kdf|derive_?key\w*|encryptors\.\w+)$`)
})

// checkNotElided drops a key whose text the match shows running into an
// ellipsis (MIIEowIABAKCAQEAqKpR…fvY4+te in API documentation): a key cut
// short for the page, not a key. The rule's regex takes the ellipsis into
// its match when it follows the secret.
func checkNotElided(c *Candidate) (bool, string) {
	if bytes.HasSuffix(c.Match, []byte("...")) || bytes.HasSuffix(c.Match, []byte("…")) {
		return false, "not-elided: the key runs into an ellipsis (shortened for documentation)"
	}
	return true, ""
}

// checkPassword is the filter for generic password assignments: it drops
// defaults, placeholders, stopwords and code references, and values too
// simple to be a generated or chosen secret (a single character class).
func checkPassword(c *Candidate) (bool, string) {
	s := string(c.Secret)
	if strings.Count(s, `\u`) >= 2 {
		return false, "password: text in \\u escapes (a message in a .properties file)"
	}
	if validationRulesRE().MatchString(s) {
		return false, "password: validation rules (required|confirmed), not a password"
	}
	if strings.Contains(s, "…") {
		// '1|$2a$05$…': a value cut short with an ellipsis is quoted in
		// prose or a comment, not written where a program reads it.
		return false, "password: elided with an ellipsis, not a value"
	}
	if ok, reason := checkNotCode(c); !ok {
		return false, reason
	}
	if reason := codeShapedPassword(s); reason != "" {
		return false, "password: " + reason
	}
	if reason := weakPassword("", s); reason != "" {
		return false, "password: " + reason
	}
	if describesOwnName(c) {
		return false, "password: placeholder (the value describes itself by its name: passphrase: pkcs12passphrase)"
	}
	if len(s) < 8 {
		return false, "password: shorter than 8 characters"
	}
	var lower, upper, digit, other bool
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 2 {
		return false, "password: a single character class (a word or a number)"
	}
	if classes == 2 && !digit && isIdentifier(s) {
		return false, "password: an identifier, not a value"
	}
	if !digit && sentenceWord(s) {
		return false, "password: a word ending a sentence (prose after the word password)"
	}
	if bcryptInRE().MatchString(s) {
		// ['password', '1|$2a$05$…', true]: a hasher test's stored hash,
		// behind a version prefix the bcrypt rule's boundary does not take.
		return false, "password: holds a bcrypt hash, not a password"
	}
	if labelTranslation(c) {
		return false, "password: a label's translation (\"SMTP Password\": \"SMTP-pasvorto\"), not a password"
	}
	if (strings.Contains(s, "_") || strings.HasPrefix(s, "$")) && isIdentifier(strings.TrimPrefix(s, "$")) && wordsIdentifier(c.Secret) {
		// password = google_oauth2_access_token; in a source map's names,
		// password…_handleInputEvent: a variable or a method, not a value.
		return false, "password: an identifier made of words (a variable or a method), not a value"
	}
	if shellPWD(c) {
		return false, "password: $PWD is the shell's working directory, not a password"
	}
	if w := wordBeforePassword(c); notBeforePassword[w] {
		return false, "password: the name is " + w + "Password, not a password's"
	}
	if u, p, ok := strings.Cut(s, ":"); ok && len(u) <= 8 && len(p) <= 8 && lowerWordDigits(u) && lowerWordDigits(p) {
		// Users: []string{"user:pwd", "user2:pwd2"}: a user:password
		// pair spelt as the words for them.
		return false, "password: a user:password pair spelt as words"
	}
	if u, p, ok := strings.Cut(s, ":"); ok && len(u) <= 16 && lowerWordDigits(u) {
		// CURLOPT_PROXYUSERPWD => 'frodo:one_ring': judge the password
		// of a user:password pair on its own, beside its user, and as
		// curl hands it over, percent-decoded ('user:p%40ss').
		if reason := weakPassword(u, p); reason != "" {
			return false, "password: a user:password pair whose password is " + reason
		}
		if d := unescaped(p); d != p {
			if reason := weakPassword(u, d); reason != "" {
				return false, "password: a user:password pair whose password is " + reason + " (percent-decoded)"
			}
		}
	}
	if u := argumentBefore(c); u != "" && strings.HasPrefix(s, u+":") && lowerWordsColons(s[len(u)+1:]) {
		// wc.login("alice", "alice:development:us"): a test realm's
		// password that lists its user and the user's groups.
		return false, "password: the user " + strconv.Quote(u) + " and lower-case words after it (a test realm's user:group list), not a password"
	}
	if sqlValuesPair(c) {
		return false, "password: a SQL row's values ('password', '…'): the word is one column's value and the next another's, not a name and its value"
	}
	if concatenatedPrefix(c) {
		return false, "password: the start of a string built by concatenation (\"invalid-\" + gen.password()), not a password"
	}
	if y, ok := uuidV1Year(c.Secret); ok && y < 2005 {
		return false, "password: a time-based (version 1) UUID from " + strconv.Itoa(y) + ", a published schema or interface GUID, not a generated password"
	}
	if passkeyProviderID(c) {
		return false, "password: a password manager's name and a UUID (a passkey provider's AAGUID), not a password"
	}
	if entryNamedPasswords(c) {
		return false, "password: a fixture's logins, each password spelling its own entry's name (GitLab's G1tLab2024), not a vault's"
	}
	if openAPIDocumentation(c) {
		return false, "password: documentation inside an OpenAPI/Swagger definition (a description or example), not configuration"
	}
	if kdfArgumentPair(c) {
		return false, "password: a key-derivation call's password and salt (string2key(\"password\", salt)), not a name and its value"
	}
	if lookupPluginPair(c) {
		return false, "password: the argument after a lookup plugin's name (lookup('laps_password', 'WINDOWS-PC')), not a key's value"
	}
	if urlHostRE().MatchString(s) {
		// https://<username>:<password>@github.com/…: the host after a
		// password's placeholder.
		return false, "password: the host part of a URL, not a password"
	}
	if strings.HasSuffix(s, "/") && lettersOnlyString(strings.TrimRight(s, "/")) {
		// lookup('password', 'credentials/' + client + …): a directory.
		return false, "password: a directory's name (word/), not a password"
	}
	return true, ""
}

// lowerWordsColons reports lower-case words separated by colons
// (development:us).
func lowerWordsColons(s string) bool {
	for _, w := range strings.Split(s, ":") {
		if !lowerLettersOnly(w) {
			return false
		}
	}
	return true
}

// argumentBeforeRE matches a quoted argument, a comma and the opening
// quote of the next: the user before a login call's password. findBounded
// keeps the arguments of 3 to 64 characters.
var argumentBeforeRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`["']([^"'\s]+)["']\s*,\s*["']$`)
})

// argumentBefore returns the quoted argument right before the password in
// its match (.login("alice", "…"): the user), or "" when there is none or
// it names the password (setProperty("password", …), define('DB_PASSWORD', …)).
func argumentBefore(c *Candidate) string {
	i := bytes.Index(c.Match, c.Secret)
	if i <= 0 {
		return ""
	}
	ms := findBounded(argumentBeforeRE(), c.Match[:i], 3, 64, 1)
	if ms == nil {
		return ""
	}
	u := string(c.Match[ms[0][2]:ms[0][3]])
	l := strings.ToLower(u)
	for _, w := range []string{"pass", "pwd", "secret", "key", "token", "cred", "auth"} {
		if strings.Contains(l, w) {
			return ""
		}
	}
	return u
}

// sqlValuesPair reports a match that reads 'password', '…' as a name and
// its value inside a SQL VALUES list (Kratos's migration test data: a
// flow's active method 'password', then its CSRF token or an ID). There
// the word is a column's value. Only the bare word quoted: a settings
// table's ('smtp_password', '…') names the password in its next column.
func sqlValuesPair(c *Candidate) bool {
	i := bytes.Index(c.Match, c.Secret)
	at := bytes.Index(c.Line, c.Match)
	if i < 0 || at < 0 || !bareQuotedWord(c.Line, at+len(c.Match[:i])-len(bytes.TrimLeft(c.Match[:i], "'\"`"))) {
		return false
	}
	sep := bytes.TrimLeft(bytes.TrimLeft(c.Match[:i], "'\"`"), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	if !bytes.Contains(sep, []byte(",")) || bytes.ContainsAny(sep, "=:") {
		return false
	}
	if sqlValuesRE().Match(c.Line[:at]) {
		return true
	}
	// A row continued over lines: VALUES ( on a line above, and no ; to
	// end the statement between it and this value.
	if c.Text == nil || c.At < 0 || c.At > len(c.Text) {
		return false
	}
	before := c.Text[max(0, c.At-sqlValuesReach):c.At]
	locs := sqlValuesRE().FindAllIndex(before, -1)
	return len(locs) > 0 && !bytes.ContainsRune(before[locs[len(locs)-1][1]:], ';')
}

// bareQuotedWord reports whether the word starting at line[at] is quoted
// on its own: 'password', not 'smtp_password' or 'db.password'.
func bareQuotedWord(line []byte, at int) bool {
	if at < 1 || at > len(line) || !strings.ContainsRune("'\"`", rune(line[at-1])) {
		return false
	}
	end := at
	for end < len(line) && (line[end] >= 'a' && line[end] <= 'z' || line[end] >= 'A' && line[end] <= 'Z') {
		end++
	}
	return end > at && end < len(line) && line[end] == line[at-1]
}

// sqlValuesReach bounds how far back sqlValuesPair looks for a VALUES list
// that a row continues: a multi-line row is a few lines long.
const sqlValuesReach = 2048

// sqlValuesRE matches a SQL VALUES list's opening.
var sqlValuesRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\bvalues\s*\(`)
})

// hostPortThenFields reports a URL's "user" that is a host name (dotted,
// or localhost) and a "password" that starts with a port number and a
// field separator (, ; &): the URL had no user and ended at the port, and
// the @ that made it look like one belongs to text after it.
func hostPortThenFields(user string, pass []byte) bool {
	if user != "localhost" && !dottedHostRE().MatchString(user) {
		return false
	}
	i := 0
	for i < len(pass) && i < 6 && pass[i] >= '0' && pass[i] <= '9' {
		i++
	}
	return i >= 1 && i <= 5 && i < len(pass) && (pass[i] == ',' || pass[i] == ';' || pass[i] == '&')
}

// dottedHostRE matches a dotted host name whose last label is letters.
var dottedHostRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$`)
})

// concatenatedPrefix reports a quoted value ending in a separator and
// joined by + or PHP's . to what follows ("invalid-" + gen.password(),
// "user_" + id, 'confirmed|'.Setting::passwordComplexityRulesSaving(…)):
// the start of a string built at run time.
func concatenatedPrefix(c *Candidate) bool {
	s := c.Secret
	if len(s) == 0 || !bytes.ContainsRune([]byte("-_:/.|"), rune(s[len(s)-1])) {
		return false
	}
	at := bytes.Index(c.Line, c.Secret)
	if at < 0 {
		return false
	}
	rest := c.Line[at+len(s):]
	if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' && rest[0] != '`' {
		return false
	}
	rest = bytes.TrimLeft(rest[1:], " \t")
	if len(rest) > 1 && rest[0] == '.' {
		// PHP's concatenation ('user_'.$id, 'a|' . Setting::rules()), or
		// a method of the string ("prefix-".repeat(3)): not .5 or ...
		n := bytes.TrimLeft(rest[1:], " \t")
		return len(n) > 0 && (n[0] == '$' || n[0] == '\\' || n[0] == '_' || n[0] >= 'A' && n[0] <= 'Z' || n[0] >= 'a' && n[0] <= 'z')
	}
	return len(rest) > 1 && rest[0] == '+' && rest[1] != '+' && rest[1] != '='
}

// uuidV1Year returns the year a version-1 (time-based) UUID was made in.
// Active Directory's control access rights and schema attributes and COM's
// interfaces are such GUIDs, made in the 1990s on Microsoft's machines
// (impacket's ResetPassword = "00299570-246d-11d0-a768-00aa006e0529", the
// User-Force-Change-Password right): published identifiers a tool names
// after the right. A password generated as a UUID is a version 4 one, and a
// version-1 UUID made today says 20xx.
func uuidV1Year(s []byte) (int, bool) {
	if !uuidRE().Match(s) || s[14] != '1' {
		return 0, false
	}
	low, err1 := strconv.ParseUint(string(s[0:8]), 16, 32)
	mid, err2 := strconv.ParseUint(string(s[9:13]), 16, 16)
	high, err3 := strconv.ParseUint(string(s[15:18]), 16, 16)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, false
	}
	// 100-nanosecond intervals since 1582-10-15, the Gregorian reform.
	ticks := high<<48 | mid<<32 | low
	const gregorianToUnix = 12219292800
	secs := int64(ticks/10_000_000) - gregorianToUnix
	return time.Unix(secs, 0).UTC().Year(), true
}

// passwordManagers are the names a passkey provider table (Outline's
// passkeys.ts, after the passkey-authenticator-aaguids list) keys its
// AAGUIDs by, lower-cased with separators dropped.
var passwordManagers = map[string]bool{
	"lastpass": true, "nordpass": true, "protonpass": true, "applepasswords": true, "ipasswords": true,
	"keepass": true, "keepassxc": true, "keepassdx": true, "onepassword": true, "1password": true,
	"bitwarden": true, "dashlane": true, "enpass": true, "roboform": true, "keeper": true, "passbolt": true,
	"googlepasswordmanager": true, "chromeonmac": true, "windowshello": true, "icloudkeychain": true,
	"samsungpass": true, "strongbox": true, "kaspersky": true, "norton": true, "avgpasswordmanager": true,
}

// passkeyProviderID reports a UUID assigned to a password manager's name
// (LastPass = "b78a0a55-…", ApplePasswords = "fbfc3007-…"): an
// authenticator's AAGUID, public by design.
func passkeyProviderID(c *Candidate) bool {
	if !uuidRE().Match(c.Secret) {
		return false
	}
	name, ok := assignedName(c)
	if !ok {
		return false
	}
	n := strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == '.' {
			return -1
		}
		return r
	}, strings.ToLower(string(name)))
	return passwordManagers[n]
}

// entryReach bounds how far entryNamedPasswords looks for the braces of the
// entry around a password, and for the entries beside it: a password
// manager's item is a few dozen lines.
const entryReach = 1500

// entryNamedPasswords reports a password that spells, in leetspeak or not,
// the name or address of the JSON entry it belongs to (GitLab Self-Hosted's
// GlabSelf-H0st3d2024), beside another entry
// whose password does the same: a password manager's seed or importer
// fixture, each fictional login's password made from its own label so a
// tester recognises it. A person's vault holds generated passwords, and a
// configuration's password (sftp.json's one server) has no such
// neighbour; both are still reported.
func entryNamedPasswords(c *Candidate) bool {
	if c.Text == nil || c.At < 0 || c.At+len(c.Secret) > len(c.Text) {
		return false
	}
	lo, hi, ok := entryNamed(c.Text, c.At, len(c.Secret))
	if !ok {
		return false
	}
	// The nearest password before the entry and the nearest after it.
	before := c.Text[max(0, lo-entryReach):lo]
	if ms := findBounded(jsonPasswordRE(), before, 4, 128, -1); len(ms) > 0 {
		m := ms[len(ms)-1]
		if _, _, ok := entryNamed(c.Text, lo-len(before)+m[2], m[3]-m[2]); ok {
			return true
		}
	}
	after := c.Text[hi:min(len(c.Text), hi+entryReach)]
	if ms := findBounded(jsonPasswordRE(), after, 4, 128, 1); len(ms) > 0 {
		if m := ms[0]; func() bool { _, _, ok := entryNamed(c.Text, hi+m[2], m[3]-m[2]); return ok }() {
			return true
		}
	}
	return false
}

// entryNamed reports whether the password text[at:at+n] spells a word of
// three letters or more (AWS, npm) of a label (name, title) or address (uri, url) of
// the object around it, or of the object that holds that one (Bitwarden's
// item around its login); lo and hi bound the object the label was found
// in.
func entryNamed(text []byte, at, n int) (lo, hi int, ok bool) {
	pass := string(text[at : at+n])
	folded := []string{leetFold(pass, 'i'), leetFold(pass, 'l')}
	for level := 1; level <= 2; level++ {
		lo, hi, ok := enclosingObject(text, at, level)
		if !ok {
			return 0, 0, false
		}
		in := text[lo:hi]
		for _, m := range findBounded(entryLabelRE(), in, 1, 200, -1) {
			for _, w := range strings.FieldsFunc(strings.ToLower(string(in[m[2]:m[3]])), func(r rune) bool { return r < 'a' || r > 'z' }) {
				if len(w) < 3 || addressBoilerplate[w] {
					continue
				}
				for _, f := range folded {
					if strings.Contains(f, w) {
						return lo, hi, true
					}
				}
			}
		}
	}
	return 0, 0, false
}

// addressBoilerplate are the words of a login address that name no site.
var addressBoilerplate = map[string]bool{
	"http": true, "https": true, "www": true, "html": true, "index": true, "com": true, "org": true, "net": true,
	"app": true, "api": true, "the": true, "and": true,
}

// leetFold lower-cases s and undoes leetspeak's digits and symbols
// (H0st3d, Pu11er, @), reading 1 as one, keeping letters only.
func leetFold(s string, one rune) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case '7':
			r = 't'
		case '1':
			r = one
		default:
			r = unleet(r)
		}
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unleet undoes the leetspeak substitutions foldPassword and leetFold
// both read: @ and 4 for a, 0 for o, 3 for e, $ and 5 for s.
func unleet(r rune) rune {
	switch r {
	case '@', '4':
		return 'a'
	case '0':
		return 'o'
	case '3':
		return 'e'
	case '$', '5':
		return 's'
	}
	return r
}

// enclosingObject returns the bounds of the level-th brace-delimited object
// around text[at] (1: the innermost), within entryReach bytes either side.
func enclosingObject(text []byte, at, level int) (lo, hi int, ok bool) {
	lo, depth := -1, 0
	for i := at - 1; i >= 0 && i >= at-entryReach; i-- {
		switch text[i] {
		case '}':
			depth++
		case '{':
			depth--
		}
		if depth == -level {
			lo = i
			break
		}
	}
	if lo < 0 {
		return 0, 0, false
	}
	depth = 0
	for i := at; i < len(text) && i < at+entryReach; i++ {
		switch text[i] {
		case '{':
			depth++
		case '}':
			depth--
		}
		if depth == -level {
			return lo, i + 1, true
		}
	}
	return 0, 0, false
}

// entryLabelRE matches a JSON string under a key that labels an entry or
// names the address it logs in at; findBounded keeps the values of 1 to 200
// characters.
var entryLabelRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`"(?i:name|title|uri|url|website|login_?uri)"\s*:\s*"([^"\n]+)"`)
})

// jsonPasswordRE matches a JSON password value; group 1 is the password.
// findBounded keeps the passwords of 4 to 128 characters.
var jsonPasswordRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`"(?i:password)"\s*:\s*"([^"\\\n]+)"`)
})

// findBounded returns up to n (n < 0: all) of the matches that re would
// find if its group 1, written as a repetition of one class with +, were
// bounded {lo,hi} characters instead: a bound compiles into that many
// copies of the class (entryLabelRE's {1,200} was 1.3 ms to compile, at
// the first JSON password of every scan). A match whose group is out of
// bounds is dropped and the search goes on from the byte after its start,
// as the bounded regex's would: nothing else changes, since the + loop
// takes the same characters as the bounded one up to the byte after them.
func findBounded(re *regexp.Regexp, b []byte, lo, hi, n int) [][]int {
	var out [][]int
	for at := 0; at <= len(b) && (n < 0 || len(out) < n); {
		m := re.FindSubmatchIndex(b[at:])
		if m == nil {
			break
		}
		if k := utf8.RuneCount(b[at+m[2] : at+m[3]]); k < lo || k > hi {
			at += m[0] + 1
			continue
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += at
			}
		}
		out = append(out, m)
		if m[1] > m[0] {
			at = m[1]
		} else {
			at = m[1] + 1
		}
	}
	return out
}

// openAPIDocumentation reports a value inside the documentation of an
// OpenAPI or Swagger definition: under an example or examples key, or in
// a description's block scalar (Docker's Engine API shows an auth
// configuration "For example:" in a header's description, copied into
// every API version's definition). No program reads a password there; it
// is shown to the reader. The definition is known by its top-level
// swagger: or openapi: key near the start of the file.
func openAPIDocumentation(c *Candidate) bool {
	if c.Text == nil || c.At < 0 || c.At > len(c.Text) {
		return false
	}
	// The regex, run for every password candidate of a file, cost a
	// secret-dense history (Kingfisher's) 5% of its detection; the words
	// it needs are looked for first.
	head := c.Text[:min(len(c.Text), 8192)]
	if !bytes.Contains(head, []byte("swagger")) && !bytes.Contains(head, []byte("openapi")) || !openAPIHeadRE().Match(head) {
		return false
	}
	// Walk back line by line from the value's line, to each line indented
	// less than those below it: the keys the value is nested in.
	end := bytes.LastIndexByte(c.Text[:c.At], '\n') + 1
	if m := openAPIKeyRE().FindSubmatch(c.Text[end:c.At]); m != nil && openAPIDocKey(string(m[1])) {
		// example: "{\"username\": \"…\", \"password\": \"…\"}"
		return true
	}
	indent := lineIndent(c.Text[end:])
	for n := 0; end > 0 && n < 200 && indent > 0; n++ {
		start := bytes.LastIndexByte(c.Text[:end-1], '\n') + 1
		line := c.Text[start : end-1]
		end = start
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		in := lineIndent(line)
		if in >= indent {
			continue
		}
		sibling := bytes.HasPrefix(line[in:], []byte("- ")) && in+2 >= indent
		indent = in
		if sibling {
			// "- description: Production" above "  url: …": the item's
			// first key is the value's sibling, not its parent; the item
			// is the parent.
			continue
		}
		m := openAPIKeyRE().FindSubmatch(line)
		if m == nil {
			continue
		}
		if openAPIDocKey(string(m[1])) {
			return true
		}
		if len(m[2]) > 0 {
			// Another key's block scalar: the value is its text.
			return false
		}
	}
	return false
}

// openAPIDocKey reports the keys of an OpenAPI definition whose values are
// shown to the reader: descriptions and examples.
func openAPIDocKey(k string) bool {
	switch k {
	case "description", "summary", "example", "examples", "x-example", "x-examples":
		return true
	}
	return false
}

// lineIndent counts the spaces that start line.
func lineIndent(line []byte) int {
	n := 0
	for n < len(line) && line[n] == ' ' {
		n++
	}
	return n
}

// openAPIHeadRE matches an OpenAPI or Swagger definition's version key.
var openAPIHeadRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^(?:swagger|openapi)[ \t]*:[ \t]*["']?[23]\.`)
})

// openAPIKeyRE matches a YAML mapping key at a line's start, and a block
// scalar's indicator (| or >) after it.
var openAPIKeyRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[ \t]*(?:- )?["']?([A-Za-z][A-Za-z0-9_-]*)["']?[ \t]*:(?:[ \t]*([|>][-+]?)[ \t]*$|[ \t]|$)`)
})

// codeShapedPassword says why a value under a password's name is a name
// from code or escaped markup rather than a password, or "": a dunder name
// (method_exists($credentials['password'], '__toString')), a member access
// with a snake_case part ('Args.password': 'MyResource.pulumi_type' in an
// error message), a comma-separated list of names (Checkstyle's
// value="VARIABLE_DEF,PARAMETER_DEF"), or XML entities for text an
// escaping test or an IDE's state file holds (a&lt;&amp;&gt;b,
// collec&#9;null&#9;null). A password is none of these shapes.
func codeShapedPassword(s string) string {
	if len(s) >= 3 && len(s) <= 18 && (strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X")) && strings.Trim(s[2:], "0123456789abcdefABCDEF") == "" {
		// NS_E_DRM_INVALID_SECURESTORE_PASSWORD = 0xC00D2751: an integer
		// literal (an HRESULT table's error code, a flag) under a
		// constant's name; a hex key is longer than 64 bits.
		return "a hexadecimal integer literal (an error code or a flag), not a password"
	}
	if strings.HasPrefix(s, "#/") {
		// password: "#/definitions/selfServiceAfterRegistrationMethod":
		// a JSON Schema reference.
		return "a JSON Schema reference (#/definitions/…), not a password"
	}
	if strings.HasPrefix(s, "__") && isIdentifier(s) {
		return "a dunder name (__toString), a language's magic method, not a password"
	}
	if parts := strings.Split(s, "."); len(parts) >= 2 && strings.Contains(s, "_") {
		member := true
		for _, p := range parts {
			member = member && isIdentifier(p) && len(p) <= 40 && !strings.ContainsAny(p, "0123456789")
		}
		if member {
			return "a member access (Class.attribute_name), not a password"
		}
	}
	if items := strings.Split(s, ","); len(items) >= 2 {
		list := true
		for _, it := range items {
			list = list && len(it) >= 3 && isIdentifier(it) && !strings.ContainsAny(it, "0123456789")
		}
		if list {
			return "a comma-separated list of names, not a password"
		}
	}
	if src, rest, ok := strings.Cut(s, ":"); ok && (src == "env" && isIdentifier(strings.TrimRight(rest, ".,:;)")) || src == "fd" && rest != "" && strings.Trim(rest, "0123456789") == "" || src == "file" && rest != "") {
		// OpenSSL reads a password from where its pass-phrase
		// argument names (env:VAR, file:PATH, fd:N): moby vendors such a command.
		return "an OpenSSL pass-phrase source (env:NAME, file:PATH, fd:N), where the password is, not the password"
	}
	if strings.Contains(s, "&#") || strings.Contains(s, "&lt;") || strings.Contains(s, "&gt;") || strings.Contains(s, "&amp;") || strings.Contains(s, "&quot;") {
		text := html.UnescapeString(s)
		alnum, lower := 0, 0
		for i := 0; i < len(text); i++ {
			b := text[i]
			if b < 0x20 || b == 0x7f {
				return "XML character references for control characters (&#9;), escaped text, not a password"
			}
			if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' {
				alnum++
			}
			if b >= 'a' && b <= 'z' {
				lower++
			}
		}
		if alnum < 4 {
			return "XML entities with fewer than four letters or digits between them (a&lt;&amp;&gt;b), escaped markup, not a password"
		}
		if lower == alnum {
			// password="&quot;bobby": an escaping test's quote before a
			// lower-case word, the word a fixture's as it would be bare.
			return "XML entities around lower-case letters only (&quot;bobby), an escaping test's markup, not a password"
		}
	}
	return ""
}

// notBeforePassword are words that, right before password in one
// identifier, make the name something other than a password's: an event
// hook's (Template.userSecurity.afterPassword => 'render…' names the method
// run after the password form) or 1Password's, the product
// (OnePassword = "<its passkey provider's AAGUID>").
var notBeforePassword = map[string]bool{"after": true, "before": true, "one": true}

// wordBeforePassword returns the word of the identifier that ends the
// match's name right before its password word (after in afterPassword), or
// "" when password starts the identifier.
func wordBeforePassword(c *Candidate) string {
	at := bytes.Index(c.Line, c.Match)
	if at < 0 {
		return ""
	}
	start, end := at, at
	for start > 0 && isIdentByte(c.Line[start-1]) {
		start--
	}
	for end < len(c.Line) && isIdentByte(c.Line[end]) {
		end++
	}
	words := identifierWords(c.Line[start:end])
	for i := 1; i < len(words); i++ {
		if words[i] == "password" || words[i] == "passwords" {
			return words[i-1]
		}
	}
	return ""
}

// sentenceWord reports whether s is one word of letters, lower case after an
// optional capital, followed by the punctuation that ends a sentence or a
// clause: "combination." in "choose a strong password combination.".
func sentenceWord(s string) bool {
	if len(s) < 2 || !strings.ContainsRune(".!?:,;", rune(s[len(s)-1])) {
		return false
	}
	w := s[:len(s)-1]
	for i, r := range w {
		switch {
		case r >= 'a' && r <= 'z':
		case i == 0 && r >= 'A' && r <= 'Z':
		default:
			return false
		}
	}
	return true
}

// checkNotCode drops values that are references to something else: template
// variables, environment lookups, function calls, member accesses and format
// verbs.
func checkNotCode(c *Candidate) (bool, string) {
	s := string(c.Secret)
	if t := bytes.TrimSpace(c.Secret); len(t) > 0 && templateVariable(t) {
		return false, "not-code: template variable"
	}
	switch {
	case strings.ContainsAny(s, "()[]{}"):
		return false, "not-code: a call, index or template"
	case strings.HasPrefix(s, "$") || strings.HasPrefix(s, "%(") || strings.HasPrefix(s, "%{"):
		return false, "not-code: variable"
	case (strings.HasPrefix(s, "@") || strings.HasPrefix(s, "!")) && isIdentifier(s[1:]) && !randomHumps([]string{s[1:]}):
		// (A random value may start with the sigil too: !lgZmm3WotEtMNLo
		// breaks into humps no annotation's or tag's name has.)
		return false, "not-code: annotation or YAML tag"
	case (strings.HasPrefix(s, "&") || strings.HasPrefix(s, "*")) && isIdentifier(s[1:]) && !randomHumps([]string{s[1:]}):
		// nxos_vtp_password: &configure, then *configure: a YAML anchor
		// and its alias.
		return false, "not-code: a YAML anchor or alias"
	case strings.Contains(s, "://") && urlSchemeRE().MatchString(s):
		// {"./foo", "/pwd", "file:///pwd/foo"}: a URL after a string that
		// ends in pwd.
		return false, "not-code: a URL, not a value"
	case strings.HasPrefix(s, "--") && cliFlagRE().MatchString(s):
		// ['update_password', '--username', …], --ask-pass --become: the
		// next flag of a command line.
		return false, "not-code: a command-line flag"
	case strings.HasPrefix(s, `\t`) || strings.HasPrefix(s, `\n`):
		// password  \trequired\tpam_deny.so: an escaped tab starts a
		// column of a config line in a string.
		return false, "not-code: an escape sequence (a column of text), not a value"
	case strings.Contains(s, "%s") || strings.Contains(s, "%v") || strings.Contains(s, "%d") || strings.IndexByte(s, '$') > 0 && positionalVerbRE().MatchString(s):
		return false, "not-code: format verb"
	case strings.HasPrefix(s, "`+") || strings.HasSuffix(s, "+`") || strings.HasPrefix(s, "\"+") || strings.HasSuffix(s, "+\""):
		// "[ "$PWD" = "`+expected+`" ]": a string built by concatenation.
		return false, "not-code: a concatenation of strings and variables"
	case (strings.Contains(s, "==") || strings.Contains(s, "!=")) && dottedComparisonRE().MatchString(s):
		// (The regex is tried only where its operator is: a regex run
		// for every value of every generic rule was 1.5% of a
		// secret-dense history scan.)
		// password: "a.type=='password'" in a bundled jQuery: code.
		return false, "not-code: a comparison in code"
	}
	if strings.HasPrefix(s, "__WEBPACK_") {
		// __WEBPACK_EXTERNAL_MODULE_swagger_client_…_08dd5200__: a name
		// webpack generates, next to "withCredentials" in a source map's
		// names.
		return false, "not-code: a webpack module's generated name"
	}
	low := strings.ToLower(s)
	for _, p := range []string{"process.env", "os.environ", "os.getenv", "env.", "config.", "settings.", "self.", "this.", "secrets.", "vars.", "params.", "var.", "local."} {
		if strings.HasPrefix(low, p) {
			return false, "not-code: reference " + p
		}
	}
	if isDottedIdentifier(s) {
		return false, "not-code: member access"
	}
	if h, t, ok := strings.Cut(s, "="); ok && t != "" && isDottedIdentifier(h) && strings.IndexByte(t, '.') > 0 && isDottedIdentifier(t[:strings.IndexAny(t+"=", "=")]) {
		// ProgressToken=nt.createMessageConnection=nt.NullLogger=…: a
		// minified module's exports assigned in a chain, not a value
		// (a value's = pads base64 at its end).
		return false, "not-code: member accesses assigned in a chain (minified JavaScript), not a value"
	}
	if isWordPath(s) || isURLPath(s) || isPackagePath(s) || isResourceName(s) {
		return false, "not-code: a path or name made of words"
	}
	if len(s) > 2 && s[1] == '.' && encStringRE().MatchString(s) {
		return false, "not-code: a type-prefixed encrypted string (ciphertext), not a secret"
	}
	if spellsOwnName(c) {
		return false, "not-code: the value spells the name it is assigned to (a label)"
	}
	if s != "" && (s[0] == ',' || s[0] == ';') && literalSeamRE().MatchString(s) {
		return false, "not-code: code between two string literals (the name ended a string: \"Password:\",nextLabel:)"
	}
	// Prose lists other variables by name beside the one it assigns
	// (PGPASSWORD=/MYSQL_PWD=, DB_PASSWORD=/DB_USER): a name behind a
	// slash, or followed by its own "=", is a name all the same.
	if isConstantName(strings.TrimSuffix(strings.TrimPrefix(s, "/"), "=")) {
		return false, "not-code: a constant's name"
	}
	// A file or host name has a dot: the regexes run only then.
	hasDot := strings.IndexByte(s, '.') >= 0
	if hasDot && fileNameRE().MatchString(s) && oneCaseExtension(s) {
		return false, "not-code: a file name"
	}
	if hasDot && hostNameRE().MatchString(s) {
		return false, "not-code: a host name"
	}
	if strings.IndexByte(s, '=') > 0 && assignmentTextRE().MatchString(s) {
		return false, "not-code: a flag or property assignment (name=value), not a value"
	}
	if isSystemPath(s) {
		return false, "not-code: a file system path"
	}
	if argumentAfterName(c) {
		return false, "not-code: the next argument after a variable (f(apiKey, \"…\")), not the variable's value"
	}
	if isPublicKeyDER(s) {
		return false, "not-code: a public key (DER SubjectPublicKeyInfo), not a secret"
	}
	if traceparentRE().MatchString(s) {
		return false, "not-code: a W3C traceparent (version, trace ID, span ID, flags), not a secret"
	}
	return true, ""
}

// traceparentRE matches a W3C Trace Context traceparent header value:
// version, 16-byte trace ID, 8-byte parent span ID and flags, in lower-case
// hex. It names a request in a trace and grants nothing.
var traceparentRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$`)
})

// encStringRE matches Bitwarden's EncString: an encryption type digit, a
// dot, then base64 parts joined by | (IV|ciphertext|MAC for type 2, one
// COSE blob for type 7). It is a vault's ciphertext, useless without the
// user's key; no credential starts with a digit and a dot before padded
// base64.
var encStringRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-7]\.(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?(?:\|(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?){0,2}$`)
})

// resourceNameRE matches a lower-case resource name of three parts or more
// joined by dashes (cmp2-qat-1208358310): each part a word, a number, or a
// short word with a number after it.
var resourceNameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:[a-z]+|[0-9]+|[a-z]{2,4}[0-9]{1,2})(?:-(?:[a-z]+|[0-9]+|[a-z]{2,4}[0-9]{1,2})){2,}$`)
})

// isResourceName reports a name such as an Azure key vault's or a cluster's:
// words and numbers joined by dashes, at least one part a word of three
// letters or more and one a number. A UUID's parts mix letters and digits;
// a generated secret with dashes has capitals or longer mixed runs.
func isResourceName(s string) bool {
	if !resourceNameRE().MatchString(s) {
		return false
	}
	word, number := false, false
	for _, p := range strings.Split(s, "-") {
		switch {
		case lowerLettersOnly(p) && len(p) >= 3:
			word = true
		case p[0] >= '0' && p[0] <= '9':
			number = true
		}
	}
	return word && number
}

// spellsOwnName reports a value that holds, whole, the identifier it is
// assigned to (AttributeKeyADCredentials = "gokrb5AttributeKeyADCredentials"):
// a constant whose value is its own name, a label for a map or a context.
func spellsOwnName(c *Candidate) bool {
	name, ok := assignedName(c)
	return ok && len(name) >= 12 && len(name) < len(c.Secret) && bytes.Contains(bytes.ToLower(c.Secret), bytes.ToLower(name))
}

// describesOwnName reports a value in lower-case letters and digits that
// holds the name it is assigned to (six letters or more), as a description
// of what goes there does (accountkey: base64encodedaccountkey, passphrase:
// pkcs12passphrase). spellsOwnName asks twelve letters of any value; a
// random value, in mixed case or with symbols, spells no name.
func describesOwnName(c *Candidate) bool {
	name, ok := assignedName(c)
	if !ok || len(name) < 6 || len(name) >= len(c.Secret) || !bytes.Contains(c.Secret, bytes.ToLower(name)) {
		return false
	}
	for _, b := range c.Secret {
		if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9') {
			return false
		}
	}
	return true
}

// assignedName returns the identifier nearest before the secret on its
// line, the name the value is assigned to (the last identifier before
// `= "…"`, `: '…'`, `("…"`); false when the secret is not on its line.
func assignedName(c *Candidate) ([]byte, bool) {
	j := bytes.Index(c.Line, c.Secret)
	if j < 0 {
		return nil, false
	}
	for j > 0 && !isIdentByte(c.Line[j-1]) {
		j--
	}
	k := j
	for k > 0 && isIdentByte(c.Line[k-1]) {
		k--
	}
	return c.Line[k:j], true
}

// urlSchemeRE matches a value that starts as a URL does (file:///…).
var urlSchemeRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z][a-z0-9+.-]{1,15}://`)
})

// positionalVerbRE matches a printf verb with an argument index (%1$s),
// as PHP's sprintf and translation catalogues write them.
var positionalVerbRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`%[0-9]+\$[sd]`)
})

// dottedComparisonRE matches a member access compared with == or !=.
var dottedComparisonRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+(?:==|!=)`)
})

// cliFlagRE matches a long command-line option alone (--username).
var cliFlagRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^--[a-z][a-z0-9]*(?:-[a-z0-9]+)*$`)
})

// hostNameRE matches a lower-case DNS name under a common top-level domain
// (api-abcd1234.duosecurity.com, passed as the argument after a secret's
// variable): a host, not a secret. Random values have capitals or no dots.
var hostNameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|dev|app|co|cloud|internal|local|localhost|example|test)$`)
})

// assignmentTextRE matches a string that is itself an assignment: a
// command-line flag (--advertise-routes=172.31.42.0/24), a snake_case
// parameter (instance_id=i-5ab0a728) or a property of three dotted
// lower-case words or more
// (spring.liquibase.driver-class-name=org.h2.Driver), found where a list of
// such strings follows one that ends in a credential word
// ("spring.x.password=p", "spring.y.port=0").
var assignmentTextRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:--[a-z]{2,}[a-z0-9-]*|[a-z]{2,}[a-z0-9-]*(?:\.[a-z]{2,}[a-z0-9-]*){2,}|[a-z]{2,}(?:_[a-z]{2,})+)=`)
})

// isSystemPath reports an absolute path whose directories are words and
// whose last part may be an ID (/var/run/docker/netns/3df878d8ed31, Docker's
// SandboxKey, /absolute/client/key2): two directories or more before it.
// Base64 has slashes too, but not lower-case words between them from the
// start.
func isSystemPath(s string) bool {
	if !strings.HasPrefix(s, "/") {
		return false
	}
	parts := strings.Split(s[1:], "/")
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts[:len(parts)-1] {
		if p == "" || !lowerLettersOnly(p) {
			return false
		}
	}
	return true
}

// argumentAfterName reports a match whose name is a bare identifier
// followed by a comma: in f(clientId, clientSecret, "api-1.duosecurity.com")
// the string is the call's next argument, not the variable's value. A
// quoted name before the comma is a setter's pair ("stripe.api.key", "…")
// and stays, and so does a provider rule's match (it has a name group): the
// provider's name near a value of its shape is enough there.
func argumentAfterName(c *Candidate) bool {
	i := bytes.LastIndex(c.Match, c.Secret)
	if i <= 0 || len(c.Name) > 0 {
		return false
	}
	pre := bytes.TrimRight(c.Match[:i], " \t\"'`\\")
	if len(pre) == 0 || pre[len(pre)-1] != ',' {
		return false
	}
	pre = bytes.TrimRight(pre[:len(pre)-1], " \t")
	return len(pre) > 0 && isIdentByte(pre[len(pre)-1])
}

// isPublicKeyDER reports base64 of a DER SubjectPublicKeyInfo (MIGfMA0G…,
// MFkwEwYH…): a public key assigned to a name that says secret (a webhook
// verifier's key in a test), where a private key's DER starts with a version
// INTEGER instead of the algorithm's SEQUENCE.
func isPublicKeyDER(s string) bool {
	if len(s) < 40 || s[0] != 'M' {
		return false
	}
	b, ok := decodeBase64([]byte(s))
	if !ok || len(b) < 8 || b[0] != 0x30 {
		return false
	}
	// Skip the outer SEQUENCE's length.
	i := 2
	if b[1]&0x80 != 0 {
		i += int(b[1] & 0x7f)
	}
	// The algorithm identifier is a SEQUENCE that opens with an OID.
	return i+3 < len(b) && b[i] == 0x30 && b[i+2] == 0x06
}

// fileNameRE matches a value that ends in a file extension
// (KnAM4a_development.yml.enc, deploy-key.pem): a name, not a secret.
var fileNameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)[A-Za-z0-9_-]\.(?:ya?ml|json|enc|txt|pem|crt|cer|der|key|p12|pfx|jks|xml|ini|conf|cfg|toml|env|properties|js|ts|py|rb|go|java|sh|html|css|png|jpe?g|svg|gz|zip|tar|lock|log|md|so|dll|dylib|exe|jar|war|class|pyc|deb|rpm|iso|img|lua|php|pl|pm|cpp|hpp|cs|kt|kts|swift|rs|scala|exs?|erl|sql|tf|hcl|vue|jsx|tsx|mjs|cjs)$`)
})

// oneCaseExtension reports a file name's extension written in one case
// (key.pem, SETUP.EXE): a random value's last dot is followed by mixed case
// (d6iOSlAty0fI4CBfh.gZ).
func oneCaseExtension(s string) bool {
	ext := s[strings.LastIndexByte(s, '.')+1:]
	return strings.ToLower(ext) == ext || strings.ToUpper(ext) == ext
}

func lettersOnlyString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLower(s[i]) && !isUpper(s[i]) {
			return false
		}
	}
	return s != ""
}

// tokenKindWords name tokens that are not credentials: a CSRF or
// authenticity token (per form, public in the page), a pagination cursor,
// a nonce.
var tokenKindWords = map[string]bool{
	"csrf": true, "xsrf": true, "authenticity": true, "pagination": true, "page": true,
	"continuation": true, "cursor": true, "next": true, "nonce": true, "idempotency": true,
	// AWS's request, lock, change, copy, import, export and work-unit tokens
	// name a request or a resource version (LockToken, ClientRequestToken,
	// ExportToken: "export-token-…"), not a credential.
	"lock": true, "change": true, "request": true, "copy": true, "export": true, "import": true, "unit": true,
	// A public or publishable token is meant to be seen (publicToken,
	// NEXT_PUBLIC_…).
	"public": true, "publishable": true,
}

// checkTokenKind drops a generic value whose name says it is a token that
// grants nothing (authenticity_token, next_page_token, csrfToken): the
// name is the identifier the value is assigned to, read from the line.
func checkTokenKind(c *Candidate) (bool, string) {
	if bytes.HasSuffix(c.Secret, []byte("/aws4_request")) {
		// AKID/20240101/us-east-1/s3/aws4_request, a Signature V4 request's
		// Credential= value: the key ID and where it was used, no secret.
		return false, "token-kind: an AWS Signature V4 credential scope, not a secret"
	}
	if bytes.HasPrefix(c.Secret, []byte("amzn1.account.")) {
		// Login with Amazon's user ID (STS's SubjectFromWebIdentityToken):
		// it names a customer; LWA's client secret is amzn1.oa2-cs.….
		return false, "token-kind: an Amazon account's user ID (amzn1.account.…), not a secret"
	}
	name, ok := assignedName(c)
	if !ok {
		return true, ""
	}
	if postmanTokenHeader(c, name) {
		return false, "token-kind: Postman's Postman-Token header, a random UUID per request (cache busting), grants nothing"
	}
	words := identifierWords(name)
	if n := len(words); n > 0 && uuidRE().Match(c.Secret) && (words[n-1] == "clienttoken" || n > 1 && words[n-2] == "client" && words[n-1] == "token") {
		// AWS's ClientToken (--client-token) is an idempotency key the
		// caller makes up, a UUID: it names a request, not a caller.
		return false, "token-kind: a client (idempotency) token grants nothing"
	}
	if n := len(words); n > 0 && datadogClientTokenRE().Match(c.Secret) && (words[n-1] == "clienttoken" || n > 1 && words[n-2] == "client" && words[n-1] == "token") {
		// Datadog's browser SDKs (RUM, logs) take a client token, pub and
		// 32 hex digits, that every page which loads them serves: public
		// by design, it only sends data in (Vector's website config).
		return false, "token-kind: a Datadog client token (pub…), served to browsers by design"
	}
	if n := len(words); n > 0 && len(c.Secret) == 64 && !bytes.ContainsFunc(c.Secret, func(r rune) bool { return r > 0x7f || !isHexDigit(byte(r)) }) && (words[n-1] == "devicetoken" || n > 1 && words[n-2] == "device" && words[n-1] == "token") {
		// An APNs device token (deviceToken: '<64 hex>') is the address
		// a push goes to, handed to the app by iOS; sending to it takes
		// the provider's key, not this value.
		return false, "token-kind: an APNs device token (64 hex) addresses a phone, grants nothing"
	}
	if len(words) == 1 && words[0] == "token" && signedWebhookNonce(c) {
		return false, "token-kind: a signed webhook's nonce (a token beside its timestamp and signature)"
	}
	if len(words) == 1 && words[0] == "token" && uuidRE().Match(c.Secret) && csrfTokenObject(c.Line, c.Secret) {
		return false, "token-kind: a CSRF token (its line names the CSRF parameter or header), per session and public in the page"
	}
	for _, w := range words {
		if tokenKindWords[w] {
			return false, "token-kind: a " + w + " token grants nothing"
		}
		// One word glued to token (csrftoken, pagetoken).
		if p, ok := strings.CutSuffix(w, "token"); ok && tokenKindWords[p] {
			return false, "token-kind: a " + p + " token grants nothing"
		}
	}
	return true, ""
}

// csrfTokenObject reports a CSRF parameter or header named within 100
// bytes of secret on line, as the JSON of Spring Security's CsrfToken
// names them around its bare "token", a UUID ({"parameterName": "_csrf",
// "token": "<uuid>", "headerName": "X-CSRF-TOKEN"}): the token there is a
// form's anti-forgery value. Only that near: a minified line can name a
// CSRF header anywhere beside a real token.
func csrfTokenObject(line, secret []byte) bool {
	at := bytes.Index(line, secret)
	if at < 0 {
		return false
	}
	near := bytes.ToLower(line[max(0, at-100):min(len(line), at+len(secret)+100)])
	for _, w := range []string{`"_csrf"`, "'_csrf'", "x-csrf-token", "x-xsrf-token", "csrf_token", "xsrf_token"} {
		if bytes.Contains(near, []byte(w)) {
			return true
		}
	}
	return false
}

// postmanTokenHeader reports a UUID under the Postman-Token header, which
// Postman adds to every request it sends; recorded requests (a Lambda
// event fixture's headers) carry it. name is the identifier before the
// value.
func postmanTokenHeader(c *Candidate, name []byte) bool {
	return bytes.EqualFold(name, []byte("postman-token")) && uuidRE().Match(c.Secret)
}

// uuidRE matches a whole UUID (8-4-4-4-12 hex).
var uuidRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
})

// webhookKeyRE matches the timestamp and signature keys of a signed
// webhook's signature object, quoted as JSON, Python or PHP write them, or
// bare as Ruby's symbol keys and JavaScript's object keys are (a test that
// posts `params: { timestamp: …, token: "…", signature: … }`).
var webhookKeyRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`["'](timestamp|signature)["']\s*(?::|=>)|(?:^|[\s{,(]):?(timestamp|signature)(?::\s|\s*=>)`)
})

// nonceReach bounds how far signedWebhookNonce looks for the braces of the
// object around a token: a signature object is a few short lines.
const nonceReach = 400

// signedWebhookNonce reports a token inside an object that also holds a
// timestamp and a signature ("signature": {"timestamp": …, "token": …,
// "signature": …}, as Mailgun signs its webhooks): the signature is an HMAC
// over timestamp and token, and the token a random nonce sent in the clear
// with every event. The object may span lines.
func signedWebhookNonce(c *Candidate) bool {
	text, at := c.Text, c.At
	if text == nil || at < 0 || at > len(text) {
		text = c.Line
		if at = bytes.Index(text, c.Secret); at < 0 {
			return false
		}
	}
	lo, depth := -1, 0
	for i := at - 1; i >= 0 && i >= at-nonceReach; i-- {
		switch text[i] {
		case '}':
			depth++
		case '{':
			depth--
		}
		if depth < 0 {
			lo = i
			break
		}
	}
	if lo < 0 {
		return false
	}
	hi, depth := -1, 0
	for i := at; i < len(text) && i < at+nonceReach; i++ {
		switch text[i] {
		case '{':
			depth++
		case '}':
			depth--
		}
		if depth < 0 {
			hi = i
			break
		}
	}
	if hi < 0 {
		return false
	}
	seen := map[string]bool{}
	for _, m := range webhookKeyRE().FindAllSubmatch(text[lo:hi], -1) {
		seen[string(m[1])+string(m[2])] = true
	}
	return seen["timestamp"] && seen["signature"]
}

// isConstantName reports a (qualified) CONSTANT_NAME such as
// C.IFLA_INET6_TOKEN or AWS_SECRET_KEY: upper case with underscores, after
// any identifier qualifiers.
func isConstantName(s string) bool {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		for _, q := range strings.Split(s[:i], ".") {
			if !isIdentifier(q) {
				return false
			}
		}
		s = s[i+1:]
	}
	if len(s) < 3 || s[0] < 'A' || s[0] > 'Z' || !strings.Contains(s, "_") {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// isWordPath reports values like "external/cwe/cwe-798", "my-service.prod"
// or "/Users/alice/src": two or more segments, each all digits or a word of
// lower-case letters, capitalised or not. Generated secrets mix letters and
// digits, or capitals inside a word, within a segment. An = joins a key to
// its value in a path of parameters (99/sys-1/acquisition-key=k).
func isWordPath(s string) bool {
	segs := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' || r == '_' || r == '=' })
	if len(segs) < 2 {
		return false
	}
	numeronyms := 0
	for _, seg := range segs {
		if numeronymRE().MatchString(seg) {
			// o11y, k8s, i18n: a word written as a numeronym, in a name
			// of three words or more (a short random value splits into a
			// letter-digit-letter run and a word by chance).
			numeronyms++
			continue
		}
		if !wordSegment(seg) {
			return false
		}
	}
	return numeronyms == 0 || numeronyms == 1 && len(segs) >= 3 && len(s) >= 12
}

// algorithmSegments are the names of key types and formats that path and
// file names are made of (/home/.ssh/id_ed25519, tls/pkcs8/server.pem):
// words, though they hold digits. (Not x509: Betterleaks' service-account
// example is found only by a generic rule's reading of
// "auth_provider_x509_cert_url" as a value.)
var algorithmSegments = map[string]bool{
	"ed25519": true, "ed448": true, "x25519": true, "x448": true, "pkcs1": true, "pkcs8": true,
	"pkcs12": true, "p12": true, "rsa2048": true, "rsa4096": true, "p256": true, "p384": true, "p521": true,
	"secp256k1": true, "secp256r1": true, "sha1": true, "sha256": true, "sha512": true, "md5": true,
}

// wordSegment reports one piece of a path or name: a word (lower case after an
// optional capital), a number, or an API version (v1, v2beta1).
func wordSegment(seg string) bool {
	if apiVersionRE().MatchString(seg) {
		return true // /instance_identity/v1/token: an API version
	}
	if algorithmSegments[strings.ToLower(seg)] {
		return true // ~/.ssh/id_ed25519, certs/x509: an algorithm's name
	}
	letters, digits := 0, 0
	for i, r := range seg {
		switch {
		case r >= 'a' && r <= 'z', i == 0 && r >= 'A' && r <= 'Z':
			// A capital only starts a word: /Users/alice/src.
			letters++
		case r >= '0' && r <= '9':
			digits++
		default:
			return false
		}
	}
	return !(letters > 0 && digits > 0)
}

// numeronymRE matches a numeronym: a word's first and last letters around
// the count of those between (o11y, k8s, a11y, i18n, l10n).
var numeronymRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z][0-9]{1,2}[a-z]$`)
})

// isPackagePath reports a package or module path of three segments or more
// in lower-case letters and digits, most of them words
// (aws/credentials/ec2rolecreds in a Gopkg.lock): random base64 has
// capitals between its slashes.
func isPackagePath(s string) bool {
	parts := strings.Split(s, "/")
	if len(parts) < 3 {
		return false
	}
	words := 0
	for _, p := range parts {
		if p == "" || strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != "" {
			return false
		}
		if len(p) >= 3 && lowerLettersOnly(p) && pronounceable(p) {
			words++
		}
	}
	return words*2 >= len(parts)
}

// isURLPath reports a site path such as /en/enterprise-server@3.0/auth: a
// leading slash and at least two segments, each made of words, numbers and
// versions joined by - . _ @ (a documentation route, a redirect target). A
// password does not start with a slash and read as words between slashes.
func isURLPath(s string) bool {
	if !strings.HasPrefix(s, "/") {
		return false
	}
	if len(strings.Split(strings.Trim(s, "/"), "/")) < 2 {
		return false
	}
	pieces := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("/-._@", r) })
	for _, p := range pieces {
		if !wordSegment(p) {
			return false
		}
	}
	return len(pieces) > 0
}

// literalSeamRE matches the text between two string literals when the
// keyword ended the first one: in emailLabel:"Email:",passwordLabel:"Password:",
// submitLabel:"Sign in" the "value" after "Password:" is ,submitLabel: — a
// separator, the next key's name and its colon or equals sign. Base64 and
// generated passwords never start with a comma or semicolon and end so.
var literalSeamRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[,;][A-Za-z_$][A-Za-z0-9_$]*[:=]$`)
})

// validationRulesRE matches a framework's validation rule list where a
// password's rules are declared ('password' => 'required|confirmed|min:8').
var validationRulesRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z_]+(?::[A-Za-z0-9,_]+)?(?:\|[a-z_]+(?::[A-Za-z0-9,_]+)?)+$`)
})

// batchVariableRE is a Windows batch or environment reference (%PASSWORD%).
var batchVariableRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^%[A-Za-z_][A-Za-z0-9_]*%$`) })

// emailRE matches a value that is an email address.
var emailRE = sync.OnceValue(func() *regexp.Regexp {
	// The top-level domain is in one case (com, COM, Net): a random
	// password with an @ and a dot (n_H2zJ@QDk8.HwKfnp) ends in mixed case.
	return regexp.MustCompile(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:[a-z]{2,}|[A-Z][a-z]+|[A-Z]{2,})$`)
})

// twoLowerWords reports two lower-case words joined by one @ . - or _.
func twoLowerWords(s string) bool {
	i := strings.IndexAny(s, "@.-_")
	return i > 0 && lowerLettersOnly(s[:i]) && lowerLettersOnly(s[i+1:])
}

func lowerLettersOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLower(s[i]) {
			return false
		}
	}
	return s != ""
}

// apiVersionRE is a path's API version segment (v1, v2beta1).
var apiVersionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^v[0-9]{1,2}(?:(?:alpha|beta)[0-9]{0,2})?$`) })

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// isDottedIdentifier reports member accesses such as config.password or
// settings.DB_PASSWORD: identifiers joined by dots, the first one a plain
// lower-case word. A JWT or a random value with a dot does not qualify.
func isDottedIdentifier(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	first := parts[0]
	if first == "" || first[0] < 'a' || first[0] > 'z' {
		return false
	}
	for _, r := range first {
		// Package names carry digits after a letter (ed25519.PrivateKey).
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	for _, p := range parts {
		if !isIdentifier(p) || len(p) > 40 {
			return false
		}
	}
	return !randomHumps(parts)
}

// randomHumps reports identifier-shaped pieces that break into the humps of
// random characters rather than words: a digit followed by a letter (y6p3r,
// m8z, U4N), or a hump of one letter or an odd two inside a longer piece
// (rAMWvdex is r|am|wvdex). Three such humps in twelve characters or more
// make a random value with a dot (rAMWvdex.oM8zNT4), not a member access
// (settings.DB_PASSWORD, this.props.dbPassword, os.Getenv, e.target.value).
func randomHumps(parts []string) bool {
	n, odd := 0, 0
	for _, p := range parts {
		n += len(p)
		for i := 1; i < len(p); i++ {
			if isDigit(p[i-1]) && (isLower(p[i]) || isUpper(p[i])) {
				odd++
			}
		}
		words := identifierWords([]byte(p))
		for _, w := range words {
			if len(words) > 1 && (len(w) == 1 && !isDigit(w[0]) || len(w) == 2 && lettersOnly([]byte(w)) && !shortWords[w]) {
				odd++
			}
		}
	}
	return n >= 12 && odd >= 3
}

// documentedCredentials are keys vendors publish for local emulators and
// documentation. They unlock nothing and appear in countless repositories.
var documentedCredentials = map[string]string{
	// Azurite and the Azure Storage Emulator's well-known devstoreaccount1 key.
	"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==": "Azure Storage emulator key",
	// The Azure Cosmos DB emulator's published key.
	"C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==": "Azure Cosmos DB emulator key",
}

func checkNotDocumented(c *Candidate) (bool, string) {
	if what, ok := documentedCredentials[string(c.Secret)]; ok {
		return false, "not-documented: " + what
	}
	return true, ""
}

// datadogClientTokenRE matches a Datadog client token.
var datadogClientTokenRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^pub[0-9a-f]{32}$`)
})

// vendorPrefixes start tokens whose format a provider rule owns. A generic
// rule must not report them: either the provider rule reported the token, or
// it judged it not to be live (a bad checksum, a test-mode key, an unsigned
// JWT), and a generic "secret" finding would undo that judgement.
var vendorPrefixes = []string{
	// PostHog's project API key (phc_) is public, written into every page
	// that sends events, as Stripe's pk_ keys are: no rule reports it.
	"phc_",
	// Lob's publishable keys ((live|test)_pub_ and 31 hex digits) are meant
	// for client-side code; lob-api-key takes the secret live_ keys.
	"live_pub_", "test_pub_",
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "gldt-", "glrt-", "glcbt-", "glptt-", "glft-",
	"glimt-", "gloas-", "glagent-", "glsoat-", "glffct-", "GR1348941", "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-",
	"xoxe", "xapp-", "sk_live_", "rk_live_", "sk_test_", "rk_test_", "pk_live_", "pk_test_", "whsec_", "shpat_",
	"shpca_", "shppa_", "shpss_", "sk-proj-", "sk-svcacct-", "sk-admin-", "sk-ant-", "sk-or-", "hf_", "api_org_",
	"r8_", "gsk_", "pplx-", "xai-", "npm_", "pypi-", "rubygems_", "dckr_", "AKCp", "glsa_", "glc_", "eyJ",
	"sntrys_", "sntryu_", "NRAK-", "NRII-", "NRJS-", "dt0c01.", "phx_", "xaat-", "xapt-", "dop_v1_", "doo_v1_",
	"dor_v1_", "LTAI", "HRKU-", "nfp_", "fo1_", "fm2_", "rnd_", "AKID", "AQVN", "dapi", "pscale_", "sbp_",
	"sb_secret_", "sha256~", "tskey-", "ico-", "pnu_", "ops_", "napi_", "ddp_", "ATBB", "ATCTT3", "CCIPAT_",
	"CCIPRJ_", "bkua_", "bkct_", "bkar_", "bkaa_", "bb_live_", "cal_live_", "hvs.", "hvb.", "dp.", "pul-", "squ_", "sqp_", "sqa_", "sqco_", "SG.", "xkeysib-", "xsmtpsib-",
	"ATATT3", "ntn_", "lin_api_", "lin_oauth_", "CFPAT-", "figd_", "pat-na1-", "pat-eu1-", "tfp_", "PMAK-",
	"jca_", "rdme_", "AKIA", "ASIA", "AIza", "GOCSPX-", "ya29.", "1//0", "FLWSECK", "access_token$", "EAAA",
	"sq0atp-", "sq0csp-", "GOOG1", "AGE-SECRET-KEY-", "LS0tLS1CRUdJTi", "dG9rO", "AAAAAAAAAAAAAAAAAAAAA",
	"BBDC-", "bb_pr_", "bb_ma_", "cfut_", "cfat_", "cfk_",
	// Prefixes whose provider rule fixes the length and alphabet: a test's
	// value of the wrong length under one (aio_ and 29 characters, spu- in
	// capitals, a JFrog reference token cut short) is what the provider
	// rule judged not to be a token.
	"aio_", "apify_api_", "spu-", "cmVmdGtuOjAxOj", "pcsk_",
}

func checkNotVendorToken(c *Candidate) (bool, string) {
	for _, p := range vendorPrefixes {
		if bytes.HasPrefix(c.Secret, []byte(p)) {
			return false, "not-vendor-token: " + p + " tokens belong to their provider's rule"
		}
	}
	if algoliaSearchKey(c) {
		return false, "not-vendor-token: an Algolia search-only key in a search widget's configuration (DocSearch), served to browsers by design"
	}
	return true, ""
}

// searchWidgetReach bounds how far before a key algoliaSearchKey looks for
// the call or object that configures a search widget.
const searchWidgetReach = 400

// algoliaSearchRE matches the opening of a docs site's Algolia search
// configuration: DocSearch's docsearch({ … }), a site config's algolia: {
// … } or algolia_docsearch = { … }, the browser client's algoliasearch(.
var algoliaSearchRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(?:\bdocsearch\s*\(\s*\{|\balgolia(?:_docsearch)?["']?\s*[:=]\s*\{|\balgoliasearch(?:lite)?\s*\()`)
})

// algoliaSearchKey reports 32 hex digits inside a search widget's Algolia
// configuration (operator-sdk's Hugo partial: docsearch({apiKey: '…',
// indexName: …})). DocSearch and Docusaurus take the search-only key,
// which every page of the site serves to its readers; Algolia's admin and
// write keys are algolia-admin-key's.
func algoliaSearchKey(c *Candidate) bool {
	if len(c.Secret) != 32 || bytes.ContainsFunc(c.Secret, func(r rune) bool { return r > 0x7f || !isHexDigit(byte(r)) }) {
		return false
	}
	if c.Text == nil || c.At < 0 || c.At > len(c.Text) {
		return false
	}
	lo := max(0, c.At-searchWidgetReach)
	// Both openings name docsearch or algolia: look for the words before
	// running the regex over 400 bytes for every 32 hex digits (3% of a
	// secret-dense history's detection).
	if !mayHoldFold(c.Text[lo:c.At], "docsearch") && !mayHoldFold(c.Text[lo:c.At], "algolia") {
		return false
	}
	ms := algoliaSearchRE().FindAllIndex(c.Text[lo:c.At], -1)
	if len(ms) == 0 {
		return false
	}
	// Still inside it: no brace closes between the opening and the key.
	return !bytes.ContainsAny(c.Text[lo+ms[len(ms)-1][1]:c.At], "})")
}

// checkNotStopword drops values holding a word that marks them as a test
// fixture, a default or a placeholder ("test", "example", "changeme", …).
func checkNotStopword(c *Candidate) (bool, string) {
	lower := strings.ToLower(string(c.Secret))
	for _, w := range passwordStopwords {
		if strings.Contains(lower, w) {
			return false, "not-stopword: contains " + strconvQuote(w)
		}
	}
	return true, ""
}

// mayHoldFold reports whether b may hold word (lower-case ASCII letters) as
// a (?i) regex matches it: false only when b is ASCII and holds no mix of
// word's cases. (Beyond ASCII, (?i) also matches ſ for s and K, the Kelvin
// sign, for k.)
func mayHoldFold(b []byte, word string) bool {
	for i := 0; i < len(b); i++ {
		if b[i] >= 0x80 {
			return true
		}
		if b[i]|0x20 != word[0] || i+len(word) > len(b) {
			continue
		}
		j := 1
		for j < len(word) && b[i+j]|0x20 == word[j] {
			j++
		}
		if j == len(word) {
			return true
		}
	}
	return false
}

func strconvQuote(s string) string { return `"` + s + `"` }

// metasyntactic reports a password spelt only from foo, bar, baz, qux and
// digits (bar%25bar, foobar123): a test's placeholder.
func metasyntactic(s string) bool {
	rest := strings.TrimRight(s, "0123456789")
	for rest != "" {
		n := len(rest)
		for _, w := range []string{"foo", "bar", "baz", "qux", "quux"} {
			rest = strings.TrimPrefix(rest, w)
		}
		if len(rest) == n {
			return false
		}
	}
	return true
}

// ownReportAttrRE matches the text before a value that sits in the
// attributes object of a finding in rampart's own JSON or SARIF report: the
// finding's fingerprint (JSON: "fingerprint"; SARIF: partialFingerprints'
// "rampartSecret/v1"), then, a few objects on within the finding (SARIF
// closes partialFingerprints and opens properties), "attributes": { and the
// attributes before this one, up to the value's opening quote.
var ownReportAttrRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:"fingerprint"|"rampartSecret/v1")\s*:\s*"[0-9a-f]{64}"[^{}]*(?:[{}][^{}]*){0,4}"attributes"\s*:\s*\{(?:\s*"[a-z_]+"\s*:\s*"[^"\\]*"\s*,)*\s*"[a-z_]+"\s*:\s*"$`)
})

// checkNotOwnReport drops a value that is an attribute rampart derived and
// wrote into its own report (the AWS account it decodes from a key ID): a
// report written into the tree it scanned is read by the next scan, and the
// value is what the report's own finding already says. The secrets a report
// holds are in "secret", never here, and are judged as usual.
func checkNotOwnReport(c *Candidate) (bool, string) {
	if c.Text == nil || c.At <= 0 || c.At > len(c.Text) {
		return true, ""
	}
	before := c.Text[max(0, c.At-2048):c.At]
	if !bytes.Contains(before, []byte(`"attributes"`)) {
		return true, ""
	}
	if ownReportAttrRE().Match(before) {
		return false, "an attribute of a finding in rampart's own report, derived from the finding it describes"
	}
	return true, ""
}

// checkNotObjectKey drops a value that is itself a key: a quoted string
// followed by optional space and a colon. A rule that reads `,` as an
// assignment ("password", "value" pairs in code, ('key', 'value') tuples)
// otherwise takes the next key of a one-line JSON object for the value of a
// key that ends in token or secret: {…,"token_uri":"https://…/token",
// "auth_provider_x509_cert_url":"…"} in every minified GCP service-account
// file.
func checkNotObjectKey(c *Candidate) (bool, string) {
	var after []byte
	if c.Text != nil && c.At >= 0 && c.At+len(c.Secret) <= len(c.Text) {
		after = c.Text[c.At+len(c.Secret):]
	} else if i := bytes.Index(c.Line, c.Secret); i >= 0 {
		after = c.Line[i+len(c.Secret):]
	}
	after = after[:min(len(after), 64)]
	after = bytes.TrimPrefix(after, []byte{'\\'})
	if len(after) == 0 || (after[0] != '"' && after[0] != '\'') {
		return true, ""
	}
	after = bytes.TrimLeft(after[1:], " \t")
	// (:: and := are operators, not a key's colon.)
	if len(after) > 0 && after[0] == ':' && (len(after) == 1 || (after[1] != ':' && after[1] != '=')) {
		return false, "not-object-key: the value is the next key of an object (\"…\":)"
	}
	return true, ""
}

// checkStoredPassword judges a password in a file that exists to hold
// credentials: a .netrc, a .pgpass, a .git-credentials, a shell profile, an
// FTP or SFTP client's or an IDE's saved connection (the rules that read them
// are limited to those files by name). Whatever such a password is, it is
// the credential the file stores: pass123 or hunter22 there is a weak
// password committed, not a fixture's, so the judgement the rules for
// source code make (weakPassword) does not apply. What is dropped is what
// stores no password: a setting about passwords rather than one
// ("promptForPass": false, password_file = …), a reference to one kept
// elsewhere (${DB_PASSWORD}, $PASS, {{ .pass }}), a masked or emptied
// value (********, <password>), and a value that says it is a stand-in
// (changeme, your_password, dummy, example).
func checkStoredPassword(c *Candidate) (bool, string) {
	v := c.Secret
	if len(v) == 0 {
		return false, "empty"
	}
	name := strings.ToLower(string(storedName(c)))
	for _, w := range storedPasswordSettings {
		if strings.Contains(name, w) {
			return false, "a setting about passwords (" + w + "), not a password"
		}
	}
	if v[0] == ' ' || v[len(v)-1] == ' ' || bytes.IndexByte(v, '`') >= 0 {
		// "password = " + `"rootpasswd"`: the quotes of code around a
		// string, not a value's.
		return false, "code around a string (a space at its edge, a backquote), not a value"
	}
	if m, end := c.Match, c.NameAt+len(c.Name); len(c.Name) > 0 && c.NameAt >= 0 && end <= len(m) {
		// A comma after the name: PHP's define('DB_PASSWORD', 'x') only,
		// not a list of strings in code ("user_password", "password").
		sep := bytes.TrimLeft(m[end:], "\\\"' \t")
		if len(sep) > 0 && sep[0] == ',' && !bytes.Contains(bytes.ToLower(c.Line), []byte("define(")) {
			return false, "a list of strings, not a name and its value"
		}
	}
	lv := strings.ToLower(string(v))
	switch lv {
	case "true", "false", "yes", "no", "on", "off", "null", "nil", "none", "undefined", "required", "optional":
		return false, "a setting's value (" + lv + "), not a password"
	}
	if templateVariable(v) || v[0] == '$' || v[0] == '%' && bytes.Count(v, []byte("%")) >= 2 {
		return false, "a reference to a password kept elsewhere"
	}
	if bytes.Count(v, v[:1]) == len(v) {
		return false, "a masked value (one character repeated)"
	}
	if v[0] == '/' || bytes.HasPrefix(v, []byte("~/")) {
		// SUDO_ASKPASS=/usr/bin/ssh-askpass in a shell profile.
		return false, "a path (a program or file that supplies the password), not a password"
	}
	if line := bytes.TrimLeft(c.Line, " \t"); bytes.HasPrefix(line, []byte("alias ")) {
		// alias pass='pass -c' (the password manager, pass).
		return false, "a shell alias, not a password"
	}
	for _, w := range storedPasswordStandIns {
		if strings.Contains(lv, w) {
			return false, "a stand-in for a password (" + w + ")"
		}
	}
	return true, ""
}

// checkStoredUserPass is checkStoredPassword for a base64 user:password
// pair a credential file stores (.npmrc's _auth): admin:admin there is the
// registry's credential. The pair a template writes, user:password, is a
// stand-in.
func checkStoredUserPass(c *Candidate) (bool, string) {
	u, p, ok := DecodeUserPass(c.Secret)
	if !ok {
		return false, "does not decode to user:password"
	}
	switch strings.ToLower(u) {
	case "user", "username", "name", "login", "email":
		switch strings.ToLower(p) {
		case "pass", "password", "passwd", "secret", "token":
			return false, "a stand-in pair (" + u + ":" + p + ")"
		}
	}
	if ok, why := checkStoredPassword(&Candidate{Secret: []byte(p)}); !ok {
		return false, why
	}
	c.SetAttr("decoded", "base64")
	return true, ""
}

// storedName is the name a stored password is assigned to, whole: the
// rule's match starts at its keyword (pass, pwd: one anchored attempt per
// hit, the rule runs over every history blob whose paths are not yet
// known), so the name group holds only the part from there
// (PASSWORD_FILE), and the part before it (promptForPass, hashed_password)
// is read back from the line.
func storedName(c *Candidate) []byte {
	name := c.Name
	i := bytes.Index(c.Line, name)
	if len(name) == 0 || i < 0 {
		return name
	}
	j := i
	for j > 0 && (isIdentByte(c.Line[j-1]) || c.Line[j-1] == '.' || c.Line[j-1] == '-') {
		j--
	}
	return c.Line[j : i+len(name)]
}

// storedPasswordSettings are words in a name that make its value a
// setting about passwords rather than one.
var storedPasswordSettings = []string{
	"file", "path", "dir", "length", "policy", "prompt", "interactive", "expir", "reset", "hint",
	"label", "field", "required", "strength", "hash", "salt", "regex", "pattern", "save", "remember",
	"store", "enabled", "type", "mode", "command", "cmd", "helper", "manager", "env", "digest",
	"encrypted", "encoded", "crypt", "compass", "bypass", "variable",
}

// storedPasswordStandIns are what a value that only holds a password's
// place says.
var storedPasswordStandIns = []string{
	"changeme", "change_me", "change-me", "changethis", "your", "example", "sample", "dummy",
	"placeholder", "redacted", "replace", "fixme", "todo", "xxx", "***", "<", ">",
}

// pathUnescape is net/url's PathUnescape: s with each %XX decoded, or an
// error when a % is not followed by two hex digits. (Importing net/url put
// this package's initialisation, and so the start of the catalogue's build
// from prewarm's, after net/netip's, which Go's initialisation order puts
// among the last: about 2 ms into every run.)
func pathUnescape(s string) (string, error) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+2 >= len(s) || !isHexDigit(s[i+1]) || !isHexDigit(s[i+2]) {
			return "", errBadEscape
		}
		n++
		i += 2
	}
	if n == 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s)-2*n)
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			b = append(b, hexValue(s[i+1])<<4|hexValue(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b), nil
}

// errBadEscape is pathUnescape's error.
var errBadEscape = errors.New("invalid URL escape")

func hexValue(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
