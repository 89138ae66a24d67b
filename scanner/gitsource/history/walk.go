package history

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/bits"
	"os"
	"slices"
	"strings"

	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
	"github.com/rampart-sec/rampart/scanner/gitsource/pack"
)

// The commit walk places every reachable blob at the oldest commit that
// holds it, and at the paths that commit gives it.
//
// `git rev-list --topo-order` lists the selected commits (every child before
// its parents); the walk takes them oldest first and reads each commit and
// its trees itself, through the object store (commit.go parses commits as
// git log prints them). For each commit it compares the root tree with its
// first parent's, entry by entry, and descends only into subtrees that
// differ and that no earlier commit had (a tree met before was walked
// then). A blob not placed before is placed here. Because parents come
// first, an entry equal to the parent's holds an object the walk already
// met, and the oldest commit holding a blob is exactly the oldest commit
// that introduces it, which is where `git diff-tree` would place it.
//
// On git/git (203,352 commits, 382,313 trees) this replaced two `git
// diff-tree --stdin` processes that took 15 s of CPU and several hundred MB
// of memory between them. Where the selected history has a boundary
// (--since, or a range), a commit's parent is not walked first and that
// argument no longer holds: those scans use the diff-tree walk (gitwalk.go).

// commitInfo is what the walk keeps of each commit: its root tree and its
// position in the walk (larger is older, as in gitwalk.go).
type commitInfo struct {
	tree [20]byte
	pos  int32
}

// walk runs the commit walk that suits the selected history, sending
// commit messages to msgs.
func (h *History) walk(ctx context.Context, st *store, msgs chan<- scanner.Chunk) error {
	all := len(h.Revs) == 0 && h.Since == ""
	if all && st != nil {
		// Every ref, read in process (refs.go), unless git must read them.
		if ids, named, err := h.allInProcess(st); err == nil {
			if err := h.treeWalk(ctx, st, msgs, ids); err != nil {
				return err
			}
			h.placeTagged(named)
			return nil
		}
	}
	// With every ref scanned, the refs that name blobs are asked of git
	// beside the walk (peeling every annotated tag is tens of
	// milliseconds and hundreds of page faults: gitleaks' 200 tags), and
	// placed once it ends.
	var refs func() ([]byte, error)
	if all {
		done := make(chan struct{})
		var out []byte
		var err error
		go func() {
			defer close(done)
			out, err = h.Repo.Git(ctx, "for-each-ref", "--format=%(objecttype) %(objectname) %(*objecttype) %(*objectname) %(refname)")
		}()
		refs = func() ([]byte, error) { <-done; return out, err }
	}
	var err error
	if st == nil || h.Since != "" || !plainRevs(h.Revs) {
		err = h.gitWalk(ctx, msgs)
	} else {
		err = h.treeWalk(ctx, st, msgs, nil)
	}
	if err != nil || refs == nil {
		return err
	}
	out, err := refs()
	if err != nil {
		return fmt.Errorf("git for-each-ref: %w", err)
	}
	h.placeTagged(parseNamedBlobs(out))
	return nil
}

// allInProcess reads every ref and lists their commits in process (refs.go,
// order.go): the commits in rev-list's order, and the refs that name
// blobs. errRefsToGit (or a store's error) says git must.
func (h *History) allInProcess(st *store) ([][20]byte, []namedBlob, error) {
	refs, head, err := readRefs(h.Repo.GitDir, os.LookupEnv)
	if err != nil {
		return nil, nil, err
	}
	tips := make([][20]byte, 0, len(refs)+1)
	var named []namedBlob
	for _, r := range refs {
		tips = append(tips, r.id)
		id, ok, err := blobNamedBy(st, r.id)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			named = append(named, namedBlob{id: id, ref: r.name})
		}
	}
	if head != nil {
		tips = append(tips, *head)
	}
	ids, err := revListOrder(st, tips)
	if err != nil {
		return nil, nil, err
	}
	return ids, named, nil
}

// blobNamedBy returns the blob that object id is, or that the tag id names
// (one level, as for-each-ref's %(*objecttype) peels).
func blobNamedBy(st *store, id [20]byte) ([20]byte, bool, error) {
	o, err := st.getOnce(id)
	if err != nil {
		return id, false, errRefsToGit
	}
	typ := o.typ
	var target [20]byte
	var targetType string
	ok := true
	if typ == pack.Tag {
		target, targetType, ok = tagTarget(o.Data())
	}
	st.done(o)
	switch {
	case typ == pack.Blob:
		return id, true, nil
	case typ != pack.Tag:
		return id, false, nil
	case !ok:
		return id, false, errRefsToGit
	case targetType != "blob":
		// git's tag and mktag refuse a type that is not the object's.
		return id, false, nil
	}
	t, err := st.getOnce(target)
	if err != nil {
		return id, false, errRefsToGit
	}
	isBlob := t.typ == pack.Blob
	st.done(t)
	if !isBlob {
		return id, false, errRefsToGit
	}
	return target, true, nil
}

