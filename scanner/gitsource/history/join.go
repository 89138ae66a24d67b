package history

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/hex"
	"io"
	"maps"
	"os/exec"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
	"github.com/rampart-sec/rampart/scanner/gitsource/pack"
)

// Moved implements scanner.Mover. The later finding's file was moved from
// the earlier one's path (renamed, then edited) when, in the commit that
// introduced the later blob, the earlier path is gone and the later path is
// being changed rather than created: the secret was already there, carried
// by the rename. A copy keeps the earlier path; a secret leaked again in a
// new file creates its path; both stay separate findings.
//
// Resolve has already asked git about every pair Dedup can ask about, in
// one `git cat-file --batch-check`; a pair it did not foresee costs two git
// commands.
func (h *History) Moved(earlier, later *scanner.Finding) bool {
	if later.Commit == nil || earlier.Path == "" || later.Path == "" {
		return false
	}
	has := func(obj string) bool {
		if ok, known := h.exists[obj]; known {
			return ok
		}
		_, err := h.Repo.Git(context.Background(), "cat-file", "-e", obj)
		return err == nil
	}
	return !has(later.Commit.Hash+":"+earlier.Path) && has(later.Commit.Hash+"^:"+later.Path)
}

// askMoved finds which objects Moved will look for among fs (in report
// order, as Dedup meets them: a later finding of a secret already reported
// at another path) and asks git about all of them at once. A secret found
// in many files of many commits made this hundreds of git commands.
func (h *History) askMoved(fs []scanner.Finding) {
	type key struct{ fp, path string }
	first := map[key]bool{}
	byFP := map[string][]string{} // fingerprint → paths of its first findings
	var ask []string
	asked := map[string]bool{}
	add := func(obj string) {
		if !asked[obj] && !strings.ContainsAny(obj, "\n\r") {
			asked[obj] = true
			ask = append(ask, obj)
		}
	}
	for i := range fs {
		f := &fs[i]
		// As Dedup: a secret met again at a path it was reported at is a
		// duplicate, asked about nothing.
		k := key{f.Fingerprint, f.Path}
		if first[k] {
			continue
		}
		first[k] = true
		if f.Kind == scanner.KindBlob && f.Commit != nil && f.Path != "" {
			for _, p := range byFP[f.Fingerprint] {
				if p != "" {
					add(f.Commit.Hash + ":" + p)
					add(f.Commit.Hash + "^:" + f.Path)
				}
			}
		}
		byFP[f.Fingerprint] = append(byFP[f.Fingerprint], f.Path)
	}
	kept := h.kept
	h.kept = nil
	// Unmapping the packs (0.3 ms on Kingfisher, more for a large pack)
	// is left to the idle core: the report is written meanwhile, on the
	// scan's serial tail.
	defer func() { go kept.close() }()
	if len(ask) == 0 {
		h.asker.close()
		h.asker = nil
		return
	}
	if answers, ok := kept.answer(h, ask); ok {
		h.asker.close()
		h.asker = nil
		h.exists = answers
		return
	}
	var in bytes.Buffer
	for _, obj := range ask {
		in.WriteString(obj)
		in.WriteByte('\n')
	}
	out, err := h.asker.ask(h.Repo, &in)
	h.asker = nil
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(ask) {
		return
	}
	h.exists = make(map[string]bool, len(ask))
	for i, obj := range ask {
		// "<name> missing" (or "ambiguous") for what is not there; the
		// type otherwise.
		h.exists[obj] = !strings.HasSuffix(lines[i], " missing") && !strings.HasSuffix(lines[i], " ambiguous")
	}
}

