package patterns

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestOrderedRun(t *testing.T) {
	for s, want := range map[string]bool{
		"a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6":                 true,
		"abc123def456ghi789jkl012":                         true,
		"abcd1234efgh5678ijkl9012mnop3456":                 true,
		"1abc2345def6789ghij01234klmno567":                 true,
		"87654321-4321-4321-4321-cba987654321":             true,
		"fedcba09-8765-4321-fedc-ba0987654321":             true,
		"9d8c7b6a5f4e3d2c1b0a":                             true,
		"9d8c7b6a5f3e4d2c1b0a":                             false,
		"y7sbilkqxym49dra8fpzc7wbdke3qvlht8mg5tnj6os5yjfn": false,
		"dkHL49dId5skLfBjsf342RJkdskdpD54":                 false,
	} {
		if got := orderedRun([]byte(toLower(s))); got != want {
			t.Errorf("orderedRun(%q) = %v, want %v", s, got, want)
		}
	}
	// Random values of the alphabets keys use are never taken for one.
	rng := rand.New(rand.NewPCG(3, 4))
	for _, al := range []string{"0123456789abcdef", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz0123456789"} {
		hits := 0
		for i := 0; i < 20000; i++ {
			b := make([]byte, 64)
			for j := range b {
				b[j] = al[rng.IntN(len(al))]
			}
			if orderedRun([]byte(toLower(string(b)))) {
				hits++
			}
		}
		if hits > 2 {
			t.Errorf("alphabet %q: %d of 20000 random 64-character values taken for ordered runs", al, hits)
		}
	}
}

func TestKeyboardWalk(t *testing.T) {
	for s, want := range map[string]bool{
		"asdfqwer1234asdf": true,
		"qwertyuiop":       true,
		"zxcvasdfqwer":     true,
		"1234qwerasdfzxcv": true,
		"asdf":             false, // too short to judge
		"asdfqwerX":        false, // a key off the rows
		"asdfqwe1":         false, // a run of three
		"kq7vx2mzr9wj4bnt": false,
	} {
		if got := keyboardWalk([]byte(toLower(s))); got != want {
			t.Errorf("keyboardWalk(%q) = %v, want %v", s, got, want)
		}
	}
	// Random values are never taken for one.
	rng := rand.New(rand.NewPCG(5, 6))
	const al = "abcdefghijklmnopqrstuvwxyz0123456789"
	for i := 0; i < 20000; i++ {
		b := make([]byte, 8+rng.IntN(24))
		for j := range b {
			b[j] = al[rng.IntN(len(al))]
		}
		if keyboardWalk(b) {
			t.Errorf("random %q taken for a keyboard walk", b)
		}
	}
}

