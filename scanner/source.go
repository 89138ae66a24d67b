package scanner

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
)

// sniffLen is how much of a file decides whether it is binary: the same rule
// git uses (a NUL byte in the first 8000 bytes).
const sniffLen = 8000

// IsBinary reports whether data looks binary (a NUL in its first 8000 bytes).
func IsBinary(data []byte) bool {
	if len(data) > sniffLen {
		data = data[:sniffLen]
	}
	return bytes.IndexByte(data, 0) >= 0
}

// DirSource yields every regular file under Root, skipping .git directories,
// symlinks (never followed), binary files, files over MaxFileSize and paths
// on the allow list. Paths in chunks are relative to Root, slash-separated.
// UTF-16 and UTF-32 text, binary to git's rule, is decoded to UTF-8 (TextOf).
type DirSource struct {
	Root        string
	MaxFileSize int64
	Allow       *Allowlist
	// Prefix is prepended to every reported path ("app/" when Root is the
	// app directory of a repository), so paths are relative to the
	// repository root, as allow lists and SARIF expect.
	Prefix string

	// mu guards stats and unread: ChunksParallel's workers record what
	// they could not read.
	mu    sync.Mutex
	stats Stats
	// notes are the "could not read" messages, keyed by where the walk
	// met the path (2×file number, or 2×files so far+1 for a folder), so
	// that they come out in walk order whichever worker wrote them.
	notes []walkNote
	// walked counts the files the walk has handed on (walker only).
	walked int
	// open opens a file to read (tests make some fail); nil: openFile.
	open func(path string) (dirFile, error)
	// unread holds the paths of files met but not read (too large,
	// binary, unreadable): Covers must not claim them.
	unread map[string]bool
}

var (
	_ StatsSource    = (*DirSource)(nil)
	_ Coverer        = (*DirSource)(nil)
	_ ParallelSource = (*DirSource)(nil)
)

// Covers reports whether the scan read everything at path (slash-separated,
// as findings name it): path is the file scanned, or lies under the folder
// scanned, is not on the allow list and was not skipped. A baseline entry
// there that the scan did not find is stale. Call it after Chunks.
func (s *DirSource) Covers(path string) bool {
	if s.unread[path] || s.Allow.AllowsPath(path) {
		return false
	}
	if info, err := os.Stat(s.Root); err == nil && !info.IsDir() {
		name := s.Prefix
		if name == "" || strings.HasSuffix(name, "/") {
			name += filepath.Base(s.Root)
		}
		return path == name
	}
	for dir := path; ; {
		i := strings.LastIndexByte(dir, '/')
		if i < 0 {
			break
		}
		dir = dir[:i]
		if s.unread[dir] || s.Allow.AllowsPath(dir) {
			return false
		}
	}
	return strings.HasPrefix(path, s.Prefix) && !strings.HasPrefix(path, "../")
}

func (s *DirSource) skip(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Skip(reason)
}

func (s *DirSource) skipUnread(rel, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Skip(reason)
	if s.unread == nil {
		s.unread = map[string]bool{}
	}
	s.unread[rel] = true
}

// Chunks implements Source: files in walk order, one at a time. Each file
// carries its place in the walk as ChunksParallel's do: the key that puts
// its "could not read" note among a folder's (2×file number) in walk order.
func (s *DirSource) Chunks(ctx context.Context, yield func(Chunk) error) error {
	return s.walk(ctx, func(p, rel string) error {
		data, ok, err := s.read(ctx, p, rel, nil, s.walked, yield)
		if !ok {
			return err
		}
		return s.yieldFile(data, rel, s.walked, yield)
	})
}

