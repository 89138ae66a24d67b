package gitsource

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource/cached"
	"github.com/rampart-sec/rampart/scanner/gitsource/gitcmd"
)

// Options shape what a git source reads.
type Options struct {
	// MaxFileSize skips files and blobs larger than this many bytes (0: no limit).
	MaxFileSize int64
	// Allow, when set, names paths that are never read.
	Allow *scanner.Allowlist
	// Governing are the paths (slash-separated, from the top of the work
	// tree) of the configuration and baseline files that decide what the
	// scan reports, besides .rampart.toml and .rampart-baseline.json (which
	// always are): a change that edits one says so in a note.
	Governing []string
	// GoverningFrom, when set, names where the scan read those files
	// instead of the checkout ("the base commit 0123456789ab"): the note
	// then says that the change's own version was not used.
	GoverningFrom string
	// GoverningAbsent are the governing paths GoverningFrom's commit does
	// not hold: the scan used built-in defaults (a configuration) or
	// accepted nothing (a baseline) in their place, and the note says so
	// rather than name a version that does not exist.
	GoverningAbsent []string
}

// governs reports whether path is a file that decides what a scan reports.
func (o Options) governs(path string) bool {
	if path == scanner.ConfigFileName || path == scanner.BaselineFileName {
		return true
	}
	for _, g := range o.Governing {
		if path == g {
			return true
		}
	}
	return false
}

// diffArgs make `git diff` and `git log -p` print exactly what the parser
// expects (gitcmd.DiffArgs).
var diffArgs = gitcmd.DiffArgs

// CommitMessageLabel is the path given to commit-message chunks.
const CommitMessageLabel = "(commit message)"

// Staged yields the lines added by the staged change (what `git commit` would
// record), each with its line number in the new file. Lines already in the
// file before the change are not yielded.
type Staged struct {
	Repo *Repo
	Opts Options

	stats scanner.Stats
	early *started // git diff adopted (Adopt), read by Chunks
	// pending is the diff Start or AdoptPending began (in process, or
	// git), read by Chunks; ctx is the context it was begun in.
	pending *cached.Pending
	ctx     context.Context
}

// stagedArgs is the command a staged scan reads (gitcmd.StagedArgs).
var stagedArgs = gitcmd.StagedArgs

// Start begins the staged diff now (cached.Start: in process where it
// can, else git), so that it is computed while the caller builds its
// detector (a pre-commit hook's time is mostly these two); Chunks reads
// it. Close stops git if Chunks never runs.
func (s *Staged) Start(ctx context.Context) {
	if s.Repo.Bare {
		return
	}
	s.StartIn(ctx, s.Repo.Dir)
}

// StartIn is Start before the repository is opened: the diff finds the
// repository from dir itself (its paths are the same, relative to the
// top of the work tree), while the caller opens it. Set Repo before Chunks.
func (s *Staged) StartIn(ctx context.Context, dir string) {
	s.AdoptPending(ctx, cached.Start(dir))
}

// AdoptPending makes p, a diff begun by cached.Start in the directory
// Staged will read (cmd/rampart/prestart begins it before main runs),
// what Chunks reads, as if Start had begun it.
func (s *Staged) AdoptPending(ctx context.Context, p *cached.Pending) {
	if s.early != nil || s.pending != nil {
		p.Stop()
		return
	}
	s.pending, s.ctx = p, ctx
}

// Adopt makes st, a `git diff` started with gitcmd.StagedArgs in the
// directory Staged will read, what Chunks reads, as if Start had started
// it: cancelling ctx kills it, Close stops it.
func (s *Staged) Adopt(ctx context.Context, st *gitcmd.Stream) {
	if s.early != nil || s.pending != nil {
		st.Stop()
		return
	}
	s.early = adopt(ctx, st)
}

