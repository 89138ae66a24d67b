package patterns

import (
	"math"
	"math/rand/v2"
	"regexp/syntax"
	"strings"
	"testing"
)

// classMembers caches what randomOf draws from for each class it met.
var classMembers = map[*syntax.Regexp][]rune{}

// randomOf writes to sb a random string of re's shape, as a provider's
// generator would make one: literals as written, a class's printable ASCII
// members drawn uniformly (a hex class of both cases as lower-case hex, as
// tokens are written), a repetition at its least count (the least
// entropy), an alternation's branch at random. It reports false for a
// shape it cannot draw (a class with no printable ASCII member).
func randomOf(rng *rand.Rand, re *syntax.Regexp, sb *strings.Builder) bool {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			sb.WriteRune(r)
		}
	case syntax.OpCharClass:
		if set, ok := classMembers[re]; ok {
			if len(set) == 0 {
				return false
			}
			sb.WriteRune(set[rng.IntN(len(set))])
			return true
		}
		var set []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for c := re.Rune[i]; c <= re.Rune[i+1] && c < 0x7f; c++ {
				if c >= 0x21 {
					set = append(set, c)
				}
			}
		}
		if string(set) == "0123456789ABCDEFabcdef" || string(set) == "-0123456789ABCDEFabcdef" {
			set = []rune(strings.TrimPrefix(string(set), "-")[:10] + "abcdef")
		}
		classMembers[re] = set
		if len(set) == 0 {
			return false
		}
		sb.WriteRune(set[rng.IntN(len(set))])
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		sb.WriteByte(byte(0x21 + rng.IntN(0x7e-0x21)))
	case syntax.OpCapture:
		return randomOf(rng, re.Sub[0], sb)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !randomOf(rng, s, sb) {
				return false
			}
		}
	case syntax.OpAlternate:
		return randomOf(rng, re.Sub[rng.IntN(len(re.Sub))], sb)
	case syntax.OpStar, syntax.OpQuest:
	case syntax.OpPlus:
		return randomOf(rng, re.Sub[0], sb)
	case syntax.OpRepeat:
		for i := 0; i < re.Min; i++ {
			if !randomOf(rng, re.Sub[0], sb) {
				return false
			}
		}
	}
	return true
}

// secretNode returns re's group named secret, or nil.
func secretNode(re *syntax.Regexp) *syntax.Regexp {
	if re.Op == syntax.OpCapture && re.Name == "secret" {
		return re
	}
	for _, s := range re.Sub {
		if n := secretNode(s); n != nil {
			return n
		}
	}
	return nil
}

// bounded returns the least and greatest length of re's matches in
// characters, or false when it has no greatest (a star, a plus, an open
// count).
func bounded(re *syntax.Regexp) (min, max int, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune), len(re.Rune), true
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1, 1, true
	case syntax.OpCapture:
		return bounded(re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			a, b, k := bounded(s)
			if !k {
				return 0, 0, false
			}
			min, max = min+a, max+b
		}
		return min, max, true
	case syntax.OpAlternate:
		min = 1 << 30
		for _, s := range re.Sub {
			a, b, k := bounded(s)
			if !k {
				return 0, 0, false
			}
			if a < min {
				min = a
			}
			if b > max {
				max = b
			}
		}
		return min, max, true
	case syntax.OpQuest:
		_, b, k := bounded(re.Sub[0])
		return 0, b, k
	case syntax.OpRepeat:
		a, b, k := bounded(re.Sub[0])
		if !k || re.Max < 0 {
			return 0, 0, false
		}
		return a * re.Min, b * re.Max, true
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0, 0, true
	}
	return 0, 0, false
}

// entropyExempt are the rules whose entropy floor guards precision on
// values of any alphabet and length (a password, a framework's secret key,
// a value named only by a generic word): there a short value low in
// entropy is more often a word or an identifier than a secret, and the
// floor is chosen on real trees, not on random values.
func entropyExempt(id string) bool {
	return strings.HasPrefix(id, "generic-") || id == "framework-signing-secret" || id == "jwt-signing-secret-literal"
}

// TestEntropyFloorsKeepRandomTokens: a provider's token is random, and a
// rule's entropy floor must let through all but a sliver of random values
// of the rule's own shape. A floor set by eye drops far more than that on
// short alphabets: 4.0 bits on a lower-case UUID (at most 4.09 bits, most
// near 3.8) dropped half of all Coralogix and Logz.io keys, 3.5 on 32 hex
// digits one Honeycomb or ElevenLabs key in fifteen, and 3.8 on 22
// letters and digits one GoDaddy secret in fifty. For every rule whose
// secret has a bounded shape of at least 16 characters, 2,000 random
// values at its least length (the least entropy) are drawn; at most 0.5%
// may fall under the floor.
func TestEntropyFloorsKeepRandomTokens(t *testing.T) {
	t.Parallel()
	rules, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(20261204, 1))
	checked := 0
	for _, r := range rules {
		if r.Entropy == 0 || entropyExempt(r.ID) {
			continue
		}
		re, err := syntax.Parse(r.Source, syntax.Perl)
		if err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		node := secretNode(re)
		if node == nil {
			continue
		}
		if least, _, ok := bounded(node); !ok || least < 16 {
			continue
		}
		const draws = 2000
		below, lowest := 0, ""
		for i := 0; i < draws; i++ {
			var sb strings.Builder
			if !randomOf(rng, node, &sb) {
				break
			}
			if Entropy([]byte(sb.String())) < r.Entropy {
				below++
				lowest = sb.String()
			}
		}
		checked++
		if below*1000 > draws*5 {
			t.Errorf("%s: entropy floor %.2f drops %.1f%% of random values of its shape (e.g. %q at %.2f bits)",
				r.ID, r.Entropy, 100*float64(below)/draws, lowest, Entropy([]byte(lowest)))
		}
	}
	if checked < 300 {
		t.Errorf("only %d rules checked: the shape reader has stopped reading the catalogue", checked)
	}
}

// entropyReference is Entropy as it was written: every count, every
// logarithm.
func entropyReference(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	var counts [256]int
	for _, c := range b {
		counts[c]++
	}
	n := float64(len(b))
	var h float64
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// TestEntropyMatchesReference: the same number, bit for bit, for values of
// every length up to past the table's, of few and many distinct bytes.
func TestEntropyMatchesReference(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(4, 2))
	for range 50000 {
		b := make([]byte, r.IntN(90))
		k := 1 + r.IntN(256)
		for i := range b {
			b[i] = byte(r.IntN(k))
		}
		if got, want := Entropy(b), entropyReference(b); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%q: %v, want %v", b, got, want)
		}
	}
}
