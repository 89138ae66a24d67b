// Package history scans a repository's full history by unique blob: every
// blob reachable from the selected refs is read once, however many commits
// hold it, and each finding is attributed to the commit and path that first
// introduced its blob.
//
// The pipeline reads in one direction, one file per stage:
//
//	walk.go      the commit walk places each reachable blob at its oldest commit and path
//	read.go      the git reader yields blob contents through `git cat-file`
//	readpack.go  the in-process reader yields them from the pack files
//	join.go      findings are joined to the walk's placement (Resolve, Moved)
//
// history.go runs the stages together (History.Chunks). It builds on
// package gitsource (the repository, how git is run) and package pack (the
// pack file format); neither knows about it.
package history

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
	"github.com/rampart-sec/rampart/scanner/gitsource/pack"
)

// History yields every blob reachable from the selected refs exactly once,
// plus every commit message, and attributes each finding to the commit and
// path that first introduced its blob: a secret that survives many versions
// of a file is attributed to its first commit, and a blob that only ever
// lived on a deleted side branch is still read if any ref reaches it.
//
// Two things run at once. The commit walk (walk: `git rev-list
// --topo-order` numbers the commits, one `git diff-tree --stdin` per core
// lists what each introduces) places every reachable blob at the oldest
// commit and path that introduce it: the commit rev-list lists last of
// those holding it (a blob added on two branches goes to whichever of the
// two commits rev-list lists last, the same every run), at every path where
// that commit introduces it. The blob contents are read in pack
// order, where delta bases are at hand: from the pack files in process
// (readpack.go), deriving a delta's keyword hits from its base's, and
// through one `git cat-file --batch` for whatever that reader leaves (loose
// objects, deltas on another pack's objects, UseGit). When every ref is
// scanned, placement is joined to the findings at the end (Resolve); when
// history is restricted (--branch, --since) or paths must be known before
// reading (NeedPaths), blobs are read after the walk, and only the placed
// ones.
//
// Either way a blob is detected without its path (scanner.Chunk.PathLater:
// the findings record the kinds of path that give them, and each path
// Resolve gives a blob keeps what a scan of the file at that path finds),
// and its attribution is decided by the walk alone: findings never depend
// on which of the walk and the reader met a blob first, on how the walk or
// the reading is split, or on the order in which goroutines finish.
type History struct {
	Repo *gitsource.Repo
	// Revs selects history (default: --all, i.e. every branch, tag,
	// remote-tracking ref and the stash).
	Revs []string
	// Since, when set, limits history to commits more recent than this date
	// (anything `git log --since` accepts).
	Since string
	Opts  gitsource.Options
	// SkipMessages leaves commit messages out.
	SkipMessages bool
	// NeedPaths makes blobs be read only once the walk has placed them, so
	// that excluded paths are never read (--exclude), and rules restricted
	// to paths are judged however many patterns they have (past
	// scanner.PathsLater's bound).
	NeedPaths bool
	// UseGit reads every blob through `git cat-file`, even when the
	// repository's packs could be read in process (benchmarks and tests
	// compare the two).
	UseGit bool

	planned atomic.Int64
	auto    *patterns.Automaton

	mu      sync.Mutex
	placed  map[[20]byte]blobRef    // reachable blob → oldest commit and path
	commits map[[20]byte]commitInfo // walked commit → its tree and walk position
	listed  map[[20]byte]struct{}   // every blob git lists (those not read from packs in process)
	// symlinks are the blobs walked commits hold as symbolic links (their
	// targets): never scanned, and not unreachable either.
	symlinks map[[20]byte]struct{}
	// walkEnded is set once the walk has placed every blob; before, the
	// in-process walk has placed for good every blob at walkedTo or older
	// (positions, as commitInfo's; 0: none yet).
	walkEnded bool
	walkedTo  int32

	// exists answers Moved's questions ("<commit>:<path>" is an object),
	// asked at once by Resolve: of the packs read in process (kept), or
	// of git (asker, started once the walk has ended; join.go).
	exists map[string]bool
	asker  *asker
	kept   *keptStore

	// walkStats is written by the commit walk, stats by the blob reader;
	// they run concurrently and are merged once both are done.
	walkStats scanner.Stats
	stats     scanner.Stats
	// unreadBlobs and unreadBytes are what the scan counted for blobs no
	// ref reaches, read before the walk ended: AddStats takes them back.
	unreadBlobs int
	unreadBytes int64

	// walkers and walkBlock, when set, replace the walk's defaults (one
	// diff-tree per core, fed defaultWalkBlock commits in turn): tests split
	// even short histories one commit at a time between two processes.
	walkers, walkBlock int

	// pre is what Start began, for ChunksParallel to carry on from.
	pre *prelude

	// order, when set, decides which of the concurrent walk and reader goes
	// first, where a scan of every ref lets them race: tests require the
	// same findings either way.
	order readOrder
}

