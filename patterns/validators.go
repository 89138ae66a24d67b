package patterns

import (
	"bytes"
	"encoding/base32"
	"encoding/binary"
	"math"
	mathbits "math/bits"
	"regexp"
	"sort"
	"strconv"
	"sync"
)

// A Candidate is one regex match on its way to becoming a finding. Validators
// read it and may add attributes.
type Candidate struct {
	// Secret is the text of the rule's `secret` group (or the whole match).
	Secret []byte
	// Match is the whole regex match.
	Match []byte
	// Line is the full line holding the start of the match, for context checks.
	Line []byte
	// Name is the text of the rule's `name` group, when it has one: the
	// identifier (or, for provider rules, the part of it after the
	// provider's name) the value is assigned to.
	Name []byte
	// NameAt is the offset of Name in Match.
	NameAt int
	// Text is the data the match was found in and At the offset of Secret
	// in it, for checks that read past the line (the keys beside a value
	// in a JSON object that spans lines). Text is nil where there is no
	// such data (a decoded value).
	Text []byte
	At   int
	// Attributes collects what validators learn (e.g. aws_account_id).
	Attributes map[string]string
}

// SetAttr records an attribute on the candidate.
func (c *Candidate) SetAttr(k, v string) {
	if c.Attributes == nil {
		c.Attributes = map[string]string{}
	}
	c.Attributes[k] = v
}

// A Validator turns a regex match into a finding or drops it. Check returns
// ok=false with a short reason (shown by `scan --explain`) to drop.
type Validator struct {
	Name  string
	Check func(c *Candidate) (ok bool, reason string)
}

// validators is the registry rules name in their `validators` list. It is a
// function rather than a package variable so nothing runs at init.
func validators() map[string]Validator {
	validatorsOnce.Do(func() { validatorMap = buildValidators() })
	return validatorMap
}

// The registry is built once: every rule names its validators, and start-up
// looks up thousands of names.
var (
	validatorsOnce sync.Once
	validatorMap   map[string]Validator
)

func buildValidators() map[string]Validator {
	list := []Validator{
		{"aws-key-id", checkAWSKeyID},
		{"mixed-case", checkMixedCase},
		{"not-hex", checkNotHex},
		{"not-placeholder", checkNotPlaceholder},
		{"has-digit", checkHasDigit},
	}
	list = append(list, extraValidators()...)
	list = append(list, contextValidators()...)
	list = append(list, keyValidators()...)
	m := make(map[string]Validator, len(list))
	for _, v := range list {
		m[v.Name] = v
	}
	return m
}

// SettlesPlaceholder reports whether a candidate that passed v needs no
// placeholder test after it (the built-in allow list's): not-placeholder
// ran that test itself, and a whole DER private key, its structure checked,
// is no placeholder whatever runs of digits its random numbers hold (a
// 2048-bit key's 2,400 hex digits hold 123456 or 000000 about once in a
// thousand keys), and stored-password judges a password a credential file
// holds, where the placeholder test's runs (123456, abcdef) are a weak
// password's, not a stand-in's.
func (v Validator) SettlesPlaceholder() bool {
	return v.Name == "not-placeholder" || v.Name == "der-private-key" || v.Name == "stored-password"
}

// LookupValidator returns the named validator.
func LookupValidator(name string) (Validator, bool) {
	v, ok := validators()[name]
	return v, ok
}

