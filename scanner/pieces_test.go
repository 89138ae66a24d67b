package scanner

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

// plainWindowMatches is what windowMatches must give: the rule's regex run
// over the whole window.
func plainWindowMatches(r *patterns.Rule, w []byte) [][]int {
	return r.Finder().FindAllSubmatchIndex(w, -1)
}

// piecedWindowMatches collects windowMatches' matches of rule ri in
// data[ws:we], without the window-level shortcut (mayMatch on the whole
// window is proven elsewhere).
func piecedWindowMatches(d *Detector, ri int, data []byte, ws, we int) [][]int {
	sc := d.getScratch()
	defer d.putScratch(sc)
	sc.remember = false
	var out [][]int
	d.windowMatches(sc, ri, data, ws, we, func(m []int) { out = append(out, slices.Clone(m)) })
	return out
}

// checkPieces fails t where windowMatches and the plain regex disagree on
// rule ri over data[ws:we]. A window turned down by mayMatch must hold no
// match.
func checkPieces(t *testing.T, d *Detector, ri int, data []byte, ws, we int) {
	t.Helper()
	r := d.rules[ri]
	want := plainWindowMatches(r, data[ws:we])
	got := piecedWindowMatches(d, ri, data, ws, we)
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !slices.EqualFunc(want, got, slices.Equal[[]int]) {
		t.Fatalf("%s over %q (window %d-%d):\n pieces %v\n  regex %v", r.ID, trimForLog(data[ws:we]), ws, we, got, want)
	}
}

func trimForLog(b []byte) string {
	if len(b) > 400 {
		return string(b[:200]) + "…" + string(b[len(b)-200:])
	}
	return string(b)
}

// pieceNoise are the bytes mutations put in: breaks of most rules,
// what names and values are made of, and what frames them.
const pieceNoise = "();{}[],.:=>-_ \t\n\"'`\\/+$#<!?aKey0Z9xauthpassTOKEN"

// mutate returns s with a few random bytes replaced, inserted or deleted.
func mutate(rng *rand.Rand, s string) string {
	b := []byte(s)
	for n := rng.IntN(4); n > 0 && len(b) > 0; n-- {
		i := rng.IntN(len(b))
		c := pieceNoise[rng.IntN(len(pieceNoise))]
		switch rng.IntN(3) {
		case 0:
			b[i] = c
		case 1:
			b = slices.Insert(b, i, c)
		default:
			b = slices.Delete(b, i, i+1)
		}
	}
	return string(b)
}

// TestWindowPiecesMatchWholeWindow: running a rule with break bytes over a
// window's pieces, or trying one with starts where they stand, finds
// exactly the matches its regex finds over the whole window, for every
// built-in rule that has either, on one-line text made
// of the rules' examples and counterexamples (mutated, joined by break
// bytes and code) and on minified Go, over windows cut anywhere.
func TestWindowPiecesMatchWholeWindow(t *testing.T) {
	d := builtinDetector(t)
	rng := rand.New(rand.NewPCG(16, 300))
	var code string
	if testing.Short() {
		code = "func f(a, b int) { return a + b }; var x = map[string]int{\"k\": 1};"
	} else {
		code = string(minified(typicalSource(t, 64<<10)))
	}
	var all []string
	for _, r := range d.rules {
		all = append(all, r.Examples...)
		all = append(all, r.Counterexamples...)
	}
	joins := []string{"; ", "(", ")", ",", "{", "}", " ", "\n", "\",\"", "', '", " && ", "\\n"}
	broken, started := 0, 0
	for ri, r := range d.rules {
		switch {
		case r.Breaks() != nil:
			broken++
		case r.Starts() != nil:
			started++
		default:
			continue
		}
		for round := 0; round < 6; round++ {
			var b strings.Builder
			for k := 0; k < 12; k++ {
				var s string
				switch p := rng.IntN(10); {
				case p < 4 && len(r.Examples) > 0:
					s = r.Examples[rng.IntN(len(r.Examples))]
				case p < 6 && len(r.Counterexamples) > 0:
					s = r.Counterexamples[rng.IntN(len(r.Counterexamples))]
				case p < 8:
					s = all[rng.IntN(len(all))]
				default:
					at := rng.IntN(len(code))
					s = code[at:min(len(code), at+rng.IntN(300))]
				}
				if rng.IntN(2) == 0 {
					s = mutate(rng, s)
				}
				b.WriteString(s)
				b.WriteString(joins[rng.IntN(len(joins))])
			}
			data := []byte(b.String())
			checkPieces(t, d, ri, data, 0, len(data))
			for k := 0; k < 4; k++ {
				ws := rng.IntN(len(data))
				we := ws + rng.IntN(len(data)-ws+1)
				checkPieces(t, d, ri, data, ws, we)
			}
		}
		if !testing.Short() {
			for k := 0; k < 3; k++ {
				ws := rng.IntN(len(code) - 4096)
				checkPieces(t, d, ri, []byte(code), ws, ws+512+rng.IntN(3584))
			}
		}
	}
	if broken < 50 || started < 20 {
		t.Fatalf("only %d rules have breaks and %d starts: the test no longer covers the generic rules", broken, started)
	}
}

