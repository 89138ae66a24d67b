package cached

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// addedLine is one added line of a normalized diff: its file, its
// new-file line number and its text.
type addedLine struct {
	path string
	at   int
	text string
}

// addedLines lists a normalized diff's (normal) added lines.
func addedLines(diff string) []addedLine {
	var out []addedLine
	path, line := "", 0
	for _, l := range strings.Split(diff, "\n") {
		if rest, ok := strings.CutPrefix(l, "diff --git a/"); ok {
			path, _, _ = strings.Cut(rest, " b/")
			continue
		}
		if at, ok := strings.CutPrefix(l, "@@ +"); ok {
			at, _, _ = strings.Cut(at, ",")
			fmt.Sscan(at, &line)
			continue
		}
		if s, ok := strings.CutPrefix(l, "+"); ok {
			out = append(out, addedLine{path, line, s})
			line++
		}
	}
	return out
}

// TestDiffAddedLinesUnderDiffSettings compares the added lines (text and
// line number) Diff reports with `git diff --cached -U0`'s, on generated
// repositories whose files repeat a few lines (code's braces and blank
// lines, a PEM header, a secret already committed), where which copy of a
// repeated line is the added one is a choice: git's Myers diff with its
// indent heuristic (the default), without it, and with
// diff.algorithm=histogram, patience or minimal in the repository's
// configuration.
//
// What it proves: where the configuration names another algorithm, Diff
// leaves the diff to git; otherwise every added line whose text the old
// file lacks (a secret just written) is added in both, at the same line.
// Lines whose text the old file already has may be placed elsewhere (git's
// indent heuristic and its discarding of frequent lines are not followed):
// the test counts those diffs, and checks that each line either side
// calls added is the new file's line at that number.
func TestDiffAddedLinesUnderDiffSettings(t *testing.T) {
	settings := []struct {
		name, config string
		fallback     bool // Diff must leave the diff to git
	}{
		{"default (indent heuristic on)", "", false},
		{"indentHeuristic off", "[diff]\n\tindentHeuristic = false\n", false},
		{"indentHeuristic on", "[diff]\n\tindentHeuristic\n", false},
		{"histogram", "[diff]\n\talgorithm = histogram\n", true},
		{"patience", "[diff]\n\talgorithm = patience\n", true},
		{"minimal", "[diff]\n\talgorithm = minimal\n", true},
	}
	alphabet := []string{"}", "", "\t}", "{", "\treturn nil", "func f() {", "-----BEGIN PRIVATE KEY-----",
		"-----END PRIVATE KEY-----", "token = AKIAUJZDEGXDNCF32EPF", "\tx++", "a", "b"}
	for si, s := range settings {
		t.Run(s.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(si), 5))
			gen := func(n int) []string {
				out := make([]string, n)
				for i := range out {
					out[i] = alphabet[rng.IntN(len(alphabet))]
				}
				return out
			}
			dir := newRepo(t)
			if s.config != "" {
				f, err := os.OpenFile(filepath.Join(dir, ".git", "config"), os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				f.WriteString(s.config)
				f.Close()
			}
			placed, fellBack := 0, 0
			for round := range 12 {
				olds := map[string][]string{}
				for i := range 4 {
					p := fmt.Sprintf("f%d.txt", i)
					olds[p] = gen(3 + rng.IntN(25))
					write(t, filepath.Join(dir, p), strings.Join(olds[p], "\n")+"\n")
				}
				git(t, dir, "add", "-A")
				git(t, dir, "commit", "-qm", "old", "--allow-empty")
				for p, old := range olds {
					ls := slices.Clone(old)
					for range 1 + rng.IntN(5) {
						at := rng.IntN(len(ls) + 1)
						switch rng.IntN(4) {
						case 0:
							ls = slices.Insert(ls, at, gen(1+rng.IntN(5))...)
						case 1:
							if at < len(ls) {
								ls = slices.Delete(ls, at, min(len(ls), at+1+rng.IntN(3)))
							}
						case 2:
							// A block moved: its lines all repeat old ones.
							if n := 1 + rng.IntN(4); at+n <= len(ls) {
								block := slices.Clone(ls[at : at+n])
								ls = slices.Delete(ls, at, at+n)
								ls = slices.Insert(ls, rng.IntN(len(ls)+1), block...)
							}
						default:
							ls = slices.Insert(ls, at, fmt.Sprintf("key%d = AKIA%016d", round, rng.IntN(1e9)))
						}
					}
					write(t, filepath.Join(dir, p), strings.Join(ls, "\n")+"\n")
				}
				git(t, dir, "add", "-A")
				want := addedLines(normal(gitDiff(t, dir)))
				os.Unsetenv("GIT_CONFIG_NOSYSTEM")
				got, err := Diff(dir)
				os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
				switch {
				case s.fallback && errors.Is(err, ErrFallback):
					fellBack++
					continue
				case s.fallback:
					t.Fatalf("round %d: Diff = %v, want a fallback to git for %s", round, err, s.name)
				case err != nil:
					t.Fatalf("round %d: Diff: %v", round, err)
				}
				have := addedLines(normal(string(got)))
				news := func(ls []addedLine) []addedLine {
					return slices.DeleteFunc(slices.Clone(ls), func(l addedLine) bool {
						return slices.Contains(olds[l.path], l.text)
					})
				}
				if g, w := news(have), news(want); !slices.Equal(g, w) {
					t.Errorf("round %d: added lines the old file lacks differ\nin process %v\ngit        %v", round, g, w)
				}
				if !slices.Equal(have, want) {
					placed++
				}
				// Each added line, on either side, is the new file's line.
				for _, l := range append(slices.Clone(have), want...) {
					b, _ := os.ReadFile(filepath.Join(dir, l.path))
					ls := strings.Split(string(b), "\n")
					if l.at < 1 || l.at > len(ls) || ls[l.at-1] != l.text {
						t.Errorf("round %d: %s:%d is not %q in the new file", round, l.path, l.at, l.text)
					}
				}
			}
			if s.fallback && fellBack != 12 {
				t.Errorf("%d of 12 diffs left to git, want all", fellBack)
			}
			if !s.fallback {
				t.Logf("%s: %d of 12 changes placed repeated lines elsewhere than git", s.name, placed)
			}
		})
	}
}

