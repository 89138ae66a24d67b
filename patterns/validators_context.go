package patterns

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// contextValidators judge values found by their name rather than their
// shape: provider context rules and the generic key rule.
func contextValidators() []Validator {
	return []Validator{
		{"credential-name", checkCredentialName},
		{"provider-name", checkProviderName},
		{"has-letter", checkHasLetter},
		{"not-words", checkNotWords},
		{"not-hash-name", checkNotHashName},
	}
}

// hashWords in the name a password is assigned to say the value is what a
// password hashes to (Spring's encodedPassword, hashed_password,
// passwordDigest's cousins): a test vector or a stored hash, which the
// password-hash rules judge by its format, not a password.
var hashWords = map[string]bool{
	"encoded": true, "hashed": true, "hash": true, "digest": true, "digested": true, "salted": true,
	"bcrypt": true, "md5": true, "sha1": true, "sha256": true, "sha512": true, "pbkdf2": true,
	"scrypt": true, "argon2": true,
	// Authlogic's crypted_password column holds the password's digest.
	"crypted": true,
}

// checkNotHashName drops a value whose name, read from the line back from
// the match's start through the match's own leading identifier, holds a
// hash word (encodedPassword = "…", HASHED_PASSWORD=…).
func checkNotHashName(c *Candidate) (bool, string) {
	at := bytes.Index(c.Line, c.Match)
	if at < 0 {
		return true, ""
	}
	start, end := at, at
	for start > 0 && isIdentByte(c.Line[start-1]) {
		start--
	}
	for end < len(c.Line) && isIdentByte(c.Line[end]) {
		end++
	}
	for _, w := range identifierWords(c.Line[start:end]) {
		if hashWords[w] {
			return false, "not-hash-name: the name says the value is a password's " + w + ", not the password"
		}
		if w == "encrypted" && hexDigest(c.Secret) {
			// Devise's encrypted_password column holds a digest. An
			// encrypted value of another shape is kept: Firefox's
			// logins.json encryptedPassword opens with key4.db beside it.
			return false, "not-hash-name: an encrypted password's column holding a hex digest, not the password"
		}
	}
	return true, ""
}

// hexDigest reports a value of hex digits as long as an MD5, SHA-1, SHA-2
// or SHA-3 digest.
func hexDigest(s []byte) bool {
	switch len(s) {
	case 32, 40, 56, 64, 96, 128:
	default:
		return false
	}
	for _, b := range s {
		if !(b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F') {
			return false
		}
	}
	return true
}

// credentialWords name a credential when they are a whole word of an
// identifier (API_KEY, apiToken, client.secret).
var credentialWords = map[string]bool{
	"key": true, "keys": true, "token": true, "tokens": true, "secret": true, "secrets": true,
	"password": true, "passwords": true, "passwd": true, "passphrase": true, "pwd": true, "pass": true,
	"auth": true, "authorization": true, "credential": true, "credentials": true, "creds": true, "cred": true,
	"apikey": true, "apikeys": true, "pat": true,
}

// compoundPrefixes may be glued to a credential word in one lower-case word
// (apikey, accesstoken, clientsecret, secretkey).
var compoundPrefixes = map[string]bool{
	"api": true, "access": true, "secret": true, "private": true, "auth": true, "app": true, "client": true,
	"master": true, "account": true, "admin": true, "service": true, "session": true, "refresh": true,
	"write": true, "read": true, "signing": true, "webhook": true, "deploy": true, "sdk": true, "server": true,
	"license": true, "licence": true, "project": true, "user": true, "personal": true, "bearer": true,
	"integration": true, "management": true, "mgmt": true, "bot": true, "org": true, "team": true,
	"partner": true, "merchant": true, "consumer": true, "encryption": true, "dev": true, "prod": true,
	"live": true, "rest": true, "ingest": true, "ingestion": true, "write_": true,
}

