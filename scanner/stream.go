package scanner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"unicode/utf8"
)

const (
	// minStreamWindow is the smallest window a large file is read in,
	// whatever --max-file-size says: half an overlap must hold the
	// context the widest rule reads around a secret.
	minStreamWindow = 64 << 10
	// maxStreamOverlap bounds how much of a window the next one reads
	// again: half of it is context before a window's first secret, half
	// context after its last (a PEM block, thirty lines of a context rule,
	// a long token cut by a window's end are all far shorter).
	maxStreamOverlap = 256 << 10
)

// streamWindows reads r, a text file too large to hold whole, and yields it
// as chunks of at most window bytes, each starting at a line boundary where
// the overlap has one, overlapping the next by up to a quarter of a window.
// A window reports the findings that start in its own part: up to the middle
// of the overlap it shares with each neighbour (Chunk.ownFrom, ownTo), so
// every secret is reported once with the context a whole read gives it, at
// its line and column in the file. Two buffers are used in turn, each taken
// back when the scan releases the chunk (Chunk.Release): memory stays two
// windows however large the file, and however far detection lags behind.
func streamWindows(ctx context.Context, r io.Reader, window int, base Chunk, yield func(Chunk) error) error {
	return windows(ctx, r, max(window, minStreamWindow), base, yield)
}

// windows is streamWindows for any window size (tests use tiny ones).
func windows(ctx context.Context, r io.Reader, window int, base Chunk, yield func(Chunk) error) error {
	overlap := min(maxStreamOverlap, window/4)
	free := make(chan []byte, 2)
	allocated := 0
	acquire := func() ([]byte, error) {
		select {
		case b := <-free:
			return b, nil
		default:
		}
		if allocated < 2 {
			allocated++
			return make([]byte, window), nil
		}
		select {
		case b := <-free:
			return b, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var carry []byte // the overlap: the end of the previous window
	line, col, ownFrom := base.StartLine, 0, 0
	if line == 0 {
		line = 1
	}
	for part := 0; ; part++ {
		buf, err := acquire()
		if err != nil {
			return yieldError{err}
		}
		// carry may lie in buf itself (released and taken again): copy
		// moves it to the front.
		n := copy(buf, carry)
		m, err := io.ReadFull(r, buf[n:])
		last := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !last {
			return err
		}
		data := buf[:n+m]
		if len(data) == 0 {
			return nil
		}
		c := base
		c.Data, c.StartLine, c.startCol = data, line, col
		c.part, c.counted, c.ownFrom, c.ownTo = part, len(carry), ownFrom, 0
		c.Release = func() { free <- buf }
		if !last {
			// The next window starts a line within the overlap, or,
			// in a line longer than that, at the character where the
			// overlap starts: never inside one (decoded UTF-16 is full
			// of two- and three-byte characters), so that no window
			// holds half a character for a regex to read as U+FFFD.
			cut := len(data) - overlap
			next := cut
			if i := bytes.LastIndexByte(data[cut-overlap:cut], '\n'); i >= 0 {
				next = cut - overlap + i + 1
			}
			for k := 1; k < utf8.UTFMax && !utf8.RuneStart(data[next]); k++ {
				next--
			}
			mid := next + (len(data)-next)/2
			c.ownTo = mid
			if i := bytes.LastIndexByte(data[:next], '\n'); i >= 0 {
				line += bytes.Count(data[:next], []byte{'\n'})
				col = runeCount(data[i+1 : next])
			} else {
				col += runeCount(data[:next])
			}
			ownFrom = mid - next
			carry = data[next:]
		}
		if err := yield(c); err != nil {
			return yieldError{err}
		}
		if last {
			return nil
		}
	}
}

// yieldError is an error of the scan reading the windows (cancelled, or
// yield's own), told apart from an error reading the file.
type yieldError struct{ err error }

func (e yieldError) Error() string { return e.err.Error() }
func (e yieldError) Unwrap() error { return e.err }