// FuzzWindowPieces: for any text and window, and the rule picked, pieces
// (or starts) and the whole-window regex agree.
func FuzzWindowPieces(f *testing.F) {
	d := builtinDetector(f)
	var withBreaks []int
	for ri, r := range d.rules {
		if r.Breaks() != nil || r.Starts() != nil {
			withBreaks = append(withBreaks, ri)
		}
	}
	for i, ri := range withBreaks {
		for _, ex := range d.rules[ri].Examples {
			f.Add(uint16(i), fmt.Sprintf("x(%s);y{%s}", ex, ex), uint16(0), uint16(0))
		}
	}
	f.Fuzz(func(t *testing.T, pick uint16, text string, from, to uint16) {
		ri := withBreaks[int(pick)%len(withBreaks)]
		data := []byte(text)
		ws := int(from) % (len(data) + 1)
		we := len(data)
		if to != 0 {
			we = ws + int(to)%(len(data)-ws+1)
		}
		checkPieces(t, d, ri, data, ws, we)
	})
}

// TestStartMatchesBoundsReads: on a long line with many places a rule
// starts at, attempts of a rule whose matches have a bound read only that
// far (and find what the whole window does, the match at the window's end
// included), while a rule without a bound, whose every attempt would read
// to the window's end, turns the window down for the regex over it whole.
func TestStartMatchesBoundsReads(t *testing.T) {
	for _, tc := range []struct {
		regex string
		taken bool
	}{
		{`\bnr_key[=:](?P<secret>[a-f0-9]{8})(?:[^a-z0-9]|$)`, true},
		{`\bnr_key[^\n]*\n[ \t]*key=(?P<secret>[a-f0-9]{8})`, false},
	} {
		rule, errs := patterns.RawRule{ID: "nr-key", Description: "A key", Keywords: []string{"nr_key"}, Regex: tc.regex}.Compile("test")
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		d := newDetector([]*patterns.Rule{rule}, nil)
		var b strings.Builder
		for i := 0; i < 40; i++ {
			fmt.Fprintf(&b, "x = nr_key%c%08x, %s; ", ":= "[i%3], i*7919, strings.Repeat("pad ", 12))
		}
		b.WriteString("nr_key=deadbeef\n key=0badf00d")
		for _, w := range [][]byte{[]byte(b.String()), []byte(b.String()[:b.Len()-16])} {
			sc := d.getScratch()
			var got [][]int
			taken := startMatches(sc, rule, rule.Starts(), w, func(m []int) { got = append(got, slices.Clone(m)) })
			d.putScratch(sc)
			if taken != tc.taken {
				t.Fatalf("%s: startMatches took the window: %v, want %v", tc.regex, taken, tc.taken)
			}
			if want := plainWindowMatches(rule, w); taken && !slices.EqualFunc(got, want, slices.Equal[[]int]) {
				t.Fatalf("%s: attempts found %v, the regex %v", tc.regex, got, want)
			} else if taken && len(want) < 20 {
				t.Fatalf("%s: only %d matches: the text no longer tests attempts", tc.regex, len(want))
			}
		}
	}
}
