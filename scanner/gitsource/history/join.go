package history

import (
	"context"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/rampart-sec/rampart/scanner"
)

// Moved implements scanner.Mover. The later finding's file was moved from
// the earlier one's path (renamed, then edited) when, in the commit that
// introduced the later blob, the earlier path is gone and the later path is
// being changed rather than created: the secret was already there, carried
// by the rename. A copy keeps the earlier path; a secret leaked again in a
// new file creates its path; both stay separate findings.
func (h *History) Moved(earlier, later *scanner.Finding) bool {
	if later.Commit == nil || earlier.Path == "" || later.Path == "" {
		return false
	}
	ctx := context.Background()
	if _, err := h.Repo.Git(ctx, "cat-file", "-e", later.Commit.Hash+":"+earlier.Path); err == nil {
		return false
	}
	_, err := h.Repo.Git(ctx, "cat-file", "-e", later.Commit.Hash+"^:"+later.Path)
	return err == nil
}

// Resolve implements scanner.Resolver: it places each blob finding at the
// commit and path that first introduced its blob (known only once the walk
// has ended), drops findings in blobs no selected ref reaches (dangling
// objects) or at allow-listed paths, and orders everything oldest commit
// first, so deduplication keeps each secret's first appearance.
func (h *History) Resolve(fs []scanner.Finding) []scanner.Finding {
	out := make([]scanner.Finding, 0, len(fs))
	dangling := 0
	for _, f := range fs {
		if f.Kind == scanner.KindBlob {
			var id [20]byte
			if _, err := hex.Decode(id[:], []byte(f.BlobID)); err != nil {
				continue
			}
			ref, ok := h.placed[id]
			if !ok {
				dangling++
				continue
			}
			f.Commit = ref.commit
			for _, p := range append([]string{ref.path}, ref.also...) {
				if !h.Opts.Allow.AllowsPath(p) {
					g := f
					g.Path = p
					out = append(out, g)
				}
			}
			continue
		}
		out = append(out, f)
	}
	if dangling > 0 {
		h.stats.Note(fmt.Sprintf("%d finding(s) in objects no scanned commit reaches were left out (staged but uncommitted content, or unreachable objects): scan --staged covers the first, git gc --prune=now removes the second", dangling))
	}
	pos := func(f *scanner.Finding) int {
		if f.Commit == nil {
			return 0
		}
		var id [20]byte
		hex.Decode(id[:], []byte(f.Commit.Hash))
		return int(h.commits[id].pos)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if pa, pb := pos(a), pos(b); pa != pb {
			return pa > pb // larger walk position = older commit
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return out
}