// namedBlob is a blob a ref names directly, or through one tag.
type namedBlob struct {
	id  [20]byte
	ref string
}

// parseNamedBlobs reads for-each-ref's "%(objecttype) %(objectname)
// %(*objecttype) %(*objectname) %(refname)" lines for the refs that name
// blobs: "blob <id>   <ref>" (lightweight) or "tag <id> blob <id> <ref>".
func parseNamedBlobs(out []byte) []namedBlob {
	var named []namedBlob
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.SplitN(l, " ", 5)
		if len(f) != 5 {
			continue
		}
		name := f[1]
		switch {
		case f[0] == "blob":
		case f[0] == "tag" && f[2] == "blob":
			name = f[3]
		default:
			continue
		}
		var id [20]byte
		if _, err := hex.Decode(id[:], []byte(name)); err != nil || len(name) != 40 {
			continue
		}
		named = append(named, namedBlob{id: id, ref: f[4]})
	}
	return named
}

// placeTagged places, when every ref is scanned, the blobs that a ref
// names directly rather than through a commit (`git tag keyblob $(git
// hash-object -w key.pem)`, lightweight or annotated; git/git's
// junio-gpg-pub): no commit holds them, yet every clone that fetches the
// tags has them. Each is placed at the ref's name with no commit
// (blobRef.named), unless a commit holds it; every ref naming it is one of
// its paths. It runs as the commit walk's last step, so that the readers
// know the blob is wanted before the walk is said to have ended. (A tag of
// a tag of a blob is not followed: git's for-each-ref peels one level.)
func (h *History) placeTagged(named []namedBlob) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range named {
		switch prev, ok := h.placed[n.id]; {
		case !ok || prev.tentative():
			h.placed[n.id] = blobRef{path: n.ref, named: true}
		case prev.named && n.ref != prev.path && !contains(prev.also, n.ref):
			prev.also = append(prev.also, n.ref)
			h.placed[n.id] = prev
		}
	}
}

// plainRevs reports whether revs name tips whose whole history is selected
// (no ranges, exclusions or options), so that every parent is walked.
func plainRevs(revs []string) bool {
	for _, r := range revs {
		if r == "" || strings.HasPrefix(r, "-") || strings.ContainsAny(r, "^.:@~") {
			return false
		}
	}
	return true
}

// errWalkTree asks for the diff-tree walk: an object the store cannot read.
var errWalkTree = errors.New("object not readable in process")

// treeWalk is the in-process commit walk. If a commit or tree cannot be read
// in process (a partial clone without it, a damaged pack), the walk starts
// over with git's.
func (h *History) treeWalk(ctx context.Context, st *store, msgs chan<- scanner.Chunk, ids [][20]byte) error {
	revs := h.Revs
	if len(revs) == 0 {
		revs = []string{"--all"}
	}
	// rev-list sorts all commits before it prints the first, and holds
	// little while it does (without --format it keeps no commit
	// contents): take its list and let it exit. (ids is the list when
	// the walk has it already: every ref's, read in process.)
	var err error
	if ids == nil {
		err = h.Repo.Stream(ctx, func(r io.Reader) error {
			return gitsource.EachLine(r, func(l []byte) error {
				var id [20]byte
				if _, err := hex.Decode(id[:], l); err != nil || len(l) != 40 {
					return fmt.Errorf("git rev-list: unexpected line %q", l)
				}
				ids = append(ids, id)
				return nil
			})
		}, append(append([]string{"rev-list", "--topo-order"}, revs...), "--")...)
	}
	if err != nil {
		st.close()
		return err
	}
	// Commits are read, shown and their messages sent by a goroutine of
	// their own, ahead of the tree walk, which is the longer part.
	wctx, stop := context.WithCancel(ctx)
	cr := &commitReader{h: h, st: newStore(st.packs, st.objects, 0), ctx: wctx, msgs: msgs, strs: map[string]string{}}
	commits := make(chan walkCommit, 256)
	go cr.run(ids, commits)
	w := &treeWalker{h: h, st: st, ctx: wctx, seen: map[[20]byte]int32{}, paths: map[string]string{}}
	for wc := range commits {
		if err == nil {
			if err = wc.err; err == nil {
				if err = w.commit(&wc); err == nil {
					// Every blob placed at this commit is placed for good.
					h.mu.Lock()
					h.walkedTo = w.pos
					h.mu.Unlock()
				}
			}
			if err != nil {
				stop()
			}
		}
	}
	stop()
	st.close()
	if errors.Is(err, errWalkTree) && ctx.Err() == nil {
		h.mu.Lock()
		// The reads recorded stay (blobRef): git's walk places them anew.
		maps.DeleteFunc(h.placed, func(_ [20]byte, ref blobRef) bool { return !ref.tentative() })
		clear(h.symlinks)
		clear(h.commits)
		h.walkedTo = 0
		h.walkStats = scanner.Stats{}
		h.mu.Unlock()
		if cr.sent {
			// Messages already sent would be sent twice.
			msgs = nil
		}
		return h.gitWalk(ctx, msgs)
	}
	return err
}