// ValidatorNames lists every registered validator, sorted.
func ValidatorNames() []string {
	var names []string
	for n := range validators() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Entropy returns the Shannon entropy of b in bits per byte.
func Entropy(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	var counts [256]int
	var seen [4]uint64
	for _, c := range b {
		counts[c]++
		seen[c>>6] |= 1 << (c & 63)
	}
	n := float64(len(b))
	var logs *[entropyTableMax + 1]float64
	if len(b) <= entropyTableMax {
		logs = &log2Ratios()[len(b)]
	}
	// The bytes seen, in increasing order as a loop over counts takes
	// them (the sum's rounding depends on its order), and each term as
	// p·log₂p was always computed: the same number, bit for bit, without
	// the 256 counts' loop and, for a secret's length, the logarithms.
	var h float64
	for w, bits := range seen {
		for bits != 0 {
			c := counts[w<<6|mathbits.TrailingZeros64(bits)]
			bits &= bits - 1
			p := float64(c) / n
			var lg float64
			if logs != nil {
				lg = logs[c]
			} else {
				lg = math.Log2(p)
			}
			h -= p * lg
		}
	}
	return h
}

// entropyTableMax is the longest value Entropy takes its logarithms from
// log2Ratios for.
const entropyTableMax = 64

// log2Ratios holds log₂(c/n) for 1 ≤ c ≤ n ≤ entropyTableMax, as
// math.Log2(float64(c)/float64(n)) gives it: Entropy runs on every
// candidate of most rules, and its logarithms were 2% of a secret-dense
// history scan's CPU.
var log2Ratios = sync.OnceValue(func() *[entropyTableMax + 1][entropyTableMax + 1]float64 {
	var t [entropyTableMax + 1][entropyTableMax + 1]float64
	for n := 1; n <= entropyTableMax; n++ {
		for c := 1; c <= n; c++ {
			t[n][c] = math.Log2(float64(c) / float64(n))
		}
	}
	return &t
})

var awsBase32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// AWSAccountID decodes the 12-digit account ID embedded in an AKIA/ASIA key
// ID (the technique AWS's own `sts get-access-key-info` relies on), offline.
func AWSAccountID(keyID string) (string, bool) {
	if len(keyID) != 20 {
		return "", false
	}
	switch keyID[:4] {
	case "AKIA", "ASIA":
	default:
		return "", false
	}
	raw, err := awsBase32.DecodeString(keyID[4:])
	if err != nil || len(raw) < 6 {
		return "", false
	}
	var buf [8]byte
	copy(buf[2:], raw[:6])
	z := binary.BigEndian.Uint64(buf[:])
	id := (z & 0x7fffffffff80) >> 7
	// 40 bits reach 1,099,511,627,775; AWS accounts have 12 digits. A key ID
	// whose bits say more names no account (it was made up): saying
	// "AWS account 1049578702752" would state a fact that is not one.
	if id > 999_999_999_999 {
		return "", false
	}
	s := strconv.FormatUint(id, 10)
	for len(s) < 12 {
		s = "0" + s
	}
	return s, true
}

func checkAWSKeyID(c *Candidate) (bool, string) {
	s := c.Secret
	if len(s) != 20 {
		return false, "aws-key-id: not 20 characters"
	}
	for _, b := range s[4:] {
		if !(b >= 'A' && b <= 'Z' || b >= '2' && b <= '7') {
			return false, "aws-key-id: not base32 after the prefix"
		}
	}
	if id, ok := AWSAccountID(string(s)); ok {
		c.SetAttr("aws_account_id", id)
	}
	return true, ""
}

func checkMixedCase(c *Candidate) (bool, string) {
	var upper, lower bool
	for _, b := range c.Secret {
		upper = upper || b >= 'A' && b <= 'Z'
		lower = lower || b >= 'a' && b <= 'z'
	}
	if upper && lower {
		return true, ""
	}
	return false, "mixed-case: secret is not mixed case"
}

func checkHasDigit(c *Candidate) (bool, string) {
	for _, b := range c.Secret {
		if b >= '0' && b <= '9' {
			return true, ""
		}
	}
	return false, "has-digit: secret has no digit"
}

func checkNotHex(c *Candidate) (bool, string) {
	for _, b := range c.Secret {
		if !(b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F') {
			return true, ""
		}
	}
	return false, "not-hex: secret is a hex string (a hash or ID)"
}

func checkNotPlaceholder(c *Candidate) (bool, string) {
	if reason := Placeholder(c.Secret); reason != "" {
		return false, "not-placeholder: " + reason
	}
	return true, ""
}

var placeholderWords = [][]byte{
	[]byte("example"), []byte("sample"), []byte("placeholder"), []byte("changeme"),
	[]byte("change_me"), []byte("your_"), []byte("your-"), []byte("yourkey"), []byte("dummy"),
	[]byte("redacted"), []byte("insert"), []byte("xxxxxx"), []byte("******"), []byte("000000"),
	[]byte("abcdef"), []byte("123456"), []byte("fake"), []byte("replace"), []byte("notreal"),
	[]byte("todo"), []byte("blabla"), []byte("not a real"), []byte("not-a-real"), []byte("not_a_real"), []byte("notarealtoken"),
	// A value that says whose and what it is inside a token's frame
	// (sk_pr_my_key_fa02…): six or more given characters with a separator
	// that base64url and hex values rarely hold, and a real key never says.
	[]byte("my_key"), []byte("my-key"), []byte("my_api_key"), []byte("my-api-key"),
	[]byte("my_token"), []byte("my-token"), []byte("my_secret"), []byte("my-secret"),
	// The UUID every RFC and tutorial shows (123e4567-e89b-12d3-a456-426614174000).
	[]byte("123e4567-e89b-12d3"),
	// Hexspeak written in for a hex value (cafebabe:deadbeef, AKIADEADBEEF…):
	// eight given hex digits occur in a random value about once in 4·10⁹.
	[]byte("deadbeef"), []byte("cafebabe"),
}

// shellVariable reports a value that starts as a variable reference does
// ($DB_PASSWORD, $(cat key), $1): a crypt(3) hash ($6$salt$hash) or a PHC
// string ($argon2id$v=19$…) starts with $ too, and is not one.
func shellVariable(s []byte) bool {
	if len(s) < 2 || s[0] != '$' {
		return len(s) == 1 && s[0] == '$'
	}
	if s[1] == '{' || s[1] == '(' {
		return true
	}
	i := 1
	for i < len(s) && (s[i] == '_' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || i > 1 && s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if i == 1 {
		// $1, $@: a positional parameter, unless a $-delimited hash follows.
		return !bytes.ContainsRune(s[1:], '$')
	}
	// $NAME, or $NAME followed by text that is not another $ field: a
	// path, a port, a closing bracket ($HOME/.ssh, $HOST:5432). Random
	// punctuation after the name is a generated value that happens to
	// start with $ (a WordPress salt).
	if i < len(s) && !bytes.ContainsRune([]byte("/\\.:-@}]);, \t"), rune(s[i])) {
		return false
	}
	return !bytes.ContainsRune(s[i:], '$')
}

// Placeholder reports why secret looks like a placeholder rather than a real
// value ("" when it does not): template variables, angle-bracket hints,
// repeated characters and words like EXAMPLE.
func Placeholder(secret []byte) string {
	s := bytes.TrimSpace(secret)
	if len(s) == 0 {
		return "empty"
	}
	if templateVariable(s) {
		return "template variable"
	}
	if crowdinPseudoTranslation(s) {
		return "a Crowdin in-context pseudo-translation (crwdns<id>:0crwdne<id>:0)"
	}
	lower := bytes.ToLower(s)
	if w := placeholderWord(s, lower); w != nil {
		return "contains " + strconv.Quote(string(w))
	}
	var distinct [256]bool
	n := 0
	for _, b := range s {
		if !distinct[b] {
			distinct[b] = true
			n++
		}
	}
	if n <= 3 && len(s) >= 6 {
		return "repeated characters"
	}
	if len(s) >= 16 && isSequential(lower) {
		return "sequential characters"
	}
	if len(s) >= 16 && (periodic(s) || mostlyPeriodic(lower)) {
		return "a repeated pattern"
	}
	if orderedRun(lower) {
		return "the alphabet or digits in order (a1b2c3…, ABCD1234EFGH5678…)"
	}
	if homeRowMash(lower) {
		return "keys struck along the keyboard's home row (asdfjkl…)"
	}
	if namesItself(s) || digitSeparatedWords(s) {
		return "words that name the value (my-gitlab-token, api_key_goes_here)"
	}
	if keyboardWalk(lower) {
		return "typed along the keyboard (asdfqwer1234, qwertyuiop)"
	}
	if metasyntacticSegments(lower) {
		return "foo and bar among its parts (qsfda9964-foo-sghz8751-bar)"
	}
	// (The shape has four dashes: most values have none, and need not be
	// searched.)
	if bytes.Count(s, []byte("-")) < 4 {
		return ""
	}
	if m := uuidShapeRE().Find(s); m != nil && bytes.ContainsFunc(m, func(r rune) bool { return r > 'f' && r <= 'z' || r > 'F' && r <= 'Z' }) {
		return "a UUID with letters past f (made up: no UUID holds them)"
	}
	return ""
}

// selfWords are the words a made-up value uses to say what it stands for.
var selfWords = map[string]bool{
	"token": true, "tokens": true, "key": true, "keys": true, "apikey": true, "secret": true, "secrets": true,
	"password": true, "passwd": true, "passphrase": true, "pass": true, "pwd": true,
	"credential": true, "credentials": true, "creds": true,
}

// namesItself reports a value written as lower-case words, one of them a
// credential's (my-gitlab-token, 123abc_my_api_key_goes_here,
// my-s3-credentials, token%2Fwith%2Fslashes): a test or a document naming
// what belongs there. Every part between separators is a lower-case word or
// a short run of letters and digits (s3, 123abc), and the words are at
// least half the value. A generated secret has capitals, or long runs
// that mix digits in, or no credential word among its parts; a passphrase
// of random words (correct-horse-battery-staple) names no credential.
func namesItself(s []byte) bool {
	if len(s) < 8 {
		return false
	}
	parts, words, letters, total := 0, 0, 0, 0
	named := false
	for i := 0; i < len(s); {
		if s[i] == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]) {
			// An escaped separator is one (token%2Fwith%2Fslashes).
			i += 3
			continue
		}
		j := i
		for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		if j == i {
			if s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 0x80 {
				return false
			}
			i++
			continue
		}
		part := s[i:j]
		parts++
		total += len(part)
		if bytes.IndexFunc(part, func(r rune) bool { return r >= '0' && r <= '9' }) < 0 {
			words++
			letters += len(part)
			if selfWords[string(part)] {
				named = true
			}
		} else if len(part) > 6 {
			return false
		}
		i = j
	}
	return named && parts >= 2 && words >= 2 && 2*letters >= total
}

