package patterns

import (
	"math/rand/v2"
	"testing"
)

func TestOrderedRun(t *testing.T) {
	for s, want := range map[string]bool{
		"a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6":                 true,
		"abc123def456ghi789jkl012":                         true,
		"abcd1234efgh5678ijkl9012mnop3456":                 true,
		"1abc2345def6789ghij01234klmno567":                 true,
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
	} {
		if got := Placeholder([]byte(s)) != ""; got != want {
			t.Errorf("Placeholder(%q) flagged = %v, want %v", s, got, want)
		}
	}
}