// notBeforeCredential are words that, right before the credential word, make
// the name something other than a secret: a public or publishable key, a
// database's partition key, a cache key, a keyboard shortcut.
var notBeforeCredential = map[string]bool{
	"public": true, "pub": true, "publishable": true, "site": true, "hash": true, "partition": true,
	"sort": true, "primary": true, "foreign": true, "cache": true, "map": true, "lookup": true,
	"idempotency": true, "object": true, "range": true, "shard": true, "routing": true, "row": true,
	"dedup": true, "dedupe": true, "unique": true, "index": true, "group": true, "event": true,
	"message": true, "field": true, "column": true, "table": true, "dict": true, "translation": true,
	"locale": true, "label": true, "display": true, "menu": true, "keyboard": true, "shortcut": true,
	"hot": true, "verify": true, "verification": true, "s3": true,
	"next": true, "sequence": true, "entity": true, "attribute": true, "json": true, "i18n": true,
	"cursor": true, "page": true, "pagination": true, "continuation": true, "csrf": true, "xsrf": true,
	// Rails' per-form CSRF token (<input name="authenticity_token" value="…">).
	"authenticity": true,
	// An example or sample key is a placeholder (Google's API docs: "Example
	// key: zones/us-central1-a"); a hashed key is a digest of one (Loki's
	// hashed_key=ef674192…).
	"example": true, "sample": true, "hashed": true,
	// GPG/PGP keys are named by their fingerprint or ID; a KMS key by its
	// ID or ARN: identifiers, not secrets.
	"gpg": true, "pgp": true, "gnupg": true, "kms": true,
	// A key named for its encoding or its digest is a test vector or a
	// header name far more often than a credential (aeadHexKey, b64Key,
	// ContentSHAKey = "X-Amz-Content-Sha256").
	"hex": true, "b64": true, "base64": true, "sha": true,
}

// notBeforeKey are words that, right before key (not token or secret), make
// the name an identifier's: SonarCloud's organizationKey and projectKey,
// Jira's issue and project keys are slugs (nonexistent-org-9f2a7c4e…),
// where an org token or a project secret is a credential.
var notBeforeKey = map[string]bool{
	"organization": true, "organisation": true, "org": true, "project": true, "repo": true,
	"repository": true, "workspace": true, "issue": true,
	// App Engine's blob-key=… names a stored blob (a MIME parameter in the
	// Go sources' multipart tests).
	"blob": true,
	// An ordinal names a map's entries (Terraform's first_key/second_key
	// fixtures); a context, timeout or query key is the identifier a value is
	// stored under (Go's const TimeoutKey = "<uuid>", react-query's queryKey).
	"first": true, "second": true, "third": true, "fourth": true, "fifth": true,
	"context": true, "ctx": true, "timeout": true, "query": true,
	// A manifest's, a property's or an option's key is a setting's name
	// (cargo's "unused manifest key: target.….dev-dependencies").
	"manifest": true, "property": true, "option": true, "setting": true, "settings": true,
	// A Google spreadsheet's key is the document's ID in its URL; an
	// alternate key is a database's (or GitLab Runner's cache's) second
	// unique key; a runtime environment's key names an entry of it.
	"spreadsheet": true, "alternate": true, "environment": true,
	// A parser's current key is the field it is reading (ffjson's
	// currentKey = ffj_t_B2Error_Message).
	"current": true,
	// Sec-WebSocket-Key is the handshake's random nonce.
	"socket": true,
	// A stats or metrics key is the identifier a sample is stored under
	// (Telegraf's ECS test: pauseStatsKey = "<container ID>").
	"stats": true, "stat": true, "metric": true, "metrics": true,
	// A dynamic key names a cached or deduplicated run (Prefect's
	// dynamic_key="02130dc3-…").
	"dynamic": true,
	// CloudFormation's OutputKey and ParameterKey name a stack's output
	// and parameter (UserClicksServiceAPIEndpoint1DA4E100, a CDK logical
	// ID with its hash): the value beside them is OutputValue.
	"output": true, "parameter": true,
}