// readOrder is History.order.
type readOrder int

const (
	orderRace      readOrder = iota // the walk and the reader run at once
	orderWalkFirst                  // blobs are read once the walk has placed them all
	orderReadFirst                  // the walk starts once every blob has been read
)

var (
	_ scanner.StatsSource    = (*History)(nil)
	_ scanner.ParallelSource = (*History)(nil)
	_ scanner.Resolver       = (*History)(nil)
	_ scanner.Mover          = (*History)(nil)
)

// AddStats implements scanner.StatsSource.
func (h *History) AddStats(st *scanner.Stats) {
	if h.Repo.Shallow {
		h.stats.Partial("shallow clone: history beyond the shallow boundary was not scanned (git fetch --unshallow)")
	}
	scanner.MergeStats(st, &h.walkStats)
	scanner.MergeStats(st, &h.stats)
	// Blobs no ref reaches that were scanned before the walk ended are
	// not the history's (claim).
	st.Blobs -= h.unreadBlobs
	st.Bytes -= h.unreadBytes
}

// Planned returns how many blobs the scan will read, once known. Progress
// displays use it as the total.
func (h *History) Planned() int64 { return h.planned.Load() }

// packedBlob is a blob in the object store, in pack order.
type packedBlob struct {
	id   [20]byte
	size int64
}

// Chunks implements scanner.Source. Blobs are read by several goroutines
// (ChunksParallel); yield is called by one at a time.
func (h *History) Chunks(ctx context.Context, yield func(scanner.Chunk) error) error {
	var mu sync.Mutex
	return h.ChunksParallel(ctx, runtime.GOMAXPROCS(0), func(c scanner.Chunk) error {
		mu.Lock()
		defer mu.Unlock()
		return yield(c)
	})
}