// digitSeparatedWords reports a value of lower-case words with numbers
// between them instead of separators, one of the words a credential's
// (some123valid456api789key1011for1213api1415gateway, in the Serverless
// Framework's documentation): four words or more, every run of letters a
// pronounceable word of two letters or more, the words at least half the
// value. A random value of lower-case letters and digits breaks into runs
// of one letter, or of consonants, long before it spells four words and a
// credential's name.
func digitSeparatedWords(s []byte) bool {
	if len(s) < 16 {
		return false
	}
	words, letters, named := 0, 0, false
	for i := 0; i < len(s); {
		j := i
		switch b := s[i]; {
		case b >= '0' && b <= '9':
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
		case b >= 'a' && b <= 'z':
			for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
				j++
			}
			w := string(s[i:j])
			if len(w) < 2 || len(w) == 2 && !shortWords[w] || !pronounceable(w) {
				return false
			}
			words++
			letters += len(w)
			named = named || selfWords[w]
		default:
			return false
		}
		i = j
	}
	return named && words >= 4 && 2*letters >= len(s)
}

func isHexDigit(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}

// templateVariable reports whether s (trimmed, not empty) is a template
// variable, Placeholder's first test: checkNotCode asks only this, and the
// whole of Placeholder for it was 4% of a secret-dense history scan.
func templateVariable(s []byte) bool {
	// ${VAR}, {{ var }} and %(var)s count where they open the value or
	// stand whole inside it: a WordPress salt's 64 characters of random
	// punctuation hold one of the openers in about one salt in fifty.
	return (bytes.Contains(s, []byte("${")) || bytes.Contains(s, []byte("{{")) || bytes.Contains(s, []byte("%("))) && wholeTemplate(s) ||
		// Ruby's and CoffeeScript's interpolation, JSF's expressions
		// ("http://localhost:#{port}"), as a whole #{name}: a WordPress
		// salt's random punctuation holds #{ by chance.
		bytes.Contains(s, []byte("#{")) && rubyInterpolationRE().Match(s) ||
		shellVariable(s) || s[0] == '<' && s[len(s)-1] == '>'
}

