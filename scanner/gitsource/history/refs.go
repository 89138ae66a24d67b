package history

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart/scanner/gitsource/cached"
)

// A scan of every ref asked git twice before it read a commit: `git
// for-each-ref` for the refs that name blobs, and `git rev-list
// --topo-order --all` for the commits in order. On a small repository
// those two processes were most of the walk: ~12 ms of CPU, and each
// start held one of two cores for 3–4 ms while the blob readers waited
// (the runtime hands a core blocked in fork/exec to another goroutine
// only when its monitor next wakes, which it does every 10 ms once a
// process has been quiet). readRefs reads the refs as git's files
// backend stores them, and revListOrder (order.go) lists the commits in
// rev-list's order, both through the pack reader the scan already has
// open. Like discover.go, it takes only layouts it reads exactly as git
// does, and leaves anything else to git: reftables, replace refs,
// grafts, shallow clones, linked worktrees, namespaces, a name or a file
// it does not expect.

// refEntry is one ref: its full name and the object it names, symbolic
// refs resolved.
type refEntry struct {
	name string
	id   [20]byte
}

// errRefsToGit says the refs are not read in process; git reads them.
var errRefsToGit = errors.New("refs left to git")

// refEnvironment is the environment that changes what git's --all means or
// how it reads refs and commits; a scan run with any of it set asks git.
var refEnvironment = []string{
	"GIT_NAMESPACE", "GIT_REPLACE_REF_BASE", "GIT_GRAFT_FILE", "GIT_SHALLOW_FILE",
	"GIT_COMMON_DIR", "GIT_REF_PARANOIA", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
	"GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
}

// readRefs returns the refs under refs/ sorted by name (the order git
// iterates them in) and the object HEAD names (nil when HEAD is a branch
// not yet born), as the files backend of gitDir stores them: loose refs
// under refs/, overriding packed-refs. errRefsToGit says git must read
// them.
func readRefs(gitDir string, lookupEnv func(string) (string, bool)) ([]refEntry, *[20]byte, error) {
	for _, v := range refEnvironment {
		if _, set := lookupEnv(v); set {
			return nil, nil, errRefsToGit
		}
	}
	common, err := cached.CommonDir(gitDir)
	if err != nil || common != gitDir {
		// A linked worktree keeps refs of its own beside the shared ones.
		return nil, nil, errRefsToGit
	}
	// --all takes every worktree's HEAD; the reftable backend keeps no
	// loose refs; grafts and a shallow file change commits' parents.
	for _, name := range []string{"worktrees", "reftable", "info/grafts", "shallow", "refs/replace"} {
		if _, err := os.Lstat(filepath.Join(gitDir, name)); !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, errRefsToGit
		}
	}
	direct := map[string][20]byte{}
	symbolic := map[string]string{}
	if err := readPackedRefs(filepath.Join(gitDir, "packed-refs"), direct); err != nil {
		return nil, nil, err
	}
	if err := readLooseRefs(gitDir, "refs", direct, symbolic); err != nil {
		return nil, nil, err
	}
	for name := range direct {
		if strings.HasPrefix(name, "refs/replace/") {
			return nil, nil, errRefsToGit
		}
	}
	resolve := func(name string) (id [20]byte, found bool, err error) {
		for range 5 {
			if id, ok := direct[name]; ok {
				return id, true, nil
			}
			target, ok := symbolic[name]
			if !ok {
				return id, false, nil
			}
			name = target
		}
		return id, false, errRefsToGit
	}
	refs := make([]refEntry, 0, len(direct)+len(symbolic))
	for name, id := range direct {
		refs = append(refs, refEntry{name, id})
	}
	for name := range symbolic {
		id, found, err := resolve(name)
		if err != nil || !found {
			// git skips a dangling symbolic ref with a warning.
			return nil, nil, errRefsToGit
		}
		refs = append(refs, refEntry{name, id})
	}
	slices.SortFunc(refs, func(a, b refEntry) int { return strings.Compare(a.name, b.name) })
	b, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return nil, nil, errRefsToGit
	}
	id, target, err := parseLooseRef(b)
	if err != nil {
		return nil, nil, err
	}
	if target == "" {
		return refs, &id, nil
	}
	if !validRefName(target) {
		return nil, nil, errRefsToGit
	}
	id, found, err := resolve(target)
	switch {
	case err != nil:
		return nil, nil, err
	case !found:
		return refs, nil, nil // an unborn branch
	}
	return refs, &id, nil
}