// ChunksParallel implements scanner.ParallelSource: up to workers
// goroutines read blobs, and the commit walk yields commit messages, each
// calling yield, which must be safe for concurrent use.
func (h *History) ChunksParallel(ctx context.Context, workers int, yield func(scanner.Chunk) error) (err error) {
	p := h.pre
	h.pre = nil
	if p == nil {
		p = h.begin(ctx)
	}
	<-p.ready
	ctx, cancel := p.ctx, p.cancel
	defer cancel()
	if p.err != nil {
		return p.err
	}
	p.yield <- yield
	packs := p.packs
	// After finish (the walk reads them). A scan that ends well keeps
	// them for Resolve's questions (askMoved), which closes them.
	defer func() {
		if err == nil && p.inProcess {
			h.kept = &keptStore{packs: packs, objects: h.objectsDir()}
			return
		}
		closePacks(packs)
	}()
	// finish waits for the walk and returns the first failure: err (the
	// readers'), a yield's, or the walk's own.
	finish := func(err error) error {
		if err != nil {
			cancel()
		}
		if !p.started {
			p.started = true
			h.startWalk(p)
		}
		<-p.walkDone
		switch {
		case p.msgErr != nil:
			err = p.msgErr
		case err == nil:
			err = p.walkErr
		}
		if err != nil {
			// No Resolve follows a failed scan to ask git anything.
			h.asker.close()
			h.asker = nil
		}
		return err
	}
	if p.listErr != nil {
		return finish(p.listErr)
	}
	concurrent := len(h.Revs) == 0 && h.Since == "" && !h.NeedPaths
	forests, blobs := p.forests, h.dropTooLarge(p.blobs)
	// The forests are read once: held by p, they would stay live until the
	// walk ends, often well after the last blob is read.
	p.forests, p.blobs = nil, nil
	var keep func([20]byte) bool
	if concurrent && h.order == orderWalkFirst {
		if err := finish(nil); err != nil {
			return err
		}
	}
	if !concurrent {
		// Only placed blobs are read, once the walk has placed them all.
		if err := finish(nil); err != nil {
			return err
		}
		keep = func(id [20]byte) bool {
			ref, ok := h.placed[id]
			if !ok || ref.tentative() {
				return false
			}
			if !h.Opts.Allow.AllowsPath(ref.path) {
				return true
			}
			for _, p := range ref.also {
				if !h.Opts.Allow.AllowsPath(p) {
					return true
				}
			}
			return false
		}
		kept := blobs[:0]
		for _, b := range blobs {
			if keep(b.id) {
				kept = append(kept, b)
			}
		}
		blobs = kept
	}
	trees, planned, unreached := schedule(forests, keep)
	blobs = append(blobs, unreached...)
	h.planned.Store(int64(planned + len(blobs)))
	// The distinct blobs in the object store: the packs' wanted ones and
	// those git listed (listed keeps too large ones too).
	stored := planned + len(unreached) + len(h.listed)
	if len(trees) > 0 {
		more, err := h.readForests(ctx, trees, workers, yield)
		if err != nil {
			return finish(err)
		}
		blobs = append(blobs, more...)
	}
	if err := h.readBlobs(ctx, blobs, yield); err != nil {
		return finish(err)
	}
	if err := finish(nil); err != nil {
		return err
	}
	if h.walkStats.Commits == 0 {
		h.walkStats.Note("no commits: the repository is empty or the refs select nothing")
	}
	// A blob the walk placed that the object store cannot list is missing
	// or corrupt: say so rather than pass over it in silence. (Counted one
	// index search at a time: a sorted list of every placed blob not listed
	// by git, merged with each pack's names, cost 5 MB and a sort at the
	// moment memory peaks.) A blob read before the walk, which no commit
	// then placed, gives back what was counted for it.
	missing, reached := 0, 0
	for id, ref := range h.placed {
		if ref.tentative() {
			if ref.path == "" {
				h.unreadBlobs++
				h.unreadBytes += int64(ref.pos)
			} else if h.stats.Skipped[ref.path]--; h.stats.Skipped[ref.path] == 0 {
				delete(h.stats.Skipped, ref.path)
			}
			continue
		}
		reached++
		if _, ok := h.listed[id]; !ok && !inPacks(packs, id) {
			missing++
		}
	}
	// Every blob in the object store is listed once, by a pack's index or
	// by git; those no walked commit holds were left out, read or not
	// (once the walk has ended, they are not read): unreachable objects,
	// content staged and not committed. A blob a tag names directly
	// (git/git's junio-gpg-pub) is placed at the tag (placeTagged) when
	// every ref is scanned. Symbolic links' targets are held, and never
	// scanned.
	for id := range h.symlinks {
		if ref, ok := h.placed[id]; ok && !ref.tentative() {
			continue // also a file's content, counted above
		}
		if _, ok := h.listed[id]; ok || inPacks(packs, id) {
			reached++
		}
	}
	if unreached := stored - (reached - missing); concurrent && unreached > 0 {
		h.stats.Note(fmt.Sprintf("%d blob(s) in the object store that no scanned commit holds were left out (unreachable objects, content staged but not committed): scan --staged covers staged content, git gc --prune=now removes unreachable objects", unreached))
	}
	if missing > 0 {
		for i := 0; i < missing; i++ {
			h.stats.Skip("missing-object")
		}
		if h.partialClone(ctx) {
			// git/git's mirror here: 25 blobs (build outputs, archives)
			// that its filtered fetch left out; git cannot read them either.
			h.stats.Partial(fmt.Sprintf("%d blob(s) reachable from the refs are not in this partial clone and were not scanned: the --filter it was cloned or fetched with left them out (a promisor pack); a clone without --filter scans them", missing))
		} else {
			h.stats.Partial(fmt.Sprintf("%d blob(s) reachable from the refs could not be read: the repository is corrupt or incomplete (run git fsck)", missing))
		}
	}
	return nil
}