// Close stops a git diff that Start began and Chunks did not read.
func (s *Staged) Close() {
	if s.early != nil {
		s.early.abandon()
		s.early = nil
	}
	if s.pending != nil {
		s.pending.Stop()
		s.pending = nil
	}
}

var _ scanner.StatsSource = (*Staged)(nil)

// Chunks implements scanner.Source.
func (s *Staged) Chunks(ctx context.Context, yield func(scanner.Chunk) error) error {
	if s.Repo.Bare {
		return errors.New("gitsource: a bare repository has no staged changes")
	}
	wide := &wideBlobs{ctx: ctx, repo: s.Repo, max: s.Opts.MaxFileSize}
	defer wide.finish(&s.stats)
	read := func(r io.Reader) error {
		p := &diffParser{maxBytes: s.Opts.MaxFileSize, emit: func(f *FileDiff) error {
			return emitDiff(f, nil, s.Opts, &s.stats, yield, func(path string) []byte {
				return s.Repo.credentialBlob(ctx, ":"+path, s.Opts.MaxFileSize)
			}, wide)
		}}
		if err := eachLine(r, p.line); err != nil {
			return err
		}
		return p.flush()
	}
	if p := s.pending; p != nil {
		s.pending = nil
		diff, st, err := p.Wait()
		switch {
		case diff != nil:
			return read(bytes.NewReader(diff))
		case err == nil:
			s.early = adopt(s.ctx, st)
		}
		// (git could not be started: started again below, to say why.)
	}
	if st := s.early; st != nil {
		s.early = nil
		return st.finish(read)
	}
	return s.Repo.stream(ctx, read, stagedArgs...)
}

// AddStats implements scanner.StatsSource.
func (s *Staged) AddStats(st *scanner.Stats) { scanner.MergeStats(st, &s.stats) }

// emitDiff yields one file of a diff. blob reads a binary file's content
// by its path (a diff holds none), for the credential-file rules; wide
// reads a binary file that is UTF-16 text, for its added lines.
func emitDiff(f *FileDiff, c *scanner.Commit, o Options, st *scanner.Stats, yield func(scanner.Chunk) error, blob func(path string) []byte, wide *wideBlobs) error {
	if o.governs(f.Path) {
		// Say so where reviewers look. Unless the files were read from
		// elsewhere (a pull request's base), the scan itself obeys the
		// checked-out edit: a change that allow-lists its own secret passes.
		what := fmt.Sprintf("the scanned change edits %s, which decides what rampart reports (allow list, disabled rules, accepted findings)", f.Path)
		switch {
		case o.GoverningFrom != "" && slices.Contains(o.GoverningAbsent, f.Path):
			st.Note(fmt.Sprintf("%s: this scan did NOT use the change's version of it; %s has none, so the defaults applied (the built-in configuration; no accepted findings), and the edit takes effect only once merged; review it as you would code", what, o.GoverningFrom))
		case o.GoverningFrom != "":
			st.Note(fmt.Sprintf("%s: this scan did NOT use the change's version of it but the one in %s, so the edit takes effect only once merged; review it as you would code", what, o.GoverningFrom))
		default:
			st.Note(what + ": review that edit as you would code")
		}
	}
	switch {
	case f.Submodule:
		st.Skip("submodule")
		st.Note("submodules are not scanned: scan each one in its own repository")
		return nil
	case f.Binary && o.Allow.AllowsPath(f.Path):
		st.Skip("binary")
		return nil
	case f.Binary:
		// UTF-16 text is binary to git, and so is text .gitattributes
		// marks binary or -diff: its lines are compared here. A credential
		// file's name does not exempt it (`*.key -diff` hides PEM keys from
		// review, not from the scan): text is scanned as text.
		ch, skip := wide.chunk(f, c)
		switch skip {
		case "":
			if len(ch.Data) == 0 {
				return nil
			}
			return yield(ch)
		case "too-large":
			// Text over the limit, like a plain file over it: told as
			// lost coverage, not passed over as binary.
			st.Skip(skip)
			return nil
		}
		st.Skip(skip)
		if !credentialName(f.Path) {
			return nil
		}
		// A keystore or PKCS#12 bundle is binary: read it (it is small),
		// only when its name says it may be one, and let the file rules
		// judge its bytes.
		if data := blob(f.Path); len(data) > 0 {
			return yield(scanner.Chunk{Data: data, Kind: scanner.KindDiff, Path: f.Path, Commit: c, Binary: true})
		}
		return nil
	case f.TooLarge:
		st.Skip("too-large")
		return nil
	case f.Symlink:
		st.Skip("symlink")
		return nil
	case o.Allow.AllowsPath(f.Path):
		st.Skip("allowlisted-path")
		return nil
	}
	data, lines := f.Data, f.Lines
	if needsBlocks(data, lines) {
		// A key block's body without its BEGIN line (blocks.go): the
		// new blob says which block it belongs to.
		if text, _ := wide.read(f.NewID); text != nil && !scanner.IsBinary(text) {
			var olds [][]byte
			for _, id := range f.OldIDs {
				old, _ := wide.read(id)
				olds = append(olds, old)
			}
			data, lines = expandBlocks(text, olds, data, lines)
		}
	}
	return yield(scanner.Chunk{Data: data, Kind: scanner.KindDiff, Path: f.Path, Commit: c, Lines: lines})
}

