package history

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/rampart-sec/rampart/scanner/gitsource"
	"github.com/rampart-sec/rampart/scanner/gitsource/pack"
)

// The object store as the in-process readers see it: the pack files and
// the loose objects beside them.

// openPacks lists the repository's loose objects, then opens every pack,
// or reports why the in-process reader cannot be used (alternates, an
// object directory set in the environment, a pack format it does not
// read). Loose objects come first, as git itself looks: a concurrent gc
// packs loose objects before deleting them, so each object is seen in one
// place or the other, and a pack deleted meanwhile fails to open, which
// hands the whole scan to git.
func (h *History) openPacks() (packs []*pack.Pack, loose [][20]byte, objects string, err error) {
	for _, env := range []string{"GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"} {
		if os.Getenv(env) != "" {
			return nil, nil, "", fmt.Errorf("%w: %s is set", pack.ErrUnsupported, env)
		}
	}
	objects = h.objectsDir()
	if _, err := os.Stat(filepath.Join(objects, "info", "alternates")); err == nil {
		return nil, nil, "", fmt.Errorf("%w: the repository borrows objects through alternates", pack.ErrUnsupported)
	}
	loose, err = looseObjects(objects)
	if err != nil {
		return nil, nil, "", err
	}
	names, err := filepath.Glob(filepath.Join(objects, "pack", "*.pack"))
	if err != nil {
		return nil, nil, "", err
	}
	for _, name := range names {
		if _, err := os.Stat(strings.TrimSuffix(name, ".pack") + ".idx"); err != nil {
			// Being written (fetch) or deleted (gc) right now: git reads
			// this scan instead, seeing whichever state it finds.
			closePacks(packs)
			return nil, nil, "", fmt.Errorf("%w: %s has no index", pack.ErrUnsupported, filepath.Base(name))
		}
		p, err := pack.Open(name)
		if err != nil {
			closePacks(packs)
			return nil, nil, "", err
		}
		packs = append(packs, p)
	}
	return packs, loose, objects, nil
}

// objectsDir returns the repository's object directory: a linked work
// tree keeps its objects in the main repository.
func (h *History) objectsDir() string {
	if common, err := os.ReadFile(filepath.Join(h.Repo.GitDir, "commondir")); err == nil {
		dir := strings.TrimSpace(string(common))
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(h.Repo.GitDir, dir)
		}
		return filepath.Join(dir, "objects")
	}
	return filepath.Join(h.Repo.GitDir, "objects")
}

// partialClone reports whether the repository is a partial clone: a clone
// or fetch with --filter, whose promised objects may be absent for good.
// git marks the packs it fetched so with a .promisor file beside them, and
// records the promisor remote in its config (remote.<name>.promisor, or
// extensions.partialClone as older gits wrote it); a mirror copied
// without its config (git/git's here) has only the first, and git itself
// then reads it as a promisor pack.
func (h *History) partialClone(ctx context.Context) bool {
	if ps, _ := filepath.Glob(filepath.Join(h.objectsDir(), "pack", "*.promisor")); len(ps) > 0 {
		return true
	}
	out, _ := h.Repo.Git(ctx, "config", "--get-regexp", `^(extensions\.partialclone|remote\..*\.promisor)$`)
	for _, l := range strings.Split(string(out), "\n") {
		key, value, _ := strings.Cut(l, " ")
		if strings.HasPrefix(key, "extensions.") && value != "" || gitTrue(value) {
			return true
		}
	}
	return false
}

// inPacks reports whether any of packs stores id.
func inPacks(packs []*pack.Pack, id [20]byte) bool {
	for _, p := range packs {
		if _, ok := p.Find(id); ok {
			return true
		}
	}
	return false
}

// looseObjects lists the objects stored one file each under objects/xx/.
// It reads the object directory once for the fan-out folders that exist
// rather than trying all 256: a packed repository has none, and the
// failed opens were a visible part of a small repository's start. A
// fan-out folder may be a symbolic link, which git follows.
func looseObjects(objects string) ([][20]byte, error) {
	fans, err := os.ReadDir(objects)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // as git finds no loose object there
	} else if err != nil {
		return nil, err
	}
	var ids [][20]byte
	for _, f := range fans {
		var fan [1]byte
		if n := f.Name(); len(n) != 2 {
			continue
		} else if _, err := hex.Decode(fan[:], []byte(n)); err != nil {
			continue
		}
		ents, err := os.ReadDir(filepath.Join(objects, f.Name()))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
				continue // removed by a concurrent gc, or not a folder
			}
			return nil, err
		}
		for _, e := range ents {
			var id [20]byte
			id[0] = fan[0]
			if n := e.Name(); len(n) == 38 {
				if _, err := hex.Decode(id[1:], []byte(n)); err == nil {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids, nil
}

// checkObjects asks `git cat-file --batch-check` for the type and size of
// ids and returns the blobs among them.
func (h *History) checkObjects(ctx context.Context, ids [][20]byte) ([]packedBlob, error) {
	var in bytes.Buffer
	for _, id := range ids {
		fmt.Fprintf(&in, "%x\n", id)
	}
	out, err := h.Repo.Input(ctx, &in, "cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)")
	if err != nil {
		return nil, err
	}
	var blobs []packedBlob
	err = gitsource.EachLine(bytes.NewReader(out), func(l []byte) error {
		if b, ok := h.listedBlob(l); ok {
			blobs = append(blobs, b)
		}
		return nil
	})
	return blobs, err
}

// gitTrue reports whether a configuration value is one of git's spellings
// of true (git config --type=bool): a promisor remote set with "yes" or
// "1" is one as much as with "true".
func gitTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "1":
		return true
	}
	return false
}
