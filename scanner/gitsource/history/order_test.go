package history

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// inProcessAll runs allInProcess on r's repository as a scan would.
func inProcessAll(t *testing.T, r *testRepo) ([][20]byte, []namedBlob, error) {
	t.Helper()
	h := &History{Repo: r.open()}
	packs, _, objects, err := h.openPacks()
	if err != nil {
		t.Fatal(err)
	}
	defer closePacks(packs)
	st := newStore(packs, objects, treeCache)
	defer st.close()
	return h.allInProcess(st)
}

// TestRevListOrderMatchesGit: the commits of every ref listed in process
// are `git rev-list --topo-order --all`'s, in its order, and the refs
// naming blobs are for-each-ref's, on random histories built to make the
// order hard: branches and merges (octopus too) off random commits,
// committer dates that repeat and go backwards, lightweight and annotated
// tags of commits, trees and blobs, a tag of a tag, a symbolic ref, a
// stash, notes, a detached HEAD; refs loose, packed or both, objects
// loose or packed, with and without a commit-graph (git then walks by
// generation numbers).
func TestRevListOrderMatchesGit(t *testing.T) {
	t.Parallel()
	for seed := int64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewSource(seed))
			r := newRepo(t)
			var commits []string
			commit := func(msg string) {
				// Dates from a small range: many equal, many out of order.
				r.n = rng.Intn(12)
				r.write(fmt.Sprintf("f%d.txt", rng.Intn(5)), fmt.Sprint(msg, rng.Int(), "\n"))
				r.git("add", "-A")
				r.git("commit", "-q", "--allow-empty", "-m", msg)
				commits = append(commits, r.git("rev-parse", "HEAD"))
			}
			commit("root")
			branches := []string{"main"}
			for i := 0; i < 30; i++ {
				switch op := rng.Intn(12); {
				case op < 2:
					b := fmt.Sprintf("b%d", i)
					r.git("checkout", "-q", "-b", b, commits[rng.Intn(len(commits))])
					branches = append(branches, b)
				case op == 2 && len(branches) > 2:
					r.n = rng.Intn(12)
					r.git("merge", "-q", "--no-ff", "-s", "ours", "-m", "octopus", branches[0], branches[1])
					commits = append(commits, r.git("rev-parse", "HEAD"))
				case op == 3 && len(branches) > 1:
					r.n = rng.Intn(12)
					r.git("merge", "-q", "--no-ff", "-s", "ours", "-m", "merge", branches[rng.Intn(len(branches))])
					commits = append(commits, r.git("rev-parse", "HEAD"))
				case op == 4:
					r.git("tag", fmt.Sprintf("light%d", i), commits[rng.Intn(len(commits))])
				case op == 5:
					r.n = rng.Intn(12)
					r.git("tag", "-a", "-m", "annotated", fmt.Sprintf("ann%d", i), commits[rng.Intn(len(commits))])
				case op == 6:
					r.git("checkout", "-q", branches[rng.Intn(len(branches))])
				default:
					commit(fmt.Sprint("c", i))
				}
			}
			r.write("f0.txt", "tagged\n")
			commit("tagged")
			r.git("tag", "tree-tag", "HEAD^{tree}")
			blob := r.git("rev-parse", "HEAD:f0.txt")
			r.git("tag", "blob-tag", blob)
			r.git("tag", "-a", "-m", "a blob", "blob-ann", blob)
			r.git("tag", "-a", "-m", "a tag", "tag-of-tag", "blob-ann")
			r.git("symbolic-ref", "refs/heads/alias", "refs/heads/"+branches[len(branches)-1])
			r.write("f0.txt", "stashed\n")
			r.git("stash", "-q")
			r.git("notes", "add", "-m", "a note", commits[0])
			r.git("checkout", "-q", "--detach", commits[rng.Intn(len(commits))])

			for _, layout := range []string{"loose", "packed refs", "some packed", "gc", "commit-graph"} {
				switch layout {
				case "packed refs":
					r.git("pack-refs", "--all")
				case "some packed":
					r.git("branch", "late", commits[rng.Intn(len(commits))])
					r.git("update-ref", "refs/heads/main", commits[rng.Intn(len(commits))])
				case "gc":
					r.git("gc", "-q")
				case "commit-graph":
					r.git("commit-graph", "write", "--reachable")
				}
				ids, named, err := inProcessAll(t, r)
				if err != nil {
					t.Fatalf("%s: %v", layout, err)
				}
				var got []string
				for _, id := range ids {
					got = append(got, hex.EncodeToString(id[:]))
				}
				want := strings.Fields(r.git("rev-list", "--topo-order", "--all"))
				if !slices.Equal(got, want) {
					t.Fatalf("%s: order differs from git's\n got %v\nwant %v", layout, got, want)
				}
				wantNamed := parseNamedBlobs([]byte(r.git("for-each-ref", "--format=%(objecttype) %(objectname) %(*objecttype) %(*objectname) %(refname)")))
				if !slices.Equal(named, wantNamed) {
					t.Fatalf("%s: refs naming blobs\n got %v\nwant %v", layout, named, wantNamed)
				}
				if len(wantNamed) != 2 {
					t.Fatalf("%s: the test wants two refs naming blobs, has %v", layout, wantNamed)
				}
			}
		})
	}
}

