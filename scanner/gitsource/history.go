package gitsource

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/rampart-sec/rampart/scanner"
)

// History yields every blob reachable from the selected refs exactly once,
// attributed to the commit and path that first introduced it, plus every
// commit message. Commits are walked oldest first, so a secret that survives
// many versions of a file is attributed to its first commit, and a blob that
// only ever lived on a deleted side branch is still read if any ref reaches it.
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

	planned atomic.Int64
	// walkStats is written by the commit walk, stats by the blob reader;
	// they run concurrently and are merged once both are done.
	walkStats scanner.Stats
	stats     scanner.Stats
}

// AddStats implements scanner.StatsSource.
func (h *History) AddStats(st *scanner.Stats) {
	if h.Repo.Shallow {
		h.stats.Note("shallow clone: history beyond the shallow boundary was not scanned (git fetch --unshallow)")
	}
	scanner.MergeStats(st, &h.walkStats)
	scanner.MergeStats(st, &h.stats)
}

// Planned returns how many blobs the scan has found to read so far; it is
// final once the commit walk is done. Progress displays use it as the total.
func (h *History) Planned() int64 { return h.planned.Load() }

var _ scanner.StatsSource = (*History)(nil)

// blobRef is where a blob was first seen.
type blobRef struct {
	id     [20]byte
	path   string
	commit *scanner.Commit
}

// historyItem is one step of the history pipeline, in commit order: a
// commit message to yield, or a blob whose contents cat-file will produce.
type historyItem struct {
	msg  *scanner.Chunk
	blob blobRef
}

// Chunks implements scanner.Source. Three stages overlap: the commit walk
// (`git log --raw`) discovers blobs oldest commit first; a writer feeds
// their IDs to one long-lived `git cat-file --batch`; this goroutine reads
// the contents back in the same order and yields them. Memory holds one
// blob at a time plus bounded queues, whatever the length of history.
func (h *History) Chunks(ctx context.Context, yield func(scanner.Chunk) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	cat := gitCmd(ctx, h.Repo.Dir, "cat-file", "--batch")
	var catErr bytes.Buffer
	cat.Stderr = &catErr
	stdin, err := cat.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cat.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cat.Start(); err != nil {
		return fmt.Errorf("start git cat-file: %w", err)
	}

	items := make(chan historyItem, 4096)
	pending := make(chan historyItem, 1<<15)
	walkErr := make(chan error, 1)
	go func() {
		defer close(items)
		walkErr <- h.walk(ctx, items)
	}()
	feedErr := make(chan error, 1)
	go func() {
		defer close(pending)
		feedErr <- feed(ctx, stdin, items, pending)
	}()

	rerr := h.readBatch(ctx, stdout, pending, yield)
	if rerr != nil {
		cancel()
	}
	for range pending {
	}
	io.Copy(io.Discard, stdout)
	werr, ferr := <-walkErr, <-feedErr
	catWait := cat.Wait()
	switch {
	case rerr != nil:
		return rerr
	case werr != nil:
		return werr
	case ferr != nil && ctx.Err() == nil:
		return fmt.Errorf("git cat-file: %w", ferr)
	case catWait != nil && ctx.Err() == nil:
		return gitError([]string{"cat-file"}, catWait, catErr.String())
	}
	if h.walkStats.Commits == 0 {
		h.walkStats.Note("no commits: the repository is empty or the refs select nothing")
	}
	return ctx.Err()
}

