package gitsource

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
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
// commit and path that introduce it. The blob contents are read in pack
// order, where delta bases are at hand: from the pack files in process
// (history_pack.go), deriving a delta's keyword hits from its base's, and
// through one `git cat-file --batch` for whatever that reader leaves (loose
// objects, deltas on another pack's objects, UseGit). When every ref is
// scanned, placement is joined to the findings at the end (Resolve); when
// history is restricted (--branch, --since) or a rule needs the path
// before reading, blobs are read after the walk, and only the placed ones.
type History struct {
	Repo *Repo
	// Revs selects history (default: --all, i.e. every branch, tag,
	// remote-tracking ref and the stash).
	Revs []string
	// Since, when set, limits history to commits more recent than this date
	// (anything `git log --since` accepts).
	Since string
	Opts  Options
	// SkipMessages leaves commit messages out.
	SkipMessages bool
	// NeedPaths makes blobs be read only once the walk has placed them, so
	// detection sees each blob's path (rules restricted to paths need it)
	// and excluded paths are never read (--exclude).
	NeedPaths bool
	// UseGit reads every blob through `git cat-file`, even when the
	// repository's packs could be read in process (benchmarks and tests
	// compare the two).
	UseGit bool

	planned atomic.Int64
	auto    *patterns.Automaton

	mu     sync.Mutex
	placed map[[20]byte]blobRef  // reachable blob → oldest commit and path
	order  map[string]int        // commit hash → walk position (larger is older)
	listed map[[20]byte]struct{} // every blob git lists (those not read from packs in process)

	// walkStats is written by the commit walk, stats by the blob reader;
	// they run concurrently and are merged once both are done.
	walkStats scanner.Stats
	stats     scanner.Stats
}