// eachLine calls fn for each line of r without its newline; lines of any
// length are handled (a minified file is one long line).
func eachLine(r io.Reader, fn func([]byte) error) error {
	br := bufio.NewReaderSize(r, 256<<10)
	for {
		l, err := readLine(br)
		if len(l) > 0 || err == nil {
			if ferr := fn(l); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// readLine reads one line, without its '\n'; a line longer than the reader's
// buffer is assembled in a fresh slice.
func readLine(br *bufio.Reader) ([]byte, error) {
	l, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		buf := append([]byte(nil), l...)
		for err == bufio.ErrBufferFull {
			l, err = br.ReadSlice('\n')
			buf = append(buf, l...)
		}
		l = buf
	}
	if n := len(l); n > 0 && l[n-1] == '\n' {
		l = l[:n-1]
	}
	return l, err
}

// Commits yields, for every commit selected by Revs (arguments to `git
// rev-list`, e.g. "A..B" or "X", "--not", "--remotes=origin"), the lines it
// added, attributed to it, and its message. Merges contribute the lines they
// introduce themselves (conflict resolutions, evil merges).
type Commits struct {
	Repo *Repo
	Revs []string
	Opts Options
	// SkipMessages leaves commit messages out.
	SkipMessages bool
	stats        scanner.Stats
}

var _ scanner.StatsSource = (*Commits)(nil)

// logFormat frames each commit with NULs, which appear in neither diffs nor
// commit metadata, so hostile messages cannot forge a commit header.
const logFormat = "--format=%x00%H%x00%an%x00%ae%x00%aI%x00%B%x00"

// Chunks implements scanner.Source.
func (s *Commits) Chunks(ctx context.Context, yield func(scanner.Chunk) error) error {
	if len(s.Revs) == 0 {
		return nil
	}
	for _, r := range s.Revs {
		if strings.HasPrefix(r, "--") && !strings.HasPrefix(r, "--not") && !strings.HasPrefix(r, "--remotes") &&
			!strings.HasPrefix(r, "--branches") && !strings.HasPrefix(r, "--tags") && !strings.HasPrefix(r, "--all") &&
			!strings.HasPrefix(r, "--since") && !strings.HasPrefix(r, "--glob") {
			return fmt.Errorf("gitsource: unsupported revision argument %q", r)
		}
	}
	args := append([]string{"log", "--reverse", "--topo-order", "-p", "-M", "--cc", logFormat}, diffArgs...)
	args = append(append(args, s.Revs...), "--")
	wide := &wideBlobs{ctx: ctx, repo: s.Repo, max: s.Opts.MaxFileSize}
	defer wide.finish(&s.stats)
	return s.Repo.stream(ctx, func(r io.Reader) error {
		var cur *scanner.Commit
		p := &diffParser{maxBytes: s.Opts.MaxFileSize, emit: func(f *FileDiff) error {
			return emitDiff(f, cur, s.Opts, &s.stats, yield, func(path string) []byte {
				return s.Repo.credentialBlob(ctx, cur.Hash+":"+path, s.Opts.MaxFileSize)
			}, wide)
		}}
		return readLog(r, func(c *scanner.Commit, msg []byte) error {
			if err := p.flush(); err != nil {
				return err
			}
			cur = c
			s.stats.Commits++
			if s.SkipMessages || len(bytes.TrimSpace(msg)) == 0 {
				return nil
			}
			return yield(scanner.Chunk{Data: msg, Kind: scanner.KindCommitMessage, Path: CommitMessageLabel, Commit: c})
		}, p.line, p.flush)
	}, args...)
}

// AddStats implements scanner.StatsSource.
func (s *Commits) AddStats(st *scanner.Stats) {
	if s.Repo.Shallow {
		s.stats.Partial("shallow clone: commits beyond the shallow boundary were not scanned")
	}
	scanner.MergeStats(st, &s.stats)
}

// readLog splits `git log` output framed by logFormat: for each commit it
// calls commit with its metadata and message, then line for each line up to
// the next commit, and done at the end.
func readLog(r io.Reader, commit func(*scanner.Commit, []byte) error, line func([]byte) error, done func() error) error {
	br := bufio.NewReaderSize(r, 256<<10)
	for {
		b, err := br.Peek(1)
		if err == io.EOF {
			return done()
		}
		if err != nil {
			return err
		}
		if b[0] == 0 {
			br.ReadByte()
			var fields [5][]byte
			for i := range fields {
				f, err := br.ReadBytes(0)
				if err != nil {
					return fmt.Errorf("gitsource: truncated git log output: %w", err)
				}
				fields[i] = f[:len(f)-1]
			}
			c := &scanner.Commit{Hash: string(fields[0]), Author: string(fields[1]), Email: string(fields[2])}
			if t, err := time.Parse(time.RFC3339, string(fields[3])); err == nil {
				c.Date = t
			}
			if err := commit(c, fields[4]); err != nil {
				return err
			}
			continue
		}
		l, err := readLine(br)
		if len(l) > 0 {
			if lerr := line(l); lerr != nil {
				return lerr
			}
		}
		if err == io.EOF {
			return done()
		}
		if err != nil {
			return err
		}
	}
}

// CommitMessage returns a source for a commit message file (the commit-msg
// hook's argument). Comment lines git strips are scanned too: what a user
// typed there still lands in the editor's buffer history.
func CommitMessage(data []byte) scanner.Source {
	return &scanner.ReaderSource{R: bytes.NewReader(data), Path: CommitMessageLabel, Kind: scanner.KindCommitMessage}
}

// credentialName reports whether path is named like a credential file
// (patterns.FileRule.Names).
func credentialName(path string) bool {
	for _, r := range patterns.FileRules() {
		if r.Named(path) {
			return true
		}
	}
	return false
}

// credentialBlob reads the blob rev (":path" for the index, "commit:path")
// for the credential-file rules: nil when it cannot be read or is larger
// than max (0: no limit). A blob that cannot be read costs only its
// finding; the diff already counted the file as binary.
func (r *Repo) credentialBlob(ctx context.Context, rev string, max int64) []byte {
	if max > 0 {
		out, err := r.Git(ctx, "cat-file", "-s", rev)
		if err != nil {
			return nil
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err != nil || n > max {
			return nil
		}
	}
	data, err := r.Git(ctx, "cat-file", "blob", rev)
	if err != nil {
		return nil
	}
	return data
}