// walkCommit is a commit read for the tree walk, or the error that ended
// reading.
type walkCommit struct {
	id      [20]byte
	tree    [20]byte
	parents [][20]byte
	c       *scanner.Commit
	err     error
}

// commitReader reads the walk's commits in order, oldest first.
type commitReader struct {
	h    *History
	st   *store
	ctx  context.Context
	msgs chan<- scanner.Chunk
	strs map[string]string // interned author names and emails
	sent bool              // a message was sent
}

// run reads ids from the last to the first, sending each commit's message
// to msgs and the commit to out, which it closes at the end.
func (cr *commitReader) run(ids [][20]byte, out chan<- walkCommit) {
	defer close(out)
	defer cr.st.close()
	send := func(wc walkCommit) bool {
		select {
		case out <- wc:
			return true
		case <-cr.ctx.Done():
			return false
		}
	}
	for k := len(ids) - 1; k >= 0; k-- {
		wc, msg, err := cr.read(ids[k])
		if err != nil {
			send(walkCommit{err: err})
			return
		}
		if !cr.h.SkipMessages && cr.msgs != nil && len(bytes.TrimSpace(msg)) > 0 {
			select {
			case cr.msgs <- scanner.Chunk{Data: msg, Kind: scanner.KindCommitMessage, Path: gitsource.CommitMessageLabel, Commit: wc.c}:
				cr.sent = true
			case <-cr.ctx.Done():
				return
			}
		}
		if !send(wc) {
			return
		}
	}
}

// read reads and parses commit id.
func (cr *commitReader) read(id [20]byte) (walkCommit, []byte, error) {
	if err := cr.ctx.Err(); err != nil {
		return walkCommit{}, nil, err
	}
	o, err := cr.st.getOnce(id)
	if err != nil {
		return walkCommit{}, nil, fmt.Errorf("%w: commit %x: %v", errWalkTree, id, err)
	}
	pc, err := parseCommit(o.Data())
	if err == nil && o.typ != pack.Commit {
		err = errors.New("not a commit")
	}
	if err != nil {
		cr.st.done(o)
		return walkCommit{}, nil, fmt.Errorf("%w: commit %x: %v", errWalkTree, id, err)
	}
	c, msg, err := cr.meta(id, &pc)
	wc := walkCommit{id: id, tree: pc.tree, parents: slices.Clone(pc.parents), c: c}
	cr.st.done(o)
	return wc, msg, err
}

// treeWalker is the state of one in-process walk.
type treeWalker struct {
	h   *History
	st  *store
	ctx context.Context
	// seen maps each tree walked to the position of the commit that first
	// held it.
	seen  map[[20]byte]int32
	paths map[string]string // interned paths
	path  []byte
	pos   int32 // walk positions count down from -1: larger is older
	cur   *scanner.Commit
	// submodules counts the submodule entries (gitlinks) new in this commit.
	submodules int
}

// commit walks one commit's trees.
func (w *treeWalker) commit(wc *walkCommit) error {
	h := w.h
	if err := w.ctx.Err(); err != nil {
		return err
	}
	w.pos--
	w.cur = wc.c
	tree, parents := wc.tree, wc.parents
	var parentTree [20]byte
	h.mu.Lock()
	h.commits[wc.id] = commitInfo{tree: tree, pos: w.pos}
	h.walkStats.Commits++
	if len(parents) > 0 {
		if pi, ok := h.commits[parents[0]]; ok {
			parentTree = pi.tree
		}
	}
	h.mu.Unlock()
	w.path = w.path[:0]
	if _, ok := w.seen[tree]; ok {
		return nil
	}
	w.submodules = 0
	if err := w.tree(tree, parentTree, parents); err != nil {
		return err
	}
	if w.submodules > 0 {
		h.mu.Lock()
		for i := 0; i < w.submodules; i++ {
			h.walkStats.Skip("submodule")
		}
		h.walkStats.Note("submodules are not scanned: scan each one in its own repository")
		h.mu.Unlock()
	}
	return nil
}