var (
	_ scanner.StatsSource = (*History)(nil)
	_ scanner.Resolver    = (*History)(nil)
	_ scanner.Mover       = (*History)(nil)
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

// AddStats implements scanner.StatsSource.
func (h *History) AddStats(st *scanner.Stats) {
	if h.Repo.Shallow {
		h.stats.Partial("shallow clone: history beyond the shallow boundary was not scanned (git fetch --unshallow)")
	}
	scanner.MergeStats(st, &h.walkStats)
	scanner.MergeStats(st, &h.stats)
}

// Planned returns how many blobs the scan will read, once known. Progress
// displays use it as the total.
func (h *History) Planned() int64 { return h.planned.Load() }

// blobRef is where a blob was first seen: the commit and path, and any other
// paths the same commit gave the same content (each is its own finding).
type blobRef struct {
	path   string
	commit *scanner.Commit
	also   []string
	pos    int // the commit's walk position (larger is older)
}

// packedBlob is a blob in the object store, in pack order.
type packedBlob struct {
	id   [20]byte
	size int64
}

// Chunks implements scanner.Source.
func (h *History) Chunks(ctx context.Context, yield func(scanner.Chunk) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Blob IDs are 20-byte SHA-1 names throughout; say so rather than scan
	// nothing. (git before 2.25 has no --show-object-format and no SHA-256.)
	if out, err := h.Repo.Git(ctx, "rev-parse", "--show-object-format"); err == nil && strings.TrimSpace(string(out)) != "sha1" {
		return fmt.Errorf("this repository names objects with %s: --history reads SHA-1 repositories only (--staged, --range and directory scans work)", strings.TrimSpace(string(out)))
	}
	h.placed = make(map[[20]byte]blobRef)
	h.order = make(map[string]int)
	h.listed = make(map[[20]byte]struct{})
	concurrent := len(h.Revs) == 0 && h.Since == "" && !h.NeedPaths

	msgs := make(chan scanner.Chunk, 1024)
	// walkDone closes when the walk has ended; walkErr is its outcome.
	walkDone := make(chan struct{})
	var walkErr error
	go func() {
		defer close(walkDone)
		defer close(msgs)
		walkErr = h.walk(ctx, msgs)
	}()
	pending := msgs
	// drain yields the commit messages the walk has produced; with block
	// set it waits for the walk to end.
	drain := func(block bool) error {
		for pending != nil {
			var m scanner.Chunk
			var ok bool
			if block {
				m, ok = <-pending
			} else {
				select {
				case m, ok = <-pending:
				default:
					return nil
				}
			}
			if !ok {
				pending = nil
				return nil
			}
			if err := yield(m); err != nil {
				return err
			}
		}
		return nil
	}
	fail := func(err error) error {
		cancel()
		for range msgs {
		}
		<-walkDone
		return err
	}

	var packs []*pack.Pack
	var packed []packBlob
	var children [][]int32
	var blobs []packedBlob
	inProcess := !h.UseGit
	if inProcess {
		var loose [][20]byte
		var err error
		if packs, loose, err = h.openPacks(); err == nil {
			packed, children, blobs, err = h.planPacks(ctx, packs, loose)
		}
		if err != nil {
			// Git reads what this reader cannot; the scan is the same.
			closePacks(packs)
			packs, packed, blobs = nil, nil, nil
			clear(h.listed)
			inProcess = false
		}
	}
	defer closePacks(packs)
	if !inProcess {
		var err error
		if blobs, err = h.listBlobs(ctx); err != nil {
			return fail(err)
		}
	}
	if !concurrent {
		if err := drain(true); err != nil {
			return fail(err)
		}
		if <-walkDone; walkErr != nil {
			return walkErr
		}
		wanted := func(id [20]byte) bool {
			ref, ok := h.placed[id]
			return ok && !h.Opts.Allow.AllowsPath(ref.path)
		}
		kept := blobs[:0]
		for _, b := range blobs {
			if wanted(b.id) {
				kept = append(kept, b)
			}
		}
		blobs = kept
		keptP := packed[:0]
		for _, b := range packed {
			if wanted(packs[b.pack].Entries[b.entry].ID) {
				keptP = append(keptP, b)
			}
		}
		packed = keptP
	}
	h.planned.Store(int64(len(packed) + len(blobs)))
	between := func() error { return drain(false) }
	if len(packed) > 0 {
		more, err := h.readPacks(ctx, packs, packed, children, yield, between)
		if err != nil {
			return fail(err)
		}
		blobs = append(blobs, more...)
	}
	if err := h.readBlobs(ctx, blobs, yield, between); err != nil {
		return fail(err)
	}
	if err := drain(true); err != nil {
		return fail(err)
	}
	if <-walkDone; walkErr != nil {
		return walkErr
	}
	if h.walkStats.Commits == 0 {
		h.walkStats.Note("no commits: the repository is empty or the refs select nothing")
	}
	// A blob the walk placed that the object store cannot list is missing
	// or corrupt: say so rather than pass over it in silence.
	var absent [][20]byte
	for id := range h.placed {
		if _, ok := h.listed[id]; !ok {
			absent = append(absent, id)
		}
	}
	slices.SortFunc(absent, func(a, b [20]byte) int { return bytes.Compare(a[:], b[:]) })
	for _, p := range packs {
		absent = p.Absent(absent)
	}
	missing := len(absent)
	if missing > 0 {
		for i := 0; i < missing; i++ {
			h.stats.Skip("missing-object")
		}
		h.stats.Partial(fmt.Sprintf("%d blob(s) reachable from the refs could not be read: the repository is corrupt or incomplete (run git fsck)", missing))
	}
	return nil
}

// listBlobs lists every blob in the object store in pack order, with its
// size, dropping those over the size limit before they are read.
func (h *History) listBlobs(ctx context.Context) ([]packedBlob, error) {
	var blobs []packedBlob
	err := h.Repo.stream(ctx, func(r io.Reader) error {
		return eachLine(r, func(l []byte) error {
			if b, ok := h.listedBlob(l); ok {
				blobs = append(blobs, b)
			}
			return nil
		})
	}, "cat-file", "--batch-all-objects", "--unordered", "--batch-check=%(objectname) %(objecttype) %(objectsize)")
	return blobs, err
}

// listedBlob parses one `git cat-file --batch-check` line ("<id> <type>
// <size>") and returns it if it is a blob not listed before and within the
// size limit; a blob over the limit is counted as skipped.
func (h *History) listedBlob(l []byte) (packedBlob, bool) {
	var b packedBlob
	f := bytes.Fields(l)
	if len(f) != 3 || string(f[1]) != "blob" || len(f[0]) != 40 {
		return b, false
	}
	if _, err := hex.Decode(b.id[:], f[0]); err != nil {
		return b, false
	}
	if _, dup := h.listed[b.id]; dup {
		return b, false
	}
	h.listed[b.id] = struct{}{}
	size, err := strconv.ParseInt(string(f[2]), 10, 64)
	if err != nil {
		return b, false
	}
	if h.Opts.MaxFileSize > 0 && size > h.Opts.MaxFileSize {
		h.stats.Skip("too-large")
		return b, false
	}
	b.size = size
	return b, true
}

// walk runs the commit walk: `git rev-list --topo-order` numbers the
// selected commits newest first, and several `git diff-tree --stdin`
// processes, each fed its share of them in blocks, list the blobs each
// commit introduces and its message. A blob is placed at the largest
// position (the oldest commit) that introduces it, whichever process
// reports it first, so the result is the single walk's. Tree diffs are
// most of a history scan's git time, and one process would leave a core
// idle once the blobs have been read. A combined (-c) diff of a merge
// lists only blobs that differ from every parent; the others are met on
// the parents.
func (h *History) walk(ctx context.Context, msgs chan<- scanner.Chunk) error {
	revs := h.Revs
	if len(revs) == 0 {
		revs = []string{"--all"}
	}
	list := append([]string{"rev-list", "--topo-order"}, revs...)
	if h.Since != "" {
		list = append(list, "--since="+h.Since)
	}
	list = append(list, "--")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	n := min(max(runtime.GOMAXPROCS(0), 1), maxWalkers)
	feeds := make([]*bufio.Writer, n)
	closers := make([]io.Closer, n)
	errs := make(chan error, n+1)
	var wg sync.WaitGroup
	for k := 0; k < n; k++ {
		pr, pw, err := os.Pipe()
		if err != nil {
			for _, c := range closers[:k] {
				c.Close()
			}
			cancel()
			wg.Wait()
			return err
		}
		feeds[k], closers[k] = bufio.NewWriterSize(pw, 64<<10), pw
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := h.diffTrees(ctx, pr, msgs)
			if err != nil {
				cancel()
			}
			errs <- err
		}()
	}
	block := walkBlock
	pos := 0
	err := h.Repo.stream(ctx, func(r io.Reader) error {
		return eachLine(r, func(l []byte) error {
			if len(l) != 40 {
				return nil
			}
			pos++
			h.mu.Lock()
			h.order[string(l)] = pos
			h.walkStats.Commits++
			h.mu.Unlock()
			w := feeds[(pos-1)/block%n]
			w.Write(l)
			return w.WriteByte('\n')
		})
	}, list...)
	for k := range feeds {
		if ferr := feeds[k].Flush(); err == nil && ferr != nil && ctx.Err() == nil {
			err = ferr
		}
		closers[k].Close()
	}
	if err != nil {
		cancel()
	}
	wg.Wait()
	close(errs)
	// A diff-tree's own failure explains more than the broken pipe its
	// feeder then met; cancellations only echo another failure.
	for e := range errs {
		if e != nil && !errors.Is(e, context.Canceled) {
			return e
		}
	}
	return err
}

