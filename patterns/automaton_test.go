package patterns

import (
	"math/rand"
	"sort"
	"strings"
	"testing"
)

// naive finds every (keyword, end) pair by brute force, case-insensitively.
func naive(keywords []string, data []byte) []string {
	lower := make([]byte, len(data))
	for i, c := range data {
		lower[i] = fold(c)
	}
	var out []string
	for ki, k := range keywords {
		for i := 0; i+len(k) <= len(lower); i++ {
			if string(lower[i:i+len(k)]) == k {
				out = append(out, pos(ki, i+len(k)))
			}
		}
	}
	sort.Strings(out)
	return out
}

func pos(k, end int) string { return string(rune('A'+k)) + ":" + strings.Repeat("|", 0) + itoa(end) }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// filters runs f once with automata built for the pure-Go filter and once,
// where the CPU has it, for filterAVX2.
func filters(t testing.TB, f func(t testing.TB, simd bool)) {
	t.Helper()
	defer func(u bool) { useAVX2 = u }(useAVX2)
	for _, simd := range []bool{false, true} {
		if simd && !hasAVX2 {
			continue
		}
		useAVX2 = simd
		f(t, simd)
	}
}

func scanAll(a *Automaton, data []byte) []string {
	var out []string
	a.Scan(data, func(k, end int) { out = append(out, pos(k, end)) })
	sort.Strings(out)
	return out
}

func TestAutomatonMatchesNaive(t *testing.T) {
	tests := []struct {
		keywords []string
		data     string
	}{
		{[]string{"akia", "kia", "secret_key", "secret"}, "AKIAxx Secret_Key SECRET akiakia"},
		{[]string{"abc", "bcd", "cde"}, "abcdeABCDE"},
		{[]string{"aaa"}, "aaaaaa"},
		{[]string{"ghp_", "gho_", "github_pat_"}, "token=ghp_abc GITHUB_PAT_x gho"},
		{[]string{"xy"}, "axyb"}, // shorter than MinKeywordLen: skipping disabled, still correct
	}
	filters(t, func(t testing.TB, simd bool) {
		for _, tt := range tests {
			a := NewAutomaton(tt.keywords)
			if got, want := scanAll(a, []byte(tt.data)), naive(tt.keywords, []byte(tt.data)); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("simd %v: %q in %q:\n got %v\nwant %v", simd, tt.keywords, tt.data, got, want)
			}
		}
	})
}

func TestAutomatonRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := "abcAB_-\n "
	gen := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.Intn(len(alphabet))]
		}
		return string(b)
	}
	for iter := 0; iter < 300; iter++ {
		var kws []string
		for i := 0; i < 1+rng.Intn(6); i++ {
			kws = append(kws, strings.ToLower(gen(3+rng.Intn(4))))
		}
		data := []byte(gen(rng.Intn(200)))
		filters(t, func(t testing.TB, simd bool) {
			if got, want := scanAll(NewAutomaton(kws), data), naive(kws, data); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("simd %v: %q in %q:\n got %v\nwant %v", simd, kws, data, got, want)
			}
		})
	}
}

// TestAutomatonLong: long inputs with keywords of every length at every
// alignment, in both cases and next to the bytes that ORing with 0x20
// merges with theirs (@ and `, [ and {), through both filters, across
// filterAVX2's blocks and chunks and the pure-Go loop that ends its work.
func TestAutomatonLong(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	kws := []string{"hf_", "$1$", "eyj", "{x}", "akia", "ion_", "a@b`", "vault", "tatum", "secret", "xoxb-1",
		"ringcentral", "secret_key", "token=", "cookie_secret", "github_pat_", "[abc]", "ab{de", "abcdefghijklmno"}
	for _, n := range []int{33, 34, 35, 66, 67, 100, 1000, 64*1024 + 77, 200_000} {
		var b strings.Builder
		for b.Len() < n {
			switch r := rng.Intn(10); {
			case r == 0:
				b.WriteString(kws[rng.Intn(len(kws))])
			case r == 1:
				b.WriteString(strings.ToUpper(kws[rng.Intn(len(kws))]))
			default:
				const other = "abcdefhijknoty_{[`@=$1-x \n"
				b.WriteByte(other[rng.Intn(len(other))])
			}
		}
		data := []byte(b.String()[:n])
		want := naive(kws, data)
		filters(t, func(t testing.TB, simd bool) {
			a := NewAutomaton(kws)
			for off := 0; off < 3; off++ {
				w := naive(kws, data[off:])
				if got := scanAll(a, data[off:]); strings.Join(got, " ") != strings.Join(w, " ") {
					t.Fatalf("simd %v, %d bytes from %d: %d hits, want %d", simd, n, off, len(got), len(w))
				}
			}
		})
		if len(want) == 0 {
			t.Fatalf("%d bytes: no keywords planted", n)
		}
	}
}

func FuzzAutomaton(f *testing.F) {
	f.Add("akia,secret", []byte("AKIA secret SeCrEt"))
	f.Fuzz(func(t *testing.T, kwList string, data []byte) {
		var kws []string
		for _, k := range strings.Split(kwList, ",") {
			if len(k) >= MinKeywordLen && len(k) < 16 {
				kb := []byte(k)
				for i := range kb {
					kb[i] = fold(kb[i])
				}
				kws = append(kws, string(kb))
			}
		}
		if len(kws) == 0 || len(kws) > 20 {
			return
		}
		want := naive(kws, data)
		filters(t, func(t testing.TB, simd bool) {
			if got := scanAll(NewAutomaton(kws), data); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("simd %v: got %v want %v", simd, got, want)
			}
		})
	})
}

// TestAutomatonHitOrder: hits come in order of their end, whatever the
// anchors' positions inside the keywords (callers merge windows in order).
func TestAutomatonHitOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	kws := []string{"ringcentral", "central", "tral", "hf_", "$1$", "secret_key", "key=", "xoxb-", "eyj"}
	for iter := 0; iter < 200; iter++ {
		var b strings.Builder
		for b.Len() < 2000 {
			if rng.Intn(4) == 0 {
				b.WriteString(strings.ToUpper(kws[rng.Intn(len(kws))]))
			} else {
				b.WriteByte("abcdefghijklmnopqrstuvwxyz_=$1- \n"[rng.Intn(33)])
			}
		}
		data := []byte(b.String())
		a := NewAutomaton(kws)
		last := -1
		a.Scan(data, func(k, end int) {
			if end < last {
				t.Fatalf("hit %q ending at %d after one ending at %d", kws[k], end, last)
			}
			last = end
		})
		if got, want := scanAll(a, data), naive(kws, data); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("mismatch:\n got %v\nwant %v", got, want)
		}
	}
}

// TestAutomatonManyKeywords: past the number of lists a slot can name,
// anchors share the last list, and every keyword is still found.
func TestAutomatonManyKeywords(t *testing.T) {
	defer func(n int) { maxLists = n }(maxLists)
	maxLists = 5
	var kws []string
	for i := 0; i < 300; i++ {
		kws = append(kws, "kw"+itoa(i)+"x")
	}
	kws = append(kws, "hf_", "$1$", "eyj", "sk_")
	a := NewAutomaton(kws)
	if n := len(a.starts) - 2; n != maxLists {
		t.Fatalf("%d lists, want %d", n, maxLists)
	}
	data := []byte("Q kw0x Q kw299x kw17x Q $1$x hf_Y eyJ Q sk_")
	if got, want := scanAll(a, data), naive(kws, data); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}