// notAfterCredential are words that, after the last credential word, make
// the name describe the credential rather than hold it (API_KEY_ID,
// tokenUrl, secret_name, key_file).
var notAfterCredential = map[string]bool{
	"id": true, "ids": true, "name": true, "names": true, "file": true, "files": true, "filename": true,
	"path": true, "paths": true, "dir": true, "url": true, "urls": true, "uri": true, "endpoint": true,
	"host": true, "hostname": true, "type": true, "types": true, "kind": true, "length": true, "len": true,
	"size": true, "header": true, "headers": true, "prefix": true, "suffix": true, "format": true,
	"version": true, "ref": true, "refs": true, "env": true, "var": true, "vars": true, "variable": true,
	"param": true, "params": true, "field": true, "label": true, "hint": true, "description": true,
	"desc": true, "help": true, "regex": true, "regexp": true, "pattern": true, "enabled": true,
	"enable": true, "required": true, "hash": true, "hashed": true, "fingerprint": true, "sha": true,
	"digest": true, "expiry": true, "expires": true, "expiration": true, "expire": true, "ttl": true,
	"count": true, "index": true, "location": true, "provider": true, "mode": true, "policy": true,
	"arn": true, "algorithm": true, "alg": true, "template": true, "placeholder": true, "example": true,
	"public": true, "pub": true, "set": true, "exists": true, "missing": true, "invalid": true, "valid": true,
	"error": true, "errors": true, "message": true, "msg": true, "text": true, "title": true, "status": true,
	"state": true, "input": true, "button": true, "link": true, "tooltip": true, "column": true,
	"schema": true, "max": true, "min": true, "limit": true, "timeout": true, "interval": true,
	"rotation": true, "age": true, "created": true, "updated": true, "mask": true, "masked": true,
	"last4": true, "source": true, "store": true, "vault": true, "usage": true,
	"issuer": true, "audience": true, "scope": true, "scopes": true, "owner": true, "user": true,
	"username": true, "email": true, "account": true, "region": true, "project": true, "kid": true,
}

// notInName make any name a non-secret wherever they stand (NEXT_PUBLIC_…,
// publicToken, EncryptedDataKey).
var notInName = map[string]bool{"public": true, "publishable": true, "pubkey": true, "publickey": true,
	// A sealed, encrypted or wrapped value is ciphertext, useless without the
	// key that seals it: MinIO's X-Minio-Internal-…-Sealed-Key metadata,
	// Nacos's setEncryptedDataKey("…").
	"sealed": true, "encrypted": true, "wrapped": true}

// credentialWord reports whether w is a credential word or a compound that
// ends in one (apikey, accesstoken).
func credentialWord(w string) bool {
	if credentialWords[w] {
		return true
	}
	for cw := range credentialWords {
		if len(w) > len(cw) && strings.HasSuffix(w, cw) && compoundPrefixes[w[:len(w)-len(cw)]] {
			return true
		}
	}
	return false
}

// identifierWords splits an identifier into lower-case words at
// separators, camel-case humps and acronyms (BlocknativeAPIKey → blocknative
// api key; X_API_KEY → x api key). Digits stay with their word.
func identifierWords(name []byte) []string {
	var words []string
	var cur []byte
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	isUp := func(b byte) bool { return b >= 'A' && b <= 'Z' }
	isLow := func(b byte) bool { return b >= 'a' && b <= 'z' }
	for i := 0; i < len(name); i++ {
		b := name[i]
		if !(isUp(b) || isLow(b) || b >= '0' && b <= '9') {
			flush()
			continue
		}
		if isUp(b) && len(cur) > 0 {
			prev := cur[len(cur)-1]
			// A hump (fooBar) or the last capital of an acronym (APIKey).
			if isLow(prev) || prev >= '0' && prev <= '9' || isUp(prev) && i+1 < len(name) && isLow(name[i+1]) {
				flush()
			}
		}
		cur = append(cur, b)
	}
	flush()
	return words
}