// maxWalkers bounds the diff-tree processes of one walk.
const maxWalkers = 4

// walkBlock is how many consecutive commits each diff-tree process is fed
// in turn: neighbouring commits share trees, which git's delta-base cache
// then finds warm. Tests lower it so that small histories are split too.
var walkBlock = 256

// diffTrees runs one `git diff-tree --stdin` over the commit IDs read from
// in, sending commit messages and placing the blobs each commit introduces.
func (h *History) diffTrees(ctx context.Context, in *os.File, msgs chan<- scanner.Chunk) error {
	args := []string{"diff-tree", "--stdin", "-r", "--raw", "-c", "--root", "--always", "--no-renames", "--no-abbrev", "--ignore-submodules=none", logFormat}
	paths := map[string]string{} // interned: most blobs share their path with other versions
	return h.Repo.streamIn(ctx, in, func(r io.Reader) error {
		r = &patientReader{r: r}
		var cur *scanner.Commit
		pos := 0
		return readLog(r, func(c *scanner.Commit, msg []byte) error {
			cur = c
			h.mu.Lock()
			pos = h.order[c.Hash]
			h.mu.Unlock()
			if h.SkipMessages || len(bytes.TrimSpace(msg)) == 0 {
				return nil
			}
			select {
			case msgs <- scanner.Chunk{Data: append([]byte(nil), msg...), Kind: scanner.KindCommitMessage, Path: CommitMessageLabel, Commit: c}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}, func(l []byte) error {
			id, raw, kind, ok := parseRawBytes(l)
			if !ok {
				return nil
			}
			switch kind {
			case rawSubmodule:
				h.mu.Lock()
				h.walkStats.Skip("submodule")
				h.walkStats.Note("submodules are not scanned: scan each one in its own repository")
				h.mu.Unlock()
				return nil
			case rawSymlink:
				return nil
			}
			path, ok := paths[string(raw)]
			if !ok {
				path = unquotePath(raw)
				paths[string(raw)] = path
			}
			h.mu.Lock()
			switch prev, ok := h.placed[id]; {
			case !ok || pos > prev.pos:
				h.placed[id] = blobRef{path: path, commit: cur, pos: pos}
			case prev.commit == cur:
				prev.also = append(prev.also, path)
				h.placed[id] = prev
			}
			h.mu.Unlock()
			return nil
		}, func() error { return nil })
	}, args...)
}

// readBlobs streams blobs through one long-lived `git cat-file --batch`: a
// writer goroutine feeds object IDs while this goroutine reads contents and
// yields them, calling between before each blob so the walk's commit
// messages are yielded as they come.
func (h *History) readBlobs(ctx context.Context, blobs []packedBlob, yield func(scanner.Chunk) error, between func() error) error {
	if len(blobs) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := gitCmd(ctx, h.Repo.Dir, "cat-file", "--batch", "--buffer")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	growPipe(stdout)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start git cat-file: %w", err)
	}
	werr := make(chan error, 1)
	go func() {
		bw := bufio.NewWriterSize(stdin, 64<<10)
		var line [41]byte
		line[40] = '\n'
		var err error
		for _, b := range blobs {
			hex.Encode(line[:40], b.id[:])
			if _, err = bw.Write(line[:]); err != nil {
				break
			}
		}
		if err == nil {
			err = bw.Flush()
		}
		stdin.Close()
		werr <- err
	}()
	rerr := h.readBatch(ctx, stdout, blobs, yield, between)
	if rerr != nil {
		cancel()
	}
	io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()
	<-werr
	switch {
	case rerr != nil:
		return rerr
	case waitErr != nil && ctx.Err() == nil:
		return gitError([]string{"cat-file"}, waitErr, stderr.String())
	}
	return nil
}

