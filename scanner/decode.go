package scanner

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/patterns"
)

// A decoder rewrites encoded text (base64 values, percent-encoding, JSON
// string escapes) into a decoded view that the rules run over again.
// Findings in the view are reported at the encoded location, with the
// decoding named in attributes.decoding. Decoders run only where their
// trigger keywords hit, so plain text costs nothing extra.
type decoder struct {
	name     string
	keywords []string
	// wholeChunk decodes the whole chunk on a hit (a Kubernetes Secret's
	// data block is far from its "kind: Secret" line); otherwise only the
	// hit's line.
	wholeChunk bool
	// substitute returns the decoded view of src and, for each view byte,
	// the offset in src it came from; substituted bytes are marked negative
	// (-(offset+1)). changed is false when nothing was decoded.
	substitute func(src []byte) (view []byte, from []int32, changed bool)
	// exact, when set, holds the case-sensitive forms of the decoder's
	// keywords (the automaton folds case; base64 does not): a hit whose
	// bytes are none of them is ignored.
	exact map[string][]string
	// accept, when set, judges a hit by the bytes after it (end is the
	// offset just past the keyword).
	accept func(data []byte, end int) bool
}

type decodeHit struct {
	decoder int
	at      int
	kw      int
}

func builtinDecoders() []decoder {
	return []decoder{
		{name: "base64", wholeChunk: true, keywords: []string{"kind: secret", `kind: "secret"`, "dockerconfigjson", "dockercfg"}, substitute: substituteBase64},
		{name: "base64", keywords: []string{"basic ", "base64", "_auth", `"auth"`, "b64decode", "atob("}, substitute: substituteBase64},
		{name: "url", keywords: []string{"%2f", "%2b", "%3d", "%40", "%3a"}, substitute: substitutePercent},
		{name: "json-escape", keywords: jsonEscapeTriggers(), substitute: substituteJSON, accept: asciiEscape},
	}
}

// jsonEscapeTriggers are `\u00` and an escaped slash followed by any
// character a credential can hold (keywords need three bytes; see
// patterns.MinKeywordLen).
func jsonEscapeTriggers() []string {
	out := []string{`\u00`, `\/+`, `\//`, `\/=`}
	for c := 'a'; c <= 'z'; c++ {
		out = append(out, `\/`+string(c))
	}
	for c := '0'; c <= '9'; c++ {
		out = append(out, `\/`+string(c))
	}
	return out
}