// checkCredentialName judges the identifier a value is assigned to (the
// rule's `name` group; for provider rules the part after the provider's
// name): it must hold a credential word, not describe the credential
// (…_KEY_ID, tokenUrl), and not name a public or structural key
// (NEXT_PUBLIC_…, partition_key).
func checkCredentialName(c *Candidate) (bool, string) {
	words := identifierWords(c.Name)
	if len(words) > 0 && c.NameAt > 0 && c.NameAt <= len(c.Match) && len(c.Name) > 0 {
		// The name continues the word before it (the provider's name) with
		// no boundary: blocknativekey is fine, oktaness_key is another word.
		// The service's API glued to its name is still its name
		// (supernotesapi token, SUPERNOTESAPI_KEY); the rest of the name
		// must then hold a credential word as any other.
		prev, next := c.Match[c.NameAt-1], c.Name[0]
		glued := isLower(prev) && isLower(next) || isUpper(prev) && isUpper(next) || isDigit(prev) && isDigit(next)
		if glued && !credentialWord(words[0]) && words[0] != "api" {
			return false, "credential-name: the provider's name runs on into another word (" + words[0] + ")"
		}
	}
	for _, w := range prefixWords(c) {
		if notInName[w] {
			return false, "credential-name: the name says " + w
		}
	}
	last := -1
	amplitude, secret := false, false
	for i, w := range words {
		if notInName[w] {
			return false, "credential-name: the name says " + w
		}
		if credentialWord(w) {
			last = i
		}
		amplitude = amplitude || w == "amplitude"
		secret = secret || w == "secret"
	}
	if last < 0 {
		return false, "credential-name: no credential word (key, token, secret, password, …) in the name"
	}
	if amplitude && !secret {
		// Amplitude's API key is what its browser SDK sends with every
		// event (Prefect's docs site: amplitudeKey = '<32 hex>'); its
		// secret key, which amplitude-secret-key reports, is the credential.
		return false, "credential-name: an Amplitude API key, sent from browsers by design (the secret key is the credential)"
	}
	if last > 0 && (notBeforeCredential[words[last-1]] || words[last] == "key" && notBeforeKey[words[last-1]]) {
		return false, "credential-name: a " + words[last-1] + " " + words[last] + " is not a secret"
	}
	for _, w := range words[last+1:] {
		if notAfterCredential[w] {
			return false, "credential-name: the name describes the credential (" + w + "), it does not hold it"
		}
	}
	return true, ""
}

// checkProviderName judges the name after a provider's name as
// credential-name does, and also takes a name that ends in access or private
// (PDFSHIFT_ACCESS, weatherbitAccess, splunk_PRIVATE): after a provider's
// name those words stand for its access or private key, where alone they
// name a permission or a visibility.
func checkProviderName(c *Candidate) (bool, string) {
	ok, why := checkCredentialName(c)
	if ok || !strings.HasPrefix(why, "credential-name: no credential word") {
		return ok, why
	}
	words := identifierWords(c.Name)
	if n := len(words); n > 0 && (words[n-1] == "access" || words[n-1] == "private") {
		return true, ""
	}
	if len(words) == 0 && ownNameAssigned(c) {
		return true, ""
	}
	return false, why
}

// ownNameAssigned reports whether the provider's name alone is the
// identifier, assigned with an operator (scraping_bee = '…', cloudmersive:
// "…", apiTemplate := "…"): a variable or key named for the service holds
// its key. A bare space, a comma or a parenthesis after the name is not an
// assignment (metabase 'Y49f…' in prose, f(acme, "…")).
func ownNameAssigned(c *Candidate) bool {
	end := c.NameAt + len(c.Name)
	if c.NameAt < 0 || end > len(c.Match) {
		return false
	}
	rest := bytes.TrimLeft(c.Match[end:], `"'\] `+"\t")
	return len(rest) > 0 && (rest[0] == '=' || rest[0] == ':')
}

// prefixWords are the words of the identifier before the rule's match (the
// NEXT_PUBLIC_ of NEXT_PUBLIC_BLOCKNATIVE_KEY), read from the line.
func prefixWords(c *Candidate) []string {
	i := bytes.Index(c.Line, c.Match)
	if i < 0 || len(c.Match) == 0 {
		return nil
	}
	end := i
	// The match may start with the byte before the provider's name.
	if b := c.Match[0]; b == '_' || b == '-' || b == '.' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' {
		end = i + 1
	}
	s := end
	for s > 0 && isIdentByte(c.Line[s-1]) {
		s--
	}
	return identifierWords(c.Line[s:end])
}

func isLower(b byte) bool { return b >= 'a' && b <= 'z' }
func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isIdentByte(b byte) bool {
	return b == '_' || b == '-' || b == '.' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func checkHasLetter(c *Candidate) (bool, string) {
	for _, b := range c.Secret {
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' {
			return true, ""
		}
	}
	return false, "has-letter: secret has no letter (a number)"
}