// wholeTemplate reports a value that starts with a template opener, or
// holds a whole expression: ${NAME}, ${NAME:-default}, {{ expr }},
// %(name)s.
func wholeTemplate(s []byte) bool {
	if bytes.HasPrefix(s, []byte("${")) || bytes.HasPrefix(s, []byte("{{")) || bytes.HasPrefix(s, []byte("%(")) {
		return true
	}
	return templateExprRE().Match(s)
}

var templateExprRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_.]*(?:[:?+=-][^{}]*)?\}|\{\{-?\s*[A-Za-z_.$][^{}]*\}\}|%\([A-Za-z_][A-Za-z0-9_.]*\)`)
})

// rubyInterpolationRE matches an interpolated expression, #{name},
// #{@ivar}, #{obj.attr}, or a call with plain arguments,
// #{SecureRandom.hex(64)} (Devise's message telling what to paste into the
// initializer).
var rubyInterpolationRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`#\{[@$]{0,2}[A-Za-z_][A-Za-z0-9_.]*(?:\([A-Za-z0-9_.:, '"]*\))?\}`)
})

// crowdinPseudoTranslation reports a value holding Crowdin's in-context
// localisation marker, crwdns<string id>:<plural form>crwdne<string id>:<plural form>:
// the pseudo-language (snipe-it's resources/lang/aa-ER) that Crowdin's
// in-context editor swaps for the text being translated, written where a
// translation file keeps every string, those under password keys too.
func crowdinPseudoTranslation(s []byte) bool {
	return bytes.Contains(s, []byte("crwdns")) && crowdinRE().Match(s)
}

var crowdinRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`crwdns([0-9]+):[0-9]+crwdne([0-9]+):[0-9]+`)
})

// uuidShapeRE is the 8-4-4-4-12 grouping of a UUID in any letters: a value
// in this shape with a letter past f (d4c3b2a1-f6e5-h8g7-…, a test's
// random sjbuxa3m-vs4n-…) was made up to look like a UUID, as no UUID
// generator writes one, and no provider's key is a UUID of other letters.
var uuidShapeRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^0-9A-Za-z])[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}(?:[^0-9A-Za-z]|$)`)
})

// placeholderWord returns the first of placeholderWords that lower (s
// lower-cased) contains where s spells it as typed (typedCase), or
// nil. It reads lower once, looking up each pair of bytes among the pairs
// the words start with, rather than searching it for each word in turn:
// that was 37 searches of every candidate that reaches the allow list, 5%
// of a secret-dense history scan's CPU.
func placeholderWord(s, lower []byte) []byte {
	best := len(placeholderWords)
	for i := 0; i+1 < len(lower); i++ {
		k := uint16(lower[i])<<8 | uint16(lower[i+1])
		if placeholderPairs[k>>6]&(1<<(k&63)) == 0 {
			continue
		}
		for _, wi := range placeholderStarts[k] {
			w := placeholderWords[wi]
			if wi < best && bytes.HasPrefix(lower[i:], w) && i+len(w) <= len(s) && typedCase(s[i:i+len(w)]) {
				best = wi
			}
		}
	}
	if best == len(placeholderWords) {
		return nil
	}
	return placeholderWords[best]
}

// placeholderPairs has a bit set for each pair of bytes a placeholder word
// starts with; placeholderStarts lists, for each such pair, the words (by
// index) that start with it.
var placeholderPairs, placeholderStarts = func() (bits [1 << 16 / 64]uint64, starts map[uint16][]int) {
	starts = map[uint16][]int{}
	for i, w := range placeholderWords {
		k := uint16(w[0])<<8 | uint16(w[1])
		bits[k>>6] |= 1 << (k & 63)
		starts[k] = append(starts[k], i)
	}
	return bits, starts
}()

// typedCase reports whether s is spelt as a person types a word: all lower
// case, all upper case or capitalised (todo, TODO, Todo). A random
// mixed-case token holds short words by chance in mixed case
// (evbLJoLoaeTOdoe5c3veGprQ holds "TOdo"), and those are not placeholders.
func typedCase(s []byte) bool {
	upper, lower := 0, 0
	for j, b := range s {
		switch {
		case b >= 'A' && b <= 'Z':
			upper++
			if j > 0 && lower > 0 {
				return false
			}
		case b >= 'a' && b <= 'z':
			lower++
		}
	}
	// All lower; all upper; or one capital first then lower case.
	return upper == 0 || lower == 0 || upper == 1 && s[0] >= 'A' && s[0] <= 'Z'
}

// metasyntacticSegments reports a value (lower-cased) split by - _ . or :
// into parts of which two or more are the metasyntactic foo, bar, baz or qux:
// a made-up value dressed as a token. A random token has no such parts.
func metasyntacticSegments(lower []byte) bool {
	if !bytes.Contains(lower, []byte("foo")) && !bytes.Contains(lower, []byte("bar")) {
		return false
	}
	n := 0
	for _, p := range bytes.FieldsFunc(lower, func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == ':' }) {
		switch string(p) {
		case "foo", "bar", "baz", "qux":
			n++
		}
	}
	return n >= 2
}

// keyboardRows are the rows of a QWERTY keyboard, left to right.
var keyboardRows = [][]byte{[]byte("1234567890"), []byte("qwertyuiop"), []byte("asdfghjkl"), []byte("zxcvbnm")}

// keyboardWalk reports a value of eight characters or more (lower-cased)
// made wholly of runs of four or more keys along one keyboard row
// (asdfqwer1234asdf, qwertyuiop, zxcvasdf): what a person types for a
// password a test needs. A random value of that length holds no such run
// but by chance, let alone nothing else.
func keyboardWalk(lower []byte) bool {
	if len(lower) < 8 {
		return false
	}
	for i := 0; i < len(lower); {
		best := 0
		for _, row := range keyboardRows {
			// No run longer than the row is in it: starting from the
			// value's length made a long secret (a PEM body) cost a
			// bytes.Contains per byte of it.
			for n := min(len(lower)-i, len(row)); n >= 4 && n > best; n-- {
				if bytes.Contains(row, lower[i:i+n]) {
					best = n
				}
			}
		}
		if best < 4 {
			return false
		}
		i += best
	}
	return true
}

// orderedRun reports a value in which the alphabet or the digits run in
// order through other characters: a1b2c3d4e5f6g7h8, abc123def456ghi789,
// ABCD1234-EFGH5678-IJKL9012. Made-up keys are typed this way; random ones
// are not. Eight letters in order, each at most five characters after the
// last, cannot happen in hex (six letters) and has a chance near 1e-8 in a
// random alphanumeric value; eight digits in order needs each within two
// characters of the last. Digits counting down (87654321-4321-…,
// FEDCBA09-8765-4321-…) are typed the same way and are as unlikely by chance;
// so is the alphabet backwards (ZYXWVUTSRQPONMLKJIHG, z9y8x7w6…), held to
// two characters a step: with five, one random 128-letter value in 4,000
// held such a run.
func orderedRun(s []byte) bool {
	// Either way, a run of eight needs eight consecutive letters (or
	// digits) present: nearly every random value lacks them, and is not
	// searched. (The searches were half of the built-in allow list's time
	// on a secret-dense history.)
	var letters, digits uint64
	for _, b := range s {
		switch {
		case b >= 'a' && b <= 'z':
			letters |= 1 << (b - 'a')
		case b >= '0' && b <= '9':
			digits |= 1 << (b - '0')
		}
	}
	return eightInARow(letters) && (ordered(s, 'a', 'z', 5, 1) || ordered(s, 'a', 'z', 2, -1)) ||
		eightInARow(digits) && (ordered(s, '0', '9', 2, 1) || ordered(s, '0', '9', 2, -1))
}

// eightInARow reports whether m has eight consecutive bits set.
func eightInARow(m uint64) bool {
	m &= m >> 1 // bit i: i and i+1 set
	m &= m >> 2 // i to i+3
	m &= m >> 4 // i to i+7
	return m != 0
}

// ordered is orderedRun's search for eight bytes of lo..hi, each step above
// the last and at most maxGap after it. (Its membership test was a func
// value called for every byte: 2% of a secret-dense history scan.)
func ordered(s []byte, lo, hi byte, maxGap, step int) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < lo || s[i] > hi {
			continue
		}
		n, last, pos := 1, int(s[i]), i
		for j := i + 1; j < len(s) && j-pos <= maxGap; j++ {
			if b := s[j]; b >= lo && b <= hi && int(b) == last+step {
				n, last, pos = n+1, int(b), j
				if n >= 8 {
					return true
				}
			}
		}
	}
	return false
}

// periodic reports values made of one short pattern repeated three or more
// times ("A1B2C3D4E5F6A1B2C3D4E5F6…", "abc123abc123abc123"): fillers, not
// keys. A random value of 16 characters or more is periodic with negligible
// probability.
func periodic(s []byte) bool {
	for p := 1; p*3 <= len(s); p++ {
		ok := true
		for i := p; i < len(s); i++ {
			if s[i] != s[i-p] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// homeRowMash reports a value typed by running the fingers over the home
// row (LaKSDJF98ALSkfj…, dkHL49dId5skLfBj…): four in five of its letters, of
// twenty-two or more, are a s d f g h j k l, and a third of all its letters
// s g h j k l. In a random value each letter is one of those nine with a chance of 9/26: eighteen of twenty-two comes
// about once in 130,000 values, and more letters make it rarer. Hex is
// left alone, as a, d and f are half its letters.
func homeRowMash(s []byte) bool {
	letters, home, homePastF, hex := 0, 0, 0, true
	for _, b := range s {
		switch {
		case b >= 'a' && b <= 'z':
			letters++
			switch b {
			case 'a', 'd', 'f':
				home++
			case 's', 'g', 'h', 'j', 'k', 'l':
				home++
				homePastF++
			}
			if b > 'f' {
				hex = false
			}
		case b >= '0' && b <= '9':
		default:
			hex = false
		}
	}
	// Fingers on the home row strike s g h j k l (past f) as often as
	// a d f; hex behind a prefix (gloas-, sk-lf-, slk_) strikes a d f alone.
	return !hex && letters >= 22 && home*5 >= letters*4 && homePastF*3 >= letters
}

// mostlyPeriodic reports values of which two thirds or more is one short
// pattern (up to 16 characters) repeated at least three times, in either case,
// after or before a few other characters: xyzxyz…xyz12, dapiabcd1234abcd1234…,
// Asdf1234asdf1234…, AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZ…, aaaa…aaaaNRAL. A
// provider's prefix or a typed ending hides the repetition from periodic. In
// a random value of 16 characters or more the stretch needs at least eight
// characters in a row each equal to the one p before it: about 16^-8 a place
// in hex (TestMostlyPeriodic finds none in 120,000 random values).
func mostlyPeriodic(s []byte) bool {
	for p := 1; p <= 16 && p*3 <= len(s); p++ {
		run := 0
		for i := p; i < len(s); i++ {
			if s[i] != s[i-p] {
				run = 0
				// A run begun after here is too short for two thirds
				// of s: this period is done (a long random value is
				// rejected in its first third, not read 16 times).
				if 3*(len(s)-1-i+p) < 2*len(s) {
					break
				}
				continue
			}
			run++
			if w := run + p; w >= 3*p && 3*w >= 2*len(s) {
				return true
			}
		}
	}
	return false
}

// isSequential reports runs like "abcdefgh…" or "0123456789…" that people type as fillers.
func isSequential(s []byte) bool {
	run, best := 1, 1
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1]+1 {
			run++
			if run > best {
				best = run
			}
		} else {
			run = 1
		}
	}
	return best*2 >= len(s)
}