// readPackedRefs adds packed-refs' refs to direct. Peeled lines ("^id",
// the object an annotated tag names) are left out: the walk peels tags
// itself. A line it does not expect leaves the refs to git.
func readPackedRefs(path string, direct map[string][20]byte) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return errRefsToGit
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	first := true
	for sc.Scan() {
		l := sc.Bytes()
		switch {
		case first && bytes.HasPrefix(l, []byte("# pack-refs with:")):
		case len(l) == 41 && l[0] == '^':
			if !isHex(l[1:]) {
				return errRefsToGit
			}
		case len(l) > 41 && l[40] == ' ' && isHex(l[:40]):
			name := string(l[41:])
			if !validRefName(name) {
				return errRefsToGit
			}
			var id [20]byte
			hex.Decode(id[:], l[:40])
			direct[name] = id
		default:
			return errRefsToGit
		}
		first = false
	}
	if sc.Err() != nil {
		return errRefsToGit
	}
	return nil
}

// readLooseRefs adds the loose refs under gitDir/dir to direct and
// symbolic.
func readLooseRefs(gitDir, dir string, direct map[string][20]byte, symbolic map[string]string) error {
	entries, err := os.ReadDir(filepath.Join(gitDir, dir))
	if errors.Is(err, fs.ErrNotExist) && dir == "refs" {
		return nil
	}
	if err != nil {
		return errRefsToGit
	}
	for _, e := range entries {
		name := dir + "/" + e.Name()
		switch {
		case e.Type().IsDir():
			if !validRefComponent(e.Name()) {
				return errRefsToGit
			}
			if err := readLooseRefs(gitDir, name, direct, symbolic); err != nil {
				return err
			}
		case e.Type().IsRegular() && validRefName(name):
			b, err := os.ReadFile(filepath.Join(gitDir, filepath.FromSlash(name)))
			if err != nil {
				return errRefsToGit
			}
			id, target, err := parseLooseRef(b)
			if err != nil {
				return err
			}
			if target != "" {
				if !validRefName(target) {
					return errRefsToGit
				}
				symbolic[name] = target
				delete(direct, name)
			} else {
				direct[name] = id
			}
		default:
			// A lock file, a symbolic link, a name git would refuse.
			return errRefsToGit
		}
	}
	return nil
}

// parseLooseRef reads a loose ref file: an object name, or "ref: " and the
// name of the ref it stands for.
func parseLooseRef(b []byte) (id [20]byte, target string, err error) {
	l, ok := bytes.CutSuffix(b, []byte("\n"))
	if !ok {
		return id, "", errRefsToGit
	}
	if t, ok := bytes.CutPrefix(l, []byte("ref: ")); ok {
		return id, string(t), nil
	}
	if len(l) != 40 || !isHex(l) {
		return id, "", errRefsToGit
	}
	hex.Decode(id[:], l)
	return id, "", nil
}

// validRefName reports whether name is a ref name of the plainest kind:
// refs/ and components of letters, digits and ._-+ that neither start
// with a dot nor end with .lock. git accepts more; those are left to it.
func validRefName(name string) bool {
	rest, ok := strings.CutPrefix(name, "refs/")
	if !ok || rest == "" {
		return false
	}
	for _, c := range strings.Split(rest, "/") {
		if !validRefComponent(c) {
			return false
		}
	}
	return true
}

func validRefComponent(c string) bool {
	if c == "" || c[0] == '.' || strings.HasSuffix(c, ".lock") || strings.Contains(c, "..") {
		return false
	}
	for i := 0; i < len(c); i++ {
		b := c[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '.' || b == '_' || b == '-' || b == '+') {
			return false
		}
	}
	return true
}

// isHex reports whether b is lower-case hexadecimal, as git writes names.
func isHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