// Start begins what a scan does before it reads a blob: opening the
// packs, the commit walk, planning the reading. ChunksParallel, called
// next with the same History, carries on from there; the commit messages
// the walk finds meanwhile wait for it. A scan calls Start while it still
// builds its detector (about 10 ms on which the second core was idle).
// What Start begins reads Repo, Revs, Since, UseGit and SkipMessages,
// which must not change after it; Opts and NeedPaths are read only once
// ChunksParallel is called, and may be set until then. A History started
// and then not scanned is given up with Abandon.
func (h *History) Start(ctx context.Context) {
	if h.pre == nil {
		h.pre = h.begin(ctx)
	}
}

// Abandon stops what Start began when no scan follows (the command failed
// before it read anything): the walk is stopped, waited for, and the packs
// are closed. Without a Start, or after ChunksParallel, it does nothing.
func (h *History) Abandon() {
	p := h.pre
	if p == nil {
		return
	}
	h.pre = nil
	p.cancel()
	<-p.ready
	if p.started {
		<-p.walkDone
	}
	closePacks(p.packs)
}

// prelude is what ChunksParallel sets up before it reads a blob.
type prelude struct {
	ctx    context.Context
	cancel context.CancelFunc
	ready  chan struct{} // closed once the fields below are set
	err    error         // the scan cannot run (SHA-256)

	packs     []*pack.Pack
	loose     [][20]byte
	st        *store
	inProcess bool

	// The walk places blobs and sends commit messages, which are yielded
	// (with ChunksParallel's yield, sent on yield) as they come; walkDone
	// closes when both have ended.
	msgs     chan scanner.Chunk
	walkDone chan struct{}
	yield    chan func(scanner.Chunk) error
	started  bool
	walkErr  error
	msgErr   error
	forests  []*forest
	blobs    []packedBlob
	listErr  error
}

// begin sets up a scan in the background (see prelude).
func (h *History) begin(ctx context.Context) *prelude {
	p := &prelude{ready: make(chan struct{}), yield: make(chan func(scanner.Chunk) error, 1)}
	p.ctx, p.cancel = context.WithCancel(ctx)
	go func() {
		defer close(p.ready)
		h.prepare(p)
	}()
	return p
}

func (h *History) prepare(p *prelude) {
	ctx := p.ctx
	// Blob IDs are 20-byte SHA-1 names throughout; say so rather than scan
	// nothing. (git before 2.25 has no --show-object-format and no SHA-256.)
	// Open has usually asked already.
	format := h.Repo.ObjectFormat
	if format == "" {
		if out, err := h.Repo.Git(ctx, "rev-parse", "--show-object-format"); err == nil && !bytes.HasPrefix(out, []byte("-")) {
			format = strings.TrimSpace(string(out))
		}
	}
	if format != "" && format != "sha1" {
		p.err = fmt.Errorf("this repository names objects with %s: --history reads SHA-1 repositories only (--staged, --range and directory scans work)", format)
		return
	}
	h.placed = make(map[[20]byte]blobRef)
	h.commits = make(map[[20]byte]commitInfo)
	h.listed = make(map[[20]byte]struct{})
	h.symlinks = make(map[[20]byte]struct{})

	// The packs, and the object store the walk reads trees through, unless
	// git must read everything (UseGit, or a repository this reader does
	// not handle: then git reads the same objects, and the scan is the
	// same). They stay open until the walk has ended.
	p.inProcess = !h.UseGit
	if p.inProcess {
		packs, loose, objects, err := h.openPacks()
		if err != nil {
			closePacks(packs)
			p.inProcess = false
		} else {
			p.packs, p.loose = packs, loose
			p.st = newStore(packs, objects, treeCache)
		}
	}
	p.msgs = make(chan scanner.Chunk, 1024)
	p.walkDone = make(chan struct{})
	if h.order != orderReadFirst {
		p.started = true
		h.startWalk(p)
	}
	if p.inProcess {
		var err error
		if p.forests, p.blobs, err = h.planForests(ctx, p.packs, p.loose); err != nil {
			p.forests, p.blobs = nil, nil
			clear(h.listed)
			p.inProcess = false
		}
	}
	if !p.inProcess {
		p.blobs, p.listErr = h.listBlobs(ctx)
	}
}