// ChunksParallel implements ParallelSource: one goroutine walks the tree
// (directory listings are cheap) and workers open, read and detect each
// file on the core that read it, each into a buffer of its own that it
// reuses once yield has returned (Scan's yield detects before returning,
// and findings never refer to Data). Reading was the walker's alone, and
// with the detection behind it a scan kept about one core busy. Each chunk
// carries its place in the walk, so findings come out in walk order
// whichever worker read them.
func (s *DirSource) ChunksParallel(ctx context.Context, workers int, yield func(Chunk) error) error {
	if workers < 2 {
		return s.Chunks(ctx, yield)
	}
	if info, err := os.Stat(s.Root); err != nil || !info.IsDir() {
		return s.Chunks(ctx, yield)
	}
	type file struct {
		p, rel string
		order  int // the file's number in the walk
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	files := make(chan file, 4*workers)
	errs := make(chan error, workers+1)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for f := range files {
				data, ok, err := s.read(ctx, f.p, f.rel, buf, f.order, yield)
				if ok {
					err = s.yieldFile(data, f.rel, f.order, yield)
				}
				if err != nil {
					errs <- err
					cancel()
					// Drain, so the walker is not left blocked on a send.
					for range files {
					}
					return
				}
				if ok && cap(data) <= maxReusedBuffer {
					buf = data
				}
			}
		}()
	}
	walkErr := s.walk(ctx, func(p, rel string) error {
		select {
		case files <- file{p: p, rel: rel, order: s.walked}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(files)
	wg.Wait()
	close(errs)
	if err, ok := <-errs; ok {
		return err
	}
	return walkErr
}

// maxReusedBuffer bounds the buffer a ChunksParallel worker keeps between
// files: a rare large file is read into a buffer of its own and let go.
const maxReusedBuffer = 4 << 20

// walk calls file for every regular file under Root (or for Root itself)
// that is not skipped, with its path and its reported name, in walk order.
func (s *DirSource) walk(ctx context.Context, file func(p, rel string) error) error {
	info, err := os.Stat(s.Root)
	if err != nil {
		return fmt.Errorf("scan %s: %w", s.Root, err)
	}
	if !info.IsDir() {
		name := s.Prefix
		if name == "" || strings.HasSuffix(name, "/") {
			name += filepath.Base(s.Root)
		}
		// A file named on its own is judged by the same path rules as the
		// same file met in a folder scan.
		if s.Allow.AllowsPath(name) {
			s.skip("allowlisted-path")
			return nil
		}
		// The one file asked for, unreadable, is an error: a note would
		// let "scanned 0 files" pass as a clean scan (exit 0).
		if err := s.canOpen(s.Root); err != nil {
			return fmt.Errorf("scan %s: %w", s.Root, unwrapPathError(err))
		}
		s.walked++
		return file(s.Root, name)
	}
	return filepath.WalkDir(s.Root, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		rel, relErr := filepath.Rel(s.Root, p)
		if relErr != nil {
			rel = p
		}
		rel = filepath.ToSlash(rel)
		if s.Prefix != "" && rel != "." {
			rel = s.Prefix + rel
		}
		if err != nil && p == s.Root {
			// The folder asked for cannot be listed: nothing would be
			// scanned, which is an error, not a clean scan.
			return fmt.Errorf("scan %s: %w", s.Root, unwrapPathError(err))
		}
		if err != nil {
			// An unreadable directory or file is noted, not fatal: the rest is still scanned.
			s.unreadable(rel, err, 2*s.walked+1)
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			if d.Name() == ".git" && p != s.Root {
				return filepath.SkipDir
			}
			if p != s.Root && s.Allow.AllowsPath(rel) {
				s.skip("allowlisted-path")
				return filepath.SkipDir
			}
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			s.skipUnread(rel, "symlink")
			return nil
		case !d.Type().IsRegular():
			s.skipUnread(rel, "special-file")
			return nil
		}
		if d.Name() == ".git" {
			return nil // a worktree's or submodule's gitdir pointer file
		}
		if s.Allow.AllowsPath(rel) {
			s.skip("allowlisted-path")
			return nil
		}
		s.walked++
		return file(p, rel)
	})
}

// read reads the file at p into buf (grown when too small). A text file
// larger than MaxFileSize is not held whole: read yields it itself, in
// windows (streamWindows), and returns ok false, as it does for a file it
// skipped (binary and too large, unreadable), which it records; err is
// yield's.
func (s *DirSource) read(ctx context.Context, p, rel string, buf []byte, order int, yield func(Chunk) error) (data []byte, ok bool, err error) {
	open := s.open
	if open == nil {
		open = openFile
	}
	f, err := open(p)
	if err != nil {
		s.unreadable(rel, err, 2*order)
		return nil, false, nil
	}
	defer f.Close()
	size, err := f.Size()
	if err == nil && s.MaxFileSize > 0 && size > s.MaxFileSize {
		// A SQL dump or a log is text like any other: read in windows of
		// --max-file-size, never skipped. Only a binary one is left, as
		// a binary file is (a credential file is far smaller).
		head := make([]byte, sniffLen)
		n, err := io.ReadFull(f, head)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			s.unreadable(rel, err, 2*order)
			return nil, false, nil
		}
		var r io.Reader = io.MultiReader(bytes.NewReader(head[:n]), f)
		base := Chunk{Kind: KindFile, Path: rel, order: order}
		if IsBinary(head[:n]) {
			// A UTF-16 log is decoded as it is read, when its mark says
			// so: the whole-file test for plain UTF-16 needs it whole.
			enc, bom := Wide(head[:n])
			if bom == 0 {
				s.skipUnread(rel, "binary")
				return nil, false, nil
			}
			r = &wideReader{r: io.MultiReader(bytes.NewReader(head[bom:n]), f), enc: enc}
			base.Encoding = enc
		}
		window := int(min(s.MaxFileSize, 1<<30))
		err = streamWindows(ctx, r, window, base, yield)
		var ye yieldError
		if errors.As(err, &ye) {
			return nil, false, ye.err
		}
		if err != nil {
			s.unreadable(rel, err, 2*order)
		}
		return nil, false, nil
	}
	data, err = readSized(f, size, buf)
	if err != nil {
		s.unreadable(rel, err, 2*order)
		return nil, false, nil
	}
	return data, true, nil
}

