package githook

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrMalformed is wrapped by every error ParsePrePush returns for input that
// does not follow git's pre-push protocol.
var ErrMalformed = errors.New("githook: malformed pre-push input")

// maxPrePushLine bounds one protocol line: two object IDs, a ref name git
// limits to a few kilobytes, and a local ref expression.
const maxPrePushLine = 64 << 10

// Update is one line of git's pre-push protocol: a ref the push would update.
type Update struct {
	// LocalRef is what the user pushes ("refs/heads/main", "HEAD~1", or
	// "(delete)" for a deletion).
	LocalRef string
	// LocalOID is the object the remote ref will point to; all zeros for a
	// deletion.
	LocalOID string
	// RemoteRef is the full name of the ref on the remote.
	RemoteRef string
	// RemoteOID is what the remote ref points to now; all zeros when the push
	// creates it.
	RemoteOID string
}

// IsDelete reports whether the update deletes the remote ref.
func (u Update) IsDelete() bool { return IsZeroOID(u.LocalOID) }

// IsCreate reports whether the update creates the remote ref.
func (u Update) IsCreate() bool { return IsZeroOID(u.RemoteOID) }

// IsTag reports whether the remote ref is a tag.
func (u Update) IsTag() bool { return strings.HasPrefix(u.RemoteRef, "refs/tags/") }

// IsZeroOID reports whether id is git's null object ID (40 or 64 zeros).
func IsZeroOID(id string) bool {
	return (len(id) == 40 || len(id) == 64) && strings.Trim(id, "0") == ""
}

// ParsePrePush reads git's pre-push protocol: one line per ref,
//
//	<local ref> SP <local object name> SP <remote ref> SP <remote object name> LF
//
// with object names of 40 (SHA-1) or 64 (SHA-256) hexadecimal digits, all
// zeros for a ref being created or deleted. The local ref is whatever the user
// typed on the left of a refspec and may in principle contain spaces (an
// expression such as HEAD@{1 day ago}), so each line is split from the right;
// ref names themselves cannot contain spaces. Blank lines are ignored. Any
// other deviation is an error wrapping ErrMalformed that names the line.
func ParsePrePush(r io.Reader) ([]Update, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxPrePushLine)
	var out []Update
	hashLen := 0
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		u, err := parsePrePushLine(line)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrMalformed, n, err)
		}
		if hashLen == 0 {
			hashLen = len(u.LocalOID)
		}
		if len(u.LocalOID) != hashLen || len(u.RemoteOID) != hashLen {
			return nil, fmt.Errorf("%w: line %d: object names of different lengths (SHA-1 and SHA-256 mixed)", ErrMalformed, n)
		}
		out = append(out, u)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%w: a line is longer than %d bytes", ErrMalformed, maxPrePushLine)
		}
		return nil, fmt.Errorf("read pre-push input: %w", err)
	}
	return out, nil
}

func parsePrePushLine(line string) (Update, error) {
	// Split off the last three fields; the rest is the local ref.
	var f [3]string
	rest := line
	for i := 2; i >= 0; i-- {
		j := strings.LastIndexByte(rest, ' ')
		if j < 0 {
			return Update{}, fmt.Errorf("want 4 space-separated fields, got %d", 3-i)
		}
		f[i], rest = rest[j+1:], rest[:j]
	}
	u := Update{LocalRef: rest, LocalOID: f[0], RemoteRef: f[1], RemoteOID: f[2]}
	switch {
	case u.LocalRef == "":
		return Update{}, errors.New("empty local ref")
	case !validOID(u.LocalOID):
		return Update{}, fmt.Errorf("local object name %q is not 40 or 64 hexadecimal digits", clip(u.LocalOID))
	case !validRemoteRef(u.RemoteRef):
		return Update{}, fmt.Errorf("remote ref %q is not a full ref name", clip(u.RemoteRef))
	case !validOID(u.RemoteOID):
		return Update{}, fmt.Errorf("remote object name %q is not 40 or 64 hexadecimal digits", clip(u.RemoteOID))
	}
	for _, c := range u.LocalRef {
		if c < ' ' || c == 0x7f {
			return Update{}, errors.New("control character in local ref")
		}
	}
	return u, nil
}

func validOID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validRemoteRef accepts what git sends: a full ref name ("refs/…"), with no
// whitespace or control characters.
func validRemoteRef(s string) bool {
	if !strings.HasPrefix(s, "refs/") || len(s) == len("refs/") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
