package gitsource

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os/exec"
	"strconv"
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
	stats   scanner.Stats
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

// Chunks implements scanner.Source.
func (h *History) Chunks(ctx context.Context, yield func(scanner.Chunk) error) error {
	revs := h.Revs
	if len(revs) == 0 {
		revs = []string{"--all"}
	}
	// Pass 1: commits oldest first with the blobs each changed. A combined
	// (-c) diff of a merge lists only blobs that differ from every parent;
	// the others were already met on the parent's side.
	args := append([]string{"log", "--reverse", "--topo-order", "--raw", "--no-renames", "--no-abbrev", "-c", "--root", logFormat, "--ignore-submodules=none"}, revs...)
	if h.Since != "" {
		args = append(args, "--since="+h.Since)
	}
	args = append(args, "--")
	seen := make(map[[20]byte]struct{})
	var blobs []blobRef
	err := h.Repo.stream(ctx, func(r io.Reader) error {
		var cur *scanner.Commit
		return readLog(r, func(c *scanner.Commit, msg []byte) error {
			cur = c
			h.stats.Commits++
			if h.SkipMessages || len(bytes.TrimSpace(msg)) == 0 {
				return nil
			}
			return yield(scanner.Chunk{Data: msg, Kind: scanner.KindCommitMessage, Path: CommitMessageLabel, Commit: c})
		}, func(l []byte) error {
			id, path, kind, ok := parseRaw(l)
			if !ok {
				return nil
			}
			switch kind {
			case rawSubmodule:
				h.stats.Skip("submodule")
				h.stats.Note("submodules are not scanned: scan each one in its own repository")
				return nil
			case rawSymlink:
				return nil
			}
			if _, dup := seen[id]; dup {
				return nil
			}
			seen[id] = struct{}{}
			if h.Opts.Allow.AllowsPath(path) {
				h.stats.Skip("allowlisted-path")
				return nil
			}
			blobs = append(blobs, blobRef{id: id, path: path, commit: cur})
			h.planned.Add(1)
			return nil
		}, func() error { return nil })
	}, args...)
	if err != nil {
		return err
	}
	if h.stats.Commits == 0 {
		h.stats.Note("no commits: the repository is empty or the refs select nothing")
		return nil
	}
	return h.readBlobs(ctx, blobs, yield)
}

// AddStats implements scanner.StatsSource.
func (h *History) AddStats(st *scanner.Stats) {
	if h.Repo.Shallow {
		h.stats.Note("shallow clone: history beyond the shallow boundary was not scanned (git fetch --unshallow)")
	}
	scanner.MergeStats(st, &h.stats)
}

// readBlobs streams blobs through one long-lived `git cat-file --batch`: a
// writer goroutine feeds object IDs while this goroutine reads contents.
func (h *History) readBlobs(ctx context.Context, blobs []blobRef, yield func(scanner.Chunk) error) error {
	if len(blobs) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := gitCmd(ctx, h.Repo.Dir, "cat-file", "--batch")
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
	rerr := h.readBatch(stdout, blobs, yield)
	if rerr != nil {
		cancel()
	}
	io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()
	<-werr
	if rerr != nil {
		return rerr
	}
	if waitErr != nil {
		if _, ok := waitErr.(*exec.ExitError); ok {
			return gitError([]string{"cat-file"}, waitErr, stderr.String())
		}
		return waitErr
	}
	return nil
}

func (h *History) readBatch(r io.Reader, blobs []blobRef, yield func(scanner.Chunk) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	for i := range blobs {
		b := &blobs[i]
		header, err := br.ReadSlice('\n')
		if err != nil {
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
		data := make([]byte, size+1)
		if _, err := io.ReadFull(br, data); err != nil {
			return fmt.Errorf("git cat-file: reading blob %x: %w", b.id, err)
		}
		data = data[:size]
		if scanner.IsBinary(data) {
			h.stats.Skip("binary")
			continue
		}
		if err := yield(scanner.Chunk{Data: data, Kind: scanner.KindBlob, Path: b.path, Commit: b.commit, BlobID: hex.EncodeToString(b.id[:])}); err != nil {
			return err
		}
	}
	return nil
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
