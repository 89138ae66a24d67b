package history

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/scanner"
)

// Commits as the walk reads them from the object store, shown as git log
// shows them with --format=%an, %ae, %aI and %B, so that a finding's
// commit and a commit message's bytes are what the diff-tree walk reports.

// rawCommit is a parsed commit object.
type rawCommit struct {
	tree     [20]byte
	parents  [][20]byte
	author   []byte // the author line after "author "
	encoding []byte // the encoding header's value, if any
	message  []byte // everything after the headers' blank line
}

// parseCommit reads a commit object's headers and message. Bytes point into
// data.
func parseCommit(data []byte) (rawCommit, error) {
	var c rawCommit
	rest := data
	sawTree := false
	for {
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			// Headers with no message (git writes the blank line anyway).
			nl = len(rest)
		}
		line := rest[:nl]
		if nl < len(rest) {
			rest = rest[nl+1:]
		} else {
			rest = nil
		}
		if len(line) == 0 {
			c.message = rest
			break
		}
		key, val, _ := bytes.Cut(line, []byte{' '})
		switch string(key) {
		case "tree":
			if sawTree || len(val) != 40 {
				return c, errors.New("bad tree header")
			}
			if _, err := hex.Decode(c.tree[:], val); err != nil {
				return c, errors.New("bad tree header")
			}
			sawTree = true
		case "parent":
			var id [20]byte
			if _, err := hex.Decode(id[:], val); err != nil || len(val) != 40 {
				return c, errors.New("bad parent header")
			}
			c.parents = append(c.parents, id)
		case "author":
			if c.author == nil {
				c.author = val
			}
		case "encoding":
			c.encoding = val
		}
		if rest == nil {
			break
		}
	}
	if !sawTree {
		return c, errors.New("no tree header")
	}
	return c, nil
}

// ident splits an ident line ("Name <email> 1112911993 -0700") as git's
// split_ident_line does: the name is what precedes the first '<', without
// trailing white space; the email runs to the first '>' after it; the time
// and zone follow the last '>'. A line without both brackets has neither
// name nor email; a missing or unreadable time is git's: the epoch, UTC.
func ident(line []byte) (name, email string, date time.Time) {
	var secs int64
	tz := 0
	lt := bytes.IndexByte(line, '<')
	gt := -1
	if lt >= 0 {
		if k := bytes.IndexByte(line[lt:], '>'); k >= 0 {
			gt = lt + k
		}
	}
	if gt >= 0 {
		name = string(bytes.TrimRight(line[:lt], " \t\n\r\v\f"))
		email = string(line[lt+1 : gt])
		last := bytes.LastIndexByte(line, '>')
		f := bytes.Fields(line[last+1:])
		if len(f) > 0 {
			if n, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
				secs = n
				if len(f) > 1 {
					tz = zoneOffset(f[1])
				}
			}
		}
	}
	// Formatted as %aI prints it, then parsed as the diff-tree walk parses
	// that, so both walks give the same time value and location.
	iso := time.Unix(secs, 0).In(time.FixedZone("", tz)).Format("2006-01-02T15:04:05-07:00")
	date, _ = time.Parse(time.RFC3339, iso)
	return name, email, date
}

// zoneOffset reads git's zone ("+hhmm", "-hhmm") as strtol would, in
// seconds east of UTC.
func zoneOffset(b []byte) int {
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' || n > 1e6 {
			break
		}
		n = n*10 + int(c-'0')
	}
	secs := (n/100)*3600 + (n%100)*60
	if neg {
		secs = -secs
	}
	return secs
}

// isUTF8Name reports whether an encoding header names UTF-8, which git log
// prints unchanged.
func isUTF8Name(enc []byte) bool {
	e := strings.ToLower(string(enc))
	return e == "" || e == "utf-8" || e == "utf8"
}

// meta returns the commit's provenance and message as git log prints them.
// A commit in another encoding is shown by git itself, which re-encodes it
// (rare: 18 of git/git's 203,352 commits).
func (cr *commitReader) meta(id [20]byte, pc *rawCommit) (*scanner.Commit, []byte, error) {
	hash := hex.EncodeToString(id[:])
	if !isUTF8Name(pc.encoding) {
		out, err := cr.h.Repo.Git(cr.ctx, "show", "-s", "--no-show-signature", "--format=%x00%an%x00%ae%x00%aI%x00%B%x00", hash)
		if err != nil {
			return nil, nil, err
		}
		f := bytes.SplitN(out, []byte{0}, 6)
		if len(f) < 6 {
			return nil, nil, fmt.Errorf("git show %s: unexpected output", hash)
		}
		c := &scanner.Commit{Hash: hash, Author: string(f[1]), Email: string(f[2])}
		if t, err := time.Parse(time.RFC3339, string(f[3])); err == nil {
			c.Date = t
		}
		return c, f[4], nil
	}
	name, email, date := ident(pc.author)
	c := &scanner.Commit{Hash: hash, Author: cr.str(name), Email: cr.str(email), Date: date}
	return c, append([]byte(nil), pc.message...), nil
}

// str shares author names and emails between commits.
func (cr *commitReader) str(s string) string {
	if v, ok := cr.strs[s]; ok {
		return v
	}
	cr.strs[s] = s
	return s
}