// Resolve implements scanner.Resolver: it places each blob finding at the
// commit and path that first introduced its blob (known only once the walk
// has ended), drops findings in blobs no selected ref reaches (dangling
// objects) or at allow-listed paths, and orders everything oldest commit
// first, so deduplication keeps each secret's first appearance.
func (h *History) Resolve(fs []scanner.Finding) []scanner.Finding {
	// Sized for every path of every blob finding up front: a history's
	// findings are tens of thousands of 232-byte structs, and growing the
	// slice past len(fs) by a handful copied all of them into fresh
	// memory (page faults, write barriers) on the scan's serial tail.
	size := 0
	for i := range fs {
		size++
		if fs[i].Kind == scanner.KindBlob {
			ref, _ := h.placement(fs[i].BlobID)
			size += len(ref.also)
		}
	}
	out := make([]scanner.Finding, 0, size)
	for _, f := range fs {
		if f.Kind == scanner.KindBlob {
			ref, ok := h.placement(f.BlobID)
			if !ok {
				// Read before the walk ended, in a blob no ref reaches;
				// ChunksParallel's note counts such blobs, read or not.
				continue
			}
			f.Commit = ref.commit
			for i := range ref.paths() {
				if p := ref.pathAt(i); !h.Opts.Allow.AllowsPath(p) {
					g := f
					g.Path = p
					if i > 0 {
						// Deduplication adds to a finding's attributes
						// (also_in, a companion value): each path's own.
						g.Attributes = maps.Clone(f.Attributes)
					}
					out = append(out, g)
				}
			}
			continue
		}
		out = append(out, f)
	}
	// The sort compares positions computed once per finding (it decoded
	// the commit's name for every comparison: a secret-dense history has
	// tens of thousands of findings before deduplication), and moves
	// indices rather than findings.
	type keyed struct{ pos, i int }
	ks := make([]keyed, len(out))
	commitPos := map[*scanner.Commit]int{}
	for i := range out {
		ks[i].i = i
		c := out[i].Commit
		if c == nil {
			continue
		}
		p, ok := commitPos[c]
		if !ok {
			p = h.commitPos(c)
			commitPos[c] = p
		}
		ks[i].pos = p
	}
	slices.SortStableFunc(ks, func(x, y keyed) int {
		if x.pos != y.pos {
			return cmp.Compare(y.pos, x.pos) // larger walk position = older commit
		}
		a, b := &out[x.i], &out[y.i]
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return cmp.Compare(a.Line, b.Line)
		}
		return cmp.Compare(a.Column, b.Column)
	})
	// out[j] takes what was at ks[j].i: the permutation is applied in
	// place, one cycle at a time (a sorted copy was as large again).
	for start := range ks {
		if ks[start].i < 0 {
			continue
		}
		tmp := out[start]
		j := start
		for {
			k := ks[j].i
			ks[j].i = -1
			if k == start {
				out[j] = tmp
				break
			}
			out[j] = out[k]
			j = k
		}
	}
	h.askMoved(out)
	return out
}

// keptStore is the packs a scan read in process, kept open after it for
// Resolve's questions: answered here they cost microseconds, where git
// cat-file, started as the walk ends, competed with the readers for the
// CPU and still held the scan's serial tail up by 3–5 ms (Kingfisher).
type keptStore struct {
	packs   []*pack.Pack
	objects string
}

// answer tells for each question ("<commit>:<path>" or "<commit>^:<path>",
// the commit by its full name) whether it names an object, as git
// cat-file would; ok is false, and git is asked instead, when one cannot
// be answered from the packs (an object they lack, a name not in the walk).
func (k *keptStore) answer(h *History, ask []string) (map[string]bool, bool) {
	if k == nil {
		return nil, false
	}
	st := newStore(k.packs, k.objects, 4<<20)
	defer st.close()
	out := make(map[string]bool, len(ask))
	for _, q := range ask {
		rev, path, ok := strings.Cut(q, ":")
		parent := strings.HasSuffix(rev, "^")
		rev = strings.TrimSuffix(rev, "^")
		var id [20]byte
		if !ok || !plainPath(path) || len(rev) != 40 {
			return nil, false
		}
		if _, err := hex.Decode(id[:], []byte(rev)); err != nil {
			return nil, false
		}
		c, ok := readCommit(st, id)
		if ok && parent {
			if len(c.parents) == 0 {
				out[q] = false // a root commit: git says "missing"
				continue
			}
			c, ok = readCommit(st, c.parents[0])
		}
		if !ok {
			return nil, false
		}
		_, found, err := st.lookup(c.tree, path)
		if err != nil {
			return nil, false
		}
		out[q] = found
	}
	return out, true
}

// readCommit reads and parses commit id (ok false: not a commit the
// store can read).
func readCommit(st *store, id [20]byte) (rawCommit, bool) {
	o, err := st.getOnce(id)
	if err != nil {
		return rawCommit{}, false
	}
	c, err := parseCommit(o.Data())
	typ := o.typ
	st.done(o)
	return c, err == nil && typ == pack.Commit
}

// plainPath reports whether path names an entry under a tree as it is
// written: slash-separated names, none empty, "." or "..". git reads the
// others its own way ("dir/" is the tree, "./x" is relative to where it
// runs); they are asked of git.
func plainPath(path string) bool {
	for _, name := range strings.Split(path, "/") {
		if name == "" || name == "." || name == ".." {
			return false
		}
	}
	return true
}

// close closes the kept packs (nil: none).
func (k *keptStore) close() {
	if k != nil {
		closePacks(k.packs)
	}
}

// asker is a `git cat-file --batch-check` started while blobs are still being
// read, for askMoved's questions: starting git costs a few milliseconds that
// otherwise fell between the last detection and the report, on the wall
// clock of every history scan with a secret met at two paths. A scan that
// asks nothing closes its input, and git exits having read no object.
type asker struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
}

// startAsker starts the asker; nil if git could not be started (askMoved
// then starts git itself).
func (h *History) startAsker() *asker {
	cmd := h.Repo.Command(context.Background(), "cat-file", "--batch-check=%(objecttype)")
	stdin, stdout, err := gitsource.StartPiped(cmd)
	if err != nil {
		return nil
	}
	return &asker{cmd: cmd, stdin: stdin, stdout: stdout}
}