// asciiEscape accepts a \u00 trigger only when it escapes an ASCII
// character (\u0041, \u002F): credentials are ASCII, and decoding é or ü
// (\u00e9, common in source strings) cannot reveal one. The escaped-slash
// triggers are always accepted.
func asciiEscape(data []byte, end int) bool {
	if end < 4 || data[end-1] != '0' || data[end-2] != '0' || data[end-3] != 'u' {
		return true
	}
	if end+1 >= len(data) {
		return false
	}
	a, b := data[end], data[end+1]
	return a >= '0' && a <= '7' && (b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F')
}

// maxDecodeDepth bounds decoding of decoded text (base64 inside base64, a
// Kubernetes Secret holding a docker config).
const maxDecodeDepth = 2

// decodedCandidates decodes the regions around decoder hits and returns the
// candidates found only in decoded text, at their encoded locations. depth
// is 1 for the chunk's own text. The view bits the rules that found
// candidates in decoded text depend on are added to dims (viewDims).
func (d *Detector) decodedCandidates(c Chunk, hits []decodeHit, plain []candidate, depth int, dims *pathView) []candidate {
	data := c.Data
	type region struct{ dec, s, e int }
	var regions []region
	kws := d.auto.Keywords()
	for _, h := range hits {
		dec := d.decoders[h.decoder]
		if dec.exact != nil && !exactAt(data, h.at, dec.exact[kws[h.kw]]) {
			continue
		}
		if dec.accept != nil && !dec.accept(data, h.at) {
			continue
		}
		s, e := 0, len(data)
		if !dec.wholeChunk {
			s, e = window(data, h.at-1, 0)
		}
		if n := len(regions); n > 0 && regions[n-1].dec == h.decoder && s < regions[n-1].e {
			if e > regions[n-1].e {
				regions[n-1].e = e
			}
			continue
		}
		dup := false
		for _, r := range regions {
			if r.dec == h.decoder && r.s == s && r.e == e {
				dup = true
				break
			}
		}
		if !dup {
			regions = append(regions, region{h.decoder, s, e})
		}
	}
	seen := map[string]bool{}
	for _, p := range plain {
		seen[strconv.Itoa(p.rule)+"\x00"+string(p.secret)] = true
	}
	var out []candidate
	for _, rg := range regions {
		dec := d.decoders[rg.dec]
		view, from, changed := dec.substitute(data[rg.s:rg.e])
		if !changed {
			continue
		}
		sc := d.getScratch()
		// The chunk's kind turns the memo on for a history blob's decoded
		// text as for its own: the next version of the file decodes to the
		// same windows (decoding took 5.2% of gitleaks' history scan
		// without the memo, 1.9% with it).
		vc := Chunk{Data: view, Path: c.Path, Kind: c.Kind, view: c.view}
		inner := d.candidates(vc, view, sc, nil)
		*dims |= d.viewDims(inner)
		if depth < maxDecodeDepth && len(sc.decodeHits) > 0 {
			hits := append([]decodeHit(nil), sc.decodeHits...)
			if deeper := d.decodedCandidates(vc, hits, inner, depth+1, dims); len(deeper) > 0 {
				inner = append(supersede(inner, deeper), deeper...)
			}
		}
		d.putScratch(sc)
		for _, cd := range inner {
			decoded := cd.decoding != ""
			start := -1
			for i := cd.start; i < cd.end; i++ {
				o := from[i]
				if o < 0 {
					decoded = true
					o = -o - 1
				}
				if start < 0 {
					start = int(o)
				}
			}
			key := strconv.Itoa(cd.rule) + "\x00" + string(cd.secret)
			if !decoded || seen[key] {
				continue
			}
			seen[key] = true
			end := start + 1
			if o := from[cd.end-1]; o >= 0 {
				end = int(o) + 1
			}
			cd.start, cd.end = rg.s+start, rg.s+end
			cd.secret = append([]byte(nil), cd.secret...)
			if cd.decoding != "" {
				cd.decoding = dec.name + "+" + cd.decoding
			} else {
				cd.decoding = dec.name
			}
			out = append(out, cd)
		}
	}
	return out
}

// decodedPlaceholder judges a secret that is base64 of text as the text it
// decodes to (PFlPVVJfQUNDRVNTX0tFWT4= is <YOUR_ACCESS_KEY>): it returns why
// the decoded text is a placeholder, a variable reference or a documented
// example (and, for a generic rule, what the rule's own validators say of
// the decoded value: a Kubernetes Secret's `password: c3RvcmFnZW9z` is the
// product name storageos, a default), or "".
func decodedPlaceholder(cand *patterns.Candidate, r *patterns.Rule) string {
	secret, generic := cand.Secret, r.Generic
	if len(secret) < 12 {
		return ""
	}
	dec, ok := decodeB64(secret)
	if !ok {
		dec, ok = decodePadded(secret)
	}
	if !ok {
		return ""
	}
	// `echo postgres | base64` encodes echo's newline too (bitnami's charts'
	// `postgresql-password: "cG9zdGdyZXMK"`): the password is the line.
	if n := len(dec); n > 1 && dec[n-1] == '\n' {
		dec = dec[:n-1]
		if n > 2 && dec[n-2] == '\r' {
			dec = dec[:n-2]
		}
	}
	if reason := builtinAllow(dec); reason != "" {
		return reason
	}
	lower := strings.ToLower(string(dec))
	for _, ref := range []string{"${{", "secrets.", "example", "process.env", "os.environ", "%env"} {
		if strings.Contains(lower, ref) {
			return "a reference or example (" + ref + ")"
		}
	}
	// Words that mark a fixture (decoded-secret-value, test-token) in a
	// value a generic rule saw, encoded only to look opaque. A provider's
	// structured token (base64 of JSON) is its rule's to judge.
	if !generic {
		return ""
	}
	for _, name := range []string{"not-stopword", "not-code"} {
		if v, ok := patterns.LookupValidator(name); ok {
			if pass, reason := v.Check(&patterns.Candidate{Secret: dec}); !pass {
				return reason
			}
		}
	}
	decoded := *cand
	decoded.Secret = dec
	for _, v := range r.Validators {
		if pass, reason := v.Check(&decoded); !pass {
			return reason
		}
	}
	return ""
}

// exactAt reports whether the bytes ending at end are one of forms.
func exactAt(data []byte, end int, forms []string) bool {
	for _, f := range forms {
		if end >= len(f) && string(data[end-len(f):end]) == f {
			return true
		}
	}
	return false
}

// anywherePrefixes are what base64Anywhere looks for in base64: the
// prefixes of the credentials that do the most harm when leaked, a PEM
// header, and the words of a configuration blob. Each costs the keyword
// automaton up to six keywords, built at every start-up (hooks included), so
// the list is short on purpose; a longer one derived from the whole
// catalogue tripled start-up.
var anywherePrefixes = []string{
	"AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "xapp-",
	"sk_live_", "rk_live_", "AIza", "sk-proj-", "sk-ant-", "sk-svcacct-", "npm_", "hf_", "glsa_", "dop_v1_",
	"SG.", "-----BEGIN ", "password", "Password", "PASSWORD", "secret", "Secret", "SECRET",
	// A JWT's header opens {"alg": or {"typ": (eyJhbGci, eyJ0eXAi): base64 of a token handed
	// around whole (a config value, a fixture) decodes to one the jwt rule judges.
	"eyJhbGci", "eyJ0eXAi",
}

// base64Anywhere is the decoder that finds credentials in base64 wherever it
// stands (QUtJQU… is an AWS key ID, Z2hwX1… a GitHub token) without decoding
// every base64-looking run: base64 of a prefix holds one of three substrings,
// one per alignment of the prefix in the encoded bytes, that do not depend on
// the bytes around it. Those substrings are the decoder's keywords, checked
// case-sensitively on a hit, so decoding costs nothing where no encoded prefix
// stands; a hit decodes only the base64 on the line around it, and the decoded
// text is scanned by every rule. Substrings under four characters are left
// out (they would hit at random in every base64 blob).
func base64Anywhere() decoder {
	dec := decoder{name: "base64", substitute: substituteBase64, exact: map[string][]string{}}
	names := anywherePrefixes
	urlSafe := func(r rune) rune {
		switch r {
		case '+':
			return '-'
		case '/':
			return '_'
		}
		return r
	}
	for _, p := range names {
		for _, enc := range b64Stable(p) {
			// (A strings.Replacer built for each form was half the
			// detector's start-up allocations.)
			for _, form := range []string{enc, strings.Map(urlSafe, enc)} {
				k := strings.ToLower(form)
				if dec.exact[k] == nil {
					dec.keywords = append(dec.keywords, k)
				}
				if !slices.Contains(dec.exact[k], form) {
					dec.exact[k] = append(dec.exact[k], form)
				}
			}
		}
	}
	return dec
}

// b64Stable returns, for each of the three alignments s can have in a base64
// stream, the longest run of encoded characters that depends on s alone,
// when it is at least four characters long.
func b64Stable(s string) []string {
	var out []string
	for pad := 0; pad < 3; pad++ {
		in := make([]byte, pad+len(s)+2)
		copy(in[pad:], s)
		enc := base64.StdEncoding.EncodeToString(in)
		lo := (8*pad + 5) / 6
		hi := 8 * (pad + len(s)) / 6
		if hi-lo >= 4 {
			out = append(out, enc[lo:hi])
		}
	}
	return out
}

func isAlnum(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

func isB64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'
}

// minB64 is the shortest base64 run worth decoding (12 decoded bytes).
const minB64 = 16

// b64Bytes marks the bytes isB64 accepts: substituteBase64 asks it of
// every byte of the lines it decodes.
var b64Bytes = func() (t [256]bool) {
	for c := range t {
		t[c] = isB64(byte(c))
	}
	return t
}()

// appendKept appends src[lo:hi] to view, and each byte's offset to from.
func appendKept(view []byte, from []int32, src []byte, lo, hi int) ([]byte, []int32) {
	view = append(view, src[lo:hi]...)
	for i := lo; i < hi; i++ {
		from = append(from, int32(i))
	}
	return view, from
}

func substituteBase64(src []byte) ([]byte, []int32, bool) {
	var view []byte
	var from []int32
	changed := false
	last := 0
	for i := 0; i < len(src); {
		if !b64Bytes[src[i]] || i > 0 && b64Bytes[src[i-1]] {
			i++
			continue
		}
		j := i + 1
		for j < len(src) && b64Bytes[src[j]] {
			j++
		}
		k := j
		for k < len(src) && k-j < 2 && src[k] == '=' {
			k++
		}
		if j-i >= minB64 {
			if dec, ok := decodeB64(src[i:k]); ok {
				if !changed {
					view, from = make([]byte, 0, len(src)), make([]int32, 0, len(src))
				}
				view, from = appendKept(view, from, src, last, i)
				for range dec {
					from = append(from, int32(-(i + 1)))
				}
				view = append(view, dec...)
				last, changed = k, true
			}
		}
		i = k
		if i == j {
			i++
		}
	}
	if !changed {
		return nil, nil, false
	}
	view, from = appendKept(view, from, src, last, len(src))
	return view, from, true
}

// b64Encodings are the alphabets decodeB64 tries, in order.
var b64Encodings = []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding}