// FuzzDiffLines checks diffLines on arbitrary pairs of files: its hunks
// are in order and in range, the lines it keeps pair equal lines in
// order, every line of b whose text a lacks is added, and the edit is as
// short as any (the longest common subsequence, by dynamic programming):
// the properties that make the added text the same as any shortest
// diff's, git's included, but for which copy of a repeated line is added.
func FuzzDiffLines(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nX\nc\n"))
	f.Add([]byte("}\n\n}\n"), []byte("}\n\nfunc f() {\n}\n\n}\n"))
	f.Add([]byte("a\nb\nc\nd\n"), []byte("d\nc\nb\na"))
	f.Add([]byte(""), []byte("x\n"))
	f.Fuzz(func(t *testing.T, ab, bb []byte) {
		a, b := splitLines(ab), splitLines(bb)
		if len(a) > 300 || len(b) > 300 {
			return
		}
		hunks, ok := diffLines(a, b)
		if !ok {
			return
		}
		added := make([]bool, len(b))
		removed := make([]bool, len(a))
		oldEnd, newEnd := 0, 0
		for _, h := range hunks {
			if h.oldAt < oldEnd || h.newAt < newEnd || h.oldAt+h.oldN > len(a) || h.newAt+h.newN > len(b) ||
				h.oldN+h.newN == 0 || h.oldAt-oldEnd != h.newAt-newEnd {
				t.Fatalf("hunk %+v out of order or range (after old %d, new %d)", h, oldEnd, newEnd)
			}
			for i := range h.oldN {
				removed[h.oldAt+i] = true
			}
			for i := range h.newN {
				added[h.newAt+i] = true
			}
			oldEnd, newEnd = h.oldAt+h.oldN, h.newAt+h.newN
		}
		if len(a)-oldEnd != len(b)-newEnd {
			t.Fatalf("kept tails differ in length")
		}
		var keptA, keptB []string
		for i, l := range a {
			if !removed[i] {
				keptA = append(keptA, string(l))
			}
		}
		oldText := map[string]bool{}
		for _, l := range a {
			oldText[string(l)] = true
		}
		for i, l := range b {
			if !added[i] {
				keptB = append(keptB, string(l))
			}
			if !oldText[string(l)] && !added[i] {
				t.Fatalf("line %d %q, which a lacks, not added", i, l)
			}
		}
		if !slices.Equal(keptA, keptB) {
			t.Fatalf("kept lines differ:\n%q\n%q", keptA, keptB)
		}
		if lcs := lcsLen(a, b); len(keptB) != lcs {
			t.Fatalf("keeps %d lines, a longest common subsequence has %d", len(keptB), lcs)
		}
	})
}

// lcsLen is the length of a longest common subsequence of a and b.
func lcsLen(a, b [][]byte) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if string(a[i]) == string(b[j]) {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