// tree walks tree t, met for the first time at w.path in the current
// commit, against the tree the first parent had there (zero: none).
// parents are the commit's parents, for merges (see gitlink).
func (w *treeWalker) tree(t, parent [20]byte, parents [][20]byte) error {
	w.seen[t] = w.pos
	cur, err := w.st.get(t)
	if err != nil {
		return fmt.Errorf("%w: tree %x: %v", errWalkTree, t, err)
	}
	defer w.st.done(cur)
	if cur.typ != pack.Tree {
		return fmt.Errorf("%w: %x is not a tree", errWalkTree, t)
	}
	var prev []byte
	if parent != ([20]byte{}) {
		po, err := w.st.get(parent)
		if err != nil {
			return fmt.Errorf("%w: tree %x: %v", errWalkTree, parent, err)
		}
		defer w.st.done(po)
		if po.typ == pack.Tree {
			prev = po.Data()
		}
	}
	a := cur.Data()
	i, j := 0, 0
	for i < len(a) {
		// Runs of entries equal to the parent's are skipped a word at a
		// time: a commit changes a few entries of each tree it touches.
		if j < len(prev) {
			n := commonPrefix(a[i:], prev[j:])
			for n > 0 {
				end, ok := entryEnd(a, i)
				if !ok {
					return fmt.Errorf("%w: tree %x is malformed", errWalkTree, t)
				}
				if end-i > n {
					break
				}
				n -= end - i
				j += end - i
				i = end
			}
			if i == len(a) {
				break
			}
		}
		e, next, ok := parseEntry(a, i)
		if !ok {
			return fmt.Errorf("%w: tree %x is malformed", errWalkTree, t)
		}
		i = next
		var pe entry
		havePE := false
		for j < len(prev) {
			p, pnext, ok := parseEntry(prev, j)
			if !ok {
				j = len(prev)
				break
			}
			c := compareEntries(p, e)
			if c > 0 {
				break
			}
			j = pnext
			if c == 0 {
				pe, havePE = p, true
				break
			}
		}
		if havePE && pe.mode == e.mode && pe.id == e.id {
			continue // the parent's: met when the parent was walked
		}
		if err := w.entry(e, pe, havePE, parents); err != nil {
			return err
		}
	}
	return nil
}

// entry handles one entry of a tree that differs from the parent's entry
// of the same name (pe, when havePE).
func (w *treeWalker) entry(e, pe entry, havePE bool, parents [][20]byte) error {
	switch e.kind() {
	case kindTree:
		if at, ok := w.seen[e.id]; ok && at != w.pos {
			return nil // walked at an older commit
		} else if ok {
			// Met twice in this commit (a copied directory): the blobs
			// in it are at more than one path here, as diff-tree lists.
			return w.again(e)
		}
		var parent [20]byte
		if havePE && pe.kind() == kindTree {
			parent = pe.id
		}
		n := len(w.path)
		w.path = append(append(w.path, e.name...), '/')
		err := w.tree(e.id, parent, parents)
		w.path = w.path[:n]
		return err
	case kindBlob:
		w.place(e.id, e.name)
	case kindSymlink:
		w.h.mu.Lock()
		w.h.symlinks[e.id] = struct{}{}
		w.h.mu.Unlock()
	case kindSubmodule:
		if len(parents) < 2 || !w.inOtherParents(e, parents[1:]) {
			w.submodules++
		}
	}
	return nil
}

// again walks a tree met earlier in the same commit, adding the paths it
// gives the commit's new blobs.
func (w *treeWalker) again(e entry) error {
	o, err := w.st.get(e.id)
	if err != nil {
		return fmt.Errorf("%w: tree %x: %v", errWalkTree, e.id, err)
	}
	defer w.st.done(o)
	n := len(w.path)
	w.path = append(append(w.path, e.name...), '/')
	defer func() { w.path = w.path[:n] }()
	a := o.Data()
	for i := 0; i < len(a); {
		x, next, ok := parseEntry(a, i)
		if !ok {
			return fmt.Errorf("%w: tree %x is malformed", errWalkTree, e.id)
		}
		i = next
		switch x.kind() {
		case kindTree:
			if err := w.again(x); err != nil {
				return err
			}
		case kindBlob:
			w.place(x.id, x.name)
		}
	}
	return nil
}