// startWalk starts the commit walk, and the yielding of the commit
// messages it sends.
func (h *History) startWalk(p *prelude) {
	go func() {
		defer close(p.msgs)
		if p.walkErr = h.walk(p.ctx, p.st, p.msgs); p.walkErr == nil {
			h.mu.Lock()
			h.walkEnded = true
			h.mu.Unlock()
			// Resolve's questions come after the last blob is read.
			// Read in process, the packs answer them; else git is
			// started now, while blobs are read.
			if !p.inProcess {
				h.asker = h.startAsker()
			}
		}
	}()
	go func() {
		defer close(p.walkDone)
		var yield func(scanner.Chunk) error
		select {
		case yield = <-p.yield:
		case <-p.ctx.Done():
			// ChunksParallel never came: drain the walk.
			for range p.msgs {
			}
			return
		}
		for m := range p.msgs {
			if p.msgErr == nil {
				if p.msgErr = yield(m); p.msgErr != nil {
					p.cancel()
				}
			}
		}
	}()
}

// claim is what a reader asks about blob id before it scans it or counts
// it skipped: counted is the bytes the scan will count for it and reason
// empty for a blob it yields, reason the skip it counts ("binary",
// "too-large") otherwise. read is false for a blob no commit placed once
// the walk has ended: an object no ref reaches, neither scanned nor
// counted (ChunksParallel counts those at the end, the same number every
// run). Otherwise paths are every path the blob will be given, if the walk
// has placed it for good already (its commit walked), else nil; detection
// then runs at those paths only (scanner.Chunk.LaterPaths): the same
// findings at the same paths as detection for every kind of path, for less
// work.
//
// A blob read before any commit placed it is recorded as read (a
// tentative blobRef): should no commit ever place it, what was counted for
// it is taken back at the end, so that the counts are those of the
// reachable blobs whichever of the walk and the reader came first.
func (h *History) claim(id [20]byte, counted int, reason string) (paths []string, read bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ref, ok := h.placed[id]
	switch {
	case !ok && h.walkEnded:
		return nil, false
	case !ok:
		h.placed[id] = blobRef{path: reason, pos: counted}
		return nil, true
	case ref.tentative():
		return nil, true
	case !h.walkEnded && (h.walkedTo == 0 || ref.pos < int(h.walkedTo)):
		return nil, true
	}
	return append([]string{ref.path}, ref.also...), true
}

// unreached reports whether the walk has ended without placing blob id.
func (h *History) unreached(id [20]byte) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	ref, ok := h.placed[id]
	return h.walkEnded && (!ok || ref.tentative())
}

func closePacks(packs []*pack.Pack) {
	for _, p := range packs {
		p.Close()
	}
}

// treeCache bounds the trees the walk keeps built for the commits after
// (a tree is usually a delta on one read a moment before). The walk
// usually ends last, so what it holds is in the scan's peak memory: on
// git/git the peak was 306 MB with 32 MB here, 254 with 24, 228 with 16
// (the cache and the pooled buffers it recycles). The walk's CPU at 16 MB
// was perhaps 5% more (medians 11.1 s against 10.5, alternated on a loaded
// machine: inside the noise, but the walk is the scan's long pole), and
// below 8 MB clearly more (4 MB: +35%); 24 MB keeps most of the saving.
const treeCache = 24 << 20

// UseAutomaton implements scanner.HitSource.
func (h *History) UseAutomaton(a *patterns.Automaton) { h.auto = a }