func decodeB64(s []byte) ([]byte, bool) {
	// One buffer for every attempt: the unpadded alphabets' decoded
	// length is the longest.
	buf := make([]byte, base64.RawStdEncoding.DecodedLen(len(s)))
	for _, enc := range b64Encodings {
		n, err := enc.Decode(buf[:enc.DecodedLen(len(s))], s)
		if err == nil {
			dec := buf[:n]
			return dec, len(dec) >= 8 && printable(dec)
		}
	}
	return nil, false
}

// decodePadded decodes standard base64 that ends in padding to text of 4 to
// 7 bytes, shorter than decodeB64 takes: the = says the value was encoded
// (a Kubernetes Secret's `password: cXVvYnl0ZQ==`), so a short decoded
// password is judged as the word it is, not as 12 opaque characters.
func decodePadded(s []byte) ([]byte, bool) {
	if len(s) < 8 || s[len(s)-1] != '=' {
		return nil, false
	}
	dec, err := base64.StdEncoding.DecodeString(string(s))
	return dec, err == nil && len(dec) >= 4 && printable(dec)
}

// printable reports whether b is text worth scanning: printable ASCII and
// whitespace, or valid UTF-8 without control characters.
func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func substitutePercent(src []byte) ([]byte, []int32, bool) {
	view := make([]byte, 0, len(src))
	from := make([]int32, 0, len(src))
	changed := false
	for i := 0; i < len(src); i++ {
		if src[i] == '%' && i+2 < len(src) {
			hi, ok1 := unhex(src[i+1])
			lo, ok2 := unhex(src[i+2])
			if ok1 && ok2 {
				view = append(view, hi<<4|lo)
				from = append(from, int32(-(i + 1)))
				i += 2
				changed = true
				continue
			}
		}
		view = append(view, src[i])
		from = append(from, int32(i))
	}
	return view, from, changed
}