// place records blob id at w.path+name in the current commit, if no older
// commit holds it; another path in this commit is added to its paths.
func (w *treeWalker) place(id [20]byte, name []byte) {
	h := w.h
	h.mu.Lock()
	defer h.mu.Unlock()
	prev, ok := h.placed[id]
	switch {
	case !ok || prev.tentative():
		h.placed[id] = blobRef{path: w.intern(name), commit: w.cur, pos: int(w.pos)}
	case prev.commit == w.cur:
		p := w.intern(name)
		if p != prev.path && !contains(prev.also, p) {
			prev.also = append(prev.also, p)
			h.placed[id] = prev
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// intern returns w.path+name as a string shared by every version of the
// file.
func (w *treeWalker) intern(name []byte) string {
	n := len(w.path)
	w.path = append(w.path, name...)
	p, ok := w.paths[string(w.path)]
	if !ok {
		p = string(w.path)
		w.paths[p] = p
	}
	w.path = w.path[:n]
	return p
}

// inOtherParents reports whether a merge's other parents have entry e (a
// submodule) at the same path: a combined diff lists only what differs
// from every parent.
func (w *treeWalker) inOtherParents(e entry, others [][20]byte) bool {
	for _, c := range others {
		w.h.mu.Lock()
		pi, ok := w.h.commits[c]
		w.h.mu.Unlock()
		if !ok {
			continue
		}
		if x, ok := w.lookup(pi.tree, string(w.path)+string(e.name)); ok && x.mode == e.mode && x.id == e.id {
			return true
		}
	}
	return false
}

// lookup finds the entry at path (slash-separated) under tree t.
func (w *treeWalker) lookup(t [20]byte, path string) (entry, bool) {
	e, ok, err := w.st.lookup(t, path)
	return e, ok && err == nil
}

// entry is one tree entry; name points into the tree's bytes.
type entry struct {
	mode uint32
	name []byte
	id   [20]byte
}

const (
	kindBlob = iota
	kindTree
	kindSubmodule
	kindSymlink
)

func (e entry) kind() int {
	switch e.mode & 0o170000 {
	case 0o040000:
		return kindTree
	case 0o160000:
		return kindSubmodule
	case 0o120000:
		return kindSymlink
	}
	return kindBlob
}

// parseEntry reads the tree entry at a[i:] ("<octal mode> <name>\x00<20-byte
// id>") and returns it and where the next one starts.
func parseEntry(a []byte, i int) (entry, int, bool) {
	var e entry
	k := i
	for ; k < len(a) && a[k] != ' '; k++ {
		c := a[k]
		if c < '0' || c > '7' || k-i >= 7 {
			return e, 0, false
		}
		e.mode = e.mode<<3 | uint32(c-'0')
	}
	if k == i || k >= len(a) {
		return e, 0, false
	}
	k++
	nul := bytes.IndexByte(a[k:], 0)
	if nul <= 0 || k+nul+21 > len(a) {
		return e, 0, false
	}
	e.name = a[k : k+nul]
	copy(e.id[:], a[k+nul+1:k+nul+21])
	return e, k + nul + 21, true
}

// entryEnd returns where the tree entry at a[i:] ends. The walk skips most
// entries of every tree this way, so the name's NUL is looked for eight
// bytes at a time.
func entryEnd(a []byte, i int) (int, bool) {
	k := i
	for k < len(a) && a[k] != ' ' {
		k++
	}
	k++
	for k+8 <= len(a) {
		v := binary.LittleEndian.Uint64(a[k:])
		// The lowest set bit of t marks the first zero byte of v.
		if t := (v - 0x0101010101010101) &^ v & 0x8080808080808080; t != 0 {
			k += bits.TrailingZeros64(t) >> 3
			if k+21 > len(a) {
				return 0, false
			}
			return k + 21, true
		}
		k += 8
	}
	for k < len(a) && a[k] != 0 {
		k++
	}
	if k+21 > len(a) {
		return 0, false
	}
	return k + 21, true
}

// compareEntries orders entries as git sorts a tree: by name, a tree's
// name compared as if it ended in '/'.
func compareEntries(a, b entry) int {
	n := min(len(a.name), len(b.name))
	if c := bytes.Compare(a.name[:n], b.name[:n]); c != 0 {
		return c
	}
	return cmp.Compare(nameEnd(a, n), nameEnd(b, n))
}

func nameEnd(e entry, n int) byte {
	if n < len(e.name) {
		return e.name[n]
	}
	if e.kind() == kindTree {
		return '/'
	}
	return 0
}

// commonPrefix returns how many leading bytes a and b share.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+64 <= n && bytes.Equal(a[i:i+64], b[i:i+64]) {
		i += 64
	}
	for i+8 <= n && bytes.Equal(a[i:i+8], b[i:i+8]) {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}