func (h *History) readBatch(ctx context.Context, r io.Reader, blobs []packedBlob, yield func(scanner.Chunk) error, between func() error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	for i := range blobs {
		b := &blobs[i]
		if err := between(); err != nil {
			return err
		}
		header, err := br.ReadSlice('\n')
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("git cat-file: reading blob %x: %w", b.id, err)
		}
		f := bytes.Fields(header)
		if len(f) == 2 && bytes.Equal(f[1], []byte("missing")) {
			h.stats.Skip("missing-object")
			h.stats.Partial(fmt.Sprintf("blob %x is missing from the object store: the repository is incomplete or corrupt (git fsck)", b.id))
			continue
		}
		if len(f) != 3 {
			return fmt.Errorf("git cat-file: unexpected header %q", bytes.TrimSpace(header))
		}
		size, err := strconv.ParseInt(string(f[2]), 10, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("git cat-file: bad size in %q", bytes.TrimSpace(header))
		}
		h.mu.Lock()
		ref, placed := h.placed[b.id]
		h.mu.Unlock()
		skip := ""
		if placed && h.Opts.Allow.AllowsPath(ref.path) {
			skip = "allowlisted-path"
		} else if peek, _ := br.Peek(int(min(size, sniffLen))); scanner.IsBinary(peek) {
			// Sniffed before copying: a binary blob is never allocated.
			skip = "binary"
		}
		if skip != "" {
			if _, err := br.Discard(int(size) + 1); err != nil {
				return fmt.Errorf("git cat-file: %w", err)
			}
			h.stats.Skip(skip)
			continue
		}
		buf := getBuf(int(size) + 1)
		data := *buf
		if _, err := io.ReadFull(br, data); err != nil {
			return fmt.Errorf("git cat-file: reading blob %x: %w", b.id, err)
		}
		c := scanner.Chunk{Data: data[:size], Kind: scanner.KindBlob, Path: ref.path, Commit: ref.commit, BlobID: hex.EncodeToString(b.id[:])}
		c.Release = func() { putBuf(buf) }
		if err := yield(c); err != nil {
			return err
		}
	}
	return nil
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
		return h.order[f.Commit.Hash]
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