// checkNotWords drops values spelt as an identifier of words
// (BlocknativeApiKey, SOME_CONFIG_KEY, my-service-name): a configuration
// key's name where its value should be. Random values of the same alphabet
// break into humps of one or two characters, or carry digits.
func checkNotWords(c *Candidate) (bool, string) {
	if wordsIdentifier(c.Secret) {
		return false, "not-words: a name made of words, not a value"
	}
	if describesOwnName(c) {
		return false, "not-words: the value describes itself by its name (accountkey: base64encodedaccountkey)"
	}
	// In a query string the words may end in an escaped '=' or two
	// (token=theAccessToken%3D in a URL-building test).
	if t := trimEscapedPadding(c.Secret); len(t) < len(c.Secret) && wordsIdentifier(t) {
		return false, "not-words: a name made of words, not a value"
	}
	if w := encodedWords(c.Secret); w != "" {
		return false, "not-words: " + w
	}
	if headerNameRE().Match(c.Secret) {
		return false, "not-words: an HTTP header's name (X-Minio-Internal-…-Sealed-Key), not a value"
	}
	// A name, then '+', then the key: a sumdb/note verifier key
	// (PeterNeumann+c74f20a3+ARpc…) is public, and the name is spelt in
	// words where a random value has none.
	// (Only with the hash's eight hex digits and a '+' after the name:
	// base64 may start with letters and a '+' too, LTGVEXyf+kWh….)
	if i := bytes.IndexByte(c.Secret, '+'); i >= 6 && lettersOnly(c.Secret[:i]) && verifierHash(c.Secret[i+1:]) && wordsIdentifier(c.Secret[:i]) {
		return false, "not-words: a name made of words, then the key (a public verifier key)"
	}
	return true, ""
}

// verifierHash reports a note verifier key's key hash and the '+' after it:
// eight lower-case hex digits.
func verifierHash(s []byte) bool {
	if len(s) < 9 || s[8] != '+' {
		return false
	}
	for _, b := range s[:8] {
		if !isDigit(b) && (b < 'a' || b > 'f') {
			return false
		}
	}
	return true
}

// encodedWords reports a value that is an encoding of a name or a test
// vector rather than random bytes: base64 of words behind an optional
// PREFIX_ (DMS_YWNjZXNzX3Rva2Vu is DMS_ + base64 of access_token, a
// fixture's stand-in token), or base32 of the digits RFC 4226 and 6238 use
// as their test secret (GEZDGNBVGY3TQOJQ… is 1234567890…).
func encodedWords(s []byte) string {
	body := s
	if i := bytes.IndexByte(s, '_'); i > 0 && i <= 8 && upperOnly(s[:i]) {
		body = s[i+1:]
	}
	if len(body) >= 12 {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			d, err := enc.DecodeString(string(body))
			if err != nil || len(d) < 8 {
				continue
			}
			// Random bytes decode to binary, where anything not a letter
			// splits "words" (zcdFWFC88vBcGroYGyfxcWV5 holds EXP and qey):
			// a name is spelt in identifier characters only (a user:name
			// pair has a colon).
			if !bytes.ContainsFunc(d, func(r rune) bool { return r > 0x7f || !isIdentByte(byte(r)) && r != ':' }) && (wordsIdentifier(d) || lowerLettersWord(d)) {
				return "base64 of a name made of words (" + strconv.Quote(string(d)) + "), a stand-in token"
			}
			break
		}
	}
	if len(s) >= 16 && upperBase32(s) {
		if d, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(bytes.TrimRight(s, "="))); err == nil && len(d) >= 10 {
			// (echo 1234…| base32 encodes the newline too: GEZD…GEZAU.)
			d = bytes.TrimRight(d, "\r\n")
			if strings.HasPrefix(strings.Repeat("1234567890", len(d)/10+1), string(d)) {
				return "base32 of 1234567890…, the RFC 4226/6238 test secret"
			}
		}
	}
	return ""
}