func TestMetasyntacticSegments(t *testing.T) {
	for s, want := range map[string]bool{
		"qsfda9964-foo-sghz8751-bar": true,
		"foo_bar_7f3e9a21":           true,
		"foo-7f3e9a21c4b8":           false, // one part only
		"footballbarn-7f3e9a21c4b8":  false,
		"kq7vx2foomzr9wj4barnt":      false,
	} {
		if got := metasyntacticSegments([]byte(s)); got != want {
			t.Errorf("metasyntacticSegments(%q) = %v, want %v", s, got, want)
		}
	}
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// TestPlaceholderWordsAsTyped: a placeholder word counts when typed as a word
// is (todo, TODO, Todo), not when a random mixed-case token holds its letters.
func TestPlaceholderWordsAsTyped(t *testing.T) {
	for s, want := range map[string]bool{
		"TODO-put-the-key-here":    true,
		"todo_replace":             true,
		"MyTodoKey2024abc":         true,
		"my-FAKE-token-4455":       true,
		"evbLJoLoaeTOdoe5c3veGprQ": false, // "TOdo" inside a Slack workflow secret
		"k9FaKeQ2mZx81LpW3rTt":     false,
		"tODOq8Zr2LmW9xYv4nBc":     false,
		"cafebabe:deadbeef":        true,
		"AKIADEADBEEFDEADBEEF":     true,
		"x9DeadBeefQ2mZ81LpW3":     false, // not typed as one word
		"7c1e0d9b:4f2a86e3":        false,
	} {
		if got := Placeholder([]byte(s)) != ""; got != want {
			t.Errorf("Placeholder(%q) flagged = %v, want %v", s, got, want)
		}
	}
}

// TestTypedUUID: a value in a UUID's 8-4-4-4-12 shape with a letter past f
// was made up; real UUIDs, in either case, are not placeholders.
func TestTypedUUID(t *testing.T) {
	for s, want := range map[string]bool{
		"px-dep-d4c3b2a1-f6e5-h8g7-j1i8-p5o0n5m3l2k1": true,
		"9c4e7f2a-1d8b-3e6c-0f5a-2d9b7e4c1f8z":        true,
		"px-dep-9c4e7f2a-1d8b-3e6c-0f5a-2d9b7e4c1f8a": false,
		"9C4E7F2A-1D8B-3E6C-0F5A-2D9B7E4C1F8A":        false,
		"ABCD1234-EFGH5678-IJKL9101-MNOP1121":         false,
	} {
		got := Placeholder([]byte(s)) == "a UUID with letters past f (made up: no UUID holds them)"
		if got != want {
			t.Errorf("Placeholder(%q) = %q, want typed-UUID %v", s, Placeholder([]byte(s)), want)
		}
	}
}

// TestMostlyPeriodic: a short pattern repeated over most of a value is a
// filler even behind a prefix or before a typed ending; random values of the
// alphabets keys use never are.
func TestMostlyPeriodic(t *testing.T) {
	for s, want := range map[string]bool{
		"xyzxyzxyzxyzxyzxyzxyzxyzxyzxyz12":                                      true,
		"dapiabcd1234abcd1234abcd1234abcd1234":                                  true,
		"Asdf1234asdf1234asdf1234asdf1234asdf1234asdf1234asdf1234asdf1234":      true,
		"ak_live_XYZabc123XYZabc123XYZabc123XYZ":                                true,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaNRAL":                              true,
		"AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4": true,
		"dapi3f9c1e7a20b84d6e5c9f1a7b3d0e8c24":                                  false,
		"abcd1234abcdQ9zLmW2xTr5vNp8kYs3hJf6g":                                  false, // one repeat, then random
		"AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQ":   true,
		"AGE-SECRET-KEY-1QL3Z7HNVW8D0WJ5X6LQF7K3N2R9T4M8V5Z0P7Q4L6S2C8H3JS9A":   false,
	} {
		if got := Placeholder([]byte(s)) != ""; got != want {
			t.Errorf("Placeholder(%q) flagged = %v, want %v", s, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, al := range []string{"0123456789abcdef", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"} {
		for _, n := range []int{16, 24, 40, 64} {
			for i := 0; i < 10000; i++ {
				b := make([]byte, n)
				for j := range b {
					b[j] = al[rng.IntN(len(al))]
				}
				if mostlyPeriodic([]byte(toLower(string(b)))) {
					t.Errorf("random %d-character value %q taken for a repeated pattern", n, b)
				}
			}
		}
	}
}

// TestNamesItself: a value of lower-case words that names a credential is
// a placeholder; generated values, passphrases of other words and
// provider keys that start with a word are not.
func TestNamesItself(t *testing.T) {
	for s, want := range map[string]bool{
		"my-personal-token":                     true,
		"my-gitlab-token":                       true,
		"123abc_my_api_key_goes_here":           true,
		"my-s3-credentials":                     true,
		"token%2Fwith%2Fslashes":                true,
		"token%21with%23special":                true,
		"correct-horse-battery-staple":          false, // no credential word
		"key-f791852e88bb2a1f130f37b4a9e2c351":  false, // a long run mixing digits
		"Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE":   false, // capitals
		"token-a8f3k2q9":                        false, // the value is mostly not words
		"secret":                                false,
		"prod-db-credentials-2024-01-15-rotate": true,
	} {
		if got := namesItself([]byte(s)); got != want {
			t.Errorf("namesItself(%q) = %v, want %v", s, got, want)
		}
	}
	// Random lower-case values with separators are never taken for one.
	rng := rand.New(rand.NewPCG(5, 6))
	const al = "abcdefghijklmnopqrstuvwxyz0123456789-_."
	for i := 0; i < 20000; i++ {
		b := make([]byte, 32)
		for j := range b {
			b[j] = al[rng.IntN(len(al))]
		}
		if namesItself(b) {
			t.Errorf("random %q taken for a value that names itself", b)
		}
	}
}

// TestHomeRowMash: letters struck along the home row are a filler; random
// values, hex among them, are not.
func TestHomeRowMash(t *testing.T) {
	for s, want := range map[string]bool{
		"LaKSDJF98ALSkfj9823JDfj3JKd8JhfaEv5s9JAdlfk92JHFAs8KLJfl8KJDFH3J==": true,
		"dkHL49dId5skLfBjsf342RJkdskdpD54":                                   true,
		"asdfasdfjklASDFjklasd":                                              false, // too few letters to judge
		"dad0fa11da5e5ad0dadfa1ce5adf0dad0fadeda5":                           false, // hex
		// Hex behind a prefix (TestAccuracy seeds 1-20).
		"gloas-ff6f9d35a039522cf30a15993abe03532b95aa4f6459748616660254dd3d0df3": false,
		"sk-lf-fb64b39f-a274-4ea6-af3d-af5a4c3fdf4d":                             false,
		"sk_2f013d6daf4ab71a6403ff1afd2258a54504d3c966ec81df":                    false,
		"Hq7vZ2mK9xLw4Tn8Rb3Jc6Fd1Gs0Pa3Ne7Uk2Vx9Tz8wQ3nL":                       false,
	} {
		if got := homeRowMash([]byte(toLower(s))); got != want {
			t.Errorf("homeRowMash(%q) = %v, want %v", s, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, al := range []string{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"} {
		for _, n := range []int{24, 32, 40, 64} {
			for i := 0; i < 10000; i++ {
				b := make([]byte, n)
				for j := range b {
					b[j] = al[rng.IntN(len(al))]
				}
				if homeRowMash([]byte(toLower(string(b)))) {
					t.Errorf("random %d-character value %q taken for a home-row mash", n, b)
				}
			}
		}
	}
}

func TestTemplateVariableRubyInterpolation(t *testing.T) {
	for s, want := range map[string]bool{
		"http://localhost:#{port}": true,
		"#{@verification.otp}":     true,
		"#{SecureRandom.hex(64)}":  true,
		"#{ENV.fetch('SECRET')}":   true,
		// A WordPress salt's characters include # and {: unclosed, no template.
		"q1(Lz8!w@T#{D[-t>yRm2^Vx9&Kp7~Hs4_Nc6+Bf3%Jd": false,
		"Xw3#{9}vK":   false,
		"Xw3#{a(9}vK": false,
	} {
		if got := templateVariable([]byte(s)); got != want {
			t.Errorf("templateVariable(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestPlaceholderSaysWhose: a token's frame around words saying whose and
// what it is (sk_pr_my_key_…) is made up; such letters typed in mixed case
// inside a random value are not.
func TestPlaceholderSaysWhose(t *testing.T) {
	for s, want := range map[string]bool{
		"sk_pr_my_key_fa02df705055df9e4d159fe3bad0cf3bb8cd1dc2": true,
		"ghp_my-token-4f2a86e3c1e0d9b7":                         true,
		"MY_SECRET_9f8e7d6c5b4a":                                true,
		"xMy_KeYq8Zr2LmW9xYv4nBc":                               false,
		"sk_pr_fa02df705055df9e4d159fe3bad0cf3bb8cd1dc2":        false,
	} {
		if got := Placeholder([]byte(s)) != ""; got != want {
			t.Errorf("Placeholder(%q) flagged = %v, want %v (%s)", s, got, want, Placeholder([]byte(s)))
		}
	}
}

// TestDigitSeparatedWords: words with numbers for separators, one of them a
// credential's, name the value; random lower-case letters and digits do not
// spell four pronounceable words.
func TestDigitSeparatedWords(t *testing.T) {
	for s, want := range map[string]bool{
		"some123valid456api789key1011for1213api1415gateway": true,
		"my1test2api3token4value":                           true,
		// No credential's word; a word too short; letters only.
		"some123valid456api789value1011for1213gateway": false,
		"ab1cd2key3ef4gh5ij6":                          false,
		"somevalidapikeyforapigateway":                 false,
		"9f2a7c4e1b8d3f6a0c5e9d2b7f4a1c8e":             false,
	} {
		if got := digitSeparatedWords([]byte(s)); got != want {
			t.Errorf("digitSeparatedWords(%q) = %v, want %v", s, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	const al = "abcdefghijklmnopqrstuvwxyz0123456789"
	for _, n := range []int{16, 24, 32, 40, 64} {
		for i := 0; i < 20000; i++ {
			b := make([]byte, n)
			for j := range b {
				b[j] = al[rng.IntN(len(al))]
			}
			if digitSeparatedWords(b) {
				t.Errorf("random %d-character value %q taken for words", n, b)
			}
		}
	}
}

// TestCrowdinPseudoTranslation: Crowdin's in-context marker stands for a
// string being translated, under whatever key the file gives it; a value
// that only starts with its letters is judged as any other.
func TestCrowdinPseudoTranslation(t *testing.T) {
	for s, want := range map[string]bool{
		"crwdns6846:0crwdne6846:0":       true,
		"crwdns1262:0crwdne1262:0":       true,
		"crwdns12870:1crwdne12870:1 ":    true,
		"crwdnsXk9#mQ2vLp7":              false,
		"crwdns6846:0Xk9mQ2vLp7crwdne":   false,
		"Tq8vZ3mL9xcrwdns1Rk2Wp7Hn4Ld6F": false,
	} {
		if got := crowdinPseudoTranslation([]byte(s)); got != want {
			t.Errorf("crowdinPseudoTranslation(%q) = %v, want %v", s, got, want)
		}
		if got := Placeholder([]byte(s)) != ""; got != want {
			t.Errorf("Placeholder(%q) flagged = %v, want %v", s, got, want)
		}
	}
}

// placeholderWordReference is placeholderWord as it was written: each
// word searched for in turn.
func placeholderWordReference(s, lower []byte) []byte {
	for _, w := range placeholderWords {
		for off := 0; ; {
			i := bytes.Index(lower[off:], w)
			if i < 0 {
				break
			}
			i += off
			if i+len(w) <= len(s) && typedCase(s[i:i+len(w)]) {
				return w
			}
			off = i + 1
		}
	}
	return nil
}

// TestPlaceholderWordMatchesReference: the one-pass search finds the word
// the word-by-word search finds, the earliest in the list when several are
// there, on random values strewn with the words in every case.
func TestPlaceholderWordMatchesReference(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 1))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-*. é"
	found := 0
	for range 20000 {
		var b []byte
		for range r.IntN(6) {
			if r.IntN(3) == 0 {
				w := []byte(string(placeholderWords[r.IntN(len(placeholderWords))]))
				switch r.IntN(4) {
				case 0:
					w = bytes.ToUpper(w)
				case 1:
					w[0] = bytes.ToUpper(w[:1])[0]
				case 2:
					w[len(w)/2] = bytes.ToUpper(w[len(w)/2 : len(w)/2+1])[0]
				}
				b = append(b, w...)
			} else {
				for range r.IntN(8) {
					b = append(b, string([]rune(alphabet))[r.IntN(len([]rune(alphabet)))])
				}
			}
		}
		lower := bytes.ToLower(b)
		got, want := placeholderWord(b, lower), placeholderWordReference(b, lower)
		if !bytes.Equal(got, want) {
			t.Fatalf("%q: got %q, want %q", b, got, want)
		}
		if want != nil {
			found++
		}
	}
	if found < 2000 {
		t.Errorf("only %d values with a word", found)
	}
}
