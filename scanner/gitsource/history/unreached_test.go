package history

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// unreachedHistory is a small history beside blobs no ref reaches: a
// commit reset away with its reflog expired, and blobs written with `git
// hash-object -w`, secrets in them, one binary; and a blob a tag names,
// which no commit holds but the tag reaches (scanned). It returns the
// repository and the blobs no ref reaches.
func unreachedHistory(t *testing.T) (*testRepo, map[string]bool) {
	t.Helper()
	r := newRepo(t)
	r.write("app/config.env", "aws_access_key_id = "+keyID+"\n")
	r.write("README.md", "hello\n")
	// A symbolic link's target is a blob of its own, held by the commit.
	if err := os.Symlink("app/config.env.d/current", filepath.Join(r.dir, "current.env")); err != nil {
		t.Fatal(err)
	}
	r.commit("first")
	r.write("app/main.go", "package main\n\nfunc main() {}\n")
	r.write("logo.bin", "\x00\x01 logo")
	r.commit("second")
	r.write("app/config.env", "aws_access_key_id = "+keyID+"\nbackup_id = "+keyID2+"\n")
	r.write("leak.env", "AWS_SECRET_ACCESS_KEY="+secretKey+"\naws_access_key_id = "+keyID2+"\n")
	r.commit("leak")
	r.git("reset", "-q", "--hard", "HEAD~1")
	r.git("reflog", "expire", "--expire=now", "--all")
	for i := range 30 {
		body := fmt.Sprintf("# draft %d\naws_access_key_id = %s\n", i, keyID2)
		if i%10 == 9 {
			body = "\x00binary draft " + body
		}
		p := filepath.Join(t.TempDir(), "draft")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		r.git("hash-object", "-w", p)
	}
	p := filepath.Join(t.TempDir(), "tagged")
	if err := os.WriteFile(p, []byte("signing key notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tagged := r.git("hash-object", "-w", p)
	r.git("tag", "notes", tagged)
	reachable := map[string]bool{}
	for _, l := range strings.Split(r.git("rev-list", "--objects", "--all"), "\n") {
		reachable[strings.Fields(l)[0]] = true
	}
	unreached := map[string]bool{}
	for _, l := range strings.Split(r.git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"), "\n") {
		if f := strings.Fields(l); f[1] == "blob" && !reachable[f[0]] {
			unreached[f[0]] = true
		}
	}
	if len(unreached) != 32 { // 30 drafts, leak.env and config.env's third version
		t.Fatalf("%d unreachable blobs, want 32", len(unreached))
	}
	return r, unreached
}

// TestUnreachableBlobsLeftOut: blobs no ref reaches are not scanned once
// the walk has ended, their findings are never reported, and the scan says
// how many such blobs the object store holds: the same number, and the
// same counts of what was read and skipped, whichever of the walk and the
// reader comes first, loose or packed, as a scan of the repository with
// them pruned. A symbolic link's target is held, not left out. (Every unreachable blob was read and scanned in full, and
// its findings then dropped: a repository full of them took minutes.)
func TestUnreachableBlobsLeftOut(t *testing.T) {
	t.Parallel()
	r, unreached := unreachedHistory(t)
	pruned := newRepo(t)
	pruned.git("pull", "-q", r.dir, "main")
	pruned.git("fetch", "-q", r.dir, "refs/tags/notes:refs/tags/notes")
	clean := scanVariant(t, pruned.open(), gitsource.Options{}, variants()[0])
	want := summary(clean.Findings, nil)
	if len(want) != 1 {
		t.Fatalf("the pruned copy gives %q", want)
	}
	note := fmt.Sprintf("%d blob(s) in the object store that no scanned commit holds were left out", len(unreached))
	for _, layout := range []string{"loose", "packed"} {
		if layout == "packed" {
			// Every object in one pack, the unreachable ones too.
			r.git("repack", "-q", "-a", "-d")
			ids := r.git("cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
			packIn(t, r.dir, ids)
			if n := r.git("count-objects"); !strings.HasPrefix(n, "0 objects") {
				t.Fatalf("not all packed: %s", n)
			}
		}
		repo := r.open()
		for _, v := range variants() {
			res := scanVariant(t, repo, gitsource.Options{}, v)
			if got := summary(res.Findings, nil); !equal(got, want) {
				t.Errorf("%s %v: findings %q, want %q", layout, v, got, want)
			}
			if res.Stats.Blobs != clean.Stats.Blobs || res.Stats.Bytes != clean.Stats.Bytes || !reflect.DeepEqual(res.Stats.Skipped, clean.Stats.Skipped) {
				t.Errorf("%s %v: read %d blobs (%d bytes), skipped %v; with the unreachable pruned %d (%d), skipped %v", layout, v,
					res.Stats.Blobs, res.Stats.Bytes, res.Stats.Skipped, clean.Stats.Blobs, clean.Stats.Bytes, clean.Stats.Skipped)
			}
			if !strings.Contains(strings.Join(res.Stats.Notes, "\n"), note) {
				t.Errorf("%s %v: notes %q, want %q", layout, v, res.Stats.Notes, note)
			}
		}
		// Once the walk has ended, no unreachable blob is even yielded.
		rules, err := patterns.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		for _, useGit := range []bool{false, true} {
			h := &History{Repo: repo, UseGit: useGit, order: orderWalkFirst}
			h.UseAutomaton(scanner.NewDetector(rules, nil).Automaton())
			var mu sync.Mutex
			var read []string
			err := h.ChunksParallel(t.Context(), 2, func(c scanner.Chunk) error {
				mu.Lock()
				defer mu.Unlock()
				if unreached[c.BlobID] {
					read = append(read, c.BlobID)
				}
				if c.Release != nil {
					c.Release()
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(read) > 0 {
				t.Errorf("%s, useGit=%v: %d unreachable blob(s) read after the walk ended", layout, useGit, len(read))
			}
		}
	}
}

// packIn writes the objects named in ids (one a line) into one pack of the
// repository at dir and deletes their loose copies.
func packIn(t *testing.T, dir, ids string) {
	t.Helper()
	old, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "pack-*"))
	cmd := exec.Command("git", "pack-objects", "-q", filepath.Join(dir, ".git", "objects", "pack", "pack"))
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(ids + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git pack-objects: %v\n%s", err, out)
	}
	for _, p := range old {
		os.Remove(p)
	}
	gitIn(t, dir, 0, "prune-packed")
}