// ask writes the questions in while reading git's answers (git answers
// each line as it reads it: writing everything first could fill both
// pipes), and returns the answers. A nil asker runs a git of its own.
func (a *asker) ask(repo interface {
	Input(context.Context, io.Reader, ...string) ([]byte, error)
}, in io.Reader) ([]byte, error) {
	if a == nil {
		return repo.Input(context.Background(), in, "cat-file", "--batch-check=%(objecttype)")
	}
	werr := make(chan error, 1)
	go func() {
		_, err := io.Copy(a.stdin, in)
		if cerr := a.stdin.Close(); err == nil {
			err = cerr
		}
		werr <- err
	}()
	out, rerr := io.ReadAll(bufio.NewReader(a.stdout))
	err := <-werr
	if waitErr := a.cmd.Wait(); rerr == nil && err == nil {
		err = waitErr
	}
	if rerr != nil {
		return nil, rerr
	}
	return out, err
}

// close ends an asker that will be asked nothing: git sees the end of its
// input and exits; it is reaped in the background.
func (a *asker) close() {
	if a == nil {
		return
	}
	a.stdin.Close()
	go func() {
		io.Copy(io.Discard, a.stdout)
		a.cmd.Wait()
	}()
}

var _ scanner.DropResolver = (*History)(nil)

// ResolveDrops implements scanner.DropResolver: a candidate dropped in a blob
// is placed where Resolve places the blob's findings (its first commit, at
// each of the paths that commit gives it, allow-listed paths left out) and
// one dropped in a blob no selected ref reaches is left out, as its findings
// are. Drops are returned oldest commit first, then by path and line, each
// once: a blob detected at several views (a test path and a source path)
// drops the same candidate at each.
func (h *History) ResolveDrops(ds []scanner.Drop) []scanner.Drop {
	out := make([]scanner.Drop, 0, len(ds))
	for _, d := range ds {
		if d.Kind != scanner.KindBlob {
			out = append(out, d)
			continue
		}
		ref, ok := h.placement(d.BlobID)
		if !ok {
			continue
		}
		d.Commit = ref.commit
		for i := range ref.paths() {
			if p := ref.pathAt(i); !h.Opts.Allow.AllowsPath(p) {
				d.Path = p
				out = append(out, d)
			}
		}
	}
	type keyed struct {
		pos int
		d   scanner.Drop
	}
	ks := make([]keyed, len(out))
	for i, d := range out {
		ks[i] = keyed{h.commitPos(d.Commit), d}
	}
	slices.SortStableFunc(ks, func(x, y keyed) int {
		if x.pos != y.pos {
			return cmp.Compare(y.pos, x.pos) // larger walk position = older commit
		}
		a, b := &x.d, &y.d
		return cmp.Or(strings.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line),
			strings.Compare(a.RuleID, b.RuleID), strings.Compare(a.Secret, b.Secret), strings.Compare(a.Reason, b.Reason))
	})
	out = out[:0]
	for i, k := range ks {
		if i > 0 && sameDrop(&ks[i-1].d, &k.d) {
			continue
		}
		out = append(out, k.d)
	}
	return out
}

// sameDrop reports whether a and b explain the same candidate at the same
// place in the same way.
func sameDrop(a, b *scanner.Drop) bool {
	return a.RuleID == b.RuleID && a.Kind == b.Kind && a.Path == b.Path && commitHash(a.Commit) == commitHash(b.Commit) &&
		a.Line == b.Line && a.Secret == b.Secret && a.Reason == b.Reason
}

func commitHash(c *scanner.Commit) string {
	if c == nil {
		return ""
	}
	return c.Hash
}

// placement returns where the walk placed the blob named blobID (its first
// commit and that commit's paths for it); false for a blob no selected ref
// reaches.
func (h *History) placement(blobID string) (blobRef, bool) {
	var id [20]byte
	if _, err := hex.Decode(id[:], []byte(blobID)); err != nil {
		return blobRef{}, false
	}
	ref, ok := h.placed[id]
	return ref, ok && !ref.tentative()
}

// paths is how many paths ref has: its path, then also.
func (ref *blobRef) paths() int { return 1 + len(ref.also) }

// pathAt returns ref's path i (0: the first), without building the list.
func (ref *blobRef) pathAt(i int) string {
	if i == 0 {
		return ref.path
	}
	return ref.also[i-1]
}

// commitPos returns c's walk position (larger is older), -1 for no commit.
func (h *History) commitPos(c *scanner.Commit) int {
	if c == nil {
		return -1
	}
	var id [20]byte
	if _, err := hex.Decode(id[:], []byte(c.Hash)); err != nil {
		return -1
	}
	return int(h.commits[id].pos)
}
