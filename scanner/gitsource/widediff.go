package gitsource

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/scanner/gitsource/gitcmd"
)

// Text that a diff calls binary. git calls a UTF-16 file binary (its ASCII
// characters carry NULs), and any file .gitattributes marks `binary` or
// `-diff` (lock files, generated JSON, .env files kept out of review), so a
// diff holds none of its lines: "Binary files a/x and b/x differ". For such
// a file the new blob and the old ones (the "index old..new" line names
// them) are read, UTF-16 decoded, and the lines of the new text that the
// old texts do not hold are its added lines, each with its line number in
// the new file, as git would list them for a UTF-8 file. A blob whose
// first 8000 bytes hold a NUL and do not read as UTF-16 or UTF-32 is
// binary indeed: nothing past those bytes is kept.

// wideBlobs reads the blobs of binary files in a diff by object ID, through
// one `git cat-file --batch` started at the first read (a diff without
// binary files starts none). Its header gives a blob's size before its
// content: a blob over the size limit is let pass unread, and of any other
// only the first sniffLen bytes are looked at (history's reader peeks so
// too) until they show UTF-16 or UTF-32 text or text git diffs as binary
// (.gitattributes); an image, an archive or compiled code is discarded as
// it arrives, never held whole. (git 2.30, the oldest rampart supports, has
// no --batch-command to ask for the size alone; a blob not wanted costs its
// bytes through the pipe, not a second process.)
type wideBlobs struct {
	ctx  context.Context
	repo *Repo
	max  int64
	cat  *catFile
	err  error // the first failure: later reads are not tried
}

// sniffLen is scanner.IsBinary's window, enough for scanner.Wide.
const sniffLen = 8000

// catFile is one long-lived `git cat-file` answering object IDs.
type catFile struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

func (r *Repo) startCatFile(ctx context.Context, mode string) (*catFile, error) {
	cmd := r.Command(ctx, "cat-file", mode)
	in, out, err := gitcmd.StartPiped(cmd)
	if err != nil {
		return nil, fmt.Errorf("start git cat-file: %w", err)
	}
	return &catFile{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 64<<10)}, nil
}

// ask writes id and reads the answer's header: type and size, or ok false
// when git does not have the object.
func (c *catFile) ask(id string) (typ string, size int64, ok bool, err error) {
	if _, err := io.WriteString(c.in, id+"\n"); err != nil {
		return "", 0, false, err
	}
	h, err := c.out.ReadString('\n')
	if err != nil {
		return "", 0, false, err
	}
	f := strings.Fields(h)
	if len(f) == 2 && f[1] == "missing" {
		return "", 0, false, nil
	}
	if len(f) != 3 {
		return "", 0, false, fmt.Errorf("git cat-file: unexpected header %q", strings.TrimSpace(h))
	}
	size, err = strconv.ParseInt(f[2], 10, 64)
	if err != nil || size < 0 {
		return "", 0, false, fmt.Errorf("git cat-file: bad size in %q", strings.TrimSpace(h))
	}
	return f[1], size, true, nil
}

func (c *catFile) close() {
	c.in.Close()
	io.Copy(io.Discard, c.out)
	c.cmd.Wait()
}

// read returns the content of blob id when it is text, to git's rule or as
// UTF-16 or UTF-32 (scanner.Wide, from its first bytes); nil when it is
// other binary, is not a blob, is missing, is larger than the limit, or
// cannot be read (the diff already counted the file as binary: a blob that
// cannot be read costs only its findings). tooLarge is set when the blob is
// over the limit and its first bytes are text: a text file over the limit
// is counted too-large, whatever .gitattributes calls it.
func (w *wideBlobs) read(id string) (data []byte, tooLarge bool) {
	if w == nil || w.err != nil || isZeroID(id) {
		return nil, false
	}
	if w.cat == nil {
		if w.cat, w.err = w.repo.startCatFile(w.ctx, "--batch"); w.err != nil {
			return nil, false
		}
	}
	typ, size, ok, err := w.cat.ask(id)
	if w.err = err; err != nil || !ok {
		return nil, false
	}
	if typ != "blob" {
		// git's newline after the content is discarded with it.
		_, w.err = w.cat.out.Discard(int(size) + 1)
		return nil, false
	}
	head, _ := w.cat.out.Peek(int(min(size, sniffLen)))
	text := true
	if scanner.IsBinary(head) {
		enc, _ := scanner.Wide(head)
		text = enc != scanner.UTF8
	}
	if !text || (w.max > 0 && size > w.max) {
		_, w.err = w.cat.out.Discard(int(size) + 1)
		return nil, text && w.err == nil
	}
	data = make([]byte, size+1)
	if _, w.err = io.ReadFull(w.cat.out, data); w.err != nil {
		return nil, false
	}
	return data[:size], false
}

