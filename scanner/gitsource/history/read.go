package history

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strconv"
	"sync"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// listBlobs lists every blob in the object store in pack order, with its
// size (tooLarge drops those over the size limit before they are read).
func (h *History) listBlobs(ctx context.Context) ([]packedBlob, error) {
	var blobs []packedBlob
	err := h.Repo.Stream(ctx, func(r io.Reader) error {
		return gitsource.EachLine(r, func(l []byte) error {
			if b, ok := h.listedBlob(l); ok {
				blobs = append(blobs, b)
			}
			return nil
		})
	}, "cat-file", "--batch-all-objects", "--unordered", "--batch-check=%(objectname) %(objecttype) %(objectsize)")
	return blobs, err
}

// listedBlob parses one `git cat-file --batch-check` line ("<id> <type>
// <size>") and returns it if it is a blob not listed before. It runs
// before the scan's options are known (Start), so the size limit is
// applied later (dropTooLarge).
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
	b.size = size
	return b, true
}

// dropTooLarge returns blobs without those over the size limit, which are
// counted as skipped.
func (h *History) dropTooLarge(blobs []packedBlob) []packedBlob {
	if h.Opts.MaxFileSize <= 0 {
		return blobs
	}
	return slices.DeleteFunc(blobs, func(b packedBlob) bool {
		if b.size <= h.Opts.MaxFileSize {
			return false
		}
		if _, read := h.claim(b.id, 0, "too-large"); read {
			h.stats.Skip("too-large")
		}
		return true
	})
}

// readBlobs streams blobs through one long-lived `git cat-file --batch`: a
// writer goroutine feeds object IDs while this goroutine reads contents and
// yields them.
func (h *History) readBlobs(ctx context.Context, blobs []packedBlob, yield func(scanner.Chunk) error) error {
	// Loose objects are where unreachable ones usually are (a reset
	// commit, content staged then changed, `git hash-object -w`): once the
	// walk has ended, git is not asked for those no ref reaches.
	blobs = slices.DeleteFunc(blobs, func(b packedBlob) bool { return h.unreached(b.id) })
	if len(blobs) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := h.Repo.Command(ctx, "cat-file", "--batch", "--buffer")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, stdout, err := gitsource.StartPiped(cmd)
	if err != nil {
		return fmt.Errorf("start git cat-file: %w", err)
	}
	gitsource.GrowPipe(stdout)
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
	rerr := h.readBatch(ctx, stdout, blobs, yield)
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
		return gitsource.GitError([]string{"cat-file"}, waitErr, stderr.String())
	}
	return nil
}

func (h *History) readBatch(ctx context.Context, r io.Reader, blobs []packedBlob, yield func(scanner.Chunk) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	for i := range blobs {
		b := &blobs[i]
		if err := ctx.Err(); err != nil {
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
		// Sniffed before copying: a binary blob is never allocated,
		// unless its first bytes say it is a credential file or text.
		peek, _ := br.Peek(int(min(size, sniffLen)))
		kind := sniffBlob(peek)
		if kind == credentialBlob && h.Opts.MaxFileSize > 0 && size > h.Opts.MaxFileSize {
			kind = binaryBlob
		}
		if kind == binaryBlob || kind == credentialBlob {
			_, read := h.claim(b.id, 0, "binary")
			if !read || kind == binaryBlob {
				if _, err := br.Discard(int(size) + 1); err != nil {
					return fmt.Errorf("git cat-file: %w", err)
				}
				if read {
					h.stats.Skip("binary")
				} // else no ref reaches it: neither scanned nor counted
				continue
			}
		}
		buf := getBuf(int(size) + 1)
		data := *buf
		if _, err := io.ReadFull(br, data); err != nil {
			return fmt.Errorf("git cat-file: reading blob %x: %w", b.id, err)
		}
		c := scanner.Chunk{Data: data[:size], Kind: scanner.KindBlob, BlobID: hex.EncodeToString(b.id[:]), PathLater: true}
		c.Release = func() { putBuf(buf) }
		switch kind {
		case credentialBlob:
			h.stats.Skip("binary")
			c.Binary, c.PathLater, c.LaterPaths = true, false, nil
		case wideBlob:
			text, enc, ok := scanner.TextOf(nil, data[:size])
			putBuf(buf)
			if !ok {
				if _, read := h.claim(b.id, 0, "binary"); read {
					h.stats.Skip("binary")
				}
				continue
			}
			c.Data, c.Encoding, c.Release = text, enc, nil
		}
		if kind != credentialBlob { // (claimed above)
			var read bool
			if c.LaterPaths, read = h.claim(b.id, len(c.Data), ""); !read {
				if c.Release != nil {
					c.Release()
				}
				continue
			}
		}
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

// blobKind is what both readers make of a blob from its first bytes.
type blobKind uint8

const (
	// textBlob is text to git's rule (no NUL in its first sniffLen bytes).
	textBlob blobKind = iota
	// wideBlob may be UTF-16 or UTF-32 text (scanner.Wide): read whole and
	// decoded by scanner.TextOf, which decides (binary if it refuses).
	wideBlob
	// credentialBlob is a binary credential file (credentialFile), its
	// bytes judged by the file rules.
	credentialBlob
	// binaryBlob is any other binary blob: skipped unread.
	binaryBlob
)

// sniffBlob judges a blob by head, its first bytes (sniffLen suffice), as
// both readers do before they read or keep the rest: git's rule for binary,
// then a credential file's signature, then a UTF-16 or UTF-32 one. (No
// credential format starts with a byte-order mark or reads as UTF-16, so
// the order of the two never decides.)
func sniffBlob(head []byte) blobKind {
	head = head[:min(len(head), sniffLen)]
	switch {
	case !scanner.IsBinary(head):
		return textBlob
	case credentialFile("", head):
		return credentialBlob
	}
	if enc, _ := scanner.Wide(head); enc != scanner.UTF8 {
		return wideBlob
	}
	return binaryBlob
}

// credentialFile reports whether a binary blob's first bytes make it a
// credential file (a keystore, a PKCS#12 bundle: patterns.FileRule). Only
// those binary blobs are read and handed to the detector, which judges them
// with the file rules the configuration enables; path may be unknown yet
// (a blob read before the walk placed it).
func credentialFile(path string, head []byte) bool {
	head = head[:min(len(head), patterns.FileHeadLen)]
	for _, r := range fileRules {
		if r.Match(path, head) {
			return true
		}
	}
	return false
}

// fileRules are the built-in credential-file rules, built once.
var fileRules = patterns.FileRules()