// yieldFile hands a file's content on; order is its place in the walk.
func (s *DirSource) yieldFile(data []byte, rel string, order int, yield func(Chunk) error) error {
	if IsBinary(data) {
		if text, enc, ok := TextOf(nil, data); ok {
			return yield(Chunk{Data: text, Kind: KindFile, Path: rel, Encoding: enc, order: order})
		}
		s.skipUnread(rel, "binary")
		// Not read as text, but judged as a file: a keystore or a PKCS#12
		// bundle is a credential whatever it is called.
		return yield(Chunk{Data: data, Kind: KindFile, Path: rel, Binary: true, order: order})
	}
	return yield(Chunk{Data: data, Kind: KindFile, Path: rel, order: order})
}

// canOpen reports why the file at p cannot be opened for reading, if it
// cannot.
func (s *DirSource) canOpen(p string) error {
	open := s.open
	if open == nil {
		open = openFile
	}
	f, err := open(p)
	if err != nil {
		return err
	}
	return f.Close()
}

func (s *DirSource) unreadable(rel string, err error, key int) {
	s.skipUnread(rel, "unreadable")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes = append(s.notes, walkNote{key, fmt.Sprintf("could not read %s: %v", rel, unwrapPathError(err))})
}

// dirFile is an open file DirSource reads.
type dirFile interface {
	io.Reader
	Size() (int64, error)
	Close() error
}

// walkNote is a message and where the walk met its path.
type walkNote struct {
	key int
	msg string
}

