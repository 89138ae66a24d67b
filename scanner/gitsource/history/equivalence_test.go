package history

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// base32Key returns a format-valid fake AWS key ID.
func base32Key(rng *rand.Rand, prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := []byte(prefix)
	for len(b) < 20 {
		b = append(b, alphabet[rng.Intn(len(alphabet))])
	}
	return string(b)
}

// TestHistoryMatchesCommitWalk builds a random history (branches, merges,
// renames, edits, deletions) and requires the unique-blob fast path to find
// exactly what a plain commit-by-commit walk of every added line finds, with
// the same first commit for each secret.
func TestHistoryMatchesCommitWalk(t *testing.T) {
	t.Parallel()
	for seed := int64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewSource(seed))
			r := newRepo(t)
			files := map[string][]string{}
			names := []string{"a.txt", "b/c.yaml", "d/e/f.env", "g.py"}
			for _, n := range names {
				files[n] = []string{"line one", "line two"}
				r.write(n, strings.Join(files[n], "\n")+"\n")
			}
			r.commit("init")
			branches := []string{"main"}
			for i := 0; i < 40; i++ {
				switch op := rng.Intn(10); {
				case op == 0 && len(branches) < 4:
					b := fmt.Sprintf("br%d", i)
					r.git("checkout", "-q", "-b", b)
					branches = append(branches, b)
				case op == 1 && len(branches) > 1:
					r.git("checkout", "-q", "main")
					r.n++
					r.git("merge", "-q", "--no-ff", "-X", "theirs", "-m", "merge", branches[len(branches)-1])
					branches = branches[:len(branches)-1]
				case op == 2:
					n := names[rng.Intn(len(names))]
					r.git("rm", "-q", "--ignore-unmatch", n)
					r.commit("delete")
				case op == 3:
					from := names[rng.Intn(len(names))]
					to := fmt.Sprintf("moved-%d-%s", i, strings.ReplaceAll(from, "/", "_"))
					if out := r.git("ls-files", from); out != "" {
						r.git("mv", from, to)
						r.commit("rename")
					}
				default:
					n := names[rng.Intn(len(names))]
					lines := []string{"x = 1", fmt.Sprintf("edit %d", i)}
					if rng.Intn(3) == 0 {
						lines = append(lines, "aws_access_key_id = "+base32Key(rng, "AKIA"))
					}
					r.write(n, strings.Join(lines, "\n")+"\n")
					r.commit(fmt.Sprintf("edit %d", i))
				}
			}
			repo := r.open()
			// Split even these short histories between two diff-tree
			// walkers, one commit at a time, so placement must merge
			// across processes.
			hist := scan(t, &History{Repo: repo, SkipMessages: true, walkers: 2, walkBlock: 1})
			walk := scan(t, &gitsource.Commits{Repo: repo, Revs: []string{"--all"}, SkipMessages: true})
			firstCommit := func(fs []scanner.Finding) map[string]time.Time {
				m := map[string]time.Time{}
				for _, f := range fs {
					if d, ok := m[f.Fingerprint]; !ok || f.Commit.Date.Before(d) {
						m[f.Fingerprint] = f.Commit.Date
					}
				}
				return m
			}
			h, w := firstCommit(hist.Findings), firstCommit(walk.Findings)
			if len(h) == 0 {
				t.Fatal("the generator planted nothing")
			}
			var diffs []string
			for fp, d := range w {
				if hd, ok := h[fp]; !ok {
					diffs = append(diffs, "history missed "+fp[:8])
				} else if !hd.Equal(d) {
					diffs = append(diffs, fmt.Sprintf("%s: history says %v, walk says %v", fp[:8], hd, d))
				}
			}
			for fp := range h {
				if _, ok := w[fp]; !ok {
					diffs = append(diffs, "walk missed "+fp[:8])
				}
			}
			sort.Strings(diffs)
			for _, d := range diffs {
				t.Error(d)
			}
		})
	}
}

// TestParallelWalkKeepsOldestIntroduction commits the same secret file,
// deletes it and adds it back many times, with the walk split one commit at
// a time between diff-tree processes: whichever process reports last, the
// finding belongs to the first commit.
func TestParallelWalkKeepsOldestIntroduction(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	creds := "aws_access_key_id = " + keyID + "\n"
	r.write("creds.env", creds)
	first := r.commit("add")
	// Cycles of three commits put the re-additions at alternating
	// positions, so both walkers report some of them.
	for i := 0; i < 20; i++ {
		r.git("rm", "-q", "creds.env")
		r.commit(fmt.Sprintf("remove %d", i))
		r.write("creds.env", creds)
		r.commit(fmt.Sprintf("add back %d", i))
		r.commit(fmt.Sprintf("empty %d", i))
	}
	for run := 0; run < 3; run++ {
		res := scan(t, &History{Repo: r.open(), SkipMessages: true, walkers: 2, walkBlock: 1})
		if len(res.Findings) != 1 || res.Findings[0].Commit.Hash != first {
			t.Fatalf("run %d: %v, want one finding at %s", run, summary(res.Findings, nil), first[:12])
		}
	}
}