func upperBase32(s []byte) bool {
	for _, b := range bytes.TrimRight(s, "=") {
		if !isUpper(b) && (b < '2' || b > '7') {
			return false
		}
	}
	return true
}

func upperOnly(s []byte) bool {
	for _, b := range s {
		if !isUpper(b) {
			return false
		}
	}
	return len(s) > 0
}

// lowerLettersWord reports a single lower-case word, as base64 of "password"
// or "secretkey" decodes.
func lowerLettersWord(s []byte) bool {
	for _, b := range s {
		if !isLower(b) {
			return false
		}
	}
	return pronounceable(string(s))
}

// headerNameRE matches an extension header's name: X-, then three or more
// capitalised words or short acronyms joined by hyphens.
var headerNameRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^X-(?:[A-Z][a-z]+|[A-Z0-9]{1,4})(?:-(?:[A-Z][a-z]+|[A-Z0-9]{1,4})){2,}$`)
})

// trimEscapedPadding drops percent-escaped '=' signs from the end of s.
func trimEscapedPadding(s []byte) []byte {
	for len(s) >= 3 && bytes.EqualFold(s[len(s)-3:], []byte("%3D")) {
		s = s[:len(s)-3]
	}
	return s
}

func lettersOnly(s []byte) bool {
	for _, b := range s {
		if !isLower(b) && !isUpper(b) {
			return false
		}
	}
	return true
}

func wordsIdentifier(s []byte) bool {
	digits, digitLetter := 0, 0
	for i, b := range s {
		if b == '+' || b == '/' || b == '=' {
			return false
		}
		if b >= '0' && b <= '9' {
			digits++
			if i+1 < len(s) && (isLower(s[i+1]) || isUpper(s[i+1])) {
				digitLetter++
			}
		}
	}
	if digitLetter >= 2 {
		// A name puts a digit before a letter once at most (S3Express,
		// k8sClient); random base62 does it again and again
		// (UjnlJA46Jpu3Vupm, 67drhRS8NPAJUndv).
		return false
	}
	words := identifierWords(s)
	if len(words) < 2 || digits > 0 && len(words) < 3 {
		return false
	}
	plain := 0
	for _, w := range words {
		if len(w) >= 4 && !strings.ContainsAny(w, "0123456789") {
			plain++
		}
	}
	if digits > 0 && plain < 2 {
		return false
	}
	odd := false
	for i, w := range words {
		// A word may carry a digit or two where identifiers do (ec2, s3,
		// oauth2, v1), beside at least two plain words of four letters or
		// more (random base64url breaks into short humps).
		letters := strings.TrimFunc(w, func(r rune) bool { return r >= '0' && r <= '9' })
		if letters == "" && i == len(words)-1 && len(w) <= 4 && plain >= 2 {
			// oauth2_access_token_123: a name with a counter at its end.
			continue
		}
		if strings.ContainsAny(w, "0123456789") {
			// ec2, s3, v2, oauth2, 2fa: a short word and one or two digits.
			if letters == "" || strings.ContainsAny(letters, "0123456789") || len(w)-len(letters) > 2 || len(letters) > 6 {
				return false
			}
			continue
		}
		if len(w) < 3 && !shortWords[w] || !pronounceable(w) {
			// One short odd word among four plain ones or more is an
			// identifier's (__WEBPACK_EXTERNAL_MODULE_swagger_client_es_…).
			if len(w) <= 3 && plain >= 4 && !odd {
				odd = true
				continue
			}
			return false
		}
	}
	return true
}

// shortWords are the two-letter words identifiers are made of.
var shortWords = map[string]bool{"my": true, "to": true, "of": true, "id": true, "db": true, "io": true, "ui": true,
	"in": true, "on": true, "by": true, "is": true, "no": true, "ok": true, "up": true, "at": true, "as": true, "or": true}

// pronounceable reports a word with vowels where English puts them: no run
// of five consonants and at least one vowel per five letters. Random letters
// fail it almost always.
func pronounceable(w string) bool {
	vowels, run := 0, 0
	for i := 0; i < len(w); i++ {
		switch w[i] {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			vowels++
			run = 0
		default:
			run++
			if run >= 5 {
				return false
			}
		}
	}
	return vowels*5 >= len(w)
}