func closePacks(packs []*pack.Pack) {
	for _, p := range packs {
		p.Close()
	}
}

// blobPools recycle blob buffers by power-of-two size class, so reading a
// long history does not allocate (and garbage-collect) every blob anew.
var blobPools [32]sync.Pool

// getBuf returns a buffer of length n from the pool of its size class.
func getBuf(n int) *[]byte {
	class := bits.Len(uint(n - 1))
	if class >= len(blobPools) {
		b := make([]byte, n)
		return &b
	}
	if p, ok := blobPools[class].Get().(*[]byte); ok {
		*p = (*p)[:n]
		return p
	}
	b := make([]byte, n, 1<<class)
	return &b
}

func putBuf(b *[]byte) {
	class := bits.Len(uint(cap(*b) - 1))
	if class < len(blobPools) && cap(*b) == 1<<class {
		blobPools[class].Put(b)
	}
}

// sniffLen matches scanner.IsBinary's window.
const sniffLen = 8000

type rawKind int

const (
	rawBlob rawKind = iota
	rawSubmodule
	rawSymlink
)

// parseRaw reads one `--raw` line (":100644 100644 <old> <new> M\tpath", or
// the combined form with one more mode and ID per parent) and returns the
// new blob. Deletions and non-raw lines give ok=false.
func parseRaw(l []byte) (id [20]byte, path string, kind rawKind, ok bool) {
	id, raw, kind, ok := parseRawBytes(l)
	if !ok {
		return id, "", 0, false
	}
	return id, unquotePath(raw), kind, true
}

// parseRawBytes is parseRaw without allocating: the path is returned as
// git wrote it (C-quoted when it holds unusual bytes). The walk parses a
// line per changed file of every commit, so fields are found by their
// fixed widths rather than split.
func parseRawBytes(l []byte) (id [20]byte, path []byte, kind rawKind, ok bool) {
	n := 0
	for n < len(l) && l[n] == ':' {
		n++
	}
	if n == 0 {
		return id, nil, 0, false
	}
	tab := bytes.IndexByte(l, '\t')
	if tab < 0 {
		return id, nil, 0, false
	}
	// n colons = n parents: n+1 six-digit modes, n+1 40-hex IDs, then the
	// status, each followed by a space (the status by the tab).
	modes := n
	ids := modes + 7*(n+1)
	status := ids + 41*(n+1)
	if status >= tab || l[status-1] != ' ' || l[ids-1] != ' ' {
		return id, nil, 0, false
	}
	mode := l[modes+7*n : modes+7*n+6]
	newID := l[ids+41*n : ids+41*n+40]
	if _, err := hex.Decode(id[:], newID); err != nil || id == [20]byte{} {
		return id, nil, 0, false
	}
	switch string(mode) {
	case "160000":
		kind = rawSubmodule
	case "120000":
		kind = rawSymlink
	case "000000":
		return id, nil, 0, false
	}
	return id, l[tab+1:], kind, true
}

// patientReader reads a slow producer's pipe (the commit walk writes about
// 10 MB/s) in large pieces: after a short read it waits a moment for more,
// instead of waking for every few kilobytes. Each wake-up costs scheduler
// and system time on the core that git itself needs.
type patientReader struct {
	r io.Reader
}

func (p *patientReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err == nil && n < len(b)/4 && n < 64<<10 {
		time.Sleep(2 * time.Millisecond)
	}
	return n, err
}
