package report

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// appendScanJSON appends doc as encodeIndented writes it, byte for byte,
// with the findings written field by field rather than through
// encoding/json's reflection: a secret-dense history ends with hundreds of
// findings, and writing them (1.2 ms for 500) was on the wall clock of the
// scan's serial tail. Strings that need escaping, the other fields and the
// nested values are still encoded by encoding/json. A test compares both
// ways on documents with every field set, and fails when a field is added
// to JSONScan or JSONFinding without being written here.
func appendScanJSON(dst []byte, doc *JSONScan) ([]byte, error) {
	var err error
	field := func(name string, depth int, v any) {
		if err != nil {
			return
		}
		var b []byte
		if b, err = json.Marshal(v); err == nil {
			dst = appendKey(dst, name, depth)
			dst = appendIndentedAt(dst, b, depth)
		}
	}
	dst = append(dst, '{')
	field("tool", 1, doc.Tool)
	if doc.Root != "" {
		dst = appendKey(dst, "root", 1)
		dst = appendString(dst, doc.Root)
	}
	if doc.Scanned != "" {
		dst = appendKey(dst, "scanned", 1)
		dst = appendString(dst, doc.Scanned)
	}
	if len(doc.Roots) > 0 {
		field("roots", 1, doc.Roots)
	}
	dst = appendKey(dst, "findings", 1)
	switch {
	case doc.Findings == nil:
		dst = append(dst, "null"...)
	case len(doc.Findings) == 0:
		dst = append(dst, "[]"...)
	default:
		dst = append(dst, '[')
		for i := range doc.Findings {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, "\n    "...)
			if dst, err = appendFinding(dst, &doc.Findings[i]); err != nil {
				return nil, err
			}
		}
		dst = append(dst, "\n  ]"...)
	}
	field("stats", 1, doc.Stats)
	if len(doc.StaleBaseline) > 0 {
		field("stale_baseline", 1, doc.StaleBaseline)
	}
	if doc.Suppressed != 0 {
		dst = appendKey(dst, "suppressed", 1)
		dst = strconv.AppendInt(dst, int64(doc.Suppressed), 10)
	}
	if len(doc.Repositories) > 0 {
		field("repositories", 1, doc.Repositories)
	}
	if err != nil {
		return nil, err
	}
	return append(dst, "\n}\n"...), nil
}

// appendFinding appends f as an element of the findings array (depth 2).
func appendFinding(dst []byte, f *JSONFinding) ([]byte, error) {
	const depth = 3
	str := func(name, v string, omitEmpty bool) {
		if v == "" && omitEmpty {
			return
		}
		dst = appendKey(dst, name, depth)
		dst = appendString(dst, v)
	}
	num := func(name string, v int) {
		dst = appendKey(dst, name, depth)
		dst = strconv.AppendInt(dst, int64(v), 10)
	}
	dst = append(dst, '{')
	str("rule", f.Rule, false)
	str("description", f.Description, false)
	str("severity", f.Severity, false)
	str("kind", f.Kind, true)
	str("path", f.Path, false)
	num("line", f.Line)
	num("column", f.Column)
	str("commit", f.Commit, true)
	str("author", f.Author, true)
	str("email", f.Email, true)
	str("date", f.Date, true)
	str("blob", f.Blob, true)
	str("secret", f.Secret, false)
	str("fingerprint", f.Fingerprint, false)
	if len(f.Attributes) > 0 {
		dst = appendKey(dst, "attributes", depth)
		dst = append(dst, '{')
		keys := make([]string, 0, len(f.Attributes))
		for k := range f.Attributes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, "\n        "...)
			dst = appendString(dst, k)
			dst = append(dst, ": "...)
			dst = appendString(dst, f.Attributes[k])
		}
		dst = append(dst, "\n      }"...)
	}
	str("root", f.Root, true)
	if f.Verification != nil {
		b, err := json.Marshal(f.Verification)
		if err != nil {
			return nil, err
		}
		dst = appendKey(dst, "verification", depth)
		dst = appendIndentedAt(dst, b, depth)
	}
	return append(dst, "\n    }"...), nil
}

// appendKey starts a member of an object whose members are at depth: the
// comma after the previous member (none after the opening brace), a new
// line, the indentation, the quoted name and ": ".
func appendKey(dst []byte, name string, depth int) []byte {
	if dst[len(dst)-1] != '{' {
		dst = append(dst, ',')
	}
	dst = append(dst, '\n')
	for range depth {
		dst = append(dst, ' ', ' ')
	}
	dst = append(dst, '"')
	dst = append(dst, name...)
	return append(dst, '"', ':', ' ')
}

// appendString appends s quoted as encoding/json quotes it: as it is when
// it holds no quote, backslash, control character, character encoding/json
// escapes for HTML (<, >, &) or as JavaScript (U+2028, U+2029) and no
// invalid UTF-8 (a redacted secret ends in "…"); through encoding/json
// otherwise.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if !jsonCare[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			return appendMarshalled(dst, s)
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return appendMarshalled(dst, s)
		}
		i += size
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// jsonCare marks the bytes appendString looks at twice: what encoding/json
// escapes among ASCII, and every byte of a multi-byte character.
var jsonCare = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&'
	}
	return t
}()

// appendMarshalled appends s as encoding/json writes it.
func appendMarshalled(dst []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(dst, b...)
}