// walk runs the commit walk and sends messages and first-seen blobs, oldest
// commit first. A combined (-c) diff of a merge lists only blobs that differ
// from every parent; the others were already met on the parent's side.
func (h *History) walk(ctx context.Context, items chan<- historyItem) error {
	revs := h.Revs
	if len(revs) == 0 {
		revs = []string{"--all"}
	}
	args := append([]string{"log", "--reverse", "--topo-order", "--raw", "--no-renames", "--no-abbrev", "-c", "--root", logFormat, "--ignore-submodules=none"}, revs...)
	if h.Since != "" {
		args = append(args, "--since="+h.Since)
	}
	args = append(args, "--")
	send := func(it historyItem) error {
		select {
		case items <- it:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	seen := make(map[[20]byte]struct{})
	return h.Repo.stream(ctx, func(r io.Reader) error {
		var cur *scanner.Commit
		return readLog(r, func(c *scanner.Commit, msg []byte) error {
			cur = c
			h.walkStats.Commits++
			if h.SkipMessages || len(bytes.TrimSpace(msg)) == 0 {
				return nil
			}
			return send(historyItem{msg: &scanner.Chunk{Data: append([]byte(nil), msg...), Kind: scanner.KindCommitMessage, Path: CommitMessageLabel, Commit: c}})
		}, func(l []byte) error {
			id, path, kind, ok := parseRaw(l)
			if !ok {
				return nil
			}
			switch kind {
			case rawSubmodule:
				h.walkStats.Skip("submodule")
				h.walkStats.Note("submodules are not scanned: scan each one in its own repository")
				return nil
			case rawSymlink:
				return nil
			}
			if _, dup := seen[id]; dup {
				return nil
			}
			seen[id] = struct{}{}
			if h.Opts.Allow.AllowsPath(path) {
				h.walkStats.Skip("allowlisted-path")
				return nil
			}
			h.planned.Add(1)
			return send(historyItem{blob: blobRef{id: id, path: path, commit: cur}})
		}, func() error { return nil })
	}, args...)
}

// feed writes blob IDs to cat-file and forwards every item, in order, to
// the reader. It flushes before it could block, so the reader never waits
// for an ID still sitting in the buffer.
func feed(ctx context.Context, w io.WriteCloser, items <-chan historyItem, pending chan<- historyItem) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var line [41]byte
	line[40] = '\n'
	var werr error
	for {
		var it historyItem
		var ok bool
		select {
		case it, ok = <-items:
		default:
			if werr == nil {
				werr = bw.Flush()
			}
			select {
			case it, ok = <-items:
			case <-ctx.Done():
				w.Close()
				return ctx.Err()
			}
		}
		if !ok {
			break
		}
		if it.msg == nil && werr == nil {
			hex.Encode(line[:40], it.blob.id[:])
			_, werr = bw.Write(line[:])
		}
		select {
		case pending <- it:
		default:
			if werr == nil {
				werr = bw.Flush()
			}
			select {
			case pending <- it:
			case <-ctx.Done():
				w.Close()
				return ctx.Err()
			}
		}
	}
	if werr == nil {
		werr = bw.Flush()
	}
	if cerr := w.Close(); werr == nil {
		werr = cerr
	}
	return werr
}

func (h *History) readBatch(ctx context.Context, r io.Reader, pending <-chan historyItem, yield func(scanner.Chunk) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	for it := range pending {
		if it.msg != nil {
			if err := yield(*it.msg); err != nil {
				return err
			}
			continue
		}
		b := &it.blob
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
			h.stats.Note(fmt.Sprintf("blob %x (%s) is missing from the object store: the repository is incomplete or corrupt (git fsck)", b.id, b.path))
			continue
		}
		if len(f) != 3 {
			return fmt.Errorf("git cat-file: unexpected header %q", bytes.TrimSpace(header))
		}
		size, err := strconv.ParseInt(string(f[2]), 10, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("git cat-file: bad size in %q", bytes.TrimSpace(header))
		}
		if h.Opts.MaxFileSize > 0 && size > h.Opts.MaxFileSize {
			if _, err := br.Discard(int(size) + 1); err != nil {
				return fmt.Errorf("git cat-file: %w", err)
			}
			h.stats.Skip("too-large")
			continue
		}
		// Sniff before copying: a binary blob is skipped without allocating it.
		if peek, _ := br.Peek(int(min(size, sniffLen))); scanner.IsBinary(peek) {
			if _, err := br.Discard(int(size) + 1); err != nil {
				return fmt.Errorf("git cat-file: %w", err)
			}
			h.stats.Skip("binary")
			continue
		}
		buf := getBuf(int(size) + 1)
		data := *buf
		if _, err := io.ReadFull(br, data); err != nil {
			return fmt.Errorf("git cat-file: reading blob %x: %w", b.id, err)
		}
		c := scanner.Chunk{Data: data[:size], Kind: scanner.KindBlob, Path: b.path, Commit: b.commit, BlobID: hex.EncodeToString(b.id[:])}
		c.Release = func() { putBuf(buf) }
		if err := yield(c); err != nil {
			return err
		}
	}
	return nil
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
	if len(l) == 0 || l[0] != ':' {
		return id, "", 0, false
	}
	tab := bytes.IndexByte(l, '\t')
	if tab < 0 {
		return id, "", 0, false
	}
	meta := bytes.Fields(l[:tab])
	n := 0
	for n < len(l) && l[n] == ':' {
		n++
	}
	// n colons = n parents: n+1 modes, n+1 IDs, one status field.
	if len(meta) != 2*(n+1)+1 {
		return id, "", 0, false
	}
	mode := meta[n]
	newID := meta[2*n+1]
	if len(newID) != 40 {
		return id, "", 0, false
	}
	if _, err := hex.Decode(id[:], newID); err != nil || id == [20]byte{} {
		return id, "", 0, false
	}
	switch string(mode) {
	case "160000":
		kind = rawSubmodule
	case "120000":
		kind = rawSymlink
	case "000000":
		return id, "", 0, false
	}
	return id, unquotePath(l[tab+1:]), kind, true
}
