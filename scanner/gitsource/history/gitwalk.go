package history

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// blobRef is where a blob was first seen: the commit and path, and any other
// paths the same commit gave the same content (each is its own finding).
//
// A blob a reader met before any commit placed it has a tentative blobRef
// (no commit; see History.claim), which the walk replaces when it places
// the blob: its path is the skip the reader counted for it ("" when it was
// scanned) and pos the bytes the scan counted, so that both can be taken
// back should no commit place it. Only the readers and the end of the scan
// look at those; to everything else the blob is not placed.
//
// A blob that a ref names directly and no commit holds (placeTagged) is
// placed with no commit either, but named: its path is the ref's name
// (refs/tags/keyblob), also the other refs naming it.
type blobRef struct {
	path   string
	commit *scanner.Commit
	also   []string
	pos    int // the commit's walk position (larger is older)
	named  bool
}

// tentative reports whether ref only records a read (see blobRef).
func (ref *blobRef) tentative() bool { return ref.commit == nil && !ref.named }

// gitWalk runs the commit walk through git: `git rev-list --topo-order` numbers the
// selected commits newest first, and several `git diff-tree --stdin`
// processes, each fed its share of them in blocks, list the blobs each
// commit introduces and its message. A blob is placed at the largest
// position (the oldest commit) that introduces it, whichever process
// reports it first, so the result is the single walk's. Tree diffs are
// most of a history scan's git time, and one process would leave a core
// idle once the blobs have been read. A combined (-c) diff of a merge
// lists only blobs that differ from every parent; the others are met on
// the parents.
func (h *History) gitWalk(ctx context.Context, msgs chan<- scanner.Chunk) error {
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
	if h.walkers > 0 {
		n = h.walkers
	}
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
	block := defaultWalkBlock
	if h.walkBlock > 0 {
		block = h.walkBlock
	}
	pos := 0
	err := h.Repo.Stream(ctx, func(r io.Reader) error {
		return gitsource.EachLine(r, func(l []byte) error {
			if len(l) != 40 {
				return nil
			}
			pos++
			var id [20]byte
			if _, err := hex.Decode(id[:], l); err != nil {
				return fmt.Errorf("git rev-list: bad commit name %q", l)
			}
			h.mu.Lock()
			h.commits[id] = commitInfo{pos: int32(pos)}
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

// defaultWalkBlock is how many consecutive commits each diff-tree process
// is fed in turn: neighbouring commits share trees, which git's delta-base
// cache then finds warm.
const defaultWalkBlock = 256

// diffTrees runs one `git diff-tree --stdin` over the commit IDs read from
// in, sending commit messages and placing the blobs each commit introduces.
func (h *History) diffTrees(ctx context.Context, in *os.File, msgs chan<- scanner.Chunk) error {
	args := []string{"diff-tree", "--stdin", "-r", "--raw", "-c", "--root", "--always", "--no-renames", "--no-abbrev", "--ignore-submodules=none", gitsource.LogFormat}
	paths := map[string]string{} // interned: most blobs share their path with other versions
	return h.Repo.StreamIn(ctx, in, func(r io.Reader) error {
		r = &patientReader{r: r}
		var cur *scanner.Commit
		pos := 0
		return gitsource.ReadLog(r, func(c *scanner.Commit, msg []byte) error {
			cur = c
			var id [20]byte
			hex.Decode(id[:], []byte(c.Hash))
			h.mu.Lock()
			pos = int(h.commits[id].pos)
			h.mu.Unlock()
			if h.SkipMessages || msgs == nil || len(bytes.TrimSpace(msg)) == 0 {
				return nil
			}
			select {
			case msgs <- scanner.Chunk{Data: append([]byte(nil), msg...), Kind: scanner.KindCommitMessage, Path: gitsource.CommitMessageLabel, Commit: c}:
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
				h.mu.Lock()
				h.symlinks[id] = struct{}{}
				h.mu.Unlock()
				return nil
			}
			path, ok := paths[string(raw)]
			if !ok {
				path = gitsource.UnquotePath(raw)
				paths[string(raw)] = path
			}
			h.mu.Lock()
			switch prev, ok := h.placed[id]; {
			case !ok || prev.tentative() || pos > prev.pos:
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
	return id, gitsource.UnquotePath(raw), kind, true
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
