package scanner

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"
)

// The substitutions as first written, byte by byte: the reference the
// faster ones must equal.

func refSubstituteBase64(src []byte) ([]byte, []int32, bool) {
	var view []byte
	var from []int32
	changed := false
	last := 0
	emit := func(upto int) {
		for i := last; i < upto; i++ {
			view = append(view, src[i])
			from = append(from, int32(i))
		}
	}
	for i := 0; i < len(src); {
		if !isB64(src[i]) || i > 0 && isB64(src[i-1]) {
			i++
			continue
		}
		j := i
		for j < len(src) && isB64(src[j]) {
			j++
		}
		k := j
		for k < len(src) && k-j < 2 && src[k] == '=' {
			k++
		}
		if j-i >= minB64 {
			if dec, ok := refDecodeB64(src[i:k]); ok {
				emit(i)
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
	emit(len(src))
	return view, from, true
}

func refDecodeB64(s []byte) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		dec := make([]byte, enc.DecodedLen(len(s)))
		n, err := enc.Decode(dec, s)
		if err == nil {
			dec = dec[:n]
			return dec, len(dec) >= 8 && printable(dec)
		}
	}
	return nil, false
}

func refSubstituteJSON(src []byte) ([]byte, []int32, bool) {
	view := make([]byte, 0, len(src))
	from := make([]int32, 0, len(src))
	changed := false
	for i := 0; i < len(src); i++ {
		if src[i] == '\\' && i+1 < len(src) {
			var rep []byte
			n := 2
			switch src[i+1] {
			case '/':
				rep = []byte{'/'}
			case '"':
				rep = []byte{'"'}
			case '\\':
				rep = []byte{'\\'}
			case 'n':
				rep = []byte{'\n'}
			case 't':
				rep = []byte{'\t'}
			case 'r':
				rep = []byte{'\r'}
			case 'u':
				if i+6 <= len(src) {
					if v, err := strconv.ParseUint(string(src[i+2:i+6]), 16, 16); err == nil {
						rep = utf8.AppendRune(nil, rune(v))
						n = 6
					}
				}
			}
			if rep != nil {
				for range rep {
					from = append(from, int32(-(i + 1)))
				}
				view = append(view, rep...)
				i += n - 1
				changed = true
				continue
			}
		}
		view = append(view, src[i])
		from = append(from, int32(i))
	}
	return view, from, changed
}

// checkSubstitutesSame fails t where a substitution and its reference
// disagree on src (a view is compared only when it changed: callers use
// nothing else).
func checkSubstitutesSame(t *testing.T, src []byte) {
	t.Helper()
	for _, p := range []struct {
		name      string
		fast, ref func([]byte) ([]byte, []int32, bool)
	}{{"base64", substituteBase64, refSubstituteBase64}, {"json", substituteJSON, refSubstituteJSON}} {
		v, f, c := p.fast(src)
		rv, rf, rc := p.ref(src)
		if c != rc || c && (!bytes.Equal(v, rv) || !slices.Equal(f, rf)) {
			t.Fatalf("%s of %q:\n view %q %v %v\n  ref %q %v %v", p.name, src, v, f, c, rv, rf, rc)
		}
	}
	d, ok := decodeB64(src)
	rd, rok := refDecodeB64(src)
	if ok != rok || !bytes.Equal(d, rd) {
		t.Fatalf("decodeB64(%q) = %q %v, ref %q %v", src, d, ok, rd, rok)
	}
}

// escNoise is what the substitutions' inputs are made of: escapes and
// their near misses, base64 and its padding, separators.
var escNoise = []string{`\/`, `\"`, `\\`, `\n`, `\t`, `\r`, `\u00`, `\u0041`, `\uD83D`, `\u12`, `\x`, `\`, `=`, `==`, `+`, `-`, `_`, `/`, " ", `"`, ":",
	"QUtJQVVKWkRFR1hETkNGMzJFUEY=", "Z2hwX2FiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDEyMzQ1", "cGFzc3dvcmQ6IGh1bnRlcjIy", "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ", "aGVsbG8gd29ybGQh", "aGVsbG8gd29ybGQ", "é", "\xff"}

// TestSubstitutesMatchReference: the substitutions equal the byte-by-byte
// ones on minified code with escapes and base64 spliced in.
func TestSubstitutesMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 15))
	code := "func f(a, b int) { return a + b }; var x = map[string]int{\"k\": 1};"
	if !testing.Short() {
		code = string(minified(typicalSource(t, 64<<10)))
	}
	for round := 0; round < 3000; round++ {
		var b []byte
		for k := rng.IntN(12); k >= 0; k-- {
			if rng.IntN(3) == 0 {
				at := rng.IntN(len(code))
				b = append(b, code[at:min(len(code), at+rng.IntN(80))]...)
			} else {
				b = append(b, escNoise[rng.IntN(len(escNoise))]...)
			}
		}
		checkSubstitutesSame(t, b)
	}
}

// FuzzSubstitutesMatchReference: any input, the same views.
func FuzzSubstitutesMatchReference(f *testing.F) {
	f.Add([]byte(`a QUtJQVVKWkRFR1hETkNGMzJFUEY= %2F \u00e9\/\"\\\n\u0041\uZZZZ\`))
	f.Add([]byte("Z2hwX2FiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDEyMzQ1==QUtJQVVKWkRFR1hETkNGMzJFUEY"))
	f.Fuzz(func(t *testing.T, src []byte) { checkSubstitutesSame(t, src) })
}
