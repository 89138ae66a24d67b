package patterns

import (
	"math/rand"
	"testing"
)

// orderedRunReference is orderedRun as first written, with its membership
// tests as func values: the specialised search must agree with it.
func orderedRunReference(s []byte) bool {
	run := func(isMember func(byte) bool, maxGap int, step int) bool {
		for i := 0; i < len(s); i++ {
			if !isMember(s[i]) {
				continue
			}
			n, last, pos := 1, int(s[i]), i
			for j := i + 1; j < len(s) && j-pos <= maxGap; j++ {
				if isMember(s[j]) && int(s[j]) == last+step {
					n, last, pos = n+1, int(s[j]), j
					if n >= 8 {
						return true
					}
				}
			}
		}
		return false
	}
	isDigit := func(b byte) bool { return b >= '0' && b <= '9' }
	isLetter := func(b byte) bool { return b >= 'a' && b <= 'z' }
	return run(isLetter, 5, 1) || run(isLetter, 2, -1) || run(isDigit, 2, 1) || run(isDigit, 2, -1)
}

func TestOrderedRunMatchesReference(t *testing.T) {
	t.Parallel()
	cases := []string{"", "a1b2c3d4e5f6g7h8", "abcdefgh", "abcdefg", "98765432", "9x8x7x6x5x4x3x2", "0a1b2c3d4e5f6g7",
		"a--b--c--d--e--f--g--h", "a-----b", "z{|}~", "yz{", "12345678", "1234567", "/0123456"}
	r := rand.New(rand.NewSource(1))
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789/:;`{-_ABZ"
	for range 20000 {
		b := make([]byte, r.Intn(40))
		start := r.Intn(len(alphabet))
		for i := range b {
			if r.Intn(3) == 0 {
				b[i] = alphabet[r.Intn(len(alphabet))]
			} else { // runs in order, so that both answers are common
				b[i] = alphabet[(start+i)%len(alphabet)]
			}
		}
		cases = append(cases, string(b))
	}
	found := 0
	for _, c := range cases {
		want := orderedRunReference([]byte(c))
		if got := orderedRun([]byte(c)); got != want {
			t.Fatalf("orderedRun(%q) = %v, want %v", c, got, want)
		}
		if want {
			found++
		}
	}
	if found < len(cases)/10 || found > len(cases)*9/10 {
		t.Fatalf("%d of %d cases are ordered runs: the cases test little", found, len(cases))
	}
}