// finish stops the cat-file process and, when reading a blob failed, says
// in st that the scan is incomplete: read then gave nil for every later
// file, and those were counted as binary, not scanned, and key blocks
// (blocks.go) were scanned as the diff gave them.
func (w *wideBlobs) finish(st *scanner.Stats) {
	w.close()
	if w.err != nil && w.ctx.Err() == nil {
		st.Partial(fmt.Sprintf("blobs could not be read (%v): text among the files git calls binary (UTF-16, or marked binary by .gitattributes) was not scanned, nor were key blocks whose BEGIN line a diff leaves out whole", w.err))
	}
}

// close stops the cat-file process.
func (w *wideBlobs) close() {
	if w.cat != nil {
		w.cat.close()
	}
	w.cat = nil
}

func isZeroID(id string) bool { return strings.Trim(id, "0") == "" }

// chunk returns the added lines of f, a file the diff calls binary, when
// its new blob is text: UTF-16 or UTF-32 (scanner.TextOf), or text that
// .gitattributes calls binary. Otherwise skip says how the file is counted:
// "too-large" for text over the size limit, "binary" for the rest. Old
// blobs that are binary are taken as empty.
func (w *wideBlobs) chunk(f *FileDiff, c *scanner.Commit) (ch scanner.Chunk, skip string) {
	if w == nil || f.NewID == "" || binaryName(f.Path) {
		return ch, "binary"
	}
	raw, tooLarge := w.read(f.NewID)
	if tooLarge {
		return ch, "too-large"
	}
	if raw == nil {
		return ch, "binary"
	}
	text, enc := raw, scanner.UTF8
	if scanner.IsBinary(raw) {
		var ok bool
		if text, enc, ok = scanner.TextOf(nil, raw); !ok {
			return ch, "binary"
		}
	}
	var olds [][]byte
	for _, id := range f.OldIDs {
		old, _ := w.read(id)
		if scanner.IsBinary(old) {
			old, _, _ = scanner.TextOf(nil, old)
		}
		olds = append(olds, old)
	}
	data, lines := addedLines(olds, text)
	if needsBlocks(data, lines) {
		data, lines = expandBlocks(text, olds, data, lines)
	}
	return scanner.Chunk{Data: data, Kind: scanner.KindDiff, Path: f.Path, Commit: c, Lines: lines, Encoding: enc}, ""
}

// addedLines returns the lines of text that are added relative to every
// one of olds (one for a plain diff, one per parent for a merge's), each
// followed by '\n', with their line numbers in text. Relative to one old
// text, the lines before the first difference and after the last are
// unchanged; of those between, a line is added unless the old text's
// changed part still holds an unmatched copy of it. That is what a line
// diff reports, except that a line moved within the changed part is not
// added (its content, and any secret on it, was there before), and it
// takes linear time whatever the files.
func addedLines(olds [][]byte, text []byte) (data []byte, lines []int) {
	nl := splitLines(text)
	added := make([]bool, len(nl))
	for i := range added {
		added[i] = true
	}
	if len(olds) == 0 {
		olds = [][]byte{nil}
	}
	for _, old := range olds {
		ol := splitLines(old)
		lo := 0
		for lo < len(nl) && lo < len(ol) && bytes.Equal(nl[lo], ol[lo]) {
			added[lo] = false
			lo++
		}
		hiN, hiO := len(nl), len(ol)
		for hiN > lo && hiO > lo && bytes.Equal(nl[hiN-1], ol[hiO-1]) {
			hiN--
			hiO--
			added[hiN] = false
		}
		left := make(map[string]int, hiO-lo)
		for _, l := range ol[lo:hiO] {
			left[string(l)]++
		}
		for i := lo; i < hiN; i++ {
			if n := left[string(nl[i])]; n > 0 {
				left[string(nl[i])] = n - 1
				added[i] = false
			}
		}
	}
	for i, l := range nl {
		if added[i] {
			data = append(append(data, l...), '\n')
			lines = append(lines, i+1)
		}
	}
	return data, lines
}

// splitLines returns text's lines without their '\n' ('\r' stays, as git
// keeps it in a diff line).
func splitLines(text []byte) [][]byte {
	if len(text) == 0 {
		return nil
	}
	ls := bytes.Split(text, []byte{'\n'})
	if len(ls[len(ls)-1]) == 0 {
		ls = ls[:len(ls)-1]
	}
	return ls
}

// binaryName reports whether path names a format that is binary by its
// definition (an image, an archive, compiled code, a font, media), whose
// blob a diff need not read to know it is no UTF-16 text.
func binaryName(p string) bool {
	switch strings.ToLower(strings.TrimPrefix(path.Ext(p), ".")) {
	case "png", "jpg", "jpeg", "gif", "webp", "ico", "icns", "bmp", "tif", "tiff", "psd",
		"zip", "gz", "tgz", "bz2", "xz", "zst", "7z", "rar", "jar", "war", "ear", "whl", "nupkg",
		"exe", "dll", "so", "dylib", "o", "a", "lib", "obj", "pdb", "class", "pyc", "wasm",
		"woff", "woff2", "ttf", "otf", "eot", "pdf", "mp3", "mp4", "m4a", "mov", "avi", "wav",
		"ogg", "flac", "mkv", "webm", "sqlite", "db":
		return true
	}
	return false
}