func substituteJSON(src []byte) ([]byte, []int32, bool) {
	view := make([]byte, 0, len(src))
	from := make([]int32, 0, len(src))
	changed := false
	last := 0 // src[:last] is in view
	for i := 0; i+1 < len(src); {
		j := bytes.IndexByte(src[i:len(src)-1], '\\')
		if j < 0 {
			break
		}
		i += j
		var rep [utf8.UTFMax]byte
		n, w := 2, 0
		switch src[i+1] {
		case '/', '"', '\\':
			rep[0], w = src[i+1], 1
		case 'n':
			rep[0], w = '\n', 1
		case 't':
			rep[0], w = '\t', 1
		case 'r':
			rep[0], w = '\r', 1
		case 'u':
			if i+6 <= len(src) {
				if v, ok := hex4(src[i+2 : i+6]); ok {
					w = utf8.EncodeRune(rep[:], rune(v))
					n = 6
				}
			}
		}
		if w == 0 {
			i++
			continue
		}
		view, from = appendKept(view, from, src, last, i)
		for range w {
			from = append(from, int32(-(i + 1)))
		}
		view = append(view, rep[:w]...)
		i += n
		last, changed = i, true
	}
	view, from = appendKept(view, from, src, last, len(src))
	return view, from, changed
}

// hex4 reads four hex digits, as strconv.ParseUint(s, 16, 16) does.
func hex4(s []byte) (uint16, bool) {
	var v uint16
	for _, c := range s {
		d, ok := unhex(c)
		if !ok {
			return 0, false
		}
		v = v<<4 | uint16(d)
	}
	return v, true
}