// readSized reads f to its end into a buffer of the size Stat gave (plus
// one byte, to see the end without growing): one allocation and usually two
// reads, where io.ReadAll starts at 512 bytes and grows, copying, a dozen
// times for a 100 KB file. A file that grew meanwhile is still read whole.
// buf is used when it is large enough.
func readSized(f io.Reader, size int64, buf []byte) ([]byte, error) {
	if size <= 0 || size > 1<<30 {
		return io.ReadAll(f)
	}
	data := buf[:0]
	if int64(cap(data)) < size+1 {
		data = make([]byte, 0, size+1)
	}
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return data, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// AddStats implements StatsSource.
func (s *DirSource) AddStats(st *Stats) {
	slices.SortStableFunc(s.notes, func(a, b walkNote) int { return cmp.Compare(a.key, b.key) })
	for _, n := range s.notes {
		s.stats.Partial(n.msg)
	}
	s.notes = nil
	MergeStats(st, &s.stats)
}

// MergeStats adds src's commit count, skip counts and notes into dst:
// sources use it to implement StatsSource.
func MergeStats(dst, src *Stats) {
	dst.Commits += src.Commits
	keys := make([]string, 0, len(src.Skipped))
	for k := range src.Skipped {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if dst.Skipped == nil {
			dst.Skipped = map[string]int{}
		}
		dst.Skipped[k] += src.Skipped[k]
	}
	for _, n := range src.Notes {
		dst.Note(n)
	}
	for _, n := range src.Incomplete {
		dst.Partial(n)
	}
}

// ReaderSource yields the whole of R as one chunk labelled Path (e.g.
// "stdin"), or, past MaxSize, in windows of MaxSize (streamWindows). Past
// MaxSize it is read as a folder scan reads a file that large: text in
// windows, UTF-16 or UTF-32 with a byte-order mark decoded as it is read,
// anything else binary to git's rule skipped (and the scan said to be
// incomplete: it was all there was to read). Within MaxSize it is scanned
// as it is, UTF-16 and UTF-32 text decoded.
type ReaderSource struct {
	R    io.Reader
	Path string
	Kind Kind
	// MaxSize bounds what is held at once; 0 means no bound.
	MaxSize int64

	stats Stats
}

var _ StatsSource = (*ReaderSource)(nil)

// AddStats implements StatsSource.
func (s *ReaderSource) AddStats(st *Stats) { MergeStats(st, &s.stats) }

// Chunks implements Source.
func (s *ReaderSource) Chunks(ctx context.Context, yield func(Chunk) error) error {
	kind := s.Kind
	if kind == "" {
		kind = KindStdin
	}
	r := s.R
	if s.MaxSize > 0 {
		r = io.LimitReader(r, s.MaxSize+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read %s: %w", s.Path, err)
	}
	if s.MaxSize > 0 && int64(len(data)) > s.MaxSize {
		window := int(min(s.MaxSize, 1<<30))
		var r io.Reader = io.MultiReader(bytes.NewReader(data), s.R)
		base := Chunk{Kind: kind, Path: s.Path}
		if IsBinary(data) {
			enc, bom := Wide(data)
			if bom == 0 {
				// As DirSource.read skips a binary file this large (plain
				// UTF-16 included: its test needs the whole).
				s.stats.Skip("binary")
				s.stats.Partial(fmt.Sprintf("%s is binary (a NUL in its first %d bytes) and larger than --max-file-size: not scanned, as a binary file that large is not in a folder scan; raise --max-file-size to scan it as it is", s.Path, sniffLen))
				return nil
			}
			r = &wideReader{r: io.MultiReader(bytes.NewReader(data[bom:]), s.R), enc: enc}
			base.Encoding = enc
		}
		err := streamWindows(ctx, r, window, base, yield)
		var ye yieldError
		if errors.As(err, &ye) {
			return ye.err
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", s.Path, err)
		}
		return nil
	}
	c := Chunk{Data: data, Kind: kind, Path: s.Path}
	if IsBinary(data) {
		// A file PowerShell 5 wrote, redirected in (`< out.txt`), is UTF-16.
		if text, enc, ok := TextOf(nil, data); ok {
			c.Data, c.Encoding = text, enc
		}
	}
	return yield(c)
}