// TestRefsLeftToGit: what the refs reader does not read exactly as git
// does goes to git: other worktrees' HEADs, replace refs, grafts, a
// shallow clone, a reftable, a dangling symbolic ref, a lock file, a ref
// name git would quote, a namespace in the environment, a commit written
// in a shape git's versions parse differently. An unborn HEAD in an empty
// repository is read.
func TestRefsLeftToGit(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T) *testRepo {
		r := newRepo(t)
		r.write("a.txt", "one\n")
		r.commit("one")
		r.write("a.txt", "two\n")
		r.commit("two")
		return r
	}
	cases := map[string]func(t *testing.T, r *testRepo){
		"worktree": func(t *testing.T, r *testRepo) {
			r.git("worktree", "add", "-q", filepath.Join(t.TempDir(), "wt"), "HEAD^")
		},
		"replace":      func(t *testing.T, r *testRepo) { r.git("replace", "HEAD", "HEAD^") },
		"grafts":       func(t *testing.T, r *testRepo) { r.write(".git/info/grafts", r.git("rev-parse", "HEAD")+"\n") },
		"shallow":      func(t *testing.T, r *testRepo) { r.write(".git/shallow", r.git("rev-parse", "HEAD^")+"\n") },
		"reftable":     func(t *testing.T, r *testRepo) { r.write(".git/reftable/tables.list", "") },
		"dangling":     func(t *testing.T, r *testRepo) { r.git("symbolic-ref", "refs/heads/gone-alias", "refs/heads/gone") },
		"lock":         func(t *testing.T, r *testRepo) { r.write(".git/refs/heads/main.lock", r.git("rev-parse", "HEAD")+"\n") },
		"odd name":     func(t *testing.T, r *testRepo) { r.git("branch", "fix/ümlaut") },
		"bad contents": func(t *testing.T, r *testRepo) { r.write(".git/refs/heads/broken", "not an object\n") },
		"odd commit": func(t *testing.T, r *testRepo) {
			tree := r.git("rev-parse", "HEAD^{tree}")
			p := filepath.Join(t.TempDir(), "commit")
			// A committer line with two '>': git 2.39 and git 2.47 read its date differently.
			body := "tree " + tree + "\nauthor A <a@x> 1 +0000\ncommitter A <a@x> x> 2 +0000\n\nodd\n"
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			r.git("update-ref", "refs/heads/odd", r.git("hash-object", "-t", "commit", "-w", "--literally", p))
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := setup(t)
			if _, _, err := inProcessAll(t, r); err != nil {
				t.Fatalf("before the change: %v", err)
			}
			change(t, r)
			if _, _, err := inProcessAll(t, r); !errors.Is(err, errRefsToGit) {
				t.Fatalf("read in process (err %v)", err)
			}
		})
	}
	t.Run("namespace", func(t *testing.T) {
		r := setup(t)
		env := func(k string) (string, bool) {
			if k == "GIT_NAMESPACE" {
				return "other", true
			}
			return "", false
		}
		if _, _, err := readRefs(filepath.Join(r.dir, ".git"), env); !errors.Is(err, errRefsToGit) {
			t.Fatalf("read in process (err %v)", err)
		}
	})
	t.Run("unborn", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t)
		refs, head, err := readRefs(filepath.Join(r.dir, ".git"), func(string) (string, bool) { return "", false })
		if err != nil || len(refs) != 0 || head != nil {
			t.Fatalf("refs %v head %v err %v", refs, head, err)
		}
	})
}
